"""Fuzz the scenario loader: every malformed scenario is a ScenarioError, and nothing runs.

Why: scenario files are hand-edited, shared and downloaded, so the loader is the edge where a
stranger's bytes meet our code. The promise is that every mistake is reported as a located
:class:`~edsim.errors.ScenarioError` (never another exception, never a hang) and that no YAML
tag can construct a Python object. These property tests break valid documents in every way we
could think of and check that promise on each one.

How: the valid bases are the default scenario (``Scenario().model_dump(mode="json")``) and
``scenarios/small.yaml`` (its ``extends:`` line removed, so it stands alone), written out by a
tiny YAML emitter below that records the line of every key. Each mutation is built to be
*guaranteed* invalid: a renamed key is checked against the schema's keys, an out-of-range value
is computed from the field's own bounds metadata, a wrong type is one pydantic's strict/lax rules
reject, and a broken structure can never be closed later in the text. Every generated document
goes through :func:`scenario_from_text`, and a drawn subset is also written to a file and read
with :func:`load_scenario` (byte-level mutations, such as encodings, only as files).

Families and examples per run (``derandomize=True``, so CI sees the same ones every time):

====================================  ========  =============================================
family                                examples  what is asserted
====================================  ========  =============================================
mutated keys (typo/case/unknown/dup)  100       ScenarioError, with the key's line
wrong types                           100       ScenarioError, with the key's line
out-of-range numbers (bounds, nan)    100       ScenarioError, with the key's line
bad choices (Literal values)          40        ScenarioError, with the key's line
bad regime presets                    30        ScenarioError, with the preset's line
inconsistent values (cross-field)     30        ScenarioError, with the section's line
broken YAML structure                 100       ScenarioError
deep nesting                          20        ScenarioError
YAML tags                             40        ScenarioError, and the payload never ran
anchors and aliases                   30        ScenarioError
billion laughs (10 levels x 10)       3         ScenarioError in under 2 s (own process)
bad encodings (files)                 40        ScenarioError
characters YAML forbids               30        ScenarioError
files over 1 MiB                      4         ScenarioError, in under 5 s
``extends:`` naming no scenario file  30        ScenarioError, with the key's line
====================================  ========  =============================================

That is 697 malformed scenarios. Two more properties guard the edges of "malformed": empty,
whitespace-only and comment-only documents are *valid* (all defaults), and odd-but-legal YAML
(directives, merge keys, escapes, timestamps, complex keys) may be accepted or refused but must
never raise anything else. At the end, the minimal inputs the fuzzer found that broke this
promise are kept as plain regression tests, with paths the operating system refuses.

Every load runs under a watchdog (a hang fails the test instead of stalling CI) and at Python's
default recursion limit (hypothesis raises it while a test runs, which would hide a parser
overflowing the stack on deep nesting).
"""

from __future__ import annotations

import copy
import itertools
import json
import math
import os
import re
import signal
import string
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import annotated_types
import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from ruamel.yaml import YAML

from edsim import Scenario, load_scenario
from edsim.errors import ScenarioError
from edsim.scenario import PRESETS, RegimeSettings, scenario_from_text
from edsim.scenario.responses import RESPONSE_WEIGHTS

ROOT = Path(__file__).resolve().parents[2]

#: What ``scenario_from_text`` is told the text is called; every error must name it.
TEXT_NAME = "fuzzed-scenario.yaml"

#: Longest any single load may run before the test calls it a hang.
WATCHDOG_S = 10.0

#: Settings shared by every property here: the same examples on every run, no example database.
FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=False,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # each example overwrites the one file it uses
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)

Loc = tuple[Any, ...]

# --- the schema, read from the pydantic models ---------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """A place in the schema a value goes; 0 in ``loc`` stands for some item of a list."""

    loc: Loc
    kind: str  # int, float, str, bool, choice, model, regime, list or item
    info: FieldInfo | None = None
    choices: tuple[str, ...] = ()


SLOTS: list[Slot] = []
#: Allowed keys of every mapping in the schema, by location (0 for a list item).
MAPPINGS: dict[Loc, frozenset[str]] = {}


def _walk(model: type[BaseModel], loc: Loc) -> None:
    keys = set(model.model_fields)
    if model is RegimeSettings:
        keys.add("preset")
    MAPPINGS[loc] = frozenset(keys)
    for name, info in model.model_fields.items():
        here = (*loc, name)
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            SLOTS.append(Slot(here, "regime" if annotation is RegimeSettings else "model"))
            _walk(annotation, here)
        elif get_origin(annotation) is tuple:
            SLOTS.extend([Slot(here, "list"), Slot((*here, 0), "item")])
            _walk(get_args(annotation)[0], (*here, 0))
        elif get_origin(annotation) is Literal:
            SLOTS.append(Slot(here, "choice", info, tuple(get_args(annotation))))
        elif annotation in (bool, int, float, str):
            SLOTS.append(Slot(here, annotation.__name__, info))
        else:  # pragma: no cover - a new kind of field: teach the fuzzer how to break it
            raise TypeError(f"test_fuzz does not know how to break {here}: {annotation!r}")


_walk(Scenario, ())


def bounds(info: FieldInfo) -> tuple[float | None, bool, float | None, bool]:
    """(lower, lower is exclusive, upper, upper is exclusive) from the field's metadata."""
    lower = upper = None
    lower_open = upper_open = False
    for bound in info.metadata:
        if isinstance(bound, annotated_types.Ge):
            lower, lower_open = bound.ge, False
        elif isinstance(bound, annotated_types.Gt):
            lower, lower_open = bound.gt, True
        elif isinstance(bound, annotated_types.Le):
            upper, upper_open = bound.le, False
        elif isinstance(bound, annotated_types.Lt):
            upper, upper_open = bound.lt, True
    return lower, lower_open, upper, upper_open


NUMERIC_SLOTS = [
    s for s in SLOTS if s.kind in ("int", "float") and bounds(s.info) != (None, False, None, False)
]
CHOICE_SLOTS = [s for s in SLOTS if s.kind == "choice"]
LEAF_SLOTS = [s for s in SLOTS if s.kind in ("int", "float", "str", "bool", "choice")]
MAPPING_LOCS = sorted(MAPPINGS, key=lambda loc: (len(loc), [str(p) for p in loc]))

#: Keys with a meaning outside the schema, never generated as "unknown" (``extends:`` names a
#: parent scenario).
RESERVED_TOP_KEYS = frozenset({"extends"})

# --- the valid bases ------------------------------------------------------------------------------

SMALL_TEXT = re.sub(
    r"(?m)^extends:.*\n", "", (ROOT / "scenarios" / "small.yaml").read_text(encoding="utf-8")
)
BASES: dict[str, dict[str, Any]] = {
    "default": Scenario().model_dump(mode="json"),
    "small": YAML(typ="safe", pure=True).load(SMALL_TEXT) or {},
}
DEFAULT_DOC = BASES["default"]

# --- a small YAML emitter that records where each key is written ----------------------------------


@dataclass(frozen=True)
class Raw:
    """YAML text written verbatim where a value (or key) goes."""

    text: str


@dataclass(frozen=True)
class Dup:
    """A second ``key`` in the same mapping (a dict cannot hold the same key twice)."""

    key: str


@dataclass(frozen=True)
class Anchored:
    """``value`` written with the anchor ``&anchor``."""

    anchor: str
    value: Any


_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_YAML_WORDS = frozenset({"true", "false", "null", "yes", "no", "on", "off", "y", "n"})


def yaml_float(value: float) -> str:
    """A float as YAML 1.2 reads it back exactly (``.nan``, ``-.inf``, ``1.0e-09``)."""
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value)
    mantissa, e, exponent = text.partition("e")
    if "." not in mantissa:
        mantissa += ".0"
    return mantissa + e + exponent


