"""The browser app's pure logic: levers to overrides, the event log, the layout, the SVG."""

import inspect

import numpy as np
import pandas as pd
import pytest

import edsim
from edsim import EdSystemModel
from edsim.scenario.regime import PRESETS
from edsim.viz.controls import (
    LEVERS,
    REGIME_OWN,
    lever_defaults,
    model_params,
    overrides_for,
)
from edsim.viz.events import PolicyReview, describe_year, response_phrase
from edsim.viz.layout import REGION_POSITIONS, school_layout
from edsim.viz.session import LockstepPair
from edsim.viz.svg import Series, line_chart, nice_ticks


# -- controls ------------------------------------------------------------------------------
def test_every_lever_names_a_real_scenario_field(small):
    defaults = lever_defaults(small)
    assert set(defaults) == {lever.name for lever in LEVERS}
    assert defaults["accountability_pressure"] == small.policy.accountability_pressure
    assert defaults["partnership_capacity"] == small.regime.partnerships.days_per_broker
    # Setting a lever to a new value reaches the model's configuration.
    for lever in LEVERS:
        value = lever.low + lever.step
        model = EdSystemModel(small, rng=0, **overrides_for("disseminate_to", {lever.name: value}))
        assert lever.read(model.config) == pytest.approx(value), lever.name


def test_untouched_levers_keep_each_regimes_own_settings(small):
    dt = EdSystemModel(small, rng=0, **overrides_for("disseminate_to", {}))
    le = EdSystemModel(small, rng=0, **overrides_for("linkage_exchange", {}))
    assert dt.config.regime.prescription == PRESETS["disseminate_to"]["prescription"]
    assert le.config.regime.prescription == PRESETS["linkage_exchange"]["prescription"]
    assert le.config.regime.feedback.mode == "local_evaluation"
    assert dt.config.regime.feedback.mode == "none"


def test_a_set_prescription_and_feedback_apply_to_both_regimes(small):
    for regime in ("disseminate_to", "linkage_exchange"):
        over = overrides_for(regime, {}, prescription="0.5", feedback="off", years=7)
        model = EdSystemModel(small, rng=0, **over)
        assert model.config.regime.prescription == 0.5
        assert model.config.regime.feedback.mode == "none"
        assert model.config.years == 7
    on = overrides_for("disseminate_to", {}, feedback="on")
    assert on["regime__feedback__mode"] == "local_evaluation"


def test_bad_lever_inputs_are_refused():
    with pytest.raises(ValueError, match="regime"):
        overrides_for("laissez_faire", {})
    with pytest.raises(ValueError, match="lever"):
        overrides_for("none", {"colour": 1.0})
    with pytest.raises(ValueError, match="prescription"):
        overrides_for("none", {}, prescription="lots")


def test_model_params_match_the_pair_and_start_at_the_scenario(small):
    params = model_params(small, seed=4)
    accepted = set(inspect.signature(LockstepPair.__init__).parameters) - {"self"}
    assert set(params) == accepted  # Mesa passes every control to the pair on Reset
    assert params["base"] is small
    assert params["seed"]["value"] == 4
    assert params["years"]["value"] == small.years
    for lever in LEVERS:
        control = params[lever.name]
        assert control["min"] <= control["value"] <= control["max"]
        assert control["value"] == pytest.approx(lever.read(small), abs=0.5)
    assert params["prescription"]["value"] == REGIME_OWN


# -- session -------------------------------------------------------------------------------
def test_pair_steps_both_regimes_in_lockstep_on_one_seed(small):
    pair = LockstepPair(small, "disseminate_to", "linkage_exchange", seed=3, years=4)
    assert [p.regime for p in pair.panes] == ["disseminate_to", "linkage_exchange"]
    while pair.running:
        pair.step()
    assert pair.year == 4
    assert {p.model.year for p in pair.panes} == {4}
    a, b = (p.model.datacollector.get_model_vars_dataframe() for p in pair.panes)
    assert list(a["year"]) == list(b["year"])
    # Same seed, same population: the regimes differ in what reaches schools, not who they are.
    a_schools, b_schools = (p.model.schools for p in pair.panes)
    assert np.array_equal(a_schools.nominal_share, b_schools.nominal_share)
    assert not a["schools_in_partnerships"].any()
    assert b["schools_in_partnerships"].iloc[1:].gt(0).all()


def test_a_pane_shows_exactly_the_run_edsim_run_gives(small):
    pair = LockstepPair(
        small, "disseminate_to", "linkage_exchange", seed=7, years=5, accountability_pressure=0.4
    )
    while pair.running:
        pair.step()
    for pane in pair.panes:
        shown = pane.model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        expected = edsim.run(small, seed=7, **pane.overrides)
        pd.testing.assert_frame_equal(shown, expected)
    assert pair.panes[0].overrides["policy__accountability_pressure"] == 0.4


def test_single_mode_runs_one_pane(small):
    pair = LockstepPair(small, "linkage_exchange", side_by_side=False, seed=1, years=2)
    assert [p.key for p in pair.panes] == ["a"]
    pair.step()
    assert pair.panes[0].model.year == 1


