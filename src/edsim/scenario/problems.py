"""Explain pydantic validation errors in the words of the YAML the user wrote, at its position.

The person reading these errors is editing a scenario file (or typing ``--set``), so each error
becomes a :class:`~edsim.errors.ScenarioProblem` saying what is wrong and what would be
accepted (bounds with units, the closest allowed key or choice), located at the file, line and
column that set the value, which after ``extends:`` may be a parent file.
"""

from __future__ import annotations

import difflib
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from edsim.errors import ScenarioProblem
from edsim.scenario.fields import bounds
from edsim.scenario.provenance import Layer, Loc, Source, dotted, value_at
from edsim.scenario.regime import PRESETS, RegimeSettings
from edsim.scenario.schema import Scenario
from edsim.scenario.yaml_source import describe

__all__ = ["schema_at", "show_value", "unknown_key_message", "validation_problems"]

#: What a value of the wrong type should have been, by pydantic error type.
_EXPECTED = {
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "finite_number": "a finite number",
    "string_type": "text",
    "model_type": "a mapping of keys",
    "tuple_type": "a list",
}

_RANGE_ERRORS = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}

_ABSENT = object()


def validation_problems(exc: ValidationError, layer: Layer, root: Source) -> list[ScenarioProblem]:
    """Every error pydantic found in ``layer``'s data, explained and located.

    Args:
        exc: The error from validating ``layer.data`` as a :class:`Scenario`.
        layer: The merged data and the source of each path in it.
        root: Where to point errors no source covers (the top of the leaf file).

    Returns:
        One problem per error, less errors that only repeat another.
    """
    return [_problem(err, layer, root) for err in _without_knock_on_errors(exc.errors())]


def schema_at(loc: Loc) -> tuple[Any, FieldInfo | None]:
    """The annotation (and field, if ``loc`` ends at one) that the schema declares at ``loc``.

    Walks ``Scenario.model_fields`` along the path, descending into the item type of tuples for
    integer segments (``interventions.3.months``). Returns ``(None, None)`` off the schema.
    """
    annotation: Any = Scenario
    info: FieldInfo | None = None
    for part in loc:
        if isinstance(part, int):
            args = get_args(annotation)
            if get_origin(annotation) not in (tuple, list) or not args:
                return None, None
            annotation, info = args[0], None
        else:
            if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
                return None, None
            info = annotation.model_fields.get(part)
            if info is None:
                return None, None
            annotation = info.annotation
    return annotation, info


def unknown_key_message(key: str, model: Any) -> str:
    """Name the unknown key and suggest the closest allowed one, or list them all."""
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return f"unknown key {key!r}"
    allowed = list(model.model_fields)
    if model is RegimeSettings:
        allowed.append("preset")
    close = difflib.get_close_matches(key, allowed, n=1)
    if close:
        return f"unknown key {key!r}; did you mean {close[0]!r}?"
    return f"unknown key {key!r}; allowed keys: {', '.join(allowed)}"


