"""Experiment files: what to compare, how often, and over which parameters.

An experiment file is YAML, validated as strictly as a scenario and with errors located the same
way (``file:line:column: key: message``)::

    name: quickstart
    base: small                      # every variant extends this scenario unless it says otherwise
    scenarios:                       # named variants, each a scenario document (or a file name)
      disseminate_to: {regime: disseminate_to}
      linkage_exchange: {regime: linkage_exchange}
      refreshed: eef_refreshed_2024  # a shipped scenario or a path, relative to this file
    baseline: disseminate_to         # paired differences are taken against it (default: first)
    replicates: 40
    seed: 20261122                   # the root seed every run's seed derives from
    years: 15                        # default: each scenario's own
    metrics: [ks2_gap_index, ks4_gap_index]   # default: every numeric metric
    design:                          # optional: vary parameters within each variant
      method: grid                   # grid | lhs | sobol | morris
      parameters:
        truth.heterogeneity: {values: [0.0, 0.1, 0.2]}    # grid: listed values
        schools.capacity_gradient: {min: 0.0, max: 0.8}  # samplers: a range

A variant's mapping is a scenario document in its own right (``extends:``, ``regime:``, any
section), resolved by the scenario loader, so everything a scenario file accepts works here and
its errors point into the experiment file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from edsim.errors import ExperimentError, ScenarioError, ScenarioProblem
from edsim.model.reporting import METRICS
from edsim.scenario import Document, Resolved, describe, resolve
from edsim.shipped import shipped_dir, shipped_file, suggestion

from .design import Design, DesignSettings, build_design
from .locate import problem_at, settings_problem, unknown_choice
from .outcome import Outcome, OutcomeSettings, outcome_problems, resolve_outcome
from .size import MAX_RUNS, size_problem

__all__ = [
    "KEPT_METRICS",
    "Experiment",
    "canonical_hash",
    "experiment_from_document",
    "experiment_from_text",
    "load_experiment",
]

#: Metrics an experiment can keep: every reporter but the two that become the ``year`` and
#: ``calendar_year`` columns of the results.
KEPT_METRICS: tuple[str, ...] = tuple(m for m in METRICS if m not in ("step", "year"))

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_NAME_RULE = "1-64 letters, digits, '_', '.' or '-', starting with a letter or digit"


class _Settings(BaseModel):
    """Every experiment key but ``scenarios`` and ``base``, which the scenario loader resolves."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    name: str | None = Field(None, pattern=_NAME.pattern)
    description: str = ""
    baseline: str | None = None
    replicates: int = Field(10, ge=1, le=100_000)
    max_runs: int | None = Field(None, ge=1)
    seed: int = Field(0, ge=0, le=2**63 - 1)
    years: int | None = Field(None, ge=1, le=200)
    metrics: list[str] | None = Field(None, min_length=1)
    design: DesignSettings | None = None
    outcome: OutcomeSettings | None = None


_KEYS = (
    "name",
    "description",
    "base",
    "scenarios",
    *[k for k in _Settings.model_fields if k not in ("name", "description")],
)


@dataclass(frozen=True)
class Experiment:
    """A validated experiment: resolved scenario variants, replicates, seeds and design.

    Attributes:
        name: The experiment's name (default: the file's stem).
        description: Free text for readers of the results.
        scenarios: Each variant's resolved scenario, in the order written.
        baseline: The variant that paired differences are taken against.
        replicates: Runs per variant and design point; replicate *i* uses the same seed in all.
        seed: The root seed.
        years: Simulated years (None: each scenario's own).
        metrics: The metrics kept in the results.
        design: The design points (one point with no parameters when the file has no design).
        outcome: The comparison the headline and sensitivity analysis report (``outcome:``,
            see :mod:`edsim.experiment.outcome`); not part of :meth:`definition`, since it
            changes what is reported, not what is run.
        source: The file (or label) the experiment came from.
        text: The experiment file's text, kept in the results so they can be reproduced.
    """

    name: str
    description: str
    scenarios: dict[str, Resolved]
    baseline: str
    replicates: int
    seed: int
    years: int | None
    metrics: tuple[str, ...]
    design: Design
    source: str = "<string>"
    text: str = ""
    outcome: Outcome | None = None

    def definition(self) -> dict[str, Any]:
        """Everything that determines the results, as plain JSON-able data.

        Comments, the description and file layout are left out, so editing them does not make
        earlier results unusable; any change to a value a run depends on does.
        """
        return {
            "scenarios": {n: r.scenario.model_dump(mode="json") for n, r in self.scenarios.items()},
            "replicates": self.replicates,
            "seed": self.seed,
            "years": self.years,
            "metrics": list(self.metrics),
            "design": self.design.definition(),
        }

    @property
    def definition_hash(self) -> str:
        """SHA-256 of :meth:`definition` in canonical JSON."""
        return canonical_hash(self.definition())

    @property
    def n_runs(self) -> int:
        """Variants x design points x replicates."""
        return len(self.scenarios) * self.design.n_points * self.replicates


