"""``edsim calibrate`` killed with SIGKILL mid-run continues from its last complete generation."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cli_helpers import ROOT, run_edsim

pytestmark = pytest.mark.slow

CALIBRATION = """\
kind: calibration
name: killed
base: small
years: 2
seeds: 1
seed: 3
parameters:
  gap_drivers.exogenous.deficit_change: {low: 0.0, high: 0.05}
observed:
  - metric: ks4_gap_index
    years: [2012, 2013]
    values: [3.6, 3.7]
    sd: 0.05
    source: made up for the test
abc: {population: 120, max_generations: 3, min_epsilon: 0.0, min_acceptance: 0.0}
predict: {until: 2013, draws: 2}
"""


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if int(text[text.rindex(")") + 2 :].split()[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return text[text.rindex(")") + 2 :].split()[0] not in ("Z", "X")


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find the workers")
def test_a_killed_calibration_resumes_after_its_last_generation(tmp_path: Path):
    file = tmp_path / "killed.yaml"
    file.write_text(CALIBRATION, encoding="utf-8")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "edsim", "calibrate", str(file), "--out", str(out)]
    process = subprocess.Popen(
        [*command, "--workers", "2"],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"},
    )
    seen = []
    try:
        assert process.stderr is not None
        for line in process.stderr:
            seen.append(line)
            if line.startswith("generation 0:"):
                break
        # Into generation 1: its forked workers are sampling.
        deadline = time.monotonic() + 20
        workers = _children(process.pid)
        while not workers and time.monotonic() < deadline:
            time.sleep(0.05)
            workers = _children(process.pid)
        time.sleep(0.3)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
        if process.stderr is not None:
            process.stderr.close()
    assert any(line.startswith("generation 0:") for line in seen), seen
    assert workers, "no worker was running when the calibration was killed"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "running"
    assert (out / "abc.db").is_file()
    assert not (out / "posterior.parquet").exists()
    # pyabc's forked workers notice their calibration is gone and exit at their next particle,
    # long before the generation (~240 simulations) would have ended.
    deadline = time.monotonic() + 3
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_alive(pid) for pid in workers), workers

    again = run_edsim("calibrate", file, "--out", out, "--workers", "2")
    assert again.returncode == 0, again.stderr
    lines = [line for line in again.stderr.splitlines() if line.startswith("generation ")]
    assert lines, again.stderr
    assert not any(line.startswith("generation 0:") for line in lines), lines  # not rerun
    assert lines[-1].startswith("generation 2:"), lines
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["generations"] == 3
    assert (out / "posterior.parquet").is_file()
    assert "3 generations, stopped by max_generations" in again.stdout
    # The resumed generation is filtered like an unbroken run's: a finite epsilon below the
    # one before (an infinite one would accept every proposal and undo the narrowing).
    epsilons = pd.read_csv(out / "history.csv")["epsilon"].to_numpy()
    assert np.isinf(epsilons[0]), epsilons
    assert np.all(np.isfinite(epsilons[1:])), epsilons
    assert np.all(np.diff(epsilons[1:]) <= 0), epsilons

    finished = run_edsim("calibrate", file, "--out", out)
    assert finished.returncode == 0, finished.stderr
    assert "already finished" in finished.stdout
