"""Time one simulation of the built-in England scenario and of ``scenarios/small.yaml``.

Why a script and not a test: timings depend on the machine, so they are recorded (with the
machine's description) rather than asserted in CI. Every repeat runs in a fresh subprocess, so
the peak resident memory (``ru_maxrss``) belongs to that one run and the import of edsim (numpy,
pandas, mesa, pydantic) is timed separately from the run itself.

Usage::

    .venv/bin/python benchmarks/bench_run.py [--scenario england|small|both] [--repeats N]
        [--years 15] [--seed 0] [--save]

A run is what :func:`edsim.run` does: build the model (drawing the schools and the hidden truth,
filling the cohorts and the burn-in years), step it through the horizon and collect the
trajectory as a DataFrame. "construct" is the first part, "steps" the stepping plus collection.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from _common import RESULTS_DIR, ROOT, run_child
from _common import machine as _machine
from _common import maxrss_gib as _maxrss_gib

SMALL_YAML = ROOT / "scenarios" / "small.yaml"


@dataclass(frozen=True)
class Budget:
    """The target a scenario's run must meet (on a 2-core machine)."""

    wall_s: float
    rss_gib: float | None


#: Targets from the project brief: England at full scale within a minute and 4 GiB on a
#: 2-core machine, the teaching-size England within a second.
BUDGETS: dict[str, Budget] = {
    "england": Budget(wall_s=60.0, rss_gib=4.0),
    "small": Budget(wall_s=1.0, rss_gib=None),
}
DEFAULT_REPEATS: dict[str, int] = {"england": 3, "small": 20}


@dataclass(frozen=True)
class RunTiming:
    """One repeat, measured inside its own process."""

    import_s: float
    load_s: float
    construct_s: float
    steps_s: float
    wall_s: float
    rows: int
    peak_rss_gib: float
    rss_after_import_gib: float


def _worker(scenario: str, years: int, seed: int) -> None:
    """Child process: import, run once, print one JSON line of timings."""
    t0 = time.perf_counter()
    import edsim
    import edsim.model
    import edsim.runner  # edsim imports its public names lazily: load them before the clock

    t1 = time.perf_counter()
    rss_import = _maxrss_gib()
    sc = None if scenario == "england" else edsim.load_scenario(SMALL_YAML)
    t2 = time.perf_counter()
    model = edsim.EdSystemModel(sc, rng=seed, years=years)
    t3 = time.perf_counter()
    while model.running:
        model.step()
    df = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    t4 = time.perf_counter()
    if len(df) != years + 1:
        raise SystemExit(f"expected {years + 1} rows, got {len(df)}")
    timing = RunTiming(
        import_s=t1 - t0,
        load_s=t2 - t1,
        construct_s=t3 - t2,
        steps_s=t4 - t3,
        wall_s=t4 - t2,
        rows=len(df),
        peak_rss_gib=_maxrss_gib(),
        rss_after_import_gib=rss_import,
    )
    print(json.dumps(asdict(timing)))


def _one_repeat(scenario: str, years: int, seed: int) -> RunTiming:
    """Run one repeat in a fresh interpreter and parse its timings."""
    args = [str(Path(__file__).resolve()), "--worker", scenario]
    args += ["--years", str(years), "--seed", str(seed)]
    return RunTiming(**run_child(args, what=f"{scenario} run"))


def _summary(scenario: str, runs: list[RunTiming]) -> dict[str, Any]:
    """Medians (and wall-time range) over repeats, with the verdict against the budget."""
    budget = BUDGETS[scenario]

    def med(attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in runs)

    wall = [r.wall_s for r in runs]
    out: dict[str, Any] = {
        "repeats": len(runs),
        "wall_median_s": med("wall_s"),
        "wall_min_s": min(wall),
        "wall_max_s": max(wall),
        "construct_median_s": med("construct_s"),
        "steps_median_s": med("steps_s"),
        "import_median_s": med("import_s"),
        "load_median_s": med("load_s"),
        "peak_rss_median_gib": med("peak_rss_gib"),
        "rss_after_import_median_gib": med("rss_after_import_gib"),
        "budget_wall_s": budget.wall_s,
        "budget_rss_gib": budget.rss_gib,
    }
    ok = out["wall_median_s"] <= budget.wall_s
    if budget.rss_gib is not None:
        ok = ok and out["peak_rss_median_gib"] <= budget.rss_gib
    out["pass"] = ok
    out["runs"] = [asdict(r) for r in runs]
    return out


def _table(machine: dict[str, Any], results: dict[str, dict[str, Any]], years: int) -> str:
    """The results as a markdown table."""
    lines = [
        f"edsim {machine['edsim']} ({machine['git_commit'] or 'no git'}), "
        f"Python {machine['python']}, Mesa {machine['mesa']}, numpy {machine['numpy']}, "
        f"{machine['affinity_cpus'] or machine['nproc']} CPUs, {machine['date']}; "
        f"{years} years, one fresh process per repeat",
        "",
        "| scenario | repeats | wall median (min-max) s | construct s | steps s | import s "
        "| peak RSS GiB | budget | verdict |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for name, r in results.items():
        budget = f"<= {r['budget_wall_s']:g} s"
        if r["budget_rss_gib"] is not None:
            budget += f", <= {r['budget_rss_gib']:g} GiB"
        lines.append(
            f"| {name} | {r['repeats']} "
            f"| {r['wall_median_s']:.3f} ({r['wall_min_s']:.3f}-{r['wall_max_s']:.3f}) "
            f"| {r['construct_median_s']:.3f} | {r['steps_median_s']:.3f} "
            f"| {r['import_median_s']:.2f} | {r['peak_rss_median_gib']:.2f} "
            f"| {budget} | {'PASS' if r['pass'] else 'FAIL'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the repeats, print the table and optionally save JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", choices=["england", "small", "both"], default="both")
    parser.add_argument(
        "--repeats", type=int, default=None, help="repeats per scenario (default: 3 / 20)"
    )
    parser.add_argument("--years", type=int, default=15)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--save", action="store_true", help="write benchmarks/results/bench_run-<host>.json"
    )
    parser.add_argument("--worker", choices=["england", "small"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        _worker(args.worker, args.years, args.seed)
        return 0

    names = ["england", "small"] if args.scenario == "both" else [args.scenario]
    results: dict[str, dict[str, Any]] = {}
    for name in names:
        repeats = args.repeats if args.repeats is not None else DEFAULT_REPEATS[name]
        runs = []
        for i in range(repeats):
            run = _one_repeat(name, args.years, args.seed)
            print(
                f"{name} {i + 1}/{repeats}: wall {run.wall_s:.3f} s "
                f"(construct {run.construct_s:.3f}, steps {run.steps_s:.3f}), "
                f"peak RSS {run.peak_rss_gib:.2f} GiB",
                file=sys.stderr,
            )
            runs.append(run)
        results[name] = _summary(name, runs)

    machine = _machine()
    print(_table(machine, results, args.years))
    if args.save:
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        path = RESULTS_DIR / f"bench_run-{machine['hostname']}.json"
        payload = {"machine": machine, "years": args.years, "seed": args.seed, "results": results}
        path.write_text(json.dumps(payload, indent=2) + "\n")
        print(f"\nsaved {path.relative_to(ROOT)}")
    return 0 if all(r["pass"] for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
