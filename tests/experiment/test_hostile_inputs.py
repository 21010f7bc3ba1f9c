"""Hostile inputs to experiment files and the CLI: each a clean EdsimError within seconds.

Each test pins one mistake that used to hang, crash with a traceback, silently change meaning
or run until the memory ran out (issue 12, section 4), and the scenario layer's front door
(section 6). ``tests/test_fuzz_experiments.py`` generates hundreds more of each kind.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from edsim.cli import app
from edsim.errors import EdsimError, ExperimentError, OutputError, ScenarioError
from edsim.experiment import experiment_from_text, load_experiment, plan_runs
from edsim.experiment.design import CHECKED_POINTS, Design, checked_points
from edsim.experiment.size import MAX_RUNS, design_points
from edsim.io import write_atomically
from edsim.scenario import Document, Scenario, load_scenario, resolve, scenario_from_text

#: Two variants of the default scenario: reading it parses no scenario file.
HEAD = "scenarios: {dt: {regime: disseminate_to}, le: {regime: linkage_exchange}}\nyears: 1\n"

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")


@contextmanager
def within(seconds: int) -> Iterator[None]:
    """Fail, rather than hang the test run, if the block takes longer than ``seconds``."""

    def on_alarm(signum: int, frame: Any) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def messages(text: str, **kwargs: Any) -> str:
    with pytest.raises(ExperimentError) as info:
        experiment_from_text(text, "exp.yaml", **kwargs)
    return str(info.value)


# --- paths that are not files ---------------------------------------------------------------------


@needs_fifo
def test_a_named_pipe_is_refused_at_once_not_read(tmp_path: Path) -> None:
    """Opening a pipe with no writer used to wait forever; now it is refused unread."""
    pipe = tmp_path / "pipe.yaml"
    os.mkfifo(pipe)
    with within(5), pytest.raises(ExperimentError, match="is a named pipe, not an experiment"):
        load_experiment(pipe)
    with within(5), pytest.raises(ScenarioError, match="is a named pipe, not a scenario file"):
        load_scenario(pipe)
    result = CliRunner().invoke(app, ["validate", str(pipe)])
    assert result.exit_code == 2
    assert "named pipe" in result.output


@pytest.mark.parametrize(
    ("path", "kind"),
    [("/dev/zero", "a device"), ("/dev/null", "a device"), (".", "a directory")],
)
def test_devices_and_folders_are_not_scenarios_or_experiments(path: str, kind: str) -> None:
    if not os.path.exists(path):
        pytest.skip(f"no {path} here")
    with within(5), pytest.raises(ScenarioError, match=f"is {kind}, not a scenario file"):
        load_scenario(path)
    with within(5), pytest.raises(ExperimentError, match=f"is {kind}, not an experiment file"):
        load_experiment(path)


def test_schema_to_a_place_that_cannot_be_written_is_an_error_not_a_traceback(
    tmp_path: Path,
) -> None:
    runner = CliRunner()
    folder = tmp_path / "docs"
    folder.mkdir()
    result = runner.invoke(app, ["schema", "--markdown", str(folder)])
    assert result.exit_code == 1, result.output  # an OutputError: the CLI's status for outputs
    assert f"cannot write {folder}: it is a directory" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    if Path("/proc").is_dir():
        result = runner.invoke(app, ["schema", "--out", "/proc/x.json"])
        assert result.exit_code == 1, result.output
        assert "error:" in result.output
        assert "Traceback" not in result.output


@needs_fifo
def test_a_writer_never_replaces_a_pipe_or_device(tmp_path: Path) -> None:
    """Writing renames a finished file into place; renamed over /dev/null (as root) it once
    replaced the system's /dev/null with a regular file."""
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    with pytest.raises(OutputError, match="it is a named pipe, not a file"):
        write_atomically(pipe, lambda tmp: tmp.write_text("x"))
    assert stat.S_ISFIFO(pipe.lstat().st_mode)
    assert list(tmp_path.iterdir()) == [pipe]  # no temporary file left behind
    result = CliRunner().invoke(app, ["schema", "--out", str(pipe)])
    assert result.exit_code == 1
    assert stat.S_ISFIFO(pipe.lstat().st_mode)


# --- the size of an experiment ------------------------------------------------------------------


