"""Fuzz experiment files and every command's options: only EdsimError, exit 2, no traceback.

Why: experiment files and command lines are typed by hand and shared, so every mistake in them
must come back as a located ``error: ...`` and exit status 2 (1 where the mistake is a place
results cannot be written, :class:`~edsim.errors.OutputError`), never a traceback, a hang or
minutes of work on a design nobody meant to run. ``tests/scenario/test_fuzz.py`` does this for
scenario files; this file does it for what sits on top of them.

How: the cases are generated from a fixed seed (so CI sees the same ones every time) in
families, each built so that every case is invalid: malformed YAML, wrong types, unknown keys,
designs over the run limit, paths that are not files (missing, folders, named pipes, devices,
names too long, binary or non-UTF-8 files), output paths that cannot be written, and bad option
values for every command (read from the commands themselves, so a new option is fuzzed too).
Each case runs the real command in this process through Click's test runner under a watchdog;
each experiment file is also loaded through the library. :func:`test_case_count` prints the
number of cases per family and requires at least 300.
"""

from __future__ import annotations

import json
import os
import random
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args
from unittest import mock

import pytest
import typer.main
import typer.testing
from typer.testing import CliRunner

from edsim.cli import app
from edsim.errors import EdsimError
from edsim.experiment import experiment_from_text, run_experiment
from edsim.experiment.design import DesignSettings, ParameterSettings
from edsim.experiment.spec import _KEYS

#: Longest any one case may run before it counts as a hang.
WATCHDOG_S = 10.0

#: A valid experiment (two variants of the default scenario); every case breaks a copy of it. It
#: names no base, so reading it parses no scenario file (each case takes milliseconds).
BASE: dict[str, Any] = {
    "name": "fuzz",
    "scenarios": {"dt": {"regime": "disseminate_to"}, "le": {"regime": "linkage_exchange"}},
    "replicates": 1,
    "seed": 3,
    "years": 1,
    "metrics": ["ks4_gap_index", "ks2_gap_index"],
}
GRID = {"method": "grid", "parameters": {"truth.heterogeneity": {"values": [0.0, 0.2]}}}
BASE_TEXT = "# a valid experiment\n" + json.dumps(BASE, indent=2) + "\n"
#: The same on the small scenario, run once for the commands that read results (about 1 s).
RESULTS_TEXT = json.dumps({**BASE, "base": "small"}) + "\n"

#: The executor every experiment case is run with: unknown, so a file that loads is reported as
#: "unknown executor" (and caught below as accepted) instead of starting runs.
NO_EXECUTOR = "no-such-executor"

RNG = random.Random(20261122)


@dataclass(frozen=True)
class Case:
    """One invalid input: an experiment file's text (or bytes), or a command line."""

    family: str
    what: str
    text: str | None = None
    data: bytes | None = None
    args: tuple[str, ...] = ()
    codes: frozenset[int] = frozenset({2})


def doc(**changes: Any) -> dict[str, Any]:
    """A copy of the base experiment with top-level keys changed."""
    return {**json.loads(json.dumps(BASE)), **changes}


def as_yaml(data: Any) -> str:
    """JSON is YAML 1.2: a readable, exact way to write any generated document."""
    return json.dumps(data, indent=2) + "\n"


def text_case(family: str, what: str, data: Any) -> Case:
    return Case(family, what, text=data if isinstance(data, str) else as_yaml(data))


# --- families ------------------------------------------------------------------------------------


