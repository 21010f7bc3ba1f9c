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

import pandas as pd

from edsim.analysis import cost_per_sd_closed, paired_differences, to_markdown
from edsim.analysis.interaction import Contrast, mechanism_effects
from edsim.experiment import Results, load_experiment, run_experiment
from edsim.report import (
    comparison,
    effects,
    sensitivity,
    write_comparison,
    write_effects,
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
    "feedback_learning": ["ks4_gap_index", "ks2_gap_index", "evidence_error_context"],
    "seed_mechanisms": ["ks4_gap_index", "ks2_gap_index"],
}

#: seed_mechanisms: each mechanism's on/off pair of comparisons (issue 14; docs/experiments.md).
MECHANISMS = [
    Contrast("workforce literacy", ("le", "dt"), ("le_no_workforce", "dt_no_workforce")),
    Contrast(
        "biased literature, Toolkit lag",
        ("le", "dt"),
        ("le_no_evidence_bias", "dt_no_evidence_bias"),
    ),
    Contrast("policymaker's repertoire", ("le", "dt"), ("le_no_repertoire", "dt_no_repertoire")),
    Contrast("burden relief", ("le", "dt"), ("le_no_burden_relief", "dt")),
    Contrast("brokers' built capacity", ("le", "dt"), ("le_fixed_brokers", "dt")),
    Contrast("strands 1 and 3", ("eef_three_strands", "dt"), ("eef_strand_2_only", "dt")),
    Contrast("judging on learning", ("le", "dt"), ("le_judge_attainment", "dt")),
]

#: Pupil outcomes of the effects tables: gap indices, gaps in SD (also in months of progress),
#: mean attainment (SD) and disadvantaged pupils at the standard (also in percentage points).
EFFECT_METRICS = [
    "ks4_gap_index",
    "ks2_gap_index",
    "ks4_gap_sd",
    "ks2_gap_sd",
    "ks4_mean",
    "ks2_mean",
    "ks4_standard_dis",
    "ks2_standard_dis",
]
#: Per experiment: the (scenario, reference) pairs of its effects table, the direct comparison
#: first, then each regime against no evidence system where the experiment has one.
PAIRS = {
    "quickstart": [
        ("linkage_exchange", "disseminate_to"),
        ("disseminate_to", "none"),
        ("linkage_exchange", "none"),
    ],
    "regime_comparison": [
        ("linkage_exchange", "disseminate_to"),
        ("eef_hybrid_2024", "disseminate_to"),
        ("disseminate_to", "none"),
        ("linkage_exchange", "none"),
        ("eef_hybrid_2024", "none"),
    ],
    "partnership_depth": [("broad_short", "standard"), ("deep_long", "standard")],
    "policy_responses": [
        ("pressure_driven", "static"),
        ("deliberative", "static"),
        ("linkage_exchange", "static"),
    ],
}
#: Per experiment: the regimes whose cost per SD of KS4 gap closed is measured against ``none``.
COSTED = {
    "quickstart": ["disseminate_to", "linkage_exchange"],
    "regime_comparison": ["disseminate_to", "linkage_exchange", "eef_hybrid_2024"],
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
    elif name == "feedback_learning":
        written = _per_point(results, figures, "feedback", "no_feedback")
    elif name == "seed_mechanisms":
        written = _mechanisms(results, figures)
    else:
        written = []
        if name in PAIRS:
            table = effects(results, PAIRS[name], EFFECT_METRICS)
            written += write_effects(table, figures, "effects")
        if name in COSTED:
            written += _costs(results, figures, COSTED[name])
    if name not in ("sensitivity",):
        for metric in METRICS[name]:
            table = comparison(results, metric)
            written += write_comparison(table, figures, f"comparison_{metric}")
            written += write_figures(results, figures, metric=metric, formats=("png",))
    for path in written:
        print(f"wrote {path.relative_to(ROOT)}")


def _costs(results: Results, out: Path, regimes: list[str]) -> list[Path]:
    """Cost per SD of KS4 gap closed, each regime against no evidence system, as Markdown."""
    rows = []
    for regime in regimes:
        c = cost_per_sd_closed(results.trajectories, regime, reference="none")
        rows.append(
            {
                "scenario": regime,
                "n_pairs": c.n_pairs,
                "extra spend (GBP m)": c.spend / 1e6,
                "KS4 gap closed (SD)": c.reduction,
                "closed CI low": c.reduction_ci_low,
                "closed CI high": c.reduction_ci_high,
                "GBP m per SD": c.cost_per_sd / 1e6,
                "CI low": c.ci_low / 1e6,
                "CI high": c.ci_high / 1e6,
                "why undefined": c.reason or "",
            }
        )
    path = out / "cost_per_sd_closed.md"
    out.mkdir(parents=True, exist_ok=True)
    path.write_text(to_markdown(pd.DataFrame(rows)) + "\n")
    return [path]


def _mechanisms(results: Results, out: Path) -> list[Path]:
    """Each mechanism's effect on the regime comparison (difference-in-differences), Markdown."""
    metrics = [*EFFECT_METRICS, "evidence_uncertainty_moderators", "toolkit_error_national"]
    table = mechanism_effects(results.trajectories, MECHANISMS, metrics)
    path = out / "mechanism_effects.md"
    out.mkdir(parents=True, exist_ok=True)
    path.write_text(to_markdown(table) + "\n")
    return [path]


def _per_point(results: Results, out: Path, scenario: str, baseline: str) -> list[Path]:
    """Paired differences per design point in the final year, as Markdown."""
    traj = results.trajectories
    last = int(traj["year"].max())
    final = traj[traj["year"] == last]
    tables = []
    for metric in ("ks4_gap_index", "ks2_gap_index", "ks4_gap_sd", "evidence_error_context"):
        d = paired_differences(final, metric, baseline=baseline)
        d = d[d["scenario"] == scenario].assign(metric=metric)
        tables.append(d)
    table = pd.concat(tables, ignore_index=True)
    table = table.merge(results.design, on="point", how="left")
    learnable = (
        final[final["scenario"] == scenario]
        .groupby("point")["evidence_learnable_share"]
        .mean()
        .rename("learnable_share")
    )
    table = table.merge(learnable, on="point", how="left")
    keep = [c for c in table.columns if c not in ("scenario", "year", "calendar_year")]
    path = out / "feedback_minus_no_feedback.md"
    out.mkdir(parents=True, exist_ok=True)
    path.write_text(to_markdown(table[keep]) + "\n")
    return [path]


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
