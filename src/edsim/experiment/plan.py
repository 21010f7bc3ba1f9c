"""The runs of an experiment and their seeds: common random numbers by construction.

Every run is one (variant, design point, replicate). Replicate *i*'s seed is derived from the
experiment's root seed with :class:`numpy.random.SeedSequence` (spawn key ``(i,)``) and is the
same under every variant and design point, so differences between variants are paired: the same
schools, pupils and trial draws, differing only through the mechanisms that differ. The seed is
a plain integer, so any single run can be repeated with ``edsim run SCENARIO --seed SEED``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from edsim.errors import ExperimentError, ScenarioError
from edsim.model.year_zero import year_zero_key
from edsim.scenario import Scenario

from .design import apply_point, point_problem
from .spec import Experiment

__all__ = ["RunSpec", "plan_runs", "replicate_seed", "year_zero_groups"]


@dataclass(frozen=True)
class RunSpec:
    """Everything one run needs; small and picklable, so any executor can ship it.

    Attributes:
        run_id: ``<variant>-p<point>-r<replicate>``, unique in the experiment and a safe file name.
        scenario_name: The variant's name.
        point: The design point (0 when there is no design).
        replicate: The replicate number.
        seed: The run's seed (the same for this replicate under every variant and point).
        scenario: The variant's scenario with the point's values applied.
        years: Simulated years (None: the scenario's own).
        metrics: The metric columns to keep.
        params: The design point's values, by dotted path.
    """

    run_id: str
    scenario_name: str
    point: int
    replicate: int
    seed: int
    scenario: Scenario
    years: int | None
    metrics: tuple[str, ...]
    params: dict[str, Any]


def replicate_seed(root: int, replicate: int) -> int:
    """The seed of replicate ``replicate`` under root seed ``root`` (a 64-bit integer)."""
    state = np.random.SeedSequence(root, spawn_key=(replicate,)).generate_state(2, np.uint32)
    return int(state[0]) | (int(state[1]) << 32)


def plan_runs(experiment: Experiment) -> list[RunSpec]:
    """Every run of the experiment, replicate-major so early results cover every variant.

    Ordering by replicate first means a batch stopped half-way already holds complete, paired
    replicates of every variant, which is what the comparison needs.

    Raises:
        ExperimentError: A design point gives an invalid scenario in some variant (a large
            design's points are not all checked when the file is read; they are here, before
            any run starts).
    """
    design = experiment.design
    seeds = [replicate_seed(experiment.seed, r) for r in range(experiment.replicates)]
    scenarios = {
        (name, point): _point_scenario(experiment, name, point)
        for name in experiment.scenarios
        for point in range(design.n_points)
    }
    width = len(str(max(design.n_points - 1, 0)))
    rep_width = len(str(max(experiment.replicates - 1, 0)))
    return [
        RunSpec(
            run_id=f"{name}-p{point:0{width}d}-r{replicate:0{rep_width}d}",
            scenario_name=name,
            point=point,
            replicate=replicate,
            seed=seeds[replicate],
            scenario=scenarios[name, point],
            years=experiment.years,
            metrics=experiment.metrics,
            params=design.values(point),
        )
        for replicate in range(experiment.replicates)
        for point in range(design.n_points)
        for name in experiment.scenarios
    ]


def _point_scenario(experiment: Experiment, name: str, point: int) -> Scenario:
    """The variant's scenario at one design point, or the reason it is invalid, located."""
    values = experiment.design.values(point)
    try:
        return apply_point(experiment.scenarios[name].scenario, values)
    except ScenarioError as exc:
        message = point_problem(point, values, name, exc)
        raise ExperimentError(f"{experiment.source}: design.parameters: {message}") from None


def year_zero_groups(specs: list[RunSpec], max_size: int = 8) -> list[tuple[RunSpec, ...]]:
    """The runs grouped by the year-0 state they reach, in the order of their first run.

    Runs with the same seed and the same pre-year-0 settings (usually every variant of one
    replicate and design point, since variants differ in the evidence system) reach the same
    year-0 pupils, so one worker can draw them once for the group (:func:`run_group`). A group
    holds at most ``max_size`` runs, so a large design still spreads over every worker.
    """
    groups: dict[str, list[RunSpec]] = {}
    for spec in specs:
        key = year_zero_key(spec.scenario, np.random.SeedSequence(spec.seed))
        groups.setdefault(key, []).append(spec)
    return [tuple(g[i : i + max_size]) for g in groups.values() for i in range(0, len(g), max_size)]
