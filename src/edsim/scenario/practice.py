"""Scenario sections for evidence in practice: implementation, the hidden truth, trials."""

from __future__ import annotations

from pydantic import model_validator

from edsim.scenario.fields import FrozenModel, param

__all__ = [
    "EvidenceSettings",
    "ImplementationSettings",
    "TruthSettings",
]


class ImplementationSettings(FrozenModel):
    """Implementation quality, adaptation, burden, capacity dynamics (DESIGN.md §4.3)."""

    initial_quality: float = param(
        0.3,
        "Quality in a school's first year of an implementation.",
        unit="quality 0-1",
        source="uncertain: implementation dips (Fullan)",
        ge=0,
        le=1,
    )
    growth_rate: float = param(
        0.4,
        "Share of the distance to the quality ceiling closed each year.",
        unit="per year",
        source="uncertain",
        ge=0,
        le=1,
    )
    ceiling_base: float = param(
        0.3,
        "Quality ceiling of a school with zero capacity.",
        unit="quality 0-1",
        source="uncertain",
        ge=0,
        le=1,
    )
    ceiling_capacity: float = param(
        0.6,
        "Rise in the quality ceiling per unit of capacity.",
        unit="quality per capacity",
        source="uncertain",
        ge=0,
        le=1,
    )
    overload_penalty: float = param(
        0.1,
        "Fall in the ceiling per unit of workload above capacity.",
        unit="quality per capacity unit",
        source="uncertain",
        ge=0,
        le=2,
    )
    burden: float = param(
        0.12,
        "Fall in the ceiling from devolved implementation guidance, times (1 - capacity).",
        unit="quality 0-1",
        source="Moss (2024): implementation 'increasingly complex and "
        "time-consuming'; size uncertain",
        ge=0,
        le=1,
    )
    adaptation_propensity: float = param(
        0.6,
        "Yearly probability that a school adapts an approach it has run for a year or more "
        "when its own evaluation falls short of what it adopted it expecting, at zero "
        "prescription (scaled by 1 - prescription). 0 switches adaptation off.",
        unit="probability",
        source="uncertain",
        ge=0,
        le=1,
    )
    adaptation_threshold: float = param(
        1.0,
        "A school considers adapting an approach when its own evaluation of the yearly effect "
        "falls below this share of what it adopted it expecting (at its current quality).",
        unit="share",
        source="uncertain: any shortfall against expectation prompts a rethink",
        ge=0,
        le=2,
    )
    adaptation_gain: float = param(
        0.5,
        "Share of the difference between an approach's average effect and its effect in "
        "this school that supported tailoring closes, in either direction: it repairs a poor "
        "fit and erodes a good one, so it pays only where the school's own (noisy) evaluation "
        "spots a real shortfall.",
        unit="share 0-1",
        source="uncertain: tailoring to context (seed 003)",
        ge=0,
        le=1,
    )
    drift: float = param(
        0.5,
        "Share of the effect lost when a school with zero capacity adapts without support "
        "('lethal mutation'), scaled by 1 - capacity.",
        unit="share 0-1",
        source="uncertain: Brown & Campione's 'lethal mutations'",
        ge=0,
        le=1,
    )
    drop_rate: float = param(
        0.12,
        "Yearly probability of dropping an implementation regardless of results.",
        unit="probability per year",
        source="uncertain: initiative churn",
        ge=0,
        le=1,
    )
    disappointment_drop: float = param(
        0.3,
        "Extra probability of dropping when the school's own signal falls short of what "
        "it expected.",
        unit="probability",
        source="uncertain",
        ge=0,
        le=1,
    )
    signal_noise: float = param(
        0.15,
        "SD of the noise in a school's own informal view of an implementation's yearly effect.",
        unit="SD",
        source="uncertain: schools see their own data, noisily",
        ge=0,
        le=2,
    )
    disappointment_threshold: float = param(
        0.5,
        "A school is disappointed when its signal falls below this share of the effect it "
        "adopted the approach expecting (at its current quality).",
        unit="share",
        source="uncertain",
        ge=0,
        le=2,
    )
    capacity_erosion: float = param(
        0.03,
        "Yearly fall in capacity per unit of workload above capacity.",
        unit="capacity per year",
        source="uncertain",
        ge=0,
        le=1,
    )
    capacity_recovery: float = param(
        0.05,
        "Share of the distance back to a school's baseline capacity recovered yearly "
        "when not overloaded (built capacity above baseline decays at half this rate).",
        unit="per year",
        source="uncertain",
        ge=0,
        le=1,
    )
    engagement_growth: float = param(
        0.1,
        "Yearly rise in research engagement from taking part in a partnership or "
        "implementing evidence.",
        unit="engagement per year",
        source="uncertain",
        ge=0,
        le=1,
    )
    engagement_decay: float = param(
        0.03,
        "Yearly decay of engagement towards zero otherwise.",
        unit="per year",
        source="uncertain",
        ge=0,
        le=1,
    )


