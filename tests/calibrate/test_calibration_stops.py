"""The distance, and the stopping rules as pyabc means them, on a calibration of a few seconds."""

import itertools
import math

import pytest

from edsim.calibrate import calibrate, calibration_from_text
from edsim.calibrate.smc import StandardisedDistance

QUICK = """\
kind: calibration
name: quick
base: small
years: 2
seeds: 1
seed: 9
parameters:
  gap_drivers.exogenous.deficit_change: {low: 0.0, high: 0.05}
observed:
  - metric: ks4_gap_index
    years: [2012, 2013]
    values: [3.6, 3.7]
    sd: 0.05
    source: made up for the test
abc: {population: 6, max_generations: 4, min_epsilon: 0.0, min_acceptance: 0.95}
predict: {until: 2013, draws: 1}
"""


def test_the_distance_is_standardised_euclidean_and_missing_values_are_infinitely_far():
    distance = StandardisedDistance((("a@2012", 0.5), ("b@2012", 2.0)))
    observed = {"a@2012": 1.0, "b@2012": 1.0}
    assert distance({"a@2012": 2.0, "b@2012": 5.0}, observed) == pytest.approx(math.sqrt(8))
    assert distance(observed, observed) == 0
    assert math.isinf(distance({"a@2012": math.nan, "b@2012": 1.0}, observed))


def test_a_falling_acceptance_rate_stops_sampling(tmp_path):
    # Generation 0 (the prior, epsilon infinite) accepts nearly everything; generation 1 keeps
    # about half, below min_acceptance, so pyabc gives it up (or it ends below the rule).
    result = calibrate(calibration_from_text(QUICK), out=tmp_path / "out", workers=1)
    manifest = result.manifest
    assert manifest["stop_reason"] == "min_acceptance"
    assert 1 <= manifest["generations"] < 4
    assert manifest["status"] == "complete"


def test_each_generation_narrows_epsilon_like_an_unbroken_pyabc_run(tmp_path):
    # Every generation is its own pyabc run() call; each must take the weighted median of the
    # previous generation's distances (not the first generation's again, not infinity).
    text = QUICK.replace("min_acceptance: 0.95", "min_acceptance: 0.0")
    result = calibrate(calibration_from_text(text), out=tmp_path / "out", workers=1)
    epsilons = list(result.history["epsilon"])
    assert len(epsilons) == 4
    assert math.isinf(epsilons[0])
    assert all(math.isfinite(e) for e in epsilons[1:]), epsilons
    assert all(b < a for a, b in itertools.pairwise(epsilons[1:])), epsilons
