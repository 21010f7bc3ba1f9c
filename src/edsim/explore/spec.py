"""Optimisation files: an experiment that says which policy levers to search, and for what.

An optimisation file is an experiment file (one variant: the policy being tuned; its ``design:``
is the uncertainty every candidate is evaluated across) with a top-level ``search:`` block,
which is what marks it as an optimisation rather than a batch::

    name: best_mix
    base: england_sample
    scenarios:
      eef: {regime: linkage_exchange}     # exactly one variant: the policy whose levers move
    replicates: 2                         # per uncertainty draw, the same seeds in every trial
    seed: 7
    years: 10
    metrics: [ks4_gap_index, spend_evidence_cumulative]
    design:                               # the uncertainty: drawn once, the same in every trial
      method: lhs
      samples: 8
      parameters:
        truth.heterogeneity: {min: 0.0, max: 0.3}
    search:
      levers:                             # dotted scenario paths: a range, or values to choose
        regime.advocacy.strength: {min: 0.0, max: 1.0}
        regime.partnerships.n_brokers: {min: 0, max: 60}
        regime.organisations.enabled: {values: [true, false]}
      metric: ks4_gap_index               # minimised (default: the outcome's metric)
      objective: p90                      # mean over draws, or a percentile (p50..p99)
      budget: 2.0e+7                      # the most mean spend_evidence_cumulative allowed
      pareto: false                       # true: minimise spend too, and report the front
      trials: 40

``edsim batch`` refuses such a file, and ``edsim optimise`` refuses a file without ``search:``,
so neither is ever run as the other. Problems are located at their line and column, like an
experiment's.
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from edsim.errors import ExperimentError, ScenarioError, ScenarioProblem
from edsim.experiment.locate import problem_at, settings_problem, unknown_choice
from edsim.experiment.spec import (
    Experiment,
    canonical_hash,
    experiment_from_document,
    find_experiment,
)
from edsim.scenario import Document, parameter

__all__ = [
    "LeverSettings",
    "Optimisation",
    "SearchSettings",
    "is_optimisation_file",
    "lever_kind",
    "load_optimisation",
]

_OBJECTIVE = re.compile(r"^(mean|p[1-9][0-9]?)$")


class LeverSettings(BaseModel):
    """One lever: ``min`` and ``max`` for a number, or ``values`` to choose among."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    min: float | None = None
    max: float | None = None
    values: list[float | int | bool | str] | None = Field(None, min_length=1)
    log: bool = False


class SearchSettings(BaseModel):
    """The ``search:`` block of an optimisation file."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    levers: dict[str, LeverSettings] = Field(min_length=1)
    metric: str | None = None
    year: int | None = Field(None, ge=1, le=200)
    objective: str = Field("mean", pattern=_OBJECTIVE.pattern)
    budget: float | None = Field(None, gt=0)
    spend_metric: str = "spend_evidence_cumulative"
    pareto: bool = False
    trials: int = Field(40, ge=1, le=100_000)
    sampler: Literal["tpe", "nsga2", "random"] | None = None


class _File(BaseModel):
    """Only so that errors inside ``search:`` carry their full key path."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    search: SearchSettings


@dataclass(frozen=True)
class Optimisation:
    """A validated optimisation file.

    Attributes:
        experiment: The experiment every trial runs: its one variant with the trial's lever
            values set, over the design's uncertainty draws, with the same seeds every time.
        search: The ``search:`` block.
        variant: The variant whose levers move.
        metric: The metric minimised.
        year: Its year (None: the final year).
        source: The file it came from.
    """

    experiment: Experiment
    search: SearchSettings
    variant: str
    metric: str
    year: int | None
    source: str

    @property
    def name(self) -> str:
        """The optimisation's name (the experiment's)."""
        return self.experiment.name

    @property
    def percentile(self) -> float | None:
        """The percentile across draws the objective is, or None for the mean."""
        objective = self.search.objective
        return None if objective == "mean" else float(objective[1:])

    @property
    def sampler(self) -> str:
        """The sampler: as written, else NSGA-II for a Pareto search and TPE otherwise."""
        return self.search.sampler or ("nsga2" if self.search.pareto else "tpe")

    @property
    def definition_hash(self) -> str:
        """What the trials depend on; the trial count is left out, so it can be raised later."""
        search = self.search.model_dump(mode="json", exclude={"trials"})
        return canonical_hash({"experiment": self.experiment.definition(), "search": search})


def load_optimisation(path: str | os.PathLike[str]) -> Optimisation:
    """Read and validate an optimisation file (or a shipped one, by name).

    Raises:
        ExperimentError: The file is missing, has no ``search:`` block, or is invalid; every
            problem is located at its line.
        ScenarioError: The variant is an invalid scenario.
    """
    file = find_experiment(path)
    try:
        document = Document.read(file, what="optimisation")
    except ScenarioError as exc:
        raise ExperimentError(exc.problems) from None
    if "search" not in document.data:
        raise ExperimentError(
            f"{document.label}: this is an experiment file, not an optimisation file: it has no "
            "'search:' block saying which levers to search (run it with `edsim batch`; see "
            "docs/experiments.md)"
        )
    search = _search_settings(document)
    try:
        rest = Document.parse(_without_search(document), document.label, what="experiment")
    except ScenarioError as exc:
        raise ExperimentError(exc.problems) from None
    # The file it came from, so paths in it (a posterior's file:) are relative to its folder.
    rest = dataclasses.replace(rest, file=document.file)
    experiment = experiment_from_document(rest, default_name=file.stem)
    return _checked(document, experiment, search)


