"""Scenario sections for who is in the system: regions, schools, pupils and their learning."""

from __future__ import annotations

from pydantic import Field

from edsim.scenario.fields import FrozenModel, param

__all__ = [
    "ENGLAND_PUPILS",
    "AttainmentSettings",
    "PopulationSettings",
    "RegionSpec",
    "SchoolSettings",
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


#: England's pupils (Reception to Year 11), the reference for a scenario's scale: capacity,
#: money and trials declared for England are scaled by a scenario's share of them.
ENGLAND_PUPILS = 4_600_000 + 3_100_000


class PopulationSettings(FrozenModel):
    """How many schools and pupils, and how disadvantage is spread across them."""

    n_primary_schools: int = param(
        16_800,
        "State-funded primary schools.",
        unit="count",
        source="DfE Schools, pupils and their characteristics, docs/sources.md",
        ge=1,
        le=100_000,
    )
    n_secondary_schools: int = param(
        3_450,
        "State-funded secondary schools.",
        unit="count",
        source="DfE Schools, pupils and their characteristics, docs/sources.md",
        ge=1,
        le=50_000,
    )
    primary_pupils: int = param(
        4_600_000,
        "Pupils in Reception to Year 6.",
        unit="pupils",
        source="DfE Schools, pupils and their characteristics, docs/sources.md",
        ge=100,
        le=50_000_000,
    )
    secondary_pupils: int = param(
        3_100_000,
        "Pupils in Years 7 to 11.",
        unit="pupils",
        source="DfE Schools, pupils and their characteristics, docs/sources.md",
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
        source="NAO (2024), docs/sources.md",
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
        "0.15-0.20 (docs/sources.md) and ~5% of secondaries over 60% disadvantaged",
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
        "towards 0.15-0.20 (docs/sources.md)",
        ge=0,
        le=2,
    )

    @property
    def scale(self) -> float:
        """The scenario's size as a share of England's pupils (1.0 = England).

        Partnership capacity and the cost of England's research programme are declared for
        England and multiplied by this, so a sample of England gets its share of them and a
        regime's effect does not change with the size of the sample (DESIGN.md §8).
        """
        return (self.primary_pupils + self.secondary_pupils) / ENGLAND_PUPILS


class AttainmentSettings(FrozenModel):
    """Pupils' yearly learning (DESIGN.md §5); the deficits are calibrated to the gap index."""

    entry_gap: float = param(
        0.40,
        "Attainment gap between disadvantaged and other pupils on entry to Reception.",
        unit="SD",
        source="EPI (2019): 4.5 months at early years, shape of gap growth; "
        "calibrated with the deficits to docs/sources.md's KS2 and KS4 gap indices",
        ge=0,
        le=3,
    )
    deficit_primary: float = param(
        0.046,
        "Within-school yearly progress deficit of disadvantaged pupils, Reception-Y6.",
        unit="SD per year",
        source="calibrated (experiments/calibrate_year0.py): KS2 gap index "
        "3.34 (2011), docs/sources.md",
        ge=-0.5,
        le=0.5,
    )
    deficit_secondary: float = param(
        0.056,
        "Within-school yearly progress deficit of disadvantaged pupils, Y7-Y11.",
        unit="SD per year",
        source="calibrated (experiments/calibrate_year0.py): KS4 gap index "
        "4.07 (2011), docs/sources.md",
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
        source="DfE KS2 2024: 45% disadvantaged, 67% others with 27% disadvantaged, "
        "docs/sources.md",
        gt=0,
        lt=1,
    )
    ks4_standard_share: float = param(
        0.65,
        "Share of all pupils reaching grade 4+ in English and maths at year 0; fixes "
        "the threshold.",
        unit="share 0-1",
        source="DfE KS4 2019: 45% disadvantaged, 72% others, docs/sources.md",
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
