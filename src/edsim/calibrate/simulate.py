"""The simulator ABC calls: parameter values in, the observed patterns' summary statistics out.

A particle's summary statistic is the mean, over the calibration's replicate seeds, of each
observed metric in each observed calendar year. Every particle runs the same seeds (common
random numbers), so the statistic is a deterministic function of the parameters and two
particles differ only through them.

Each seed's year-0 pupils are drawn once per process and kept (:class:`~edsim.model.year_zero.
YearZero`): a particle whose parameters leave the pre-year-0 sections as the base has them
starts every seed from its snapshot (about a quarter of the cost of a run at 10% of England),
bit for bit the run it would be from scratch. The snapshots are built in the parent before
local workers fork, so the workers share them; a Dask worker builds its own on first use. The
cache holds one calibration's snapshots (``seeds`` of them, about 16 MB each at 10% of
England), so memory stays bounded.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from edsim.model import EdSystemModel
from edsim.model.lifecycle import disposing
from edsim.model.year_zero import YearZero, year_zero_key
from edsim.runner import simulate
from edsim.scenario import Scenario, apply_values

__all__ = ["Simulator", "clear_snapshots", "exit_with"]

#: Year-0 snapshots of this process, by :func:`~edsim.model.year_zero.year_zero_key`.
_SNAPSHOTS: dict[str, YearZero] = {}

#: The calibration process that forked this one, when it is a local worker (see exit_with).
_PARENT: dict[str, int | None] = {"pid": None}


def exit_with(pid: int | None) -> None:
    """Make the processes forked from now on exit when process ``pid`` is gone (None: stop).

    pyabc's local workers are forked processes that loop until enough particles are accepted;
    if the calibration is killed outright (``kill -9``) nothing tells them, and they would run
    on, then block for ever on a queue nobody reads. So each worker checks, before every
    particle, that the process it was forked from is still its parent, and exits if not.
    """
    _PARENT["pid"] = pid


def clear_snapshots() -> None:
    """Forget this process's year-0 snapshots (the memory goes back at once)."""
    _SNAPSHOTS.clear()


@dataclass(frozen=True)
class Simulator:
    """The model as ABC sees it; small and picklable (Dask ships it to its workers).

    Attributes:
        scenario: The base scenario.
        seeds: The replicate seeds every particle runs.
        years: Years simulated after year 0.
        stats: The summary statistics, ``{metric@year: (metric, calendar year)}``.
        kinds: Each parameter's number type (whole-number parameters are rounded).
    """

    scenario: Scenario
    seeds: tuple[int, ...]
    years: int
    stats: tuple[tuple[str, str, int], ...]
    kinds: tuple[tuple[str, str], ...]

    def __call__(self, parameters: Mapping[str, Any]) -> dict[str, float]:
        """The particle's summary statistics, ``{metric@year: mean over the seeds}``.

        A particle whose values make the scenario invalid (possible only where parameters
        constrain each other) gets NaN statistics, which the distance makes infinite, so it is
        rejected rather than stopping the calibration.
        """
        parent = _PARENT["pid"]
        if parent is not None and os.getpid() != parent and os.getppid() != parent:
            os._exit(1)  # a forked worker whose calibration was killed: nobody wants this
        try:
            scenario = self.scenario_for(parameters)
        except Exception:  # an invalid combination: rejected, never raised into pyabc
            return {key: math.nan for key, _, _ in self.stats}
        frames = [self.run_seed(scenario, seed, self.years) for seed in self.seeds]
        stacked = pd.concat(frames, ignore_index=True)
        means = stacked.groupby("year").mean(numeric_only=True).to_dict()
        return {key: float(means[metric][year]) for key, metric, year in self.stats}

    def scenario_for(self, parameters: Mapping[str, Any]) -> Scenario:
        """The base scenario with a particle's values set (whole numbers rounded)."""
        kinds = dict(self.kinds)
        values = {
            path: (round(float(v)) if kinds.get(path) == "int" else float(v))
            for path, v in parameters.items()
            if path in kinds
        }
        return apply_values(self.scenario, values, source="<calibration particle>")

    def prepare(self) -> None:
        """Build the year-0 snapshot of every seed now (in the parent, before workers fork)."""
        for seed in self.seeds:
            self._snapshot(self.scenario, seed)

    def run_seed(self, scenario: Scenario, seed: int, years: int) -> pd.DataFrame:
        """One seed's trajectory of the observed metrics, ``year`` the calendar year."""
        snapshot = self._snapshot(scenario, seed)
        model = EdSystemModel(scenario, rng=seed, year_zero=snapshot, years=years)
        with disposing(model):
            frame = simulate(model)
        metrics = list(dict.fromkeys(metric for _, metric, _ in self.stats))
        return frame[["year", *metrics]].astype({"year": "int64"})

    def _snapshot(self, scenario: Scenario, seed: int) -> YearZero | None:
        """The seed's year-0 state for this scenario, when it is the base's; None otherwise.

        A particle that changes a pre-year-0 section reaches other year-0 pupils, so it runs
        from scratch; only the base's snapshots are kept, one per seed.
        """
        key = year_zero_key(scenario, np.random.SeedSequence(seed))
        if key in _SNAPSHOTS:
            return _SNAPSHOTS[key]
        if key != year_zero_key(self.scenario, np.random.SeedSequence(seed)):
            return None
        if len(_SNAPSHOTS) >= len(self.seeds):  # another calibration's: give the memory back
            _SNAPSHOTS.clear()
        model = EdSystemModel(self.scenario, rng=seed, years=1)
        with disposing(model):
            _SNAPSHOTS[key] = model.take_year_zero()
        return _SNAPSHOTS[key]


def simulator_for(
    scenario: Scenario,
    seeds: tuple[int, ...],
    years: int,
    kinds: Mapping[str, type],
    stats: Mapping[str, tuple[str, int]],
) -> Simulator:
    """A :class:`Simulator` from plain settings (kinds as type names, so it pickles anywhere)."""
    return Simulator(
        scenario=scenario,
        seeds=seeds,
        years=years,
        stats=tuple((key, metric, year) for key, (metric, year) in stats.items()),
        kinds=tuple((path, kind.__name__) for path, kind in kinds.items()),
    )
