"""Holm adjustment, the effects table and its Markdown, on synthetic results with known effects."""

from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest

from edsim.analysis import (
    comparison_table,
    effects_markdown,
    effects_table,
    holm_adjust,
    months_from_sd,
    months_of_progress,
    paired_differences,
)
from edsim.errors import ExperimentError
from edsim.report import effects, write_effects

REPLICATES = 30
YEARS = (0, 1, 2)
#: Injected effects of linkage_exchange over none from year 1 on (disseminate_to: none at all).
GAP_SD_EFFECT = -0.17  # two months of progress narrower
MEAN_EFFECT = 0.17
SHARE_EFFECT = 0.03  # three percentage points
PAIRS = [("linkage_exchange", "none"), ("disseminate_to", "none")]
METRICS = ["ks4_gap_sd", "ks4_mean", "ks4_standard_dis", "ks4_gap_index"]


def synthetic(seed: int = 1, index_wobble: float = 0.5) -> pd.DataFrame:
    """30 replicates x 3 years x 3 scenarios with common random numbers per replicate and year.

    Each replicate-year has a shared world (the same under every scenario, as with common seeds)
    plus a little scenario-specific noise; linkage_exchange adds the injected effects from
    year 1. ks4_gap_index wobbles by ``index_wobble`` from year to year and no scenario moves it.
    """
    rng = np.random.default_rng(seed)
    world = {
        "ks4_gap_sd": 0.6 + rng.normal(0, 0.02, (REPLICATES, len(YEARS))),
        "ks4_mean": rng.normal(0, 0.02, (REPLICATES, len(YEARS))),
        "ks4_standard_dis": 0.45 + rng.normal(0, 0.01, (REPLICATES, len(YEARS))),
        "ks4_gap_index": 4.0 + rng.normal(0, index_wobble, (REPLICATES, len(YEARS))),
    }
    effect = {
        "ks4_gap_sd": GAP_SD_EFFECT,
        "ks4_mean": MEAN_EFFECT,
        "ks4_standard_dis": SHARE_EFFECT,
    }
    rows: list[dict[str, Any]] = []
    for scenario in ("none", "disseminate_to", "linkage_exchange"):
        for replicate in range(REPLICATES):
            for t, year in enumerate(YEARS):
                row: dict[str, Any] = {
                    "run_id": f"{scenario}-{replicate}",
                    "scenario": scenario,
                    "point": 0,
                    "replicate": replicate,
                    "year": year,
                    "calendar_year": 2014 + year,
                }
                for metric, values in world.items():
                    noise = 0.0 if year == 0 else rng.normal(0, 0.01)
                    lift = effect.get(metric, 0.0) if scenario == "linkage_exchange" else 0.0
                    row[metric] = values[replicate, t] + (lift + noise if year else 0.0)
                rows.append(row)
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return effects_table(synthetic(), PAIRS, METRICS)


def row(table: pd.DataFrame, scenario: str, metric: str) -> pd.Series:
    found = table[(table["scenario"] == scenario) & (table["metric"] == metric)]
    assert len(found) == 1
    return found.iloc[0]


def test_holm_matches_a_hand_computation() -> None:
    # sorted: 0.005, 0.01, 0.03, 0.04 (m = 4) -> x4, x3, x2, x1 = 0.02, 0.03, 0.06, 0.04;
    # the running maximum lifts the last to 0.06 so the order of the raw p-values is kept
    out = holm_adjust([0.01, 0.04, 0.03, 0.005, np.nan])
    np.testing.assert_allclose(out[:4], [0.03, 0.06, 0.06, 0.02])
    assert math.isnan(out[4])  # an undefined test is not counted among the m
    np.testing.assert_allclose(holm_adjust([0.6, 0.7]), [1.0, 1.0])  # capped at 1
    assert holm_adjust([]).shape == (0,)


def test_holm_is_monotone_and_never_below_the_raw_p() -> None:
    raw = np.random.default_rng(5).uniform(0, 0.2, 40) ** 2
    adjusted = holm_adjust(raw)
    assert (adjusted >= raw).all()
    assert (adjusted <= 1.0).all()
    in_raw_order = adjusted[np.argsort(raw)]
    assert (np.diff(in_raw_order) >= 0).all()
    assert adjusted.min() == pytest.approx(raw.size * raw.min())  # smallest: plain Bonferroni


