"""Shared fixtures: the shipped small scenario (about 200 schools)."""

from pathlib import Path

import pytest

from edsim import Scenario, load_scenario

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def small() -> Scenario:
    """scenarios/small.yaml: England's proportions at ~1% scale."""
    return load_scenario(ROOT / "scenarios" / "small.yaml")
