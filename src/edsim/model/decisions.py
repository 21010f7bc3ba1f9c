"""Schools' yearly decisions and the state they carry (DESIGN.md §4.1 and §4.3).

Written over all schools at once (see :mod:`edsim.model.schools`). Every random draw has a
fixed shape per year, whatever the regime, so regimes sharing a seed share their draws.

Schools decide on what they can observe: their own noisy evaluation of each approach (made by
:meth:`edsim.model.world.World.own_evaluations` with ``implementation.signal_noise``) and the
evidence base's beliefs. Nothing here is handed the hidden truth.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from edsim.model.evidence import EvidenceBase
from edsim.model.implementation import PARTNERSHIP, PUSH, ImplementationTable
from edsim.model.mechanisms import Regime
from edsim.model.mechanisms.policy import Levers
from edsim.model.mechanisms.selection import NationalRanking, choose_best_bets
from edsim.model.schools import PRIMARY, SECONDARY, SchoolTable
from edsim.scenario.schema import Scenario

__all__ = ["Catalogue", "SchoolDecisions"]


@dataclass(frozen=True)
class Catalogue:
    """The intervention catalogue as arrays."""

    cost: NDArray[np.float64]  # GBP per pupil reached per year
    targeted: NDArray[np.bool_]
    moderator: NDArray[np.float64]
    fits: NDArray[np.bool_]  # (2, K): applicable in primary / secondary

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> Catalogue:
        """Arrays of costs, reach and phase from the scenario's intervention list."""
        items = scenario.interventions
        fits = np.array(
            [
                [i.phase in ("primary", "both") for i in items],
                [i.phase in ("secondary", "both") for i in items],
            ]
        )
        return cls(
            cost=np.array([i.cost_per_pupil for i in items]),
            targeted=np.array([i.reach == "targeted" for i in items]),
            moderator=np.array([i.low_attainer_moderator for i in items]),
            fits=fits,
        )