def test_comparison_table_adjusts_across_all_its_years_and_scenarios() -> None:
    df = synthetic()
    table = comparison_table(df, "ks4_standard_dis", baseline="none", years=[1, 2])
    tested = table["p_value"].notna()
    assert tested.sum() == 4  # two scenarios x two years; baseline rows have no test
    np.testing.assert_allclose(
        table.loc[tested, "p_holm"], holm_adjust(table.loc[tested, "p_value"].to_numpy())
    )
    assert table.loc[table["scenario"] == "none", "p_holm"].isna().all()
    assert (table.loc[tested, "p_holm"] >= table.loc[tested, "p_value"]).all()
    assert list(table.columns[-2:]) == ["p_value", "p_holm"]
    assert list(table.columns[-5:-2]) == ["pp", "pp_ci_low", "pp_ci_high"]  # reader's units


def test_effects_recover_the_injected_differences(table: pd.DataFrame) -> None:
    df = synthetic()
    final = df[df["year"] == 2].pivot(index="replicate", columns="scenario", values="ks4_gap_sd")
    gap = row(table, "linkage_exchange", "ks4_gap_sd")
    assert gap["n_pairs"] == REPLICATES
    assert gap["year"] == 2  # the last year by default
    assert gap["mean_diff"] == pytest.approx((final["linkage_exchange"] - final["none"]).mean())
    assert gap["diff_ci_low"] < GAP_SD_EFFECT < gap["diff_ci_high"]
    assert gap["diff_ci_high"] - gap["diff_ci_low"] < 0.02  # pairing cancels the shared world
    assert gap["months"] == pytest.approx(-2.0, abs=0.1)
    assert math.isnan(gap["pp"])
    assert gap["p_value"] < 1e-10

    mean = row(table, "linkage_exchange", "ks4_mean")
    assert mean["diff_ci_low"] < MEAN_EFFECT < mean["diff_ci_high"]
    assert mean["months"] == months_from_sd(mean["mean_diff"])  # the EEF Toolkit's table
    assert mean["months"] == pytest.approx(2.0, abs=0.1)

    share = row(table, "linkage_exchange", "ks4_standard_dis")
    assert share["pp"] == pytest.approx(100 * share["mean_diff"])
    assert share["pp"] == pytest.approx(3.0, abs=0.2)
    assert math.isnan(share["months"])

    index = row(table, "linkage_exchange", "ks4_gap_index")
    assert math.isnan(index["months"])
    assert math.isnan(index["pp"])


def test_effects_agree_with_paired_differences_and_holm_over_the_whole_table(
    table: pd.DataFrame,
) -> None:
    df = synthetic()
    reference = paired_differences(
        df[df["scenario"].isin(["disseminate_to", "none"]) & (df["year"] == 2)],
        "ks4_standard_dis",
        baseline="none",
        pool_points=True,
    ).iloc[0]
    mine = row(table, "disseminate_to", "ks4_standard_dis")
    for theirs, ours in (("mean_diff", "mean_diff"), ("ci_low", "diff_ci_low"), ("p_value",) * 2):
        assert mine[ours] == pytest.approx(reference[theirs])
    assert len(table) == len(PAIRS) * len(METRICS)
    np.testing.assert_allclose(table["p_holm"], holm_adjust(table["p_value"].to_numpy()))
    assert list(table["scenario"]) == [s for s, _ in PAIRS for _ in METRICS]  # request order


def test_year_noise_is_the_median_sd_of_each_reference_runs_yearly_changes() -> None:
    rows = []
    for replicate, series in enumerate(([1.0, 2.0, 4.0], [0.0, 0.0, 3.0], [5.0, 5.0, 5.0])):
        for year, value in enumerate(series):
            for scenario, shift in (("none", 0.0), ("linkage_exchange", 0.25)):
                rows.append(
                    {
                        "scenario": scenario,
                        "point": 0,
                        "replicate": replicate,
                        "year": year,
                        "ks4_gap_sd": value + shift * (year > 0),
                    }
                )
    out = effects_table(pd.DataFrame(rows), [("linkage_exchange", "none")], ["ks4_gap_sd"])
    # changes per run: (1, 2), (0, 3), (0, 0) -> SDs 0.7071, 2.1213, 0 -> median 0.7071
    assert out["year_noise"].iloc[0] == pytest.approx(math.sqrt(0.5))
    assert out["mean_diff"].iloc[0] == pytest.approx(0.25)
    assert bool(out["within_year_noise"].iloc[0]) is True


