"""Figures of an experiment's results: scenario bands, paired differences, sweeps, sensitivity.

Each figure is meant to be read by someone who did not run the experiment, so each carries a
title, axis labels with units, a legend, and a caption line saying how many runs stand behind
the lines and what the shaded bands or error bars are. Like :mod:`edsim.plotting.trajectories`,
figures are built on :class:`matplotlib.figure.Figure` (never pyplot), every function takes
``ax=`` to draw into an existing axes and returns the figure, and inputs are the frames made by
:mod:`edsim.analysis`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import CenteredNorm
from matplotlib.ticker import MaxNLocator

from edsim.analysis.quintiles import QUINTILE_LABELS, gap_by_quintile
from edsim.plotting.trajectories import _figure_and_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "plot_gap_by_quintile",
    "plot_metric_bands",
    "plot_paired_differences",
    "plot_sensitivity",
    "plot_sweep_heatmap",
]

#: Fixed colours for the regimes, so a scenario looks the same in every figure of a report.
_REGIME_COLOURS = {
    "none": "tab:gray",
    "disseminate_to": "tab:orange",
    "linkage_exchange": "tab:blue",
}
_OTHER_COLOURS = ("tab:green", "tab:purple", "tab:brown", "tab:pink", "tab:olive", "tab:cyan")
_REGIME_LABELS = {
    "none": "None (no evidence system)",
    "disseminate_to": "Disseminate to",
    "linkage_exchange": "Linkage and exchange",
}
_YEAR_LABEL = "Years since start (0 = before any evidence system)"


def plot_metric_bands(
    summary: pd.DataFrame, *, metric_label: str, ax: Axes | None = None, title: str | None = None
) -> Figure:
    """Mean of a metric per scenario over time, with its confidence band.

    Args:
        summary: From :func:`edsim.analysis.summarise` grouped by ``scenario`` and ``year`` or
            ``calendar_year`` (calendar years are used when present).
        metric_label: What the metric is, with units, e.g. ``"KS4 gap index (0-10)"``.
        ax: Axes to draw into; a new figure is made when omitted.
        title: Figure title; a descriptive default when omitted.

    Returns:
        The figure drawn into.

    Raises:
        ValueError: A column is missing, or a scenario has several rows per year (e.g. one per
            design point: select a point, or summarise by scenario and year only).
    """
    x = "calendar_year" if "calendar_year" in summary.columns else "year"
    _require(summary, ("scenario", x, "n", "mean", "ci_low", "ci_high"), "summary")
    _require_unique(summary, ["scenario", x], "summary")
    fig, ax = _figure_and_axes(ax)
    for scenario, colour in _colours(summary["scenario"]):
        rows = summary[summary["scenario"] == scenario].sort_values(x)
        ax.plot(rows[x], rows["mean"], color=colour, marker=".", label=_label(scenario))
        ax.fill_between(rows[x], rows["ci_low"], rows["ci_high"], color=colour, alpha=0.2)
    ax.set_xlabel("Year" if x == "calendar_year" else _YEAR_LABEL)
    ax.set_ylabel(metric_label)
    ax.set_title(title or f"{metric_label} by scenario")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    _finish(ax)
    _caption(
        ax,
        f"Lines: mean of {_n_text(summary['n'])} runs per scenario and year; "
        f"bands: {_level(summary):.0%} CI of the mean (t-interval).",
    )
    return fig


def plot_paired_differences(
    differences: pd.DataFrame,
    *,
    baseline: str,
    metric_label: str,
    better: Literal["lower", "higher"] | None = "lower",
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Each scenario minus the baseline over time, paired by replicate, with confidence bands.

    Args:
        differences: From :func:`edsim.analysis.paired_differences` (pooled, or one point).
        baseline: The baseline scenario the differences are taken from.
        metric_label: What the metric is, with units, e.g. ``"KS4 gap index (0-10)"``.
        better: Which direction is an improvement (``"lower"`` for gap indices), stated on the
            figure; ``None`` to say nothing.
        ax: Axes to draw into; a new figure is made when omitted.
        title: Figure title; a descriptive default when omitted.

    Returns:
        The figure drawn into.

    Raises:
        ValueError: A column is missing, or several design points are mixed.
    """
    x = "calendar_year" if "calendar_year" in differences.columns else "year"
    _require(differences, ("scenario", x, "n_pairs", "mean_diff", "ci_low", "ci_high"), "table")
    _require_unique(differences, ["scenario", x], "differences")
    fig, ax = _figure_and_axes(ax)
    ax.axhline(0.0, color="black", linewidth=0.8, label=f"No difference from {_label(baseline)}")
    for scenario, colour in _colours(differences["scenario"]):
        rows = differences[differences["scenario"] == scenario].sort_values(x)
        ax.plot(rows[x], rows["mean_diff"], color=colour, marker=".", label=_label(scenario))
        ax.fill_between(rows[x], rows["ci_low"], rows["ci_high"], color=colour, alpha=0.2)
    ax.set_xlabel("Year" if x == "calendar_year" else _YEAR_LABEL)
    ax.set_ylabel(f"Difference from {_label(baseline)}\n{metric_label}")
    ax.set_title(title or f"{metric_label}: each scenario minus {_label(baseline)}")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    _finish(ax)
    direction = ""
    if better is not None:
        side = "Below" if better == "lower" else "Above"
        direction = f" {side} 0: {better} than under {_label(baseline)} (better)."
    _caption(
        ax,
        f"Mean paired difference over {_n_text(differences['n_pairs'])} pairs of runs with the "
        f"same seed; bands: {_level(differences):.0%} CI (paired t).{direction}",
    )
    return fig