def key_text(key: Any) -> str:
    if isinstance(key, Raw):
        return key.text
    if isinstance(key, Dup):
        key = key.key
    if isinstance(key, str) and _PLAIN_KEY.fullmatch(key) and key.lower() not in _YAML_WORDS:
        return key
    return flow(key)


def flow(value: Any) -> str:
    """``value`` in YAML flow style, on one line (strings always double-quoted, ASCII only)."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, Anchored):
        return f"&{value.anchor} {flow(value.value)}"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return yaml_float(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key_text(k)}: {flow(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {value!r} as YAML")


def _is_block(value: Any) -> bool:
    return isinstance(value, dict | list) and bool(value)


def emit(doc: dict[Any, Any]) -> tuple[str, dict[Loc, int]]:
    """Block-style YAML for ``doc`` and the 1-based line of every key and list item."""
    lines: list[str] = []
    where: dict[Loc, int] = {}

    def mapping(node: dict[Any, Any], indent: int, loc: Loc, first: str | None = None) -> None:
        for index, (key, value) in enumerate(node.items()):
            pad = first if first is not None and index == 0 else " " * indent
            where[(*loc, key)] = len(lines) + 1
            head = f"{pad}{key_text(key)}:"
            inner = value
            if isinstance(value, Anchored) and _is_block(value.value):
                head, inner = f"{head} &{value.anchor}", value.value
            if _is_block(inner):
                lines.append(head)
                nested(inner, indent + 2, (*loc, key))
            else:
                lines.append(f"{head} {flow(value)}")

    def sequence(items: list[Any], indent: int, loc: Loc) -> None:
        for index, item in enumerate(items):
            where[(*loc, index)] = len(lines) + 1
            pad = " " * indent
            if isinstance(item, dict) and item:
                mapping(item, indent + 2, (*loc, index), first=f"{pad}- ")
            elif isinstance(item, list) and item:
                lines.append(f"{pad}-")
                sequence(item, indent + 2, (*loc, index))
            else:
                lines.append(f"{pad}- {flow(item)}")

    def nested(value: Any, indent: int, loc: Loc) -> None:
        if isinstance(value, dict):
            mapping(value, indent, loc)
        else:
            sequence(value, indent, loc)

    if doc:
        mapping(doc, 0, ())
    else:
        lines.append("{}")
    return "\n".join(lines) + "\n", where


BASE_TEXTS = {name: emit(doc)[0] for name, doc in BASES.items()}
#: Texts the text-level mutations start from: both emitted bases and small.yaml as written.
STRUCT_TEXTS = {**BASE_TEXTS, "small.yaml": SMALL_TEXT}

# --- editing documents ----------------------------------------------------------------------------

_MISSING = object()


def get_at(doc: Any, loc: Loc) -> Any:
    node = doc
    for part in loc:
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if not (in_list or (isinstance(node, dict) and part in node)):
            return _MISSING
        node = node[part]
    return node


def parent_of(doc: dict[Any, Any], loc: Loc) -> Any:
    """The container ``loc[-1]`` lives in, creating sections (``{}``, valid) and lists (copies of
    the defaults, valid) on the way."""
    node: Any = doc
    for i, part in enumerate(loc[:-1]):
        child = get_at(node, (part,))
        if isinstance(loc[i + 1], int):
            if not isinstance(child, list):
                child = copy.deepcopy(get_at(DEFAULT_DOC, loc[: i + 1]))
                node[part] = child
        elif not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    return node


def set_at(doc: dict[Any, Any], loc: Loc, value: Any) -> None:
    parent_of(doc, loc)[loc[-1]] = value


def mapping_at(doc: dict[Any, Any], loc: Loc) -> dict[Any, Any]:
    """The mapping at ``loc``, created (empty) if the document does not have it yet."""
    if not loc:
        return doc
    parent = parent_of(doc, loc)
    node = get_at(parent, (loc[-1],))
    if not isinstance(node, dict):
        node = {}
        parent[loc[-1]] = node
    return node


def replace_items(mapping: dict[Any, Any], items: list[tuple[Any, Any]]) -> None:
    mapping.clear()
    mapping.update(items)


@st.composite
def concrete(draw: st.DrawFn, doc: dict[Any, Any], loc: Loc) -> Loc:
    """``loc`` with each list position (0) replaced by an item the list has."""
    out: list[Any] = []
    for part in loc:
        if isinstance(part, int):
            items = get_at(doc, tuple(out))
            if not isinstance(items, list) or not items:
                items = get_at(DEFAULT_DOC, tuple(out))
            part = draw(st.integers(0, len(items) - 1))
        out.append(part)
    return tuple(out)


def allowed_keys(schema_loc: Loc) -> frozenset[str]:
    reserved = RESERVED_TOP_KEYS if not schema_loc else frozenset()
    return MAPPINGS[schema_loc] | reserved


# --- cases and checks -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One generated document: what was done to it, its text (or raw file bytes) and the line a
    problem must be reported on, where the mistake has one."""

    what: str
    text: str = ""
    data: bytes | None = None
    line: int | None = None

    def file_bytes(self) -> bytes:
        if self.data is not None:
            return self.data
        return self.text.encode("utf-8", "surrogatepass")

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # how hypothesis shows it
        printer.text(repr(self))

    def __repr__(self) -> str:
        body: str = repr(self.text if self.data is None else self.data)
        if len(body) > 20_000:  # a huge file: its head and tail say what it is
            body = f"{body[:2000]} ...<{len(body)} characters in all>... {body[-1000:]}"
        return f"Case({self.what!r}, line={self.line}, {'data' if self.data else 'text'}={body})"


class _Overtime(BaseException):
    """Raised by the watchdog; a BaseException so no ``except Exception`` can swallow it."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block after ``seconds`` (where SIGALRM exists and we are the main thread)."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def on_alarm(signum: int, frame: Any) -> None:
        raise _Overtime

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def default_recursion_limit() -> Iterator[None]:
    """Run at Python's default recursion limit, as the CLI does: hypothesis raises the limit by
    2000 frames while a test runs, which would hide a recursive parser blowing the stack."""
    previous = sys.getrecursionlimit()
    depth, frame = 0, sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    sys.setrecursionlimit(max(1000, depth + 300))
    try:
        yield
    finally:
        sys.setrecursionlimit(previous)


def run_loader(case: Case, load: Callable[[], Scenario], limit: float = WATCHDOG_S) -> Any:
    """The loader's result or its ScenarioError; anything else fails, naming the input."""
    failure = None
    try:
        with time_limit(limit), default_recursion_limit():
            return load()
    except ScenarioError as exc:
        return exc
    except _Overtime:
        failure = f"the loader was still running after {limit} s"
    except RecursionError:  # raised below, outside this block: its 1000-frame context would
        failure = "RecursionError"  # differ from run to run and make hypothesis call it flaky
    except Exception as exc:
        message = f"{type(exc).__name__}: {str(exc)[:300]} (not a ScenarioError) on {case!r}"
        raise AssertionError(message) from exc
    raise AssertionError(f"{failure} (not a ScenarioError) on {case!r}")


def check_error(case: Case, outcome: Any, source: str) -> ScenarioError:
    assert isinstance(outcome, ScenarioError), f"malformed scenario accepted: {case!r}"
    assert source in str(outcome), f"the error does not name {source!r}: {outcome}"
    assert all(p.file == source for p in outcome.problems), outcome.problems
    if case.line is not None:
        lines = [p.line for p in outcome.problems]
        assert case.line in lines, f"no problem on line {case.line} (got {lines}): {outcome}"
    return outcome


def assert_rejected(
    case: Case, tmp_path: Path, via_file: bool, limit: float = WATCHDOG_S
) -> list[ScenarioError]:
    """``case`` gives a ScenarioError from text and (if drawn, or bytes-only) from a file."""
    errors = []
    if case.data is None:
        outcome = run_loader(case, lambda: scenario_from_text(case.text, TEXT_NAME), limit)
        errors.append(check_error(case, outcome, TEXT_NAME))
    if via_file or case.data is not None:
        path = tmp_path / "fuzzed.yaml"
        path.write_bytes(case.file_bytes())
        outcome = run_loader(case, lambda: load_scenario(path), limit)
        errors.append(check_error(case, outcome, str(path)))
    return errors


