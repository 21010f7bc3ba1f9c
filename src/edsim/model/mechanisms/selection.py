"""Selection: how a school (or partnership) turns beliefs into a choice of approach."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from edsim.model.evidence import EvidenceBase

__all__ = ["ContextAware", "NationalRanking", "SelectionRule", "choose_best_bets"]


class SelectionRule(Protocol):
    """Beliefs a chooser uses: shape (n choosers, K) of believed effects."""

    def beliefs(self, evidence: EvidenceBase, context: NDArray[np.float64]) -> NDArray[np.float64]:
        """Believed effect of each intervention for each chooser's context."""
        ...


@dataclass(frozen=True)
class NationalRanking:
    """The Toolkit's published national estimate, the same for everyone ("disseminate to")."""

    def beliefs(self, evidence: EvidenceBase, context: NDArray[np.float64]) -> NDArray[np.float64]:
        """Every chooser sees the national belief as the Toolkit last published it."""
        return np.broadcast_to(evidence.toolkit, (context.shape[0], evidence.n_interventions))


@dataclass(frozen=True)
class ContextAware:
    """The evidence base's estimate for the chooser's own context ("what works here")."""

    def beliefs(self, evidence: EvidenceBase, context: NDArray[np.float64]) -> NDArray[np.float64]:
        """Each chooser sees the belief for its context."""
        return evidence.for_context(context)


def choose_best_bets(
    beliefs: NDArray[np.float64],
    cost: NDArray[np.float64],
    allowed: NDArray[np.bool_],
    fashion_noise: float,
    normals: NDArray[np.float64],
    priority: NDArray[np.float64] | None = None,
) -> NDArray[np.intp]:
    """Pick, per chooser, the allowed option with the best believed effect per pound.

    The score is ``belief / cost * exp(fashion_noise * normal)`` (times a national priority
    weight when set); only options believed to help are considered.

    Args:
        beliefs: (n, K) believed effects.
        cost: (K,) cost per pupil reached, including staff-time overhead.
        allowed: (n, K) which options each chooser may take (phase, budget, not already run).
        fashion_noise: Log-scale noise on scores.
        normals: (n, K) standard-normal draws.
        priority: (K,) multiplier for national priorities, or None.

    Returns:
        The chosen option per chooser, or -1 where none is allowed and believed to help.
    """
    score = beliefs / cost * np.exp(fashion_noise * normals)
    if priority is not None:
        score = score * priority
    ok = allowed & (beliefs > 0)
    score = np.where(ok, score, -np.inf)
    choice = np.argmax(score, axis=1)
    return np.where(ok.any(axis=1), choice, -1)
