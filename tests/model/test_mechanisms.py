"""The named mechanism settings, one at a time: each test could fail if its rule were broken.

Capacity scaled from England (``broker_plan``), ``regime.support.protection``,
``regime.support.spillover``, ``regime.partnerships.members_adopt``,
``regime.partnerships.returning_schools`` and ``population.scale`` (research spend).
"""

from collections.abc import Iterator
from types import SimpleNamespace

import mesa
import numpy as np
import pytest

from edsim import EdSystemModel, Scenario
from edsim.model.brokers import Broker, broker_plan
from edsim.model.implementation import PARTNERSHIP, PUSH, ImplementationTable
from edsim.model.mechanisms.support import PartnershipSupport
from edsim.scenario.regime import PartnershipSettings

LE = {"regime": "linkage_exchange"}
#: Three times England's partnership capacity: partnerships of several schools (not the one or
#: two the small sample's share gives), and schools recruited again within a few years.
BIG_CAPACITY = {"regime__partnerships__n_brokers": 90}


def pupil_shares(scenario: Scenario) -> np.ndarray:
    return np.array([r.pupil_share for r in scenario.regions])


# -- capacity: England's, scaled by the model ----------------------------------------------------
@pytest.mark.parametrize("scale", [1.0, 0.1, 0.02, 0.01, 0.0137])
def test_broker_plan_shares_the_scaled_days_by_pupils(scale: float) -> None:
    share = pupil_shares(Scenario())
    ps = PartnershipSettings(enabled=True)
    plan = broker_plan(share, ps, scale)
    days = np.array([d for _, d, _ in plan])
    regions = np.array([r for r, _, _ in plan])
    per_school = ps.days_per_school
    total = ps.n_brokers * ps.days_per_broker * scale
    # The total is England's days x scale, rounded to whole school-years of support.
    assert days.sum() == round(total / per_school) * per_school
    assert np.all(days > 0)
    assert np.all(days % per_school == 0)
    assert list(regions) == sorted(regions)
    # Each region holds its pupil share of the days to within one school-year.
    by_region = np.bincount(regions, weights=days, minlength=share.size)
    assert np.all(np.abs(by_region - share / share.sum() * days.sum()) < per_school)
    # Each region's brokers share its declared span (England's span x its share of England's
    # brokers at this scale), so a sample of England is no better served per school.
    spans = np.bincount(regions, weights=[s for _, _, s in plan], minlength=share.size)
    declared = ps.broker_span * ps.n_brokers * scale * share / share.sum()
    served = by_region > 0
    assert spans[served] == pytest.approx(declared[served])


def test_broker_plan_at_england_scale_is_thirty_brokers_in_every_region() -> None:
    share = pupil_shares(Scenario())
    plan = broker_plan(share, PartnershipSettings(enabled=True), 1.0)
    assert len(plan) == 30
    assert {r for r, _, _ in plan} == set(range(share.size))
    assert sum(d for _, d, _ in plan) == 9000.0


def test_broker_plan_is_empty_without_partnerships_or_capacity() -> None:
    share = pupil_shares(Scenario())
    assert broker_plan(share, PartnershipSettings(enabled=False), 1.0) == []
    assert broker_plan(share, PartnershipSettings(enabled=True, n_brokers=0), 1.0) == []
    # Less than half a school-year of support in the whole scenario rounds to none.
    assert broker_plan(share, PartnershipSettings(enabled=True), 1e-4) == []


def test_model_builds_the_planned_brokers(small: Scenario) -> None:
    model = EdSystemModel(small, rng=0, **LE)
    ps = model.config.regime.partnerships
    plan = broker_plan(pupil_shares(small), ps, small.population.scale)
    assert [(b.region, b.days, b.span) for b in model.brokers] == plan
    assert sum(b.days for b in model.brokers) == pytest.approx(0.01 * 9000)
    assert EdSystemModel(small, rng=0).brokers == []  # disseminate_to: no partnerships