# --- value strategies -----------------------------------------------------------------------------

#: Text values (always written double-quoted, so YAML never reads them as anything but text).
WORDS = st.text(
    string.ascii_letters + string.digits + " _-.,:#!&*%@'\"[]{}\u00e9\u00df", max_size=12
)
NUMBERS = st.integers(-(10**6), 10**6) | st.floats(allow_nan=True, allow_infinity=True)
SCALARS = st.none() | st.booleans() | NUMBERS | WORDS
SMALL_LISTS = st.lists(SCALARS, max_size=3)
SMALL_MAPS = st.dictionaries(st.from_regex(r"[a-z_]{1,8}", fullmatch=True), SCALARS, max_size=2)
#: Strings pydantic's lax bool accepts (case-insensitively).
BOOL_WORDS = frozenset({"0", "off", "f", "false", "n", "no", "1", "on", "t", "true", "y", "yes"})
KEY_CHARS = string.ascii_lowercase + string.digits + "_-\u00e9"


@st.composite
def typo(draw: st.DrawFn, word: str) -> str:
    """``word`` after one or two character edits (may coincide with another word: filter)."""
    chars = list(word)
    for _ in range(draw(st.integers(1, 2))):
        op = draw(st.sampled_from(["insert", "delete", "replace", "swap", "double"]))
        i = draw(st.integers(0, max(len(chars) - 1, 0)))
        c = draw(st.sampled_from(KEY_CHARS))
        if op == "insert":
            chars.insert(i, c)
        elif op == "delete" and chars:
            del chars[i]
        elif op == "replace" and chars:
            chars[i] = c
        elif op == "swap" and len(chars) > 1:
            i = min(i, len(chars) - 2)
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        elif chars:
            chars.insert(i, chars[i])
    return "".join(chars)


@st.composite
def wrong_case(draw: st.DrawFn, word: str) -> str:
    flips = draw(st.lists(st.booleans(), min_size=len(word), max_size=len(word)))
    return "".join(c.swapcase() if flip else c for c, flip in zip(word, flips, strict=True))


def wrong_values(slot: Slot) -> st.SearchStrategy[Any]:
    """Values of a type the slot refuses (strict numbers; lax bool; no text for a section)."""
    kind = slot.kind
    empty = st.none() | SMALL_LISTS | SMALL_MAPS
    if kind == "int":
        return st.one_of(WORDS, st.booleans(), st.floats(allow_nan=True), empty)
    if kind == "float":
        return st.one_of(WORDS, st.booleans(), empty)
    if kind in ("str", "choice"):
        return st.one_of(NUMBERS, st.booleans(), empty)
    if kind == "bool":
        return st.one_of(
            WORDS.filter(lambda s: s.strip().lower() not in BOOL_WORDS),
            st.integers().filter(lambda n: n not in (0, 1)),
            st.floats(allow_nan=True).filter(lambda x: x not in (0.0, 1.0)),
            empty,
        )
    texts = WORDS.filter(lambda s: s not in PRESETS) if kind == "regime" else WORDS
    scalars = st.one_of(NUMBERS, st.booleans(), st.none(), texts)
    if kind == "list":  # a list of scalars (or no items at all) is not a list of sections
        return st.one_of(scalars, SMALL_MAPS, st.lists(SCALARS, max_size=3))
    return scalars | SMALL_LISTS  # model, regime, item: an empty mapping would be valid


def outside_values(slot: Slot) -> st.SearchStrategy[str]:
    """YAML numbers just past, far past, or not comparable with the slot's bounds."""
    assert slot.info is not None
    lower, lower_open, upper, upper_open = bounds(slot.info)
    options: list[st.SearchStrategy[str]] = [st.just(s) for s in (".nan", ".NaN", ".NAN")]
    if slot.kind == "int":
        options = []
        if lower is not None:
            below = int(lower) - (0 if lower_open else 1)
            options.append(st.integers(0, 1000).map(lambda d, v=below: str(v - d)))
        if upper is not None:
            above = int(upper) + (0 if upper_open else 1)
            options.append(st.integers(0, 1000).map(lambda d, v=above: str(v + d)))
    else:
        if lower is not None:
            lo = float(lower)

            def below(d: float, lo: float = lo, edge: bool = lower_open) -> str:
                value = lo - d
                if not value < lo:
                    value = lo if edge else math.nextafter(lo, -math.inf)
                return yaml_float(value)

            options += [
                st.floats(1e-12, 1e6).map(below),
                st.just(yaml_float(lo if lower_open else math.nextafter(lo, -math.inf))),
                st.sampled_from(["-.inf", "-.Inf", "-.INF"]),
            ]
        if upper is not None:
            hi = float(upper)

            def above(d: float, hi: float = hi, edge: bool = upper_open) -> str:
                value = hi + d
                if not value > hi:
                    value = hi if edge else math.nextafter(hi, math.inf)
                return yaml_float(value)

            options += [
                st.floats(1e-12, 1e6).map(above),
                st.just(yaml_float(hi if upper_open else math.nextafter(hi, math.inf))),
                st.sampled_from([".inf", ".Inf", ".INF", "+.inf"]),
            ]
    huge = st.integers(10, 400).map(lambda k: 10**k)  # beyond every bound in the schema
    if upper is not None:
        options.append(huge.map(str))
    if lower is not None:
        options.append(huge.map(lambda n: str(-n)))
    return st.one_of(options)


# --- the mutation families ------------------------------------------------------------------------

BASE_NAMES = st.sampled_from(["small", "default"])  # shrinks towards the short one


def _case(what: str, doc: dict[Any, Any], loc: Loc | None) -> Case:
    text, where = emit(doc)
    return Case(what, text, line=where[loc] if loc is not None else None)


@st.composite
def key_mutations(draw: st.DrawFn) -> Case:
    base = draw(BASE_NAMES)
    doc = copy.deepcopy(BASES[base])
    schema_loc = draw(st.sampled_from(MAPPING_LOCS))
    loc = draw(concrete(doc, schema_loc))
    node = mapping_at(doc, loc)
    allowed = allowed_keys(schema_loc)
    kind = draw(st.sampled_from(["typo", "case", "unknown", "duplicate"]))
    if kind != "unknown" and not node:  # a section the base leaves out: write one valid key
        first = sorted(MAPPINGS[schema_loc] - {"preset"})[0]
        default = get_at(DEFAULT_DOC, (*loc, first))
        node[first] = default if default is not _MISSING else {}
    items = list(node.items())
    if kind == "unknown":
        key = draw(
            st.one_of(
                st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True),
                st.sampled_from(sorted(set().union(*MAPPINGS.values()))),  # a key from elsewhere
                st.text(st.characters(max_codepoint=0xFFFF, exclude_categories=["Cs"]), max_size=8),
            )
        )
        assume(key not in allowed and key not in node)
        position = draw(st.integers(0, len(items)))
        items.insert(position, (key, draw(SCALARS)))
        what = f"unknown key {key!r} in {loc}"
    elif kind == "duplicate":
        index = draw(st.integers(0, len(items) - 1))
        key, value = items[index]
        key = Dup(key)
        items.insert(draw(st.integers(0, len(items))), (key, copy.deepcopy(value)))
        what = f"duplicate key {key.key!r} in {loc}"
    else:
        index = draw(st.integers(0, len(items) - 1))
        old, value = items[index]
        key = draw(typo(old) if kind == "typo" else wrong_case(old))
        assume(key not in allowed and key not in node)
        items[index] = (key, value)
        what = f"{kind} {old!r} -> {key!r} in {loc}"
    replace_items(node, items)
    text, where = emit(doc)
    line = where[(*loc, key)]
    if kind == "duplicate":  # the parser reports the second of the two
        line = max(line, where[(*loc, key.key)])
    return Case(f"{what} ({base})", text, line=line)


