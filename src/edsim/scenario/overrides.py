"""Apply plain keyword overrides to a scenario (for ``EdSystemModel(**params)`` and batch runs).

Nested fields are named with ``__`` between levels (``truth__heterogeneity=0.0``), the way
``mesa.batch_run`` and SolaraViz pass flat parameters; a list item is named by its number
(``interventions__0__months=3``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from pydantic import ValidationError

from edsim.errors import ScenarioError, ScenarioProblem
from edsim.scenario.regime import RegimeSettings, deep_merge, preset_mapping
from edsim.scenario.schema import Scenario

__all__ = ["SEPARATOR", "apply_overrides"]

SEPARATOR = "__"


def apply_overrides(scenario: Scenario, params: Mapping[str, Any]) -> Scenario:
    """A new scenario with ``params`` replacing the named fields.

    Args:
        scenario: The scenario to start from (unchanged).
        params: Field names, nested levels joined by ``__``.

    Returns:
        The validated scenario.

    Raises:
        ScenarioError: Naming every unknown or invalid parameter.
    """
    if not params:
        return scenario
    data = _as_lists(scenario.model_dump())
    problems = []
    # Shallow names first, so ``regime="linkage_exchange"`` is expanded before
    # ``regime__feedback__mode`` overrides part of it.
    for name, value in sorted(params.items(), key=lambda kv: kv[0].count(SEPARATOR)):
        *parents, leaf = name.split(SEPARATOR)
        node: Any = data
        for part in parents:
            node = _child(node, part)
        key = _key(node, leaf)
        if key is None:
            problems.append(
                ScenarioProblem(
                    f"unknown parameter {name!r} (nested names join levels with '__', "
                    "e.g. truth__heterogeneity)",
                    file="<keyword arguments>",
                    key=name,
                )
            )
            continue
        if not parents and leaf == "regime" and isinstance(value, str):
            # Switching regime keeps the scenario's own settings the preset does not fix
            # (e.g. a small scenario's proportionally smaller broker budget).
            try:
                value = RegimeSettings.model_validate(
                    deep_merge(node["regime"], preset_mapping(value))
                ).model_dump()
            except (ValueError, ValidationError) as exc:
                problems.append(
                    ScenarioProblem(
                        str(exc).splitlines()[-1].strip(), file="<keyword arguments>", key=name
                    )
                )
                continue
        node[key] = value.item() if isinstance(value, np.generic) else value
    if problems:
        raise ScenarioError(problems)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(
            [
                ScenarioProblem(
                    e["msg"], file="<keyword arguments>", key=".".join(str(p) for p in e["loc"])
                )
                for e in exc.errors()
            ]
        ) from None


def _as_lists(data: Any) -> Any:
    """``model_dump`` output with tuples as lists, so list items can be replaced in place."""
    if isinstance(data, dict):
        return {k: _as_lists(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_as_lists(v) for v in data]
    return data


def _key(node: Any, part: str) -> str | int | None:
    """``part`` as a key of ``node`` (a field name, or a list item's number), or None."""
    if isinstance(node, dict):
        return part if part in node else None
    if isinstance(node, list) and part.isdigit() and int(part) < len(node):
        return int(part)
    return None


def _child(node: Any, part: str) -> Any:
    key = _key(node, part)
    return None if key is None else node[key]
