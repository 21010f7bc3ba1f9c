"""Apply plain values to a scenario by name (for ``EdSystemModel(**params)`` and design points).

Keyword overrides name nested fields with ``__`` between levels (``truth__heterogeneity=0.0``),
the way ``mesa.batch_run`` and SolaraViz pass flat parameters; :func:`apply_values` takes the
dotted paths a user writes in files and ``--set`` (``truth.heterogeneity``), and says what is
wrong in those words. A list item is named by its number (``interventions__0__months=3``,
``interventions.0.months``).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

import numpy as np
from pydantic import ValidationError

from edsim.errors import ScenarioError, ScenarioProblem
from edsim.scenario.regime import RegimeSettings, deep_merge, preset_mapping
from edsim.scenario.schema import Scenario

__all__ = ["SEPARATOR", "apply_overrides", "apply_values"]

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
    return _apply(scenario, params, SEPARATOR, "<keyword arguments>")


def apply_values(
    scenario: Scenario, values: Mapping[str, Any], *, source: str = "<values>"
) -> Scenario:
    """A new scenario with ``values`` set at their dotted paths (``interventions.0.months``).

    Args:
        scenario: The scenario to start from (unchanged).
        values: Values by dotted path, as a scenario file or ``--set`` names them.
        source: What to call the values' origin in problems.

    Returns:
        The validated scenario.

    Raises:
        ScenarioError: Naming, by dotted path, every path that names nothing (with what is
            there: the closest key, or how many items a list has) and every invalid value.
    """
    return _apply(scenario, values, ".", source)


def _apply(scenario: Scenario, params: Mapping[str, Any], separator: str, source: str) -> Scenario:
    """Set each named field, then validate; names join levels with ``separator``."""
    if not params:
        return scenario
    data = _as_lists(scenario.model_dump())
    problems = []
    # Shallow names first, so ``regime="linkage_exchange"`` is expanded before
    # ``regime__feedback__mode`` overrides part of it.
    for name, value in sorted(params.items(), key=lambda kv: kv[0].count(separator)):
        *parents, leaf = name.split(separator)
        node: Any = data
        for part in parents:
            node = _child(node, part)
        key = _key(node, leaf)
        if key is None:
            message = (
                _missing(data, name.split(separator))
                if separator == "."
                else f"unknown parameter {name!r} (nested names join levels with '__', "
                "e.g. truth__heterogeneity)"
            )
            problems.append(ScenarioProblem(message, file=source, key=name))
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
                    ScenarioProblem(str(exc).splitlines()[-1].strip(), file=source, key=name)
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
                ScenarioProblem(e["msg"], file=source, key=".".join(str(p) for p in e["loc"]))
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


def _missing(data: Any, parts: list[str]) -> str:
    """What a dotted path that names nothing runs into, in the words of a scenario file."""
    node = data
    for depth, part in enumerate(parts):
        key = _key(node, part)
        if key is not None:
            node = node[key]
            continue
        where = ".".join(parts[:depth]) or "the scenario"
        if isinstance(node, list):
            numbers = f"numbered 0 to {len(node) - 1}" if node else "none"
            shown = part if part.isdigit() else repr(part)
            return f"{where} has {len(node)} items ({numbers}); there is no item {shown}"
        if isinstance(node, dict):
            close = difflib.get_close_matches(part, [str(k) for k in node], n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"allowed: {', '.join(node)}"
            return f"{where} has no key {part!r}; {hint}"
        return f"{where} is a single value, with no key {part!r} inside it"
    return f"{'.'.join(parts)} names nothing"  # pragma: no cover - only called on a missing path


def _child(node: Any, part: str) -> Any:
    key = _key(node, part)
    return None if key is None else node[key]
