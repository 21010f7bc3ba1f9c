"""Every channel through which a regime can change what pupils experience, in one place.

DESIGN.md §8: a regime may gain only through named mechanism settings. Each :class:`Channel`
names the scenario settings that carry it and the values that switch it off. The invariant
tests import :data:`CHANNELS` and switch them all off; docs/ODD.md lists the same channels; a
new mechanism that can favour one regime must be added here, or the tests cannot hold it to
account.

The two ways regimes *reach* schools (the national push, ``regime.dissemination``, and
partnerships, ``regime.partnerships.enabled`` and their capacity) are what distinguishes the
regimes and are not channels: with every channel off, a partnership school is reached and
then treated exactly like a school that adopted a pushed approach.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["CHANNELS", "Channel", "channels_off"]


@dataclass(frozen=True)
class Channel:
    """One named channel and the settings that switch it off.

    Attributes:
        name: Short name used in docs and test ids.
        off: Dotted scenario path -> the value that switches the channel off.
        what: What the channel does, in a sentence.
    """

    name: str
    off: tuple[tuple[str, Any], ...]
    what: str


CHANNELS: tuple[Channel, ...] = (
    Channel(
        "context_heterogeneity",
        (
            ("truth.heterogeneity", 0.0),
            ("truth.disadvantage_moderator_sd", 0.0),
            ("truth.capacity_moderator", 0.0),
        ),
        "true effects vary between school contexts (tau, beta): what context-aware choice, "
        "feedback and adaptation can exploit",
    ),
    Channel(
        "capacity_inequality",
        (("schools.capacity_gradient", 0.0), ("schools.capacity_sd", 0.0)),
        "schools differ in capacity, so support matters more in some than others",
    ),
    Channel(
        "support_quality",
        (("regime.support.quality_gain", 0.0),),
        "support days raise the quality ceiling of the partnership's own approach",
    ),
    Channel(
        "support_spillover",
        (("regime.support.spillover", 0.0),),
        "support also raises the quality of a school's other approaches (exploration year too)",
    ),
    Channel(
        "capacity_building",
        (("regime.support.capacity_building", 0.0),),
        "support builds capacity, which raises every approach's quality ceiling for years",
    ),
    Channel(
        "protection_from_dropping",
        (("regime.support.protection", "none"),),
        "a supported school does not drop the partnership's approach",
    ),
    Channel(
        "imposed_choice",
        (("regime.partnerships.members_adopt", "affordable"),),
        "a partnership's choice is started by members that cannot afford it",
    ),
    Channel(
        "re_recruitment",
        (("regime.partnerships.returning_schools", "excluded"),),
        "brokers recruit schools that have been in a partnership before, so support (and "
        "its protection) can return to the same schools",
    ),
    Channel(
        "context_aware_selection",
        (("regime.selection.mode", "national_ranking"),),
        "partnership schools choose with the evidence base's estimate for their context",
    ),
    Channel(
        "feedback",
        (("regime.feedback.mode", "none"),),
        "partnership schools' local evaluations update the evidence base",
    ),
    Channel(
        "research_from_practice",
        (("regime.research.orientation", "push"),),
        "researchers test the questions partnerships raised",
    ),
    Channel(
        "adaptation",
        (("implementation.adaptation_propensity", 0.0),),
        "schools tailor approaches (supported: towards fit; alone: drift), more often when "
        "prescription is low",
    ),
    Channel(
        "workforce_literacy",
        (
            ("workforce.uptake_gain", 0.0),
            ("workforce.fidelity_gain", 0.0),
            ("workforce.reflection_gain", 0.0),
        ),
        "the workforce's evidence literacy raises uptake and fidelity ('fidelity' use) or "
        "sharpens schools' reading of their own evidence ('reflection' use)",
    ),
    Channel(
        "burden_relief",
        (("regime.support.burden_relief", 0.0),),
        "partnership support lifts the burden of devolved implementation guidance from the "
        "approach it supports",
    ),
    Channel(
        "toolkit_lag",
        (("evidence.toolkit_update_years", 1),),
        "schools choosing nationally read the Toolkit as last published, while context-aware "
        "choosers read the evidence base's live beliefs",
    ),
    Channel(
        "advocacy",
        (("regime.advocacy.strength", 0.0),),
        "EEF strand 1: advocacy and local networks raise schools' research engagement",
    ),
    Channel(
        "organisation_capacity",
        (("regime.organisations.enabled", False),),
        "EEF strand 3: supported local authorities and trusts pass evidence capacity on to "
        "their schools",
    ),
    Channel(
        "pupil_premium_support",
        (("gap_drivers.targeted_spending.effect_per_1000", 0.0),),
        "Pupil Premium money a school has not committed to Toolkit approaches buys targeted "
        "support for its disadvantaged pupils (what is left depends on what it runs)",
    ),
    Channel(
        "accountability_for_gap",
        (
            ("gap_drivers.accountability.effect_primary", 0.0),
            ("gap_drivers.accountability.effect_secondary", 0.0),
        ),
        "published and inspected disadvantaged pupils' results press schools with wider "
        "observed gaps, in proportion to the policymaker's accountability pressure",
    ),
    Channel(
        "policy_response",
        (("regime.policy_response.mode", "static"),),
        "the policymaker's response at reviews (pressure, priorities, prescription, funding, "
        "research orientation, attention, deliberation on feedback and on the system's "
        "learning, partnership targeting)",
    ),
)


def channels_off(separator: str = ".") -> dict[str, Any]:
    """Every channel's off settings as one mapping of scenario path -> value.

    Args:
        separator: ``"."`` for experiment files and ``apply_overrides``; ``"__"`` for keyword
            overrides of :func:`edsim.run`.
    """
    return {path.replace(".", separator): v for ch in CHANNELS for path, v in ch.off}
