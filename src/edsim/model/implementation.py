"""Implementations (school x intervention episodes) and their quality (DESIGN.md §4.3).

A school runs at most ``max_active`` implementations, held as slots in arrays of shape
``(schools, max_active)``. Quality grows towards a ceiling set by capacity and support, and
falls with overload and the burden of devolved guidance. Each slot records the partnership it
was co-constructed with (``origin``), so support and protection reach that approach only. What
adapting does to the true effect is the world's business (:mod:`edsim.model.world`); the table
only records it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from edsim.model.mechanisms.support import PartnershipSupport
    from edsim.model.schools import SchoolTable
    from edsim.scenario.schema import ImplementationSettings

__all__ = ["PARTNERSHIP", "PUSH", "Implementation", "ImplementationTable"]

PUSH, PARTNERSHIP = 0, 1
EMPTY = -1


@dataclass(frozen=True)
class Implementation:
    """A read-only view of one active implementation."""

    intervention: int
    quality: float
    years: int
    adapted: bool
    channel: str


class ImplementationTable:
    """Every school's active implementations as ``(schools, slots)`` arrays."""

    def __init__(self, n_schools: int, slots: int) -> None:
        shape = (n_schools, slots)
        self.k = np.full(shape, EMPTY, dtype=np.int16)
        self.quality = np.zeros(shape)
        self.years = np.zeros(shape, dtype=np.int16)
        self.delta = np.zeros(shape)  # change in true effect from adaptation (SD)
        self.adapted = np.zeros(shape, dtype=bool)
        self.channel = np.zeros(shape, dtype=np.int8)
        self.expected = np.zeros(shape)  # the belief the school adopted it on
        self.origin = np.full(shape, EMPTY, dtype=np.int32)  # co-constructing partnership or -1

    @property
    def active(self) -> NDArray[np.bool_]:
        """Mask of occupied slots."""
        return self.k != EMPTY

    def count(self) -> NDArray[np.int64]:
        """Active implementations per school."""
        return self.active.sum(axis=1)

    def of_school(self, s: int) -> list[Implementation]:
        """The active implementations of school ``s``."""
        names = {PUSH: "push", PARTNERSHIP: "partnership"}
        return [
            Implementation(
                int(self.k[s, j]),
                float(self.quality[s, j]),
                int(self.years[s, j]),
                bool(self.adapted[s, j]),
                names[int(self.channel[s, j])],
            )
            for j in range(self.k.shape[1])
            if self.k[s, j] != EMPTY
        ]

    def adopt(
        self,
        schools: NDArray[np.intp],
        choice: NDArray[np.intp],
        channel: int,
        expected: NDArray[np.float64],
        initial_quality: float,
        origin: int = EMPTY,
    ) -> None:
        """Start ``choice[i]`` in school ``schools[i]``, in its first free slot.

        ``origin`` is the partnership that co-constructed it (``-1`` for a pushed adoption).

        A school with no free slot replaces its lowest-quality implementation (a partnership
        asks a school to make room for the co-constructed priority).
        """
        if schools.size == 0:
            return
        free = ~self.active[schools]
        slot = np.where(
            free.any(axis=1), np.argmax(free, axis=1), np.argmin(self.quality[schools], axis=1)
        )
        self.k[schools, slot] = choice
        self.quality[schools, slot] = initial_quality
        self.years[schools, slot] = 0
        self.delta[schools, slot] = 0.0
        self.adapted[schools, slot] = False
        self.channel[schools, slot] = channel
        self.expected[schools, slot] = expected
        self.origin[schools, slot] = origin

    def drop(self, mask: NDArray[np.bool_]) -> None:
        """End the implementations where ``mask`` is true."""
        self.k[mask] = EMPTY
        self.quality[mask] = 0.0
        self.years[mask] = 0
        self.delta[mask] = 0.0
        self.adapted[mask] = False
        self.origin[mask] = EMPTY

    def update_quality(
        self,
        schools: SchoolTable,
        settings: ImplementationSettings,
        support: PartnershipSupport,
        lift: NDArray[np.float64] | float = 0.0,
    ) -> None:
        """Move every active implementation's quality towards this year's ceiling.

        ``ceiling = base + c_cap * capacity + lift + gain * s - overload_penalty * overload
        - burden * (1 - capacity) * carried(s)``, where ``s`` is the school's support intensity
        for the approach its current partnership co-constructed and ``spillover`` times that
        for its other approaches, ``carried(s)`` the share of devolved guidance's burden left
        at that support (none without guidance) and ``lift`` the workforce's fidelity to
        guidance. Quality closes ``growth_rate`` of the distance each year, so it falls back
        when support ends, to a level that is higher where capacity was built.
        """
        cap = schools.capacity
        overload = np.maximum(0.0, schools.workload - cap)
        base = (
            settings.ceiling_base
            + settings.ceiling_capacity * cap
            + lift
            - settings.overload_penalty * overload
        )
        own = (self.origin == schools.partnership[:, None]) & (self.origin != EMPTY)
        s = schools.support[:, None] * np.where(own, 1.0, support.spillover)
        burden = settings.burden * (1.0 - cap)[:, None] * support.burden_share(s)
        ceiling = np.clip(base[:, None] + support.quality_gain * s - burden, 0.0, 1.0)
        act = self.active
        grown = self.quality + settings.growth_rate * (ceiling - self.quality)
        self.quality = np.where(act, np.clip(grown, 0.0, 1.0), 0.0)
        self.years = np.where(act, self.years + 1, 0).astype(np.int16)

    def current_partnership_work(self, schools: SchoolTable) -> NDArray[np.bool_]:
        """(S, slots) slots co-constructed with the partnership that supports the school now."""
        supported = (schools.support > 0) & (schools.partnership >= 0)
        return supported[:, None] & (self.origin == schools.partnership[:, None])

    def record_adaptation(
        self, rows: NDArray[np.intp], cols: NDArray[np.intp], delta: NDArray[np.float64]
    ) -> None:
        """Record what adapting did to the slots ``(rows, cols)`` (once per implementation)."""
        self.delta[rows, cols] = delta
        self.adapted[rows, cols] = True
