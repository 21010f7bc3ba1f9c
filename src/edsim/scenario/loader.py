"""Turn YAML scenario files into validated :class:`~edsim.scenario.schema.Scenario` objects.

A scenario file sets only what differs from the defaults, and may build on another scenario::

    extends: england            # a shipped scenario, or a path relative to this file
    population:
      disadvantaged_share: 0.3  # deep-merged: the rest of 'population' comes from the parent
    regime:
      feedback: {mode: local_evaluation}   # changes one setting of the parent's regime

The person reading our errors is editing a YAML file, so every mistake is reported as a
:class:`~edsim.errors.ScenarioProblem` with the file, 1-based line and column, dotted key path and
what would be accepted, and *all* mistakes are reported together rather than one per run.
Loading is safe on untrusted files: YAML tags (``!!python/object``) are refused before anything
is constructed, anchors and aliases are refused (no alias-expansion memory bombs), and files
over 1 MiB are not read.

This module is the public entry point; the work is split by concern:
:mod:`~edsim.scenario.yaml_source` (safe parsing), :mod:`~edsim.scenario.provenance` (where
each value was written, merging), :mod:`~edsim.scenario.resolve` (``extends:`` chains),
:mod:`~edsim.scenario.assignments` (``--set``) and :mod:`~edsim.scenario.problems` (error
messages).
"""

from __future__ import annotations

import os

from edsim.scenario.resolve import Resolved, resolve_scenario, resolve_text, shipped_scenarios_dir
from edsim.scenario.schema import Scenario

__all__ = [
    "Resolved",
    "load_scenario",
    "resolve_scenario",
    "scenario_from_text",
    "shipped_scenarios_dir",
]


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Load and validate a scenario file, with the parents it ``extends:``.

    If the file does not set ``name``, the scenario is named after the file's stem (never after
    a parent), so results written under the scenario's name can be traced back to the file that
    produced them. Use :func:`resolve_scenario` to also learn where each value came from, or
    to apply ``--set`` assignments.

    Args:
        path: A YAML file. An empty file (or one holding only comments) means all defaults.

    Returns:
        The validated, frozen scenario.

    Raises:
        ScenarioError: A file cannot be read, is not valid YAML, or does not describe a valid
            scenario; every problem found is listed with its location.
    """
    return resolve_scenario(path).scenario


def scenario_from_text(text: str, filename: str = "<string>") -> Scenario:
    """Validate a scenario given as YAML text (for tests, notebooks and generated scenarios).

    Unlike :func:`load_scenario`, an omitted ``name`` keeps the schema's default, because text
    has no file stem to name it after. A relative ``extends:`` is looked up in ``filename``'s
    folder (the current directory for ``<string>``).

    Args:
        text: The YAML document.
        filename: What to call the source in error messages.

    Returns:
        The validated, frozen scenario.

    Raises:
        ScenarioError: The text is not valid YAML or not a valid scenario; lists every problem.
    """
    return resolve_text(text, filename).scenario
