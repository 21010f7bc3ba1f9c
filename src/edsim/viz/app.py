"""The browser app: Mesa's SolaraViz controls over a side-by-side dashboard of two regimes.

``page`` is a Solara component, so the same object serves ``edsim viz``, ``solara run
edsim.viz.app:page`` and inline display in Jupyter (evaluate ``page()`` in a cell).

The controls are Mesa's SolaraViz machinery: its ``ModelController`` (play, pause, step and
reset, with Mesa's play interval) and ``ModelCreator`` (the model-parameter controls, fed by
:func:`~edsim.viz.controls.model_params`). The model they drive is a
:class:`~edsim.viz.session.LockstepPair`, which steps both regimes together. The page does not
use the ``SolaraViz`` component itself: its main area is a draggable grid of cards whose
JavaScript, like Vega-Lite for Altair charts, is loaded from a CDN at run time (a classroom or
CI machine may be offline), and redrawing a dozen Altair or matplotlib charts per frame is too
slow for five simulated years a second. The dashboard (readouts, charts, system view, event
log) is drawn here as inline SVG/HTML and redraws on Mesa's own update signal.

The scenario comes from the environment (set by ``edsim viz``): ``EDSIM_VIZ_SCENARIO`` (a
path or a shipped name; default: the shipped ``teaching`` scenario), ``EDSIM_VIZ_SETS`` (a JSON
list of ``key=value`` assignments) and ``EDSIM_VIZ_SEED``.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from typing import Any

import solara

with warnings.catch_warnings():
    # Mesa 3.3's ComponentsView (unused here) trips Solara's hook check on import; 3.5 is fixed.
    warnings.filterwarnings("ignore", "Failed to validate hooks for component ComponentsView")
    warnings.filterwarnings("ignore", ".*ComponentsView: `use_state` found despite early return")
    from mesa.visualization.solara_viz import ModelController, ModelCreator
    from mesa.visualization.utils import update_counter

from edsim.scenario.loader import resolve_scenario
from edsim.scenario.schema import Scenario
from edsim.viz.charts import CHARTS, chart_html
from edsim.viz.controls import model_params
from edsim.viz.env import SCENARIO_ENV, SEED_ENV, SETS_ENV, default_scenario_path
from edsim.viz.session import LockstepPair, Pane
from edsim.viz.svg import esc
from edsim.viz.system_view import system_svg

__all__ = [
    "PLAY_INTERVAL_MS",
    "SCENARIO_ENV",
    "SEED_ENV",
    "SETS_ENV",
    "Dashboard",
    "load_base",
    "page",
]

#: Pause between years while playing (Mesa's play interval). Stepping both panes of the teaching
#: scenario takes ~25 ms and drawing them ~10 ms, so the default plays about ten years a second
#: (a 15-year run in under two seconds); the "Play interval" slider slows it down for a class.
PLAY_INTERVAL_MS = 25
#: Event-log lines shown per pane, newest first.
EVENTS_SHOWN = 12


def load_base() -> Scenario:
    """The scenario the app was started with (see the module docstring for the variables).

    Raises:
        edsim.errors.ScenarioError: If the file or an assignment is invalid.
    """
    path: str | Path = os.environ.get(SCENARIO_ENV) or default_scenario_path()
    sets = json.loads(os.environ.get(SETS_ENV) or "[]")
    return resolve_scenario(path, sets).scenario


def _seed() -> int:
    return int(os.environ.get(SEED_ENV) or 0)


def _readout(pane: Pane) -> str:
    """The numbers a class (and the browser test) reads: year and headline measures."""
    m = pane.model.latest
    k = pane.key
    line = "solid" if k == "a" else "dashed"
    return (
        f'<div class="edsim-readout" data-pane="{k}" data-seed="{pane.model_seed}" '
        'style="flex:1;min-width:260px">'
        f"<b>{esc(pane.label)}</b> <small>({line} lines, seed {pane.model_seed})</small><br>"
        f'Year <span data-testid="year-{k}" style="font-size:20px;font-weight:bold">'
        f'{int(m["year"])}</span> (year <span data-testid="step-{k}">{pane.model.year}'
        f'</span> of <span data-testid="horizon-{k}">{pane.model.config.years}</span>) &middot; '
        f'KS4 gap <span data-testid="ks4-gap-{k}">{m["ks4_gap_index"]:.2f}</span> &middot; '
        f'KS2 gap <span data-testid="ks2-gap-{k}">{m["ks2_gap_index"]:.2f}</span> &middot; '
        f'schools reached <span data-testid="reached-{k}">'
        f"{int(m['schools_reached_cumulative'])}</span><br>"
        f'<small class="edsim-levers">{esc(_levers_in_use(pane))}</small></div>'
    )


def _levers_in_use(pane: Pane) -> str:
    """The lever values this pane's run actually uses (sliders show no numbers)."""
    cfg, lv = pane.model.config, pane.model.policymaker.levers
    ps = cfg.regime.partnerships
    days = sum(b.days for b in pane.model.brokers)
    partnerships = (
        f"partnerships {days:g} support days a year, {ps.days_per_school:g} days/school"
        if ps.enabled
        else "no partnerships"
    )
    feedback = "on" if cfg.regime.feedback.mode != "none" else "off"
    return (
        f"Pressure {lv.accountability_pressure:.2f} · prescription {lv.prescription:.2f} · "
        f"{partnerships} · heterogeneity {cfg.truth.heterogeneity:g} SD · Pupil Premium "
        f"x{cfg.policy.pupil_premium_multiplier:g} · feedback {feedback}"
    )