def design(method: str, samples: int | None = None, **extra: Any) -> str:
    ranges = (
        "{truth.heterogeneity: {min: 0, max: 0.5}, schools.capacity_gradient: {min: 0, max: 0.5}, "
        "population.disadvantaged_share: {min: 0.1, max: 0.5}}"
    )
    lines = [f"  method: {method}", f"  parameters: {ranges}"]
    lines += [f"  samples: {samples}"] if samples else []
    lines += [f"  {k}: {str(v).lower()}" for k, v in extra.items()]
    return "design:\n" + "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("method", "samples", "extra"),
    [("lhs", 7, {}), ("sobol", 8, {}), ("sobol", 8, {"second_order": True}), ("morris", 3, {})],
)
def test_the_size_counted_from_the_settings_is_the_size_drawn(
    method: str, samples: int, extra: dict[str, Any]
) -> None:
    """The limit is checked on a count made without drawing; it must be the true count."""
    exp = experiment_from_text(HEAD + design(method, samples, **extra), "exp.yaml")
    assert exp.design.n_points == len(exp.design.points) == design_points(_settings(exp))
    grid = "design: {method: grid, parameters: {truth.heterogeneity: {values: [0, 0.1, 0.2]}, "
    grid += "schools.capacity_gradient: {values: [0, 0.4]}}}\n"
    exp = experiment_from_text(HEAD + grid, "exp.yaml")
    assert exp.design.n_points == len(exp.design.points) == 6 == design_points(_settings(exp))


def _settings(exp: Any) -> Any:
    from edsim.experiment.design import DesignSettings
    from edsim.scenario import Document

    data = Document.parse(exp.text).data["design"]
    return DesignSettings.model_validate(data, strict=False)


@pytest.mark.parametrize(
    ("text", "runs"),
    [
        (
            "design: {method: grid, parameters: {truth.heterogeneity: {values: [VALUES]}, "
            "schools.capacity_gradient: {values: [VALUES]}}}\nreplicates: 1\n",
            "2,000,000 runs (2 variants x 1,000,000 design points x 1 replicate)",
        ),
        (design("sobol", 524_288) + "replicates: 1\n", "2 variants x 2,621,440 design points"),
        ("replicates: 100000\n", "200,000 runs (2 variants x 1 design point x 100,000"),
    ],
    ids=["grid-1000x1000", "sobol-524288", "100000-replicates"],
)
def test_an_oversized_experiment_is_refused_before_anything_is_built(text: str, runs: str) -> None:
    values = ", ".join(str(i / 1000) for i in range(1000))
    start = time.perf_counter()
    found = messages(HEAD + text.replace("VALUES", values))
    assert time.perf_counter() - start < 3.0  # counted, not drawn: it used to take minutes or OOM
    assert runs in found
    assert f"more than the {MAX_RUNS:,} allowed" in found
    assert "max_runs:" in found
    assert "--max-runs" in found


def test_max_runs_confirms_a_larger_experiment() -> None:
    text = HEAD + f"replicates: {MAX_RUNS // 2 + 1}\n"
    assert "the default limit" in messages(text)
    confirmed = text + f"max_runs: {MAX_RUNS + 2}\n"
    assert experiment_from_text(confirmed, "exp.yaml").n_runs == MAX_RUNS + 2
    assert experiment_from_text(text, "exp.yaml", max_runs=MAX_RUNS + 2).n_runs == MAX_RUNS + 2
    # The command line's limit overrides the file's, either way.
    assert "(the limit given)" in messages(confirmed, max_runs=100)
    assert "(the file's max_runs)" in messages(HEAD + "replicates: 3\nmax_runs: 5\n")


def test_batch_and_sensitivity_take_max_runs(tmp_path: Path) -> None:
    file = tmp_path / "exp.yaml"
    file.write_text(HEAD + "replicates: 3\n")
    for command in ("batch", "sensitivity"):
        result = CliRunner().invoke(app, [command, str(file), "--max-runs", "5"])
        assert result.exit_code == 2, result.output
        assert "6 runs (2 variants x 1 design point x 3 replicates)" in result.output
        assert "--max-runs 6" in result.output
        result = CliRunner().invoke(app, [command, str(file), "--max-runs", "0"])
        assert result.exit_code == 2


def test_a_large_design_checks_a_representative_set_of_points() -> None:
    values = ", ".join(str(i / 100) for i in range(100))
    grid = (
        f"design: {{method: grid, parameters: {{truth.heterogeneity: {{values: [{values}]}}, "
        f"schools.capacity_gradient: {{values: [{values}]}}}}}}\nreplicates: 1\n"
    )
    one = HEAD.replace(", le: {regime: linkage_exchange}", "")
    start = time.perf_counter()
    exp = experiment_from_text(one + grid, "e")
    assert time.perf_counter() - start < 5.0
    assert exp.design.n_points == 10_000
    chosen = checked_points(exp.design)
    assert len(chosen) <= CHECKED_POINTS + 40
    seen = {exp.design.point(i)[0] for i in chosen} | {exp.design.point(i)[1] for i in chosen}
    assert {0.0, 0.99} <= seen
    assert exp.design.point(9999) == (0.99, 0.99)  # computed, not listed
    # A bad value anywhere in a parameter's list is among the points checked at load.
    bad = grid.replace("0.99]", "3.0]", 1)
    assert "truth.heterogeneity=3.0" in messages(one + bad)


