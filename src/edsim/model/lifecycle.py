"""A finished model leaves nothing behind, and gives its memory back as soon as it finishes.

Two things kept finished models in memory:

- Mesa 3.3 numbers each model's agents from a class-level ``defaultdict`` keyed by the model
  (``mesa.Agent._ids``). The key is a strong reference, so every model that ever created an
  agent stayed alive for the life of the process: about 19 MB per run at 10% of England and
  180 MB per run at full scale, enough to exhaust a batch worker after a few dozen runs (Mesa
  issue #3179; later Mesa, 3.4.2 and 3.5 among them, numbers agents in
  ``Model.register_agent`` instead, PR #3180).
  :func:`forget_finished_models` swaps that registry for one with weak keys, so every way of
  building a model is covered at once: :func:`edsim.run`, the experiment layer's runs on any
  executor, the browser app's reset, a model whose construction raised half-way,
  ``mesa.batch_run`` and a model built by hand. Numbering is unchanged (each model's agents from
  1, in the order they are created). ``edsim.model`` calls it on import; on a Mesa without the
  registry it does nothing.
- A model and its agents refer to each other (``agent.model``, and Mesa's wrapped ``step`` is a
  bound method stored on the model), so reference counting never frees a model: Python's cyclic
  collector does, but only in a full collection, and a model has too few Python objects (its
  data are NumPy arrays) to trigger one often. Measured: 10 of 12 finished runs at 10% of England
  were still in memory after the 12th. :func:`dispose` breaks those cycles when a run is over,
  so the memory comes back at once, with no full collection (which costs 0.1-0.2 s, as much as
  a small run). Code that builds a model, runs it and keeps only its results wraps it in
  :func:`disposing`.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any, TypeVar

import mesa

__all__ = ["WeakModelCounters", "dispose", "disposing", "forget_finished_models"]

M = TypeVar("M", bound=mesa.Model)

#: The class attribute of ``mesa.Agent`` that holds the counters (Mesa 3.3 only).
REGISTRY = "_ids"


class WeakModelCounters(MutableMapping[Any, Iterator[int]]):
    """Mesa 3.3's per-model agent counters, held without keeping the models alive.

    A missing model gets a fresh counter from 1, as with the ``defaultdict`` it replaces. A
    model that cannot be weakly referenced (a ``__slots__`` class without ``__weakref__``) is
    held strongly, exactly as before.
    """

    def __init__(self, items: MutableMapping[Any, Iterator[int]] | None = None) -> None:
        self._weak: weakref.WeakKeyDictionary[Any, Iterator[int]] = weakref.WeakKeyDictionary()
        self._strong: dict[Any, Iterator[int]] = {}
        for model, counter in (items or {}).items():
            self[model] = counter

    def __getitem__(self, model: Any) -> Iterator[int]:
        try:
            return self._weak[model]
        except KeyError:
            pass
        except TypeError:  # not weakly referenceable
            if model in self._strong:
                return self._strong[model]
        counter = itertools.count(1)
        self[model] = counter
        return counter

    def __setitem__(self, model: Any, counter: Iterator[int]) -> None:
        try:
            self._weak[model] = counter
        except TypeError:
            self._strong[model] = counter

    def __delitem__(self, model: Any) -> None:
        try:
            del self._weak[model]
        except (KeyError, TypeError):
            del self._strong[model]

    def __iter__(self) -> Iterator[Any]:
        yield from list(self._weak.keys())
        yield from list(self._strong)

    def __len__(self) -> int:
        return len(self._weak) + len(self._strong)

    def __contains__(self, model: object) -> bool:
        return model in self._weak or model in self._strong


def forget_finished_models() -> bool:
    """Make Mesa's per-model agent counters (Mesa 3.3) hold their models weakly; idempotent.

    Counters of models that already exist are carried over, so their agents' numbering goes on
    where it was.

    Returns:
        Whether this Mesa has the registry (False on later Mesa, e.g. 3.5: nothing to do).
    """
    ids = vars(mesa.Agent).get(REGISTRY)
    if not isinstance(ids, MutableMapping):
        return False
    if not isinstance(ids, WeakModelCounters):
        setattr(mesa.Agent, REGISTRY, WeakModelCounters(ids))
    return True


def dispose(model: mesa.Model) -> None:
    """Drop everything a finished model holds, so its memory is freed now, not at a full collection.

    Clearing the model's attributes breaks every reference cycle through it (its agents, its
    wrapped ``step``); the model, its agents, arrays and data collector are then freed by
    reference counting as soon as the caller lets go of the model. The model is unusable
    afterwards: call this only once its results have been taken.
    """
    state = getattr(model, "__dict__", None)
    if state is not None:
        state.clear()


@contextmanager
def disposing(model: M) -> Iterator[M]:
    """Dispose of the model when the ``with`` block ends, whether it finishes or raises.

    ``with disposing(EdSystemModel(...)) as model:``; a failed run frees its memory too. Take
    whatever the block returns (a DataFrame, numbers) out of the model inside it.
    """
    try:
        yield model
    finally:
        dispose(model)
