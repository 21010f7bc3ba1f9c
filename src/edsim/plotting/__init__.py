"""Figures of simulated trajectories."""

from edsim.plotting.trajectories import plot_gap_trajectories, plot_shares_at_standard

__all__ = ["plot_gap_trajectories", "plot_shares_at_standard"]
