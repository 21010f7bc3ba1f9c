"""``edsim calibrate``: fit a calibration file's parameters to its observed patterns (ABC-SMC)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ._common import app, console, print_error, user_errors

if TYPE_CHECKING:
    from edsim.calibrate import CalibrationResult, Generation

__all__: list[str] = []


@app.command()
def calibrate(
    calibration: Annotated[
        Path,
        typer.Argument(
            help="Calibration YAML file (kind: calibration), or the name of a shipped one "
            "such as calibrate_england (see docs/calibration.md).",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            help="Results directory [default: results/NAME, NAME the calibration's name]",
            show_default=False,
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Local worker processes (1 runs in this process) [default: all CPUs]",
            show_default=False,
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="Address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786, to sample on "
            "its workers instead of local processes.",
            show_default=False,
        ),
    ] = None,
    overwrite: Annotated[
        bool,
        typer.Option("--overwrite", help="Delete the results already in --out and start again."),
    ] = False,
    population: Annotated[
        int | None,
        typer.Option(
            min=2,
            help="Particles per generation instead of the file's (a quick try).",
            show_default=False,
        ),
    ] = None,
    generations: Annotated[
        int | None,
        typer.Option(min=1, help="Most generations instead of the file's.", show_default=False),
    ] = None,
) -> None:
    """Approximate Bayesian computation (ABC-SMC, pyabc) of a calibration file's parameters.

    Every particle runs the file's replicate seeds (common random numbers) and is scored by
    the standardised distance between its mean trajectories and the observed patterns. Each
    generation is saved as it completes, so a calibration stopped in any way (Ctrl-C, kill -9)
    continues where it stopped when the same command is run again. Writes OUT/posterior.parquet,
    manifest.json, history.csv, predictive.parquet and figures/; an experiment can then draw
    its parameters from the posterior (design: {method: posterior, file: OUT/posterior.parquet}).
    """
    from edsim.calibrate import calibrate as run_calibration
    from edsim.calibrate import load_calibration

    with user_errors():
        loaded = load_calibration(calibration)
        out_dir = out if out is not None else Path("results") / loaded.name
        where = scheduler or f"{workers or 'all'} local workers"
        console.print(
            f"{loaded.name}: {len(loaded.priors)} parameters, "
            f"{sum(len(o.years) for o in loaded.observed)} observed values, "
            f"{len(loaded.seeds)} seeds per particle ({where}) -> {out_dir}",
            markup=False,
        )
        try:
            result = run_calibration(
                loaded,
                out=out_dir,
                workers=workers,
                scheduler=scheduler,
                overwrite=overwrite,
                population=population,
                generations=generations,
                on_generation=_progress_line,
            )
        except KeyboardInterrupt:
            print_error(
                f"interrupted; every finished generation is saved in {out_dir}. Continue with: "
                f"edsim calibrate {calibration} --out {out_dir}"
            )
            raise typer.Exit(130) from None
    _report(result)


def _progress_line(generation: Generation) -> None:
    """One plain line per generation on stderr (a log-friendly line, as batches write)."""
    epsilon = "inf" if generation.epsilon == float("inf") else f"{generation.epsilon:.3g}"
    print(
        f"generation {generation.generation}: epsilon {epsilon}, acceptance "
        f"{generation.acceptance_rate:.1%} ({generation.particles}/{generation.simulations}), "
        f"{generation.seconds:.1f} s, elapsed {generation.elapsed:.0f} s",
        file=sys.stderr,
        flush=True,
    )


def _report(result: CalibrationResult) -> None:
    """The posterior's summary: each parameter's weighted median and 90% credible interval."""
    from edsim.calibrate.predict import weighted_quantile

    manifest = result.manifest
    if not result.ran:
        console.print(
            f"this calibration had already finished in {result.out} (files checked against "
            "its manifest), so nothing ran; --overwrite runs it again",
            markup=False,
        )
    console.print(
        f"{manifest['generations']} generations, stopped by {manifest['stop_reason']}",
        markup=False,
    )
    posterior = result.posterior
    for name in posterior.parameters:
        values = posterior.particles[name].to_numpy()
        low, mid, high = (
            weighted_quantile(values, posterior.weights, q) for q in (0.05, 0.5, 0.95)
        )
        console.print(f"  {name}: median {mid:.4g}, 90% CI [{low:.4g}, {high:.4g}]", markup=False)
    console.print(
        f"wrote {result.out}/posterior.parquet, history.csv, predictive.parquet, figures/",
        markup=False,
    )
