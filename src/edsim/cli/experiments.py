"""Commands on batches of runs: batch, compare, plot and sensitivity."""

from __future__ import annotations
