"""Support: what partnership support days do for implementation quality and capacity."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["PartnershipSupport"]


@dataclass(frozen=True)
class PartnershipSupport:
    """Support days raise the quality ceiling and build capacity, in proportion to intensity.

    Intensity is support days received over ``reference_days`` (capped at 1). The quality gain
    reaches the approach the school's current partnership co-constructed, and ``spillover``
    times it the school's other approaches. Setting ``quality_gain``, ``spillover`` and
    ``capacity_building`` to zero gives support that adds no quality and builds no capacity:
    partnerships then only change *what* is chosen and who is reached.

    ``guidance`` says whether schools implement with devolved implementation guidance, whose
    burden falls on schools short of capacity; ``burden_relief`` is the share of it that full
    support lifts (DESIGN.md §4.3: none | guidance | partnership).
    """

    quality_gain: float
    capacity_building: float
    reference_days: float
    spillover: float = 0.0
    guidance: bool = True
    burden_relief: float = 1.0

    def intensity(self, days_per_school: float) -> float:
        """Support intensity (0-1) of a given number of days per school per year."""
        return float(min(1.0, days_per_school / self.reference_days))

    def capacity_growth(self, support: NDArray[np.float64]) -> NDArray[np.float64]:
        """Capacity built this year at each school's support intensity."""
        return self.capacity_building * support

    def burden_share(self, support: NDArray[np.float64]) -> NDArray[np.float64]:
        """Share of the guidance burden each school carries at its support intensity."""
        if not self.guidance:
            return np.zeros_like(support)
        return 1.0 - self.burden_relief * support
