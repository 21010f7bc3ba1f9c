"""Scenario discovery: PRIM finds a box planted in a synthetic outcome, and none where none is.

The results are built by hand (two variants, a Latin-hypercube-like design over three
parameters), so the truth is known: the paired difference A - B is -1 inside the planted box
(x1 > 0.6 and x2 < 0.4) and noise around +0.5 elsewhere; x3 does nothing.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from edsim.errors import ExperimentError
from edsim.experiment import Results
from edsim.explore import Discovery, default_box, discover, write_discovery

NAMES = ["p.x1", "p.x2", "p.x3"]


def synthetic(planted: bool, n: int = 400, seed: int = 0) -> Results:
    """Results of two variants whose paired difference is set per point."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.0, 1.0, (n, 3))
    inside = (x[:, 0] > 0.6) & (x[:, 1] < 0.4)
    if planted:
        diff = np.where(inside, -1.0, 0.5) + rng.normal(0.0, 0.1, n)
    else:
        diff = rng.normal(0.0, 1.0, n)
    runs, rows = [], []
    for point in range(n):
        for scenario, value in (("b", 3.0), ("a", 3.0 + diff[point])):
            run_id = f"{scenario}-p{point}-r0"
            runs.append(
                {
                    "run_id": run_id,
                    "scenario": scenario,
                    "point": point,
                    "replicate": 0,
                    "seed": 1,
                    "status": "ok",
                    "seconds": 0.0,
                    "error": None,
                    "worker": "",
                    **dict(zip(NAMES, x[point], strict=True)),
                }
            )
            for year in (0, 1):
                rows.append(
                    {
                        "run_id": run_id,
                        "scenario": scenario,
                        "point": point,
                        "replicate": 0,
                        "year": year,
                        "calendar_year": 2011 + year,
                        "gap": 3.0 if year == 0 else value,
                    }
                )
    manifest = {
        "experiment": {
            "name": "synthetic",
            "baseline": "b",
            "metrics": ["gap"],
            "outcome": {"scenario": "a", "baseline": "b", "metric": "gap"},
        },
        "scenarios": {"b": {}, "a": {}},
        "definition": {
            "design": {"method": "lhs", "parameters": NAMES, "ranges": [[0.0, 1.0]] * 3}
        },
    }
    return Results(pd.DataFrame(runs), pd.DataFrame(rows), manifest)


def found_planted_box(found: Discovery) -> bool:
    """Whether the chosen box is the planted one: x1 >= ~0.6 and x2 <= ~0.4, dense."""
    box = found.box()
    limits = box.limits.set_index("parameter")
    return bool(
        box.density > 0.9
        and box.coverage > 0.8
        and abs(limits.at["p.x1", "min"] - 0.6) < 0.06
        and abs(limits.at["p.x2", "max"] - 0.4) < 0.06
        and limits.at["p.x1", "restricted"]
        and limits.at["p.x2", "restricted"]
    )


def test_prim_finds_the_planted_box() -> None:
    found = discover(synthetic(planted=True), threshold=-0.5)
    assert found_planted_box(found)
    box = found.box()
    restricted = box.restricted
    assert set(restricted["parameter"]) == {"p.x1", "p.x2"}  # x3 does nothing
    assert (restricted["qp_value"] < 1e-6).all()
    assert found.outcome.scenario == "a"
    assert found.outcome.baseline == "b"
    assert found.base_rate == pytest.approx(found.points["case"].mean())


def test_the_check_fails_when_nothing_is_planted() -> None:
    found = discover(synthetic(planted=False), threshold=0.0)
    assert not found_planted_box(found)
    box = found.box()
    assert box.density / found.base_rate < 1.5  # no box much denser than the space itself


def test_the_default_box_is_the_densest_covering_enough() -> None:
    trajectory = pd.DataFrame(
        {
            "box": [0, 1, 2, 3],
            "coverage": [1.0, 0.8, 0.55, 0.3],
            "density": [0.2, 0.5, 0.7, 0.95],
            "mass": [1.0, 0.5, 0.3, 0.1],
            "restricted": [0, 1, 2, 2],
        }
    )
    assert default_box(trajectory, 0.5) == 2
    assert default_box(trajectory, 0.9) == 0
    assert default_box(trajectory, 0.2) == 3


def test_another_box_can_be_chosen_from_the_trajectory() -> None:
    found = discover(synthetic(planted=True), threshold=-0.5)
    whole = found.select(0).box()
    assert whole.coverage == 1.0
    assert whole.mass == 1.0
    assert not whole.limits["restricted"].any()
    assert found.chosen != 0  # select returns a new discovery
    with pytest.raises(ExperimentError, match="not on the peeling trajectory"):
        found.select(len(found.trajectory))


def test_the_discovery_is_written(tmp_path: Path) -> None:
    found = discover(synthetic(planted=True), threshold=-0.5)
    written = write_discovery(found, tmp_path / "discovery", formats=("png",))
    names = {p.name for p in written}
    assert {
        "points.csv",
        "peeling_trajectory.csv",
        "box_limits.csv",
        "box.md",
        "peeling_tradeoff.png",
        "box_limits.png",
        "box_scatter.png",
    } <= names
    assert "p.x1" in (tmp_path / "discovery" / "box.md").read_text()
    assert not list((tmp_path / "discovery").glob(".*.tmp"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"threshold": 100.0}, "every design point has an outcome below the threshold 100"),
        ({"threshold": -100.0}, "no design point has an outcome below"),
        ({"threshold": float("nan")}, "threshold must be a finite number"),
        ({"direction": "sideways"}, "direction must be 'below' or 'above'"),
        ({"metric": "gapp"}, "metric 'gapp' is not a column"),
        ({"scenario": "c"}, "scenario 'c' has no results"),
        ({"min_coverage": 0.0}, "min_coverage must be above 0"),
        ({"mass_min": 0.7}, "mass_min must be above 0 and at most 0.5"),
    ],
)
def test_bad_requests_are_clean_errors(kwargs: dict, message: str) -> None:
    with pytest.raises(ExperimentError, match=message.replace("(", r"\(")):
        discover(synthetic(planted=True), **kwargs)


def test_a_missing_results_directory_is_a_clean_error(tmp_path: Path) -> None:
    with pytest.raises(ExperimentError, match="holds no edsim results"):
        discover(tmp_path / "nowhere")
