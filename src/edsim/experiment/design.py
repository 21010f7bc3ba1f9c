"""Experiment designs: which parameter values each variant is run at.

Four methods, the ones sensitivity and exploratory analyses of agent-based models use:

* ``grid``: every combination of listed values (a full factorial sweep);
* ``lhs``: a Latin hypercube of ``samples`` points over ranges (scipy's ``qmc``), for
  exploring a space evenly with few runs;
* ``sobol``: Saltelli's scheme for Sobol indices (SALib), ``samples`` x (D + 2) points, or
  x (2D + 2) with ``second_order``;
* ``morris``: Morris elementary-effect trajectories (SALib), ``samples`` x (D + 1) points.

Points are drawn once from the experiment's root seed, in the parent process, so every executor
runs the same points. A parameter is named by its dotted path in the scenario
(``truth.heterogeneity``, ``interventions.0.months``); a range must lie within the bounds the
scenario schema declares for it, and whole-number parameters are rounded.
"""

from __future__ import annotations

import difflib
import functools
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from edsim.errors import ExperimentError, MissingExtraError, ScenarioError, ScenarioProblem
from edsim.scenario.fields import bounds as declared_bounds
from edsim.scenario.overrides import SEPARATOR, apply_overrides
from edsim.scenario.problems import schema_at
from edsim.scenario.provenance import Layer, Source, dotted, leaves
from edsim.scenario.schema import Scenario

from .locate import problem_at

if TYPE_CHECKING:
    from edsim.scenario.resolve import Resolved

__all__ = ["Design", "DesignSettings", "ParameterSettings", "apply_point", "build_design"]

Method = Literal["grid", "lhs", "sobol", "morris"]

#: Spawn key of the design's random stream, apart from the replicates' keys (0, 1, 2, ...).
DESIGN_STREAM = 2**31


class ParameterSettings(BaseModel):
    """One varied parameter: ``values`` for a grid, ``min`` and ``max`` for a sampler."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    values: list[float | int | bool | str] | None = Field(None, min_length=1)
    min: float | None = None
    max: float | None = None


class DesignSettings(BaseModel):
    """The ``design:`` section of an experiment file."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    method: Method
    parameters: dict[str, ParameterSettings] = Field(min_length=1)
    samples: int | None = Field(None, ge=1, le=1_000_000)
    second_order: bool = False
    levels: int = Field(4, ge=2, le=20)


@dataclass(frozen=True)
class Design:
    """The design points of an experiment.

    Attributes:
        method: ``grid``, ``lhs``, ``sobol``, ``morris``, or ``none`` (a single point).
        parameters: Dotted paths of the varied parameters, in the file's order.
        points: One tuple of values per point, in the order of ``parameters``.
        ranges: ``(min, max)`` per parameter for the samplers (empty for a grid).
        samples: The ``samples`` setting (None for a grid).
        second_order: Whether the Sobol design supports second-order indices.
        levels: Morris grid levels.
        sampled: The sampler's own rows before whole-number parameters were rounded (empty for
            a grid): Morris analysis needs the exact grid it sampled.
    """

    method: str
    parameters: tuple[str, ...]
    points: tuple[tuple[Any, ...], ...]
    ranges: tuple[tuple[float, float], ...] = ()
    samples: int | None = None
    second_order: bool = False
    levels: int = 4
    sampled: tuple[tuple[float, ...], ...] = ()

    @property
    def n_points(self) -> int:
        """How many design points (at least one)."""
        return len(self.points)

    def values(self, point: int) -> dict[str, Any]:
        """The parameter values of one point, by dotted path."""
        return dict(zip(self.parameters, self.points[point], strict=True))

    def table(self) -> pd.DataFrame:
        """One row per point: ``point`` and one column per parameter."""
        frame = pd.DataFrame(list(self.points), columns=list(self.parameters))
        frame.insert(0, "point", range(len(self.points)))
        return frame

    def bounds(self) -> dict[str, tuple[float, float]]:
        """``{parameter: (min, max)}`` for the samplers, as the analysis needs them."""
        return dict(zip(self.parameters, self.ranges, strict=True))

    def definition(self) -> dict[str, Any]:
        """The design as plain data, for the experiment's hash and the manifest."""
        return {
            "method": self.method,
            "parameters": list(self.parameters),
            "ranges": [list(r) for r in self.ranges],
            "samples": self.samples,
            "second_order": self.second_order,
            "levels": self.levels,
            "points": [list(p) for p in self.points],
            "sampled": [list(p) for p in self.sampled],
        }


