"""Commands that explore beyond one comparison: discover (PRIM) and optimise (optuna).

Thin: each reads its input through :mod:`edsim.explore`, prints what it found and writes the
tables and figures beside the results. The explore stack (PRIM, optuna, scikit-learn) is
imported inside the commands, so ``edsim --help`` never waits for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ._common import (
    OutcomeMetricOption,
    OutcomeYearOption,
    app,
    console,
    print_error,
    user_errors,
)

if TYPE_CHECKING:
    import pandas as pd

    from edsim.explore import TrialReport

__all__: list[str] = []


@app.command()
def discover(
    results_dir: Annotated[
        Path,
        typer.Argument(
            help="Results directory of an experiment with a design over uncertain parameters "
            "(e.g. results/when_does_le_win after `edsim batch when_does_le_win`).",
            show_default=False,
        ),
    ],
    threshold: Annotated[
        float,
        typer.Option(
            help="A design point is a case of interest when its outcome is below (or above) "
            "this value, e.g. -0.02: LE narrows the gap by more than 0.02 compared with DT.",
        ),
    ] = 0.0,
    direction: Annotated[
        str,
        typer.Option(help="below or above: which side of the threshold is a case.", metavar="SIDE"),
    ] = "below",
    metric: OutcomeMetricOption = None,
    year: OutcomeYearOption = None,
    scenario: Annotated[
        str | None, typer.Option(help="Scenario [default: the outcome's]", show_default=False)
    ] = None,
    baseline: Annotated[
        str | None,
        typer.Option(
            help="Subtracted scenario, paired on replicate [default: the outcome's]",
            show_default=False,
        ),
    ] = None,
    min_coverage: Annotated[
        float,
        typer.Option(
            min=0.0,
            max=1.0,
            help="The box reported is the densest on the peeling trajectory that covers at "
            "least this share of the cases.",
        ),
    ] = 0.5,
    box: Annotated[
        int | None,
        typer.Option(
            help="Report this box of the trajectory instead (0 = the whole space).",
            show_default=False,
        ),
    ] = None,
    cart: Annotated[
        bool, typer.Option("--cart", help="Also fit a shallow CART tree (scikit-learn).")
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Directory for the tables and figures [default: RESULTS_DIR/discovery]",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Scenario discovery with PRIM: where in the design's parameters does the outcome pass?

    Each design point's outcome is the experiment's (by default the first variant minus the
    baseline, paired on replicate, averaged over the point's replicates). PRIM peels the
    parameter space towards the cases; the box reported by default is the densest one that
    still covers --min-coverage of them. Writes the points, the peeling trajectory, the box's
    limits with quasi-p-values, and figures (trade-off, limits, pairwise scatter).
    """
    from edsim.experiment import Results
    from edsim.experiment.lock import BatchLock
    from edsim.explore import DISCOVERY_DIR, cart_rules, write_discovery
    from edsim.explore import discover as run_discovery
    from edsim.io import ensure_writable_dir

    with user_errors():
        results = Results.load(results_dir)
        found = run_discovery(
            results,
            threshold=threshold,
            direction=direction,
            metric=metric,
            year=year,
            scenario=scenario,
            baseline=baseline,
            min_coverage=min_coverage,
        )
        if box is not None:
            found = found.select(box)
        chosen = found.box()
        rules = cart_rules(found) if cart else None
        target = ensure_writable_dir(out or results_dir / DISCOVERY_DIR)  # else OutputError
        # Inside the results: their lock, so a batch resuming into them is not interleaved.
        inside = out is None or target.resolve().is_relative_to(results_dir.resolve())
        with BatchLock(results_dir if inside else target):
            written = write_discovery(found, target, cart=rules)
    n_cases = int(found.points["case"].sum())
    console.print(f"case: {found.case_text}", markup=False)
    console.print(
        f"{n_cases} of {len(found.points)} design points are cases (base rate "
        f"{found.base_rate:.3f}); peeling trajectory of {len(found.trajectory)} boxes",
        markup=False,
    )
    rule = (
        "chosen with --box"
        if box is not None
        else (f"the densest with coverage >= {min_coverage:g}; default_box() in Python")
    )
    title = (
        f"Box {chosen.index} ({rule}): coverage {chosen.coverage:.3f}, density "
        f"{chosen.density:.3f}, mass {chosen.mass:.3f}"
    )
    console.print(title, markup=False)
    # One line per parameter, not a table: the dotted paths are long and must stay whole.
    for row in chosen.restricted.to_dict("records"):
        console.print(
            f"  {row['parameter']}: {row['min']:.4g} to {row['max']:.4g} (design range "
            f"{row['range_min']:.4g} to {row['range_max']:.4g}), quasi-p {row['qp_value']:.2g}",
            markup=False,
        )
    free = [
        str(p)
        for p, r in zip(chosen.limits["parameter"], chosen.limits["restricted"], strict=True)
        if not r
    ]
    if free:
        console.print(f"  not restricted: {', '.join(free)}", markup=False)
    if (chosen.restricted["qp_value"] > 0.05).any():
        console.print(
            "  (a quasi-p above 0.05 marks a restriction the points do not clearly support)",
            markup=False,
        )
    if rules is not None:
        console.print(rules, markup=False)
    for path in written:
        console.print(f"wrote {path}", markup=False)


