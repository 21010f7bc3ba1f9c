"""edsim against a bare NumPy loop doing the same pupil update, side by side.

The target: the default England run (``edsim.run(None)``: ~20,250 schools, 7.7 million pupils,
the burn-in and 15 years) in at most half the time of a bare NumPy loop that only does the pupil
update for 15 years, measured on the same machine in the same invocation, and at most 64 bytes
of memory per pupil.

The bare loop: 7.7 million pupils (float64 attainment ``z``), ``school`` int32 in
[0, n_schools), ``dis`` bool (27% True), ``va`` a float64 value added per school; each year
``z += g0 + va[school] - delta * dis + sigma * noise`` with ``noise = rng.standard_normal(n)``,
then the two leaving cohorts (Year 6 and Year 11, each 1/12 of the pupils) are ranked with
``scipy.stats.rankdata``. Its time is the yearly loop only (drawing the arrays is reported as
"setup"), so the ratio does not flatter edsim.

Usage::

    .venv/bin/python benchmarks/bench_ratio.py [--repeats 3] [--years 15] [--scale 1.0]
        [--seed 0] [--save]

Repeats alternate (bare, edsim, bare, edsim, ...) so that a machine getting slower or faster
affects both alike. Every repeat runs in a fresh interpreter: its imports are timed apart from
the run and its peak resident memory (``ru_maxrss``) is its own. Bytes per pupil is
(peak RSS - peak RSS after the imports) / pupils in the system at the end of the run.

Before the repeats, two small edsim runs (1% of England, 1 year) with an empty Numba cache (a
temporary ``NUMBA_CACHE_DIR``, used by every child of this script) measure the one-off cost of
compiling edsim's kernels: the first compiles and caches, the second loads from the cache. The
timed repeats then load the compiled kernels from that cache, as every run after the first on a
machine does. With ``--no-jit`` the children use Numba's default cache instead (beside edsim's
sources; the first repeat compiles if that cache is stale).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import time
import weakref
from pathlib import Path
from typing import Any

from _common import (
    ROOT,
    machine,
    machine_line,
    maxrss_bytes,
    run_child,
    save_json,
    scaled_population,
    spread,
)

#: The target ratio edsim / bare loop (medians) and memory per pupil.
TARGET_RATIO = 0.5
TARGET_BYTES_PER_PUPIL = 64.0
#: Bare loop constants (their values do not matter for the timing; these are plausible).
G0, DELTA, SIGMA, VA_SD, DIS_SHARE = 0.0, 0.046, 0.1, 0.05, 0.27
YEAR_GROUPS = 12
LEAVING = (6, 11)  # Year 6 (KS2) and Year 11 (KS4), counting Reception as 0


def _scaled(scale: float) -> tuple[dict[str, int], int, int]:
    """Keyword overrides for ``edsim.run`` at ``scale`` (none at 1.0), its pupils, its schools."""
    pop = scaled_population(scale)
    overrides = {} if scale == 1.0 else {f"population__{k}": v for k, v in pop.items()}
    pupils = pop["primary_pupils"] + pop["secondary_pupils"]
    schools = pop["n_primary_schools"] + pop["n_secondary_schools"]
    return overrides, pupils, schools


# --- children -------------------------------------------------------------------------------


def _bare_worker(pupils: int, schools: int, years: int, seed: int) -> dict[str, Any]:
    """Child: the bare NumPy loop."""
    t0 = time.perf_counter()
    import numpy as np
    from scipy.stats import rankdata

    t1 = time.perf_counter()
    rss_import = maxrss_bytes()
    rng = np.random.default_rng(seed)
    n = pupils
    school = rng.integers(0, schools, n, dtype=np.int32)
    dis = rng.random(n) < DIS_SHARE
    va = rng.normal(0.0, VA_SD, schools)
    z = rng.standard_normal(n)
    cohort = n // YEAR_GROUPS
    t2 = time.perf_counter()
    ranked = 0
    for year in range(years):
        noise = rng.standard_normal(n)
        z += G0 + va[school] - DELTA * dis + SIGMA * noise
        for group in LEAVING:
            block = (group - year) % YEAR_GROUPS  # the year groups move up one block a year
            ranks = rankdata(z[block * cohort : (block + 1) * cohort])
            ranked += ranks.size
    t3 = time.perf_counter()
    return {
        "import_s": t1 - t0,
        "setup_s": t2 - t1,
        "years_s": t3 - t2,
        "wall_s": t3 - t2,
        "pupils": n,
        "ranked": ranked,
        "rss_after_import_bytes": rss_import,
        "peak_rss_bytes": maxrss_bytes(),
    }


def _edsim_worker(overrides: dict[str, Any], years: int, seed: int) -> dict[str, Any]:
    """Child: ``edsim.run(None, seed=seed)`` (plus the scale's population, if not 1.0)."""
    t0 = time.perf_counter()
    import edsim
    import edsim.model
    import edsim.runner

    run = edsim.run  # edsim imports its public names lazily: make sure they are in
    t1 = time.perf_counter()
    rss_import = maxrss_bytes()
    # Numba's one-off start-up in a process: the first call of any compiled function loads its
    # typing and lowering registries (~0.4 s), like a deferred import. Timed apart from the run
    # and reported beside the import, as every process (a CLI call, a batch worker) pays it once.
    import numpy as np

    from edsim.model.kernels import school_sums

    school_sums(np.zeros(1, np.int32), np.zeros(1, np.bool_), np.zeros(1), 1, False)
    t_numba = time.perf_counter()

    # A weak reference to the model edsim.run builds, to count its pupils in the last year.
    models: list[Any] = []
    model_class = edsim.runner.EdSystemModel

    def keep(*args: Any, **kwargs: Any) -> Any:
        model = model_class(*args, **kwargs)
        models.append(weakref.ref(model))
        return model

    edsim.runner.EdSystemModel = keep  # type: ignore[misc,assignment]
    built: list[float] = []
    counted: list[int] = []

    def on_year(done: int, total: int) -> None:
        if not built:  # the first call comes once the system is built and burnt in
            built.append(time.perf_counter())
        if done == total and models:  # the last year, before edsim.run disposes of the model
            with contextlib.suppress(AttributeError):
                counted.append(int(models[0]().pupils.size))

    kwargs: dict[str, Any] = dict(overrides)
    if years != 15:
        kwargs["years"] = years
    t2 = time.perf_counter()
    df = run(None, seed=seed, on_year=on_year, **kwargs)
    t3 = time.perf_counter()
    if len(df) != years + 1:
        raise SystemExit(f"expected {years + 1} rows, got {len(df)}")
    pupils = counted[-1] if counted else None
    return {
        "import_s": t1 - t0,
        "numba_start_s": t_numba - t1,
        "setup_s": built[0] - t2,
        "years_s": t3 - built[0],
        "wall_s": t3 - t2,
        "pupils": pupils,
        "rss_after_import_bytes": rss_import,
        "peak_rss_bytes": maxrss_bytes(),
    }


# --- parent ---------------------------------------------------------------------------------


def _child(kind: str, params: dict[str, Any], env: dict[str, str]) -> dict[str, Any]:
    args = [str(Path(__file__).resolve()), "--worker", kind, "--params", json.dumps(params)]
    return run_child(args, what=f"{kind} run", env=env)


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    def med(key: str) -> float:
        return float(spread([r[key] for r in runs])["median"])

    wall = spread([r["wall_s"] for r in runs])
    per_pupil = [
        (r["peak_rss_bytes"] - r["rss_after_import_bytes"]) / r["pupils"]
        for r in runs
        if r["pupils"]
    ]
    start = [r["numba_start_s"] for r in runs if "numba_start_s" in r]
    return {
        "repeats": len(runs),
        "numba_start_median_s": spread(start)["median"] if start else None,
        "wall_median_s": wall["median"],
        "wall_min_s": wall["min"],
        "wall_max_s": wall["max"],
        "setup_median_s": med("setup_s"),
        "years_median_s": med("years_s"),
        "import_median_s": med("import_s"),
        "peak_rss_median_bytes": med("peak_rss_bytes"),
        "rss_after_import_median_bytes": med("rss_after_import_bytes"),
        "pupils": runs[-1]["pupils"],
        "bytes_per_pupil_median": spread(per_pupil)["median"] if per_pupil else None,
        "runs": runs,
    }


def _table(info: dict[str, Any], result: dict[str, Any]) -> str:
    gib = 1024**3
    bare, ed = result["bare"], result["edsim"]
    scale, years = result["scale"], result["years"]
    name = "edsim.run(None)" if scale == 1.0 else f"edsim.run(England x {scale:g})"
    lines = [
        f"{machine_line(info)}; scale {scale:g} of England, {years} years, "
        "one fresh process per repeat, bare and edsim alternating",
        "",
        "| run | repeats | wall median (min-max) s | setup s | years s | import s "
        "| peak RSS GiB | bytes/pupil | pupils |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, r in ((f"bare NumPy loop ({years} years)", bare), (name, ed)):
        bpp = r["bytes_per_pupil_median"]
        lines.append(
            f"| {label} | {r['repeats']} "
            f"| {r['wall_median_s']:.3f} ({r['wall_min_s']:.3f}-{r['wall_max_s']:.3f}) "
            f"| {r['setup_median_s']:.3f} | {r['years_median_s']:.3f} "
            f"| {r['import_median_s']:.2f} | {r['peak_rss_median_bytes'] / gib:.2f} "
            f"| {'n/a' if bpp is None else f'{bpp:.1f}'} "
            f"| {r['pupils'] if r['pupils'] is not None else 'n/a'} |"
        )
    ratio, bpp = result["ratio"], ed["bytes_per_pupil_median"]
    lines += [
        "",
        "| check | measured | target | verdict |",
        "|---|---:|---|---|",
        f"| time: edsim / bare loop (medians) | {ratio:.2f} | <= {TARGET_RATIO:g} "
        f"| {'PASS' if result['ratio_pass'] else 'FAIL'} |",
        f"| time with Numba's start-up: (edsim + {ed['numba_start_median_s']:.2f} s) / bare "
        f"| {result['ratio_with_numba_start']:.2f} | (reported) | |",
        f"| memory: edsim bytes per pupil | {'n/a' if bpp is None else f'{bpp:.1f}'} "
        f"| <= {TARGET_BYTES_PER_PUPIL:g} | {'PASS' if result['memory_pass'] else 'FAIL'} |",
    ]
    jit = result.get("jit")
    if jit:
        lines += [
            "",
            f"First use (1% of England, 1 year, empty Numba cache): {jit['cold_s']:.2f} s; "
            f"again with the cache: {jit['warm_s']:.2f} s; one-off compile ~ "
            f"{jit['cold_s'] - jit['warm_s']:.2f} s (not in the repeats above).",
        ]
    lines += [
        "",
        "import: bare = numpy and scipy.stats; edsim = edsim, edsim.model and edsim.runner. "
        "Numba's start-up (the first call of any compiled function in a process, timed after "
        "the import and before the run) is not in edsim's wall; the second check adds it. "
        "setup: bare = drawing the arrays; edsim = building the system and the burn-in. "
        "years: the yearly loop (edsim: plus collecting the trajectory). wall: bare = years "
        "only; edsim = setup + years. bytes/pupil = (peak RSS - RSS after imports) / pupils.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the repeats, print the table and optionally save JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="repeats of each (default 3)")
    parser.add_argument("--years", type=int, default=15, help="simulated years (default 15)")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="fraction of England (default 1.0)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--no-jit",
        action="store_true",
        help="skip the first-use (compile) measurement and use Numba's default cache",
    )
    parser.add_argument(
        "--save", action="store_true", help="write benchmarks/results/bench_ratio-<host>.json"
    )
    parser.add_argument("--worker", choices=["bare", "edsim"], help=argparse.SUPPRESS)
    parser.add_argument("--params", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        p = json.loads(args.params)
        if args.worker == "bare":
            out = _bare_worker(p["pupils"], p["schools"], p["years"], p["seed"])
        else:
            out = _edsim_worker(p["overrides"], p["years"], p["seed"])
        print(json.dumps(out))
        return 0

    if not 0 < args.scale <= 1.0:
        parser.error("--scale must be in (0, 1]")
    overrides, pupils, schools = _scaled(args.scale)
    bare_params = {"pupils": pupils, "schools": schools, "years": args.years, "seed": args.seed}
    edsim_params = {"overrides": overrides, "years": args.years, "seed": args.seed}
    print(f"England x {args.scale:g}: {schools} schools, {pupils} pupils", file=sys.stderr)

    with tempfile.TemporaryDirectory(prefix="edsim-numba-") as cache:
        # --no-jit: Numba's own cache (beside edsim's sources), as a user's runs get it.
        env = {} if args.no_jit else {"NUMBA_CACHE_DIR": cache}
        jit = None
        if not args.no_jit:
            small, _, _ = _scaled(0.01)
            first = {"overrides": small, "years": 1, "seed": args.seed}
            cold = _child("edsim", first, env)["wall_s"]
            warm = _child("edsim", first, env)["wall_s"]
            jit = {"cold_s": cold, "warm_s": warm}
            print(f"first use: {cold:.2f} s cold, {warm:.2f} s warm", file=sys.stderr)
        bare_runs, edsim_runs = [], []
        for i in range(args.repeats):
            for kind, params, runs in (
                ("bare", bare_params, bare_runs),
                ("edsim", edsim_params, edsim_runs),
            ):
                r = _child(kind, params, env)
                runs.append(r)
                print(
                    f"{kind} {i + 1}/{args.repeats}: wall {r['wall_s']:.3f} s "
                    f"(setup {r['setup_s']:.3f}, years {r['years_s']:.3f}), import "
                    f"{r['import_s']:.2f} s, peak RSS {r['peak_rss_bytes'] / 1024**3:.2f} GiB",
                    file=sys.stderr,
                )

    bare, ed = _summary(bare_runs), _summary(edsim_runs)
    ratio = ed["wall_median_s"] / bare["wall_median_s"]
    ratio_with_start = (ed["wall_median_s"] + ed["numba_start_median_s"]) / bare["wall_median_s"]
    bpp = ed["bytes_per_pupil_median"]
    result: dict[str, Any] = {
        "scale": args.scale,
        "years": args.years,
        "seed": args.seed,
        "schools": schools,
        "overrides": overrides,
        "ratio": ratio,
        "ratio_target": TARGET_RATIO,
        "ratio_pass": ratio <= TARGET_RATIO,
        "ratio_with_numba_start": ratio_with_start,
        "bytes_per_pupil_target": TARGET_BYTES_PER_PUPIL,
        "memory_pass": bpp is not None and bpp <= TARGET_BYTES_PER_PUPIL,
        "jit": jit,
        "bare": bare,
        "edsim": ed,
    }
    info = machine()
    try:
        import numba

        info["numba"] = numba.__version__
    except ImportError:
        info["numba"] = None
    print(_table(info, result))
    if args.save:
        path = save_json("bench_ratio", {"machine": info, **result}, info["hostname"])
        print(f"\nsaved {path.relative_to(ROOT)}")
    return 0 if result["ratio_pass"] and result["memory_pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
