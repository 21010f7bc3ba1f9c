"""Global sensitivity analysis of a design's results: thin, checked wrappers over SALib.

Which uncertain parameter — the heterogeneity of what works, schools' capacity gradient, trial
sizes — decides whether a regime narrows the gap? Sobol indices split the variance of an outcome
between parameters (S1: alone; ST: including interactions); Morris screening ranks many
parameters cheaply. SALib does the estimation. What this module adds is the contract with the
design layer and errors a user can act on:

* :func:`design_problem` builds SALib's ``problem`` from ``{dotted.name: (low, high)}`` in dict
  order; the design layer samples with it (``SALib.sample.sobol.sample(problem, N,
  calc_second_order=..., seed=...)`` or ``SALib.sample.morris.sample(problem, N,
  num_levels=..., seed=...)``) and these functions analyse with it, so both sides agree on the
  parameter order by construction.
* SALib estimates from the *position* of each row in the sampler's output (Saltelli's A, AB,
  BA, B blocks; Morris trajectories). Rows in another order give plausible-looking wrong
  numbers, so the row count and the sampler's structure are checked before analysing.

SALib is the optional ``sensitivity`` extra and is imported only when an analysis runs.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from edsim.analysis._checks import require_level
from edsim.errors import ExperimentError, MissingExtraError

__all__ = [
    "design_problem",
    "morris_indices",
    "sobol_indices",
    "sobol_second_order",
]

Bounds = Mapping[str, tuple[float, float]]


def design_problem(bounds: Bounds) -> dict[str, Any]:
    """SALib's problem definition for ``bounds``, parameters in the mapping's order.

    Args:
        bounds: Parameter dotted path -> (low, high), e.g.
            ``{"truth.heterogeneity": (0.0, 0.5)}``.

    Returns:
        ``{"num_vars": D, "names": [...], "bounds": [[low, high], ...]}``.

    Raises:
        ExperimentError: No parameters, or a range that is not finite with low < high.
    """
    if not bounds:
        raise ExperimentError("a sensitivity design needs at least one parameter with bounds")
    names, ranges = [], []
    for name, pair in bounds.items():
        low, high = (float(v) for v in pair)
        if not (np.isfinite(low) and np.isfinite(high) and low < high):
            raise ExperimentError(
                f"bounds of {name!r} must be finite with low < high, not ({low}, {high})"
            )
        names.append(str(name))
        ranges.append([low, high])
    return {"num_vars": len(names), "names": names, "bounds": ranges}


def sobol_indices(
    X: pd.DataFrame,
    y: ArrayLike,
    *,
    bounds: Bounds,
    second_order: bool,
    level: float = 0.95,
    seed: int = 0,
    num_resamples: int = 100,
) -> pd.DataFrame:
    """First-order (S1) and total (ST) Sobol indices of ``y`` for each parameter.

    Args:
        X: The Sobol/Saltelli design, one column per parameter in ``bounds``, rows in the
            sampler's order (``N·(D+2)`` rows, or ``N·(2D+2)`` with second order).
        y: The outcome at each row of ``X`` (matched by position), e.g. the final-year
            ``ks4_gap_index`` averaged over a point's replicates.
        bounds: Parameter -> (low, high), as sampled.
        second_order: Whether the design was sampled with ``calc_second_order=True``.
        level: Confidence level of the bootstrap intervals.
        seed: Seed of the bootstrap resampling, so the ``_conf`` columns are reproducible.
        num_resamples: Bootstrap resamples.

    Returns:
        One row per parameter, in ``bounds`` order: ``parameter``, ``S1``, ``S1_conf``, ``ST``,
        ``ST_conf``. ``_conf`` is the half-width of the ``level`` bootstrap interval (so the
        interval is index ± conf). Indices are fractions of the outcome's variance; small
        negative S1 values are estimation noise around 0. ``attrs["level"]`` records the level.

    Raises:
        ExperimentError: Shapes or structure do not fit a Sobol design, or ``y`` has gaps.
        MissingExtraError: SALib is not installed.
    """
    result, problem = _sobol(X, y, bounds, second_order, level, seed, num_resamples)
    out = pd.DataFrame(
        {
            "parameter": problem["names"],
            "S1": result["S1"],
            "S1_conf": result["S1_conf"],
            "ST": result["ST"],
            "ST_conf": result["ST_conf"],
        }
    )
    out.attrs.update(level=level)
    return out


def sobol_second_order(
    X: pd.DataFrame,
    y: ArrayLike,
    *,
    bounds: Bounds,
    level: float = 0.95,
    seed: int = 0,
    num_resamples: int = 100,
) -> pd.DataFrame:
    """Second-order Sobol indices (S2) of each pair of parameters, from a second-order design.

    Args:
        X: Design sampled with ``calc_second_order=True`` (``N·(2D+2)`` rows).
        y: Outcome per row of ``X``.
        bounds: Parameter -> (low, high), as sampled.
        level: Confidence level of the bootstrap intervals.
        seed: Seed of the bootstrap resampling.
        num_resamples: Bootstrap resamples.

    Returns:
        One row per pair (in ``bounds`` order): ``parameter_1``, ``parameter_2``, ``S2``,
        ``S2_conf`` (half-width).

    Raises:
        ExperimentError: Shapes or structure do not fit a second-order Sobol design.
        MissingExtraError: SALib is not installed.
    """
    result, problem = _sobol(X, y, bounds, True, level, seed, num_resamples)
    names = problem["names"]
    rows = [
        (names[i], names[j], result["S2"][i, j], result["S2_conf"][i, j])
        for i in range(len(names))
        for j in range(i + 1, len(names))
    ]
    return pd.DataFrame(rows, columns=["parameter_1", "parameter_2", "S2", "S2_conf"])


def morris_indices(
    X: pd.DataFrame,
    y: ArrayLike,
    *,
    bounds: Bounds,
    num_levels: int = 4,
    level: float = 0.95,
    seed: int = 0,
    num_resamples: int = 100,
) -> pd.DataFrame:
    """Morris elementary-effects screening of ``y`` for each parameter.

    Args:
        X: The Morris design: ``N·(D+1)`` rows, ``N`` trajectories in the sampler's order, each
            moving one parameter at a time.
        y: Outcome per row of ``X`` (by position).
        bounds: Parameter -> (low, high), as sampled.
        num_levels: Grid levels used by the sampler (must match it).
        level: Confidence level of the bootstrap interval of ``mu_star``.
        seed: Seed of the bootstrap resampling.
        num_resamples: Bootstrap resamples.

    Returns:
        One row per parameter, in ``bounds`` order: ``parameter``, ``mu_star`` (mean absolute
        elementary effect: overall influence), ``mu_star_conf`` (half-width), ``mu`` (signed
        mean: effects of mixed sign cancel here) and ``sigma`` (spread: non-linearity or
        interactions). Effects are per unit of the parameter's range scaled to [0, 1], so
        parameters with different units are comparable.

    Raises:
        ExperimentError: Shapes or structure do not fit a Morris design, or ``y`` has gaps.
        MissingExtraError: SALib is not installed.
    """
    problem = design_problem(bounds)
    require_level(level)
    matrix, values = _matrix_and_outcome(X, y, problem)
    dims = problem["num_vars"]
    rows = matrix.shape[0]
    if rows == 0 or rows % (dims + 1):
        raise ExperimentError(
            f"a Morris design for {dims} parameters has N·(D+1) = N·{dims + 1} rows "
            f"(N trajectories); got {rows}"
        )
    _check_morris_structure(matrix, problem, num_levels)
    analyze = _salib("analyze.morris")
    result = analyze.analyze(
        problem,
        matrix,
        values,
        num_resamples=num_resamples,
        conf_level=level,
        num_levels=num_levels,
        seed=_bootstrap_rng(seed),
    )
    out = pd.DataFrame(
        {
            "parameter": problem["names"],
            "mu_star": np.asarray(result["mu_star"], dtype=float),
            "mu_star_conf": np.asarray(result["mu_star_conf"], dtype=float),
            "mu": np.asarray(result["mu"], dtype=float),
            "sigma": np.asarray(result["sigma"], dtype=float),
        }
    )
    out.attrs.update(level=level)
    return out


def _salib(module: str) -> ModuleType:
    """Import ``SALib.<module>`` lazily, naming the extra that provides it."""
    try:
        return importlib.import_module(f"SALib.{module}")
    except ImportError:
        raise MissingExtraError("SALib", "sensitivity") from None


def _bootstrap_rng(seed: int) -> np.random.Generator:
    """A generator for SALib's bootstrap.

    SALib's Sobol analysis tests ``if seed:``, so ``seed=0`` would silently fall back to numpy's
    global state and make the ``_conf`` columns irreproducible; a Generator is always honoured.
    """
    return np.random.default_rng(seed)


def _sobol(
    X: pd.DataFrame,
    y: ArrayLike,
    bounds: Bounds,
    second_order: bool,
    level: float,
    seed: int,
    num_resamples: int,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Check a Saltelli design and run SALib's Sobol analysis on it."""
    problem = design_problem(bounds)
    require_level(level)
    matrix, values = _matrix_and_outcome(X, y, problem)
    dims = problem["num_vars"]
    step = 2 * dims + 2 if second_order else dims + 2
    rows = matrix.shape[0]
    if rows == 0 or rows % step:
        formula = "N·(2D+2)" if second_order else "N·(D+2)"
        other = "without" if second_order else "with"
        raise ExperimentError(
            f"a Sobol design for {dims} parameters {'with' if second_order else 'without'} "
            f"second order has {formula} = N·{step} rows; got {rows} (was it sampled {other} "
            "second order?)"
        )
    _check_sobol_structure(matrix, problem, step)
    analyze = _salib("analyze.sobol")
    result = analyze.analyze(
        problem,
        values,
        calc_second_order=second_order,
        num_resamples=num_resamples,
        conf_level=level,
        seed=_bootstrap_rng(seed),
    )
    return dict(result), problem


