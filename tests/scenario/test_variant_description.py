"""A scenario that extends another says what it is, not what its parent was."""

from __future__ import annotations

from pathlib import Path

from edsim.experiment.spec import experiment_from_text
from edsim.scenario.resolve import resolve_scenario


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_an_experiment_variant_that_switches_regime_does_not_inherit_its_base_description() -> None:
    text = (
        "base: small\nscenarios:\n  disseminate_to: {regime: disseminate_to}\n"
        "  linkage_exchange: {regime: linkage_exchange}\n  same: {}\n"
    )
    variants = experiment_from_text(text, "exp.yaml").scenarios
    le = variants["linkage_exchange"]
    assert le.scenario.description == "small with regime linkage_exchange"
    assert "disseminate-to" not in le.scenario.description
    assert le.origin["description"] == "exp.yaml:1"  # where it extends its base
    # a variant that changes nothing is its base, and is described as such
    assert "under disseminate-to" in variants["same"].scenario.description


def test_a_file_that_changes_things_lists_them_and_its_own_words_win(tmp_path: Path) -> None:
    base = write(tmp_path, "base.yaml", "name: base\ndescription: The base world\nyears: 4\n")
    child = write(
        tmp_path,
        "child.yaml",
        "extends: base.yaml\nregime: {feedback: {mode: none}}\ntruth: {heterogeneity: 0.0}\n",
    )
    resolved = resolve_scenario(child)
    assert resolved.scenario.description == (
        "base with regime.feedback.mode=none, truth.heterogeneity=0.0"
    )
    assert resolved.origin["description"] == f"{child}:1"
    own = write(tmp_path, "own.yaml", "extends: base.yaml\ndescription: Mine\nyears: 2\n")
    assert resolve_scenario(own).scenario.description == "Mine"
    renamed = write(tmp_path, "renamed.yaml", "extends: base.yaml\nname: copy\n")
    assert resolve_scenario(renamed).scenario.description == "The base world"
    assert resolve_scenario(base).scenario.description == "The base world"


def test_a_grandchild_that_changes_nothing_keeps_its_parents_derived_description(
    tmp_path: Path,
) -> None:
    write(tmp_path, "base.yaml", "name: base\ndescription: The base world\n")
    write(tmp_path, "le.yaml", "extends: base.yaml\nregime: linkage_exchange\n")
    grandchild = write(tmp_path, "again.yaml", "extends: le.yaml\nname: again\n")
    assert resolve_scenario(grandchild).scenario.description == "base with regime linkage_exchange"


def test_many_changes_are_counted_and_lists_named_once(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", "name: base\ndescription: The base world\n")
    child = write(
        tmp_path,
        "many.yaml",
        "extends: base.yaml\nyears: 3\nstart_year: 2012\n"
        "truth: {heterogeneity: 0.1, efficacy_inflation: 2.0}\n"
        "interventions: [{name: tutoring, months: 4, reach: targeted}]\n",
    )
    text = resolve_scenario(child).scenario.description
    assert text.startswith("base with years=3, start_year=2012, truth.heterogeneity=0.1, ")
    assert text.endswith("2 more changes")
