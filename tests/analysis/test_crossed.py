"""The crossed-design interval for pooled paired differences whose replicates share seeds."""

import numpy as np
import pandas as pd
import pytest

from edsim.analysis import paired_differences
from edsim.analysis._checks import t_interval
from edsim.analysis.crossed import crossed_mean


def _table(rng, d, s, point_sd, seed_sd, noise_sd, mean=0.02):
    values = (
        mean
        + point_sd * rng.standard_normal((d, 1))
        + seed_sd * rng.standard_normal((1, s))
        + noise_sd * rng.standard_normal((d, s))
    )
    return pd.DataFrame(values, index=pd.Index(range(d), name="point"))


def _naive(values, level=0.95):
    flat = values.to_numpy().ravel()
    low, high = t_interval(
        np.array([flat.mean()]), np.array([flat.std(ddof=1)]), np.array([flat.size]), level
    )
    return float(low[0]), float(high[0])


def _coverage(point_sd, seed_sd, noise_sd, n=600, d=10, s=10):
    rng = np.random.default_rng(7)
    crossed_hits = naive_hits = 0
    for _ in range(n):
        table = _table(rng, d, s, point_sd, seed_sd, noise_sd)
        found = crossed_mean(table, 0.95)
        crossed_hits += found.ci_low <= 0.02 <= found.ci_high
        low, high = _naive(table)
        naive_hits += low <= 0.02 <= high
    return crossed_hits / n, naive_hits / n


@pytest.mark.slow
def test_shared_seeds_the_crossed_interval_covers_and_the_pairs_t_interval_does_not():
    # Seeds matter more than draws: what a posterior design of 10 draws x 10 seeds looks like.
    crossed, naive = _coverage(point_sd=0.02, seed_sd=0.05, noise_sd=0.03)
    assert 0.91 <= crossed <= 0.985
    assert naive < 0.75  # the check can fail: the old interval is caught under-covering


@pytest.mark.slow
def test_without_shared_effects_it_is_the_ordinary_interval():
    crossed, naive = _coverage(point_sd=0.0, seed_sd=0.0, noise_sd=0.05)
    assert 0.92 <= crossed <= 0.98
    assert 0.92 <= naive <= 0.98
    rng = np.random.default_rng(3)
    table = _table(rng, 10, 10, 0.0, 0.0, 0.05)
    found = crossed_mean(table, 0.95)
    low, high = _naive(table)
    assert found.ci_high - found.ci_low == pytest.approx(high - low, rel=0.2)


def test_one_point_or_one_seed_leaves_it_to_the_t_interval():
    rng = np.random.default_rng(1)
    assert crossed_mean(_table(rng, 1, 10, 0.0, 0.05, 0.03), 0.95) is None
    assert crossed_mean(_table(rng, 10, 1, 0.0, 0.05, 0.03), 0.95) is None


def test_a_missing_pair_drops_the_smaller_loss():
    rng = np.random.default_rng(2)
    table = _table(rng, 10, 6, 0.02, 0.05, 0.03)
    table.iloc[3, 2] = np.nan  # a seed holds 10 cells, a point 6: drop the point
    found = crossed_mean(table, 0.95)
    assert (found.points, found.seeds) == (9, 6)
    table = _table(rng, 4, 12, 0.02, 0.05, 0.03)
    table.iloc[1, 5] = np.nan  # a seed holds 4 cells, a point 12: drop the seed
    found = crossed_mean(table, 0.95)
    assert (found.points, found.seeds) == (4, 11)


def _trajectories(rng, d=6, s=8):
    rows = []
    seed_luck = 0.05 * rng.standard_normal(s)
    for point in range(d):
        for rep in range(s):
            base = rng.standard_normal()
            for scenario, shift in (("a", 0.0), ("b", 0.02 + seed_luck[rep])):
                rows.append(
                    {"scenario": scenario, "point": point, "replicate": rep, "year": 15}
                    | {"m": base + shift + 0.01 * rng.standard_normal()}
                )
    return pd.DataFrame(rows)


def test_paired_differences_take_the_crossed_interval_when_asked():
    frame = _trajectories(np.random.default_rng(4))
    plain = paired_differences(frame, "m", baseline="a", pool_points=True)
    crossed = paired_differences(frame, "m", baseline="a", pool_points=True, crossed=True)
    assert crossed["mean_diff"].iloc[0] == pytest.approx(plain["mean_diff"].iloc[0])
    assert crossed["n_pairs"].iloc[0] == plain["n_pairs"].iloc[0] == 48
    table = (
        frame.pivot_table(index=["point", "replicate"], columns="scenario", values="m")
        .eval("b - a")
        .unstack("replicate")
    )
    want = crossed_mean(table, 0.95)
    assert crossed["ci_low"].iloc[0] == pytest.approx(want.ci_low)
    assert crossed["ci_high"].iloc[0] == pytest.approx(want.ci_high)
    # Every pair carries its seed's luck: the crossed interval is the wider, honest one.
    width = crossed["ci_high"] - crossed["ci_low"]
    assert width.iloc[0] > 1.5 * (plain["ci_high"] - plain["ci_low"]).iloc[0]
