"""Commands on batches of runs: batch, compare, plot and sensitivity."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from ._common import app, console, print_error, user_errors

if TYPE_CHECKING:
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
            help="Results directory [default: ./results/<experiment name>]", show_default=False
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
    is recorded and the others go on; the exit status is 1 if any failed. Interrupted batches
    continue with --resume.
    """
    from edsim.experiment import load_experiment, run_experiment
    from edsim.experiment.batch import Progress as BatchProgress
    from edsim.experiment.executors import default_workers

    with user_errors():
        path = experiment if experiment is not None else Path(_SHIPPED_DEFAULT)
        loaded = load_experiment(path)
        out_dir = out if out is not None else Path("results") / loaded.name
        where = scheduler or (
            f"{workers or default_workers()} workers" if executor != "serial" else "in-process"
        )
        console.print(
            f"{loaded.name}: {len(loaded.scenarios)} scenarios x {loaded.design.n_points} "
            f"design points x {loaded.replicates} replicates = {loaded.n_runs} runs "
            f"({executor}, {where}) -> {out_dir}",
            markup=False,
        )
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[failed]} failed"),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=console, disable=not console.is_terminal) as progress:
            task = progress.add_task("runs", total=loaded.n_runs, failed=0)

            def on_progress(p: BatchProgress) -> None:
                progress.update(task, completed=p.done, failed=p.failed)

            try:
                results = run_experiment(
                    loaded,
                    out=out_dir,
                    executor=executor,
                    workers=workers,
                    scheduler=scheduler,
                    resume=resume,
                    on_progress=on_progress,
                )
            except KeyboardInterrupt:
                progress.stop()
                print_error(
                    f"interrupted; every finished run is saved in {out_dir}. Continue with: "
                    f"edsim batch {path} --out {out_dir} --resume"
                )
                raise typer.Exit(130) from None
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
    """Print the comparison table and write the figures (filled in with the analysis layer)."""
