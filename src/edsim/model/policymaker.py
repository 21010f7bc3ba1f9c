"""The policymaker: sets the levers each year and reviews the national gap (DESIGN.md §7)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import mesa
import numpy as np

from edsim.model.mechanisms.policy import RESPONSES, Levers, PolicyStrategy, Review

if TYPE_CHECKING:
    from edsim.scenario.schema import Scenario

__all__ = ["Observed", "Policymaker"]


@dataclass(frozen=True)
class Observed:
    """What the policymaker can see each year (published statistics, its own records).

    Attributes:
        gap: The KS4 disadvantage gap index this year.
        gap_at_start: The KS4 gap index at year 0.
        uncertainty: The evidence base's mean uncertainty (posterior SD) about the context
            moderators: for whom each approach works.
        evaluations: Local evaluations written back so far (cumulative).
    """

    gap: float
    gap_at_start: float
    uncertainty: float
    evaluations: int


class Policymaker(mesa.Agent):
    """National government: holds the levers and answers disappointment with a response."""

    def __init__(self, model: mesa.Model, scenario: Scenario, strategy: PolicyStrategy) -> None:
        super().__init__(model)
        pol, reg = scenario.policy, scenario.regime
        self.strategy = strategy
        self.reform_cycle = pol.reform_cycle
        self.target_reduction = pol.target_gap_reduction
        self.target_basis = pol.target_basis
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
            attention_loss=pol.attention_loss,
        )
        self.pupil_premium = sorted(pol.pupil_premium, key=lambda r: r.from_year)
        self.pupil_premium_multiplier = pol.pupil_premium_multiplier
        self.reviews = 0
        self.last_response = "none"
        self.disappointments = 0
        self._last: Observed | None = None  # what the previous review saw
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

    def act(self, year: int, calendar_year: int, seen: Observed, rng: np.random.Generator) -> str:
        """Set this year's levers; at a review compare the KS4 gap index with the target.

        The target is the gap at the previous review (year 0 at the first) narrowed by
        ``target_reduction`` (``target_basis: previous_review``), or ``gap_at_start * (1 -
        target_reduction * r)`` at the r-th review (``year_zero``). A policymaker that has
        turned to other questions reviews the gap no more. Returns the response taken this
        year ("none" when no review or no action).
        """
        self.levers.churn_pending = False
        self.set_pupil_premium(calendar_year)
        response = "none"
        if year > 0 and year % self.reform_cycle == 0 and self.levers.reviewing_gap:
            self.reviews += 1
            review = self._review(seen)
            self.disappointments += int(not review.gap_met)
            response = self.strategy.choose(review, rng)
            if response != "none":
                RESPONSES[response](self.levers, rng)
            self._last = seen
        self.levers.history.append(response)
        self.last_response = response
        return response

    def begin(self, seen: Observed) -> None:
        """Record what the policymaker sees at year 0, the first review's reference."""
        self._last = seen

    def _review(self, seen: Observed) -> Review:
        """The review's findings from what it sees now and saw at the last review."""
        last = self._last or seen
        if self.target_basis == "year_zero":
            target = seen.gap_at_start * (1.0 - self.target_reduction * self.reviews)
        else:
            target = last.gap * (1.0 - self.target_reduction)
        before = last.uncertainty
        learning = (before - seen.uncertainty) / before if before > 0 else 0.0
        return Review(seen.gap, target, learning, seen.evaluations - last.evaluations)
