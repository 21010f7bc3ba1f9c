"""Shipped scenarios and experiments by bare name, in every command, from any directory.

Each command is run in a fresh temporary directory (no ``scenarios/`` or ``experiments/``
folder beside it), so a name can only be found in the package's own data.
"""

from pathlib import Path

import pandas as pd
import pytest
from PIL import Image
from typer.testing import CliRunner

from edsim.calibrate import load_calibration
from edsim.cli import app
from edsim.experiment import load_experiment
from edsim.experiment.spec import find_experiment
from edsim.explore import is_optimisation_file, load_optimisation
from edsim.scenario.loader import load_scenario, resolve_scenario
from edsim.shipped import shipped_dir, shipped_file, shipped_names
from edsim.viz import server

runner = CliRunner()


@pytest.fixture(autouse=True)
def elsewhere(tmp_path, monkeypatch):
    """Every test runs in an empty directory outside the repository."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args: str):
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    return result


def test_run_small(elsewhere):
    result = invoke("run", "small", "--years", "1", "--out", "out")
    assert result.exit_code == 0, result.output
    assert len(pd.read_parquet(elsewhere / "out" / "trajectory.parquet")) == 2


@pytest.mark.parametrize("name", ["england", "england.yaml"])
def test_validate_england(name):
    result = invoke("validate", name)
    assert result.exit_code == 0, result.output
    assert f"ok: {name} is a valid scenario (england, regime disseminate_to)" in result.output


def test_show_small_names_the_shipped_file_as_origin():
    result = invoke("show", "small")
    assert result.exit_code == 0, result.output
    assert "n_primary_schools: 168" in result.output
    assert str(shipped_dir("scenarios") / "small.yaml") in result.output


def test_diff_two_shipped_scenarios():
    result = invoke("diff", "england", "small")
    assert result.exit_code == 0, result.output
    assert "population.n_primary_schools" in result.output


def test_baseline_small():
    result = invoke("baseline", "small", "--seeds", "1")
    assert result.exit_code == 0, result.output
    assert "Year 0 of small" in result.output


def test_animate_small(elsewhere):
    result = invoke("animate", "small", "--years", "1", "--out", "small.gif")
    assert result.exit_code == 0, result.output
    with Image.open(elsewhere / "small.gif") as gif:
        assert gif.n_frames == 2


def test_viz_small(monkeypatch):
    started = []
    monkeypatch.setattr(server, "serve", lambda command, env: started.append(env) or 0)
    result = invoke("viz", "small", "--port", "0")
    assert result.exit_code == 0, result.output
    assert "serving small at" in result.output
    assert len(started) == 1


@pytest.mark.parametrize(
    "command", [["batch", "quickstart"], ["batch"], ["sensitivity", "sensitivity"]]
)
def test_experiment_commands_find_the_shipped_experiment(command):
    # An executor that does not exist stops the command after it has loaded the experiment.
    result = invoke(*command, "--executor", "threads")
    assert result.exit_code == 2, result.output
    assert "unknown executor 'threads'" in result.output


def test_experiments_resolve_from_the_package(elsewhere):
    # Calibration files ship beside the experiments (kind: calibration); each kind is loaded
    # by its own loader, by bare name, from anywhere.
    for name in shipped_names("experiments"):
        if name.startswith("calibrate_"):
            loaded = load_calibration(name)
            assert Path(loaded.source).resolve() == shipped_file("experiments", name)
            continue
        if is_optimisation_file(shipped_file("experiments", name)):  # run by `edsim optimise`
            found = load_optimisation(name)
            assert Path(found.source).resolve() == shipped_file("experiments", name)
            continue
        experiment = load_experiment(name)
        assert Path(experiment.source).resolve() == shipped_file("experiments", name)
    assert find_experiment("quickstart.yaml") == shipped_dir("experiments") / "quickstart.yaml"


def test_extends_a_shipped_name_from_any_directory(elsewhere):
    (elsewhere / "mine.yaml").write_text("extends: small\nyears: 3\n", encoding="utf-8")
    mine = resolve_scenario("mine.yaml")
    assert mine.scenario.years == 3
    assert Path(mine.chain[1]) == shipped_dir("scenarios") / "small.yaml"
    ignore = {"name", "description", "years"}
    assert mine.scenario.model_dump(exclude=ignore) == load_scenario("small").model_dump(
        exclude=ignore
    )


def test_a_local_file_beats_a_shipped_name(elsewhere):
    (elsewhere / "small.yaml").write_text("name: mine\nyears: 2\n", encoding="utf-8")
    assert load_scenario("small.yaml").name == "mine"
    assert load_scenario("small").name == "small"  # no file called 'small' here


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "smal"], "file not found, and no shipped scenario 'smal'; did you mean 'small'?"),
        (["validate", "sub/small.yaml"], "sub/small.yaml: file not found"),
        (["batch", "quickstrt"], "no shipped experiment 'quickstrt'; did you mean 'quickstart'?"),
        (["batch", "zzz"], "shipped experiments: "),
    ],
)
def test_unknown_names_say_what_is_shipped(args, message):
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "quickstart" in result.output or "scenario" in result.output


def test_every_shipped_name_is_listed():
    assert {"england", "small", "teaching"} <= set(shipped_names("scenarios"))
    assert "quickstart" in shipped_names("experiments")
    assert shipped_file("scenarios", "../scenarios/small") is None  # a path, not a name
