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

import difflib
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from ruamel.yaml.comments import CommentedMap

from edsim.errors import ExperimentError, ScenarioError, ScenarioProblem
from edsim.model.reporting import METRICS
from edsim.scenario.provenance import Layer, Source, layer_from_tree
from edsim.scenario.resolve import Resolved, resolve_tree
from edsim.scenario.yaml_source import describe, parse_document, read_text
from edsim.shipped import shipped_dir, shipped_file, suggestion

from .design import Design, DesignSettings, build_design
from .locate import problem_at, unknown_choice

__all__ = [
    "KEPT_METRICS",
    "Experiment",
    "canonical_hash",
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
    seed: int = Field(0, ge=0, le=2**63 - 1)
    years: int | None = Field(None, ge=1, le=200)
    metrics: list[str] | None = Field(None, min_length=1)
    design: DesignSettings | None = None


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


def load_experiment(path: str | os.PathLike[str]) -> Experiment:
    """Read and validate an experiment file.

    Args:
        path: The YAML file. Relative scenario paths in it are relative to its folder.

    Returns:
        The experiment, every scenario variant resolved and validated.

    Raises:
        ExperimentError: The file is missing or invalid; every problem found is listed.
        ScenarioError: A scenario variant is invalid (located in the experiment file or the
            scenario file it names).
    """
    file = find_experiment(path)
    label = os.fspath(file)
    return experiment_from_text(_read(file, label), label, default_name=file.stem)


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
    if file.is_file() or file.name != os.fspath(path):
        return file
    shipped = shipped_file("experiments", file.name)
    if shipped is not None:
        return _relative_if_inside(shipped)
    stem = file.name.removesuffix(".yaml")
    raise ExperimentError(
        f"{path}: no such experiment file, and no shipped experiment {stem!r}; "
        f"{suggestion('experiments', stem)}"
    )


def _relative_if_inside(path: Path) -> Path:
    """``path`` relative to the current directory when it is below it, else unchanged."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def experiment_from_text(
    text: str, filename: str = "<string>", *, default_name: str = "experiment"
) -> Experiment:
    """Validate an experiment given as YAML text; see :func:`load_experiment`."""
    tree = _parse(text, filename)
    layer = layer_from_tree(tree, filename)
    top = Source(filename, (1, 1), (1, 1))
    problems: list[ScenarioProblem] = []
    data = dict(layer.data)
    base = data.pop("base", None)
    raw_variants = data.pop("scenarios", None)
    settings: _Settings | None = None
    try:
        settings = _Settings.model_validate(data)
    except ValidationError as exc:
        problems += [_located(err, layer, top) for err in exc.errors()]
    if base is not None and (not isinstance(base, str) or not base.strip()):
        problems.append(
            problem_at(
                layer,
                ("base",),
                f"'base' takes a scenario path or shipped name, found {describe(base)}",
            )
        )
    if not isinstance(raw_variants, dict) or not raw_variants:
        problems.append(
            problem_at(
                layer,
                ("scenarios",),
                "'scenarios' must map variant names to scenarios, e.g. "
                "{disseminate_to: {regime: disseminate_to}, none: {regime: none}}",
                fallback=top,
            )
        )
        raw_variants = {}
    for name in raw_variants:
        if not isinstance(name, str) or not _NAME.match(name):
            problems.append(
                problem_at(
                    layer,
                    ("scenarios", name),
                    f"variant name {name!r} must be {_NAME_RULE}",
                    at_key=True,
                )
            )
    if problems:
        raise ExperimentError(problems)
    assert settings is not None
    base_position = tree.lc.data["base"] if "base" in tree else [0, 0, 0, 0]
    variants = {
        name: _resolve_variant(tree["scenarios"], name, base, base_position, filename)
        for name in raw_variants
    }
    problems += _cross_checks(settings, variants, layer, tree)
    design: Design | None = None
    if not problems:
        try:
            design = build_design(settings.design, variants, layer, filename, settings.seed)
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
        source=filename,
        text=text,
    )


def _resolve_variant(
    node: CommentedMap, name: str, base: str | None, base_position: list[int], filename: str
) -> Resolved:
    """One variant: a shipped name or path (``extends:`` shorthand), or a scenario document."""
    value = node[name]
    if isinstance(value, str):
        document = CommentedMap()
        document["extends"] = value
        position = node.lc.value(name)
        document.lc.add_kv_line_col("extends", [*position, *position])
        document.lc.line, document.lc.col = position
        value = document
    elif value is None:
        value = CommentedMap()
        value.lc.line, value.lc.col = node.lc.key(name)
    elif not isinstance(value, CommentedMap):
        line, column = node.lc.value(name)
        message = (
            f"variant {name!r} must be a scenario (a mapping such as {{regime: none}}) or the "
            f"path or shipped name of one, found {describe(value)}"
        )
        raise ExperimentError(
            ScenarioProblem(message, filename, line + 1, column + 1, f"scenarios.{name}")
        )
    if "extends" not in value and base is not None:
        value = _with_extends(value, base, base_position)
    return resolve_tree(value, filename, default_name=name)


def _with_extends(value: CommentedMap, base: str, position: list[int]) -> CommentedMap:
    """``value`` with ``extends: base`` first, keeping every key's line for error messages."""
    document = CommentedMap()
    document["extends"] = base
    document.lc.add_kv_line_col("extends", position)
    for key, item in value.items():
        document[key] = item
        document.lc.add_kv_line_col(key, value.lc.data[key])
    document.lc.line, document.lc.col = value.lc.line, value.lc.col
    return document


def _cross_checks(
    settings: _Settings, variants: dict[str, Resolved], layer: Layer, tree: CommentedMap
) -> list[ScenarioProblem]:
    """Rules that relate keys to one another: the baseline is a variant, metrics exist."""
    problems = []
    if settings.baseline is not None and settings.baseline not in variants:
        problems.append(
            problem_at(
                layer, ("baseline",), unknown_choice("baseline", settings.baseline, list(variants))
            )
        )
    allowed = list(KEPT_METRICS)
    seen: dict[str, int] = {}
    for index, metric in enumerate(settings.metrics or ()):
        if metric not in allowed:
            problems.append(
                problem_at(layer, ("metrics", index), unknown_choice("metric", metric, allowed))
            )
        elif metric in seen:  # a results table cannot hold one column twice
            problems.append(
                problem_at(
                    layer,
                    ("metrics", index),
                    f"metric {metric!r} is listed twice (also at position {seen[metric]}); "
                    "list each metric once",
                )
            )
        seen.setdefault(metric, index)
    return problems


def _located(err: Any, layer: Layer, top: Source) -> ScenarioProblem:
    """A pydantic error on the experiment settings, in the words and at the line of the file."""
    loc = tuple(err["loc"])
    if err["type"] == "extra_forbidden":
        key = loc[-1]
        allowed = _KEYS if len(loc) == 1 else _allowed_at(loc[:-1])
        close = difflib.get_close_matches(str(key), allowed, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"allowed keys: {', '.join(allowed)}"
        return problem_at(layer, loc, f"unknown key {key!r}; {hint}", fallback=top, at_key=True)
    message = err["msg"]
    if err["type"] == "string_pattern_mismatch":
        message = f"must be {_NAME_RULE}"
    elif "input" in err and err["type"] != "missing":
        message = f"{message} (found {describe(err['input'])})"
    return problem_at(layer, loc, message, fallback=top)


def _allowed_at(loc: tuple[Any, ...]) -> list[str]:
    model: Any = _Settings
    for part in loc:
        info = getattr(model, "model_fields", {}).get(part)
        if info is None:
            return []
        model = info.annotation
        for arg in getattr(model, "__args__", ()):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                model = arg
    return list(getattr(model, "model_fields", {}))


def _read(path: Path, label: str) -> str:
    try:
        return read_text(path, label)
    except ScenarioError as exc:
        raise ExperimentError(exc.problems) from None


def _parse(text: str, filename: str) -> CommentedMap:
    try:
        return parse_document(text, filename)
    except ScenarioError as exc:
        raise ExperimentError(exc.problems) from None


def canonical_hash(data: Any) -> str:
    """SHA-256 of ``data`` as canonical JSON (sorted keys, no spaces)."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=True)
    return hashlib.sha256(canonical.encode()).hexdigest()
