"""``edsim calibrate``: fit uncertain parameters to observed patterns by ABC-SMC (pyabc).

- :mod:`.spec`: calibration files, validated and located like experiment files;
- :mod:`.simulate`: the simulator ABC calls (common random numbers, shared year-0 snapshots);
- :mod:`.smc`: pyabc's ABC-SMC, one generation at a time, resumable;
- :mod:`.predict`: posterior-predictive runs;
- :mod:`.outputs` and :mod:`.figures`: the results directory and its figures.

The year-0 check ``edsim baseline`` runs is :mod:`edsim.calibration`, a different thing: it
compares the starting state with its targets and fits nothing.

``edsim.calibrate(...)`` calls :func:`calibrate`: the package is callable, so the public name
works whether Python has bound ``edsim.calibrate`` to the package (any ``import
edsim.calibrate`` does) or not.
"""

from __future__ import annotations

import os
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from edsim.errors import CalibrationError
from edsim.experiment.executors import check_executor_options, default_workers, open_executor
from edsim.experiment.posterior import POSTERIOR, Posterior, read_posterior
from edsim.io import write_atomically

from .outputs import CalibrationStore
from .smc import Generation
from .spec import Calibration, calibration_from_text, load_calibration

__all__ = [
    "Calibration",
    "CalibrationResult",
    "Generation",
    "calibrate",
    "calibration_from_text",
    "load_calibration",
]


@dataclass(frozen=True)
class CalibrationResult:
    """What a calibration wrote, read back.

    Attributes:
        out: The results directory.
        posterior: The verified posterior (:func:`~edsim.experiment.posterior.read_posterior`).
        history: One row per generation.
        predictive: The posterior-predictive trajectories.
        manifest: The manifest's contents.
        ran: Whether anything ran in this call (False: the finished results were reused).
    """

    out: Path
    posterior: Posterior
    history: pd.DataFrame
    predictive: pd.DataFrame
    manifest: dict[str, Any]
    ran: bool


def calibrate(
    calibration: Calibration | str | os.PathLike[str],
    *,
    out: str | os.PathLike[str] | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    overwrite: bool = False,
    population: int | None = None,
    generations: int | None = None,
    on_generation: Callable[[Generation], None] | None = None,
) -> CalibrationResult:
    """Run a calibration, or continue one that was stopped, and write its results.

    Args:
        calibration: A :class:`Calibration` or a calibration file (or a shipped one's name).
        out: Results directory (default ``results/<name>``). A directory holding this
            calibration unfinished is continued from its last complete generation; one holding
            it finished is read back and nothing runs.
        workers: Local worker processes (default: all CPUs; 1 runs in this process).
        scheduler: Address of a running Dask scheduler (pyabc's Dask sampler) instead.
        overwrite: Delete the results already in ``out`` and start again.
        population: Particles per generation, instead of the file's (a quick try).
        generations: Most generations, instead of the file's.
        on_generation: Called after each generation completes.

    Raises:
        CalibrationError: The file is invalid, ``out`` holds something else, another process
            writes it, or the options are.
        MissingExtraError: pyabc is not installed (``pip install 'edsim[calibrate]'``).
    """
    from .figures import write_figures
    from .predict import predictive as run_predictive
    from .smc import posterior_of, run_abc, simulator_of

    if not isinstance(calibration, Calibration):
        calibration = load_calibration(calibration)
    calibration = calibration.with_abc(population=population, max_generations=generations)
    name = "dask" if scheduler is not None else "process"
    check_executor_options(name, workers=workers, scheduler=scheduler)
    n = 1 if scheduler is not None else workers or default_workers()
    store = CalibrationStore(
        Path(out) if out is not None else Path("results") / calibration.name,
        calibration,
        overwrite=overwrite,
    )
    try:
        if store.state == "complete":
            return _read(store.out, ran=False)
        table, reason = run_abc(
            calibration, store, workers=n, scheduler=scheduler, on_generation=on_generation
        )
        history = _history(store)
        posterior = posterior_of(history, list(calibration.priors))
        executor = "serial" if scheduler is None and n == 1 else name
        with open_executor(
            executor, workers=None if executor != "process" else n, scheduler=scheduler
        ) as pool:
            predicted = run_predictive(calibration, simulator_of(calibration), posterior, pool)
        files = [store.out / POSTERIOR, store.out / "history.csv", store.out / "predictive.parquet"]
        write_atomically(files[0], lambda tmp: posterior.to_parquet(tmp, index=False))
        write_atomically(files[1], lambda tmp: table.to_csv(tmp, index=False))
        write_atomically(files[2], lambda tmp: predicted.to_parquet(tmp, index=False))
        files += write_figures(calibration, posterior, predicted, store.out / "figures")
        store.finish(_summary(table, reason), files)
    finally:
        store.release()
    return _read(store.out, ran=True)


def _history(store: CalibrationStore) -> Any:
    """The pyabc history of the calibration in ``store`` (after a run, for the posterior)."""
    from pyabc import History

    history = History(store.db_url)
    history.id = 1
    return history


def _summary(table: pd.DataFrame, reason: str) -> dict[str, Any]:
    """The manifest's account of the sampling (an infinite epsilon is written as null)."""
    epsilons = [None if e == float("inf") else float(e) for e in table["epsilon"]]
    return {
        "generations": len(table),
        "epsilons": epsilons,
        "acceptance_rates": [float(a) for a in table["acceptance_rate"]],
        "simulations": [int(s) for s in table["simulations"]],
        "stop_reason": reason,
    }


def _read(out: Path, *, ran: bool) -> CalibrationResult:
    """The finished calibration in ``out``, its files checked against the manifest."""
    from edsim.experiment.posterior import file_sha256

    posterior = read_posterior(out)
    manifest = _manifest(out)
    for relative, recorded in manifest["files"].items():
        path = out / relative
        if not path.is_file() or file_sha256(path) != recorded:
            raise CalibrationError(
                f"{path} is missing or not the file its manifest records; run the calibration "
                "again with --overwrite"
            )
    return CalibrationResult(
        out=out,
        posterior=posterior,
        history=pd.read_csv(out / "history.csv"),
        predictive=pd.read_parquet(out / "predictive.parquet"),
        manifest=manifest,
        ran=ran,
    )


def _manifest(out: Path) -> dict[str, Any]:
    import json

    return dict(json.loads((out / "manifest.json").read_text()))


class _CallablePackage(types.ModuleType):
    """This package, callable as :func:`calibrate` (so ``edsim.calibrate(...)`` works)."""

    def __call__(self, *args: Any, **kwargs: Any) -> CalibrationResult:
        return calibrate(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
