"""``--set key.path=value``: change one parameter of a scenario from the command line.

The value is read as a YAML scalar, exactly as it would be in a file (``0.3`` is a number,
``true`` a true/false value, ``linkage_exchange`` text), and then validated by the same strict
schema, so ``--set`` accepts nothing a file would not. The key path is checked against the
schema first, so a typo is reported with the closest allowed key rather than silently ignored.
List items are named by their number: ``interventions.0.months=3``.

Assignments apply shallowest first (order kept among equals), so ``--set regime=none`` never
undoes a ``--set regime.feedback.mode=...`` given before it, just as a file's ``preset:`` never
undoes the overrides beside it.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any, get_args, get_origin

from pydantic import BaseModel
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from edsim.errors import ScenarioError, ScenarioProblem
from edsim.scenario.problems import schema_at, unknown_key_message
from edsim.scenario.provenance import (
    COMMAND_LINE,
    Layer,
    Loc,
    Source,
    dotted,
    expand_regime_preset,
    merge,
    value_at,
)
from edsim.scenario.regime import RegimeSettings
from edsim.scenario.schema import Scenario
from edsim.scenario.yaml_source import parse_value, plain

__all__ = ["apply_assignments"]

_EXAMPLE = "population.disadvantaged_share=0.3"


def apply_assignments(
    layer: Layer, assignments: Sequence[str]
) -> tuple[Layer, list[ScenarioProblem]]:
    """Apply ``KEY=VALUE`` assignments on top of a scenario's merged data.

    Args:
        layer: The scenario's data and sources so far.
        assignments: Each ``key.path=value``, as typed after ``--set``.

    Returns:
        The data with every well-formed assignment applied (each value sourced to the command
        line), and a problem for each assignment that could not be applied, so all of them are
        reported together with any problems validation then finds.
    """
    problems: list[ScenarioProblem] = []
    parsed: list[tuple[Loc, Any]] = []
    for text in assignments:
        try:
            parsed.append(_parse(text))
        except ScenarioError as exc:
            problems.extend(exc.problems)
    for loc, value in sorted(parsed, key=lambda item: len(item[0])):
        over = _assignment_layer(layer, loc, value)
        if isinstance(over, ScenarioProblem):
            problems.append(over)
        else:
            layer = merge(layer, expand_regime_preset(over))
    return layer, problems


def _parse(text: str) -> tuple[Loc, Any]:
    """Split ``key.path=value`` and check the path against the schema, then read the value."""
    key, equals, raw = text.partition("=")
    key = key.strip()
    if not equals or not key:
        message = f"expected KEY=VALUE (for example {_EXAMPLE}), found {text!r}"
        raise ScenarioError(ScenarioProblem(message, COMMAND_LINE))
    parts = key.split(".")
    if "" in parts:
        message = f"key {key!r} has an empty level (two dots together, or a dot at an end)"
        raise ScenarioError(ScenarioProblem(message, COMMAND_LINE, key=key))
    loc: Loc = tuple(int(p) if p.isascii() and p.isdigit() else p for p in parts)
    wrong = _path_problem(loc)
    if wrong is not None:
        raise ScenarioError(ScenarioProblem(wrong, COMMAND_LINE, key=key))
    return loc, _value(raw, key)


def _path_problem(loc: Loc) -> str | None:
    """Why ``loc`` names nothing in the schema, or None when it names a section or value."""
    annotation: Any = Scenario
    for depth, part in enumerate(loc):
        where = dotted(loc[:depth])
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if isinstance(part, int):
                return f"{where or 'the scenario'} has named keys, not numbered items"
            if annotation is RegimeSettings and part == "preset" and depth == len(loc) - 1:
                return None
            if part not in annotation.model_fields:
                return unknown_key_message(part, annotation)
            annotation = annotation.model_fields[part].annotation
        elif get_origin(annotation) in (tuple, list):
            if not isinstance(part, int):
                return f"{where} is a list: name an item by its number, e.g. {where}.0"
            annotation = get_args(annotation)[0]
        else:
            return f"{where} is a single value, with no key {part!r} inside it"
    return None


def _value(raw: str, key: str) -> Any:
    """Read the text after ``=`` as one YAML scalar, refusing tags and anchors as in files."""
    try:
        node = parse_value(raw, COMMAND_LINE)
    except ScenarioError as exc:
        problems = [
            ScenarioProblem(f"cannot read the value {raw!r}: {p.message}", COMMAND_LINE, key=key)
            for p in exc.problems
        ]
        raise ScenarioError(problems) from None
    if isinstance(node, CommentedMap | CommentedSeq):
        message = (
            f"--set takes a single value (a number, true/false or text), found {raw!r}; quote "
            "text that contains ': ' or starts with '[' or '{', and set lists in a scenario file"
        )
        raise ScenarioError(ScenarioProblem(message, COMMAND_LINE, key=key))
    return plain(node)


def _assignment_layer(layer: Layer, loc: Loc, value: Any) -> Layer | ScenarioProblem:
    """The layer that sets ``loc`` to ``value`` when merged onto ``layer``.

    Mapping levels become sparse nested mappings, which merge. A path through a list copies
    the whole list (the file's, or the schema's default catalogue where no file set one), with
    its sources, and changes the one item, because merging replaces lists whole.
    """
    data: dict[Any, Any] = {}
    marks: dict[Loc, Source] = {}
    node: Any = data
    for depth, part in enumerate(loc[:-1]):
        here, child = loc[: depth + 1], loc[depth + 1]
        if isinstance(part, int):
            if part >= len(node):
                return _no_item(loc, here[:-1], len(node))
            if not isinstance(node[part], dict):
                node[part] = {}
            node = node[part]
        elif isinstance(child, int):
            items = value_at(layer.data, here)
            node[part] = copy.deepcopy(items if isinstance(items, list) else _default_items(here))
            node = node[part]
            marks.update((m, s) for m, s in layer.marks.items() if m[: len(here)] == here)
        else:
            if not isinstance(node.get(part), dict):
                node[part] = {}
            node = node[part]
    leaf = loc[-1]
    if isinstance(leaf, int) and leaf >= len(node):
        return _no_item(loc, loc[:-1], len(node))
    node[leaf] = value
    marks[loc] = Source(COMMAND_LINE)
    return Layer(data, marks)


def _default_items(loc: Loc) -> list[Any]:
    """The schema's default for the list at ``loc`` (such as the Toolkit catalogue), as data."""
    _, info = schema_at(loc)
    assert info is not None, loc  # _path_problem accepted the path, so the field exists
    default = info.get_default(call_default_factory=True, validated_data={})
    return [item.model_dump() if isinstance(item, BaseModel) else item for item in default]


def _no_item(loc: Loc, items: Loc, count: int) -> ScenarioProblem:
    numbers = f"numbered 0 to {count - 1}" if count else "none"
    message = f"{dotted(items)} has {count} items ({numbers}); there is no item {loc[len(items)]}"
    return ScenarioProblem(message, COMMAND_LINE, key=dotted(loc))