@st.composite
def wrong_type_mutations(draw: st.DrawFn) -> Case:
    base = draw(BASE_NAMES)
    doc = copy.deepcopy(BASES[base])
    slot = draw(st.sampled_from(SLOTS))
    loc = draw(concrete(doc, slot.loc))
    value = draw(wrong_values(slot))
    set_at(doc, loc, Raw(flow(value)))
    return _case(f"{slot.kind} {loc} = {flow(value)} ({base})", doc, loc)


@st.composite
def range_mutations(draw: st.DrawFn) -> Case:
    base = draw(BASE_NAMES)
    doc = copy.deepcopy(BASES[base])
    slot = draw(st.sampled_from(NUMERIC_SLOTS))
    loc = draw(concrete(doc, slot.loc))
    value = draw(outside_values(slot))
    set_at(doc, loc, Raw(value))
    return _case(f"{slot.kind} {loc} = {value} ({base})", doc, loc)


@st.composite
def choice_mutations(draw: st.DrawFn) -> Case:
    base = draw(BASE_NAMES)
    doc = copy.deepcopy(BASES[base])
    slot = draw(st.sampled_from(CHOICE_SLOTS))
    loc = draw(concrete(doc, slot.loc))
    good = draw(st.sampled_from(slot.choices))
    bad = draw(
        st.one_of(
            typo(good),
            wrong_case(good),
            st.sampled_from([f" {good}", f"{good} ", good.replace(" ", "_"), ""]),
            WORDS,
        )
    )
    assume(bad not in slot.choices)
    set_at(doc, loc, bad)
    return _case(f"{loc} = {bad!r} ({base})", doc, loc)


@st.composite
def preset_mutations(draw: st.DrawFn) -> Case:
    base = draw(BASE_NAMES)
    doc = copy.deepcopy(BASES[base])
    good = draw(st.sampled_from(sorted(PRESETS)))
    bad_text = st.one_of(typo(good), wrong_case(good), WORDS).filter(lambda s: s not in PRESETS)
    form = draw(st.sampled_from(["regime: <text>", "preset: <text>", "preset: <not text>"]))
    if form == "regime: <text>":
        bad = draw(bad_text)
        doc["regime"] = bad
        return _case(f"regime: {bad!r} ({base})", doc, ("regime",))
    if form == "preset: <text>":
        bad = draw(bad_text)
    else:
        bad = draw(st.one_of(NUMBERS, st.booleans(), st.none(), SMALL_LISTS, SMALL_MAPS))
    regime = mapping_at(doc, ("regime",))
    items = [(k, v) for k, v in regime.items() if k != "preset"]
    items.insert(draw(st.integers(0, len(items))), ("preset", Raw(flow(bad))))
    replace_items(regime, items)
    return _case(f"regime.preset: {flow(bad)} ({base})", doc, ("regime", "preset"))


@st.composite
def inconsistent_mutations(draw: st.DrawFn) -> Case:
    """Values each in range whose combination the schema's validators refuse."""
    base = draw(BASE_NAMES)
    doc = copy.deepcopy(BASES[base])
    kind = draw(st.sampled_from(["trial sizes", "response weights", "same names", "empty name"]))
    if kind == "trial sizes":
        low = draw(st.integers(5, 2000))
        set_at(doc, ("evidence", "schools_per_trial_min"), low)
        set_at(doc, ("evidence", "schools_per_trial_max"), draw(st.integers(4, low - 1)))
        return _case(f"{kind} ({base})", doc, ("evidence",))
    if kind == "response weights":
        set_at(doc, ("regime", "policy_response", "mode"), "pressure_driven")
        for weight in RESPONSE_WEIGHTS:
            set_at(doc, ("regime", "policy_response", weight), draw(st.sampled_from([0, 0.0])))
        return _case(f"{kind} ({base})", doc, ("regime", "policy_response"))
    if kind == "same names":
        parent_of(doc, ("interventions", 0))
        items = doc["interventions"]
        i, j = draw(st.lists(st.integers(0, len(items) - 1), min_size=2, max_size=2, unique=True))
        items[j]["name"] = items[i]["name"]
        return _case(f"{kind} {i}, {j} ({base})", doc, ("interventions",))
    section = draw(st.sampled_from(["regions", "interventions"]))
    loc = draw(concrete(doc, (section, 0, "name")))
    set_at(doc, loc, "")
    return _case(f"{kind} {loc} ({base})", doc, loc)


# --- text-level mutations: broken structure -------------------------------------------------------

_KEY_LINE = re.compile(r"(?P<indent> *)(?P<dash>- )?(?P<key>[A-Za-z_][A-Za-z0-9_]*):(?P<rest>.*)")


@dataclass(frozen=True)
class KeyLine:
    index: int  # 0-based line number
    start: int  # offset of the line in the text
    end: int  # offset of the line's end (its newline)
    column: int  # column of the key
    dash: int | None  # column of a "- " before the key
    key_start: int  # offset of the key
    colon: int  # offset of the ':' after the key
    value_start: int  # offset of the value (after ': ')
    scalar: bool  # the line holds a value, not a section head


def key_lines(text: str) -> list[KeyLine]:
    found, offset = [], 0
    for index, line in enumerate(text.split("\n")):
        match = _KEY_LINE.fullmatch(line)
        if match:
            rest = match["rest"]
            scalar = (
                rest.startswith(" ") and bool(rest.strip()) and not rest.strip().startswith("#")
            )
            dash = len(match["indent"]) if match["dash"] else None
            column = match.start("key")
            found.append(
                KeyLine(
                    index,
                    offset,
                    offset + len(line),
                    column,
                    dash,
                    offset + column,
                    offset + match.end("key"),
                    offset + match.end("key") + 2,
                    scalar,
                )
            )
        offset += len(line) + 1
    return found


def quoted_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for line_match in re.finditer(r"(?m)^(?!\s*#).*$", text):
        for m in re.finditer(r'"(?:[^"\\]|\\.)*"', line_match.group()):
            spans.append((line_match.start() + m.start(), line_match.start() + m.end()))
    return spans


def parent_column(lines: list[KeyLine], at: int) -> int:
    """The column of the innermost block that holds key line ``at``."""
    column = lines[at].column
    for line in reversed(lines[:at]):
        opened = [c for c in (line.column, line.dash) if c is not None and c < column]
        if opened:
            return max(opened)
    return -1


def has_sibling_before(lines: list[KeyLine], at: int) -> bool:
    """Whether an earlier key of the same block sits at key line ``at``'s column."""
    column = lines[at].column
    for line in reversed(lines[:at]):
        if line.column == column:
            return True
        if line.column < column or (line.dash is not None and line.dash < column):
            return False
    return False


OPENERS = ["[", "{", "[1, 2", "{a: 1", "[{a: 1}, ", "{a: [1"]
CLOSERS = ["]", "}", "]]", "} x", "] # c", "}: 1"]
COLON_JUNK = [": x", ": 1", ":", ": : x"]
JUNK_LINES = ["@x", "`x", "%x", "] x", "} x", "&", "*"]
SECOND_DOCS = ["years: 3\n", "{}\n", "[]\n", "x\n", "- 1\n", "name: x\ndescription: y\n"]
SEPARATORS = ["---\n", "--- \n", "...\n---\n", "...\n"]


