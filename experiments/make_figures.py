"""Regenerate the figures and tables of docs/experiments.md from the shipped experiments.

One command per experiment (or all of them)::

    python experiments/make_figures.py quickstart
    python experiments/make_figures.py regime_comparison heterogeneity_sweep
    python experiments/make_figures.py --all

Each experiment runs into ``results/<name>/`` (resuming whatever is already there, so an
interrupted regeneration continues), then its figures are written to ``docs/figures/<name>/``
as PNG and its comparison tables as Markdown. Everything is drawn by :mod:`edsim.report`, the
same code as ``edsim compare``, ``plot`` and ``sensitivity``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from edsim.experiment import load_experiment, run_experiment
from edsim.report import (
    comparison,
    sensitivity,
    write_comparison,
    write_figures,
    write_sensitivity,
)

ROOT = Path(__file__).resolve().parents[1]

#: Per experiment: the metrics to draw and tabulate (the first is the headline).
METRICS = {
    "quickstart": ["ks4_gap_index", "ks2_gap_index"],
    "regime_comparison": ["ks4_gap_index", "ks2_gap_index", "ks4_standard_dis"],
    "heterogeneity_sweep": ["ks4_gap_index", "ks2_gap_index"],
    "partnership_depth": ["ks4_gap_index", "ks2_gap_index", "schools_reached_cumulative"],
    "policy_responses": ["ks4_gap_index", "accountability_pressure", "mean_capacity"],
    "sensitivity": ["ks4_gap_index"],
}


def regenerate(name: str, workers: int | None) -> None:
    """Run (or resume) one experiment and write its figures and tables into docs/figures/."""
    experiment = load_experiment(ROOT / "experiments" / f"{name}.yaml")
    out = ROOT / "results" / name
    results = run_experiment(
        experiment,
        out=out,
        executor="process",
        workers=workers,
        resume=(out / "manifest.json").exists(),
        on_progress=lambda p: print(f"\r{name}: {p.done}/{p.total} runs", end="", flush=True),
    )
    print()
    if not results.failed.empty:
        sys.exit(f"{name}: {len(results.failed)} runs failed; see {out}/manifest.json")
    figures = ROOT / "docs" / "figures" / name
    if name == "sensitivity":
        table, method = sensitivity(results, scenario="linkage_exchange", baseline="disseminate_to")
        written = write_sensitivity(
            table,
            method,
            figures,
            metric="ks4_gap_index",
            scenario="linkage_exchange",
            baseline="disseminate_to",
            formats=("png",),
        )
    else:
        written = []
        for metric in METRICS[name]:
            table = comparison(results, metric)
            written += write_comparison(table, figures, f"comparison_{metric}")
            written += write_figures(results, figures, metric=metric, formats=("png",))
    for path in written:
        print(f"wrote {path.relative_to(ROOT)}")


def main() -> None:
    """Parse the experiment names and regenerate each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help=", ".join(METRICS))
    parser.add_argument("--all", action="store_true", help="every shipped experiment")
    parser.add_argument("--workers", type=int, default=None, help="worker processes")
    args = parser.parse_args()
    names = list(METRICS) if args.all else args.names
    unknown = [n for n in names if n not in METRICS]
    if unknown or not names:
        parser.error(f"name experiments among {', '.join(METRICS)}, or pass --all")
    for name in names:
        regenerate(name, args.workers)


if __name__ == "__main__":
    main()
