"""The scenario layer's front door: a document in, a validated scenario or located problems out.

Everything outside :mod:`edsim.scenario` that turns YAML into a scenario goes through here: the
command line with a file and ``--set`` assignments, and an experiment file whose ``scenarios:``
hold scenario documents of their own. :class:`Document` is a YAML mapping read safely (see
:mod:`~edsim.scenario.yaml_source`) that remembers where each key and value was written, so a
problem anywhere, even in a scenario nested inside an experiment file, names that file's line;
:func:`resolve` turns one into a :class:`~edsim.scenario.resolve.Resolved` scenario. The
modules behind it (parsing, provenance, ``extends:`` chains, assignments, messages) are the
layer's own business, so they can change without touching their callers.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from edsim.errors import ScenarioError, ScenarioProblem
from edsim.scenario.provenance import Layer, Loc, Source, dotted, layer_from_tree, value_at
from edsim.scenario.resolve import Resolved, resolve_layer, resolve_scenario
from edsim.scenario.yaml_source import describe, parse_document, read_text

__all__ = ["Document", "resolve"]

_ABSENT = object()


@dataclass(frozen=True)
class Document:
    """A YAML mapping and where each of its keys and values was written.

    Build one with :meth:`read` (a file), :meth:`parse` (text) or :meth:`from_mapping` (plain
    data, with no positions); :meth:`embedded` gives a scenario written inside another document.

    Attributes:
        label: How problems name the document (a file's path as given, or a name for text).
        top: 1-based ``(line, column)`` where problems that no written value covers point.
        file: The file it was read from, if any.
        text: The YAML text it was parsed from (empty for plain data), kept so that what was
            read can be stored beside results and read again.
    """

    label: str
    layer: Layer = field(repr=False)
    top: tuple[int, int] = (1, 1)
    file: Path | None = None
    text: str = field(default="", repr=False)

    @classmethod
    def read(cls, path: str | os.PathLike[str], *, what: str = "scenario") -> Document:
        """Read a YAML file (only a regular file, at most 1 MiB, no tags or aliases).

        Args:
            path: The file; its path as given is its label in problems.
            what: What it should hold (``scenario``, ``experiment``), for the messages.

        Raises:
            ScenarioError: The file cannot be read, is not YAML 1.2, or is not a mapping.
        """
        label = os.fspath(path)
        text = read_text(Path(path), label, what)
        tree = parse_document(text, label, what)
        return cls(label, layer_from_tree(tree, label), file=Path(path), text=text)

    @classmethod
    def parse(cls, text: str, filename: str = "<string>", *, what: str = "scenario") -> Document:
        """Parse YAML text; ``filename`` names it in problems (and its folder holds parents)."""
        tree = parse_document(text, filename, what)
        return cls(filename, layer_from_tree(tree, filename), text=text)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], label: str = "<mapping>") -> Document:
        """Plain data built in code (no positions: problems name ``label`` and the key)."""
        return cls(label, Layer(copy.deepcopy(dict(data)), {}), top=(1, 1))

    @property
    def data(self) -> dict[Any, Any]:
        """The document's values as plain Python data (mappings, lists and scalars)."""
        return self.layer.data

    def problem(self, loc: Loc, message: str, *, at_key: bool = False) -> ScenarioProblem:
        """A problem at the value (or, with ``at_key``, the key) that ``loc`` names.

        Where ``loc`` itself was not written (a missing key), the nearest written parent is
        used, then the top of the document.
        """
        source = Source(self.label, self.top, self.top)
        for depth in range(len(loc), 0, -1):
            if loc[:depth] in self.layer.marks:
                source = self.layer.marks[loc[:depth]]
                break
        position = source.key if at_key else source.value or source.key
        line, column = position or (None, None)
        return ScenarioProblem(message, source.file, line, column, dotted(loc) or None)

    def embedded(self, loc: Loc, *, extends: Loc | None = None) -> Document:
        """The scenario written at ``loc`` in this document, keeping this document's positions.

        A mapping there is a scenario document; text is the path or shipped name of one (short
        for ``{extends: text}``, relative to this document's folder); an empty value is a
        scenario of defaults.

        Args:
            loc: Where the scenario is written (``("scenarios", "linkage_exchange")``).
            extends: Where a default parent is written (an experiment's ``base``), used when
                the scenario names none itself.

        Raises:
            ScenarioError: The value at ``loc`` is none of those (located at it).
        """
        value = value_at(self.data, loc, _ABSENT)
        source = self.layer.marks.get(loc, Source(self.label))
        if isinstance(value, str):
            layer = Layer({"extends": value}, {("extends",): source})
        elif value is None or value is _ABSENT:
            layer = Layer()
        elif isinstance(value, dict):
            inside = {m[len(loc) :]: s for m, s in self.layer.marks.items() if m[: len(loc)] == loc}
            inside.pop((), None)
            layer = Layer(copy.deepcopy(value), inside)
        else:
            message = (
                "must be a scenario (a mapping such as {regime: none}) or the path or shipped "
                f"name of one, found {describe(value)}"
            )
            raise ScenarioError(self.problem(loc, message))
        if extends is not None and "extends" not in layer.data:
            parent = value_at(self.data, extends)
            if parent is not None:
                layer.data = {"extends": parent, **layer.data}
                layer.marks[("extends",)] = self.layer.marks.get(extends, Source(self.label))
        top = source.value or source.key or self.top
        return Document(self.label, layer, top)


def resolve(
    document: Document | str | os.PathLike[str] | Mapping[str, Any] | None = None,
    sets: Sequence[str] = (),
    *,
    default_name: str | None = None,
) -> Resolved:
    """Resolve a scenario document with ``--set`` assignments into a validated scenario.

    Parents named by ``extends:`` are merged under it, regime presets expanded, then ``sets``
    applied (``key.path=value``, as typed after ``--set``), and the result validated.

    Args:
        document: A :class:`Document`; a file's path (or a shipped scenario's bare name, such as
            ``small``); plain mapping data; or None for the built-in default scenario.
        sets: Assignments applied last.
        default_name: The name when the document sets none (a file: its stem; otherwise the
            schema's default).

    Returns:
        The scenario, the origin of each of its parameters and the files read.

    Raises:
        ScenarioError: Every problem found, each with its file, line, column and key.
    """
    if document is None or isinstance(document, str | os.PathLike):
        return resolve_scenario(document, sets)
    if not isinstance(document, Document):
        document = Document.from_mapping(document)
    if default_name is None and document.file is not None:
        default_name = document.file.stem
    return resolve_layer(
        document.layer,
        document.label,
        top=document.top,
        file=document.file,
        default_name=default_name,
        sets=sets,
    )