class SchoolDecisions:
    """Stage 4 (review and adopt) and stage 5 (implementation and school state)."""

    def __init__(
        self,
        scenario: Scenario,
        schools: SchoolTable,
        impl: ImplementationTable,
        catalogue: Catalogue,
        regime: Regime,
    ) -> None:
        self.scenario = scenario
        self.schools = schools
        self.impl = impl
        self.cat = catalogue
        self.regime = regime
        self.national = NationalRanking()

    # -- budgets and options -------------------------------------------------------------
    def pupils_reached(self) -> NDArray[np.float64]:
        """(S, K) pupils each option would reach in each school."""
        t = self.schools
        low = self.scenario.attainment.targets_low_attainers_below
        n_targeted = t.n_disadvantaged + low * (t.n_pupils - t.n_disadvantaged)
        return np.where(self.cat.targeted[None, :], n_targeted[:, None], t.n_pupils[:, None])

    def budget(self, levers: Levers) -> NDArray[np.float64]:
        """Each school's Pupil Premium this year (GBP)."""
        t = self.schools
        rate = np.where(
            t.phase == PRIMARY, levers.pupil_premium_primary, levers.pupil_premium_secondary
        )
        return rate * t.n_disadvantaged

    def committed(self, spend: NDArray[np.float64] | None = None) -> NDArray[np.float64]:
        """Each school's yearly spend on the approaches it runs (GBP).

        Args:
            spend: (S, K) what each option would cost each school, if already computed.
        """
        if spend is None:
            spend = self.pupils_reached() * self.cat.cost[None, :]
        committed = np.zeros(self.schools.n)
        rows, cols = np.nonzero(self.impl.active)
        np.add.at(committed, rows, spend[rows, self.impl.k[rows, cols]])
        return committed

    def allowed(
        self, levers: Levers, idx: NDArray[np.intp], include_running: bool = False
    ) -> NDArray[np.bool_]:
        """(n, K) options open to schools ``idx``: right phase, affordable, not already run.

        A partnership may settle on something some of its schools already run
        (``include_running``): they keep it, now with support.
        """
        spend = self.pupils_reached() * self.cat.cost[None, :]
        room = self.budget(levers) - self.committed(spend)
        fits = self.cat.fits[self.schools.phase[idx]]
        running = np.zeros((idx.size, self.cat.cost.size), dtype=bool)
        sub = self.impl.k[idx]
        r, c = np.nonzero(sub >= 0)
        running[r, sub[r, c]] = True
        ok = fits & (spend[idx] <= room[idx, None])
        # A school already funds what it runs: room is net of that spend, so testing it again
        # would ask whether it could afford the approach twice.
        return ok | running if include_running else ok & ~running

    def ranking_cost(self) -> NDArray[np.float64]:
        """Cost per pupil reached used to rank options, with the staff-time overhead."""
        return self.cat.cost + self.regime.cost_overhead

    # -- stage 4 ---------------------------------------------------------------------------
    def review(self, levers: Levers, signals: NDArray[np.float64], rng: np.random.Generator) -> int:
        """Continue or drop each implementation; return how many were dropped.

        A school drops work at a base rate, when its own evaluation (``signals``, the noisy
        yearly effect it sees) falls well short of what it adopted it for, and, after a switch
        of national priorities, when it is under pressure. Which partnership work is protected
        from dropping is the named setting ``regime.support.protection``.
        """
        im = self.impl
        shape = im.k.shape
        u_drop = rng.random(shape)
        u_churn = rng.random(shape)
        act = im.active
        if not act.any():
            return 0
        s, pol = self.scenario.implementation, self.scenario.policy
        disappointed = signals < s.disappointment_threshold * im.quality * im.expected
        p = s.drop_rate + s.disappointment_drop * disappointed
        drop = act & (u_drop < p)
        if levers.churn_pending:
            t = self.schools
            exposed = levers.accountability_pressure * t.exposure > pol.churn_exposure_threshold
            drop |= act & exposed[:, None] & (im.channel == PUSH) & (u_churn < pol.churn)
        drop &= ~self.protected()
        im.drop(drop)
        return int(drop.sum())

    def protected(self) -> NDArray[np.bool_]:
        """(S, slots) implementations a school may not drop this year (the protection rule)."""
        rule = self.scenario.regime.support.protection
        if rule == "current_partnership":
            return self.impl.current_partnership_work(self.schools)
        if rule == "all_partnership_work":
            supported = self.schools.support > 0
            return supported[:, None] & (self.impl.channel == PARTNERSHIP)
        return np.zeros(self.impl.k.shape, dtype=bool)

    def adopt_pushed(
        self,
        levers: Levers,
        evidence: EvidenceBase,
        context: NDArray[np.float64],
        rng: np.random.Generator,
    ) -> int:
        """Push channel: schools with a free slot may adopt a national "best bet"."""
        t = self.schools
        u = rng.random(t.n)
        normals = rng.standard_normal((t.n, self.cat.cost.size))
        push = self.regime.dissemination
        if not push.active:
            return 0
        p = push.adoption_probability(
            t.engagement, t.exposure, levers.accountability_pressure, levers.evidence_push
        )
        p = np.clip(p * self.regime.workforce.adoption_factor(t.literacy), 0.0, 1.0)
        free = self.impl.count() < self.scenario.schools.max_active
        go = np.flatnonzero(free & (t.partnership < 0) & (u < p))
        if go.size == 0:
            return 0
        beliefs = self.national.beliefs(evidence, context[go])
        choice = choose_best_bets(
            beliefs,
            self.ranking_cost(),
            self.allowed(levers, go),
            self.regime.fashion_noise,
            normals[go],
            levers.priorities,
        )
        ok = choice >= 0
        self.impl.adopt(
            go[ok],
            choice[ok],
            PUSH,
            beliefs[ok, choice[ok]],
            self.scenario.implementation.initial_quality,
        )
        return int(ok.sum())

    def adopt_partnership_choice(
        self,
        schools_idx: NDArray[np.intp],
        k: int,
        expected: NDArray[np.float64],
        partnership: int,
    ) -> None:
        """Partnership schools start the co-constructed approach (or keep it if running).

        ``schools_idx`` are the members that take it up (see
        ``regime.partnerships.members_adopt``); it becomes their current partnership's work.
        """
        im = self.impl
        running = (im.k[schools_idx] == k).any(axis=1)
        already = schools_idx[running]
        mine = im.k[already] == k
        im.channel[already] = np.where(mine, PARTNERSHIP, im.channel[already])
        im.origin[already] = np.where(mine, partnership, im.origin[already])
        new = schools_idx[~running]
        im.adopt(
            new,
            np.full(new.size, k),
            PARTNERSHIP,
            expected[~running],
            self.scenario.implementation.initial_quality,
            origin=partnership,
        )

    # -- stage 5 ---------------------------------------------------------------------------
    def choose_adaptations(
        self, levers: Levers, signals: NDArray[np.float64], rng: np.random.Generator
    ) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.bool_]]:
        """Which implementations schools adapt this year, and whether with support.

        A school considers adapting an approach it has run for at least a year (so it has seen
        it work) when its own evaluation falls below ``adaptation_threshold`` of what it
        expected, with probability
        ``adaptation_propensity * (1 - prescription)``; once per implementation. Adapting the
        approach its current partnership co-constructed is supported; anything else is done
        alone. What adapting then does is the world's physics
        (:meth:`edsim.model.world.World.adaptation_effect`).

        Returns:
            Rows (schools), slot columns, and whether each adaptation is supported.
        """
        im, s = self.impl, self.scenario.implementation
        u = rng.random(im.k.shape)
        p = s.adaptation_propensity * (1.0 - levers.prescription)
        short = signals < s.adaptation_threshold * im.quality * im.expected
        go = im.active & ~im.adapted & (im.years >= 1) & short & (u < p)
        rows, cols = np.nonzero(go)
        supported = im.current_partnership_work(self.schools)[rows, cols]
        return rows, cols, supported

    def implement(self, levers: Levers) -> None:
        """Update workload, quality, then capacity and engagement."""
        t, im, s = self.schools, self.impl, self.scenario.implementation
        self.update_workload(levers)
        support = self.regime.support
        im.update_quality(t, s, support, self.regime.workforce.ceiling_lift(t.literacy))
        overload = np.maximum(0.0, t.workload - t.capacity)
        cap = t.capacity + support.capacity_growth(t.support)
        cap -= s.capacity_erosion * overload
        below = cap < t.capacity_baseline
        cap = np.where(
            below & (overload == 0), cap + s.capacity_recovery * (t.capacity_baseline - cap), cap
        )
        cap = np.where(~below, cap - 0.5 * s.capacity_recovery * (cap - t.capacity_baseline), cap)
        t.capacity = np.clip(cap, 0.05, 1.0)
        engaged = (t.partnership >= 0) | im.active.any(axis=1)
        growth = s.engagement_growth * (1.0 - t.engagement)
        t.engagement = np.clip(
            np.where(engaged, t.engagement + growth, t.engagement * (1 - s.engagement_decay)), 0, 1
        )
        t.reached |= engaged

    def update_workload(self, levers: Levers) -> None:
        """Workload from implementations and from accountability pressure on exposed schools."""
        t, sc = self.schools, self.scenario.schools
        t.workload = (
            sc.workload_per_implementation * self.impl.count()
            + sc.pressure_workload * levers.accountability_pressure * t.exposure
        )

    def quality_if_implemented(self) -> NDArray[np.float64]:
        """Quality a school would reach unsupported (an effectiveness trial's quality)."""
        t, s, rg = self.schools, self.scenario.implementation, self.regime
        carried = rg.support.burden_share(np.zeros(t.n))
        q = (
            s.ceiling_base
            + s.ceiling_capacity * t.capacity
            + rg.workforce.ceiling_lift(t.literacy)
            - s.burden * (1 - t.capacity) * carried
        )
        return np.clip(q, 0.0, 1.0)

    def eligible_by_intervention(self) -> list[NDArray[np.intp]]:
        """Schools of a fitting phase for each intervention (trial recruitment pools)."""
        t = self.schools
        pools = {PRIMARY: t.primary_index, SECONDARY: t.secondary_index}
        out = []
        for k in range(self.cat.cost.size):
            parts = [pools[ph] for ph in (PRIMARY, SECONDARY) if self.cat.fits[ph, k]]
            out.append(np.concatenate(parts) if parts else np.zeros(0, dtype=np.intp))
        return out
