"""Cost per SD of gap closed: a known ratio is recovered, and 'nothing closed' gives no number."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from edsim.analysis import CostPerSdClosed, cost_per_sd_closed
from edsim.errors import ExperimentError

REPLICATES = 30


def costed(
    reduction: float, spend: float = 1e6, noise: float = 0.02, *, seed: int = 3
) -> pd.DataFrame:
    """'none' and 'linkage_exchange' over years 0-2; in the final year linkage_exchange has spent
    ``spend`` and its gap is ``reduction`` below none's, plus pair noise centred to mean zero so
    the paired mean reduction is exactly ``reduction``. Both gaps also fall by 0.3 SD over the
    years for free, which a closure-since-year-0 metric would wrongly credit to the regime.
    """
    rng = np.random.default_rng(seed)
    world = 0.6 + rng.normal(0, 0.05, REPLICATES)
    wobble = rng.normal(0, noise, REPLICATES)
    wobble -= wobble.mean()
    rows: list[dict[str, Any]] = []
    for scenario in ("none", "linkage_exchange"):
        for replicate in range(REPLICATES):
            for year in (0, 1, 2):
                gap = world[replicate] - 0.15 * year
                paid = 0.0
                if scenario == "linkage_exchange" and year > 0:
                    gap -= year / 2 * (reduction + wobble[replicate])
                    paid = year / 2 * spend
                rows.append(
                    {
                        "scenario": scenario,
                        "point": 0,
                        "replicate": replicate,
                        "year": year,
                        "ks4_gap_sd": gap,
                        "spend_evidence_cumulative": paid,
                    }
                )
    return pd.DataFrame(rows)


def test_known_ratio_is_recovered_with_an_interval_around_it() -> None:
    result = cost_per_sd_closed(costed(reduction=0.1), "linkage_exchange")
    assert isinstance(result, CostPerSdClosed)
    assert result.reason is None
    assert (result.year, result.n_pairs) == (2, REPLICATES)
    assert result.spend == pytest.approx(1e6)
    assert result.reduction == pytest.approx(0.1)
    assert result.cost_per_sd == pytest.approx(1e7)
    assert result.ci_low < 1e7 < result.ci_high
    # noise SD 0.02 over 30 pairs: the reduction is known to about +-7%, and so is the cost
    assert result.ci_low > 0.8e7
    assert result.ci_high < 1.25e7
    assert 0 < result.reduction_ci_low < 0.1 < result.reduction_ci_high


def test_bootstrap_is_reproducible_from_its_seed() -> None:
    df = costed(reduction=0.1)
    first = cost_per_sd_closed(df, "linkage_exchange", seed=7)
    assert first == cost_per_sd_closed(df, "linkage_exchange", seed=7)
    other = cost_per_sd_closed(df, "linkage_exchange", seed=8)
    assert other.cost_per_sd == first.cost_per_sd
    assert (other.ci_low, other.ci_high) != (first.ci_low, first.ci_high)


def test_spend_of_the_reference_is_subtracted() -> None:
    df = costed(reduction=0.1)
    df.loc[df["scenario"] == "none", "spend_evidence_cumulative"] = 2e5
    result = cost_per_sd_closed(df, "linkage_exchange")
    assert result.spend == pytest.approx(8e5)
    assert result.cost_per_sd == pytest.approx(8e6)


def test_no_reduction_gives_nan_and_says_why() -> None:
    result = cost_per_sd_closed(costed(reduction=0.0), "linkage_exchange")
    assert math.isnan(result.cost_per_sd)
    assert math.isnan(result.ci_low)
    assert math.isnan(result.ci_high)
    assert result.reason is not None
    assert "includes 0" in result.reason
    assert result.reduction_ci_low < 0 < result.reduction_ci_high
    assert result.spend == pytest.approx(1e6)  # what was spent is still reported


def test_a_widened_gap_gives_nan_and_says_so() -> None:
    result = cost_per_sd_closed(costed(reduction=-0.1), "linkage_exchange")
    assert math.isnan(result.cost_per_sd)
    assert result.reason is not None
    assert "widened" in result.reason


def test_fragile_closure_gives_a_long_upper_tail() -> None:
    # reduction 0.01 with SE ~0.0046: just clear of zero at 95%, and the cost could be far higher
    result = cost_per_sd_closed(costed(reduction=0.01, noise=0.025), "linkage_exchange")
    assert result.reason is None
    assert result.cost_per_sd == pytest.approx(1e8)
    assert result.ci_low < 1e8
    assert result.ci_high > 5 * 1e8
    strict = cost_per_sd_closed(
        costed(reduction=0.01, noise=0.025), "linkage_exchange", level=0.999
    )
    assert strict.reason is not None
    assert "includes 0" in strict.reason


def test_resamples_that_close_nothing_count_as_unbounded_cost() -> None:
    from edsim.analysis.cost import _bootstrap

    low, high = _bootstrap(np.ones(5), np.array([1.0, -1.0, -1.0, 0.5, 0.2]), 0.9, 500, 0)
    assert high == math.inf  # most resamples have a non-positive mean reduction
    assert math.isfinite(low)
    assert low > 0


def test_too_few_pairs_and_bad_requests() -> None:
    df = costed(reduction=0.1)
    single = df[df["replicate"] == 0]
    result = cost_per_sd_closed(single, "linkage_exchange")
    assert math.isnan(result.cost_per_sd)
    assert result.reason is not None
    assert "1 complete pair" in result.reason
    with pytest.raises(ExperimentError, match=r"'nobody'.*linkage_exchange, none"):
        cost_per_sd_closed(df, "nobody")
    with pytest.raises(ExperimentError, match="spend_evidence_cumulative"):
        cost_per_sd_closed(df.drop(columns="spend_evidence_cumulative"), "linkage_exchange")
    with pytest.raises(ExperimentError, match=r"year\(s\) 5"):
        cost_per_sd_closed(df, "linkage_exchange", year=5)
    with pytest.raises(ExperimentError, match="n_boot"):
        cost_per_sd_closed(df, "linkage_exchange", n_boot=0)


def test_result_is_frozen() -> None:
    result = cost_per_sd_closed(costed(reduction=0.1), "linkage_exchange", year=1)
    assert result.spend == pytest.approx(5e5)
    assert result.reduction == pytest.approx(0.05)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.cost_per_sd = 0.0  # type: ignore[misc]
