"""A robust policy search under a budget: which lever settings narrow the gap most, everywhere?

Robust decision making (Lempert et al. 2006) asks not "what is best under the defaults?" but
"what does well across what we do not know?". Each trial here sets the levers of an
optimisation file (:mod:`.spec`) and runs the model at every uncertainty draw of its design,
with common random numbers (:mod:`._evaluate`); its objective is the gap metric's mean across
the draws or a high percentile of it (the robust choice: how bad it gets in the worse draws).
Spend on the evidence system is a constraint (optuna's trial constraints: a trial whose mean
spend exceeds the budget is infeasible, and the sampler learns to avoid it), or with ``pareto``
a second objective, giving the front of gap against cost (NSGA-II).

optuna proposes the trials (TPE for one objective, NSGA-II for two; seeded from the file's
seed). With an output directory the study lives in an SQLite file there, so running the same
command again continues it: finished trials are kept, one cut off mid-way is marked failed,
and only the remaining trials run. A search interrupted and resumed proposes different later
trials than one run straight through (the sampler is reseeded from the file's seed plus the
trials already done, so it does not replay its first proposals), but every trial's value is
reproducible from its lever values, since its seeds are fixed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from edsim.errors import ExperimentError, MissingExtraError
from edsim.experiment import RunOutcome, RunSpec, open_executor, run_one
from edsim.experiment.lock import BatchLock
from edsim.io import ensure_writable_dir

from ._evaluate import Evaluation, evaluate
from ._trials import trials_table
from .spec import Optimisation, lever_kind, load_optimisation

__all__ = ["STORAGE", "SearchResult", "TrialReport", "optimise"]

#: The optuna study's SQLite file in the output directory.
STORAGE = "optuna.sqlite3"


@dataclass(frozen=True)
class TrialReport:
    """Reported after every trial.

    Attributes:
        number: The trial's number (0-based, counting trials of earlier sessions).
        total: The trials the search will have when done.
        levers: The trial's lever values.
        objective: Its objective (None when it failed).
        spend: Its mean spend across draws (None when it failed).
        feasible: Whether it kept to the budget.
        best: The best feasible objective so far.
        seconds: How long it took.
        error: Why it failed, if it did.
    """

    number: int
    total: int
    levers: dict[str, Any]
    objective: float | None
    spend: float | None
    feasible: bool
    best: float | None
    seconds: float
    error: str | None = None


@dataclass(frozen=True)
class SearchResult:
    """A finished (or resumed and finished) search.

    Attributes:
        optimisation: What was searched.
        trials: One row per trial (see :func:`._trials.trials_table`).
        path: The output directory, if any.
        study: The optuna study, for anything else a user wants from it.
    """

    optimisation: Optimisation
    trials: pd.DataFrame
    path: Path | None = None
    study: Any = None

    @property
    def best(self) -> pd.DataFrame:
        """The best feasible trials, best first, each compared with the best on the same draws."""
        from ._trials import best_table

        return best_table(self.trials, self.optimisation)

    @property
    def pareto(self) -> pd.DataFrame:
        """The feasible trials no other feasible trial beats on both objective and spend."""
        from ._trials import pareto_table

        return pareto_table(self.trials)


def optimise(
    source: Optimisation | str | os.PathLike[str],
    *,
    out: str | os.PathLike[str] | None = None,
    trials: int | None = None,
    executor: str = "process",
    workers: int | None = None,
    scheduler: str | None = None,
    overwrite: bool = False,
    confirm: int = 0,
    on_trial: Callable[[TrialReport], None] | None = None,
    run: Callable[[RunSpec], RunOutcome] = run_one,
) -> SearchResult:
    """Search the levers of an optimisation file, resuming a search already in ``out``.

    Args:
        source: An :class:`Optimisation` or the path (or shipped name) of an optimisation file.
        out: Directory for the study (SQLite) so the search can resume; None keeps it in memory.
        trials: Trials the search should have in all (default: the file's ``trials``).
        executor: ``serial``, ``process`` or ``dask``: where each trial's runs go.
        workers: Worker processes.
        scheduler: Address of a running Dask scheduler (with ``executor="dask"``).
        overwrite: Discard a study already in ``out`` and start again.
        confirm: Re-run the best this many feasible trials on fresh replicate seeds (the same
            draws) once the search is done, to size the winner's curse (kept in the study;
            ``confirmed_objective`` and ``confirmed_mean`` in the tables).
        on_trial: Called after each trial with a :class:`TrialReport`.
        run: The per-run function: the model by default; a cheap top-level function of a
            :class:`~edsim.experiment.RunSpec` injects a known objective (tests).

    Raises:
        ExperimentError: The file is invalid, ``out`` holds a search of another definition, or
            another process is writing ``out``.
        MissingExtraError: optuna (the ``explore`` extra) is not installed.
    """
    optuna = _optuna()
    spec = source if isinstance(source, Optimisation) else load_optimisation(source)
    total = spec.search.trials if trials is None else trials
    if total < 1:
        raise ExperimentError(f"trials must be at least 1, not {total}")
    directory = ensure_writable_dir(out) if out is not None else None
    with _locked(directory):
        study = _study(optuna, spec, directory, overwrite)
        _fail_stale(optuna, study)
        finished = sum(t.state.is_finished() for t in study.trials)
        # Seeded by how far the search has got, so a resumed search does not replay its start.
        study.sampler = _sampler(optuna, spec, finished)
        pending = _unconfirmed(study, confirm) if finished >= total else [None]
        if finished < total or pending:
            with open_executor(executor, workers=workers, scheduler=scheduler) as pool:
                for _ in range(finished, total):
                    report = _one_trial(optuna, study, spec, pool, run, total)
                    if on_trial is not None:
                        on_trial(report)
                for trial in _unconfirmed(study, confirm):
                    _confirm(study, spec, trial, pool, run)
        table = trials_table(study.trials, spec, study.user_attrs.get("confirmed", {}))
    return SearchResult(spec, table, directory, study)


#: Added to the file's seed for the confirming runs: replicate seeds no trial was chosen on.
CONFIRM_SEED_OFFSET = 1_000_003


def _unconfirmed(study: Any, confirm: int) -> list[Any]:
    """The ``confirm`` best feasible trials not yet re-run on fresh seeds."""
    done = study.user_attrs.get("confirmed", {})
    feasible = [
        t
        for t in study.get_trials(deepcopy=False)
        if t.values is not None and t.user_attrs.get("constraint", math.inf) <= 0
    ]
    best = sorted(feasible, key=lambda t: t.values[0])[:confirm]
    return [t for t in best if str(t.number) not in done]


def _confirm(
    study: Any, spec: Optimisation, trial: Any, pool: Any, run: Callable[[RunSpec], RunOutcome]
) -> None:
    """Re-run a trial's levers on fresh replicate seeds (the same draws) and record the result.

    The best of many noisy trials is partly the luckiest (the winner's curse); its objective on
    seeds no trial was selected on says how much of its lead was luck.
    """
    fresh = dataclasses.replace(
        spec,
        experiment=dataclasses.replace(
            spec.experiment, seed=(spec.experiment.seed + CONFIRM_SEED_OFFSET) % 2**63
        ),
    )
    result = evaluate(fresh, dict(trial.params), executor=pool, run=run)
    confirmed = dict(study.user_attrs.get("confirmed", {}))
    confirmed[str(trial.number)] = (
        {"error": result.error}
        if result.error is not None
        else {
            "objective": result.statistic(spec.percentile),
            "mean": float(result.outcome.mean()),
            "spend": float(result.spend.mean()),
        }
    )
    study.set_user_attr("confirmed", confirmed)


def _optuna() -> Any:
    try:
        import optuna
    except ImportError:
        raise MissingExtraError("optuna", "explore") from None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


@contextlib.contextmanager
def _locked(directory: Path | None) -> Iterator[None]:
    """Hold the output directory's lock (one writer at a time), if there is one."""
    if directory is None:
        yield
        return
    with BatchLock(directory):
        yield


def _study(optuna: Any, spec: Optimisation, directory: Path | None, overwrite: bool) -> Any:
    """The study: created, or loaded from ``directory`` when it is the same search."""
    storage = None
    if directory is not None:
        path = directory / STORAGE
        if overwrite:
            path.unlink(missing_ok=True)
        storage = f"sqlite:///{path}"
    directions = ["minimize", "minimize"] if spec.search.pareto else ["minimize"]
    study = optuna.create_study(
        storage=storage,
        sampler=_sampler(optuna, spec, 0),
        study_name=spec.name,
        directions=directions,
        load_if_exists=True,
    )
    stored = study.user_attrs.get("definition_hash")
    if stored is None:
        study.set_user_attr("definition_hash", spec.definition_hash)
    elif stored != spec.definition_hash:
        raise ExperimentError(
            f"{directory} holds a search of a different definition of {spec.name} (the file "
            "changed since it ran); rerun with --overwrite to start again, or choose another --out"
        )
    return study


def _sampler(optuna: Any, spec: Optimisation, done: int) -> Any:
    """The sampler, seeded from the file's seed and the trials ``done`` before this session.

    The budget reaches it as each trial's constraint (see :func:`_one_trial`).
    """
    seed = (spec.experiment.seed + done) % 2**32
    trials = spec.search.trials
    if spec.sampler == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if spec.sampler == "nsga2":
        population = min(50, max(8, trials // 5))
        return optuna.samplers.NSGAIISampler(population_size=population, seed=seed)
    return optuna.samplers.TPESampler(seed=seed, n_startup_trials=min(10, max(4, trials // 4)))


def _fail_stale(optuna: Any, study: Any) -> None:
    """Mark failed the trials an interrupted session left running (nobody else holds the lock)."""
    for trial in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)):
        study.tell(trial.number, state=optuna.trial.TrialState.FAIL, skip_if_finished=True)


def _distributions(optuna: Any, spec: Optimisation) -> dict[str, Any]:
    """One optuna distribution per lever: a float or int range, or a choice."""
    out: dict[str, Any] = {}
    d = optuna.distributions
    for path, lever in spec.search.levers.items():
        if lever.values is not None:
            out[path] = d.CategoricalDistribution(list(lever.values))
        elif lever_kind(path) is int:
            low, high = math.ceil(lever.min or 0), math.floor(lever.max or 0)
            out[path] = d.IntDistribution(low, high, log=lever.log)
        else:
            low_f, high_f = float(lever.min or 0), float(lever.max or 0)
            out[path] = d.FloatDistribution(low_f, high_f, log=lever.log)
    return out


def _one_trial(
    optuna: Any,
    study: Any,
    spec: Optimisation,
    pool: Any,
    run: Callable[[RunSpec], RunOutcome],
    total: int,
) -> TrialReport:
    """Ask for a trial, evaluate it on every draw, record it and tell the study."""
    trial = study.ask(fixed_distributions=_distributions(optuna, spec))
    levers = dict(trial.params)
    try:
        result = evaluate(spec, levers, executor=pool, run=run)
    except BaseException:
        study.tell(trial, state=optuna.trial.TrialState.FAIL)
        raise
    trial.set_user_attr("seconds", result.seconds)
    if result.error is not None:
        trial.set_user_attr("error", result.error)
        study.tell(trial, state=optuna.trial.TrialState.FAIL)
        return _report(study, trial.number, total, levers, None, result)
    objective = result.statistic(spec.percentile)
    spend = float(result.spend.mean())
    budget = spec.search.budget
    trial.set_user_attr("outcome", [float(v) for v in result.outcome])
    trial.set_user_attr("spend", [float(v) for v in result.spend])
    # optuna's constraint (feasible when <= 0): the samplers learn to stay within the budget.
    trial.set_user_attr("constraint", spend - budget if budget is not None else -1.0)
    if budget is not None:
        trial.set_constraint("budget", spend - budget)
    values = [objective, spend] if spec.search.pareto else objective
    study.tell(trial, values)
    return _report(study, trial.number, total, levers, objective, result)


def _report(
    study: Any,
    number: int,
    total: int,
    levers: dict[str, Any],
    objective: float | None,
    result: Evaluation,
) -> TrialReport:
    """The progress report of a trial, with the best feasible objective so far."""
    feasible = [
        t
        for t in study.get_trials(deepcopy=False)
        if t.values is not None and t.user_attrs.get("constraint", math.inf) <= 0
    ]
    best = min((t.values[0] for t in feasible), default=None)
    spend = float(result.spend.mean()) if result.error is None else None
    ok = result.error is None and any(t.number == number for t in feasible)
    return TrialReport(
        number, total, levers, objective, spend, ok, best, result.seconds, result.error
    )
