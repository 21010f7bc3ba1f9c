"""What a dotted path names in the scenario schema: a number with bounds, a choice, a section.

An experiment's design varies parameters named by their dotted path (``truth.heterogeneity``,
``interventions.0.months``). Before any point is drawn it needs to know that the path names one
value, whether that value is a number it can sample, and the range the schema allows, so a typo
or a range outside the bounds is reported where the user wrote it rather than as a failed run.
"""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass
from typing import get_origin

from pydantic import BaseModel

from edsim.errors import ScenarioError, ScenarioProblem
from edsim.scenario.fields import Bound, bounds
from edsim.scenario.problems import schema_at
from edsim.scenario.provenance import dotted, leaves
from edsim.scenario.schema import Scenario

__all__ = ["Parameter", "parameter"]


@dataclass(frozen=True)
class Parameter:
    """One value of the scenario schema, named by its dotted path.

    Attributes:
        path: The dotted path, as written.
        kind: ``int``, ``float``, ``bool`` or ``str`` for a single value of that type; None for
            anything else (a choice among names, a list).
        lower: The declared lower bound as ``(value, inclusive)``, or None.
        upper: The declared upper bound as ``(value, inclusive)``, or None.
    """

    path: str
    kind: type | None
    lower: Bound | None = None
    upper: Bound | None = None

    @property
    def is_number(self) -> bool:
        """Whether the value is a number (whole or not), so a range of it can be sampled."""
        return self.kind in (int, float)


def parameter(path: str) -> Parameter:
    """What ``path`` names in the schema.

    Args:
        path: A dotted path; list items by their number (``interventions.0.months``).

    Returns:
        The parameter's type and declared bounds.

    Raises:
        ScenarioError: The path names nothing (the closest path is suggested), a section, or a
            whole list; the problem's key is ``path``.
    """
    annotation, info = schema_at(tuple(int(p) if p.isdigit() else p for p in path.split(".")))
    message = None
    if info is None and annotation is None:
        close = difflib.get_close_matches(path, _parameter_paths(), n=1)
        hint = f"did you mean {close[0]!r}?" if close else "docs/scenarios.md lists every path"
        message = f"{path!r} is not a scenario parameter; {hint}"
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        message = f"{path!r} is a section, not a parameter; name one of its keys"
    elif get_origin(annotation) in (tuple, list):
        inside = next((p for p in _parameter_paths() if p.startswith(f"{path}.0.")), None)
        example = f", e.g. {inside!r}" if inside else ""
        message = f"{path!r} is a list, not a parameter; name a value in one of its items{example}"
    if message is not None:
        raise ScenarioError(ScenarioProblem(message, key=path))
    assert info is not None  # a field was found, so the path ends at one
    kind = annotation if annotation in (int, float, bool, str) else None
    lower, upper = bounds(info)
    return Parameter(path, kind, lower, upper)


@functools.cache
def _parameter_paths() -> list[str]:
    """Every leaf path of the default scenario, for suggestions."""
    return [dotted(loc) for loc, _ in leaves(Scenario().model_dump(mode="json"))]
