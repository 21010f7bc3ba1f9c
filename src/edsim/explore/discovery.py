"""Scenario discovery: in which region of the uncertain parameters does a regime difference hold?

A sweep's heatmap answers "where is LE better than DT?" for two parameters at a time; Sobol
indices say which parameters matter, not where. Scenario discovery (Bryant & Lempert 2010)
answers "where" directly: mark each design point as a *case of interest* when its outcome
passes a threshold, and find a box of parameter limits that holds many cases (coverage) and
few others (density). PRIM (Friedman & Fisher 1999) peels the space from the outside a few
points at a time and gives the whole trajectory of boxes, so the user chooses the trade-off.

The outcome is the experiment's own (:mod:`edsim.experiment.outcome`): by default a paired
difference, scenario minus baseline, paired on replicate and design point, averaged over the
point's replicates (the best estimate of the regime effect at that point; single replicates
would make PRIM chase run-to-run noise). A case is a point whose outcome is below (or above) a
threshold, e.g. "linkage and exchange narrows the KS4 gap index by more than 0.02 compared with
disseminate to" is ``threshold=-0.02, direction="below"``.

The default box, used on the command line, is the densest box on the trajectory that still
covers at least ``min_coverage`` (default half) of the cases: a box covering fewer describes an
exception rather than the conditions. :meth:`Discovery.select` chooses any other.
"""

from __future__ import annotations

import dataclasses
import math
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from edsim.analysis import design_response
from edsim.errors import ExperimentError
from edsim.headline import sensitivity_outcome

from ._prim import box_limits, peel, trajectory_of

if TYPE_CHECKING:
    from edsim.experiment import Results
    from edsim.experiment.outcome import Outcome

__all__ = ["DIRECTIONS", "Box", "Discovery", "default_box", "discover"]

Direction = Literal["below", "above"]
DIRECTIONS: tuple[Direction, ...] = ("below", "above")

#: Quasi-p-value under which a restriction is called significant in tables and figures.
SIGNIFICANT_QP = 0.05


@dataclass(frozen=True)
class Box:
    """One box of the peeling trajectory.

    Attributes:
        index: Its place on the trajectory (0 is the whole space).
        coverage: Share of all cases of interest inside the box.
        density: Share of the points inside the box that are cases.
        mass: Share of all points inside the box.
        limits: One row per design parameter: ``parameter``, ``min``, ``max`` (the box),
            ``range_min``, ``range_max`` (the design's range), ``restricted`` and ``qp_value``
            (NaN for a parameter the box does not restrict).
    """

    index: int
    coverage: float
    density: float
    mass: float
    limits: pd.DataFrame

    @property
    def restricted(self) -> pd.DataFrame:
        """The rows of the parameters the box restricts, most significant first."""
        return self.limits[self.limits["restricted"]].sort_values("qp_value", ignore_index=True)


@dataclass(frozen=True)
class Discovery:
    """A PRIM run over an experiment's design, with one box of its trajectory chosen.

    Attributes:
        outcome: What each point's value is (scenario minus baseline, metric, year).
        threshold: The case threshold on that value.
        direction: ``below``: a case is a value under the threshold; ``above``: over it.
        points: One row per design point: ``point``, the parameters, ``value`` and ``case``.
        ranges: Each parameter's design range.
        trajectory: The peeling trajectory (``box``, ``coverage``, ``density``, ``mass``,
            ``restricted``: how many parameters the box limits).
        chosen: The index of the chosen box on the trajectory.
        name: The experiment's name.
    """

    outcome: Outcome
    threshold: float
    direction: Direction
    points: pd.DataFrame
    ranges: dict[str, tuple[float, float]]
    trajectory: pd.DataFrame
    chosen: int
    name: str = "experiment"
    prim_box: Any = field(default=None, repr=False, compare=False)

    @property
    def base_rate(self) -> float:
        """Share of all points that are cases (the density of the whole space)."""
        return float(self.points["case"].mean())

    @property
    def case_text(self) -> str:
        """The case of interest in words."""
        side = "<" if self.direction == "below" else ">"
        return f"{self.outcome.describe()} {side} {self.threshold:g}"

    def box(self, index: int | None = None) -> Box:
        """Trajectory box ``index`` (default: the chosen one) with its limits and quasi-p-values.

        Raises:
            ExperimentError: ``index`` is not on the trajectory.
        """
        index = self.chosen if index is None else self._check(index)
        row = self.trajectory.iloc[index]
        found: dict[Any, Any] = box_limits(self.prim_box, index).to_dict("index")
        rows = []
        for name, (low, high) in self.ranges.items():
            limit = found.get(name)
            rows.append(
                {
                    "parameter": name,
                    "min": float(limit["min"]) if limit else low,
                    "max": float(limit["max"]) if limit else high,
                    "range_min": low,
                    "range_max": high,
                    "restricted": limit is not None,
                    "qp_value": float(limit["qp_value"]) if limit else math.nan,
                }
            )
        return Box(
            index,
            float(row["coverage"]),
            float(row["density"]),
            float(row["mass"]),
            pd.DataFrame(rows),
        )

    def select(self, index: int) -> Discovery:
        """The same discovery with box ``index`` of the trajectory chosen instead."""
        return dataclasses.replace(self, chosen=self._check(index))

    def _check(self, index: int) -> int:
        if not 0 <= index < len(self.trajectory):
            last = len(self.trajectory) - 1
            raise ExperimentError(f"box {index} is not on the peeling trajectory; choose 0..{last}")
        return int(index)


