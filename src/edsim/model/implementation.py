"""Implementations (school x intervention episodes) and their quality (DESIGN.md §4.3).

A school runs at most ``max_active`` implementations, held as slots in arrays of shape
``(schools, max_active)``. Quality grows towards a ceiling set by capacity and support, and
falls with overload and the burden of devolved guidance; adaptation moves the effective true
effect towards the context when supported, or drifts it when a school adapts alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from edsim.model.pupils import SchoolGains

if TYPE_CHECKING:
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
    ) -> None:
        """Start ``choice[i]`` in school ``schools[i]``, in its first free slot.

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

    def drop(self, mask: NDArray[np.bool_]) -> None:
        """End the implementations where ``mask`` is true."""
        self.k[mask] = EMPTY
        self.quality[mask] = 0.0
        self.years[mask] = 0
        self.delta[mask] = 0.0
        self.adapted[mask] = False

    def update_quality(
        self, schools: SchoolTable, settings: ImplementationSettings, quality_gain: float
    ) -> None:
        """Move every active implementation's quality towards this year's ceiling.

        ``ceiling = base + c_cap * capacity + gain * support - overload_penalty * overload
        - burden * (1 - capacity)``; quality closes ``growth_rate`` of the distance each year,
        so it falls back when support ends, to a level that is higher where capacity was built.
        """
        cap = schools.capacity
        overload = np.maximum(0.0, schools.workload - cap)
        ceiling = (
            settings.ceiling_base
            + settings.ceiling_capacity * cap
            + quality_gain * schools.support
            - settings.overload_penalty * overload
            - settings.burden * (1.0 - cap)
        )
        ceiling = np.clip(ceiling, 0.0, 1.0)[:, None]
        act = self.active
        grown = self.quality + settings.growth_rate * (ceiling - self.quality)
        self.quality = np.where(act, np.clip(grown, 0.0, 1.0), 0.0)
        self.years = np.where(act, self.years + 1, 0).astype(np.int16)

    def adapt(
        self,
        schools: SchoolTable,
        theta: NDArray[np.float64],
        mu: NDArray[np.float64],
        settings: ImplementationSettings,
        prescription: float,
        uniforms: NDArray[np.float64],
    ) -> None:
        """Schools permitted to adapt may tailor an implementation once.

        With support, a school recovers ``adaptation_gain`` of the programme's shortfall in its
        context (nothing to recover where the programme already fits, or in a homogeneous
        world). Without support, adapting drifts the effect down by ``drift * (1 - capacity)``
        of its size: the "lethal mutation" of low-capacity adaptation.
        """
        act = self.active & ~self.adapted
        p = settings.adaptation_propensity * (1.0 - prescription)
        go = act & (uniforms < p)
        if not go.any():
            return
        rows, cols = np.nonzero(go)
        k = self.k[rows, cols]
        true_effect = theta[k, rows]
        supported = schools.support[rows] > 0
        shortfall = np.maximum(0.0, mu[k] - true_effect)
        gain = settings.adaptation_gain * shortfall
        loss = -settings.drift * (1.0 - schools.capacity[rows]) * np.abs(true_effect)
        self.delta[rows, cols] = np.where(supported, gain, loss)
        self.adapted[rows, cols] = True

    def gains(
        self,
        theta: NDArray[np.float64],
        targeted: NDArray[np.bool_],
        moderator: NDArray[np.float64],
    ) -> SchoolGains:
        """This year's gain per school: ``q * (theta + adaptation)``, split by reach."""
        n = self.k.shape[0]
        act = self.active
        if not act.any():
            return SchoolGains.none(n)
        rows, cols = np.nonzero(act)
        k = self.k[rows, cols]
        q = self.quality[rows, cols]
        effect = q * (theta[k, rows] + self.delta[rows, cols])
        is_t = targeted[k]

        def per_school(mask: NDArray[np.bool_], w: NDArray[np.float64]) -> NDArray[np.float64]:
            return np.bincount(rows[mask], weights=w[mask], minlength=n).astype(np.float64)

        everyone = np.ones(rows.size, dtype=bool)
        return SchoolGains(
            universal=per_school(~is_t, effect),
            targeted=per_school(is_t, effect),
            attainment_moderator=per_school(everyone, q * moderator[k]),
        )
