"""Policy responses: what the policymaker does at a review (DESIGN.md §7).

Each response is a named function on the policymaker's levers; a *strategy* decides which
response a review produces from what the review observed (:class:`Review`). The responses the
seed names (Moss 2024: more pressure, relinquish the evidence, blame practitioners or
researchers, bury the evidence and turn to other questions) and the deliberative one are all
here, so a scenario can weight or sweep them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "RESPONSES",
    "Deliberative",
    "Levers",
    "PolicyStrategy",
    "PressureDriven",
    "Review",
    "Static",
]


@dataclass
class Levers:
    """The policymaker's levers, read by every other stage each year."""

    accountability_pressure: float
    prescription: float
    evidence_push: float
    research_funding: float
    pupil_premium_primary: float
    pupil_premium_secondary: float
    partnership_targeting: str
    research_orientation: str
    priorities: NDArray[np.float64]  # (K,) national priority weight on push scores
    churn_pending: bool = False  # schools under pressure drop current work this year
    step: float = 0.1
    funding_cut: float = 0.4
    priority_count: int = 3
    priority_weight: float = 3.0
    attention_loss: float = 0.5
    reviewing_gap: bool = True  # False once the policymaker has turned to other questions
    history: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Review:
    """What a review observes: the policymaker never sees the hidden truth.

    Attributes:
        gap: The KS4 disadvantage gap index now.
        target: The gap the policymaker set out to reach by this review.
        learning: Relative fall since the last review in the evidence base's own mean
            uncertainty about for whom each approach works (the posterior SD of its context
            moderators, which the base knows; not its error against the truth, which no one
            does).
        feedback: Local evaluations practice wrote back since the last review.
    """

    gap: float
    target: float
    learning: float
    feedback: int

    @property
    def gap_met(self) -> bool:
        """Whether the gap reached its target."""
        return self.gap <= self.target


def _more_pressure(lv: Levers, rng: np.random.Generator) -> None:
    lv.accountability_pressure = min(1.0, lv.accountability_pressure + lv.step)


def _switch_evidence(lv: Levers, rng: np.random.Generator) -> None:
    k = lv.priorities.size
    chosen = rng.choice(k, size=min(lv.priority_count, k), replace=False)
    lv.priorities = np.ones(k)
    lv.priorities[chosen] = lv.priority_weight
    lv.churn_pending = True


def _blame_practitioners(lv: Levers, rng: np.random.Generator) -> None:
    lv.prescription = min(1.0, lv.prescription + lv.step)


def _bury_evidence(lv: Levers, rng: np.random.Generator) -> None:
    lv.research_funding *= 1.0 - lv.funding_cut
    lv.evidence_push *= 1.0 - lv.funding_cut


def _blame_researchers(lv: Levers, rng: np.random.Generator) -> None:
    lv.research_orientation = "push"
    lv.research_funding *= 1.0 - lv.funding_cut / 2


def _turn_to_other_questions(lv: Levers, rng: np.random.Generator) -> None:
    lv.evidence_push *= 1.0 - lv.attention_loss
    lv.reviewing_gap = False


def _deliberate(lv: Levers, rng: np.random.Generator) -> None:
    lv.prescription = max(0.0, lv.prescription - lv.step)
    lv.partnership_targeting = "widest_gap"
    lv.research_orientation = "pull"


RESPONSES: dict[str, Callable[[Levers, np.random.Generator], None]] = {
    "more_pressure": _more_pressure,
    "switch_evidence": _switch_evidence,
    "blame_practitioners": _blame_practitioners,
    "bury_evidence": _bury_evidence,
    "blame_researchers": _blame_researchers,
    "turn_to_other_questions": _turn_to_other_questions,
    "deliberate": _deliberate,
}


class PolicyStrategy(Protocol):
    """Chooses the response to a review; returns its name or ``"none"``."""

    def choose(self, review: Review, rng: np.random.Generator) -> str:
        """The response to this review."""
        ...


@dataclass(frozen=True)
class PressureDriven:
    """On disappointment, one of the responses the seed names, drawn by weight."""

    weights: tuple[tuple[str, float], ...]

    def choose(self, review: Review, rng: np.random.Generator) -> str:
        """Draw a response when the gap misses its target; otherwise stay the course."""
        u = rng.random()  # drawn at every review so the policy stream stays aligned
        if review.gap_met:
            return "none"
        names = [n for n, _ in self.weights]
        w = np.array([x for _, x in self.weights])
        i = int(np.searchsorted(np.cumsum(w / w.sum()), u, side="right"))
        return names[min(i, len(names) - 1)]


@dataclass(frozen=True)
class Deliberative:
    """Review the feedback from practice with schools and researchers instead of pushing harder.

    Success is the gap meeting its target or, when ``judge_on_learning``, the system having
    learned (the evidence base's uncertainty about for whom each approach works fell by
    ``learning_target`` since the last review). On disappointment it deliberates over what
    practice fed back; with no local evaluations to review there is nothing to deliberate on,
    and it holds its course.
    """

    judge_on_learning: bool = False
    learning_target: float = 0.05

    def choose(self, review: Review, rng: np.random.Generator) -> str:
        """Deliberate when results disappoint and there is feedback to read."""
        rng.random()
        learned = self.judge_on_learning and review.learning >= self.learning_target
        if review.gap_met or learned or review.feedback == 0:
            return "none"
        return "deliberate"


@dataclass(frozen=True)
class Static:
    """No response: the levers stay where the scenario set them."""

    def choose(self, review: Review, rng: np.random.Generator) -> str:
        """Never respond."""
        rng.random()
        return "none"