NO_DESIGN = Design("none", (), ((),))


def build_design(
    settings: DesignSettings | None,
    variants: Mapping[str, Resolved],
    layer: Layer,
    filename: str,
    seed: int = 0,
) -> Design:
    """Check a ``design:`` section against the scenario schema and draw its points.

    Args:
        settings: The validated section, or None for no design.
        variants: The resolved scenario variants; every point must give a valid scenario in each.
        layer: The experiment file's data with positions, to locate problems.
        filename: The experiment file's label.
        seed: The experiment's root seed (the samplers' stream is derived from it).

    Returns:
        The design with its points.

    Raises:
        ExperimentError: Every problem found, located in the experiment file.
    """
    if settings is None:
        return NO_DESIGN
    problems: list[ScenarioProblem] = []
    sampler = settings.method != "grid"
    kinds: dict[str, type] = {}
    for path, spec in settings.parameters.items():
        where = ("design", "parameters", path)
        kind, problem = _check_parameter(path, spec, sampler)
        if problem:
            problems.append(
                problem_at(layer, where, problem, fallback=Source(filename), at_key=True)
            )
        elif kind is not None:
            kinds[path] = kind
    if sampler and settings.samples is None:
        message = f"'{settings.method}' needs 'samples' (how many points or base samples)"
        problems.append(
            problem_at(layer, ("design", "method"), message, fallback=Source(filename), at_key=True)
        )
    if (
        settings.method == "sobol"
        and settings.samples
        and settings.samples & (settings.samples - 1)
    ):
        message = f"Sobol designs need 'samples' to be a power of 2 (found {settings.samples})"
        problems.append(
            problem_at(
                layer, ("design", "samples"), message, fallback=Source(filename), at_key=True
            )
        )
    if not sampler and settings.samples is not None:
        message = "a grid takes no 'samples': its points are every combination of the values"
        problems.append(
            problem_at(
                layer, ("design", "samples"), message, fallback=Source(filename), at_key=True
            )
        )
    if problems:
        raise ExperimentError(problems)
    names = tuple(settings.parameters)
    if sampler:
        ranges = tuple((float(s.min), float(s.max)) for s in settings.parameters.values())  # type: ignore[arg-type]
        unit = _draw(settings, len(names), ranges, seed)
        columns = [_as_kind(unit[:, j], kinds[n]) for j, n in enumerate(names)]
        points = tuple(tuple(row) for row in zip(*columns, strict=True))
        sampled = tuple(tuple(float(v) for v in row) for row in unit)
    else:
        ranges, sampled = (), ()
        grids = [s.values or () for s in settings.parameters.values()]
        points = tuple(itertools.product(*grids))
    design = Design(
        settings.method,
        names,
        points,
        ranges,
        settings.samples,
        settings.second_order,
        settings.levels,
        sampled,
    )
    _check_points(design, variants, layer, filename)
    return design


def apply_point(scenario: Scenario, values: Mapping[str, Any]) -> Scenario:
    """A copy of ``scenario`` with the design point's values (by dotted path) set, validated.

    Raises:
        ScenarioError: The values make the scenario invalid (e.g. a minimum above a maximum).
    """
    return apply_overrides(
        scenario, {path.replace(".", SEPARATOR): v for path, v in values.items()}
    )


@functools.cache
def _parameter_paths() -> list[str]:
    return [dotted(loc) for loc, _ in leaves(Scenario().model_dump(mode="json"))]


