"""Reports on experiment results: comparison and effects tables, figures, sensitivity indices.

The glue between :class:`~edsim.experiment.Results`, :mod:`edsim.analysis` and
:mod:`edsim.plotting`, shared by ``edsim batch``, ``compare``, ``plot`` and ``sensitivity`` and
by the scripts that regenerate the documentation's figures, so all of them say the same thing.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from edsim.analysis import (
    comparison_table,
    design_response,
    effects_markdown,
    effects_table,
    morris_indices,
    paired_differences,
    sobol_indices,
    summarise,
    to_markdown,
    with_parameters,
)
from edsim.analysis.intervals import interval_kind
from edsim.errors import ExperimentError
from edsim.headline import (
    HEADLINE_METRICS,
    headline,
    outcome_of,
    sensitivity_outcome,
    year_text,
)
from edsim.io import ensure_writable_dir, save_figure, write_atomically

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from edsim.experiment import Results

__all__ = [
    "DEFAULT_METRIC",
    "HEADLINE_METRICS",
    "comparison",
    "effects",
    "headline",
    "metric_label",
    "outcome_of",
    "report_years",
    "sensitivity",
    "sensitivity_outcome",
    "write_comparison",
    "write_effects",
    "write_figures",
    "write_sensitivity",
    "year_text",
]

DEFAULT_METRIC = "ks4_gap_index"

_LABELS = {
    "ks4_gap_index": "KS4 disadvantage gap index (0-10)",
    "ks2_gap_index": "KS2 disadvantage gap index (0-10)",
    "ks4_gap_sd": "KS4 attainment gap (SD)",
    "ks2_gap_sd": "KS2 attainment gap (SD)",
    "ks4_standard_dis": "Disadvantaged pupils at grade 4+ (share)",
    "ks2_standard_dis": "Disadvantaged pupils at the KS2 standard (share)",
    "schools_reached_cumulative": "Schools reached by the evidence system (count)",
    "mean_quality": "Mean implementation quality (0-1)",
    "evidence_error_context": "Evidence-base error, context-specific (SD)",
    "evidence_error_national": "Evidence-base error, national (SD)",
}

#: Metrics where a higher value is better; for the rest (gaps, errors, cost) lower is better.
_HIGHER_IS_BETTER = ("standard", "quality", "reached", "capacity", "engagement")


def metric_label(metric: str) -> str:
    """A reader's label for a metric, with its unit."""
    return _LABELS.get(metric, metric.replace("_", " "))


