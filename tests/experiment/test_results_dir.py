"""A results directory is written by one batch and holds only what its manifest says."""

import ast
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from edsim.errors import ExperimentError
from edsim.experiment import Progress, Results, experiment_from_text, run_experiment
from edsim.experiment.lock import BatchLock
from edsim.experiment.storage import manifest_for

ROOT = Path(__file__).resolve().parents[2]

#: Two regimes x three replicates of the shipped small scenario, three years: 6 short runs.
TEXT = """
name: dir
base: small
scenarios:
  disseminate_to: {regime: disseminate_to}
  linkage_exchange: {regime: linkage_exchange}
replicates: 3
seed: 7
years: 3
metrics: [ks4_gap_index]
"""
OTHER = TEXT.replace("seed: 7", "seed: 8")  # another experiment: same run ids, other seeds


def runs_of(results: Results) -> pd.DataFrame:
    return results.trajectories.sort_values(["run_id", "year"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished batch of TEXT, copied by the tests that damage it."""
    out = tmp_path_factory.mktemp("finished") / "out"
    run_experiment(experiment_from_text(TEXT, "dir.yaml"), out=out, executor="serial")
    return out


def copy_of(finished: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    (out / "runs").mkdir(parents=True)
    for path in [finished / "manifest.json", *(finished / "runs").iterdir()]:
        (out / path.relative_to(finished)).write_bytes(path.read_bytes())
    return out


def test_stale_run_files_without_a_manifest_are_refused_not_reused(
    finished: Path, tmp_path: Path
) -> None:
    out = copy_of(finished, tmp_path)
    (out / "manifest.json").unlink()
    other = experiment_from_text(OTHER, "other.yaml")
    calls: list[Progress] = []
    with pytest.raises(ExperimentError, match=r"holds 6 run files but there is no .*manifest"):
        run_experiment(other, out=out, executor="serial", on_progress=calls.append)
    with pytest.raises(ExperimentError, match=r"no .*manifest"):
        run_experiment(other, out=out, executor="serial", resume=True)
    assert calls == []
    fresh = run_experiment(other, out=out, executor="serial", overwrite=True)
    assert len(fresh.manifest["timings"]) == 6  # every run ran again
    alone = run_experiment(other, executor="serial")
    pd.testing.assert_frame_equal(runs_of(fresh), runs_of(alone))


def test_a_run_file_of_another_experiment_is_rerun_and_never_read_as_this_one(
    finished: Path, tmp_path: Path
) -> None:
    out = copy_of(finished, tmp_path)
    other_experiment = experiment_from_text(OTHER, "o.yaml")
    other = run_experiment(other_experiment, out=tmp_path / "other", executor="serial")
    swapped = "linkage_exchange-p0-r1.parquet"
    (out / "runs" / swapped).write_bytes((tmp_path / "other" / "runs" / swapped).read_bytes())
    with pytest.raises(ExperimentError, match=f"{swapped} cannot be trusted: its seed"):
        Results.load(out)
    experiment = experiment_from_text(TEXT, "dir.yaml")
    with pytest.raises(ExperimentError, match=r"unfinished batch .*5 of 6 runs"):
        run_experiment(experiment, out=out, executor="serial")
    resumed = run_experiment(experiment, out=out, executor="serial", resume=True)
    assert list(resumed.manifest["timings"]) == ["linkage_exchange-p0-r1"]
    pd.testing.assert_frame_equal(runs_of(resumed), runs_of(Results.load(finished)))
    assert not runs_of(resumed).equals(runs_of(other))


def test_a_truncated_run_file_is_detected_and_rerun_by_resume(
    finished: Path, tmp_path: Path
) -> None:
    out = copy_of(finished, tmp_path)
    damaged = out / "runs" / "disseminate_to-p0-r2.parquet"
    damaged.write_bytes(damaged.read_bytes()[: damaged.stat().st_size // 2])
    with pytest.raises(ExperimentError, match="cannot be trusted: it is incomplete"):
        Results.load(out)
    experiment = experiment_from_text(TEXT, "dir.yaml")
    resumed = run_experiment(experiment, out=out, executor="serial", resume=True)
    assert list(resumed.manifest["timings"]) == ["disseminate_to-p0-r2"]
    assert resumed.manifest["status"] == "complete"
    pd.testing.assert_frame_equal(runs_of(resumed), runs_of(Results.load(finished)))


def test_a_file_the_manifest_does_not_plan_is_removed_by_resume(
    finished: Path, tmp_path: Path
) -> None:
    out = copy_of(finished, tmp_path)
    stray = out / "runs" / "linkage_exchange-p0-r9.parquet"
    stray.write_bytes((out / "runs" / "linkage_exchange-p0-r0.parquet").read_bytes())
    with pytest.raises(ExperimentError, match=r"r9\.parquet cannot be trusted: the manifest plans"):
        Results.load(out)
    experiment = experiment_from_text(TEXT, "dir.yaml")
    with pytest.raises(ExperimentError, match="1 run files cannot be trusted"):
        run_experiment(experiment, out=out, executor="serial")
    resumed = run_experiment(experiment, out=out, executor="serial", resume=True)
    assert resumed.manifest["timings"] == {}
    assert not stray.exists()
    assert len(resumed.runs) == 6


@pytest.mark.parametrize("content", ["[1, 2]", '{"format": "edsim-results/1"}', "{not json"])
@pytest.mark.parametrize("resume", [False, True])
def test_a_manifest_that_is_not_an_edsim_manifest_is_a_clean_error(
    finished: Path, tmp_path: Path, content: str, resume: bool
) -> None:
    out = copy_of(finished, tmp_path)
    (out / "manifest.json").write_text(content)
    experiment = experiment_from_text(TEXT, "dir.yaml")
    with pytest.raises(ExperimentError, match=r"manifest.json.*--overwrite"):
        run_experiment(experiment, out=out, executor="serial", resume=resume)
    with pytest.raises(ExperimentError, match=r"manifest\.json"):
        Results.load(out)


def test_resume_and_overwrite_together_are_refused(tmp_path: Path) -> None:
    experiment = experiment_from_text(TEXT, "dir.yaml")
    with pytest.raises(ExperimentError, match="give one of them"):
        run_experiment(experiment, out=tmp_path, resume=True, overwrite=True)


def test_a_failed_start_writes_nothing_that_blocks_the_retry(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    experiment = experiment_from_text(TEXT, "dir.yaml")
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = tmp_path / "out"
    with pytest.raises(ExperimentError, match="cannot reach the Dask scheduler"):
        run_experiment(experiment, out=out, executor="dask", scheduler=f"tcp://127.0.0.1:{port}")
    assert not (out / "manifest.json").exists()
    # A manifest left by an older edsim's failed start (no run finished) does not block either.
    other = experiment_from_text(OTHER, "o.yaml")
    (out / "manifest.json").write_text(json.dumps(manifest_for(other, [])))
    results = run_experiment(experiment, out=out, executor="serial")
    assert len(results.manifest["timings"]) == 6
    assert results.manifest["experiment"]["hash"] == experiment.definition_hash


def test_a_second_writer_is_refused_naming_the_holder(finished: Path, tmp_path: Path) -> None:
    out = copy_of(finished, tmp_path)
    experiment = experiment_from_text(TEXT, "dir.yaml")
    with BatchLock(out):
        holder = f"pid {os.getpid()} on {socket.gethostname()} since "
        with pytest.raises(ExperimentError, match=f"being written by another batch \\({holder}"):
            run_experiment(experiment, out=out, executor="serial", resume=True)
    assert len(run_experiment(experiment, out=out, executor="serial").runs) == 6  # released


def test_two_batches_into_one_directory_cannot_mix_their_runs(tmp_path: Path) -> None:
    """A batch in another process holds the directory; a second experiment is refused."""
    path = tmp_path / "first.yaml"
    path.write_text(TEXT.replace("replicates: 3", "replicates: 30"))  # 60 runs: time to collide
    out = tmp_path / "out"
    second = experiment_from_text(OTHER, "second.yaml")
    command = [sys.executable, "-m", "edsim", "batch", str(path), "--out", str(out)]
    command += ["--executor", "serial", "--no-report"]
    first = subprocess.Popen(command, cwd=tmp_path, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not list((out / "runs").glob("*.parquet")):
            assert first.poll() is None, "the first batch ended before the second one started"
            assert time.monotonic() < deadline
            time.sleep(0.01)
        for options in ({"overwrite": True}, {"resume": True}, {}):
            with pytest.raises(ExperimentError, match=f"another batch \\(pid {first.pid} on "):
                run_experiment(second, out=out, executor="serial", **options)
        assert first.poll() is None, "the first batch ended before the second one was refused"
        first.send_signal(signal.SIGTERM)
        _, stderr = first.communicate(timeout=60)
    finally:
        first.kill()
        first.communicate()
    assert first.returncode == 143, stderr
    results = Results.load(out)  # every file checked against the first batch's manifest
    assert results.manifest["status"] == "interrupted"
    assert 1 <= len(results.runs) < 60
    assert set(results.runs["seed"]) <= {r["seed"] for r in results.manifest["runs"]}


def test_the_results_modules_import_each_other_in_one_direction_only() -> None:
    """No import circle among edsim.experiment's modules (lazy imports included)."""
    package = ROOT / "src" / "edsim" / "experiment"
    graph: dict[str, set[str]] = {}
    for path in package.glob("*.py"):
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
                found.add(node.module.split(".")[0])
            elif isinstance(node, ast.ImportFrom) and node.module == "edsim.experiment":
                found.add("__init__")
        graph[path.stem] = found - {path.stem}
    assert "results" not in graph["storage"]
    assert "storage" not in graph["results"]

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, ()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    circles = sorted(m for m in graph if m != "__init__" and reaches(m, m, {m}))
    assert circles == []


def test_run_experiment_handles_sigterm_while_it_runs_and_restores_it_after() -> None:
    handlers: list[object] = []
    experiment = experiment_from_text(TEXT, "dir.yaml")
    run_experiment(
        experiment,
        executor="serial",
        on_progress=lambda p: handlers.append(signal.getsignal(signal.SIGTERM)),
    )
    assert len(handlers) == 6
    assert all(callable(h) for h in handlers)
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
