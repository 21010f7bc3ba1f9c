"""The explore layer's public front is pinned, and the command line goes through it only."""

from __future__ import annotations

import edsim
import edsim.explore
from test_architecture import PACKAGE, imports_of

EXPLORE_FRONT = [
    "DISCOVERY_DIR",
    "Box",
    "Discovery",
    "Optimisation",
    "SearchResult",
    "TrialReport",
    "cart_rules",
    "default_box",
    "discover",
    "is_optimisation_file",
    "load_optimisation",
    "optimise",
    "write_discovery",
    "write_search",
]


def test_the_explore_front_is_pinned() -> None:
    assert sorted(edsim.explore.__all__) == sorted(EXPLORE_FRONT)
    assert edsim.discover is edsim.explore.discover
    assert edsim.optimise is edsim.explore.optimise


def test_the_cli_uses_only_the_explore_front() -> None:
    found = [
        imp
        for path in (PACKAGE / "cli").glob("*.py")
        for imp in imports_of(path)
        if imp.module.startswith("edsim.explore")
    ]
    assert found, "the scan found no explore imports"
    for imp in found:
        assert imp.module == "edsim.explore", f"{imp.source}:{imp.line}: {imp.module}"
        assert set(imp.names) <= set(EXPLORE_FRONT), imp
