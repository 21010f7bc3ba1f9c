"""Batch throughput: runs per second serial, in local processes and on Dask, and parent memory.

Why a script and not a test: throughput depends on the machine, so it is recorded with the
machine's description rather than asserted in CI.

Usage::

    .venv/bin/python benchmarks/bench_batch.py [--runs 80] [--repeats 3] [--workers 1 2]
        [--scale 0.1] [--target 0.9] [--dask] [--memory-runs 1000] [--save]

For each executor and worker count it runs the same batch (``--runs`` replicates of the small
scenario under disseminate to, 15 years, written to a temporary results directory exactly as
``edsim batch`` does) ``--repeats`` times and reports the median wall time, runs per second and
the parallel efficiency against serial on one core (one thread):
``(rate_N / rate_serial) / N``. The wall time includes starting the workers (a fork server; a
Dask LocalCluster), so it is what a user waits for.
``--scale F`` runs England at that fraction instead of the small scenario (0.1 is
``england_sample``'s population); the verdict compares local processes' efficiency with
``--target`` (90%).

``--memory-runs N`` runs an N-run batch (a stand-in run function with a real-sized trajectory,
so only the batch machinery is measured) and samples the parent's traced Python memory after
every 10% of the runs: it must stay flat, since finished runs go to disk.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from _common import scaled_population
from edsim.experiment import (
    Progress,
    RunOutcome,
    RunSpec,
    experiment_from_text,
    run_experiment,
)
from edsim.model.parallel import set_threads, threads

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"

EXPERIMENT = """
name: bench
base: {small}
scenarios:
  disseminate_to: {{regime: disseminate_to}}
replicates: {runs}
seed: 1
"""
#: The same batch on England at ``--scale`` (``population`` is a JSON mapping).
SCALED_EXPERIMENT = """
name: bench
base: england
scenarios:
  disseminate_to: {{regime: disseminate_to, population: {population}}}
replicates: {runs}
seed: 1
"""


def experiment_text(runs: int, scale: float | None = None) -> str:
    """The batch's experiment file: the small scenario, or England at ``scale``."""
    if scale is None:
        return EXPERIMENT.format(small=ROOT / "scenarios" / "small.yaml", runs=runs)
    population = json.dumps(scaled_population(scale))
    return SCALED_EXPERIMENT.format(population=population, runs=runs)


def stand_in(spec: RunSpec) -> RunOutcome:
    """A run that costs nothing but returns a trajectory of the real size (16 x 71)."""
    columns = {f"m{i}": [float(spec.replicate)] * 16 for i in range(65)}
    frame = pd.DataFrame({"run_id": spec.run_id, "year": range(16), **columns})
    return RunOutcome(spec.run_id, frame, 0.0)


def time_batch(runs: int, executor: str, workers: int, scale: float | None = None) -> float:
    """Wall seconds of one batch, worker start-up included."""
    exp = experiment_from_text(experiment_text(runs, scale), "bench.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        # serial runs in this process: run_experiment refuses a worker count for it.
        local = None if executor == "serial" else workers
        results = run_experiment(exp, out=Path(tmp) / "out", executor=executor, workers=local)
        wall = time.perf_counter() - start
    assert len(results.runs) == runs
    assert (results.runs["status"] == "ok").all()
    return wall


def memory_profile(runs: int) -> list[tuple[int, int]]:
    """(runs done, traced bytes held by the parent) after every 10% of an N-run batch."""
    exp = experiment_from_text(
        EXPERIMENT.format(small=ROOT / "scenarios" / "small.yaml", runs=runs), "bench.yaml"
    )
    samples: list[tuple[int, int]] = []
    step = max(runs // 10, 1)

    def sample(progress: Progress) -> None:
        if progress.done % step == 0:
            samples.append((progress.done, tracemalloc.get_traced_memory()[0]))

    with tempfile.TemporaryDirectory() as tmp:
        tracemalloc.start()
        run_experiment(
            exp, out=Path(tmp) / "m", executor="serial", run=stand_in, on_progress=sample
        )
        tracemalloc.stop()
    return samples


def main() -> None:
    """Measure, print a Markdown table, optionally save JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=80)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, nargs="+", default=[2])
    parser.add_argument(
        "--scale",
        type=float,
        default=None,
        help="England at this fraction (e.g. 0.1) instead of scenarios/small.yaml",
    )
    parser.add_argument(
        "--target",
        type=float,
        default=0.9,
        help="parallel efficiency local processes should reach (default 0.9)",
    )
    parser.add_argument("--dask", action="store_true", help="also time a Dask LocalCluster")
    parser.add_argument("--memory-runs", type=int, default=1000)
    parser.add_argument("--save", action="store_true")
    args = parser.parse_args()
    if args.scale is not None and not 0 < args.scale <= 1:
        parser.error("--scale must be in (0, 1]")
    what = "scenarios/small.yaml" if args.scale is None else f"England x {args.scale:g}"

    configs = [("serial", 1)] + [("process", w) for w in args.workers]
    if args.dask:
        configs += [("dask", w) for w in args.workers]
    rows: list[dict[str, Any]] = []
    serial_rate = None
    default_threads = threads()
    for executor, workers in configs:
        walls = []
        # The baseline is one core: a serial run would otherwise spread its pupils over every
        # CPU's thread (results are identical either way), and the efficiency would compare
        # processes with threads instead of with one core.
        set_threads(1 if executor == "serial" else default_threads)
        for repeat in range(args.repeats):
            walls.append(time_batch(args.runs, executor, workers, args.scale))
            print(f"{executor} x{workers} repeat {repeat + 1}: {walls[-1]:.2f} s", flush=True)
        wall = statistics.median(walls)
        rate = args.runs / wall
        serial_rate = serial_rate or rate
        rows.append(
            {
                "executor": executor,
                "workers": workers,
                "median_wall_s": round(wall, 3),
                "walls_s": [round(w, 3) for w in walls],
                "runs_per_s": round(rate, 3),
                "efficiency": round(rate / serial_rate / workers, 3),
            }
        )
    print(f"\n{args.runs} runs of {what} (15 years), median of {args.repeats}:\n")
    print("| executor | workers | median wall (s) | runs/s | parallel efficiency |")
    print("|---|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['executor']} | {r['workers']} | {r['median_wall_s']:.2f} | "
            f"{r['runs_per_s']:.2f} | {r['efficiency']:.0%} |"
        )
    for r in rows:
        if r["executor"] == "process":
            r["efficiency_pass"] = r["efficiency"] >= args.target
            print(
                f"\nlocal processes x{r['workers']}: parallel efficiency {r['efficiency']:.0%} "
                f"(target >= {args.target:.0%}): {'PASS' if r['efficiency_pass'] else 'FAIL'}"
            )
    memory = memory_profile(args.memory_runs) if args.memory_runs else []
    if memory:
        first, last = memory[0], memory[-1]
        print(
            f"\nparent memory over a {args.memory_runs}-run batch: {first[1] / 1e6:.2f} MB after "
            f"{first[0]} runs, {last[1] / 1e6:.2f} MB after {last[0]} runs"
        )
    if args.save:
        RESULTS_DIR.mkdir(exist_ok=True)
        path = RESULTS_DIR / f"bench_batch-{socket.gethostname()}.json"
        record = {
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {
                "cpus": os.cpu_count(),
                "processor": platform.processor() or platform.machine(),
                "python": platform.python_version(),
            },
            "runs": args.runs,
            "scale": args.scale,
            "target_efficiency": args.target,
            "repeats": args.repeats,
            "results": rows,
            "memory_samples": memory,
        }
        path.write_text(json.dumps(record, indent=1))
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
