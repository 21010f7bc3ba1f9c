"""Effects of one regime against another in one year, in units a reader of the docs can weigh.

:func:`effects_table` answers "how much better is X than Y, and is that more than noise?" for a
handful of chosen comparisons and metrics at once, in the shape the documentation's tables cite:

* the paired difference (scenario minus reference, paired on design point and replicate, as in
  :func:`~edsim.analysis.paired_differences`) with its t-interval and paired t-test p-value;
* ``p_holm``, the p-value Holm-adjusted across every row of the table, because a table of many
  comparisons turns up small raw p-values by chance;
* the difference translated into the units education research reports
  (:mod:`edsim.analysis.units`): **months of progress** for metrics measured in pupil-level SD
  (the EEF Toolkit's conversion table), **percentage points** for shares of pupils reaching a
  standard, and for gaps the **share of the year-0 gap** the difference amounts to;
* ``year_noise``, how much the metric ordinarily wobbles from one year to the next in the
  reference's own runs, so a difference can be called plainly "smaller than one year's wobble"
  even when, with many replicates, it is statistically distinguishable from zero.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from edsim.analysis._checks import (
    require_columns,
    require_level,
    require_metric,
    require_scenario,
    require_years,
)
from edsim.analysis.summary import holm_adjust, paired_differences
from edsim.analysis.tables import to_markdown
from edsim.analysis.units import (
    EEF_MONTHS_SOURCE,
    is_gap_metric,
    months_of_progress,
    paired_gap_share,
    reader_units,
)
from edsim.errors import ExperimentError

__all__ = ["effects_markdown", "effects_table", "months_of_progress"]

_COLUMNS = [
    "scenario",
    "reference",
    "metric",
    "year",
    "n_pairs",
    "mean_diff",
    "diff_ci_low",
    "diff_ci_high",
    "p_value",
    "p_holm",
    "months",
    "months_ci_low",
    "months_ci_high",
    "pp",
    "pp_ci_low",
    "pp_ci_high",
    "gap_share",
    "gap_share_ci_low",
    "gap_share_ci_high",
    "year_noise",
    "within_year_noise",
]

#: Reader-unit columns, left out of the Markdown when no row has them.
_OPTIONAL = [c for c in _COLUMNS if c.startswith(("months", "pp", "gap_share"))]


def effects_table(
    trajectories: pd.DataFrame,
    pairs: Sequence[tuple[str, str]],
    metrics: Sequence[str],
    *,
    year: int | None = None,
    level: float = 0.95,
    crossed: bool = False,
) -> pd.DataFrame:
    """Paired effects of chosen scenario-versus-reference comparisons on chosen metrics.

    Args:
        trajectories: Long results, one row per run and year.
        pairs: ``(scenario, reference)`` comparisons, e.g. ``[("linkage_exchange",
            "disseminate_to"), ("linkage_exchange", "none")]``; rows follow this order.
        metrics: Numeric metric columns, e.g. ``["ks4_gap_sd", "ks4_standard_dis"]``; within a
            comparison, rows follow this order.
        year: The year compared (0 = before any evidence system); the last year run when
            omitted.
        level: Confidence level of the intervals.
        crossed: Intervals and p-values from the points × replicates table as a crossed design
            (replicates share seeds across points), as :func:`paired_differences` takes them;
            for posterior designs.

    Returns:
        One row per comparison and metric: ``scenario``, ``reference``, ``metric``, ``year``,
        ``n_pairs`` (complete (point, replicate) pairs, design points pooled), ``mean_diff``
        (scenario minus reference), ``diff_ci_low``/``diff_ci_high`` (t-interval),
        ``p_value`` (paired t-test; NaN where the differences are constant), ``p_holm``
        (Holm-adjusted across every row of this table, so it depends on what else is in it),
        ``months`` with ``months_ci_low``/``months_ci_high`` (the difference and its interval
        in months of progress by the EEF Toolkit's table, NaN unless the metric is in SD units;
        see :func:`months_of_progress`), ``pp`` with ``pp_ci_low``/``pp_ci_high`` (``100 *``
        the difference, percentage points, for share metrics, whose names contain
        ``_standard_``; NaN otherwise), ``gap_share`` with ``gap_share_ci_low``/
        ``gap_share_ci_high`` (for gap metrics: the difference as a percentage of the
        reference's year-0 gap, paired per replicate; see
        :func:`~edsim.analysis.units.paired_gap_share`), ``year_noise`` and
        ``within_year_noise``. ``year_noise`` is the metric's ordinary wobble from one year to
        the next in the reference's runs: for each reference run, the SD (``ddof=1``) of its
        year-on-year changes over every year after year 0 (year 1 minus year 0, year 2 minus
        year 1, …), then the median over runs (NaN with fewer than two changes per run).
        ``within_year_noise`` is ``|mean_diff| < year_noise`` (NA where either is undefined):
        where it is true, the effect, however precisely estimated, is smaller than how much the
        metric moves from one ordinary year to the next, and the docs should say so. ``attrs``
        records ``year``, ``level`` and ``months_source`` (where the months conversion is from).

    Raises:
        ExperimentError: No pairs or metrics, a scenario compared with itself, an unknown
            scenario, metric or year, a level outside (0, 1), or runs that cannot be paired.
    """
    require_columns(trajectories, ["scenario", "point", "replicate", "year"], "trajectories")
    comparisons = list(dict.fromkeys((str(s), str(r)) for s, r in pairs))
    chosen = list(dict.fromkeys(metrics))
    if not comparisons:
        raise ExperimentError("an effects table needs at least one (scenario, reference) pair")
    if not chosen:
        raise ExperimentError("an effects table needs at least one metric")
    for scenario, reference in comparisons:
        if scenario == reference:
            raise ExperimentError(f"scenario {scenario!r} cannot be compared with itself")
        require_scenario(trajectories, scenario, "compared")
        require_scenario(trajectories, reference, "reference")
    for metric in chosen:
        require_metric(trajectories, metric)
    require_level(level)
    if year is None:
        year = int(trajectories["year"].max())
    require_years(trajectories, [year])

    at_year = trajectories[trajectories["year"] == year]
    noise: dict[tuple[str, str], float] = {}
    rows = []
    for scenario, reference in comparisons:
        both = at_year[at_year["scenario"].isin([scenario, reference])]
        for metric in chosen:
            row = _paired_row(both, (scenario, reference), metric, level, crossed)
            units = reader_units(metric, row["mean_diff"], row["diff_ci_low"], row["diff_ci_high"])
            key = (reference, metric)
            if key not in noise:
                noise[key] = _year_noise(trajectories, reference, metric)
            rows.append(
                {"scenario": scenario, "reference": reference, "metric": metric, "year": year}
                | row
                | {name: float(value) for name, value in units.items()}
                | _gap_share(trajectories, (scenario, reference), metric, (year, level), crossed)
                | {"year_noise": noise[key]}
            )
    table = pd.DataFrame(rows).reindex(columns=_COLUMNS)
    table["n_pairs"] = table["n_pairs"].astype(int)
    table["p_holm"] = holm_adjust(table["p_value"])
    mean = table["mean_diff"].to_numpy(dtype=float)
    table["within_year_noise"] = _within(mean, table["year_noise"].to_numpy(dtype=float))
    table[_OPTIONAL] = table[_OPTIONAL].astype(float)
    table.attrs.update(year=year, level=level, months_source=EEF_MONTHS_SOURCE, crossed=crossed)
    return table


def effects_markdown(table: pd.DataFrame, *, digits: int = 3) -> str:
    """Render an :func:`effects_table` for the documentation as a Markdown pipe table.

    Same rules as :func:`~edsim.analysis.to_markdown` (p-values as ``<0.001`` when tiny, blanks
    for undefined cells), plus: percentage points and shares of the gap to one decimal, and
    months as the whole months the Toolkit's table gives; ``within_year_noise`` as
    ``yes``/``no``; and the months, percentage-point and gap-share columns left out when no row
    has them, so a table of gap indices is not padded with empty columns.

    Args:
        table: The frame :func:`effects_table` returns (or a selection of its rows).
        digits: Decimals for the other float columns.

    Returns:
        The Markdown text, ending in a newline.
    """
    shown = table.copy()
    if "within_year_noise" in shown.columns:
        flags = shown["within_year_noise"].astype("boolean")
        shown["within_year_noise"] = [
            "" if pd.isna(flag) else ("yes" if flag else "no") for flag in flags
        ]
    empty = [c for c in _OPTIONAL if c in shown.columns and shown[c].isna().all()]
    shown = shown.drop(columns=empty)
    places = {c: 0 if c.startswith("months") else 1 for c in _OPTIONAL}
    return to_markdown(shown, digits=digits, column_digits=places)


def _paired_row(
    both: pd.DataFrame, pair: tuple[str, str], metric: str, level: float, crossed: bool
) -> dict[str, float]:
    """The pooled paired difference of one metric in one year, as the table's columns."""
    scenario, reference = pair
    empty = {
        "n_pairs": 0,
        "mean_diff": np.nan,
        "diff_ci_low": np.nan,
        "diff_ci_high": np.nan,
        "p_value": np.nan,
    }
    if not (both["scenario"] == scenario).any() or not (both["scenario"] == reference).any():
        return empty  # one side reached no row in this year: nothing to pair
    diffs = paired_differences(
        both, metric, baseline=reference, level=level, pool_points=True, crossed=crossed
    )
    found = diffs[diffs["scenario"] == scenario]
    if found.empty:
        return empty
    first = found.iloc[0]
    return {
        "n_pairs": int(first["n_pairs"]),
        "mean_diff": float(first["mean_diff"]),
        "diff_ci_low": float(first["ci_low"]),
        "diff_ci_high": float(first["ci_high"]),
        "p_value": float(first["p_value"]),
    }


