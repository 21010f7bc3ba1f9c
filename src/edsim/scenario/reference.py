"""The parameter reference (``docs/scenarios.md``), generated from the scenario schema.

Analysts choose values from this page, so it must never drift from the code: every row is read
from the pydantic fields (default, bounds, unit, source as declared with
:func:`~edsim.scenario.fields.param`) and a test compares the committed page with
:func:`parameter_reference`. Sources starting with "uncertain" are marked, because those are the
parameters a sensitivity analysis should sweep first.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from edsim.scenario.fields import bounds
from edsim.scenario.regime import PRESETS
from edsim.scenario.schema import Scenario

__all__ = ["parameter_reference", "write_reference"]

_REGENERATE = "edsim schema --out docs/scenario.schema.json --markdown docs/scenarios.md"
_HEADER = ("Key", "Default", "Allowed", "Unit", "Description", "Source")

_REGIME_FORMS = (
    "`regime` may also be just a preset name (`regime: linkage_exchange`). In a mapping, "
    "`preset` applies the preset first and the keys written next to it override it."
)
_PRESET_ROW = (
    "`regime.preset`",
    "—",
    ", ".join(f"`{name}`" for name in sorted(PRESETS)),
    "—",
    "Preset whose settings are applied first (see the presets below).",
    "—",
)

_INTRO = """\
# Scenarios

<!-- Generated from src/edsim/scenario by `{regenerate}`; do not edit by hand. -->

A scenario is a YAML file describing one simulated England: its schools and pupils, how schools
implement evidence, the hidden truth about what works, the trials, the policymaker and the
regime (the theory of change). `edsim validate FILE` checks a file without running it; every
mistake is reported with its line, key and what is allowed.

## Writing a scenario

- **Everything is optional.** A key not written takes the default listed below, so an empty
  file is the default England scenario. Without `name`, the scenario is named after its file.
- **`extends:`** starts from another scenario and changes only what this file writes:
  a shipped scenario by name (`extends: england` always means the shipped `scenarios/england.yaml`;
  write `./england.yaml` for a sibling file) or a YAML file by path,
  relative to this file.
