"""The maintained PRIM implementation behind :mod:`edsim.explore.discovery`, imported lazily.

PRIM (Friedman & Fisher 1999) as scenario discovery uses it (Bryant & Lempert 2010) comes from
the ``PRIM`` package (Project Platypus, ``import prim``): the standalone version of EMA
Workbench's implementation, with the quasi-p-values of Bryant & Lempert. It is the optional
``explore`` extra, so ``import edsim`` never needs it. This module is the only place that
touches it, so if it is ever swapped for EMA Workbench's copy, nothing else changes.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd

from edsim.errors import MissingExtraError

__all__ = ["box_limits", "peel", "trajectory_of"]


def _prim() -> ModuleType:
    """``import prim``, naming the extra that installs it."""
    try:
        return importlib.import_module("prim")
    except ImportError:
        raise MissingExtraError("PRIM", "explore") from None


def peel(x: pd.DataFrame, cases: np.ndarray, *, mass_min: float, peel_alpha: float) -> Any:
    """Run PRIM's peeling and pasting once and return its first box (a ``prim.PrimBox``).

    Args:
        x: One row per design point, one float column per parameter.
        cases: Boolean, True where the point is a case of interest.
        mass_min: The smallest share of points a box may hold (PRIM stops peeling there).
        peel_alpha: The share of points each peeling step removes.
    """
    prim = _prim()
    algorithm = prim.Prim(
        x, np.asarray(cases, dtype=bool), mass_min=mass_min, peel_alpha=peel_alpha
    )
    return algorithm.find_box()


def trajectory_of(box: Any) -> pd.DataFrame:
    """The peeling trajectory: one row per candidate box, from the whole space inwards."""
    raw = box.peeling_trajectory
    return pd.DataFrame(
        {
            "box": np.arange(len(raw)),
            "coverage": raw["coverage"].to_numpy(dtype=float),
            "density": raw["density"].to_numpy(dtype=float),
            "mass": raw["mass"].to_numpy(dtype=float),
            "restricted": raw["res dim"].to_numpy(dtype=int),
        }
    )


def box_limits(box: Any, index: int) -> pd.DataFrame:
    """The limits of trajectory box ``index`` on its restricted parameters, with quasi-p-values.

    Returns:
        Indexed by parameter: ``min``, ``max``, ``qp_value`` (the one-sided binomial test of
        Bryant & Lempert 2010: how likely the box's density is if that restriction is dropped).
    """
    box.select(index)
    limits = box.limits
    return pd.DataFrame(
        {
            "min": limits["min"].to_numpy(dtype=float),
            "max": limits["max"].to_numpy(dtype=float),
            "qp_value": limits["qp values"].to_numpy(dtype=float),
        },
        index=[str(name) for name in limits.index],
    )
