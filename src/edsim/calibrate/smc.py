"""ABC-SMC through pyabc: the prior, the distance, the sampler, and a loop one generation long.

pyabc does the sampling (sequential Monte Carlo with adaptive kernels and a median epsilon
schedule); edsim supplies the simulator (:mod:`.simulate`), a uniform prior per parameter and
the standardised Euclidean distance, ``sqrt(sum(((sim - obs) / sd) ** 2))`` over every observed
metric and year. Generation 0 is the prior itself (epsilon infinite, every particle accepted),
so no separate calibration sample is spent.

pyabc's ``run`` is called for one generation at a time. That gives a progress line after each
generation (pyabc has no callback) and makes every generation start the way a resumed run
starts: pyabc reloads the last generation from its database, refits the transition kernel and
takes the next epsilon from it (``ABCSMC.load``). A run killed at any point therefore continues
from its last complete generation, exactly as an uninterrupted one goes on. The stopping rules
are checked here between generations, with pyabc's own meaning.

Sampling is reproducible for a given seed on one worker; on several, particles are accepted in
the order workers finish, so the posterior sample differs between runs while its distribution
does not (pyabc's parallel samplers have no fixed order).
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from edsim.errors import CalibrationError, MissingExtraError
from edsim.model.parallel import set_threads, threads

from .outputs import CalibrationStore
from .simulate import Simulator, exit_with, simulator_for
from .spec import Calibration

__all__ = ["Generation", "StandardisedDistance", "run_abc", "simulator_of"]

#: Spawn key of the ABC sampler's random stream, apart from the replicates' keys.
ABC_STREAM = 2**31 + 1


@dataclass(frozen=True)
class Generation:
    """One finished ABC-SMC generation, as the progress line and ``history.csv`` show it."""

    generation: int
    epsilon: float
    particles: int
    simulations: int
    acceptance_rate: float
    seconds: float
    elapsed: float


@dataclass(frozen=True)
class StandardisedDistance:
    """``sqrt(sum(((sim - obs) / sd) ** 2))``; infinite for a particle with missing statistics.

    A picklable callable (Dask ships it), as pyabc's ``distance(x, x_0)``.
    """

    scales: tuple[tuple[str, float], ...]

    def __call__(self, x: dict[str, Any], x_0: dict[str, Any], *_: Any, **__: Any) -> float:
        """The distance between simulated ``x`` and observed ``x_0``."""
        total = 0.0
        for key, sd in self.scales:
            z = (float(x[key]) - float(x_0[key])) / sd
            if not math.isfinite(z):
                return math.inf
            total += z * z
        return math.sqrt(total)


def simulator_of(calibration: Calibration, years: int | None = None) -> Simulator:
    """The calibration's simulator (``years`` after year 0: the calibration's by default)."""
    stats = {
        key: (o.metric, year)
        for o in calibration.observed
        for key, year in zip(o.stat_keys(), o.years, strict=True)
    }
    return simulator_for(
        calibration.base.scenario,
        calibration.seeds,
        calibration.years if years is None else years,
        calibration.kinds,
        stats,
    )


def run_abc(
    calibration: Calibration,
    store: CalibrationStore,
    *,
    workers: int,
    scheduler: str | None,
    on_generation: Callable[[Generation], None] | None = None,
) -> tuple[pd.DataFrame, str]:
    """Run (or continue) ABC-SMC until a stopping rule holds.

    Args:
        calibration: The calibration.
        store: Its results directory (``new`` or ``resume``).
        workers: Local worker processes (1: in this process).
        scheduler: A Dask scheduler's address, or None for local processes.
        on_generation: Called after each generation that completes in this call.

    Returns:
        Every generation so far (``history.csv``'s rows) and why sampling stopped
        (``max_generations``, ``min_epsilon`` or ``min_acceptance``).

    Raises:
        MissingExtraError: pyabc is not installed (the ``calibrate`` extra).
    """
    pyabc = _pyabc()
    simulator = simulator_of(calibration)
    prior = pyabc.Distribution(
        **{
            name: pyabc.RV("uniform", low, high - low)
            for name, (low, high) in calibration.priors.items()
        }
    )
    distance = StandardisedDistance(tuple(calibration.scales().items()))
    stream = np.random.SeedSequence(calibration.seed, spawn_key=(ABC_STREAM,))
    # pyabc draws its proposals from NumPy's legacy global stream, so that is what to seed.
    np.random.seed(int(stream.generate_state(1)[0]))  # noqa: NPY002
    settings = calibration.abc
    with _sampler(pyabc, workers, scheduler, simulator) as sampler:
        abc = pyabc.ABCSMC(
            simulator,
            prior,
            distance,
            population_size=settings.population,
            sampler=sampler,
            eps=pyabc.MedianEpsilon(initial_epsilon=math.inf),  # generation 0: the prior
        )
        if store.state == "new":
            history = abc.new(store.db_url, calibration.observed_stats())
            store.start()
        else:
            history = abc.load(store.db_url, 1)
        started = time.monotonic()
        while True:
            table = generations(history)
            reason = _stop_reason(table, settings)
            if reason is not None:
                return table, reason
            if len(table):
                _epsilon_from_last_generation(pyabc, abc)
            before = len(table)
            abc.run(
                max_nr_populations=1,
                minimum_epsilon=settings.min_epsilon,
                min_acceptance_rate=settings.min_acceptance,
            )
            table = generations(history)
            if len(table) == before:
                # The generation reached population / min_acceptance evaluations: pyabc
                # stops it unfinished and stores nothing.
                return table, "min_acceptance"
            if on_generation is not None:
                row = table.iloc[-1]
                on_generation(
                    Generation(
                        generation=int(row["generation"]),
                        epsilon=float(row["epsilon"]),
                        particles=int(row["particles"]),
                        simulations=int(row["simulations"]),
                        acceptance_rate=float(row["acceptance_rate"]),
                        seconds=float(row["seconds"]),
                        elapsed=time.monotonic() - started,
                    )
                )


def _epsilon_from_last_generation(pyabc: Any, abc: Any) -> None:
    """Set the next generation's epsilon from the last stored generation, as pyabc would.

    pyabc computes a generation's epsilon (the weighted median of the previous generation's
    distances) inside one ``run`` call, and starts a new call from ``initial_epsilon``: infinite
    for generation 0, which in a resumed run would accept every proposal and undo a
    generation's narrowing. Each ``run`` call here does one generation (so that progress can be
    reported and a resumed run starts like any other generation), so the epsilon is set from
    the stored generation before every call: ``"from_sample"`` computes the same weighted
    median from the database. pyabc caches the population it calibrates from
    (``_initial_population``), so the cache is cleared to read the latest one; pinned by
    ``tests/calibrate/test_calibration_resume.py`` and ``test_calibration_stops.py``.
    """
    abc.eps = pyabc.MedianEpsilon(initial_epsilon="from_sample")
    abc._initial_population = None


def generations(history: Any) -> pd.DataFrame:
    """Every completed generation from pyabc's history, as ``history.csv`` holds them."""
    pops = history.get_all_populations()
    pops = pops[pops["t"] >= 0].sort_values("t")
    particles = pops["particles"].astype("int64")
    samples = pops["samples"].astype("int64")
    return pd.DataFrame(
        {
            "generation": pops["t"].astype("int64").to_numpy(),
            "epsilon": pops["epsilon"].astype(float).to_numpy(),
            "particles": particles.to_numpy(),
            "simulations": samples.to_numpy(),
            "acceptance_rate": (particles / samples).to_numpy(),
            "seconds": pops["wall_time"].astype(float).to_numpy(),
        }
    )


