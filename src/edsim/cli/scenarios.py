"""Commands on one scenario: run, validate, baseline, show, diff and schema.

Every command that reads a scenario takes ``--set key.path=value`` (repeatable), so an analyst
can try a variation without editing or copying a file; ``show`` prints what a run would use and
where each value came from, and ``diff`` lists what two scenarios disagree on.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from ._common import SetOption, app, console, resolve, user_errors
from ._reports import diff_view

if TYPE_CHECKING:
    import pandas as pd

    from edsim.scenario import Scenario

__all__ = ["summary_table"]

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


@app.command("run")
def run_command(
    scenario: Annotated[
        Path | None,
        typer.Argument(
            help="Scenario YAML file, or a shipped scenario's name (small, england, ...). "
            "Omit it to run the built-in England scenario at full scale.",
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
            help="Directory for results [default: results/NAME, NAME the scenario's name]. "
            "One holding a different run (another scenario, seed, horizon or --set) is "
            "refused unless --overwrite.",
            show_default=False,
        ),
    ] = None,
    sets: SetOption = None,
    overwrite: Annotated[
        bool,
        typer.Option("--overwrite", help="Replace a different run's results in --out."),
    ] = False,
) -> None:
    """Run a scenario and write its trajectory, a gap figure, a summary and run.json.

    run.json, the summary's title and the figure's title name the scenario, regime, seed,
    years and --set overrides, so two runs can always be told apart.
    """
    from edsim.io import ensure_writable_dir, write_trajectory

    from ._runs import RunRecord, check_out_dir, write_run_record

    with user_errors():
        chosen = resolve(scenario, sets).scenario
        record = RunRecord.of(chosen, seed, years, sets)
        out_dir = out if out is not None else Path("results") / chosen.name
        # Checked before the run: finding an unwritable directory after minutes of work is worse.
        check_out_dir(out_dir, record, overwrite=overwrite)
        out_dir = ensure_writable_dir(out_dir)
        trajectory = _simulate(chosen, seed, years)
        console.print(summary_table(trajectory, title=record.label()))
        written = write_trajectory(trajectory, out_dir, "trajectory")
        written["figure"] = _save_gap_figure(
            trajectory, out_dir, record.figure_title("Disadvantage gap index")
        )
        written["run"] = write_run_record(out_dir, record)
    for path in written.values():
        console.print(f"wrote {path}", markup=False)


@app.command()
def validate(
    scenario: Annotated[
        Path,
        typer.Argument(
            help="Scenario YAML file, or a shipped scenario's name (small, england, ...).",
            show_default=False,
        ),
    ],
    sets: SetOption = None,
) -> None:
    """Check a scenario file and report every problem in it, without running anything.

    An experiment, calibration or optimisation file is recognised by its keys and checked as
    what it is (every scenario it names included), rather than reported as a scenario with a
    dozen unknown keys.
    """
    with user_errors():
        kind = _file_kind(scenario)
        if kind is not None and not sets:
            console.print(f"ok: {scenario} is a valid {_check_other(scenario, kind)}", markup=False)
            return
        loaded = resolve(scenario, sets).scenario
    console.print(
        f"ok: {scenario} is a valid scenario ({loaded.name}, regime {loaded.regime.name})",
        markup=False,
    )


def _file_kind(path: Path) -> str | None:
    """'calibration', 'optimisation' or 'experiment' for such a file; None for anything else."""
    from edsim.errors import ScenarioError
    from edsim.scenario import Document

    try:
        if not path.is_file():
            return None
        data = Document.read(path, what="file").data
    except (OSError, ScenarioError):
        return None  # the scenario loader reports what is wrong with the path or the file
    if not isinstance(data, dict):
        return None
    if data.get("kind") == "calibration":
        return "calibration"
    if "search" in data:
        return "optimisation"
    return "experiment" if "scenarios" in data else None


def _check_other(path: Path, kind: str) -> str:
    """Load the file with its own loader (which raises on any problem); say what it is."""
    if kind == "calibration":
        from edsim.calibrate import load_calibration

        calibration = load_calibration(path)
        return f"calibration file ({calibration.name}: {len(calibration.priors)} parameters)"
    if kind == "optimisation":
        from edsim.explore import load_optimisation

        load_optimisation(path)
        return "optimisation file"
    from edsim.experiment import load_experiment

    experiment = load_experiment(path)
    return f"experiment file ({experiment.name}: {len(experiment.scenarios)} scenarios)"


@app.command()
def baseline(
    scenario: Annotated[
        Path | None,
        typer.Argument(
            help="Scenario YAML file, or a shipped scenario's name (small, england, ...). "
            "Omit it for the built-in England scenario at full scale.",
            show_default=False,
        ),
    ] = None,
    seeds: Annotated[int, typer.Option(min=1, max=100, help="Seeds to average over.")] = 3,
    sets: SetOption = None,
) -> None:
    """Compare the year-0 state (after burn-in) with docs/sources.md's figures."""
    from edsim.calibration import year0_report

    with user_errors():
        chosen = resolve(scenario, sets).scenario
    report = year0_report(chosen, seeds)
    table = Table(
        title=f"Year 0 of {chosen.name} against docs/sources.md "
        f"({seeds} seed{'s' if seeds != 1 else ''})",
        caption=f"{report.attrs['schools']:,} schools, {report.attrs['pupils']:,} pupils",
    )
    # One seed has no spread to show: an SD of 0.000 would claim a precision it does not have.
    model = "Model (mean ± SD)" if seeds > 1 else "Model (one seed)"
    for column in ("Measure", "Target", model, "Within tolerance", "Source"):
        table.add_column(column)
    for _, row in report.iterrows():
        spread = f" ± {row['model_sd']:.3f}" if seeds > 1 else ""
        table.add_row(
            row["measure"],
            f"{row['target']:g} ± {row['tolerance']:g}",
            f"{row['model_mean']:.3f}{spread}",
            "yes" if row["within_tolerance"] else "NO",
            row["source"],
        )
    console.print(table)
    console.print(_window_table(report.attrs["history"], seeds))


