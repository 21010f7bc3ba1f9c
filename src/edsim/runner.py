"""Run one simulation and return its yearly trajectory: the unit every other layer builds on."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pandas as pd

from edsim.model import EdSystemModel
from edsim.model.lifecycle import disposing
from edsim.scenario import Scenario, load_scenario

__all__ = ["run", "simulate"]


def run(
    scenario: Scenario | str | os.PathLike[str] | None = None,
    seed: int = 0,
    *,
    years: int | None = None,
    on_year: Callable[[int, int], None] | None = None,
    **params: Any,
) -> pd.DataFrame:
    """Simulate one scenario with one seed.

    Args:
        scenario: A :class:`Scenario`, a path to a scenario YAML file, or None for the built-in
            default (England at full scale under "disseminate to").
        seed: Root seed; the same scenario and seed always give the same trajectory.
        years: Simulated years after year 0 (default: the scenario's).
        on_year: Progress callback ``on_year(done, total)`` in years, the burn-in included
            (reported as one jump once the system is built).
        **params: Further overrides, as for :class:`~edsim.model.EdSystemModel`.

    Returns:
        One row per year (year 0 to the horizon), one column per metric of
        :data:`edsim.model.METRICS`.

    Raises:
        edsim.errors.ScenarioError: If the scenario or an override is invalid.
    """
    if scenario is not None and not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if years is not None:
        params["years"] = years
    # Disposed of on the way out (raising too), so a batch's memory stays flat: see lifecycle.
    with disposing(EdSystemModel(scenario, rng=seed, **params)) as model:
        return simulate(model, on_year)


def simulate(
    model: EdSystemModel, on_year: Callable[[int, int], None] | None = None
) -> pd.DataFrame:
    """Step a built model to its horizon and return its trajectory (as :func:`run` does).

    For callers that build the model themselves, e.g. from a shared year-0 state
    (:meth:`EdSystemModel.take_year_zero`).
    """
    burn_in = model.config.burn_in_years
    total = burn_in + model.config.years
    if on_year is not None:
        on_year(burn_in, total)
    while model.running:
        model.step()
        if on_year is not None:
            on_year(burn_in + model.year, total)
    return model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
