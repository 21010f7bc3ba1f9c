"""Problems in an experiment file's settings, in the words and at the line the user wrote."""

from __future__ import annotations

import difflib
import types
from collections.abc import Sequence
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

from edsim.errors import ScenarioProblem
from edsim.scenario import Document, describe

__all__ = ["allowed_keys", "problem_at", "settings_problem", "unknown_choice"]


def problem_at(
    document: Document, loc: tuple[Any, ...], message: str, *, at_key: bool = False
) -> ScenarioProblem:
    """A problem at the value (or, with ``at_key``, the key) ``loc`` names in the file.

    Where ``loc`` itself was not written (a missing key), the nearest written parent is used,
    then the top of the file.
    """
    return document.problem(loc, message, at_key=at_key)


def settings_problem(
    err: Any, document: Document, model: type[BaseModel], top_keys: Sequence[str], rule: str
) -> ScenarioProblem:
    """A pydantic error on ``model`` (the experiment's settings), located in ``document``.

    Args:
        err: One entry of :meth:`pydantic.ValidationError.errors`.
        document: The experiment file.
        model: The settings model the data was validated as.
        top_keys: Every key allowed at the top of the file (some are validated elsewhere).
        rule: What a name must look like, for a name that does not match its pattern.
    """
    loc = tuple(err["loc"])
    if err["type"] == "extra_forbidden":
        key = str(loc[-1])
        allowed = list(top_keys) if len(loc) == 1 else allowed_keys(model, loc[:-1])
        close = difflib.get_close_matches(key, allowed, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"allowed keys: {', '.join(allowed)}"
        return problem_at(document, loc, f"unknown key {key!r}; {hint}", at_key=True)
    message = err["msg"]
    if err["type"] == "string_pattern_mismatch":
        message = f"must be {rule}"
    elif "input" in err and err["type"] != "missing":
        message = f"{message} (found {describe(err['input'])})"
    return problem_at(document, loc, message)


def allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys ``model`` allows in the mapping at ``loc`` (a mapping's own keys are free text).

    Walks the field annotations along ``loc``: into a model's field, through ``X | None`` to
    the model in it, and past a key of a ``dict[str, X]`` to ``X`` (a design parameter's
    settings sit under the parameter's path, which is a key of ``parameters``).
    """
    annotation: Any = model
    for part in loc:
        if get_origin(annotation) is dict:
            annotation = get_args(annotation)[1]
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            info = annotation.model_fields.get(part)
            if info is None:
                return []
            annotation = info.annotation
        else:
            return []
        annotation = _without_none(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return list(annotation.model_fields)
    return []


def unknown_choice(what: str, value: str, allowed: Sequence[str]) -> str:
    """``unknown <what> 'x'`` with the closest allowed value, or the list of them."""
    close = difflib.get_close_matches(value, list(allowed), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else f"; allowed: {', '.join(allowed)}"
    return f"unknown {what} {value!r}{hint}"


def _without_none(annotation: Any) -> Any:
    """``X`` for ``X | None`` (or ``Optional[X]``); anything else unchanged."""
    args = get_args(annotation)
    if get_origin(annotation) in (Union, types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        return rest[0] if len(rest) == 1 else annotation
    return annotation
