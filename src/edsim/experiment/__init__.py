"""Batch experiments: design -> runs -> one results type (DESIGN.md §10).

- :mod:`.spec`: experiment files, validated and located like scenarios;
- :mod:`.design`: grid, Latin hypercube, Sobol and Morris designs;
- :mod:`.plan`: the runs and their seeds (common random numbers);
- :mod:`.runner`: ``run_one``, the pure unit every executor runs;
- :mod:`.executors`: serial, local processes, Dask (any ``concurrent.futures.Executor``);
- :mod:`.storage` and :mod:`.results`: results written run by run, and read back;
- :mod:`.batch`: ``run_experiment``, which ties them together.
"""

from .batch import Progress, run_experiment
from .executors import EXECUTORS, open_executor
from .plan import RunSpec, plan_runs, replicate_seed
from .results import Results
from .runner import RunOutcome, run_one
from .spec import Experiment, experiment_from_text, load_experiment

__all__ = [
    "EXECUTORS",
    "Experiment",
    "Progress",
    "Results",
    "RunOutcome",
    "RunSpec",
    "experiment_from_text",
    "load_experiment",
    "open_executor",
    "plan_runs",
    "replicate_seed",
    "run_experiment",
    "run_one",
]
