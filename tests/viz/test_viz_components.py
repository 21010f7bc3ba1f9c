"""The app as components (solara.render, no browser): controls change the models, and the two
panes stay on the same seed and year."""

import re
import time
from pathlib import Path

import ipyvuetify as v
import pytest
import solara
from solara.widgets import HTML

from edsim.viz import app

SMALL = Path(__file__).resolve().parents[2] / "scenarios" / "small.yaml"


@pytest.fixture
def rendered(monkeypatch):
    monkeypatch.setenv(app.SCENARIO_ENV, str(SMALL))
    monkeypatch.delenv(app.SETS_ENV, raising=False)
    monkeypatch.delenv(app.SEED_ENV, raising=False)
    _box, rc = solara.render(app.page(), handle_error=False)
    yield rc
    rc.close()


def _html(rc, cls):
    return next(
        h.widget.unsafe_innerHTML
        for h in rc.find(HTML)
        if cls in h.widget.attributes.get("class", "")
    )


def _readout(rc, what, pane):
    match = re.search(rf'data-testid="{what}-{pane}"[^>]*>([^<]+)<', _html(rc, "edsim-readouts"))
    return match.group(1) if match else None


def _series_last(rc, pane, metric):
    charts = _html(rc, "edsim-charts")
    match = re.search(
        rf'data-pane="{pane}" data-metric="{metric}" data-n="(\d+)" data-last="([^"]*)"', charts
    )
    assert match, (pane, metric)
    return int(match.group(1)), match.group(2)


def _button(rc, label):
    return rc.find(v.Btn, children=[label]).widget


def _control(rc, widget_type, label):
    return rc.find(widget_type, label=label).widget


def test_step_advances_both_panes_together(rendered):
    rc = rendered
    assert _readout(rc, "year", "a") == _readout(rc, "year", "b") == "2011"
    assert _series_last(rc, "a", "ks4_gap_index")[0] == 1
    for _ in range(3):
        _button(rc, "Step").click()
    assert _readout(rc, "step", "a") == _readout(rc, "step", "b") == "3"
    assert _readout(rc, "year", "a") == _readout(rc, "year", "b") == "2014"
    assert _series_last(rc, "a", "ks4_gap_index")[0] == 4
    assert _series_last(rc, "b", "ks4_gap_index")[0] == 4
    # Same seed in both panes, and partnership schools only under linkage and exchange.
    seeds = re.findall(
        r'class="edsim-readout" data-pane="\w" data-seed="(\d+)"', _html(rc, "edsim-readouts")
    )
    assert seeds == ["0", "0"]
    systems = _html(rc, "edsim-systems")
    a, b = systems.split('data-pane="b"', 1)
    assert 'data-status="partnership"' not in a
    assert 'data-status="partnership"' in b
    assert "<title>School " in systems  # hovering a school shows its state
    log_a, log_b = _html(rc, "edsim-log").split('data-pane="b"', 1)
    assert "Year 1 (2012): partnerships opened" in log_b
    assert "partnerships opened" not in log_a


def test_controls_take_effect_at_reset(rendered):
    rc = rendered
    _button(rc, "Step").click()
    _control(rc, v.Select, "Regime (left / solid lines)").v_model = "none"
    _control(rc, v.Slider, "Seed (both panes)").v_model = 5
    _control(rc, v.Slider, "Accountability pressure").v_model = 0.2
    _control(rc, v.Select, "Prescription (fidelity demand)").v_model = "0.9"
    _button(rc, "Reset").click()
    readouts = _html(rc, "edsim-readouts")
    assert "No evidence system" in readouts
    assert re.findall(r'data-seed="(\d+)"', readouts) == ["5", "5"]
    assert _readout(rc, "step", "a") == _readout(rc, "step", "b") == "0"
    assert readouts.count("Pressure 0.20 · prescription 0.90") == 2  # the values in use
    assert _series_last(rc, "a", "accountability_pressure")[1] == "0.20"
    assert _series_last(rc, "b", "accountability_pressure")[1] == "0.20"
    assert _series_last(rc, "a", "prescription")[1] == "0.90"
    assert _series_last(rc, "b", "prescription")[1] == "0.90"


def test_side_by_side_can_be_switched_off(rendered):
    rc = rendered
    _control(rc, v.Checkbox, "Side by side").v_model = False
    _button(rc, "Reset").click()
    assert _readout(rc, "year", "a") == "2011"
    assert _readout(rc, "year", "b") is None


def test_play_runs_both_panes_until_paused(rendered):
    rc = rendered
    _button(rc, "▶").click()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and int(_readout(rc, "step", "a")) < 3:
        time.sleep(0.05)
    _button(rc, "❚❚").click()
    time.sleep(0.3)  # let a step already under way finish
    a, b = int(_readout(rc, "step", "a")), int(_readout(rc, "step", "b"))
    assert a >= 3
    assert a == b
