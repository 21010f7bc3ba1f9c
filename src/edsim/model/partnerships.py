"""Partnerships: a broker and a group of schools in one local area, with a lifecycle (§4.2).

Exploration first (diagnosis of a shared need: engagement and capacity grow, no attainment
effect yet), then action (the co-constructed choice is implemented with support days), then
the partnership closes and support ends.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["Partnership"]


@dataclass
class Partnership:
    """One research-practice partnership."""

    id: int
    broker_id: int
    area: int
    phase_of_schools: int  # PRIMARY or SECONDARY: a partnership works within one phase
    schools: NDArray[np.intp]
    opened: int  # model year in which exploration began
    exploration_years: int
    action_years: int
    choice: int = -1  # the co-constructed intervention, once chosen

    def age(self, year: int) -> int:
        """Completed years since the partnership opened."""
        return year - self.opened

    def stage(self, year: int) -> str:
        """'exploration', 'action' or 'closed' in the given model year."""
        age = self.age(year)
        if age < self.exploration_years:
            return "exploration"
        if age < self.exploration_years + self.action_years:
            return "action"
        return "closed"

    def support_days(self, days_per_school: float) -> float:
        """Support days this partnership needs per year."""
        return float(self.schools.size * days_per_school)
