"""The quintile chart says which year it shows, and its legend covers no bar."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.container import BarContainer

from edsim.experiment import Results
from edsim.plotting import plot_gap_by_quintile
from edsim.report import write_figures

SCENARIOS = {"none": 0.0, "disseminate_to": -0.02, "linkage_exchange": -0.05}


def results() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Three scenarios x 4 replicates x years 0-3; bars of about equal height fill the axes."""
    rng = np.random.default_rng(3)
    runs, rows = [], []
    for scenario, effect in SCENARIOS.items():
        for replicate in range(4):
            run_id = f"{scenario}-{replicate}"
            runs.append(
                {"run_id": run_id, "scenario": scenario, "point": 0, "replicate": replicate}
            )
            for year in range(4):
                gaps = {
                    f"ks4_gap_sd_q{q}": 0.5 + 0.01 * q + effect * year + rng.normal(0, 0.01)
                    for q in range(1, 6)
                }
                rows.append(
                    {
                        "run_id": run_id,
                        "scenario": scenario,
                        "point": 0,
                        "replicate": replicate,
                        "year": year,
                        "calendar_year": 2011 + year,
                        "ks4_gap_index": 4.0 + effect * year,
                        **gaps,
                    }
                )
    return pd.DataFrame(runs), pd.DataFrame(rows)


def test_quintile_legend_sits_clear_of_every_bar_and_inside_the_figure() -> None:
    _, trajectories = results()
    fig = plot_gap_by_quintile(trajectories, year=3)
    FigureCanvasAgg(fig).draw()
    (ax,) = fig.axes
    legend = ax.get_legend().get_window_extent()
    bars = [p for c in ax.containers if isinstance(c, BarContainer) for p in c.patches]
    assert len(bars) == 15
    for bar in bars:
        assert not legend.overlaps(bar.get_window_extent()), bar
    assert fig.bbox.contains(legend.x0, legend.y0)
    assert fig.bbox.contains(legend.x1, legend.y1)


def test_the_batch_quintile_figure_names_its_year(tmp_path: Path) -> None:
    runs, trajectories = results()
    manifest = {
        "experiment": {"name": "demo", "baseline": "none"},
        "scenarios": {s: {} for s in ("none", "disseminate_to", "linkage_exchange")},
    }
    written = write_figures(Results(runs, trajectories, manifest), tmp_path, formats=("svg",))
    svg = next(p for p in written if p.name == "ks4_gap_by_quintile.svg").read_text()
    assert "2014 (year 3)" in svg  # the final year, in the title
