"""Effects in a reader's units: the EEF months table, percentage points and the share of the gap."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from edsim.analysis import (
    EEF_MONTHS_SOURCE,
    comparison_table,
    effects_table,
    months_from_sd,
    paired_gap_share,
)

#: Each replicate starts from its own gap; "better" narrows it by 10% of that, plus a little noise.
GAP0 = (0.50, 0.55, 0.60, 0.65, 0.70, 0.45)


def gap_frame(noise: float = 0.002) -> pd.DataFrame:
    rng = np.random.default_rng(4)
    rows: list[dict[str, Any]] = []
    for scenario, cut in (("reference", 0.0), ("better", 0.10)):
        for replicate, start in enumerate(GAP0):
            for year in (0, 1, 2):
                gap = start * (1 - cut * year / 2) + (rng.normal(0, noise) if year else 0.0)
                rows.append(
                    {
                        "scenario": scenario,
                        "point": 0,
                        "replicate": replicate,
                        "year": year,
                        "calendar_year": 2011 + year,
                        "ks4_gap_sd": gap,
                        "ks4_gap_index": 8 * gap,
                        "ks4_standard_dis": 0.45 - gap / 10,
                    }
                )
    return pd.DataFrame(rows)


@pytest.mark.parametrize(
    ("effect", "months"),
    [
        (0.0, 0),
        (0.01, 0),
        (0.014, 0),  # 0.01 to two decimals
        (0.02, 1),
        (0.09, 1),
        (0.10, 2),
        (0.18, 2),
        (0.19, 3),
        (0.35, 4),
        (0.36, 5),
        (0.69, 8),
        (0.70, 9),
        (0.95, 11),
        (0.96, 12),
        (1.30, 12),  # beyond the table: its top band
        (-0.02, -1),  # negative effects convert to the same months, negative
        (-0.19, -3),
    ],
)
def test_months_follow_the_eef_toolkit_table_band_by_band(effect: float, months: int) -> None:
    assert months_from_sd(effect) == months


def test_months_keep_nan_and_never_print_minus_zero() -> None:
    out = months_from_sd(np.array([np.nan, -0.004]))
    assert math.isnan(out[0])
    assert str(out[1]) == "0.0"
    assert "educationendowmentfoundation.org.uk" in EEF_MONTHS_SOURCE


def test_gap_share_is_the_paired_difference_over_each_replicates_year0_gap() -> None:
    df = gap_frame()
    shares = paired_gap_share(df, "ks4_gap_sd", baseline="reference")
    final = shares[shares["year"] == 2].iloc[0]
    wide = df[df["year"].isin([0, 2])].pivot_table(
        index="replicate", columns=["scenario", "year"], values="ks4_gap_sd"
    )
    by_hand = 100 * (wide[("better", 2)] - wide[("reference", 2)]) / wide[("reference", 0)]
    assert final["gap_share"] == pytest.approx(by_hand.mean())
    assert final["gap_share_ci_low"] < -10.0 < final["gap_share_ci_high"]  # 10% cut by year 2
    assert final["gap_share_ci_high"] - final["gap_share_ci_low"] < 2.0
    start = shares[shares["year"] == 0].iloc[0]
    assert start["gap_share"] == 0.0


def test_comparison_table_adds_the_units_each_metric_takes() -> None:
    df = gap_frame()
    sd = comparison_table(df, "ks4_gap_sd", baseline="reference", years=[2])
    better = sd[sd["scenario"] == "better"].iloc[0]
    assert better["months"] == months_from_sd(better["mean_diff"])
    assert better["months_ci_low"] <= better["months"] <= better["months_ci_high"]
    assert better["gap_share"] == pytest.approx(-10.0, abs=1.0)
    assert "pp" not in sd.columns
    assert sd.loc[sd["scenario"] == "reference", ["months", "gap_share"]].isna().all().all()

    index = comparison_table(df, "ks4_gap_index", baseline="reference", years=[2])
    assert "months" not in index.columns  # an index has no months equivalent
    assert index.loc[index["scenario"] == "better", "gap_share"].iloc[0] == pytest.approx(
        better["gap_share"]  # a share of the gap does not depend on the gap's unit
    )

    share = comparison_table(df, "ks4_standard_dis", baseline="reference", years=[2])
    row = share[share["scenario"] == "better"].iloc[0]
    assert row["pp"] == pytest.approx(100 * row["mean_diff"])
    assert row["pp_ci_low"] == pytest.approx(100 * row["diff_ci_low"])
    assert "gap_share" not in share.columns
    assert "months" not in share.columns


def test_effects_table_carries_every_unit_with_its_interval() -> None:
    df = gap_frame()
    table = effects_table(
        df, [("better", "reference")], ["ks4_gap_sd", "ks4_gap_index", "ks4_standard_dis"]
    )
    by_metric = table.set_index("metric")
    assert by_metric.loc["ks4_gap_sd", "months"] == -1.0  # about -0.06 SD: the 1-month band
    assert by_metric.loc["ks4_gap_index", "gap_share"] == pytest.approx(-10.0, abs=1.0)
    assert math.isnan(by_metric.loc["ks4_standard_dis", "gap_share"])
    assert by_metric.loc["ks4_standard_dis", "pp"] == pytest.approx(
        100 * by_metric.loc["ks4_standard_dis", "mean_diff"]
    )
    assert "toolkit" in table.attrs["months_source"].lower()
