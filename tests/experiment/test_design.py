"""Designs: grids are full factorials, samplers cover their ranges, points are reproducible."""

import numpy as np
import pytest

from conftest import TINY
from edsim.experiment import experiment_from_text, plan_runs, replicate_seed


def design(block: str, seed: int = 7):
    return experiment_from_text(TINY.replace("seed: 7", f"seed: {seed}") + block, "e.yaml").design


def test_grid_is_every_combination_in_order() -> None:
    d = design(
        "design:\n  method: grid\n  parameters:\n"
        "    truth.heterogeneity: {values: [0.0, 0.1, 0.2]}\n"
        "    regime.partnerships.schools_per_partnership: {values: [5, 30]}\n"
    )
    assert d.n_points == 6
    assert d.points[0] == (0.0, 5)
    assert d.points[1] == (0.0, 30)
    assert d.points[5] == (0.2, 30)
    table = d.table()
    assert list(table.columns) == [
        "point",
        "truth.heterogeneity",
        "regime.partnerships.schools_per_partnership",
    ]


@pytest.mark.parametrize("n", [10, 37])
def test_latin_hypercube_hits_every_stratum_of_every_range_once(n: int) -> None:
    d = design(
        "design:\n  method: lhs\n"
        f"  samples: {n}\n  parameters:\n"
        "    truth.heterogeneity: {min: 0.05, max: 0.45}\n"
        "    schools.capacity_gradient: {min: 0.0, max: 1.5}\n"
    )
    points = np.array(d.points)
    assert points.shape == (n, 2)
    for column, (low, high) in zip(points.T, d.ranges, strict=True):
        assert low <= column.min()
        assert column.max() <= high
        strata = np.floor((column - low) / (high - low) * n).astype(int)
        assert sorted(strata) == list(range(n))  # one point in each of the n equal slices


def test_sobol_and_morris_sizes_bounds_and_whole_numbers() -> None:
    params = (
        "  parameters:\n"
        "    truth.heterogeneity: {min: 0.0, max: 0.3}\n"
        "    regime.partnerships.schools_per_partnership: {min: 2, max: 40}\n"
        "    schools.capacity_gradient: {min: 0.0, max: 1.0}\n"
    )
    sobol = design("design:\n  method: sobol\n  samples: 16\n" + params)
    assert sobol.n_points == 16 * (3 + 2)
    second = design("design:\n  method: sobol\n  samples: 16\n  second_order: true\n" + params)
    assert second.n_points == 16 * (2 * 3 + 2)
    morris = design("design:\n  method: morris\n  samples: 6\n  levels: 4\n" + params)
    assert morris.n_points == 6 * (3 + 1)
    for d in (sobol, second, morris):
        points = np.array(d.points, dtype=float)
        assert (points.min(axis=0) >= [0.0, 2, 0.0]).all()
        assert (points.max(axis=0) <= [0.3, 40, 1.0]).all()
        assert all(isinstance(p[1], int) for p in d.points)  # a whole-number parameter


def test_points_depend_on_the_root_seed_only() -> None:
    block = (
        "design:\n  method: lhs\n  samples: 5\n"
        "  parameters:\n    truth.heterogeneity: {min: 0, max: 0.3}\n"
    )
    assert design(block, 1).points == design(block, 1).points
    assert design(block, 1).points != design(block, 2).points


def test_every_variant_and_point_shares_each_replicates_seed() -> None:
    exp = experiment_from_text(
        TINY
        + "design:\n  method: grid\n  parameters:\n    truth.heterogeneity: {values: [0.0, 0.2]}\n",
        "e.yaml",
    )
    runs = plan_runs(exp)
    assert len(runs) == exp.n_runs == 2 * 2 * 3
    assert len({r.run_id for r in runs}) == len(runs)
    for replicate in range(3):
        seeds = {r.seed for r in runs if r.replicate == replicate}
        assert seeds == {replicate_seed(7, replicate)}  # common random numbers
    assert len({replicate_seed(7, r) for r in range(100)}) == 100
    heterogeneity = {r.point: r.scenario.truth.heterogeneity for r in runs}
    assert heterogeneity == {0: 0.0, 1: 0.2}
    assert replicate_seed(7, 0) == replicate_seed(7, 0) != replicate_seed(8, 0)


def test_a_list_item_can_be_varied() -> None:
    exp = experiment_from_text(
        TINY
        + "design:\n  method: grid\n  parameters:\n"
        + "    interventions.0.months: {values: [1.0, 9.0]}\n",
        "e.yaml",
    )
    months = {r.point: r.scenario.interventions[0].months for r in plan_runs(exp)}
    assert months == {0: 1.0, 1: 9.0}
    others = {r.scenario.interventions[1].months for r in plan_runs(exp)}
    assert len(others) == 1  # only the named item changes
