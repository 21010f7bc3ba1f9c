"""Summaries and paired differences checked against hand computations and scipy."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from edsim.analysis import comparison_table, paired_differences, summarise, to_markdown
from edsim.errors import EdsimError, ExperimentError

# Year-1 KS4 gap index of four replicates (point 0) under the baseline and one regime.
BASE = [4.0, 4.2, 3.9, 4.1]
LINK = [3.7, 4.0, 3.8, 3.6]


def frame(base: list[float] = BASE, link: list[float] = LINK) -> pd.DataFrame:
    """Long trajectories: year 0 identical (common random numbers), year 1 as given."""
    rows = []
    for scenario, values in (("none", base), ("linkage_exchange", link)):
        for replicate, value in enumerate(values):
            for year in (0, 1):
                rows.append(
                    {
                        "run_id": f"{scenario}-{replicate}",
                        "scenario": scenario,
                        "point": 0,
                        "replicate": replicate,
                        "year": year,
                        "calendar_year": 2011 + year,
                        "ks4_gap_index": 4.07 if year == 0 else value,
                        "policy_response": "none",
                    }
                )
    return pd.DataFrame(rows)


def test_paired_interval_matches_hand_computation_and_ttest_rel() -> None:
    # differences -0.3, -0.2, -0.1, -0.5; mean -0.275; squared deviations sum to 0.0875
    mean = -0.275
    sd = math.sqrt(0.0875 / 3)  # 0.170783
    t975 = stats.t.ppf(0.975, 3)  # 3.182446
    half = t975 * sd / 2
    assert t975 == pytest.approx(3.182446, abs=1e-6)
    assert half == pytest.approx(0.271753, abs=1e-6)

    out = paired_differences(frame(), "ks4_gap_index", baseline="none")
    row = out[out["year"] == 1].iloc[0]
    assert row["scenario"] == "linkage_exchange"
    assert row["n_pairs"] == 4
    assert row["mean_diff"] == pytest.approx(mean)
    assert row["sd_diff"] == pytest.approx(sd)
    assert row["ci_low"] == pytest.approx(-0.546753, abs=1e-6)
    assert row["ci_high"] == pytest.approx(-0.003247, abs=1e-6)
    assert row["effect_size"] == pytest.approx(mean / sd)  # Cohen's d_z = -1.610
    reference = stats.ttest_rel(LINK, BASE)
    assert row["p_value"] == pytest.approx(reference.pvalue)
    ci = reference.confidence_interval(0.95)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci.low, ci.high))


def test_identical_runs_give_zero_difference_and_undefined_effect() -> None:
    out = paired_differences(frame(), "ks4_gap_index", baseline="none")
    row = out[out["year"] == 0].iloc[0]
    assert (row["mean_diff"], row["ci_low"], row["ci_high"]) == (0.0, 0.0, 0.0)
    assert math.isnan(row["effect_size"])
    assert math.isnan(row["p_value"])


def test_pairing_is_by_point_and_replicate_not_row_order() -> None:
    ordered = paired_differences(frame(), "ks4_gap_index", baseline="none")
    shuffled = frame().sample(frac=1.0, random_state=3).reset_index(drop=True)
    # pairing by row order would pair differently once the rows are shuffled
    assert not shuffled["replicate"].equals(frame()["replicate"])
    pd.testing.assert_frame_equal(
        paired_differences(shuffled, "ks4_gap_index", baseline="none"), ordered
    )


def test_run_without_partner_is_dropped_and_counted() -> None:
    df = frame()
    failed = (df["scenario"] == "none") & (df["replicate"] == 3)  # baseline replicate 3 failed
    out = paired_differences(df[~failed], "ks4_gap_index", baseline="none")
    row = out[out["year"] == 1].iloc[0]
    assert row["n_pairs"] == 3
    expected = np.subtract(LINK[:3], BASE[:3])
    assert row["mean_diff"] == pytest.approx(expected.mean())
    assert row["sd_diff"] == pytest.approx(expected.std(ddof=1))


def test_scenario_with_no_partners_is_kept_with_zero_pairs() -> None:
    df = frame()
    df = df[~((df["scenario"] == "none") & (df["year"] == 1))]
    out = paired_differences(df, "ks4_gap_index", baseline="none")
    row = out[out["year"] == 1].iloc[0]
    assert row["n_pairs"] == 0
    assert math.isnan(row["mean_diff"])
    assert math.isnan(row["ci_low"])


def test_points_are_kept_apart_or_pooled() -> None:
    one, two = frame(), frame(link=[x + 1.0 for x in LINK])
    two["point"] = 1
    df = pd.concat([one, two], ignore_index=True)
    per_point = paired_differences(df, "ks4_gap_index", baseline="none")
    year1 = per_point[per_point["year"] == 1].set_index("point")["mean_diff"]
    assert year1.to_dict() == pytest.approx({0: -0.275, 1: 0.725})
    pooled = paired_differences(df, "ks4_gap_index", baseline="none", pool_points=True)
    assert "point" not in pooled.columns
    row = pooled[pooled["year"] == 1].iloc[0]
    assert row["n_pairs"] == 8
    assert row["mean_diff"] == pytest.approx(0.225)


def test_unknown_metric_or_baseline_names_what_is_allowed() -> None:
    with pytest.raises(ExperimentError, match=r"'ks5_gap'.*ks4_gap_index"):
        paired_differences(frame(), "ks5_gap", baseline="none")
    with pytest.raises(ExperimentError, match=r"not numeric"):
        summarise(frame(), "policy_response")
    with pytest.raises(ExperimentError, match=r"'disseminate_to'.*linkage_exchange, none"):
        paired_differences(frame(), "ks4_gap_index", baseline="disseminate_to")
    with pytest.raises(EdsimError, match="between 0 and 1"):
        summarise(frame(), "ks4_gap_index", level=95)


def test_duplicate_runs_make_pairing_ambiguous() -> None:
    df = pd.concat([frame(), frame().iloc[:1]], ignore_index=True)
    with pytest.raises(ExperimentError, match="more than one run"):
        paired_differences(df, "ks4_gap_index", baseline="none")


def test_summarise_interval_matches_hand_computation() -> None:
    out = summarise(frame(), "ks4_gap_index", level=0.9)
    row = out[(out["scenario"] == "none") & (out["year"] == 1)].iloc[0]
    # BASE: mean 4.05; squared deviations 0.0025 + 0.0225 + 0.0225 + 0.0025 = 0.05
    sd = math.sqrt(0.05 / 3)
    half = stats.t.ppf(0.95, 3) * sd / 2  # 2.353363 * 0.129099 / 2
    assert half == pytest.approx(0.151909, abs=1e-6)
    assert (row["n"], row["mean"], row["sd"]) == (4, pytest.approx(4.05), pytest.approx(sd))
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((4.05 - half, 4.05 + half))
    assert list(out.columns) == ["scenario", "year", "n", "mean", "sd", "ci_low", "ci_high"]
    assert out.attrs == {"metric": "ks4_gap_index", "level": 0.9}


def test_summarise_single_run_gives_nan_interval_without_warnings() -> None:
    df = frame()
    out = summarise(df[df["replicate"] == 0], "ks4_gap_index")  # warnings are errors here
    assert (out["n"] == 1).all()
    assert out[["sd", "ci_low", "ci_high"]].isna().all().all()
    assert out["mean"].notna().all()


def test_summarise_skips_undefined_values() -> None:
    df = frame()
    df.loc[(df["scenario"] == "none") & (df["replicate"] == 0), "ks4_gap_index"] = np.nan
    out = summarise(df, "ks4_gap_index", by=("scenario",))
    row = out.set_index("scenario").loc["none"]
    assert row["n"] == 6
    assert row["mean"] == pytest.approx((3 * 4.07 + 4.2 + 3.9 + 4.1) / 6)


def test_comparison_table_joins_levels_and_paired_differences() -> None:
    table = comparison_table(frame(), "ks4_gap_index", baseline="none", years=[1])
    assert list(table["scenario"]) == ["none", "linkage_exchange"]
    assert list(table["calendar_year"]) == [2012, 2012]
    base, link = table.iloc[0], table.iloc[1]
    assert base["mean"] == pytest.approx(4.05)
    assert pd.isna(base["n_pairs"])
    assert math.isnan(base["mean_diff"])
    assert link["mean_diff"] == pytest.approx(-0.275)
    assert link["diff_ci_high"] == pytest.approx(-0.003247, abs=1e-6)
    with pytest.raises(ExperimentError, match=r"year\(s\) 7 .*0\.\.1"):
        comparison_table(frame(), "ks4_gap_index", baseline="none", years=[7])


def test_markdown_table_is_a_rounded_pipe_table() -> None:
    table = comparison_table(frame(), "ks4_gap_index", baseline="none", years=[1])
    text = to_markdown(table)
    lines = text.splitlines()
    assert len(lines) == 4
    assert lines[0].startswith("| scenario | year | calendar_year | n | mean |")
    assert lines[1].startswith("| --- | ---: | ---: | ---: | ---: |")
    assert all(line.count("|") == lines[0].count("|") for line in lines)
    assert "| none | 1 | 2012 | 4 | 4.050 |" in lines[2]
    assert "-0.275" in lines[3]
    assert "| 0.049 |" in lines[3]  # p-value
    assert "nan" not in text.lower()


def test_markdown_formats_small_p_large_values_and_pipes() -> None:
    df = pd.DataFrame({"name": ["a|b", "c"], "spend": [1234567.8, 12.5], "p_value": [1e-6, np.nan]})
    lines = to_markdown(df).splitlines()
    assert lines[2] == r"| a\|b | 1,234,568 | <0.001 |"
    assert lines[3] == "| c | 12 |  |"
