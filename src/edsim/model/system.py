"""``EdSystemModel``: builds England's education system and runs the yearly schedule (§3).

The model takes a :class:`~edsim.scenario.Scenario` and/or plain keyword parameters (so
``mesa.batch_run`` and SolaraViz can drive it); it never reads files, writes output or draws.
"""

from __future__ import annotations

from typing import Any

import mesa
import networkx as nx
import numpy as np

from edsim.model.brokers import Broker, area_priority, broker_plan
from edsim.model.cohorts import PupilPopulation
from edsim.model.decisions import Catalogue, SchoolDecisions
from edsim.model.evidence import EvidenceBase
from edsim.model.gap_drivers import GapDrivers, SchoolView
from edsim.model.implementation import ImplementationTable
from edsim.model.literature import Literature
from edsim.model.mechanisms import Regime
from edsim.model.mechanisms.selection import choose_best_bets
from edsim.model.observations import TrialDesign, TrialResult
from edsim.model.organisations import LocalOrganisation, Organisations
from edsim.model.partnerships import Partnership
from edsim.model.policymaker import Observed, Policymaker
from edsim.model.pupils import Outcomes, SchoolGains
from edsim.model.reporting import REPORTERS, Baseline, YearRecord, measure_year
from edsim.model.researchers import Programme, Researcher, RunTrial
from edsim.model.schools import PRIMARY, School, build_schools
from edsim.model.streams import Streams
from edsim.model.workforce import Workforce
from edsim.model.world import Truth, World
from edsim.model.year_zero import YearZero, year_zero_key
from edsim.scenario.overrides import apply_overrides
from edsim.scenario.schema import Scenario

__all__ = ["EdSystemModel"]


