"""Show a resolved scenario as annotated YAML, and list the parameters two scenarios differ in.

Both answer the analyst's question "what exactly will this run use, and why?": ``edsim show``
prints every parameter with the file and line (or ``--set``, or ``default``) it came from, and
``edsim diff`` lists only the parameters that differ, with where each side's value came from.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from edsim.scenario.provenance import Loc, dotted
from edsim.scenario.resolve import Resolved

__all__ = ["Difference", "differences", "render_with_origins", "yaml_scalar"]

#: Origin comments start at this column or two spaces after the value, whichever is later, so
#: short lines line up without one long description pushing every comment off screen.
_COMMENT_COLUMN = 48


@dataclass(frozen=True)
class Difference:
    """One parameter whose value differs between two scenarios.

    Attributes:
        key: Dotted path of the parameter.
        a: Its value in the first scenario as YAML text (for a list of a different length
            than the second's: its number of items).
        b: Its value in the second scenario, likewise.
        origin_a: Where the first scenario's value came from.
        origin_b: Where the second scenario's value came from.
    """

    key: str
    a: str
    b: str
    origin_a: str
    origin_b: str


def render_with_origins(resolved: Resolved) -> str:
    """The resolved scenario as YAML, each value followed by a comment saying where it came from.

    The YAML loads back (comments and all) to the same scenario, so the output can be saved and
    edited as a self-contained scenario file.

    Args:
        resolved: A scenario and the origin of each parameter.

    Returns:
        The YAML text, ending with a newline.
    """
    source = " -> ".join(resolved.chain) if resolved.chain else "the built-in default scenario"
    rows: list[tuple[str, str | None]] = [
        (f"# Resolved scenario: {source}", None),
        ("# Each value's comment says where it came from: file:line, --set, or default.", None),
    ]

    def origin(loc: Loc) -> str:
        return resolved.origin[dotted(loc)]

    _emit(resolved.scenario.model_dump(mode="json"), (), 0, rows, origin)
    lines = []
    for text, comment in rows:
        if comment is None:
            lines.append(text)
        else:
            lines.append(f"{text.ljust(_COMMENT_COLUMN - 2)}  # {comment}")
    return "\n".join(lines) + "\n"


def differences(a: Resolved, b: Resolved) -> list[Difference]:
    """The leaf parameters whose values differ between two resolved scenarios.

    Args:
        a: The first scenario.
        b: The second scenario.

    Returns:
        One entry per differing parameter, in the first scenario's order. Lists of different
        lengths (two intervention catalogues) get one entry giving both lengths, with the origin
        of each list's first value, instead of one entry per value of every extra item; their
        common items are compared value by value.
    """
    values_a, values_b = a.values(), b.values()
    lengths_a, lengths_b = _list_lengths(values_a), _list_lengths(values_b)
    uneven = [key for key in lengths_a if lengths_a[key] != lengths_b.get(key)]
    found: list[Difference] = []
    for key in [*values_a, *(k for k in values_b if k not in values_a)]:
        listed = next((k for k in uneven if key == k or key.startswith(f"{k}.")), None)
        if listed is not None and listed not in (d.key for d in found):
            first_a = next(k for k in values_a if k == listed or k.startswith(f"{listed}."))
            first_b = next(k for k in values_b if k == listed or k.startswith(f"{listed}."))
            count_a, count_b = _items(lengths_a[listed]), _items(lengths_b[listed])
            found.append(Difference(listed, count_a, count_b, a.origin[first_a], b.origin[first_b]))
        if key in values_a and key in values_b and values_a[key] != values_b[key]:
            shown_a, shown_b = yaml_scalar(values_a[key]), yaml_scalar(values_b[key])
            found.append(Difference(key, shown_a, shown_b, a.origin[key], b.origin[key]))
    return found


def yaml_scalar(value: Any) -> str:
    """One leaf value as YAML text that reads back as the same value on a line of its own.

    Text is written plain where that is unambiguous and double-quoted otherwise (text that
    looks like a number, contains ``: `` or `` #``, spans lines, ...).
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        return repr(value) if math.isfinite(value) else ("-.inf" if value < 0 else ".inf")
    if isinstance(value, str):
        return value if _reads_back_plain(value) else json.dumps(value)
    if isinstance(value, list | tuple):
        return "[]"
    return "{}"


def _reads_back_plain(text: str) -> bool:
    """Whether ``key: text  # comment`` reads back as exactly ``text``."""
    if not text or "\n" in text or text != text.strip():
        return False
    try:
        loaded = YAML(typ="safe", pure=True).load(f"key: {text}  # comment")
    except YAMLError:  # any YAML error just means the text needs quoting
        return False
    return isinstance(loaded, dict) and loaded.get("key") == text


def _emit(
    value: Any,
    path: Loc,
    indent: int,
    rows: list[tuple[str, str | None]],
    origin: Callable[[Loc], str],
) -> None:
    """Append the block-style YAML lines for ``value``; leaves carry their origin."""
    pad = " " * indent
    if isinstance(value, dict):
        for key, item in value.items():
            here = (*path, key)
            if _is_leaf(item):
                rows.append((f"{pad}{key}: {yaml_scalar(item)}", origin(here)))
            else:
                rows.append((f"{pad}{key}:", None))
                _emit(item, here, indent + 2, rows, origin)
        return
    for index, item in enumerate(value):
        here = (*path, index)
        if _is_leaf(item):
            rows.append((f"{pad}- {yaml_scalar(item)}", origin(here)))
            continue
        first = len(rows)
        _emit(item, here, indent + 2, rows, origin)
        text, comment = rows[first]
        rows[first] = (f"{pad}- {text[indent + 2 :]}", comment)


def _list_lengths(values: dict[str, Any]) -> dict[str, int]:
    """The number of items of every list, by dotted path, from flattened values."""
    lengths: dict[str, int] = {key: 0 for key, value in values.items() if value == []}
    for key in values:
        parts = key.split(".")
        for depth, part in enumerate(parts[1:], start=1):
            if part.isdigit():
                prefix = ".".join(parts[:depth])
                lengths[prefix] = max(lengths.get(prefix, 0), int(part) + 1)
    return lengths


def _items(count: int) -> str:
    return "1 item" if count == 1 else f"{count} items"


def _is_leaf(value: Any) -> bool:
    return not isinstance(value, dict | list) or not value
