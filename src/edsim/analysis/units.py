"""Effects in the units a policy reader weighs: months of progress, percentage points, gap share.

A paired difference of 0.02 in a gap measured in pupil-level standard deviations means little to
someone who funds programmes. Education research in England reports effects three other ways,
and the comparison and effects tables add each where it applies:

* **months of progress**, for metrics in pupil-level SD (``*_gap_sd``, ``*_mean`` …), by the EEF
  Teaching and Learning Toolkit's published conversion table (:data:`EEF_MONTHS_UPPER`), the one
  English schools and the Department for Education read effect sizes in;
* **percentage points** of pupils reaching a standard, for shares (``ks2_standard_dis``:
  disadvantaged pupils at the KS2 expected standard; ``ks4_standard_dis``: at grade 4 or above
  in English and maths), i.e. ``100 x`` the difference of the shares;
* **share of the gap**: for a gap metric (``*_gap_index``, ``*_gap_sd``, ``*_gap_sd_q1`` …), the
  difference as a percentage of the reference's own year-0 gap in the same replicate, so "-2%"
  reads "closes a further 2% of the gap England started from". It is computed pair by pair and
  then averaged, so its interval is a paired t-interval like the difference's.

Every conversion keeps the sign: for a gap, a negative difference (and negative months or share)
means the scenario left the gap narrower than the reference did.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from edsim.analysis._checks import require_columns
from edsim.analysis.summary import paired_differences

__all__ = [
    "EEF_MONTHS_SOURCE",
    "EEF_MONTHS_UPPER",
    "add_reader_units",
    "is_gap_metric",
    "is_sd_metric",
    "is_share_metric",
    "months_from_sd",
    "months_of_progress",
    "paired_gap_share",
    "reader_units",
]

EEF_MONTHS_UPPER: tuple[float, ...] = (
    0.01,
    0.09,
    0.18,
    0.26,
    0.35,
    0.44,
    0.52,
    0.61,
    0.69,
    0.78,
    0.87,
    0.95,
)
"""Upper effect size (SD, to 2 decimals) of the 0, 1, … 11 months bands; 0.96 and up is 12.

