"""A scenario comparison table for reports, and a dependency-free Markdown renderer for it.

:func:`comparison_table` puts what a reader asks first side by side: each scenario's mean with its
interval, and beside it how far it differs from the baseline *paired on replicate*, with that
difference's interval, effect size and p-value, raw and Holm-adjusted across the table.
:func:`to_markdown` renders any such frame as a GitHub pipe table; pandas' own
``DataFrame.to_markdown`` needs the optional ``tabulate`` package, which edsim does not
otherwise need.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from edsim.analysis._checks import require_scenario, require_years
from edsim.analysis.intervals import INTERVAL_NOTES, IntervalKind, across_points
from edsim.analysis.summary import holm_adjust, paired_differences, summarise
from edsim.analysis.units import add_reader_units, is_gap_metric, paired_gap_share

__all__ = ["comparison_table", "to_markdown"]

_DIFFERENCE_COLUMNS = [
    "n_pairs",
    "mean_diff",
    "diff_ci_low",
    "diff_ci_high",
    "effect_size",
    "p_value",
]

#: Columns holding p-values, shown as ``<0.001`` below that rather than as ``0.000``.
_P_VALUE_COLUMNS = frozenset({"p_value", "p_holm"})


def comparison_table(
    trajectories: pd.DataFrame,
    metric: str,
    *,
    baseline: str,
    years: Sequence[int] | None = None,
    level: float = 0.95,
    interval: IntervalKind = "seed",
) -> pd.DataFrame:
    """Each scenario's mean and its paired difference from the baseline, per year.

    Design points are pooled: the means are over every run of a scenario, and the differences
    over every (point, replicate) pair (see :func:`~edsim.analysis.paired_differences` with
    ``pool_points=True``). For a per-point view use the two functions directly.

    Args:
        trajectories: Long results, one row per run and year.
        metric: A numeric metric column, e.g. ``"ks4_gap_index"``.
        baseline: The scenario the others are compared with; listed first in each year.
        years: Years to show (0 = before any evidence system); all years when omitted. For a
            report, the first and last year are usually enough.
        level: Confidence level of both intervals.
        interval: ``seed`` (t-intervals over the runs: seed noise at fixed parameters) or
            ``posterior`` for a posterior design: every interval (of the means, differences and
            % of gap) is then the central ``level`` quantile range over the design points of
            each point's own mean, i.e. parameter and seed uncertainty
            (:mod:`edsim.analysis.intervals`), and ``effect_size``, ``p_value`` and ``p_holm``
            are left out (NA): a test that the mean over the posterior is 0 answers another
            question. ``attrs["interval"]`` records which, ``attrs["interval_note"]`` says it.

    Returns:
        One row per year and scenario (baseline first, then the others alphabetically):
        ``scenario``, ``year``, ``calendar_year`` (when the trajectories have it), ``n``,
        ``mean``, ``ci_low``, ``ci_high``, then ``n_pairs``, ``mean_diff``, ``diff_ci_low``,
        ``diff_ci_high``, ``effect_size`` (Cohen's d_z), the difference in a reader's units
        where the metric has them (:mod:`edsim.analysis.units`: ``months`` of progress for SD
        metrics, ``pp`` for shares at a standard, ``gap_share`` as % of the baseline's year-0
        gap for gap metrics, each with ``_ci_low``/``_ci_high``), ``p_value`` and ``p_holm``;
        the difference columns are missing (NA) on the baseline's own rows. ``p_holm`` is
        ``p_value`` Holm–Bonferroni adjusted across every test shown in the table (all its
        years and scenarios, see :func:`~edsim.analysis.holm_adjust`): a table of many tests
        turns up small raw p-values by chance, so a claim read off one row of it should use
        ``p_holm``. Choosing fewer
        ``years`` therefore means fewer tests and a milder adjustment.

    Raises:
        ExperimentError: Unknown metric, baseline or year, or a level outside (0, 1).
    """
    require_scenario(trajectories, baseline, "baseline")
    summary = summarise(trajectories, metric, by=("scenario", "year"), level=level)
    differences = paired_differences(
        trajectories, metric, baseline=baseline, level=level, pool_points=True
    ).rename(columns={"ci_low": "diff_ci_low", "ci_high": "diff_ci_high"})
    table = summary.drop(columns="sd").merge(
        differences[["scenario", "year", *_DIFFERENCE_COLUMNS]], on=["scenario", "year"], how="left"
    )
    table["n_pairs"] = table["n_pairs"].astype("Int64")
    if interval == "posterior":
        _posterior_intervals(table, trajectories, metric, baseline, level)
    _add_reader_units(table, trajectories, metric, baseline, level, interval)
    if years is not None:
        wanted = list(years)
        require_years(trajectories, wanted)
        table = table[table["year"].isin(wanted)]
    table = table.assign(p_holm=holm_adjust(table["p_value"]))
    calendar = _calendar_years(trajectories)
    if calendar is not None:
        table.insert(2, "calendar_year", table["year"].map(calendar).astype("Int64"))
    order = table["scenario"].ne(baseline).astype(int)
    table = (
        table.assign(_order=order)
        .sort_values(["year", "_order", "scenario"])
        .drop(columns="_order")
        .reset_index(drop=True)
    )
    table.attrs.update(
        metric=metric,
        baseline=baseline,
        level=level,
        interval=interval,
        interval_note=INTERVAL_NOTES[interval],
    )
    return table


def _posterior_intervals(
    table: pd.DataFrame, trajectories: pd.DataFrame, metric: str, baseline: str, level: float
) -> None:
    """Replace the t-intervals by quantile ranges over the design points (posterior draws)."""
    keys = ["scenario", "year"]
    means = summarise(trajectories, metric, by=("scenario", "point", "year"), level=level)
    spread = table[keys].merge(across_points(means, "mean", level), on=keys, how="left")
    table["ci_low"], table["ci_high"] = spread["low"].to_numpy(), spread["high"].to_numpy()
    per_point = paired_differences(trajectories, metric, baseline=baseline, level=level)
    spread = table[keys].merge(across_points(per_point, "mean_diff", level), on=keys, how="left")
    has_pair = table["mean_diff"].notna().to_numpy()
    table["diff_ci_low"] = spread["low"].where(has_pair).to_numpy()
    table["diff_ci_high"] = spread["high"].where(has_pair).to_numpy()
    table["effect_size"] = float("nan")
    table["p_value"] = float("nan")


def _add_reader_units(
    table: pd.DataFrame,
    trajectories: pd.DataFrame,
    metric: str,
    baseline: str,
    level: float,
    interval: IntervalKind = "seed",
) -> None:
    """Months or percentage points, and for a gap its share of year 0's, before ``p_value``."""
    add_reader_units(table, metric, before="p_value")
    if not is_gap_metric(metric):
        return
    pooled = interval == "seed"
    shares = paired_gap_share(
        trajectories, metric, baseline=baseline, level=level, pool_points=pooled
    )
    if not pooled and not shares.empty:
        spread = across_points(shares, "gap_share", level)
        shares = spread.rename(
            columns={"centre": "gap_share", "low": "gap_share_ci_low", "high": "gap_share_ci_high"}
        )
    merged = table[["scenario", "year"]].merge(shares, on=["scenario", "year"], how="left")
    position = table.columns.get_loc("p_value")
    for offset, column in enumerate(("gap_share", "gap_share_ci_low", "gap_share_ci_high")):
        table.insert(int(position) + offset, column, merged[column].astype(float).to_numpy())  # type: ignore[arg-type]


def _calendar_years(trajectories: pd.DataFrame) -> pd.Series | None:
    """Map year to calendar year, when the trajectories carry one consistent mapping."""
    if "calendar_year" not in trajectories.columns:
        return None
    mapping = trajectories[["year", "calendar_year"]].drop_duplicates()
    if mapping["year"].duplicated().any():  # experiments starting in different years
        return None
    return mapping.set_index("year")["calendar_year"]


def to_markdown(
    table: pd.DataFrame, *, digits: int = 3, column_digits: Mapping[str, int] | None = None
) -> str:
    """Render a frame as a GitHub-flavoured Markdown pipe table (the index is not shown).

    Numbers are rounded for reading, not for further computation: floats get ``digits``
    decimals, or none (with thousands separators) in a column whose values reach 1,000, such as
    spend; p-value columns (``p_value``, ``p_holm``) show ``<0.001`` below that; missing values
    are blank; a value that rounds to zero is shown unsigned. Numeric columns are right-aligned
    so the decimal points line up in a rendered table.

    Args:
        table: Any frame, e.g. from :func:`comparison_table`.
        digits: Decimals for ordinary float columns.
        column_digits: Decimals for particular columns, overriding ``digits`` (e.g. months of
            progress are meaningful to one decimal, not three).

    Returns:
        The table as Markdown text, one line per row, ending in a newline.
    """
    header = [_escape(str(column)) for column in table.columns]
    aligns = [
        "---:" if pd.api.types.is_numeric_dtype(table[column]) else "---"
        for column in table.columns
    ]
    chosen = dict(column_digits or {})
    columns = [
        _format_column(table[column], str(column), chosen.get(str(column), digits))
        for column in table.columns
    ]
    lines = [_row(header), _row(aligns)]
    lines += [_row(list(cells)) for cells in zip(*columns, strict=True)]
    return "\n".join(lines) + "\n"


def _format_column(values: pd.Series, name: str, digits: int) -> list[str]:
    """Format one column's cells with a precision chosen for the whole column."""
    is_float = pd.api.types.is_float_dtype(values)
    large = False
    if is_float:
        finite = np.abs(values.to_numpy(dtype=float, na_value=np.nan))
        finite = finite[np.isfinite(finite)]
        large = bool(finite.size > 0 and finite.max() >= 1000)
    cells = []
    for value in values.tolist():
        if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            cells.append("")
        elif is_float and name in _P_VALUE_COLUMNS:
            cells.append(_format_p_value(value))
        elif is_float:
            text = f"{value:,.0f}" if large else f"{value:.{digits}f}"
            # A tiny negative rounds to "-0.0", which reads as a direction that is not there.
            cells.append(text[1:] if text.startswith("-") and not text.strip("-0.,") else text)
        else:
            cells.append(_escape(str(value)))
    return cells


def _format_p_value(p: float) -> str:
    """A p-value for reading: three decimals, ``<0.001`` below that, blank when undefined."""
    if math.isnan(p):
        return ""
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _escape(text: str) -> str:
    """Keep a cell on one line and its pipes from starting a new column."""
    return text.replace("|", r"\|").replace("\n", " ")
