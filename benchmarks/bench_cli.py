"""Time ``edsim --help`` and every subcommand's ``--help``, each in a fresh process.

Why a script and not a test: timings depend on the machine, so they are recorded (with the
machine's description) rather than asserted in CI; ``tests/test_cli_startup.py`` pins the cause
instead (help imports none of NumPy, pandas, SciPy, Mesa, matplotlib). The target is 0.6 s per
help on a 2-core machine with a warm file cache: one untimed call warms it before the repeats,
and the repeats go round the commands in turn so that a busy moment is shared between them.

Usage::

    .venv/bin/python benchmarks/bench_cli.py [--repeats N] [--budget 0.6] [--save]

Each call is the installed ``edsim`` console script (``python -m edsim`` if there is none) with
its output discarded; the time is the wall time of the whole process, interpreter start included.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from _common import ROOT, machine, machine_line, save_json, spread

DEFAULT_REPEATS = 5
DEFAULT_BUDGET_S = 0.6


def _edsim_command() -> list[str]:
    """The console script beside this interpreter, as a user runs it, else ``python -m edsim``."""
    script = Path(sys.executable).parent / "edsim"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "edsim"]


def _subcommands() -> list[str]:
    """The names of the ``edsim`` subcommands, in the order ``edsim --help`` lists them."""
    import typer.main

    from edsim.cli import app

    return list(typer.main.get_group(app).commands)


def _time_help(edsim: list[str], args: list[str]) -> float:
    """Wall time of one ``edsim ARGS --help`` in a fresh process (it must exit 0)."""
    start = time.perf_counter()
    proc = subprocess.run(
        [*edsim, *args, "--help"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
        cwd=ROOT,
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(
            f"edsim {' '.join(args)} --help failed (rc {proc.returncode}):\n{proc.stderr}"
        )
    return elapsed


def _summary(times: list[float], budget_s: float) -> dict[str, Any]:
    """Median and range over repeats, with the verdict against the budget."""
    s = spread(times)
    return {
        "repeats": len(times),
        "median_s": s["median"],
        "min_s": s["min"],
        "max_s": s["max"],
        "budget_s": budget_s,
        "pass": s["median"] <= budget_s,
        "times_s": times,
    }


def _table(info: dict[str, Any], results: dict[str, dict[str, Any]], budget_s: float) -> str:
    """The results as a markdown table (in the order of ``edsim --help``) and the slowest."""
    lines = [
        f"{machine_line(info)}; one fresh process per call, warm file cache",
        "",
        "| command | repeats | median (min-max) s | budget | verdict |",
        "|---|---:|---:|---|---|",
    ]
    for name, r in results.items():
        lines.append(
            f"| `{name}` | {r['repeats']} "
            f"| {r['median_s']:.3f} ({r['min_s']:.3f}-{r['max_s']:.3f}) "
            f"| <= {budget_s:g} s | {'PASS' if r['pass'] else 'FAIL'} |"
        )
    slowest = max(results, key=lambda name: results[name]["median_s"])
    lines += ["", f"slowest: `{slowest}` ({results[slowest]['median_s']:.3f} s median)"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, time every help, print the table and optionally save JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--repeats", type=int, default=DEFAULT_REPEATS, help="calls per command (default: 5)"
    )
    parser.add_argument(
        "--budget", type=float, default=DEFAULT_BUDGET_S, help="seconds per help (default: 0.6)"
    )
    parser.add_argument(
        "--save", action="store_true", help="write benchmarks/results/bench_cli-<host>.json"
    )
    args = parser.parse_args(argv)

    edsim = _edsim_command()
    commands: dict[str, list[str]] = {"edsim --help": []}
    commands.update({f"edsim {name} --help": [name] for name in _subcommands()})

    _time_help(edsim, [])  # warm the file cache; not counted
    times: dict[str, list[float]] = {name: [] for name in commands}
    for i in range(args.repeats):
        for name, cli_args in commands.items():
            elapsed = _time_help(edsim, cli_args)
            times[name].append(elapsed)
            print(f"{i + 1}/{args.repeats} {name}: {elapsed:.3f} s", file=sys.stderr)
    results = {name: _summary(t, args.budget) for name, t in times.items()}

    info = machine()
    print(_table(info, results, args.budget))
    if args.save:
        payload = {
            "machine": info,
            "command": edsim,
            "repeats": args.repeats,
            "budget_s": args.budget,
            "results": results,
        }
        path = save_json("bench_cli", payload, info["hostname"])
        print(f"\nsaved {path.relative_to(ROOT)}")
    return 0 if all(r["pass"] for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
