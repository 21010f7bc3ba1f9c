"""The ``edsim`` command: clean messages and exit codes for user mistakes, never a traceback.

Most tests run the real CLI in a subprocess (``python -m edsim``), as a user would. The run
pipeline after the model (summary, files written) is tested in-process with a stand-in runner,
so no simulation runs here.
"""

from __future__ import annotations

import re
import subprocess
import sys
import types
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console
from typer.testing import CliRunner

from cli_helpers import ROOT
from cli_helpers import run_edsim as edsim
from edsim.cli import app, summary_table
from edsim.scenario import Scenario


def assert_clean_failure(result: subprocess.CompletedProcess[str], code: int) -> None:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def write(tmp_path: Path, text: str, name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def fake_trajectory(years: int = 3) -> pd.DataFrame:
    steps = range(years + 1)
    return pd.DataFrame(
        {
            "step": list(steps),
            "year": [2011 + s for s in steps],
            "ks2_gap_index": [3.34 - 0.1 * s for s in steps],
            "ks4_gap_index": [4.07 - 0.05 * s for s in steps],
            "ks2_gap_sd": [0.5] * (years + 1),
            "ks4_gap_sd": [0.6] * (years + 1),
            "ks2_standard_dis": [0.45 + 0.01 * s for s in steps],
            "ks2_standard_other": [0.67] * (years + 1),
            "ks4_standard_dis": [0.45] * (years + 1),
            "ks4_standard_other": [0.72] * (years + 1),
            "schools_reached_cumulative": [0, 1200, 2500, 4100][: years + 1],
            "spend_evidence_cumulative": [0.0, 2.5e6, 5e6, 7.5e6][: years + 1],
            "policy_response": ["none"] * (years + 1),
        }
    )


# --- user mistakes, through the real command -----------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    result = edsim("run", "nope.yaml", cwd=tmp_path)
    assert_clean_failure(result, 2)
    assert "error:" in result.stderr
    assert "nope.yaml: file not found" in result.stderr


def test_bad_yaml(tmp_path: Path) -> None:
    path = write(tmp_path, "name: x\npopulation:\n  a: b: c\n")
    result = edsim("run", path, cwd=tmp_path)
    assert_clean_failure(result, 2)
    assert f"{path}:3:7:" in result.stderr
    assert "YAML syntax error" in result.stderr


def test_unknown_key(tmp_path: Path) -> None:
    path = write(tmp_path, "name: x\npopulation:\n  disadvantaged_shar: 0.3\n")
    result = edsim("run", path, cwd=tmp_path)
    assert_clean_failure(result, 2)
    assert f"{path}:3:3: population.disadvantaged_shar:" in result.stderr
    assert "did you mean 'disadvantaged_share'?" in result.stderr


def test_out_of_range(tmp_path: Path) -> None:
    path = write(tmp_path, "name: x\npopulation:\n  disadvantaged_share: 1.7\n")
    result = edsim("validate", path, cwd=tmp_path)
    assert_clean_failure(result, 2)
    assert f"{path}:3:24: population.disadvantaged_share:" in result.stderr
    assert "allowed 0 < x < 1 (share 0-1)" in result.stderr


def test_each_problem_on_its_own_line(tmp_path: Path) -> None:
    path = write(tmp_path, "years: 0\nstart_year: 1800\n")
    result = edsim("validate", path, cwd=tmp_path)
    assert_clean_failure(result, 2)
    lines = [line.strip() for line in result.stderr.splitlines()]
    assert any(line.startswith(f"{path}:1:8: years:") for line in lines)
    assert any(line.startswith(f"{path}:2:13: start_year:") for line in lines)


def test_unwritable_out_dir(tmp_path: Path) -> None:
    scenario = write(tmp_path, "name: x\n")
    blocker = write(tmp_path, "", "not_a_dir")
    result = edsim("run", scenario, "--out", blocker / "sub", cwd=tmp_path)
    assert_clean_failure(result, 1)
    assert f"error: cannot create output directory {blocker / 'sub'}" in result.stderr


@pytest.mark.parametrize(
    ("args", "mentions"),
    [(("run", "--seed", "-1"), "--seed"), (("run", "--years", "0"), "--years"), (("--bogus",), "")],
)
def test_bad_option_is_a_usage_error(tmp_path: Path, args: tuple[str, ...], mentions: str) -> None:
    result = edsim(*args, cwd=tmp_path)
    assert_clean_failure(result, 2)
    assert "Usage:" in result.stderr
    assert mentions in result.stderr


# --- success paths -------------------------------------------------------------------------------


def test_version(tmp_path: Path) -> None:
    result = edsim("--version", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("edsim ")
    assert "Mesa " in result.stdout
    assert "Python " in result.stdout


def test_validate_good_file(tmp_path: Path) -> None:
    path = write(tmp_path, "name: pilot\nregime: linkage_exchange\n")
    result = edsim("validate", path, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        f"ok: {path} is a valid scenario (pilot, regime linkage_exchange)"
    )


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("quickstart", "experiment file (quickstart: 3 scenarios)"),
        ("calibrate_england", "calibration file (calibrate_england: 4 parameters)"),
        ("best_mix", "optimisation file"),
    ],
)
def test_validate_knows_the_other_kinds_of_file(name: str, what: str) -> None:
    path = Path("experiments") / f"{name}.yaml"
    result = edsim("validate", path, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"ok: {path} is a valid {what}"


def test_validate_checks_an_experiment_file_as_one(tmp_path: Path) -> None:
    path = write(tmp_path, "name: bad\nscenarios:\n  a: {regime: nonsense}\nreplicates: 2\n")
    result = edsim("validate", path, cwd=tmp_path)
    assert result.returncode == 2
    assert f"{path}:3:15: regime: 'nonsense' is not an allowed regime preset" in result.stderr
    assert "unknown key" not in result.stderr
    assert "Traceback" not in result.stderr


def test_run_writes_outputs_with_stand_in_runner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[Scenario, int, int | None]] = []

    def run(
        scenario: Scenario,
        seed: int = 0,
        *,
        years: int | None = None,
        on_year: Callable[[int, int], None] | None = None,
    ) -> pd.DataFrame:
        calls.append((scenario, seed, years))
        for done in range(1, 5):
            assert on_year is not None
            on_year(done, 4)
        return fake_trajectory()

    monkeypatch.setitem(sys.modules, "edsim.runner", types.SimpleNamespace(run=run))
    monkeypatch.chdir(tmp_path)
    scenario = write(tmp_path, "years: 3\n", "pilot.yaml")

    result = CliRunner().invoke(app, ["run", str(scenario), "--seed", "7", "--years", "3"])

    assert result.exit_code == 0, result.output
    assert calls == [(Scenario(name="pilot", years=3), 7, 3)]
    out_dir = Path("results") / "pilot"
    for name in ("trajectory.parquet", "trajectory.csv", "gap_trajectories.png"):
        assert (out_dir / name).is_file()
        assert f"wrote {out_dir / name}" in result.output
    assert pd.read_parquet(out_dir / "trajectory.parquet").equals(fake_trajectory())
    assert "KS4 disadvantage gap index" in result.output


# --- summary table -------------------------------------------------------------------------------


def test_summary_table_compares_year_zero_with_final_year() -> None:
    console = Console(width=200, record=True)
    console.print(summary_table(fake_trajectory()))
    text = console.export_text()

    def cells(label: str) -> list[str]:
        line = next(line for line in text.splitlines() if label in line)
        return [cell.strip() for cell in re.split("[│┃]", line)[1:-1]]

    assert cells("Measure")[1:] == ["2011 (year 0)", "2014 (year 3)", "Change"]
    assert cells("KS2 disadvantage gap index")[1:] == ["3.34", "3.04", "-0.30"]
    assert cells("KS2 expected standard, disadvantaged")[1:] == ["45.0%", "48.0%", "+3.0 pp"]
    assert cells("Schools reached")[1:] == ["0", "4,100", "+4,100"]
    assert cells("spend")[1:] == ["0.0", "7.5", "+7.5"]
