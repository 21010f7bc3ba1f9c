"""Means with confidence intervals, and paired differences between scenarios.

Every scenario of an experiment runs replicate *i* with the same seed (common random numbers,
DESIGN.md §10), so replicate *i* of "linkage_exchange" and replicate *i* of "disseminate_to" face
the same pupils, schools and luck and differ only by the regime. Differencing the two *within* the
pair cancels that shared noise, which is why :func:`paired_differences` — not a comparison of two
independent means — is the right way to say whether one regime narrows the gap more than another:
its interval is usually far narrower for the same number of runs.

Both functions use a Student-t interval for a mean, the textbook choice for a handful of
replicates (it is exact for normal outcomes and close for the near-normal run means here).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from edsim.analysis._checks import (
    require_columns,
    require_level,
    require_metric,
    require_scenario,
    t_interval,
)
from edsim.analysis.crossed import crossed_mean
from edsim.errors import ExperimentError

__all__ = ["holm_adjust", "paired_differences", "summarise"]

#: Differences whose SD is below this fraction of max(|mean|, 1) are treated as exactly constant
#: (floating-point subtraction of equal runs can leave ~1e-17 instead of 0).
_ZERO_SD = 1e-12


def summarise(
    trajectories: pd.DataFrame,
    metric: str,
    *,
    by: Sequence[str] = ("scenario", "year"),
    level: float = 0.95,
) -> pd.DataFrame:
    """Mean, SD and t-interval of a metric over runs, per group (by default scenario and year).

    Missing values (a metric undefined in some run-year, e.g. a rate with nothing to divide) are
    left out of ``n`` and the statistics rather than poisoning the whole group.

    Args:
        trajectories: Long results, one row per run and year.
        metric: A numeric metric column, e.g. ``"ks4_gap_index"``.
        by: Columns to group by, e.g. ``("scenario", "calendar_year")`` or
            ``("scenario", "point", "year")``.
        level: Confidence level of the interval.

    Returns:
        One row per group, sorted by ``by``: the ``by`` columns, ``n`` (values averaged), ``mean``,
        ``sd`` (sample SD, ``ddof=1``), ``ci_low``, ``ci_high``. With ``n < 2`` the SD and the
        interval are NaN: one run says nothing about run-to-run spread. ``attrs`` records
        ``metric`` and ``level`` for the plots' captions.

    Raises:
        ExperimentError: A ``by`` column is missing, the metric is not a numeric column, or the
            level is not in (0, 1).
    """
    keys = list(by)
    require_columns(trajectories, keys, "trajectories")
    require_metric(trajectories, metric)
    require_level(level)
    grouped = trajectories.groupby(keys, sort=True, dropna=False)[metric]
    out = grouped.agg(n="count", mean="mean", sd="std").reset_index()
    out["n"] = out["n"].astype(int)
    out["ci_low"], out["ci_high"] = t_interval(
        out["mean"].to_numpy(), out["sd"].to_numpy(), out["n"].to_numpy(), level
    )
    out.attrs.update(metric=metric, level=level)
    return out


def paired_differences(
    trajectories: pd.DataFrame,
    metric: str,
    *,
    baseline: str,
    level: float = 0.95,
    pool_points: bool = False,
    crossed: bool = False,
) -> pd.DataFrame:
    """Scenario minus baseline, paired on (design point, replicate), per scenario, point and year.

    For each scenario other than ``baseline``, each run is matched with the baseline run of the
    same design point and replicate (same seed, so the same random world) and the difference
    ``scenario - baseline`` is taken year by year. Runs without a partner — typically because the
    partner failed — are dropped, and ``n_pairs`` counts only complete pairs (a group whose runs
    all lack partners is kept with ``n_pairs = 0`` so the loss is visible). Pairing uses the key
    columns, never row order.

    Args:
        trajectories: Long results with ``scenario``, ``point``, ``replicate``, ``year`` and the
            metric.
        metric: A numeric metric column, e.g. ``"ks4_gap_index"`` (for gap indices a negative
            difference means the scenario left a *narrower* gap than the baseline).
        baseline: The scenario every other scenario is compared with.
        level: Confidence level of the interval.
        pool_points: Pool the pairs of all design points into one estimate per scenario and year
            (the design-averaged effect; the ``point`` column is then absent). The t-interval
            then treats every (point, replicate) pair as an independent draw, which holds for a
            random design (Latin hypercube, Sobol) and is an approximation for a grid.
        crossed: With ``pool_points``, take the interval and p-value from the points ×
            replicates table as a crossed design instead (:func:`edsim.analysis.crossed.
            crossed_mean`): replicate *i* has the same seed at every point, so the pairs are not
            independent, and the t-interval over them is too narrow when seeds matter. Used for
            posterior designs, whose points are draws. ``n_pairs`` and ``mean_diff`` are then
            those of the complete table analysed (the same as without it when no pair is
            missing).

    Returns:
        One row per scenario, (point,) year, sorted: ``scenario``, ``point``, ``year``,
        ``n_pairs``, ``mean_diff``, ``sd_diff`` (``ddof=1``), ``ci_low``/``ci_high`` (t-interval
        of the mean difference), ``effect_size`` and ``p_value``. ``effect_size`` is Cohen's
        d_z = mean_diff / sd_diff: the mean difference in units of the pairs' own spread, which
        says how consistently (not how much) one scenario beats the other; it is NaN when the
        differences are constant (e.g. year 0, before the regimes diverge). ``p_value`` is the
        two-sided paired t-test (as :func:`scipy.stats.ttest_rel`), NaN when ``n_pairs < 2`` or
        the differences are constant. ``attrs`` records ``metric``, ``baseline`` and ``level``.

    Raises:
        ExperimentError: A column is missing, the metric is not numeric, the baseline has no
            results, the level is outside (0, 1), or a scenario has two runs with the same
            (point, replicate, year) so pairing would be ambiguous.
    """
    keys = ["point", "replicate", "year"]
    require_columns(trajectories, ["scenario", *keys], "trajectories")
    require_metric(trajectories, metric)
    require_scenario(trajectories, baseline, "baseline")
    require_level(level)
    frame = trajectories[["scenario", *keys, metric]]
    duplicated = frame.duplicated(["scenario", *keys])
    if duplicated.any():
        first = frame.loc[duplicated].iloc[0]
        raise ExperimentError(
            f"cannot pair runs: scenario {first['scenario']!r} has more than one run for point "
            f"{first['point']}, replicate {first['replicate']}, year {first['year']}"
        )
    is_base = frame["scenario"] == baseline
    base = frame.loc[is_base].drop(columns="scenario").rename(columns={metric: "_baseline"})
    other = frame.loc[~is_base]
    pairs = other.merge(base, on=keys, how="inner")
    pairs["_diff"] = pairs[metric] - pairs["_baseline"]
    pairs = pairs.dropna(subset=["_diff"])

    group = ["scenario", "year"] if pool_points else ["scenario", "point", "year"]
    stats_ = pairs.groupby(group)["_diff"].agg(n_pairs="count", mean_diff="mean", sd_diff="std")
    groups = other[group].drop_duplicates()
    out = groups.merge(stats_.reset_index(), on=group, how="left")
    out = out.sort_values(group, ignore_index=True)
    out["n_pairs"] = out["n_pairs"].fillna(0).astype(int)
    _add_paired_statistics(out, level)
    if pool_points and crossed:
        _use_crossed_intervals(out, pairs, level)
    out.attrs.update(metric=metric, baseline=baseline, level=level, crossed=crossed)
    return out


def _use_crossed_intervals(out: pd.DataFrame, pairs: pd.DataFrame, level: float) -> None:
    """Replace each pooled row's interval and p-value by the crossed design's (in place)."""
    for (scenario, year), group in pairs.groupby(["scenario", "year"]):
        table = group.pivot(index="point", columns="replicate", values="_diff")
        found = crossed_mean(table, level)
        if found is None:
            continue
        row = (out["scenario"] == scenario) & (out["year"] == year)
        out.loc[row, "n_pairs"] = int(found.points * found.seeds)
        out.loc[row, ["mean_diff", "ci_low", "ci_high", "p_value"]] = [
            found.mean,
            found.ci_low,
            found.ci_high,
            found.p_value,
        ]


def holm_adjust(p_values: Sequence[float] | np.ndarray | pd.Series) -> np.ndarray:
    """Holm–Bonferroni adjusted p-values, so a table of many tests can be read test by test.

    A table with a dozen paired tests will show a "significant" p below 0.05 by luck alone about
    half the time; reading an adjusted p below 0.05 instead keeps the chance of *any* false
    claim in the whole table at 5% (family-wise error), whatever the dependence between the
    tests. Holm's step-down method does that while being uniformly more powerful than plain
    Bonferroni: the i-th smallest of m p-values is multiplied by ``m - i + 1``, a running maximum
    keeps the adjusted values in the same order as the raw ones, and the result is capped at 1.

    Args:
        p_values: Raw p-values; NaN entries (tests that were not defined, e.g. constant
            differences) are not counted among the m tests and stay NaN.

    Returns:
        The adjusted p-values, in the input's order, each at least its raw value.
    """
    raw = np.asarray(p_values, dtype=float)
    adjusted = np.full(raw.shape, np.nan)
    defined = np.flatnonzero(~np.isnan(raw))
    m = defined.size
    if m:
        order = defined[np.argsort(raw[defined], kind="stable")]
        stepped = (m - np.arange(m)) * raw[order]
        adjusted[order] = np.minimum(np.maximum.accumulate(stepped), 1.0)
    return adjusted


def _add_paired_statistics(out: pd.DataFrame, level: float) -> None:
    """Add the interval, d_z and p-value columns, computing each only where it is defined."""
    n = out["n_pairs"].to_numpy(dtype=float)
    mean = out["mean_diff"].to_numpy(dtype=float)
    sd = out["sd_diff"].to_numpy(dtype=float)
    out["ci_low"], out["ci_high"] = t_interval(mean, sd, n, level)
    varies = (n >= 2) & (sd > _ZERO_SD * np.maximum(np.abs(np.nan_to_num(mean)), 1.0))
    effect = np.full(n.shape, np.nan)
    p_value = np.full(n.shape, np.nan)
    if varies.any():
        effect[varies] = mean[varies] / sd[varies]
        t_stat = effect[varies] * np.sqrt(n[varies])
        p_value[varies] = 2.0 * stats.t.sf(np.abs(t_stat), n[varies] - 1)
    out["effect_size"] = effect
    out["p_value"] = p_value
