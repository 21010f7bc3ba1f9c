"""`edsim batch`, `compare`, `plot` and `sensitivity` as a user runs them (in a subprocess)."""

from pathlib import Path

import pandas as pd
import pytest

from cli_helpers import ROOT, run_edsim

TINY = f"""
name: tiny
base: {ROOT / "scenarios" / "small.yaml"}
scenarios:
  none: {{regime: none}}
  disseminate_to: {{regime: disseminate_to}}
replicates: 4
seed: 3
years: 3
"""


@pytest.fixture(scope="module")
def batch_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("batch")
    (root / "tiny.yaml").write_text(TINY)
    result = run_edsim("batch", root / "tiny.yaml", "--out", root / "out", "--workers", "2")
    assert result.returncode == 0, result.stderr
    assert "8 runs finished, 0 failed" in result.stdout
    assert "minus none" in result.stdout  # the closing comparison table
    return root / "out"


def test_batch_writes_runs_manifest_table_and_figures(batch_dir: Path) -> None:
    assert len(list((batch_dir / "runs").glob("*.parquet"))) == 8
    assert (batch_dir / "manifest.json").is_file()
    for name in ("comparison_ks4_gap_index.csv", "comparison_ks4_gap_index.md"):
        assert (batch_dir / name).stat().st_size > 0
    figures = {p.name for p in (batch_dir / "figures").iterdir()}
    for stem in (
        "ks4_gap_index_by_scenario",
        "ks4_gap_index_paired_difference",
        "ks4_gap_by_quintile",
    ):
        assert {f"{stem}.png", f"{stem}.svg"} <= figures


def test_compare_matches_a_hand_computation_from_the_run_files(
    batch_dir: Path, tmp_path: Path
) -> None:
    result = run_edsim(
        "compare", batch_dir, "--metric", "ks2_gap_index", "--years", "3", "--out", tmp_path
    )
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(tmp_path / "comparison_ks2_gap_index.csv")
    runs = pd.concat(pd.read_parquet(p) for p in (batch_dir / "runs").glob("*.parquet"))
    final = runs[runs["year"] == 3].pivot(
        index="replicate", columns="scenario", values="ks2_gap_index"
    )
    row = table.set_index("scenario").loc["disseminate_to"]
    diff = final["disseminate_to"] - final["none"]
    assert row["mean"] == pytest.approx(final["disseminate_to"].mean())
    assert row["mean_diff"] == pytest.approx(diff.mean())
    assert row["n_pairs"] == 4
    assert f"{diff.mean():+.3f}" in result.stdout
    assert (tmp_path / "comparison_ks2_gap_index.md").read_text().startswith("| scenario |")


def test_plot_writes_png_and_svg(batch_dir: Path, tmp_path: Path) -> None:
    result = run_edsim("plot", batch_dir, "--metric", "ks4_standard_dis", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    png = tmp_path / "ks4_standard_dis_by_scenario.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (
        (tmp_path / "ks4_standard_dis_paired_difference.svg")
        .read_text()
        .lstrip()
        .startswith("<?xml")
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["compare", "{out}", "--metric", "ks4_gap_idx"], "did you mean 'ks4_gap_index'"),
        (["compare", "{out}", "--baseline", "nobody"], "nobody"),
        (["compare", "{tmp}"], "holds no edsim results"),
        (["batch", "{tmp}/nope.yaml"], "file not found"),
        (["batch", "quickstart", "--executor", "threads"], "unknown executor 'threads'"),
        (
            ["batch", "quickstart", "--scheduler", "tcp://127.0.0.1:1"],
            "use it with --executor dask",
        ),
        (
            ["batch", "quickstart", "--executor", "dask", "--scheduler", "ucx://127.0.0.1:1"],
            "over tcp:// or tls://, not ucx://",
        ),
        (["batch", "quickstart", "--workers", "10000"], "more than 4 worker processes per CPU"),
        (
            ["batch", "quickstart", "--executor", "serial", "--workers", "3"],
            "--executor serial runs every run in this process",
        ),
        (
            ["batch", "quickstart", "--out", "{tmp}/o", "--resume", "--overwrite"],
            "give one of them",
        ),
        (["sensitivity", "{out}"], "needs an experiment with a 'sobol' or 'morris' design"),
    ],
)
def test_user_mistakes_exit_non_zero_without_a_traceback(
    batch_dir: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    filled = [a.format(out=batch_dir, tmp=tmp_path) for a in args]
    result = run_edsim(*filled)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_batch_run_again_reports_the_finished_results_instead_of_refusing(
    batch_dir: Path,
) -> None:
    before = {p.name: p.stat().st_mtime_ns for p in (batch_dir / "runs").iterdir()}
    manifest = (batch_dir / "manifest.json").read_bytes()
    again = run_edsim("batch", batch_dir.parent / "tiny.yaml", "--out", batch_dir, "--no-report")
    assert again.returncode == 0, again.stderr
    assert "all 8 runs had already finished" in again.stdout
    assert "--overwrite runs them again" in again.stdout
    assert "8 runs finished, 0 failed" in again.stdout
    assert {p.name: p.stat().st_mtime_ns for p in (batch_dir / "runs").iterdir()} == before
    assert (batch_dir / "manifest.json").read_bytes() == manifest


def test_experiment_errors_name_file_line_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(TINY.replace("replicates: 4", "replicates: -1"))
    result = run_edsim("batch", bad, "--out", tmp_path / "out")
    assert result.returncode == 2
    assert f"{bad}:7:13: replicates:" in result.stderr
    assert not (tmp_path / "out").exists()  # nothing started


def test_sensitivity_runs_a_morris_design_and_reports_indices(tmp_path: Path) -> None:
    design = """design:
  method: morris
  samples: 2
  levels: 4
  parameters:
    truth.heterogeneity: {min: 0.0, max: 0.3}
    regime.partnerships.schools_per_partnership: {min: 5, max: 25}
"""
    text = TINY.replace("  none: {regime: none}\n", "").replace("replicates: 4", "replicates: 1")
    path = tmp_path / "morris.yaml"
    path.write_text(text + design)
    out = tmp_path / "out"
    result = run_edsim("sensitivity", path, "--out", out, "--executor", "serial")
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(out / "sensitivity_morris_ks4_gap_index.csv")
    assert list(table["parameter"]) == [
        "truth.heterogeneity",
        "regime.partnerships.schools_per_partnership",
    ]
    assert (table["mu_star"] >= 0).all()
    assert (out / "sensitivity_morris_ks4_gap_index.png").is_file()
    again = run_edsim("sensitivity", out)  # from the results directory alone
    assert again.returncode == 0, again.stderr
    assert "Morris indices of ks4_gap_index" in again.stdout
