"""The world: the hidden truth, and the only code that reads it (DESIGN.md §2 and §8).

No agent decides on the truth. Schools, brokers, partnerships, researchers, the policymaker and
the mechanisms are never handed a :class:`Truth` or a :class:`World`: they act on what the world
lets them observe, each observation with declared noise. Only these read the truth:

- **pupil learning** (:meth:`World.gains`): what implementations do to pupils;
- **what adapting does** (:meth:`World.adaptation_effect`): the physical consequence of a
  school's decision to tailor an approach, which itself is taken on observations;
- **trials** (:meth:`World.trial`): an estimate with the sampling error of the design;
- **evaluations**: a school's own informal view of each approach's yearly effect
  (:meth:`World.own_evaluations`, ``implementation.signal_noise``) and partnership schools'
  local evaluations (:meth:`World.local_evaluations`, ``regime.feedback.evaluation_se``);
- **measurement** by the modeller (:meth:`World.evidence_error`, :attr:`World.learnable_share`),
  reported as outputs and read by no agent.

``tests/model/test_truth_access.py`` fails if any other module reads the truth.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from edsim.model.observations import (
    Evaluations,
    TrialDesign,
    TrialResult,
    clustered_se,
)
from edsim.model.pupils import SchoolGains

if TYPE_CHECKING:
    from edsim.model.evidence import EvidenceBase
    from edsim.model.implementation import ImplementationTable
    from edsim.scenario.interventions import InterventionSpec
    from edsim.scenario.schema import EvidenceSettings, TruthSettings

__all__ = ["Truth", "World"]

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


class World:
    """The truth behind a run, and the observations and physics that read it."""

    def __init__(self, truth: Truth) -> None:
        self._truth = truth
        self._learnable_share: tuple[NDArray[np.float64], float] | None = None

    # -- pupil learning --------------------------------------------------------------------
    def gains(
        self,
        impl: ImplementationTable,
        targeted: NDArray[np.bool_],
        moderator: NDArray[np.float64],
    ) -> SchoolGains:
        """This year's gain per school: ``q * (theta + adaptation)``, split by reach."""
        n = impl.k.shape[0]
        act = impl.active
        if not act.any():
            return SchoolGains.none(n)
        rows, cols = np.nonzero(act)
        k = impl.k[rows, cols]
        q = impl.quality[rows, cols]
        effect = q * (self._truth.theta[k, rows] + impl.delta[rows, cols])
        is_t = targeted[k]

        def per_school(mask: NDArray[np.bool_], w: NDArray[np.float64]) -> NDArray[np.float64]:
            return np.bincount(rows[mask], weights=w[mask], minlength=n).astype(np.float64)

        everyone = np.ones(rows.size, dtype=bool)
        return SchoolGains(
            universal=per_school(~is_t, effect),
            targeted=per_school(is_t, effect),
            attainment_moderator=per_school(everyone, q * moderator[k]),
        )

    def adaptation_effect(
        self,
        rows: NDArray[np.intp],
        k: NDArray[np.intp],
        supported: NDArray[np.bool_],
        capacity: NDArray[np.float64],
        gain: float,
        drift: float,
    ) -> NDArray[np.float64]:
        """What adapting does to an approach's true effect in school ``rows[i]``.

        Supported tailoring moves the effect ``gain`` of the way towards the approach's average
        effect: it repairs a poor fit and erodes a good one (the school decided to adapt on its
        own noisy evaluation, which may be wrong). Adapting alone drifts the effect down by
        ``drift * (1 - capacity)`` of its size ("lethal mutation").
        """
        theta = self._truth.theta[k, rows]
        towards_average = gain * (self._truth.mu[k] - theta)
        loss = -drift * (1.0 - capacity) * np.abs(theta)
        return np.where(supported, towards_average, loss)

    # -- observations ----------------------------------------------------------------------
    def own_evaluations(
        self,
        impl: ImplementationTable,
        noise_sd: float | NDArray[np.float64],
        normals: NDArray[np.float64],
    ) -> NDArray[np.float64]:
        """Each school's informal view of each slot's yearly effect: realised gain plus noise.

        Shape ``(schools, slots)``; empty slots read 0 plus noise and mean nothing.
        ``noise_sd`` is one SD or one per school, shape ``(schools, 1)``.
        """
        k = np.where(impl.active, impl.k, 0)
        schools = np.arange(k.shape[0])[:, None]
        realised = impl.quality * (self._truth.theta[k, schools] + impl.delta)
        return np.where(impl.active, realised, 0.0) + noise_sd * normals

    def local_evaluations(
        self,
        impl: ImplementationTable,
        school: NDArray[np.intp],
        k: NDArray[np.intp],
        se: float,
        rng: np.random.Generator,
    ) -> Evaluations:
        """Partnership schools' evaluations of the approach ``k[i]`` they run, with noise ``se``.

        Schools that no longer run it report nothing.
        """
        slots = impl.k[school] == k[:, None]
        has = slots.any(axis=1)
        school, k, j = school[has], k[has], np.argmax(slots[has], axis=1)
        q = impl.quality[school, j]
        realised = q * (self._truth.theta[k, school] + impl.delta[school, j])
        noise = se * rng.standard_normal(k.size)
        return Evaluations(school, k, realised + noise, q, se)

    def trial(
        self,
        k: int,
        eligible: NDArray[np.intp],
        context: NDArray[np.float64],
        school_quality: NDArray[np.float64],
        settings: EvidenceSettings,
        design: TrialDesign,
        rng: np.random.Generator,
    ) -> TrialResult:
        """Run one cluster-randomised trial of intervention ``k``.

        ``design.n_schools`` schools are recruited at random among ``eligible`` (fewer if
        ``eligible`` is smaller: a trial of England's programme in a sample of England is
        represented by the sample's schools, but keeps its own size and standard error unless
        ``design.capped``), half are treated. The estimate is the treated schools' true average
        effect at the trial's implementation quality plus the sampling error of the clustered
        design, so how often trials are inconclusive follows from sample size, ICC and the size
        of true effects, not from a parameter.

        Trials measure what they recruit: their direct effect on the pupils of the schools
        taking part is not fed back into pupils' attainment (see docs/ODD.md).
        """
        j = design.n_schools
        if design.capped:
            j = min(j, eligible.size)
        j = max(2, j)
        treated = rng.choice(eligible, size=max(1, min(j // 2, eligible.size)), replace=False)
        ev = settings
        if design.effectiveness:
            q = school_quality[treated]
        else:
            q = np.full(treated.size, ev.efficacy_quality)
        itt = float(np.mean(q * self._truth.theta[k, treated]))
        se = clustered_se(j, ev.pupils_per_school, ev.icc)
        estimate = itt + se * float(rng.standard_normal())
        return TrialResult(k, j, estimate, se, float(q.mean()), context[treated].mean(axis=0))

    # -- the modeller's measurements (outputs only) --------------------------------------------
    def evidence_error(
        self, evidence: EvidenceBase, context: NDArray[np.float64]
    ) -> tuple[float, float]:
        """Root-mean-square error of beliefs against the truth: (national, context-specific)."""
        national = float(np.sqrt(np.mean((evidence.national - self._truth.mu) ** 2)))
        local = evidence.for_context(context).T - self._truth.theta
        return national, float(np.sqrt(np.mean(local**2)))

    def toolkit_error(self, evidence: EvidenceBase) -> float:
        """Root-mean-square error of the *published* Toolkit figures against the true means."""
        return float(np.sqrt(np.mean((evidence.toolkit - self._truth.mu) ** 2)))

    def learnable_share(self, context: NDArray[np.float64]) -> float:
        """Share of the between-context variance of true effects that the moderators explain.

        ``var(beta . x) / var(theta - mu)`` pooled over approaches: the part an evidence base
        with the right context model could learn; the rest (``tau``) no one can. 0 when effects
        do not vary.
        """
        cached = self._learnable_share
        if cached is not None and cached[0] is context:  # truth and contexts are fixed
            return cached[1]
        t = self._truth
        learnable = t.beta[:, 1:] @ context[:, 1:].T
        total = t.theta - t.mu[:, None]
        v_total = float(np.mean(total**2))
        share = float(np.mean(learnable**2)) / v_total if v_total > 0 else 0.0
        self._learnable_share = (context, share)
        return share
