"""What a newcomer reads in an 80-column terminal: help, diff, and which run an output is.

Help and ``diff`` are checked at ``COLUMNS=80``; ``edsim run`` is checked with a stand-in
runner (no simulation), for the run's identity in its table, figure and directory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import typer.main
from typer.testing import CliRunner

from edsim.cli import app
from edsim.scenario import Scenario


def edsim_80(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The real command in an 80-column terminal."""
    env = {**os.environ, "COLUMNS": "80", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "edsim", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
        check=False,
    )


COMMANDS = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize("command", COMMANDS)
def test_help_fits_80_columns_with_nothing_cut_and_no_type_after_flags(
    command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("NO_COLOR", "1")
    result = CliRunner().invoke(app, [command, "--help"], prog_name="edsim")
    assert result.exit_code == 0, result.output
    assert "<bool>" not in result.output  # a flag takes no value
    assert "…" not in result.output  # nothing, such as the --out default, is cut short
    assert max(len(line) for line in result.output.splitlines()) <= 80


def test_flags_are_bare_but_options_keep_their_type(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "120")
    result = CliRunner().invoke(app, ["batch", "--help"], prog_name="edsim")
    options = [line.strip("│ ") for line in result.output.splitlines() if line.startswith("│")]
    resume = next(line for line in options if line.startswith("--resume"))
    assert resume.split("--resume", 1)[1].strip().startswith("Run only the runs")
    assert "<path>" in next(line for line in options if line.startswith("--out"))
    assert "results/NAME," in result.output


def test_diff_at_80_columns_keeps_every_origin_whole(tmp_path: Path) -> None:
    deep = tmp_path / "a_rather_long_folder_name_for_scenarios" / "variants"
    deep.mkdir(parents=True)
    (deep / "left.yaml").write_text("name: left\ntruth: {heterogeneity: 0.05}\nyears: 12\n")
    (deep / "right.yaml").write_text("name: right\ntruth: {heterogeneity: 0.25}\nyears: 9\n")
    result = edsim_80("diff", deep / "left.yaml", deep / "right.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for origin in (
        f"{deep / 'left.yaml'}:2",
        f"{deep / 'right.yaml'}:2",
        f"{deep / 'right.yaml'}:3",
    ):
        assert any(origin in line for line in lines), result.stdout
    assert "truth.heterogeneity" in lines
    assert any(line.strip().startswith("A: 0.05") for line in lines)
    assert not any(len(line.strip()) == 1 for line in lines)  # no value folded a letter a line


def test_diff_that_fits_is_still_a_table(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("name: a\nyears: 12\n")
    (tmp_path / "b.yaml").write_text("name: b\nyears: 9\n")
    result = edsim_80("diff", "a.yaml", "b.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert any("│ years" in line and "a.yaml:2" in line for line in result.stdout.splitlines())


def fake_trajectory() -> pd.DataFrame:
    steps = range(4)
    return pd.DataFrame(
        {
            "step": list(steps),
            "year": [2011 + s for s in steps],
            "ks2_gap_index": [3.3] * 4,
            "ks4_gap_index": [4.1] * 4,
            "ks2_standard_dis": [0.45] * 4,
            "ks2_standard_other": [0.67] * 4,
            "ks4_standard_dis": [0.45] * 4,
            "ks4_standard_other": [0.72] * 4,
            "schools_reached_cumulative": [0, 10, 20, 30],
            "spend_evidence_cumulative": [0.0, 1e5, 2e5, 3e5],
        }
    )


@pytest.fixture
def stand_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Replace the model with a stand-in and collect the gap figure's titles."""
    titles: list[str] = []

    def run(
        scenario: Scenario,
        seed: int = 0,
        *,
        years: int | None = None,
        on_year: Callable[[int, int], None] | None = None,
    ) -> pd.DataFrame:
        return fake_trajectory()

    import edsim.plotting as plotting

    original = plotting.plot_gap_trajectories

    def plot(df: pd.DataFrame, title: str | None = None) -> object:
        titles.append(title or "")
        return original(df, title=title)

    monkeypatch.setitem(sys.modules, "edsim.runner", types.SimpleNamespace(run=run))
    monkeypatch.setattr(plotting, "plot_gap_trajectories", plot)
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pilot.yaml").write_text("years: 3\n")
    return titles


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["run", "pilot.yaml", *args])
    return result.exit_code, result.output


def test_run_names_regime_seed_and_overrides_in_table_figure_and_run_json(
    stand_in: list[str],
) -> None:
    code, output = invoke("--seed", "3", "--set", "regime=linkage_exchange")
    assert code == 0, output
    label = "pilot, regime linkage_exchange, seed 3, 3 years, --set regime=linkage_exchange"
    assert f"Year 0 against the final year: {label}" in output
    assert stand_in[0].splitlines()[0] == "Disadvantage gap index"
    assert "seed 3" in stand_in[0]
    assert "regime linkage_exchange" in stand_in[0]
    record = json.loads(Path("results/pilot/run.json").read_text())
    assert (record["regime"], record["seed"], record["sets"]) == (
        "linkage_exchange",
        3,
        ["regime=linkage_exchange"],
    )


def test_run_refuses_to_overwrite_a_different_run_without_overwrite(stand_in: list[str]) -> None:
    assert invoke("--seed", "1")[0] == 0
    before = Path("results/pilot/run.json").read_text()
    code, output = invoke("--seed", "2")
    assert code != 0
    assert "holds the results of another run (pilot, regime disseminate_to, seed 1" in output
    assert "--overwrite" in output
    assert Path("results/pilot/run.json").read_text() == before  # nothing replaced
    assert invoke("--seed", "1")[0] == 0  # the very same run again: same results, no flag
    code, output = invoke("--seed", "1", "--set", "truth.heterogeneity=0.3")
    assert code != 0
    assert "another run" in output
    assert invoke("--seed", "2", "--overwrite")[0] == 0
    assert json.loads(Path("results/pilot/run.json").read_text())["seed"] == 2
    assert invoke("--seed", "5", "--out", "results/pilot-5")[0] == 0  # or another directory


def test_run_refuses_results_that_do_not_say_which_run_they_are(stand_in: list[str]) -> None:
    Path("results/pilot").mkdir(parents=True)
    Path("results/pilot/trajectory.csv").write_text("step\n0\n")
    code, output = invoke()
    assert code != 0
    assert "no run.json" in output
    assert invoke("--overwrite")[0] == 0