def load_experiment(path: str | os.PathLike[str], *, max_runs: int | None = None) -> Experiment:
    """Read and validate an experiment file.

    Args:
        path: The YAML file (or a shipped experiment's name). Relative scenario paths in it are
            relative to its folder.
        max_runs: The most runs allowed; overrides the file's ``max_runs:`` and the default
            :data:`~edsim.experiment.size.MAX_RUNS`. A larger experiment is refused before
            anything is drawn or built.

    Returns:
        The experiment, every scenario variant resolved and validated.

    Raises:
        ExperimentError: The file is missing or invalid; every problem found is listed.
        ScenarioError: A scenario variant is invalid (located in the experiment file or the
            scenario file it names).
    """
    file = find_experiment(path)
    return _from_document(_read(file), default_name=file.stem, max_runs=max_runs)


def shipped_experiments_dir() -> Path:
    """The package's ``edsim/data/experiments`` folder (:mod:`importlib.resources`)."""
    return shipped_dir("experiments")


def find_experiment(path: str | os.PathLike[str]) -> Path:
    """``path`` itself, or for a bare name that is not a file, the shipped experiment of that name.

    A shipped file is given relative to the current directory when it is inside it (a clone),
    so messages that name it stay short.

    Raises:
        ExperimentError: Neither exists (the message lists the shipped experiments).
    """
    file = Path(path)
    if _exists(file) or file.name != os.fspath(path):
        return file
    shipped = shipped_file("experiments", file.name)
    if shipped is not None:
        return _relative_if_inside(shipped)
    stem = file.name.removesuffix(".yaml")
    raise ExperimentError(
        f"{path}: no such experiment file, and no shipped experiment {stem!r}; "
        f"{suggestion('experiments', stem)}"
    )


def _exists(path: Path) -> bool:
    """Whether anything is at ``path``, so that the reader, not the shipped-name lookup, says why.

    True for a folder or a pipe (the reader refuses it in words) and for a name the OS cannot
    look up, such as one too long (the reader reports the OS's reason).
    """
    try:
        return path.exists()
    except OSError:
        return True


def _relative_if_inside(path: Path) -> Path:
    """``path`` relative to the current directory when it is below it, else unchanged."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def experiment_from_text(
    text: str,
    filename: str = "<string>",
    *,
    default_name: str = "experiment",
    max_runs: int | None = None,
) -> Experiment:
    """Validate an experiment given as YAML text; see :func:`load_experiment`."""
    return _from_document(_parse(text, filename), default_name=default_name, max_runs=max_runs)


def experiment_from_document(
    document: Document, *, default_name: str = "experiment", max_runs: int | None = None
) -> Experiment:
    """Validate an experiment from a parsed document; see :func:`load_experiment`.

    For a caller that reads the file itself (an optimisation file, whose ``search:`` block is
    its own): the document keeps the file it came from, so paths in it (a posterior design's
    ``file:``) are relative to that file's folder, as in :func:`load_experiment`.
    """
    return _from_document(document, default_name=default_name, max_runs=max_runs)


def _from_document(document: Document, *, default_name: str, max_runs: int | None) -> Experiment:
    """Validate an experiment file's document: settings, size, variants, then the design."""
    data = dict(document.data)
    if data.get("kind") == "calibration":  # a calibration file given to an experiment command
        message = (
            "this is a calibration file (kind: calibration), not an experiment: run it with "
            "`edsim calibrate`, and use its posterior in an experiment with "
            "design: {method: posterior, file: ...}"
        )
        raise ExperimentError(problem_at(document, ("kind",), message))
    if "search" in data:  # an optimisation file given to an experiment command
        message = (
            "this is an optimisation file (it has a search: block), not an experiment: run it "
            "with `edsim optimise`"
        )
        raise ExperimentError(problem_at(document, ("search",), message, at_key=True))
    base = data.pop("base", None)
    raw_variants = data.pop("scenarios", None)
    problems: list[ScenarioProblem] = []
    settings: _Settings | None = None
    try:
        settings = _Settings.model_validate(data)
    except ValidationError as exc:
        problems += [
            settings_problem(err, document, _Settings, _KEYS, _NAME_RULE) for err in exc.errors()
        ]
    if base is not None and (not isinstance(base, str) or not base.strip()):
        message = f"'base' takes a scenario path or shipped name, found {describe(base)}"
        problems.append(problem_at(document, ("base",), message))
    if not isinstance(raw_variants, dict) or not raw_variants:
        message = (
            "'scenarios' must map variant names to scenarios, e.g. "
            "{disseminate_to: {regime: disseminate_to}, none: {regime: none}}"
        )
        problems.append(problem_at(document, ("scenarios",), message))
        raw_variants = {}
    problems += _name_problems(raw_variants, document)
    if settings is not None and raw_variants:
        limit = (max_runs, "the limit given") if max_runs is not None else _file_limit(settings)
        too_big = size_problem(
            document, settings.design, len(raw_variants), settings.replicates, limit
        )
        problems += [too_big] if too_big is not None else []
    if problems:
        raise ExperimentError(problems)
    assert settings is not None
    variants = {name: _resolve_variant(document, name) for name in raw_variants}
    problems += _cross_checks(settings, variants, document)
    design: Design | None = None
    if not problems:
        try:
            design = build_design(settings.design, variants, document, settings.seed)
        except ExperimentError as exc:
            problems += exc.problems
    if problems:
        raise ExperimentError(problems)
    assert design is not None
    return Experiment(
        name=settings.name or default_name,
        description=settings.description,
        scenarios=variants,
        baseline=settings.baseline or next(iter(variants)),
        replicates=settings.replicates,
        seed=settings.seed,
        years=settings.years,
        metrics=tuple(settings.metrics or KEPT_METRICS),
        design=design,
        source=document.label,
        text=document.text,
        outcome=resolve_outcome(
            settings.outcome,
            list(variants),
            settings.baseline or next(iter(variants)),
            settings.metrics or KEPT_METRICS,
        ),
    )