class EdSystemModel(mesa.Model):
    """England's school system under a regime of evidence use, one step per school year.

    Args:
        scenario: The scenario to run (default: England at full scale, disseminate to).
        rng: Seed (int or ``numpy.random.SeedSequence``); every random stream derives from it.
        year_zero: Start from this year-0 pupil state (:meth:`take_year_zero` of a model with
            the same seed and pre-year-0 settings) instead of drawing it: identical results,
            less work. Refused (``ValueError``) if taken under another seed or settings.
        **params: Overrides of scenario fields: top-level names (``years=5``,
            ``regime="linkage_exchange"``) or nested ones joined by ``__``
            (``truth__heterogeneity=0.0``).

    Raises:
        edsim.errors.ScenarioError: If an override is unknown or out of range.
    """

    def __init__(
        self,
        scenario: Scenario | None = None,
        *,
        rng: Any = None,
        year_zero: YearZero | None = None,
        **params: Any,
    ) -> None:
        seed = _seed_sequence(rng)
        super().__init__(rng=np.random.default_rng(seed.spawn(1)[0]))
        self.seed_sequence = seed
        self.config = apply_overrides(scenario if scenario is not None else Scenario(), params)
        sc = self.config
        self.streams = Streams.from_seed(seed)
        self.year = 0
        self.calendar_year = sc.start_year

        self.schools = build_schools(sc, self.streams.setup)
        self.context = self.schools.context()
        # The hidden truth lives in the world; decision code is handed observations only.
        self.world = World(Truth.draw(sc.interventions, self.context, sc.truth, self.streams.truth))
        self.catalogue = Catalogue.from_scenario(sc)
        self.regime = Regime.from_settings(sc.regime, sc.evidence, sc.workforce)
        self.evidence = EvidenceBase(
            sc.interventions, sc.evidence.moderator_prior_sd, sc.evidence.assumed_heterogeneity
        )
        self.implementations = ImplementationTable(self.schools.n, sc.schools.max_active)
        self.decisions = SchoolDecisions(
            sc, self.schools, self.implementations, self.catalogue, self.regime
        )

        self.policymaker = Policymaker(self, sc, self.regime.policy)
        self.researchers = [Researcher(self) for _ in range(sc.regime.research.n_researchers)]
        ps = sc.regime.partnerships
        pupil_share = np.array([r.pupil_share for r in sc.regions])
        self.brokers = [
            Broker(self, region, days, ps, span)
            for region, days, span in broker_plan(pupil_share, ps, sc.population.scale)
        ]
        for s in range(self.schools.n):
            School(self, s, self.schools, self.implementations)
        self.workforce = Workforce(self.schools, sc.workforce)
        self.gap_drivers = GapDrivers(sc.gap_drivers)
        self.organisations = Organisations(
            self.schools, sc.regime.organisations, sc.population.scale
        )
        if sc.regime.organisations.enabled:
            for area in range(self.schools.n_areas):
                LocalOrganisation(self, area, self.organisations)
        self.pupils = PupilPopulation(self, sc, self.schools)
        self.network: nx.Graph = nx.Graph()
        self.partnerships: dict[int, Partnership] = {}
        self._next_partnership = 0
        self.record = YearRecord()

        st = self.streams
        self._year_zero_key = year_zero_key(sc, seed)
        if year_zero is None:
            self.ks2, self.ks4 = self.pupils.steady_state(
                self.schools.value_added, st.cohort_entry, st.learning, st.transition
            )
        elif year_zero.key != self._year_zero_key:
            raise ValueError(
                "this year-0 snapshot was taken under another seed or other pre-year-0 settings"
            )
        else:
            self.ks2, self.ks4 = year_zero.restore(self.pupils, st)
        self._refresh_schools()
        for group in self.pupils.year_groups:
            group.fix_effect_scale()
        self.baseline = Baseline.from_outcomes(self.ks2, self.ks4, sc.attainment)
        self.latest = measure_year(self)
        self.policymaker.begin(self._observed())
        self.datacollector = mesa.DataCollector(model_reporters=REPORTERS)
        self.datacollector.collect(self)

    def take_year_zero(self) -> YearZero:
        """A copy of the year-0 pupil state, to start other variants of this replicate from.

        Raises:
            ValueError: If the model has already stepped past year 0.
        """
        if self.year != 0:
            raise ValueError(f"the year-0 state is gone: the model is at year {self.year}")
        return YearZero.take(self._year_zero_key, self.pupils, self.ks2, self.ks4, self.streams)

    # -- the yearly schedule -------------------------------------------------------------------
    def step(self) -> None:
        """One school year, in the order of DESIGN.md §3."""
        self.year += 1
        self.calendar_year += 1
        self.record = YearRecord()
        self._research()
        self._policy()
        self._partnerships()
        lv, im = self.policymaker.levers, self.implementations
        noise = self.config.implementation.signal_noise * np.asarray(
            self.regime.workforce.noise_factor(self.schools.literacy)
        )
        signals = self.world.own_evaluations(
            im,
            noise[:, None] if noise.ndim else noise,
            self.streams.observation.standard_normal(im.k.shape),
        )
        self.record.dropped = self.decisions.review(lv, signals, self.streams.decisions)
        self.record.adopted = self.decisions.adopt_pushed(
            lv, self.evidence, self.context, self.streams.decisions
        )
        self._adapt(signals)
        self.decisions.implement(lv)
        self._strands()
        gains = self.world.gains(im, self.catalogue.targeted, self.catalogue.moderator)
        self._feedback()
        self._pupils_year(gains)
        self.latest = measure_year(self)
        self.datacollector.collect(self)
        if self.year >= self.config.years:
            self.running = False

    def _research(self) -> None:
        """Stage 1: researchers run this year's trials."""
        lv, rs = self.policymaker.levers, self.config.regime.research
        expected = rs.trials_per_year * lv.research_funding
        if rs.scale_with_scenario:
            expected *= self.config.population.scale
        extra = self.streams.research.random() < expected - int(expected)
        n = int(expected) + int(extra)
        order = self.streams.shuffle.permutation(len(self.researchers))
        eligible = self.decisions.eligible_by_intervention()
        quality = self.decisions.quality_if_implemented()

        def runner(rng: np.random.Generator) -> RunTrial:
            def run(k: int, design: TrialDesign) -> TrialResult:
                return self.world.trial(
                    k, eligible[k], self.context, quality, self.config.evidence, design, rng
                )

            return run

        self._run_trials(n, order, runner(self.streams.research), eligible)
        ev = self.config.evidence
        studies = ev.external_studies_per_year * (
            self.config.population.scale if rs.scale_with_scenario else 1.0
        )
        capped = rs.scale_with_scenario
        literature = Literature(runner(self.streams.literature), ev, studies, capped)
        studiable = np.array([e.size >= 2 for e in eligible])
        self.record.external_published = literature.take_in(
            self.evidence, studiable, self.streams.literature
        )
        if (self.year - 1) % ev.toolkit_update_years == 0:
            self.evidence.publish()

    def _run_trials(
        self, n: int, order: np.ndarray, run: RunTrial, eligible: list[np.ndarray]
    ) -> None:
        """The EEF's and universities' ``n`` trials this year, shared among researchers."""
        lv, rs = self.policymaker.levers, self.config.regime.research
        if not self.researchers or n == 0:
            return
        asked = np.bincount(
            [p.choice for p in self.partnerships.values() if p.choice >= 0],
            minlength=self.evidence.n_interventions,
        ).astype(float)
        programme = Programme(run, rs.effectiveness_share, capped=rs.scale_with_scenario)
        shares = np.bincount(np.arange(n) % len(self.researchers), minlength=len(self.researchers))
        for i in order:
            self.record.trials += self.researchers[i].run_trials(
                int(shares[i]),
                lv.research_orientation,
                self.evidence,
                eligible,
                asked,
                self.config.evidence,
                programme,
                self.streams.research,
            )

    def _policy(self) -> None:
        """Stage 2: the policymaker sets levers and, at a review, responds to the KS4 gap."""
        self.record.response = self.policymaker.act(
            self.year,
            self.calendar_year,
            self._observed(),
            self.streams.policy,
        )

    def _observed(self) -> Observed:
        """What the policymaker sees: last year's gap, base uncertainty and feedback so far."""
        return Observed(
            gap=self.latest["ks4_gap_index"],
            gap_at_start=self.baseline.ks4_gap_index,
            uncertainty=self.latest["evidence_uncertainty_moderators"],
            evaluations=int(self.latest["local_evaluations_cumulative"]),
        )

    def _partnerships(self) -> None:
        """Stage 3: brokers close, advance and open partnerships; support is allocated."""
        t = self.schools
        for b in self.brokers:
            for p in b.close_finished(self.year):
                t.partnership[p.schools] = -1
                self.network.remove_edges_from(
                    (("broker", b.unique_id), ("school", int(s))) for s in p.schools
                )
                del self.partnerships[p.id]
        priority = area_priority(
            t, self.policymaker.levers.partnership_targeting, self.streams.partnerships
        )
        for i in self.streams.shuffle.permutation(len(self.brokers)):
            b = self.brokers[i]
            recruited = b.recruit(
                t, priority, self.year, self._next_partnership, self.streams.partnerships
            )
            for p in recruited:
                self._next_partnership += 1
                self.partnerships[p.id] = p
                t.partnership[p.schools] = p.id
                t.ever_partnered[p.schools] = True
                t.partnerships_joined[p.schools] += 1
                self.network.add_edges_from(
                    (("broker", b.unique_id), ("school", int(s))) for s in p.schools
                )
        settings = self.config.regime.partnerships
        intensity = self.regime.support.intensity(settings.days_per_school)
        t.support[:] = 0.0
        quality = {b.unique_id: b.effectiveness() for b in self.brokers}
        for p in self.partnerships.values():
            if p.stage(self.year) == "action" and p.choice < 0:
                self._co_construct(p, self.streams.partnerships)
            t.support[p.schools] = intensity * quality[p.broker_id]
            self.record.support_days += p.support_days(settings.days_per_school)
        for b in self.brokers:
            b.gain_experience()
        self.record.broker_quality = float(np.mean(list(quality.values()))) if quality else 0.0

    def _strands(self) -> None:
        """Stage 5b: advocacy (strand 1), organisations (strand 3), the workforce's renewal."""
        t, adv = self.schools, self.config.regime.advocacy
        if adv.strength > 0:
            rise = adv.strength * adv.engagement_gain * (1.0 - t.engagement)
            t.engagement = np.clip(t.engagement + rise, 0.0, 1.0)
        self.record.organisations_supported = self.organisations.year(self.streams.organisations)
        self.workforce.year(self.calendar_year)

    def _co_construct(self, p: Partnership, rng: np.random.Generator) -> None:
        """The partnership's shared choice: best believed effect per pound across its schools.

        Only approaches that at least ``choice_quorum`` of the members can take up (right
        phase, affordable, or already running) are considered; which members then start it is
        ``members_adopt``.
        """
        lv, ps = self.policymaker.levers, self.config.regime.partnerships
        beliefs = self.regime.selection.beliefs(self.evidence, self.context[p.schools])
        allowed = self.decisions.allowed(lv, p.schools, include_running=True)
        quorum = allowed.mean(axis=0, keepdims=True) >= ps.choice_quorum
        choice = int(
            choose_best_bets(
                beliefs.mean(axis=0, keepdims=True),
                self.decisions.ranking_cost(),
                quorum,
                self.regime.fashion_noise,
                rng.standard_normal((1, self.evidence.n_interventions)),
            )[0]
        )
        if choice < 0:
            return
        p.choice = choice
        takes_up = (
            allowed[:, choice]
            if ps.members_adopt == "affordable"
            else np.ones_like(allowed[:, choice])
        )
        members = p.schools[takes_up]
        self.record.adopted_in_partnerships += int(members.size)
        self.decisions.adopt_partnership_choice(members, choice, beliefs[takes_up, choice], p.id)

    def _adapt(self, signals: np.ndarray) -> None:
        """Stage 5a: schools decide what to adapt on their own evaluations; the world does it."""
        im, t, s = self.implementations, self.schools, self.config.implementation
        rows, cols, supported = self.decisions.choose_adaptations(
            self.policymaker.levers, signals, self.streams.decisions
        )
        if rows.size == 0:
            return
        delta = self.world.adaptation_effect(
            rows,
            im.k[rows, cols].astype(np.intp),
            supported,
            t.capacity[rows],
            s.adaptation_gain,
            s.drift,
        )
        im.record_adaptation(rows, cols, delta)

    def _feedback(self) -> None:
        """Stage 7: partnership schools in action write local evaluations back (if any loop)."""
        fb = self.regime.feedback
        if not fb.active:
            return
        rows, ks = [], []
        for p in self.partnerships.values():
            if p.stage(self.year) == "action" and p.choice >= 0:
                rows.append(p.schools)
                ks.append(np.full(p.schools.size, p.choice))
        if not rows:
            return
        evaluations = self.world.local_evaluations(
            self.implementations,
            np.concatenate(rows),
            np.concatenate(ks),
            fb.evaluation_se,
            self.streams.feedback,
        )
        sc = self.config
        national = not sc.regime.research.scale_with_scenario
        self.record.evaluations = fb.report(
            self.evidence,
            evaluations,
            self.context[evaluations.school],
            represents=1.0 / sc.population.scale if national else 1.0,
        )

    def _pupils_year(self, gains: SchoolGains) -> None:
        """Stages 6 and 8: pupils learn, cohorts move on; school statistics refresh."""
        st, t, lv = self.streams, self.schools, self.policymaker.levers
        relief = None
        if self.gap_drivers.active:
            committed = self.decisions.committed()
            view = SchoolView(
                t.phase, t.n_disadvantaged, self.decisions.budget(lv), committed, t.gap
            )
            relief = self.gap_drivers.relief(view, lv.accountability_pressure, self.calendar_year)
            # Years 6 and 11: 2 of the 12 year groups are tested.
            self.record.deficit_relief = relief.mean(t.n_disadvantaged, 2 / 12)
        self.ks2, self.ks4 = self.pupils.year(
            gains, t.value_added, (st.learning, st.cohort_entry, st.transition), relief
        )
        self._refresh_schools()

    def _refresh_schools(self) -> None:
        """School statistics from the current pupils and the latest key-stage results."""
        t = self.schools
        t.n_pupils, t.n_disadvantaged = self.pupils.pupils_per_school()
        t.share = np.divide(t.n_disadvantaged, t.n_pupils, out=np.zeros(t.n), where=t.n_pupils > 0)
        t.exposure = _exposure(t.phase, t.n, self.ks2, self.ks4)
        t.gap = _school_gaps(t.n, self.ks2, self.ks4)


