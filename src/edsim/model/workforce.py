"""The teacher workforce's evidence literacy, one value per school (issue 14, item 1).

Literacy is raised by entrants trained under the evidence-based ITT curriculum and by the
revised NPQs, and carried away by turnover (each leaver takes the school's average). The
update is deterministic: the same in every regime, so it pairs exactly across variants. What
literacy *does* is the regime's :class:`~edsim.model.mechanisms.workforce.WorkforceUse`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from edsim.model.schools import SchoolTable
    from edsim.scenario.workforce import WorkforceSettings

__all__ = ["Workforce"]


class Workforce:
    """The yearly renewal of each school's workforce evidence literacy (``schools.literacy``)."""

    def __init__(self, schools: SchoolTable, settings: WorkforceSettings) -> None:
        self.settings = settings
        self.schools = schools
        schools.literacy = np.full(schools.n, settings.initial_literacy)

    def entrant_literacy(self, calendar_year: int) -> float:
        """Literacy of teachers entering this year (ITT curriculum or not)."""
        s = self.settings
        return s.itt_literacy if calendar_year >= s.itt_from_year else s.initial_literacy

    def year(self, calendar_year: int) -> None:
        """Turnover replaces a share of staff with entrants; NPQs lift those taking them."""
        s = self.settings
        t = self.schools
        entrants = self.entrant_literacy(calendar_year)
        lit: NDArray[np.float64] = (1.0 - s.turnover) * t.literacy + s.turnover * entrants
        if calendar_year >= s.npq_from_year:
            lit = lit + s.npq_share * s.npq_gain * (1.0 - lit)
        t.literacy = np.clip(lit, 0.0, 1.0)
