"""One trial of a policy search: the variant with the trial's lever values, over every draw.

Every trial runs the same experiment, differing only in the lever values: the same design
points (the uncertainty draws, drawn once from the file's seed) and the same replicate seeds
(:func:`~edsim.experiment.plan.replicate_seed`, the same under every variant and point). So two
trials are compared on common random numbers: the same schools, pupils and trial draws, the
difference between them being the levers' doing, not luck. That is what lets a noisy
simulation be optimised with few replicates.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

import numpy as np

from edsim.errors import ExperimentError, ScenarioError
from edsim.experiment import RunOutcome, RunSpec, run_experiment, run_one
from edsim.experiment.design import apply_point

from .spec import Optimisation

__all__ = ["Evaluation", "evaluate"]


@dataclass(frozen=True)
class Evaluation:
    """What one trial measured, per uncertainty draw (each the mean over its replicates).

    Attributes:
        outcome: The minimised metric, one value per design point (draw).
        spend: The spend metric per draw (NaN when the experiment does not keep it).
        seconds: Wall-clock time of the trial.
        error: Why the trial has no value (an invalid lever combination, a failed run).
    """

    outcome: np.ndarray
    spend: np.ndarray
    seconds: float
    error: str | None = None

    def statistic(self, percentile: float | None) -> float:
        """The mean across draws, or the given percentile of them (the robust objective)."""
        if percentile is None:
            return float(np.mean(self.outcome))
        return float(np.percentile(self.outcome, percentile))


def evaluate(
    optimisation: Optimisation,
    levers: Mapping[str, Any],
    *,
    executor: Executor,
    run: Callable[[RunSpec], RunOutcome] = run_one,
) -> Evaluation:
    """Run the trial's experiment on ``executor`` and summarise it per draw.

    Args:
        optimisation: The validated optimisation.
        levers: The trial's lever values by dotted path.
        executor: Where the runs go (kept open across trials by the caller).
        run: The per-run function (the model by default; tests inject a cheap one).
    """
    start = time.perf_counter()
    experiment = optimisation.experiment
    resolved = experiment.scenarios[optimisation.variant]
    empty = np.array([])
    try:
        scenario = apply_point(resolved.scenario, levers)
    except ScenarioError as exc:
        reason = "; ".join(p.message for p in exc.problems)
        return Evaluation(empty, empty, time.perf_counter() - start, f"invalid levers: {reason}")
    trial = dataclasses.replace(
        experiment,
        scenarios={optimisation.variant: dataclasses.replace(resolved, scenario=scenario)},
    )
    results = run_experiment(trial, out=None, executor=executor, run=run)
    seconds = time.perf_counter() - start
    if not results.failed.empty:
        first = str(results.failed["error"].iloc[0]).strip().splitlines()[-1:]
        message = f"{len(results.failed)} run(s) failed: {first[0] if first else ''}"
        return Evaluation(empty, empty, seconds, message)
    traj = results.trajectories
    year = optimisation.year if optimisation.year is not None else int(traj["year"].max())
    at_year = traj[traj["year"] == year]
    if at_year.empty:
        raise ExperimentError(f"no run reached year {year}")
    per_point = at_year.groupby("point", sort=True)
    outcome = per_point[optimisation.metric].mean().to_numpy(dtype=float)
    spend_metric = optimisation.search.spend_metric
    spend = (
        per_point[spend_metric].mean().to_numpy(dtype=float)
        if spend_metric in at_year.columns
        else np.full(outcome.shape, np.nan)
    )
    return Evaluation(outcome, spend, seconds)