def malformed_yaml() -> list[Case]:
    """Text that is not a valid YAML 1.2 mapping, or that YAML features we refuse."""
    lines = BASE_TEXT.splitlines(keepends=True)
    breakers = {
        "unclosed flow mapping": "{a: 1\n",
        "unclosed flow list": "[1, 2\n",
        "unclosed quote": '"open\n',
        "tab indentation": "\tkey: 1\n",
        "python tag": 'x: !!python/object/apply:os.system ["true"]\n',
        "local tag": "x: !custom 1\n",
        "anchor": "x: &anchor 1\n",
        "alias": "x: *nothing\n",
        "merge key": "<<: {years: 1}\n",
        "stray mapping end": "}\n",
        "bad escape": 'x: "\\q"\n',
        "control character": "x: \x07\n",
        "deep nesting": "x: " + "[" * 200 + "]" * 200 + "\n",
    }
    cases = []
    for name, line in breakers.items():
        for _ in range(4):
            at = RNG.randrange(1, len(lines) + 1)
            text = "".join([*lines[:at], line, *lines[at:]])
            cases.append(text_case("malformed YAML", f"{name} at line {at + 1}", text))
    whole = {
        "duplicate key": BASE_TEXT.replace('"seed": 3,', '"seed": 3, "seed": 4,'),
        "YAML 1.1 directive": "%YAML 1.1\n---\n" + BASE_TEXT,
        "YAML 1.3 directive": "%YAML 1.3\n---\n" + BASE_TEXT,
        "YAML 2.0 directive": "%YAML 2.0\n---\n" + BASE_TEXT,
        "two documents": BASE_TEXT + "---\nname: other\n",
        "a list at the top": "- a\n- b\n",
        "text at the top": "just some words\n",
        "a number at the top": "42\n",
        "empty": "",
        "only a comment": "# nothing here\n",
        "over 1 MiB": BASE_TEXT + "# " + "x" * (1024 * 1024) + "\n",
        "billion laughs": "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n" + BASE_TEXT,
    }
    cases += [text_case("malformed YAML", name, text) for name, text in whole.items()]
    encodings = {
        "UTF-16": BASE_TEXT.encode("utf-16"),
        "Latin-1": ("# caf\u00e9\n" + BASE_TEXT).encode("latin-1"),
        "binary": bytes(range(256)) * 4,
        "NUL bytes": b"name: a\x00b\n",
    }
    cases += [Case("malformed YAML", f"{name} file", data=data) for name, data in encodings.items()]
    return cases


def wrong_values() -> list[Case]:
    """Every key given a value of the wrong type, out of range, or naming nothing."""
    bad: dict[str, list[Any]] = {
        "name": [3, "", "bad name!", "x" * 65, ["a"], {"a": 1}, True],
        "description": [3, ["a"], {"a": 1}],
        "base": [3, "", " ", ["a"], {"a": 1}, True, "no-such-scenario", "/dev/null", "/", "."],
        "scenarios": [[], {}, "small", 3, None, [{"a": 1}]],
        "baseline": [3, "nope", ["dt"], {"a": 1}],
        "replicates": [0, -1, 1.5, "2", True, [], 100_001, None],
        "seed": [-1, 1.5, "x", 2**63, True],
        "years": [0, 201, 1.5, "x", True],
        "metrics": [[], "ks4_gap_index", [3], ["nope"], ["ks4_gap_index", "ks4_gap_index"]],
        "max_runs": [0, -1, "x", 1.5, True],
        "outcome": [3, "x", {"scenario": "nope"}, {"metric": "nope"}, {"year": 999}],
    }
    cases = [
        text_case("wrong values", f"{key}: {value!r}", doc(**{key: value}))
        for key, values in bad.items()
        for value in values
    ]
    variants: list[Any] = [
        3, ["a"], True, "no-such-scenario", {"regime": "bogus"}, {"regime": 3},
        {"truth": {"heterogeneity": 5}}, {"extends": 3}, {"extends": "/dev/zero"},
        {"population": {"n_primary_schools": 1.5}},
    ]  # fmt: skip
    cases += [
        text_case("wrong values", f"variant {v!r}", doc(scenarios={"dt": v})) for v in variants
    ]
    names = ["bad name", "-x", "x" * 65, "a/b", "caf\u00e9", ".hidden"]
    cases += [
        text_case("wrong values", f"variant name {n!r}", doc(scenarios={n: {"regime": "none"}}))
        for n in names
    ]
    cases.append(
        text_case("wrong values", "names differing in case", doc(scenarios={"le": {}, "LE": {}}))
    )
    cases.append(text_case("wrong values", "a number as a variant name", "scenarios: {3: {}}\n"))
    p = "truth.heterogeneity"
    unit = {p: {"min": 0, "max": 1}}
    designs: list[Any] = [
        3, "grid", [], {}, {"method": "nope", "parameters": {p: {"values": [0.1]}}},
        {"method": "grid"}, {"method": "grid", "parameters": {}},
        {"method": "grid", "parameters": []}, {"method": "grid", "parameters": {p: 3}},
        {"method": "grid", "parameters": {p: {"values": []}}},
        {"method": "grid", "parameters": {p: {"values": "x"}}},
        {"method": "grid", "parameters": {p: {"values": [[1]]}}},
        {"method": "grid", "parameters": {p: {"values": [3.0]}}},
        {"method": "grid", "parameters": {p: {"values": ["x"]}}},
        {"method": "grid", "parameters": unit},
        {"method": "grid", "samples": 4, "parameters": {p: {"values": [0.1]}}},
        {"method": "lhs", "parameters": {p: {"min": 0, "max": 0.5}}},
        {"method": "lhs", "samples": 4, "parameters": {p: {"values": [0.1]}}},
        {"method": "lhs", "samples": 4, "parameters": {p: {"min": "a", "max": 1}}},
        {"method": "lhs", "samples": 4, "parameters": {p: {"min": 0.5, "max": 0.5}}},
        {"method": "lhs", "samples": 4, "parameters": {p: {"min": -1, "max": 0.5}}},
        {"method": "lhs", "samples": 4, "parameters": {p: {"min": 0, "max": 5}}},
        {"method": "lhs", "samples": 0, "parameters": unit},
        {"method": "lhs", "samples": "x", "parameters": unit},
        {"method": "lhs", "samples": 2**40, "parameters": unit},
        {"method": "sobol", "samples": 10, "parameters": unit},
        {"method": "sobol", "samples": 8, "second_order": "yes", "parameters": unit},
        {"method": "morris", "samples": 4, "levels": 1, "parameters": unit},
        {"method": "morris", "samples": 4, "levels": 21, "parameters": unit},
        {"method": "lhs", "samples": 4, "parameters": {"regime.feedback.mode": {"max": 1}}},
    ]  # fmt: skip
    cases += [text_case("wrong values", f"design {d!r}"[:80], doc(design=d)) for d in designs]
    paths = [
        "regime", "interventions", "truth.heterogenity", "nope", "interventions.99.months",
        "truth.heterogeneity.x", "interventions.x.months", "", ".", "truth..heterogeneity",
    ]  # fmt: skip
    cases += [
        text_case(
            "wrong values",
            f"design parameter {path!r}",
            doc(design={"method": "grid", "parameters": {path: {"values": [1]}}}),
        )
        for path in paths
    ]
    return cases


