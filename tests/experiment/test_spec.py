"""Experiment files: what they accept, and errors as precise as the scenario loader's."""

import re
from pathlib import Path

import pytest

from conftest import ROOT, TINY
from edsim import EdSystemModel
from edsim.calibrate import load_calibration
from edsim.errors import ExperimentError, ScenarioError
from edsim.experiment import Experiment, experiment_from_text, load_experiment
from edsim.experiment.spec import KEPT_METRICS
from edsim.explore import load_optimisation


def problems(text: str) -> list[str]:
    with pytest.raises(ExperimentError) as info:
        experiment_from_text(text, "exp.yaml")
    return [str(p) for p in info.value.problems]


def test_tiny_experiment_resolves_each_variant_on_the_base(tiny: Experiment) -> None:
    assert list(tiny.scenarios) == ["disseminate_to", "linkage_exchange"]
    assert tiny.baseline == "disseminate_to"  # the first variant by default
    assert tiny.n_runs == 6
    dt, le = (tiny.scenarios[n].scenario for n in tiny.scenarios)
    assert dt.population.n_primary_schools == le.population.n_primary_schools == 168
    assert dt.regime.partnerships.enabled is False
    assert le.regime.partnerships.enabled is True
    # Capacity is declared for England and scaled by the model, not set by the base: the
    # preset keeps England's 30 brokers x 300 days, and a model of the ~1% sample gets 1% of
    # those 9,000 support days (15 school-years of 6 days).
    ps = le.regime.partnerships
    assert (ps.n_brokers, ps.days_per_broker) == (30, 300.0)
    assert le.population.scale == pytest.approx(0.01)
    brokers = EdSystemModel(le, rng=0).brokers
    assert sum(b.days for b in brokers) == pytest.approx(0.01 * 9000)
    assert tiny.scenarios["linkage_exchange"].scenario.name == "linkage_exchange"


def test_every_shipped_experiment_is_valid() -> None:
    # experiments/ also ships calibration files (kind: calibration, run by `edsim calibrate`):
    # each is validated as what it is, and an experiment command refuses it in words.
    files = sorted((ROOT / "experiments").glob("*.yaml"))
    assert files, "no shipped experiments"
    calibrations = [p for p in files if re.search(r"^kind: calibration$", p.read_text(), re.M)]
    optimisations = [p for p in files if re.search(r"^search:", p.read_text(), re.M)]
    for path in files:
        if path in calibrations:
            assert load_calibration(path).priors
            with pytest.raises(ExperimentError, match="this is a calibration file"):
                load_experiment(path)
        elif path in optimisations:  # a search: block, run by `edsim optimise`
            assert load_optimisation(path).search.levers
            with pytest.raises(ExperimentError, match="this is an optimisation file"):
                load_experiment(path)
        else:
            assert load_experiment(path).n_runs > 0
    assert optimisations
    assert len(calibrations) + len(optimisations) < len(files)


def test_shipped_name_and_string_variant(tmp_path: Path) -> None:
    assert load_experiment("quickstart").name == "quickstart"
    text = "scenarios:\n  small: small\n  le: {extends: small, regime: linkage_exchange}\n"
    exp = experiment_from_text(text, str(tmp_path / "e.yaml"))
    assert exp.scenarios["small"].scenario.population.n_secondary_schools == 35
    assert exp.metrics == KEPT_METRICS


def test_definition_hash_ignores_comments_and_description() -> None:
    a = experiment_from_text(TINY, "a.yaml")
    b = experiment_from_text("# a comment\ndescription: words\n" + TINY, "b.yaml")
    c = experiment_from_text(TINY.replace("replicates: 3", "replicates: 4"), "c.yaml")
    assert a.definition_hash == b.definition_hash != c.definition_hash


def test_unknown_key_is_located_with_a_suggestion() -> None:
    found = problems(TINY + "replicate: 5\n")
    assert found == [
        "exp.yaml:11:1: replicate: unknown key 'replicate'; did you mean 'replicates'?"
    ]


