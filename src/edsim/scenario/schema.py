"""The scenario: every model parameter, with default, bounds, unit and source.

A :class:`Scenario` is a frozen value object. The model takes one (or plain keyword arguments
that override its fields), never a file; :mod:`edsim.scenario.loader` turns YAML into one.
"""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from edsim.scenario.fields import FrozenModel, param
from edsim.scenario.interventions import InterventionSpec, default_catalogue
from edsim.scenario.regime import RegimeSettings

__all__ = [
    "AttainmentSettings",
    "EvidenceSettings",
    "ImplementationSettings",
    "PolicySettings",
    "PopulationSettings",
    "PupilPremiumRate",
    "RegionSpec",
    "Scenario",
    "SchoolSettings",
    "TruthSettings",
    "default_pupil_premium",
    "default_regions",
]


class RegionSpec(FrozenModel):
    """One of England's nine regions."""

    name: str = Field(min_length=1, description="Region name.")
    pupil_share: float = param(
        0.11,
        "Share of England's pupils in this region (normalised over regions).",
        unit="share 0-1",
        source="DfE Schools, pupils and their characteristics (rounded)",
        gt=0,
        le=1,
    )
    disadvantage_index: float = param(
        1.0,
        "Regional disadvantage rate relative to the national rate.",
        unit="ratio",
        source="DfE Pupil Premium eligibility by region (rounded)",
        gt=0,
        le=3,
    )


def default_regions() -> tuple[RegionSpec, ...]:
    """England's nine regions with approximate pupil shares and relative disadvantage."""
    rows = [
        ("North East", 0.045, 1.20),
        ("North West", 0.135, 1.12),
        ("Yorkshire and the Humber", 0.100, 1.05),
        ("East Midlands", 0.085, 0.92),
        ("West Midlands", 0.110, 1.12),
        ("East of England", 0.115, 0.80),
        ("London", 0.155, 1.10),
        ("South East", 0.165, 0.76),
        ("South West", 0.090, 0.80),
    ]
    return tuple(RegionSpec(name=n, pupil_share=s, disadvantage_index=d) for n, s, d in rows)


class PopulationSettings(FrozenModel):
    """How many schools and pupils, and how disadvantage is spread across them."""

    n_primary_schools: int = param(
        16_800,
        "State-funded primary schools.",
        unit="count",
        source="DfE Schools, pupils and their characteristics, CALIBRATION.md",
        ge=1,
        le=100_000,
    )
    n_secondary_schools: int = param(
        3_450,
        "State-funded secondary schools.",
        unit="count",
        source="DfE Schools, pupils and their characteristics, CALIBRATION.md",
        ge=1,
        le=50_000,
    )
    primary_pupils: int = param(
        4_600_000,
        "Pupils in Reception to Year 6.",
        unit="pupils",
        source="DfE Schools, pupils and their characteristics, CALIBRATION.md",
        ge=100,
        le=50_000_000,
    )
    secondary_pupils: int = param(
        3_100_000,
        "Pupils in Years 7 to 11.",
        unit="pupils",
        source="DfE Schools, pupils and their characteristics, CALIBRATION.md",
        ge=100,
        le=50_000_000,
    )
    local_areas_per_region: int = param(
        17,
        "Local areas (local authorities / trust clusters) per region; partnerships form "
        "inside one.",
        unit="count",
        source="England has ~150 local authorities in 9 regions",
        ge=1,
        le=1000,
    )
    disadvantaged_share: float = param(
        0.27,
        "Share of pupils who are disadvantaged (Pupil Premium definition).",
        unit="share 0-1",
        source="NAO (2024), CALIBRATION.md",
        gt=0,
        lt=1,
    )
    area_concentration: float = param(
        20.0,
        "Beta concentration of local-area disadvantage shares around the regional rate "
        "(lower = more uneven).",
        unit="Beta a+b",
        source="uncertain: chosen with "
        "school_concentration so some schools exceed 60% and many are under 10%",
        ge=0.1,
        le=10_000,
    )
    school_concentration: float = param(
        5.0,
        "Beta concentration of school disadvantage shares around the local-area rate.",
        unit="Beta a+b",
        source="uncertain: see area_concentration",
        ge=0.1,
        le=10_000,
    )
    school_size_cv: float = param(
        0.35,
        "Coefficient of variation of school size (log-normal).",
        unit="ratio",
        source="uncertain: DfE school size distribution (rounded)",
        ge=0,
        le=2,
    )
    secondary_sorting: float = param(
        0.4,
        "How strongly Year 6 leavers are sorted into secondary schools by disadvantage and "
        "attainment within their region: 0 random, 1 fully sorted.",
        unit="share 0-1",
        source="calibrated: with neighbourhood_sd, a KS4 intra-cluster correlation near "
        "0.15-0.20 (CALIBRATION.md) and ~5% of secondaries over 60% disadvantaged",
        ge=0,
        le=1,
    )
    sorting_attainment_weight: float = param(
        0.6,
        "Weight of low attainment (against disadvantage, own and primary school's, sharing the "
        "rest equally) in the Y6 -> Y7 sorting key.",
        unit="share 0-1",
        source="calibrated with secondary_sorting to the KS4 intra-cluster correlation",
        ge=0,
        le=1,
    )
    neighbourhood_sd: float = param(
        0.35,
        "SD across primary schools of pupils' mean attainment on entry beyond what "
        "disadvantage explains (neighbourhood, early years).",
        unit="SD",
        source="calibrated: brings the school-level intra-cluster correlation of attainment "
        "towards 0.15-0.20 (CALIBRATION.md)",
        ge=0,
        le=2,
    )


