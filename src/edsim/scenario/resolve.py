"""Resolve a scenario file: its ``extends:`` chain, regime presets and ``--set`` assignments.

The result is a validated :class:`~edsim.scenario.schema.Scenario` together with the origin of
every parameter in it (a default, a file and line, or the command line), so an analyst who
builds one scenario on another can always see where each value came from.

How a chain resolves:

* ``extends: <path or name>`` at the top of a file names its parent. A path is relative to the
  extending file's directory. A bare name (``england`` or ``england.yaml``) that is not a file
  there names a shipped scenario, found in :func:`shipped_scenarios_dir`.
* Parent first, then each child merged over it: mappings merge key by key, lists (regions,
  interventions, Pupil Premium rates) are replaced whole, anything else is replaced.
* A parent's ``name`` is never inherited: a file that sets none is named after its own stem.
* A parent's ``description`` is inherited only by a document that changes nothing; one that
  changes something and writes none is described as its parent and what it changes
  (``small with regime linkage_exchange``; :mod:`~edsim.scenario.variant_description`).
* A regime preset stands for the settings it fixes, expanded where it is written. So a child's
  ``regime: {feedback: {mode: none}}`` changes one setting of its parent's regime, and a
  child's ``regime: linkage_exchange`` (or ``preset:``) sets every mechanism setting to that
  preset's while keeping the settings presets leave alone (a small scenario's broker capacity),
  exactly as switching the regime of a scenario in code does.
* ``--set`` assignments apply last (see :mod:`edsim.scenario.assignments`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml.comments import CommentedMap

from edsim.errors import ScenarioError, ScenarioProblem
from edsim.scenario.assignments import apply_assignments
from edsim.scenario.problems import validation_problems
from edsim.scenario.provenance import (
    COMMAND_LINE,
    DEFAULT,
    Layer,
    Source,
    dotted,
    expand_regime_preset,
    layer_from_tree,
    leaves,
    merge,
)
from edsim.scenario.regime import PRESETS
from edsim.scenario.schema import Scenario
from edsim.scenario.variant_description import derived_description
from edsim.scenario.yaml_source import describe, parse_document, read_text
from edsim.shipped import shipped_dir, shipped_file, suggestion

__all__ = [
    "Resolved",
    "resolve_layer",
    "resolve_scenario",
    "resolve_text",
    "shipped_scenarios_dir",
]

_PRESET_NAMES = ", ".join(sorted(PRESETS))


@dataclass(frozen=True)
class Resolved:
    """A validated scenario and where each of its parameters came from.

    Attributes:
        scenario: The validated, frozen scenario.
        origin: For every leaf parameter, by dotted path (``population.disadvantaged_share``,
            ``interventions.3.months``, ``regime.feedback.mode``): ``default``, ``file:line``
            (for a value from a regime preset, the line of the key that chose the preset),
            ``--set``, or ``file (file name)`` for a name taken from the file's stem.
        chain: The files read, the named one first and then each parent it extends.
    """

    scenario: Scenario
    origin: dict[str, str]
    chain: tuple[str, ...]

    def values(self) -> dict[str, Any]:
        """Every leaf parameter's value by dotted path, in the schema's order."""
        return {dotted(loc): value for loc, value in leaves(self.scenario.model_dump(mode="json"))}


def shipped_scenarios_dir() -> Path:
    """Where bare scenario names (``extends: england``, ``edsim run small``) are looked up.

    The package's own ``edsim/data/scenarios`` folder, found with :mod:`importlib.resources`,
    so an installed wheel has them wherever it is run from (see :mod:`edsim.shipped`).
    """
    return shipped_dir("scenarios")


def resolve_scenario(path: str | os.PathLike[str] | None, sets: Sequence[str] = ()) -> Resolved:
    """Load a scenario file with its parents, apply ``--set`` assignments, and validate.

    Args:
        path: A YAML scenario file, or the bare name of a shipped scenario (``small``,
            ``england.yaml``) when no such file exists; None for the built-in default scenario
            (all defaults). A file that sets no ``name`` is named after its stem.
        sets: ``key.path=value`` assignments, applied after every file.

    Returns:
        The scenario and the origin of each parameter.

    Raises:
        ScenarioError: The file is neither a file nor a shipped scenario's name, any file in
            the chain cannot be read or parsed, the chain is circular
            or names a missing file, an assignment is malformed or names an unknown key, or the
            result is not a valid scenario; every problem found is listed with its location.
    """
    if path is None:
        return _finish(Layer(), (), Source(COMMAND_LINE), sets)
    label = os.fspath(path)
    file = Path(path)
    if not _is_file(file):
        file, label = _shipped_or_missing(label)
    tree = parse_document(read_text(file, label), label)
    return _resolve_tree(tree, label, file, file.stem, sets)


def resolve_text(
    text: str, filename: str, sets: Sequence[str] = (), *, default_name: str | None = None
) -> Resolved:
    """Like :func:`resolve_scenario` for YAML text; relative ``extends:`` use ``filename``'s folder.

    Args:
        text: The YAML document.
        filename: What to call the source in errors (its folder is where relative parents are
            looked for; the current directory for a bare name such as ``<string>``).
        sets: ``key.path=value`` assignments, applied last.
        default_name: The name when the text sets none; None keeps the schema's default.
    """
    return _resolve_tree(parse_document(text, filename), filename, None, default_name, sets)


def resolve_layer(
    layer: Layer,
    label: str,
    *,
    top: tuple[int, int] = (1, 1),
    file: Path | None = None,
    default_name: str | None = None,
    sets: Sequence[str] = (),
) -> Resolved:
    """Resolve one document's data, with the position of each value, into a scenario.

    The common step under every way in (a file, text, part of an experiment file): its
    ``extends:`` chain, presets, then ``sets``, then validation.

    Args:
        layer: The document's own data and where each value was written.
        label: The document's name in problems; relative parents are looked for in its folder.
        top: Where problems that no written value covers point (the document's first line).
        file: The file itself, if it is one (so a chain that comes back to it is caught).
        default_name: The name when the document sets none; None keeps the schema's default.
        sets: ``key.path=value`` assignments, applied last.
    """
    merged, chain = _with_parents(layer, label, file)
    if default_name is not None and "name" not in merged.data:
        merged.data["name"] = default_name
        merged.marks[("name",)] = Source(label)
    return _finish(merged, chain, Source(label, top), sets)


def _resolve_tree(
    tree: CommentedMap, label: str, file: Path | None, default_name: str | None, sets: Sequence[str]
) -> Resolved:
    top = (tree.lc.line + 1, tree.lc.col + 1) if tree.lc.line is not None else (1, 1)
    layer = layer_from_tree(tree, label)
    return resolve_layer(layer, label, top=top, file=file, default_name=default_name, sets=sets)


def _with_parents(layer: Layer, label: str, file: Path | None) -> tuple[Layer, tuple[str, ...]]:
    """The document's data merged over its chain of parents, and the chain's labels."""
    layer, extends = _own_layer(layer)
    layers, chain = [layer], [label]
    # Each document with where its extends: is written, for a description it must derive.
    described = [(layer, label, extends.source if extends else None)]
    seen = [file.resolve()] if file is not None else []
    while extends is not None:
        parent, parent_label = _find_parent(extends, chain)
        if parent.resolve() in seen:
            loop = " -> ".join([*chain, parent_label])
            raise ScenarioError(_at(extends.source, f"circular extends: {loop}"))
        seen.append(parent.resolve())
        chain.append(parent_label)
        parent_tree = parse_document(read_text(parent, parent_label), parent_label)
        parent_layer, extends = _own_layer(layer_from_tree(parent_tree, parent_label))
        described.append((parent_layer, parent_label, extends.source if extends else None))
        layers.append(parent_layer.without(("name",)))
    merged = Layer()
    for each in reversed(layers):
        merged = merge(merged, each)
    derived = derived_description(described)
    if derived is not None:  # a parent's description would describe the parent
        merged.data["description"], merged.marks[("description",)] = derived
    return merged, tuple(chain)


def _own_layer(layer: Layer) -> tuple[Layer, _Extends | None]:
    """One document's own data (presets expanded), and the ``extends:`` entry if it has one."""
    if "extends" not in layer.data:
        return expand_regime_preset(layer), None
    value, source = layer.data["extends"], layer.marks.get(("extends",), Source("<scenario>"))
    if not isinstance(value, str) or not value.strip():
        message = (
            "'extends' takes the path of a scenario file or the name of a shipped scenario "
            f"(such as 'england'), found {describe(value)}"
        )
        raise ScenarioError(_at(source, message, at_key=value is None))
    return expand_regime_preset(layer.without(("extends",))), _Extends(value, source)


@dataclass(frozen=True)
class _Extends:
    """An ``extends:`` entry: the parent it names and where it is written."""

    target: str
    source: Source


def _is_file(path: Path) -> bool:
    """``path.is_file()``, but False for names the OS cannot even look up (too long, NUL)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _find_parent(extends: _Extends, chain: list[str]) -> tuple[Path, str]:
    """The parent's path and label: next to the extending file, else a shipped scenario."""
    target = extends.target
    beside = os.path.normpath(os.path.join(os.path.dirname(chain[-1]), target))
    if _is_file(Path(beside)):
        return Path(beside), beside
    looked = f"no file {beside}"
    if Path(target).name == target and target not in {".", ".."}:
        shipped = shipped_file("scenarios", target)
        if shipped is not None:
            return shipped, _display(shipped)
        looked += f" and no shipped scenario {target!r}; {suggestion('scenarios', target)}"
    loop = " -> ".join([*chain, target])
    message = f"cannot find the scenario {target!r} to extend: {looked} (extends chain: {loop})"
    raise ScenarioError(_at(extends.source, message))


def _shipped_or_missing(label: str) -> tuple[Path, str]:
    """The shipped scenario a bare name means, else the path as given (its reader reports it).

    Only a name that is not a path of anything (not even a directory) can mean a shipped file.
    """
    file = Path(label)
    try:
        exists = file.exists()
    except (OSError, ValueError):  # too long, or a NUL byte: the reader says so in words
        return file, label
    shipped = None if exists else shipped_file("scenarios", label)
    if shipped is not None:
        return shipped, _display(shipped)
    if exists or file.name != label:
        return file, label
    message = f"file not found, and no shipped scenario {label!r}; {suggestion('scenarios', label)}"
    raise ScenarioError(ScenarioProblem(message, file=label))


def _finish(layer: Layer, chain: tuple[str, ...], root: Source, sets: Sequence[str]) -> Resolved:
    """Apply assignments, validate, and record each leaf's origin; raise every problem at once."""
    layer, problems = apply_assignments(layer, sets)
    layer, preset_problems = _without_non_text_preset(layer)
    problems += preset_problems
    try:
        scenario = Scenario.model_validate(layer.data)
    except ValidationError as exc:
        problems += validation_problems(exc, layer, root)
    if problems:
        rank = {label: index for index, label in enumerate(chain)}
        problems.sort(key=lambda p: (rank.get(p.file or "", len(rank)), p.line or 0, p.column or 0))
        raise ScenarioError(problems)
    dump = scenario.model_dump(mode="json")
    origin = {
        dotted(loc): str(layer.marks[loc]) if loc in layer.marks else DEFAULT
        for loc, _ in leaves(dump)
    }
    return Resolved(scenario, origin, chain)


def _without_non_text_preset(layer: Layer) -> tuple[Layer, list[ScenarioProblem]]:
    """Report a ``preset:`` that is not text (the schema cannot even look it up)."""
    regime = layer.data.get("regime")
    if not (isinstance(regime, dict) and "preset" in regime) or isinstance(regime["preset"], str):
        return layer, []
    source = layer.marks[("regime", "preset")]
    message = f"expected a preset name ({_PRESET_NAMES}), found {describe(regime['preset'])}"
    problem = _at(source, message, key="regime.preset")
    return layer.without(("regime", "preset")), [problem]


def _at(
    source: Source, message: str, key: str = "extends", *, at_key: bool = False
) -> ScenarioProblem:
    """A problem at a source's value (where the wrong path or preset is written).

    An empty value has no position of its own, so ``at_key`` points at its key instead.
    """
    position = source.key if at_key else source.value
    line, column = position if position is not None else (None, None)
    return ScenarioProblem(message, source.file, line, column, key)


def _display(path: Path) -> str:
    """A path relative to the current directory when it is inside it (shorter to read)."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
