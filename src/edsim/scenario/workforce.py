"""Scenario settings for the teacher workforce's evidence literacy (issue 14, item 1).

Moss (2024) says England *hardwired* "disseminate to" partly through the workforce: "an EEF
accredited curriculum for Initial Teacher Training and career development" (seed 000) and, in
the EEF's words, "the revised National Professional Qualifications" (seed 003). The workforce's
evidence literacy is school state that new entrants (after the ITT Core Content Framework) and
NPQs raise and that staff turnover carries away. What the literacy is *used for* is a regime
setting (``regime.workforce.use``), not an assumption: under "disseminate to" it raises
fidelity to guidance and Toolkit uptake; used reflectively it sharpens schools' reading of their
own evidence.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from edsim.scenario.fields import FrozenModel, param

__all__ = ["WorkforceSettings", "WorkforceUseSettings"]


class WorkforceSettings(FrozenModel):
    """Evidence literacy of each school's teachers: inflow, professional development, turnover."""

    turnover: float = param(
        0.09,
        "Share of a school's teachers replaced each year (leavers and movers); each leaver "
        "takes the school's average literacy, each entrant brings the entrants' literacy.",
        unit="share per year",
        source="DfE School Workforce in England: 9.2% of teachers left the state sector in "
        "2018/19, about 10% in 2014/15; entrants ~9.5% of the workforce (docs/sources.md)",
        ge=0,
        le=1,
    )
    initial_literacy: float = param(
        0.3,
        "Evidence literacy of the workforce at year 0, and of entrants trained before the ITT "
        "Core Content Framework.",
        unit="share 0-1",
        source="uncertain: in 2012 39% of senior leaders used the Toolkit (Sutton Trust/NFER "
        "Teacher Voice); research played a 'relatively small role' (NFER 2017)",
        ge=0,
        le=1,
    )
    itt_literacy: float = param(
        0.6,
        "Evidence literacy of entrants trained under the evidence-based ITT curriculum.",
        unit="share 0-1",
        source="uncertain: the ITT Core Content Framework is explicitly evidence-based",
        ge=0,
        le=1,
    )
    itt_from_year: int = param(
        2020,
        "First calendar year whose entrants were trained under the evidence-based ITT "
        "curriculum (after it, entrants bring itt_literacy).",
        unit="year",
        source="DfE (2019) ITT Core Content Framework, first delivered in courses from "
        "September 2020 (docs/sources.md)",
        ge=1900,
        le=2200,
    )
    npq_from_year: int = param(
        2021,
        "First calendar year of the revised National Professional Qualifications.",
        unit="year",
        source="DfE: reformed NPQs from autumn 2021; seed 003 names them (docs/sources.md)",
        ge=1900,
        le=2200,
    )
    npq_share: float = param(
        0.06,
        "Share of a school's teachers starting a revised NPQ each year.",
        unit="share per year",
        source="DfE NPQ statistics: 31,677 to 43,840 starts a year 2021/22-2023/24 against "
        "~460,000 FTE teachers, 5.5-7.1% (docs/sources.md)",
        ge=0,
        le=1,
    )
    npq_gain: float = param(
        0.5,
        "Share of the distance to full literacy that an NPQ closes for the teachers taking it.",
        unit="share 0-1",
        source="uncertain",
        ge=0,
        le=1,
    )
    uptake_gain: float = param(
        0.5,
        "Under the 'fidelity' use: relative rise in a school's yearly probability of adopting a "
        "pushed Toolkit approach per unit of literacy. 0 switches this effect off.",
        unit="ratio per literacy",
        source="uncertain: Moss (2024) on hardwiring through ITT and career development",
        ge=0,
        le=5,
    )
    fidelity_gain: float = param(
        0.1,
        "Under the 'fidelity' use: rise in the implementation-quality ceiling per unit of "
        "literacy (implementing as the guidance specifies). 0 switches this effect off.",
        unit="quality per literacy",
        source="uncertain",
        ge=0,
        le=1,
    )
    reflection_gain: float = param(
        0.5,
        "Under the 'reflection' use: share by which literacy cuts the noise in a school's own "
        "view of each approach's effect (signal_noise x (1 - gain x literacy)), so it drops "
        "and adapts on better readings. 0 switches this effect off.",
        unit="share per literacy",
        source="uncertain: Moss (2024), reflection on 'the value of the evidence'",
        ge=0,
        le=1,
    )


class WorkforceUseSettings(FrozenModel):
    """What the regime lets teachers' evidence literacy do (a mechanism setting)."""

    use: Literal["fidelity", "reflection"] = Field(
        default="fidelity",
        description="'fidelity': literacy raises Toolkit uptake and fidelity to guidance, not "
        "critical reflection (Moss 2024 on 'disseminate to'); 'reflection': literacy sharpens "
        "schools' reading of their own evidence (linkage and exchange). The sizes are in the "
        "'workforce' section.",
    )
