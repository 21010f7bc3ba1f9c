"""The intervention catalogue: EEF Teaching and Learning Toolkit strands as prior beliefs.

The Toolkit's months of progress are what the system *believes* at year 0 (efficacy research);
the hidden truth at scale is drawn from them by the model (see ``TruthSettings``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from edsim.scenario.fields import FrozenModel, param

__all__ = [
    "COST_BAND_GBP",
    "EVIDENCE_PRIOR_SD",
    "MONTHS_TO_SD",
    "InterventionSpec",
    "default_catalogue",
]

CostBand = Literal["very low", "low", "moderate", "high", "very high"]
EvidenceStrength = Literal["very limited", "limited", "moderate", "extensive", "very extensive"]
Phase = Literal["primary", "secondary", "both"]
Reach = Literal["universal", "targeted"]

#: Toolkit conversion, docs/sources.md: roughly 0.085 SD per month of progress.
MONTHS_TO_SD = 0.085

#: Mid-points of the old Toolkit cost bands (GBP per pupil per year), docs/sources.md.
COST_BAND_GBP: dict[str, float] = {
    "very low": 40.0,
    "low": 125.0,
    "moderate": 435.0,
    "high": 950.0,
    "very high": 1500.0,
}

#: Prior SD (effect-size units) of the Toolkit belief by evidence strength. Uncertain: chosen
#: so "very extensive" evidence is known to about +/-0.1 SD and "very limited" to about +/-0.5.
EVIDENCE_PRIOR_SD: dict[str, float] = {
    "very extensive": 0.05,
    "extensive": 0.08,
    "moderate": 0.12,
    "limited": 0.18,
    "very limited": 0.25,
}


class InterventionSpec(FrozenModel):
    """One Toolkit strand as the system knows it at year 0."""

    name: str = Field(description="Toolkit strand name.", min_length=1)
    months: float = param(
        5.0,
        "Months of additional progress the Toolkit reports (the prior belief, from efficacy "
        "research).",
        unit="months",
        source="EEF Teaching and Learning Toolkit (2021 refresh), docs/sources.md",
        ge=-12,
        le=12,
    )
    cost_band: CostBand = Field(default="very low", description="Toolkit cost band.")
    evidence: EvidenceStrength = Field(
        default="moderate", description="Toolkit evidence strength; sets the prior's SD."
    )
    phase: Phase = Field(default="both", description="School phase the approach applies to.")
    reach: Reach = Field(
        default="universal",
        description="'universal' lifts the whole class; 'targeted' reaches only the pupils "
        "Pupil Premium targeting selects.",
    )
    low_attainer_moderator: float = param(
        0.0,
        "Change in the effect per SD of the pupil's own attainment: positive means higher "
        "attainers gain more and low attainers less (setting and streaming).",
        unit="SD effect per SD attainment",
        source="EEF Toolkit, setting and streaming: negative for low attainers (uncertain size)",
        ge=-0.5,
        le=0.5,
    )

    @property
    def prior_effect(self) -> float:
        """The Toolkit's published effect in SD units."""
        return self.months * MONTHS_TO_SD

    @property
    def cost_per_pupil(self) -> float:
        """Mid-band cost per pupil reached per year (GBP)."""
        return COST_BAND_GBP[self.cost_band]

    @property
    def prior_sd(self) -> float:
        """SD of the year-0 belief, from the evidence strength."""
        return EVIDENCE_PRIOR_SD[self.evidence]


def _s(
    name: str,
    months: float,
    cost: CostBand,
    evidence: EvidenceStrength,
    phase: Phase,
    reach: Reach,
    moderator: float = 0.0,
) -> InterventionSpec:
    return InterventionSpec(
        name=name,
        months=months,
        cost_band=cost,
        evidence=evidence,
        phase=phase,
        reach=reach,
        low_attainer_moderator=moderator,
    )


def default_catalogue() -> tuple[InterventionSpec, ...]:
    """The sixteen Toolkit strands of docs/sources.md, in its order."""
    return (
        _s("metacognition and self-regulation", 7, "very low", "extensive", "both", "universal"),
        _s("feedback", 6, "very low", "moderate", "both", "universal"),
        _s("reading comprehension strategies", 6, "very low", "extensive", "both", "universal"),
        _s("phonics", 5, "very low", "very extensive", "primary", "universal"),
        _s("one-to-one tuition", 5, "high", "moderate", "both", "targeted"),
        _s("small group tuition", 4, "moderate", "moderate", "both", "targeted"),
        _s("homework", 5, "very low", "very limited", "secondary", "universal"),
        _s("mastery learning", 5, "very low", "limited", "both", "universal"),
        _s("collaborative learning", 5, "very low", "extensive", "both", "universal"),
        _s("peer tutoring", 5, "very low", "extensive", "both", "universal"),
        _s("teaching assistant interventions", 4, "moderate", "moderate", "both", "targeted"),
        _s("behaviour interventions", 4, "moderate", "limited", "both", "targeted"),
        _s("parental engagement", 4, "very low", "moderate", "both", "universal"),
        _s("summer schools", 3, "moderate", "limited", "both", "targeted"),
        _s("reducing class size", 2, "very high", "very limited", "both", "universal"),
        _s("setting and streaming", 0, "very low", "very limited", "secondary", "universal", 0.04),
    )
