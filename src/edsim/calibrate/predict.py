"""Posterior-predictive runs: what the calibrated model says, over the window and beyond it.

``draws`` particles are drawn from the posterior (with probability their weight, from the
calibration's own random stream, so the same posterior gives the same draws) and each is run
over the calibration's replicate seeds to ``predict.until``. The spread of the trajectories is
parameter uncertainty and seed noise together; the figures show it as bands against the
observed points.
"""

from __future__ import annotations

from concurrent.futures import Executor
from typing import Any

import numpy as np
import pandas as pd

from .simulate import Simulator
from .spec import Calibration

__all__ = ["PREDICT_STREAM", "draw_posterior", "predictive", "weighted_quantile"]

#: Spawn key of the posterior-predictive draws' random stream.
PREDICT_STREAM = 2**31 + 2


def draw_posterior(posterior: pd.DataFrame, draws: int, seed: int) -> pd.DataFrame:
    """``draws`` particles drawn with replacement by weight (deterministic for ``seed``)."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(PREDICT_STREAM,)))
    weights = posterior["weight"].to_numpy(dtype=float)
    index = rng.choice(len(posterior), size=draws, replace=True, p=weights / weights.sum())
    return posterior.drop(columns="weight").iloc[index].reset_index(drop=True)


def predictive(
    calibration: Calibration, simulator: Simulator, posterior: pd.DataFrame, executor: Executor
) -> pd.DataFrame:
    """One row per draw, seed and calendar year: the draw's values and the observed metrics.

    Args:
        calibration: The calibration (its seeds, ``predict.until`` and ``predict.draws``).
        simulator: Its simulator, run here for ``until - start_year`` years.
        posterior: The posterior (``weight`` and one column per parameter).
        executor: Where the draws run (each draw is one task over every seed).
    """
    years = calibration.predict_until - calibration.start_year
    drawn = draw_posterior(posterior, calibration.predict_draws, calibration.seed)
    tasks = [executor.submit(_run_draw, simulator, years, dict(row)) for _, row in drawn.iterrows()]
    frames = []
    for draw, task in enumerate(tasks):
        frame = task.result()
        frame.insert(0, "draw", draw)
        for name, value in drawn.iloc[draw].items():
            frame[name] = float(value)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _run_draw(simulator: Simulator, years: int, values: dict[str, Any]) -> pd.DataFrame:
    """One posterior draw over every seed (a top-level function, so any executor ships it)."""
    scenario = simulator.scenario_for(values)
    frames = []
    for replicate, seed in enumerate(simulator.seeds):
        frame = simulator.run_seed(scenario, seed, years).rename(columns={"year": "calendar_year"})
        frame.insert(0, "seed", str(seed))
        frame.insert(0, "replicate", replicate)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The ``q`` quantile of ``values`` under ``weights`` (the inverse of the weighted CDF)."""
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    cumulative /= cumulative[-1]
    at = min(int(np.searchsorted(cumulative, q)), len(values) - 1)
    return float(values[order][at])