def _matrix_and_outcome(
    X: pd.DataFrame,
    y: ArrayLike,
    problem: dict[str, Any],
) -> tuple[np.ndarray, np.ndarray]:
    """The design as a float matrix in ``problem`` column order, and ``y`` as a finite vector."""
    names = problem["names"]
    missing = [name for name in names if name not in X.columns]
    extra = [str(column) for column in X.columns if column not in names]
    if missing or extra:
        raise ExperimentError(
            f"design columns must be exactly the bounded parameters ({', '.join(names)}); "
            f"missing: {', '.join(missing) or 'none'}; unexpected: {', '.join(extra) or 'none'}"
        )
    matrix = X[names].to_numpy(dtype=float)
    values = np.asarray(y, dtype=float).reshape(-1)
    if values.shape[0] != matrix.shape[0]:
        raise ExperimentError(
            f"the outcome has {values.shape[0]} values but the design has {matrix.shape[0]} rows"
        )
    holes = np.flatnonzero(~np.isfinite(values))
    if holes.size:
        raise ExperimentError(
            f"the outcome is missing or not finite at {holes.size} design row(s) (first: row "
            f"{holes[0]}); sensitivity analysis needs every design point, so rerun failed runs"
        )
    return matrix, values


def _check_sobol_structure(matrix: np.ndarray, problem: dict[str, Any], step: int) -> None:
    """Rows must form Saltelli blocks [A, AB_1..AB_D, (BA_1..BA_D,) B] per base sample.

    AB_j is A with column j taken from B, so each block can be checked exactly; a design whose
    rows were sorted or shuffled fails here instead of yielding wrong indices.
    """
    dims = problem["num_vars"]
    blocks = matrix.reshape(-1, step, dims)
    a, b = blocks[:, 0, :], blocks[:, -1, :]
    tolerance = 1e-9 * np.ptp(np.asarray(problem["bounds"], dtype=float), axis=1)
    for j in range(dims):
        expected = a.copy()
        expected[:, j] = b[:, j]
        if not np.all(np.abs(blocks[:, 1 + j, :] - expected) <= tolerance):
            raise ExperimentError(
                "the design rows are not in SALib's Sobol sample order (A, AB_j, ..., B blocks); "
                "keep the design points in the order SALib.sample.sobol.sample returned them"
            )


def _check_morris_structure(matrix: np.ndarray, problem: dict[str, Any], num_levels: int) -> None:
    """Each trajectory moves one parameter per step, and values lie on the sampler's grid."""
    dims = problem["num_vars"]
    bounds = np.asarray(problem["bounds"], dtype=float)
    unit = (matrix - bounds[:, 0]) / (bounds[:, 1] - bounds[:, 0])
    grid = unit * (num_levels - 1)
    if not np.allclose(grid, np.round(grid), atol=1e-6):
        raise ExperimentError(
            f"the design values are not on a {num_levels}-level Morris grid; pass the "
            "num_levels the design was sampled with, and the sampler's values as drawn (not "
            "rounded to whole numbers: Morris effects are measured on the sampled grid)"
        )
    trajectories = unit.reshape(-1, dims + 1, dims)
    moved = np.abs(np.diff(trajectories, axis=1)) > 1e-9
    if not np.all(moved.sum(axis=2) == 1):
        raise ExperimentError(
            "the design rows are not in SALib's Morris sample order (trajectories of D+1 rows, "
            "one parameter changing per step); keep the order SALib.sample.morris.sample returned"
        )
