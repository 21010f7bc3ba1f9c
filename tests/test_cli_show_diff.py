"""``edsim show``, ``edsim diff`` and ``--set``: what a run will use and where it came from.

Most tests run the real command (``python -m edsim``) in a subprocess, as a user would.
"""

from __future__ import annotations

import re
import subprocess
import sys
import types
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cli_helpers import run_edsim as edsim
from edsim.cli import app
from edsim.scenario import Scenario, scenario_from_text
from edsim.scenario.loader import resolve_scenario
from edsim.scenario.render import differences, render_with_origins, yaml_scalar

BASE = """\
name: base
description: the base
years: 10
population:
  disadvantaged_share: 0.3
regime: linkage_exchange
"""

CHILD = """\
# builds on base
extends: base.yaml
population:
  n_primary_schools: 100
interventions:
  - name: phonics
    months: 4
"""


def assert_clean(result: subprocess.CompletedProcess[str], code: int) -> None:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr + result.stdout


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "base.yaml").write_text(BASE, encoding="utf-8")
    (tmp_path / "child.yaml").write_text(CHILD, encoding="utf-8")
    return tmp_path


def origin_of(output: str, key_line: str) -> str:
    """The origin comment of the first line of ``output`` that starts with ``key_line``."""
    for line in output.splitlines():
        if line.strip().startswith(key_line):
            match = re.fullmatch(r".*?\s+# (.+)", line)
            assert match, line
            return match.group(1)
    raise AssertionError(f"no line {key_line!r} in:\n{output}")


# --- show -----------------------------------------------------------------------------------


def test_show_marks_default_file_line_and_set(files: Path) -> None:
    result = edsim(
        "show", "child.yaml", "--set", "years=4", "-s", "regime.prescription=0.5", cwd=files
    )
    assert_clean(result, 0)
    out = result.stdout
    assert origin_of(out, "years: 4") == "--set"
    assert origin_of(out, "prescription: 0.5") == "--set"
    assert origin_of(out, "disadvantaged_share: 0.3") == "base.yaml:5"
    assert origin_of(out, "n_primary_schools: 100") == "child.yaml:4"
    assert origin_of(out, "- name: phonics") == "child.yaml:6"
    assert origin_of(out, "months: 4.0") == "child.yaml:7"
    assert origin_of(out, "cost_band: very low") == "default"  # not written in the item
    assert origin_of(out, "start_year: 2011") == "default"
    # the child changes things and writes no description: it is not "the base"
    assert origin_of(out, "description: base with population.n_primary_schools=100") == (
        "child.yaml:2"
    )
    assert origin_of(out, "name: child") == "child.yaml (file name)"
    # regime values from the parent's preset: the line of its `regime:` key
    assert origin_of(out, "mode: context_aware") == "base.yaml:6"
    assert out.startswith("# Resolved scenario: child.yaml -> base.yaml\n")


def test_show_output_is_the_same_scenario_as_yaml(files: Path) -> None:
    result = edsim("show", "child.yaml", "--set", "interventions.0.months=-2", cwd=files)
    assert_clean(result, 0)
    expected = resolve_scenario(files / "child.yaml", ["interventions.0.months=-2"]).scenario
    assert scenario_from_text(result.stdout) == expected
    without_comments = "\n".join(line.split("  # ")[0] for line in result.stdout.splitlines())
    assert scenario_from_text(without_comments) == expected


def test_every_value_line_has_an_origin(files: Path) -> None:
    rendered = render_with_origins(resolve_scenario(files / "child.yaml"))
    for line in rendered.splitlines():
        if line.startswith("#") or line.endswith(":"):
            continue  # header comments and section keys
        assert re.search(r"\S\s+# (default|--set|\S+:\d+|\S+ \(file name\))$", line), line


def test_show_without_a_file_is_the_built_in_scenario() -> None:
    rendered = render_with_origins(resolve_scenario(None))
    assert scenario_from_text(rendered) == Scenario()
    assert "# Resolved scenario: the built-in default scenario" in rendered
    assert {line.rsplit("# ", 1)[1] for line in rendered.splitlines()[2:] if "# " in line} == {
        "default"
    }


@pytest.mark.parametrize(
    "text", ["yes", "12", "a #b", "[draft] x: y", " padded", "multi\nline", "", "null", "café"]
)
def test_text_is_quoted_only_when_it_must_be(text: str) -> None:
    shown = yaml_scalar(text)
    assert scenario_from_text(f"description: {shown}  # origin\n").description == text


