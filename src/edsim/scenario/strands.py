"""The EEF's regional strands 1 and 3 as regime settings (issue 14, item 6; seed 003).

Strand 1, "Communicate, exemplify, and advocate for evidence": local and regional networks
showcase evidence and develop evidence advocates. Strand 3, "Targeted support for organisations
working with schools": local authorities and multi-academy trusts whose own evidence capacity is
built and then reaches their schools. Strand 2, the co-constructed partnerships, is
``regime.partnerships``.
"""

from __future__ import annotations

from pydantic import Field

from edsim.scenario.fields import FrozenModel, param

__all__ = ["AdvocacySettings", "OrganisationSettings"]


class AdvocacySettings(FrozenModel):
    """Strand 1: evidence advocates and local networks that showcase evidence in action."""

    strength: float = param(
        0.0,
        "Reach of advocacy and showcasing: the yearly rise in every school's research "
        "engagement is strength x engagement_gain x (1 - engagement). 0 switches strand 1 off.",
        unit="share 0-1",
        source="seed 003, strand 1; size uncertain",
        ge=0,
        le=1,
    )
    engagement_gain: float = param(
        0.05,
        "Yearly rise in engagement (times the distance to full engagement) at full strength.",
        unit="engagement per year",
        source="uncertain",
        ge=0,
        le=1,
    )


class OrganisationSettings(FrozenModel):
    """Strand 3: local organisations (one per local area) whose evidence capacity is built."""

    enabled: bool = Field(
        default=False,
        description="Whether local authorities and trusts are supported to build evidence "
        "capacity (strand 3). Each local area has one organisation; when a place is free, "
        "organisations never supported before are taken on first, the most disadvantaged "
        "areas first.",
    )
    supported: float = param(
        20.0,
        "Organisations supported at a time, declared for England (the scenario gets its share, "
        "population.scale, a fraction drawn at random).",
        unit="count",
        source="seed 003: Evidence Exploration Partnerships 'in twenty local authorities and "
        "multi-academy trusts'",
        ge=0,
        le=10_000,
    )
    support_years: int = param(
        2,
        "Years each organisation is supported.",
        unit="years",
        source="seed 003: two-year partnerships",
        ge=1,
        le=20,
    )
    capacity_growth: float = param(
        0.2,
        "Yearly rise in a supported organisation's evidence capacity, times (1 - capacity).",
        unit="share per year",
        source="uncertain",
        ge=0,
        le=1,
    )
    capacity_decay: float = param(
        0.05,
        "Yearly decay of an organisation's evidence capacity once its support has ended.",
        unit="share per year",
        source="uncertain",
        ge=0,
        le=1,
    )
    transfer: float = param(
        0.03,
        "Yearly rise in each of its schools' capacity and engagement per unit of the "
        "organisation's evidence capacity (how the capacity multiplies into its schools).",
        unit="capacity per year",
        source="uncertain",
        ge=0,
        le=0.5,
    )
    cost_per_organisation: float = param(
        100_000.0,
        "Yearly cost of supporting one organisation.",
        unit="GBP per year",
        source="uncertain",
        ge=0,
        le=1e8,
    )
