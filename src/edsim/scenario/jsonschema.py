"""The JSON Schema of a scenario *file*, for editors and for checking files without Python.

The pydantic model describes a validated :class:`~edsim.scenario.schema.Scenario`, but a file may
say things the model never holds: ``extends:`` (a parent scenario) and a ``regime:`` given as a
preset name or as a mapping with a ``preset:`` key. Editors using the YAML language server
(``# yaml-language-server: $schema=...``) understand draft-07 best, where ``$ref`` must stand
alone and definitions live under ``definitions``. This module adapts the model's own schema, so
bounds, defaults, units and sources are declared once (with :func:`~edsim.scenario.fields.param`)
and the file stays in step with the code; a test compares the committed copy with it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel
from pydantic_core import to_jsonable_python

from edsim.scenario.regime import PRESETS
from edsim.scenario.schema import Scenario

__all__ = ["DRAFT_07", "render_json_schema", "scenario_json_schema", "write_json_schema"]

#: The dialect editors support most widely (the YAML language server validates with it).
DRAFT_07 = "http://json-schema.org/draft-07/schema#"

_PYDANTIC_DEFS = "#/$defs/"
_DRAFT_07_DEFS = "#/definitions/"

#: Keys whose values are data (defaults, choices), not subschemas: never rewritten.
_DATA_KEYS = frozenset({"default", "enum", "const", "examples"})

_TITLE = "edsim scenario"
_DESCRIPTION = (
    "A scenario file for edsim, the agent-based simulator of research evidence flowing between "
    "policymakers, researchers, schools and pupils. Every key is optional: anything not written "
    "takes the documented default (or the parent's value, with 'extends'). Parameter reference: "
    "docs/scenarios.md."
)
_EXTENDS_DESCRIPTION = (
    "Start from another scenario and change only what this file writes: a shipped scenario's "
    "name (such as 'england' or 'small') or a path to a YAML file, relative to this file."
)
_PRESET_DESCRIPTION = (
    "A named theory of change whose mechanism settings are applied first; keys written next to "
    "it override them. Choices: {choices}."
)


def scenario_json_schema() -> dict[str, Any]:
    """The draft-07 JSON Schema that a scenario YAML file must satisfy.

    Beyond the pydantic model it allows a top-level ``extends`` and the ``regime`` shorthands
    (a preset name, or a mapping with ``preset``). It keeps the model's bounds and its
    ``additionalProperties: false`` (so an editor flags a misspelt key), adds the unit and
    source to every description (editors show descriptions, not custom keys), and fills in the
    defaults pydantic leaves out for lists built by a factory.

    Model validators that compare several fields (unique intervention names, trial sizes in
    order, some positive policy-response weight) cannot be expressed here; the loader still
    checks them.

    Returns:
        A new mapping with every object's keys sorted, so its serialisation is stable.
    """
    schema = Scenario.model_json_schema(mode="validation")
    definitions: dict[str, Any] = schema.pop("$defs")
    models = _models_by_name(Scenario)
    for name, definition in definitions.items():
        _complete_properties(definition, models[name])
    _complete_properties(schema, Scenario)
    _allow_regime_shorthands(schema, definitions["RegimeSettings"])
    schema["properties"]["extends"] = {
        "description": _EXTENDS_DESCRIPTION,
        "minLength": 1,
        "title": "Extends",
        "type": "string",
    }
    schema.update(
        {
            "$schema": DRAFT_07,
            "title": _TITLE,
            "description": _DESCRIPTION,
            "definitions": definitions,
        }
    )
    result: dict[str, Any] = _sorted(_draft_07_refs(schema))
    return result


def render_json_schema() -> str:
    """The schema as committed to ``docs/scenario.schema.json``: 2-space indent, final newline.

    Keys are sorted and non-ASCII characters (``§``, ``£``) are kept, so the file reads well in a
    diff and is byte-for-byte reproducible.
    """
    return json.dumps(scenario_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_json_schema(path: str | os.PathLike[str]) -> None:
    """Write the scenario schema to ``path`` (UTF-8, Unix line ends), creating its folder.

    Args:
        path: Where to write, conventionally ``docs/scenario.schema.json``.

    Raises:
        OutputError: The file or its folder cannot be written (a directory is in the way, a
            read-only or virtual file system such as ``/proc``).
    """
    from edsim.io import ensure_writable_dir, write_atomically  # pandas: only when writing

    target = Path(path)
    ensure_writable_dir(target.parent)
    text = render_json_schema()
    write_atomically(target, lambda tmp: tmp.write_text(text, encoding="utf-8", newline="\n"))


def _models_by_name(model: type[BaseModel]) -> dict[str, type[BaseModel]]:
    """Every model reachable from ``model``, keyed by the name pydantic gives its definition."""
    found = {model.__name__: model}
    for field in model.model_fields.values():
        for candidate in (field.annotation, *get_args(field.annotation)):
            is_model = isinstance(candidate, type) and issubclass(candidate, BaseModel)
            if is_model and candidate.__name__ not in found:
                found.update(_models_by_name(candidate))
    return found


def _complete_properties(definition: dict[str, Any], model: type[BaseModel]) -> None:
    """Add factory defaults and put unit and source into each property's description."""
    for name, prop in definition.get("properties", {}).items():
        field = model.model_fields[name]
        if "default" not in prop and field.default_factory is not None:
            value = field.get_default(call_default_factory=True)
            prop["default"] = to_jsonable_python(value)
        if "unit" in prop or "source" in prop:
            notes = "; ".join(f"{key}: {prop[key]}" for key in ("unit", "source") if key in prop)
            prop["description"] = f"{prop.get('description', '')} [{notes}]".strip()
        target = _target_model(field.annotation)
        if "description" not in prop and target is not None and target.__doc__:
            summary = " ".join(target.__doc__.split())
            prop["description"] = f"A list; each item: {summary}" if "items" in prop else summary


