"""Cohorts: Reception intake, learning, the Y6 -> Y7 transition and leavers (DESIGN.md §3).

:class:`PupilPopulation` owns the twelve :class:`~edsim.model.pupils.YearGroup` agents and moves
pupils between them. All arrays, no per-pupil Python objects.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from edsim.model.kernels import entry, leave_primary, progress_years, school_sums, sorting_keys
from edsim.model.ordering import sort_order
from edsim.model.parallel import parallel_map
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

    from edsim.model.gap_drivers import Relief
    from edsim.model.schools import SchoolTable
    from edsim.scenario.schema import AttainmentSettings, Scenario

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
        empty = self._count(PupilArrays.empty())
        self._counts = [empty] * N_YEAR_GROUPS

    @property
    def size(self) -> int:
        """Number of pupils in the system."""
        return sum(len(g.pupils) for g in self.year_groups)

    def new_reception(self, rng: np.random.Generator) -> PupilArrays:
        """A new Reception cohort: intake per primary school, disadvantage, entry attainment."""
        t = self.schools
        primary = t.primary_index
        counts = rng.poisson(t.intake[primary])
        school = np.repeat(primary.astype(np.int32), counts)
        gap = self.scenario.attainment.entry_gap
        dis, z = entry(school, t.nominal_share, t.neighbourhood, gap, rng)
        return PupilArrays(z, np.zeros(school.size), dis, school)

    def transition(self, leavers: PupilArrays, rng: np.random.Generator) -> PupilArrays:
        """Move Year 6 leavers to secondary schools in their region.

        Within a region pupils are ordered by a sorting key mixing disadvantage (their own and
        their primary school's) and low attainment with noise, weighted by
        ``secondary_sorting``; secondary schools are ordered by their disadvantage share and
        filled in proportion to their size.
        """
        t = self.schools
        attainment, boost, dis, school, measured, u_key = leave_primary(
            leavers.attainment,
            leavers.boost,
            leavers.disadvantaged,
            leavers.school,
            self.transition_retention,
            rng,
        )
        p = PupilArrays(attainment, boost, dis, school)
        population = self.scenario.population
        # Low attainment is 1 - the pupil's mid-rank percentile among the leavers.
        key, region = sorting_keys(
            sort_order(measured),
            p.disadvantaged,
            p.school,
            t.nominal_share,
            t.region,
            u_key,
            np.array([population.secondary_sorting, population.sorting_attainment_weight]),
        )
        new_school = np.empty(len(p), dtype=np.int32)
        # Every region's pupils, highest key first, in one sort; regions are contiguous in it.
        order = sort_order(key, region, t.n_regions)
        counts = np.bincount(region, minlength=t.n_regions)
        ends = np.cumsum(counts)
        for r in range(t.n_regions):
            pupils = order[ends[r] - counts[r] : ends[r]]
            secs = t.secondary_in_region[r]
            secs = secs[np.argsort(-t.nominal_share[secs], kind="stable")]
            if pupils.size == 0:
                continue
            weights = t.intake[secs]
            bounds = np.round(np.cumsum(weights) / weights.sum() * pupils.size).astype(np.int64)
            new_school[pupils] = secs[_slots(bounds, pupils.size)]
        p.school = new_school
        return p

    def year(
        self,
        gains: SchoolGains,
        value_added: NDArray[np.float64],
        streams: tuple[np.random.Generator, np.random.Generator, np.random.Generator],
        relief: Relief | None = None,
    ) -> tuple[Outcomes, Outcomes]:
        """A school year for every pupil: learning, KS2 and KS4, transition, ageing, intake.

        Each year group draws its learning noise from its own stream, spawned from the
        ``learning`` stream in the same order in every regime (common random numbers); the
        transition and the intake draw from theirs. No task draws from another's stream or
        touches another's pupils, so they run as parallel tasks
        (:func:`~edsim.model.parallel.parallel_map`), Year 6's learning and its transition as one,
        with results that do not depend on the number of threads.

        A year group's low-attainer cut is its measured attainment's quantile before this
        year's learning; it is computed only when some school has a gain to target.

        Args:
            gains: This year's intervention gains per school.
            value_added: Yearly value added per school.
            streams: The ``learning``, ``cohort_entry`` and ``transition`` streams.
            relief: Per-school reduction of the disadvantaged pupils' deficit, for every
                year group and for Years 6 and 11 (:mod:`edsim.model.gap_drivers`), or ``None``.

        Returns:
            The KS2 (end of Y6) and KS4 (end of Y11) outcomes of the cohorts that moved on.
        """
        learning_rng, entry_rng, transition_rng = streams
        settings = self.scenario.attainment
        share = settings.targets_low_attainers_below if gains.any_active else 0.0
        groups = self.year_groups
        noise_streams = learning_rng.spawn(len(groups))

        def learn(group: YearGroup) -> None:
            cut = group.low_attainer_cut(share)
            mine = None
            if relief is not None:
                tested = group.year in (KS2_YEAR, KS4_YEAR)
                mine = relief.exam_year if tested else relief.every_year
            group.learn(settings, value_added, gains, cut, noise_streams[group.year], mine)

        def year6_then_transition() -> PupilArrays:
            learn(groups[KS2_YEAR])
            return self.transition(groups[KS2_YEAR].pupils, transition_rng)

        tasks: list[Callable[[], Any]] = [
            year6_then_transition,  # the longest task first, so the threads finish together
            lambda: self.new_reception(entry_rng),
            *(partial(learn, g) for g in groups if g.year != KS2_YEAR),
        ]
        year7, reception, *_ = parallel_map(lambda task: task(), tasks)
        return self._move_on(year7, reception)

    def steady_state(
        self,
        value_added: NDArray[np.float64],
        entry_rng: np.random.Generator,
        learning_rng: np.random.Generator,
        transition_rng: np.random.Generator,
    ) -> tuple[Outcomes, Outcomes]:
        """Fill every year group as a burn-in of 12 or more years leaves it, and the leavers.

        Before year 0 nothing changes from year to year (value added is fixed, no school has an
        intervention), so a pupil in year group ``g`` at year 0 has had ``g`` years of the same
        progress since Reception: ``z + g * (VA[s] - deficit * dis) + noise * sqrt(g) * e``, in
        primary and again in secondary, with the Y6 -> Y7 transition between on the attainment
        reached in Year 6. That is exactly the distribution the year-by-year burn-in reaches (a
        sum of ``g`` independent normals is one normal with ``g`` times the variance), at the
        cost of one draw per pupil and school phase instead of one per year.

        Returns:
            The KS2 and KS4 outcomes of the cohorts that left at the end of the burn-in.
        """
        settings = self.scenario.attainment
        primary_years = KS2_YEAR + 1
        # One spawned stream per cohort and source of randomness, so the 13 cohorts can be
        # drawn in parallel threads with results independent of the thread count.
        n_cohorts = N_YEAR_GROUPS + 1  # 12: the Year 11 cohort that has just left
        streams = list(
            zip(
                entry_rng.spawn(n_cohorts),
                learning_rng.spawn(n_cohorts),
                transition_rng.spawn(n_cohorts),
                strict=True,
            )
        )

        def cohort(g: int) -> tuple[PupilArrays, Outcomes | None]:
            entry, learning, transition = streams[g]
            p = self.new_reception(entry)
            _years_of_progress(p, value_added, min(g, primary_years), settings, True, learning)
            ks2 = None
            if g >= primary_years:
                if g == primary_years:
                    ks2 = Outcomes(p.measured, p.disadvantaged.copy(), p.school.copy())
                p = self.transition(p, transition)
                _years_of_progress(p, value_added, g - primary_years, settings, False, learning)
            return p, ks2

        # Largest cohorts (most years of progress) first, for an even split between threads.
        oldest_first = range(n_cohorts - 1, -1, -1)
        drawn = dict(zip(oldest_first, parallel_map(cohort, oldest_first), strict=True))
        for g in range(N_YEAR_GROUPS):
            self.year_groups[g].pupils = drawn[g][0]
        leavers = drawn[N_YEAR_GROUPS][0]
        ks2 = drawn[primary_years][1]
        assert ks2 is not None
        ks4 = Outcomes(leavers.measured, leavers.disadvantaged, leavers.school)
        self.recount()
        return ks2, ks4

    def recount(self) -> None:
        """Count every year group's pupils per school afresh (after the groups are replaced)."""
        self._counts = [self._count(g.pupils) for g in self.year_groups]

    def _move_on(self, year7: PupilArrays, reception: PupilArrays) -> tuple[Outcomes, Outcomes]:
        """End of the school year: record KS2 and KS4, age every cohort, admit Reception."""
        groups = self.year_groups
        ks2, ks4 = groups[KS2_YEAR].pupils, groups[KS4_YEAR].pupils
        ks2_out = Outcomes(ks2.measured, ks2.disadvantaged.copy(), ks2.school.copy())
        ks4_out = Outcomes(ks4.measured, ks4.disadvantaged.copy(), ks4.school.copy())
        for y in range(KS4_YEAR, 0, -1):
            if y == KS2_YEAR + 1:
                groups[y].pupils = year7
                self._counts[y] = self._count(year7)
            else:
                groups[y].pupils = groups[y - 1].pupils
                self._counts[y] = self._counts[y - 1]
        groups[0].pupils = reception
        self._counts[0] = self._count(reception)
        return ks2_out, ks4_out

    def pupils_per_school(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Pupils and disadvantaged pupils per school (for budgets and reach).

        Each year group's counts are taken once, when the group is formed (Reception intake or
        the Y6 -> Y7 transition), and move up with it: pupils change school nowhere else.
        """
        total = np.sum([c[0] for c in self._counts], axis=0)
        dis = np.sum([c[1] for c in self._counts], axis=0)
        return total, dis

    def _count(self, p: PupilArrays) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        total, dis, _, _ = school_sums(
            p.school, p.disadvantaged, p.attainment, self.schools.n, False
        )
        return total, dis


def _slots(bounds: NDArray[np.int64], n: int) -> NDArray[np.intp]:
    """For positions ``0..n-1``, the school whose share of places holds each, in fill order.

    Position ``i`` goes to the first school ``j`` with ``bounds[j] > i`` (``bounds`` are the
    cumulative places, rounded), and to the last school past the end: the same as
    ``searchsorted(bounds, arange(n), side="right")`` clipped, in one linear pass.
    """
    counts = np.diff(bounds, prepend=0).clip(min=0)
    slot = np.repeat(np.arange(bounds.size), counts)[:n]
    if slot.size < n:
        slot = np.concatenate([slot, np.full(n - slot.size, bounds.size - 1)])
    return slot


def _years_of_progress(
    p: PupilArrays,
    value_added: NDArray[np.float64],
    years: int,
    settings: AttainmentSettings,
    primary: bool,
    rng: np.random.Generator,
) -> None:
    """``years`` years of intervention-free progress in one school, drawn at once."""
    if years == 0 or len(p) == 0:
        return
    deficit = settings.deficit_primary if primary else settings.deficit_secondary
    progress_years(
        p.attainment,
        p.disadvantaged,
        p.school,
        rng,
        value_added,
        years,
        deficit,
        settings.learning_noise,
    )
