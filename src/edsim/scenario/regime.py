"""Regime settings: the mechanism settings a theory of change is composed of (DESIGN.md §8).

A regime is *only* a composition of these settings. The preset names (``disseminate_to``,
``linkage_exchange``, ``none``) are labels for particular compositions: the model never reads the
name, so identical settings under two names give identical results.
"""

from __future__ import annotations

import copy
from typing import Any, Literal

from pydantic import Field, model_validator

from edsim.scenario.fields import FrozenModel, param

__all__ = [
    "PRESETS",
    "DisseminationSettings",
    "FeedbackSettings",
    "PartnershipSettings",
    "PolicyResponseSettings",
    "RegimeSettings",
    "ResearchSettings",
    "SelectionSettings",
    "SupportSettings",
    "deep_merge",
    "preset_mapping",
]


class DisseminationSettings(FrozenModel):
    """National broadcast of Toolkit rankings, backed by accountability ("disseminate to")."""

    push_strength: float = param(
        1.0,
        "Strength of the national push channel: scales every school's yearly probability of "
        "adopting a Toolkit 'best bet'. 0 switches the channel off.",
        unit="share 0-1",
        source="Moss (2024) seed: England's strong push; 0 under pure linkage and exchange",
        ge=0,
        le=1,
    )
    base_adoption_rate: float = param(
        0.25,
        "Yearly probability that a fully exposed, engaged school with spare capacity adopts a new "
        "approach under full push.",
        unit="probability per year",
        source="uncertain: chosen so ~60% of schools use Toolkit approaches within 5 years "
        "(NFER 2018: 59% of senior leaders use the Toolkit)",
        ge=0,
        le=1,
    )


class SelectionSettings(FrozenModel):
    """How a school chooses what to implement."""

    mode: Literal["national_ranking", "context_aware"] = Field(
        default="national_ranking",
        description="'national_ranking': the Toolkit's national estimate per pound; "
        "'context_aware': the evidence base's estimate for this school's context (partnership "
        "schools only; push adopters always use the national ranking).",
    )
    fashion_noise: float = param(
        0.5,
        "Log-scale noise on each option's score when a school chooses (fashion, word of mouth).",
        unit="log-score SD",
        source="uncertain: chosen so the top few Toolkit strands dominate but do not monopolise",
        ge=0,
        le=3,
    )
    cost_overhead: float = param(
        100.0,
        "Staff time and materials per pupil reached added to an approach's cost when ranking "
        "by effect per pound (so very cheap approaches are not treated as free).",
        unit="GBP per pupil",
        source="uncertain: EEF cost guidance counts staff time separately",
        ge=0,
        le=5000,
    )


class SupportSettings(FrozenModel):
    """What comes with adopted evidence: written guidance, or partnership support."""

    quality_gain: float = param(
        0.3,
        "Rise in the ceiling of implementation quality for a school receiving full partnership "
        "support (scaled by support days received). 0 means support adds no quality.",
        unit="quality 0-1",
        source="uncertain: implementation-science reviews (Durlak & DuPre 2008) find support "
        "raises fidelity substantially; size chosen, sweepable",
        ge=0,
        le=1,
    )
    capacity_building: float = param(
        0.06,
        "Yearly rise in a partnered school's capacity at full support intensity. 0 means "
        "support builds no capacity.",
        unit="capacity per year",
        source="uncertain: EEF seed (003) on 'building capacity... sustained practice change'",
        ge=0,
        le=0.5,
    )
    reference_days: float = param(
        6.0,
        "Support days per school per year counted as 'full' support intensity.",
        unit="days per school per year",
        source="uncertain: EEF Evidence into Action partnerships (seed 003) imply several days "
        "a year per school",
        ge=0.1,
        le=50,
    )


class FeedbackSettings(FrozenModel):
    """Whether what happens in practice flows back into the evidence base."""

    mode: Literal["none", "local_evaluation"] = Field(
        default="none",
        description="'local_evaluation': every partnership school in its action phase reports "
        "its observed gain, which updates the evidence base's context-specific model.",
    )
    evaluation_se: float = param(
        0.25,
        "Standard error of one school's local evaluation of one year's effect (a small, "
        "uncontrolled sample).",
        unit="SD",
        source="uncertain: one school cohort of ~60 pupils, no control group",
        ge=0.001,
        le=2,
    )


