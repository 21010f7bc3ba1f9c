"""Memory over many runs in one process: does a finished model give its memory back?

Why a script and not a test: resident memory depends on the machine, the allocator and the
scale, and a full-England batch takes many minutes, so it is recorded with the machine's
description rather than asserted in CI (``tests/test_memory.py`` pins the causes: a finished
model must be collectable, and freed without waiting for a full garbage collection; see
``edsim.model.lifecycle``).

Usage::

    .venv/bin/python benchmarks/bench_memory.py [--runs 12] [--scale 0.1] [--collect] [--save]
    .venv/bin/python benchmarks/bench_memory.py --workers 2 --runs 100 --scale 1.0 [--save]

Every run is England under disseminate to at ``--scale`` (a share of England's schools and
pupils: 0.1 is exactly ``england_sample`` and 0.01 ``small``), one seed per run.

- Serial (no ``--workers``): ``--runs`` runs one after another in this process through
  :func:`edsim.run`, and the process's resident memory (``/proc/self/statm``) after each one
  (``--collect``: after a full garbage collection, which a batch worker never does). It should
  stay flat after the first run; the growth from the first to the last is what each run leaves
  behind, times ``runs - 1``.
- Batch (``--workers N``): the runs as one batch through :func:`edsim.experiment.run_experiment`
  on the ``--executor`` backend (local worker processes, or a Dask ``LocalCluster``), exactly as
  ``edsim batch`` runs it (results kept in memory rather than written). A thread in this
  process reads every worker's resident memory (``VmRSS`` in ``/proc/<pid>/status``) every
  ``--interval`` seconds, and once more after each finished run; the table gives each worker's
  first sample, its sample when its first run finished, when half the batch was done, its last
  one and its peak. A worker is sampled while it runs, so each sample includes the model it is
  building; what must not happen is growth after the first run.

``--save`` writes ``benchmarks/results/bench_memory-<hostname>.json``, keeping the latest serial and
batch measurements side by side. Progress goes to stderr, the markdown table to stdout. Linux
only (it reads ``/proc``).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import edsim
from _common import RESULTS_DIR, ROOT, machine, machine_line, save_json, scaled_population
from edsim.experiment import Experiment, Progress, experiment_from_text, plan_runs, run_experiment

MB = 1e6
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096

EXPERIMENT = """
name: bench_memory
base: england
scenarios:
  england_{label}:
    regime: disseminate_to
    population: {population}
replicates: {runs}
seed: {seed}
"""


def experiment(scale: float, runs: int, seed: int, years: int | None) -> Experiment:
    """The benchmark's runs as an experiment: one variant, ``runs`` replicates."""
    text = EXPERIMENT.format(
        label=f"{scale:g}".replace(".", "_"),
        population=json.dumps(scaled_population(scale)),
        runs=runs,
        seed=seed,
    )
    if years is not None:
        text += f"years: {years}\n"
    return experiment_from_text(text, "bench_memory.yaml")


# -- reading resident memory from /proc ----------------------------------------------------------
def self_rss() -> int:
    """This process's resident set size in bytes, now (not the peak)."""
    with open("/proc/self/statm", encoding="ascii") as f:
        return int(f.read().split()[1]) * PAGE


def pid_rss(pid: int) -> int | None:
    """Resident set size of ``pid`` in bytes, or None once it has gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def descendants(root: int) -> set[int]:
    """Every live process below ``root`` (workers of a fork server or a Dask nanny included)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])  # the name in parentheses may hold spaces
        children.setdefault(ppid, []).append(int(entry.name))
    found: set[int] = set()
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