def _name_problems(variants: dict[Any, Any], document: Document) -> list[ScenarioProblem]:
    """Variant names must be safe file names, and distinct even where case is not.

    Results are written one file per run, named after the variant, so two names that differ
    only in case would overwrite each other on macOS and Windows, whose file systems ignore it.
    """
    problems = []
    seen: dict[str, str] = {}
    for name in variants:
        where = ("scenarios", name)
        if not isinstance(name, str) or not _NAME.match(name):
            message = f"variant name {name!r} must be {_NAME_RULE}"
            problems.append(problem_at(document, where, message, at_key=True))
            continue
        other = seen.setdefault(name.casefold(), name)
        if other != name:
            message = (
                f"variant name {name!r} differs from {other!r} only in case; their results "
                "files would be one file on case-insensitive file systems (macOS, Windows), so "
                "give it a name that differs in more than case"
            )
            problems.append(problem_at(document, where, message, at_key=True))
    return problems


def _file_limit(settings: _Settings) -> tuple[int, str]:
    """The most runs the file allows, and where that limit comes from."""
    if settings.max_runs is not None:
        return settings.max_runs, "the file's max_runs"
    return MAX_RUNS, "the default limit"


def _resolve_variant(document: Document, name: str) -> Resolved:
    """One variant: a scenario document, or the path or shipped name of one, on the base."""
    try:
        embedded = document.embedded(("scenarios", name), extends=("base",))
    except ScenarioError as exc:  # not a scenario at all: a mistake in the experiment file
        raise ExperimentError(exc.problems) from None
    return resolve(embedded, default_name=name)


def _cross_checks(
    settings: _Settings, variants: dict[str, Resolved], document: Document
) -> list[ScenarioProblem]:
    """Rules that relate keys to one another: the baseline is a variant, metrics exist.

    And the outcome names variants, a kept metric and a year that is run.
    """
    problems = []
    if settings.baseline is not None and settings.baseline not in variants:
        problems.append(
            problem_at(
                document,
                ("baseline",),
                unknown_choice("baseline", settings.baseline, list(variants)),
            )
        )
    allowed = list(KEPT_METRICS)
    seen: dict[str, int] = {}
    for index, metric in enumerate(settings.metrics or ()):
        if metric not in allowed:
            problems.append(
                problem_at(document, ("metrics", index), unknown_choice("metric", metric, allowed))
            )
        elif metric in seen:  # a results table cannot hold one column twice
            problems.append(
                problem_at(
                    document,
                    ("metrics", index),
                    f"metric {metric!r} is listed twice (also at position {seen[metric]}); "
                    "list each metric once",
                )
            )
        seen.setdefault(metric, index)
    last_year = settings.years or min((v.scenario.years for v in variants.values()), default=0)
    kept = settings.metrics or KEPT_METRICS
    for loc, message in outcome_problems(settings.outcome, list(variants), kept, last_year):
        problems.append(problem_at(document, loc, message))
    return problems


def _read(path: Path) -> Document:
    try:
        return Document.read(path, what="experiment")
    except ScenarioError as exc:
        raise ExperimentError(exc.problems) from None


def _parse(text: str, filename: str) -> Document:
    try:
        return Document.parse(text, filename, what="experiment")
    except ScenarioError as exc:
        raise ExperimentError(exc.problems) from None


def canonical_hash(data: Any) -> str:
    """SHA-256 of ``data`` as canonical JSON (sorted keys, no spaces)."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=True)
    return hashlib.sha256(canonical.encode()).hexdigest()