def unknown_keys() -> list[Case]:
    """Keys that are not allowed where they are written (typos and inventions)."""
    places: list[tuple[str, frozenset[str], Callable[[str], dict[str, Any]]]] = [
        ("top level", frozenset(_KEYS), lambda k: doc(**{k: 1})),
        (
            "design",
            frozenset(DesignSettings.model_fields),
            lambda k: doc(design={**GRID, k: 1}),
        ),
        (
            "design parameter",
            frozenset(ParameterSettings.model_fields),
            lambda k: doc(
                design={"method": "grid", "parameters": {"truth.heterogeneity": {k: [1]}}}
            ),
        ),
        ("variant", frozenset({"extends"}), lambda k: doc(scenarios={"dt": {k: 1}})),
        ("variant section", frozenset(), lambda k: doc(scenarios={"dt": {"truth": {k: 1}}})),
    ]
    words = sorted({*_KEYS, "values", "method", "samples", "regime", "truth", "heterogeneity"})
    cases = []
    for where, allowed, build in places:
        for _ in range(10):
            word = RNG.choice(words)
            i = RNG.randrange(len(word) + 1)
            key = word[:i] + RNG.choice("xqz_") + word[i:]
            if RNG.random() < 0.3:
                key = "".join(RNG.choice("abcdefghijklmnopqrstuvwxyz_") for _ in range(8))
            if key in allowed or key in {"truth", "regime", "population"}:
                continue
            cases.append(text_case("unknown keys", f"{where}: {key!r}", build(key)))
    return cases


