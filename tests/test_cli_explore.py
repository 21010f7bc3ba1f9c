"""`edsim discover` and `edsim optimise` end to end on tiny files, and their errors in words.

The commands run in process (Typer's runner) from a temporary directory, so the whole file
stays well under a minute; one error is also checked in a real process, for its exit status
and the absence of a traceback.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from cli_helpers import ROOT
from cli_helpers import run_edsim as run_process
from edsim.cli import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")


def run_edsim(*args: str, cwd: Path) -> SimpleNamespace:
    """The command in process, shaped like a finished subprocess (``cwd`` is the test's)."""
    result = runner.invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return SimpleNamespace(returncode=result.exit_code, stdout=result.stdout, stderr=result.stderr)


SMALL = ROOT / "scenarios" / "small.yaml"

EXPERIMENT = f"""name: tiny_discovery
base: {SMALL}
scenarios:
  disseminate_to: {{regime: disseminate_to}}
  linkage_exchange: {{regime: linkage_exchange}}
baseline: disseminate_to
replicates: 1
seed: 5
years: 2
metrics: [ks4_gap_index, spend_evidence_cumulative]
design:
  method: lhs
  samples: 12
  parameters:
    truth.heterogeneity: {{min: 0.0, max: 0.3}}
    schools.capacity_gradient: {{min: 0.0, max: 1.2}}
"""

SEARCH = f"""name: tiny_search
base: {SMALL}
scenarios:
  eef: {{regime: linkage_exchange}}
replicates: 1
seed: 5
years: 2
metrics: [ks4_gap_index, spend_evidence_cumulative]
design:
  method: lhs
  samples: 2
  parameters:
    truth.heterogeneity: {{min: 0.0, max: 0.3}}
search:
  levers:
    regime.advocacy.strength: {{min: 0.0, max: 1.0}}
    regime.partnerships.n_brokers: {{min: 0, max: 40}}
  budget: 1.0e+9
  trials: 3
"""


def clean_error(result, exit_code: int | None = None) -> str:
    assert result.returncode != 0, result.stdout
    if exit_code is not None:
        assert result.returncode == exit_code, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert "error:" in result.stderr
    return result.stderr


def test_discover_end_to_end(tmp_path: Path) -> None:
    (tmp_path / "tiny.yaml").write_text(EXPERIMENT)
    batch = run_edsim(
        "batch", "tiny.yaml", "--out", "res", "--executor", "serial", "--no-report", cwd=tmp_path
    )
    assert batch.returncode == 0, batch.stderr
    # A threshold no point passes is refused, saying the outcome's range: choose inside it.
    refused = clean_error(run_edsim("discover", "res", "--threshold", "1000", cwd=tmp_path), 2)
    low, high = map(float, re.search(r"ranges from (\S+) to (\S+) over", refused).groups())
    middle = (low + high) / 2
    found = run_edsim("discover", "res", "--threshold", str(middle), "--cart", cwd=tmp_path)
    assert found.returncode == 0, found.stderr
    assert "linkage_exchange minus disseminate_to" in found.stdout
    assert "design points are cases" in found.stdout
    assert "CART" in found.stdout
    out = tmp_path / "res" / "discovery"
    for name in (
        "points.csv",
        "peeling_trajectory.csv",
        "box_limits.csv",
        "box.md",
        "cart.txt",
        "peeling_tradeoff.png",
        "box_limits.svg",
        "box_scatter.png",
    ):
        assert (out / name).is_file(), name
    whole = run_edsim("discover", "res", "--threshold", str(middle), "--box", "0", cwd=tmp_path)
    assert "Box 0 (chosen with --box): coverage 1.000" in whole.stdout
    unknown = clean_error(run_edsim("discover", "res", "--metric", "ks9_gap", cwd=tmp_path), 2)
    assert "metric 'ks9_gap' is not a column" in unknown
    assert "finite" in clean_error(run_edsim("discover", "res", "--threshold", "nan", cwd=tmp_path))
    assert "'below' or 'above'" in clean_error(
        run_edsim("discover", "res", "--direction", "up", cwd=tmp_path)
    )


def test_discover_without_results_is_a_clean_error(tmp_path: Path) -> None:
    message = clean_error(run_process("discover", "missing", cwd=tmp_path))
    assert "holds no edsim results" in message


def test_optimise_end_to_end_and_resumes(tmp_path: Path) -> None:
    (tmp_path / "search.yaml").write_text(SEARCH)
    first = run_edsim("optimise", "search.yaml", "--executor", "serial", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.count("trial ") >= 3
    assert "trial 3/3" in first.stdout
    assert "Best trial within the budget: trial" in first.stdout
    out = tmp_path / "results" / "tiny_search"
    for name in ("optuna.sqlite3", "trials.csv", "best.csv", "convergence.png", "gap_vs_spend.svg"):
        assert (out / name).is_file(), name
    more = run_edsim(
        "optimise", "search.yaml", "--trials", "4", "--executor", "serial", cwd=tmp_path
    )
    assert more.returncode == 0, more.stderr
    assert "trial 4/4" in more.stdout
    assert "trial 1/4" not in more.stdout


def test_optimise_errors_are_located(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(SEARCH.replace("max: 40}", "max: 4000}"))
    message = clean_error(run_edsim("optimise", "bad.yaml", cwd=tmp_path), 2)
    assert "bad.yaml:17:5: search.levers.regime.partnerships.n_brokers:" in message
    assert "above the parameter's upper bound 1000" in message
    (tmp_path / "exp.yaml").write_text(EXPERIMENT)
    message = clean_error(run_edsim("optimise", "exp.yaml", cwd=tmp_path), 2)
    assert "has no 'search:' block" in message
    message = clean_error(run_edsim("batch", "best_mix", "--executor", "serial", cwd=tmp_path), 2)
    assert "best_mix.yaml:40:1: search: this is an optimisation file" in message
