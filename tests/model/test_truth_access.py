"""No decision reads the hidden truth (DESIGN.md §8).

Only :mod:`edsim.model.world` reads :class:`~edsim.model.world.Truth`: pupils' gains, what
adapting does, trials, evaluations and the modeller's measurements. Decision code (schools,
brokers, partnerships, researchers, the policymaker, the mechanisms) is never handed the truth or
the world. Two checks: the source (who imports or touches the world and the truth), and a run in
which every read of the truth records where it came from.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import edsim
from edsim.model import EdSystemModel

SRC = Path(edsim.__file__).resolve().parent
WORLD = SRC / "model" / "world.py"
#: Modules that may hold the world and call it: the wiring and the measurements.
MAY_CALL_WORLD = {SRC / "model" / "system.py", SRC / "model" / "reporting.py"}
TRUTH_FIELDS = {"theta", "mu", "beta", "_truth"}


def _modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if p != WORLD)


def _offences(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "edsim.model.world":
            names = {a.name for a in node.names}
            if path not in MAY_CALL_WORLD or ("Truth" in names and path.name != "system.py"):
                found.append(f"line {node.lineno}: imports {sorted(names)} from the world")
        if isinstance(node, ast.Import) and any(a.name == "edsim.model.world" for a in node.names):
            found.append(f"line {node.lineno}: imports the world")
        if isinstance(node, ast.Attribute):
            if node.attr in TRUTH_FIELDS and id(node) not in called:  # not rng.beta(...)
                found.append(f"line {node.lineno}: reads .{node.attr}")
            # ``scenario.truth`` is the TruthSettings section, which is fine to read.
            reaches = node.attr == "world" or (node.attr == "truth" and _not_settings(node))
            if reaches and path not in MAY_CALL_WORLD:
                found.append(f"line {node.lineno}: reaches .{node.attr}")
    return found


def _not_settings(node: ast.Attribute) -> bool:
    base = node.value
    name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
    return name not in {"sc", "scenario", "config", "cfg", "self.config", "s"}


def test_only_the_world_reads_the_truth_in_the_source():
    offences = {str(p.relative_to(SRC)): o for p in _modules() if (o := _offences(p))}
    assert not offences, offences


def test_the_source_check_can_fail(tmp_path):
    """A decision that peeks at theta is caught."""
    bad = tmp_path / "peek.py"
    bad.write_text("def decide(model):\n    return model.world._truth.theta.max()\n")
    assert len(_offences(bad)) >= 2


class _Guard:
    """Stands in for the truth and records which source file reads each field."""

    def __init__(self, truth) -> None:
        self._inner = truth
        self.readers: set[str] = set()

    def __getattr__(self, name):
        self.readers.add(sys._getframe(1).f_code.co_filename)
        return getattr(self._inner, name)


@pytest.mark.parametrize(
    "params",
    [
        {"regime": "disseminate_to"},
        {"regime": "linkage_exchange", "regime__support__protection": "all_partnership_work"},
        {
            "regime": {"preset": "linkage_exchange", "dissemination": {"push_strength": 1.0}},
            "implementation__adaptation_propensity": 1.0,
        },
    ],
    ids=["dt", "le", "hybrid_adapting"],
)
def test_only_the_world_reads_the_truth_in_a_run(small, params):
    model = EdSystemModel(small, rng=3, **params)
    guard = _Guard(model.world._truth)
    model.world._truth = guard
    for _ in range(6):
        model.step()
    assert guard.readers, "the run read the truth (pupils learned)"
    assert guard.readers == {str(WORLD)}, guard.readers


def test_the_run_check_can_fail(small):
    model = EdSystemModel(small, rng=3)
    guard = _Guard(model.world._truth)
    model.world._truth = guard
    _ = guard.theta  # read from this test file, as a decision module peeking would
    assert str(Path(__file__).resolve()) in guard.readers
