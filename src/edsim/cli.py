"""The ``edsim`` command: run a scenario, validate a scenario file, report versions.

A thin layer over the library: it turns user mistakes (:class:`~edsim.errors.EdsimError`) into a
one-screen ``error: ...`` message and an exit code (2 for a bad scenario or usage, 1 for other
user-fixable problems), never a traceback. Anything else escaping is a bug and is left loud.
"""

from __future__ import annotations

import platform
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from edsim import __version__
from edsim.errors import EdsimError, ScenarioError
from edsim.io import ensure_writable_dir, save_figure, write_trajectory
from edsim.scenario import Scenario, load_scenario

__all__ = ["app", "main", "summary_table"]

app = typer.Typer(
    name="edsim",
    help="Simulate how England's school system improves when research evidence flows.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

# soft_wrap: long paths and problem lines stay on one line, so they can be copied and grepped.
console = Console(soft_wrap=True, highlight=False)

#: Rows of the run summary: label, trajectory column, how to format it.
_SUMMARY_ROWS = (
    ("KS2 disadvantage gap index", "ks2_gap_index", "index"),
    ("KS4 disadvantage gap index", "ks4_gap_index", "index"),
    ("KS2 expected standard, disadvantaged", "ks2_standard_dis", "share"),
    ("KS2 expected standard, others", "ks2_standard_other", "share"),
    ("KS4 grade 4+ English & maths, disadvantaged", "ks4_standard_dis", "share"),
    ("KS4 grade 4+ English & maths, others", "ks4_standard_other", "share"),
    ("Schools reached (cumulative)", "schools_reached_cumulative", "count"),
    ("Evidence system spend (cumulative, £m)", "spend_evidence_cumulative", "gbp_m"),
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(
            f"edsim {__version__} (Mesa {_installed_version('mesa')}, "
            f"Python {platform.python_version()})"
        )
        raise typer.Exit()


@app.callback()
def _root(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version_callback,
            is_eager=True,
            help="Show the edsim, Mesa and Python versions and exit.",
        ),
    ] = False,
) -> None:
    """Simulate how England's school system improves when research evidence flows."""


