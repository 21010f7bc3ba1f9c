"""The systems the source documents describe (issue 14): each does what its setting says.

Workforce literacy, the Toolkit's biased literature and publication lag, the policymaker's
fuller repertoire, brokers' built and diluted capacity, strands 1 and 3. (Guidance burden and
its relief: tests/model/test_mechanisms.py.)
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

import edsim
from edsim import EdSystemModel, Scenario
from edsim.model.brokers import Broker
from edsim.model.mechanisms.policy import Deliberative, PressureDriven, Review
from edsim.model.mechanisms.workforce import WorkforceUse
from edsim.model.organisations import Organisations
from edsim.model.workforce import Workforce
from edsim.scenario.regime import OrganisationSettings, PartnershipSettings
from edsim.scenario.workforce import WorkforceSettings


# -- 1. the workforce ----------------------------------------------------------------------------
def test_literacy_rises_only_after_the_itt_curriculum_and_npqs_start() -> None:
    s = WorkforceSettings(itt_from_year=2020, npq_from_year=2021)
    table = SimpleNamespace(n=3, literacy=None)
    wf = Workforce(table, s)  # type: ignore[arg-type]
    for year in range(2012, 2020):
        wf.year(year)
    assert table.literacy == pytest.approx(np.full(3, s.initial_literacy))  # turnover alone
    wf.year(2020)  # entrants bring ITT literacy
    expected = (1 - s.turnover) * s.initial_literacy + s.turnover * s.itt_literacy
    assert table.literacy == pytest.approx(np.full(3, expected))
    wf.year(2021)  # and NPQs lift the rest
    after = (1 - s.turnover) * expected + s.turnover * s.itt_literacy
    after += s.npq_share * s.npq_gain * (1 - after)
    assert table.literacy == pytest.approx(np.full(3, after))


def test_literacy_does_what_its_use_says_and_nothing_under_the_other() -> None:
    lit = np.array([0.0, 0.5, 1.0])
    fidelity = WorkforceUse(False, uptake_gain=0.5, fidelity_gain=0.1, reflection_gain=0.5)
    reflection = WorkforceUse(True, uptake_gain=0.5, fidelity_gain=0.1, reflection_gain=0.5)
    assert fidelity.adoption_factor(lit) == pytest.approx([1.0, 1.25, 1.5])
    assert fidelity.ceiling_lift(lit) == pytest.approx([0.0, 0.05, 0.1])
    assert fidelity.noise_factor(lit) == 1.0
    assert reflection.adoption_factor(lit) == 1.0
    assert reflection.ceiling_lift(lit) == 0.0
    assert reflection.noise_factor(lit) == pytest.approx([1.0, 0.75, 0.5])


def test_fidelity_use_raises_toolkit_uptake_in_a_run(small: Scenario) -> None:
    def adopted(gain: float) -> int:
        df = edsim.run(small, seed=3, years=12, workforce__uptake_gain=gain)
        return int(df["implementations_adopted"].sum())

    assert adopted(3.0) > 1.1 * adopted(0.0)


# -- 2. the Toolkit's literature and its publication lag -----------------------------------------
def test_the_toolkit_is_republished_only_every_update_cycle(small: Scenario) -> None:
    model = EdSystemModel(small, rng=2, evidence__toolkit_update_years=3)
    published = []
    for _ in range(7):
        model.step()
        published.append(np.array_equal(model.evidence.toolkit, model.evidence.national))
    # Publication in years 1, 4, 7 (after that year's research); live beliefs move every year.
    assert published == [True, False, False, True, False, False, True]


def test_developer_bias_and_the_file_drawer_inflate_the_toolkit(small: Scenario) -> None:
    def belief(**settings: float) -> float:
        model = EdSystemModel(
            small, rng=4, years=10, regime__research__trials_per_year=0.0, **settings
        )
        while model.running:
            model.step()
        return float(model.evidence.national.mean())

    honest = belief(evidence__developer_bias=0.0, evidence__null_publication=1.0)
    biased = belief(evidence__developer_bias=1.0, evidence__null_publication=0.0)
    none = belief(evidence__external_studies_per_year=0.0)
    assert biased > honest + 0.02
    assert honest < none  # unbiased studies pull the inflated prior down


# -- 3 and 7. the policymaker's repertoire and what a review counts as success -------------------
def review(gap: float = 4.0, target: float = 3.9, learning: float = 0.0, feedback: int = 5):
    return Review(gap=gap, target=target, learning=learning, feedback=feedback)


def test_deliberation_reads_the_feedback_and_may_judge_on_learning() -> None:
    rng = np.random.default_rng(0)
    plain, learning = Deliberative(False, 0.1), Deliberative(True, 0.1)
    assert plain.choose(review(), rng) == "deliberate"
    assert plain.choose(review(feedback=0), rng) == "none"  # nothing to deliberate on
    assert plain.choose(review(gap=3.8), rng) == "none"  # the gap met its target
    assert plain.choose(review(learning=0.2), rng) == "deliberate"  # learning does not count
    assert learning.choose(review(learning=0.2), rng) == "none"  # ... unless it judges on it
    assert learning.choose(review(learning=0.05), rng) == "deliberate"


def test_a_deliberative_policymaker_deliberates_once_practice_has_fed_back(small: Scenario) -> None:
    df = edsim.run(
        small,
        seed=0,
        years=12,
        regime="linkage_exchange",
        policy__target_gap_reduction=1.0,  # a target no gap meets
        regime__policy_response__judge_on="attainment",
    )
    reviews = df[df["step"].isin([4, 8, 12])]
    assert (reviews["local_evaluations_cumulative"] > 0).all()
    assert (reviews["policy_response"] == "deliberate").all()
    assert df["local_evaluations_cumulative"].iloc[-1] == df["local_evaluations"].sum()


def test_pressure_draws_only_among_weighted_responses_when_the_gap_misses() -> None:
    rng = np.random.default_rng(1)
    only = PressureDriven((("more_pressure", 0.0), ("blame_researchers", 1.0)))
    assert {only.choose(review(), rng) for _ in range(20)} == {"blame_researchers"}
    assert only.choose(review(gap=3.0), rng) == "none"


def test_blaming_researchers_redirects_and_cuts_research(small: Scenario) -> None:
    weights = {
        f"regime__policy_response__{r}": 0.0
        for r in (
            "more_pressure",
            "switch_evidence",
            "blame_practitioners",
            "bury_evidence",
            "turn_to_other_questions",
        )
    }
    df = edsim.run(
        small,
        seed=0,
        years=4,
        policy__target_gap_reduction=1.0,
        regime="linkage_exchange",
        regime__policy_response__mode="pressure_driven",
        **weights,
    )
    assert df["policy_response"].iloc[4] == "blame_researchers"
    assert (df["research_orientation"].iloc[3], df["research_orientation"].iloc[4]) == (
        "pull",
        "push",
    )
    assert df["research_funding"].iloc[4] == pytest.approx(1 - 0.4 / 2)


# -- 5. brokers' capacity, built and diluted -----------------------------------------------------
def broker(capacity: str, span: float, served: int) -> Broker:
    b = Broker.__new__(Broker)  # the rules only, without a model
    b.settings = PartnershipSettings(enabled=True, broker_capacity=capacity)
    b.span = span
    b.expertise = b.settings.broker_expertise_start if capacity == "built" else 1.0
    b.partnerships = [SimpleNamespace(schools=np.arange(served))] if served else []
    return b


def test_a_broker_serving_beyond_its_span_dilutes_its_support_and_learns_by_doing() -> None:
    assert broker("fixed", 10.0, 40).effectiveness() == 1.0
    b = broker("built", 10.0, 20)
    assert b.effectiveness() == pytest.approx(0.5 * 10 / 20)
    b.gain_experience()
    assert b.expertise == pytest.approx(0.5 + 0.2 * 0.5)
    assert broker("built", 50.0, 20).effectiveness() == pytest.approx(0.5)  # within its span
    idle = broker("built", 10.0, 0)
    idle.gain_experience()
    assert idle.expertise == pytest.approx(0.5)  # no partnerships, no experience


# -- 6. strands 1 and 3 --------------------------------------------------------------------------
def schools(n_areas: int = 6) -> SimpleNamespace:
    area = np.repeat(np.arange(n_areas), 3)
    return SimpleNamespace(
        n_areas=n_areas,
        area=area,
        share=area / 10.0,  # area 5 is the most disadvantaged
        capacity=np.full(area.size, 0.5),
        engagement=np.full(area.size, 0.2),
    )


def test_organisations_of_the_most_disadvantaged_areas_are_supported_and_pass_capacity_on() -> None:
    t = schools()
    s = OrganisationSettings(enabled=True, supported=2, support_years=2)
    orgs = Organisations(t, s, scale=1.0)  # type: ignore[arg-type]
    rng = np.random.default_rng(0)
    assert orgs.year(rng) == 2
    assert set(np.flatnonzero(orgs.supported)) == {4, 5}
    assert orgs.capacity[5] == pytest.approx(s.capacity_growth)
    assert t.capacity[t.area == 5] == pytest.approx(0.5 + s.transfer * s.capacity_growth)
    assert t.capacity[t.area == 0] == pytest.approx(0.5)
    orgs.year(rng)
    orgs.year(rng)  # support ended: the next most disadvantaged, never-supported areas
    assert set(np.flatnonzero(orgs.supported)) == {2, 3}
    assert orgs.capacity[5] < 1 - (1 - s.capacity_growth) ** 2  # decaying after support


def test_strand_3_off_changes_nothing_but_still_draws_its_stream() -> None:
    t = schools()
    orgs = Organisations(t, OrganisationSettings(enabled=False), scale=1.0)  # type: ignore[arg-type]
    rng = np.random.default_rng(0)
    assert orgs.year(rng) == 0
    assert t.capacity == pytest.approx(0.5)
    assert rng.random() == np.random.default_rng(0).random(2)[1]


def test_advocacy_raises_engagement_in_every_school(small: Scenario) -> None:
    off = edsim.run(small, seed=1, years=5)
    on = edsim.run(small, seed=1, years=5, regime__advocacy__strength=1.0)
    assert on["mean_engagement"].iloc[-1] > off["mean_engagement"].iloc[-1] + 0.01


# -- feedback at England's volume in a sample of England ------------------------------------------
def test_a_weighted_observation_counts_as_that_many_identical_ones() -> None:
    from edsim.model.evidence import EvidenceBase

    catalogue = Scenario().interventions
    once, thrice = (EvidenceBase(catalogue, 0.3, 0.08) for _ in range(2))
    k, x = np.array([2]), np.array([[1.0, 0.2, -0.1]])
    y, se = np.array([0.15]), np.array([0.4])
    for _ in range(3):
        once.observe(k, x, y, se)
    thrice.observe(k, x, y, se, weight=3.0)
    assert thrice.precision == pytest.approx(once.precision)
    assert thrice.mean == pytest.approx(once.mean)


def test_a_samples_feedback_reaches_the_national_base_at_englands_volume(small: Scenario) -> None:
    """Each local evaluation of a 1% sample stands for 100 of England's (as its trials are
    England's), unless the scenario is a closed system of its own size."""

    def moderators(closed: bool) -> float:
        model = EdSystemModel(
            small,
            rng=3,
            years=6,
            regime="linkage_exchange",
            regime__research__trials_per_year=0.0,
            evidence__external_studies_per_year=0.0,
            regime__research__scale_with_scenario=closed,
        )
        while model.running:
            model.step()
        assert model.evidence.n_local.sum() > 0
        return model.evidence.moderator_uncertainty()

    national, closed = moderators(False), moderators(True)
    assert national < closed - 0.02
