"""Batches: identical values on every executor, failures recorded, kills and resumes safe."""

import functools
import gc
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from flaky import cheap, fail_replicate_one

from conftest import ROOT, TINY
from edsim.errors import ExperimentError, OutputError
from edsim.experiment import Experiment, Progress, Results, experiment_from_text, run_experiment


@pytest.fixture(scope="module")
def serial_results(tiny: Experiment) -> Results:
    return run_experiment(tiny, executor="serial")


def values(results: Results) -> pd.DataFrame:
    """The trajectories in a canonical order, for exact comparison."""
    return results.trajectories.sort_values(["run_id", "year"]).reset_index(drop=True)


def test_serial_results_have_the_promised_shape(serial_results: Results) -> None:
    runs, traj = serial_results.runs, serial_results.trajectories
    assert len(runs) == 6
    assert (runs["status"] == "ok").all()
    assert list(traj.columns[:6]) == [
        "run_id",
        "scenario",
        "point",
        "replicate",
        "year",
        "calendar_year",
    ]
    assert len(traj) == 6 * 4  # years 0..3
    assert set(traj.columns[6:]) == {
        "ks2_gap_index",
        "ks4_gap_index",
        "schools_reached",
        "policy_response",
    }
    # Paired by construction: year 0 precedes any regime, so both variants agree exactly.
    year0 = traj[traj["year"] == 0].pivot(
        index="replicate", columns="scenario", values="ks4_gap_index"
    )
    assert (year0["disseminate_to"] == year0["linkage_exchange"]).all()
    assert year0["disseminate_to"].nunique() == 3  # replicates differ


def test_a_run_equals_edsim_run_with_its_seed(serial_results: Results, tiny: Experiment) -> None:
    import edsim

    row = serial_results.runs.iloc[3]
    scenario = tiny.scenarios[row["scenario"]].scenario
    alone = edsim.run(scenario, int(row["seed"]), years=3)
    mine = serial_results.trajectories.query("run_id == @row.run_id")
    assert mine["ks4_gap_index"].tolist() == alone["ks4_gap_index"].tolist()


def test_variants_share_the_year_zero_state_and_give_what_each_gives_alone(
    tiny: Experiment, serial_results: Results
) -> None:
    from edsim.experiment.plan import plan_runs, year_zero_groups
    from edsim.experiment.runner import run_one

    groups = year_zero_groups(plan_runs(tiny))
    assert [len(g) for g in groups] == [2, 2, 2]  # both regimes of each replicate
    assert all(len({s.replicate for s in g}) == 1 for g in groups)
    # A custom run function gets one run per task: every run built from scratch.
    alone = run_experiment(tiny, executor="serial", run=functools.partial(run_one))
    pd.testing.assert_frame_equal(values(alone), values(serial_results))


def test_process_pool_gives_identical_values(
    tiny: Experiment, serial_results: Results, tmp_path: Path
) -> None:
    results = run_experiment(tiny, out=tmp_path / "p", executor="process", workers=2)
    pd.testing.assert_frame_equal(values(results), values(serial_results))
    workers = set(results.runs["worker"])
    assert len(workers) == 2  # really ran in two processes


def test_dask_local_cluster_gives_identical_values(
    tiny: Experiment, serial_results: Results, tmp_path: Path
) -> None:
    pytest.importorskip("distributed")
    results = run_experiment(tiny, out=tmp_path / "d", executor="dask", workers=2)
    pd.testing.assert_frame_equal(values(results), values(serial_results))
    assert all(w.split(":")[1] != str(os.getpid()) for w in results.runs["worker"])


def test_any_concurrent_futures_executor_plugs_in(
    tiny: Experiment, serial_results: Results
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=3) as pool:
        results = run_experiment(tiny, executor=pool)
    pd.testing.assert_frame_equal(values(results), values(serial_results))


@pytest.mark.parametrize("executor", ["serial", "process"])
def test_a_failing_run_is_recorded_and_the_others_complete(
    tiny: Experiment, tmp_path: Path, executor: str
) -> None:
    workers = 2 if executor == "process" else None
    results = run_experiment(
        tiny, out=tmp_path / executor, executor=executor, workers=workers, run=fail_replicate_one
    )
    failed = results.failed
    assert sorted(failed["run_id"]) == ["disseminate_to-p0-r1", "linkage_exchange-p0-r1"]
    assert all("RuntimeError: deliberate failure" in e for e in failed["error"])
    assert (results.runs["status"] == "ok").sum() == 4
    assert set(results.trajectories["replicate"]) == {0, 2}
    manifest = results.manifest
    assert manifest["status"] == "incomplete"
    assert set(manifest["failures"]) == set(failed["run_id"])
    # Resuming reruns only the failed runs; with the real run function they now succeed.
    resumed = run_experiment(tiny, out=tmp_path / executor, executor="serial", resume=True)
    assert (resumed.runs["status"] == "ok").all()
    assert len(resumed.runs) == 6
    assert sorted(resumed.manifest["timings"]) == sorted(failed["run_id"])


