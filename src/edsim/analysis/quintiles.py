"""The attainment gap by school-disadvantage quintile, reshaped for comparison.

The model reports the gap (disadvantaged minus others, in SD) separately for the schools in each
quintile of disadvantage, as wide columns ``ks4_gap_sd_q1`` … ``ks4_gap_sd_q5`` (Q1 the least
disadvantaged schools, Q5 the most). A regime can narrow the national gap while leaving the most
disadvantaged schools behind; reshaping to one row per quintile lets that be summarised and
plotted like any other metric.
"""

from __future__ import annotations

import pandas as pd

from edsim.analysis._checks import require_columns, require_years
from edsim.analysis.summary import summarise
from edsim.errors import ExperimentError

__all__ = ["QUINTILE_LABELS", "gap_by_quintile", "quintiles_long"]

#: Quintile number -> reader's label.
QUINTILE_LABELS = {
    1: "Q1 (least disadvantaged)",
    2: "Q2",
    3: "Q3",
    4: "Q4",
    5: "Q5 (most disadvantaged)",
}

_KEY_STAGES = ("ks2", "ks4")


def quintiles_long(
    trajectories: pd.DataFrame, *, year: int, key_stage: str = "ks4"
) -> pd.DataFrame:
    """One row per run and quintile: the gap (SD) in that quintile's schools in ``year``.

    Args:
        trajectories: Long results with ``{key_stage}_gap_sd_q1`` … ``_q5`` columns.
        year: Year since the start (0 = before any evidence system).
        key_stage: ``"ks2"`` or ``"ks4"``.

    Returns:
        Columns ``run_id``, ``scenario``, ``point``, ``replicate`` (those present), ``year``,
        ``quintile`` (1-5) and ``gap_sd``.

    Raises:
        ExperimentError: Unknown key stage or year, or the quintile columns are missing.
    """
    if key_stage not in _KEY_STAGES:
        raise ExperimentError(
            f"key stage must be one of {', '.join(_KEY_STAGES)}, not {key_stage!r}"
        )
    columns = {f"{key_stage}_gap_sd_q{q}": q for q in QUINTILE_LABELS}
    require_columns(trajectories, ["scenario", "year", *columns], "trajectories")
    require_years(trajectories, [year])
    ids = [c for c in ("run_id", "scenario", "point", "replicate", "year") if c in trajectories]
    rows = trajectories.loc[trajectories["year"] == year, [*ids, *columns]]
    long = rows.melt(
        id_vars=ids, value_vars=list(columns), var_name="quintile", value_name="gap_sd"
    )
    long["quintile"] = long["quintile"].map(columns).astype(int)
    return long.sort_values([*ids, "quintile"], ignore_index=True)


def gap_by_quintile(
    trajectories: pd.DataFrame, *, year: int, key_stage: str = "ks4", level: float = 0.95
) -> pd.DataFrame:
    """Mean gap (SD) per scenario and quintile in ``year``, with a t-interval over runs.

    Args:
        trajectories: Long results with the quintile gap columns.
        year: Year since the start (0 = before any evidence system).
        key_stage: ``"ks2"`` or ``"ks4"``.
        level: Confidence level.

    Returns:
        :func:`~edsim.analysis.summarise`'s columns grouped by ``scenario`` and ``quintile``
        (``n``, ``mean``, ``sd``, ``ci_low``, ``ci_high``); ``attrs`` adds ``year`` and
        ``key_stage``.

    Raises:
        ExperimentError: Unknown key stage or year, missing columns, or a bad level.
    """
    long = quintiles_long(trajectories, year=year, key_stage=key_stage)
    out = summarise(long, "gap_sd", by=("scenario", "quintile"), level=level)
    out.attrs.update(year=year, key_stage=key_stage)
    return out
