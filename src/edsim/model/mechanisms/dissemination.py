"""Dissemination: the national push of Toolkit rankings backed by accountability."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["PushDissemination"]


@dataclass(frozen=True)
class PushDissemination:
    """Broadcast "best bets"; schools adopt with a probability driven by pressure and engagement.

    ``p = push_strength * evidence_push * base_rate * (engagement + pressure * exposure)``:
    accountability pressure bites hardest on schools with low results (their exposure), and
    research-engaged schools take up evidence more readily. ``push_strength = 0`` switches the
    channel off entirely.
    """

    push_strength: float
    base_rate: float

    def adoption_probability(
        self,
        engagement: NDArray[np.float64],
        exposure: NDArray[np.float64],
        pressure: float,
        evidence_push: float,
    ) -> NDArray[np.float64]:
        """Each school's probability of adopting a pushed approach this year."""
        drive = engagement + pressure * exposure
        return np.clip(self.push_strength * evidence_push * self.base_rate * drive, 0.0, 1.0)

    @property
    def active(self) -> bool:
        """Whether the push channel exists at all."""
        return self.push_strength > 0
