"""``run_one``: the unit of work every executor runs, pure and picklable.

It takes a :class:`~edsim.experiment.plan.RunSpec` and returns a :class:`RunOutcome`; it reads
and writes no files and shares nothing with other runs, so a run gives the same numbers in this
process, a worker process or a Dask worker on another machine. A run that raises is returned as
a failed outcome with its traceback rather than raised, so one bad run never stops a batch.
"""

from __future__ import annotations

import os
import socket
import time
import traceback
from dataclasses import dataclass

import pandas as pd

from edsim.model import EdSystemModel
from edsim.model.lifecycle import disposing
from edsim.model.year_zero import YearZero
from edsim.runner import run, simulate

from .plan import RunSpec

__all__ = ["ID_COLUMNS", "RunOutcome", "run_group", "run_one"]

#: Columns that identify a row of the results' trajectories, before the metrics.
ID_COLUMNS = ("run_id", "scenario", "point", "replicate", "year", "calendar_year")


@dataclass(frozen=True)
class RunOutcome:
    """What one run produced.

    Attributes:
        run_id: The run's id.
        trajectory: One row per year (:data:`ID_COLUMNS` then the kept metrics); None if it failed.
        seconds: Wall-clock time of the run.
        error: The traceback, if the run failed.
        worker: ``host:pid`` of the process that ran it.
    """

    run_id: str
    trajectory: pd.DataFrame | None
    seconds: float
    error: str | None = None
    worker: str = ""

    @property
    def ok(self) -> bool:
        """Whether the run finished."""
        return self.error is None


def run_one(spec: RunSpec) -> RunOutcome:
    """Run one simulation of an experiment; never raises for a failure inside the model."""
    start = time.perf_counter()
    worker = f"{socket.gethostname()}:{os.getpid()}"
    try:
        frame = run(spec.scenario, spec.seed, years=spec.years)
        trajectory = shape_trajectory(frame, spec)
    except Exception:
        return RunOutcome(
            spec.run_id, None, time.perf_counter() - start, traceback.format_exc(), worker
        )
    return RunOutcome(spec.run_id, trajectory, time.perf_counter() - start, None, worker)


def run_group(specs: tuple[RunSpec, ...]) -> list[RunOutcome]:
    """Runs that share their year-0 state (:func:`~edsim.experiment.plan.year_zero_groups`).

    The first run draws the year-0 pupils and keeps a copy; the others start from it, which
    gives exactly the numbers each would give alone (same seed, same pre-year-0 settings) for
    the cost of one copy. One snapshot is held at a time, so memory stays bounded. Each run's
    failure is its own, as in :func:`run_one`.
    """
    snapshot: YearZero | None = None
    outcomes = []
    for spec in specs:
        start = time.perf_counter()
        worker = f"{socket.gethostname()}:{os.getpid()}"
        try:
            params = {} if spec.years is None else {"years": spec.years}
            model = EdSystemModel(spec.scenario, rng=spec.seed, year_zero=snapshot, **params)
            with disposing(model):
                if snapshot is None and len(specs) > 1:
                    snapshot = model.take_year_zero()
                frame = simulate(model)
            trajectory = shape_trajectory(frame, spec)
        except Exception:
            error = traceback.format_exc()
            outcomes.append(
                RunOutcome(spec.run_id, None, time.perf_counter() - start, error, worker)
            )
            continue
        seconds = time.perf_counter() - start
        outcomes.append(RunOutcome(spec.run_id, trajectory, seconds, None, worker))
    return outcomes


def shape_trajectory(frame: pd.DataFrame, spec: RunSpec) -> pd.DataFrame:
    """The model's yearly frame as results rows: ids first, then the kept metrics.

    The model's ``step`` (years since year 0) becomes ``year`` and its ``year`` (the calendar
    year) ``calendar_year``, the names the analysis reads.
    """
    out = pd.DataFrame(
        {
            "run_id": spec.run_id,
            "scenario": spec.scenario_name,
            "point": spec.point,
            "replicate": spec.replicate,
            "year": frame["step"].astype("int64").to_numpy(),
            "calendar_year": frame["year"].astype("int64").to_numpy(),
        }
    )
    metrics = frame[list(spec.metrics)].reset_index(drop=True)
    return pd.concat([out, metrics], axis=1)
