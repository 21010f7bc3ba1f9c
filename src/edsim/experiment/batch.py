"""``run_experiment``: plan the runs, execute them anywhere, keep every result as it arrives.

The loop keeps a bounded number of runs in flight and writes each finished run before taking
the next, so the parent process never holds more than the results it is writing (memory stays
flat however long the batch), a failure is recorded without stopping the others, and a batch
interrupted at any point can be resumed.
"""

from __future__ import annotations

import os
import signal
import threading
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Executor, Future, wait
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import pandas as pd

from edsim.errors import ExperimentError

from .executors import SerialExecutor, check_executor_options, default_workers, open_executor
from .plan import RunSpec, plan_runs, year_zero_groups
from .results import Results
from .runner import RunOutcome, run_group, run_one
from .spec import Experiment, load_experiment
from .storage import DirectoryStore, manifest_for, run_metadata, scenario_hashes

__all__ = ["Progress", "Terminated", "run_experiment"]


class Terminated(KeyboardInterrupt):
    """The batch received SIGTERM; it stops as on Ctrl-C (finished runs saved, resumable)."""


@dataclass(frozen=True)
class Progress:
    """Reported after every run: how far the batch is, and the run just finished."""

    done: int
    total: int
    failed: int
    outcome: RunOutcome


def run_experiment(
    experiment: Experiment | str | os.PathLike[str],
    *,
    out: str | os.PathLike[str] | None = None,
    executor: str | Executor = "process",
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    overwrite: bool = False,
    on_progress: Callable[[Progress], None] | None = None,
    run: Callable[[RunSpec], RunOutcome] = run_one,
) -> Results:
    """Run every (variant, design point, replicate) of an experiment.

    Args:
        experiment: An :class:`Experiment` or the path of an experiment file.
        out: Results directory: each run is written there as it finishes, with a manifest.
            None keeps the results in memory only. A directory that already holds exactly this
            experiment's finished results is read back, and nothing runs.
        executor: ``"serial"``, ``"process"`` (local worker processes), ``"dask"``, or any
            :class:`concurrent.futures.Executor` (left open: its owner shuts it down).
        workers: Worker processes for ``process`` and a local Dask cluster (default: all CPUs;
            never more than there are tasks, and at most
            :func:`~edsim.experiment.executors.max_workers`).
        scheduler: Address of a running Dask scheduler (with ``executor="dask"``).
        resume: Run only the runs missing from ``out`` (refused if the experiment changed).
        overwrite: Delete the results already in ``out`` first, and run everything.
        on_progress: Called after each run with a :class:`Progress`.
        run: The function each run executes; a top-level (picklable) function of a
            :class:`RunSpec`. The default runs the model.

    Returns:
        The results (loaded back from ``out`` when given, so they are exactly what was saved).

    Raises:
        ExperimentError: The experiment is invalid, the executor options are, the results
            directory holds other results (or another batch is writing it), or a Dask
            scheduler cannot be reached.
        OutputError: ``out`` cannot be written (checked before any run starts).
        Terminated: The process received SIGTERM (when run in the main thread); every
            finished run is saved and the manifest says ``interrupted``.
    """
    if not isinstance(experiment, Experiment):
        experiment = load_experiment(experiment)
    if not isinstance(executor, Executor):
        check_executor_options(executor, workers=workers, scheduler=scheduler)
    specs = plan_runs(experiment)
    store = (
        DirectoryStore(Path(out), experiment, specs, resume=resume, overwrite=overwrite)
        if out is not None
        else _MemoryStore(experiment, specs)
    )
    try:
        finished = store.finished()
        units = _units(run, [s for s in specs if s.run_id not in finished])
        # Local workers: as asked (default one per CPU), but never more than there are tasks.
        local = executor in ("process", "dask") and scheduler is None
        n = min(workers or default_workers(), max(len(units), 1))
        timings: dict[str, float] = {}
        failures: dict[str, str] = {}
        stopped = True
        with _sigterm_as_interrupt():
            try:
                with _open(executor, n if local else None, scheduler, units) as pool:
                    store.start()  # only once the workers are up: a failed start writes nothing
                    for spec, outcome in _as_completed(pool, units, 4 * n):
                        store.record(spec, outcome)
                        timings[spec.run_id] = outcome.seconds
                        if not outcome.ok:
                            failures[spec.run_id] = outcome.error or ""
                        if on_progress is not None:
                            done = len(finished) + len(timings)
                            on_progress(Progress(done, len(specs), len(failures), outcome))
                stopped = False
            except BrokenExecutor as exc:
                raise ExperimentError(
                    f"the worker processes stopped ({exc}); every run finished before that is "
                    "saved, so run the batch again with --resume once the cause (often memory) "
                    "is fixed"
                ) from None
            finally:
                store.close(timings, failures, stopped)
    finally:
        store.release()
    return Results.load(store.out) if isinstance(store, DirectoryStore) else store.results()


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Inside the block, SIGTERM raises :class:`Terminated`, once, as Ctrl-C raises.

    So a batch stopped by ``kill``, a scheduler's time limit (SLURM sends SIGTERM) or a
    container stop saves its state like one stopped by Ctrl-C. Only in the main thread (where
    Python runs signal handlers), and only where nobody has set a SIGTERM handler already.
    """
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
    ):
        yield
        return
    received: list[int] = []

    def handler(signum: int, frame: FrameType | None) -> None:
        if not received:  # a second SIGTERM must not interrupt the saving of the first
            received.append(signum)
            raise Terminated()

    signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _open(
    executor: str | Executor,
    workers: int | None,
    scheduler: str | None,
    units: list[Any],
) -> AbstractContextManager[Executor]:
    """The executor; nothing is started when there is nothing to run."""
    if isinstance(executor, Executor):
        return nullcontext(executor)
    if not units:
        return nullcontext(SerialExecutor())
    return open_executor(executor, workers=workers, scheduler=scheduler)


def _units(
    run: Callable[[RunSpec], RunOutcome], specs: list[RunSpec]
) -> list[tuple[Callable[[Any], Any], tuple[RunSpec, ...]]]:
    """The tasks to submit: groups sharing a year-0 state for the model, else one run each."""
    if run is run_one:
        return [(run_group, group) for group in year_zero_groups(specs)]
    return [(_RunEach(run), (spec,)) for spec in specs]


@dataclass(frozen=True)
class _RunEach:
    """A user's per-run function as a group task (picklable when the function is)."""

    run: Callable[[RunSpec], RunOutcome]

    def __call__(self, specs: tuple[RunSpec, ...]) -> list[RunOutcome]:
        return [self.run(spec) for spec in specs]