def posterior_of(history: Any, parameters: list[str]) -> pd.DataFrame:
    """The last generation's particles (one column per parameter) and their ``weight``."""
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    out = pd.DataFrame({name: frame[name].astype(float).to_numpy() for name in parameters})
    out["weight"] = np.asarray(weights, dtype=float) / float(np.sum(weights))
    return out


def _stop_reason(table: pd.DataFrame, settings: Any) -> str | None:
    """Which stopping rule the generations so far meet (pyabc's rules), if any."""
    if len(table) >= settings.max_generations:
        return "max_generations"
    if table.empty:
        return None
    last = table.iloc[-1]
    if last["epsilon"] <= settings.min_epsilon:
        return "min_epsilon"
    if last["acceptance_rate"] < settings.min_acceptance:
        return "min_acceptance"
    return None


def _pyabc() -> Any:
    """pyabc, imported on first use (it takes seconds), its log lines kept to warnings."""
    try:
        import pyabc
    except ImportError:
        raise MissingExtraError("pyabc", "calibrate") from None
    for name in ("ABC", "ABC.Sampler", "ABC.History", "ABC.Distance", "ABC.Epsilon"):
        logging.getLogger(name).setLevel(logging.WARNING)
    return pyabc


@contextlib.contextmanager
def _sampler(
    pyabc: Any, workers: int, scheduler: str | None, simulator: Simulator
) -> Iterator[Any]:
    """The pyabc sampler: one process, forked local workers, or a Dask cluster.

    Local workers are forked from this process once it holds every seed's year-0 snapshot, so
    they share them; each runs its models on one thread (this process's thread pool does not
    survive a fork, and the workers already use every CPU).
    """
    if scheduler is not None:
        from edsim.experiment.executors import dask_executor

        with dask_executor(scheduler) as executor:
            client = getattr(executor, "_client", None)
            if client is None:  # pragma: no cover - distributed changed its executor
                raise CalibrationError("cannot reach the Dask client behind the executor")
            yield pyabc.sampler.DaskDistributedSampler(dask_client=client, batch_size=1)
        return
    if workers <= 1:
        simulator.prepare()
        yield pyabc.sampler.SingleCoreSampler()
        return
    saved = threads()
    set_threads(1)
    exit_with(os.getpid())
    try:
        simulator.prepare()
        yield pyabc.sampler.MulticoreEvalParallelSampler(n_procs=workers, check_max_eval=True)
    finally:
        exit_with(None)
        set_threads(saved)
