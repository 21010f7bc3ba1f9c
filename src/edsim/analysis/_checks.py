"""Checks shared by the analysis functions, so every bad request fails the same clear way.

The frames analysed here come from an experiment's results (see :mod:`edsim.analysis`), but the
names in a request (a metric, a baseline scenario, a year) usually come from a person typing at
the command line. Each check therefore raises :class:`~edsim.errors.ExperimentError` naming what
was asked for *and* what is available, rather than a ``KeyError`` from deep inside pandas.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from edsim.errors import ExperimentError

#: Columns of the trajectories frame that identify a run-year rather than measure anything.
ID_COLUMNS = ("run_id", "scenario", "point", "replicate", "year", "calendar_year")


def require_columns(df: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    """Fail naming every missing column of ``what`` (e.g. "trajectories")."""
    missing = [column for column in columns if column not in df.columns]
    if missing:
        raise ExperimentError(
            f"{what} is missing column(s) {', '.join(missing)}; "
            f"it has: {', '.join(map(str, df.columns))}"
        )


def metric_columns(trajectories: pd.DataFrame) -> list[str]:
    """The numeric measure columns: everything numeric that is not an identifier."""
    return [
        str(column)
        for column in trajectories.columns
        if column not in ID_COLUMNS
        and pd.api.types.is_numeric_dtype(trajectories[column])
        and not pd.api.types.is_bool_dtype(trajectories[column])
    ]


def require_metric(trajectories: pd.DataFrame, metric: str) -> None:
    """Fail unless ``metric`` is a numeric measure column, listing the ones that are."""
    allowed = metric_columns(trajectories)
    if metric not in allowed:
        kind = "is not numeric" if metric in trajectories.columns else "is not a column"
        close = difflib.get_close_matches(metric, allowed, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ExperimentError(
            f"metric {metric!r} {kind} of the trajectories; {hint}numeric metrics are: "
            f"{', '.join(allowed) or '(none)'}"
        )


def require_scenario(trajectories: pd.DataFrame, scenario: str, role: str) -> None:
    """Fail unless ``scenario`` has rows, listing the scenarios that do."""
    present = sorted(map(str, trajectories["scenario"].unique()))
    if scenario not in present:
        raise ExperimentError(
            f"{role} scenario {scenario!r} has no results; scenarios with results: "
            f"{', '.join(present) or '(none)'}"
        )


def require_level(level: float) -> None:
    """Fail unless ``level`` is a confidence level strictly between 0 and 1."""
    if not 0.0 < level < 1.0:
        raise ExperimentError(f"confidence level must be between 0 and 1 (e.g. 0.95), not {level}")


def require_years(trajectories: pd.DataFrame, years: Sequence[int]) -> None:
    """Fail naming any requested year that no run reached, and the range that exists."""
    present = set(trajectories["year"].unique().tolist())
    missing = [year for year in years if year not in present]
    if missing:
        span = f"{min(present)}..{max(present)}" if present else "(none)"
        raise ExperimentError(
            f"year(s) {', '.join(map(str, missing))} not in the trajectories; years run: {span} "
            "(0 = before any evidence system)"
        )


def t_interval(
    mean: np.ndarray, sd: np.ndarray, n: np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """Student-t interval for a mean, NaN where fewer than two values make the SD undefined.

    Computed only where ``n >= 2`` so no degrees-of-freedom-zero quantile (or its warning) is
    ever evaluated.
    """
    mean, sd, n = (np.asarray(a, dtype=float) for a in (mean, sd, n))
    low = np.full(mean.shape, np.nan)
    high = np.full(mean.shape, np.nan)
    ok = n >= 2
    if ok.any():
        half = stats.t.ppf(0.5 + level / 2.0, n[ok] - 1) * sd[ok] / np.sqrt(n[ok])
        low[ok] = mean[ok] - half
        high[ok] = mean[ok] + half
    return low, high