# -- protection from dropping ---------------------------------------------------------------------
def run_dropping_everything(
    small: Scenario, protection: str, years: int = 8
) -> Iterator[EdSystemModel]:
    """Every implementation is dropped each year unless protected; schools may come back."""
    model = EdSystemModel(
        small,
        rng=1,
        implementation__drop_rate=1.0,
        regime__support__protection=protection,
        regime__partnerships__returning_schools="allowed",
        **LE,
        **BIG_CAPACITY,
    )
    for _ in range(years):
        model.step()
        yield model


def partnership_work(model: EdSystemModel) -> np.ndarray:
    im = model.implementations
    return im.active & (im.channel == PARTNERSHIP)


def test_without_protection_partnership_work_is_dropped(small: Scenario) -> None:
    adopted = 0
    for model in run_dropping_everything(small, "none"):
        adopted += model.record.adopted_in_partnerships
        assert not partnership_work(model).any()
        assert not model.decisions.protected().any()
    assert adopted > 0  # partnerships did choose approaches; none survived the review


def test_current_partnership_protects_only_its_own_approach(small: Scenario) -> None:
    survived = 0
    for model in run_dropping_everything(small, "current_partnership"):
        t, im = model.schools, model.implementations
        work = partnership_work(model)
        survived += int(work.sum())
        rows, cols = np.nonzero(work)
        # Everything that survived is the supporting partnership's own approach ...
        assert np.all(im.origin[rows, cols] == t.partnership[rows])
        assert np.all(t.support[rows] > 0)
        protected = model.decisions.protected()
        assert np.array_equal(protected, im.current_partnership_work(t))
        # ... and a slot from an earlier partnership of a supported school is not protected.
        if rows.size:
            im.origin[rows[0], cols[0]] = t.partnership[rows[0]] - 1
            assert not model.decisions.protected()[rows[0], cols[0]]
            im.origin[rows[0], cols[0]] = t.partnership[rows[0]]
    assert survived > 0


def test_all_partnership_work_protects_earlier_partnerships_approaches(small: Scenario) -> None:
    earlier = 0
    for model in run_dropping_everything(small, "all_partnership_work"):
        t, im = model.schools, model.implementations
        work = partnership_work(model)
        rows, cols = np.nonzero(work)
        assert np.all(t.support[rows] > 0)  # only supported schools keep anything
        expected = (t.support > 0)[:, None] & (im.channel == PARTNERSHIP)
        assert np.array_equal(model.decisions.protected(), expected)
        old = im.origin[rows, cols] != t.partnership[rows]
        assert np.all(im.origin[rows, cols][old] < t.partnership[rows][old])
        earlier += int(old.sum())
    # Schools recruited again kept approaches from their earlier partnership.
    assert earlier > 0


# -- spillover of support's quality gain ----------------------------------------------------------
def quality_after(
    spillover: float, years: int = 60, relief: float = 0.0, guidance: bool = True
) -> np.ndarray:
    """Quality reached by three slots of a supported school and one of an unsupported school.

    School 0 is unsupported and runs a pushed approach. School 1 is supported (intensity 1) by
    partnership 5 and runs a pushed approach, partnership 5's approach and partnership 3's.
    """
    settings = Scenario().implementation
    im = ImplementationTable(2, 3)
    im.adopt(np.array([0]), np.array([0]), PUSH, np.zeros(1), 0.3)
    im.adopt(np.array([1]), np.array([0]), PUSH, np.zeros(1), 0.3)
    im.adopt(np.array([1]), np.array([1]), PARTNERSHIP, np.zeros(1), 0.3, origin=5)
    im.adopt(np.array([1]), np.array([2]), PARTNERSHIP, np.zeros(1), 0.3, origin=3)
    schools = SimpleNamespace(
        capacity=np.array([0.5, 0.5]),
        workload=np.array([0.0, 0.0]),
        support=np.array([0.0, 1.0]),
        partnership=np.array([-1, 5]),
    )
    support = PartnershipSupport(0.3, 0.0, 6.0, spillover, guidance=guidance, burden_relief=relief)
    for _ in range(years):
        im.update_quality(schools, settings, support)  # type: ignore[arg-type]
    return np.array([im.quality[0, 0], im.quality[1, 0], im.quality[1, 1], im.quality[1, 2]])


