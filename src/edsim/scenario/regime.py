"""Regime settings: the mechanism settings a theory of change is composed of (DESIGN.md §8).

A regime is *only* a composition of these settings. The preset names (``disseminate_to``,
``linkage_exchange``, ``none``) are labels for particular compositions: the model never reads the
name, so identical settings under two names give identical results.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from edsim.scenario.fields import FrozenModel, param
from edsim.scenario.presets import PRESETS, deep_merge, preset_mapping
from edsim.scenario.responses import PolicyResponseSettings
from edsim.scenario.strands import AdvocacySettings, OrganisationSettings
from edsim.scenario.workforce import WorkforceUseSettings

__all__ = [
    "PRESETS",
    "AdvocacySettings",
    "DisseminationSettings",
    "FeedbackSettings",
    "OrganisationSettings",
    "PartnershipSettings",
    "PolicyResponseSettings",
    "RegimeSettings",
    "ResearchSettings",
    "SelectionSettings",
    "SupportSettings",
    "WorkforceUseSettings",
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

    guidance: Literal["none", "devolved"] = Field(
        default="devolved",
        description="'devolved': schools implement with the EEF's implementation guidance, "
        "whose burden (implementation.burden x (1 - capacity)) falls hardest where capacity "
        "is short (Moss 2024: 'increasingly complex and time-consuming. Devolved to the front "
        "line'); 'none': no guidance and no burden.",
    )
    burden_relief: float = param(
        1.0,
        "Share of the guidance burden that full partnership support lifts (the broker carries "
        "the implementation work with the school). 0: support relieves nothing.",
        unit="share 0-1",
        source="uncertain: seed 003, support 'underpinned by effective implementation'",
        ge=0,
        le=1,
    )

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
    protection: Literal["none", "current_partnership", "all_partnership_work"] = Field(
        default="current_partnership",
        description="Which implementations a school in a supporting partnership never drops: "
        "'none'; 'current_partnership': the approach it co-constructed with the partnership "
        "that supports it now, while that support lasts; 'all_partnership_work': every approach "
        "that ever came from a partnership (earlier, closed ones included), while it has any "
        "support. Default 'current_partnership': a partnership is a commitment to its own "
        "approach for its action years (seed 003, 'Evidence into Action'); the seed's "
        "'sustained practice change' after support ends is what capacity_building models, not "
        "a rule against dropping.",
    )
    spillover: float = param(
        0.0,
        "Share of support's quality gain that also reaches a supported school's other "
        "approaches (pushed ones, those of earlier partnerships, and everything it runs during "
        "the exploration year, before there is a co-constructed approach).",
        unit="share 0-1",
        source="uncertain: 0 because support's general effect on a school's work is what "
        "capacity_building models (capacity raises every approach's ceiling); a direct "
        "spill-over would count it twice. Sweepable.",
        ge=0,
        le=1,
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


class PartnershipSettings(FrozenModel):
    """Research-practice partnerships run by brokers (EEF regional strand 2)."""

    enabled: bool = Field(
        default=False,
        description="Whether brokers run partnerships at all (the regime's choice). Their "
        "capacity below is declared for England and scaled with the scenario "
        "(population.scale); it is kept when the regime is switched.",
    )
    n_brokers: int = param(
        30,
        "Brokers (Research Schools / regional delivery teams) able to run partnerships, "
        "declared for England: a scenario gets its share (population.scale) of the support "
        "days, spread over the regions in proportion to their pupils, and each region's days "
        "are held by its share of the brokers (at least one).",
        unit="count",
        source="EEF: ~30 Research Schools by 2023, docs/sources.md",
        ge=0,
        le=1000,
    )
    days_per_broker: float = param(
        300.0,
        "School-support days each broker can give per year, declared for England (see "
        "n_brokers: the scenario's total is n_brokers x days_per_broker x population.scale).",
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
    choice_quorum: float = param(
        0.5,
        "Share of a partnership's schools that must be able to afford an approach (in the right "
        "phase, within their Pupil Premium) for the partnership to choose it.",
        unit="share 0-1",
        source="uncertain: co-construction needs most members to be able to take part",
        ge=0,
        le=1,
    )
    members_adopt: Literal["affordable", "all"] = Field(
        default="affordable",
        description="Which members start the co-constructed approach: 'affordable': those "
        "that can fund it from their Pupil Premium, or already run it (the same budget rule "
        "as every pushed adoption); 'all': imposed on every member, over budget or not.",
    )
    returning_schools: Literal["last", "allowed", "excluded"] = Field(
        default="last",
        description="Whether brokers recruit schools that have been in a partnership before: "
        "'last': only when no school of the region that has never been in one is free; "
        "'allowed': like any other school (disadvantage targeting then recruits the same "
        "schools wave after wave); 'excluded': never. Default 'last': the 2019-2023 "
        "programme reached ~6,000 different schools through 150+ partnerships "
        "(docs/sources.md), so partnerships went to new schools.",
    )
    broker_capacity: Literal["fixed", "built"] = Field(
        default="built",
        description="'fixed': every broker supports at full quality whatever its load; "
        "'built': a broker's expertise grows with its years of brokering, and its support is "
        "diluted when it serves more schools at once than broker_span (seed 003: 'the main "
        "challenge of brokering partnerships at scale is building the capacity required to "
        "maintain the quality of evidence-informed implementation').",
    )
    broker_expertise_start: float = param(
        0.5,
        "A new broker's expertise (share of full support quality) under 'built'.",
        unit="share 0-1",
        source="uncertain",
        ge=0,
        le=1,
    )
    broker_expertise_growth: float = param(
        0.2,
        "Share of the distance to full expertise a broker gains each year it brokers.",
        unit="per year",
        source="uncertain",
        ge=0,
        le=1,
    )
    broker_span: float = param(
        40.0,
        "Schools one broker can serve well at once, declared for England's brokers (a "
        "scenario's brokers share their region's declared span); beyond it, support quality "
        "is diluted by span / schools served.",
        unit="schools",
        source="uncertain: between the EEF's 2024 load (~30 schools a broker, chosen to keep "
        "quality) and its 2019-23 load (~50 a year, where quality was 'the main challenge'; "
        "seed 003)",
        ge=1,
        le=10_000,
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
        "Randomised trials started per year at full research funding, in England.",
        unit="trials per year",
        source="EEF: >160 RCTs 2012-2019, docs/sources.md",
        ge=0,
        le=500,
    )
    orientation: Literal["push", "pull"] = Field(
        default="push",
        description="'push': test the Toolkit's most promising untested strands; 'pull': test "
        "the questions partner schools raised.",
    )
    scale_with_scenario: bool = Field(
        default=False,
        description="False: the evidence base learns from England's whole trial programme "
        "(trials_per_year, sample sizes as declared) and external literature whatever the "
        "scenario's size, since a sample of England still reads the national Toolkit, and "
        "each local evaluation of the sample's partnership schools counts for 1 / "
        "population.scale of England's (so feedback reaches the national base at England's "
        "volume); research spend is reported at the scenario's share (population.scale). "
        "True: trials, their samples, the literature and feedback are the scenario's own, as "
        "in a closed system of that size.",
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
    workforce: WorkforceUseSettings = WorkforceUseSettings()
    advocacy: AdvocacySettings = AdvocacySettings()
    organisations: OrganisationSettings = OrganisationSettings()
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
