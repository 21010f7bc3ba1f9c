"""Figures of simulated trajectories and of experiments' results."""

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
