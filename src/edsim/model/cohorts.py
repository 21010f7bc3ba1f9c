"""Cohorts: Reception intake, learning, the Y6 -> Y7 transition and leavers (DESIGN.md §3).

:class:`PupilPopulation` owns the twelve :class:`~edsim.model.pupils.YearGroup` agents and moves
pupils between them. All arrays, no per-pupil Python objects.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from edsim.model.pupils import (
    KS2_YEAR,
    KS4_YEAR,
    N_YEAR_GROUPS,
    Outcomes,
    PupilArrays,
    SchoolGains,
    YearGroup,
)

if TYPE_CHECKING:
    import mesa

    from edsim.model.schools import SchoolTable
    from edsim.scenario.schema import Scenario

__all__ = ["PupilPopulation"]


class PupilPopulation:
    """Every pupil in the system, by year group, and the rules that move them on."""

    def __init__(self, model: mesa.Model, scenario: Scenario, schools: SchoolTable) -> None:
        self.scenario = scenario
        self.schools = schools
        self.year_groups = [YearGroup(model, y) for y in range(N_YEAR_GROUPS)]
        pop = scenario.population
        primary_cohort = pop.primary_pupils / 7.0
        secondary_cohort = pop.secondary_pupils / 5.0
        # Some Y6 leavers go to independent or special schools; keep the DfE secondary count.
        self.transition_retention = min(1.0, secondary_cohort / primary_cohort)

    @property
    def size(self) -> int:
        """Number of pupils in the system."""
        return sum(len(g.pupils) for g in self.year_groups)

    def fill(self, rng: np.random.Generator) -> None:
        """Populate every year group with a fresh entry cohort (the burn-in then ages them).

        Secondary year groups are filled by passing entry cohorts through the transition, so
        the burn-in starts from a population of the right size everywhere.
        """
        for group in self.year_groups:
            group.pupils = self.new_reception(rng)
        for group in self.year_groups[KS2_YEAR + 1 :]:
            group.pupils = self.transition(group.pupils, rng)

    def new_reception(self, rng: np.random.Generator) -> PupilArrays:
        """A new Reception cohort: intake per primary school, disadvantage, entry attainment."""
        t = self.schools
        primary = t.primary_index
        counts = rng.poisson(t.intake[primary])
        school = np.repeat(primary.astype(np.int32), counts)
        n = school.size
        dis = rng.random(n) < t.nominal_share[school]
        z = rng.standard_normal(n) - self.scenario.attainment.entry_gap * dis
        z += t.neighbourhood[school]
        return PupilArrays(z, np.zeros(n), dis, school)

    def transition(self, leavers: PupilArrays, rng: np.random.Generator) -> PupilArrays:
        """Move Year 6 leavers to secondary schools in their region.

        Within a region pupils are ordered by a sorting key mixing disadvantage (their own and
        their primary school's) and low attainment with noise, weighted by
        ``secondary_sorting``; secondary schools are ordered by their disadvantage share and
        filled in proportion to their size.
        """
        t = self.schools
        n = len(leavers)
        u_keep = rng.random(n)
        u_key = rng.random(n)
        keep = u_keep < self.transition_retention
        p = PupilArrays(
            leavers.attainment[keep].copy(),
            leavers.boost[keep].copy(),
            leavers.disadvantaged[keep].copy(),
            leavers.school[keep].copy(),
        )
        sorting = self.scenario.population.secondary_sorting
        low_attainment = 1.0 - (np.argsort(np.argsort(p.measured)) + 0.5) / max(len(p), 1)
        w = self.scenario.population.sorting_attainment_weight
        disadvantage = 0.5 * (p.disadvantaged + t.nominal_share[p.school])
        need = (1 - w) * disadvantage + w * low_attainment
        key = sorting * need + (1 - sorting) * u_key[keep]
        region = t.region[p.school]
        new_school = np.empty(len(p), dtype=np.int32)
        for r in range(t.n_regions):
            pupils = np.flatnonzero(region == r)
            secs = t.secondary_in_region[r]
            secs = secs[np.argsort(-t.nominal_share[secs], kind="stable")]
            if pupils.size == 0:
                continue
            order = pupils[np.argsort(-key[pupils], kind="stable")]
            weights = t.intake[secs]
            bounds = np.round(np.cumsum(weights) / weights.sum() * pupils.size)
            slot = np.searchsorted(bounds, np.arange(pupils.size), side="right")
            new_school[order] = secs[np.minimum(slot, secs.size - 1)]
        p.school = new_school
        return p

    def learn(
        self,
        gains: SchoolGains,
        value_added: NDArray[np.float64],
        rng: np.random.Generator,
        low_attainer_cuts: NDArray[np.float64],
    ) -> None:
        """Every pupil progresses one year; noise is drawn in a fixed order for every regime."""
        settings = self.scenario.attainment
        for group in self.year_groups:
            noise = rng.standard_normal(len(group.pupils))
            group.learn(settings, value_added, gains, float(low_attainer_cuts[group.year]), noise)

    def low_attainer_cuts(self) -> NDArray[np.float64]:
        """Attainment below which a pupil counts as a low attainer, per year group."""
        q = self.scenario.attainment.targets_low_attainers_below
        cuts = np.full(N_YEAR_GROUPS, -np.inf)
        for group in self.year_groups:
            if len(group.pupils) and q > 0:
                cuts[group.year] = float(np.quantile(group.pupils.measured, q))
        return cuts

    def move_on(
        self, entry_rng: np.random.Generator, transition_rng: np.random.Generator
    ) -> tuple[Outcomes, Outcomes]:
        """End of the school year: record KS2 and KS4, age every cohort, admit Reception.

        Returns:
            The KS2 (end of Y6) and KS4 (end of Y11) outcomes of the cohorts that moved on.
        """
        groups = self.year_groups
        ks2, ks4 = groups[KS2_YEAR].pupils, groups[KS4_YEAR].pupils
        ks2_out = Outcomes(ks2.measured, ks2.disadvantaged.copy(), ks2.school.copy())
        ks4_out = Outcomes(ks4.measured, ks4.disadvantaged.copy(), ks4.school.copy())
        for y in range(KS4_YEAR, 0, -1):
            incoming = groups[y - 1].pupils
            groups[y].pupils = (
                self.transition(incoming, transition_rng) if y == KS2_YEAR + 1 else incoming
            )
        groups[0].pupils = self.new_reception(entry_rng)
        return ks2_out, ks4_out

    def pupils_per_school(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Pupils and disadvantaged pupils per school (for budgets and reach)."""
        n_schools = self.schools.n
        total = np.zeros(n_schools)
        dis = np.zeros(n_schools)
        for group in self.year_groups:
            p = group.pupils
            total += np.bincount(p.school, minlength=n_schools)
            dis += np.bincount(p.school, weights=p.disadvantaged, minlength=n_schools)
        return total, dis