def default_box(trajectory: pd.DataFrame, min_coverage: float = 0.5) -> int:
    """The densest box covering at least ``min_coverage`` of the cases (the earliest on a tie).

    Box 0 (the whole space) covers every case, so there is always one.
    """
    eligible = trajectory[trajectory["coverage"] >= min_coverage - 1e-12]
    best = eligible["density"].max()
    return int(eligible.loc[eligible["density"] >= best - 1e-12, "box"].iloc[0])


def discover(
    results: Results | str | os.PathLike[str],
    *,
    threshold: float = 0.0,
    direction: str = "below",
    metric: str | None = None,
    year: int | None = None,
    scenario: str | None = None,
    baseline: str | None = None,
    min_coverage: float = 0.5,
    mass_min: float = 0.05,
    peel_alpha: float = 0.05,
) -> Discovery:
    """Find where in the design's parameter space the outcome passes ``threshold``, with PRIM.

    Args:
        results: An experiment's results, or its results directory (manifests verified).
        threshold: A point is a case when its outcome is below (or above) this value.
        direction: ``below`` or ``above``.
        metric: The metric (default: the experiment's outcome metric).
        year: The year (default: the outcome's, else the final year).
        scenario: The variant (default: the outcome's).
        baseline: The variant subtracted, paired on replicate (default: the outcome's).
        min_coverage: The default box is the densest with at least this coverage.
        mass_min: PRIM stops peeling at boxes holding this share of the points.
        peel_alpha: Share of the points each peeling step removes.

    Returns:
        The discovery, the default box chosen.

    Raises:
        ExperimentError: No results, no design, an unknown metric, scenario or year, a
            threshold no point (or every point) passes, or bad PRIM settings.
        MissingExtraError: The ``explore`` extra (PRIM) is not installed.
    """
    from edsim.experiment import Results

    loaded = results if isinstance(results, Results) else Results.load(results)
    _check_settings(threshold, direction, min_coverage, mass_min, peel_alpha)
    if loaded.trajectories.empty:
        raise ExperimentError(f"{loaded.name} has no finished runs to discover anything in")
    outcome = sensitivity_outcome(
        loaded, metric=metric, year=year, scenario=scenario, baseline=baseline
    )
    x, y = design_response(
        loaded.runs,
        loaded.trajectories,
        outcome.metric,
        scenario=outcome.scenario,
        baseline=outcome.baseline,
        year=outcome.year,
    )
    x = _numeric(x, loaded.name)
    cases = y < threshold if direction == "below" else y > threshold
    _check_cases(cases, y, threshold, direction)
    points = x.reset_index().assign(value=y, case=cases)
    box = peel(x.reset_index(drop=True), cases, mass_min=mass_min, peel_alpha=peel_alpha)
    trajectory = trajectory_of(box)
    return Discovery(
        outcome=outcome,
        threshold=float(threshold),
        direction="below" if direction == "below" else "above",
        points=points,
        ranges=_ranges(loaded.manifest, x),
        trajectory=trajectory,
        chosen=default_box(trajectory, min_coverage),
        name=loaded.name,
        prim_box=box,
    )


def _check_settings(
    threshold: float, direction: str, min_coverage: float, mass_min: float, peel_alpha: float
) -> None:
    if not math.isfinite(threshold):
        raise ExperimentError(f"threshold must be a finite number, not {threshold}")
    if direction not in DIRECTIONS:
        raise ExperimentError(f"direction must be 'below' or 'above', not {direction!r}")
    for name, value in (
        ("min_coverage", min_coverage),
        ("mass_min", mass_min),
        ("peel_alpha", peel_alpha),
    ):
        if not 0.0 < value <= 1.0 or (name != "min_coverage" and value >= 0.5):
            upper = "1" if name == "min_coverage" else "0.5 (exclusive)"
            raise ExperimentError(f"{name} must be above 0 and at most {upper}, not {value}")


def _numeric(x: pd.DataFrame, name: str) -> pd.DataFrame:
    """The design as floats; PRIM's boxes here are ranges, so every parameter must be a number."""
    if x.shape[1] == 0:
        raise ExperimentError(
            f"{name} has no design: scenario discovery needs an experiment whose design varies "
            "parameters (an lhs or sobol design over the uncertain ones)"
        )
    bad = [str(c) for c in x.columns if not pd.api.types.is_numeric_dtype(x[c])]
    if bad:
        raise ExperimentError(
            f"design parameter(s) {', '.join(bad)} are not numbers; scenario discovery finds "
            "ranges of numeric parameters"
        )
    if len(x) < 10:
        raise ExperimentError(
            f"{name} has {len(x)} design points; PRIM needs many more (100 or more is usual)"
        )
    return x.astype(float)


def _check_cases(cases: np.ndarray, y: np.ndarray, threshold: float, direction: str) -> None:
    """Some points, and not all, must be cases: else there is nothing to find a box for."""
    n = int(cases.sum())
    if 0 < n < len(cases):
        return
    which = "no" if n == 0 else "every"
    raise ExperimentError(
        f"{which} design point has an outcome {direction} the threshold {threshold:g} (the "
        f"outcome ranges from {np.min(y):.4g} to {np.max(y):.4g} over {len(y)} points); "
        "choose a threshold inside that range"
    )


def _ranges(manifest: dict[str, Any], x: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """Each parameter's design range: as sampled, or a grid's lowest and highest values."""
    design = manifest.get("definition", {}).get("design", {})
    ranges = dict(zip(design.get("parameters") or [], design.get("ranges") or [], strict=False))
    return {
        str(c): (
            (float(ranges[c][0]), float(ranges[c][1]))
            if c in ranges
            else (float(x[c].min()), float(x[c].max()))
        )
        for c in x.columns
    }