def _events(pane: Pane) -> str:
    shown = pane.events[-EVENTS_SHOWN:][::-1] or ["Nothing has happened yet: press Step or Play."]
    items = "".join(f"<li>{esc(e)}</li>" for e in shown)
    return (
        f'<div class="edsim-events" data-pane="{pane.key}" style="flex:1;min-width:300px">'
        f"<b>{esc(pane.label)}</b><ul style='margin:4px 0;padding-left:18px'>{items}</ul></div>"
    )


@solara.component
def Dashboard(pair: LockstepPair) -> None:
    """Readouts, charts, system views and event log of every pane, redrawn each step."""
    update_counter.get()  # Mesa bumps this after every step: redraw with the models
    panes = pair.panes
    row = "display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start"
    with solara.Column(style={"padding": "8px"}):
        solara.HTML(
            tag="div",
            unsafe_innerHTML="".join(_readout(p) for p in panes),
            style=row,
            classes=["edsim-readouts"],
        )
        solara.HTML(
            tag="div",
            unsafe_innerHTML="".join(chart_html(spec, panes) for spec in CHARTS),
            style=row,
            classes=["edsim-charts"],
        )
        solara.HTML(
            tag="div",
            unsafe_innerHTML="".join(
                f"<div><b>{esc(p.label)}</b><br>{system_svg(p.model, p.layout, pane=p.key)}</div>"
                for p in panes
            ),
            style=row,
            classes=["edsim-systems"],
        )
        solara.HTML(
            tag="div",
            unsafe_innerHTML="".join(_events(p) for p in panes),
            style=row,
            classes=["edsim-log"],
        )


@solara.component
def Controls(model: solara.Reactive[LockstepPair], base: Scenario) -> None:
    """Mesa's own play/step/reset controller and model-parameter controls, with its speed."""
    # Shared by Mesa's creator (which writes the controls' values) and controller (Reset).
    parameters: solara.Reactive[dict[str, Any]] = solara.use_reactive({})
    play_interval = solara.use_reactive(PLAY_INTERVAL_MS)
    render_interval = solara.use_reactive(1)
    use_threads = solara.use_reactive(False)
    with solara.Column(style={"width": "360px", "flex": "none"}, classes=["edsim-controls"]):
        with solara.Card("Run"):
            ModelController(
                model,
                model_parameters=parameters,
                play_interval=play_interval,
                render_interval=render_interval,
                use_threads=use_threads,
            )
            solara.SliderInt(
                "Play interval (ms)",
                value=play_interval,
                min=1,
                max=1000,
                step=10,
            )
            solara.Markdown(
                "Moving a control below takes effect at **Reset**: both runs restart from "
                "year 0 with the same seed. The values in use are listed above each run."
            )
        with solara.Card("Regimes and levers"):
            ModelCreator(model, model_params(base, seed=_seed()), model_parameters=parameters)


@solara.component
def page() -> None:
    """The whole app: Mesa's controls beside the side-by-side dashboard."""
    base = solara.use_memo(load_base, [])
    pair = solara.use_memo(lambda: LockstepPair(base=base, seed=_seed()), [])
    model: solara.Reactive[LockstepPair] = solara.use_reactive(pair)
    solara.Title(f"edsim: {base.name}")
    with solara.Row(style={"align-items": "flex-start", "flex-wrap": "nowrap"}):
        Controls(model, base)
        Dashboard(model.value)
