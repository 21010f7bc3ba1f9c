"""Does the regime comparison depend on scale? LE minus DT at 1%, 10% and 100% of England.

Why a script and not a test: a full-England run takes ~20 s, so a paired comparison with
confidence intervals at three scales takes minutes; it is recorded with the machine's
description rather than asserted in CI. DESIGN.md §8: capacity, money and trials scale with the
scenario, so a regime's effect must not change sign with scale; a result that does is a bug
until explained.

Usage::

    .venv/bin/python benchmarks/bench_scale.py [--seeds 60 30 10] [--workers 2] [--save]

For each scale (``small``, ``england_sample``, ``england``) it runs linkage and exchange and
disseminate to on the same seeds (common random numbers) and reports, per pupil outcome at year
15, the mean paired difference LE - DT with its 95% t-interval. Each run is a fresh worker
process (``max_tasks_per_child=1``): Mesa 3.3 keeps finished models alive in a class-level
registry, which would otherwise grow a worker by ~180 MB per England run. Workers fork from a
fork server that has already imported edsim, so a fresh process costs milliseconds, not an import.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import platform
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from scipy import stats

import edsim

ROOT = Path(__file__).resolve().parents[1]
SCALES = [("1%", "small"), ("10%", "england_sample"), ("100%", "england")]
REGIMES = ("linkage_exchange", "disseminate_to")
OUTCOMES = [
    "ks4_gap_index",
    "ks2_gap_index",
    "ks4_gap_sd",
    "ks2_gap_sd",
    "ks4_mean",
    "ks2_mean",
    "ks4_standard_dis",
    "ks2_standard_dis",
    "schools_reached_cumulative",
]


def final_year(task: tuple[str, str, int]) -> dict[str, float]:
    """One run's year-15 outcomes (a top-level function, so worker processes can run it)."""
    scenario, regime, seed = task
    path = ROOT / "scenarios" / f"{scenario}.yaml"
    started = time.perf_counter()
    row = edsim.run(path, seed=seed, regime=regime).iloc[-1]
    out = {m: float(row[m]) for m in OUTCOMES}
    out["seconds"] = time.perf_counter() - started
    return out


def paired(le: list[dict[str, float]], dt: list[dict[str, float]]) -> dict[str, list[float]]:
    """Mean LE - DT and its 95% t-interval for every outcome."""
    result = {}
    for m in OUTCOMES:
        d = np.array([a[m] - b[m] for a, b in zip(le, dt, strict=True)])
        half = stats.t.ppf(0.975, d.size - 1) * d.std(ddof=1) / np.sqrt(d.size)
        result[m] = [float(d.mean()), float(d.mean() - half), float(d.mean() + half)]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs=3, default=[60, 30, 10])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--save", action="store_true", help="write benchmarks/results/")
    args = parser.parse_args()

    report: dict[str, object] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {platform.processor() or 'cpu'}, "
        f"Python {platform.python_version()}",
        "edsim": edsim.__version__,
        "scales": {},
    }
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["edsim", "edsim.model"])
    with ProcessPoolExecutor(args.workers, mp_context=ctx, max_tasks_per_child=1) as pool:
        for (label, scenario), n in zip(SCALES, args.seeds, strict=True):
            started = time.perf_counter()
            tasks = [(scenario, r, s) for s in range(n) for r in REGIMES]
            rows = list(pool.map(final_year, tasks))
            le, dt = rows[0::2], rows[1::2]
            diffs = paired(le, dt)
            report["scales"][label] = {  # type: ignore[index]
                "scenario": scenario,
                "seeds": n,
                "wall_seconds": time.perf_counter() - started,
                "median_run_seconds": float(np.median([r["seconds"] for r in rows])),
                "le_minus_dt": diffs,
            }
            print(f"\n{label} England ({scenario}), {n} paired seeds")
            for m, (mean, low, high) in diffs.items():
                print(f"  {m:28s} {mean:+9.4f}  [{low:+.4f}, {high:+.4f}]")
    if args.save:
        out = ROOT / "benchmarks" / "results" / "bench_scale-vm.json"
        out.write_text(json.dumps(report, indent=2) + "\n")
        print(f"\nwrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
