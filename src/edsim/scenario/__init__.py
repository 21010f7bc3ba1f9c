"""Scenarios: validated, frozen parameter sets, and loading them from YAML."""

from edsim.scenario.interventions import InterventionSpec, default_catalogue
from edsim.scenario.loader import (
    Resolved,
    load_scenario,
    resolve_scenario,
    scenario_from_text,
    shipped_scenarios_dir,
)
from edsim.scenario.regime import PRESETS, RegimeSettings
from edsim.scenario.schema import Scenario

__all__ = [
    "PRESETS",
    "InterventionSpec",
    "RegimeSettings",
    "Resolved",
    "Scenario",
    "default_catalogue",
    "load_scenario",
    "resolve_scenario",
    "scenario_from_text",
    "shipped_scenarios_dir",
]
