"""Loading scenario YAML: valid files, and every user mistake located precisely."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from edsim.errors import ScenarioError, ScenarioProblem
from edsim.scenario import Scenario, load_scenario, scenario_from_text


def write(tmp_path: Path, text: str, name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[ScenarioProblem]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return info.value.problems


def only_problem(path: Path) -> ScenarioProblem:
    problems = problems_of(path)
    assert len(problems) == 1, problems
    return problems[0]


# --- valid files -------------------------------------------------------------------------------


def test_full_dump_round_trips(tmp_path: Path) -> None:
    original = Scenario(name="round-trip", years=7)
    buffer = io.StringIO()
    YAML(typ="safe", pure=True).dump(original.model_dump(mode="json"), buffer)
    path = write(tmp_path, buffer.getvalue())
    assert load_scenario(path) == original


def test_partial_file_overrides_only_what_it_sets(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
name: small
years: 5
population:
  disadvantaged_share: 0.3  # a comment
interventions:
  - name: phonics
    months: 5
    phase: primary
""",
    )
    scenario = load_scenario(path)
    assert scenario.name == "small"
    assert scenario.years == 5
    assert scenario.population.disadvantaged_share == 0.3
    assert type(scenario.population.disadvantaged_share) is float  # no ruamel types leak
    assert scenario.population.n_primary_schools == Scenario().population.n_primary_schools
    assert [i.name for i in scenario.interventions] == ["phonics"]


def test_name_defaults_to_file_stem(tmp_path: Path) -> None:
    assert load_scenario(write(tmp_path, "years: 3\n", "my_policy.yaml")).name == "my_policy"


def test_text_without_name_keeps_schema_default() -> None:
    assert scenario_from_text("years: 3\n").name == Scenario().name


@pytest.mark.parametrize("text", ["", "\n", "# only a comment\n"])
def test_empty_file_gives_defaults(tmp_path: Path, text: str) -> None:
    assert load_scenario(write(tmp_path, text, "empty.yaml")) == Scenario(name="empty")
    assert scenario_from_text(text) == Scenario()


def test_regime_preset_string() -> None:
    scenario = scenario_from_text("regime: linkage_exchange\n")
    assert scenario.regime.name == "linkage_exchange"
    assert scenario.regime.partnerships.n_brokers == 30


def test_regime_preset_with_overrides() -> None:
    scenario = scenario_from_text(
        "regime:\n  preset: linkage_exchange\n  feedback:\n    mode: none\n"
    )
    assert scenario.regime.name == "linkage_exchange"
    assert scenario.regime.feedback.mode == "none"
    assert scenario.regime.selection.mode == "context_aware"


# --- mistakes ----------------------------------------------------------------------------------


def test_unknown_key_suggests_and_points_at_key(tmp_path: Path) -> None:
    path = write(tmp_path, "name: x\npopulation:\n  disadvantaged_shar: 0.3\n")
    problem = only_problem(path)
    assert (problem.file, problem.line, problem.column) == (str(path), 3, 3)
    assert problem.key == "population.disadvantaged_shar"
    assert problem.message == (
        "unknown key 'disadvantaged_shar'; did you mean 'disadvantaged_share'?"
    )


def test_unknown_key_without_close_match_lists_allowed_keys(tmp_path: Path) -> None:
    problem = only_problem(write(tmp_path, "policy:\n  zzz: 1\n"))
    assert problem.key == "policy.zzz"
    assert "allowed keys:" in problem.message
    assert "accountability_pressure" in problem.message


def test_out_of_range_names_bounds_and_unit(tmp_path: Path) -> None:
    path = write(tmp_path, "name: x\npopulation:\n  disadvantaged_share: 1.7\n")
    problem = only_problem(path)
    assert (problem.line, problem.column) == (3, 24)
    assert problem.key == "population.disadvantaged_share"
    assert problem.message == "value 1.7 is out of range: allowed 0 < x < 1 (share 0-1)"


def test_out_of_range_inside_list_item(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "interventions:\n  - name: a\n  - name: b\n  - name: c\n  - name: d\n    months: 50\n",
    )
    problem = only_problem(path)
    assert problem.key == "interventions.3.months"
    assert problem.line == 6
    assert "-12 <= x <= 12 (months)" in problem.message


def test_wrong_type(tmp_path: Path) -> None:
    problem = only_problem(write(tmp_path, "years: lots\n"))
    assert (problem.line, problem.column, problem.key) == (1, 8, "years")
    assert problem.message == "expected a whole number, found the text 'lots'"


