"""What moved the disadvantage gap outside the evidence system: a yearly relief per school.

Each of the three drivers in :mod:`edsim.scenario.gap_drivers` lowers the yearly progress
deficit of the disadvantaged pupils in a school by some SD per year (the school's *relief*);
the pupils' kernel applies it (:func:`edsim.model.kernels.progress`). With every effect at 0 the
relief is exactly 0 and the model is the one without them, bit for bit.

What each driver reads is an observation or money, never the hidden truth:

* targeted spending: the Pupil Premium the school receives per disadvantaged pupil, less what
  it has committed to the Toolkit approaches it runs (the model's own budget);
* accountability: the policymaker's current accountability pressure and the percentile of the
  school's *observed* within-school gap in its phase (its latest key-stage results, as
  performance tables publish them);
* exogenous: the same for every disadvantaged pupil, declared as unexplained.

Targeted spending and accountability can differ between regimes (what schools commit to
approaches, the pressure the policymaker sets, the gaps schools observe), so each is a channel
in :data:`edsim.scenario.channels.CHANNELS`; the exogenous term is the same in every regime.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from edsim.scenario.gap_drivers import GapDriverSettings

__all__ = ["GapDrivers", "Relief", "SchoolView"]


@dataclass(frozen=True)
class SchoolView:
    """What the drivers read about the schools this year (all observed, one entry per school).

    Attributes:
        phase: 0 primary, 1 secondary.
        n_disadvantaged: Disadvantaged pupils on roll.
        pupil_premium: The school's Pupil Premium this year (GBP).
        committed: Its yearly spend on the Toolkit approaches it runs (GBP).
        observed_gap: Its latest observed within-school gap (others minus disadvantaged).
    """

    phase: NDArray[np.integer]
    n_disadvantaged: NDArray[np.float64]
    pupil_premium: NDArray[np.float64]
    committed: NDArray[np.float64]
    observed_gap: NDArray[np.float64]


@dataclass(frozen=True)
class Relief:
    """A year's relief per school (SD per year) for every year group and for the tested ones.

    Attributes:
        every_year: What every disadvantaged pupil in the school gains.
        exam_year: What one in the year group about to be tested (Year 6, Year 11) gains.
    """

    every_year: NDArray[np.float64]
    exam_year: NDArray[np.float64]

    def mean(self, n_disadvantaged: NDArray[np.float64], exam_share: float) -> float:
        """Mean relief over disadvantaged pupils, a share ``exam_share`` of them tested."""
        per_school = (1 - exam_share) * self.every_year + exam_share * self.exam_year
        total = float(n_disadvantaged.sum())
        return float(per_school @ n_disadvantaged) / total if total else 0.0


@dataclass(frozen=True)
class GapDrivers:
    """The three drivers' settings, turned into each school's relief for one year."""

    settings: GapDriverSettings

    @property
    def active(self) -> bool:
        """Whether any driver has a non-zero effect (otherwise the relief is always 0)."""
        s = self.settings
        return any(
            e != 0.0
            for e in (
                s.targeted_spending.effect_per_1000,
                s.accountability.effect_primary,
                s.accountability.effect_secondary,
                s.exogenous.deficit_change,
            )
        )

    def relief(self, view: SchoolView, pressure: float, calendar_year: int) -> Relief:
        """Each school's reduction of the disadvantaged pupils' yearly deficit (SD per year).

        Targeted spending and the exogenous term reach every year group. Accountability's
        response reaches the year group about to be tested (Year 6 and Year 11), where a
        school under pressure for its published results puts its effort: booster and
        intervention groups before the tests.

        Args:
            view: What the drivers read about the schools.
            pressure: The policymaker's accountability pressure this year (0-1).
            calendar_year: The year being taught.
        """
        s = self.settings
        relief = np.zeros(view.phase.size)
        if s.targeted_spending.effect_per_1000 != 0.0:
            free = np.maximum(view.pupil_premium - view.committed, 0.0)
            per_pupil = np.divide(
                free,
                view.n_disadvantaged,
                out=np.zeros(relief.size),
                where=view.n_disadvantaged > 0,
            )
            relief += s.targeted_spending.effect_per_1000 * per_pupil / 1000.0
        ex = s.exogenous
        if ex.deficit_change != 0.0 and calendar_year >= ex.from_year:
            relief += ex.deficit_change
        exam = relief
        acc = s.accountability
        if (acc.effect_primary or acc.effect_secondary) and calendar_year >= acc.from_year:
            effect = np.where(view.phase == 0, acc.effect_primary, acc.effect_secondary)
            exam = relief + effect * pressure * gap_percentile(view.phase, view.observed_gap)
        return Relief(relief, exam)


def gap_percentile(phase: NDArray[np.integer], gap: NDArray[np.float64]) -> NDArray[np.float64]:
    """Percentile (0-1) of each school's observed gap within its phase; 0.5 where alone.

    The school with the widest gap in its phase gets 1, the narrowest 0; ties keep their order
    in the school table (a stable sort), so the result does not depend on anything random.
    """
    out = np.full(gap.size, 0.5)
    for ph in np.unique(phase):
        idx = np.flatnonzero(phase == ph)
        if idx.size > 1:
            ranks = np.argsort(np.argsort(gap[idx], kind="stable"), kind="stable")
            out[idx] = ranks / (idx.size - 1)
    return out
