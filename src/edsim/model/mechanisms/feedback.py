"""Feedback: whether practice writes back to the evidence base (linkage and exchange)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from edsim.model.evidence import EvidenceBase
from edsim.model.observations import Evaluations

__all__ = ["Feedback", "LocalEvaluation", "NoFeedback"]


class Feedback(Protocol):
    """Writes what partnership schools observed into the evidence base."""

    @property
    def active(self) -> bool:
        """Whether partnership schools evaluate and report at all."""
        ...

    @property
    def evaluation_se(self) -> float:
        """Declared noise of one local evaluation (SD)."""
        ...

    def report(
        self,
        evidence: EvidenceBase,
        evaluations: Evaluations,
        context: NDArray[np.float64],
        represents: float = 1.0,
    ) -> int:
        """Pool local evaluations, each standing for ``represents``; return how many."""
        ...


@dataclass(frozen=True)
class NoFeedback:
    """Disseminate to: nothing flows back from practice."""

    active: bool = False
    evaluation_se: float = 1.0

    def report(
        self,
        evidence: EvidenceBase,
        evaluations: Evaluations,
        context: NDArray[np.float64],
        represents: float = 1.0,
    ) -> int:
        """Write nothing."""
        return 0


@dataclass(frozen=True)
class LocalEvaluation:
    """Each partnership school evaluates its year: observed gain with small-sample noise.

    The school divides by its known implementation quality, as a process evaluation would, so
    it reports an estimate of the full-quality effect in its own context.
    """

    evaluation_se: float
    min_quality: float
    active: bool = True

    def report(
        self,
        evidence: EvidenceBase,
        evaluations: Evaluations,
        context: NDArray[np.float64],
        represents: float = 1.0,
    ) -> int:
        """Pool one noisy local evaluation per school into the context-specific model.

        Args:
            evidence: The evidence base to update.
            evaluations: What the schools observed (made by the world with declared noise).
            context: Context features of ``evaluations.school``, one row each.
            represents: How many of England's evaluations each one stands for: ``1 / scale``
                when a sample of England feeds England's evidence base (as its trials are
                England's), 1 in a closed system (``research.scale_with_scenario``).
        """
        ev = evaluations
        q = np.maximum(ev.quality, self.min_quality)
        se = np.full(ev.k.size, ev.se) / q
        evidence.observe(ev.k, context, ev.estimate / q, se, weight=represents)
        np.add.at(evidence.n_local, ev.k, 1)
        return int(ev.k.size)