def plot_gap_by_quintile(
    trajectories: pd.DataFrame,
    *,
    year: int,
    key_stage: str = "ks4",
    level: float = 0.95,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Mean gap (SD) per scenario in each school-disadvantage quintile, with CI error bars.

    Args:
        trajectories: Long results with ``{key_stage}_gap_sd_q1`` … ``_q5``.
        year: Year since the start (0 = before any evidence system).
        key_stage: ``"ks2"`` or ``"ks4"``.
        level: Confidence level of the error bars.
        ax: Axes to draw into; a new figure is made when omitted.
        title: Figure title; a descriptive default when omitted.

    Returns:
        The figure drawn into.

    Raises:
        ExperimentError: Unknown key stage or year, or missing quintile columns.
    """
    table = gap_by_quintile(trajectories, year=year, key_stage=key_stage, level=level)
    fig, ax = _figure_and_axes(ax)
    scenarios = list(_colours(table["scenario"]))
    width = 0.8 / max(len(scenarios), 1)
    for i, (scenario, colour) in enumerate(scenarios):
        rows = table[table["scenario"] == scenario].sort_values("quintile")
        centre = rows["quintile"].to_numpy() + (i - (len(scenarios) - 1) / 2) * width
        errors = np.vstack([rows["mean"] - rows["ci_low"], rows["ci_high"] - rows["mean"]])
        ax.bar(centre, rows["mean"], width, color=colour, label=_label(scenario))
        ax.errorbar(centre, rows["mean"], yerr=errors, fmt="none", ecolor="black", capsize=3)
    ax.set_xticks(
        list(QUINTILE_LABELS), [label.replace(" (", "\n(") for label in QUINTILE_LABELS.values()]
    )
    ax.set_xlabel("Schools by quintile of disadvantage")
    ax.set_ylabel(f"{key_stage.upper()} attainment gap (SD)\nothers minus disadvantaged")
    ax.axhline(0.0, color="black", linewidth=0.8)
    when = _when(trajectories, year)
    ax.set_title(title or f"{key_stage.upper()} disadvantage gap by school disadvantage, {when}")
    ax.grid(alpha=0.3, axis="y")
    # Outside the axes, on the right: inside, it would cover the tallest bars (Q5 usually).
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
    _caption(
        ax,
        f"Bars: mean over {_n_text(table['n'])} runs per scenario; "
        f"error bars: {level:.0%} CI of the mean (t-interval).",
    )
    return fig


def plot_sweep_heatmap(
    table: pd.DataFrame,
    *,
    x: str,
    y: str,
    value: str,
    value_label: str | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """A value over a two-parameter grid, coloured around 0, cells marked where the CI excludes 0.

    Typical use: the mean paired difference of one scenario from the baseline in the final
    year, per design point of a grid sweep, with the parameters attached by
    :func:`edsim.analysis.with_parameters`. Blue is below 0, red above.

    Args:
        table: One row per grid cell with columns ``x``, ``y``, ``value`` and, to mark cells
            whose interval excludes 0, ``ci_low`` and ``ci_high``.
        x: Parameter on the horizontal axis (e.g. ``"truth.heterogeneity"``).
        y: Parameter on the vertical axis.
        value: Column to colour by (e.g. ``"mean_diff"``).
        value_label: Colour-bar label with units; ``value`` when omitted.
        ax: Axes to draw into; a new figure is made when omitted.
        title: Figure title; a descriptive default when omitted.

    Returns:
        The figure drawn into.

    Raises:
        ValueError: A column is missing, or a cell has several rows (filter to one scenario and
            one year first).
    """
    _require(table, (x, y, value), "table")
    _require_unique(table, [x, y], "table", hint="filter to one scenario and one year")
    grid = table.pivot(index=y, columns=x, values=value).sort_index().sort_index(axis=1)
    marked = None
    if {"ci_low", "ci_high"} <= set(table.columns):
        excludes = (table["ci_low"] > 0) | (table["ci_high"] < 0)
        marked = table.assign(_m=excludes).pivot(index=y, columns=x, values="_m")
        marked = marked.reindex(index=grid.index, columns=grid.columns).fillna(False)
    values = grid.to_numpy(dtype=float)
    finite = np.abs(values[np.isfinite(values)])
    half = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    fig, ax = _figure_and_axes(ax)
    cmap = colormaps["RdBu_r"].with_extremes(bad="0.85")
    image = ax.imshow(
        np.ma.masked_invalid(values),
        cmap=cmap,
        norm=CenteredNorm(vcenter=0.0, halfrange=half),
        origin="lower",
        aspect="auto",
    )
    for (row, col), cell in np.ndenumerate(values):
        significant = bool(marked is not None and marked.iat[row, col])
        text = "–" if not np.isfinite(cell) else f"{cell:.2f}" + ("*" if significant else "")
        colour = "white" if np.isfinite(cell) and abs(cell) > 0.6 * half else "black"
        weight = "bold" if significant else "normal"
        ax.text(col, row, text, ha="center", va="center", color=colour, fontweight=weight)
    ax.set_xticks(range(grid.shape[1]), [_tick(v) for v in grid.columns])
    ax.set_yticks(range(grid.shape[0]), [_tick(v) for v in grid.index])
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    label = value_label or value
    fig.colorbar(image, ax=ax, label=label)
    ax.set_title(title or f"{label} across {x} and {y}")
    if marked is not None:
        _caption(ax, f"* and bold: the {_level(table):.0%} CI excludes 0. Grey: no result.")
    return fig


def plot_sensitivity(
    indices: pd.DataFrame,
    *,
    method: Literal["sobol", "morris"],
    outcome_label: str | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """Bar chart of sensitivity indices per parameter, with bootstrap confidence intervals.

    Args:
        indices: From :func:`edsim.analysis.sobol_indices` (``method="sobol"``: S1 and ST bars)
            or :func:`edsim.analysis.morris_indices` (``method="morris"``: mu_star bars).
        method: Which analysis produced ``indices``.
        outcome_label: The outcome analysed, for the title (e.g. ``"final KS4 gap index"``).
        ax: Axes to draw into; a new figure is made when omitted.
        title: Figure title; a descriptive default when omitted.

    Returns:
        The figure drawn into.

    Raises:
        ValueError: Unknown method, or a column is missing.
    """
    bars: tuple[tuple[str, str], ...]
    if method == "sobol":
        bars = (("S1", "First order (S1): alone"), ("ST", "Total (ST): with interactions"))
        ylabel = "Sobol index (share of outcome variance)"
    elif method == "morris":
        bars = (("mu_star", "μ*: mean |elementary effect|"),)
        ylabel = "μ* (outcome units per full parameter range)"
    else:
        raise ValueError(f"method must be 'sobol' or 'morris', not {method!r}")
    _require(
        indices, ("parameter", *(f"{c}{s}" for c, _ in bars for s in ("", "_conf"))), "indices"
    )
    fig, ax = _figure_and_axes(ax)
    positions = np.arange(len(indices))
    width = 0.8 / len(bars)
    colours = ("tab:blue", "tab:orange")
    for i, (column, label) in enumerate(bars):
        offset = (i - (len(bars) - 1) / 2) * width
        ax.bar(
            positions + offset,
            indices[column],
            width,
            yerr=indices[f"{column}_conf"],
            capsize=3,
            color=colours[i],
            label=label,
        )
    names = [str(name) for name in indices["parameter"]]
    if max(map(len, names), default=0) > 12:  # dotted paths: slant them so they do not collide
        ax.set_xticks(positions, names, rotation=30, ha="right")
    else:
        ax.set_xticks(positions, names)
    ax.set_xlabel("Parameter")
    ax.set_ylabel(ylabel)
    ax.axhline(0.0, color="black", linewidth=0.8)
    name = "Sobol indices" if method == "sobol" else "Morris screening"
    of = f" of {outcome_label}" if outcome_label else ""
    ax.set_title(title or f"Sensitivity{of}: {name}")
    ax.grid(alpha=0.3, axis="y")
    ax.legend()
    _caption(ax, f"Error bars: {_level(indices):.0%} bootstrap CI.")
    return fig


def _colours(scenarios: Iterable[str]) -> Iterable[tuple[str, str]]:
    """(scenario, colour) in a stable order: the regimes first, then others alphabetically."""
    present = set(scenarios)
    known = [s for s in _REGIME_COLOURS if s in present]
    others = sorted(present - set(known))
    yield from ((s, _REGIME_COLOURS[s]) for s in known)
    for i, scenario in enumerate(others):
        yield scenario, _OTHER_COLOURS[i % len(_OTHER_COLOURS)]


def _label(scenario: str) -> str:
    return _REGIME_LABELS.get(scenario, scenario)


def _n_text(counts: pd.Series) -> str:
    """``n = 10``, or ``n = 8-10`` when failures left groups unequal."""
    values = counts.dropna()
    values = values[values > 0]
    if values.empty:
        return "n = 0"
    low, high = int(values.min()), int(values.max())
    return f"n = {low}" if low == high else f"n = {low}–{high}"


def _level(frame: pd.DataFrame) -> float:
    """The confidence level the analysis recorded (95% if it did not)."""
    return float(frame.attrs.get("level", 0.95))


def _when(trajectories: pd.DataFrame, year: int) -> str:
    """``year 5 (2016)`` when the calendar year is known, else ``year 5``."""
    if "calendar_year" in trajectories.columns:
        calendar = trajectories.loc[trajectories["year"] == year, "calendar_year"].unique()
        if len(calendar) == 1:
            return f"year {year} ({int(calendar[0])})"
    return f"year {year}"


def _tick(value: object) -> str:
    return f"{value:g}" if isinstance(value, float | np.floating) else str(value)


def _caption(ax: Axes, text: str) -> None:
    """A small note under the x label, aligned with the axes' left edge.

    Anchored to the x label's bounding box (not a fixed offset), so it never overlaps
    multi-line tick labels; constrained layout and ``bbox_inches="tight"`` keep it in the figure.
    """
    ax.annotate(
        text,
        xy=(0.0, 0.0),
        xycoords=("axes fraction", ax.xaxis.label),
        xytext=(0, -6),
        textcoords="offset points",
        va="top",
        fontsize="small",
        color="0.3",
        wrap=True,
        gid="caption",
    )


def _finish(ax: Axes) -> None:
    ax.grid(alpha=0.3)
    ax.legend()


def _require(df: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    """Fail with the missing column names rather than a bare KeyError deep in matplotlib."""
    missing = [column for column in columns if column not in df.columns]
    if missing:
        raise ValueError(f"{what} is missing column(s): {', '.join(missing)}")


def _require_unique(
    df: pd.DataFrame, keys: Sequence[str], what: str, hint: str | None = None
) -> None:
    """Refuse tables that would draw several values at one position (e.g. mixed design points)."""
    if df.duplicated(list(keys)).any():
        advice = hint or "select one design point, or pool points when analysing"
        raise ValueError(f"{what} has several rows per {' and '.join(keys)}; {advice}")
