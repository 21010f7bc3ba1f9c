"""The model as a Mesa model: seeding, schedule, agents, batch running."""

import inspect

import mesa
import numpy as np
import pandas as pd
import pytest

import edsim
from edsim import EdSystemModel
from edsim.model import Broker, Policymaker, Researcher, School, YearGroup


def test_same_seed_gives_identical_trajectory(small):
    a = edsim.run(small, seed=7, years=6, regime="linkage_exchange")
    b = edsim.run(small, seed=7, years=6, regime="linkage_exchange")
    pd.testing.assert_frame_equal(a, b)


def test_different_seeds_differ(small):
    a = edsim.run(small, seed=1, years=3)
    b = edsim.run(small, seed=2, years=3)
    assert not np.allclose(a["ks4_gap_index"], b["ks4_gap_index"])


def test_seed_sequence_and_int_seed_agree(small):
    a = edsim.run(small, seed=11, years=2)
    model = EdSystemModel(small, rng=np.random.SeedSequence(11), years=2)
    model.run_model()
    b = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


def test_schedule_runs_to_the_horizon(small):
    model = EdSystemModel(small, rng=0, years=4)
    assert model.running
    model.run_model()
    assert not model.running
    assert model.year == 4
    df = model.datacollector.get_model_vars_dataframe()
    assert list(df["step"]) == [0, 1, 2, 3, 4]
    assert list(df["year"]) == [2011, 2012, 2013, 2014, 2015]
    assert list(df.columns) == list(edsim.METRICS)


def test_every_agent_kind_is_a_mesa_agent_and_pupils_are_columnar(small):
    model = EdSystemModel(small, rng=0, regime="linkage_exchange")
    kinds = {type(a) for a in model.agents}
    assert {Policymaker, Researcher, Broker, School, YearGroup} <= kinds
    assert len(model.agents_by_type[School]) == model.schools.n
    assert len(model.agents_by_type[YearGroup]) == 12
    # Tens of thousands of pupils, held in arrays: no Python object per pupil.
    assert model.pupils.size > 50 * len(model.agents)
    school = model.agents_by_type[School][0]
    assert school.phase in ("primary", "secondary")
    assert 0.0 <= school.disadvantage_share <= 1.0


def test_year_zero_is_shared_by_all_regimes(small):
    """Burn-in runs without an evidence system, so year 0 cannot depend on the regime."""
    rows = [edsim.run(small, seed=3, years=1, regime=r).iloc[0] for r in edsim.PRESETS]
    pupils = [c for c in edsim.METRICS if c.startswith(("ks2_", "ks4_", "capacity", "engage"))]
    for row in rows[1:]:
        pd.testing.assert_series_equal(row[pupils], rows[0][pupils], check_names=False)


def test_partnerships_follow_their_lifecycle(small):
    model = EdSystemModel(small, rng=4, regime="linkage_exchange", years=6)
    model.step()
    assert model.partnerships, "linkage and exchange opens partnerships in year 1"
    p = next(iter(model.partnerships.values()))
    assert p.stage(model.year) == "exploration"
    assert p.choice == -1
    assert model.schools.support[p.schools].min() > 0
    model.step()
    assert p.stage(model.year) == "action"
    assert p.choice >= 0
    assert (model.implementations.k[p.schools] == p.choice).any(axis=1).mean() > 0.5
    model.step()
    model.step()
    assert p.id not in model.partnerships, "closed after 1 + 2 years"
    assert (model.schools.partnership[p.schools] != p.id).all()


def test_partnerships_serve_both_phases_in_proportion_to_pupils(small):
    """Secondaries hold ~40% of pupils but only ~17% of schools; partnerships follow pupils."""
    opened = {0: 0, 1: 0}
    for seed in range(6):
        model = EdSystemModel(small, rng=seed, regime="linkage_exchange", years=8)
        seen = set()
        while model.running:
            model.step()
            for p in model.partnerships.values():
                if p.id not in seen:
                    seen.add(p.id)
                    opened[p.phase_of_schools] += 1
    n = opened[0] + opened[1]
    share = opened[1] / n
    half_width = 1.96 * (share * (1 - share) / n) ** 0.5
    assert n > 60
    # Pupil share of secondaries is 31,000 / 77,000 = 0.40; free pupils vary by area and year.
    assert share - half_width < 0.40 + 0.1
    assert share + half_width > 0.40 - 0.1
    assert share - half_width > 0.17, "more than the schools' share: pupils, not schools, decide"


def test_policymaker_reviews_every_cycle(small):
    df = edsim.run(
        small,
        seed=0,
        years=12,
        policy__reform_cycle=3,
        policy__target_gap_reduction=1.0,
        regime__policy_response__turn_to_other_questions=0.0,
    )
    reviewed = df.loc[df["policy_response"] != "none", "step"].tolist()
    # An impossible target disappoints at every review: years 3, 6, 9, 12.
    assert reviewed == [3, 6, 9, 12]


def test_a_policymaker_that_turns_to_other_questions_reviews_the_gap_no_more(small):
    only_turn = {
        f"regime__policy_response__{r}": 0.0
        for r in ("more_pressure", "switch_evidence", "blame_practitioners", "bury_evidence")
    }
    df = edsim.run(
        small,
        seed=0,
        years=12,
        policy__reform_cycle=3,
        policy__target_gap_reduction=1.0,
        regime__policy_response__blame_researchers=0.0,
        **only_turn,
    )
    responses = df.loc[df["policy_response"] != "none", ["step", "policy_response"]]
    assert responses.values.tolist() == [[3, "turn_to_other_questions"]]
    assert df["evidence_push"].iloc[-1] == pytest.approx(0.5)


def test_unknown_override_is_a_scenario_error(small):
    with pytest.raises(edsim.ScenarioError, match="truth__heterogenity"):
        EdSystemModel(small, truth__heterogenity=0.0)
    with pytest.raises(edsim.ScenarioError, match=r"truth\.heterogeneity"):
        EdSystemModel(small, truth__heterogeneity=-1.0)


def test_mesa_batch_run_drives_the_model(small):
    params = {"scenario": [small], "years": 2, "regime": ["disseminate_to", "linkage_exchange"]}
    kwargs = {"number_processes": 1, "display_progress": False}
    if "rng" in inspect.signature(mesa.batch_run).parameters:  # Mesa >= 3.5
        results = mesa.batch_run(EdSystemModel, params, rng=[0, 1], **kwargs)
    else:  # Mesa 3.3: seeds travel as a model parameter
        results = mesa.batch_run(EdSystemModel, {**params, "rng": [0, 1]}, **kwargs)
    df = pd.DataFrame(results)
    assert len(df) == 2 * 2  # regimes x seeds, one row (the last collected) each
    assert df["ks4_gap_index"].between(0, 10).all()
    assert df.groupby("regime")["schools_reached"].max().min() > 0