class PolicyResponseSettings(FrozenModel):
    """How the policymaker answers at each review (DESIGN.md §7)."""

    mode: Literal["pressure_driven", "deliberative", "static"] = Field(
        default="pressure_driven",
        description="'pressure_driven': on disappointment draw one of the four responses the "
        "seed names; 'deliberative': review with schools and researchers; 'static': no "
        "response.",
    )
    more_pressure: float = param(
        0.35,
        "Weight of 'more pressure' among pressure-driven responses.",
        unit="weight",
        source="uncertain: Moss (2024) names it first",
        ge=0,
        le=1,
    )
    switch_evidence: float = param(
        0.25,
        "Weight of 'switch evidence' (new national priorities) among responses.",
        unit="weight",
        source="uncertain: Moss (2024)",
        ge=0,
        le=1,
    )
    blame_practitioners: float = param(
        0.25,
        "Weight of 'blame practitioners' (more prescription) among responses.",
        unit="weight",
        source="uncertain: Moss (2024)",
        ge=0,
        le=1,
    )
    bury_evidence: float = param(
        0.15,
        "Weight of 'bury the evidence' (research funding cut) among responses.",
        unit="weight",
        source="uncertain: Moss (2024)",
        ge=0,
        le=1,
    )

    @model_validator(mode="after")
    def _some_weight(self) -> PolicyResponseSettings:
        total = (
            self.more_pressure
            + self.switch_evidence
            + self.blame_practitioners
            + self.bury_evidence
        )
        if self.mode == "pressure_driven" and total <= 0:
            raise ValueError("pressure_driven responses need at least one positive weight")
        return self


class PartnershipSettings(FrozenModel):
    """Research-practice partnerships run by brokers (EEF regional strand 2)."""

    enabled: bool = Field(
        default=False,
        description="Whether brokers run partnerships at all (the regime's choice); their "
        "capacity below is the scenario's own, kept when the regime is switched.",
    )
    n_brokers: int = param(
        30,
        "Brokers (Research Schools / regional delivery teams) able to run partnerships; "
        "each works in one region.",
        unit="count",
        source="EEF: ~30 Research Schools by 2023, CALIBRATION.md",
        ge=0,
        le=1000,
    )
    days_per_broker: float = param(
        300.0,
        "School-support days each broker can give per year.",
        unit="days per year",
        source="uncertain: a small team's year",
        ge=0,
        le=10_000,
    )
    days_per_school: float = param(
        6.0,
        "Support days each partnership school receives per year (intensity).",
        unit="days per school per year",
        source="uncertain: seed 003 'fewer, deeper'",
        ge=0.1,
        le=100,
    )
    schools_per_partnership: int = param(
        15,
        "Schools recruited into one partnership (within one local area).",
        unit="count",
        source="Schools Week Nov 2024: 10 partnerships, ~300 schools",
        ge=1,
        le=500,
    )
    exploration_years: int = param(
        1,
        "Length of the Evidence Exploration phase (diagnosis; no attainment effect).",
        unit="years",
        source="seed 003: Evidence Exploration Partnership",
        ge=0,
        le=5,
    )
    action_years: int = param(
        2,
        "Length of the Evidence into Action phase (supported implementation).",
        unit="years",
        source="seed 003: two-year Evidence into Action partnerships",
        ge=1,
        le=10,
    )
    targeting: Literal["disadvantage", "low_outcomes", "widest_gap", "first_come"] = Field(
        default="disadvantage",
        description="Which local areas and schools brokers approach first: highest "
        "disadvantage, lowest outcomes, widest gap between disadvantaged pupils and others, or "
        "in random order.",
    )
    cost_per_day: float = param(
        500.0,
        "Cost of one support day.",
        unit="GBP",
        source="uncertain: Schools Week Nov 2024 "
        "(£700k for ~300 schools) implies ~£2,300 per school",
        ge=0,
        le=10_000,
    )


