"""Package metadata (SPDX licence, build requirements) and the package data the wheel ships."""

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_licence_is_an_spdx_expression_with_its_file():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")


def test_build_requires_setuptools_only():
    build = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]
    assert build["requires"] == ["setuptools>=77"]  # PEP 639 licence fields; no `wheel`


# --- shipped scenarios and experiments are package data -------------------------------------------

PACKAGE = ROOT / "src" / "edsim"


def _package_data() -> list[str]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["edsim"]


def _data_files() -> set[Path]:
    """Every file in the package that is not Python source (what package-data must list)."""
    return {
        p.relative_to(PACKAGE)
        for p in PACKAGE.rglob("*")
        if p.is_file() and p.suffix not in {".py", ".pyc"} and "__pycache__" not in p.parts
    }


def _wheel_files() -> set[Path]:
    """What setuptools puts in the wheel: the Python source and the package-data matches."""
    source = {p.relative_to(PACKAGE) for p in PACKAGE.rglob("*.py")}
    data = {p.relative_to(PACKAGE) for pattern in _package_data() for p in PACKAGE.glob(pattern)}
    return source | data


def test_package_data_and_files_match_both_ways():
    patterns = _package_data()
    for pattern in patterns:
        assert list(PACKAGE.glob(pattern)), f"package-data {pattern!r} matches no file"
    matched = {p.relative_to(PACKAGE) for pattern in patterns for p in PACKAGE.glob(pattern)}
    assert _data_files() == matched, "files in src/edsim that the wheel would leave out"
    assert {"data/scenarios/*.yaml", "data/experiments/*.yaml"} <= set(patterns)


def test_repository_paths_are_links_to_the_package_data():
    # A clone keeps the documented paths (scenarios/england.yaml, experiments/quickstart.yaml),
    # as links, so there is one copy of each file and it is the one the wheel ships.
    assert (ROOT / "scenarios").is_symlink()
    assert (ROOT / "scenarios").resolve() == PACKAGE / "data" / "scenarios"
    linked = {p.name: p for p in (ROOT / "experiments").glob("*.yaml")}
    shipped = {p.name for p in (PACKAGE / "data" / "experiments").glob("*.yaml")}
    assert set(linked) == shipped, "each shipped experiment needs its link in experiments/"
    for name, link in linked.items():
        assert link.is_symlink(), f"experiments/{name} must link to the shipped file"
        assert link.resolve() == PACKAGE / "data" / "experiments" / name


_INSTALLED_CHECK = """
import sys
from pathlib import Path
import edsim
from edsim.experiment import load_experiment
from edsim.scenario.loader import load_scenario, resolve_scenario
from edsim.viz.env import default_scenario_path

site = Path(sys.argv[1]).resolve()
assert Path(edsim.__file__).resolve().is_relative_to(site), edsim.__file__
Path("mine.yaml").write_text("extends: small\\nyears: 2\\n", encoding="utf-8")
assert resolve_scenario("mine.yaml").chain[1].endswith("edsim/data/scenarios/small.yaml")
assert load_scenario("england").name == "england"
quickstart = load_experiment("quickstart")
assert Path(quickstart.source).resolve().is_relative_to(site), quickstart.source
assert default_scenario_path().resolve().is_relative_to(site)
assert load_scenario(default_scenario_path()).name == "teaching"
print("ok")
"""


def test_an_installed_copy_finds_its_shipped_files_from_another_directory(tmp_path):
    # The files the wheel would hold, alone in a site directory, run from elsewhere: nothing may
    # be read from the repository (CI builds and installs the real wheel: .ci/run).
    site = tmp_path / "site"
    for relative in _wheel_files():
        target = site / "edsim" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(PACKAGE / relative, target)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    check = subprocess.run(
        [sys.executable, "-c", _INSTALLED_CHECK, str(site)],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert check.returncode == 0, check.stderr
    assert check.stdout.strip() == "ok"
    cli = subprocess.run(
        [sys.executable, "-m", "edsim", "validate", "small"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert cli.returncode == 0, cli.stderr
    assert "ok: small is a valid scenario" in cli.stdout
