"""The year-0 state and the 2011-2015 gap series against docs/sources.md: the model, checked.

Used by ``edsim baseline`` (full-scale figures) and by the test suite (small scale, wider
tolerance). The series is the calibration window of ``experiments/calibrate_england.yaml``
(docs/validation.md); the tolerance of 0.10 index points is the issue's criterion for the fit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from edsim.model import EdSystemModel
from edsim.model.lifecycle import disposing
from edsim.model.metrics import intra_cluster_correlation
from edsim.scenario import Scenario

__all__ = ["GAP_SERIES", "TARGETS", "CalibrationTarget", "year0_report"]


@dataclass(frozen=True)
class CalibrationTarget:
    """One year-0 figure from docs/sources.md and how closely the model must match it."""

    metric: str
    label: str
    target: float
    tolerance: float
    source: str


TARGETS: tuple[CalibrationTarget, ...] = (
    CalibrationTarget(
        "ks4_gap_index",
        "KS4 disadvantage gap index",
        4.07,
        0.10,
        "DfE KS4 performance tables, 2011",
    ),
    CalibrationTarget(
        "ks2_gap_index",
        "KS2 disadvantage gap index",
        3.34,
        0.10,
        "DfE KS2 attainment statistics, 2011",
    ),
    CalibrationTarget(
        "ks4_disadvantaged_share",
        "share of pupils disadvantaged (KS4 cohort)",
        0.27,
        0.03,
        "NAO (2024)",
    ),
    CalibrationTarget(
        "ks2_standard_dis",
        "KS2 expected standard, disadvantaged",
        0.45,
        0.03,
        "DfE KS2 statistics 2024",
    ),
    CalibrationTarget(
        "ks2_standard_other", "KS2 expected standard, others", 0.67, 0.03, "DfE KS2 statistics 2024"
    ),
    CalibrationTarget(
        "ks4_standard_dis",
        "KS4 grade 4+ English and maths, disadvantaged",
        0.45,
        0.03,
        "DfE KS4 statistics 2019",
    ),
    CalibrationTarget(
        "ks4_standard_other",
        "KS4 grade 4+ English and maths, others",
        0.72,
        0.03,
        "DfE KS4 statistics 2019",
    ),
    CalibrationTarget(
        "ks4_icc",
        "KS4 intra-cluster correlation (schools)",
        0.175,
        0.05,
        "England, EEF power calculations: 0.15-0.20",
    ),
    CalibrationTarget(
        "ks2_icc",
        "KS2 intra-cluster correlation (schools)",
        0.175,
        0.05,
        "England, EEF power calculations: 0.15-0.20",
    ),
)


#: The DfE's disadvantage gap index, England, 2011-2015 (docs/sources.md): metric -> by year.
GAP_SERIES: dict[str, dict[int, float]] = {
    "ks4_gap_index": {2011: 4.07, 2012: 3.89, 2013: 3.81, 2014: 3.74, 2015: 3.80},
    "ks2_gap_index": {2011: 3.34, 2012: 3.23, 2013: 3.16, 2014: 3.15, 2015: 3.10},
}
#: How far the model's mean over seeds may lie from each observed value of the series.
SERIES_TOLERANCE = 0.10


def year0_report(scenario: Scenario | None = None, seeds: int = 3) -> pd.DataFrame:
    """Build the system (burn-in included) for several seeds and compare year 0 with the targets.

    Args:
        scenario: The scenario (default: England at full scale).
        seeds: How many seeds (0, 1, ...) to average over.

    Returns:
        One row per target: target, tolerance, mean and SD over seeds, and whether the mean is
        within tolerance. ``attrs`` holds the pupil and school counts.
    """
    rows: dict[str, list[float]] = {t.metric: [] for t in TARGETS}
    series: list[dict[str, float]] = []
    pupils = schools = 0
    for seed in range(seeds):
        with disposing(EdSystemModel(scenario, rng=seed)) as model:
            measured = {
                **model.latest,
                "ks4_icc": intra_cluster_correlation(model.ks4.scores, model.ks4.school),
                "ks2_icc": intra_cluster_correlation(model.ks2.scores, model.ks2.school),
            }
            pupils, schools = model.pupils.size, model.schools.n
            series += _run_through_window(model, seed)
        for t in TARGETS:
            rows[t.metric].append(float(measured[t.metric]))
    report = pd.DataFrame(
        {
            "measure": [t.label for t in TARGETS],
            "target": [t.target for t in TARGETS],
            "tolerance": [t.tolerance for t in TARGETS],
            "model_mean": [float(np.mean(rows[t.metric])) for t in TARGETS],
            "model_sd": [
                float(np.std(rows[t.metric], ddof=1)) if seeds > 1 else 0.0 for t in TARGETS
            ],
            "source": [t.source for t in TARGETS],
        },
        index=[t.metric for t in TARGETS],
    )
    report["within_tolerance"] = (report["model_mean"] - report["target"]).abs() <= report[
        "tolerance"
    ]
    report.attrs.update(pupils=pupils, schools=schools, seeds=seeds, history=_window_table(series))
    return report


def _run_through_window(model: EdSystemModel, seed: int) -> list[dict[str, float]]:
    """Step a year-0 model to the series' last year; one row per series year it reaches."""
    last = max(max(by_year) for by_year in GAP_SERIES.values())
    rows = []
    while True:
        if any(model.calendar_year in by_year for by_year in GAP_SERIES.values()):
            row = {"seed": seed, "year": model.calendar_year}
            rows.append(row | {m: float(model.latest[m]) for m in GAP_SERIES})
        if model.calendar_year >= last or model.year >= model.config.years:
            return rows
        model.step()


def _window_table(series: list[dict[str, float]]) -> pd.DataFrame:
    """Observed against the model's mean and SD over seeds, per metric and year."""
    runs = pd.DataFrame(series)
    out = []
    for metric, by_year in GAP_SERIES.items():
        for year, observed in by_year.items():
            values = runs.loc[runs["year"] == year, metric] if len(runs) else pd.Series([])
            mean = float(values.mean()) if len(values) else float("nan")
            sd = float(values.std(ddof=1)) if len(values) > 1 else 0.0
            out.append(
                {
                    "metric": metric,
                    "year": year,
                    "observed": observed,
                    "model_mean": mean,
                    "model_sd": sd,
                    "within_tolerance": abs(mean - observed) <= SERIES_TOLERANCE,
                }
            )
    return pd.DataFrame(out)