def huge_designs() -> list[Case]:
    """Designs and replicates over the run limit, refused before anything is drawn."""
    numbers = ["truth.heterogeneity", "schools.capacity_gradient", "population.disadvantaged_share"]
    cases = []
    for n in (101, 150, 1000):
        values = [round(i / n, 6) for i in range(n)]
        params = {p: {"values": values} for p in numbers[:2]}
        cases.append(
            text_case(
                "huge designs",
                f"grid {n}x{n}",
                doc(design={"method": "grid", "parameters": params}),
            )
        )
    ranges = {"truth.heterogeneity": {"min": 0, "max": 0.5}, numbers[1]: {"min": 0, "max": 0.5}}
    for method, samples in [
        ("lhs", 10_001), ("lhs", 1_000_000), ("sobol", 2**12), ("sobol", 2**19),
        ("morris", 4000), ("morris", 1_000_000),
    ]:  # fmt: skip
        design = {"method": method, "samples": samples, "parameters": ranges}
        cases.append(text_case("huge designs", f"{method} {samples}", doc(design=design)))
    for count in (22, 50):
        values = [round(i / count, 6) for i in range(count)]
        params = {p: {"values": values} for p in numbers}
        design = {"method": "grid", "parameters": params}
        cases.append(text_case("huge designs", f"grid {count}^3", doc(design=design)))
    three = {**ranges, numbers[2]: {"min": 0.1, "max": 0.5}}
    for method, samples, extra in [
        ("lhs", 20_000, {}), ("sobol", 2**11, {"second_order": True}), ("sobol", 2**13, {}),
        ("morris", 2600, {"levels": 6}), ("lhs", 5001, {}),
    ]:  # fmt: skip
        design = {"method": method, "samples": samples, "parameters": three, **extra}
        cases.append(text_case("huge designs", f"{method} {samples} x 3", doc(design=design)))
    for replicates in (5001, 20_000, 100_000):
        cases.append(
            text_case("huge designs", f"{replicates} replicates", doc(replicates=replicates))
        )
    for limit in (1, 2, 3):
        cases.append(
            text_case("huge designs", f"max_runs: {limit}", doc(max_runs=limit, replicates=2))
        )
        small = doc(max_runs=limit * 4, design=GRID, replicates=limit + 1)
        cases.append(text_case("huge designs", f"max_runs: {limit * 4} with a design", small))
    return cases


# --- command lines -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Places:
    """Files the command-line cases point at, made once in a temporary folder."""

    root: Path
    experiment: Path
    results: Path

    def bad_inputs(self) -> dict[str, str]:
        """Paths that name no readable YAML file, by what is wrong with them."""
        r = self.root
        return {
            "missing": str(r / "missing.yaml"),
            "missing folder": str(r / "nowhere" / "x.yaml"),
            "directory": str(r / "folder"),
            "named pipe": str(r / "pipe.yaml"),
            "null device": "/dev/null",
            "zero device": "/dev/zero",
            "name too long": str(r / ("x" * 300 + ".yaml")),
            "binary": str(r / "binary.yaml"),
            "not UTF-8": str(r / "latin1.yaml"),
            "symlink loop": str(r / "loop.yaml"),
        }

    def bad_results(self) -> dict[str, str]:
        """Paths that are not a results directory."""
        r = self.root
        return {
            "missing": str(r / "no-results"),
            "a file": str(self.experiment),
            "named pipe": str(r / "pipe.yaml"),
            "empty folder": str(r / "folder"),
            "garbage manifest": str(r / "garbage"),
        }

    def bad_outputs(self, folder: bool) -> dict[str, str]:
        """Where no output file (or with ``folder``, no output folder) can be written.

        Never a real device: run as root, a writer that renamed its file over ``/dev/null``
        once replaced the system's ``/dev/null``; a named pipe here stands for every such file.
        """
        places = {
            "under /proc": "/proc/edsim-fuzz/x",
            "under a file": str(self.experiment / "x"),
            "a named pipe": str(self.root / "pipe.yaml"),
        }
        if folder:
            return {**places, "a file": str(self.experiment)}
        return {**places, "a folder": str(self.root / "folder")}


def make_places(root: Path) -> Places:
    (root / "folder").mkdir()
    os.mkfifo(root / "pipe.yaml")
    (root / "binary.yaml").write_bytes(bytes(range(256)))
    (root / "latin1.yaml").write_bytes("name: caf\u00e9\n".encode("latin-1"))
    (root / "loop.yaml").symlink_to(root / "loop.yaml")
    (root / "garbage").mkdir()
    (root / "garbage" / "manifest.json").write_text("{not json")
    experiment = root / "fuzz.yaml"
    experiment.write_text(BASE_TEXT)
    results = root / "results"
    run_experiment(
        experiment_from_text(RESULTS_TEXT, "results.yaml"), out=results, executor="serial"
    )
    return Places(root, experiment, results)


