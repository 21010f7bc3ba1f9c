"""The policy search: it finds the known optimum of a cheap synthetic objective, keeps to the
budget, gives the Pareto front, resumes, and refuses malformed optimisation files in words.

The model is replaced through the Python API (``optimise(run=...)``) by a function of the
trial's lever values, the uncertainty draw and the replicate's seed, so the optimum is known:
the gap is (a - 0.3)^2 + (f - 1.2)^2 + 0.1 h + noise, a = advocacy strength, f = research
funding, h = the drawn heterogeneity; spend is f million.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from edsim.errors import ExperimentError
from edsim.experiment import RunOutcome, RunSpec
from edsim.experiment.posterior import file_sha256
from edsim.explore import load_optimisation, optimise, write_search

FILE = """name: synthetic_search
base: small
scenarios:
  policy: {regime: linkage_exchange}
replicates: 2
seed: 11
years: 2
metrics: [ks4_gap_index, spend_evidence_cumulative]
design:
  method: lhs
  samples: 4
  parameters:
    truth.heterogeneity: {min: 0.0, max: 0.3}
search:
  levers:
    regime.advocacy.strength: {min: 0.0, max: 1.0}
    policy.research_funding: {min: 0.5, max: 2.0}
  metric: ks4_gap_index
  objective: p90
  trials: 40
"""


def synthetic_run(spec: RunSpec) -> RunOutcome:
    """The known objective as a run: noise from the replicate's seed (common random numbers)."""
    a = spec.scenario.regime.advocacy.strength
    f = spec.scenario.policy.research_funding
    h = spec.params["truth.heterogeneity"]
    noise = np.random.default_rng(spec.seed).normal(0.0, 0.001)
    gap = (a - 0.3) ** 2 + (f - 1.2) ** 2 + 0.1 * h + noise
    years = range(3)
    frame = pd.DataFrame(
        {
            "run_id": spec.run_id,
            "scenario": spec.scenario_name,
            "point": spec.point,
            "replicate": spec.replicate,
            "year": list(years),
            "calendar_year": [2011 + y for y in years],
            "ks4_gap_index": [4.0, 4.0, gap],
            "spend_evidence_cumulative": [0.0, 0.0, f * 1e6],
        }
    )
    return RunOutcome(spec.run_id, frame, 0.0)