def test_without_spillover_support_lifts_only_the_partnerships_own_approach() -> None:
    unsupported, pushed, own, earlier = quality_after(0.0)
    s = Scenario().implementation
    ceiling = s.ceiling_base + s.ceiling_capacity * 0.5 - s.burden * 0.5
    assert unsupported == pytest.approx(ceiling)
    assert pushed == pytest.approx(unsupported)
    assert earlier == pytest.approx(unsupported)
    assert own == pytest.approx(ceiling + 0.3)


# -- guidance and its burden (DESIGN.md §4.3: none | guidance | partnership) ----------------------
def test_devolved_guidance_burdens_schools_short_of_capacity_and_support_relieves_it() -> None:
    s = Scenario().implementation
    unsupported, pushed, own, _ = quality_after(0.0, relief=1.0)
    ceiling = s.ceiling_base + s.ceiling_capacity * 0.5
    assert unsupported == pytest.approx(ceiling - s.burden * 0.5)
    assert pushed == pytest.approx(unsupported)  # relief reaches the supported approach only
    assert own == pytest.approx(ceiling + 0.3)  # full support lifts all the burden
    half = quality_after(0.0, relief=0.5)[2]
    assert half == pytest.approx(ceiling + 0.3 - s.burden * 0.25)
    # No guidance: no burden for anyone, supported or not.
    none = quality_after(0.0, guidance=False)
    assert none[0] == pytest.approx(ceiling)
    assert none[2] == pytest.approx(ceiling + 0.3)


def test_full_spillover_lifts_every_approach_of_a_supported_school() -> None:
    unsupported, pushed, own, earlier = quality_after(1.0)
    assert own == pytest.approx(quality_after(0.0)[2])
    assert pushed == pytest.approx(own)
    assert earlier == pytest.approx(own)
    assert unsupported == pytest.approx(quality_after(0.0)[0])
    half = quality_after(0.5)
    assert half[1] == pytest.approx((unsupported + own) / 2)


# -- which members start the co-constructed approach ----------------------------------------------
def co_constructions(small: Scenario, members_adopt: str, years: int = 8) -> list[dict]:
    """Every co-construction: members, who took it up, and their budgets just after."""
    model = EdSystemModel(
        small,
        rng=1,
        regime__partnerships__members_adopt=members_adopt,
        policy__pupil_premium_multiplier=0.5,  # budgets bind more often
        **LE,
        **BIG_CAPACITY,
    )
    d, im = model.decisions, model.implementations
    original = d.adopt_partnership_choice
    seen: list[dict] = []

    def spy(members: np.ndarray, k: int, expected: np.ndarray, partnership: int) -> None:
        ran = (im.k[members] == k).any(axis=1)
        original(members, k, expected, partnership)
        spend = d.pupils_reached() * d.cat.cost[None, :]
        committed = np.where(im.active, spend[np.arange(im.k.shape[0])[:, None], im.k], 0.0)
        seen.append(
            {
                "schools": model.partnerships[partnership].schools.copy(),
                "members": members.copy(),
                "ran_before": ran,
                "over_budget": committed.sum(axis=1)[members]
                > d.budget(model.policymaker.levers)[members] + 1e-9,
                "runs_it": (im.k[model.partnerships[partnership].schools] == k).any(axis=1),
            }
        )

    d.adopt_partnership_choice = spy  # type: ignore[method-assign,assignment]
    for _ in range(years):
        model.step()
    assert seen, "no partnership chose an approach"
    return seen


def test_affordable_members_stay_within_their_pupil_premium(small: Scenario) -> None:
    left_out = 0
    for c in co_constructions(small, "affordable"):
        assert not np.any(c["over_budget"] & ~c["ran_before"])
        left_out += c["schools"].size - c["members"].size
    assert left_out > 0  # the budget rule did leave some members out


def test_imposed_choice_is_run_by_every_member(small: Scenario) -> None:
    over = 0
    for c in co_constructions(small, "all"):
        assert np.array_equal(c["members"], c["schools"])
        assert c["runs_it"].all()
        over += int((c["over_budget"] & ~c["ran_before"]).sum())
    assert over > 0  # some were pushed over their Pupil Premium


