"""`edsim run` and `edsim baseline` end to end, in a subprocess, on the small scenario."""

import subprocess
from pathlib import Path

import pandas as pd

import edsim
from cli_helpers import run_edsim

ROOT = Path(__file__).resolve().parents[1]


def edsim_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return run_edsim(*args)


def test_run_small_writes_trajectory_figure_and_summary(tmp_path):
    out = tmp_path / "out"
    result = edsim_cli(
        "run", "scenarios/small.yaml", "--seed", "3", "--years", "4", "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    assert "KS4 disadvantage gap index" in result.stdout
    df = pd.read_parquet(out / "trajectory.parquet")
    assert list(df["step"]) == [0, 1, 2, 3, 4]
    pd.testing.assert_frame_equal(df, pd.read_csv(out / "trajectory.csv"), check_dtype=False)
    # The CLI runs exactly what the library runs.
    expected = edsim.run(ROOT / "scenarios" / "small.yaml", seed=3, years=4)
    pd.testing.assert_series_equal(df["ks4_gap_index"], expected["ks4_gap_index"])
    png = (out / "gap_trajectories.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(png) > 10_000


def test_baseline_with_one_seed_claims_no_spread():
    result = edsim_cli("baseline", "scenarios/small.yaml", "--seeds", "1")
    assert result.returncode == 0, result.stderr
    assert "(1 seed)" in result.stdout
    assert "± 0.000" not in result.stdout
    assert "Model (one" in result.stdout


def test_baseline_reports_every_target():
    result = edsim_cli("baseline", "scenarios/small.yaml", "--seeds", "2")
    assert result.returncode == 0, result.stderr
    year0, window = result.stdout.split("The disadvantage gap index 2011-2015")
    rows = [line for line in year0.splitlines() if line.startswith("│")]
    assert len(rows) == 9, result.stdout
    assert any("KS4 disadvantage gap index" in r and "4.07 ± 0.1 " in r for r in rows)
    # ... and the calibration window beside it: each key stage's five DfE values.
    series = [line for line in window.splitlines() if line.startswith("│")]
    assert len(series) == 10, result.stdout
    assert any("KS4" in r and "2014" in r and "3.74" in r for r in series)
    assert any("KS2" in r and "2015" in r and "3.10" in r for r in series)
