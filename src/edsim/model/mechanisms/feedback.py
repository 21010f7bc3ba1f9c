"""Feedback: whether practice writes back to the evidence base (linkage and exchange)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from edsim.model.evidence import EvidenceBase

__all__ = ["Feedback", "LocalEvaluation", "NoFeedback"]


class Feedback(Protocol):
    """Writes what partnership schools observed into the evidence base."""

    def report(
        self,
        evidence: EvidenceBase,
        k: NDArray[np.intp],
        context: NDArray[np.float64],
        realised: NDArray[np.float64],
        quality: NDArray[np.float64],
        rng: np.random.Generator,
    ) -> int:
        """Pool local evaluations; return how many were written."""
        ...


@dataclass(frozen=True)
class NoFeedback:
    """Disseminate to: nothing flows back from practice."""

    def report(
        self,
        evidence: EvidenceBase,
        k: NDArray[np.intp],
        context: NDArray[np.float64],
        realised: NDArray[np.float64],
        quality: NDArray[np.float64],
        rng: np.random.Generator,
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

    def report(
        self,
        evidence: EvidenceBase,
        k: NDArray[np.intp],
        context: NDArray[np.float64],
        realised: NDArray[np.float64],
        quality: NDArray[np.float64],
        rng: np.random.Generator,
    ) -> int:
        """Pool one noisy local evaluation per school into the context-specific model."""
        noise = self.evaluation_se * rng.standard_normal(k.size)
        q = np.maximum(quality, self.min_quality)
        evidence.observe(
            k, context, (realised + noise) / q, np.full(k.size, self.evaluation_se) / q
        )
        return int(k.size)
