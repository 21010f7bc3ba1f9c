"""SALib wrappers recover known indices, and refuse designs that do not fit the method."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample
from SALib.test_functions import Ishigami, Sobol_G

from edsim.analysis import design_problem, morris_indices, sobol_indices, sobol_second_order
from edsim.errors import ExperimentError, MissingExtraError

PI = float(np.pi)
ISHIGAMI = {"x1": (-PI, PI), "x2": (-PI, PI), "x3": (-PI, PI)}
# Analytic indices of Ishigami (a=7, b=0.1).
S1_TRUE = np.array([0.3139, 0.4424, 0.0])
ST_TRUE = np.array([0.5576, 0.4424, 0.2437])


def sobol_design(bounds: dict, n: int, second_order: bool) -> pd.DataFrame:
    problem = design_problem(bounds)
    values = sobol_sample.sample(problem, n, calc_second_order=second_order, seed=1)
    return pd.DataFrame(values, columns=problem["names"])


def test_design_problem_keeps_dict_order() -> None:
    problem = design_problem({"b.z": (0, 1), "a.y": (2.0, 3.5)})
    assert problem == {"num_vars": 2, "names": ["b.z", "a.y"], "bounds": [[0.0, 1.0], [2.0, 3.5]]}
    with pytest.raises(ExperimentError, match="low < high"):
        design_problem({"a": (1.0, 1.0)})
    with pytest.raises(ExperimentError, match="at least one"):
        design_problem({})


def test_sobol_recovers_ishigami_indices() -> None:
    X = sobol_design(ISHIGAMI, 1024, second_order=False)
    out = sobol_indices(X, Ishigami.evaluate(X.to_numpy()), bounds=ISHIGAMI, second_order=False)
    assert list(out.columns) == ["parameter", "S1", "S1_conf", "ST", "ST_conf"]
    assert list(out["parameter"]) == ["x1", "x2", "x3"]
    # With N = 1024 the bootstrap half-widths are about 0.02-0.08.
    assert out["S1"].to_numpy() == pytest.approx(S1_TRUE, abs=0.05)
    assert out["ST"].to_numpy() == pytest.approx(ST_TRUE, abs=0.05)
    assert (np.abs(out["S1"] - S1_TRUE) <= out["S1_conf"]).all()
    assert (np.abs(out["ST"] - ST_TRUE) <= out["ST_conf"]).all()
    assert (out[["S1_conf", "ST_conf"]] < 0.1).all().all()


def test_sobol_second_order_finds_the_x1_x3_interaction() -> None:
    X = sobol_design(ISHIGAMI, 512, second_order=True)
    y = Ishigami.evaluate(X.to_numpy())
    first = sobol_indices(X, y, bounds=ISHIGAMI, second_order=True)
    assert first["ST"].to_numpy() == pytest.approx(ST_TRUE, abs=0.08)
    pairs = sobol_second_order(X, y, bounds=ISHIGAMI).set_index(["parameter_1", "parameter_2"])
    # Ishigami's only interaction is x1·x3 (analytic S13 = ST3 = 0.2437).
    assert pairs.loc[("x1", "x3"), "S2"] == pytest.approx(0.2437, abs=0.1)
    assert abs(pairs.loc[("x1", "x2"), "S2"]) < 0.1
    assert abs(pairs.loc[("x2", "x3"), "S2"]) < 0.1


def test_sobol_bootstrap_is_reproducible_with_seed_zero() -> None:
    X = sobol_design(ISHIGAMI, 128, second_order=False)
    y = Ishigami.evaluate(X.to_numpy())
    first = sobol_indices(X, y, bounds=ISHIGAMI, second_order=False, seed=0)
    pd.testing.assert_frame_equal(
        sobol_indices(X, y, bounds=ISHIGAMI, second_order=False, seed=0), first
    )
    other = sobol_indices(X, y, bounds=ISHIGAMI, second_order=False, seed=1)
    assert not np.allclose(other["S1_conf"], first["S1_conf"])
    assert np.allclose(other["S1"], first["S1"])  # the estimate itself is not resampled


def test_sobol_columns_are_matched_by_name() -> None:
    X = sobol_design(ISHIGAMI, 256, second_order=False)
    y = Ishigami.evaluate(X.to_numpy())
    shuffled_columns = X[["x3", "x1", "x2"]]
    pd.testing.assert_frame_equal(
        sobol_indices(shuffled_columns, y, bounds=ISHIGAMI, second_order=False),
        sobol_indices(X, y, bounds=ISHIGAMI, second_order=False),
    )


def test_sobol_refuses_wrong_shapes_and_orders() -> None:
    X = sobol_design(ISHIGAMI, 64, second_order=False)  # 64·(3+2) = 320 rows
    y = Ishigami.evaluate(X.to_numpy())
    with pytest.raises(ExperimentError, match=r"N·\(D\+2\) = N·5 rows; got 319"):
        sobol_indices(X.iloc[:-1], y[:-1], bounds=ISHIGAMI, second_order=False)
    with pytest.raises(ExperimentError, match=r"N·\(2D\+2\) = N·8 rows; got 300"):
        sobol_indices(X.iloc[:300], y[:300], bounds=ISHIGAMI, second_order=True)
    with pytest.raises(ExperimentError, match="outcome has 319 values"):
        sobol_indices(X, y[:-1], bounds=ISHIGAMI, second_order=False)
    sorted_rows = X.sort_values("x1").reset_index(drop=True)
    with pytest.raises(ExperimentError, match="sample order"):
        sobol_indices(sorted_rows, y, bounds=ISHIGAMI, second_order=False)
    with pytest.raises(ExperimentError, match=r"missing: x3; unexpected: z"):
        sobol_indices(X.rename(columns={"x3": "z"}), y, bounds=ISHIGAMI, second_order=False)
    y_gap = y.copy()
    y_gap[7] = np.nan
    with pytest.raises(ExperimentError, match="row 7"):
        sobol_indices(X, y_gap, bounds=ISHIGAMI, second_order=False)


def test_morris_is_exact_for_a_linear_model() -> None:
    bounds = {"a": (0.0, 2.0), "b": (10.0, 11.0), "c": (-1.0, 1.0)}
    problem = design_problem(bounds)
    X = pd.DataFrame(
        morris_sample.sample(problem, 20, num_levels=4, seed=2), columns=["a", "b", "c"]
    )
    y = 3.0 * X["a"] - 5.0 * X["b"] + 0.0 * X["c"]
    out = morris_indices(X, y.to_numpy(), bounds=bounds).set_index("parameter")
    # Elementary effects are per unit of the range scaled to [0, 1]: slope x range.
    assert out["mu_star"].to_numpy() == pytest.approx([6.0, 5.0, 0.0])
    assert out["mu"].to_numpy() == pytest.approx([6.0, -5.0, 0.0])
    assert out["sigma"].to_numpy() == pytest.approx([0.0, 0.0, 0.0], abs=1e-9)


def test_morris_ranks_sobol_g_parameters_by_importance() -> None:
    # Sobol's G function: a smaller coefficient a_i means a more important x_i.
    a = np.array([0.0, 1.0, 4.5, 9.0, 99.0])
    bounds = {f"x{i + 1}": (0.0, 1.0) for i in range(a.size)}
    problem = design_problem(bounds)
    X = pd.DataFrame(
        morris_sample.sample(problem, 60, num_levels=4, seed=3), columns=problem["names"]
    )
    out = morris_indices(X, Sobol_G.evaluate(X.to_numpy(), a), bounds=bounds)
    assert list(out.sort_values("mu_star", ascending=False)["parameter"]) == problem["names"]
    assert (out["mu_star_conf"] > 0).all()


def test_morris_refuses_wrong_shapes_levels_and_orders() -> None:
    problem = design_problem(ISHIGAMI)
    X = pd.DataFrame(
        morris_sample.sample(problem, 10, num_levels=4, seed=0), columns=["x1", "x2", "x3"]
    )
    y = Ishigami.evaluate(X.to_numpy())
    with pytest.raises(ExperimentError, match=r"N·\(D\+1\) = N·4 rows.*got 39"):
        morris_indices(X.iloc[:-1], y[:-1], bounds=ISHIGAMI)
    with pytest.raises(ExperimentError, match="6-level Morris grid"):
        morris_indices(X, y, bounds=ISHIGAMI, num_levels=6)
    with pytest.raises(ExperimentError, match="Morris sample order"):
        morris_indices(X.iloc[::-1].iloc[np.r_[1:40, 0]], y, bounds=ISHIGAMI)


def test_missing_salib_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [name for name in sys.modules if name == "SALib" or name.startswith("SALib.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "SALib", None)
    X = pd.DataFrame({"x1": [0.0] * 5, "x2": [0.0] * 5, "x3": [0.0] * 5})
    with pytest.raises(MissingExtraError, match=r"edsim\[sensitivity\]"):
        sobol_indices(X, np.zeros(5), bounds=ISHIGAMI, second_order=False)
