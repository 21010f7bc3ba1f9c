"""A calibration's figures: what the data taught about the parameters, and how well it fits.

* ``marginals.png``: each parameter's prior (uniform) against its weighted posterior;
* ``pairwise.png``: the posterior's particles for every pair of parameters (sized by weight);
* ``predictive.png``: each observed metric over the calibration window, the posterior-predictive
  median with 50% and 90% bands (parameter uncertainty and seed noise) against the observed
  points with their SD;
* ``prediction.png``: the same to ``predict.until``, the window marked.

Built on :class:`matplotlib.figure.Figure`, never pyplot (as :mod:`edsim.plotting` does), and
saved atomically.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from edsim.io import save_figure

from .spec import Calibration

__all__ = ["write_figures"]


def write_figures(
    calibration: Calibration, posterior: pd.DataFrame, predictive: pd.DataFrame, out: Path
) -> list[Path]:
    """Draw every figure into ``out`` (created); returns the files written."""
    written = [save_figure(_marginals(calibration, posterior), out / "marginals.png")]
    if len(calibration.priors) >= 2:
        written.append(save_figure(_pairwise(calibration, posterior), out / "pairwise.png"))
    end = calibration.start_year + calibration.years
    window = predictive[predictive["calendar_year"] <= end]
    written.append(save_figure(_bands(calibration, window, "fit"), out / "predictive.png"))
    written.append(
        save_figure(_bands(calibration, predictive, "prediction"), out / "prediction.png")
    )
    return written


def _marginals(calibration: Calibration, posterior: pd.DataFrame) -> Figure:
    names = list(calibration.priors)
    fig = Figure(figsize=(4.2 * len(names), 3.4), layout="constrained")
    axes = fig.subplots(1, len(names), squeeze=False)[0]
    weights = posterior["weight"].to_numpy()
    for ax, name in zip(axes, names, strict=True):
        low, high = calibration.priors[name]
        bins = np.linspace(low, high, 21)
        ax.hist(
            posterior[name],
            bins=bins,
            weights=weights,
            density=True,
            alpha=0.7,
            color="tab:blue",
            label="posterior",
        )
        ax.hlines(1 / (high - low), low, high, colors="tab:gray", linestyles="--", label="prior")
        ax.set_xlabel(name)
        ax.set_ylabel("density")
        ax.legend(frameon=False, fontsize="small")
    fig.suptitle(f"{calibration.name}: prior (uniform) and posterior of each parameter")
    return fig


def _pairwise(calibration: Calibration, posterior: pd.DataFrame) -> Figure:
    names = list(calibration.priors)
    n = len(names)
    fig = Figure(figsize=(2.8 * n, 2.8 * n), layout="constrained")
    axes = fig.subplots(n, n, squeeze=False)
    size = 400 * posterior["weight"].to_numpy() / posterior["weight"].max() * 0.1 + 2
    for i, row in enumerate(names):
        for j, column in enumerate(names):
            ax = axes[i][j]
            if i == j:
                bins = np.linspace(*calibration.priors[row], 21)
                ax.hist(posterior[row], bins=bins, weights=posterior["weight"], color="tab:blue")
                ax.set_xlim(calibration.priors[row])
            else:
                ax.scatter(posterior[column], posterior[row], s=size, alpha=0.5, color="tab:blue")
                ax.set_xlim(calibration.priors[column])
                ax.set_ylim(calibration.priors[row])
            if i == n - 1:
                ax.set_xlabel(column, fontsize="small")
            if j == 0:
                ax.set_ylabel(row, fontsize="small")
    fig.suptitle(f"{calibration.name}: posterior particles by pair (area ~ weight)")
    return fig


def _bands(calibration: Calibration, predictive: pd.DataFrame, what: str) -> Figure:
    metrics = calibration.metrics()
    fig = Figure(figsize=(5.0 * len(metrics), 3.8), layout="constrained")
    axes = fig.subplots(1, len(metrics), squeeze=False)[0]
    end = calibration.start_year + calibration.years
    for ax, metric in zip(axes, metrics, strict=True):
        per_draw = predictive.groupby(["draw", "calendar_year"])[metric].mean().unstack("draw")
        years = per_draw.index.to_numpy()
        q = np.nanquantile(per_draw.to_numpy(), [0.05, 0.25, 0.5, 0.75, 0.95], axis=1)
        ax.fill_between(years, q[0], q[4], color="tab:blue", alpha=0.18, label="90% band")
        ax.fill_between(years, q[1], q[3], color="tab:blue", alpha=0.35, label="50% band")
        ax.plot(years, q[2], color="tab:blue", label="median")
        for pattern in (o for o in calibration.observed if o.metric == metric):
            ax.errorbar(
                pattern.years,
                pattern.values,
                yerr=pattern.sd,
                fmt="o",
                color="black",
                capsize=3,
                label="observed (± SD)",
            )
        if what == "prediction":
            ax.axvspan(
                calibration.start_year, end, color="tab:gray", alpha=0.1, label="calibration window"
            )
        ax.set_xlabel("calendar year")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # years, never 2011.5
        ax.set_ylabel(metric)
        ax.legend(frameon=False, fontsize="small")
    n = int(predictive["draw"].nunique())
    seeds = len(calibration.seeds)
    title = "posterior-predictive fit" if what == "fit" else f"prediction to {years.max()}"
    fig.suptitle(
        f"{calibration.name}: {title} ({n} posterior draws x {seeds} seeds; bands over the "
        "draws' seed means: parameter uncertainty)"
    )
    return fig
