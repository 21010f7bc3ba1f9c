"""Calibration files: which parameters to fit, to which observed patterns, and how.

A calibration file is YAML, validated as strictly as an experiment file and with its errors
located the same way (``file:line:column: key: message``)::

    kind: calibration                # what tells it from an experiment file
    name: calibrate_england
    base: england_sample             # a shipped scenario or a path, relative to this file
    years: 4                         # years simulated after year 0 per evaluation
    seeds: 8                         # replicate seeds per particle, the same for every particle
    seed: 2011                       # root seed the replicate seeds derive from
    parameters:                      # dotted scenario paths, each with a uniform prior
      gap_drivers.exogenous.deficit_change: {low: -0.01, high: 0.02}
    observed:                        # the patterns (pattern-oriented modelling)
      - metric: ks4_gap_index
        years: [2011, 2012, 2013, 2014, 2015]
        values: [4.07, 3.89, 3.81, 3.74, 3.80]
        sd: 0.05
        source: DfE, Key stage 4 performance
    distance: standardised_euclidean
    abc: {population: 100, max_generations: 6, min_epsilon: 1.0, min_acceptance: 0.02}
    predict: {until: 2026, draws: 40}

Every particle runs the same ``seeds`` replicate seeds (common random numbers), so two
particles differ only through their parameters, and the summary statistic (the mean over the
seeds of each observed metric in each observed year) is a deterministic function of them.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from edsim.errors import CalibrationError, ExperimentError, ScenarioError, ScenarioProblem
from edsim.experiment.locate import problem_at, settings_problem, unknown_choice
from edsim.experiment.plan import replicate_seed
from edsim.experiment.spec import KEPT_METRICS, canonical_hash, find_experiment
from edsim.scenario import Document, Resolved, describe, parameter, resolve

__all__ = [
    "KIND",
    "AbcSettings",
    "Calibration",
    "Observed",
    "PredictSettings",
    "Prior",
    "calibration_from_text",
    "load_calibration",
]

#: The value of ``kind:`` that marks a calibration file.
KIND = "calibration"

#: Metrics a pattern can name: the model's numeric metrics (``policy_response`` is a label).
CALIBRATION_METRICS: tuple[str, ...] = tuple(m for m in KEPT_METRICS if m != "policy_response")

_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
_NAME_RULE = "1-64 letters, digits, '_', '.' or '-', starting with a letter or digit"


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Prior(_Strict):
    """A uniform prior on one parameter: ``low`` to ``high`` (within the schema's bounds)."""

    low: float
    high: float


class ObservedSettings(_Strict):
    """One observed pattern: a metric's values in calendar years, with their uncertainty."""

    metric: str
    years: list[int] = Field(min_length=1)
    values: list[float] = Field(min_length=1)
    sd: float = Field(gt=0)
    source: str = Field(min_length=1)


class AbcSettings(_Strict):
    """ABC-SMC's settings: particles per generation and when to stop."""

    population: int = Field(100, ge=2, le=100_000)
    max_generations: int = Field(6, ge=1, le=100)
    min_epsilon: float = Field(1.0, ge=0)
    min_acceptance: float = Field(0.02, ge=0, le=1)


class PredictSettings(_Strict):
    """The posterior-predictive runs: ``draws`` posterior draws, each run to ``until``."""

    until: int | None = Field(None, ge=1900, le=2200)
    draws: int = Field(40, ge=1, le=10_000)


class _Settings(_Strict):
    """Every calibration key but ``base``, which the scenario loader resolves."""

    kind: Literal["calibration"]
    name: str | None = Field(None, pattern=_NAME)
    description: str = ""
    years: int = Field(ge=1, le=200)
    seeds: int = Field(8, ge=1, le=1000)
    seed: int = Field(0, ge=0, le=2**63 - 1)
    parameters: dict[str, Prior] = Field(min_length=1)
    observed: list[ObservedSettings] = Field(min_length=1)
    distance: Literal["standardised_euclidean"] = "standardised_euclidean"
    abc: AbcSettings = AbcSettings()
    predict: PredictSettings = PredictSettings()


_KEYS = (
    "kind",
    "name",
    "description",
    "base",
    *[k for k in _Settings.model_fields if k not in ("kind", "name", "description")],
)


@dataclass(frozen=True)
class Observed:
    """One observed pattern, validated: ``values[i]`` is the metric in calendar ``years[i]``."""

    metric: str
    years: tuple[int, ...]
    values: tuple[float, ...]
    sd: float
    source: str

    def stat_keys(self) -> list[str]:
        """The summary statistics' names, ``metric@year`` (pyabc's keys)."""
        return [f"{self.metric}@{year}" for year in self.years]


@dataclass(frozen=True)
class Calibration:
    """A validated calibration file.

    Attributes:
        name: The calibration's name (default: the file's stem).
        description: Free text for readers of the results.
        base: The resolved base scenario the parameters are set on.
        years: Years simulated after year 0 in each evaluation.
        seeds: The replicate seeds every particle runs (common random numbers).
        seed: The root seed.
        priors: ``{dotted path: (low, high)}``, in the file's order.
        kinds: ``{dotted path: int or float}`` (whole-number parameters are rounded).
        observed: The patterns.
        abc: ABC-SMC's settings.
        predict_until: The calendar year the posterior-predictive runs reach.
        predict_draws: How many posterior draws the predictive runs take.
        source: The file (or label) it came from.
        text: The file's text, whose hash the manifest records.
    """

    name: str
    description: str
    base: Resolved
    years: int
    seeds: tuple[int, ...]
    seed: int
    priors: dict[str, tuple[float, float]]
    kinds: dict[str, type]
    observed: tuple[Observed, ...]
    abc: AbcSettings
    predict_until: int
    predict_draws: int
    source: str = "<string>"
    text: str = ""

    @property
    def start_year(self) -> int:
        """The calendar year of year 0."""
        return self.base.scenario.start_year

    @property
    def file_sha256(self) -> str:
        """SHA-256 of the file's text (what the manifest records as the file's hash)."""
        return hashlib.sha256(self.text.encode()).hexdigest()

    def definition(self) -> dict[str, Any]:
        """Everything the posterior depends on, as plain data (comments and prose left out)."""
        return {
            "base": self.base.scenario.model_dump(mode="json"),
            "years": self.years,
            "seeds": [str(s) for s in self.seeds],
            "priors": {k: list(v) for k, v in self.priors.items()},
            "observed": [
                {"metric": o.metric, "years": list(o.years), "values": list(o.values), "sd": o.sd}
                for o in self.observed
            ],
            "distance": "standardised_euclidean",
            # The stopping rules are left out: a run stopped at 4 generations continues to 6.
            "population": self.abc.population,
        }

    @property
    def definition_hash(self) -> str:
        """SHA-256 of :meth:`definition` in canonical JSON: what a resumed run must match."""
        return canonical_hash(self.definition())

    def observed_stats(self) -> dict[str, float]:
        """The observed summary statistics, ``{metric@year: value}``."""
        return {k: v for o in self.observed for k, v in zip(o.stat_keys(), o.values, strict=True)}

    def scales(self) -> dict[str, float]:
        """Each summary statistic's observation SD, the distance's scale."""
        return {k: o.sd for o in self.observed for k in o.stat_keys()}

    def metrics(self) -> tuple[str, ...]:
        """The observed metrics, each once, in the file's order."""
        return tuple(dict.fromkeys(o.metric for o in self.observed))

    def with_abc(self, **changes: Any) -> Calibration:
        """A copy with some ABC settings changed (``--population``, ``--generations``)."""
        kept = {k: v for k, v in changes.items() if v is not None}
        if not kept:
            return self
        abc = AbcSettings.model_validate({**self.abc.model_dump(), **kept})
        return replace(self, abc=abc)


def load_calibration(path: str | os.PathLike[str]) -> Calibration:
    """Read and validate a calibration file (or a shipped one, by its bare name).

    Raises:
        CalibrationError: The file is missing or invalid; every problem found is listed, each
            at its file, line and column.
        ScenarioError: The base scenario is invalid (located where it is written).
    """
    try:
        file = find_experiment(path)
    except ExperimentError as exc:
        raise CalibrationError(str(exc).replace("experiment", "calibration")) from None
    try:
        document = Document.read(file, what="calibration")
    except ScenarioError as exc:
        raise CalibrationError(exc.problems) from None
    return _from_document(document, default_name=Path(file).stem)


def calibration_from_text(
    text: str, filename: str = "<string>", *, default_name: str = "calibration"
) -> Calibration:
    """Validate a calibration given as YAML text; see :func:`load_calibration`."""
    try:
        document = Document.parse(text, filename, what="calibration")
    except ScenarioError as exc:
        raise CalibrationError(exc.problems) from None
    return _from_document(document, default_name=default_name)


def _from_document(document: Document, *, default_name: str) -> Calibration:
    """Settings first, then the base scenario, then the rules that relate the two."""
    data = dict(document.data)
    base = data.pop("base", None)
    problems: list[ScenarioProblem] = []
    settings: _Settings | None = None
    if data.get("kind") != KIND:
        found = describe(data["kind"]) if "kind" in data else "no 'kind' key"
        message = f"a calibration file starts with 'kind: calibration' (found {found})"
        problems.append(problem_at(document, ("kind",), message))
        data.pop("kind", None)
    try:
        settings = _Settings.model_validate({"kind": KIND, **data})
    except ValidationError as exc:
        problems += [
            settings_problem(err, document, _Settings, _KEYS, _NAME_RULE) for err in exc.errors()
        ]
    if not isinstance(base, str | dict) or (isinstance(base, str) and not base.strip()):
        message = f"'base' takes a scenario path or shipped name, found {describe(base)}"
        problems.append(problem_at(document, ("base",), message))
    if problems:
        raise CalibrationError(problems)
    assert settings is not None
    try:
        resolved = resolve(document.embedded(("base",)), default_name=default_name)
    except ScenarioError as exc:
        raise CalibrationError(exc.problems) from None
    kinds = _parameter_problems(settings, document, problems)
    _observed_problems(settings, resolved, document, problems)
    if problems:
        raise CalibrationError(problems)
    start = resolved.scenario.start_year
    until = settings.predict.until or start + settings.years
    return Calibration(
        name=settings.name or default_name,
        description=settings.description,
        base=resolved,
        years=settings.years,
        seeds=tuple(replicate_seed(settings.seed, i) for i in range(settings.seeds)),
        seed=settings.seed,
        priors={k: (p.low, p.high) for k, p in settings.parameters.items()},
        kinds=kinds,
        observed=tuple(
            Observed(o.metric, tuple(o.years), tuple(o.values), o.sd, o.source)
            for o in settings.observed
        ),
        abc=settings.abc,
        predict_until=until,
        predict_draws=settings.predict.draws,
        source=document.label,
        text=document.text,
    )


def _parameter_problems(
    settings: _Settings, document: Document, problems: list[ScenarioProblem]
) -> dict[str, type]:
    """Each prior names a numeric scenario parameter and lies within its schema bounds."""
    kinds: dict[str, type] = {}
    for path, prior in settings.parameters.items():
        where = ("parameters", path)
        try:
            found = parameter(path)
        except ScenarioError as exc:
            why = "; ".join(p.message for p in exc.problems)
            problems.append(problem_at(document, where, why, at_key=True))
            continue
        message: str | None = None
        lower, upper = found.lower, found.upper
        if not found.is_number:
            message = f"{path!r} is not a number, so it cannot have a prior range"
        elif not prior.low < prior.high:
            message = f"'low' ({prior.low:g}) must be below 'high' ({prior.high:g})"
        elif lower and (prior.low < lower[0] or (prior.low == lower[0] and not lower[1])):
            message = f"'low' {prior.low:g} is below the parameter's lower bound {lower[0]:g}"
        elif upper and (prior.high > upper[0] or (prior.high == upper[0] and not upper[1])):
            message = f"'high' {prior.high:g} is above the parameter's upper bound {upper[0]:g}"
        if message is not None:
            problems.append(problem_at(document, where, message, at_key=True))
        else:
            kinds[path] = found.kind or float
    return kinds


def _observed_problems(
    settings: _Settings, resolved: Resolved, document: Document, problems: list[ScenarioProblem]
) -> None:
    """Each pattern names a model metric once per year, in the simulated window."""
    start = resolved.scenario.start_year
    window = (start, start + settings.years)
    seen: set[tuple[str, int]] = set()
    for i, pattern in enumerate(settings.observed):
        where = ("observed", i)
        if pattern.metric not in CALIBRATION_METRICS:
            message = unknown_choice("metric", pattern.metric, CALIBRATION_METRICS)
            problems.append(problem_at(document, (*where, "metric"), message))
        if len(pattern.years) != len(pattern.values):
            message = (
                f"'values' has {len(pattern.values)} entries and 'years' {len(pattern.years)}; "
                "give one value per year"
            )
            problems.append(problem_at(document, (*where, "values"), message))
        for j, year in enumerate(pattern.years):
            if not window[0] <= year <= window[1]:
                message = (
                    f"year {year} is outside the simulated window {window[0]}-{window[1]} "
                    f"(year 0 is {start}, the base's start_year, and 'years' is {settings.years})"
                )
                problems.append(problem_at(document, (*where, "years", j), message))
            elif (pattern.metric, year) in seen:
                message = f"{pattern.metric} in {year} is observed twice; give each year once"
                problems.append(problem_at(document, (*where, "years", j), message))
            seen.add((pattern.metric, year))
    until = settings.predict.until
    if until is not None and until < window[1]:
        message = f"'until' {until} is before the end of the calibration window ({window[1]})"
        problems.append(problem_at(document, ("predict", "until"), message))
