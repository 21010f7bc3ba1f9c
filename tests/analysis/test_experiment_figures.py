"""Experiment figures: the right artists and labels, drawn without pyplot, saved as PNG and SVG."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.container import BarContainer
from matplotlib.figure import Figure

from edsim.analysis import paired_differences, summarise, with_parameters
from edsim.io import save_figure
from edsim.plotting import (
    plot_gap_by_quintile,
    plot_metric_bands,
    plot_paired_differences,
    plot_sensitivity,
    plot_sweep_heatmap,
)

SCENARIOS = {"none": 0.0, "disseminate_to": -0.1, "linkage_exchange": -0.3}
GRID = [(h, c) for h in (0.0, 0.5) for c in (1.0, 2.0, 3.0)]  # 6 points


def results(replicates: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(0)
    runs, rows = [], []
    for scenario, effect in SCENARIOS.items():
        for point, (heterogeneity, gradient) in enumerate(GRID):
            for replicate in range(replicates):
                run_id = f"{scenario}-{point}-{replicate}"
                runs.append(
                    {
                        "run_id": run_id,
                        "scenario": scenario,
                        "point": point,
                        "replicate": replicate,
                        "truth.heterogeneity": heterogeneity,
                        "population.capacity_gradient": gradient,
                    }
                )
                for year in range(4):
                    shift = effect * year * (1 + heterogeneity) * gradient
                    rows.append(
                        {
                            "run_id": run_id,
                            "scenario": scenario,
                            "point": point,
                            "replicate": replicate,
                            "year": year,
                            "calendar_year": 2011 + year,
                            "ks4_gap_index": 4.07 + shift + rng.normal(0, 0.02) * (year > 0),
                            **{
                                f"ks4_gap_sd_q{q}": 0.4 + 0.05 * q + shift / 5 + rng.normal(0, 0.01)
                                for q in range(1, 6)
                            },
                        }
                    )
    return pd.DataFrame(runs), pd.DataFrame(rows)


def caption(fig: Figure) -> str:
    texts = [t for ax in fig.axes for t in ax.texts if t.get_gid() == "caption"]
    assert len(texts) == 1
    return texts[0].get_text()


def fill_bands(ax) -> list[PolyCollection]:
    return [c for c in ax.collections if isinstance(c, PolyCollection)]


def test_metric_bands_one_line_and_band_per_scenario() -> None:
    _, trajectories = results()
    summary = summarise(trajectories, "ks4_gap_index", by=("scenario", "calendar_year"))
    fig = plot_metric_bands(summary, metric_label="KS4 gap index (0-10)")
    (ax,) = fig.axes
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["None (no evidence system)", "Disseminate to", "Linkage and exchange"]
    assert len(fill_bands(ax)) == 3
    assert list(ax.get_lines()[0].get_xdata()) == [2011, 2012, 2013, 2014]
    assert ax.get_xlabel() == "Year"
    assert ax.get_ylabel() == "KS4 gap index (0-10)"
    assert ax.get_title()
    assert ax.get_legend() is not None
    assert "n = 18 runs" in caption(fig)
    assert "95% CI" in caption(fig)


def test_metric_bands_refuse_mixed_design_points() -> None:
    _, trajectories = results()
    summary = summarise(trajectories, "ks4_gap_index", by=("scenario", "point", "year"))
    with pytest.raises(ValueError, match="several rows per scenario and year"):
        plot_metric_bands(summary, metric_label="KS4 gap index")


def test_paired_differences_figure_has_zero_line_and_direction() -> None:
    _, trajectories = results()
    diffs = paired_differences(
        trajectories, "ks4_gap_index", baseline="none", pool_points=True, level=0.9
    )
    fig = plot_paired_differences(diffs, baseline="none", metric_label="KS4 gap index")
    (ax,) = fig.axes
    lines = ax.get_lines()
    assert len(lines) == 3  # zero line + two scenarios
    assert list(lines[0].get_ydata()) == [0, 0]
    assert [line.get_label() for line in lines[1:]] == ["Disseminate to", "Linkage and exchange"]
    assert len(fill_bands(ax)) == 2
    assert "None (no evidence system)" in ax.get_ylabel()
    assert ax.get_xlabel().startswith("Years since start")
    text = caption(fig)
    assert "90% CI" in text
    assert "Below 0: lower than under None (no evidence system) (better)" in text
    assert "n = 18 pairs" in text


def test_gap_by_quintile_groups_bars_with_error_bars() -> None:
    _, trajectories = results()
    fig = plot_gap_by_quintile(trajectories, year=3)
    (ax,) = fig.axes
    bars = [c for c in ax.containers if isinstance(c, BarContainer)]
    assert len(bars) == 3
    assert all(len(b.patches) == 5 for b in bars)
    assert "2014" in ax.get_title()
    assert [t.get_text().split("\n")[0] for t in ax.get_xticklabels()] == [
        "Q1",
        "Q2",
        "Q3",
        "Q4",
        "Q5",
    ]
    assert "(SD)" in ax.get_ylabel()
    heights = [p.get_height() for p in bars[2].patches]
    assert heights[4] < [p.get_height() for p in bars[0].patches][4]  # linkage narrows Q5


def test_gap_by_quintile_single_run_draws_without_warnings(tmp_path: Path) -> None:
    _, trajectories = results(replicates=1)
    one_point = trajectories[trajectories["point"] == 0]
    fig = plot_gap_by_quintile(one_point, year=3)  # undefined (NaN) error bars
    assert "n = 1 runs" in caption(fig)
    assert save_figure(fig, tmp_path / "one.png").stat().st_size > 0  # warnings are errors


def test_sweep_heatmap_annotates_cells_and_marks_significance() -> None:
    runs, trajectories = results()
    diffs = paired_differences(trajectories, "ks4_gap_index", baseline="none")
    final = diffs[(diffs["scenario"] == "linkage_exchange") & (diffs["year"] == 3)]
    table = with_parameters(final, runs)
    table.loc[table["point"] == 0, ["ci_low", "ci_high"]] = [-0.1, 0.1]  # straddles 0
    fig = plot_sweep_heatmap(
        table, x="truth.heterogeneity", y="population.capacity_gradient", value="mean_diff"
    )
    ax = fig.axes[0]
    assert len(fig.axes) == 2  # heatmap + colour bar
    image = ax.get_images()[0]
    assert image.get_array().shape == (3, 2)
    assert image.norm.vcenter == 0
    cells = [t for t in ax.texts if t.get_gid() != "caption"]
    assert len(cells) == 6
    starred = [t for t in cells if t.get_text().endswith("*")]
    assert len(starred) == 5
    assert all(t.get_fontweight() == "bold" for t in starred)
    plain = next(t for t in cells if not t.get_text().endswith("*"))
    assert plain.get_position() == (0, 0)  # heterogeneity 0, gradient 1 = point 0
    assert float(plain.get_text()) == pytest.approx(-0.9, abs=0.05)
    assert ax.get_xlabel() == "truth.heterogeneity"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["1", "2", "3"]
    assert "CI excludes 0" in caption(fig)


def test_sweep_heatmap_refuses_several_rows_per_cell() -> None:
    runs, trajectories = results()
    table = with_parameters(
        paired_differences(trajectories, "ks4_gap_index", baseline="none"), runs
    )
    with pytest.raises(ValueError, match="filter to one scenario and one year"):
        plot_sweep_heatmap(
            table, x="truth.heterogeneity", y="population.capacity_gradient", value="mean_diff"
        )


def sobol_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "parameter": ["truth.heterogeneity", "population.capacity_gradient", "x"],
            "S1": [0.3, 0.4, 0.0],
            "S1_conf": [0.05, 0.05, 0.02],
            "ST": [0.55, 0.45, 0.25],
            "ST_conf": [0.06, 0.04, 0.03],
        }
    )


def test_sensitivity_sobol_draws_s1_and_st_with_error_bars() -> None:
    fig = plot_sensitivity(sobol_table(), method="sobol", outcome_label="final KS4 gap index")
    (ax,) = fig.axes
    bars = [c for c in ax.containers if isinstance(c, BarContainer)]
    assert [b.get_label() for b in bars] == [
        "First order (S1): alone",
        "Total (ST): with interactions",
    ]
    assert [p.get_height() for p in bars[1].patches] == [0.55, 0.45, 0.25]
    assert all(b.errorbar is not None for b in bars)
    assert ax.get_xticklabels()[0].get_text() == "truth.heterogeneity"
    assert "final KS4 gap index" in ax.get_title()
    assert "95% bootstrap CI" in caption(fig)


def test_sensitivity_morris_draws_mu_star() -> None:
    indices = pd.DataFrame(
        {"parameter": ["a", "b"], "mu_star": [2.0, 0.5], "mu_star_conf": [0.2, 0.1]}
    )
    (ax,) = plot_sensitivity(indices, method="morris").axes
    (bars,) = [c for c in ax.containers if isinstance(c, BarContainer)]
    assert [p.get_height() for p in bars.patches] == [2.0, 0.5]
    assert "μ*" in ax.get_ylabel()
    with pytest.raises(ValueError, match="method"):
        plot_sensitivity(indices, method="fast")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="S1"):
        plot_sensitivity(indices, method="sobol")


def test_figures_draw_into_given_axes() -> None:
    _, trajectories = results()
    fig = Figure()
    left, right = fig.subplots(1, 2)
    summary = summarise(trajectories, "ks4_gap_index")
    assert plot_metric_bands(summary, metric_label="gap", ax=left) is fig
    assert plot_gap_by_quintile(trajectories, year=0, ax=right, title="Year 0") is fig
    assert right.get_title() == "Year 0"
    assert left.get_lines()


@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_figures_save(tmp_path: Path, suffix: str) -> None:
    runs, trajectories = results()
    diffs = paired_differences(trajectories, "ks4_gap_index", baseline="none")
    final = with_parameters(
        diffs[(diffs["scenario"] == "disseminate_to") & (diffs["year"] == 3)], runs
    )
    figures = {
        "bands": plot_metric_bands(summarise(trajectories, "ks4_gap_index"), metric_label="gap"),
        "diffs": plot_paired_differences(
            paired_differences(trajectories, "ks4_gap_index", baseline="none", pool_points=True),
            baseline="none",
            metric_label="gap",
        ),
        "quintiles": plot_gap_by_quintile(trajectories, year=3),
        "heatmap": plot_sweep_heatmap(
            final, x="truth.heterogeneity", y="population.capacity_gradient", value="mean_diff"
        ),
        "sobol": plot_sensitivity(sobol_table(), method="sobol"),
    }
    for name, fig in figures.items():
        content = save_figure(fig, tmp_path / f"{name}.{suffix}").read_bytes()
        if suffix == "png":
            assert content.startswith(b"\x89PNG"), name
        else:
            assert b"<svg" in content[:2000], name


def test_importing_and_plotting_loads_neither_pyplot_nor_salib() -> None:
    code = (
        "import sys, pandas as pd; import edsim.analysis; from edsim.plotting import "
        "plot_sensitivity; plot_sensitivity(pd.DataFrame({'parameter': ['a'], 'mu_star': [1.0], "
        "'mu_star_conf': [0.1]}), method='morris'); "
        "assert 'matplotlib.pyplot' not in sys.modules; assert 'SALib' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
