"""The description of a scenario that extends another and writes none of its own.

A description says what a scenario represents. Inheriting the parent's text would describe the
parent instead: a variant of ``small`` ("England at ~1% scale ... under disseminate-to") that
switches to linkage and exchange is not what that text says. So, walking an ``extends:`` chain
from its root down, a document that writes no ``description`` but changes something is
described as its parent plus what it changes (``small with regime linkage_exchange``), with
its origin at its ``extends:`` line; a document that changes nothing (only ``extends:`` and a
``name``) is the same scenario and keeps the text it inherits.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from edsim.scenario.provenance import Layer, Source, dotted, leaves, value_at

__all__ = ["derived_description"]

#: Changes listed by name before the rest are counted.
_LISTED = 3

#: Keys that name or describe a document rather than change the scenario.
_NOT_CHANGES = ("name", "description")


def derived_description(
    chain: Sequence[tuple[Layer, str, Source | None]],
) -> tuple[str, Source] | None:
    """The description a chain's first document gets, when it must be derived.

    Args:
        chain: Each document's own layer (``extends:`` removed, presets expanded, ``name``
            kept), its label, and the source of its ``extends:`` entry (None for the root);
            the extending document first, its root parent last.

    Returns:
        The text and its origin, or None when a document writes the description that applies
        (or nothing in the chain changes its parent), so the merged one stands.
    """
    derived: tuple[str, Source] | None = None
    parent: str | None = None
    for layer, label, extends in reversed(chain):
        if "description" in layer.data:
            derived = None  # its own words stand
        elif parent is not None and extends is not None:
            changes = _changes(layer)
            if changes:
                derived = (f"{parent} with {changes}", extends)
        name = layer.data.get("name")
        parent = name if isinstance(name, str) and name else Path(label).stem
    return derived


def _changes(layer: Layer) -> str:
    """What a document changes, in a few words: the regime it switches to, then the keys."""
    keys: list[str] = []
    regime = value_at(layer.data, ("regime", "name"))
    named = isinstance(regime, str)
    if named:
        keys.append(f"regime {regime}")
    for loc, value in leaves(layer.data):
        if not loc or loc[0] in _NOT_CHANGES or (named and loc[0] == "regime"):
            continue
        whole = next((i for i, part in enumerate(loc) if isinstance(part, int)), None)
        key = dotted(loc[:whole]) if whole is not None else f"{dotted(loc)}={value}"
        if key not in keys:
            keys.append(key)
    if len(keys) > _LISTED + 1:
        keys = [*keys[:_LISTED], f"{len(keys) - _LISTED} more changes"]
    return ", ".join(keys)
