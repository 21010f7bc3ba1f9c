"""Which uncertainty an interval shows: seed noise only, or parameter and seed uncertainty.

An experiment run at fixed parameter values (no design, or a grid or sampler whose points are
pooled) has intervals from the replicates alone: Student-t intervals of a mean over seeds, which
say how precisely the runs pin down the model's answer *at those values*, and narrow as
replicates are added. An experiment whose design draws its points from a calibration's
posterior (``design: {method: posterior}``) asks instead how uncertain the answer is given what
the calibration left uncertain about the parameters: its intervals are the central quantiles,
across the posterior draws, of each draw's mean over its seeds. They carry the parameter
uncertainty (and what seed noise is left in a draw's mean), and do not narrow as draws are added.
"""

from __future__ import annotations

from typing import Any, Literal

import pandas as pd

__all__ = ["INTERVAL_NOTES", "IntervalKind", "across_points", "interval_kind"]

IntervalKind = Literal["seed", "posterior"]

#: What each kind of interval is, in the words tables and the command line use.
INTERVAL_NOTES: dict[str, str] = {
    "seed": "intervals: seed noise only (t-intervals over replicates at fixed parameter values)",
    "posterior": "intervals: parameter + seed uncertainty (central quantiles over posterior "
    "draws of each draw's mean over its seeds; design: posterior)",
}


def interval_kind(manifest: dict[str, Any]) -> IntervalKind:
    """``posterior`` for results of a posterior design, else ``seed``."""
    design = (manifest.get("definition") or {}).get("design") or {}
    return "posterior" if design.get("method") == "posterior" else "seed"


def across_points(per_point: pd.DataFrame, value: str, level: float) -> pd.DataFrame:
    """The mean over design points of ``value``, and its central ``level`` quantile interval.

    Args:
        per_point: One row per scenario, point and year (``summarise`` by point, or
            ``paired_differences`` without pooling).
        value: The column holding each point's estimate (``mean`` or ``mean_diff``).
        level: The share of the points' estimates inside the interval.

    Returns:
        One row per scenario and year: ``scenario``, ``year``, ``centre``, ``low``, ``high``.
    """
    tail = (1 - level) / 2
    grouped = per_point.groupby(["scenario", "year"])[value]
    out = grouped.mean().rename("centre").to_frame()
    out["low"] = grouped.quantile(tail)
    out["high"] = grouped.quantile(1 - tail)
    return out.reset_index()
