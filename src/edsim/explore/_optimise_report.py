"""A search's tables and figures: every trial, the best (or the Pareto front), convergence, cost.

Written into the search's output directory beside its study, each file atomically, while the
search still holds the directory's lock.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from edsim.io import ensure_writable_dir, save_figure, write_atomically

from ._discover_report import csv_writer
from .search import SearchResult

__all__ = ["write_search"]


def write_search(
    result: SearchResult,
    out_dir: str | os.PathLike[str],
    *,
    formats: Sequence[str] = ("png", "svg"),
) -> list[Path]:
    """Write ``trials.csv``, ``best.csv`` (and ``pareto.csv`` for two objectives) and figures."""
    directory = ensure_writable_dir(out_dir)
    tables = {"trials.csv": result.trials, "best.csv": result.best}
    if result.optimisation.search.pareto:
        tables["pareto.csv"] = result.pareto
    written = []
    for name, frame in tables.items():
        path = directory / name
        write_atomically(path, csv_writer(frame))
        written.append(path)
    if result.trials.empty or not result.trials["objective"].notna().any():
        return written
    figures = {"convergence": _convergence(result), "gap_vs_spend": _tradeoff(result)}
    for stem, figure in figures.items():
        written += [save_figure(figure, directory / f"{stem}.{fmt}") for fmt in formats]
    return written


def _objective_label(result: SearchResult) -> str:
    spec = result.optimisation
    statistic = "mean" if spec.percentile is None else f"{spec.percentile:g}th percentile"
    return f"{spec.metric}, {statistic} across the uncertainty draws"


def _convergence(result: SearchResult) -> Figure:
    """Each trial's objective, feasible or over budget, and the best feasible one so far."""
    trials = result.trials
    figure = Figure(figsize=(7, 4.5))
    ax = figure.add_subplot()
    done = trials[trials["objective"].notna()]
    feasible = done[done["feasible"]]
    over = done[~done["feasible"]]
    ax.scatter(feasible["trial"], feasible["objective"], s=18, label="Trial within budget")
    if not over.empty:
        ax.scatter(
            over["trial"],
            over["objective"],
            s=18,
            marker="x",
            c="tab:red",
            label="Trial over budget",
        )
    if not feasible.empty:
        best = feasible["objective"].cummin()
        ax.step(feasible["trial"], best, where="post", color="black", label="Best so far")
    ax.set_xlabel("Trial")
    ax.set_ylabel(_objective_label(result))
    ax.set_title(f"Search convergence: {result.optimisation.name}")
    ax.legend(fontsize=8)
    _caption(figure, result)
    return figure


def _tradeoff(result: SearchResult) -> Figure:
    """Objective against mean spend for every trial; the budget line and the front marked."""
    spec = result.optimisation
    trials = result.trials
    done = trials[trials["objective"].notna()]
    figure = Figure(figsize=(7, 4.5))
    ax = figure.add_subplot()
    colours = np.where(done["feasible"], "tab:blue", "tab:red")
    ax.scatter(done["spend_mean"] / 1e6, done["objective"], c=colours, s=18)
    front = result.pareto
    if not front.empty:
        ax.plot(
            front["spend_mean"] / 1e6,
            front["objective"],
            "k-o",
            ms=4,
            label="Front (no trial cheaper and better)",
        )
    best = result.best
    if not best.empty:
        ax.scatter(
            best["spend_mean"].iloc[:1] / 1e6,
            best["objective"].iloc[:1],
            s=180,
            facecolors="none",
            edgecolors="green",
            label="Best within budget",
        )
    if spec.search.budget is not None:
        ax.axvline(spec.search.budget / 1e6, color="tab:red", ls=":", label="Budget")
    ax.set_xlabel(f"Mean {spec.search.spend_metric} across draws (GBP million)")
    ax.set_ylabel(_objective_label(result))
    ax.set_title(f"Gap against evidence-system spend: {spec.name}")
    ax.legend(fontsize=8)
    _caption(figure, result)
    return figure


def _caption(figure: Figure, result: SearchResult) -> None:
    experiment = result.optimisation.experiment
    n = len(result.trials)
    figure.text(
        0.01,
        -0.5 / figure.get_figheight(),
        f"{n} trials, each over the same {experiment.design.n_points} uncertainty draws x "
        f"{experiment.replicates} replicates with the same seeds (common random numbers); "
        "red: over budget.",
        fontsize=7,
        wrap=True,
    )
