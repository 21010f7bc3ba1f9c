"""The event log: what happened in a simulated year, in plain words for a class.

Everything here reads the year's metrics (a row of the trajectory, ``model.latest``) and the
year before; nothing reads the model's internals, so the same phrasing works on a live model
and on a saved trajectory, and it is tested without a browser.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["PolicyReview", "describe_year", "response_phrase"]

#: Shares of all schools whose first crossing by cumulative reach is worth announcing.
REACH_MILESTONES: tuple[tuple[float, str], ...] = (
    (0.25, "a quarter of"),
    (0.5, "half of"),
    (0.75, "three quarters of"),
    (0.9, "nine in ten of"),
)
#: A change in the KS4 gap index at least this large is announced (index points).
GAP_CHANGE = 0.3


@dataclass(frozen=True)
class PolicyReview:
    """What the policymaker compares at a review (DESIGN.md §7), from the scenario.

    Attributes:
        reform_cycle: Years between reviews.
        target_reduction: Share of the year-0 KS4 gap expected closed by each review.
        baseline_gap: The year-0 KS4 gap index.
    """

    reform_cycle: int
    target_reduction: float
    baseline_gap: float

    def target(self, year: int) -> float:
        """The KS4 gap index the policymaker hopes to see at the review in ``year``."""
        reviews = year // self.reform_cycle
        return self.baseline_gap * (1.0 - self.target_reduction * reviews)

    def is_review(self, year: int) -> bool:
        """Whether the policymaker reviews the gap in model year ``year``."""
        return year > 0 and year % self.reform_cycle == 0


def response_phrase(response: str, row: Mapping[str, Any]) -> str:
    """What the policymaker did, in words, with the lever's new value where there is one."""
    phrases = {
        "more_pressure": "the policymaker increased accountability pressure "
        f"(now {row['accountability_pressure']:.2f})",
        "switch_evidence": "the policymaker switched to a new list of national priorities; "
        "schools under pressure dropped what they were doing",
        "blame_practitioners": "the policymaker blamed practitioners and demanded more fidelity "
        f"(prescription now {row['prescription']:.2f})",
        "bury_evidence": "the policymaker buried the evidence: research funding cut "
        f"(now {row['research_funding']:.2f} of the original)",
        "deliberate": "the policymaker deliberated with schools and researchers: less "
        "prescription, partnerships aimed at the widest gaps, research questions taken "
        "from practice",
    }
    return phrases.get(response, "the policymaker stayed the course")


def describe_year(
    row: Mapping[str, Any],
    previous: Mapping[str, Any],
    review: PolicyReview,
    n_schools: int,
) -> list[str]:
    """The notable events of one simulated year, each a sentence starting "Year N (YYYY)".

    Args:
        row: The year's metrics (``model.latest`` or a trajectory row).
        previous: The previous year's metrics.
        review: The scenario's review rule, to tell met from missed targets.
        n_schools: Number of schools, for reach milestones.

    Returns:
        Sentences in the order they happened within the year (policy first).
    """
    year = int(row["step"])
    head = f"Year {year} ({int(row['year'])}): "
    events: list[str] = []
    if review.is_review(year):
        # The policymaker acts at the start of the year, on last year's results.
        seen = float(previous["ks4_gap_index"])
        target = review.target(year)
        verdict = "disappointed" if seen > target else "met the target"
        events.append(
            f"{head}results {verdict} (KS4 gap index {seen:.2f} against a target of "
            f"{target:.2f}); {response_phrase(str(row['policy_response']), row)}."
        )
    opened = int(row["partnerships_active"]) - int(previous["partnerships_active"])
    if opened:
        verb = "opened" if opened > 0 else "closed"
        events.append(
            f"{head}partnerships {verb} (now {int(row['partnerships_active'])}, with "
            f"{int(row['schools_in_partnerships'])} schools)."
        )
    before = int(previous["schools_reached_cumulative"]) / max(n_schools, 1)
    after = int(row["schools_reached_cumulative"]) / max(n_schools, 1)
    for share, words in REACH_MILESTONES:
        if before < share <= after:
            events.append(f"{head}the evidence system has now reached {words} all schools.")
    change = float(row["ks4_gap_index"]) - float(previous["ks4_gap_index"])
    if abs(change) >= GAP_CHANGE:
        direction = "narrowed" if change < 0 else "widened"
        events.append(
            f"{head}the KS4 gap {direction} by {abs(change):.2f} to "
            f"{float(row['ks4_gap_index']):.2f}."
        )
    return events