def write(tmp_path: Path, text: str = FILE, name: str = "search.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_the_search_finds_the_known_optimum(tmp_path: Path) -> None:
    start = time.perf_counter()
    result = optimise(write(tmp_path), executor="serial", run=synthetic_run)
    assert time.perf_counter() - start < 60
    best = result.best.iloc[0]
    assert best["regime.advocacy.strength"] == pytest.approx(0.3, abs=0.12)
    assert best["policy.research_funding"] == pytest.approx(1.2, abs=0.12)
    assert best["objective"] < 0.03 + 0.1 * 0.3
    assert len(result.trials) == 40
    assert (result.trials["state"] == "COMPLETE").all()
    assert best["diff_vs_best"] == 0.0
    assert (result.best["diff_vs_best"] >= 0).all()


def test_common_random_numbers_make_equal_levers_score_equal(tmp_path: Path) -> None:
    text = FILE.replace("{min: 0.0, max: 1.0}", "{values: [0.5]}").replace(
        "{min: 0.5, max: 2.0}", "{values: [1.0]}"
    )
    result = optimise(write(tmp_path, text), trials=3, executor="serial", run=synthetic_run)
    assert result.trials["objective"].nunique() == 1  # same draws, same seeds, same values
    assert (result.trials["max_regret"] == 0).all()


def test_the_budget_is_kept(tmp_path: Path) -> None:
    text = FILE.replace("  trials: 40", "  budget: 1.0e+6\n  trials: 40")
    result = optimise(write(tmp_path, text), executor="serial", run=synthetic_run)
    best = result.best.iloc[0]
    assert best["spend_mean"] <= 1.0e6
    assert best["policy.research_funding"] == pytest.approx(1.0, abs=0.1)  # the boundary
    assert not result.trials["feasible"].all()  # the search did try beyond it


def test_two_objectives_give_the_pareto_front(tmp_path: Path) -> None:
    text = FILE.replace("  trials: 40", "  pareto: true\n  trials: 30")
    result = optimise(write(tmp_path, text), executor="serial", run=synthetic_run)
    assert result.optimisation.sampler == "nsga2"
    front = result.pareto
    assert len(front) >= 3
    assert front["spend_mean"].is_monotonic_increasing
    assert front["objective"].is_monotonic_decreasing
    written = write_search(result, tmp_path / "out", formats=("png",))
    assert {"trials.csv", "best.csv", "pareto.csv", "convergence.png", "gap_vs_spend.png"} <= {
        p.name for p in written
    }


def test_a_search_resumes_from_its_directory(tmp_path: Path) -> None:
    path, out = write(tmp_path), tmp_path / "out"
    first = optimise(path, out=out, trials=4, executor="serial", run=synthetic_run)
    again = optimise(path, out=out, trials=7, executor="serial", run=synthetic_run)
    assert len(first.trials) == 4
    assert len(again.trials) == 7
    assert again.trials.iloc[:4]["objective"].tolist() == first.trials["objective"].tolist()
    first_levers = first.trials["regime.advocacy.strength"].tolist()
    assert again.trials["regime.advocacy.strength"].iloc[4] not in first_levers  # no replay
    write(tmp_path, FILE.replace("objective: p90", "objective: mean"))
    with pytest.raises(ExperimentError, match="a different definition"):
        optimise(path, out=out, trials=8, executor="serial", run=synthetic_run)
    fresh = optimise(path, out=out, trials=2, executor="serial", run=synthetic_run, overwrite=True)
    assert len(fresh.trials) == 2


def problems(tmp_path: Path, text: str) -> str:
    with pytest.raises(ExperimentError) as info:
        load_optimisation(write(tmp_path, text))
    return str(info.value)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("objective: p90", "objective: worst", "search.yaml:19:14: search.objective: must be mean"),
        (
            "  trials: 40",
            "  trials: 40\n  trails: 3",
            "search.yaml:21:3: search.trails: unknown key",
        ),
        (
            "regime.advocacy.strength:",
            "regime.advocacy.strenth:",
            "search.yaml:16:5: search.levers.regime.advocacy.strenth: 'regime.advocacy.strenth' is "
            "not a scenario parameter; did you mean 'regime.advocacy.strength'?",
        ),
        (
            "{min: 0.0, max: 1.0}",
            "{min: 0.0, max: 3.0}",
            "'max' 3 is above the parameter's upper bound 1",
        ),
        ("{min: 0.0, max: 1.0}", "{min: 0.0}", "a lever takes 'min' and 'max'"),
        (
            "metric: ks4_gap_index",
            "metric: ks2_gap_index",
            "search.yaml:18:11: search.metric: unknown metric 'ks2_gap_index'",
        ),
        (
            "truth.heterogeneity: {min",
            "regime.advocacy.strength: {min",
            "is also a design parameter",
        ),
        (
            "  policy: {regime: linkage_exchange}",
            "  policy: {regime: linkage_exchange}\n  other: {regime: disseminate_to}",
            "an optimisation tunes one variant",
        ),
        ("replicates: 2", "replicates: 0", "search.yaml:5:13: replicates: Input should be"),
    ],
)
def test_malformed_files_are_located(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in FILE
    assert message in problems(tmp_path, FILE.replace(old, new))


def test_an_experiment_file_is_not_an_optimisation(tmp_path: Path) -> None:
    text = FILE.split("search:")[0]
    assert "has no 'search:' block" in problems(tmp_path, text)


def test_the_uncertainty_can_be_a_posterior_relative_to_the_file(tmp_path, monkeypatch) -> None:
    # A calibration's posterior (faked here: two particles and their manifest) as the draws,
    # named relative to the optimisation file, which is read from another directory.
    calibration = tmp_path / "files" / "calibration"
    calibration.mkdir(parents=True)
    pd.DataFrame({"truth.heterogeneity": [0.05, 0.25], "weight": [0.5, 0.5]}).to_parquet(
        calibration / "posterior.parquet"
    )
    digest = file_sha256(calibration / "posterior.parquet")
    (calibration / "manifest.json").write_text(
        json.dumps(
            {
                "format": "edsim-calibration/1",
                "status": "complete",
                "name": "fake",
                "files": {"posterior.parquet": digest},
            }
        )
    )
    design = "design:\n  method: posterior\n  file: calibration\n  samples: 3\nsearch:"
    text = FILE.split("design:")[0] + design + FILE.split("search:")[1]
    path = write(tmp_path / "files", text)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    spec = load_optimisation(path)
    assert spec.experiment.design.method == "posterior"
    draws = {point[0] for point in spec.experiment.design.points}
    assert draws <= {0.05, 0.25}
    result = optimise(spec, trials=2, executor="serial", run=synthetic_run)
    assert (result.trials["state"] == "COMPLETE").all()


def test_the_best_trials_are_confirmed_on_fresh_seeds(tmp_path: Path) -> None:
    path, out = write(tmp_path), tmp_path / "out"
    result = optimise(path, out=out, trials=6, executor="serial", run=synthetic_run, confirm=2)
    best = result.best
    confirmed = best["confirmed_objective"]
    assert confirmed.iloc[:2].notna().all()
    assert confirmed.iloc[2:].isna().all()
    # Fresh seeds change only the noise (sd 0.001) of the synthetic objective, not its level.
    assert confirmed.iloc[0] == pytest.approx(best["objective"].iloc[0], abs=0.01)
    assert confirmed.iloc[0] != best["objective"].iloc[0]
    before = result.study.user_attrs["confirmed"]
    again = optimise(path, out=out, trials=6, executor="serial", run=synthetic_run, confirm=2)
    assert again.study.user_attrs["confirmed"] == before  # kept, not run again
