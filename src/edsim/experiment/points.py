"""Design points checked against the scenario: which are checked on reading, why one fails.

Kept apart from :mod:`.design` (which builds the points) so the reading of a file, the planning
of runs and the exploratory search share one place that applies a point and names its problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from edsim.errors import ExperimentError, ScenarioError
from edsim.scenario import Document, Scenario, apply_values

from .locate import problem_at

if TYPE_CHECKING:
    from edsim.scenario import Resolved

__all__ = [
    "CHECKED_POINTS",
    "Points",
    "apply_point",
    "check_points",
    "checked_points",
    "point_problem",
]


class Points(Protocol):
    """What is read of a :class:`~edsim.experiment.design.Design` here.

    A protocol rather than an import, so this module and :mod:`.design`, which uses it, do
    not import each other (even for type hints).
    """

    @property
    def method(self) -> str:
        """``grid``, a sampler's name, ``posterior`` or ``none``."""
        ...

    @property
    def grid(self) -> tuple[tuple[Any, ...], ...]:
        """A grid's values, one tuple per parameter."""
        ...

    @property
    def drawn(self) -> tuple[tuple[Any, ...], ...]:
        """A sampler's points."""
        ...

    @property
    def n_points(self) -> int:
        """How many design points."""
        ...

    def values(self, point: int) -> dict[str, Any]:
        """The parameter values of one point, by dotted path."""
        ...


#: Most design points validated in every variant when an experiment file is read (about 0.5 ms
#: each): every point of a smaller design, a representative set of a larger one.
CHECKED_POINTS = 200


def apply_point(scenario: Scenario, values: Mapping[str, Any]) -> Scenario:
    """A copy of ``scenario`` with the design point's values (by dotted path) set, validated.

    Raises:
        ScenarioError: The values make the scenario invalid (a list item that the variant does
            not have, a minimum above a maximum), in the dotted paths of the file.
    """
    return apply_values(scenario, values, source="<design point>")


def checked_points(design: Points) -> list[int]:
    """The points validated when the file is read: all of them, or a representative set.

    For a design of more than :data:`CHECKED_POINTS` points: the first and last; for a grid,
    the points where each parameter takes up to eight of its values (its first and last among
    them) with the others at their first and at their last; for a sampler, the points where
    each parameter is smallest and largest; then evenly spaced points up to the limit. A mistake
    tied to an extreme value therefore shows when the file is read.
    """
    count = design.n_points
    if count <= CHECKED_POINTS:
        return list(range(count))
    chosen = {0, count - 1}
    if design.method == "grid":
        sizes = [len(values) for values in design.grid]
        for j, size in enumerate(sizes):
            for k in np.linspace(0, size - 1, min(size, 8)).round().astype(int):
                first = [0] * len(sizes)
                last = [n - 1 for n in sizes]
                first[j] = last[j] = int(k)
                chosen |= {_grid_index(first, sizes), _grid_index(last, sizes)}
    else:
        columns = np.array(design.drawn, dtype=float).reshape(count, -1)
        chosen |= {int(i) for i in columns.argmin(axis=0)} | {
            int(i) for i in columns.argmax(axis=0)
        }
    spread = np.linspace(0, count - 1, max(CHECKED_POINTS - len(chosen), 0)).round().astype(int)
    chosen |= {int(i) for i in spread}
    return sorted(chosen)


def _grid_index(position: list[int], sizes: list[int]) -> int:
    """The index of the grid point with each parameter at ``position`` (first slowest)."""
    index = 0
    for at, size in zip(position, sizes, strict=True):
        index = index * size + at
    return index


def check_points(design: Points, variants: Mapping[str, Resolved], document: Document) -> None:
    """The checked points must give a valid scenario in every variant; report the first few."""
    problems = []
    for point in checked_points(design):
        values = design.values(point)
        for name, resolved in variants.items():
            try:
                apply_point(resolved.scenario, values)
            except ScenarioError as exc:
                message = point_problem(point, values, name, exc)
                key = exc.problems[0].key
                where = ("design", "parameters", *([key] if key in values else []))
                problems.append(problem_at(document, where, message, at_key=True))
            if len(problems) >= 5:
                break
        if len(problems) >= 5:
            break
    if problems:
        raise ExperimentError(problems)


def point_problem(point: int, values: Mapping[str, Any], variant: str, exc: ScenarioError) -> str:
    """Why a design point is invalid in a variant, naming the point's values."""
    shown = ", ".join(f"{k}={v}" for k, v in values.items())
    why = "; ".join(f"{p.key}: {p.message}" for p in exc.problems)
    return f"point {point} ({shown}) is invalid in variant {variant!r}: {why}"
