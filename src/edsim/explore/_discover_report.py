"""A discovery's tables and figures, written into the results directory's ``discovery/``.

Every file is written atomically (:func:`edsim.io.write_atomically`), under the results
directory's lock, so a reader never sees half a table and a batch resuming into the directory
at the same time is refused rather than interleaved.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from edsim.io import ensure_writable_dir, save_figure, write_atomically

from .discovery import SIGNIFICANT_QP, Box, Discovery

__all__ = ["DISCOVERY_DIR", "box_markdown", "csv_writer", "text_writer", "write_discovery"]

DISCOVERY_DIR = "discovery"


def write_discovery(
    discovery: Discovery,
    out_dir: str | os.PathLike[str],
    *,
    cart: str | None = None,
    formats: Sequence[str] = ("png", "svg"),
) -> list[Path]:
    """Write the points, the trajectory, the chosen box and the three figures.

    Args:
        discovery: The discovery, with the box to report chosen.
        out_dir: The directory to write into (usually ``RESULTS/discovery``).
        cart: CART rules to save beside them (``cart.txt``), if computed.
        formats: Figure formats.
    """
    directory = ensure_writable_dir(out_dir)
    box = discovery.box()
    written = []
    tables = {
        "points.csv": discovery.points,
        "peeling_trajectory.csv": discovery.trajectory,
        "box_limits.csv": box.limits,
    }
    for name, frame in tables.items():
        path = directory / name
        write_atomically(path, csv_writer(frame))
        written.append(path)
    texts = {"box.md": box_markdown(discovery, box)}
    if cart is not None:
        texts["cart.txt"] = cart
    for name, text in texts.items():
        path = directory / name
        write_atomically(path, text_writer(text))
        written.append(path)
    figures = {
        "peeling_tradeoff": _tradeoff(discovery),
        "box_limits": _limits(discovery, box),
        "box_scatter": _scatter(discovery, box),
    }
    for stem, figure in figures.items():
        written += [save_figure(figure, directory / f"{stem}.{fmt}") for fmt in formats]
    return written


def csv_writer(frame: pd.DataFrame) -> Callable[[Path], object]:
    """What :func:`write_atomically` calls to write ``frame`` as CSV to its temporary file."""
    return lambda tmp: frame.to_csv(tmp, index=False)


def text_writer(text: str) -> Callable[[Path], object]:
    """What :func:`write_atomically` calls to write ``text`` to its temporary file."""
    return lambda tmp: tmp.write_text(text)


def box_markdown(discovery: Discovery, box: Box) -> str:
    """The chosen box as Markdown: what a case is, the box's statistics, then its limits."""
    cases = int(discovery.points["case"].sum())
    lines = [
        f"# Scenario discovery: {discovery.name}",
        "",
        f"Case of interest: {discovery.case_text} "
        f"({cases} of {len(discovery.points)} design points, base rate {discovery.base_rate:.3f}).",
        "",
        f"Box {box.index} of {len(discovery.trajectory) - 1}: coverage {box.coverage:.3f}, "
        f"density {box.density:.3f}, mass {box.mass:.3f} "
        f"(density / base rate {box.density / discovery.base_rate:.2f}).",
        "",
        "| parameter | box min | box max | design range | quasi-p |",
        "| --- | ---: | ---: | --- | ---: |",
    ]
    for row in box.limits.to_dict("records"):
        qp = f"{row['qp_value']:.2g}" if row["restricted"] else "(not restricted)"
        lines.append(
            f"| {row['parameter']} | {row['min']:.4g} | {row['max']:.4g} | "
            f"{row['range_min']:.4g}-{row['range_max']:.4g} | {qp} |"
        )
    return "\n".join(lines) + "\n"


def _tradeoff(discovery: Discovery) -> Figure:
    """Coverage against density along the peeling trajectory, the chosen box marked."""
    trajectory = discovery.trajectory
    figure = Figure(figsize=(6.5, 5))
    ax = figure.add_subplot()
    points = ax.scatter(
        trajectory["coverage"], trajectory["density"], c=trajectory["restricted"], cmap="viridis"
    )
    figure.colorbar(points, ax=ax, label="Parameters restricted")
    chosen = trajectory.iloc[discovery.chosen]
    ax.scatter(
        [chosen["coverage"]],
        [chosen["density"]],
        s=160,
        facecolors="none",
        edgecolors="red",
        label=f"Chosen box {discovery.chosen}",
    )
    ax.axhline(discovery.base_rate, color="grey", ls=":", label="Base rate (all points)")
    ax.set_xlabel("Coverage (share of all cases inside the box)")
    ax.set_ylabel("Density (share of the box's points that are cases)")
    ax.set_title(f"PRIM peeling trajectory: {discovery.name}")
    ax.legend(loc="lower left", fontsize=8)
    _caption(figure, discovery)
    return figure


