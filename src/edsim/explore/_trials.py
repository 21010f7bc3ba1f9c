"""A search's trials as tables: every trial, the best ones, and the front of gap against cost.

Every trial was run on the same uncertainty draws with the same seeds, so two trials can be
compared draw by draw: the best table gives each runner-up's paired difference from the best
with a t-interval over the draws, which says whether "best" is distinguishable from the next
few or only first by luck. Max regret is also computed per trial: across the draws, the most by
which the trial's outcome exceeds the best outcome any trial of the search reached in that draw
(Savage's criterion; relative to the trials run, not to an unknown true optimum).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from edsim.analysis._checks import t_interval

if TYPE_CHECKING:
    from .spec import Optimisation

__all__ = ["best_table", "pareto_table", "trials_table"]


def trials_table(
    trials: Sequence[Any], spec: Optimisation, confirmed: Mapping[str, Any] | None = None
) -> pd.DataFrame:
    """One row per optuna trial: state, levers, objective, mean and percentile, spend, regret.

    Columns: ``trial``, ``state``, one per lever, ``objective`` (what was minimised),
    ``<metric>_mean``, ``<metric>_p<q>`` (when the objective is a percentile), ``spend_mean``,
    ``feasible``, ``max_regret``, ``seconds``, ``error``, and ``outcome_by_draw`` (the
    per-draw values, ``;``-separated, for paired comparisons). With ``confirmed`` (trial number
    -> its re-run on fresh seeds), ``confirmed_objective`` and ``confirmed_mean`` too.
    """
    metric = spec.metric
    rows = []
    for trial in trials:
        outcome = np.asarray(trial.user_attrs.get("outcome", []), dtype=float)
        spend = np.asarray(trial.user_attrs.get("spend", []), dtype=float)
        row: dict[str, Any] = {"trial": trial.number, "state": trial.state.name}
        row.update({path: trial.params.get(path) for path in spec.search.levers})
        done = outcome.size > 0 and trial.values is not None
        row["objective"] = float(trial.values[0]) if done else math.nan
        row[f"{metric}_mean"] = float(outcome.mean()) if done else math.nan
        if spec.percentile is not None:
            value = float(np.percentile(outcome, spec.percentile)) if done else math.nan
            row[f"{metric}_{spec.search.objective}"] = value
        row["spend_mean"] = float(spend.mean()) if done else math.nan
        row["feasible"] = bool(done and trial.user_attrs.get("constraint", math.inf) <= 0)
        if confirmed:
            again = confirmed.get(str(trial.number), {})
            row["confirmed_objective"] = again.get("objective", math.nan)
            row["confirmed_mean"] = again.get("mean", math.nan)
        row["seconds"] = trial.user_attrs.get("seconds", math.nan)
        row["error"] = trial.user_attrs.get("error", "")
        row["outcome_by_draw"] = ";".join(f"{v:.6g}" for v in outcome)
        rows.append(row)
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    table.insert(len(table.columns) - 3, "max_regret", _max_regret(table))
    return table


def _max_regret(table: pd.DataFrame) -> np.ndarray:
    """Per trial, the largest excess over the best outcome reached in each draw (NaN if failed)."""
    draws = [_draws(text) for text in table["outcome_by_draw"]]
    width = max((len(d) for d in draws), default=0)
    full = [d if len(d) == width and width else None for d in draws]
    matrix = np.array([d for d in full if d is not None])
    regret = np.full(len(table), math.nan)
    if matrix.size == 0:
        return regret
    best = matrix.min(axis=0)
    for i, d in enumerate(full):
        if d is not None:
            regret[i] = float(np.max(d - best))
    return regret


def _draws(text: str) -> np.ndarray:
    return np.array([float(v) for v in text.split(";")]) if text else np.array([])


def best_table(trials: pd.DataFrame, spec: Optimisation, top: int = 5) -> pd.DataFrame:
    """The ``top`` feasible trials by objective, each with its paired difference from the best.

    ``diff_vs_best`` is the mean over draws of (this trial's outcome minus the best trial's) on
    the same draw, with a 95% t-interval (``diff_ci_low``, ``diff_ci_high``) over the draws; an
    interval that includes 0 means the two are not told apart by this search.
    """
    if trials.empty:
        return trials
    feasible = trials[trials["feasible"]].sort_values("objective", kind="stable")
    chosen = feasible.head(top).copy()
    if chosen.empty:
        return chosen
    best = _draws(str(chosen["outcome_by_draw"].iloc[0]))
    means, lows, highs = [], [], []
    for text in chosen["outcome_by_draw"]:
        diff = _draws(str(text)) - best
        mean, sd, n = diff.mean(), diff.std(ddof=1) if diff.size > 1 else math.nan, diff.size
        low, high = t_interval(np.array([mean]), np.array([sd]), np.array([n]), 0.95)
        means.append(float(mean))
        lows.append(float(low[0]) if n > 1 and sd > 0 else float(mean))
        highs.append(float(high[0]) if n > 1 and sd > 0 else float(mean))
    chosen.insert(0, "rank", range(1, len(chosen) + 1))
    chosen["diff_vs_best"] = means
    chosen["diff_ci_low"] = lows
    chosen["diff_ci_high"] = highs
    return chosen.reset_index(drop=True)


def pareto_table(trials: pd.DataFrame) -> pd.DataFrame:
    """The feasible trials not beaten on both objective and mean spend, cheapest first."""
    if trials.empty:
        return trials
    feasible = trials[trials["feasible"]]
    keep = []
    for i, row in feasible.iterrows():
        beaten = (
            (feasible["objective"] <= row["objective"])
            & (feasible["spend_mean"] <= row["spend_mean"])
            & (
                (feasible["objective"] < row["objective"])
                | (feasible["spend_mean"] < row["spend_mean"])
            )
        ).any()
        if not beaten:
            keep.append(i)
    return feasible.loc[keep].sort_values("spend_mean", kind="stable").reset_index(drop=True)
