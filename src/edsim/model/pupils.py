"""The pupil population, stored column-wise: one Mesa agent per year group, NumPy arrays inside.

Each pupil is an individual with its own attainment, disadvantage flag, school and decaying
intervention boost, but millions of pupils are never millions of Python objects: a
:class:`YearGroup` agent holds the arrays for everyone in that year group nationally, and moving
cohorts on is passing arrays from one year group to the next.

Year groups are numbered 0 (Reception) to 11 (Year 11); 0-6 are primary, 7-11 secondary.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import mesa
import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from edsim.scenario.schema import AttainmentSettings

__all__ = [
    "KS2_YEAR",
    "KS4_YEAR",
    "N_YEAR_GROUPS",
    "Outcomes",
    "PupilArrays",
    "YearGroup",
]

N_YEAR_GROUPS = 12
KS2_YEAR = 6  # end of Year 6: leaves primary
KS4_YEAR = 11  # end of Year 11: leaves school
FIRST_SECONDARY_YEAR = 7


@dataclass
class PupilArrays:
    """Column-wise state of a set of pupils (one array per attribute, same length)."""

    attainment: NDArray[np.float64]  # persistent attainment z (SD units)
    boost: NDArray[np.float64]  # decaying intervention boost (SD units)
    disadvantaged: NDArray[np.bool_]
    school: NDArray[np.int32]  # index into the school table

    def __len__(self) -> int:
        return int(self.attainment.size)

    @property
    def measured(self) -> NDArray[np.float64]:
        """Attainment as a test would measure it: persistent part plus what remains of boosts."""
        return self.attainment + self.boost

    @classmethod
    def empty(cls) -> PupilArrays:
        """No pupils (a year group before its first cohort arrives)."""
        return cls(np.zeros(0), np.zeros(0), np.zeros(0, dtype=bool), np.zeros(0, dtype=np.int32))


@dataclass(frozen=True)
class Outcomes:
    """A key-stage cohort's measured attainment on leaving, with who was disadvantaged where."""

    scores: NDArray[np.float64]
    disadvantaged: NDArray[np.bool_]
    school: NDArray[np.int32]


class YearGroup(mesa.Agent):
    """All pupils in one national year group, held as arrays (DESIGN.md §5)."""

    def __init__(self, model: mesa.Model, year: int) -> None:
        super().__init__(model)
        self.year = year
        self.pupils = PupilArrays.empty()
        # The year group's attainment mean and SD at year 0: intervention effects are effect
        # sizes (SD of the pupils' own year group, as trials report them), converted once.
        self.effect_centre = 0.0
        self.effect_sd = 1.0

    def fix_effect_scale(self) -> None:
        """Fix the year group's mean and SD, in which effect sizes are expressed (at year 0)."""
        measured = self.pupils.measured
        if measured.size > 1:
            self.effect_centre = float(measured.mean())
            self.effect_sd = float(measured.std()) or 1.0

    @property
    def is_primary(self) -> bool:
        """Whether this year group is taught in primary schools."""
        return self.year < FIRST_SECONDARY_YEAR

    def learn(
        self,
        settings: AttainmentSettings,
        value_added: NDArray[np.float64],
        gains: SchoolGains,
        low_attainer_cut: float,
        noise: NDArray[np.float64],
    ) -> None:
        """One year of progress for every pupil in the year group.

        ``z <- z + VA[s] - deficit * dis + noise`` and ``boost <- persistence * boost + gain``,
        where the gain comes from the school's active implementations and reaches a pupil if the
        approach is universal, or targeted and the pupil is disadvantaged or a low attainer.
        Gains are effect sizes, so they are scaled by the year group's SD.

        Args:
            settings: Pupil learning parameters.
            value_added: Yearly value-added per school.
            gains: Per-school intervention gains this year.
            low_attainer_cut: Attainment below which a non-disadvantaged pupil is targeted.
            noise: Standard-normal draws, one per pupil (from the learning stream).
        """
        p = self.pupils
        if len(p) == 0:
            return
        s = p.school
        deficit = settings.deficit_primary if self.is_primary else settings.deficit_secondary
        p.attainment += value_added[s] - deficit * p.disadvantaged + settings.learning_noise * noise
        p.boost *= settings.gain_persistence
        if gains.any_active:
            targeted = p.disadvantaged | (p.measured < low_attainer_cut)
            gain = gains.universal[s] + gains.targeted[s] * targeted
            if gains.has_moderator:
                standardised = (p.measured - self.effect_centre) / self.effect_sd
                gain += gains.attainment_moderator[s] * standardised
            p.boost += self.effect_sd * gain


@dataclass(frozen=True)
class SchoolGains:
    """This year's intervention gain per school, split by who it reaches (SD units)."""

    universal: NDArray[np.float64]
    targeted: NDArray[np.float64]
    attainment_moderator: NDArray[np.float64]

    @property
    def any_active(self) -> bool:
        """Whether any school has any gain this year (skips work in the burn-in)."""
        return bool(self.universal.any() or self.targeted.any() or self.has_moderator)

    @property
    def has_moderator(self) -> bool:
        """Whether any school runs an approach whose effect depends on pupils' attainment."""
        return bool(self.attainment_moderator.any())

    @classmethod
    def none(cls, n_schools: int) -> SchoolGains:
        """No gains anywhere."""
        z = np.zeros(n_schools)
        return cls(z, z, z)