# -- serial: one process, runs one after another -------------------------------------------------
def serial(exp: Experiment, collect: bool) -> dict[str, Any]:
    """RSS of this process after each run (after a full garbage collection if ``collect``)."""
    samples: list[dict[str, float]] = []
    before = self_rss()
    for i, spec in enumerate(plan_runs(exp)):
        start = time.perf_counter()
        edsim.run(spec.scenario, spec.seed, years=spec.years)
        seconds = time.perf_counter() - start
        if collect:
            gc.collect()
        rss = self_rss()
        samples.append({"run": i + 1, "seconds": round(seconds, 3), "rss_mb": round(rss / MB, 1)})
        print(
            f"run {i + 1}/{exp.replicates}: {seconds:.2f} s, RSS {rss / MB:.1f} MB",
            file=sys.stderr,
            flush=True,
        )
    first, last = samples[0]["rss_mb"], samples[-1]["rss_mb"]
    return {
        "collect": collect,
        "rss_before_mb": round(before / MB, 1),
        "samples": samples,
        "growth_first_to_last_mb": round(last - first, 1),
        "growth_per_run_mb": round((last - first) / max(len(samples) - 1, 1), 2),
    }


def serial_table(result: dict[str, Any]) -> str:
    rows = ["| run | seconds | RSS after run (MB) |", "|---:|---:|---:|"]
    rows += [f"| {s['run']} | {s['seconds']:.2f} | {s['rss_mb']:.1f} |" for s in result["samples"]]
    rows += [
        "",
        f"RSS before the first run {result['rss_before_mb']:.1f} MB; growth from the first run to "
        f"the last {result['growth_first_to_last_mb']:+.1f} MB "
        f"({result['growth_per_run_mb']:+.2f} MB per run)",
    ]
    return "\n".join(rows)


# -- batch: worker processes, sampled from here --------------------------------------------------
@dataclass
class Sampler:
    """Samples the RSS of every process below this one, in a thread and on demand."""

    interval: float
    done: int = 0
    started: float = field(default_factory=time.perf_counter)
    samples: list[tuple[float, int, int, int]] = field(default_factory=list)  # t, done, pid, rss
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)

    def sample(self) -> None:
        t = time.perf_counter() - self.started
        rows = [(pid, pid_rss(pid)) for pid in descendants(os.getpid())]
        with self.lock:
            self.samples += [(t, self.done, pid, rss) for pid, rss in rows if rss is not None]

    def loop(self) -> None:
        while not self.stop.wait(self.interval):
            self.sample()


