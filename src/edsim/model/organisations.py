"""Local organisations that support schools: the EEF's strand 3 (issue 14, item 6; seed 003).

"Targeted support for organisations working with schools ... including local authorities and
multi-academy trusts. This work aims to build their capacity and expertise around evidence use."
One organisation per local area. While supported its evidence capacity grows; afterwards it
decays slowly; all the while it passes capacity and engagement on to its schools. Which
organisations are supported is decided on what is observable (the areas' disadvantage), never
on the truth. The number supported at once is England's, scaled with the scenario.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from edsim.model.schools import SchoolTable
    from edsim.scenario.strands import OrganisationSettings

__all__ = ["LocalOrganisation", "Organisations"]


class Organisations:
    """Every local area's organisation as arrays: evidence capacity, support years left."""

    def __init__(self, schools: SchoolTable, settings: OrganisationSettings, scale: float) -> None:
        self.schools = schools
        self.settings = settings
        self.scale = scale
        n = schools.n_areas
        self.capacity: NDArray[np.float64] = np.zeros(n)
        self.years_left: NDArray[np.int64] = np.zeros(n, dtype=np.int64)
        self.ever: NDArray[np.bool_] = np.zeros(n, dtype=bool)

    @property
    def supported(self) -> NDArray[np.bool_]:
        """Organisations supported this year."""
        return self.years_left > 0

    def year(self, rng: np.random.Generator) -> int:
        """Take on organisations, build and decay capacity, pass it on; return how many supported.

        The fractional part of England's count times the scale is drawn every year (whether or
        not the strand is on), so the stream stays aligned across variants.
        """
        s, t = self.settings, self.schools
        expected = s.supported * self.scale
        n_target = int(expected) + int(rng.random() < expected - int(expected))
        if not s.enabled:
            return 0
        self.years_left = np.maximum(self.years_left - 1, 0)
        free = n_target - int(self.supported.sum())
        if free > 0:
            self._take_on(free)
        on = self.supported
        grown = self.capacity + s.capacity_growth * (1.0 - self.capacity)
        self.capacity = np.where(on, grown, self.capacity * (1.0 - s.capacity_decay))
        passed = s.transfer * self.capacity[t.area]
        t.capacity = np.clip(t.capacity + passed, 0.05, 1.0)
        t.engagement = np.clip(t.engagement + passed * (1.0 - t.engagement), 0.0, 1.0)
        return int(on.sum())

    def _take_on(self, n: int) -> None:
        """Support the ``n`` most disadvantaged unsupported areas, never-supported ones first."""
        t = self.schools
        share = np.bincount(t.area, weights=t.share, minlength=t.n_areas) / np.maximum(
            np.bincount(t.area, minlength=t.n_areas), 1
        )
        candidates = np.flatnonzero(~self.supported)
        order = np.lexsort((-share[candidates], self.ever[candidates]))
        chosen = candidates[order[:n]]
        self.years_left[chosen] = self.settings.support_years
        self.ever[chosen] = True


class LocalOrganisation(mesa.Agent):
    """A local authority or trust cluster: a Mesa agent viewing its :class:`Organisations` row."""

    def __init__(self, model: mesa.Model, area: int, table: Organisations) -> None:
        super().__init__(model)
        self.area = area
        self._table = table

    @property
    def evidence_capacity(self) -> float:
        """The organisation's evidence capacity (0-1)."""
        return float(self._table.capacity[self.area])

    @property
    def supported(self) -> bool:
        """Whether the EEF supports it this year."""
        return bool(self._table.years_left[self.area] > 0)
