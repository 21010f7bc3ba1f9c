"""The headline after a batch: LE minus DT first, paired on replicate, in a reader's units."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from edsim.experiment import Results
from edsim.experiment.outcome import Outcome
from edsim.report import HEADLINE_METRICS, headline, outcome_of, sensitivity_outcome

SCENARIOS = ("disseminate_to", "linkage_exchange", "none")
#: Effects from year 1 on, against "none": the gap in SD and the share at the standard.
GAP_EFFECT = {"disseminate_to": -0.05, "linkage_exchange": -0.15, "none": 0.0}
REPLICATES = 8


def fake_results(outcome: dict[str, Any] | None = None) -> Results:
    rng = np.random.default_rng(7)
    rows = []
    for replicate in range(REPLICATES):
        world = rng.normal(0, 0.02, 4)
        for scenario in SCENARIOS:
            for year in range(4):
                effect = GAP_EFFECT[scenario] * (year > 0) + rng.normal(0, 0.005) * (year > 0)
                gap = 0.6 + world[year] + effect
                rows.append(
                    {
                        "run_id": f"{scenario}-{replicate}",
                        "scenario": scenario,
                        "point": 0,
                        "replicate": replicate,
                        "year": year,
                        "calendar_year": 2011 + year,
                        "ks4_gap_sd": gap,
                        "ks4_gap_index": 6.8 * gap,
                        "ks4_standard_dis": 0.5 - gap / 4,
                        "ks2_gap_sd": gap * 0.8,
                        "ks2_gap_index": 5.5 * gap,
                        "ks2_standard_dis": 0.55 - gap / 5,
                    }
                )
    experiment = {
        "name": "demo",
        "baseline": "disseminate_to",
        "metrics": list(HEADLINE_METRICS),
        "outcome": outcome,
    }
    manifest = {"experiment": experiment, "scenarios": {s: {} for s in SCENARIOS}}
    return Results(pd.DataFrame(), pd.DataFrame(rows), manifest)


def test_the_direct_comparison_comes_first_then_each_against_the_baseline_and_none() -> None:
    table = headline(fake_results())
    assert table is not None
    pairs = list(dict.fromkeys(zip(table["scenario"], table["reference"], strict=True)))
    assert pairs == [
        ("linkage_exchange", "disseminate_to"),
        ("none", "disseminate_to"),
        ("disseminate_to", "none"),
        ("linkage_exchange", "none"),
    ]
    first = table[
        (table["scenario"] == "linkage_exchange") & (table["reference"] == "disseminate_to")
    ]
    assert list(first["metric"]) == list(HEADLINE_METRICS)
    gap = first.set_index("metric").loc["ks4_gap_sd"]
    assert gap["diff_ci_low"] < -0.10 < gap["diff_ci_high"]  # -0.15 minus -0.05
    assert gap["months"] == -2.0  # 0.10 SD: the Toolkit's 2-month band
    assert gap["gap_share"] == pytest.approx(100 * gap["mean_diff"] / 0.6, rel=0.1)
    share = first.set_index("metric").loc["ks4_standard_dis"]
    assert share["pp"] == pytest.approx(2.5, abs=0.3)  # a 0.10 narrower gap / 4
    assert table.attrs["outcome"] == Outcome(
        "linkage_exchange", "disseminate_to", "ks4_gap_index", None
    )


def test_a_recorded_outcome_is_the_one_reported() -> None:
    declared = {"scenario": "none", "baseline": "linkage_exchange", "metric": "ks2_gap_sd"}
    results = fake_results(declared | {"year": 2})
    assert outcome_of(results) == Outcome("none", "linkage_exchange", "ks2_gap_sd", 2)
    table = headline(results)
    assert table is not None
    assert tuple(table.iloc[0][["scenario", "reference", "metric"]]) == (
        "none",
        "linkage_exchange",
        "ks2_gap_sd",
    )
    assert set(table["year"]) == {2}


def test_sensitivity_takes_the_outcome_and_overrides_one_part() -> None:
    results = fake_results()
    assert sensitivity_outcome(results) == outcome_of(results)
    assert sensitivity_outcome(results, scenario="none").baseline == "disseminate_to"
    assert sensitivity_outcome(results, scenario="disseminate_to").baseline is None
    assert sensitivity_outcome(results, level=True).baseline is None
    assert sensitivity_outcome(results, metric="ks2_gap_sd", year=1) == Outcome(
        "linkage_exchange", "disseminate_to", "ks2_gap_sd", 1
    )