def _search_settings(document: Document) -> SearchSettings:
    try:
        return _File.model_validate({"search": document.data["search"]}).search
    except ValidationError as exc:
        keys = ["search"]
        rule = "mean, or p1 to p99 (a percentile across the uncertainty draws)"
        problems = [settings_problem(e, document, _File, keys, rule) for e in exc.errors()]
        raise ExperimentError(problems) from None


def _without_search(document: Document) -> str:
    """The file's text with the ``search:`` block blanked, so every other line keeps its number.

    The experiment loader then validates the rest exactly as it validates any experiment, and
    locates its problems at the lines of this file.
    """
    marks = document.layer.marks
    tops = {loc[0]: src.key[0] for loc, src in marks.items() if len(loc) == 1 and src.key}
    start = tops.get("search")
    if start is None:  # no positions (a mapping built in code): nothing to blank
        return document.text
    later = [line for key, line in tops.items() if key != "search" and line > start]
    end = min(later) if later else None
    lines = document.text.splitlines(keepends=True)
    stop = len(lines) if end is None else end - 1
    if any(line == start for key, line in tops.items() if key != "search"):
        raise ExperimentError(
            [document.problem(("search",), "write 'search:' as a block on lines of its own")]
        )
    return "".join(("\n" if i >= start - 1 and i < stop else line) for i, line in enumerate(lines))


def _checked(document: Document, experiment: Experiment, search: SearchSettings) -> Optimisation:
    """Cross-checks: one variant, kept metrics, levers that exist, fit their bounds and are free."""
    problems: list[ScenarioProblem] = []
    variants = list(experiment.scenarios)
    if len(variants) != 1:
        message = (
            f"an optimisation tunes one variant (the policy whose levers move); found "
            f"{len(variants)}: {', '.join(variants)}"
        )
        problems.append(problem_at(document, ("scenarios",), message, at_key=True))
    declared = experiment.outcome.metric if experiment.outcome else "ks4_gap_index"
    metric = search.metric or declared
    wanted = [("metric", metric)]
    if search.budget is not None or search.pareto:
        wanted.append(("spend_metric", search.spend_metric))
    for key, name in wanted:
        if name not in experiment.metrics:
            message = unknown_choice(key, name, list(experiment.metrics))
            problems.append(problem_at(document, ("search", key), f"{message} (kept metrics)"))
    if search.year is not None and experiment.years is not None and search.year > experiment.years:
        message = f"year {search.year} is after the last year run ({experiment.years})"
        problems.append(problem_at(document, ("search", "year"), message))
    designed = set(experiment.design.parameters)
    for path, lever in search.levers.items():
        wrong = _lever_problem(path, lever, designed)
        if wrong:
            problems.append(problem_at(document, ("search", "levers", path), wrong, at_key=True))
    if problems:
        raise ExperimentError(problems)
    return Optimisation(experiment, search, variants[0], metric, search.year, document.label)


def _lever_problem(path: str, lever: LeverSettings, designed: set[str]) -> str | None:
    """What is wrong with one lever, or None."""
    if path in designed:
        return f"{path!r} is also a design parameter (uncertainty); a lever cannot be both"
    try:
        found = parameter(path)
    except ScenarioError as exc:
        return "; ".join(p.message for p in exc.problems)
    ranged = lever.min is not None or lever.max is not None
    if lever.values is not None:
        return "give either 'values' or 'min' and 'max', not both" if ranged else None
    if lever.min is None or lever.max is None:
        return "a lever takes 'min' and 'max' (a range to search) or 'values' (choices)"
    if not found.is_number:
        return f"{path!r} is not a number, so it has no range; list its 'values' instead"
    if not lever.min < lever.max:
        return f"'min' ({lever.min:g}) must be below 'max' ({lever.max:g})"
    if lever.log and lever.min <= 0:
        return "a log-scale lever needs 'min' above 0"
    lower, upper = found.lower, found.upper
    if lower and (lever.min < lower[0] or (lever.min == lower[0] and not lower[1])):
        return f"'min' {lever.min:g} is below the parameter's lower bound {lower[0]:g}"
    if upper and (lever.max > upper[0] or (lever.max == upper[0] and not upper[1])):
        return f"'max' {lever.max:g} is above the parameter's upper bound {upper[0]:g}"
    return None


def lever_kind(path: str) -> type | None:
    """The lever's number type (``int`` or ``float``), or None for another kind."""
    kind = parameter(path).kind
    return kind if kind in (int, float) else None


def is_optimisation_file(path: Path) -> bool:
    """Whether ``path`` is an optimisation file (a ``search:`` block), without validating it."""
    try:
        return "search" in Document.read(path, what="optimisation").data
    except ScenarioError:
        return False