@st.composite
def structure_mutations(draw: st.DrawFn) -> Case:
    name = draw(st.sampled_from(sorted(STRUCT_TEXTS)))
    text = STRUCT_TEXTS[name]
    lines = key_lines(text)
    kind = draw(
        st.sampled_from(
            [
                "unclosed flow",
                "unclosed quote",
                "stray closer",
                "stray colon",
                "missing colon",
                "over-indented",
                "under-indented",
                "tab indent",
                "truncated in a key",
                "truncated in a string",
                "second document",
                "junk line",
            ]
        )
    )
    if kind == "second document":
        second = draw(st.sampled_from([*SECOND_DOCS, text]))
        sep = draw(st.sampled_from(SEPARATORS))
        return Case(f"{kind} {sep!r} ({name})", text + sep + second)
    if kind == "truncated in a string":
        spans = quoted_spans(text)
        assume(spans)
        start, end = draw(st.sampled_from(spans))
        cut = draw(st.integers(start + 1, end - 1))
        return Case(f"{kind} at {cut} ({name})", text[:cut])
    if kind == "truncated in a key":
        line = draw(st.sampled_from(lines))
        cut = draw(st.integers(line.key_start + 1, line.colon))
        return Case(f"{kind} at {cut} ({name})", text[:cut])
    if kind in ("unclosed flow", "unclosed quote", "stray closer", "stray colon"):
        line = draw(st.sampled_from([kl for kl in lines if kl.scalar]))
        old = text[line.value_start : line.end]
        if kind == "unclosed flow":
            new = draw(st.sampled_from(OPENERS))
            assume("]" not in text[line.end :] and "}" not in text[line.end :])
        elif kind == "unclosed quote":
            quote = draw(st.sampled_from(["'", '"']))
            new = quote + draw(st.sampled_from(["", "abc", "a b: c"]))
            assume(quote not in text[line.end :])
        elif kind == "stray closer":
            new = draw(st.sampled_from(CLOSERS))
        else:
            new = old + draw(st.sampled_from(COLON_JUNK))
        mutated = text[: line.value_start] + new + text[line.end :]
        return Case(f"{kind}: {old!r} -> {new!r} line {line.index + 1} ({name})", mutated)
    if kind == "missing colon":
        line = draw(st.sampled_from(lines))
        return Case(
            f"{kind} line {line.index + 1} ({name})", text[: line.colon] + text[line.colon + 1 :]
        )
    if kind == "over-indented":
        sites = [
            b
            for a, b in itertools.pairwise(lines)
            if b.index == a.index + 1 and a.scalar and b.dash is None and a.column == b.column
        ]
        line = draw(st.sampled_from(sites))
        extra = " " * draw(st.integers(1, 4))
        return Case(
            f"{kind} line {line.index + 1} ({name})",
            text[: line.start] + extra + text[line.start :],
        )
    if kind == "under-indented":
        sites = [  # a line after a sibling, so its block's indentation is already fixed
            (i, kl)
            for i, kl in enumerate(lines)
            if kl.dash is None
            and kl.column - parent_column(lines, i) > 1
            and has_sibling_before(lines, i)
        ]
        i, line = draw(st.sampled_from(sites))
        column = draw(st.integers(parent_column(lines, i) + 1, line.column - 1))
        mutated = text[: line.start] + " " * column + text[line.start + line.column :]
        return Case(f"{kind} line {line.index + 1} to column {column} ({name})", mutated)
    if kind == "tab indent":
        line = draw(st.sampled_from(lines))
        indent = text[
            line.start : line.start + (line.dash if line.dash is not None else line.column)
        ]
        new = draw(st.sampled_from(["\t", "\t" + indent, indent + "\t"]))
        mutated = text[: line.start] + new + text[line.start + len(indent) :]
        return Case(f"{kind} {new!r} line {line.index + 1} ({name})", mutated)
    # junk line
    line = draw(st.sampled_from(lines))
    junk = draw(st.sampled_from(JUNK_LINES))
    column = line.dash if line.dash is not None else line.column
    mutated = text[: line.start] + " " * column + junk + "\n" + text[line.start :]
    return Case(f"{kind} {junk!r} before line {line.index + 1} ({name})", mutated)


@st.composite
def deep_nesting(draw: st.DrawFn) -> Case:
    base = draw(BASE_NAMES)
    depth = draw(st.sampled_from([1, 2, 31, 32, 33, 100, 250, 300, 600]) | st.integers(1, 600))
    form = draw(st.sampled_from(["[[...]]", "{a: {a: ...}}", "block mappings", "block lists"]))
    if form in ("block mappings", "block lists"):
        depth = min(depth, 300)
        step = "a:" if form == "block mappings" else "-"
        body = "".join(f"{'  ' * (i + 1)}{step}\n" for i in range(depth))
        text = BASE_TEXTS[base] + "deep:\n" + body + "  " * (depth + 1) + "1\n"
        return Case(f"{form} x{depth} ({base})", text)
    doc = copy.deepcopy(BASES[base])
    nest = "[" * depth + "]" * depth if form == "[[...]]" else "{a: " * depth + "1" + "}" * depth
    if draw(st.booleans()):
        slot = draw(st.sampled_from(LEAF_SLOTS))
        loc = draw(concrete(doc, slot.loc))
    else:
        loc = ("deep",)
    set_at(doc, loc, Raw(nest))
    return _case(f"{form} x{depth} at {loc} ({base})", doc, None)


# --- tags, anchors, encodings, sizes --------------------------------------------------------------

#: Tagged values; @CMD@, @MARKER@ and @CODE@ are filled in with a command, path and Python code
#: that would each create the marker file if anything executed them.
TAGGED = [
    "!!python/object/apply:os.system [@CMD@]",
    "!!python/object/apply:subprocess.check_call [[touch, @MARKER@]]",
    "!!python/object/new:subprocess.Popen [[touch, @MARKER@]]",
    "!!python/object/apply:builtins.exec [@CODE@]",
    "!!python/name:os.system ''",
    "!!python/module:os ''",
    "!!python/object:builtins.object {}",
    "!!python/tuple [1, 2]",
    "!<tag:yaml.org,2002:python/object/apply:os.system> [@CMD@]",
    "!custom 5",
    "!custom {a: 1}",
    "!custom [1]",
    "!custom",
    "!<!custom> 1",
    "!!binary aGVsbG8=",
    "!!set {a: null}",
    "!!omap [{a: 1}]",
    "!!pairs [[a, 1]]",
    "!!map {years: 3}",
]


def fill_payload(text: str, marker: Path) -> str:
    command = f"echo pwned > {marker}"
    code = f"open({str(marker)!r}, 'w').close()"
    return (
        text.replace("@CMD@", json.dumps(command))
        .replace("@MARKER@", json.dumps(str(marker)))
        .replace("@CODE@", json.dumps(code))
    )


@st.composite
def tag_mutations(draw: st.DrawFn) -> Case:
    base = draw(BASE_NAMES)
    doc = copy.deepcopy(BASES[base])
    tagged = draw(st.sampled_from(TAGGED))
    where = draw(st.sampled_from(["value", "key", "document", "%TAG shorthand"]))
    if where == "document":
        head = draw(st.sampled_from(["!!map", "!custom", "!!python/object/new:os.system"]))
        return Case(f"--- {head} ({base})", f"--- {head}\n{BASE_TEXTS[base]}")
    if where == "key":
        schema_loc = draw(st.sampled_from(MAPPING_LOCS))
        loc = draw(concrete(doc, schema_loc))
        node = mapping_at(doc, loc)
        key = draw(st.sampled_from(["!custom zzz", "!!python/object/apply:os.system [@CMD@]"]))
        node[Raw(key)] = 1
        return _case(f"key {key} in {loc} ({base})", doc, None)
    slot = draw(st.sampled_from(SLOTS))
    loc = draw(concrete(doc, slot.loc))
    if where == "%TAG shorthand":
        set_at(doc, loc, Raw("!py!object/apply:os.system [@CMD@]"))
        text = "%TAG !py! tag:yaml.org,2002:python/\n---\n" + emit(doc)[0]
        return Case(f"%TAG !py! at {loc} ({base})", text)
    set_at(doc, loc, Raw(tagged))
    return _case(f"{tagged} at {loc} ({base})", doc, None)


ANCHOR_NAMES = st.from_regex(r"[A-Za-z0-9_-]{1,12}", fullmatch=True)


