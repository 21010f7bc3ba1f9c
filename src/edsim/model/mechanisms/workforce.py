"""What the regime lets the workforce's evidence literacy do (issue 14, item 1).

Moss (2024): "disseminate to" is hardwired through ITT and career development, and its
structures "inhibit rather than promote critical reflection". Under ``fidelity`` literacy raises
Toolkit uptake and fidelity to guidance; under ``reflection`` it sharpens a school's reading of
its own evidence (less noise in its own evaluations, so better decisions to drop or adapt). The
choice is the setting ``regime.workforce.use``; the sizes are in the ``workforce`` section.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["WorkforceUse"]


@dataclass(frozen=True)
class WorkforceUse:
    """The effects of literacy under one use; each is neutral under the other use."""

    reflective: bool
    uptake_gain: float
    fidelity_gain: float
    reflection_gain: float

    def adoption_factor(self, literacy: NDArray[np.float64]) -> NDArray[np.float64] | float:
        """Multiplier on each school's probability of adopting a pushed approach."""
        return 1.0 if self.reflective else 1.0 + self.uptake_gain * literacy

    def ceiling_lift(self, literacy: NDArray[np.float64]) -> NDArray[np.float64] | float:
        """Rise in each school's quality ceiling (fidelity to guidance)."""
        return 0.0 if self.reflective else self.fidelity_gain * literacy

    def noise_factor(self, literacy: NDArray[np.float64]) -> NDArray[np.float64] | float:
        """Multiplier on the noise of each school's own evaluations."""
        return np.clip(1.0 - self.reflection_gain * literacy, 0.0, 1.0) if self.reflective else 1.0
