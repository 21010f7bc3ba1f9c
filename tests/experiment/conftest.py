"""Tiny experiments on the small scenario, fast enough to run under every executor."""

from pathlib import Path

import pytest

from edsim.experiment import Experiment, experiment_from_text

ROOT = Path(__file__).resolve().parents[2]

#: Two regimes, three paired replicates, three years: 6 runs of about 0.1 s each.
TINY = f"""
name: tiny
base: {ROOT / "scenarios" / "small.yaml"}
scenarios:
  disseminate_to: {{regime: disseminate_to}}
  linkage_exchange: {{regime: linkage_exchange}}
replicates: 3
seed: 7
years: 3
metrics: [ks2_gap_index, ks4_gap_index, schools_reached, policy_response]
"""


@pytest.fixture(scope="session")
def tiny() -> Experiment:
    return experiment_from_text(TINY, "tiny.yaml")


@pytest.fixture
def tiny_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY)
    return path