- **`regime:`** is a preset name ({presets})
  or a mapping of regime settings, optionally with `preset:`, whose settings the others
  override; see [Regime presets](#regime-presets).
- **`--set key.path=value`** on the command line changes one parameter without editing the
  file, using the dotted key paths of the tables below, e.g. `--set truth.heterogeneity=0.0`;
  a list item is named by its number, e.g. `--set interventions.0.months=3`.
- **`edsim show FILE`** prints the resolved scenario and where each value came from
  (default, file and line, or `--set`); **`edsim diff A B`** lists the parameters that differ.
- **Editors.** With this comment as the file's first line (the path is relative to the file),
  editors using the YAML language server (such as VS Code's YAML extension) complete keys,
  show each parameter's description, unit and source, and flag unknown keys and values out
  of range:

```yaml
# yaml-language-server: $schema=../docs/scenario.schema.json
extends: england
name: england_no_feedback
description: England under linkage and exchange, without feedback from practice
regime:
  preset: linkage_exchange
  feedback:
    mode: none
truth:
  heterogeneity: 0.0
```

The JSON Schema is `docs/scenario.schema.json`. A list written in a file (`regions`,
`interventions`, `policy.pupil_premium`) replaces the whole list it would otherwise inherit; in
the tables the keys of its items are written `regions[].name`. A source marked **uncertain** is
a judgement rather than a measurement ({uncertain} of the {total} parameters): sweep those
first in sensitivity analyses.

## Parameters
"""


def parameter_reference() -> str:
    """The Markdown of ``docs/scenarios.md``: how to write a scenario, then every parameter.

    Sections follow the schema's field order; each lists its parameters with dotted key path,
    default, allowed range, unit, description and source, and list-valued sections show their
    default rows (regions, Pupil Premium schedule, intervention catalogue). The regime section
    shows what each preset fixes.

    Returns:
        The page, ending in one newline; the same on every call.
    """
    fields = list(_leaf_fields(Scenario, ""))
    uncertain = sum(_is_uncertain(_extra(info).get("source", "")) for _, info in fields)
    intro = _INTRO.format(
        regenerate=_REGENERATE,
        presets=", ".join(f"`{name}`" for name in sorted(PRESETS)),
        uncertain=uncertain,
        total=len(fields),
    )
    lines = [intro, "### Top level", ""]
    extends = (
        "`extends`",
        "—",
        "text",
        "—",
        "Parent scenario: a shipped name or a file path.",
        "—",
    )
    lines += _table(_HEADER, [extends, *_model_rows(Scenario, "")])
    for name, info in Scenario.model_fields.items():
        lines += _section(name, info, depth=3)
    return "\n".join(lines).rstrip("\n") + "\n"


def write_reference(path: str | os.PathLike[str]) -> None:
    """Write :func:`parameter_reference` to ``path`` (UTF-8, Unix line ends).

    Args:
        path: Where to write, conventionally ``docs/scenarios.md``.

    Raises:
        OutputError: The file or its folder cannot be written (a directory is in the way, a
            read-only or virtual file system such as ``/proc``).
    """
    from edsim.io import ensure_writable_dir, write_atomically  # pandas: only when writing

    target = Path(path)
    ensure_writable_dir(target.parent)
    text = parameter_reference()
    write_atomically(target, lambda tmp: tmp.write_text(text, encoding="utf-8", newline="\n"))


def _section(path: str, info: FieldInfo, depth: int) -> list[str]:
    """A heading, table and subsections for a nested model or list field; nothing for a scalar."""
    model = _model_of(info.annotation)
    if model is None:
        return []
    listed = model is not info.annotation
    heading = f"{'#' * depth} `{path}`"
    summary = " ".join((model.__doc__ or "").split())
    prefix = f"{path}[]." if listed else f"{path}."
    lines = [heading, ""]
    if listed:
        about = f"{info.description} " if info.description else ""
        need = _min_length(info)
        lines += [f"{about}A list of at least {need} {_noun(need)}. Each item: {summary}", ""]
    else:
        lines += [summary, ""]
    rows = _model_rows(model, prefix)
    if path == "regime":
        lines += [_REGIME_FORMS, ""]
        rows.insert(0, _PRESET_ROW)
    lines += _table(_HEADER, rows)
    if path == "regime":
        lines += _regime_presets()
    if listed:
        lines += [f"Default `{path}`:", ""]
        lines += _defaults_table(model, info.get_default(call_default_factory=True))
    for name, sub in model.model_fields.items():
        lines += _section(f"{prefix}{name}", sub, depth + 1)
    return lines


def _model_rows(model: type[BaseModel], prefix: str) -> list[tuple[str, ...]]:
    """One table row per scalar field of ``model`` (nested models get their own sections)."""
    return [
        _row(f"{prefix}{name}", info)
        for name, info in model.model_fields.items()
        if _model_of(info.annotation) is None
    ]


def _row(path: str, info: FieldInfo) -> tuple[str, ...]:
    """Key, default, allowed values, unit, description and source of one parameter."""
    extra = _extra(info)
    default = "required" if info.is_required() else _code(info.get_default())
    source = extra.get("source")
    return (
        f"`{path}`",
        default,
        _allowed(info),
        _cell(extra["unit"]) if "unit" in extra else "—",
        _cell(info.description or ""),
        _source(source) if source else "—",
    )


def _regime_presets() -> list[str]:
    """The settings each regime preset fixes, one column per preset."""
    presets = sorted(PRESETS)
    flat = {preset: _flatten(PRESETS[preset], "regime.") for preset in presets}
    paths: dict[str, None] = {}
    for preset in presets:
        paths.update(dict.fromkeys(flat[preset]))
    rows = [(f"`{path}`", *(_code(flat[p].get(path)) for p in presets)) for path in paths]
    lines = [
        "#### Regime presets",
        "",
        "Each preset fixes the same settings, so switching preset leaves nothing of the old "
        "regime; every other regime setting keeps its value. The model never reads the name: "
        "identical settings under two names give identical results.",
        "",
    ]
    return lines + _table(("Setting", *(f"`{p}`" for p in presets)), rows)


def _flatten(mapping: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    """A nested mapping as dotted paths to its leaves."""
    flat: dict[str, Any] = {}
    for key, value in mapping.items():
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _defaults_table(model: type[BaseModel], items: Any) -> list[str]:
    """The default rows of a list field, one column per item key."""
    names = list(model.model_fields)
    dumped = [item.model_dump(mode="json") for item in items]
    rows = [tuple(_plain(item[name]) for name in names) for item in dumped]
    return _table(tuple(f"`{name}`" for name in names), rows)


def _allowed(info: FieldInfo) -> str:
    """The values a field accepts, as a reader would write the condition."""
    annotation = info.annotation
    if get_origin(annotation) is Literal:
        return ", ".join(f"`{choice}`" for choice in get_args(annotation))
    if annotation is bool:
        return "`true`/`false`"
    if annotation is str:
        return "non-empty text" if _min_length(info) else "text"
    low, high = bounds(info)
    lower = f"{_number(low[0])} {'≤' if low[1] else '<'} " if low else ""
    upper = f" {'≤' if high[1] else '<'} {_number(high[0])}" if high else ""
    if lower and not upper:
        condition = f"{'≥' if '≤' in lower else '>'} {lower.split()[0]}"
    elif upper and not lower:
        condition = upper.strip()
    else:
        condition = f"{lower}x{upper}" if lower or upper else ""
    kind = "whole number" if annotation is int else "number"
    return f"{kind}, `{condition}`" if condition else kind


def _leaf_fields(model: type[BaseModel], prefix: str) -> Iterator[tuple[str, FieldInfo]]:
    """Every scalar parameter reachable from ``model``, as (dotted path, field)."""
    for name, info in model.model_fields.items():
        sub = _model_of(info.annotation)
        if sub is None:
            yield f"{prefix}{name}", info
        else:
            listed = sub is not info.annotation
            yield from _leaf_fields(sub, f"{prefix}{name}{'[]' if listed else ''}.")


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The model of a nested section, or the item model of a ``tuple[Model, ...]`` list."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    args = get_args(annotation)
    if get_origin(annotation) is tuple and args and isinstance(args[0], type):
        return args[0] if issubclass(args[0], BaseModel) else None
    return None


def _extra(info: FieldInfo) -> dict[str, Any]:
    """The unit and source declared with ``param`` (empty for other fields)."""
    extra = info.json_schema_extra
    return dict(extra) if isinstance(extra, dict) else {}


def _min_length(info: FieldInfo) -> int:
    """A string or list field's declared minimum length (0 if none)."""
    for item in info.metadata:
        if isinstance(item, annotated_types.MinLen):
            return int(item.min_length)
    return 0


def _noun(count: int) -> str:
    """'item' or 'items' to agree with ``count``."""
    return "item" if count == 1 else "items"


def _is_uncertain(source: str) -> bool:
    """Whether a source says the default is a judgement rather than a measurement."""
    return source.lower().startswith("uncertain")


def _source(source: str) -> str:
    """The source cell, with an uncertain source marked in bold."""
    if _is_uncertain(source):
        return "**uncertain**" + _cell(source[len("uncertain") :])
    return _cell(source)


def _code(value: Any) -> str:
    """A value as it would be written in YAML, in a code span."""
    return f"`{_plain(value)}`"


def _plain(value: Any) -> str:
    """A value as it would be written in YAML."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _number(value)
    if value == "":
        return '""'
    return _cell(str(value))


def _number(value: Any) -> str:
    """A number without a spurious ``.0`` or exponent (``100000000``, not ``1e+08``)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    """A Markdown table, with a blank line after it."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]