def test_a_member_already_running_an_approach_can_take_it_up(small: Scenario) -> None:
    """``include_running``: a school keeps what it runs, even if it could not afford it twice."""
    model = EdSystemModel(small, rng=1, **LE)
    for _ in range(5):
        model.step()
    d, im, lv = model.decisions, model.implementations, model.policymaker.levers
    everyone = np.arange(model.schools.n)
    rows, cols = np.nonzero(im.active)
    k = im.k[rows, cols]
    assert d.allowed(lv, everyone, include_running=True)[rows, k].all()
    assert not d.allowed(lv, everyone)[rows, k].any()


# -- returning schools ---------------------------------------------------------------------------
#: About seven times England's capacity: the small sample's never-partnered schools run out in
#: a few partnership waves (every 3 years), so returning schools come up within 8 years.
HUGE_CAPACITY = {"regime__partnerships__n_brokers": 200}


def joined_after(small: Scenario, rule: str, years: int, **extra: int) -> np.ndarray:
    model = EdSystemModel(small, rng=1, regime__partnerships__returning_schools=rule, **LE, **extra)
    for _ in range(years):
        model.step()
    return model.schools.partnerships_joined


def test_excluded_schools_never_return(small: Scenario) -> None:
    joined = joined_after(small, "excluded", 8, **HUGE_CAPACITY)
    assert joined.max() == 1
    assert (joined == 1).all()  # the capacity reached every school once, and no more


def test_allowed_lets_targeting_recruit_the_same_schools_again(small: Scenario) -> None:
    joined = joined_after(small, "allowed", 6)  # England's capacity, scaled
    assert joined.max() > 1
    assert (joined == 0).any()  # while other schools were never recruited


def test_last_recruits_returning_schools_only_when_no_new_school_is_free(
    small: Scenario,
) -> None:
    model = EdSystemModel(
        small, rng=1, regime__partnerships__returning_schools="last", **LE, **HUGE_CAPACITY
    )
    t = model.schools
    returned = 0
    for _ in range(8):
        before = t.partnerships_joined.copy()
        never = before == 0
        model.step()
        back = (t.partnerships_joined > before) & (before > 0)
        returned += int(back.sum())
        for region in np.unique(t.region[back]):
            # A school came back only once every never-partnered school of its region was taken.
            assert t.ever_partnered[never & (t.region == region)].all()
    assert returned > 0
    assert (t.partnerships_joined == 0).sum() < 0.01 * t.n


@pytest.mark.parametrize(
    ("rule", "expected"),
    [("allowed", [0, 1, 2]), ("excluded", [1]), ("last", [1])],
)
def test_broker_candidates_by_rule(rule: str, expected: list[int]) -> None:
    settings = PartnershipSettings(enabled=True, returning_schools=rule)
    broker = Broker(mesa.Model(), 0, 6.0, settings)
    free = np.array([True, True, True, False])
    ever = np.array([True, False, True, False])
    assert list(broker._candidates(free, ever)) == expected
    # With no never-partnered school free, 'last' falls back to returning ones.
    ever_all = np.array([True, True, True, False])
    fallback = {"allowed": [0, 1, 2], "excluded": [], "last": [0, 1, 2]}[rule]
    assert list(broker._candidates(free, ever_all)) == fallback


# -- scale ----------------------------------------------------------------------------------------
def test_scale_is_the_share_of_englands_pupils(small: Scenario) -> None:
    assert Scenario().population.scale == 1.0
    assert small.population.scale == pytest.approx(0.01)


def test_research_spend_is_the_samples_share_of_englands(small: Scenario) -> None:
    cost = small.evidence.trial_cost
    model = EdSystemModel(small, rng=3)
    trials = 0
    for _ in range(3):
        model.step()
        m = model.latest
        trials += m["trials_run"]
        assert m["spend_research"] == pytest.approx(m["trials_run"] * cost * 0.01)
    assert trials > 0
    closed = EdSystemModel(small, rng=3, regime__research__scale_with_scenario=True)
    for _ in range(3):
        closed.step()
        m = closed.latest
        assert m["spend_research"] == pytest.approx(m["trials_run"] * cost)
        assert m["trials_run"] <= 1  # 1% of England's 20 trials a year