def test_section_given_a_scalar(tmp_path: Path) -> None:
    problem = only_problem(write(tmp_path, "name: x\npopulation: 5\n"))
    assert (problem.line, problem.key) == (2, "population")
    assert "expected a mapping of keys, found the number 5" in problem.message


def test_bad_choice_lists_choices_and_suggests(tmp_path: Path) -> None:
    path = write(tmp_path, "regime:\n  selection:\n    mode: context_awar\n")
    problem = only_problem(path)
    assert (problem.line, problem.column) == (3, 11)
    assert problem.key == "regime.selection.mode"
    assert "did you mean 'context_aware'?" in problem.message
    assert "'national_ranking'" in problem.message


def test_unknown_preset_string_is_located(tmp_path: Path) -> None:
    problem = only_problem(write(tmp_path, "name: x\nregime: linkage_exchang\n"))
    assert (problem.line, problem.column, problem.key) == (2, 9, "regime")
    assert "did you mean 'linkage_exchange'?" in problem.message


def test_unknown_preset_in_mapping_points_at_preset(tmp_path: Path) -> None:
    path = write(tmp_path, "regime:\n  preset: bogus\n  prescription: 0.5\n")
    problem = only_problem(path)
    assert (problem.line, problem.column, problem.key) == (2, 11, "regime.preset")
    assert "disseminate_to" in problem.message


def test_missing_required_key_points_at_its_parent(tmp_path: Path) -> None:
    problem = only_problem(write(tmp_path, "interventions:\n  - months: 3\n"))
    assert (problem.line, problem.column) == (2, 5)
    assert problem.key == "interventions.0.name"
    assert problem.message == "missing required key 'name'"


def test_cross_field_rule_points_at_section(tmp_path: Path) -> None:
    path = write(tmp_path, "evidence:\n  schools_per_trial_min: 200\n  schools_per_trial_max: 10\n")
    problem = only_problem(path)
    assert (problem.line, problem.key) == (1, "evidence")
    assert "must not exceed" in problem.message


