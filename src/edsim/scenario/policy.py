"""Scenario section for the policymaker: levers at year 0, the Pupil Premium, reviews."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from edsim.scenario.fields import FrozenModel, param

__all__ = [
    "PolicySettings",
    "PupilPremiumRate",
    "default_pupil_premium",
]


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
    """DfE Pupil Premium rates by year (docs/sources.md gives 2011, 2014, 2015 and 2024)."""
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
    target_basis: Literal["previous_review", "year_zero"] = Field(
        default="previous_review",
        description="What a review compares the KS4 gap index with: 'previous_review': the "
        "gap at the last review (year 0 at the first), narrowed by target_gap_reduction (a "
        "government committed to 'close the gap' without a number); 'year_zero': a path "
        "that tightens by target_gap_reduction of the year-0 gap at every review.",
    )
    target_gap_reduction: float = param(
        0.02,
        "Share of the gap (see target_basis) the policymaker expects closed by each review.",
        unit="share 0-1",
        source="uncertain: the DfE commits to closing the gap and reports the gap index but "
        "has set no numeric target (NAO 2015; docs/sources.md): any clear narrowing, 2% of the "
        "gap over a review cycle, counts as meeting it",
        ge=0,
        le=1,
    )
    attention_loss: float = param(
        0.5,
        "Share of the evidence push lost when the policymaker turns to other questions.",
        unit="share 0-1",
        source="uncertain: Moss (2024)",
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