The EEF Toolkit's table: 0 months -0.01 to 0.01; 1 month 0.02-0.09; 2: 0.10-0.18; 3: 0.19-0.26;
4: 0.27-0.35; 5: 0.36-0.44; 6: 0.45-0.52; 7: 0.53-0.61; 8: 0.62-0.69; 9: 0.70-0.78; 10:
0.79-0.87; 11: 0.88-0.95; 12: 0.96-1.00. Effect sizes are taken to the nearest 2 decimals, and a
negative effect size converts to the same number of months, negative. The table stops at 1.00;
larger effects are given its top band, 12 (no effect in this model comes near). See
:data:`EEF_MONTHS_SOURCE`.
"""

EEF_MONTHS_SOURCE = (
    "Education Endowment Foundation, Teaching and Learning Toolkit, 'Additional months' "
    "progress' conversion table, https://educationendowmentfoundation.org.uk/"
    "evidence-summaries/about-the-toolkits/attainment/ (the Toolkit's conversion differs "
    "slightly from the one in reports of single EEF-funded trials)"
)
"""Where :data:`EEF_MONTHS_UPPER` comes from."""

#: Metrics measured in pupil-level SD units, for which months of progress make sense.
_SD_METRIC = re.compile(r"(_gap_sd(_q[1-5])?|_mean|_mean_dis|_mean_other)$")
#: Gap metrics: the difference can be read as a share of the year-0 gap.
_GAP_METRIC = re.compile(r"_gap_(index|sd(_q[1-5])?)$")
#: Marks a metric that is a share (0-1) of pupils reaching a standard.
_SHARE_MARK = "_standard_"

#: One value or a column of them.
_Values = float | np.ndarray | pd.Series

#: Columns :func:`add_reader_units` adds for each kind of metric.
_UNIT_COLUMNS = {
    "months": ("months", "months_ci_low", "months_ci_high"),
    "pp": ("pp", "pp_ci_low", "pp_ci_high"),
    "gap_share": ("gap_share", "gap_share_ci_low", "gap_share_ci_high"),
}


def is_sd_metric(metric: str) -> bool:
    """Whether ``metric`` is measured in pupil-level SD (so months of progress apply)."""
    return bool(_SD_METRIC.search(metric))


def is_share_metric(metric: str) -> bool:
    """Whether ``metric`` is a share of pupils reaching a standard (so percentage points apply)."""
    return _SHARE_MARK in metric


def is_gap_metric(metric: str) -> bool:
    """Whether ``metric`` is a disadvantage gap (so a share of the year-0 gap applies)."""
    return bool(_GAP_METRIC.search(metric))


def months_from_sd(effect: _Values) -> np.ndarray:
    """Effect sizes (SD) as months of progress by the EEF Toolkit's table; NaN stays NaN.

    Args:
        effect: One effect size or an array of them.

    Returns:
        Whole months, signed like the effect, as floats (NaN where the input is NaN).
    """
    values = np.asarray(effect, dtype=float)
    rounded = np.round(np.abs(values), 2)
    months = np.searchsorted(np.asarray(EEF_MONTHS_UPPER), rounded, side="left").astype(float)
    out = np.sign(values) * months
    return np.where(np.isnan(values), np.nan, out + 0.0)  # + 0.0: no "-0" months


def months_of_progress(metric: str, sd_difference: float) -> float:
    """An SD difference as months of progress, or NaN when ``metric`` is not in SD units.

    Only metrics measured in pupil-level SD (names ending ``_gap_sd``, ``_gap_sd_q1`` …
    ``_q5``, ``_mean``, ``_mean_dis`` or ``_mean_other``) convert: a gap *index* or a share has
    no months equivalent, and inventing one would mislead. The conversion is the EEF Toolkit's
    table (:data:`EEF_MONTHS_UPPER`), so the answer is a whole number of months, as the Toolkit
    reports it. The sign is kept: for a gap, negative months mean the scenario left the gap that
    much narrower (disadvantaged pupils that many months' progress closer to the others).
    """
    if not is_sd_metric(metric):
        return float("nan")
    return float(months_from_sd(sd_difference))


def paired_gap_share(
    trajectories: pd.DataFrame,
    metric: str,
    *,
    baseline: str,
    level: float = 0.95,
    pool_points: bool = True,
    crossed: bool = False,
) -> pd.DataFrame:
    """Each scenario's paired difference from the baseline as % of the baseline's year-0 gap.

    For every (design point, replicate) the metric is divided by the baseline's own year-0
    value in that replicate (all variants of a replicate share year 0), so the paired
    difference of the rescaled metric is ``100 * (scenario - baseline) / gap in year 0``; its
    mean and t-interval come from :func:`~edsim.analysis.paired_differences`, design points
    pooled (``crossed`` as there). A replicate whose year-0 gap is 0 has no share and is left
    out.

    Returns:
        One row per scenario (other than the baseline) and year (and design point, with
        ``pool_points=False``): ``scenario``, (``point``,) ``year``, ``gap_share``,
        ``gap_share_ci_low``, ``gap_share_ci_high``; empty when the trajectories have no year 0.
    """
    keys = ["point", "replicate"]
    require_columns(trajectories, ["scenario", *keys, "year", metric], "trajectories")
    start = trajectories[(trajectories["scenario"] == baseline) & (trajectories["year"] == 0)]
    columns = ["scenario", *([] if pool_points else ["point"]), "year"]
    columns += _UNIT_COLUMNS["gap_share"]
    if start.empty:
        return pd.DataFrame(columns=columns)
    gap0 = start[[*keys, metric]].rename(columns={metric: "_gap0"})
    frame = trajectories[["scenario", *keys, "year", metric]].merge(gap0, on=keys, how="inner")
    denominator = frame["_gap0"].where(frame["_gap0"] != 0)
    frame[metric] = 100.0 * frame[metric] / denominator
    diffs = paired_differences(
        frame.drop(columns="_gap0"),
        metric,
        baseline=baseline,
        level=level,
        pool_points=pool_points,
        crossed=crossed,
    )
    out = diffs.rename(
        columns={
            "mean_diff": "gap_share",
            "ci_low": "gap_share_ci_low",
            "ci_high": "gap_share_ci_high",
        }
    )
    return out[columns]


def reader_units(metric: str, mean: _Values, low: _Values, high: _Values) -> dict[str, np.ndarray]:
    """A difference and its interval in months or percentage points, whichever ``metric`` takes.

    Returns:
        ``months``, ``months_ci_low``, ``months_ci_high`` for SD metrics (each end of the
        interval converted by the same table, which keeps their order); ``pp``, ``pp_ci_low``,
        ``pp_ci_high`` for shares; nothing for other metrics.
    """
    values = [np.asarray(v, dtype=float) for v in (mean, low, high)]
    if is_sd_metric(metric):
        converted = [months_from_sd(v) for v in values]
        names = _UNIT_COLUMNS["months"]
    elif is_share_metric(metric):
        converted = [100.0 * v for v in values]
        names = _UNIT_COLUMNS["pp"]
    else:
        return {}
    return dict(zip(names, converted, strict=True))


def add_reader_units(table: pd.DataFrame, metric: str, before: str | None = None) -> None:
    """Add :func:`reader_units` of ``mean_diff``, ``diff_ci_low`` and ``diff_ci_high`` in place.

    With ``before``, the columns are inserted before that column, else appended.
    """
    units = reader_units(metric, table["mean_diff"], table["diff_ci_low"], table["diff_ci_high"])
    position = table.columns.get_loc(before) if before in table.columns else len(table.columns)
    for offset, (name, value) in enumerate(units.items()):
        table.insert(int(position) + offset, name, value)  # type: ignore[arg-type]
