"""Turn a YAML scenario file into a validated :class:`~edsim.scenario.schema.Scenario`.

The person reading our errors is editing a YAML file, so every mistake is reported as a
:class:`~edsim.errors.ScenarioProblem` with the file, 1-based line and column, dotted key path and
what would be accepted, and *all* mistakes in a file are reported together rather than one per
run. Loading is safe: YAML tags (``!!python/object``, ``!custom``) are refused before anything is
constructed, so a scenario file can never create arbitrary Python objects.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import annotated_types
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.events import CollectionStartEvent, ScalarEvent
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.scalarbool import ScalarBoolean

from edsim.errors import ScenarioError, ScenarioProblem
from edsim.scenario.regime import PRESETS, RegimeSettings
from edsim.scenario.schema import Scenario

__all__ = ["load_scenario", "scenario_from_text"]

Loc = tuple[str | int, ...]

_YAML_TAG_PREFIX = "tag:yaml.org,2002:"

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


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Load and validate a scenario file.

    If the file does not set ``name``, the scenario is named after the file's stem, so results
    written under the scenario's name can be traced back to the file that produced them.

    Args:
        path: A YAML file. An empty file (or one holding only comments) means all defaults.

    Returns:
        The validated, frozen scenario.

    Raises:
        ScenarioError: The file cannot be read, is not valid YAML, or does not describe a valid
            scenario; every problem found is listed with its location.
    """
    file = Path(path)
    label = os.fspath(path)
    return _build(_read_text(file, label), label, default_name=file.stem)


def scenario_from_text(text: str, filename: str = "<string>") -> Scenario:
    """Validate a scenario given as YAML text (for tests, notebooks and generated scenarios).

    Unlike :func:`load_scenario`, an omitted ``name`` keeps the schema's default, because text
    has no file stem to name it after.

    Args:
        text: The YAML document.
        filename: What to call the source in error messages.

    Returns:
        The validated, frozen scenario.

    Raises:
        ScenarioError: The text is not valid YAML or not a valid scenario; lists every problem.
    """
    return _build(text, filename, default_name=None)


def _read_text(path: Path, label: str) -> str:
    """Read a file as UTF-8, turning every OS-level failure into a plain-words problem."""
    if path.is_dir():
        raise ScenarioError(ScenarioProblem("is a directory, not a scenario file", file=label))
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError(ScenarioProblem("file not found", file=label)) from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ScenarioError(
            ScenarioProblem(f"cannot read the file: {reason}", file=label)
        ) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        message = (
            f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x} cannot be decoded); "
            "save it with UTF-8 encoding"
        )
        raise ScenarioError(ScenarioProblem(message, file=label, line=line)) from None


def _build(text: str, filename: str, *, default_name: str | None) -> Scenario:
    """Parse, refuse tags, then validate, mapping every error back to its YAML position."""
    yaml = YAML(typ="rt")
    _refuse_tags(yaml, text, filename)
    try:
        tree = yaml.load(text)
    except MarkedYAMLError as exc:  # duplicate keys, several documents
        raise ScenarioError(_syntax_problem(exc, filename)) from None
    if tree is None:
        tree = CommentedMap()
    if not isinstance(tree, CommentedMap):
        message = (
            "the top level of a scenario must be a mapping of keys (such as 'name:' and "
            f"'population:'), found {_describe(_plain(tree))}"
        )
        raise ScenarioError(ScenarioProblem(message, file=filename, line=1, column=1))
    data = _plain(tree)
    if default_name is not None:
        data.setdefault("name", default_name)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        errors = _without_knock_on_errors(exc.errors())
        problems = [_problem(err, tree, filename) for err in errors]
        problems.sort(key=lambda p: (p.line or 0, p.column or 0))
        raise ScenarioError(problems) from None


