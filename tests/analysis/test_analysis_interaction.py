"""The paired difference-in-differences behind ``seed_mechanisms`` finds what is injected."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from edsim.analysis.interaction import Contrast, mechanism_effects
from edsim.errors import ExperimentError


def trajectories(effect: float, n: int = 40, seed: int = 0) -> pd.DataFrame:
    """A/B with a mechanism on and off; the mechanism adds ``effect`` to A - B.

    Every replicate shares a random world (a large common term), so only pairing reveals a
    small effect; each run adds its own noise of SD 0.05.
    """
    rng = np.random.default_rng(seed)
    world = rng.normal(0.0, 1.0, n)
    base = {"a_on": 0.3 + effect, "b_on": 0.1, "a_off": 0.3, "b_off": 0.1}
    rows = [
        {
            "scenario": name,
            "point": 0,
            "replicate": r,
            "year": 2026,
            "m": world[r] + shift + rng.normal(0.0, 0.05),
        }
        for name, shift in base.items()
        for r in range(n)
    ]
    return pd.DataFrame(rows)


CONTRAST = [Contrast("mech", on=("a_on", "b_on"), off=("a_off", "b_off"))]


def test_an_injected_effect_on_the_comparison_is_found_and_its_interval_covers_it():
    row = mechanism_effects(trajectories(0.08), CONTRAST, ["m"]).iloc[0]
    assert row["n_pairs"] == 40
    assert row["ci_low"] > 0.0, "an effect of 0.08 against noise 0.1 per pair must be detected"
    assert row["ci_low"] < 0.08 < row["ci_high"]
    assert row["with"] == pytest.approx(0.28, abs=0.05)
    assert row["without"] == pytest.approx(0.2, abs=0.05)


def test_no_effect_gives_an_interval_around_zero():
    covered = 0
    for seed in range(40):
        row = mechanism_effects(trajectories(0.0, seed=seed), CONTRAST, ["m"]).iloc[0]
        covered += row["ci_low"] < 0.0 < row["ci_high"]
    assert covered >= 34  # 95% intervals: 38 of 40 expected, 34 is far in the tail


def test_a_missing_scenario_is_an_experiment_error():
    bad = [Contrast("mech", on=("a_on", "nope"), off=("a_off", "b_off"))]
    with pytest.raises(ExperimentError, match="nope"):
        mechanism_effects(trajectories(0.0), bad, ["m"])