def test_zero_effect_inside_large_yearly_wobble_is_flagged(table: pd.DataFrame) -> None:
    none_effect = row(table, "disseminate_to", "ks4_gap_index")
    assert 0.3 < none_effect["year_noise"] < 1.2  # a yearly change has SD 0.5 * sqrt(2)
    assert bool(none_effect["within_year_noise"]) is True
    injected = row(table, "linkage_exchange", "ks4_gap_sd")
    assert injected["year_noise"] < abs(injected["mean_diff"])
    assert bool(injected["within_year_noise"]) is False


def test_year_noise_undefined_with_one_change_per_run_leaves_the_flag_missing() -> None:
    df = synthetic()
    out = effects_table(df[df["year"] <= 1], PAIRS[:1], ["ks4_gap_sd"])
    assert math.isnan(out["year_noise"].iloc[0])
    assert pd.isna(out["within_year_noise"].iloc[0])
    assert out["year"].iloc[0] == 1


def test_unknown_names_are_reported_with_what_exists() -> None:
    df = synthetic()
    with pytest.raises(ExperimentError, match=r"'nobody'.*disseminate_to, linkage_exchange"):
        effects_table(df, [("nobody", "none")], ["ks4_gap_sd"])
    with pytest.raises(ExperimentError, match=r"reference scenario 'ghost'"):
        effects_table(df, [("linkage_exchange", "ghost")], ["ks4_gap_sd"])
    with pytest.raises(ExperimentError, match=r"did you mean 'ks4_gap_sd'"):
        effects_table(df, PAIRS, ["ks4_gap_sdd"])
    with pytest.raises(ExperimentError, match=r"year\(s\) 9"):
        effects_table(df, PAIRS, ["ks4_gap_sd"], year=9)
    with pytest.raises(ExperimentError, match="itself"):
        effects_table(df, [("none", "none")], ["ks4_gap_sd"])
    with pytest.raises(ExperimentError, match="at least one metric"):
        effects_table(df, PAIRS, [])


def test_months_only_for_sd_metrics() -> None:
    for metric in ("ks4_gap_sd", "ks2_gap_sd_q3", "ks4_mean", "ks2_mean_dis", "ks4_mean_other"):
        assert months_of_progress(metric, 0.17) == pytest.approx(2.0)
    for metric in ("ks4_gap_index", "ks4_standard_dis", "mean_quality", "ks4_gap_sd_q6"):
        assert math.isnan(months_of_progress(metric, 0.17))


def test_markdown_for_docs(table: pd.DataFrame) -> None:
    text = effects_markdown(table)
    lines = text.splitlines()
    assert lines[0].startswith("| scenario | reference | metric | year | n_pairs | mean_diff |")
    assert len(lines) == 2 + len(table)
    assert all(line.count("|") == lines[0].count("|") for line in lines)
    gap = next(line for line in lines if "| linkage_exchange | none | ks4_gap_sd |" in line)
    assert "<0.001" in gap
    assert f"| {row(table, 'linkage_exchange', 'ks4_gap_sd')['months']:.0f} |" in gap
    assert gap.endswith("| no |")
    assert "nan" not in text.lower()
    only_indices = effects_markdown(table[table["metric"] == "ks4_gap_index"])
    assert "months" not in only_indices
    assert "| pp |" not in only_indices
    assert only_indices.splitlines()[-1].endswith("| yes |")


def test_report_writes_csv_and_markdown(tmp_path: Path) -> None:
    results = SimpleNamespace(trajectories=synthetic())
    out = effects(results, PAIRS, ["ks4_gap_sd"], year=1)
    assert set(out["year"]) == {1}
    written = write_effects(out, tmp_path / "tables", "effects_ks4")
    assert [p.name for p in written] == ["effects_ks4.csv", "effects_ks4.md"]
    back = pd.read_csv(written[0])
    assert list(back.columns) == list(out.columns)
    assert back["mean_diff"].to_numpy() == pytest.approx(out["mean_diff"].to_numpy())
    assert written[1].read_text() == effects_markdown(out)


def test_markdown_shows_a_value_rounding_to_zero_without_a_sign() -> None:
    frame = pd.DataFrame({"months": [-0.4, -1.0, 0.0], "pp": [-0.0004, -0.06, np.nan]})
    lines = effects_markdown(frame).splitlines()
    assert lines[2:] == ["| 0 | 0.0 |", "| -1 | -0.1 |", "| 0 |  |"]