def _refuse_tags(yaml: YAML, text: str, filename: str) -> None:
    """Reject every explicit YAML tag, reading only parser events so nothing is constructed.

    Also surfaces syntax errors, which the parser finds first.
    """
    problems = []
    try:
        for event in yaml.parse(text):
            if isinstance(event, ScalarEvent | CollectionStartEvent) and event.tag is not None:
                tag = str(event.tag).replace(_YAML_TAG_PREFIX, "!!")
                mark = event.start_mark
                message = f"YAML tags are not allowed in a scenario file: found {tag!r}"
                problems.append(ScenarioProblem(message, filename, mark.line + 1, mark.column + 1))
    except MarkedYAMLError as exc:
        problems.append(_syntax_problem(exc, filename))
    except ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        message = f"character U+{exc.character:04X} is not allowed in YAML: {exc.reason}"
        problems.append(ScenarioProblem(message, filename, line, column))
    if problems:
        raise ScenarioError(problems)


def _syntax_problem(exc: MarkedYAMLError, filename: str) -> ScenarioProblem:
    """A YAML syntax error at the parser's mark, with the construct it was inside."""
    message = f"YAML syntax error: {exc.problem or exc.context}"
    if exc.problem and exc.context and exc.context_mark is not None:
        where = f"line {exc.context_mark.line + 1}, column {exc.context_mark.column + 1}"
        message += f" ({exc.context} starting at {where})"
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return ScenarioProblem(message, filename)
    return ScenarioProblem(message, filename, mark.line + 1, mark.column + 1)


