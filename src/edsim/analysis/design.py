"""Relate results to the design: which parameter values each design point ran with.

The ``runs`` frame carries, besides its fixed columns, one column per design parameter named by
its dotted path (``truth.heterogeneity``). These helpers attach those values to per-point tables
(for a sweep heatmap) and build the (design matrix, outcome) pair a sensitivity analysis needs.

Replicates are averaged per design point *before* a sensitivity analysis: Sobol and Morris
estimators attribute the variance of a deterministic function of the parameters, and the
replicate mean is the best available estimate of that function at each point; feeding single
replicates would count stochastic noise as a parameter effect (and break the sampler's row
structure, which has exactly one row per point).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from edsim.analysis._checks import require_columns, require_scenario, require_years
from edsim.analysis.summary import paired_differences, summarise
from edsim.errors import ExperimentError

__all__ = [
    "RUN_COLUMNS",
    "design_response",
    "parameter_columns",
    "point_parameters",
    "with_parameters",
]

#: Fixed columns of the runs frame; every other column is a design parameter.
RUN_COLUMNS = (
    "run_id",
    "scenario",
    "point",
    "replicate",
    "seed",
    "status",
    "seconds",
    "error",
    "worker",
)


def parameter_columns(runs: pd.DataFrame) -> list[str]:
    """The design parameters of an experiment: the runs frame's non-fixed columns, in order."""
    return [str(column) for column in runs.columns if column not in RUN_COLUMNS]


def point_parameters(runs: pd.DataFrame, parameters: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per design point with the parameter values it ran with, sorted by point.

    Failed runs count too: a point's parameters are known even when every run of it failed.

    Args:
        runs: The runs frame.
        parameters: Parameters to keep; all of :func:`parameter_columns` when omitted.

    Returns:
        Columns ``point`` and one per parameter.

    Raises:
        ExperimentError: A parameter is not a column, or one point has differing values (the
            frame mixes experiments).
    """
    names = parameter_columns(runs) if parameters is None else list(parameters)
    require_columns(runs, ["point", *names], "runs")
    values = runs[["point", *names]].drop_duplicates()
    clash = values["point"].duplicated()
    if clash.any():
        point = values.loc[clash, "point"].iloc[0]
        raise ExperimentError(
            f"design point {point} has runs with different parameter values; "
            "were results of different experiments combined?"
        )
    return values.sort_values("point", ignore_index=True)


def with_parameters(
    table: pd.DataFrame, runs: pd.DataFrame, parameters: Sequence[str] | None = None
) -> pd.DataFrame:
    """Add each design point's parameter values to a per-point table (e.g. for a heatmap).

    Args:
        table: Any frame with a ``point`` column, e.g. from
            :func:`~edsim.analysis.paired_differences`.
        runs: The runs frame.
        parameters: Parameters to add; all parameter columns when omitted.

    Returns:
        ``table`` with the parameter columns appended (rows and order unchanged).

    Raises:
        ExperimentError: ``table`` has no ``point`` column, or see :func:`point_parameters`.
    """
    require_columns(table, ["point"], "the table")
    out = table.merge(point_parameters(runs, parameters), on="point", how="left")
    out.attrs.update(table.attrs)
    return out


def design_response(
    runs: pd.DataFrame,
    trajectories: pd.DataFrame,
    metric: str,
    *,
    scenario: str,
    baseline: str | None = None,
    year: int | None = None,
    parameters: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, np.ndarray]:
    """The design matrix and per-point outcome for :mod:`~edsim.analysis.sensitivity`.

    Args:
        runs: The runs frame (parameter values per point).
        trajectories: Long results.
        metric: The outcome metric, e.g. ``"ks4_gap_index"``.
        scenario: Whose outcome to analyse.
        baseline: When given, the outcome is the mean paired difference ``scenario - baseline``
            at each point (how the regime *effect* depends on the parameters) rather than the
            scenario's own level.
        year: Year whose value is the outcome (0 = before any evidence system); the last year
            when omitted.
        parameters: Design parameters, in the order of the sensitivity ``bounds``; all
            parameter columns when omitted.

    Returns:
        ``(X, y)``: ``X`` one row per design point sorted by ``point`` (the index; the design
        layer numbers points in sampler order) with one column per parameter, and ``y`` the
        replicate mean (or mean paired difference) at each point.

    Raises:
        ExperimentError: Unknown scenario, metric or year; or a point with no usable run (the
            analysis needs every point, so the message names them).
    """
    require_columns(trajectories, ["scenario", "point", "year"], "trajectories")
    require_scenario(trajectories, scenario, "analysed")
    design = point_parameters(runs, parameters).set_index("point")
    final = int(trajectories["year"].max()) if year is None else year
    require_years(trajectories, [final])
    at_year = trajectories[trajectories["year"] == final]
    if baseline is None:
        per_point = summarise(
            at_year[at_year["scenario"] == scenario], metric, by=("point",)
        ).set_index("point")["mean"]
    else:
        diffs = paired_differences(
            at_year[at_year["scenario"].isin([scenario, baseline])], metric, baseline=baseline
        )
        per_point = diffs[diffs["scenario"] == scenario].set_index("point")["mean_diff"]
    y = per_point.reindex(design.index).to_numpy(dtype=float)
    holes = design.index[~np.isfinite(y)].tolist()
    if holes:
        shown = ", ".join(map(str, holes[:10])) + (" ..." if len(holes) > 10 else "")
        raise ExperimentError(
            f"{len(holes)} design point(s) have no usable {scenario!r} run in year {final} "
            f"(points {shown}); sensitivity analysis needs every point, so rerun them"
        )
    return design, y
