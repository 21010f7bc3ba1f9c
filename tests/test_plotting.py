"""Trajectory figures: the right lines and labels, drawn without touching pyplot."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from matplotlib.figure import Figure

from edsim.plotting import plot_gap_trajectories, plot_shares_at_standard


def trajectory() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "year": [2011, 2012, 2013],
            "ks2_gap_index": [3.3, 3.2, 3.1],
            "ks4_gap_index": [4.1, 4.0, 3.9],
            "ks2_standard_dis": [0.45, 0.46, 0.47],
            "ks2_standard_other": [0.67, 0.67, 0.68],
            "ks4_standard_dis": [0.45, 0.45, 0.46],
            "ks4_standard_other": [0.72, 0.72, 0.72],
        }
    )


def test_gap_figure_has_both_key_stages_against_year() -> None:
    fig = plot_gap_trajectories(trajectory())
    (ax,) = fig.axes
    assert [line.get_label() for line in ax.get_lines()] == ["KS2 (age 11)", "KS4 (age 16)"]
    assert list(ax.get_lines()[1].get_xdata()) == [2011, 2012, 2013]
    assert ax.get_xlabel() == "Year"
    assert "gap index" in ax.get_ylabel()
    assert ax.get_title()
    assert ax.get_legend() is not None


def test_gap_figure_draws_into_given_axes_with_title() -> None:
    fig = Figure()
    ax = fig.add_subplot()
    assert plot_gap_trajectories(trajectory(), ax=ax, title="Pilot") is fig
    assert ax.get_title() == "Pilot"


def test_gap_figure_in_subfigure_returns_root_figure() -> None:
    fig = Figure()
    ax = fig.subfigures(1, 2)[0].add_subplot()
    assert plot_gap_trajectories(trajectory(), ax=ax) is fig


def test_shares_figure_has_four_lines() -> None:
    (ax,) = plot_shares_at_standard(trajectory()).axes
    labels = [line.get_label() for line in ax.get_lines()]
    assert len(labels) == 4
    assert all(("KS2" in label) != ("KS4" in label) for label in labels)
    assert sum("disadvantaged" in label for label in labels) == 2


def test_missing_column_is_named() -> None:
    with pytest.raises(ValueError, match="ks4_gap_index"):
        plot_gap_trajectories(trajectory().drop(columns="ks4_gap_index"))


def test_importing_and_plotting_does_not_load_pyplot() -> None:
    code = (
        "import sys, pandas as pd; from edsim.plotting import plot_gap_trajectories; "
        "plot_gap_trajectories(pd.DataFrame({'year': [1], 'ks2_gap_index': [1.0], "
        "'ks4_gap_index': [1.0]})); assert 'matplotlib.pyplot' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