# --- diff ------------------------------------------------------------------------------------


def test_diff_lists_differing_parameters_with_origins(files: Path) -> None:
    result = edsim("diff", "base.yaml", "child.yaml", "--set-b", "years=3", cwd=files)
    assert_clean(result, 0)
    rows = {
        cells[0]: cells[1:]
        for line in result.stdout.splitlines()
        if len(cells := [c.strip() for c in re.split("[│┃]", line)[1:-1]]) == 5
    }
    assert rows["name"] == ["base", "child", "base.yaml:1", "child.yaml (file name)"]
    assert rows["years"] == ["10", "3", "base.yaml:3", "--set"]
    assert rows["population.n_primary_schools"] == ["16800", "100", "default", "child.yaml:4"]
    assert rows["interventions"] == ["16 items", "1 item", "default", "child.yaml:6"]
    assert rows["interventions.0.months"] == ["7.0", "4.0", "default", "child.yaml:7"]
    assert "population.disadvantaged_share" not in rows  # inherited, so equal
    assert "regime.selection.mode" not in rows


def test_diff_of_equal_scenarios_says_so(files: Path) -> None:
    (files / "same.yaml").write_text("extends: base.yaml\nname: base\n", encoding="utf-8")
    result = edsim("diff", "base.yaml", "same.yaml", cwd=files)
    assert_clean(result, 0)
    assert "no differences" in result.stdout


def test_differences_in_process(files: Path) -> None:
    a = resolve_scenario(files / "base.yaml")
    b = resolve_scenario(files / "base.yaml", ["regime=none", "years=12"])
    found = {d.key: d for d in differences(a, b)}
    assert (found["years"].a, found["years"].b, found["years"].origin_b) == ("10", "12", "--set")
    assert found["regime.feedback.mode"].a == "local_evaluation"
    assert found["regime.feedback.mode"].origin_a == f"{files / 'base.yaml'}:6"
    assert differences(a, a) == []


# --- --set on the other commands, and errors ------------------------------------------------------


def test_validate_with_set(files: Path) -> None:
    result = edsim("validate", "child.yaml", "--set", "regime=disseminate_to", cwd=files)
    assert_clean(result, 0)
    assert "regime disseminate_to" in result.stdout


def test_bad_set_exits_2_with_every_problem(files: Path) -> None:
    result = edsim(
        "validate",
        "child.yaml",
        "-s",
        "population.disadvantaged_shar=0.3",
        "-s",
        "population.disadvantaged_share=1.7",
        "-s",
        "years",
        cwd=files,
    )
    assert_clean(result, 2)
    assert "3 problems" in result.stderr
    assert (
        "<command line>: population.disadvantaged_shar: unknown key 'disadvantaged_shar'; "
        "did you mean 'disadvantaged_share'?"
    ) in result.stderr
    assert (
        "<command line>: population.disadvantaged_share: value 1.7 is out of range: "
        "allowed 0 < x < 1 (share 0-1)"
    ) in result.stderr
    assert "expected KEY=VALUE" in result.stderr


@pytest.mark.parametrize("command", ["show", "run", "baseline"])
def test_cycle_exits_2_on_every_command(tmp_path: Path, command: str) -> None:
    (tmp_path / "a.yaml").write_text("extends: b.yaml\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\n", encoding="utf-8")
    result = edsim(command, "a.yaml", cwd=tmp_path)
    assert_clean(result, 2)
    assert "b.yaml:1:10: extends: circular extends: a.yaml -> b.yaml -> a.yaml" in result.stderr


def test_diff_with_a_bad_scenario_exits_2(files: Path) -> None:
    result = edsim("diff", "base.yaml", "missing.yaml", cwd=files)
    assert_clean(result, 2)
    assert "missing.yaml: file not found" in result.stderr


def test_run_passes_set_to_the_model(files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Scenario] = []

    def run(
        scenario: Scenario,
        seed: int = 0,
        *,
        years: int | None = None,
        on_year: Callable[[int, int], None] | None = None,
    ) -> pd.DataFrame:
        seen.append(scenario)
        raise SystemExit(0)  # stop before any output is written

    monkeypatch.setitem(sys.modules, "edsim.runner", types.SimpleNamespace(run=run))
    monkeypatch.chdir(files)
    result = CliRunner().invoke(app, ["run", "child.yaml", "--set", "years=2", "-s", "regime=none"])
    assert result.exit_code == 0, result.output
    assert seen[0].years == 2
    assert seen[0].regime.name == "none"
    assert seen[0].population.n_primary_schools == 100
