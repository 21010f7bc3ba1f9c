"""The evidence base: what the system believes about each intervention (DESIGN.md §6).

The hidden truth and the trials that observe it live in :mod:`edsim.model.world`; no agent sees
them. The :class:`EvidenceBase` is what the system believes: per intervention a
Bayesian linear model of the effect on context, starting at the Toolkit prior (intercept only
believed; moderators centred on zero), updated by precision-weighted pooling of trial results
and, under feedback, of local evaluations. With only trials it effectively learns national
means; local evaluations from varied contexts are what let it learn "what works for whom".
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from edsim.scenario.interventions import InterventionSpec

__all__ = ["EvidenceBase"]

N_FEATURES = 3  # intercept, disadvantage share, capacity


class EvidenceBase:
    """What the system believes about each intervention, in information (precision) form.

    For each intervention ``k`` it holds a Gaussian belief over coefficients ``w`` in
    ``effect(x) = w . x`` with ``x = (1, disadvantage, capacity)`` centred. Each observation
    ``y ~ N(w . x, se^2)`` adds ``x x^T / se^2`` to the precision and ``x y / se^2`` to the
    information vector: precision-weighted pooling, exactly, in any order.
    """

    def __init__(
        self,
        catalogue: tuple[InterventionSpec, ...],
        moderator_prior_sd: float,
        assumed_heterogeneity: float = 0.0,
    ) -> None:
        k = len(catalogue)
        self.assumed_heterogeneity = assumed_heterogeneity
        prior_mean = np.zeros((k, N_FEATURES))
        prior_mean[:, 0] = [i.prior_effect for i in catalogue]
        prior_var = np.empty((k, N_FEATURES))
        prior_var[:, 0] = [i.prior_sd**2 for i in catalogue]
        prior_var[:, 1:] = moderator_prior_sd**2
        self.precision = np.zeros((k, N_FEATURES, N_FEATURES))
        idx = np.arange(N_FEATURES)
        self.precision[:, idx, idx] = 1.0 / prior_var
        self.information = prior_mean / prior_var
        self.n_trials = np.zeros(k, dtype=np.int64)
        self.n_local = np.zeros(k, dtype=np.int64)
        self.n_external = np.zeros(k, dtype=np.int64)
        self._mean: NDArray[np.float64] | None = None
        self._published = self.national.copy()

    @property
    def n_interventions(self) -> int:
        """Number of interventions believed about."""
        return int(self.information.shape[0])

    @property
    def mean(self) -> NDArray[np.float64]:
        """Posterior mean coefficients, shape (K, 3)."""
        if self._mean is None:
            solved = np.linalg.solve(self.precision, self.information[..., None])[..., 0]
            self._mean = solved.astype(np.float64)
        return self._mean

    @property
    def national(self) -> NDArray[np.float64]:
        """Believed effect at the average context, per intervention (the Toolkit's headline)."""
        return self.mean[:, 0]

    @property
    def toolkit(self) -> NDArray[np.float64]:
        """The national belief as last published in the Toolkit (see :meth:`publish`)."""
        return self._published

    def publish(self) -> None:
        """Publish the current national beliefs as the Toolkit's ranking.

        Schools choosing from the national ranking read the published figures; the base itself
        (researchers, context-aware choosers) reads its live beliefs. Publishing every year
        means no lag (``evidence.toolkit_update_years``).
        """
        self._published = self.national.copy()

    def context_uncertainty(self, context: NDArray[np.float64]) -> float:
        """Mean posterior SD of the believed effect of each approach in each context.

        The base's own uncertainty about "what works here", which it knows without the truth:
        what a deliberative policymaker can review as the system's learning.
        """
        cov = np.linalg.inv(self.precision)
        var = np.einsum("sf,kfg,sg->sk", context, cov, context, optimize=True)
        return float(np.sqrt(np.maximum(var, 0.0)).mean())

    def moderator_uncertainty(self) -> float:
        """Mean posterior SD of the context moderators (disadvantage, capacity) over strands.

        How little the base knows about *for whom* each approach works: trials, run at the
        average context of their schools, barely move it; evaluations from varied contexts do.
        """
        cov = np.linalg.inv(self.precision)
        return float(np.sqrt(cov[:, 1:, 1:].diagonal(axis1=1, axis2=2)).mean())

    @property
    def national_sd(self) -> NDArray[np.float64]:
        """Uncertainty of the national belief, per intervention."""
        cov = np.linalg.inv(self.precision)
        return np.sqrt(cov[:, 0, 0])

    def for_context(self, context: NDArray[np.float64]) -> NDArray[np.float64]:
        """Believed effect of every intervention in every context: shape (S, K)."""
        return context @ self.mean.T

    def observe(
        self,
        k: NDArray[np.intp],
        x: NDArray[np.float64],
        y: NDArray[np.float64],
        se: NDArray[np.float64],
        n_contexts: NDArray[np.float64] | float = 1.0,
        weight: float = 1.0,
    ) -> None:
        """Pool observations ``y[i]`` of intervention ``k[i]``'s effect at context ``x[i]``.

        Each observation's variance is its sampling variance plus the heterogeneity the base
        assumes between contexts, divided by the number of contexts it averages (a trial's
        treated schools, or 1 for one school's evaluation): an effect seen in one school says
        less about the next school than its standard error suggests. ``weight`` counts each
        observation as that many independent ones (a sample of England's evaluations standing
        for all of England's).
        """
        if k.size == 0:
            return
        w = weight / (se**2 + self.assumed_heterogeneity**2 / np.asarray(n_contexts, dtype=float))
        np.add.at(self.precision, k, w[:, None, None] * x[:, :, None] * x[:, None, :])
        np.add.at(self.information, k, (w * y)[:, None] * x)
        self._mean = None