def report_years(results: Results) -> list[int]:
    """Year 0, the middle year and the final year: enough to read a trajectory's shape."""
    years = sorted(int(y) for y in results.trajectories["year"].unique())
    if not years:
        return []
    return sorted({years[0], years[len(years) // 2], years[-1]})


def comparison(
    results: Results,
    metric: str = DEFAULT_METRIC,
    *,
    baseline: str | None = None,
    years: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Per scenario and year: mean with 95% CI, and the paired difference from the baseline.

    The intervals are seed noise only, or for a posterior design parameter and seed
    uncertainty (:func:`edsim.analysis.intervals.interval_kind`); ``attrs["interval_note"]``
    says which.
    """
    chosen = baseline or results.baseline or results.scenarios[0]
    return comparison_table(
        results.trajectories,
        metric,
        baseline=chosen,
        years=list(years) if years is not None else report_years(results),
        interval=interval_kind(results.manifest),
    )


def write_comparison(table: pd.DataFrame, out_dir: str | os.PathLike[str], stem: str) -> list[Path]:
    """Write a comparison table as CSV (for analysis) and Markdown (for reports).

    The Markdown ends with a line saying which kind of interval the table shows.
    """
    note = table.attrs.get("interval_note")
    text = to_markdown(table) + (f"\n{note}\n" if note else "")
    return _write_table(table, text, out_dir, stem)


def effects(
    results: Results,
    pairs: Sequence[tuple[str, str]],
    metrics: Sequence[str],
    year: int | None = None,
) -> pd.DataFrame:
    """Paired effects of chosen comparisons in one year (default: the last), in readers' units.

    See :func:`edsim.analysis.effects_table`: differences with intervals, raw and Holm-adjusted
    p-values, months of progress or percentage points, and whether each effect is smaller than
    the metric's ordinary year-to-year wobble.
    """
    return effects_table(results.trajectories, pairs, metrics, year=year)


def write_effects(table: pd.DataFrame, out_dir: str | os.PathLike[str], stem: str) -> list[Path]:
    """Write an effects table as CSV (every column, full precision) and Markdown (for docs)."""
    return _write_table(table, effects_markdown(table), out_dir, stem)


def _write_table(
    table: pd.DataFrame, markdown_text: str, out_dir: str | os.PathLike[str], stem: str
) -> list[Path]:
    """Write ``stem.csv`` and ``stem.md`` each atomically, so a reader never sees half a table."""
    directory = ensure_writable_dir(out_dir)
    csv, markdown = directory / f"{stem}.csv", directory / f"{stem}.md"
    write_atomically(csv, lambda tmp: table.to_csv(tmp, index=False))
    write_atomically(markdown, lambda tmp: tmp.write_text(markdown_text))
    return [csv, markdown]


def write_figures(
    results: Results,
    out_dir: str | os.PathLike[str],
    *,
    metric: str = DEFAULT_METRIC,
    baseline: str | None = None,
    formats: Sequence[str] = ("png", "svg"),
) -> list[Path]:
    """Draw the experiment's figures and save each in every format.

    Figures: the metric's trajectory per scenario with 95% CI bands; each scenario's paired
    difference from the baseline; the KS4 gap by school-disadvantage quintile in the final year
    (when the quintile metrics were kept); and, for a two-parameter grid, a heatmap of each
    scenario's final-year paired difference over the grid.
    """
    traj = results.trajectories
    if traj.empty:
        raise ExperimentError("no finished runs to draw")
    chosen = baseline or results.baseline or results.scenarios[0]
    label = metric_label(metric)
    name = results.name
    figures: dict[str, Figure] = {
        f"{metric}_by_scenario": _bands(traj, metric, label, name),
        f"{metric}_paired_difference": _differences(traj, metric, chosen, label, name),
    }
    final = int(traj["year"].max())
    if {f"ks4_gap_sd_q{q}" for q in range(1, 6)} <= set(traj.columns):
        from edsim.plotting import plot_gap_by_quintile

        when = year_text(traj, final)
        figures["ks4_gap_by_quintile"] = plot_gap_by_quintile(
            traj,
            year=final,
            key_stage="ks4",
            title=f"KS4 gap by school disadvantage, {when}: {name}",
        )
    grid = results.design
    if results.manifest.get("definition", {}).get("design", {}).get("method") == "grid" and (
        len(grid.columns) == 3
    ):
        for scenario in [s for s in results.scenarios if s != chosen]:
            figures[f"{metric}_sweep_{scenario}"] = _heatmap(
                results, metric, scenario, chosen, final
            )
    written = []
    for stem, figure in figures.items():
        written += [save_figure(figure, Path(out_dir) / f"{stem}.{fmt}") for fmt in formats]
    return written


def sensitivity(
    results: Results,
    *,
    metric: str = DEFAULT_METRIC,
    year: int | None = None,
    scenario: str | None = None,
    baseline: str | None = None,
) -> tuple[pd.DataFrame, Literal["sobol", "morris"]]:
    """Sobol or Morris indices of a metric in one year, from a sampled design's results.

    Args:
        results: Results of an experiment whose design is ``sobol`` or ``morris``.
        metric: The outcome.
        year: Its year (default: the final year).
        scenario: The variant analysed (default: the only one, or the first non-baseline).
        baseline: When given, the outcome is the paired difference from this variant: how the
            regime *effect* depends on the parameters.

    Returns:
        The indices table and the method; ``table.attrs["scenario"]`` names the variant analysed.

    Raises:
        ExperimentError: The design is not a sensitivity design, or results are missing.
    """
    design = results.manifest.get("definition", {}).get("design", {})
    method = design.get("method")
    if method not in ("sobol", "morris"):
        raise ExperimentError(
            f"sensitivity analysis needs an experiment with a 'sobol' or 'morris' design; "
            f"{results.name} has {method or 'none'} (see docs/experiments.md)"
        )
    names = design["parameters"]
    bounds = {
        n: (float(lo), float(hi)) for n, (lo, hi) in zip(names, design["ranges"], strict=True)
    }
    chosen = scenario or next((s for s in results.scenarios if s != baseline), results.scenarios[0])
    X, y = design_response(
        results.runs, results.trajectories, metric, scenario=chosen, baseline=baseline, year=year
    )
    sampled = design.get("sampled") or []
    if sampled:  # the sampler's exact rows (whole-number parameters were rounded for the runs)
        X = pd.DataFrame(np.asarray(sampled)[X.index.to_numpy()], columns=names, index=X.index)
    if method == "sobol":
        table = sobol_indices(X, y, bounds=bounds, second_order=bool(design["second_order"]))
    else:
        table = morris_indices(X, y, bounds=bounds, num_levels=int(design["levels"]))
    table.attrs["scenario"] = chosen
    return table, method


def write_sensitivity(
    table: pd.DataFrame,
    method: Literal["sobol", "morris"],
    out_dir: str | os.PathLike[str],
    *,
    metric: str,
    scenario: str | None = None,
    baseline: str | None = None,
    formats: Sequence[str] = ("png", "svg"),
) -> list[Path]:
    """Write the indices as CSV and Markdown and draw them as a bar chart.

    ``scenario`` and ``baseline`` say what the outcome was (a scenario's level, or its paired
    difference from the baseline), so the chart's title says it too.
    """
    from edsim.plotting import plot_sensitivity

    stem = f"sensitivity_{method}_{metric}"
    written = write_comparison(table, out_dir, stem)
    outcome = metric_label(metric)
    if baseline is not None:
        whose = f"{scenario} minus {baseline}"
    else:
        whose = f"under {scenario}" if scenario is not None else ""
    title = f"{method.title()} indices of the {outcome}" + (f"\n{whose}" if whose else "")
    figure = plot_sensitivity(table, method=method, outcome_label=outcome, title=title)
    written += [save_figure(figure, Path(out_dir) / f"{stem}.{fmt}") for fmt in formats]
    return written


def _better(metric: str) -> Literal["lower", "higher"]:
    return "higher" if any(word in metric for word in _HIGHER_IS_BETTER) else "lower"


def _bands(traj: pd.DataFrame, metric: str, label: str, name: str) -> Figure:
    from edsim.plotting import plot_metric_bands

    summary = summarise(traj, metric, by=("scenario", "calendar_year"))
    return plot_metric_bands(summary, metric_label=label, title=f"{label}: {name}")


def _differences(traj: pd.DataFrame, metric: str, baseline: str, label: str, name: str) -> Figure:
    from edsim.plotting import plot_paired_differences

    diffs = paired_differences(traj, metric, baseline=baseline, pool_points=True)
    years = traj.drop_duplicates("year").set_index("year")["calendar_year"]
    diffs = diffs.assign(calendar_year=diffs["year"].map(years))
    return plot_paired_differences(
        diffs, baseline=baseline, metric_label=label, better=_better(metric), title=None
    )


def _heatmap(results: Results, metric: str, scenario: str, baseline: str, year: int) -> Figure:
    from edsim.plotting import plot_sweep_heatmap

    traj = results.trajectories
    at_year = traj[(traj["year"] == year) & traj["scenario"].isin([scenario, baseline])]
    diffs = paired_differences(at_year, metric, baseline=baseline)
    table = with_parameters(diffs[diffs["scenario"] == scenario], results.runs)
    x, y = [c for c in results.design.columns if c != "point"]
    calendar = int(traj.loc[traj["year"] == year, "calendar_year"].iloc[0])
    return plot_sweep_heatmap(
        table,
        x=x,
        y=y,
        value="mean_diff",
        value_label=f"{scenario} minus {baseline}, {metric_label(metric)}",
        title=f"{metric_label(metric)} in {calendar}: {scenario} minus {baseline}",
    )
