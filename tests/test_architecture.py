"""The package's layers talk through small fronts, and no two modules import each other.

Why: loading an experiment used to cross from ``experiment/`` into seven modules of
``scenario/`` and back, so any change inside the scenario layer could break the experiment
layer and the command line. Now the scenario layer has one front (``edsim.scenario``, whose
``__all__`` is pinned here; the front door is ``resolve``), and these tests read the source of
the experiment layer and the CLI and fail if either imports a scenario module directly or a
name the front does not export. Two modules that import each other cannot be understood,
tested or imported one without the other, so a test finds every such pair in ``src/edsim``.

How: the imports are read with :mod:`ast`, never executed: every ``import`` and
``from ... import`` anywhere in a module (in functions too, since the CLI imports lazily),
relative ones resolved. Only imports under ``if TYPE_CHECKING:`` are left out of the circle
test, since they never run; the front test checks those too, since they are still a dependency
on a module's insides.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import edsim.scenario

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "edsim"

#: The scenario layer's public front. Changing it is a decision: update this list with it.
SCENARIO_FRONT = [
    "PRESETS",
    "Difference",
    "Document",
    "InterventionSpec",
    "Parameter",
    "RegimeSettings",
    "Resolved",
    "Scenario",
    "apply_values",
    "default_catalogue",
    "describe",
    "differences",
    "load_scenario",
    "parameter",
    "render_json_schema",
    "render_with_origins",
    "resolve",
    "resolve_scenario",
    "scenario_from_text",
    "shipped_scenarios_dir",
    "write_json_schema",
    "write_reference",
]


@dataclass(frozen=True)
class Import:
    """One imported module and the names taken from it, as written in ``source`` at ``line``."""

    source: str
    line: int
    module: str
    names: tuple[str, ...]
    type_only: bool


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(path: Path) -> Iterator[Import]:
    """Every import in a module, with relative imports resolved to absolute module names."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    source = str(path.relative_to(SRC))

    def walk(nodes: list[ast.stmt], type_only: bool) -> Iterator[Import]:
        for node in nodes:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield Import(source, node.lineno, alias.name, (), type_only)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join([*parent, *([node.module] if node.module else [])])
                names = tuple(alias.name for alias in node.names)
                yield Import(source, node.lineno, base, names, type_only)
            if isinstance(node, ast.If) and _is_type_checking(node):
                yield from walk(node.body, True)
                yield from walk(node.orelse, type_only)
                continue
            for field in ("body", "orelse", "finalbody"):  # functions, classes, if, try, with
                yield from walk(getattr(node, field, None) or [], type_only)
            for handler in getattr(node, "handlers", None) or []:
                yield from walk(handler.body, type_only)

    yield from walk(ast.parse(path.read_text(encoding="utf-8")).body, False)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def test_the_scenario_front_is_pinned() -> None:
    assert sorted(edsim.scenario.__all__) == sorted(SCENARIO_FRONT)
    for name in SCENARIO_FRONT:
        assert getattr(edsim.scenario, name) is not None, name


def test_experiment_layer_and_cli_use_only_the_scenario_front() -> None:
    """``from edsim.scenario import <public name>``, and nothing from the modules behind it."""
    files = sorted([*(PACKAGE / "experiment").glob("*.py"), *(PACKAGE / "cli").glob("*.py")])
    assert len(files) > 10
    seen = 0
    problems = []
    for path in files:
        for imp in imports_of(path):
            if imp.module != "edsim.scenario" and not imp.module.startswith("edsim.scenario."):
                continue
            seen += 1
            private = sorted(set(imp.names) - set(edsim.scenario.__all__))
            if imp.module != "edsim.scenario" or private or not imp.names:
                problems.append(f"{imp.source}:{imp.line}: {imp.module} {private or imp.names}")
    assert seen >= 8, "the scan found too few scenario imports to be reading the code"
    assert not problems, "import the scenario layer only through edsim.scenario:\n" + "\n".join(
        problems
    )


def test_the_import_reader_sees_lazy_type_only_and_relative_imports() -> None:
    """The scan itself: a private import, a lazy one and a type-only one are all found."""
    probe = PACKAGE / "cli" / "_common.py"
    found = list(imports_of(probe))
    assert any(i.module == "edsim.scenario" and i.type_only for i in found)
    assert any(i.module == "edsim.scenario" and not i.type_only for i in found)  # in a function
    scenarios = list(imports_of(PACKAGE / "cli" / "scenarios.py"))
    assert any(i.module == "edsim.cli._common" for i in scenarios)  # relative, resolved


def module_graph() -> dict[str, set[str]]:
    """Which modules of ``edsim`` each one imports when it runs (type-only imports left out).

    ``from package import name`` depends on the package, and on ``package.name`` when that is a
    module.
    """
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        targets = set()
        for imp in imports_of(path):
            if imp.type_only:
                continue
            if imp.module in MODULES:
                targets.add(imp.module)
            targets.update(f"{imp.module}.{n}" for n in imp.names if f"{imp.module}.{n}" in MODULES)
        targets.discard(name)
        graph[name] = targets
    return graph


def two_module_circles(graph: dict[str, set[str]]) -> set[tuple[str, str]]:
    return {(a, b) for a, targets in graph.items() for b in targets if a < b and a in graph[b]}


def test_no_two_modules_import_each_other() -> None:
    graph = module_graph()
    assert len(graph) > 80  # the scan reads the code
    assert sum(map(len, graph.values())) > 200
    # model/implementation <-> schools and model/reporting <-> system were circles once, through
    # imports only type hints need; experiment/results <-> storage through a storage helper.
    assert two_module_circles(graph) == set()


def test_the_circle_finder_finds_a_circle() -> None:
    graph = {"a": {"b"}, "b": {"a", "c"}, "c": set()}
    assert two_module_circles(graph) == {("a", "b")}