def is_number(param: Any) -> bool:
    """Whether an option takes a number (Typer's own parameters, or Click's)."""
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    if annotation is not None:
        return annotation in (int, float) or get_args(annotation) in ((int,), (float,))
    return getattr(getattr(param, "type", None), "name", "") in NUMBER_TYPES


NUMBER_TYPES = {"integer", "float", "integer range", "float range"}


def number_range(param: Any) -> tuple[Any, Any]:
    """An option's declared (min, max), either None where it has none."""
    source = param if hasattr(param, "min") else getattr(param, "type", None)
    return getattr(source, "min", None), getattr(source, "max", None)


def option_cases(command: Any, name: str, valid: tuple[str, ...]) -> list[Case]:
    """Bad values for every option of a command, read from the command: wrong types, values
    outside its range, a missing value, an unknown option, too many arguments."""
    cases = [
        Case("bad options", f"{name} unknown option", args=(name, *valid, "--no-such-option")),
        Case("bad options", f"{name} extra argument", args=(name, *valid, "a", "b", "c")),
    ]
    for param in command.params:
        if param.param_type_name != "option" or param.is_flag or param.name == "help":
            continue
        flag = param.opts[0]
        cases.append(
            Case("bad options", f"{name} {flag} without a value", args=(name, *valid, flag))
        )
        low, high = number_range(param)
        values = ["abc", "", "1e999x"] if is_number(param) else []
        values += [str(low - 1)] if low is not None else []
        values += [str(high + 1)] if high is not None else []
        cases += [
            Case("bad options", f"{name} {flag} {v!r}", args=(name, *valid, flag, v))
            for v in values
        ]
    return cases


#: Positional arguments that make each command's line valid, so only the option is wrong.
def valid_arguments(places: Places) -> dict[str, tuple[str, ...]]:
    experiment, results = str(places.experiment), str(places.results)
    return {
        "run": ("small",),
        "validate": ("small",),
        "baseline": ("small",),
        "show": ("small",),
        "diff": ("small", "small"),
        "schema": (),
        "batch": (experiment, "-e", NO_EXECUTOR),
        "compare": (results,),
        "plot": (results,),
        "sensitivity": (results,),
        "viz": ("small",),
        "animate": ("small.yaml", "--out", str(places.root / "x.gif")),
        "calibrate": ("calibrate_england",),
        "discover": (results,),
        "optimise": (experiment, "-e", NO_EXECUTOR),
    }


#: Exit codes allowed per command: ``animate`` reports its own input mistakes with exit 1.
ANIMATE_CODES = frozenset({1, 2})

BAD_SETS = [
    "novalue", "=3", "truth..heterogeneity=1", "truth.heterogenity=0.1",
    "truth.heterogeneity=5", "truth.heterogeneity=[1]", "truth.heterogeneity=x",
    "truth.heterogeneity=!!python/object/apply:os.system [true]", "truth.heterogeneity=&a 1",
    "interventions.99.months=1", "interventions.x.months=1", "regime=bogus", "regime.preset=3",
    "population.n_primary_schools=1.5", "truth=1", "truth.heterogeneity.x=1", "3=3",
]  # fmt: skip


