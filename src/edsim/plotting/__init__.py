"""Figures of simulated trajectories and of experiments' results.

The names are imported on first use (PEP 562): ``edsim run`` draws one trajectory figure and
should not import the experiment figures' analysis layer (SciPy's statistics) to do it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from edsim.plotting.experiment import (
        plot_gap_by_quintile,
        plot_metric_bands,
        plot_paired_differences,
        plot_sensitivity,
        plot_sweep_heatmap,
    )
    from edsim.plotting.trajectories import plot_gap_trajectories, plot_shares_at_standard

__all__ = [
    "plot_gap_by_quintile",
    "plot_gap_trajectories",
    "plot_metric_bands",
    "plot_paired_differences",
    "plot_sensitivity",
    "plot_shares_at_standard",
    "plot_sweep_heatmap",
]

_MODULE = {
    "plot_gap_trajectories": "edsim.plotting.trajectories",
    "plot_shares_at_standard": "edsim.plotting.trajectories",
}


def __getattr__(name: str) -> Any:
    """Import a figure function from its module the first time it is used."""
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_MODULE.get(name, "edsim.plotting.experiment")), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's names, the figure functions included before they are first imported."""
    return sorted({*globals(), *__all__})