def test_out_of_range_and_wrong_type_are_all_reported_at_once() -> None:
    text = TINY.replace("replicates: 3", "replicates: 0").replace("seed: 7", "seed: seven")
    found = problems(text)
    assert len(found) == 2
    assert found[0].startswith("exp.yaml:7:13: replicates:")
    assert "greater than or equal to 1" in found[0]
    assert found[1].startswith("exp.yaml:8:7: seed:")
    assert "'seven'" in found[1]


def test_unknown_baseline_and_metric_suggest_the_closest() -> None:
    text = TINY + "baseline: linkage_exchang\n"
    text = text.replace("ks4_gap_index, schools", "ks4_gap_idx, schools")
    found = problems(text)
    assert any(
        p.startswith("exp.yaml:11:11: baseline:") and "did you mean 'linkage_exchange'" in p
        for p in found
    )
    assert any("metrics.1:" in p and "did you mean 'ks4_gap_index'" in p for p in found)


def test_a_metric_listed_twice_is_refused_where_it_repeats() -> None:
    text = TINY.replace("schools_reached, policy_response", "schools_reached, ks2_gap_index")
    found = problems(text)
    assert any("metrics.3:" in p and "'ks2_gap_index' is listed twice" in p for p in found), found
    assert not any("metrics.0:" in p for p in found)


def test_missing_scenarios_and_bad_variant_names() -> None:
    assert any("'scenarios' must map" in p for p in problems("replicates: 2\n"))
    found = problems("scenarios:\n  'bad name': {regime: none}\n")
    assert found[0].startswith("exp.yaml:2:3:")
    assert "must be 1-64 letters" in found[0]


def test_a_bad_scenario_variant_points_into_the_experiment_file() -> None:
    text = TINY.replace(
        "{regime: linkage_exchange}", "{regime: linkage_exchange, truth: {heterogenity: 1}}"
    )
    with pytest.raises(ScenarioError) as info:
        experiment_from_text(text, "exp.yaml")
    (problem,) = info.value.problems
    assert (problem.file, problem.line) == ("exp.yaml", 6)
    assert "did you mean 'heterogeneity'" in problem.message


def test_missing_file_and_yaml_errors_are_experiment_errors(tmp_path: Path) -> None:
    with pytest.raises(ExperimentError, match=r"nowhere\.yaml: file not found"):
        load_experiment(tmp_path / "nowhere.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("scenarios: [unclosed\n")
    with pytest.raises(ExperimentError, match=r"bad\.yaml:2"):
        load_experiment(bad)


def test_design_parameter_problems_are_located() -> None:
    design = """design:
  method: lhs
  samples: 8
  parameters:
    truth.heterogenity: {min: 0, max: 0.2}
    schools.capacity_gradient: {min: 0, max: 5}
    regime: {min: 0, max: 1}
"""
    found = problems(TINY + design)
    assert any(
        p.startswith("exp.yaml:15:5:") and "did you mean 'truth.heterogeneity'" in p for p in found
    )
    assert any(
        p.startswith("exp.yaml:16:5:") and "above the parameter's upper bound 2" in p for p in found
    )
    assert any(p.startswith("exp.yaml:17:5:") and "section" in p for p in found)


def test_sobol_needs_a_power_of_two_and_grid_values_must_be_valid() -> None:
    sobol = (
        "design: {method: sobol, samples: 10, "
        "parameters: {truth.heterogeneity: {min: 0, max: 0.2}}}\n"
    )
    assert any("power of 2" in p for p in problems(TINY + sobol))
    grid = "design: {method: grid, parameters: {truth.heterogeneity: {values: [0.1, 3.0]}}}\n"
    found = problems(TINY + grid)
    assert any("point 1 (truth.heterogeneity=3.0) is invalid" in p for p in found)
