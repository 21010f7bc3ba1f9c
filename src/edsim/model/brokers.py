"""Brokers (Research Schools / regional delivery teams): open and run partnerships (§4.2).

A broker works in one region with a fixed budget of support days a year. Breadth trades against
depth: the same days serve many schools lightly or few schools intensely.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np
from numpy.typing import NDArray

from edsim.model.partnerships import Partnership

if TYPE_CHECKING:
    from edsim.model.schools import SchoolTable
    from edsim.scenario.regime import PartnershipSettings

__all__ = ["Broker", "area_priority"]


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


class Broker(mesa.Agent):
    """A broker with a yearly budget of support days in one region."""

    def __init__(self, model: mesa.Model, region: int, settings: PartnershipSettings) -> None:
        super().__init__(model)
        self.region = region
        self.settings = settings
        self.partnerships: list[Partnership] = []
        self.days_used = 0.0

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

        Areas are ranked by the mean priority of their free schools. Within an area the broker
        serves primary or secondary schools with probability proportional to the pupils in each
        phase's free schools, and recruits that phase's highest-priority schools. Choosing the
        phase with more free *schools* would never serve secondaries (primaries outnumber them
        five to one in every area), although they hold 40% of pupils and the Research Schools
        Network works with both phases.
        """
        s = self.settings
        budget = s.days_per_broker - self.committed_days()
        opened: list[Partnership] = []
        free = (schools.partnership < 0) & (schools.region == self.region)
        while budget >= s.days_per_school:
            cand = np.flatnonzero(free)
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
