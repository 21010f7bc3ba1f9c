"""A batch stopped by SIGTERM or SIGKILL leaves no process behind; SIGTERM stops it cleanly.

Each test starts `edsim batch` with two local worker processes in a subprocess, as a user or a
cluster scheduler would, waits for its first results, signals it with ``os.kill``, and then
checks every process it had started (the fork server, the workers, the resource tracker),
found through ``/proc``, is gone.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from edsim.experiment import Results, experiment_from_text, run_experiment
from edsim.experiment.workers import parent_alive, process_identity

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")

#: 2 regimes x 12 replicates of the small scenario, 3 years: 24 runs, a few seconds on 2 workers.
TEXT = """
name: signals
base: small
scenarios:
  disseminate_to: {regime: disseminate_to}
  linkage_exchange: {regime: linkage_exchange}
replicates: 12
seed: 5
years: 3
metrics: [ks4_gap_index]
"""


def descendants(pid: int) -> set[int]:
    """Every living process below ``pid``, from the parent ids in ``/proc``."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # it ended while we looked
        fields = text[text.rindex(")") + 2 :].split()
        parents[int(stat.parent.name)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pids: set[int]) -> set[int]:
    """Those of ``pids`` still running (a zombie waiting to be reaped has ended)."""
    return {p for p in pids if parent_alive(p, process_identity(p))}


def start_batch(tmp_path: Path) -> tuple[subprocess.Popen[bytes], Path, set[int]]:
    """Start the batch on 2 workers, wait for its first runs, return it and its processes.

    Its stderr goes to ``tmp_path/stderr.txt`` (a pipe would be held open by any process left
    behind, and reading it would hang the test instead of failing it).
    """
    path = tmp_path / "signals.yaml"
    path.write_text(TEXT)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "edsim", "batch", str(path), "--out", str(out)]
    command += ["--workers", "2", "--no-report", "--progress-every", "0.2"]
    with (tmp_path / "stderr.txt").open("wb") as stderr:
        proc = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=stderr)
    deadline = time.monotonic() + 120
    while len(list((out / "runs").glob("*.parquet"))) < 2:
        assert proc.poll() is None, "the batch ended before it could be stopped"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    children = descendants(proc.pid)
    # The fork server, two workers and the resource tracker: what used to be left running.
    assert len(children) >= 4, children
    return proc, out, children


def wait_gone(pids: set[int], seconds: float = 15) -> set[int]:
    deadline = time.monotonic() + seconds
    while alive(pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    return alive(pids)


def test_sigterm_stops_the_batch_like_ctrl_c_and_leaves_it_resumable(tmp_path: Path) -> None:
    proc, out, children = start_batch(tmp_path)
    try:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
    finally:
        proc.kill()
        proc.wait()
    stderr = (tmp_path / "stderr.txt").read_text()
    assert proc.returncode == 143, stderr
    assert "stopped by SIGTERM" in stderr
    assert "--resume" in stderr
    assert "Traceback" not in stderr
    assert "runs: " in stderr  # plain progress lines: stderr is not a terminal
    left = wait_gone(children)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert left == set()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "interrupted"
    done = len(Results.load(out).runs)
    assert 2 <= done < 24
    experiment = experiment_from_text(TEXT, "signals.yaml")
    resumed = run_experiment(experiment, out=out, executor="serial", resume=True)
    assert len(resumed.manifest["timings"]) == 24 - done
    assert resumed.manifest["status"] == "complete"


def test_sigkill_of_the_batch_takes_its_workers_and_fork_server_with_it(tmp_path: Path) -> None:
    proc, _, children = start_batch(tmp_path)
    try:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    left = wait_gone(children)
    for pid in left:  # do not leave them running when the test fails
        os.kill(pid, signal.SIGKILL)
    assert left == set()
