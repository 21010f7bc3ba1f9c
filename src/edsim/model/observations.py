"""What the world lets agents observe: value objects for trials and evaluations.

Decision code imports these, never :mod:`edsim.model.world`: a trial's report and a school's
evaluation are all an agent ever learns about the hidden truth.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["Evaluations", "TrialDesign", "TrialResult", "clustered_se"]


def clustered_se(n_schools: int, pupils_per_school: int, icc: float) -> float:
    """Standard error (SD units) of a two-arm cluster-randomised trial's effect estimate.

    ``SE = sqrt(4 / J * (icc + (1 - icc) / m))`` for ``J`` schools split evenly and ``m``
    pupils tested per school: the design effect of clustering, no covariates.
    """
    return float(np.sqrt(4.0 / n_schools * (icc + (1.0 - icc) / pupils_per_school)))


@dataclass(frozen=True)
class TrialDesign:
    """How a trial is set up, decided by the researcher without seeing the truth."""

    n_schools: int
    effectiveness: bool
    capped: bool


@dataclass(frozen=True)
class TrialResult:
    """One trial as reported: estimate, standard error, and whether it was conclusive."""

    intervention: int
    n_schools: int
    estimate: float
    se: float
    quality: float
    context: NDArray[np.float64]

    @property
    def inconclusive(self) -> bool:
        """True when the 95% confidence interval includes zero."""
        return abs(self.estimate) < 1.96 * self.se


@dataclass(frozen=True)
class Evaluations:
    """Local evaluations as reported: per school, the approach and its estimated effect.

    ``estimate`` is the observed yearly gain plus evaluation noise; ``quality`` is the school's
    known implementation quality (a process evaluation), ``se`` the declared noise.
    """

    school: NDArray[np.intp]
    k: NDArray[np.intp]
    estimate: NDArray[np.float64]
    quality: NDArray[np.float64]
    se: float
