"""How reports look in the terminal: the comparison table, the headline, indices, a diff.

Kept apart from the commands so ``batch``, ``compare`` and ``sensitivity`` print the same thing
the same way. Tables are built from the frames :mod:`edsim.report` returns; numbers are never
truncated (a cut-off number is worse than a wide table), and intervals are shown as ``±``
half-widths where they are symmetric (t-intervals) and as ``[low, high]`` where they are not
(months of progress, read off the EEF Toolkit's banded table).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from rich import box
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pandas as pd
    from rich.console import RenderableType

    from edsim.experiment.outcome import Outcome
    from edsim.scenario import Difference

__all__ = ["comparison_view", "diff_view", "frame_view", "headline_text"]

#: Short labels for the headline's measures, so each of its lines fits 80 columns.
_MEASURES = {
    "ks4_gap_index": "KS4 gap index",
    "ks4_gap_sd": "KS4 gap (SD)",
    "ks4_standard_dis": "KS4 disadvantaged at grade 4+",
    "ks2_gap_index": "KS2 gap index",
    "ks2_gap_sd": "KS2 gap (SD)",
    "ks2_standard_dis": "KS2 disadvantaged at the standard",
}

_UNITS_NOTE = (
    "Lower gaps are better. Months: months of progress by the EEF Toolkit's conversion table "
    "(edsim.analysis.EEF_MONTHS_SOURCE). pp: percentage points of disadvantaged pupils at the "
    "standard (KS2 expected standard; KS4 grade 4+ in English and maths). % of gap: the "
    "difference as a share of the gap in year 0."
)


def comparison_view(table: pd.DataFrame, metric: str, experiment: str) -> Table:
    """The per-year comparison table: mean ± 95% CI and the paired difference from the baseline.

    Where the metric has a reader's unit (:mod:`edsim.analysis.units`), the difference is also
    shown in it: months of progress, percentage points, or % of the year-0 gap.
    """
    baseline = str(table["scenario"].iloc[0])
    extra = [(c, h) for c, h in _UNIT_HEADERS if c in table.columns]
    posterior = table.attrs.get("interval") == "posterior"
    shown = "mean [95% over posterior draws]" if posterior else "mean ± 95% CI"
    out = Table(
        title=f"{metric} ({experiment}): {shown}, and the difference from {baseline} "
        "paired on replicate (the same seed)",
        caption=_interval_caption(table) + "d_z: mean paired difference / SD of the "
        "differences; p: paired t-test; p Holm: p adjusted for all the tests in this table."
        + (f" {_UNITS_NOTE}" if extra else ""),
        box=box.SIMPLE_HEAD,
    )
    rows = []
    for _, row in table.iterrows():
        year = row["calendar_year"] if "calendar_year" in row else row["year"]
        rows.append(
            (
                f"{int(year)}",
                str(row["scenario"]),
                f"{int(row['n'])}",
                _plus_minus(
                    row["mean"], row["ci_low"], row["ci_high"], signed=False, ranged=posterior
                ),
                _plus_minus(
                    row["mean_diff"], row["diff_ci_low"], row["diff_ci_high"], ranged=posterior
                ),
                *(_unit_cell(row, column) for column, _ in extra),
                "" if _missing(row["effect_size"]) else f"{row['effect_size']:+.2f}",
                _p_value(row["p_value"]),
                _p_value(row["p_holm"]),
            )
        )
    headers = (
        "Year",
        "Scenario",
        "n",
        "Mean",
        f"minus {baseline}",
        *(header for _, header in extra),
        "d_z",
        "p",
        "p Holm",
    )
    _fill(out, headers, rows, left=(1,))
    return out


def _interval_caption(table: pd.DataFrame) -> str:
    """Which kind of interval the table shows, as the caption's first sentence."""
    note = table.attrs.get("interval_note")
    if not note:
        return ""
    if table.attrs.get("interval") == "posterior":
        return f"{note[0].upper()}{note[1:]}; d_z and p are not shown for them. "
    return f"{note[0].upper()}{note[1:]}. "


def headline_text(table: pd.DataFrame, when: str, start: str) -> str:
    """The outcome's comparison, one measure a line, in words a policy reader can quote.

    Args:
        table: From :func:`edsim.report.headline`; its first rows are the outcome's comparison.
        when: The year compared, e.g. ``2026 (year 15)``.
        start: Year 0 in words, e.g. ``2011``, for "% of the 2011 gap".
    """
    outcome: Outcome = table.attrs["outcome"]
    first = table.iloc[0]
    mine = table[
        (table["scenario"] == first["scenario"]) & (table["reference"] == first["reference"])
    ]
    lines = []
    for _, row in mine.iterrows():
        label = _MEASURES.get(str(row["metric"]), str(row["metric"]))
        if not _missing(row["pp"]):  # a share: percentage points say it all
            said = [_ranged(row, "pp", 1, " pp")]
        else:
            said = [_ranged(row, "mean_diff", 3)]
        if not _missing(row["months"]):
            said.append(f"= {_ranged(row, 'months', 0, ' months of progress')}")
        if not _missing(row["gap_share"]):
            said.append(f"= {_ranged(row, 'gap_share', 1, f'% of the {start} gap')}")
        # One unit a line, so the headline reads in 80 columns.
        lines += [f"  {label if i == 0 else '':<34}{text}" for i, text in enumerate(said)]
    lead = (
        f"Headline, {when}: {first['scenario']} minus {first['reference']}, paired on "
        f"replicate ({int(first['n_pairs'])} pairs), 95% CI in brackets"
    )
    if outcome.baseline is None:
        lead += f" (the declared outcome is {outcome.scenario}'s own level)"
    note = (
        f"  Below 0 on a gap: narrower under {first['scenario']}; pp: percentage points of "
        "disadvantaged pupils at the standard. Months: the EEF Toolkit's conversion table."
    )
    if table.attrs.get("interval") == "posterior":
        note += (
            "\n  A posterior design: these CIs are of the mean over every draw and seed, with"
            "\n  draws x seeds as a crossed design (every draw runs the same seeds); the"
            "\n  comparison table's ranges show the spread over the posterior's draws."
        )
    return "\n".join([lead, *lines, note])


