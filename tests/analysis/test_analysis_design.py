"""Design parameters attached to results, per-point outcomes, and quintile reshaping."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from edsim.analysis import (
    design_response,
    gap_by_quintile,
    parameter_columns,
    point_parameters,
    quintiles_long,
    with_parameters,
)
from edsim.errors import ExperimentError

HETEROGENEITY = {0: 0.0, 1: 0.25, 2: 0.5}


def results(failed: tuple[str, int, int] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """3 points x 2 replicates x 2 scenarios, 2 years; the outcome is known per run."""
    runs, rows = [], []
    for scenario in ("none", "linkage_exchange"):
        for point, heterogeneity in HETEROGENEITY.items():
            for replicate in (0, 1):
                run_id = f"{scenario}-{point}-{replicate}"
                ok = failed != (scenario, point, replicate)
                runs.append(
                    {
                        "run_id": run_id,
                        "scenario": scenario,
                        "point": point,
                        "replicate": replicate,
                        "seed": str(replicate),
                        "status": "ok" if ok else "failed",
                        "seconds": 1.0,
                        "error": None if ok else "boom",
                        "worker": "local-1",
                        "truth.heterogeneity": heterogeneity,
                        "population.capacity_gradient": 1.0 + point,
                    }
                )
                if not ok:
                    continue
                effect = -heterogeneity if scenario == "linkage_exchange" else 0.0
                for year in (0, 1):
                    gap = 4.0 + 0.1 * replicate + (effect if year else 0.0)
                    rows.append(
                        {
                            "run_id": run_id,
                            "scenario": scenario,
                            "point": point,
                            "replicate": replicate,
                            "year": year,
                            "calendar_year": 2011 + year,
                            "ks4_gap_index": gap,
                            **{f"ks4_gap_sd_q{q}": 0.3 + 0.1 * q + replicate for q in range(1, 6)},
                        }
                    )
    return pd.DataFrame(runs), pd.DataFrame(rows)


def test_parameters_are_the_non_fixed_run_columns() -> None:
    runs, _ = results()
    assert parameter_columns(runs) == ["truth.heterogeneity", "population.capacity_gradient"]
    params = point_parameters(runs)
    assert list(params["point"]) == [0, 1, 2]
    assert list(params["truth.heterogeneity"]) == [0.0, 0.25, 0.5]


def test_point_with_two_parameter_values_is_refused() -> None:
    runs, _ = results()
    runs.loc[0, "truth.heterogeneity"] = 9.0
    with pytest.raises(ExperimentError, match="design point 0 has runs with different"):
        point_parameters(runs)


def test_with_parameters_adds_values_to_a_per_point_table() -> None:
    runs, _ = results()
    table = pd.DataFrame({"point": [2, 0], "mean_diff": [-0.5, 0.0]})
    out = with_parameters(table, runs, ["truth.heterogeneity"])
    assert list(out.columns) == ["point", "mean_diff", "truth.heterogeneity"]
    assert list(out["truth.heterogeneity"]) == [0.5, 0.0]


def test_design_response_averages_replicates_per_point() -> None:
    runs, trajectories = results()
    X, y = design_response(runs, trajectories, "ks4_gap_index", scenario="linkage_exchange")
    assert list(X.index) == [0, 1, 2]
    assert list(X.columns) == ["truth.heterogeneity", "population.capacity_gradient"]
    assert y == pytest.approx([4.05, 3.80, 3.55])  # mean of replicates 4.0 and 4.1, minus effect
    _, effect = design_response(
        runs, trajectories, "ks4_gap_index", scenario="linkage_exchange", baseline="none"
    )
    assert effect == pytest.approx([0.0, -0.25, -0.5])
    _, year0 = design_response(
        runs, trajectories, "ks4_gap_index", scenario="linkage_exchange", year=0
    )
    assert year0 == pytest.approx([4.05] * 3)


def test_design_response_uses_the_surviving_replicates_and_names_empty_points() -> None:
    runs, trajectories = results(failed=("linkage_exchange", 1, 0))
    _, y = design_response(runs, trajectories, "ks4_gap_index", scenario="linkage_exchange")
    assert y[1] == pytest.approx(4.1 - 0.25)
    dead = trajectories[
        ~((trajectories["scenario"] == "linkage_exchange") & (trajectories["point"] == 1))
    ]
    with pytest.raises(ExperimentError, match=r"1 design point\(s\).*points 1\b"):
        design_response(runs, dead, "ks4_gap_index", scenario="linkage_exchange")


def test_quintiles_long_has_one_row_per_run_and_quintile() -> None:
    _, trajectories = results()
    long = quintiles_long(trajectories, year=1)
    assert len(long) == 12 * 5
    first = long[long["run_id"] == "none-0-0"]
    assert list(first["quintile"]) == [1, 2, 3, 4, 5]
    assert first["gap_sd"].to_numpy() == pytest.approx([0.4, 0.5, 0.6, 0.7, 0.8])


def test_gap_by_quintile_summarises_over_runs() -> None:
    _, trajectories = results()
    out = gap_by_quintile(trajectories, year=1)
    assert len(out) == 2 * 5
    q5 = out[(out["scenario"] == "none") & (out["quintile"] == 5)].iloc[0]
    assert q5["n"] == 6
    assert q5["mean"] == pytest.approx(0.8 + 0.5)  # replicates 0 and 1 alternate +0/+1
    assert q5["ci_low"] < q5["mean"] < q5["ci_high"]
    assert out.attrs["year"] == 1
    with pytest.raises(ExperimentError, match="key stage"):
        gap_by_quintile(trajectories, year=1, key_stage="ks3")
    with pytest.raises(ExperimentError, match="ks2_gap_sd_q1"):
        gap_by_quintile(trajectories, year=1, key_stage="ks2")
    with pytest.raises(ExperimentError, match=r"year\(s\) 4"):
        gap_by_quintile(trajectories, year=4)
    assert np.isfinite(out["sd"]).all()