def _plain(node: Any) -> Any:
    """Copy ruamel's round-trip types into plain Python so none leak into the frozen Scenario."""
    if isinstance(node, dict):
        return {_plain(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, ScalarBoolean):
        return bool(node)
    if isinstance(node, bool) or node is None:
        return node
    for kind in (int, float, str):
        if isinstance(node, kind):
            return kind(node)
    return node


def _without_knock_on_errors(errors: list[Any]) -> list[Any]:
    """Drop 'too short' errors on a list whose items already failed (they only repeat them)."""
    locs = [tuple(err["loc"]) for err in errors]

    def is_knock_on(err: Any) -> bool:
        loc = tuple(err["loc"])
        return err["type"] == "too_short" and any(
            len(other) > len(loc) and other[: len(loc)] == loc for other in locs
        )

    return [err for err in errors if not is_knock_on(err)]


def _problem(err: Any, tree: CommentedMap, filename: str) -> ScenarioProblem:
    """Translate one pydantic error into a located, plain-words problem."""
    loc: Loc = tuple(err["loc"])
    kind: str = err["type"]
    value = err["input"]
    annotation, info = _schema_at(loc)
    at_key = kind in {"extra_forbidden", "invalid_key"}
    if annotation is RegimeSettings and kind == "value_error":
        loc, value = _unknown_preset_target(tree, loc, value)
    line, column = _position(tree, loc, at_key=at_key)
    key = ".".join(str(part) for part in loc) or None
    message = _message(err, kind, loc, value, annotation, info)
    return ScenarioProblem(message, filename, line + 1, column + 1, key)


def _message(
    err: Any, kind: str, loc: Loc, value: Any, annotation: Any, info: FieldInfo | None
) -> str:
    """The plain-words explanation of one error, with what would have been accepted."""
    if kind == "extra_forbidden":
        return _unknown_key_message(str(loc[-1]), _schema_at(loc[:-1])[0])
    if kind == "invalid_key":
        return f"key {_show(loc[-1])} is not a name; keys must be text"
    if kind == "missing":
        return f"missing required key {loc[-1]!r}"
    if kind in _RANGE_ERRORS and info is not None:
        unit = _unit(info)
        suffix = f" ({unit})" if unit else ""
        return f"value {_show(value)} is out of range: allowed {_range(info)}{suffix}"
    if kind == "literal_error" and info is not None and get_origin(info.annotation) is Literal:
        return _choice_message(value, [str(c) for c in get_args(info.annotation)])
    unknown_preset = isinstance(value, str) and value not in PRESETS
    if kind == "value_error" and annotation is RegimeSettings and unknown_preset:
        return _choice_message(value, sorted(PRESETS), what="regime preset")
    if kind in _EXPECTED:
        expected = _EXPECTED[kind]
        if annotation is RegimeSettings:
            expected = f"a preset name ({', '.join(sorted(PRESETS))}) or {expected}"
        return f"expected {expected}, found {_describe(value)}"
    if kind == "too_short":
        need = err["ctx"]["min_length"]
        return f"needs at least {need} {'item' if need == 1 else 'items'}, found none"
    if kind == "string_too_short":
        return "must not be empty"
    ctx = err.get("ctx") or {}
    return str(ctx["error"]) if "error" in ctx else str(err["msg"])


def _unknown_key_message(key: str, model: Any) -> str:
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


def _choice_message(value: Any, choices: list[str], what: str = "choice") -> str:
    """Say the value is not one of ``choices``, suggesting the closest one."""
    message = f"{_show(value)} is not an allowed {what}"
    close = difflib.get_close_matches(str(value), choices, n=1)
    if close:
        message += f"; did you mean {close[0]!r}?"
    return f"{message} (choices: {', '.join(repr(c) for c in choices)})"


def _unknown_preset_target(tree: CommentedMap, loc: Loc, value: Any) -> tuple[Loc, Any]:
    """Point an unknown ``regime: {preset: ...}`` at the preset value rather than the section."""
    node = _node(tree, loc)
    if isinstance(node, CommentedMap) and "preset" in node and node["preset"] not in PRESETS:
        return (*loc, "preset"), _plain(node["preset"])
    return loc, value


def _schema_at(loc: Loc) -> tuple[Any, FieldInfo | None]:
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


def _range(info: FieldInfo) -> str:
    """The field's bounds as ``0 < x <= 1``, read from its declared constraints."""
    lower = upper = ""
    for bound in info.metadata:
        if isinstance(bound, annotated_types.Ge):
            lower = f"{_show(bound.ge)} <= "
        elif isinstance(bound, annotated_types.Gt):
            lower = f"{_show(bound.gt)} < "
        elif isinstance(bound, annotated_types.Le):
            upper = f" <= {_show(bound.le)}"
        elif isinstance(bound, annotated_types.Lt):
            upper = f" < {_show(bound.lt)}"
    return f"{lower}x{upper}"


def _unit(info: FieldInfo) -> str | None:
    """The unit declared with :func:`~edsim.scenario.fields.param`, if any."""
    extra = info.json_schema_extra
    unit = extra.get("unit") if isinstance(extra, dict) else None
    return str(unit) if unit is not None else None


def _node(tree: CommentedMap, loc: Loc) -> Any:
    """The YAML node at ``loc``, or None where the path leaves the file."""
    node: Any = tree
    for part in loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def _position(tree: CommentedMap, loc: Loc, *, at_key: bool) -> tuple[int, int]:
    """0-based (line, column) in the YAML for the error at ``loc``.

    A bad scalar points at the value; an unknown key (``at_key``), an empty value or a bad
    section points at its key; a path that leaves the file (a missing key) points at the
    nearest existing ancestor's key, where the user has to add it.
    """
    key_pos: tuple[int, int] = (tree.lc.line, tree.lc.col)
    value_pos = key_pos
    node: Any = tree
    for part in loc:
        try:
            if isinstance(node, CommentedMap):
                key_pos, value_pos = node.lc.key(part), node.lc.value(part)
            elif isinstance(node, CommentedSeq) and isinstance(part, int):
                key_pos = value_pos = node.lc.item(part)
            else:
                return key_pos
        except (KeyError, IndexError, TypeError):  # absent, or only present via a YAML merge
            return key_pos
        node = node[part]
    if at_key or node is None or isinstance(node, CommentedMap | CommentedSeq):
        return key_pos
    return value_pos


def _show(value: Any) -> str:
    """A value as the user would write it in YAML."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return repr(value)
    return str(value)


def _describe(value: Any) -> str:
    """What kind of YAML value was found, for type errors."""
    if value is None:
        return "an empty value (null)"
    if isinstance(value, bool):
        return f"the true/false value {_show(value)}"
    if isinstance(value, int | float):
        return f"the number {_show(value)}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, dict):
        return "a mapping of keys"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__} ({value})"