def _window_table(history: Any, seeds: int) -> Table:
    """The 2011-2015 gap series against the model (docs/validation.md: the calibrated fit)."""
    table = Table(
        title="The disadvantage gap index 2011-2015: DfE against the model "
        f"({seeds} seed{'s' if seeds != 1 else ''}; the calibration window)",
        caption="Within tolerance: the model's mean within 0.10 index points of the DfE's value.",
    )
    for column in ("Key stage", "Year", "DfE", "Model (mean ± SD)", "Within tolerance"):
        table.add_column(column)
    for _, row in history.iterrows():
        spread = f" ± {row['model_sd']:.3f}" if seeds > 1 else ""
        table.add_row(
            row["metric"][:3].upper(),
            str(row["year"]),
            f"{row['observed']:.2f}",
            f"{row['model_mean']:.3f}{spread}",
            "yes" if row["within_tolerance"] else "NO",
        )
    return table


@app.command()
def show(
    scenario: Annotated[
        Path | None,
        typer.Argument(
            help="Scenario YAML file, or a shipped scenario's name (small, england, ...). "
            "Omit it for the built-in England scenario.",
            show_default=False,
        ),
    ] = None,
    sets: SetOption = None,
) -> None:
    """Print the fully resolved scenario as YAML, each value commented with where it came from.

    The origin is a file and line (after 'extends:' chains and regime presets), --set, or
    default (the schema's default). The output is itself a valid scenario file.
    """
    from edsim.scenario import render_with_origins

    with user_errors():
        resolved = resolve(scenario, sets)
    typer.echo(render_with_origins(resolved), nl=False)


@app.command()
def diff(
    a: Annotated[
        Path,
        typer.Argument(
            metavar="A", help="First scenario: a YAML file or a shipped name.", show_default=False
        ),
    ],
    b: Annotated[
        Path,
        typer.Argument(
            metavar="B", help="Second scenario: a YAML file or a shipped name.", show_default=False
        ),
    ],
    set_a: Annotated[
        list[str] | None,
        typer.Option(
            "--set-a", metavar="KEY=VALUE", help="Like --set, for A only.", show_default=False
        ),
    ] = None,
    set_b: Annotated[
        list[str] | None,
        typer.Option(
            "--set-b", metavar="KEY=VALUE", help="Like --set, for B only.", show_default=False
        ),
    ] = None,
) -> None:
    """List the parameters whose values differ between scenarios A and B, with their origins.

    Exits 0 whether or not they differ; a scenario that is invalid exits 2.
    """
    from edsim.scenario import differences

    with user_errors():
        left, right = resolve(a, set_a), resolve(b, set_b)
    found = differences(left, right)
    if not found:
        console.print(f"no differences between {a} and {b}", markup=False)
        return
    count = "1 parameter differs" if len(found) == 1 else f"{len(found)} parameters differ"
    # Keys, values and origins are never cut or folded: a table when it fits, else a list.
    console.print(diff_view(found, f"{count}: A = {a}, B = {b}", console.width))


@app.command()
def schema(
    out: Annotated[
        Path | None,
        typer.Option(help="Write the JSON Schema here instead of printing it.", show_default=False),
    ] = None,
    markdown: Annotated[
        Path | None,
        typer.Option(
            help="Also write the parameter reference (Markdown) here, e.g. docs/scenarios.md.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Export the scenario JSON Schema (draft-07, for editors) and the parameter reference.

    The committed files are regenerated with
    ``edsim schema --out docs/scenario.schema.json --markdown docs/scenarios.md``.
    """
    from edsim.scenario import render_json_schema, write_json_schema, write_reference

    with user_errors():  # a path that cannot be written: a directory, /proc, read-only
        if out is None:
            typer.echo(render_json_schema(), nl=False)
        else:
            write_json_schema(out)
            console.print(f"wrote {out}", markup=False)
        if markdown is not None:
            write_reference(markdown)
            console.print(f"wrote {markdown}", markup=False)


def summary_table(df: pd.DataFrame, title: str | None = None) -> Table:
    """Year 0 against the final year of a trajectory, for the end of ``edsim run``.

    Args:
        df: A trajectory from :func:`edsim.runner.run` (``step``, ``year`` and the columns in
            ``_SUMMARY_ROWS``).
        title: Which run it is (scenario, regime, seed, overrides), shown in the title.

    Returns:
        A rich table with one row per headline measure and the change over the run.
    """
    ordered = df.sort_values("step")
    first, last = ordered.iloc[0], ordered.iloc[-1]
    table = Table(
        title=Text("Year 0 against the final year" + (f": {title}" if title else "")),
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


def _simulate(scenario: Scenario, seed: int, years: int | None) -> pd.DataFrame:
    """Run the model with a progress bar (shown only on a terminal)."""
    # Imported here: the model stack is heavy; `validate`, `--version` and `--help` do not need it.
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

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
    from edsim.io import save_figure
    from edsim.plotting import plot_gap_trajectories

    figure = plot_gap_trajectories(trajectory, title=title)
    return save_figure(figure, out_dir / "gap_trajectories.png")


def _format(kind: str, value: float, change: bool = False) -> str:
    """Format one summary value; ``change`` adds a sign and, for shares, percentage points."""
    import pandas as pd

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