def test_results_directory_round_trips(
    tiny: Experiment, tmp_path: Path, serial_results: Results
) -> None:
    written = run_experiment(tiny, out=tmp_path / "r", executor="serial")
    loaded = Results.load(tmp_path / "r")
    pd.testing.assert_frame_equal(values(loaded), values(serial_results))
    m = loaded.manifest
    assert m["status"] == "complete"
    assert m["experiment"]["hash"] == tiny.definition_hash
    assert set(m["versions"]) >= {"edsim", "mesa", "python"}
    assert set(m["scenarios"]) == {"disseminate_to", "linkage_exchange"}
    assert "regime:" in m["scenarios"]["linkage_exchange"]["yaml"]
    assert [r["seed"] for r in m["runs"]] == list(written.runs["seed"])
    assert len(m["timings"]) == 6
    assert m["failures"] == {}


def test_existing_results_are_reused_resumed_or_refused_naming_what_changed(
    tiny: Experiment, tmp_path: Path
) -> None:
    out = tmp_path / "r"
    run_experiment(tiny, out=out, executor="serial")
    manifest = (out / "manifest.json").read_bytes()
    calls: list[Progress] = []
    reused = run_experiment(tiny, out=out, executor="serial", on_progress=calls.append)
    assert calls == []  # the same experiment, finished: reported, nothing run
    assert (out / "manifest.json").read_bytes() == manifest  # and nothing rewritten
    assert len(reused.runs) == 6
    again = run_experiment(tiny, out=out, executor="serial", resume=True)
    assert again.manifest["timings"] == {}  # nothing was missing
    changed = experiment_from_text(TINY.replace("years: 3", "years: 4"), "tiny.yaml")
    with pytest.raises(
        ExperimentError, match=r"different definition .*changed: years.*--overwrite"
    ):
        run_experiment(changed, out=out, executor="serial")
    with pytest.raises(ExperimentError, match=r"cannot resume: .*changed: years"):
        run_experiment(changed, out=out, executor="serial", resume=True)
    replaced = run_experiment(changed, out=out, executor="serial", overwrite=True)
    assert len(replaced.manifest["timings"]) == 6
    assert set(replaced.trajectories["year"]) == {0, 1, 2, 3, 4}


def test_unwritable_output_fails_before_any_run(tiny: Experiment, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    calls = []
    with pytest.raises(OutputError, match="cannot create output directory"):
        run_experiment(tiny, out=blocker / "out", executor="serial", on_progress=calls.append)
    assert calls == []


def test_unreachable_scheduler_is_a_clear_error_within_ten_seconds(tiny: Experiment) -> None:
    pytest.importorskip("distributed")
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    start = time.monotonic()
    with pytest.raises(
        ExperimentError, match=f"cannot reach the Dask scheduler at 'tcp://127.0.0.1:{port}'"
    ):
        run_experiment(tiny, executor="dask", scheduler=f"tcp://127.0.0.1:{port}")
    assert time.monotonic() - start < 12


def test_killed_batch_leaves_only_whole_files_and_resumes_to_the_same_values(
    tmp_path: Path,
) -> None:
    text = TINY.replace("replicates: 3", "replicates: 10")  # 20 runs: time to kill it
    path = tmp_path / "tiny.yaml"
    path.write_text(text)
    out = tmp_path / "killed"
    command = [sys.executable, "-m", "edsim", "batch", str(path), "--out", str(out)]
    command += ["--executor", "serial", "--no-report"]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while len(list((out / "runs").glob("*.parquet"))) < 2:
        assert proc.poll() is None, "the batch ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    written = sorted((out / "runs").glob("*.parquet"))
    assert 2 <= len(written) < 20
    for file in written:
        pq.read_table(file)  # every file present is complete and readable
    assert len(Results.load(out).missing) == 20 - len(written)
    resumed = run_experiment(path, out=out, executor="serial", resume=True)
    assert len(resumed.manifest["timings"]) == 20 - len(written)
    uninterrupted = run_experiment(experiment_from_text(text, "tiny.yaml"), executor="serial")
    pd.testing.assert_frame_equal(values(resumed), values(uninterrupted))


def test_memory_stays_flat_over_a_1000_run_batch(tmp_path: Path) -> None:
    """The parent holds the runs in flight, never the finished ones (they are on disk)."""
    exp = experiment_from_text(TINY.replace("replicates: 3", "replicates: 500"), "e.yaml")
    frames: dict[int, int] = {}

    def count_frames(progress: Progress) -> None:
        if progress.done in (100, 1000):
            frames[progress.done] = sum(isinstance(o, pd.DataFrame) for o in gc.get_objects())

    run_experiment(
        exp, out=tmp_path / "long", executor="serial", run=cheap, on_progress=count_frames
    )
    assert frames[1000] <= frames[100] + 2, frames  # holding them would add 900
