"""The compiled pupil kernel against the plain NumPy arithmetic it replaces."""

import numpy as np
import pytest

from edsim.model.kernels import progress, school_sums
from edsim.model.ordering import quantile, rank_sum_below, sort_order


def _numpy_progress(z, boost, dis, school, noise, va, gains, scalars, relief=None):
    deficit, sigma, persistence, cut, centre, sd = scalars
    owed = deficit if relief is None else deficit - relief[school]
    z = z + (va[school] - owed * dis + sigma * noise)
    boost = boost * persistence
    if gains is not None:
        universal, targeted, moderator = gains
        measured = z + boost
        reached = dis | (measured < cut)
        gain = universal[school] + targeted[school] * reached
        gain = gain + moderator[school] * ((measured - centre) / sd)
        boost = boost + sd * gain
    return z, boost


@pytest.mark.parametrize("with_relief", [False, True])
@pytest.mark.parametrize("with_gains", [False, True])
@pytest.mark.parametrize("with_moderator", [False, True])
def test_kernel_matches_numpy(with_gains, with_moderator, with_relief):
    rng = np.random.default_rng(4)
    n, n_schools = 5000, 40
    z, boost = rng.standard_normal(n), 0.1 * rng.random(n)
    dis = rng.random(n) < 0.3
    school = rng.integers(0, n_schools, n).astype(np.int32)
    noise, va = np.random.default_rng(99).standard_normal(n), 0.05 * rng.standard_normal(n_schools)
    moderator = 0.02 * rng.standard_normal(n_schools) if with_moderator else np.zeros(n_schools)
    gains = (
        (0.03 * rng.random(n_schools), 0.05 * rng.random(n_schools), moderator)
        if with_gains
        else None
    )
    scalars = (0.04, 0.3, 0.6, -0.8, 0.1, 1.2)
    relief = 0.02 + 0.02 * rng.random(n_schools) if with_relief else None
    want_z, want_b = _numpy_progress(z, boost, dis, school, noise, va, gains, scalars, relief)
    if with_relief:  # the relief moves the disadvantaged pupils' progress and no one else's
        plain_z, _ = _numpy_progress(z, boost, dis, school, noise, va, gains, scalars)
        assert np.all(want_z[dis] > plain_z[dis])
        assert np.array_equal(want_z[~dis], plain_z[~dis])
    # The kernel draws its noise from a generator: the same one, fresh, that drew ``noise``.
    progress(z, boost, dis, school, np.random.default_rng(99), va, gains, scalars, relief)
    np.testing.assert_allclose(z, want_z, rtol=0, atol=1e-12)
    np.testing.assert_allclose(boost, want_b, rtol=0, atol=1e-12)
    if with_gains:  # the targeting reached some pupils and not others
        assert 0 < np.mean(boost > 0.6 * 0.1) < 1


@pytest.mark.parametrize("n", [1, 2, 3, 10, 999, 10_000])
@pytest.mark.parametrize("q", [0.0, 0.1, 0.25, 0.5, 0.999, 1.0])
def test_quantile_is_numpys(n, q):
    x = np.random.default_rng(n).standard_normal(n)
    assert quantile(x, q) == np.quantile(x, q)


@pytest.mark.parametrize("n", [1, 2, 7, 1000, 200_000])
def test_sort_order_is_argsort_up_to_near_ties(n):
    rng = np.random.default_rng(n)
    x = rng.standard_normal(n) * 3
    x[: n // 10] = np.round(x[: n // 10], 1)  # exact ties keep their order of position
    group = rng.integers(0, 9, n)
    for got, want, keys in (
        (sort_order(x), np.argsort(x, kind="stable"), (x,)),
        (sort_order(-x, group, 9), np.lexsort((-x, group)), (-x, group)),
    ):
        assert sorted(got) == list(range(n))  # a permutation
        # Sorted, and where it differs from argsort only values within 1e-9 were swapped.
        values = keys[0][got]
        if len(keys) == 2:
            assert np.all(np.diff(keys[1][got]) >= 0)
            same = np.diff(keys[1][got]) == 0
            assert np.all(np.diff(values)[same] >= -1e-9 * (1 + np.abs(values[1:][same])))
        else:
            assert np.all(np.diff(values) >= -1e-9 * (1 + np.abs(values[1:])))
        differ = got != want
        assert differ.mean() < 0.01  # rare: near ties, and -0.0 before 0.0
        np.testing.assert_allclose(keys[0][got[differ]], keys[0][want[differ]], rtol=1e-9)


@pytest.mark.parametrize("decimals", [None, 1])
def test_rank_sum_below_counts_ties_as_half(decimals):
    rng = np.random.default_rng(3)
    mine, others = rng.standard_normal(3000), rng.standard_normal(7000)
    if decimals is not None:
        mine, others = np.round(mine, decimals), np.round(others, decimals)
    mine, others = np.sort(mine), np.sort(others)
    want = sum(np.searchsorted(others, mine, side=side).sum() for side in ("left", "right")) / 2
    assert rank_sum_below(mine, others) == want


def test_school_sums_equal_bincounts():
    rng = np.random.default_rng(5)
    school = rng.integers(0, 50, 10_000).astype(np.int32)
    dis, x = rng.random(10_000) < 0.3, rng.standard_normal(10_000)
    got = school_sums(school, dis, x, 60, True)
    want = [
        np.bincount(school, minlength=60),
        np.bincount(school, weights=dis, minlength=60),
        np.bincount(school, weights=x, minlength=60),
        np.bincount(school, weights=x * dis, minlength=60),
    ]
    for g, w in zip(got, want, strict=True):
        np.testing.assert_array_equal(g, w)