def _scalar_leaves(doc: Any, loc: Loc = ()) -> Iterator[tuple[Loc, Any]]:
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _scalar_leaves(v, (*loc, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _scalar_leaves(v, (*loc, i))
    else:
        yield loc, doc


@st.composite
def alias_mutations(draw: st.DrawFn) -> Case:
    """Anchors and aliases in documents that would otherwise be valid (or plainly invalid)."""
    base = draw(BASE_NAMES)
    doc = copy.deepcopy(BASES[base])
    name = draw(ANCHOR_NAMES)
    leaves = list(_scalar_leaves(doc))
    pairs = [
        (a, b)
        for i, (a, va) in enumerate(leaves)
        for b, vb in leaves[i + 1 :]
        if type(va) is type(vb) and va == vb
    ]
    kinds = ["anchor only", "shared empty section", "merge key", "alias list", "undefined alias"]
    kind = draw(st.sampled_from([*kinds, "alias of an equal value"] if pairs else kinds))
    if kind == "anchor only":
        loc, value = draw(st.sampled_from(leaves))
        set_at(doc, loc, Anchored(name, value))
    elif kind == "alias of an equal value":
        first, second = draw(st.sampled_from(pairs))
        set_at(doc, first, Anchored(name, get_at(doc, first)))
        set_at(doc, second, Raw(f"*{name}"))
    elif kind in ("shared empty section", "merge key"):
        sections = [s.loc for s in SLOTS if s.kind == "model" and len(s.loc) == 1]
        one, other = draw(st.lists(st.sampled_from(sections), min_size=2, max_size=2, unique=True))
        doc.pop(one[0], None)
        doc.pop(other[0], None)
        doc[one[0]] = Anchored(name, Raw("{}"))
        doc[other[0]] = (
            Raw(f"*{name}") if kind == "shared empty section" else {Raw("<<"): Raw(f"*{name}")}
        )
    elif kind == "alias list":
        doc["shared"] = Anchored(name, Raw("[1, 2]"))
        doc["uses"] = Raw(f"[*{name}, *{name}]")
    else:
        loc, _ = draw(st.sampled_from(leaves))
        set_at(doc, loc, Raw(f"*{name}"))
    return _case(f"{kind} &{name} ({base})", doc, None)


def billion_laughs(levels: int = 10, width: int = 10, where: str = "unknown key") -> str:
    """The classic alias bomb: ``width ** levels`` strings if the aliases were expanded."""
    lines = ['l0: &l0 "lol"']
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * width) + "]")
    target = {"unknown key": "lol", "interventions": "interventions", "description": "description"}
    lines.append(f"{target[where]}: *l{levels - 1}")
    return "\n".join(lines) + "\n"


#: Run in a child process, so a loader that does expand the aliases costs a killed process and
#: not the test run's memory: reads the document, loads it, reports outcome and seconds.
_ISOLATED = r"""
import json, os, resource, signal, sys, time
mode, target, limit = sys.argv[1], sys.argv[2], float(sys.argv[3])
from edsim.errors import ScenarioError
from edsim.scenario import load_scenario, scenario_from_text
try:  # at most 2 GiB more memory than the imports took
    pages = int(open("/proc/self/statm").read().split()[0])
    extra = pages * os.sysconf("SC_PAGE_SIZE") + (2 << 30)
    resource.setrlimit(resource.RLIMIT_AS, (extra, resource.getrlimit(resource.RLIMIT_AS)[1]))
except (OSError, ValueError):
    pass
class Overtime(BaseException):
    pass
def on_alarm(*_):
    raise Overtime
text = open(target, encoding="utf-8").read()
signal.signal(signal.SIGALRM, on_alarm)
start = time.perf_counter()
signal.setitimer(signal.ITIMER_REAL, limit)
try:
    if mode == "file":
        load_scenario(target)
    else:
        scenario_from_text(text, filename="bomb.yaml")
    outcome, detail = "accepted", ""
except ScenarioError as exc:
    outcome, detail = "ScenarioError", str(exc)
except Overtime:
    outcome, detail = "still running", ""
except BaseException as exc:
    outcome, detail = type(exc).__name__, str(exc)[:500]
seconds = time.perf_counter() - start
signal.setitimer(signal.ITIMER_REAL, 0)
print(json.dumps({"outcome": outcome, "seconds": seconds, "detail": detail}))
"""


def load_isolated(path: Path, mode: str, limit: float) -> dict[str, Any]:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, "-c", _ISOLATED, mode, str(path), str(limit)],
        capture_output=True,
        text=True,
        timeout=limit + 120,
        env=env,
        check=False,
    )
    lines = done.stdout.strip().splitlines()
    if not lines:
        return {
            "outcome": f"child died (rc {done.returncode})",
            "seconds": None,
            "detail": done.stderr[-2000:],
        }
    return json.loads(lines[-1])


NON_PRINTABLE = [chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F]]
NON_PRINTABLE += [
    chr(c) for c in [*range(0x80, 0x85), *range(0x86, 0xA0), 0xD800, 0xDFFF, 0xFFFE, 0xFFFF]
]


@st.composite
def encoding_mutations(draw: st.DrawFn) -> Case:
    """File bytes that are not UTF-8 text (or hold characters YAML forbids)."""
    name = draw(st.sampled_from(sorted(STRUCT_TEXTS)))
    text = STRUCT_TEXTS[name]
    raw = text.encode("utf-8")
    kind = draw(
        st.sampled_from(
            [
                "utf-16",
                "utf-16-be",
                "utf-32",
                "utf-16 without BOM",
                "latin-1",
                "cp1252",
                "random bytes",
                "NUL bytes",
                "bad UTF-8 sequence",
            ]
        )
    )
    at = draw(st.integers(0, len(raw)))
    if kind in ("utf-16", "utf-32"):
        data = text.encode(kind)  # with a byte order mark
    elif kind == "utf-16-be":
        data = b"\xfe\xff" + text.encode("utf-16-be")
    elif kind == "utf-16 without BOM":
        data = text.encode(draw(st.sampled_from(["utf-16-le", "utf-16-be"])))
    elif kind in ("latin-1", "cp1252"):
        char = draw(
            st.sampled_from(
                "\u00e9\u00fc\u00a3\u00ff\u00c0"
                if kind == "latin-1"
                else "\u201c\u201d\u2019\u20ac"
            )
        )
        data = raw[:at] + char.encode(kind) + raw[at:]  # one byte >= 0x80 before ASCII: never UTF-8
    elif kind == "random bytes":
        noise = draw(st.binary(max_size=64))
        bad = draw(st.sampled_from([b"\xff", b"\xfe", b"\xc0", b"\xc1", b"\xf5", b"\xf8"]))
        cut = draw(st.integers(0, len(noise)))  # bytes that never occur in UTF-8
        data = draw(st.sampled_from([b"", raw[:at]])) + noise[:cut] + bad + noise[cut:]
    elif kind == "NUL bytes":
        data = raw[:at] + b"\x00" * draw(st.integers(1, 3)) + raw[at:]
    else:
        seq = draw(
            st.sampled_from([b"\xed\xa0\x80", b"\xc0\x80", b"\xe2\x82", b"\xf4\x90\x80\x80"])
        )
        data = raw[:at] + seq + raw[at:]
    return Case(f"{kind} at {at} ({name})", data=data)


@st.composite
def forbidden_characters(draw: st.DrawFn) -> Case:
    name = draw(st.sampled_from(sorted(STRUCT_TEXTS)))
    text = STRUCT_TEXTS[name]
    char = draw(st.sampled_from(NON_PRINTABLE))
    at = draw(st.integers(0, len(text)))
    return Case(f"U+{ord(char):04X} at {at} ({name})", text[:at] + char + text[at:])


