"""The outcome measures against hand computations."""

import numpy as np
import pytest

from edsim.model.metrics import (
    gap_by_group,
    gap_index,
    intra_cluster_correlation,
    mean_gap,
    percentile_ranks,
    share_at_or_above,
)


def test_percentile_ranks_average_ties_mid_rank():
    # ranks 4, 1, 2.5, 2.5 of n=4 -> (r - 0.5) / 4
    assert percentile_ranks([3.0, 1.0, 2.0, 2.0]) == pytest.approx([0.875, 0.125, 0.5, 0.5])


def test_gap_index_full_separation_is_ten():
    # disadvantaged at positions 1, 2 of 5: mean rank 0.2; others 0.7 -> 20 * 0.5
    assert gap_index([1, 2, 3, 4, 5], [True, True, False, False, False]) == pytest.approx(10.0)
    assert gap_index([1, 2, 3, 4, 5], [False, False, False, True, True]) == pytest.approx(-10.0)


def test_gap_index_with_ties_by_hand():
    # average ranks 1.5, 1.5, 3, 4 -> positions .25 .25 .625 .875
    # disadvantaged (0 and 3): .5625; others (1 and 2): .4375 -> 20 * -.125
    assert gap_index([1, 1, 2, 3], [True, False, False, True]) == pytest.approx(-2.5)


def test_gap_index_no_gap_and_empty_groups():
    assert gap_index([5, 5, 5, 5], [True, False, True, False]) == 0.0
    assert gap_index([1, 2, 3], [False, False, False]) == 0.0
    assert gap_index([1, 2, 3], [True, True, True]) == 0.0


def test_gap_index_matches_normal_approximation():
    # docs/sources.md: two normal groups, 27% disadvantaged, index ~ 5.4 x gap in SD.
    rng = np.random.default_rng(0)
    n = 400_000
    dis = rng.random(n) < 0.27
    z = rng.standard_normal(n) - 0.75 * dis
    assert gap_index(z, dis) == pytest.approx(4.04, abs=0.03)


def test_mean_gap_and_shares():
    scores = np.array([0.0, 1.0, 2.0, 3.0])
    dis = np.array([True, True, False, False])
    assert mean_gap(scores, dis) == pytest.approx(2.0)
    assert mean_gap(scores, dis, sd_unit=4.0) == pytest.approx(0.5)
    assert share_at_or_above(scores, 1.0) == pytest.approx(0.75)
    assert share_at_or_above(scores, 1.0, dis) == pytest.approx(0.5)
    assert share_at_or_above(scores, 9.0, np.zeros(4, bool)) == 0.0


def test_gap_by_group_by_hand():
    scores = np.array([0.0, 2.0, 1.0, 5.0, 7.0, 3.0])
    dis = np.array([True, False, True, False, True, True])
    group = np.array([0, 0, 0, 1, 1, 2])
    gaps = gap_by_group(scores, dis, group, 3)
    # group 0: others 2, dis mean 0.5 -> 1.5; group 1: 5 - 7 = -2; group 2 has no others -> 0
    assert gaps == pytest.approx([1.5, -2.0, 0.0])


def test_icc_by_hand():
    # clusters {0, 2} and {4, 6}: grand mean 3, cluster means 1 and 5 -> between var 4;
    # total var = mean of (9, 1, 1, 9) = 5 -> ICC 0.8
    assert intra_cluster_correlation([0, 2, 4, 6], [7, 7, 9, 9]) == pytest.approx(0.8)
    assert intra_cluster_correlation([1, 2, 1, 2], [0, 0, 1, 1]) == pytest.approx(0.0)


def test_gap_index_never_overshoots_its_range():
    # Perfect separation in a large cohort used to give 10.000000000000002.
    x = np.arange(3000.0)
    d = np.zeros(3000, bool)
    d[:135] = True
    assert gap_index(x, d) == 10.0


@pytest.mark.parametrize("decimals", [None, 1, 0])
def test_gap_index_equals_the_mean_percentile_rank_difference_with_and_without_ties(decimals):
    rng = np.random.default_rng(9)
    x = rng.standard_normal(20_000) + 0.4 * (dis := rng.random(20_000) < 0.27) * -1
    if decimals is not None:  # many ties, across and within the groups
        x = np.round(x, decimals)
    ranks = percentile_ranks(x)
    want = 20 * (ranks[~dis].mean() - ranks[dis].mean())
    assert gap_index(x, dis) == pytest.approx(want, abs=1e-12)
