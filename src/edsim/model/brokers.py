"""Brokers (Research Schools / regional delivery teams): open and run partnerships (§4.2).

A broker works in one region with a fixed budget of support days a year. Breadth trades against
depth: the same days serve many schools lightly or few schools intensely. Capacity is declared
for England and scaled with the scenario (:func:`broker_plan`), so a sample of England has its
share of support in every region.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np
from numpy.typing import NDArray

from edsim.model.partnerships import Partnership
from edsim.model.schools import largest_remainder

if TYPE_CHECKING:
    from edsim.model.schools import SchoolTable
    from edsim.scenario.regime import PartnershipSettings

__all__ = ["Broker", "area_priority", "broker_plan"]


def area_priority(
    schools: SchoolTable, targeting: str, rng: np.random.Generator
) -> NDArray[np.float64]:
    """Priority score per school for recruitment (higher first).

    'disadvantage': the school's disadvantage share; 'low_outcomes': its accountability exposure
    (low results); 'widest_gap': its own gap between disadvantaged pupils and others;
    'first_come': random order. The random draw is made whatever the rule, so changing the
    rule does not shift the stream's later draws.
    """
    order = rng.random(schools.n)
    if targeting == "disadvantage":
        return schools.share.copy()
    if targeting == "low_outcomes":
        return schools.exposure.copy()
    if targeting == "widest_gap":
        return schools.gap.copy()
    return order


def broker_plan(
    pupil_share: NDArray[np.float64], settings: PartnershipSettings, scale: float
) -> list[tuple[int, float, float]]:
    """Where the scenario's brokers work and how many support days each holds.

    England's capacity (``n_brokers x days_per_broker``) times the scenario's ``scale`` is
    split into whole school-years of support (``days_per_school`` each) and shared among the
    regions in proportion to their pupils by largest remainder. A region with support holds its
    share of England's brokers (at least one), its days split among them as evenly as possible.

    Each broker's span (the schools it can serve well at once) is its share of the region's
    *declared* span, ``broker_span`` times the region's share of England's brokers at the
    scenario's scale, so a sample of England is no better served per school than England.

    Returns:
        One ``(region, days per year, span)`` per broker, regions in order.
    """
    if not settings.enabled:
        return []
    share = pupil_share / pupil_share.sum()
    total = settings.n_brokers * settings.days_per_broker * scale
    slots = round(total / settings.days_per_school)
    if slots <= 0:
        return []
    per_region = largest_remainder(slots, share, minimum=0)
    plan: list[tuple[int, float, float]] = []
    for region, n_slots in enumerate(per_region):
        if n_slots == 0:
            continue
        declared = float(settings.n_brokers * scale * share[region])
        n = max(1, round(declared))
        split = largest_remainder(int(n_slots), np.ones(n), minimum=0)
        working = [k for k in split if k > 0]
        span = settings.broker_span * declared / len(working)
        plan += [(region, float(k) * settings.days_per_school, span) for k in working]
    return plan


class Broker(mesa.Agent):
    """A broker with a yearly budget of support days in one region."""

    def __init__(
        self,
        model: mesa.Model,
        region: int,
        days: float,
        settings: PartnershipSettings,
        span: float = float("inf"),
    ) -> None:
        super().__init__(model)
        self.region = region
        self.days = days
        self.settings = settings
        self.span = span
        built = settings.broker_capacity == "built"
        self.expertise = settings.broker_expertise_start if built else 1.0
        self.partnerships: list[Partnership] = []

    def schools_served(self) -> int:
        """Schools in this broker's running partnerships."""
        return sum(int(p.schools.size) for p in self.partnerships)

    def effectiveness(self) -> float:
        """Share of full support quality the broker delivers this year.

        Under ``broker_capacity: built`` its expertise, diluted by ``span / schools served``
        when it serves more schools than it can serve well; 1 under ``fixed``.
        """
        if self.settings.broker_capacity != "built":
            return 1.0
        served = self.schools_served()
        return self.expertise * (min(1.0, self.span / served) if served else 1.0)

    def gain_experience(self) -> None:
        """A year of brokering builds expertise (under ``built``)."""
        if self.settings.broker_capacity == "built" and self.partnerships:
            self.expertise += self.settings.broker_expertise_growth * (1.0 - self.expertise)

    def close_finished(self, year: int) -> list[Partnership]:
        """Remove and return partnerships whose action phase has ended."""
        done = [p for p in self.partnerships if p.stage(year) == "closed"]
        self.partnerships = [p for p in self.partnerships if p.stage(year) != "closed"]
        return done

    def committed_days(self) -> float:
        """Support days already promised to running partnerships this year."""
        return sum(p.support_days(self.settings.days_per_school) for p in self.partnerships)

    def recruit(
        self,
        schools: SchoolTable,
        priority: NDArray[np.float64],
        year: int,
        next_id: int,
        rng: np.random.Generator,
    ) -> list[Partnership]:
        """Open new partnerships while the day budget allows, best-priority areas first.

        Candidates are the region's free schools, those never in a partnership first (see
        ``regime.partnerships.returning_schools``). Areas are ranked by the mean priority of
        their candidate schools. Within an area the broker
        serves primary or secondary schools with probability proportional to the pupils in each
        phase's free schools, and recruits that phase's highest-priority schools. Choosing the
        phase with more free *schools* would never serve secondaries (primaries outnumber them
        five to one in every area), although they hold 40% of pupils and the Research Schools
        Network works with both phases.
        """
        s = self.settings
        budget = self.days - self.committed_days()
        opened: list[Partnership] = []
        free = (schools.partnership < 0) & (schools.region == self.region)
        while budget >= s.days_per_school:
            cand = self._candidates(free, schools.ever_partnered)
            if cand.size == 0:
                break
            areas = schools.area[cand]
            uniq, inv = np.unique(areas, return_inverse=True)
            area_score = np.bincount(inv, weights=priority[cand]) / np.bincount(inv)
            area = int(uniq[np.argmax(area_score)])
            in_area = cand[areas == area]
            phases = schools.phase[in_area]
            pupils = np.bincount(phases, weights=schools.n_pupils[in_area], minlength=2)
            if pupils.sum() > 0:
                phase = int(rng.random() < pupils[1] / pupils.sum())
            else:  # no pupils enrolled (cannot happen after burn-in): the larger phase by schools
                phase = int(np.bincount(phases, minlength=2).argmax())
            pool = in_area[phases == phase]
            affordable = int(budget // s.days_per_school)
            take = min(s.schools_per_partnership, pool.size, affordable)
            chosen = pool[np.argsort(-priority[pool], kind="stable")[:take]]
            p = Partnership(
                next_id + len(opened),
                self.unique_id,
                area,
                phase,
                chosen,
                year,
                s.exploration_years,
                s.action_years,
            )
            opened.append(p)
            free[chosen] = False
            budget -= p.support_days(s.days_per_school)
        self.partnerships.extend(opened)
        return opened

    def _candidates(self, free: NDArray[np.bool_], ever: NDArray[np.bool_]) -> NDArray[np.intp]:
        """Free schools the broker may recruit, by ``regime.partnerships.returning_schools``."""
        rule = self.settings.returning_schools
        if rule == "allowed":
            return np.flatnonzero(free)
        new = np.flatnonzero(free & ~ever)
        if rule == "excluded" or new.size > 0:
            return new
        return np.flatnonzero(free)