def _as_completed(
    pool: Executor,
    units: list[tuple[Callable[[Any], Any], tuple[RunSpec, ...]]],
    window: int,
) -> Iterator[tuple[RunSpec, RunOutcome]]:
    """Yield each run's outcome as its task completes, with at most ``window`` tasks in flight."""
    queue = iter(units)
    pending: dict[Future[list[RunOutcome]], tuple[RunSpec, ...]] = {}

    def top_up() -> None:
        for fn, specs in queue:
            pending[pool.submit(fn, specs)] = specs
            if len(pending) >= window:
                return

    top_up()
    try:
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                specs = pending.pop(future)
                yield from zip(specs, _outcomes(future, specs), strict=True)
            top_up()
    finally:
        for future in pending:
            future.cancel()


def _outcomes(future: Future[list[RunOutcome]], specs: tuple[RunSpec, ...]) -> list[RunOutcome]:
    """The task's outcomes; an exception from the executor (a crashed worker) fails its runs."""
    try:
        return future.result()
    except Exception as exc:
        text = "".join(traceback.format_exception(exc))
        return [RunOutcome(spec.run_id, None, 0.0, text, "") for spec in specs]


class _MemoryStore:
    """Keeps results in memory when no output directory is given."""

    def __init__(self, experiment: Experiment, specs: list[RunSpec]) -> None:
        self.manifest = manifest_for(experiment, specs)
        self.hashes = scenario_hashes(specs)
        self.metas: list[dict[str, Any]] = []
        self.frames: list[pd.DataFrame] = []

    def finished(self) -> set[str]:
        return set()

    def start(self) -> None:
        pass

    def release(self) -> None:
        pass

    def record(self, spec: RunSpec, outcome: RunOutcome) -> None:
        self.metas.append(run_metadata(spec, outcome, self.hashes[spec.run_id]))
        if outcome.trajectory is not None:
            self.frames.append(outcome.trajectory)

    def close(self, timings: dict[str, float], failures: dict[str, str], stopped: bool) -> None:
        self.manifest.update(timings=timings, failures=failures)

    def results(self) -> Results:
        frame = pd.concat(self.frames, ignore_index=True) if self.frames else pd.DataFrame()
        return Results.from_parts(self.metas, frame, self.manifest)
