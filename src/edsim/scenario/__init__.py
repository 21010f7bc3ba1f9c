"""Scenarios: validated, frozen parameter sets, and loading them from YAML.

This is the scenario layer's public front; the experiment layer and the command line import
from here only (``tests/test_architecture.py`` keeps it so), and the modules behind it can change
freely. The front door is :func:`resolve`: a :class:`Document` (a file, text, plain data, or a
scenario written inside an experiment file) and ``--set`` assignments in, a validated scenario
with the origin of every value out, or every problem located at its file, line and key.
Around it:

- :class:`Scenario` (the schema), :data:`PRESETS` and :class:`RegimeSettings` (regimes),
  :class:`InterventionSpec` and :func:`default_catalogue` (the Toolkit);
- :func:`load_scenario`, :func:`scenario_from_text`, :func:`resolve_scenario`: shortcuts for a
  file or text; :func:`shipped_scenarios_dir`: where bare names such as ``small`` are found;
- :func:`parameter` and :func:`apply_values`: what a dotted path names, and setting values by
  dotted path (an experiment's design points);
- :func:`describe`: how a YAML value is named in problems;
- :func:`render_with_origins`, :func:`differences` (each a :class:`Difference`),
  :func:`render_json_schema`, :func:`write_json_schema`, :func:`write_reference`: what
  ``edsim show``, ``diff`` and ``schema`` print and write.
"""

from edsim.scenario.document import Document, resolve
from edsim.scenario.interventions import InterventionSpec, default_catalogue
from edsim.scenario.jsonschema import render_json_schema, write_json_schema
from edsim.scenario.loader import (
    Resolved,
    load_scenario,
    resolve_scenario,
    scenario_from_text,
    shipped_scenarios_dir,
)
from edsim.scenario.overrides import apply_values
from edsim.scenario.parameters import Parameter, parameter
from edsim.scenario.reference import write_reference
from edsim.scenario.regime import PRESETS, RegimeSettings
from edsim.scenario.render import Difference, differences, render_with_origins
from edsim.scenario.schema import Scenario
from edsim.scenario.yaml_source import describe

__all__ = [
    "PRESETS",
    "Difference",
    "Document",
    "InterventionSpec",
    "Parameter",
    "RegimeSettings",
    "Resolved",
    "Scenario",
    "apply_values",
    "default_catalogue",
    "describe",
    "differences",
    "load_scenario",
    "parameter",
    "render_json_schema",
    "render_with_origins",
    "resolve",
    "resolve_scenario",
    "scenario_from_text",
    "shipped_scenarios_dir",
    "write_json_schema",
    "write_reference",
]