class AttainmentSettings(FrozenModel):
    """Pupils' yearly learning (DESIGN.md §5); the deficits are calibrated to the gap index."""

    entry_gap: float = param(
        0.40,
        "Attainment gap between disadvantaged and other pupils on entry to Reception.",
        unit="SD",
        source="EPI (2019): 4.5 months at early years, shape of gap growth; "
        "calibrated with the deficits to CALIBRATION.md's KS2 and KS4 gap indices",
        ge=0,
        le=3,
    )
    deficit_primary: float = param(
        0.046,
        "Within-school yearly progress deficit of disadvantaged pupils, Reception-Y6.",
        unit="SD per year",
        source="calibrated (experiments/calibrate_year0.py): KS2 gap index "
        "3.34 (2011), CALIBRATION.md",
        ge=-0.5,
        le=0.5,
    )
    deficit_secondary: float = param(
        0.056,
        "Within-school yearly progress deficit of disadvantaged pupils, Y7-Y11.",
        unit="SD per year",
        source="calibrated (experiments/calibrate_year0.py): KS4 gap index "
        "4.07 (2011), CALIBRATION.md",
        ge=-0.5,
        le=0.5,
    )
    learning_noise: float = param(
        0.25,
        "SD of a pupil's idiosyncratic yearly progress.",
        unit="SD per year",
        source="uncertain: keeps year-to-year rank correlation near 0.9",
        ge=0,
        le=2,
    )
    value_added_sd: float = param(
        0.03,
        "SD across schools of yearly school value-added.",
        unit="SD per year",
        source="uncertain: school effects of ~0.1-0.2 SD over a phase (DfE progress 8)",
        ge=0,
        le=1,
    )
    value_added_disadvantage_slope: float = param(
        -0.03,
        "Change in school value-added per unit of the school's disadvantage share.",
        unit="SD per year per share",
        source="uncertain: VA modestly lower in high-disadvantage schools",
        ge=-1,
        le=1,
    )
    gain_persistence: float = param(
        0.6,
        "Share of an intervention boost that survives each following year (fade-out).",
        unit="share 0-1",
        source="uncertain: fade-out literature (Bailey et al. 2020) finds "
        "a third to a half fades yearly",
        ge=0,
        le=1,
    )
    ks2_standard_share: float = param(
        0.61,
        "Share of all pupils reaching the KS2 expected standard at year 0; fixes the threshold.",
        unit="share 0-1",
        source="DfE KS2 2024: 45% disadvantaged, 67% others with 27% disadvantaged, CALIBRATION.md",
        gt=0,
        lt=1,
    )
    ks4_standard_share: float = param(
        0.65,
        "Share of all pupils reaching grade 4+ in English and maths at year 0; fixes "
        "the threshold.",
        unit="share 0-1",
        source="DfE KS4 2019: 45% disadvantaged, 72% others, CALIBRATION.md",
        gt=0,
        lt=1,
    )
    targets_low_attainers_below: float = param(
        0.2,
        "Targeted approaches also reach non-disadvantaged pupils below this national "
        "attainment percentile.",
        unit="percentile 0-1",
        source="uncertain: Pupil Premium guidance allows targeting low attainers",
        ge=0,
        le=1,
    )