@app.command("run")
def run_command(
    scenario: Annotated[
        Path | None,
        typer.Argument(
            help="Scenario YAML file. Omit it to run the built-in England scenario at full scale.",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[
        int, typer.Option(min=0, help="Random seed; the same seed gives the same results.")
    ] = 0,
    years: Annotated[
        int | None,
        typer.Option(
            min=1, help="Simulated years after year 0 [default: the scenario's]", show_default=False
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Directory for results [default: ./results/<scenario name>]", show_default=False
        ),
    ] = None,
) -> None:
    """Run a scenario and write its trajectory, a gap figure and a summary."""
    with _user_errors():
        chosen = load_scenario(scenario) if scenario is not None else Scenario()
        # Checked before the run: finding an unwritable directory after minutes of work is worse.
        out_dir = ensure_writable_dir(out if out is not None else Path("results") / chosen.name)
        trajectory = _simulate(chosen, seed, years)
        console.print(summary_table(trajectory))
        written = write_trajectory(trajectory, out_dir, "trajectory")
        written["figure"] = _save_gap_figure(trajectory, out_dir, f"{chosen.name}, seed {seed}")
    for path in written.values():
        console.print(f"wrote {path}", markup=False)


@app.command()
def validate(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.", show_default=False)],
) -> None:
    """Check a scenario file and report every problem in it, without running anything."""
    with _user_errors():
        loaded = load_scenario(scenario)
    console.print(
        f"ok: {scenario} is a valid scenario ({loaded.name}, regime {loaded.regime.name})",
        markup=False,
    )


@app.command()
def baseline(
    scenario: Annotated[
        Path | None,
        typer.Argument(
            help="Scenario YAML file. Omit it for the built-in England scenario at full scale.",
            show_default=False,
        ),
    ] = None,
    seeds: Annotated[int, typer.Option(min=1, max=100, help="Seeds to average over.")] = 3,
) -> None:
    """Compare the year-0 state (after burn-in) with CALIBRATION.md's figures."""
    from edsim.calibration import year0_report

    with _user_errors():
        chosen = load_scenario(scenario) if scenario is not None else Scenario()
    report = year0_report(chosen, seeds)
    table = Table(
        title=f"Year 0 of {chosen.name} against CALIBRATION.md ({seeds} seeds)",
        caption=f"{report.attrs['schools']:,} schools, {report.attrs['pupils']:,} pupils",
    )
    for column in ("Measure", "Target", "Model (mean ± SD)", "Within tolerance", "Source"):
        table.add_column(column)
    for _, row in report.iterrows():
        table.add_row(
            row["measure"],
            f"{row['target']:g} ± {row['tolerance']:g}",
            f"{row['model_mean']:.3f} ± {row['model_sd']:.3f}",
            "yes" if row["within_tolerance"] else "NO",
            row["source"],
        )
    console.print(table)


def summary_table(df: pd.DataFrame) -> Table:
    """Year 0 against the final year of a trajectory, for the end of ``edsim run``.

    Args:
        df: A trajectory from :func:`edsim.runner.run` (``step``, ``year`` and the columns in
            ``_SUMMARY_ROWS``).

    Returns:
        A rich table with one row per headline measure and the change over the run.
    """
    ordered = df.sort_values("step")
    first, last = ordered.iloc[0], ordered.iloc[-1]
    table = Table(
        title="Year 0 against the final year",
        caption="Gap index: 0 = no gap, 10 = largest possible; lower is better.",
    )
    table.add_column("Measure")
    table.add_column(f"{int(first['year'])} (year 0)", justify="right")
    table.add_column(f"{int(last['year'])} (year {int(last['step'])})", justify="right")
    table.add_column("Change", justify="right")
    for label, column, kind in _SUMMARY_ROWS:
        start, end = float(first[column]), float(last[column])
        table.add_row(
            label, _format(kind, start), _format(kind, end), _format(kind, end - start, True)
        )
    return table


def main() -> None:
    """Entry point of the ``edsim`` console script and ``python -m edsim``."""
    app(prog_name="edsim")


def _simulate(scenario: Scenario, seed: int, years: int | None) -> pd.DataFrame:
    """Run the model with a progress bar (shown only on a terminal)."""
    # Imported here: the model stack is heavy, and `validate` and `--version` do not need it.
    from edsim.runner import run

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task(f"simulating {scenario.name} (years incl. burn-in)", total=None)

        def on_year(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        return run(scenario, seed, years=years, on_year=on_year)


def _save_gap_figure(trajectory: pd.DataFrame, out_dir: Path, title: str) -> Path:
    """Draw and save the gap figure; plotting is imported late for the same reason as the model."""
    from edsim.plotting import plot_gap_trajectories

    figure = plot_gap_trajectories(trajectory, title=f"Disadvantage gap index ({title})")
    return save_figure(figure, out_dir / "gap_trajectories.png")


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn user-fixable errors into ``error: ...`` on stderr and a non-zero exit code."""
    try:
        yield
    except ScenarioError as exc:
        _print_error(str(exc))
        raise typer.Exit(2) from None
    except EdsimError as exc:
        _print_error(str(exc))
        raise typer.Exit(1) from None


def _print_error(message: str) -> None:
    # Plain click output: rich would wrap long paths and read "[...]" in messages as markup.
    typer.echo(f"{typer.style('error:', fg='red', bold=True)} {message}", err=True)


def _format(kind: str, value: float, change: bool = False) -> str:
    """Format one summary value; ``change`` adds a sign and, for shares, percentage points."""
    if pd.isna(value):
        return "n/a"
    sign = "+" if change else ""
    if kind == "share":
        return f"{value * 100:{sign}.1f} pp" if change else f"{value:.1%}"
    if kind == "count":
        return f"{value:{sign},.0f}"
    if kind == "gbp_m":
        return f"{value / 1e6:{sign},.1f}"
    return f"{value:{sign}.2f}"


def _installed_version(distribution: str) -> str:
    try:
        return version(distribution)
    except PackageNotFoundError:
        return "not installed"