class ResearchSettings(FrozenModel):
    """The evidence producers' yearly programme (EEF and universities)."""

    n_researchers: int = param(
        3,
        "Research organisations commissioning trials.",
        unit="count",
        source="uncertain: the EEF plus a few university teams",
        ge=0,
        le=100,
    )
    trials_per_year: float = param(
        20.0,
        "Randomised trials started per year at full research funding.",
        unit="trials per year",
        source="EEF: >160 RCTs 2012-2019, CALIBRATION.md",
        ge=0,
        le=500,
    )
    orientation: Literal["push", "pull"] = Field(
        default="push",
        description="'push': test the Toolkit's most promising untested strands; 'pull': test "
        "the questions partner schools raised.",
    )
    effectiveness_share: float = param(
        0.4,
        "Share of trials run at effectiveness quality (as schools would implement) rather "
        "than developer-led efficacy quality.",
        unit="share 0-1",
        source="uncertain: EEF funds efficacy then effectiveness trials",
        ge=0,
        le=1,
    )


class RegimeSettings(FrozenModel):
    """A theory of change as a composition of mechanism settings."""

    name: str = Field(
        default="disseminate_to",
        description="A label for reports only; the model never reads it.",
    )
    dissemination: DisseminationSettings = DisseminationSettings()
    selection: SelectionSettings = SelectionSettings()
    support: SupportSettings = SupportSettings()
    feedback: FeedbackSettings = FeedbackSettings()
    policy_response: PolicyResponseSettings = PolicyResponseSettings()
    partnerships: PartnershipSettings = PartnershipSettings()
    research: ResearchSettings = ResearchSettings()
    prescription: float = param(
        0.7,
        "Fidelity demand at the start: high prescription means implementing as specified, "
        "no adaptation.",
        unit="share 0-1",
        source="Moss (2024): England prescribes fidelity; uncertain level",
        ge=0,
        le=1,
    )

    @model_validator(mode="before")
    @classmethod
    def _expand_preset(cls, data: Any) -> Any:
        if isinstance(data, str):
            return preset_mapping(data)
        if isinstance(data, dict) and "preset" in data:
            overrides = {k: v for k, v in data.items() if k != "preset"}
            base = preset_mapping(data["preset"])
            return deep_merge(base, overrides)
        return data


def deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """``over`` merged into a copy of ``base``: mappings merge, anything else replaces."""
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


#: Every preset fixes the same mechanism-defining settings, so switching a scenario from one preset
#: to another (which keeps the scenario's other regime settings) leaves nothing of the old regime.
PRESETS: dict[str, dict[str, Any]] = {
    "disseminate_to": {
        "name": "disseminate_to",
        "dissemination": {"push_strength": 1.0},
        "selection": {"mode": "national_ranking"},
        "feedback": {"mode": "none"},
        "policy_response": {"mode": "pressure_driven"},
        "partnerships": {"enabled": False},
        "research": {"orientation": "push", "trials_per_year": 20.0},
        "prescription": 0.7,
    },
    "linkage_exchange": {
        "name": "linkage_exchange",
        "dissemination": {"push_strength": 0.0},
        "selection": {"mode": "context_aware"},
        "feedback": {"mode": "local_evaluation"},
        "policy_response": {"mode": "deliberative"},
        "partnerships": {"enabled": True},
        "research": {"orientation": "pull", "trials_per_year": 20.0},
        "prescription": 0.3,
    },
    "none": {
        "name": "none",
        "dissemination": {"push_strength": 0.0},
        "selection": {"mode": "national_ranking"},
        "feedback": {"mode": "none"},
        "policy_response": {"mode": "static"},
        "partnerships": {"enabled": False},
        "research": {"orientation": "push", "trials_per_year": 0.0},
        "prescription": 0.7,
    },
}


def preset_mapping(name: str) -> dict[str, Any]:
    """The settings of a named preset as a plain mapping (a fresh copy).

    Raises:
        ValueError: If ``name`` is not a preset (pydantic turns it into a located error).
    """
    if name not in PRESETS:
        choices = ", ".join(sorted(PRESETS))
        raise ValueError(f"unknown regime preset {name!r}; choose one of: {choices}")
    return copy.deepcopy(PRESETS[name])
