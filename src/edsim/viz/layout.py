"""Where each school is drawn: a map-like layout of England's regions, fixed for a run.

Schools are placed in a disc around their region's approximate position on a map of England
(a sketch, not a projection: regions keep their rough place relative to each other and are
labelled). Inside a disc the schools follow a sunflower (golden-angle) spiral ordered by local
area and phase, so a local area - where partnerships form - is a contiguous patch. The layout
is a pure function of the school table; it draws no random numbers, so it can neither disturb
the model's streams nor change between frames.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from edsim.model.schools import SchoolTable

__all__ = ["REGION_POSITIONS", "SchoolLayout", "school_layout"]

#: Approximate centre of each of England's regions on a unit square (x east, y south).
REGION_POSITIONS: dict[str, tuple[float, float]] = {
    "North East": (0.60, 0.10),
    "North West": (0.36, 0.26),
    "Yorkshire and the Humber": (0.64, 0.29),
    "East Midlands": (0.64, 0.49),
    "West Midlands": (0.40, 0.51),
    "East of England": (0.88, 0.50),
    "London": (0.78, 0.71),
    "South East": (0.54, 0.88),
    "South West": (0.20, 0.80),
}
#: Where the national evidence producers are drawn (off the map, top left).
NATIONAL_POSITION: tuple[float, float] = (0.10, 0.08)
#: Radius of the largest region's disc on the unit square.
MAX_RADIUS = 0.105
_GOLDEN_ANGLE = np.pi * (3.0 - np.sqrt(5.0))


@dataclass(frozen=True)
class SchoolLayout:
    """Positions on the unit square (x east, y south).

    Attributes:
        x: Per school.
        y: Per school.
        region_names: Per region.
        region_centres: (n_regions, 2) centres of the region discs.
        region_radius: Per region, the disc's radius.
    """

    x: NDArray[np.float64]
    y: NDArray[np.float64]
    region_names: tuple[str, ...]
    region_centres: NDArray[np.float64]
    region_radius: NDArray[np.float64]


def _centres(names: tuple[str, ...]) -> NDArray[np.float64]:
    """Known regions at their map place; any others on a ring, in order."""
    centres = np.empty((len(names), 2))
    unknown = [i for i, n in enumerate(names) if n not in REGION_POSITIONS]
    for i, name in enumerate(names):
        if name in REGION_POSITIONS:
            centres[i] = REGION_POSITIONS[name]
    for j, i in enumerate(unknown):
        angle = 2 * np.pi * j / max(len(unknown), 1)
        centres[i] = (0.5 + 0.38 * np.cos(angle), 0.5 + 0.38 * np.sin(angle))
    return centres


def school_layout(schools: SchoolTable, region_names: tuple[str, ...]) -> SchoolLayout:
    """Deterministic map-like positions for every school.

    Args:
        schools: The model's school table (region, local area, phase of each school).
        region_names: The scenario's region names, in region-index order.

    Returns:
        The layout; the same table always gives the same positions.
    """
    n_regions = len(region_names)
    counts = np.bincount(schools.region, minlength=n_regions).astype(float)
    radius = MAX_RADIUS * np.sqrt(counts / max(counts.max(), 1.0))
    centres = _centres(region_names)
    x = np.empty(schools.n)
    y = np.empty(schools.n)
    for r in range(n_regions):
        members = np.flatnonzero(schools.region == r)
        if members.size == 0:
            continue
        # Stable order: local area, then phase, then school index.
        order = members[np.lexsort((members, schools.phase[members], schools.area[members]))]
        i = np.arange(order.size)
        rho = radius[r] * np.sqrt((i + 0.5) / order.size)
        theta = i * _GOLDEN_ANGLE
        x[order] = centres[r, 0] + rho * np.cos(theta)
        y[order] = centres[r, 1] + rho * np.sin(theta)
    return SchoolLayout(x, y, tuple(region_names), centres, radius)
