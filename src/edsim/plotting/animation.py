"""Animate one run, or two side by side, as a GIF for slides (``edsim animate``).

Each frame adds one year to four panels (the gap index, the share reaching the KS4 standard by
group, schools reached, and the evidence base's error), so the divergence between two regimes
builds up the way it does in the browser app. The first trajectory is drawn solid, the second
dashed, in the same colours as the app. Frames are written with matplotlib's ``PillowWriter``
into a temporary file beside the target, which is then moved into place, so an interrupted
render never leaves a truncated GIF that looks complete.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
from matplotlib.animation import PillowWriter
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from edsim.errors import EdsimError, OutputError
from edsim.io.outputs import ensure_writable_dir

__all__ = ["PANELS", "AnimationInputError", "animate_trajectories"]


class AnimationInputError(EdsimError):
    """What was given to animate cannot be animated (wrong file type, missing columns)."""


#: Panels: title, (column, label, colour) per line, y-axis as a share.
PANELS: tuple[tuple[str, tuple[tuple[str, str, str], ...], bool], ...] = (
    (
        "Disadvantage gap index",
        (("ks2_gap_index", "KS2", "#1f77b4"), ("ks4_gap_index", "KS4", "#ff7f0e")),
        False,
    ),
    (
        "KS4 grade 4+ English and maths",
        (
            ("ks4_standard_dis", "disadvantaged", "#d62728"),
            ("ks4_standard_other", "others", "#1f77b4"),
        ),
        True,
    ),
    (
        "Schools reached by the evidence system (ever)",
        (("schools_reached_cumulative", "schools", "#9467bd"),),
        False,
    ),
    (
        "Evidence base error against the hidden truth",
        (
            ("evidence_error_national", "national", "#9467bd"),
            ("evidence_error_context", "for each context", "#ff7f0e"),
        ),
        False,
    ),
)
_STYLES = ("-", "--")


def _check(trajectories: Mapping[str, pd.DataFrame]) -> None:
    if not 1 <= len(trajectories) <= len(_STYLES):
        raise AnimationInputError("give one trajectory, or two to compare side by side")
    needed = {"year"} | {column for _, lines, _ in PANELS for column, _, _ in lines}
    for label, df in trajectories.items():
        missing = sorted(needed - set(df.columns))
        if missing:
            raise AnimationInputError(
                f"{label}: not an edsim trajectory (missing column(s): {', '.join(missing)})"
            )
        if df.empty:
            raise AnimationInputError(f"{label}: the trajectory has no rows")


def animate_trajectories(
    trajectories: Mapping[str, pd.DataFrame],
    path: str | os.PathLike[str],
    *,
    fps: int = 3,
    title: str | None = None,
    dpi: int = 80,
) -> Path:
    """Write a GIF in which the years of one or two runs appear one frame at a time.

    Args:
        trajectories: Label (the legend's name, e.g. the regime) to trajectory, one or two;
            each as ``edsim.run`` returns it or ``edsim run`` writes it.
        path: The GIF to write; its directory is created.
        fps: Frames (years) per second.
        title: Figure title; a description of what is compared when omitted.
        dpi: Resolution (80 gives a ~900 x 600 pixel GIF).

    Returns:
        The written path.

    Raises:
        AnimationInputError: Not one or two trajectories, or one lacks the plotted columns.
        OutputError: The file cannot be written.
    """
    _check(trajectories)
    target = Path(path)
    ensure_writable_dir(target.parent)
    labels = list(trajectories)
    frames = pd.concat([df["year"] for df in trajectories.values()]).drop_duplicates()
    years = sorted(int(y) for y in frames)

    fig = Figure(figsize=(11, 7), layout="constrained")
    axes = fig.subplots(2, 2).flat
    fig.suptitle(title or " versus ".join(labels) + " (same seed)")
    artists = []
    for ax, (panel_title, lines, share) in zip(axes, PANELS, strict=True):
        ax.set_title(panel_title, fontsize=11)
        ax.set_xlim(years[0], max(years[-1], years[0] + 1))
        values = pd.concat(
            [df[c] for df in trajectories.values() for c, _, _ in lines], ignore_index=True
        ).astype(float)
        low, high = float(values.min()), float(values.max())
        margin = 0.08 * (high - low) or 0.1
        ax.set_ylim(0 if low >= 0 and share else low - margin, high + margin)
        if share:
            ax.yaxis.set_major_formatter(PercentFormatter(xmax=1))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        for label, style in zip(labels, _STYLES, strict=False):
            for column, line_label, colour in lines:
                (artist,) = ax.plot(
                    [],
                    [],
                    style,
                    color=colour,
                    marker="o",
                    markersize=3,
                    label=f"{line_label}, {label}",
                )
                artists.append((artist, trajectories[label], column))
        ax.legend(fontsize=8, loc="best")
    year_text = fig.text(0.01, 0.985, "", fontsize=13, fontweight="bold", va="top")

    writer = PillowWriter(fps=fps)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp.gif")
    try:
        with writer.saving(fig, str(tmp), dpi):
            for year in years:
                for artist, df, column in artists:
                    shown = df[df["year"] <= year]
                    artist.set_data(shown["year"].to_numpy(), shown[column].to_numpy())
                year_text.set_text(str(year))
                writer.grab_frame()
        os.replace(tmp, target)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
    return target