def test_a_point_not_checked_at_load_is_reported_when_runs_are_planned() -> None:
    exp = experiment_from_text(HEAD + "replicates: 1\n", "exp.yaml")
    unchecked = Design("lhs", ("truth.heterogeneity",), drawn=((0.1,), (7.0,)), ranges=((0, 1),))
    with pytest.raises(ExperimentError, match=r"point 1 \(truth.heterogeneity=7.0\) is invalid"):
        plan_runs(dataclasses.replace(exp, design=unchecked))


# --- messages ----------------------------------------------------------------------------------


def test_an_unknown_key_in_a_design_parameter_lists_the_allowed_keys() -> None:
    text = HEAD + "design:\n  method: grid\n  parameters:\n    truth.heterogeneity: {zzz: [1]}\n"
    found = messages(text)
    assert "exp.yaml:6:27: design.parameters.truth.heterogeneity.zzz: unknown key 'zzz'" in found
    assert "allowed keys: values, min, max" in found
    found = messages(HEAD + "design: {method: grid, zzz: 1, parameters: {}}\n")
    assert "allowed keys: method, parameters, file, samples, second_order, levels" in found


def test_a_list_item_out_of_range_is_reported_in_the_files_words() -> None:
    text = HEAD + "design: {method: grid, parameters: {interventions.99.months: {values: [1]}}}\n"
    found = messages(text)
    assert "there is no item 99" in found
    assert "interventions has" in found
    assert "__" not in found
    assert "exp.yaml:3:37: design.parameters.interventions.99.months:" in found


def test_a_yaml_1_1_directive_is_refused() -> None:
    """YAML 1.1 reads ``yes``/``on`` as true and ``010`` as 8: the docs promise 1.2."""
    with pytest.raises(ScenarioError, match=r"'%YAML 1.1' is not supported") as info:
        scenario_from_text("# old\n%YAML 1.1\n---\ndescription: yes\n", "s.yaml")
    assert (info.value.problems[0].line, info.value.problems[0].column) == (2, 1)
    assert "'%YAML 1.1' is not supported" in messages("%YAML 1.1\n---\n" + HEAD)
    for other in ("1.0", "1.3", "2.0"):
        with pytest.raises(ScenarioError, match="YAML"):
            scenario_from_text(f"%YAML {other}\n---\ndescription: yes\n", "s.yaml")
    text = "%YAML 1.2\n---\ndescription: yes\n"
    assert scenario_from_text(text).description == "yes"


def test_variant_names_that_differ_only_in_case_are_refused() -> None:
    found = messages("scenarios: {le: {}, dt: {}, LE: {}}\n")
    assert "exp.yaml:1:29: scenarios.LE: variant name 'LE' differs from 'le' only in case" in found
    assert "macOS, Windows" in found


# --- the scenario layer's front door ----------------------------------------------------------


def test_resolve_takes_a_file_text_mapping_or_nothing(tmp_path: Path) -> None:
    file = tmp_path / "mine.yaml"
    file.write_text("extends: small\ntruth: {heterogeneity: 0.3}\n")
    from_file = resolve(file, ["years=4"])
    assert from_file.scenario.name == "mine"
    assert from_file.scenario.truth.heterogeneity == 0.3
    assert from_file.origin["years"] == "--set"
    assert from_file.origin["truth.heterogeneity"] == f"{file}:2"
    from_text = resolve(Document.parse(file.read_text(), str(file)), ["years=4"])
    assert from_text.scenario.model_dump(exclude={"name"}) == from_file.scenario.model_dump(
        exclude={"name"}
    )
    assert resolve({"truth": {"heterogeneity": 0.3}}).scenario.truth.heterogeneity == 0.3
    assert resolve().scenario == Scenario()
    with pytest.raises(ScenarioError) as info:
        resolve({"truth": {"heterogenity": 0.3}})
    assert "did you mean 'heterogeneity'" in str(info.value)


def test_a_scenario_inside_another_file_keeps_that_files_lines() -> None:
    outer = Document.parse(
        "base: small\nscenarios:\n  a: {truth: {heterogeneity: 2}}\n  b: small\n  c: 3\n", "e.yaml"
    )
    with pytest.raises(ScenarioError) as info:
        resolve(outer.embedded(("scenarios", "a"), extends=("base",)))
    (problem,) = info.value.problems
    assert (problem.file, problem.line, problem.key) == ("e.yaml", 3, "truth.heterogeneity")
    assert resolve(outer.embedded(("scenarios", "b"))).scenario.population.scale < 1
    with pytest.raises(ScenarioError, match="must be a scenario") as info:
        outer.embedded(("scenarios", "c"))
    assert info.value.problems[0].line == 5
    assert isinstance(info.value, EdsimError)
