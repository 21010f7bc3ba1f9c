"""A regime as a composition of mechanism strategy objects (DESIGN.md §8).

:class:`Regime` is built from :class:`~edsim.scenario.regime.RegimeSettings` alone and never
from the preset's name, so two regimes with identical settings behave identically.
"""

from __future__ import annotations

from dataclasses import dataclass

from edsim.model.mechanisms.dissemination import PushDissemination
from edsim.model.mechanisms.feedback import Feedback, LocalEvaluation, NoFeedback
from edsim.model.mechanisms.policy import Deliberative, PolicyStrategy, PressureDriven, Static
from edsim.model.mechanisms.selection import ContextAware, NationalRanking, SelectionRule
from edsim.model.mechanisms.support import PartnershipSupport
from edsim.model.mechanisms.workforce import WorkforceUse
from edsim.scenario.regime import PartnershipSettings, RegimeSettings, ResearchSettings
from edsim.scenario.responses import RESPONSE_WEIGHTS
from edsim.scenario.schema import EvidenceSettings, WorkforceSettings

__all__ = ["Regime"]


@dataclass(frozen=True)
class Regime:
    """The mechanisms one run uses."""

    dissemination: PushDissemination
    selection: SelectionRule
    fashion_noise: float
    cost_overhead: float
    support: PartnershipSupport
    feedback: Feedback
    policy: PolicyStrategy
    partnerships: PartnershipSettings
    research: ResearchSettings
    workforce: WorkforceUse

    @classmethod
    def from_settings(
        cls, settings: RegimeSettings, evidence: EvidenceSettings, workforce: WorkforceSettings
    ) -> Regime:
        """Compose the strategy objects a set of regime settings names.

        ``evidence`` supplies only how evaluations are read (the quality floor), and
        ``workforce`` the sizes of literacy's effects, both the same under every regime.
        """
        sel: SelectionRule = (
            ContextAware() if settings.selection.mode == "context_aware" else NationalRanking()
        )
        fb: Feedback = (
            LocalEvaluation(settings.feedback.evaluation_se, evidence.min_reported_quality)
            if settings.feedback.mode == "local_evaluation"
            else NoFeedback()
        )
        pr = settings.policy_response
        policy: PolicyStrategy
        if pr.mode == "pressure_driven":
            policy = PressureDriven(tuple((name, getattr(pr, name)) for name in RESPONSE_WEIGHTS))
        elif pr.mode == "deliberative":
            policy = Deliberative(pr.judge_on == "attainment_and_learning", pr.learning_target)
        else:
            policy = Static()
        sp = settings.support
        return cls(
            dissemination=PushDissemination(
                settings.dissemination.push_strength, settings.dissemination.base_adoption_rate
            ),
            selection=sel,
            fashion_noise=settings.selection.fashion_noise,
            cost_overhead=settings.selection.cost_overhead,
            support=PartnershipSupport(
                sp.quality_gain,
                sp.capacity_building,
                sp.reference_days,
                sp.spillover,
                guidance=sp.guidance == "devolved",
                burden_relief=sp.burden_relief,
            ),
            feedback=fb,
            policy=policy,
            partnerships=settings.partnerships,
            research=settings.research,
            workforce=WorkforceUse(
                settings.workforce.use == "reflection",
                workforce.uptake_gain,
                workforce.fidelity_gain,
                workforce.reflection_gain,
            ),
        )