def _loc(path: str) -> tuple[str | int, ...]:
    return tuple(int(p) if p.isdigit() else p for p in path.split("."))


def _check_parameter(
    path: str, spec: ParameterSettings, sampler: bool
) -> tuple[type | None, str | None]:
    """The parameter's number type, or what is wrong with its path or range."""
    annotation, info = schema_at(_loc(path))
    if info is None and annotation is None:
        close = difflib.get_close_matches(path, _parameter_paths(), n=1)
        hint = f"did you mean {close[0]!r}?" if close else "docs/scenarios.md lists every path"
        return None, f"{path!r} is not a scenario parameter; {hint}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return None, f"{path!r} is a section, not a parameter; name one of its keys"
    if not sampler:
        if spec.values is None or spec.min is not None or spec.max is not None:
            return None, "a grid parameter takes 'values': a list of the values to run"
        return None, None
    if spec.values is not None or spec.min is None or spec.max is None:
        return None, "a sampled parameter takes 'min' and 'max' (the range to sample)"
    if annotation not in (int, float) or info is None:
        return None, f"{path!r} is not a number, so it cannot be sampled; use a grid of values"
    if not spec.min < spec.max:
        return None, f"'min' ({spec.min:g}) must be below 'max' ({spec.max:g})"
    lower, upper = declared_bounds(info)
    if lower and (spec.min < lower[0] or (spec.min == lower[0] and not lower[1])):
        return None, f"'min' {spec.min:g} is below the parameter's lower bound {lower[0]:g}"
    if upper and (spec.max > upper[0] or (spec.max == upper[0] and not upper[1])):
        return None, f"'max' {spec.max:g} is above the parameter's upper bound {upper[0]:g}"
    return annotation, None


def _draw(
    settings: DesignSettings, dims: int, ranges: tuple[tuple[float, float], ...], seed: int
) -> np.ndarray:
    """Sample points, already scaled to the ranges (one row per point)."""
    stream = np.random.SeedSequence(seed, spawn_key=(DESIGN_STREAM,))
    sampler_seed = int(stream.generate_state(1)[0])
    samples = int(settings.samples or 0)
    if settings.method == "lhs":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=dims, seed=np.random.default_rng(stream)).random(samples)
        low, high = np.array(ranges).T
        return np.asarray(qmc.scale(unit, low, high))
    problem = {
        "num_vars": dims,
        "names": list(settings.parameters),
        "bounds": [list(r) for r in ranges],
    }
    try:
        if settings.method == "sobol":
            from SALib.sample import sobol

            return np.asarray(
                sobol.sample(
                    problem, samples, calc_second_order=settings.second_order, seed=sampler_seed
                )
            )
        from SALib.sample import morris

        return np.asarray(
            morris.sample(problem, samples, num_levels=settings.levels, seed=sampler_seed)
        )
    except ImportError:
        raise MissingExtraError("SALib", "sensitivity") from None


def _as_kind(column: np.ndarray, kind: type) -> list[Any]:
    if kind is int:
        return [round(float(v)) for v in column]
    return [float(v) for v in column]


def _check_points(
    design: Design, variants: Mapping[str, Resolved], layer: Layer, filename: str
) -> None:
    """Every point must give a valid scenario in every variant; report the first few that don't."""
    problems = []
    for point in range(design.n_points):
        values = design.values(point)
        for name, resolved in variants.items():
            try:
                apply_point(resolved.scenario, values)
            except ScenarioError as exc:
                shown = ", ".join(f"{k}={v}" for k, v in values.items())
                why = "; ".join(f"{p.key}: {p.message}" for p in exc.problems)
                message = f"point {point} ({shown}) is invalid in variant {name!r}: {why}"
                problems.append(
                    problem_at(
                        layer,
                        ("design", "parameters"),
                        message,
                        fallback=Source(filename),
                        at_key=True,
                    )
                )
            if len(problems) >= 5:
                break
        if len(problems) >= 5:
            break
    if problems:
        raise ExperimentError(problems)
