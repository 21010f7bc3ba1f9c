"""A tiny calibration end to end: it recovers a value the model itself produced, and its files.

The target is made by the model at a known value of the parameter, over the calibration's own
seeds (so the known value fits it exactly, by common random numbers). The test can fail: the
posterior must be much narrower than the prior, and a wrong value well inside the prior must
fall outside its 90% credible interval.
"""

import json
import time
from dataclasses import fields
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import edsim
from cli_helpers import run_edsim
from edsim.calibrate import calibrate, calibration_from_text
from edsim.calibrate.predict import weighted_quantile
from edsim.calibrate.smc import simulator_of
from edsim.errors import CalibrationError, ExperimentError
from edsim.experiment import Results, experiment_from_text, run_experiment
from edsim.experiment.posterior import read_posterior
from edsim.report import comparison, write_comparison

pytestmark = pytest.mark.slow  # the calibration takes ~50 s on 2 cores

PARAMETER = "gap_drivers.exogenous.deficit_change"
TRUTH = 0.02
PRIOR = (0.0, 0.05)
YEARS = [2012, 2013, 2014]

TEMPLATE = """\
kind: calibration
name: recovery
base: small
years: 3
seeds: 2
seed: 11
parameters:
  {parameter}: {{low: {low}, high: {high}}}
observed:
  - metric: ks4_gap_index
    years: {years}
    values: {ks4}
    sd: 0.05
    source: the model at {parameter} = {truth}
  - metric: ks2_gap_index
    years: {years}
    values: {ks2}
    sd: 0.05
    source: the model at {parameter} = {truth}
abc: {{population: 30, max_generations: 3, min_epsilon: 0.0, min_acceptance: 0.0}}
predict: {{until: 2015, draws: 3}}
"""


def _text(ks4: list[float], ks2: list[float]) -> str:
    low, high = PRIOR
    return TEMPLATE.format(
        parameter=PARAMETER, low=low, high=high, years=YEARS, ks4=ks4, ks2=ks2, truth=TRUTH
    )


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    """The calibration file, its observed values the model's own at the known value."""
    placeholder = calibration_from_text(_text([4.0] * 3, [3.0] * 3))
    stats = simulator_of(placeholder)({PARAMETER: TRUTH})
    ks4 = [round(stats[f"ks4_gap_index@{y}"], 6) for y in YEARS]
    ks2 = [round(stats[f"ks2_gap_index@{y}"], 6) for y in YEARS]
    path = tmp_path_factory.mktemp("recovery") / "recovery.yaml"
    path.write_text(_text(ks4, ks2), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def finished(synthetic: Path):
    out = synthetic.parent / "out"
    start = time.perf_counter()
    generations = []
    result = calibrate(synthetic, out=out, workers=2, on_generation=generations.append)
    return SimpleNamespace(
        **{f.name: getattr(result, f.name) for f in fields(result)},
        elapsed=time.perf_counter() - start,
        generations=generations,
    )


def test_the_known_value_is_recovered_and_the_posterior_narrows(finished):
    posterior = finished.posterior
    values = posterior.particles[PARAMETER].to_numpy()
    low, high = (weighted_quantile(values, posterior.weights, q) for q in (0.05, 0.95))
    assert low <= TRUTH <= high, (low, high)
    prior_width = PRIOR[1] - PRIOR[0]
    assert high - low < 0.6 * prior_width, (low, high)
    wrong = TRUTH + 0.3 * prior_width  # a value the test would wrongly accept if nothing narrowed
    assert not low <= wrong <= high, (low, high, wrong)
    # How long it takes is measured, not asserted (benchmarks/, not timed unit tests).
    print(f"recovery calibration: {finished.elapsed:.0f} s")


def test_every_generation_is_reported_and_recorded(finished):
    history = finished.history
    assert list(history["generation"]) == [0, 1, 2]
    assert [g.generation for g in finished.generations] == [0, 1, 2]
    assert np.isinf(history["epsilon"].iloc[0])  # generation 0 is the prior itself
    assert history["epsilon"].iloc[2] < history["epsilon"].iloc[1]
    assert (history["acceptance_rate"] <= 1).all()
    assert (history["particles"] == 30).all()
    manifest = finished.manifest
    assert manifest["status"] == "complete"
    assert manifest["generations"] == 3
    assert manifest["stop_reason"] == "max_generations"
    assert manifest["epsilons"][0] is None  # infinite, written as null
    assert manifest["versions"]["edsim"]


def test_the_files_are_written_and_checked(finished):
    out = finished.out
    for name in ("posterior.parquet", "history.csv", "predictive.parquet", "manifest.json"):
        assert (out / name).is_file(), name
    figures = sorted(p.name for p in (out / "figures").glob("*.png"))
    assert figures == ["marginals.png", "prediction.png", "predictive.png"]  # one parameter
    posterior = pd.read_parquet(out / "posterior.parquet")
    assert list(posterior.columns) == [PARAMETER, "weight"]
    assert posterior["weight"].sum() == pytest.approx(1.0)
    predictive = pd.read_parquet(out / "predictive.parquet")
    assert set(predictive["draw"]) == {0, 1, 2}
    assert set(predictive["calendar_year"]) == {2011, 2012, 2013, 2014, 2015}
    assert predictive.groupby("draw")["seed"].nunique().eq(2).all()  # every draw, same seeds
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["files"]) >= {"posterior.parquet", "figures/marginals.png"}


