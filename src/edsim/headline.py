"""The headline of an experiment: its outcome, in the units a policy reader weighs.

An experiment comparing two regimes is about their difference (its ``outcome:``, see
:mod:`edsim.experiment.outcome`). :func:`headline` puts that comparison first, paired on
replicate with a 95% interval, and translates it: months of progress for the gap in SD (the EEF
Toolkit's table), percentage points of disadvantaged pupils at the standard, and the share of the
year-0 gap (:mod:`edsim.analysis.units`). ``edsim batch`` prints it and writes it beside the
results; ``edsim sensitivity`` analyses the same outcome (:func:`sensitivity_outcome`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from edsim.analysis import effects_table
from edsim.analysis._checks import ID_COLUMNS
from edsim.analysis.intervals import interval_kind

if TYPE_CHECKING:
    from edsim.experiment import Results
    from edsim.experiment.outcome import Outcome

__all__ = ["HEADLINE_METRICS", "headline", "outcome_of", "sensitivity_outcome", "year_text"]

#: What the headline reports for each key stage, in a policy reader's units: the gap index (and
#: its change as a share of the year-0 gap), the gap in pupil-level SD (as months of progress)
#: and disadvantaged pupils reaching the standard (percentage points).
HEADLINE_METRICS = (
    "ks4_gap_index",
    "ks4_gap_sd",
    "ks4_standard_dis",
    "ks2_gap_index",
    "ks2_gap_sd",
    "ks2_standard_dis",
)


def outcome_of(results: Results) -> Outcome:
    """The outcome the experiment declared (``outcome:``), or its default for older results.

    See :mod:`edsim.experiment.outcome`: by default the first variant that is not the baseline,
    minus the baseline, on the KS4 gap index, in the final year.
    """
    from edsim.experiment.outcome import resolve_outcome

    experiment = results.manifest.get("experiment", {})
    scenarios = results.scenarios
    metrics = experiment.get("metrics") or [
        m for m in results.trajectories.columns if m not in ID_COLUMNS
    ]
    baseline = results.baseline or scenarios[0]
    return resolve_outcome(experiment.get("outcome"), scenarios, baseline, metrics)


def headline(results: Results, outcome: Outcome | None = None) -> pd.DataFrame | None:
    """The experiment's outcome first, in a policy reader's units, then its other comparisons.

    Rows, in order: the outcome's comparison (``outcome.scenario`` minus ``outcome.baseline``,
    e.g. linkage and exchange minus disseminate to), every other variant minus the baseline,
    and, when a variant is named ``none`` (no evidence system) and is not the baseline, each
    other variant minus ``none`` for reference. Each on the outcome's metric and then
    :data:`HEADLINE_METRICS` (those the results kept), in the outcome's year (default: the
    final year), as :func:`edsim.analysis.effects_table` gives them: paired differences with
    95% intervals, Holm-adjusted p-values across the table, months of progress, percentage
    points and the share of the year-0 gap.

    For a posterior design the intervals and p-values treat the draws × seeds table as a
    crossed design (every draw runs the same seeds), so the seeds' shared luck is counted once,
    not once per draw (:mod:`edsim.analysis.crossed`): an interval for the posterior-averaged
    effect, from a finite number of draws and seeds.

    Returns:
        The table (``attrs["outcome"]`` is the outcome; ``attrs["interval"]`` is ``posterior``
        for a posterior design and ``seed`` otherwise), or None when the experiment has a single
        variant and so nothing to compare.
    """
    chosen = outcome or outcome_of(results)
    scenarios = results.scenarios
    reference = results.baseline or scenarios[0]
    pairs: list[tuple[str, str]] = []
    if chosen.baseline is not None:
        pairs.append((chosen.scenario, chosen.baseline))
    pairs += [(s, reference) for s in scenarios if s != reference]
    if "none" in scenarios and reference != "none":
        pairs += [(s, "none") for s in scenarios if s != "none"]
    pairs = list(dict.fromkeys(pairs))
    if not pairs:
        return None
    kept = set(results.trajectories.columns)
    metrics = [m for m in dict.fromkeys((chosen.metric, *HEADLINE_METRICS)) if m in kept]
    kind = interval_kind(results.manifest)
    table = effects_table(
        results.trajectories, pairs, metrics, year=chosen.year, crossed=kind == "posterior"
    )
    table.attrs["outcome"] = chosen
    table.attrs["interval"] = kind
    return table


def sensitivity_outcome(
    results: Results,
    *,
    declared: Outcome | None = None,
    metric: str | None = None,
    year: int | None = None,
    scenario: str | None = None,
    baseline: str | None = None,
    level: bool = False,
) -> Outcome:
    """The outcome a sensitivity analysis is of: the experiment's, with any choice overridden.

    Args:
        results: The experiment's results.
        declared: The experiment's outcome, filling in every choice left as None (default:
            the one its results recorded, :func:`outcome_of`).
        metric: The metric.
        year: The year (None: the outcome's).
        scenario: The variant; choosing one other than the outcome's keeps the outcome's
            baseline unless it is that variant.
        baseline: Analyse the paired difference from this variant.
        level: Analyse the scenario's own level, not a difference.
    """
    from edsim.experiment.outcome import Outcome

    declared = declared or outcome_of(results)
    chosen = scenario or declared.scenario
    against = baseline if baseline is not None else declared.baseline
    if level or against == chosen:
        against = None
    return Outcome(
        chosen, against, metric or declared.metric, declared.year if year is None else year
    )


def year_text(trajectories: pd.DataFrame, year: int | None = None) -> str:
    """``2026 (year 15)`` when the calendar year is known, else ``year 15``; None: the last."""
    chosen = int(trajectories["year"].max()) if year is None else year
    if "calendar_year" in trajectories.columns:
        calendar = trajectories.loc[trajectories["year"] == chosen, "calendar_year"].unique()
        if len(calendar) == 1:
            return f"{int(calendar[0])} (year {chosen})"
    return f"year {chosen}"
