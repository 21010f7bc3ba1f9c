"""What an evidence system costs per SD of attainment gap it closes, against a no-evidence run.

The question a funder asks is "how much extra did we spend, and how much narrower is the gap than
it would have been without it?". Both halves are *paired* differences from the reference run of
the same design point and replicate (same seed, so the same pupils and luck): the extra
cumulative evidence spend, and the reduction in the gap. Their ratio of means is the cost per SD
closed. Measuring closure against the same run's year 0 instead, as a per-run metric would, mixes
the regime's effect with whatever the gap does anyway over the years (cohort drift, the model's
own trends), so it can report a cost for closure that would have happened for free.

A ratio is only meaningful when its denominator is measurably positive: when the interval of the
reduction includes zero, the "cost per SD" could be any size or sign, so it is reported as NaN
with the reason rather than as a number someone might quote.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from edsim.analysis._checks import (
    require_columns,
    require_level,
    require_metric,
    require_scenario,
    require_years,
    t_interval,
)
from edsim.errors import ExperimentError

__all__ = ["SPEND_METRIC", "CostPerSdClosed", "cost_per_sd_closed"]

#: Cumulative spend on the evidence system (GBP), the numerator of the cost.
SPEND_METRIC = "spend_evidence_cumulative"


@dataclass(frozen=True)
class CostPerSdClosed:
    """The cost per SD of gap closed, with what it was computed from.

    Attributes:
        scenario: The regime costed.
        reference: The run it is compared with (usually ``"none"``, no evidence system).
        metric: The gap, in pupil-level SD (``ks4_gap_sd`` by default).
        year: The year compared.
        n_pairs: Complete (design point, replicate) pairs used.
        spend: Mean paired extra cumulative evidence spend, scenario minus reference (GBP).
        reduction: Mean paired reduction in the gap, reference minus scenario (SD; positive
            means the scenario left the gap narrower).
        reduction_ci_low: Lower end of the reduction's t-interval.
        reduction_ci_high: Upper end of the reduction's t-interval.
        cost_per_sd: ``spend / reduction`` (GBP per SD closed); NaN when ``reason`` is set.
        ci_low: Lower end of the percentile bootstrap interval of ``cost_per_sd`` over pairs.
        ci_high: Upper end of it; ``inf`` when enough resamples closed nothing that the
            interval has no finite upper end.
        level: Confidence level of both intervals.
        reason: Why ``cost_per_sd`` is NaN (e.g. the reduction's interval includes 0), or
            ``None`` when it is defined.
    """

    scenario: str
    reference: str
    metric: str
    year: int
    n_pairs: int
    spend: float
    reduction: float
    reduction_ci_low: float
    reduction_ci_high: float
    cost_per_sd: float
    ci_low: float
    ci_high: float
    level: float
    reason: str | None


def cost_per_sd_closed(
    trajectories: pd.DataFrame,
    scenario: str,
    *,
    reference: str = "none",
    year: int | None = None,
    level: float = 0.95,
    n_boot: int = 2000,
    seed: int = 0,
    metric: str = "ks4_gap_sd",
) -> CostPerSdClosed:
    """Paired extra evidence spend divided by the paired reduction in the gap, with an interval.

    Each run of ``scenario`` is paired with the ``reference`` run of the same design point and
    replicate; pairs missing either value in ``year`` are left out. The estimate is the ratio of
    the mean extra spend to the mean gap reduction (a ratio of means, which is stable, rather
    than a mean of per-pair ratios, which explodes for pairs that happen to close almost
    nothing). Its interval is a percentile bootstrap over pairs: pairs are resampled with
    replacement ``n_boot`` times, and a resample whose mean reduction is not positive counts as
    an unbounded cost (``inf``), so the interval honestly widens when closure is fragile.

    Args:
        trajectories: Long results with ``spend_evidence_cumulative`` and the gap metric.
        scenario: The regime costed.
        reference: The comparison run; its spend (usually 0) is subtracted.
        year: The year compared; the last year run when omitted.
        level: Confidence level of the reduction's t-interval and of the bootstrap interval.
        n_boot: Bootstrap resamples.
        seed: Seed of the bootstrap's :func:`numpy.random.default_rng`, so a docs table
            regenerates exactly.
        metric: The gap closed, in pupil-level SD.

    Returns:
        A :class:`CostPerSdClosed`. ``cost_per_sd`` and its interval are NaN, with ``reason``
        saying why, when fewer than two pairs are complete, when the reduction's t-interval
        includes 0 (nothing was measurably closed, so the ratio could be any size or sign), or
        when it lies wholly below 0 (the scenario measurably *widened* the gap).

    Raises:
        ExperimentError: Unknown scenario, reference, metric or year, a level outside (0, 1),
            ``n_boot < 1``, or runs that cannot be paired.
    """
    keys = ["point", "replicate"]
    require_columns(trajectories, ["scenario", *keys, "year"], "trajectories")
    require_scenario(trajectories, scenario, "costed")
    require_scenario(trajectories, reference, "reference")
    if scenario == reference:
        raise ExperimentError(f"scenario {scenario!r} cannot be costed against itself")
    require_metric(trajectories, SPEND_METRIC)
    require_metric(trajectories, metric)
    require_level(level)
    if n_boot < 1:
        raise ExperimentError(f"n_boot must be at least 1, not {n_boot}")
    if year is None:
        year = int(trajectories["year"].max())
    require_years(trajectories, [year])

    spend, reduction = _pairs(trajectories, scenario, reference, metric, year)
    n = spend.size
    mean_spend = float(spend.mean()) if n else math.nan
    mean_reduction = float(reduction.mean()) if n else math.nan
    sd = float(reduction.std(ddof=1)) if n >= 2 else math.nan
    ends = t_interval(np.array([mean_reduction]), np.array([sd]), np.array([n]), level)
    low, high = (float(end[0]) for end in ends)
    reason = _undefined(n, low, high, metric, level)

    cost = ci_low = ci_high = math.nan
    if reason is None:
        cost = mean_spend / mean_reduction
        ci_low, ci_high = _bootstrap(spend, reduction, level, n_boot, seed)
    return CostPerSdClosed(
        scenario=scenario,
        reference=reference,
        metric=metric,
        year=year,
        n_pairs=n,
        spend=mean_spend,
        reduction=mean_reduction,
        reduction_ci_low=low,
        reduction_ci_high=high,
        cost_per_sd=cost,
        ci_low=ci_low,
        ci_high=ci_high,
        level=level,
        reason=reason,
    )


def _pairs(
    trajectories: pd.DataFrame, scenario: str, reference: str, metric: str, year: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per complete pair: extra spend (scenario - reference), reduction (reference - scenario)."""
    keys = ["point", "replicate"]
    rows = trajectories["year"] == year
    at_year = trajectories.loc[rows, ["scenario", *keys, SPEND_METRIC]].assign(
        _gap=trajectories.loc[rows, metric].to_numpy()
    )
    sides = []
    for name in (scenario, reference):
        side = at_year[at_year["scenario"] == name].drop(columns="scenario")
        if side.duplicated(keys).any():
            first = side.loc[side.duplicated(keys)].iloc[0]
            raise ExperimentError(
                f"cannot pair runs: scenario {name!r} has more than one run for point "
                f"{first['point']}, replicate {first['replicate']}, year {year}"
            )
        sides.append(side)
    paired = sides[0].merge(sides[1], on=keys, suffixes=("_s", "_r")).dropna()
    spend = (paired[f"{SPEND_METRIC}_s"] - paired[f"{SPEND_METRIC}_r"]).to_numpy(dtype=float)
    reduction = (paired["_gap_r"] - paired["_gap_s"]).to_numpy(dtype=float)
    return spend, reduction


def _undefined(n: int, low: float, high: float, metric: str, level: float) -> str | None:
    """Why a cost per SD closed would be meaningless here, or None when it is not."""
    if n < 2:
        return f"{n} complete pair(s): at least two are needed to tell closure from noise"
    interval = f"{level:.0%} CI of the reduction in {metric}: {low:+.4f} to {high:+.4f} SD"
    if low <= 0.0 <= high:
        return f"nothing measurably closed ({interval} includes 0)"
    if high < 0.0:
        return f"the gap measurably widened ({interval})"
    return None


def _bootstrap(
    spend: np.ndarray, reduction: np.ndarray, level: float, n_boot: int, seed: int
) -> tuple[float, float]:
    """Percentile bootstrap interval of mean(spend) / mean(reduction), resampling pairs."""
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, spend.size, size=(n_boot, spend.size))
    spend_b = spend[picks].mean(axis=1)
    reduction_b = reduction[picks].mean(axis=1)
    ratio = np.full(n_boot, np.inf)
    closed = reduction_b > 0.0
    ratio[closed] = spend_b[closed] / reduction_b[closed]
    # "inverted_cdf" picks actual resampled values, so an inf is never interpolated into NaN.
    tails = [(1.0 - level) / 2.0, (1.0 + level) / 2.0]
    low, high = np.quantile(ratio, tails, method="inverted_cdf")
    return float(low), float(high)
