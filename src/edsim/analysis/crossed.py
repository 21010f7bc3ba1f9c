"""The interval of a mean over design points whose replicates share seeds (a crossed design).

Replicate *i* runs with the same seed at every design point (common random numbers), so when
the paired differences of several points are pooled, the D × S table of differences has a seed
effect shared down each column as well as a point effect along each row. A t-interval over the
D·S pairs treats them as independent and so counts each seed's luck D times: with D = 10
posterior draws and S = 10 seeds it can be several times too narrow. For the mean of a two-way
random-effects table without replication,

``Var(grand mean) = sigma_point^2 / D + sigma_seed^2 / S + sigma_residual^2 / (D S)``,

estimated without bias from the mean squares as ``(MS_point + MS_seed - MS_residual) / (D S)``,
with Satterthwaite's degrees of freedom (Montgomery, *Design and Analysis of Experiments*, the
two-factor random model; the same estimator as a crossed random-effects ANOVA). Where the
estimate falls below what the residual alone implies, the residual's is used, so the interval
is never narrower than that of pairs with no shared effects.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["CrossedMean", "crossed_mean"]


@dataclass(frozen=True)
class CrossedMean:
    """The grand mean of a points × seeds table, with its interval and two-sided p-value."""

    mean: float
    ci_low: float
    ci_high: float
    p_value: float
    points: int
    seeds: int


def crossed_mean(table: pd.DataFrame, level: float) -> CrossedMean | None:
    """The mean of a points × seeds table of paired differences and its crossed interval.

    Args:
        table: One row per design point, one column per replicate (seed); NaN where a pair is
            missing. Incomplete seeds (columns) or points (rows) are dropped, whichever keeps
            more cells, so the table analysed is complete.
        level: Confidence level.

    Returns:
        The estimate, or None when fewer than two points or two seeds remain (the ordinary
        t-interval over the pairs is then the right one).
    """
    values = _complete(table.to_numpy(dtype=float))
    d, s = values.shape
    if d < 2 or s < 2:
        return None
    grand = float(values.mean())
    rows, cols = values.mean(axis=1), values.mean(axis=0)
    ms_point = s * float(((rows - grand) ** 2).sum()) / (d - 1)
    ms_seed = d * float(((cols - grand) ** 2).sum()) / (s - 1)
    residual = values - rows[:, None] - cols[None, :] + grand
    ms_residual = float((residual**2).sum()) / ((d - 1) * (s - 1))
    combined = ms_point + ms_seed - ms_residual
    if combined > ms_residual:
        dof = combined**2 / (
            ms_point**2 / (d - 1) + ms_seed**2 / (s - 1) + ms_residual**2 / ((d - 1) * (s - 1))
        )
    else:
        combined, dof = ms_residual, float((d - 1) * (s - 1))
    se = np.sqrt(combined / (d * s))
    if se == 0.0:
        return CrossedMean(grand, grand, grand, float("nan"), d, s)
    half = float(stats.t.ppf(0.5 + level / 2, dof)) * se
    p_value = float(2.0 * stats.t.sf(abs(grand) / se, dof))
    return CrossedMean(grand, grand - half, grand + half, p_value, d, s)


def _complete(values: np.ndarray) -> np.ndarray:
    """The largest complete table from dropping incomplete columns, or else incomplete rows."""
    missing = np.isnan(values)
    if not missing.any():
        return values
    by_columns = values[:, ~missing.any(axis=0)]
    by_rows = values[~missing.any(axis=1), :]
    return by_columns if by_columns.size >= by_rows.size else by_rows
