"""How much a mechanism changes a regime comparison: paired difference-in-differences.

A mechanism's effect *on the comparison* of two regimes is not its effect on either one. With
both regimes run with the mechanism on and off under the same seeds (common random numbers), the
replicate's difference-in-differences ``(A_on - B_on) - (A_off - B_off)`` is one paired draw of
it; its mean over replicates, with a t-interval, says whether the mechanism widens or narrows the
gap between the regimes (docs/experiments.md, ``seed_mechanisms``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from edsim.analysis._checks import require_columns, require_level, require_metric, t_interval
from edsim.errors import ExperimentError

__all__ = ["Contrast", "mechanism_effects"]


@dataclass(frozen=True)
class Contrast:
    """One mechanism's on/off comparison of scenario ``a`` against scenario ``b``.

    Attributes:
        mechanism: The mechanism's name, for the table.
        on: ``(a, b)`` scenarios with the mechanism on.
        off: ``(a, b)`` scenarios with it off (the same ``b`` twice when it cannot act on ``b``).
    """

    mechanism: str
    on: tuple[str, str]
    off: tuple[str, str]


def mechanism_effects(
    trajectories: pd.DataFrame,
    contrasts: list[Contrast],
    metrics: list[str],
    *,
    year: int | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Each mechanism's effect on the comparison, paired on (point, replicate), in one year.

    Args:
        trajectories: Long results (``scenario``, ``point``, ``replicate``, ``year`` and the
            metrics).
        contrasts: The mechanisms and their scenarios.
        metrics: Numeric metrics to compare.
        year: The calendar year (default: the last).
        level: Confidence level of the intervals.

    Returns:
        One row per mechanism and metric: ``n_pairs``, the comparison with the mechanism on and
        off (``with``, ``without``) and their difference ``effect`` with ``ci_low``/``ci_high``.

    Raises:
        ExperimentError: A column or scenario is missing, or the level is outside (0, 1).
    """
    require_columns(trajectories, ["scenario", "point", "replicate", "year"], "trajectories")
    require_level(level)
    for m in metrics:
        require_metric(trajectories, m)
    last = int(trajectories["year"].max()) if year is None else year
    final = trajectories[trajectories["year"] == last]
    wide = final.pivot_table(
        index=["point", "replicate"], columns="scenario", values=metrics, aggfunc="first"
    )
    rows = []
    for c in contrasts:
        missing = sorted({*c.on, *c.off} - set(final["scenario"]))
        if missing:
            raise ExperimentError(f"{c.mechanism}: no results for scenario(s) {missing}")
        for m in metrics:
            on = wide[(m, c.on[0])] - wide[(m, c.on[1])]
            off = wide[(m, c.off[0])] - wide[(m, c.off[1])]
            did = (on - off).dropna()
            n = np.array([float(did.size)])
            low, high = t_interval(np.array([did.mean()]), np.array([did.std()]), n, level)
            rows.append(
                {
                    "mechanism": c.mechanism,
                    "metric": m,
                    "n_pairs": int(did.size),
                    "with": float(on.mean()),
                    "without": float(off.mean()),
                    "effect": float(did.mean()),
                    "ci_low": float(low[0]),
                    "ci_high": float(high[0]),
                }
            )
    out = pd.DataFrame(rows)
    out.attrs.update(year=last, level=level)
    return out
