"""An experiment's outcome: the one comparison its headline and sensitivity analysis are about.

An experiment comparing "linkage and exchange" with "disseminate to" is about their *difference*,
not about either regime's own level, so its file can say so::

    outcome:
      scenario: linkage_exchange     # the variant whose effect is reported
      baseline: disseminate_to       # minus this variant, paired on replicate; null: the level
      metric: ks4_gap_index          # one of the experiment's metrics
      year: 15                       # default: the final year

Every key is optional. By default the outcome is the first variant that is not the experiment's
baseline, minus the baseline, on ``ks4_gap_index`` (or the first metric kept), in the final year;
an experiment with one variant is about that variant's level. ``edsim batch`` prints it as the
headline and ``edsim sensitivity`` analyses it unless told otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .locate import unknown_choice

__all__ = ["Outcome", "OutcomeSettings", "outcome_problems", "resolve_outcome"]

#: The metric an outcome is on when the file names none and the experiment keeps it.
DEFAULT_METRIC = "ks4_gap_index"


class OutcomeSettings(BaseModel):
    """The ``outcome:`` block of an experiment file, as written."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    scenario: str | None = None
    baseline: str | None = None
    metric: str | None = None
    year: int | None = Field(None, ge=0, le=200)


@dataclass(frozen=True)
class Outcome:
    """The resolved outcome: ``scenario`` minus ``baseline`` (or its level), one metric and year.

    Attributes:
        scenario: The variant whose effect (or level) is reported.
        baseline: The variant it is compared with, paired on replicate; None for the level.
        metric: The metric.
        year: Years after year 0; None for the final year.
    """

    scenario: str
    baseline: str | None
    metric: str
    year: int | None

    def as_dict(self) -> dict[str, Any]:
        """Plain data, for the results' manifest."""
        return {
            "scenario": self.scenario,
            "baseline": self.baseline,
            "metric": self.metric,
            "year": self.year,
        }

    def describe(self) -> str:
        """The outcome in words, e.g. ``ks4_gap_index in the final year: A minus B ...``."""
        when = "the final year" if self.year is None else f"year {self.year}"
        if self.baseline is None:
            return f"{self.metric} in {when} under {self.scenario} (its level)"
        return (
            f"{self.metric} in {when}: {self.scenario} minus {self.baseline}, paired on replicate"
        )


def resolve_outcome(
    settings: OutcomeSettings | Mapping[str, Any] | None,
    variants: Sequence[str],
    baseline: str,
    metrics: Sequence[str],
) -> Outcome:
    """Fill in what an ``outcome:`` block leaves out (see the module's docstring for defaults).

    Args:
        settings: The block as written (validated settings, or the manifest's plain mapping);
            None when the file has none.
        variants: The experiment's variant names, in order.
        baseline: The experiment's baseline.
        metrics: The metrics the experiment keeps.
    """
    given = _given(settings)
    scenario = given.get("scenario") or next((v for v in variants if v != baseline), baseline)
    if "baseline" in given:
        against = given["baseline"]
    else:
        against = baseline if scenario != baseline else None
    metric = given.get("metric") or (DEFAULT_METRIC if DEFAULT_METRIC in metrics else metrics[0])
    return Outcome(str(scenario), against, str(metric), given.get("year"))


def outcome_problems(
    settings: OutcomeSettings | None,
    variants: Sequence[str],
    metrics: Sequence[str],
    last_year: int,
) -> list[tuple[tuple[str, ...], str]]:
    """Check an ``outcome:`` block against the rest of the experiment.

    Args:
        settings: The block; None when the file has none.
        variants: The experiment's variant names.
        metrics: The metrics the experiment keeps.
        last_year: The last year every variant runs to.

    Returns:
        Each problem as the key path it is at (``("outcome", "metric")``) and a message, for
        the experiment loader to locate in the file like its other problems.
    """
    if settings is None:
        return []
    problems: list[tuple[tuple[str, ...], str]] = []
    for key in ("scenario", "baseline"):
        name = getattr(settings, key)
        if name is not None and name not in variants:
            problems.append((("outcome", key), unknown_choice(f"outcome {key}", name, variants)))
    if settings.scenario is not None and settings.scenario == settings.baseline:
        message = (
            f"outcome scenario and baseline are both {settings.scenario!r}; a difference "
            "needs two variants (baseline: null analyses the scenario's level)"
        )
        problems.append((("outcome", "baseline"), message))
    if settings.metric is not None and settings.metric not in metrics:
        message = unknown_choice("outcome metric", settings.metric, metrics)
        problems.append((("outcome", "metric"), f"{message} (the metrics the experiment keeps)"))
    if settings.year is not None and settings.year > last_year:
        message = f"outcome year {settings.year} is after the last year run ({last_year})"
        problems.append((("outcome", "year"), message))
    return problems


def _given(settings: OutcomeSettings | Mapping[str, Any] | None) -> dict[str, Any]:
    """The keys actually written; an explicit ``baseline: null`` counts as written."""
    if settings is None:
        return {}
    if isinstance(settings, OutcomeSettings):
        return {key: getattr(settings, key) for key in settings.model_fields_set}
    return dict(settings)
