"""Interventions' hidden truth, the evidence base, and trials (DESIGN.md §2 and §6).

The truth ``theta[k, s] = mu[k] + beta[k] . (x[s] - mean x) + u[k, s]`` is drawn once per run
and seen by no agent. The :class:`EvidenceBase` is what the system believes: per intervention a
Bayesian linear model of the effect on context, starting at the Toolkit prior (intercept only
believed; moderators centred on zero), updated by precision-weighted pooling of trial results
and, under feedback, of local evaluations. With only trials it effectively learns national
means; local evaluations from varied contexts are what let it learn "what works for whom".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from edsim.scenario.interventions import InterventionSpec
from edsim.scenario.schema import EvidenceSettings, TruthSettings

__all__ = ["EvidenceBase", "TrialResult", "Truth", "clustered_se", "run_trial"]

N_FEATURES = 3  # intercept, disadvantage share, capacity


@dataclass(frozen=True)
class Truth:
    """The hidden true effects: per intervention ``mu`` and per intervention x school ``theta``."""

    mu: NDArray[np.float64]  # (K,) true average effect at scale, full quality (SD per year)
    beta: NDArray[np.float64]  # (K, 3) moderators on the centred context features
    theta: NDArray[np.float64]  # (K, S) true effect in each school

    @classmethod
    def draw(
        cls,
        catalogue: tuple[InterventionSpec, ...],
        context: NDArray[np.float64],
        settings: TruthSettings,
        rng: np.random.Generator,
    ) -> Truth:
        """Draw the truth from the Toolkit priors deflated by ``efficacy_inflation``."""
        k = len(catalogue)
        published = np.array([i.prior_effect for i in catalogue])
        sd = settings.truth_dispersion
        mu = (
            published
            / settings.efficacy_inflation
            * np.exp(sd * rng.standard_normal(k) - sd**2 / 2)
        )
        beta = np.zeros((k, N_FEATURES))
        beta[:, 1] = settings.disadvantage_moderator_sd * rng.standard_normal(k)
        beta[:, 2] = settings.capacity_moderator
        u = settings.heterogeneity * rng.standard_normal((k, context.shape[0]))
        theta = mu[:, None] + beta[:, 1:] @ context[:, 1:].T + u
        return cls(mu=mu, beta=beta, theta=theta)


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
        self._mean: NDArray[np.float64] | None = None

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
    ) -> None:
        """Pool observations ``y[i]`` of intervention ``k[i]``'s effect at context ``x[i]``.

        Each observation's variance is its sampling variance plus the heterogeneity the base
        assumes between contexts, divided by the number of contexts it averages (a trial's
        treated schools, or 1 for one school's evaluation): an effect seen in one school says
        less about the next school than its standard error suggests.
        """
        if k.size == 0:
            return
        w = 1.0 / (se**2 + self.assumed_heterogeneity**2 / np.asarray(n_contexts, dtype=float))
        np.add.at(self.precision, k, w[:, None, None] * x[:, :, None] * x[:, None, :])
        np.add.at(self.information, k, (w * y)[:, None] * x)
        self._mean = None

    def error(self, truth: Truth, context: NDArray[np.float64]) -> tuple[float, float]:
        """Root-mean-square error of beliefs against the truth: (national, context-specific)."""
        national = float(np.sqrt(np.mean((self.national - truth.mu) ** 2)))
        local = self.for_context(context).T - truth.theta
        return national, float(np.sqrt(np.mean(local**2)))


def clustered_se(n_schools: int, pupils_per_school: int, icc: float) -> float:
    """Standard error (SD units) of a two-arm cluster-randomised trial's effect estimate.

    ``SE = sqrt(4 / J * (icc + (1 - icc) / m))`` for ``J`` schools split evenly and ``m``
    pupils tested per school: the design effect of clustering, no covariates.
    """
    return float(np.sqrt(4.0 / n_schools * (icc + (1.0 - icc) / pupils_per_school)))


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


def run_trial(
    k: int,
    eligible: NDArray[np.intp],
    truth: Truth,
    context: NDArray[np.float64],
    school_quality: NDArray[np.float64],
    settings: EvidenceSettings,
    effectiveness: bool,
    rng: np.random.Generator,
) -> TrialResult:
    """Run one cluster-randomised trial of intervention ``k``.

    Schools are recruited at random among ``eligible``, half are treated. The reported
    estimate is the treated schools' true average effect at the trial's implementation quality
    plus sampling error of the clustered design, so how often trials are inconclusive follows
    from sample size, ICC and the size of true effects, not from a parameter.

    Trials measure what they recruit: their direct effect on the pupils of the ~0.5% of schools
    taking part is not fed back into pupils' attainment (see docs/ODD.md).
    """
    ev = settings
    j = int(rng.integers(ev.schools_per_trial_min, ev.schools_per_trial_max + 1))
    j = max(2, min(j, eligible.size))
    sample = rng.choice(eligible, size=j, replace=False)
    treated = sample[: j // 2]
    q = school_quality[treated] if effectiveness else np.full(treated.size, ev.efficacy_quality)
    itt = float(np.mean(q * truth.theta[k, treated]))
    se = clustered_se(j, ev.pupils_per_school, ev.icc)
    estimate = itt + se * float(rng.standard_normal())
    return TrialResult(k, j, estimate, se, float(q.mean()), context[treated].mean(axis=0))
