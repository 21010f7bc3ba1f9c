"""Experiment designs: which parameter values each variant is run at.

Four methods, the ones sensitivity and exploratory analyses of agent-based models use:

* ``grid``: every combination of listed values (a full factorial sweep);
* ``lhs``: a Latin hypercube of ``samples`` points over ranges (scipy's ``qmc``), for
  exploring a space evenly with few runs;
* ``sobol``: Saltelli's scheme for Sobol indices (SALib), ``samples`` x (D + 2) points, or
  x (2D + 2) with ``second_order``;
* ``morris``: Morris elementary-effect trajectories (SALib), ``samples`` x (D + 1) points;
* ``posterior``: ``samples`` draws from a calibration's posterior (``file:``, written by
  ``edsim calibrate``; :mod:`~edsim.experiment.posterior`), so the comparisons' intervals carry
  parameter uncertainty as well as seed noise.

Points are drawn once from the experiment's root seed, in the parent process, so every executor
runs the same points. A parameter is named by its dotted path in the scenario
(``truth.heterogeneity``, ``interventions.0.months``); a range must lie within the bounds the
scenario schema declares for it, and whole-number parameters are rounded.

A grid's points are never listed in memory unless asked for (:attr:`Design.points`): point *i*
is computed from the value lists, and :meth:`Design.iter_points` walks them one at a time. The
size of any design is counted before it is built (:mod:`~edsim.experiment.size`), and when the
file is read only a representative set of about :data:`CHECKED_POINTS` points is validated in
every variant (the extremes of each parameter among them); the rest are validated when
the runs are planned, before any run starts.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from edsim.errors import ExperimentError, MissingExtraError, ScenarioError, ScenarioProblem
from edsim.scenario import Document, parameter

from .locate import problem_at
from .points import CHECKED_POINTS, apply_point, check_points, checked_points, point_problem
from .posterior import posterior_points

if TYPE_CHECKING:
    from edsim.scenario import Resolved

__all__ = [
    "CHECKED_POINTS",
    "Design",
    "DesignSettings",
    "ParameterSettings",
    "apply_point",
    "build_design",
    "checked_points",
    "point_problem",
]

Method = Literal["grid", "lhs", "sobol", "morris", "posterior"]

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
    parameters: dict[str, ParameterSettings] = Field(default_factory=dict)
    file: str | None = Field(None, min_length=1)
    samples: int | None = Field(None, ge=1, le=1_000_000)
    second_order: bool = False
    levels: int = Field(4, ge=2, le=20)


@dataclass(frozen=True)
class Design:
    """The design points of an experiment.

    Attributes:
        method: ``grid``, ``lhs``, ``sobol``, ``morris``, or ``none`` (a single point).
        parameters: Dotted paths of the varied parameters, in the file's order.
        drawn: A sampler's points, one tuple of values per point in the order of
            ``parameters`` (empty for a grid, whose points are computed from ``grid``).
        grid: A grid's values, one tuple per parameter (empty for a sampler).
        ranges: ``(min, max)`` per parameter for the samplers (empty for a grid).
        samples: The ``samples`` setting (None for a grid).
        second_order: Whether the Sobol design supports second-order indices.
        levels: Morris grid levels.
        sampled: The sampler's own rows before whole-number parameters were rounded (empty for
            a grid): Morris analysis needs the exact grid it sampled.
        posterior: For a posterior design, the posterior file and its SHA-256.
    """

    method: str
    parameters: tuple[str, ...]
    drawn: tuple[tuple[Any, ...], ...] = ()
    grid: tuple[tuple[Any, ...], ...] = ()
    ranges: tuple[tuple[float, float], ...] = ()
    samples: int | None = None
    second_order: bool = False
    levels: int = 4
    sampled: tuple[tuple[float, ...], ...] = ()
    posterior: tuple[str, str] | None = None

    @property
    def n_points(self) -> int:
        """How many design points (at least one)."""
        if self.method == "grid":
            return math.prod(len(values) for values in self.grid)
        return len(self.drawn)

    def point(self, index: int) -> tuple[Any, ...]:
        """The values of one point, in the order of ``parameters``.

        A grid's point is computed from its index (the first parameter varies slowest), so no
        list of points is built.
        """
        if self.method != "grid":
            return self.drawn[index]
        if not 0 <= index < self.n_points:
            raise IndexError(f"design point {index} of {self.n_points}")
        values = []
        for options in reversed(self.grid):
            index, position = divmod(index, len(options))
            values.append(options[position])
        return tuple(reversed(values))

    def iter_points(self) -> Iterator[tuple[Any, ...]]:
        """Every point in order, one at a time."""
        if self.method == "grid":
            return itertools.product(*self.grid)
        return iter(self.drawn)

    @property
    def points(self) -> tuple[tuple[Any, ...], ...]:
        """Every point as a tuple of values (listed in memory: for tables and small designs)."""
        return tuple(self.iter_points())

    def values(self, point: int) -> dict[str, Any]:
        """The parameter values of one point, by dotted path."""
        return dict(zip(self.parameters, self.point(point), strict=True))

    def table(self) -> pd.DataFrame:
        """One row per point: ``point`` and one column per parameter."""
        frame = pd.DataFrame(list(self.iter_points()), columns=list(self.parameters))
        frame.insert(0, "point", range(len(frame)))
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
            "points": [list(p) for p in self.iter_points()],
            "sampled": [list(p) for p in self.sampled],
            **({"posterior": list(self.posterior)} if self.posterior else {}),
        }


NO_DESIGN = Design("none", (), drawn=((),))


def build_design(
    settings: DesignSettings | None,
    variants: Mapping[str, Resolved],
    document: Document,
    seed: int = 0,
) -> Design:
    """Check a ``design:`` section against the scenario schema and draw its points.

    The design's size must already have been checked (:func:`~edsim.experiment.size.size_problem`):
    a sampler's points are drawn here.

    Args:
        settings: The validated section, or None for no design.
        variants: The resolved scenario variants; every point must give a valid scenario in each.
        document: The experiment file, to locate problems.
        seed: The experiment's root seed (the samplers' stream is derived from it).

    Returns:
        The design with its points.

    Raises:
        ExperimentError: Every problem found, located in the experiment file.
    """
    if settings is None:
        return NO_DESIGN
    if settings.method == "posterior":
        names, rows, source = posterior_points(settings, document, seed, DESIGN_STREAM)
        design = Design("posterior", names, drawn=rows, samples=settings.samples, posterior=source)
        check_points(design, variants, document)
        return design
    problems: list[ScenarioProblem] = []
    sampler = settings.method != "grid"
    kinds: dict[str, type] = {}
    for path, spec in settings.parameters.items():
        kind, problem = _check_parameter(path, spec, sampler)
        if problem:
            where = ("design", "parameters", path)
            problems.append(problem_at(document, where, problem, at_key=True))
        elif kind is not None:
            kinds[path] = kind
    problems += _sampling_problems(settings, document)
    if problems:
        raise ExperimentError(problems)
    names = tuple(settings.parameters)
    if sampler:
        ranges = tuple((float(s.min), float(s.max)) for s in settings.parameters.values())  # type: ignore[arg-type]
        unit = _draw(settings, len(names), ranges, seed)
        columns = [_as_kind(unit[:, j], kinds[n]) for j, n in enumerate(names)]
        design = Design(
            settings.method,
            names,
            drawn=tuple(tuple(row) for row in zip(*columns, strict=True)),
            ranges=ranges,
            samples=settings.samples,
            second_order=settings.second_order,
            levels=settings.levels,
            sampled=tuple(tuple(float(v) for v in row) for row in unit),
        )
    else:
        grid = tuple(tuple(s.values or ()) for s in settings.parameters.values())
        design = Design(
            "grid",
            names,
            grid=grid,
            second_order=settings.second_order,
            levels=settings.levels,
        )
    check_points(design, variants, document)
    return design


def _sampling_problems(settings: DesignSettings, document: Document) -> list[ScenarioProblem]:
    """The ``samples`` setting must suit the method."""
    problems = []
    sampler = settings.method != "grid"
    if not settings.parameters:
        message = f"'{settings.method}' needs 'parameters' (the dotted paths to vary)"
        problems.append(problem_at(document, ("design", "method"), message, at_key=True))
    if settings.file is not None:
        message = f"'file' names a posterior; '{settings.method}' takes none (method: posterior)"
        problems.append(problem_at(document, ("design", "file"), message, at_key=True))
    if sampler and settings.samples is None:
        message = f"'{settings.method}' needs 'samples' (how many points or base samples)"
        problems.append(problem_at(document, ("design", "method"), message, at_key=True))
    samples = settings.samples
    if settings.method == "sobol" and samples and samples & (samples - 1):
        message = f"Sobol designs need 'samples' to be a power of 2 (found {samples})"
        problems.append(problem_at(document, ("design", "samples"), message, at_key=True))
    if not sampler and samples is not None:
        message = "a grid takes no 'samples': its points are every combination of the values"
        problems.append(problem_at(document, ("design", "samples"), message, at_key=True))
    return problems


def _check_parameter(
    path: str, spec: ParameterSettings, sampler: bool
) -> tuple[type | None, str | None]:
    """The parameter's number type, or what is wrong with its path or range."""
    try:
        found = parameter(path)
    except ScenarioError as exc:
        return None, "; ".join(p.message for p in exc.problems)
    if not sampler:
        if spec.values is None or spec.min is not None or spec.max is not None:
            return None, "a grid parameter takes 'values': a list of the values to run"
        return None, None
    if spec.values is not None or spec.min is None or spec.max is None:
        return None, "a sampled parameter takes 'min' and 'max' (the range to sample)"
    if not found.is_number:
        return None, f"{path!r} is not a number, so it cannot be sampled; use a grid of values"
    if not spec.min < spec.max:
        return None, f"'min' ({spec.min:g}) must be below 'max' ({spec.max:g})"
    lower, upper = found.lower, found.upper
    if lower and (spec.min < lower[0] or (spec.min == lower[0] and not lower[1])):
        return None, f"'min' {spec.min:g} is below the parameter's lower bound {lower[0]:g}"
    if upper and (spec.max > upper[0] or (spec.max == upper[0] and not upper[1])):
        return None, f"'max' {spec.max:g} is above the parameter's upper bound {upper[0]:g}"
    return found.kind, None


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
