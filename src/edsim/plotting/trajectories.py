"""Plot a run's trajectory: the disadvantage gap and the shares reaching the standard.

Figures are built with :class:`matplotlib.figure.Figure` directly rather than through pyplot,
so library code never selects a GUI backend, needs no display on a server, and leaves no figures
registered in pyplot's global state (saving uses the Agg renderer automatically). Pass ``ax`` to
draw into an existing (for example pyplot-managed) figure instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pandas as pd
from matplotlib.figure import Figure, SubFigure
from matplotlib.ticker import MaxNLocator, PercentFormatter

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_gap_trajectories", "plot_shares_at_standard"]

_KS2_COLOUR = "tab:blue"
_KS4_COLOUR = "tab:orange"


def plot_gap_trajectories(
    df: pd.DataFrame, ax: Axes | None = None, title: str | None = None
) -> Figure:
    """Plot the KS2 and KS4 disadvantage gap index against calendar year.

    The gap index is the DfE's rank-based measure (0 = no gap, 10 = largest possible), the
    headline outcome the theories of change are compared on.

    Args:
        df: A trajectory with ``year``, ``ks2_gap_index`` and ``ks4_gap_index`` columns.
        ax: Axes to draw into; a new figure is made when omitted.
        title: Figure title; a descriptive default when omitted.

    Returns:
        The figure drawn into (``ax``'s figure when given).

    Raises:
        ValueError: A required column is missing.
    """
    _require_columns(df, ("year", "ks2_gap_index", "ks4_gap_index"))
    fig, ax = _figure_and_axes(ax)
    ax.plot(df["year"], df["ks2_gap_index"], marker="o", color=_KS2_COLOUR, label="KS2 (age 11)")
    ax.plot(df["year"], df["ks4_gap_index"], marker="s", color=_KS4_COLOUR, label="KS4 (age 16)")
    ax.set_xlabel("Year")
    ax.set_ylabel("Disadvantage gap index\n(0 = no gap, 10 = largest possible)")
    ax.set_ylim(bottom=0)
    ax.set_title(title or "Attainment gap between disadvantaged pupils and others")
    _finish(ax)
    return fig


def plot_shares_at_standard(
    df: pd.DataFrame, ax: Axes | None = None, title: str | None = None
) -> Figure:
    """Plot the shares of disadvantaged and other pupils reaching the standard at KS2 and KS4.

    The gap index can narrow because disadvantaged pupils improve or because others fall back;
    the four shares show which.

    Args:
        df: A trajectory with ``year``, ``ks2_standard_dis``, ``ks2_standard_other``,
            ``ks4_standard_dis`` and ``ks4_standard_other`` columns (shares 0-1).
        ax: Axes to draw into; a new figure is made when omitted.
        title: Figure title; a descriptive default when omitted.

    Returns:
        The figure drawn into (``ax``'s figure when given).

    Raises:
        ValueError: A required column is missing.
    """
    lines = (
        ("ks2_standard_dis", "KS2 expected standard, disadvantaged", _KS2_COLOUR, "-"),
        ("ks2_standard_other", "KS2 expected standard, others", _KS2_COLOUR, "--"),
        ("ks4_standard_dis", "KS4 grade 4+ English and maths, disadvantaged", _KS4_COLOUR, "-"),
        ("ks4_standard_other", "KS4 grade 4+ English and maths, others", _KS4_COLOUR, "--"),
    )
    _require_columns(df, ("year", *(column for column, *_ in lines)))
    fig, ax = _figure_and_axes(ax)
    for column, label, colour, style in lines:
        ax.plot(df["year"], df[column], color=colour, linestyle=style, label=label)
    ax.set_xlabel("Year")
    ax.set_ylabel("Pupils reaching the standard")
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1))
    ax.set_title(title or "Pupils reaching the standard, disadvantaged and others")
    _finish(ax)
    return fig


def _figure_and_axes(ax: Axes | None) -> tuple[Figure, Axes]:
    """Use the caller's axes, or make a standalone figure that pyplot does not track."""
    if ax is not None:
        parent = ax.figure
        # Axes in a subfigure: return the root figure, the one that can be saved.
        return (parent.figure if isinstance(parent, SubFigure) else parent), ax
    fig = Figure(figsize=(8, 4.5), layout="constrained")
    return fig, fig.add_subplot()


def _finish(ax: Axes) -> None:
    """Shared styling: whole-number years, light grid, legend."""
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)
    ax.legend()


def _require_columns(df: pd.DataFrame, columns: Iterable[str]) -> None:
    """Fail with the missing column names rather than a bare KeyError deep in matplotlib."""
    missing = [column for column in columns if column not in df.columns]
    if missing:
        raise ValueError(f"trajectory is missing column(s): {', '.join(missing)}")
