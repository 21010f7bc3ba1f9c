"""``--set key.path=value``: typed like YAML, validated like a file, typos met with a suggestion."""

from __future__ import annotations

from pathlib import Path

import pytest

from edsim.errors import ScenarioError, ScenarioProblem
from edsim.scenario import Scenario
from edsim.scenario.loader import resolve_scenario

COMMAND_LINE = "<command line>"
SMALL = Path(__file__).resolve().parents[2] / "scenarios" / "small.yaml"


def resolved(*sets: str, path: Path | None = None) -> Scenario:
    return resolve_scenario(path, sets).scenario


def problems(*sets: str, path: Path | None = None) -> list[ScenarioProblem]:
    with pytest.raises(ScenarioError) as info:
        resolve_scenario(path, sets)
    return info.value.problems


def only_problem(*sets: str, path: Path | None = None) -> ScenarioProblem:
    found = problems(*sets, path=path)
    assert len(found) == 1, found
    return found[0]


# --- values are read as YAML scalars -----------------------------------------------------------


def test_int_float_bool_and_text() -> None:
    scenario = resolved(
        "years=5",
        "population.disadvantaged_share=0.3",
        "regime.partnerships.enabled=true",
        "regime.selection.mode=context_aware",
        'description="a pilot: quoted"',
    )
    assert scenario.years == 5
    assert type(scenario.years) is int
    assert scenario.population.disadvantaged_share == 0.3
    assert type(scenario.population.disadvantaged_share) is float
    assert scenario.regime.partnerships.enabled is True
    assert scenario.regime.selection.mode == "context_aware"
    assert scenario.description == "a pilot: quoted"


def test_whole_number_is_accepted_for_a_float() -> None:
    scenario = resolved("regime.prescription=1")
    assert scenario.regime.prescription == 1.0
    assert type(scenario.regime.prescription) is float


def test_list_item_by_number() -> None:
    scenario = resolved("interventions.3.months=3", "policy.pupil_premium.0.primary=100")
    default = Scenario()
    assert scenario.interventions[3].months == 3.0
    assert scenario.interventions[3].name == default.interventions[3].name
    assert scenario.interventions[:3] == default.interventions[:3]
    assert scenario.interventions[4:] == default.interventions[4:]
    assert scenario.policy.pupil_premium[0].primary == 100


def test_list_item_of_a_file_list_keeps_the_file_items(tmp_path: Path) -> None:
    path = tmp_path / "two.yaml"
    path.write_text("interventions:\n  - name: a\n  - name: b\n    months: 2\n", encoding="utf-8")
    result = resolve_scenario(path, ["interventions.0.months=1"])
    assert [(i.name, i.months) for i in result.scenario.interventions] == [("a", 1.0), ("b", 2.0)]
    assert result.origin["interventions.0.months"] == "--set"
    assert result.origin["interventions.1.months"] == f"{path}:4"


def test_regime_preset_keeps_the_file_capacity() -> None:
    small = resolved(path=SMALL)
    switched = resolved("regime=linkage_exchange", path=SMALL)
    linkage = Scenario.model_validate({"regime": "linkage_exchange"}).regime
    assert switched.regime.selection == linkage.selection
    assert switched.regime.partnerships.enabled
    assert switched.regime.partnerships.n_brokers == small.regime.partnerships.n_brokers


def test_preset_never_undoes_a_deeper_setting_whatever_the_order() -> None:
    first = resolved("regime.feedback.mode=none", "regime=linkage_exchange")
    second = resolved("regime=linkage_exchange", "regime.feedback.mode=none")
    assert first == second
    assert first.regime.feedback.mode == "none"
    assert first.regime.selection.mode == "context_aware"


def test_later_assignment_of_the_same_key_wins() -> None:
    assert resolved("years=3", "years=4").years == 4


def test_origin_is_set() -> None:
    origin = resolve_scenario(None, ["years=3", "regime=none"]).origin
    assert origin["years"] == "--set"
    assert origin["regime.research.trials_per_year"] == "--set"  # through the preset
    assert origin["start_year"] == "default"


def test_no_file_and_no_sets_is_the_default_scenario() -> None:
    result = resolve_scenario(None)
    assert result.scenario == Scenario()
    assert set(result.origin.values()) == {"default"}
    assert result.chain == ()


# --- mistakes ------------------------------------------------------------------------------------


def test_unknown_key_suggests_the_closest() -> None:
    problem = only_problem("population.disadvantaged_shar=0.3")
    assert (problem.file, problem.line) == (COMMAND_LINE, None)
    assert problem.key == "population.disadvantaged_shar"
    assert problem.message.endswith("did you mean 'disadvantaged_share'?")
    assert str(problem).startswith("<command line>: population.disadvantaged_shar: unknown key")


def test_unknown_top_level_key() -> None:
    assert "did you mean 'years'?" in only_problem("yeras=3").message


def test_out_of_range_reads_like_a_file_error() -> None:
    problem = only_problem("population.disadvantaged_share=1.7")
    assert (problem.file, problem.key) == (COMMAND_LINE, "population.disadvantaged_share")
    assert problem.message == "value 1.7 is out of range: allowed 0 < x < 1 (share 0-1)"


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("years=3.5", "expected a whole number, found the number 3.5"),
        ("years='3'", "expected a whole number, found the text '3'"),
        ("years=yes", "expected a whole number, found the text 'yes'"),
        ("population.n_primary_schools=true", "found the true/false value true"),
    ],
)
def test_no_coercion(assignment: str, message: str) -> None:
    assert message in only_problem(assignment).message


def test_unknown_preset_suggests() -> None:
    problem = only_problem("regime=linkage_exchang")
    assert problem.key == "regime"
    assert "did you mean 'linkage_exchange'?" in problem.message


@pytest.mark.parametrize(
    ("assignment", "key", "message"),
    [
        ("years", None, "expected KEY=VALUE (for example population.disadvantaged_share=0.3)"),
        ("=3", None, "expected KEY=VALUE"),
        ("population..share=3", "population..share", "has an empty level"),
        ("years.total=3", "years.total", "years is a single value, with no key 'total'"),
        ("interventions.months=3", "interventions.months", "name an item by its number"),
        ("population.0=3", "population.0", "population has named keys, not numbered items"),
        ("interventions.99.months=3", "interventions.99.months", "has 16 items (numbered 0 to 15)"),
        ("description=[a, b]", "description", "--set takes a single value"),
        ("description=a: b", "description", "quote text that contains ': '"),
        ("years=!!python/int 3", "years", "YAML tags are not allowed"),
        ("years=*x", "years", "anchors and aliases are not supported"),
    ],
)
def test_malformed_assignment(assignment: str, key: str | None, message: str) -> None:
    problem = only_problem(assignment)
    assert (problem.file, problem.key) == (COMMAND_LINE, key)
    assert message in problem.message


def test_every_problem_is_reported_together(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("years: 0\n", encoding="utf-8")
    found = problems("yeras=3", "start_year=1800", "nonsense", path=path)
    assert [(p.file, p.key) for p in found] == [
        (str(path), "years"),  # the file first, then the command line
        (COMMAND_LINE, "yeras"),
        (COMMAND_LINE, None),
        (COMMAND_LINE, "start_year"),
    ]


def test_set_can_fix_a_bad_file_value(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("years: 0\n", encoding="utf-8")
    assert resolved("years=2", path=path).years == 2