def batch(exp: Experiment, executor: str, workers: int, interval: float) -> dict[str, Any]:
    """Run the batch and summarise each worker's RSS over it."""
    sampler = Sampler(interval)
    runs_by_pid: dict[int, int] = {}
    first_run_time: dict[int, float] = {}
    half = max(exp.replicates // 2, 1)
    half_time: list[float] = []

    def progress(p: Progress) -> None:
        pid = int(p.outcome.worker.rsplit(":", 1)[1]) if p.outcome.worker else -1
        runs_by_pid[pid] = runs_by_pid.get(pid, 0) + 1
        sampler.done = p.done
        sampler.sample()
        first_run_time.setdefault(pid, time.perf_counter() - sampler.started)
        if p.done == half:
            half_time.append(time.perf_counter() - sampler.started)
        status = "ok" if p.outcome.ok else "FAILED"
        print(
            f"run {p.done}/{p.total} {status} on pid {pid} in {p.outcome.seconds:.1f} s",
            file=sys.stderr,
            flush=True,
        )
        if not p.outcome.ok:
            print(p.outcome.error, file=sys.stderr)

    thread = threading.Thread(target=sampler.loop, daemon=True)
    thread.start()
    start = time.perf_counter()
    try:
        results = run_experiment(exp, executor=executor, workers=workers, on_progress=progress)
    finally:
        sampler.stop.set()
        thread.join()
    wall = time.perf_counter() - start
    failed = int((results.runs["status"] != "ok").sum())
    mid = half_time[0] if half_time else wall / 2
    per_worker = []
    for pid, n in sorted(runs_by_pid.items()):
        mine = [(t, rss) for t, _, p, rss in sampler.samples if p == pid]
        if not mine:
            continue
        middle = min(mine, key=lambda s: abs(s[0] - mid))
        first = min(mine, key=lambda s: abs(s[0] - first_run_time[pid]))
        per_worker.append(
            {
                "pid": pid,
                "runs": n,
                "samples": len(mine),
                "start_mb": round(mine[0][1] / MB, 1),
                "after_first_run_mb": round(first[1] / MB, 1),
                "middle_mb": round(middle[1] / MB, 1),
                "end_mb": round(mine[-1][1] / MB, 1),
                "peak_mb": round(max(r for _, r in mine) / MB, 1),
                "series": [(round(t, 2), round(r / MB, 1)) for t, r in mine],
            }
        )
    return {
        "executor": executor,
        "workers": workers,
        "runs": exp.replicates,
        "failed": failed,
        "wall_s": round(wall, 2),
        "per_worker": per_worker,
    }


def batch_table(result: dict[str, Any]) -> str:
    rows = [
        "| worker pid | runs | RSS start (MB) | after its 1st run | middle | end | peak "
        "| end - after 1st run |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for w in result["per_worker"]:
        rows.append(
            f"| {w['pid']} | {w['runs']} | {w['start_mb']:.1f} | {w['after_first_run_mb']:.1f} "
            f"| {w['middle_mb']:.1f} | {w['end_mb']:.1f} | {w['peak_mb']:.1f} "
            f"| {w['end_mb'] - w['after_first_run_mb']:+.1f} |"
        )
    rows += [
        "",
        f"{result['runs']} runs on {result['executor']} x{result['workers']} in "
        f"{result['wall_s']:.1f} s, {result['failed']} failed",
    ]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=12)
    parser.add_argument(
        "--scale", type=float, default=0.1, help="share of England (0.1 = england_sample)"
    )
    parser.add_argument("--years", type=int, default=None, help="default: the scenario's (15)")
    parser.add_argument("--seed", type=int, default=1, help="root seed of the runs")
    parser.add_argument(
        "--workers", type=int, default=None, help="run a batch on N workers (default: serial)"
    )
    parser.add_argument("--executor", choices=["process", "dask"], default="process")
    parser.add_argument("--interval", type=float, default=0.5, help="batch sampling seconds")
    parser.add_argument(
        "--collect",
        action="store_true",
        help="serial: a full garbage collection after each run (a worker does none)",
    )
    parser.add_argument(
        "--save", action="store_true", help="write benchmarks/results/bench_memory-<host>.json"
    )
    args = parser.parse_args(argv)
    if not Path("/proc/self/statm").exists():
        raise SystemExit("bench_memory reads /proc: Linux only")
    if not 0 < args.scale <= 1:
        raise SystemExit(f"--scale must be in (0, 1], got {args.scale}")

    exp = experiment(args.scale, args.runs, args.seed, args.years)
    pop = scaled_population(args.scale)
    info = machine()
    if args.workers is None:
        mode, result = "serial", serial(exp, args.collect)
        table = serial_table(result)
        how = "serial in one process" + (", gc.collect() after each" if args.collect else "")
    else:
        mode, result = "batch", batch(exp, args.executor, args.workers, args.interval)
        table = batch_table(result)
        how = f"a batch on {args.executor} x{args.workers}"
    print(
        f"{machine_line(info)}; England at scale {args.scale:g} ({pop['n_primary_schools']:,} + "
        f"{pop['n_secondary_schools']:,} schools, "
        f"{pop['primary_pupils'] + pop['secondary_pupils']:,} pupils), {args.runs} runs, {how}"
        f"\n\n{table}"
    )
    if args.save:
        # One file per machine holds the latest serial and batch measurements side by side.
        path = RESULTS_DIR / f"bench_memory-{info['hostname']}.json"
        record = json.loads(path.read_text()) if path.exists() else {}
        record[mode] = {
            "machine": info,
            "scale": args.scale,
            "population": pop,
            "years": args.years,
            "seed": args.seed,
            **result,
        }
        path = save_json("bench_memory", record, info["hostname"])
        print(f"\nsaved {path.relative_to(ROOT)}")
    return 1 if mode == "batch" and result["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
