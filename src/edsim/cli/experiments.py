"""Commands on batches of runs: batch, compare, plot and sensitivity."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from ._common import app, console, print_error, user_errors

if TYPE_CHECKING:
    import pandas as pd

    from edsim.experiment import Results

__all__: list[str] = []

_SHIPPED_DEFAULT = "quickstart"


@app.command()
def batch(
    experiment: Annotated[
        Path | None,
        typer.Argument(
            help="Experiment YAML file, or the name of a shipped one (see docs/experiments.md). "
            "Omit it for the quickstart experiment.",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Results directory [default: ./results/EXPERIMENT_NAME]", show_default=False
        ),
    ] = None,
    executor: Annotated[
        str,
        typer.Option(
            "--executor", "-e", help="Where runs execute: serial, process or dask.", metavar="NAME"
        ),
    ] = "process",
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Worker processes (process, or a local Dask cluster) [default: all CPUs]",
            show_default=False,
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="Address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786 "
            "(with --executor dask; without it a local cluster is started).",
            show_default=False,
        ),
    ] = None,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume", help="Run only the runs missing from --out (the experiment must match)."
        ),
    ] = False,
    overwrite: Annotated[
        bool,
        typer.Option(
            "--overwrite",
            help="Delete the results already in --out and run every run again.",
        ),
    ] = False,
    progress_every: Annotated[
        float,
        typer.Option(
            min=0,
            help="Seconds between plain progress lines on stderr when the output is not a "
            "terminal (nohup, SLURM, CI); 0 for none.",
        ),
    ] = 30.0,
    report: Annotated[
        bool,
        typer.Option(
            "--report/--no-report",
            help="When the batch ends, print the comparison table and write the figures.",
        ),
    ] = True,
) -> None:
    """Run every scenario, design point and replicate of an experiment, saving each as it ends.

    Each finished run is written at once to OUT/runs/ (a Parquet file), with OUT/manifest.json
    recording versions, the resolved scenarios, seeds, timings and failures. A run that fails
    is recorded and the others go on; the exit status is 1 if any failed. Batches stopped by
    Ctrl-C or SIGTERM continue with --resume. Run again on finished results of the same
    experiment, it reports them without running anything (--overwrite runs them again).
    """
    from edsim.experiment import load_experiment, run_experiment
    from edsim.experiment.batch import Progress as BatchProgress
    from edsim.experiment.batch import Terminated
    from edsim.experiment.executors import check_executor_options, default_workers

    from ._progress import batch_progress

    with user_errors():
        path = experiment if experiment is not None else Path(_SHIPPED_DEFAULT)
        loaded = load_experiment(path)
        check_executor_options(executor, workers=workers, scheduler=scheduler)
        out_dir = out if out is not None else Path("results") / loaded.name
        where = scheduler or (
            f"{workers or default_workers()} workers" if executor != "serial" else "in-process"
        )
        counts = " x ".join(
            _count(n, what)
            for n, what in (
                (len(loaded.scenarios), "scenario"),
                (loaded.design.n_points, "design point"),
                (loaded.replicates, "replicate"),
            )
        )
        console.print(
            f"{loaded.name}: {counts} = {_count(loaded.n_runs, 'run')} "
            f"({executor}, {where}) -> {out_dir}",
            markup=False,
        )
        ran: list[BatchProgress] = []
        try:
            with batch_progress(console, loaded.n_runs, progress_every) as update:

                def on_progress(p: BatchProgress) -> None:
                    ran.append(p)
                    update(p.done, p.failed)

                results = run_experiment(
                    loaded,
                    out=out_dir,
                    executor=executor,
                    workers=workers,
                    scheduler=scheduler,
                    resume=resume,
                    overwrite=overwrite,
                    on_progress=on_progress,
                )
        except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM (Terminated)
            stopped = isinstance(exc, Terminated)
            print_error(
                f"{'stopped by SIGTERM' if stopped else 'interrupted'}; every finished run is "
                f"saved in {out_dir}. Continue with: edsim batch {path} --out {out_dir} --resume"
            )
            raise typer.Exit(143 if stopped else 130) from None
    if not ran and not results.missing and results.failed.empty:
        console.print(
            f"all {_count(loaded.n_runs, 'run')} had already finished in {out_dir} (each checked "
            "against its manifest), so nothing ran; --overwrite runs them again",
            markup=False,
        )
    _closing_summary(results)
    if report and not results.trajectories.empty:
        with user_errors():
            _report(results, out_dir)
    if not results.failed.empty:
        raise typer.Exit(1)


def _closing_summary(results: Results) -> None:
    runs = results.runs
    ok = int((runs["status"] == "ok").sum()) if not runs.empty else 0
    failed = results.failed
    seconds = runs["seconds"].sum() if not runs.empty else 0.0
    line = f"{ok} runs finished, {len(failed)} failed ({seconds:.1f} s of model time)"
    if results.missing:
        line += f", {len(results.missing)} not run"
    console.print(line, markup=False)
    for _, row in failed.head(5).iterrows():
        last = str(row["error"]).strip().splitlines()[-1] if row["error"] else "unknown error"
        print_error(f"run {row['run_id']} (seed {row['seed']}) failed: {last}")
    if not failed.empty:
        console.print(
            f"full tracebacks: {results.path}/runs/<run_id>.failed.json and manifest.json",
            markup=False,
        )


def _report(results: Results, out_dir: Path) -> None:
    """After a batch: the headline comparison, and the figures beside the results."""
    from edsim.report import DEFAULT_METRIC, comparison, write_comparison, write_figures

    table = comparison(results, DEFAULT_METRIC)
    console.print(_rich_table(table, DEFAULT_METRIC, results))
    written = write_comparison(table, out_dir, f"comparison_{DEFAULT_METRIC}")
    written += write_figures(results, out_dir / "figures", metric=DEFAULT_METRIC)
    console.print(
        f"wrote {len(written)} files: tables in {out_dir}, figures in {out_dir / 'figures'}",
        markup=False,
    )


ResultsDir = Annotated[
    Path,
    typer.Argument(help="A results directory written by `edsim batch`.", show_default=False),
]
MetricOption = Annotated[
    str, typer.Option("--metric", "-m", help="The metric to compare (a column of edsim.METRICS).")
]
BaselineOption = Annotated[
    str | None,
    typer.Option(help="Scenario to compare against [default: the experiment's baseline]"),
]


@app.command()
def compare(
    results_dir: ResultsDir,
    metric: MetricOption = "ks4_gap_index",
    baseline: BaselineOption = None,
    years: Annotated[
        list[int] | None,
        typer.Option(
            "--years",
            "-y",
            help="Years to show, repeatable (0 = year 0) [default: first, middle, last]",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Directory for the CSV and Markdown tables [default: RESULTS_DIR]"),
    ] = None,
) -> None:
    """Per scenario and year: mean and 95% CI, and the paired difference from the baseline.

    Differences are paired on replicate (the same seed under every scenario), with a 95% CI,
    Cohen's d_z (mean difference / SD of the differences) and a paired t-test p-value, raw and
    Holm-adjusted across every test in the table.
    """
    from edsim.experiment import Results
    from edsim.report import comparison, write_comparison

    with user_errors():
        results = Results.load(results_dir)
        table = comparison(results, metric, baseline=baseline, years=years)
        written = write_comparison(table, out or results_dir, f"comparison_{metric}")
    console.print(_rich_table(table, metric, results))
    for path in written:
        console.print(f"wrote {path}", markup=False)


@app.command()
def plot(
    results_dir: ResultsDir,
    metric: MetricOption = "ks4_gap_index",
    baseline: BaselineOption = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Directory for the figures [default: RESULTS_DIR/figures]"),
    ] = None,
) -> None:
    """Draw the experiment's figures as PNG and SVG.

    The metric per scenario with 95% CI bands, each scenario's paired difference from the
    baseline, the KS4 gap by school-disadvantage quintile, and for a two-parameter grid a
    heatmap of the paired difference.
    """
    from edsim.experiment import Results
    from edsim.report import write_figures

    with user_errors():
        results = Results.load(results_dir)
        written = write_figures(
            results, out or results_dir / "figures", metric=metric, baseline=baseline
        )
    for path in written:
        console.print(f"wrote {path}", markup=False)


@app.command()
def sensitivity(
    source: Annotated[
        Path,
        typer.Argument(
            help="An experiment with a sobol or morris design (it is run, or resumed, first) "
            "or its results directory.",
            show_default=False,
        ),
    ],
    metric: MetricOption = "ks4_gap_index",
    year: Annotated[
        int | None, typer.Option(help="Year of the outcome [default: the final year]")
    ] = None,
    scenario: Annotated[
        str | None, typer.Option(help="Scenario analysed [default: the first]")
    ] = None,
    baseline: Annotated[
        str | None,
        typer.Option(
            help="Analyse the paired difference from this scenario (the regime effect) "
            "instead of the level."
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Results directory [default: ./results/EXPERIMENT_NAME]"),
    ] = None,
    executor: Annotated[
        str, typer.Option("--executor", "-e", help="serial, process or dask.", metavar="NAME")
    ] = "process",
    workers: Annotated[int | None, typer.Option(min=1, help="Worker processes.")] = None,
) -> None:
    """Sobol (first and total order) or Morris indices of a metric, with 95% CIs (SALib)."""
    from edsim.experiment import Results, load_experiment, run_experiment
    from edsim.report import sensitivity as indices
    from edsim.report import write_sensitivity

    with user_errors():
        if source.is_dir():
            results, out_dir = Results.load(source), source
        else:
            experiment = load_experiment(source)
            out_dir = out or Path("results") / experiment.name
            resume = (out_dir / "manifest.json").exists()
            console.print(
                f"running {experiment.n_runs} runs of {experiment.name} -> {out_dir}", markup=False
            )
            results = run_experiment(
                experiment, out=out_dir, executor=executor, workers=workers, resume=resume
            )
        table, method = indices(
            results, metric=metric, year=year, scenario=scenario, baseline=baseline
        )
        written = write_sensitivity(
            table,
            method,
            out_dir,
            metric=metric,
            scenario=table.attrs["scenario"],
            baseline=baseline,
        )
    console.print(_frame_table(table, f"{method.title()} indices of {metric}"))
    for path in written:
        console.print(f"wrote {path}", markup=False)


def _rich_table(table: pd.DataFrame, metric: str, results: Results) -> Table:
    """The comparison for the terminal; intervals as ± half-widths (t-intervals are symmetric)."""
    import pandas as pd

    baseline = str(table["scenario"].iloc[0])
    out = Table(
        title=f"{metric} ({results.name}): mean ± 95% CI, and the difference from {baseline} "
        "paired on seed",
        caption="d_z: mean paired difference / SD of the differences; p: paired t-test; "
        "p Holm: p adjusted for all the tests in this table.",
        box=box.SIMPLE_HEAD,
    )
    rows = [
        (
            f"{int(row['calendar_year'] if 'calendar_year' in row else row['year'])}",
            str(row["scenario"]),
            f"{int(row['n'])}",
            _plus_minus(row["mean"], row["ci_low"], row["ci_high"], signed=False),
            _plus_minus(row["mean_diff"], row["diff_ci_low"], row["diff_ci_high"], signed=True),
            "" if pd.isna(row["effect_size"]) else f"{row['effect_size']:+.2f}",
            _p_value(row["p_value"]),
            _p_value(row["p_holm"]),
        )
        for _, row in table.iterrows()
    ]
    headers = ("Year", "Scenario", "n", "Mean", f"minus {baseline}", "d_z", "p", "p Holm")
    for index, header in enumerate(headers):
        # Never truncated: a cut-off number is worse than a wide table.
        width = max([len(header), *(len(r[index]) for r in rows)])
        out.add_column(
            header, justify="left" if index == 1 else "right", min_width=width, no_wrap=True
        )
    for cells in rows:
        out.add_row(*(Text(c) for c in cells))
    return out


def _plus_minus(mean: float, low: float, high: float, *, signed: bool) -> str:
    import pandas as pd

    if pd.isna(mean):
        return ""
    sign = "+" if signed else ""
    half = "" if pd.isna(high) else f" ± {(high - low) / 2:.3f}"
    return f"{mean:{sign}.3f}{half}"


def _count(n: int, what: str) -> str:
    return f"{n} {what}" + ("" if n == 1 else "s")


def _p_value(p: float) -> str:
    import pandas as pd

    if pd.isna(p):
        return ""
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def _frame_table(frame: pd.DataFrame, title: str) -> Table:
    out = Table(title=title)
    for column in frame.columns:
        out.add_column(str(column), justify="left" if column == "parameter" else "right")
    for _, row in frame.iterrows():
        out.add_row(*(f"{v:.3f}" if isinstance(v, float) else Text(str(v)) for v in row))
    return out