class TruthSettings(FrozenModel):
    """The hidden true effects, which no agent sees (DESIGN.md §2)."""

    efficacy_inflation: float = param(
        5.0,
        "How many times the Toolkit's published effect exceeds the true average effect at scale.",
        unit="ratio",
        source="uncertain: 141 large RCTs average ~0.06 SD "
        "(Lortie-Forgues & Inglis 2019) against ~0.4 SD for the Toolkit's +5 months",
        ge=1,
        le=20,
    )
    truth_dispersion: float = param(
        0.5,
        "Log-scale SD of each strand's true mean around published/inflation (how "
        "reliable the Toolkit's ranking is).",
        unit="log SD",
        source="uncertain",
        ge=0,
        le=3,
    )
    heterogeneity: float = param(
        0.08,
        "SD of a strand's true effect across school contexts beyond the moderators (tau).",
        unit="SD",
        source="uncertain: cross-site impact variation (Weiss et al. 2017) ~0.1 SD",
        ge=0,
        le=1,
    )
    disadvantage_moderator_sd: float = param(
        0.15,
        "SD across strands of the moderator on the school's disadvantage share (beta).",
        unit="SD effect per share",
        source="uncertain: 'what works for whom'",
        ge=0,
        le=2,
    )
    capacity_moderator: float = param(
        0.1,
        "Extra true effect per unit of school capacity above average (beta).",
        unit="SD effect per capacity",
        source="uncertain",
        ge=-1,
        le=1,
    )


class EvidenceSettings(FrozenModel):
    """Trials and the evidence base (DESIGN.md §6)."""

    schools_per_trial_min: int = param(
        40,
        "Fewest schools recruited to a trial.",
        unit="schools",
        source="EEF trials: typically 40-120 schools, docs/sources.md",
        ge=4,
        le=2000,
    )
    schools_per_trial_max: int = param(
        100,
        "Most schools recruited to a trial.",
        unit="schools",
        source="EEF trials: typically 40-120 schools, docs/sources.md",
        ge=4,
        le=2000,
    )
    pupils_per_school: int = param(
        50,
        "Pupils tested per trial school.",
        unit="pupils",
        source="uncertain: one or two classes",
        ge=1,
        le=2000,
    )
    icc: float = param(
        0.15,
        "Intra-cluster correlation of attainment used in a trial's standard error.",
        unit="share 0-1",
        source="EEF power calculations: 0.15-0.20, docs/sources.md",
        ge=0,
        lt=1,
    )
    efficacy_quality: float = param(
        0.9,
        "Implementation quality in developer-led efficacy trials.",
        unit="quality 0-1",
        source="uncertain: high fidelity with developer support",
        gt=0,
        le=1,
    )
    moderator_prior_sd: float = param(
        0.3,
        "Prior SD of the evidence base's context moderators.",
        unit="SD effect per context unit",
        source="uncertain",
        ge=0.001,
        le=5,
    )
    assumed_heterogeneity: float = param(
        0.08,
        "Between-context SD of effects the evidence base assumes when pooling (added to each "
        "observation's variance, divided by the contexts it averages).",
        unit="SD",
        source="uncertain: set equal to the default true heterogeneity (Weiss et al. 2017)",
        ge=0,
        le=1,
    )
    min_reported_quality: float = param(
        0.1,
        "Floor on the implementation quality a trial or evaluation divides its estimate by "
        "(guards against dividing by near-zero quality).",
        unit="quality 0-1",
        source="numerical guard",
        ge=0.01,
        le=1,
    )
    trial_cost: float = param(
        500_000.0,
        "Cost of one trial.",
        unit="GBP",
        source="uncertain: EEF grants of ~£0.3-1m per evaluated project",
        ge=0,
        le=1e8,
    )

    external_studies_per_year: float = param(
        30.0,
        "Studies from the wider literature (not the EEF's own trials) that the Toolkit's "
        "meta-analyses take in each year, across all strands; developer-led and filtered by "
        "publication (developer_bias, null_publication). 0 switches them off.",
        unit="studies per year",
        source="uncertain: the Toolkit pools thousands of studies (EEF 2021 database); its "
        "inflow per year is not published",
        ge=0,
        le=1000,
    )
    external_schools: int = param(
        10,
        "Schools in one external study (smaller than the EEF's trials).",
        unit="schools",
        source="uncertain: most education RCTs outside the EEF are small",
        ge=2,
        le=2000,
    )
    developer_bias: float = param(
        0.25,
        "Relative inflation of a developer-led study's reported effect (reported = estimate x "
        "(1 + bias)), beyond what the publication filter does. The EEF's trials are "
        "independently evaluated and published in full, and carry neither.",
        unit="ratio",
        source="Wolf et al. (2020): developer-commissioned evaluations report 0.309 SD against "
        "0.168 independent (1.7x), about two-thirds of the gap from publication bias; the "
        "remaining third is ~25% (docs/sources.md)",
        ge=0,
        le=5,
    )
    null_publication: float = param(
        0.35,
        "Probability that an external study without a significant positive result is "
        "published (and so reaches the Toolkit); significant positive results always are. "
        "1 = no publication bias.",
        unit="probability",
        source="Franco, Malhotra & Simonovits (2014): ~20% of null results published against "
        "~60% of strong ones (docs/sources.md)",
        ge=0,
        le=1,
    )
    toolkit_update_years: int = param(
        3,
        "Years between updates of the published Toolkit ranking that schools choosing "
        "nationally read; the evidence base's live beliefs (which researchers and "
        "context-aware partnerships read) update every year. 1 = no lag.",
        unit="years",
        source="uncertain: strands are revised in batches with no published cadence; the "
        "2021 relaunch re-synthesised 2,500+ studies (Higgins et al. 2022; docs/sources.md)",
        ge=1,
        le=20,
    )

    @model_validator(mode="after")
    def _ordered(self) -> EvidenceSettings:
        if self.schools_per_trial_min > self.schools_per_trial_max:
            raise ValueError("schools_per_trial_min must not exceed schools_per_trial_max")
        return self
