"""The policymaker: sets the levers each year and reviews the national gap (DESIGN.md §7)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from edsim.model.mechanisms.policy import RESPONSES, Levers, PolicyStrategy

if TYPE_CHECKING:
    from edsim.scenario.schema import Scenario

__all__ = ["Policymaker"]


class Policymaker(mesa.Agent):
    """National government: holds the levers and answers disappointment with a response."""

    def __init__(self, model: mesa.Model, scenario: Scenario, strategy: PolicyStrategy) -> None:
        super().__init__(model)
        pol, reg = scenario.policy, scenario.regime
        self.strategy = strategy
        self.reform_cycle = pol.reform_cycle
        self.target_reduction = pol.target_gap_reduction
        self.churn = pol.churn
        self.levers = Levers(
            accountability_pressure=pol.accountability_pressure,
            prescription=reg.prescription,
            evidence_push=pol.evidence_push,
            research_funding=pol.research_funding,
            pupil_premium_primary=0.0,
            pupil_premium_secondary=0.0,
            partnership_targeting=reg.partnerships.targeting,
            research_orientation=reg.research.orientation,
            priorities=np.ones(len(scenario.interventions)),
            step=pol.pressure_step,
            funding_cut=pol.funding_cut,
            priority_count=pol.priority_count,
            priority_weight=pol.priority_weight,
        )
        self.pupil_premium = sorted(pol.pupil_premium, key=lambda r: r.from_year)
        self.pupil_premium_multiplier = pol.pupil_premium_multiplier
        self.reviews = 0
        self.last_response = "none"
        self.set_pupil_premium(scenario.start_year)

    def set_pupil_premium(self, calendar_year: int) -> None:
        """Apply the Pupil Premium rates in force in ``calendar_year`` (times the multiplier).

        Years before the first listed one use the first rates.
        """
        current = self.pupil_premium[0]
        for rate in self.pupil_premium:
            if rate.from_year <= calendar_year:
                current = rate
        self.levers.pupil_premium_primary = current.primary * self.pupil_premium_multiplier
        self.levers.pupil_premium_secondary = current.secondary * self.pupil_premium_multiplier

    def act(
        self,
        year: int,
        calendar_year: int,
        gap_now: float,
        gap_at_start: float,
        rng: np.random.Generator,
    ) -> str:
        """Set this year's levers; at a review compare the KS4 gap index with the target.

        The target tightens at every review: ``gap_at_start * (1 - target_reduction * r)`` at
        the r-th review. Returns the response taken this year ("none" when no review or no
        action).
        """
        self.levers.churn_pending = False
        self.set_pupil_premium(calendar_year)
        response = "none"
        if year > 0 and year % self.reform_cycle == 0:
            self.reviews += 1
            target = gap_at_start * (1.0 - self.target_reduction * self.reviews)
            response = self.strategy.choose(gap_now > target, rng)
            if response != "none":
                RESPONSES[response](self.levers, rng)
        self.levers.history.append(response)
        self.last_response = response
        return response