def _exposure(phase: np.ndarray, n: int, ks2: Outcomes, ks4: Outcomes) -> np.ndarray:
    """Accountability exposure: 1 minus the percentile of a school's results within its phase."""
    out = np.full(n, 0.5)
    for ph, outcome in ((PRIMARY, ks2), (1 - PRIMARY, ks4)):
        sums = outcome.by_school(n)
        mean = sums.score / np.maximum(sums.pupils, 1)
        idx = np.flatnonzero((phase == ph) & (sums.pupils > 0))
        if idx.size > 1:
            ranks = np.argsort(np.argsort(mean[idx], kind="stable"), kind="stable")
            out[idx] = 1.0 - ranks / (idx.size - 1)
    return out


def _school_gaps(n: int, ks2: Outcomes, ks4: Outcomes) -> np.ndarray:
    """Each school's latest within-school gap (others minus disadvantaged, raw units)."""
    gaps = np.zeros(n)
    for outcome in (ks2, ks4):
        sums = outcome.by_school(n)
        present = (sums.disadvantaged > 0) & (sums.pupils > sums.disadvantaged)
        gaps[present] = sums.gaps()[present]
    return gaps


def _seed_sequence(rng: Any) -> np.random.SeedSequence:
    """The run's root seed sequence from an int, a SeedSequence, a Generator or None."""
    if isinstance(rng, np.random.SeedSequence):  # a fresh copy: spawning mutates the original
        return np.random.SeedSequence(rng.entropy, spawn_key=rng.spawn_key, pool_size=rng.pool_size)
    if isinstance(rng, np.random.Generator):
        return np.random.SeedSequence(int(rng.integers(2**63)))
    return np.random.SeedSequence(rng)
