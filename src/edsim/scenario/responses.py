"""How the policymaker answers at each review (DESIGN.md §7; issue 14, items 3 and 7).

Moss (2024) lists what a government does when its strategy disappoints: "apply more pressure";
"relinquish the evidence base ... and look for more certain answers elsewhere"; "blame
practitioners ... or researchers for not having the answers wanted"; "bury the evidence and turn
to other questions". Each is a weighted response here. The deliberative policymaker of "linkage
and exchange" reviews what practice fed back and may judge success on more than attainment
("a system that can learn from what it does").
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from edsim.scenario.fields import FrozenModel, param

__all__ = ["RESPONSE_WEIGHTS", "PolicyResponseSettings"]

#: The pressure-driven responses, in the order their weights are drawn.
RESPONSE_WEIGHTS: tuple[str, ...] = (
    "more_pressure",
    "switch_evidence",
    "blame_practitioners",
    "bury_evidence",
    "blame_researchers",
    "turn_to_other_questions",
)


class PolicyResponseSettings(FrozenModel):
    """How the policymaker answers at each review (DESIGN.md §7)."""

    mode: Literal["pressure_driven", "deliberative", "static"] = Field(
        default="pressure_driven",
        description="'pressure_driven': on disappointment draw one of the responses the "
        "seed names; 'deliberative': review the feedback from practice with schools and "
        "researchers; 'static': no response.",
    )
    more_pressure: float = param(
        0.3,
        "Weight of 'more pressure' among pressure-driven responses.",
        unit="weight",
        source="uncertain: Moss (2024) names it first",
        ge=0,
        le=1,
    )
    switch_evidence: float = param(
        0.2,
        "Weight of 'switch evidence' (new national priorities) among responses.",
        unit="weight",
        source="uncertain: Moss (2024)",
        ge=0,
        le=1,
    )
    blame_practitioners: float = param(
        0.2,
        "Weight of 'blame practitioners' (more prescription) among responses.",
        unit="weight",
        source="uncertain: Moss (2024)",
        ge=0,
        le=1,
    )
    bury_evidence: float = param(
        0.1,
        "Weight of 'bury the evidence' (research funding and push cut) among responses.",
        unit="weight",
        source="uncertain: Moss (2024)",
        ge=0,
        le=1,
    )
    blame_researchers: float = param(
        0.1,
        "Weight of 'blame researchers' ('for not having the answers wanted'): research is "
        "redirected to the national ranking's questions (orientation 'push') and its funding "
        "cut by half of policy.funding_cut.",
        unit="weight",
        source="uncertain: Moss (2024)",
        ge=0,
        le=1,
    )
    turn_to_other_questions: float = param(
        0.1,
        "Weight of 'turn to other questions': the policymaker's attention leaves the gap; the "
        "evidence push falls by policy.attention_loss and the gap is not reviewed again.",
        unit="weight",
        source="uncertain: Moss (2024), 'bury the evidence and turn to other questions'",
        ge=0,
        le=1,
    )
    judge_on: Literal["attainment", "attainment_and_learning"] = Field(
        default="attainment",
        description="What a deliberative review counts as success: 'attainment': the KS4 gap "
        "met its target; 'attainment_and_learning': that, or the evidence base's own "
        "uncertainty about for whom each approach works (its context moderators, output "
        "evidence_uncertainty_moderators) fell by learning_target since the last review (Moss "
        "2024: success measured 'solely in attainment outcomes' would have to be unwound). "
        "Pressure-driven reviews judge on attainment.",
    )
    learning_target: float = param(
        0.05,
        "Relative fall in the evidence base's mean uncertainty about its context moderators "
        "between reviews that a deliberative policymaker judging on learning counts as "
        "success.",
        unit="share 0-1",
        source="uncertain: over twice the fall that trials and the literature alone give over "
        "a review cycle (1.5-2% under disseminate to on england_sample), below what a cycle of "
        "local evaluations gives (10-18% on average under linkage and exchange); "
        "docs/ODD.md §7.20.7",
        ge=0,
        le=1,
    )

    @model_validator(mode="after")
    def _some_weight(self) -> PolicyResponseSettings:
        total = sum(getattr(self, name) for name in RESPONSE_WEIGHTS)
        if self.mode == "pressure_driven" and total <= 0:
            raise ValueError("pressure_driven responses need at least one positive weight")
        return self
