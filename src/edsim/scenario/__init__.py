"""Scenarios: validated, frozen parameter sets, and loading them from YAML."""

from edsim.scenario.interventions import InterventionSpec, default_catalogue
from edsim.scenario.loader import load_scenario, scenario_from_text
from edsim.scenario.regime import PRESETS, RegimeSettings
from edsim.scenario.schema import Scenario

__all__ = [
    "PRESETS",
    "InterventionSpec",
    "RegimeSettings",
    "Scenario",
    "default_catalogue",
    "load_scenario",
    "scenario_from_text",
]