@st.composite
def extends_mutations(draw: st.DrawFn) -> Case:
    """``extends:`` naming something that is not a scenario file (never a shipped name)."""
    base = draw(BASE_NAMES)
    doc = copy.deepcopy(BASES[base])
    kind = draw(
        st.sampled_from(
            ["not text", "blank", "missing", "too long", "directory", "device", "itself"]
        )
    )
    if kind == "not text":
        value: Any = draw(st.one_of(NUMBERS, st.booleans(), st.none(), SMALL_LISTS, SMALL_MAPS))
    elif kind == "blank":
        value = draw(st.sampled_from(["", " ", "\t", "  \t "]))
    elif kind == "missing":
        tail = draw(st.from_regex(r"[a-z0-9_./-]{0,20}", fullmatch=True))
        value = draw(st.sampled_from(["", "./", "../", "sub/"])) + "no-such-scenario-" + tail
    elif kind == "too long":
        value = "x" * draw(st.integers(256, 5000)) + draw(st.sampled_from(["", ".yaml"]))
    elif kind == "directory":
        value = draw(st.sampled_from([".", "..", "/", "./", "../.."]))
    elif kind == "device":
        value = draw(st.sampled_from(["/dev/null", "/dev/zero", "/dev/urandom"]))
    else:  # the file itself, from a file (from text, a file that does not exist)
        value = "fuzzed.yaml"
    items = list(doc.items())
    items.insert(draw(st.integers(0, len(items))), ("extends", Raw(flow(value))))
    replace_items(doc, items)
    return _case(f"extends {kind}: {flow(value)[:40]} ({base})", doc, ("extends",))


MIB = 1024 * 1024


def huge_document(kind: str, over: int) -> Case:
    """Valid-looking YAML ``over`` bytes over 1 MiB."""
    size = MIB + over
    head = BASE_TEXTS["small"]
    if kind == "comment":
        text = head + "# " + "x" * size + "\n"
    elif kind == "long list":
        item = "  - name: region {}\n    pupil_share: 0.1\n"
        count = size // len(item.format(0)) + 1
        text = head + "regions:\n" + "".join(item.format(i) for i in range(count))
    elif kind == "long text":
        text = head.replace('description: "', 'description: "' + "x" * size, 1)
    else:
        text = head + "\n" * size
    assert len(text.encode("utf-8")) > MIB
    return Case(f"{kind}, {len(text)} bytes", text)


@st.composite
def empty_documents(draw: st.DrawFn) -> str:
    """Documents with nothing in them: empty, whitespace, comments (all valid: every default)."""
    comment_text = st.text(
        st.characters(
            codec="utf-8",
            exclude_categories=["Cs", "Cc", "Cn", "Zl", "Zp"],
            exclude_characters="\ufeff",
        ),
        max_size=30,
    )
    parts = draw(
        st.lists(
            st.one_of(
                st.sampled_from(["\n", "\r\n", " ", "  \n", "\r"]),
                comment_text.map(lambda s: f"# {s}\n"),
                st.tuples(st.integers(0, 4), comment_text).map(
                    lambda t: " " * t[0] + "#" + t[1] + "\n"
                ),
            ),
            max_size=6,
        )
    )
    start = draw(st.sampled_from(["", "---\n", "--- # start\n"]))
    return start + "".join(parts)


#: Legal-but-odd YAML: the loader may accept or refuse each, but only with a ScenarioError.
ODD_VALUES = [
    '"\\U00110000"', '"\\U80000000"', '"\\UFFFFFFFF"', '"\\ud800"', '"\\x00"',
    '"\\N\\_\\L\\P\\e\\/"', "2011-01-01", "2001-12-14t21:59:43.10-05:00", "0x1F", "0o17",
    "+15", "1_000", "1e400", "-1e400", ".5", "-0",
    "~", "''", "|\n  text", ">-\n  folded", "{<<: {}}", "{<<: {a: 1}}", "{<<: 3}", "{<<: [[]]}",
    "{? [a]: 1}", "{.nan: 1}", "{null: 1}", "{true: 1}", "{1: 2}", "[a, {b: c}]", "x" * 10_000,
]  # fmt: skip
ODD_KEYS = [
    "<<",
    "? [a, b]\n",
    "? {a: 1}\n",
    ".nan",
    "null",
    "true",
    "1",
    "~",
    '"\\ud800"',
    "'\\t'",
]
ODD_HEADERS = [
    *(f"%YAML {v}\n---\n" for v in ("1.1", "1.2", "1.3", "1.9", "2.0")),
    "%TAG ! tag:example.com,2000:\n---\n", "%FOO bar\n---\n", "%YAML 1.1\n%YAML 1.1\n---\n", "",
]  # fmt: skip


@st.composite
def odd_documents(draw: st.DrawFn) -> Case:
    base = draw(BASE_NAMES)
    doc = copy.deepcopy(BASES[base])
    header = draw(st.sampled_from(ODD_HEADERS))
    tail = ""
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["value", "key", "merge"]))
        if kind == "value":
            slot = draw(st.sampled_from(SLOTS))
            loc = draw(concrete(doc, slot.loc))
            value = draw(st.sampled_from(ODD_VALUES))
            if "\n" in value:  # a block scalar: as a top-level value, where its indent is known
                loc = ("description",)
            set_at(doc, loc, Raw(value))
            continue
        loc = draw(concrete(doc, draw(st.sampled_from(MAPPING_LOCS))))
        node = mapping_at(doc, loc)
        if kind == "merge":  # ``<<:`` with a literal mapping (no alias): a YAML 1.1 merge key
            moved = [k for k in node if isinstance(k, str)]
            if moved and draw(st.booleans()):
                key = draw(st.sampled_from(moved))
                merged = Raw(flow({key: node.pop(key)}))
            else:
                merged = Raw(draw(st.sampled_from(["{}", "{a: 1}", "[{a: 1}]", "[{}, {}]", "1"])))
            node[Raw("<<")] = merged
            continue
        key = draw(st.sampled_from(ODD_KEYS))
        if key.startswith("?"):
            tail = key + ": 1\n"
        else:
            node[Raw(key)] = Raw(draw(st.sampled_from(["1", "{}", "[]", "x"])))
    return Case(f"odd ({base})", header + emit(doc)[0] + tail)


# --- the properties -------------------------------------------------------------------------------


def test_bases_are_valid() -> None:
    """The mutations' starting points load: any error below is the mutation's."""
    assert scenario_from_text(BASE_TEXTS["default"]) == Scenario()
    assert scenario_from_text(BASE_TEXTS["small"]) == scenario_from_text(SMALL_TEXT)
    for name, text in STRUCT_TEXTS.items():
        assert isinstance(scenario_from_text(text, filename=name), Scenario)
    assert len(NUMERIC_SLOTS) > 100
    assert CHOICE_SLOTS
    assert len(MAPPING_LOCS) > 15


@settings(FUZZ, max_examples=100)
@given(case=key_mutations(), via_file=st.booleans())
def test_mutated_keys_are_rejected(case: Case, via_file: bool, tmp_path: Path) -> None:
    assert_rejected(case, tmp_path, via_file)


@settings(FUZZ, max_examples=100)
@given(case=wrong_type_mutations(), via_file=st.booleans())
def test_wrong_types_are_rejected(case: Case, via_file: bool, tmp_path: Path) -> None:
    assert_rejected(case, tmp_path, via_file)


@settings(FUZZ, max_examples=100)
@given(case=range_mutations(), via_file=st.booleans())
def test_out_of_range_values_are_rejected(case: Case, via_file: bool, tmp_path: Path) -> None:
    assert_rejected(case, tmp_path, via_file)


@settings(FUZZ, max_examples=40)
@given(case=choice_mutations(), via_file=st.booleans())
def test_bad_choices_are_rejected(case: Case, via_file: bool, tmp_path: Path) -> None:
    assert_rejected(case, tmp_path, via_file)


@settings(FUZZ, max_examples=30)
@given(case=preset_mutations(), via_file=st.booleans())
def test_bad_regime_presets_are_rejected(case: Case, via_file: bool, tmp_path: Path) -> None:
    assert_rejected(case, tmp_path, via_file)


