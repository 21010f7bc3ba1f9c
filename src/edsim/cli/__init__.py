"""The ``edsim`` command line: one Typer app, its commands grouped by what they work on.

- :mod:`.scenarios`: one scenario (run, validate, baseline, show, diff, schema);
- :mod:`.experiments`: batches of runs (batch, compare, plot, sensitivity);
- :mod:`.calibrate`: fitting parameters to observed patterns (calibrate);
- :mod:`.viz`: the browser app and animations (viz, animate);
- :mod:`.explore`: scenario discovery and policy search (discover, optimise).
"""

from __future__ import annotations

# Imported for their side effect: each module registers its commands on ``app``.
from . import calibrate, experiments, explore, scenarios, viz  # noqa: F401
from ._common import app
from .scenarios import summary_table

__all__ = ["app", "main", "summary_table"]


def main() -> None:
    """Entry point of the ``edsim`` console script and ``python -m edsim``."""
    app(prog_name="edsim")
