"""Read scenario YAML safely: bounded size, no tags, no anchors, positions kept for errors.

Everything here works on text a user (or a stranger's file) supplied, so each step refuses
what could hurt before anything is built: files over :data:`MAX_BYTES` are not read in full,
and YAML tags, anchors/aliases and absurd nesting are refused while reading parser *events*, so
no Python object is constructed from a tag and no alias is expanded (the "billion laughs"
memory bomb needs aliases). Every refusal is a located :class:`~edsim.errors.ScenarioProblem`.
"""

from __future__ import annotations

import os
import re
import stat
import sys
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    NodeEvent,
    ScalarEvent,
)
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.scalarbool import ScalarBoolean

from edsim.errors import ScenarioError, ScenarioProblem

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "describe",
    "parse_document",
    "parse_value",
    "plain",
    "read_text",
]

#: Largest scenario file accepted. Real scenarios are a few kilobytes; the cap bounds the time and
#: memory a hostile or mistaken file (a data dump passed by accident) can cost.
MAX_BYTES = 1024 * 1024

#: Deepest nesting of mappings and lists accepted. The schema needs four levels; the cap stops a
#: file like ``[[[[...]]]]`` from exhausting the (recursive) YAML composer.
MAX_DEPTH = 32

#: Parser-event refusals reported before the rest are summarised, so a file made of thousands of
#: aliases gives one screen of errors, not thousands.
_MAX_EVENT_PROBLEMS = 20

_YAML_TAG_PREFIX = "tag:yaml.org,2002:"

#: Open without waiting: opening a named pipe for reading otherwise blocks until a writer comes.
_NO_WAIT = getattr(os, "O_NONBLOCK", 0)

#: The YAML version every document is read as (the docs promise it; 1.1 reads ``yes``, ``on`` and
#: ``010`` differently), and the only one a ``%YAML`` directive may name.
_YAML_VERSION = (1, 2)

#: Keys a document of each kind starts with, for the message when its top level is not a mapping.
_EXAMPLE_KEYS = {
    "scenario": "'name:' and 'population:'",
    "experiment": "'scenarios:' and 'replicates:'",
}

#: A ``\UXXXXXXXX`` escape in double-quoted YAML text.
_LONG_ESCAPE = re.compile(r"\\U([0-9A-Fa-f]{8})")