def _limits(discovery: Discovery, box: Box) -> Figure:
    """Each parameter's box limits against its design range (scaled to 0-1), with quasi-p."""
    limits = box.limits
    figure = Figure(figsize=(7, 1.0 + 0.6 * len(limits)))
    ax = figure.add_subplot()
    for i, row in enumerate(limits.to_dict("records")):
        start, span = row["range_min"], (row["range_max"] - row["range_min"]) or 1.0
        low, high = (row["min"] - start) / span, (row["max"] - start) / span
        ax.plot([0, 1], [i, i], color="lightgrey", lw=8, solid_capstyle="butt")
        colour = "tab:red" if row["restricted"] else "tab:grey"
        ax.plot([low, high], [i, i], color=colour, lw=8, solid_capstyle="butt")
        text = (
            f"{row['min']:.3g} to {row['max']:.3g}, qp {row['qp_value']:.2g}"
            if row["restricted"]
            else "not restricted"
        )
        ax.text(1.02, i, text, va="center", fontsize=8)
    ax.set_yticks(range(len(limits)), labels=list(limits["parameter"]))
    ax.set_xlim(0, 1)
    ax.set_xlabel("Position in the design range (0 = its minimum, 1 = its maximum)")
    ax.set_title(
        f"Box {box.index}: coverage {box.coverage:.2f}, density {box.density:.2f}, "
        f"mass {box.mass:.2f}"
    )
    ax.invert_yaxis()
    _caption(figure, discovery)
    return figure


def _scatter(discovery: Discovery, box: Box, most: int = 4) -> Figure:
    """Pairwise scatter of the most significant restricted parameters, cases coloured, box drawn."""
    names = list(box.restricted["parameter"])[:most]
    names += [n for n in discovery.ranges if n not in names][: max(0, 2 - len(names))]
    points = discovery.points
    limits: dict[Any, Any] = box.limits.set_index("parameter").to_dict("index")
    k = len(names)
    if k < 2:  # a one-parameter design: the outcome against the parameter
        figure = Figure(figsize=(6, 4.5))
        ax = figure.add_subplot()
        ax.scatter(points[names[0]], points["value"], c=_colours(points), s=10)
        ax.axvspan(limits[names[0]]["min"], limits[names[0]]["max"], color="red", alpha=0.1)
        ax.set_xlabel(names[0])
        ax.set_ylabel("Outcome")
        _caption(figure, discovery)
        return figure
    figure = Figure(figsize=(3.2 * (k - 1) + 1, 3.2 * (k - 1) + 1))
    axes = figure.subplots(k - 1, k - 1, squeeze=False)
    for row in range(k - 1):
        for col in range(k - 1):
            ax = axes[row][col]
            if col > row:
                ax.set_axis_off()
                continue
            x_name, y_name = names[col], names[row + 1]
            ax.scatter(points[x_name], points[y_name], c=_colours(points), s=6, alpha=0.7)
            x0, x1 = limits[x_name]["min"], limits[x_name]["max"]
            y0, y1 = limits[y_name]["min"], limits[y_name]["max"]
            ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, ec="red", lw=1.5))
            if row == k - 2:
                ax.set_xlabel(x_name, fontsize=8)
            if col == 0:
                ax.set_ylabel(y_name, fontsize=8)
    figure.suptitle(
        f"Cases (red) and other points (grey), box {box.index} in red: {discovery.name}"
    )
    _caption(figure, discovery)
    return figure


def _colours(points: pd.DataFrame) -> np.ndarray:
    return np.where(points["case"].to_numpy(dtype=bool), "tab:red", "lightgrey")


def _caption(figure: Figure, discovery: Discovery) -> None:
    significant = f"quasi-p < {SIGNIFICANT_QP} marks a restriction unlikely to be chance"
    figure.text(
        0.01,
        -0.5 / figure.get_figheight(),  # below the axis labels, however tall the figure
        f"Case: {discovery.case_text}; {len(discovery.points)} design points, each the mean "
        f"over its replicates; {significant}.",
        fontsize=7,
        wrap=True,
    )