def command_lines(places: Places) -> list[Case]:
    """Bad paths, outputs and option values for every command."""
    group: Any = COMMAND
    valid = valid_arguments(places)
    assert set(valid) == set(group.commands), "a new command: add its valid arguments here"
    cases = []
    for name, command in group.commands.items():
        codes = ANIMATE_CODES if name == "animate" else frozenset({2})
        cases += [
            Case(c.family, c.what, args=c.args, codes=codes)
            for c in option_cases(command, name, valid[name])
        ]
    outside = ("--out", str(places.root / "out"))
    for kind, path in places.bad_inputs().items():
        lines = [
            ("validate", path), ("show", path), ("run", path), ("baseline", path),
            ("diff", path, "small"), ("diff", "small", path), ("viz", path),
            ("batch", path, "-e", "serial", *outside), ("sensitivity", path, *outside),
            ("calibrate", path, *outside), ("optimise", path, "-e", "serial", *outside),
        ]  # fmt: skip
        cases += [Case("bad paths", f"{line[0]} {kind}", args=line) for line in lines]
        if path.endswith(".yaml"):  # animate runs a .yaml as a scenario
            line = ("animate", path, "-o", "x.gif")
            cases.append(Case("bad paths", f"animate {kind}", args=line, codes=ANIMATE_CODES))
    for kind, path in {**places.bad_results(), "name too long": "x" * 300}.items():
        for line in [("compare", path), ("plot", path), ("discover", path)]:
            cases.append(Case("bad paths", f"{line[0]} results {kind}", args=line))
        line = ("animate", path, "-o", "x.gif")
        cases.append(Case("bad paths", f"animate results {kind}", args=line, codes=ANIMATE_CODES))
    results = str(places.results)
    files, folders = places.bad_outputs(folder=False), places.bad_outputs(folder=True)
    outputs = [
        *((kind, ("schema", "--out", path)) for kind, path in files.items()),
        *((kind, ("schema", "--markdown", path)) for kind, path in files.items()),
        *((kind, ("run", "small", "--out", path)) for kind, path in folders.items()),
        *((kind, ("compare", results, "--out", path)) for kind, path in folders.items()),
        *((kind, ("plot", results, "--out", path)) for kind, path in folders.items()),
        *(
            (kind, ("calibrate", "calibrate_england", "--out", path))
            for kind, path in folders.items()
        ),
    ]
    cases += [
        Case("bad outputs", f"{line[0]} {line[-2]} {kind}", args=line, codes=frozenset({1}))
        for kind, line in outputs
    ]
    for value in BAD_SETS:
        for line in [
            ("validate", "small", "--set", value), ("show", "small", "--set", value),
            ("run", "small", "--set", value), ("diff", "small", "small", "--set-b", value),
        ]:  # fmt: skip
            cases.append(Case("bad options", f"{line[0]} --set {value!r}", args=line))
    experiment = str(places.experiment)
    semantic = [
        ("batch", experiment, "-e", "bogus"), ("batch", experiment, "--workers", "100000"),
        ("batch", experiment, "-e", "serial", "--workers", "2"),
        ("batch", experiment, "--scheduler", "tcp://127.0.0.1:1"),
        ("batch", experiment, "-e", "dask", "--scheduler", "http://x"),
        ("batch", experiment, "--max-runs", "1"), ("sensitivity", experiment, "--max-runs", "1"),
        ("compare", results, "--metric", "bogus"), ("compare", results, "--years", "999"),
        ("compare", results, "--baseline", "nope"), ("plot", results, "--metric", "bogus"),
        ("plot", results, "--baseline", "nope"), ("sensitivity", results),
        ("sensitivity", results, "--metric", "bogus"), ("sensitivity", results, "--year", "999"),
        ("discover", results), ("discover", results, "--metric", "bogus"),
        ("discover", results, "--threshold", "nan"), ("discover", results, "--direction", "up"),
        ("optimise", experiment), ("optimise", "best_mix", "-e", "bogus"),
        ("optimise", "best_mix", "-e", "serial", "--workers", "2"),
    ]  # fmt: skip
    cases += [Case("bad options", " ".join(line[:1] + line[2:]), args=line) for line in semantic]
    return cases


FILE_FAMILIES: dict[str, list[Case]] = {
    "malformed YAML": malformed_yaml(),
    "wrong values": wrong_values(),
    "unknown keys": unknown_keys(),
    "huge designs": huge_designs(),
}


# --- running a case ------------------------------------------------------------------------------


class _Overtime(BaseException):
    """Raised by the watchdog; a BaseException so that no ``except Exception`` swallows it."""


@contextmanager
def watchdog(seconds: float) -> Iterator[None]:
    """Interrupt the block after ``seconds`` (where SIGALRM exists, in the main thread)."""
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
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


RUNNER = CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1"})

#: The Click command behind ``edsim``, built once: Typer's test runner builds it again on every
#: call (about 0.1 s, most of each case's time), so it is handed this one instead.
COMMAND = typer.main.get_command(app)


@contextmanager
def built_once() -> Iterator[None]:
    if not hasattr(typer.testing, "_get_command"):  # another Typer: slower, still correct
        yield
        return
    with mock.patch.object(typer.testing, "_get_command", return_value=COMMAND):
        yield


def invoke(args: tuple[str, ...]) -> tuple[int | None, str, BaseException | None]:
    """Run ``edsim ARGS`` in this process: exit code (None for a hang), output, exception."""
    try:
        with watchdog(WATCHDOG_S), built_once():
            result = RUNNER.invoke(app, list(args), catch_exceptions=True)
    except _Overtime:
        return None, "", None
    escaped = result.exception if not isinstance(result.exception, SystemExit) else None
    return result.exit_code, result.output, escaped


