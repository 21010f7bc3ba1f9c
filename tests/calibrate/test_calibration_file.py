"""Calibration files: every kind of mistake is an error at its file, line and column."""

import re
from pathlib import Path

import pytest

from cli_helpers import run_edsim
from edsim.calibrate import calibration_from_text, load_calibration
from edsim.errors import CalibrationError, EdsimError, ExperimentError
from edsim.experiment import experiment_from_text

GOOD = """\
kind: calibration
name: tiny
base: small
years: 3
seeds: 2
seed: 7
parameters:
  gap_drivers.exogenous.deficit_change: {low: 0.0, high: 0.05}
observed:
  - metric: ks4_gap_index
    years: [2012, 2013, 2014]
    values: [3.6, 3.9, 3.3]
    sd: 0.05
    source: synthetic
abc: {population: 10, max_generations: 2}
predict: {until: 2016, draws: 3}
"""


def _error(text: str) -> str:
    with pytest.raises(CalibrationError) as caught:
        calibration_from_text(text, "cal.yaml")
    assert isinstance(caught.value, EdsimError)
    return str(caught.value)


def test_a_good_file_is_read_with_its_seeds_and_window():
    cal = calibration_from_text(GOOD, "cal.yaml")
    assert cal.priors == {"gap_drivers.exogenous.deficit_change": (0.0, 0.05)}
    assert len(cal.seeds) == 2
    assert len(set(cal.seeds)) == 2
    assert cal.start_year == 2011
    assert cal.predict_until == 2016
    assert cal.observed_stats() == {
        "ks4_gap_index@2012": 3.6,
        "ks4_gap_index@2013": 3.9,
        "ks4_gap_index@2014": 3.3,
    }
    # Comments, prose and stopping rules do not change what the posterior depends on.
    edited = GOOD.replace("name: tiny", "name: tiny  # a comment\ndescription: words")
    longer = GOOD.replace("max_generations: 2", "max_generations: 5")
    assert calibration_from_text(edited).definition_hash == cal.definition_hash
    assert calibration_from_text(longer).definition_hash == cal.definition_hash
    assert calibration_from_text(GOOD.replace("seed: 7", "seed: 8")).definition_hash != (
        cal.definition_hash
    )


@pytest.mark.parametrize(
    ("old", "new", "where", "said"),
    [
        ("kind: calibration\n", "kind: experiment\n", "cal.yaml:1:7", "kind: calibration"),
        ("seed: 7\n", "seed: 7\nreplicates: 3\n", "cal.yaml:7:1", "unknown key 'replicates'"),
        ("{population: 10,", "{populaton: 10,", "cal.yaml:15:7", "did you mean 'population'"),
        (
            "gap_drivers.exogenous.deficit_change:",
            "gap_drivers.exogenous.nope:",
            "cal.yaml:8:3",
            "nope",
        ),
        ("{low: 0.0, high: 0.05}", "{low: 0.0, high: 5.0}", "cal.yaml:8:3", "upper bound"),
        ("{low: 0.0, high: 0.05}", "{low: 0.05, high: 0.0}", "cal.yaml:8:3", "must be below"),
        ("metric: ks4_gap_index", "metric: ks4_gap_indx", "cal.yaml:10:13", "did you mean"),
        ("metric: ks4_gap_index", "metric: policy_response", "cal.yaml:10:13", "unknown metric"),
        ("years: [2012, 2013, 2014]", "years: [2012, 2013, 2015]", "cal.yaml:11:25", "window"),
        ("years: [2012, 2013, 2014]", "years: [2012, 2013]", "cal.yaml:12:13", "one value"),
        ("sd: 0.05", "sd: 0", "cal.yaml:13:9", "greater than 0"),
        ("base: small", "base: no_such_scenario", "cal.yaml:3:7", "no_such_scenario"),
        ("base: small", "base: 3", "cal.yaml:3:7", "'base' takes a scenario"),
        ("until: 2016", "until: 2012", "cal.yaml:16:18", "before the end"),
        ("seed: 7\n", "seed: 7\ndistance: manhattan\n", "cal.yaml:7:11", "standardised_euclidean"),
    ],
)
def test_each_mistake_is_located(old, new, where, said):
    assert old in GOOD
    message = _error(GOOD.replace(old, new, 1))
    assert where in message, message
    assert said in message, message


def test_a_parameter_that_is_not_a_number_is_refused():
    text = GOOD.replace("gap_drivers.exogenous.deficit_change", "regime.preset")
    message = _error(text)
    assert "cal.yaml:8:3" in message
    assert "not a number" in message or "regime.preset" in message


def test_a_missing_file_names_the_shipped_ones(tmp_path: Path):
    with pytest.raises(CalibrationError, match="calibrate_england"):
        load_calibration("calibrate_englnd")
    with pytest.raises(CalibrationError, match="file not found"):
        load_calibration(tmp_path / "none.yaml")


def test_an_experiment_command_refuses_a_calibration_file_in_words():
    with pytest.raises(ExperimentError, match=re.escape("<string>:1:7")) as caught:
        experiment_from_text(GOOD)
    assert "edsim calibrate" in str(caught.value)


def test_the_cli_exits_2_with_the_location_and_no_traceback(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("sd: 0.05", "sd: -1"), encoding="utf-8")
    result = run_edsim("calibrate", bad, "--out", tmp_path / "out")
    assert result.returncode == 2, result.stderr
    assert f"{bad}:13:9" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "out").exists()


def test_the_cli_refuses_bad_executor_options_before_running(tmp_path: Path):
    good = tmp_path / "good.yaml"
    good.write_text(GOOD, encoding="utf-8")
    result = run_edsim(
        "calibrate", good, "--scheduler", "ucx://x:1", "--workers", "2", "--out", tmp_path / "o"
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