def show_value(value: Any) -> str:
    """A value as the user would write it in YAML (text quoted, so '5' and 5 differ)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return repr(value)
    return str(value)


def _without_knock_on_errors(errors: list[Any]) -> list[Any]:
    """Drop 'too short' errors on a list whose items already failed (they only repeat them)."""
    locs = [tuple(err["loc"]) for err in errors]

    def is_knock_on(err: Any) -> bool:
        loc = tuple(err["loc"])
        return err["type"] == "too_short" and any(
            len(other) > len(loc) and other[: len(loc)] == loc for other in locs
        )

    return [err for err in errors if not is_knock_on(err)]


def _problem(err: Any, layer: Layer, root: Source) -> ScenarioProblem:
    """Translate one pydantic error into a located, plain-words problem."""
    loc: Loc = tuple(err["loc"])
    kind: str = err["type"]
    value = err["input"]
    annotation, info = schema_at(loc)
    if annotation is RegimeSettings and kind == "value_error":
        loc, value = _unknown_preset_target(layer, loc, value)
    file, position = _locate(layer, loc, root, at_key=kind in {"extra_forbidden", "invalid_key"})
    line, column = position if position is not None else (None, None)
    message = _message(err, kind, loc, value, annotation, info)
    return ScenarioProblem(message, file, line, column, dotted(loc) or None)


def _locate(
    layer: Layer, loc: Loc, root: Source, *, at_key: bool
) -> tuple[str, tuple[int, int] | None]:
    """The file and 1-based (line, column) for the error at ``loc``.

    A bad scalar points at the value; an unknown key (``at_key``), an empty value or a bad
    section points at its key; a path no source wrote (a missing key) points at the nearest
    written ancestor's key, where the user has to add it.
    """
    for depth in range(len(loc), 0, -1):
        source = layer.marks.get(loc[:depth])
        if source is None:
            continue
        node = value_at(layer.data, loc, _ABSENT)
        scalar = node is not None and not isinstance(node, dict | list)
        if depth == len(loc) and scalar and not at_key:
            return source.file, source.value
        return source.file, source.key
    return root.file, root.key


def _message(
    err: Any, kind: str, loc: Loc, value: Any, annotation: Any, info: FieldInfo | None
) -> str:
    """The plain-words explanation of one error, with what would have been accepted."""
    if kind == "extra_forbidden":
        return unknown_key_message(str(loc[-1]), schema_at(loc[:-1])[0])
    if kind == "invalid_key":
        return f"key {show_value(loc[-1])} is not a name; keys must be text"
    if kind == "missing":
        return f"missing required key {loc[-1]!r}"
    if kind in _RANGE_ERRORS and info is not None:
        unit = _unit(info)
        suffix = f" ({unit})" if unit else ""
        return f"value {show_value(value)} is out of range: allowed {_range(info)}{suffix}"
    if kind == "literal_error" and info is not None and get_origin(info.annotation) is Literal:
        return _choice_message(value, [str(c) for c in get_args(info.annotation)])
    unknown_preset = isinstance(value, str) and value not in PRESETS
    if kind == "value_error" and annotation is RegimeSettings and unknown_preset:
        return _choice_message(value, sorted(PRESETS), what="regime preset")
    if kind in _EXPECTED:
        expected = _EXPECTED[kind]
        if annotation is RegimeSettings:
            expected = f"a preset name ({', '.join(sorted(PRESETS))}) or {expected}"
        return f"expected {expected}, found {describe(value)}"
    if kind == "too_short":
        need = err["ctx"]["min_length"]
        return f"needs at least {need} {'item' if need == 1 else 'items'}, found none"
    if kind == "string_too_short":
        return "must not be empty"
    ctx = err.get("ctx") or {}
    return str(ctx["error"]) if "error" in ctx else str(err["msg"])


def _choice_message(value: Any, choices: list[str], what: str = "choice") -> str:
    """Say the value is not one of ``choices``, suggesting the closest one."""
    message = f"{show_value(value)} is not an allowed {what}"
    close = difflib.get_close_matches(str(value), choices, n=1)
    if close:
        message += f"; did you mean {close[0]!r}?"
    return f"{message} (choices: {', '.join(repr(c) for c in choices)})"


def _unknown_preset_target(layer: Layer, loc: Loc, value: Any) -> tuple[Loc, Any]:
    """Point an unknown ``regime: {preset: ...}`` at the preset value rather than the section."""
    node = value_at(layer.data, loc)
    if isinstance(node, dict) and "preset" in node:
        return (*loc, "preset"), node["preset"]
    return loc, value


def _range(info: FieldInfo) -> str:
    """The field's bounds as ``0 < x <= 1``, read from its declared constraints."""
    low, high = bounds(info)
    lower = f"{show_value(_whole(low[0]))} {'<=' if low[1] else '<'} " if low else ""
    upper = f" {'<=' if high[1] else '<'} {show_value(_whole(high[0]))}" if high else ""
    return f"{lower}x{upper}"


def _whole(value: float) -> float | int:
    """Show 12.0 as 12: bounds are read as floats, most were declared as whole numbers."""
    return int(value) if float(value).is_integer() else value


def _unit(info: FieldInfo) -> str | None:
    """The unit declared with :func:`~edsim.scenario.fields.param`, if any."""
    extra = info.json_schema_extra
    unit = extra.get("unit") if isinstance(extra, dict) else None
    return str(unit) if unit is not None else None
