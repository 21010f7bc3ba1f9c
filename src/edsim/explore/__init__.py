"""Exploratory modelling: where a regime difference holds, and which levers to pull.

Two questions beyond "which regime is better under the defaults" (DESIGN.md, first page: under
which conditions each narrows the gap, how fast, at what cost):

- :func:`discover` (``edsim discover RESULTS``): scenario discovery with PRIM on an
  experiment's results over an uncertainty design: the box of parameter limits inside which
  the paired regime difference passes a threshold (:class:`Discovery`, :class:`Box`);
  :func:`write_discovery` writes its tables and figures.
- :func:`optimise` (``edsim optimise FILE``): a budgeted, robust search over policy levers with
  optuna, every trial evaluated across the same uncertainty draws and seeds
  (:func:`load_optimisation` reads the file, :class:`SearchResult` is the outcome,
  :func:`write_search` writes it).

Both need the optional ``explore`` extra (PRIM, optuna, scikit-learn), imported only when used.
"""

from __future__ import annotations

from ._cart import cart_rules
from ._discover_report import DISCOVERY_DIR, write_discovery
from ._optimise_report import write_search
from .discovery import Box, Discovery, default_box, discover
from .search import SearchResult, TrialReport, optimise
from .spec import Optimisation, is_optimisation_file, load_optimisation

__all__ = [
    "DISCOVERY_DIR",
    "Box",
    "Discovery",
    "Optimisation",
    "SearchResult",
    "TrialReport",
    "cart_rules",
    "default_box",
    "discover",
    "is_optimisation_file",
    "load_optimisation",
    "optimise",
    "write_discovery",
    "write_search",
]
