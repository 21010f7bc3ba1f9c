"""An experiment's ``outcome:``: its defaults, its checks (located in the file) and its record."""

from __future__ import annotations

import pytest

from edsim.errors import ExperimentError
from edsim.experiment import load_experiment
from edsim.experiment.outcome import Outcome, resolve_outcome
from edsim.experiment.spec import experiment_from_text

HEAD = """base: small
scenarios:
  disseminate_to: {regime: disseminate_to}
  linkage_exchange: {regime: linkage_exchange}
  none: {regime: none}
baseline: disseminate_to
years: 5
"""


def problems(text: str) -> list[str]:
    with pytest.raises(ExperimentError) as info:
        experiment_from_text(text, "exp.yaml")
    return [str(p) for p in info.value.problems]


def test_default_outcome_is_the_first_other_variant_minus_the_baseline() -> None:
    outcome = experiment_from_text(HEAD, "exp.yaml").outcome
    assert outcome == Outcome("linkage_exchange", "disseminate_to", "ks4_gap_index", None)
    assert "linkage_exchange minus disseminate_to" in outcome.describe()


def test_the_shipped_quickstart_is_about_le_minus_dt_directly() -> None:
    outcome = load_experiment("quickstart").outcome
    assert outcome is not None
    assert (outcome.scenario, outcome.baseline) == ("linkage_exchange", "disseminate_to")


def test_the_shipped_sensitivity_experiment_analyses_le_minus_dt_not_a_level() -> None:
    outcome = load_experiment("sensitivity").outcome
    assert outcome is not None
    assert (outcome.scenario, outcome.baseline) == ("linkage_exchange", "disseminate_to")


def test_a_declared_outcome_is_used_and_baseline_null_means_the_level() -> None:
    text = HEAD + "outcome: {scenario: none, metric: ks2_gap_index, year: 3}\n"
    outcome = experiment_from_text(text, "exp.yaml").outcome
    assert outcome == Outcome("none", "disseminate_to", "ks2_gap_index", 3)
    level = experiment_from_text(HEAD + "outcome: {baseline: null}\n", "exp.yaml").outcome
    assert level == Outcome("linkage_exchange", None, "ks4_gap_index", None)
    assert "its level" in level.describe()


def test_one_variant_is_about_its_level_and_a_missing_metric_falls_back() -> None:
    outcome = resolve_outcome(None, ["only"], "only", ["ks2_gap_index"])
    assert outcome == Outcome("only", None, "ks2_gap_index", None)


def test_every_outcome_mistake_is_located_in_the_file() -> None:
    text = (
        HEAD
        + "metrics: [ks4_gap_index, ks4_gap_sd]\n"
        + "outcome:\n  scenario: linkage_exchnge\n  baseline: ghost\n"
        + "  metric: ks2_gap_index\n  year: 9\n"
    )
    found = problems(text)
    assert any(
        p.startswith("exp.yaml:10:13: outcome.scenario:") and "did you mean 'linkage_exchange'" in p
        for p in found
    ), found
    assert any(p.startswith("exp.yaml:11:13: outcome.baseline:") for p in found), found
    assert any(
        p.startswith("exp.yaml:12:11: outcome.metric:") and "the metrics the experiment keeps" in p
        for p in found
    ), found
    assert any(
        p.startswith("exp.yaml:13:9: outcome.year:") and "after the last year run (5)" in p
        for p in found
    ), found


def test_unknown_keys_and_a_self_comparison_are_refused() -> None:
    found = problems(HEAD + "outcome:\n  metrc: ks4_gap_sd\n")
    assert any("outcome.metrc: unknown key 'metrc'; did you mean 'metric'?" in p for p in found)
    same = problems(HEAD + "outcome: {scenario: none, baseline: none}\n")
    assert any("both 'none'" in p for p in same)
    wrong_type = problems(HEAD + "outcome: {year: two}\n")
    assert any(p.startswith("exp.yaml:8:") and "outcome.year" in p for p in wrong_type)


def test_the_outcome_does_not_change_the_definition_so_results_resume() -> None:
    plain = experiment_from_text(HEAD, "exp.yaml")
    declared = experiment_from_text(HEAD + "outcome: {scenario: none}\n", "exp.yaml")
    assert plain.definition_hash == declared.definition_hash