@app.command()
def optimise(
    experiment: Annotated[
        Path,
        typer.Argument(
            help="Optimisation file (an experiment with a search: block) or the name of a "
            "shipped one, e.g. best_mix.",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            help="Directory for the study and its tables [default: results/NAME]",
            show_default=False,
        ),
    ] = None,
    trials: Annotated[
        int | None,
        typer.Option(
            min=1, help="Trials in all [default: the file's search.trials]", show_default=False
        ),
    ] = None,
    executor: Annotated[
        str, typer.Option("--executor", "-e", help="serial, process or dask.", metavar="NAME")
    ] = "process",
    workers: Annotated[int | None, typer.Option(min=1, help="Worker processes.")] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="Address of a running Dask scheduler (with --executor dask).",
            show_default=False,
        ),
    ] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Discard a search already in --out and restart.")
    ] = False,
    confirm: Annotated[
        int,
        typer.Option(
            min=0,
            help="Re-run the best K trials on fresh seeds (the same draws) when the search is "
            "done: how much of their lead was luck.",
            metavar="K",
        ),
    ] = 0,
) -> None:
    """Search the policy levers of an optimisation file for the lowest gap within a budget.

    Every trial runs the variant with its lever values at every uncertainty draw of the
    design, with the same seeds (common random numbers), and scores the mean or a percentile
    across the draws; mean spend above the budget makes a trial infeasible. Run again with the
    same --out to continue a search (finished trials are kept).
    """
    from edsim.experiment.executors import check_executor_options
    from edsim.explore import load_optimisation, write_search
    from edsim.explore import optimise as run_search

    with user_errors():
        spec = load_optimisation(experiment)
        check_executor_options(executor, workers=workers, scheduler=scheduler)
        out_dir = out if out is not None else Path("results") / spec.name
        total = trials or spec.search.trials
        console.print(
            f"{spec.name}: {total} trials x {spec.experiment.n_runs} runs "
            f"({spec.experiment.design.n_points} draws x {spec.experiment.replicates} "
            f"replicates), {spec.sampler}, objective {spec.metric} {spec.search.objective}"
            + (f", budget {spec.search.budget:,.0f}" if spec.search.budget else "")
            + f" -> {out_dir}",
            markup=False,
        )
        try:
            result = run_search(
                spec,
                out=out_dir,
                trials=trials,
                executor=executor,
                workers=workers,
                scheduler=scheduler,
                overwrite=overwrite,
                on_trial=_progress_line,
                confirm=confirm,
            )
        except KeyboardInterrupt:
            print_error(
                f"interrupted; finished trials are saved in {out_dir}. Continue with: "
                f"edsim optimise {experiment} --out {out_dir}"
            )
            raise typer.Exit(130) from None
        written = write_search(result, out_dir)
    table = result.pareto if spec.search.pareto else result.best
    if table.empty:
        console.print("no trial finished within the budget", markup=False)
    else:
        _print_trials(table, spec.search.levers, pareto=spec.search.pareto)
    for path in written:
        console.print(f"wrote {path}", markup=False)


def _print_trials(table: pd.DataFrame, levers: Iterable[str], *, pareto: bool) -> None:
    """The best trial's levers one a line (names are long), then the ranking, compactly."""
    from ._reports import frame_view

    first = table.iloc[0]
    head = "Cheapest trial on the Pareto front" if pareto else "Best trial within the budget"
    console.print(f"{head}: trial {int(first['trial'])}", markup=False)
    for path in levers:
        console.print(f"  {path} = {_short(first[path])}", markup=False)
    columns = ["trial", "objective", "spend_mean", "max_regret"]
    if not pareto:
        columns += ["diff_vs_best", "diff_ci_low", "diff_ci_high"]
    columns += [c for c in ("confirmed_objective",) if c in table.columns]
    title = (
        "Pareto front"
        if pareto
        else (
            "Top trials; diff_vs_best: mean paired difference from the best over the same draws, "
            "with its 95% interval"
        )
    )
    shown = table[columns].assign(trial=[str(int(t)) for t in table["trial"]])
    console.print(frame_view(shown, title))


def _progress_line(report: TrialReport) -> None:
    """One plain line per trial: its value, spend, feasibility and the best so far."""
    if report.error is not None:
        text = f"failed: {report.error}"
    else:
        within = "within budget" if report.feasible else "OVER budget"
        text = f"objective {report.objective:.4f}, spend {report.spend:,.0f} ({within})"
    best = "none yet" if report.best is None else f"{report.best:.4f}"
    levers = ", ".join(
        f"{k.rsplit('.', 2)[-2]}.{k.rsplit('.', 1)[-1]}={_short(v)}"
        for k, v in report.levers.items()
    )
    console.print(
        f"trial {report.number + 1}/{report.total}: {text}; best {best}; {report.seconds:.1f} s"
        f" [{levers}]",
        markup=False,
    )


def _short(value: object) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)