def test_running_again_reuses_the_finished_results(finished, synthetic):
    again = edsim.calibrate(synthetic, out=finished.out, workers=1)  # the package is callable
    assert not again.ran
    assert again.posterior.sha256 == finished.posterior.sha256


def test_a_changed_posterior_is_refused(finished, tmp_path):
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in ("posterior.parquet", "manifest.json"):
        (copy / name).write_bytes((finished.out / name).read_bytes())
    frame = pd.read_parquet(copy / "posterior.parquet")
    frame.loc[0, PARAMETER] = 0.049
    frame.to_parquet(copy / "posterior.parquet", index=False)
    with pytest.raises(ExperimentError, match="SHA-256"):
        read_posterior(copy)


def test_another_calibration_in_the_same_directory_is_refused(finished, synthetic, tmp_path):
    other = tmp_path / "other.yaml"
    other.write_text(synthetic.read_text().replace("seed: 11", "seed: 12"), encoding="utf-8")
    with pytest.raises(CalibrationError, match="another definition"):
        calibrate(other, out=finished.out, workers=1)


EXPERIMENT = """\
name: with_posterior
base: small
scenarios:
  disseminate_to: {{regime: disseminate_to}}
  linkage_exchange: {{regime: linkage_exchange}}
replicates: 2
seed: 5
years: 2
metrics: [ks4_gap_index]
design: {{method: posterior, file: {file}, samples: 3}}
"""


def test_the_posterior_flows_into_an_experiment_and_compare_says_so(finished, tmp_path):
    text = EXPERIMENT.format(file=finished.out / "posterior.parquet")
    (tmp_path / "exp.yaml").write_text(text, encoding="utf-8")
    experiment = experiment_from_text(text, str(tmp_path / "exp.yaml"))
    design = experiment.design
    assert design.method == "posterior"
    assert design.parameters == (PARAMETER,)
    assert design.n_points == 3
    drawn = set(finished.posterior.particles[PARAMETER])
    assert all(point[0] in drawn for point in design.points)
    again = experiment_from_text(text, str(tmp_path / "exp.yaml"))
    assert again.design.points == design.points  # drawn from the experiment's own stream
    results = run_experiment(experiment, out=tmp_path / "results", executor="serial")
    table = comparison(results, "ks4_gap_index")
    assert table.attrs["interval"] == "posterior"
    assert table["p_value"].isna().all()
    written = write_comparison(table, tmp_path / "results", "comparison")
    assert "parameter + seed uncertainty" in written[1].read_text()
    shown = run_edsim("compare", tmp_path / "results")
    assert shown.returncode == 0, shown.stderr
    assert "parameter + seed uncertainty" in shown.stdout
    assert "[95% over posterior draws]" in shown.stdout
    batch = run_edsim("batch", tmp_path / "exp.yaml", "--out", tmp_path / "again", "-e", "serial")
    assert batch.returncode == 0, batch.stderr
    assert "parameter + seed uncertainty" in batch.stdout
    assert "A posterior design: these CIs are of the mean" in batch.stdout  # the headline's
    assert "crossed design" in batch.stdout  # draws share seeds (edsim.analysis.crossed)
    plain = Results.load(tmp_path / "results")
    assert plain.manifest["definition"]["design"]["posterior"][1] == finished.posterior.sha256


def test_an_experiment_without_a_posterior_says_its_intervals_are_seed_noise(tmp_path):
    text = EXPERIMENT.replace("design: {{method: posterior, file: {file}, samples: 3}}\n", "")
    results = run_experiment(experiment_from_text(text.format()), executor="serial")
    table = comparison(results, "ks4_gap_index")
    assert table.attrs["interval"] == "seed"
    assert "seed noise only" in table.attrs["interval_note"]


@pytest.mark.parametrize(
    ("design", "said"),
    [
        ("{method: posterior, samples: 3}", "needs 'file'"),
        ("{method: posterior, file: missing.parquet, samples: 3}", "no such posterior file"),
        ("{method: posterior, file: FILE}", "needs 'samples'"),
        (
            "{method: posterior, file: FILE, samples: 3, parameters: {truth.heterogeneity: {}}}",
            "takes no 'parameters'",
        ),
        ("{method: lhs, file: FILE, samples: 3}", "takes none"),
    ],
)
def test_posterior_design_mistakes_are_located(finished, tmp_path, design, said):
    path = str(finished.out / "posterior.parquet")
    written = f"{{method: posterior, file: {path}, samples: 3}}"
    text = EXPERIMENT.format(file=path).replace(written, design.replace("FILE", path))
    with pytest.raises(ExperimentError) as caught:
        experiment_from_text(text, "exp.yaml")
    assert said in str(caught.value)
    assert "exp.yaml:10:" in str(caught.value)
