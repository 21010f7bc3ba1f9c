"""Problems in an experiment file, located at the line and column the user wrote."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

from edsim.errors import ScenarioProblem
from edsim.scenario.provenance import Layer, Source, dotted

__all__ = ["problem_at", "unknown_choice"]


def problem_at(
    layer: Layer,
    loc: tuple[Any, ...],
    message: str,
    *,
    fallback: Source | None = None,
    at_key: bool = False,
) -> ScenarioProblem:
    """A problem at the value (or, with ``at_key``, the key) ``loc`` names.

    Where ``loc`` itself was not written (a missing key), the nearest written parent is used,
    then ``fallback``.
    """
    source = fallback
    for depth in range(len(loc), 0, -1):
        if loc[:depth] in layer.marks:
            source = layer.marks[loc[:depth]]
            break
    position = (source.key if at_key else source.value or source.key) if source else None
    line, column = position or (None, None)
    return ScenarioProblem(
        message, source.file if source else None, line, column, dotted(loc) or None
    )


def unknown_choice(what: str, value: str, allowed: Sequence[str]) -> str:
    """``unknown <what> 'x'`` with the closest allowed value, or the list of them."""
    close = difflib.get_close_matches(value, list(allowed), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else f"; allowed: {', '.join(allowed)}"
    return f"unknown {what} {value!r}{hint}"
