"""Commands on batches of runs: batch, compare, plot and sensitivity."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from ._common import (
    OutcomeMetricOption,
    OutcomeYearOption,
    app,
    console,
    print_error,
    user_errors,
)
from ._reports import comparison_view, frame_view, headline_text

if TYPE_CHECKING:
    from edsim.experiment import Results

__all__: list[str] = []

_SHIPPED_DEFAULT = "quickstart"

#: ``--max-runs``: confirm an experiment larger than the default limit (or the file's max_runs).
MaxRunsOption = Annotated[
    int | None,
    typer.Option(
        "--max-runs",
        min=1,
        help="Allow up to this many runs. An experiment with more runs than its file's "
        "max_runs (default 10,000) is refused before anything is built, so a typo in a design "
        "cannot start millions of runs.",
        show_default=False,
    ),
]


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
            help="Results directory [default: results/NAME, NAME the experiment's name]",
            show_default=False,
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
    max_runs: MaxRunsOption = None,
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
        loaded = load_experiment(path, max_runs=max_runs)
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
    """After a batch: the outcome's metric by year, the headline in a reader's units, figures.

    The headline is the experiment's outcome (``outcome:``, by default the first variant minus
    the baseline, e.g. linkage and exchange minus disseminate to), paired on replicate, in
    months of progress, percentage points and share of the year-0 gap; the same table with
    every other comparison (and each against ``none``) is written as ``headline.csv``/``.md``.
    """
    from edsim.report import (
        comparison,
        headline,
        outcome_of,
        write_comparison,
        write_effects,
        write_figures,
        year_text,
    )

    metric = outcome_of(results).metric
    table = comparison(results, metric)
    console.print(comparison_view(table, metric, results.name))
    written = write_comparison(table, out_dir, f"comparison_{metric}")
    effects = headline(results)
    if effects is not None:
        traj = results.trajectories
        when = year_text(traj, int(effects["year"].iloc[0]))
        start = year_text(traj, 0).split(" (")[0]  # "2011", or "year 0" with no calendar
        console.print(Text(headline_text(effects, when, start)))
        written += write_effects(effects, out_dir, "headline")
        console.print(
            f"every comparison (months, pp, % of gap, Holm p): {out_dir / 'headline.md'}",
            markup=False,
        )
    written += write_figures(results, out_dir / "figures", metric=metric)
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
    console.print(comparison_view(table, metric, results.name))
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
    metric: OutcomeMetricOption = None,
    year: OutcomeYearOption = None,
    scenario: Annotated[
        str | None,
        typer.Option(help="Scenario analysed [default: the outcome's]", show_default=False),
    ] = None,
    baseline: Annotated[
        str | None,
        typer.Option(
            help="Analyse the paired difference from this scenario (the regime effect) "
            "[default: the outcome's baseline]",
            show_default=False,
        ),
    ] = None,
    level: Annotated[
        bool,
        typer.Option("--level", help="Analyse the scenario's own level, not a difference."),
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Results directory [default: results/NAME, NAME the experiment's name]",
            show_default=False,
        ),
    ] = None,
    executor: Annotated[
        str, typer.Option("--executor", "-e", help="serial, process or dask.", metavar="NAME")
    ] = "process",
    workers: Annotated[int | None, typer.Option(min=1, help="Worker processes.")] = None,
    max_runs: MaxRunsOption = None,
) -> None:
    """Sobol (first and total order) or Morris indices of the experiment's outcome (SALib).

    The outcome is what the experiment file declares in its outcome: block (by default the
    first variant minus the baseline, paired on replicate, on the KS4 gap index in the final
    year); --metric, --year, --scenario, --baseline and --level change one part of it. Indices
    come with 95% bootstrap intervals.
    """
    from edsim.experiment import Results, load_experiment, run_experiment
    from edsim.report import sensitivity as indices
    from edsim.report import sensitivity_outcome, write_sensitivity

    declared = None
    with user_errors():
        if os.path.isdir(source):  # False for a name the OS refuses: it is read as a file
            results, out_dir = Results.load(source), source
        else:
            experiment = load_experiment(source, max_runs=max_runs)
            out_dir = out or Path("results") / experiment.name
            resume = (out_dir / "manifest.json").exists()
            console.print(
                f"running {experiment.n_runs} runs of {experiment.name} -> {out_dir}", markup=False
            )
            results = run_experiment(
                experiment, out=out_dir, executor=executor, workers=workers, resume=resume
            )
            declared = experiment.outcome
        outcome = sensitivity_outcome(
            results,
            declared=declared,
            metric=metric,
            year=year,
            scenario=scenario,
            baseline=baseline,
            level=level,
        )
        console.print(f"outcome: {outcome.describe()}", markup=False)
        table, method = indices(
            results,
            metric=outcome.metric,
            year=outcome.year,
            scenario=outcome.scenario,
            baseline=outcome.baseline,
        )
        written = write_sensitivity(
            table,
            method,
            out_dir,
            metric=outcome.metric,
            scenario=outcome.scenario,
            baseline=outcome.baseline,
        )
    console.print(frame_view(table, f"{method.title()} indices of {outcome.describe()}"))
    for path in written:
        console.print(f"wrote {path}", markup=False)


def _count(n: int, what: str) -> str:
    return f"{n} {what}" + ("" if n == 1 else "s")
