"""Threads for one run's per-pupil work: year groups, the transition and the intake.

Within a year these tasks draw from their own random streams and touch their own pupils, so they
can run side by side; results do not depend on how many threads there are
(``tests/model/test_year_zero.py``). The compiled kernels (:mod:`edsim.model.kernels`) and
NumPy's large-array operations release the GIL, so the threads use several cores. A batch worker
uses its share of the CPUs (``edsim.experiment.executors``), and ``EDSIM_THREADS`` sets the
count for any process.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

__all__ = ["parallel_map", "set_threads", "threads"]

T = TypeVar("T")
R = TypeVar("R")

#: Year groups are independent within a year (each draws from its own spawned stream), so they
#: can progress on several cores; results do not depend on how many. A batch worker sets 1.
_settings = {"threads": int(os.environ.get("EDSIM_THREADS", "0")) or min(os.cpu_count() or 1, 4)}
_pools: dict[int, ThreadPoolExecutor] = {}


def _forget_pools_after_fork() -> None:
    """Drop the inherited pools in a forked child, which then builds its own.

    A child has none of its parent's threads: a pool it inherits would never run a task, and
    the child would hang on its first run.
    """
    _pools.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pools_after_fork)


def set_threads(n: int) -> None:
    """Use ``n`` threads for the per-pupil work of one run (1: none; results are identical)."""
    _settings["threads"] = max(1, int(n))


def threads() -> int:
    """The number of threads a run's per-pupil work uses."""
    return _settings["threads"]


def parallel_map(fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """``list(map(fn, items))`` on :func:`threads` threads (in order; serial when 1)."""
    n = threads()
    if n == 1:
        return [fn(x) for x in items]
    if n not in _pools:
        _pools[n] = ThreadPoolExecutor(n, thread_name_prefix="edsim-pupils")
    return list(_pools[n].map(fn, items))
