"""Scenario data that remembers where every value was written, and merging it.

A scenario can be assembled from several places: a chain of files joined by ``extends:``, regime
presets, and ``--set`` on the command line. An analyst looking at a surprising value needs to
know which of those set it, and an error must point at the file and line the bad value came
from. So each source is read into a :class:`Layer`: the plain data, plus a :class:`Source` for
every key and list item in it, keyed by its path (``("population", "disadvantaged_share")``).
Layers are merged in order; the later one wins, and the sources travel with the values.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from edsim.scenario.regime import PRESETS, preset_mapping
from edsim.scenario.yaml_source import plain

__all__ = [
    "COMMAND_LINE",
    "DEFAULT",
    "Layer",
    "Loc",
    "Source",
    "dotted",
    "expand_regime_preset",
    "layer_from_tree",
    "leaves",
    "merge",
    "value_at",
]

#: A path into scenario data: mapping keys and list indices.
Loc = tuple[Any, ...]

#: The ``file`` of values given with ``--set``.
COMMAND_LINE = "<command line>"

#: The origin of a value no source set: the schema's default.
DEFAULT = "default"


@dataclass(frozen=True)
class Source:
    """Where one key or list item was written.

    Attributes:
        file: The file's label, or :data:`COMMAND_LINE`.
        key: 1-based ``(line, column)`` of the key (or list item); None where there is no
            position (``--set``, or a name taken from the file name).
        value: 1-based ``(line, column)`` of the value, where errors in a scalar point.
    """

    file: str
    key: tuple[int, int] | None = None
    value: tuple[int, int] | None = None

    def __str__(self) -> str:
        """The origin as ``show`` and ``diff`` print it.

        ``file:line``, ``--set``, or ``file (file name)`` for a name taken from the file's stem.
        """
        if self.file == COMMAND_LINE:
            return "--set"
        if self.key is None:
            return f"{self.file} (file name)"
        return f"{self.file}:{self.key[0]}"


@dataclass
class Layer:
    """Scenario data (plain dicts, lists and scalars) with the source of each path in it."""

    data: dict[Any, Any] = field(default_factory=dict)
    marks: dict[Loc, Source] = field(default_factory=dict)

    def without(self, loc: Loc) -> Layer:
        """A copy with the value at ``loc`` (a mapping key) and everything under it removed."""
        data = copy.deepcopy(self.data)
        parent = value_at(data, loc[:-1])
        if isinstance(parent, dict):
            parent.pop(loc[-1], None)
        marks = {m: s for m, s in self.marks.items() if m[: len(loc)] != loc}
        return Layer(data, marks)


def layer_from_tree(tree: CommentedMap, file: str) -> Layer:
    """The data of a parsed file with the position of every key and list item in it."""
    marks: dict[Loc, Source] = {}

    def walk(node: Any, path: Loc) -> None:
        if isinstance(node, CommentedMap):
            for key, item in node.items():
                here = (*path, plain(key))
                marks[here] = Source(
                    file, _one_based(node.lc.key(key)), _one_based(node.lc.value(key))
                )
                walk(item, here)
        elif isinstance(node, CommentedSeq):
            for index, item in enumerate(node):
                position = _one_based(node.lc.item(index))
                marks[(*path, index)] = Source(file, position, position)
                walk(item, (*path, index))

    walk(tree, ())
    return Layer(plain(tree), marks)


def merge(base: Layer, over: Layer) -> Layer:
    """``over`` merged onto ``base``: mappings merge key by key, anything else replaces.

    A list is replaced whole (an item-by-item merge of, say, the intervention catalogue would
    silently mix two catalogues). Sources follow the values: where ``over`` replaces a value,
    the sources of the old value and everything under it are dropped.
    """
    replaced: set[Loc] = set()
    data = _merge_data(base.data, over.data, (), replaced)
    kept = {
        loc: source
        for loc, source in base.marks.items()
        if not any(loc[:depth] in replaced for depth in range(1, len(loc) + 1))
    }
    return Layer(data, {**kept, **over.marks})


def expand_regime_preset(layer: Layer) -> Layer:
    """Replace a known regime preset name with the settings it stands for.

    ``regime: linkage_exchange`` and ``regime: {preset: linkage_exchange, ...}`` become the
    preset's settings (each sourced at the ``regime:`` or ``preset:`` key that chose it) with the
    layer's own regime keys merged over them. Expanding before layers are merged is what makes
    presets compose: a later layer's preset overwrites every mechanism setting (presets all fix
    the same ones) but keeps the earlier layers' other settings, such as a small scenario's
    broker capacity, exactly as switching the regime of a scenario in code does
    (:func:`~edsim.scenario.overrides.apply_overrides`).

    An unknown or non-text preset name is left in place, for validation to report with its
    location and the closest preset name.
    """
    regime = layer.data.get("regime")
    chosen_by: Loc = ("regime", "preset") if isinstance(regime, dict) else ("regime",)
    name = regime.get("preset") if isinstance(regime, dict) else regime
    if not (isinstance(name, str) and name in PRESETS):
        return layer
    rest = layer.without(chosen_by)
    source = layer.marks[chosen_by]
    settings = preset_mapping(name)
    marks = {("regime", *loc): source for loc, _ in _paths(settings, ())}
    marks[("regime",)] = layer.marks.get(("regime",), source)
    return merge(Layer({"regime": settings}, marks), rest)


def leaves(value: Any, path: Loc = ()) -> Iterator[tuple[Loc, Any]]:
    """Every leaf of dumped scenario data with its path (empty lists and mappings are leaves)."""
    if isinstance(value, dict) and value:
        for key, item in value.items():
            yield from leaves(item, (*path, key))
    elif isinstance(value, list | tuple) and value:
        for index, item in enumerate(value):
            yield from leaves(item, (*path, index))
    else:
        yield path, value


def dotted(loc: Loc) -> str:
    """A path as the user writes it: ``interventions.3.months``."""
    return ".".join(str(part) for part in loc)


def value_at(data: Any, loc: Loc, missing: Any = None) -> Any:
    """The value at ``loc`` in plain data, or ``missing`` where the path leaves it."""
    node = data
    for part in loc:
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if not (in_dict or in_list):
            return missing
        node = node[part]
    return node


def _merge_data(base: Any, over: dict[Any, Any], path: Loc, replaced: set[Loc]) -> dict[Any, Any]:
    merged = dict(base)
    for key, value in over.items():
        here = (*path, key)
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge_data(merged[key], value, here, replaced)
        else:
            merged[key] = copy.deepcopy(value)
            replaced.add(here)
    return merged


def _paths(value: Any, path: Loc) -> Iterator[tuple[Loc, Any]]:
    """Every path in a nested mapping, sections included."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*path, key), item
            yield from _paths(item, (*path, key))


def _one_based(position: tuple[int, int] | list[int]) -> tuple[int, int]:
    line, column = position
    return line + 1, column + 1