def read_text(path: Path, label: str, what: str = "scenario") -> str:
    """Read a YAML file as UTF-8, turning every OS-level failure into a plain-words problem.

    Only a regular file is read. It is opened without waiting and checked before any byte is
    read, so a named pipe (which would block until something writes to it), a device or a
    directory is refused at once; and at most :data:`MAX_BYTES` + 1 bytes are read.

    Args:
        path: The file to read.
        label: How to name the file in problems (usually the path as the user wrote it).
        what: What the file should hold (``scenario``, ``experiment``), for the messages.

    Raises:
        ScenarioError: The file is missing, not a regular file, unreadable, too large or not
            UTF-8.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | _NO_WAIT | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise ScenarioError(ScenarioProblem("file not found", file=label)) from None
    except ValueError:  # e.g. an embedded NUL byte in the path
        raise ScenarioError(ScenarioProblem("not a valid file name", file=label)) from None
    except OSError as exc:
        if os.path.isdir(path):  # Windows refuses to open a folder at all
            raise ScenarioError(_not_a_file("a directory", what, label)) from None
        raise ScenarioError(_unreadable(exc, label)) from None
    kind = _file_kind(os.fstat(descriptor).st_mode)
    if kind is not None:
        os.close(descriptor)
        raise ScenarioError(_not_a_file(kind, what, label))
    with os.fdopen(descriptor, "rb") as stream:
        try:
            raw = stream.read(MAX_BYTES + 1)
        except OSError as exc:
            raise ScenarioError(_unreadable(exc, label)) from None
    if len(raw) > MAX_BYTES:
        raise ScenarioError(_too_large(label, what))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        message = (
            f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x} cannot be decoded); "
            "save it with UTF-8 encoding"
        )
        raise ScenarioError(ScenarioProblem(message, file=label, line=line)) from None


def parse_document(text: str, filename: str, what: str = "scenario") -> CommentedMap:
    """Parse a whole scenario (or experiment) document, which must be a mapping (or empty).

    Args:
        text: The YAML text.
        filename: What to call the source in problems.
        what: What the document should hold (``scenario``, ``experiment``), for the messages.

    Returns:
        The round-trip tree (it keeps line and column of every key, value and list item); an
        empty mapping for an empty document.

    Raises:
        ScenarioError: Every tag, anchor and alias found, or the syntax error, or a top level
            that is not a mapping.
    """
    tree = parse_value(text, filename)
    if tree is None:
        return CommentedMap()
    if not isinstance(tree, CommentedMap):
        example = _EXAMPLE_KEYS.get(what, _EXAMPLE_KEYS["scenario"])
        message = (
            f"the top level of the {what} must be a mapping of keys (such as {example}), "
            f"found {describe(plain(tree))}"
        )
        raise ScenarioError(ScenarioProblem(message, file=filename, line=1, column=1))
    return tree


def parse_value(text: str, filename: str) -> Any:
    """Parse one YAML document of any shape, after refusing what is unsafe in it.

    Args:
        text: The YAML text (a whole file, or one ``--set`` value).
        filename: What to call the source in problems.

    Returns:
        The round-trip tree: ruamel's mapping, list and scalar types, or None when empty.

    Raises:
        ScenarioError: The text is too large, not valid YAML, or uses tags, anchors or aliases.
    """
    # surrogatepass: a lone surrogate is counted here and refused, located, by the YAML reader
    if len(text) > MAX_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise ScenarioError(_too_large(filename))
    yaml = YAML(typ="rt")
    _refuse_unsafe_events(yaml, text, filename)
    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:  # duplicate keys, several documents
        raise ScenarioError(_syntax_problem(exc, filename)) from None


def plain(node: Any) -> Any:
    """Copy ruamel's round-trip types into plain Python so none leak into the frozen Scenario."""
    if isinstance(node, dict):
        return {plain(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    if isinstance(node, ScalarBoolean):
        return bool(node)
    if isinstance(node, bool) or node is None:
        return node
    for kind in (int, float, str):
        if isinstance(node, kind):
            return kind(node)
    return node


def describe(value: Any) -> str:
    """What kind of YAML value was found, for type errors."""
    if value is None:
        return "an empty value (null)"
    if isinstance(value, bool):
        return f"the true/false value {'true' if value else 'false'}"
    if isinstance(value, int | float):
        shown = int(value) if isinstance(value, float) and value.is_integer() else value
        return f"the number {shown}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, dict):
        return "a mapping of keys"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__} ({value})"


def _too_large(label: str, what: str = "scenario") -> ScenarioProblem:
    return ScenarioProblem(
        f"larger than the {MAX_BYTES // 1024 // 1024} MiB allowed for {_article(what)} {what} "
        f"file; {_article(what)} {what} needs only a few kilobytes (is this the right file?)",
        file=label,
    )


def _unreadable(exc: OSError, label: str) -> ScenarioProblem:
    return ScenarioProblem(f"cannot read the file: {exc.strerror or exc}", file=label)


def _refuse_unsafe_events(yaml: YAML, text: str, filename: str) -> None:
    """Reject tags, anchors, aliases and deep nesting, reading only parser events.

    Nothing is constructed and no alias is followed, so this is safe on any input. Also
    surfaces syntax errors, which the parser finds first.
    """
    problems: list[ScenarioProblem] = []
    refused = depth = 0
    try:
        for event in yaml.parse(text):
            if isinstance(event, CollectionEndEvent):
                depth -= 1
            elif isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    too_deep = f"nested more than {MAX_DEPTH} levels deep; scenarios need far fewer"
                    problems.append(_at(event, too_deep, filename))
                    break
            if isinstance(event, DocumentStartEvent) and event.version not in (None, _YAML_VERSION):
                problems.append(_version_problem(event.version, text, filename))
                break
            refusal = _unsafe(event)
            if refusal is not None:
                refused += 1
                if refused <= _MAX_EVENT_PROBLEMS:
                    problems.append(_at(event, refusal, filename))
    except MarkedYAMLError as exc:
        problems.append(_syntax_problem(exc, filename))
    except ReaderError as exc:
        line, column = _line_column(text, exc.position)
        message = f"character U+{exc.character:04X} is not allowed in YAML: {exc.reason}"
        problems.append(ScenarioProblem(message, filename, line, column))
    except (ValueError, OverflowError, AssertionError) as exc:
        # ruamel reports these mistakes without a position: an escape naming no character
        # (ValueError or OverflowError from chr) and an unsupported %YAML version.
        problems.append(_unmarked_problem(exc, text, filename))
    if refused > _MAX_EVENT_PROBLEMS:
        more = refused - _MAX_EVENT_PROBLEMS
        problems.append(ScenarioProblem(f"... and {more} more tags, anchors or aliases", filename))
    if problems:
        raise ScenarioError(problems)


def _version_problem(version: tuple[int, int], text: str, filename: str) -> ScenarioProblem:
    """Refuse a ``%YAML`` directive naming another version: it would change what values mean."""
    shown = ".".join(str(part) for part in version)
    message = (
        f"'%YAML {shown}' is not supported: files are read as YAML 1.2, and YAML 1.1 reads "
        "some values differently (yes/no/on/off as true/false, 010 as the number 8); remove "
        "the %YAML line"
    )
    found = re.search(r"^%YAML\b", text, re.MULTILINE)
    if found is None:  # pragma: no cover - the parser saw the directive, so it is there
        return ScenarioProblem(message, filename)
    return ScenarioProblem(message, filename, *_line_column(text, found.start()))


def _file_kind(mode: int) -> str | None:
    """What a file that is not a regular file is (for the message), or None for a regular one."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _not_a_file(kind: str, what: str, label: str) -> ScenarioProblem:
    return ScenarioProblem(f"is {kind}, not {_article(what)} {what} file", file=label)


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _unmarked_problem(exc: Exception, text: str, filename: str) -> ScenarioProblem:
    """A problem for a parser failure that carries no position, located by finding its cause."""
    if isinstance(exc, AssertionError):
        message = "YAML syntax error: unsupported %YAML version; scenario files are YAML 1.2"
        found = re.search(r"^%YAML\b", text, re.MULTILINE)
    else:
        message = f"YAML syntax error: an escape in quoted text names no character ({exc})"
        found = next(
            (m for m in _LONG_ESCAPE.finditer(text) if int(m.group(1), 16) > sys.maxunicode),
            None,
        )
    if found is None:
        return ScenarioProblem(message, filename)
    return ScenarioProblem(message, filename, *_line_column(text, found.start()))


def _line_column(text: str, position: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line = text.count("\n", 0, position) + 1
    return line, position - (text.rfind("\n", 0, position) + 1) + 1


def _unsafe(event: Any) -> str | None:
    """Why a parser event is refused, or None if it is allowed."""
    if isinstance(event, AliasEvent):
        return _anchor_message(f"alias '*{event.anchor}'")
    if isinstance(event, NodeEvent) and event.anchor is not None:
        return _anchor_message(f"anchor '&{event.anchor}'")
    if isinstance(event, ScalarEvent | CollectionStartEvent) and event.tag is not None:
        tag = str(event.tag).replace(_YAML_TAG_PREFIX, "!!")
        return f"YAML tags are not allowed in a scenario file: found {tag!r}"
    if isinstance(event, ScalarEvent) and event.value == "<<" and not event.style:
        return "YAML merge keys ('<<') are not supported in a scenario file; use extends: instead"
    return None


def _anchor_message(found: str) -> str:
    return (
        f"anchors and aliases are not supported in scenario files (found {found}); write the "
        "values out, or share settings between scenarios with 'extends:'"
    )


def _at(event: Any, message: str, filename: str) -> ScenarioProblem:
    mark = event.start_mark
    return ScenarioProblem(message, filename, mark.line + 1, mark.column + 1)


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
