"""The scenario: every model parameter, with default, bounds, unit and source.

A :class:`Scenario` is a frozen value object. The model takes one (or plain keyword arguments
that override its fields), never a file; :mod:`edsim.scenario.loader` turns YAML into one. The
sections live in their own modules (population, practice, policy, regime, interventions) and
are re-exported here.
"""

from __future__ import annotations

from pydantic import Field, field_validator

from edsim.scenario.fields import FrozenModel, param
from edsim.scenario.gap_drivers import GapDriverSettings
from edsim.scenario.interventions import InterventionSpec, default_catalogue
from edsim.scenario.policy import PolicySettings, PupilPremiumRate, default_pupil_premium
from edsim.scenario.population import (
    AttainmentSettings,
    PopulationSettings,
    RegionSpec,
    SchoolSettings,
    default_regions,
)
from edsim.scenario.practice import EvidenceSettings, ImplementationSettings, TruthSettings
from edsim.scenario.regime import RegimeSettings
from edsim.scenario.workforce import WorkforceSettings

__all__ = [
    "AttainmentSettings",
    "EvidenceSettings",
    "GapDriverSettings",
    "ImplementationSettings",
    "PolicySettings",
    "PopulationSettings",
    "PupilPremiumRate",
    "RegionSpec",
    "Scenario",
    "SchoolSettings",
    "TruthSettings",
    "WorkforceSettings",
    "default_pupil_premium",
    "default_regions",
]


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
        "Years with no evidence system before year 0, so every year group has passed through "
        "(steady state). Nothing changes from year to year before year 0, so the year-0 state "
        "is drawn directly as the burn-in leaves it; every value from 12 gives the same "
        "distribution (kept so older scenario files still load).",
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
    workforce: WorkforceSettings = WorkforceSettings()
    truth: TruthSettings = TruthSettings()
    evidence: EvidenceSettings = EvidenceSettings()
    policy: PolicySettings = PolicySettings()
    regime: RegimeSettings = RegimeSettings()
    gap_drivers: GapDriverSettings = GapDriverSettings()
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