def _gap_share(
    trajectories: pd.DataFrame,
    pair: tuple[str, str],
    metric: str,
    when: tuple[int, float],
    crossed: bool,
) -> dict[str, float]:
    """The paired difference as % of the reference's year-0 gap, for gap metrics only."""
    (scenario, reference), (year, level) = pair, when
    if not is_gap_metric(metric):
        return {}
    rows = trajectories[
        trajectories["scenario"].isin([scenario, reference]) & trajectories["year"].isin([0, year])
    ]
    shares = paired_gap_share(rows, metric, baseline=reference, level=level, crossed=crossed)
    found = shares[(shares["scenario"] == scenario) & (shares["year"] == year)]
    if found.empty:
        return {}
    first = found.iloc[0]
    return {c: float(first[c]) for c in ("gap_share", "gap_share_ci_low", "gap_share_ci_high")}


def _year_noise(trajectories: pd.DataFrame, reference: str, metric: str) -> float:
    """Median over the reference's runs of the SD of each run's year-on-year changes.

    Only changes between consecutive years count, so a year missing from a run's rows cannot
    pass off a two-year change as one year's.
    """
    keys = ["point", "replicate"]
    runs = trajectories.loc[trajectories["scenario"] == reference, [*keys, "year", metric]]
    runs = runs.sort_values([*keys, "year"])
    grouped = runs.groupby(keys, sort=False)
    change = grouped[metric].diff().where(grouped["year"].diff() == 1)
    per_run = change.groupby([runs[k] for k in keys]).std()
    return float(per_run.median()) if per_run.notna().any() else float("nan")


def _within(mean: np.ndarray, noise: np.ndarray) -> pd.arrays.BooleanArray:
    """``|mean| < noise`` as a nullable boolean, NA where either side is undefined."""
    defined = ~(np.isnan(mean) | np.isnan(noise))
    values = np.zeros(mean.shape, dtype=bool)
    values[defined] = np.abs(mean[defined]) < noise[defined]
    return pd.arrays.BooleanArray(values, ~defined)
