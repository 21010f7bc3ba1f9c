"""`edsim sensitivity` analyses the experiment's declared outcome and says which it is."""

from pathlib import Path

import pandas as pd

from cli_helpers import run_edsim

MORRIS = """name: le_effect
base: small
scenarios:
  disseminate_to: {regime: disseminate_to}
  linkage_exchange: {regime: linkage_exchange}
baseline: disseminate_to
replicates: 1
seed: 5
years: 3
metrics: [ks4_gap_index, ks2_gap_index]
design:
  method: morris
  samples: 2
  levels: 4
  parameters:
    truth.heterogeneity: {min: 0.0, max: 0.3}
    attainment.gain_persistence: {min: 0.3, max: 0.9}
"""


def test_sensitivity_defaults_to_the_regime_difference_and_follows_a_declared_outcome(
    tmp_path: Path,
) -> None:
    path = tmp_path / "le_effect.yaml"
    path.write_text(MORRIS)
    out = tmp_path / "out"
    result = run_edsim("sensitivity", path, "--out", out, "--executor", "serial")
    assert result.returncode == 0, result.stderr
    assert (
        "outcome: ks4_gap_index in the final year: linkage_exchange minus disseminate_to, "
        "paired on replicate" in result.stdout
    )
    difference = pd.read_csv(out / "sensitivity_morris_ks4_gap_index.csv")

    declared = path.with_name("declared.yaml")
    declared.write_text(MORRIS + "outcome: {metric: ks2_gap_index, year: 2, baseline: null}\n")
    again = run_edsim("sensitivity", declared, "--out", out, "--executor", "serial")
    assert again.returncode == 0, again.stderr  # the outcome is not part of the definition
    assert "outcome: ks2_gap_index in year 2 under linkage_exchange (its level)" in again.stdout
    assert (out / "sensitivity_morris_ks2_gap_index.csv").is_file()

    # the results now record the declared outcome; the options change one part of it
    level = run_edsim(
        "sensitivity", out, "--level", "--scenario", "disseminate_to", "-m", "ks4_gap_index"
    )
    assert level.returncode == 0, level.stderr
    assert "outcome: ks4_gap_index in year 2 under disseminate_to (its level)" in level.stdout
    levels = pd.read_csv(out / "sensitivity_morris_ks4_gap_index.csv")
    assert not levels["mu_star"].equals(difference["mu_star"])  # a level is not the difference