def test_several_problems_reported_together_in_file_order(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
years: 0
population:
  disadvantaged_shar: 0.3
  n_primary_schools: 3.5
regime:
  selection:
    mode: fashion
""",
    )
    problems = problems_of(path)
    assert [(p.line, p.key) for p in problems] == [
        (1, "years"),
        (3, "population.disadvantaged_shar"),
        (4, "population.n_primary_schools"),
        (7, "regime.selection.mode"),
    ]
    assert "4 problems" in str(ScenarioError(problems))


def test_empty_list_is_not_reported_twice(tmp_path: Path) -> None:
    problems = problems_of(write(tmp_path, "interventions:\n  - {months: x}\n"))
    assert {p.key for p in problems} == {"interventions.0.name", "interventions.0.months"}


def test_yaml_syntax_error_has_line(tmp_path: Path) -> None:
    problem = only_problem(write(tmp_path, "name: x\npopulation:\n  a: b: c\n"))
    assert (problem.line, problem.column) == (3, 7)
    assert problem.message.startswith("YAML syntax error:")


def test_duplicate_key_is_reported(tmp_path: Path) -> None:
    problem = only_problem(write(tmp_path, "years: 3\nyears: 4\n"))
    assert problem.line == 2
    assert "duplicate key" in problem.message


def test_top_level_must_be_mapping(tmp_path: Path) -> None:
    problem = only_problem(write(tmp_path, "- years: 3\n"))
    assert problem.line == 1
    assert "must be a mapping" in problem.message


def test_python_tag_is_rejected_and_not_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = write(
        tmp_path,
        f"name: x\nyears: !!python/object/apply:os.system ['touch {marker}']\n"
        "description: !custom hello\n",
    )
    problems = problems_of(path)
    assert [(p.line, p.column) for p in problems] == [(2, 8), (3, 14)]
    assert "!!python/object/apply:os.system" in problems[0].message
    assert "'!custom'" in problems[1].message
    assert not marker.exists()


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    problem = only_problem(path)
    assert (problem.file, problem.message) == (str(path), "file not found")


def test_directory_is_not_a_file(tmp_path: Path) -> None:
    assert "is a directory" in only_problem(tmp_path).message


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: x\ndescription: caf\u00e9\n".encode("latin-1"))
    problem = only_problem(path)
    assert problem.line == 2
    assert "not UTF-8" in problem.message


def test_scenario_from_text_uses_given_filename() -> None:
    with pytest.raises(ScenarioError) as info:
        scenario_from_text("years: -1\n", filename="inline.yaml")
    assert str(info.value.problems[0]).startswith("inline.yaml:1:8: years: value -1")


def test_non_text_key_points_at_key(tmp_path: Path) -> None:
    problem = only_problem(write(tmp_path, "name: x\n2011: 3\n"))
    assert (problem.line, problem.column) == (2, 1)
    assert "keys must be text" in problem.message


# --- unsafe or oversized input -----------------------------------------------------------------


def test_anchors_and_aliases_are_refused_where_written(tmp_path: Path) -> None:
    path = write(tmp_path, "name: x\nbase: &b 0.3\npopulation:\n  disadvantaged_share: *b\n")
    problems = problems_of(path)
    assert [(p.line, p.column) for p in problems] == [(2, 7), (4, 24)]
    for problem in problems:
        assert problem.message.startswith("anchors and aliases are not supported in scenario files")
    assert "'&b'" in problems[0].message
    assert "'*b'" in problems[1].message


def test_merge_key_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "a: &a {years: 3}\n<<: *a\n")
    messages = [p.message for p in problems_of(path)]
    assert len(messages) == 3  # the anchor, the merge key and the alias
    assert any("merge keys" in m for m in messages)


def test_merge_key_without_anchors_is_refused_at_its_line(tmp_path: Path) -> None:
    problems = problems_of(write(tmp_path, "years: 3\npopulation:\n  <<: {a: 1}\n"))
    assert [(p.line, p.column) for p in problems] == [(3, 3)]
    assert "merge keys" in problems[0].message


def test_alias_bomb_is_refused_without_expanding_it(tmp_path: Path) -> None:
    # "billion laughs": nine levels of ten aliases each would expand to 10**9 strings
    lines = ['a0: &a0 "lol"']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    problems = problems_of(write(tmp_path, "\n".join(lines) + "\n"))
    assert len(problems) == 21  # the first 20, then a count of the rest
    assert problems[-1].message == "... and 80 more tags, anchors or aliases"


def test_file_over_one_mebibyte_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "# padding\n" * 110_000)
    assert path.stat().st_size > 1024 * 1024
    problem = only_problem(path)
    assert (problem.file, problem.line) == (str(path), None)
    assert "larger than the 1 MiB allowed for a scenario file" in problem.message


def test_file_just_under_the_limit_loads(tmp_path: Path) -> None:
    padding = "#" * 99 + "\n"
    path = write(tmp_path, "years: 3\n" + padding * (1024 * 1024 // 100 - 1), "big.yaml")
    assert load_scenario(path).years == 3


def test_text_over_one_mebibyte_is_refused() -> None:
    with pytest.raises(ScenarioError, match="larger than the 1 MiB"):
        scenario_from_text("#" * (1024 * 1024 + 1))


def test_absurd_nesting_is_refused_not_a_crash(tmp_path: Path) -> None:
    problem = only_problem(write(tmp_path, "x: " + "[" * 5000 + "]" * 5000 + "\n"))
    assert problem.line == 1
    assert "nested more than 32 levels deep" in problem.message


def test_preset_that_is_not_text_is_located(tmp_path: Path) -> None:
    problem = only_problem(write(tmp_path, "regime:\n  preset: [a, b]\n"))
    assert (problem.line, problem.column, problem.key) == (2, 11, "regime.preset")
    assert problem.message.startswith("expected a preset name (disseminate_to, linkage_exchange")


@pytest.mark.parametrize(
    ("text", "position", "message"),
    [
        ("%YAML 1.3\n---\nyears: 3\n", (1, 1), "unsupported %YAML version"),
        ('years: 2\ndescription: "ab\\U00110000"\n', (2, 17), "names no character"),
        ("years: 2\n\ud800name: x\n", (2, 1), "character U+D800 is not allowed"),
    ],
)
def test_input_the_parser_cannot_locate_is_still_located(
    text: str, position: tuple[int, int], message: str
) -> None:
    with pytest.raises(ScenarioError) as info:
        scenario_from_text(text, filename="odd.yaml")
    [problem] = info.value.problems
    assert (problem.file, problem.line, problem.column) == ("odd.yaml", *position)
    assert message in problem.message
