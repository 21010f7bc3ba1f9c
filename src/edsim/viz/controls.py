"""The levers a class can move, and how each becomes a model override.

The browser app shows a handful of levers, not the whole scenario: the ones the teaching plan
talks about (accountability pressure, prescription, partnership capacity and depth, feedback,
heterogeneity of effects, the Pupil Premium rate). Each lever names the scenario field it sets
(``__`` between levels, as :class:`~edsim.model.EdSystemModel` takes them), and its slider
starts at the loaded scenario's own value, so an untouched app runs exactly that scenario.

Two levers are fixed by the regime presets (prescription and feedback): for those the default
choice is "regime's own", so in side-by-side mode each regime keeps its own setting until the
class deliberately sets one value for both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from edsim.scenario.regime import PRESETS
from edsim.scenario.schema import Scenario

__all__ = [
    "FEEDBACK_CHOICES",
    "LEVERS",
    "PRESCRIPTION_CHOICES",
    "REGIME_LABELS",
    "REGIME_OWN",
    "Lever",
    "lever_defaults",
    "model_params",
    "overrides_for",
]

#: Plain-words names of the regime presets, for legends and the event log.
REGIME_LABELS: dict[str, str] = {
    "disseminate_to": "Disseminate to",
    "linkage_exchange": "Linkage and exchange",
    "none": "No evidence system",
}

#: The choice meaning "leave this setting to each regime's preset".
REGIME_OWN = "regime's own"
PRESCRIPTION_CHOICES: tuple[str, ...] = (REGIME_OWN, "0.1", "0.3", "0.5", "0.7", "0.9")
FEEDBACK_CHOICES: tuple[str, ...] = (REGIME_OWN, "on", "off")


@dataclass(frozen=True)
class Lever:
    """One numeric lever: a slider bound to one scenario field.

    Attributes:
        name: Keyword of :class:`~edsim.viz.session.LockstepPair` (and the control's key).
        label: What the control says.
        path: The scenario field it sets, levels joined by ``__``.
        low: Smallest value on the slider.
        high: Largest value on the slider (widened to fit the scenario's own value).
        step: Slider step.
    """

    name: str
    label: str
    path: str
    low: float
    high: float
    step: float

    def read(self, scenario: Scenario) -> float:
        """The scenario's own value of this lever."""
        node: Any = scenario
        for part in self.path.split("__"):
            node = getattr(node, part)
        return float(node)


LEVERS: tuple[Lever, ...] = (
    Lever(
        "accountability_pressure",
        "Accountability pressure",
        "policy__accountability_pressure",
        0.0,
        1.0,
        0.05,
    ),
    Lever(
        "partnership_capacity",
        "Partnership capacity",
        "regime__partnerships__days_per_broker",
        0.0,
        900.0,
        30.0,
    ),
    Lever(
        "partnership_depth",
        "Partnership depth",
        "regime__partnerships__days_per_school",
        1.0,
        20.0,
        1.0,
    ),
    Lever(
        "heterogeneity",
        "Heterogeneity of effects",
        "truth__heterogeneity",
        0.0,
        0.3,
        0.01,
    ),
    Lever(
        "pupil_premium",
        "Pupil Premium rate",
        "policy__pupil_premium_multiplier",
        0.0,
        3.0,
        0.1,
    ),
)


def lever_defaults(scenario: Scenario) -> dict[str, float]:
    """Each numeric lever's starting value: the scenario's own."""
    return {lever.name: lever.read(scenario) for lever in LEVERS}


def overrides_for(
    regime: str,
    levers: Mapping[str, float | None],
    *,
    prescription: str = REGIME_OWN,
    feedback: str = REGIME_OWN,
    years: int | None = None,
) -> dict[str, Any]:
    """The model overrides for one pane: its regime preset, then the class's levers.

    A lever whose value is None is left to the scenario. The preset comes first (it is a
    shallow override, which :func:`~edsim.scenario.overrides.apply_overrides` expands before
    deeper ones), so a lever set by the class wins over the preset in both panes alike.

    Args:
        regime: A preset name from :data:`~edsim.scenario.regime.PRESETS`.
        levers: Values of the numeric levers by :attr:`Lever.name`.
        prescription: A :data:`PRESCRIPTION_CHOICES` entry.
        feedback: A :data:`FEEDBACK_CHOICES` entry.
        years: Horizon in years, or None for the scenario's.

    Returns:
        Keyword overrides for :class:`~edsim.model.EdSystemModel`.

    Raises:
        ValueError: An unknown regime, lever or choice (a programming error in the app).
    """
    if regime not in PRESETS:
        raise ValueError(f"unknown regime preset {regime!r}")
    known = {lever.name: lever for lever in LEVERS}
    out: dict[str, Any] = {"regime": regime}
    for name, value in levers.items():
        if name not in known:
            raise ValueError(f"unknown lever {name!r}")
        if value is not None:
            out[known[name].path] = float(value)
    if prescription not in PRESCRIPTION_CHOICES:
        raise ValueError(f"unknown prescription choice {prescription!r}")
    if prescription != REGIME_OWN:
        out["regime__prescription"] = float(prescription)
    if feedback not in FEEDBACK_CHOICES:
        raise ValueError(f"unknown feedback choice {feedback!r}")
    if feedback != REGIME_OWN:
        out["regime__feedback__mode"] = "local_evaluation" if feedback == "on" else "none"
    if years is not None:
        out["years"] = int(years)
    return out


def model_params(scenario: Scenario, seed: int = 0) -> dict[str, Any]:
    """SolaraViz ``model_params`` for :class:`~edsim.viz.session.LockstepPair`.

    Mesa draws these as the sidebar's "Model Parameters" card and passes their current values
    to the pair when Reset is pressed. ``base`` is fixed (the loaded scenario), everything
    else is a control.
    """
    presets = list(PRESETS)
    params: dict[str, Any] = {
        "base": scenario,
        "regime_a": {
            "type": "Select",
            "value": scenario.regime.name if scenario.regime.name in PRESETS else presets[0],
            "values": presets,
            "label": "Regime (left / solid lines)",
        },
        "side_by_side": {"type": "Checkbox", "value": True, "label": "Side by side"},
        "regime_b": {
            "type": "Select",
            "value": "linkage_exchange",
            "values": presets,
            "label": "Compared regime (right / dashed lines)",
        },
        "seed": {
            "type": "SliderInt",
            "value": seed,
            "min": 0,
            "max": 99,
            "step": 1,
            "label": "Seed (both panes)",
        },
        "years": {
            "type": "SliderInt",
            "value": scenario.years,
            "min": 5,
            "max": max(40, scenario.years),
            "step": 1,
            "label": "Years to simulate",
        },
    }
    for lever in LEVERS:
        value = lever.read(scenario)
        whole = lever.step >= 1  # whole-number levers get an integer slider
        cast = int if whole else float
        params[lever.name] = {
            "type": "SliderInt" if whole else "SliderFloat",
            "value": cast(round(value) if whole else value),
            "min": cast(lever.low),
            "max": cast(max(lever.high, value)),
            "step": cast(lever.step),
            "label": lever.label,
        }
    params["prescription"] = {
        "type": "Select",
        "value": REGIME_OWN,
        "values": list(PRESCRIPTION_CHOICES),
        "label": "Prescription (fidelity demand)",
    }
    params["feedback"] = {
        "type": "Select",
        "value": REGIME_OWN,
        "values": list(FEEDBACK_CHOICES),
        "label": "Feedback from practice to evidence",
    }
    return params
