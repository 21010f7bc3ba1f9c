"""The pupil population, stored column-wise: one Mesa agent per year group, NumPy arrays inside.

Each pupil is an individual with its own attainment, disadvantage flag, school and decaying
intervention boost, but millions of pupils are never millions of Python objects: a
:class:`YearGroup` agent holds the arrays for everyone in that year group nationally, and moving
cohorts on is passing arrays from one year group to the next.

Year groups are numbered 0 (Reception) to 11 (Year 11); 0-6 are primary, 7-11 secondary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import mesa
import numpy as np
from numpy.typing import NDArray

from edsim.model.kernels import progress, school_sums
from edsim.model.ordering import quantile

if TYPE_CHECKING:
    from edsim.scenario.schema import AttainmentSettings

__all__ = [
    "KS2_YEAR",
    "KS4_YEAR",
    "N_YEAR_GROUPS",
    "Outcomes",
    "PupilArrays",
    "SchoolSums",
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
    _by_school: dict[int, SchoolSums] = field(default_factory=dict, repr=False, compare=False)

    def by_school(self, n_schools: int) -> SchoolSums:
        """Counts and score sums per school (computed once, then shared by every statistic)."""
        if n_schools not in self._by_school:
            self._by_school[n_schools] = SchoolSums.of(self, n_schools)
        return self._by_school[n_schools]


def _count(
    index: NDArray[np.integer], weights: NDArray[np.float64] | None, n: int
) -> NDArray[np.float64]:
    """``numpy.bincount`` as floats (it returns floats already when weighted)."""
    return np.asarray(np.bincount(index, weights=weights, minlength=n), dtype=np.float64)


@dataclass(frozen=True)
class SchoolSums:
    """A key-stage cohort's pupils, disadvantaged pupils and score sums in each school."""

    pupils: NDArray[np.float64]
    disadvantaged: NDArray[np.float64]
    score: NDArray[np.float64]
    score_disadvantaged: NDArray[np.float64]

    @classmethod
    def of(cls, out: Outcomes, n_schools: int) -> SchoolSums:
        """Four weighted counts over the cohort: no per-group copies of the pupil arrays."""
        return cls(*school_sums(out.school, out.disadvantaged, out.scores, n_schools, True))

    def gaps(self) -> NDArray[np.float64]:
        """Mean of others minus mean of disadvantaged per school; 0 where either is absent."""
        n_other = self.pupils - self.disadvantaged
        present = (self.disadvantaged > 0) & (n_other > 0)
        gaps = np.zeros(self.pupils.size)
        d = self.score_disadvantaged[present] / self.disadvantaged[present]
        o = (self.score - self.score_disadvantaged)[present] / n_other[present]
        gaps[present] = o - d
        return gaps

    def grouped(self, group: NDArray[np.integer], n_groups: int) -> SchoolSums:
        """The same sums over groups of schools (``group`` gives each school's group)."""
        return SchoolSums(
            *(
                _count(group, a, n_groups)
                for a in (self.pupils, self.disadvantaged, self.score, self.score_disadvantaged)
            )
        )


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
        rng: np.random.Generator,
        relief: NDArray[np.float64] | None = None,
    ) -> None:
        """One year of progress for every pupil in the year group.

        ``z <- z + VA[s] - (deficit - relief[s]) * dis + noise`` and
        ``boost <- persistence * boost + gain``, where the gain comes from the school's active
        implementations and reaches a pupil if the approach is universal, or targeted and the
        pupil is disadvantaged or a low attainer (measured after this year's learning and the
        boost's decay). Gains are effect sizes, so they are scaled by the year group's SD. One
        fused pass (:mod:`edsim.model.kernels`).

        Args:
            settings: Pupil learning parameters.
            value_added: Yearly value-added per school.
            gains: Per-school intervention gains this year.
            low_attainer_cut: Attainment below which a non-disadvantaged pupil is targeted.
            rng: The year group's learning stream (one standard-normal draw per pupil).
            relief: Per-school reduction of the disadvantaged pupils' deficit
                (:mod:`edsim.model.gap_drivers`), or ``None`` for none.
        """
        p = self.pupils
        if len(p) == 0:
            return
        deficit = settings.deficit_primary if self.is_primary else settings.deficit_secondary
        progress(
            p.attainment,
            p.boost,
            p.disadvantaged,
            p.school,
            rng,
            value_added,
            (gains.universal, gains.targeted, gains.attainment_moderator)
            if gains.any_active
            else None,
            (
                deficit,
                settings.learning_noise,
                settings.gain_persistence,
                low_attainer_cut,
                self.effect_centre,
                self.effect_sd,
            ),
            relief,
        )

    def low_attainer_cut(self, share: float) -> float:
        """Measured attainment below which the lowest ``share`` of the year group falls."""
        if share <= 0 or len(self.pupils) == 0:
            return -np.inf
        return quantile(self.pupils.measured, share, overwrite=True)  # a fresh sum: reuse it


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
