"""Helpers for declaring scenario parameters with bounds, unit and source.

Every numeric parameter is declared with :func:`param`, so the generated schema and parameter
reference carry the same unit and source an analyst sees in the docs.
"""

from __future__ import annotations

from typing import Any

import annotated_types
from pydantic import BaseModel, ConfigDict, Field
from pydantic.fields import FieldInfo

__all__ = ["Bound", "FrozenModel", "bounds", "param"]

#: One side of a field's range: the value and whether it is included.
Bound = tuple[float, bool]


class FrozenModel(BaseModel):
    """Base of all scenario sections: immutable, unknown keys rejected, values validated."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)


def param(
    default: Any,
    description: str,
    *,
    unit: str,
    source: str,
    ge: float | None = None,
    le: float | None = None,
    gt: float | None = None,
    lt: float | None = None,
) -> Any:
    """Declare a scenario parameter.

    Args:
        default: The default value (calibrated or chosen; ``source`` says which).
        description: What the parameter means, in words a policy analyst understands.
        unit: Unit of measurement ("SD", "share 0-1", "GBP per pupil", "years", ...).
        source: Where the default comes from, or "uncertain: ..." with the reasoning.
        ge: Inclusive lower bound.
        le: Inclusive upper bound.
        gt: Exclusive lower bound.
        lt: Exclusive upper bound.

    Returns:
        A pydantic ``Field`` carrying the metadata in its JSON schema. Values are validated
        strictly (an int is accepted for a float, nothing else is coerced).
    """
    return Field(
        default=default,
        description=description,
        ge=ge,
        le=le,
        gt=gt,
        lt=lt,
        strict=True,  # no silent coercion: `years: true` or `share: "0.3"` is an error
        json_schema_extra={"unit": unit, "source": source},
    )


def bounds(info: FieldInfo) -> tuple[Bound | None, Bound | None]:
    """The (lower, upper) bounds declared on a field, each as (value, inclusive) or None.

    The one reader of declared ranges, shared by error messages and the parameter reference.
    """
    lower: Bound | None = None
    upper: Bound | None = None
    for b in info.metadata:
        if isinstance(b, annotated_types.Ge):
            lower = (float(b.ge), True)  # type: ignore[arg-type]
        elif isinstance(b, annotated_types.Gt):
            lower = (float(b.gt), False)  # type: ignore[arg-type]
        elif isinstance(b, annotated_types.Le):
            upper = (float(b.le), True)  # type: ignore[arg-type]
        elif isinstance(b, annotated_types.Lt):
            upper = (float(b.lt), False)  # type: ignore[arg-type]
    return lower, upper