class SchoolSettings(FrozenModel):
    """Schools' capacity, engagement and workload."""

    capacity_mean: float = param(
        0.6,
        "Mean capacity (leadership, staff stability, time) on a 0-1 scale.",
        unit="share 0-1",
        source="uncertain: a relative scale",
        ge=0,
        le=1,
    )
    capacity_sd: float = param(
        0.12,
        "SD of capacity across schools.",
        unit="share 0-1",
        source="uncertain",
        ge=0,
        le=0.5,
    )
    capacity_gradient: float = param(
        0.4,
        "Fall in capacity per unit of disadvantage share (high-disadvantage schools have "
        "higher turnover). 0 gives equal capacity.",
        unit="capacity per share",
        source="uncertain: teacher turnover is higher in disadvantaged schools (Allen & Sims 2018)",
        ge=0,
        le=2,
    )
    engagement_mean: float = param(
        0.45,
        "Mean research engagement at year 0.",
        unit="share 0-1",
        source="NFER 2018: 59% of senior leaders, 23% of teachers use the Toolkit",
        ge=0,
        le=1,
    )
    engagement_sd: float = param(
        0.15,
        "SD of research engagement across schools at year 0.",
        unit="share 0-1",
        source="uncertain: NFER 2018 shows wide variation in Toolkit use",
        ge=0,
        le=0.5,
    )
    max_active: int = param(
        3,
        "Most implementations a school runs at once.",
        unit="count",
        source="uncertain: EEF implementation guidance advises few priorities",
        ge=1,
        le=10,
    )
    workload_per_implementation: float = param(
        0.22,
        "Workload one implementation adds, on the capacity scale.",
        unit="capacity units",
        source="uncertain",
        ge=0,
        le=2,
    )
    pressure_workload: float = param(
        0.25,
        "Workload from accountability at full pressure.",
        unit="capacity units",
        source="uncertain: Ofsted workload surveys",
        ge=0,
        le=2,
    )


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
        "Yearly probability a school adapts an implementation when prescription is zero "
        "(scaled by 1 - prescription).",
        unit="probability",
        source="uncertain",
        ge=0,
        le=1,
    )
    adaptation_gain: float = param(
        0.5,
        "Share of a programme's shortfall in this context recovered by supported, "
        "capable adaptation.",
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
        source="EEF trials: typically 40-120 schools, CALIBRATION.md",
        ge=4,
        le=2000,
    )
    schools_per_trial_max: int = param(
        100,
        "Most schools recruited to a trial.",
        unit="schools",
        source="EEF trials: typically 40-120 schools, CALIBRATION.md",
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
        source="EEF power calculations: 0.15-0.20, CALIBRATION.md",
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

    @model_validator(mode="after")
    def _ordered(self) -> EvidenceSettings:
        if self.schools_per_trial_min > self.schools_per_trial_max:
            raise ValueError("schools_per_trial_min must not exceed schools_per_trial_max")
        return self


class PupilPremiumRate(FrozenModel):
    """Pupil Premium rates from one year on."""

    from_year: int = param(
        2011,
        "First calendar year the rates apply.",
        unit="year",
        source="DfE",
        ge=1900,
        le=2200,
    )
    primary: float = param(
        1320.0,
        "Per disadvantaged primary pupil.",
        unit="GBP per pupil",
        source="DfE conditions of grant",
        ge=0,
        le=20_000,
    )
    secondary: float = param(
        935.0,
        "Per disadvantaged secondary pupil.",
        unit="GBP per pupil",
        source="DfE conditions of grant",
        ge=0,
        le=20_000,
    )


def default_pupil_premium() -> tuple[PupilPremiumRate, ...]:
    """DfE Pupil Premium rates by year (CALIBRATION.md gives 2011, 2014, 2015 and 2024)."""
    rows = [
        (2011, 488, 488),
        (2012, 623, 623),
        (2013, 953, 900),
        (2014, 1300, 935),
        (2015, 1320, 935),
        (2020, 1345, 955),
        (2022, 1385, 985),
        (2023, 1455, 1035),
        (2024, 1480, 1050),
    ]
    return tuple(PupilPremiumRate(from_year=y, primary=p, secondary=q) for y, p, q in rows)


class PolicySettings(FrozenModel):
    """The policymaker's levers at year 0 and its review cycle (DESIGN.md §7)."""

    accountability_pressure: float = param(
        0.7,
        "Accountability pressure on schools.",
        unit="share 0-1",
        source="Moss (2024): England's high-stakes regime",
        ge=0,
        le=1,
    )
    evidence_push: float = param(
        1.0,
        "Policy backing for disseminated evidence (multiplies the push channel).",
        unit="share 0-1",
        source="Moss (2024): Pupil Premium spend reported to Ofsted",
        ge=0,
        le=1,
    )
    research_funding: float = param(
        1.0,
        "Research funding relative to the EEF's (multiplies trials per year).",
        unit="ratio",
        source="EEF endowment",
        ge=0,
        le=10,
    )
    pupil_premium: tuple[PupilPremiumRate, ...] = Field(
        default_factory=default_pupil_premium,
        min_length=1,
        description="Pupil Premium per disadvantaged pupil, from each listed year on (GBP).",
    )
    pupil_premium_multiplier: float = param(
        1.0,
        "Multiplier on the Pupil Premium schedule (a policy lever).",
        unit="ratio",
        source="1 = the DfE rates",
        ge=0,
        le=10,
    )
    reform_cycle: int = param(
        4,
        "Years between the policymaker's reviews of the national gap.",
        unit="years",
        source="DESIGN.md §7: 4-5 years",
        ge=1,
        le=20,
    )
    target_gap_reduction: float = param(
        0.1,
        "Share of the year-0 KS4 gap index the policymaker expects closed by each review.",
        unit="share 0-1",
        source="uncertain: political expectation",
        ge=0,
        le=1,
    )
    pressure_step: float = param(
        0.1,
        "Change in pressure or prescription per response.",
        unit="share 0-1",
        source="uncertain",
        ge=0,
        le=1,
    )
    funding_cut: float = param(
        0.4,
        "Share of research funding cut when the evidence is buried.",
        unit="share 0-1",
        source="uncertain",
        ge=0,
        le=1,
    )
    priority_count: int = param(
        3,
        "Strands a new national priority list names when evidence is switched.",
        unit="count",
        source="uncertain",
        ge=1,
        le=50,
    )
    priority_weight: float = param(
        3.0,
        "Multiplier on a national priority's score in schools' push choices.",
        unit="ratio",
        source="uncertain",
        ge=1,
        le=100,
    )
    churn_exposure_threshold: float = param(
        0.4,
        "Pressure times exposure above which a school drops pushed work when priorities switch.",
        unit="share 0-1",
        source="uncertain",
        ge=0,
        le=1,
    )
    churn: float = param(
        0.3,
        "Probability a pressured school drops current implementations when national "
        "priorities switch.",
        unit="probability",
        source="uncertain",
        ge=0,
        le=1,
    )


class Scenario(FrozenModel):
    """Everything one simulation needs, validated and immutable."""

    name: str = Field(default="england", description="Short name used in outputs.")
    description: str = Field(default="", description="What the scenario represents.")
    start_year: int = param(
        2011,
        "Calendar year of year 0.",
        unit="year",
        source="Pupil Premium and the EEF both began in 2011",
        ge=1900,
        le=2200,
    )
    years: int = param(
        15,
        "Simulated years after year 0.",
        unit="years",
        source="DESIGN.md §1",
        ge=1,
        le=200,
    )
    burn_in_years: int = param(
        12,
        "Years run with no evidence system before year 0, so every year group has passed "
        "through (steady state).",
        unit="years",
        source="DESIGN.md §1: Reception-Y11 is 12 years",
        ge=12,
        le=100,
    )
    population: PopulationSettings = PopulationSettings()
    regions: tuple[RegionSpec, ...] = Field(default_factory=default_regions, min_length=1)
    attainment: AttainmentSettings = AttainmentSettings()
    schools: SchoolSettings = SchoolSettings()
    implementation: ImplementationSettings = ImplementationSettings()
    truth: TruthSettings = TruthSettings()
    evidence: EvidenceSettings = EvidenceSettings()
    policy: PolicySettings = PolicySettings()
    regime: RegimeSettings = RegimeSettings()
    interventions: tuple[InterventionSpec, ...] = Field(
        default_factory=default_catalogue,
        min_length=1,
        description="The intervention catalogue (Toolkit strands).",
    )

    @field_validator("interventions")
    @classmethod
    def _unique_names(cls, value: tuple[InterventionSpec, ...]) -> tuple[InterventionSpec, ...]:
        names = [i.name for i in value]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"intervention names must be unique; repeated: {', '.join(dupes)}")
        return value