@settings(FUZZ, max_examples=30)
@given(case=inconsistent_mutations(), via_file=st.booleans())
def test_inconsistent_values_are_rejected(case: Case, via_file: bool, tmp_path: Path) -> None:
    assert_rejected(case, tmp_path, via_file)


@settings(FUZZ, max_examples=100)
@given(case=structure_mutations(), via_file=st.booleans())
def test_broken_yaml_structure_is_rejected(case: Case, via_file: bool, tmp_path: Path) -> None:
    assert_rejected(case, tmp_path, via_file)


@settings(FUZZ, max_examples=20, phases=[Phase.explicit, Phase.generate])  # no shrinking
@given(case=deep_nesting(), via_file=st.booleans())
def test_deep_nesting_is_rejected(case: Case, via_file: bool, tmp_path: Path) -> None:
    assert_rejected(case, tmp_path, via_file)


@settings(FUZZ, max_examples=40)
@given(case=tag_mutations(), via_file=st.booleans())
def test_yaml_tags_are_refused_and_never_run(case: Case, via_file: bool, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    marker.unlink(missing_ok=True)
    case = Case(case.what, fill_payload(case.text, marker), line=case.line)
    for error in assert_rejected(case, tmp_path, via_file):
        assert any(p.line is not None for p in error.problems), error
    assert not marker.exists(), f"a YAML tag ran code: {case!r}"


@settings(FUZZ, max_examples=30)
@given(case=alias_mutations(), via_file=st.booleans())
def test_anchors_and_aliases_are_refused(case: Case, via_file: bool, tmp_path: Path) -> None:
    assert_rejected(case, tmp_path, via_file)


@settings(FUZZ, max_examples=3, phases=[Phase.explicit, Phase.generate])
@given(
    where=st.sampled_from(["unknown key", "interventions", "description"]),
    after_small=st.booleans(),
    via_file=st.booleans(),
)
def test_billion_laughs_is_refused_quickly(
    where: str, after_small: bool, via_file: bool, tmp_path: Path
) -> None:
    """10 levels of 10 aliases (10**10 strings if expanded): refused in under 2 s, in a child
    process so a loader that does expand them cannot take the test run down with it."""
    base = re.sub(r"(?m)^description:.*\n", "", SMALL_TEXT) if after_small else ""
    path = tmp_path / "bomb.yaml"
    path.write_text(base + billion_laughs(where=where), encoding="utf-8")
    mode = "file" if via_file else "text"
    result = load_isolated(path, mode, limit=5.0)
    assert result["outcome"] == "ScenarioError", (where, mode, result)
    assert result["seconds"] < 2.0, (where, mode, result)
    assert (str(path) if via_file else "bomb.yaml") in result["detail"]


@settings(FUZZ, max_examples=30)
@given(case=extends_mutations(), via_file=st.booleans())
def test_bad_extends_are_rejected(case: Case, via_file: bool, tmp_path: Path) -> None:
    assert_rejected(case, tmp_path, via_file)


@settings(FUZZ, max_examples=40)
@given(case=encoding_mutations())
def test_files_that_are_not_utf8_text_are_rejected(case: Case, tmp_path: Path) -> None:
    assert_rejected(case, tmp_path, via_file=True)


@settings(FUZZ, max_examples=30)
@given(case=forbidden_characters(), via_file=st.booleans())
def test_characters_yaml_forbids_are_rejected(case: Case, via_file: bool, tmp_path: Path) -> None:
    assert_rejected(case, tmp_path, via_file)


@settings(FUZZ, max_examples=4, phases=[Phase.explicit, Phase.generate])
@given(
    kind=st.sampled_from(["comment", "long list", "long text", "blank lines"]),
    over=st.sampled_from([1, 4096, MIB // 2]),
)
def test_files_over_one_mib_are_refused(kind: str, over: int, tmp_path: Path) -> None:
    """Refused before parsing (so quickly), from a file and as text."""
    case = huge_document(kind, over)
    start = time.perf_counter()
    assert_rejected(case, tmp_path, via_file=True, limit=5.0)
    assert time.perf_counter() - start < 5.0, case.what


@settings(FUZZ, max_examples=30)
@given(text=empty_documents(), via_file=st.booleans(), bom=st.booleans())
def test_empty_documents_mean_all_defaults(
    text: str, via_file: bool, bom: bool, tmp_path: Path
) -> None:
    """Not malformed: an empty, blank or comment-only file sets nothing, so all defaults."""
    case = Case("empty document", text)
    assert run_loader(case, lambda: scenario_from_text(text, TEXT_NAME)) == Scenario()
    if via_file:
        path = tmp_path / "empty.yaml"
        path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
        assert run_loader(case, lambda: load_scenario(path)) == Scenario(name="empty")


@settings(FUZZ, max_examples=80)
@given(case=odd_documents(), via_file=st.booleans())
def test_odd_yaml_is_accepted_or_refused_but_never_crashes(
    case: Case, via_file: bool, tmp_path: Path
) -> None:
    outcome = run_loader(case, lambda: scenario_from_text(case.text, filename=TEXT_NAME))
    if isinstance(outcome, ScenarioError):
        check_error(Case(case.what, case.text), outcome, TEXT_NAME)
    else:
        assert isinstance(outcome, Scenario)
    if via_file:
        path = tmp_path / "odd.yaml"
        path.write_bytes(case.file_bytes())
        assert isinstance(run_loader(case, lambda: load_scenario(path)), Scenario | ScenarioError)


#: Minimal inputs the fuzzer found that raised something other than ScenarioError (kept so
#: they stay fixed): (id, text, whether a valid Scenario is also an acceptable answer).
REPRODUCERS = [
    ("preset-is-a-list", "regime:\n  preset: [a]\n", False),
    ("preset-is-a-mapping", "regime:\n  preset: {a: 1}\n", False),
    ("deep-flow-lists", "years: " + "[" * 500 + "]" * 500 + "\n", False),
    ("deep-flow-mappings", "years: " + "{a: " * 500 + "1" + "}" * 500 + "\n", False),
    ("deep-block-mappings", "".join("  " * i + f"k{i}:\n" for i in range(300)), False),
    ("escape-beyond-unicode", 'description: "\\U00110000"\n', False),
    ("escape-beyond-c-int", 'description: "\\U80000000"\n', False),
    ("lone-surrogate-in-text", "\ud800name: x\n", False),
    ("yaml-1.3-directive", "%YAML 1.3\n---\nyears: 3\n", True),
    ("merge-key-alone", "<<: {years: 3}\n", True),
    ("merge-key-beside-keys", "years: 3\n<<: {a: 1}\n", False),
    ("extends-name-too-long", "extends: " + "x" * 300 + "\n", False),
]


@pytest.mark.parametrize(
    ("text", "may_be_valid"), [r[1:] for r in REPRODUCERS], ids=[r[0] for r in REPRODUCERS]
)
def test_fuzzer_reproducers(text: str, may_be_valid: bool) -> None:
    """Minimal inputs the fuzzer found raising something other than ScenarioError."""
    case = Case("reproducer", text)
    outcome = run_loader(case, lambda: scenario_from_text(text, filename=TEXT_NAME))
    if may_be_valid and isinstance(outcome, Scenario):
        return
    check_error(case, outcome, TEXT_NAME)


@pytest.mark.parametrize(
    "name",
    ["x" * 300 + ".yaml", "a\0b.yaml", "missing.yaml", ".", "sub/missing.yaml"],
    ids=["name-too-long", "nul-in-path", "missing", "directory", "missing-directory"],
)
def test_bad_paths_are_scenario_errors(name: str, tmp_path: Path) -> None:
    """A path the OS refuses is a user mistake too (a typo on the command line)."""
    path = os.path.join(tmp_path, name)
    outcome = run_loader(Case(f"load_scenario({name[:40]!r})"), lambda: load_scenario(path))
    check_error(Case(name), outcome, path)