def frame_view(frame: pd.DataFrame, title: str) -> Table:
    """Any small frame as a table (sensitivity indices): floats to three decimals."""
    out = Table(title=title)
    for column in frame.columns:
        out.add_column(str(column), justify="left" if column == "parameter" else "right")
    for _, row in frame.iterrows():
        out.add_row(*(f"{v:.3f}" if isinstance(v, float) else Text(str(v)) for v in row))
    return out


def diff_view(found: Sequence[Difference], title: str, width: int) -> RenderableType:
    """The parameters two scenarios disagree on: a table when it fits ``width``, else a list.

    A five-column table squeezed into 80 columns folds each ``file:line`` origin one character
    per line; the list keeps every key, value and origin whole on its own line instead, so they
    can still be read, copied and grepped.
    """
    headers = ("Parameter", "A", "B", "A from", "B from")
    rows = [(d.key, d.a, d.b, d.origin_a, d.origin_b) for d in found]
    natural = sum(max(len(h), *(len(r[i]) for r in rows)) + 3 for i, h in enumerate(headers)) + 1
    if natural <= width:
        table = Table(title=Text(title))
        for header in headers:  # nothing is cut: it fits
            table.add_column(header, no_wrap=True)
        for row in rows:
            # Text, not str: values such as '[draft]' must not be read as rich markup.
            table.add_row(*(Text(cell) for cell in row))
        return table
    lines = [title]
    for key, a, b, origin_a, origin_b in rows:
        lines.append("")
        lines.append(key)
        pad = max(len(a), len(b))
        for side, value, origin in (("A", a, origin_a), ("B", b, origin_b)):
            line = f"  {side}: {value:<{pad}}  ({origin})"
            if len(line) > width:  # the origin on a line of its own, never broken
                line = f"  {side}: {value}\n     from {origin}"
            lines.append(line)
    return Text("\n".join(lines))


#: Reader-unit columns of the analysis tables, and their headers here.
_UNIT_HEADERS = (("months", "Months"), ("pp", "pp"), ("gap_share", "% of gap"))


def _unit_cell(row: Any, column: str) -> str:
    """A reader's unit with its interval: months as ``[low, high]``, the others as ``±``."""
    if column not in row or _missing(row[column]):
        return ""
    low, high = row[f"{column}_ci_low"], row[f"{column}_ci_high"]
    if column == "months":
        spread = "" if _missing(low) else f" [{low:+.0f}, {high:+.0f}]"
        return f"{row[column]:+.0f}{spread}"
    return _plus_minus(row[column], low, high, digits=1)


def _ranged(row: Any, column: str, digits: int, unit: str = "") -> str:
    """``-0.5% of the 2011 gap [-3.0, +2.1]``: the value with its unit, then its interval."""
    low, high = row.get(f"{column}_ci_low"), row.get(f"{column}_ci_high")
    if column == "mean_diff":
        low, high = row["diff_ci_low"], row["diff_ci_high"]
    value = f"{_signed(row[column], digits)}{unit}"
    if _missing(low):
        return value
    return f"{value} [{_signed(low, digits)}, {_signed(high, digits)}]"


def _signed(value: float, digits: int) -> str:
    """``+0.3``, ``-1``; and ``0`` rather than ``+0`` or ``-0.000`` for what rounds to zero."""
    text = f"{value:+.{digits}f}"
    return text[1:] if float(text) == 0 else text


def _fill(
    out: Table,
    headers: tuple[str, ...],
    rows: list[tuple[str, ...]],
    *,
    left: tuple[int, ...],
) -> None:
    """Add columns sized to their widest cell (numbers never wrap) and the rows."""
    for index, header in enumerate(headers):
        width = max([len(header), *(len(r[index]) for r in rows)])
        out.add_column(
            header, justify="left" if index in left else "right", min_width=width, no_wrap=True
        )
    for cells in rows:
        out.add_row(*(Text(c) for c in cells))


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _plus_minus(
    mean: float,
    low: float,
    high: float,
    *,
    signed: bool = True,
    digits: int = 3,
    ranged: bool = False,
) -> str:
    """``mean ± half-width`` for a t-interval; ``mean [low, high]`` for a quantile range."""
    if _missing(mean):
        return ""
    sign = "+" if signed else ""
    if ranged and not _missing(high):
        return f"{mean:{sign}.{digits}f} [{low:{sign}.{digits}f}, {high:{sign}.{digits}f}]"
    half = "" if _missing(high) else f" ± {(high - low) / 2:.{digits}f}"
    return f"{mean:{sign}.{digits}f}{half}"


def _p_value(p: float) -> str:
    if _missing(p):
        return ""
    return "<0.001" if p < 0.001 else f"{p:.3f}"