def failure(
    case: Case, ran: tuple[int | None, str, BaseException | None] | None = None
) -> str | None:
    """What is wrong with how ``case`` was handled, or None if it was a clean refusal."""
    code, output, escaped = ran if ran is not None else invoke(case.args)
    if code is None:
        return f"still running after {WATCHDOG_S} s"
    if escaped is not None:
        return f"traceback: {type(escaped).__name__}: {escaped}"
    if "Traceback" in output:
        return f"traceback in the output: {output[-300:]}"
    if code not in case.codes:
        return f"exit {code}, expected {sorted(case.codes)}: {output[-300:]}"
    if "error:" not in output and "Error" not in output:
        return f"no error message: {output[-300:]}"
    return None


def file_failure(case: Case, folder: Path) -> str | None:
    """An experiment case: refused by the library with an EdsimError, and by ``edsim batch``."""
    path = folder / "case.yaml"
    path.write_bytes(case.data if case.data is not None else case.text.encode())  # type: ignore[union-attr]
    if case.text is not None:
        try:
            with watchdog(WATCHDOG_S):
                experiment_from_text(case.text, "case.yaml")
            return "accepted by experiment_from_text"
        except EdsimError:
            pass
        except _Overtime:
            return f"experiment_from_text still running after {WATCHDOG_S} s"
        except Exception as exc:  # the failure this test exists to find
            return f"experiment_from_text raised {type(exc).__name__}: {exc}"
    ran = invoke(("batch", str(path), "-e", NO_EXECUTOR, "--out", str(folder / "out")))
    if NO_EXECUTOR in ran[1]:
        return "accepted by edsim batch (it went on to check the executor)"
    return failure(case, ran)


# --- the tests -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def places(tmp_path_factory: pytest.TempPathFactory) -> Places:
    return make_places(tmp_path_factory.mktemp("fuzz-places"))


@pytest.fixture(autouse=True)
def _inside(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # default outputs (results/<name>) land in the test's folder


def test_the_base_experiment_is_valid() -> None:
    """Every case breaks this experiment, so an error below is the case's."""
    assert experiment_from_text(BASE_TEXT, "fuzz.yaml").n_runs == 2
    assert experiment_from_text(as_yaml(doc(design=GRID)), "fuzz.yaml").n_runs == 4


@pytest.mark.parametrize("family", list(FILE_FAMILIES))
def test_malformed_experiment_files_are_refused(family: str, tmp_path: Path) -> None:
    cases = FILE_FAMILIES[family]
    start = time.perf_counter()
    failures = [f"{c.what}: {why}" for c in cases if (why := file_failure(c, tmp_path))]
    seconds = time.perf_counter() - start
    print(f"{family}: {len(cases)} cases, {len(failures)} not refused cleanly, {seconds:.1f} s")
    assert not failures, "\n".join(failures)


def test_huge_designs_are_refused_at_once(tmp_path: Path) -> None:
    """Counted, not built: each refusal in well under a second, naming the count and the way
    to confirm it."""
    for case in FILE_FAMILIES["huge designs"]:
        start = time.perf_counter()
        with pytest.raises(EdsimError, match=r"runs \(.*max_runs: \d+") as info:
            experiment_from_text(case.text or "", "case.yaml")
        assert time.perf_counter() - start < 2.0, (case.what, info.value)


def test_command_lines_are_refused(places: Places) -> None:
    cases = command_lines(places)
    start = time.perf_counter()
    failures = [f"{' '.join(c.args)[:160]}: {why}" for c in cases if (why := failure(c))]
    seconds = time.perf_counter() - start
    print(
        f"command lines: {len(cases)} cases, {len(failures)} not refused cleanly, {seconds:.1f} s"
    )
    assert not failures, "\n".join(failures)


def test_case_count(places: Places) -> None:
    """At least 300 generated cases across the families, every one of them refused cleanly
    (the tests above fail on any traceback, hang or wrong exit status)."""
    counts = {name: len(cases) for name, cases in FILE_FAMILIES.items()}
    counts["command lines"] = len(command_lines(places))
    total = sum(counts.values())
    print(f"{total} generated cases: {counts}")
    assert total >= 300, counts
    assert min(counts.values()) >= 20, counts
