"""``extends:``: scenarios built on others, merged, and traced to the line that set each value."""

from __future__ import annotations

from pathlib import Path

import pytest

from edsim.errors import ScenarioError, ScenarioProblem
from edsim.scenario import Scenario, load_scenario, scenario_from_text
from edsim.scenario.loader import resolve_scenario, shipped_scenarios_dir

# The repository's scenarios/ is a symlink to the package data, src/edsim/data/scenarios.
REPO_SCENARIOS = (Path(__file__).resolve().parents[2] / "scenarios").resolve()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def only_problem(path: Path) -> ScenarioProblem:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert len(info.value.problems) == 1, info.value.problems
    return info.value.problems[0]


@pytest.fixture
def chain(tmp_path: Path) -> Path:
    """grand.yaml -> child.yaml -> base.yaml; returns the leaf."""
    write(
        tmp_path,
        "base.yaml",
        """\
name: base
description: the base
years: 10
population:
  disadvantaged_share: 0.3
  n_primary_schools: 100
regime:
  preset: linkage_exchange
  partnerships:
    n_brokers: 3
""",
    )
    write(
        tmp_path,
        "child.yaml",
        """\
extends: base.yaml
population:
  n_secondary_schools: 20
regime:
  feedback:
    mode: none
""",
    )
    return write(
        tmp_path,
        "grand.yaml",
        """\
# the leaf
extends: child.yaml
years: 4
interventions:
  - name: phonics
    months: 4
""",
    )


def test_three_levels_merge_deeply(chain: Path) -> None:
    scenario = load_scenario(chain)
    assert scenario.years == 4  # the leaf wins
    # not inherited: each level changes something, so the leaf says what it is
    assert scenario.description == "child with years=4, interventions"
    population = scenario.population
    assert (population.disadvantaged_share, population.n_primary_schools) == (0.3, 100)
    assert population.n_secondary_schools == 20  # merged with the parent's section
    assert population.primary_pupils == Scenario().population.primary_pupils  # default
    assert scenario.regime.selection.mode == "context_aware"  # the base's preset
    assert scenario.regime.feedback.mode == "none"  # the child's override of it
    assert scenario.regime.partnerships.n_brokers == 3


def test_chain_lists_every_file_leaf_first(chain: Path) -> None:
    resolved = resolve_scenario(chain)
    folder = chain.parent
    assert resolved.chain == (str(chain), str(folder / "child.yaml"), str(folder / "base.yaml"))


def test_origin_names_the_file_and_line_that_won(chain: Path) -> None:
    origin = resolve_scenario(chain).origin
    base, child = chain.parent / "base.yaml", chain.parent / "child.yaml"
    assert origin["years"] == f"{chain}:3"
    assert origin["description"] == f"{chain}:2"  # derived where the leaf extends its parent
    assert origin["population.disadvantaged_share"] == f"{base}:5"
    assert origin["population.n_secondary_schools"] == f"{child}:3"
    assert origin["population.primary_pupils"] == "default"
    assert origin["regime.feedback.mode"] == f"{child}:6"
    # set by the preset: the line of the `preset:` key that chose it
    assert origin["regime.selection.mode"] == f"{base}:8"
    assert origin["regime.partnerships.n_brokers"] == f"{base}:10"
    assert origin["interventions.0.months"] == f"{chain}:6"
    assert origin["interventions.0.cost_band"] == "default"  # not written in the item
    assert origin["name"] == f"{chain} (file name)"


def test_origin_covers_every_leaf(chain: Path) -> None:
    resolved = resolve_scenario(chain)
    assert set(resolved.origin) == set(resolved.values())


def test_lists_replace_rather_than_merge(chain: Path) -> None:
    assert [i.name for i in load_scenario(chain).interventions] == ["phonics"]


def test_name_is_the_leaf_stem_never_the_parent_name(chain: Path, tmp_path: Path) -> None:
    assert load_scenario(chain).name == "grand"
    assert load_scenario(tmp_path / "child.yaml").name == "child"
    named = write(tmp_path, "named.yaml", "extends: base.yaml\nname: mine\n")
    assert load_scenario(named).name == "mine"


