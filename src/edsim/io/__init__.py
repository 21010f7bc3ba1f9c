"""Writing results: trajectories and figures, atomically, with clear errors."""

from edsim.io.outputs import ensure_writable_dir, save_figure, write_atomically, write_trajectory

__all__ = ["ensure_writable_dir", "save_figure", "write_atomically", "write_trajectory"]