# -- event log -----------------------------------------------------------------------------
def _row(step, **values):
    base = {
        "step": step,
        "year": 2011 + step,
        "ks4_gap_index": 4.0,
        "partnerships_active": 0,
        "schools_in_partnerships": 0,
        "schools_reached_cumulative": 0,
        "policy_response": "none",
        "accountability_pressure": 0.7,
        "prescription": 0.7,
        "research_funding": 1.0,
    }
    return {**base, **values}


REVIEW = PolicyReview(reform_cycle=4, target_reduction=0.1, baseline_gap=4.0)


def test_a_disappointing_review_says_what_the_policymaker_did():
    events = describe_year(
        _row(4, policy_response="more_pressure", accountability_pressure=0.8),
        _row(3, ks4_gap_index=3.9),
        REVIEW,
        n_schools=100,
    )
    assert events == [
        "Year 4 (2015): results disappointed (KS4 gap index 3.90 against a target of 3.60); "
        "the policymaker increased accountability pressure (now 0.80)."
    ]


def test_a_met_target_and_quiet_years():
    met = describe_year(_row(4), _row(3, ks4_gap_index=3.5), REVIEW, 100)
    assert "met the target" in met[0]
    assert "stayed the course" in met[0]
    assert describe_year(_row(3), _row(2), REVIEW, 100) == []  # no review, nothing changed


def test_reach_partnerships_and_gap_changes_are_reported():
    events = describe_year(
        _row(
            2,
            schools_reached_cumulative=55,
            partnerships_active=3,
            schools_in_partnerships=40,
            ks4_gap_index=3.6,
        ),
        _row(1, schools_reached_cumulative=20),
        REVIEW,
        n_schools=100,
    )
    text = " ".join(events)
    assert "partnerships opened (now 3, with 40 schools)" in text
    assert "a quarter of" in text
    assert "half of" in text
    assert "three quarters" not in text
    assert "the KS4 gap narrowed by 0.40 to 3.60" in text


@pytest.mark.parametrize(
    "response",
    ["more_pressure", "switch_evidence", "blame_practitioners", "bury_evidence", "deliberate"],
)
def test_every_policy_response_has_its_own_words(response):
    phrase = response_phrase(response, _row(4))
    assert phrase != response_phrase("none", _row(4))


def test_live_event_log_matches_the_trajectory(small):
    pair = LockstepPair(small, "disseminate_to", side_by_side=False, seed=2, years=8)
    while pair.running:
        pair.step()
    df = pair.panes[0].model.datacollector.get_model_vars_dataframe()
    responses = df.loc[df["policy_response"] != "none", "step"].tolist()
    logged = [e for e in pair.panes[0].events if "the policymaker" in e]
    assert [int(e.split()[1]) for e in logged] == [4, 8]
    assert all("disappointed" in e for e in logged if int(e.split()[1]) in responses)


# -- layout --------------------------------------------------------------------------------
def test_layout_is_deterministic_and_places_schools_in_their_region(small):
    model = EdSystemModel(small, rng=5)
    names = tuple(r.name for r in small.regions)
    state = model.streams.setup.bit_generator.state
    one = school_layout(model.schools, names)
    two = school_layout(model.schools, names)
    assert model.streams.setup.bit_generator.state == state  # drew nothing from the model
    assert np.array_equal(one.x, two.x)
    assert np.array_equal(one.y, two.y)
    t = model.schools
    for r, name in enumerate(names):
        members = t.region == r
        cx, cy = REGION_POSITIONS[name]
        distance = np.hypot(one.x[members] - cx, one.y[members] - cy)
        assert distance.max() <= one.region_radius[r] + 1e-9
    positions = set(zip(np.round(one.x, 6), np.round(one.y, 6), strict=True))
    assert len(positions) == t.n  # no two schools on the same spot


def test_unknown_regions_still_get_a_place(small):
    model = EdSystemModel(small, rng=5)
    names = tuple(f"Region {i}" for i in range(len(small.regions)))
    lay = school_layout(model.schools, names)
    assert np.isfinite(lay.x).all()
    assert np.isfinite(lay.y).all()
    assert len({tuple(c) for c in np.round(lay.region_centres, 6)}) == len(names)


# -- SVG -----------------------------------------------------------------------------------
def test_nice_ticks_cover_the_range_with_round_steps():
    assert nice_ticks(0.0, 1.0) == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert nice_ticks(2011, 2026, 5) == [2015, 2020, 2025]
    assert nice_ticks(3.0, 3.0) == [3.0]


def test_line_chart_exposes_values_and_escapes_text():
    s = Series("gap <KS4>", "#000", True, "b", "ks4_gap_index", "L&E", [2011, 2012], [4.1, 3.9])
    svg = line_chart("T", [s], (2011, 2026), (0, 5), chart_id="gap")
    assert 'data-pane="b"' in svg
    assert 'data-n="2"' in svg
    assert 'data-last="3.90"' in svg
    assert "gap &lt;KS4&gt;" in svg
    assert "L&amp;E" in svg
    assert "<KS4>" not in svg
    assert 'stroke-dasharray="5 3"' in svg