def test_text_without_name_keeps_schema_default_not_the_parent_name(
    chain: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(chain.parent)  # a relative extends in text is relative to the cwd
    assert scenario_from_text("extends: base.yaml\n").name == Scenario().name


def test_relative_path_resolves_against_the_extending_file(tmp_path: Path) -> None:
    write(tmp_path, "lib/parent.yaml", "years: 7\n")
    write(tmp_path, "lib/sub/middle.yaml", "extends: ../parent.yaml\nstart_year: 2015\n")
    leaf = write(tmp_path, "leaf.yaml", "extends: lib/sub/middle.yaml\n")
    scenario = load_scenario(leaf)
    assert (scenario.years, scenario.start_year) == (7, 2015)


# --- regime presets through extends ------------------------------------------------------------


def test_child_overrides_part_of_the_parent_preset(tmp_path: Path) -> None:
    write(tmp_path, "parent.yaml", "regime: linkage_exchange\n")
    child = write(tmp_path, "child.yaml", "extends: parent.yaml\nregime:\n  prescription: 0.5\n")
    regime = load_scenario(child).regime
    expected = Scenario.model_validate({"regime": "linkage_exchange"}).regime
    assert regime == expected.model_copy(update={"prescription": 0.5})
    origin = resolve_scenario(child).origin
    assert origin["regime.prescription"] == f"{child}:3"
    assert origin["regime.partnerships.enabled"] == f"{tmp_path / 'parent.yaml'}:1"


def test_child_preset_sets_every_mechanism_but_keeps_other_settings(tmp_path: Path) -> None:
    write(
        tmp_path,
        "parent.yaml",
        """\
regime:
  preset: linkage_exchange
  feedback: {mode: none, evaluation_se: 0.5}
  partnerships: {n_brokers: 3}
""",
    )
    child = write(
        tmp_path,
        "child.yaml",
        "extends: parent.yaml\nregime:\n  preset: none\n  prescription: 0.2\n",
    )
    regime = load_scenario(child).regime
    none = Scenario.model_validate({"regime": "none"}).regime
    # every setting the preset fixes comes from the child's preset, even one the parent set
    assert regime.feedback.mode == none.feedback.mode
    assert regime.dissemination == none.dissemination
    assert regime.partnerships.enabled is False
    # settings no preset fixes are inherited; the child's own overrides apply last
    assert regime.feedback.evaluation_se == 0.5
    assert regime.partnerships.n_brokers == 3
    assert regime.prescription == 0.2
    assert regime.name == "none"
    assert resolve_scenario(child).origin["regime.feedback.mode"] == f"{child}:3"


def test_shipped_small_keeps_its_broker_capacity_when_the_regime_switches(tmp_path: Path) -> None:
    child = write(tmp_path, "le_small.yaml", f"extends: {REPO_SCENARIOS / 'small.yaml'}\n")
    child.write_text(child.read_text() + "regime: linkage_exchange\n", encoding="utf-8")
    small = load_scenario(REPO_SCENARIOS / "small.yaml")
    scenario = load_scenario(child)
    assert scenario.regime.partnerships.enabled
    assert scenario.regime.partnerships.n_brokers == small.regime.partnerships.n_brokers


# --- shipped names -------------------------------------------------------------------------------


def test_shipped_scenarios_dir_is_the_package_data_the_repository_folder_links_to() -> None:
    assert shipped_scenarios_dir() == REPO_SCENARIOS
    assert REPO_SCENARIOS.parts[-4:] == ("src", "edsim", "data", "scenarios")


@pytest.mark.parametrize("name", ["england", "england.yaml"])
def test_bare_name_resolves_to_shipped_scenario(tmp_path: Path, name: str) -> None:
    child = write(tmp_path, "mine.yaml", f"extends: {name}\nyears: 3\n")
    resolved = resolve_scenario(child)
    shipped = load_scenario(REPO_SCENARIOS / "england.yaml")
    update = {"name": "mine", "years": 3, "description": "england with years=3"}
    assert resolved.scenario == shipped.model_copy(update=update)
    assert Path(resolved.chain[1]).resolve() == REPO_SCENARIOS / "england.yaml"


def test_relative_file_beats_shipped_name(tmp_path: Path) -> None:
    write(tmp_path, "england.yaml", "years: 2\n")
    child = write(tmp_path, "mine.yaml", "extends: england.yaml\n")
    assert load_scenario(child).years == 2


def test_unknown_shipped_name_suggests_the_closest(tmp_path: Path) -> None:
    problem = only_problem(write(tmp_path, "mine.yaml", "name: x\nextends: englnd\n"))
    assert (problem.line, problem.column, problem.key) == (2, 10, "extends")
    assert "did you mean 'england'?" in problem.message


# --- broken chains ---------------------------------------------------------------------------


def test_missing_parent_is_located_at_the_extends_line(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "years: 3\nextends: b.yaml\n")
    write(tmp_path, "b.yaml", "# middle\n\n  extends:   sub/gone.yaml\n")
    problem = only_problem(tmp_path / "a.yaml")
    assert (problem.file, problem.line, problem.column) == (str(tmp_path / "b.yaml"), 3, 14)
    assert problem.key == "extends"
    assert "cannot find the scenario 'sub/gone.yaml'" in problem.message
    assert f"{tmp_path / 'sub' / 'gone.yaml'}" in problem.message  # where it looked
    chain = f"{tmp_path / 'a.yaml'} -> {tmp_path / 'b.yaml'} -> sub/gone.yaml"
    assert f"(extends chain: {chain})" in problem.message


def test_cycle_names_the_chain_at_the_offending_extends(tmp_path: Path) -> None:
    a = write(tmp_path, "a.yaml", "extends: b.yaml\n")
    b = write(tmp_path, "b.yaml", "years: 3\nextends: c.yaml\n")
    c = write(tmp_path, "c.yaml", "extends: ./a.yaml\n")
    problem = only_problem(a)
    assert (problem.file, problem.line, problem.column) == (str(c), 1, 10)
    assert problem.message == f"circular extends: {a} -> {b} -> {c} -> {a}"


def test_file_extending_itself_is_a_cycle(tmp_path: Path) -> None:
    path = write(tmp_path, "self.yaml", "extends: self.yaml\n")
    assert only_problem(path).message == f"circular extends: {path} -> {path}"


@pytest.mark.parametrize("value", ["", "[a.yaml]", "3"])
def test_extends_must_be_a_path(tmp_path: Path, value: str) -> None:
    problem = only_problem(write(tmp_path, "bad.yaml", f"extends: {value}\n"))
    assert (problem.line, problem.key) == (1, "extends")
    assert "'extends' takes the path of a scenario file" in problem.message


def test_bad_value_in_parent_is_reported_in_the_parent(tmp_path: Path) -> None:
    parent = write(tmp_path, "parent.yaml", "name: p\npopulation:\n  disadvantaged_share: 1.7\n")
    child = write(tmp_path, "child.yaml", "extends: parent.yaml\nyears: 0\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    located = [(p.file, p.line, p.key) for p in info.value.problems]
    assert located == [
        (str(child), 2, "years"),  # leaf first, then its parents
        (str(parent), 3, "population.disadvantaged_share"),
    ]


def test_child_can_fix_a_parent_value(tmp_path: Path) -> None:
    write(tmp_path, "parent.yaml", "years: 0\n")
    child = write(tmp_path, "child.yaml", "extends: parent.yaml\nyears: 5\n")
    assert load_scenario(child).years == 5


def test_syntax_error_in_parent_names_the_parent(tmp_path: Path) -> None:
    parent = write(tmp_path, "parent.yaml", "population:\n  a: b: c\n")
    problem = only_problem(write(tmp_path, "child.yaml", "extends: parent.yaml\n"))
    assert (problem.file, problem.line) == (str(parent), 2)
    assert problem.message.startswith("YAML syntax error")