def _target_model(annotation: Any) -> type[BaseModel] | None:
    """The model a field refers to, looking inside ``tuple[Model, ...]``."""
    for candidate in (annotation, *get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _allow_regime_shorthands(schema: dict[str, Any], regime: dict[str, Any]) -> None:
    """Let ``regime`` be a preset name, or a mapping whose optional ``preset`` comes first.

    ``RegimeSettings`` accepts both (its ``before`` validator expands them) but its generated
    schema only knows the expanded mapping, which would make an editor flag every shipped file.
    """
    choices = sorted(PRESETS)
    preset_description = _PRESET_DESCRIPTION.format(choices=", ".join(choices))
    regime["properties"]["preset"] = {
        "description": preset_description,
        "enum": choices,
        "title": "Preset",
        "type": "string",
    }
    regime["description"] = (
        f"{regime['description']} Either a preset name, or a mapping of settings with an "
        "optional 'preset' they override."
    )
    prop = schema["properties"]["regime"]
    schema["properties"]["regime"] = {
        "anyOf": [
            {
                "description": "A preset name alone, the same as a mapping with only 'preset'. "
                f"Choices: {', '.join(choices)}.",
                "enum": choices,
                "type": "string",
            },
            {"$ref": prop["$ref"]},
        ],
        "default": prop["default"],
        "description": regime["description"],
        "title": "Regime",
    }


def _draft_07_refs(node: Any) -> Any:
    """Point ``$ref`` at ``#/definitions/`` and wrap any ``$ref`` that has sibling keywords.

    Draft-07 ignores everything next to a ``$ref``, so ``{"$ref": ..., "default": ...}`` would
    lose its default and description; ``{"allOf": [{"$ref": ...}], "default": ...}`` keeps them.
    """
    if isinstance(node, list):
        return [_draft_07_refs(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {
        key: value if key in _DATA_KEYS else _draft_07_refs(value) for key, value in node.items()
    }
    ref = out.pop("$ref", None)
    if ref is None:
        return out
    if isinstance(ref, str) and ref.startswith(_PYDANTIC_DEFS):
        ref = _DRAFT_07_DEFS + ref.removeprefix(_PYDANTIC_DEFS)
    if not out:
        return {"$ref": ref}
    return {"allOf": [{"$ref": ref}], **out}


def _sorted(node: Any) -> Any:
    """A copy with every mapping's keys sorted (list order is meaningful and kept)."""
    if isinstance(node, dict):
        return {key: _sorted(node[key]) for key in sorted(node)}
    if isinstance(node, list):
        return [_sorted(item) for item in node]
    return node
