"""Where runs execute: in this process, in local worker processes, or on a Dask cluster.

Every backend is a :class:`concurrent.futures.Executor` opened by a context manager, so the
batch loop has one code path and anything else that speaks the same interface plugs in
(``mpi4py.futures.MPIPoolExecutor``, ``loky``, a Dask client's ``get_executor()``). Results
never depend on the backend: each run carries its own seed and shares nothing with the others.
"""

from __future__ import annotations

import multiprocessing
import os
import socket
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, Literal

from edsim.errors import ExperimentError, MissingExtraError
from edsim.model.parallel import set_threads

__all__ = [
    "EXECUTORS",
    "SerialExecutor",
    "check_executor_options",
    "dask_executor",
    "open_executor",
    "process_executor",
]

ExecutorName = Literal["serial", "process", "dask"]
EXECUTORS: tuple[str, ...] = ("serial", "process", "dask")

#: How long to wait for a Dask scheduler before saying it cannot be reached.
SCHEDULER_TIMEOUT_S = 10


class SerialExecutor(Executor):
    """Runs each task when it is submitted, in this process (for debugging and small batches)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        """Run ``fn(*args, **kwargs)`` now; the returned future is already done."""
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # a future carries whatever the task raised
            future.set_exception(exc)
        return future


def default_workers() -> int:
    """The CPUs this process may use (``os.process_cpu_count`` where it exists)."""
    counter = getattr(os, "process_cpu_count", None) or os.cpu_count
    return max(1, counter() or 1)


@contextmanager
def process_executor(workers: int | None = None) -> Iterator[Executor]:
    """A pool of local worker processes (default: one per CPU).

    Workers start from a fork server that has imported edsim once (``spawn`` where fork servers
    do not exist), so each starts in milliseconds and none inherits the parent's threads.
    """
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        context.set_forkserver_preload(["edsim.experiment.runner"])
    n = workers or default_workers()
    # Each worker's runs use their share of the CPUs for the per-pupil work (results do not
    # depend on it), so workers and their threads never oversubscribe the machine.
    per_worker = max(1, default_workers() // n)
    with ProcessPoolExecutor(
        max_workers=n, mp_context=context, initializer=set_threads, initargs=(per_worker,)
    ) as pool:
        yield pool


@contextmanager
def dask_executor(scheduler: str | None = None, workers: int | None = None) -> Iterator[Executor]:
    """Run on a Dask cluster: the scheduler at ``scheduler``, or a new local cluster.

    Args:
        scheduler: Address of a running scheduler (``tcp://host:8786``); None starts a
            ``LocalCluster`` of worker processes on the loopback interface for this batch.
        workers: Workers of the local cluster (default: one per CPU); ignored with a scheduler.

    Raises:
        MissingExtraError: Dask's distributed scheduler is not installed.
        ExperimentError: The scheduler does not answer within 10 seconds.
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise MissingExtraError("distributed", "distributed") from None
    if scheduler is None:
        n = workers or default_workers()
        # As for local processes: each worker's runs use its share of the CPUs for the pupils
        # (read by edsim.model.kernels when a worker imports it), so nothing oversubscribes.
        with _environment(EDSIM_THREADS=str(max(1, default_workers() // n))):
            cluster = LocalCluster(
                n_workers=n,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
            )
        with cluster, Client(cluster) as client:
            yield client.get_executor()
        return
    try:
        _probe(scheduler)
        client = Client(scheduler, timeout=f"{SCHEDULER_TIMEOUT_S}s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise ExperimentError(
            f"cannot reach the Dask scheduler at {scheduler!r} within {SCHEDULER_TIMEOUT_S} s "
            f"({type(exc).__name__}: {exc}); check the address (e.g. tcp://host:8786) and that "
            "`dask scheduler` is running there, or leave out --scheduler to start a local cluster"
        ) from None
    with client:
        yield client.get_executor()


@contextmanager
def _environment(**values: str) -> Iterator[None]:
    """Set environment variables for the processes started inside the block, then restore."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _probe(address: str) -> None:
    """Fail at once when nothing listens at a TCP scheduler address (the client would retry).

    Raises:
        OSError: The connection is refused or times out.
    """
    from distributed.comm import get_address_host_port, parse_address

    if parse_address(address)[0] not in ("tcp", "tls"):
        return
    host, port = get_address_host_port(address)
    with socket.create_connection((host, port), timeout=SCHEDULER_TIMEOUT_S):
        pass


def check_executor_options(name: str, *, workers: int | None, scheduler: str | None) -> None:
    """Check a backend's options before anything is written or started.

    Raises:
        ExperimentError: An unknown name, a worker count below 1, or a scheduler without Dask.
    """
    if name not in EXECUTORS:
        raise ExperimentError(f"unknown executor {name!r}; choose one of: {', '.join(EXECUTORS)}")
    if workers is not None and workers < 1:
        raise ExperimentError(f"--workers must be at least 1 (found {workers})")
    if scheduler is not None and name != "dask":
        raise ExperimentError("--scheduler names a Dask scheduler; use it with --executor dask")


@contextmanager
def open_executor(
    name: str = "process", *, workers: int | None = None, scheduler: str | None = None
) -> Iterator[Executor]:
    """Open the named backend (``serial``, ``process`` or ``dask``).

    Raises:
        ExperimentError: An unknown name, a worker count below 1, or options that do not
            belong to the backend.
    """
    check_executor_options(name, workers=workers, scheduler=scheduler)
    if name == "serial":
        with SerialExecutor() as executor:
            yield executor
    elif name == "process":
        with process_executor(workers) as executor:
            yield executor
    else:
        with dask_executor(scheduler, workers) as executor:
            yield executor
