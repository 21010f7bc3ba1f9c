"""What moved the gap outside the evidence system (edsim.model.gap_drivers): each driver acts
where and when it says, on observations and money only, and switches off at 0."""

import numpy as np
import pytest

import edsim
from edsim.model.gap_drivers import GapDrivers, SchoolView, gap_percentile
from edsim.scenario.gap_drivers import GapDriverSettings

OFF = {
    "gap_drivers__targeted_spending__effect_per_1000": 0.0,
    "gap_drivers__accountability__effect_primary": 0.0,
    "gap_drivers__accountability__effect_secondary": 0.0,
    "gap_drivers__exogenous__deficit_change": 0.0,
}
SEEDS = range(6)


def _view(**kw):
    base = dict(
        phase=np.array([0, 0, 0, 1, 1]),
        n_disadvantaged=np.array([10.0, 20.0, 0.0, 40.0, 40.0]),
        pupil_premium=np.array([13_000.0, 26_000.0, 0.0, 37_400.0, 37_400.0]),
        committed=np.array([0.0, 26_000.0, 0.0, 0.0, 50_000.0]),
        observed_gap=np.array([0.1, 0.5, 0.3, 0.9, 0.2]),
    )
    base.update(kw)
    return SchoolView(**base)


def _drivers(**kw):
    """Drivers with every effect 0 (the defaults are calibrated, not 0) but those given."""
    zero = {
        "targeted_spending": {"effect_per_1000": 0.0},
        "accountability": {"effect_primary": 0.0, "effect_secondary": 0.0},
        "exogenous": {"deficit_change": 0.0},
    }
    settings = {k: {**zero[k], **kw.get(k, {})} for k in zero}
    return GapDrivers(GapDriverSettings.model_validate(settings))


def test_every_effect_zero_is_inactive_and_gives_zero_relief():
    d = _drivers()
    assert not d.active
    assert GapDrivers(GapDriverSettings()).active, "the calibrated defaults are on"
    r = d.relief(_view(), pressure=1.0, calendar_year=2014)
    assert not r.every_year.any()
    assert not r.exam_year.any()


def test_targeted_spending_buys_only_with_money_not_committed_to_approaches():
    d = _drivers(targeted_spending={"effect_per_1000": 0.02})
    r = d.relief(_view(), pressure=0.7, calendar_year=2011).every_year
    # school 0: £1,300 free per pupil; school 1 committed all of it; school 2 has no
    # disadvantaged pupils; school 4 committed more than it has (clipped at zero).
    np.testing.assert_allclose(r, [0.02 * 1.3, 0.0, 0.0, 0.02 * 0.935, 0.0])


def test_accountability_reaches_tested_years_by_observed_gap_percentile_and_pressure():
    d = _drivers(accountability={"from_year": 2012, "effect_primary": 0.1, "effect_secondary": 0.2})
    before = d.relief(_view(), pressure=1.0, calendar_year=2011)
    assert not before.exam_year.any(), "nothing before from_year"
    r = d.relief(_view(), pressure=0.5, calendar_year=2012)
    assert not r.every_year.any(), "accountability reaches the tested year groups only"
    # primary gaps 0.1, 0.5, 0.3 -> percentiles 0, 1, 0.5; secondary 0.9, 0.2 -> 1, 0
    np.testing.assert_allclose(r.exam_year, [0.0, 0.05, 0.025, 0.1, 0.0])
    # the widest observed gap gets the most, whatever the school's hidden state
    flipped = d.relief(_view(observed_gap=np.array([0.5, 0.1, 0.3, 0.2, 0.9])), 0.5, 2012)
    np.testing.assert_allclose(flipped.exam_year, [0.05, 0.0, 0.025, 0.0, 0.1])


def test_exogenous_term_is_the_same_everywhere_from_its_year():
    d = _drivers(exogenous={"from_year": 2013, "deficit_change": 0.01})
    assert not d.relief(_view(), 1.0, 2012).every_year.any()
    r = d.relief(_view(), 1.0, 2013)
    np.testing.assert_allclose(r.every_year, 0.01)
    np.testing.assert_allclose(r.exam_year, 0.01)


def test_gap_percentile_is_within_phase_and_deterministic():
    p = gap_percentile(np.array([1, 0, 1, 0, 1]), np.array([0.3, 0.2, 0.1, 0.2, 0.2]))
    np.testing.assert_allclose(p, [1.0, 0.0, 0.0, 1.0, 0.5])
    assert gap_percentile(np.array([0]), np.array([1.0]))[0] == 0.5


def _paired_gaps(small, **params):
    """Mean KS2 and KS4 gap index, years 0-4, over seeds; every driver off unless given."""
    out = []
    for seed in SEEDS:
        frame = edsim.run(small, seed, years=4, **{**OFF, **params})
        out.append(frame[["ks2_gap_index", "ks4_gap_index"]].to_numpy())
    return np.mean(out, axis=0)


@pytest.fixture(scope="module")
def off(small):
    return _paired_gaps(small)


def test_secondary_accountability_narrows_ks4_at_once_and_leaves_ks2(small, off):
    on = _paired_gaps(small, gap_drivers__accountability__effect_secondary=0.3)
    d = on - off
    assert np.all(d[1:, 1] < -0.05), d  # KS4 from the first year (Year 11 is tested)
    np.testing.assert_allclose(d[:, 0], 0.0, atol=0.02)  # KS2 untouched (within noise)


def test_primary_accountability_narrows_ks2_not_ks4_within_five_years(small, off):
    on = _paired_gaps(small, gap_drivers__accountability__effect_primary=0.3)
    d = on - off
    assert np.all(d[1:, 0] < -0.05), d
    np.testing.assert_allclose(d[:, 1], 0.0, atol=0.02)  # Year 6 reaches KS4 in year 5


def test_exogenous_term_narrows_both_key_stages_more_each_year(small, off):
    d = _paired_gaps(small, gap_drivers__exogenous__deficit_change=0.02) - off
    assert np.all(np.diff(d[:, 0]) < 0), d
    assert np.all(np.diff(d[:, 1]) < 0), d
    assert d[0].tolist() == [0.0, 0.0], "year 0 is before any driver acts"


def test_targeted_spending_needs_the_pupil_premium(small, off):
    d = _paired_gaps(small, gap_drivers__targeted_spending__effect_per_1000=0.05) - off
    assert np.all(d[2:] < -0.05), d
    no_money = _paired_gaps(
        small,
        gap_drivers__targeted_spending__effect_per_1000=0.05,
        policy__pupil_premium_multiplier=0.0,
    )
    unfunded = _paired_gaps(small, policy__pupil_premium_multiplier=0.0)
    np.testing.assert_array_equal(no_money, unfunded)
