"""Where runs execute: in this process, in local worker processes, or on a Dask cluster.

Every backend is a :class:`concurrent.futures.Executor` opened by a context manager, so the
batch loop has one code path and anything else that speaks the same interface plugs in
(``mpi4py.futures.MPIPoolExecutor``, ``loky``, a Dask client's ``get_executor()``). Results
never depend on the backend: each run carries its own seed and shares nothing with the others.
"""

from __future__ import annotations

import importlib.util
import multiprocessing
import os
import socket
import struct
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, Literal

from edsim.errors import ExperimentError, MissingExtraError

from .workers import start_worker

__all__ = [
    "EXECUTORS",
    "SerialExecutor",
    "check_executor_options",
    "dask_executor",
    "max_workers",
    "open_executor",
    "process_executor",
]

ExecutorName = Literal["serial", "process", "dask"]
EXECUTORS: tuple[str, ...] = ("serial", "process", "dask")

#: How long to wait for a Dask scheduler before saying it cannot be reached.
SCHEDULER_TIMEOUT_S = 10
#: How long a Dask scheduler has to send its handshake once connected (it sends at once).
HANDSHAKE_TIMEOUT_S = 5.0
#: The largest first message a Dask scheduler sends (its handshake is about 100 bytes).
MAX_HANDSHAKE_BYTES = 1 << 20
#: Local worker processes per CPU beyond which ``--workers`` is refused as a mistake.
WORKERS_PER_CPU = 4
#: Scheduler address schemes a batch can connect to.
SCHEDULER_SCHEMES = ("tcp", "tls")


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


def max_workers() -> int:
    """The most local worker processes a batch accepts: :data:`WORKERS_PER_CPU` per CPU.

    Each worker is a process holding a copy of the model (hundreds of MB at England's scale);
    more than a few per CPU only adds memory and start-up time, so a larger ``--workers`` is
    taken for a typo. A batch also never starts more workers than it has tasks.
    """
    return WORKERS_PER_CPU * default_workers()


@contextmanager
def process_executor(workers: int | None = None) -> Iterator[Executor]:
    """A pool of local worker processes (default: one per CPU).

    Workers start from a fork server that has imported edsim once (``spawn`` where fork servers
    do not exist), so each starts in milliseconds and none inherits the parent's threads.
    """
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        context.set_forkserver_preload(["edsim.experiment.runner", "edsim.experiment.workers"])
    n = workers or default_workers()
    # Each worker's runs use their share of the CPUs for the per-pupil work (results do not
    # depend on it), so workers and their threads never oversubscribe the machine. Each also
    # exits if this process dies (edsim.experiment.workers).
    per_worker = max(1, default_workers() // n)
    pool = ProcessPoolExecutor(
        max_workers=n,
        mp_context=context,
        initializer=start_worker,
        initargs=(per_worker, os.getpid()),
    )
    try:
        yield pool
    except BaseException:
        # Stopped (Ctrl-C, SIGTERM) or failed: the runs in flight are abandoned, so stop their
        # workers now rather than wait for them (a run at England's scale takes minutes).
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.terminate()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


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
    except Exception as exc:  # whatever answers at a user's address, the user can fix it
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
    """Fail within seconds unless a Dask scheduler answers at ``address``.

    Dask's client bounds the TCP connection but not what follows, so something else listening
    there makes it hang (an HTTP server waits for a request that never comes) or read garbage
    as a message length and try to allocate exabytes. A scheduler sends its handshake as soon
    as a connection opens: 8 bytes giving the length of a short message, then the message. So
    the probe connects, then waits at most :data:`HANDSHAKE_TIMEOUT_S` for that and checks the
    length is plausible. Over TLS only the connection is checked.

    Raises:
        OSError: Nothing listens there, or the connection times out.
        TimeoutError: No handshake arrives in time.
        ValueError: What arrives is not a Dask handshake.
    """
    scheme, host, port = scheduler_address(address)
    with socket.create_connection((host, port), timeout=SCHEDULER_TIMEOUT_S) as sock:
        if scheme != "tcp":
            return
        deadline = time.monotonic() + HANDSHAKE_TIMEOUT_S
        (size,) = struct.unpack("Q", _receive(sock, 8, deadline))
        if not 0 < size <= MAX_HANDSHAKE_BYTES:
            raise ValueError(
                f"it sent {size} as the length of its first message; it is not a Dask scheduler"
            )
        _receive(sock, size, deadline)


def _receive(sock: socket.socket, n: int, deadline: float) -> bytes:
    """Exactly ``n`` bytes from ``sock`` before ``deadline`` (a monotonic time)."""
    data = b""
    while len(data) < n:
        sock.settimeout(max(deadline - time.monotonic(), 0.001))
        try:
            chunk = sock.recv(n - len(data))
        except TimeoutError:
            raise TimeoutError(
                f"connected, but no Dask handshake came within {HANDSHAKE_TIMEOUT_S:g} s; "
                "something other than a Dask scheduler listens there"
            ) from None
        if not chunk:
            raise ValueError("it closed the connection without a Dask handshake")
        data += chunk
    return data


def scheduler_address(address: str) -> tuple[str, str, int]:
    """A scheduler address as (scheme, host, port); a bare ``host:port`` means ``tcp``.

    Raises:
        ExperimentError: Another scheme (``ucx://``, ``inproc://``) or no ``host:port``.
    """
    scheme, sep, rest = address.partition("://")
    if not sep:
        scheme, rest = "tcp", address
    if scheme not in SCHEDULER_SCHEMES:
        raise ExperimentError(
            f"--scheduler {address!r}: edsim connects to a Dask scheduler over "
            f"{' or '.join(s + '://' for s in SCHEDULER_SCHEMES)}, not {scheme}://; give the "
            "address `dask scheduler` prints, e.g. tcp://10.0.0.5:8786"
        )
    host, colon, port = rest.rstrip("/").rpartition(":")
    host = host.strip("[]")  # an IPv6 address is written [::1]:8786
    if not colon or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ExperimentError(
            f"--scheduler {address!r} is not an address with a host and a port, e.g. "
            "tcp://10.0.0.5:8786"
        )
    return scheme, host, int(port)


def check_executor_options(name: str, *, workers: int | None, scheduler: str | None) -> None:
    """Check a backend's options before anything is written or started.

    Raises:
        ExperimentError: An unknown name; a worker count below 1 or above :func:`max_workers`;
            ``workers`` where no local workers start (``serial``, a Dask scheduler); a
            scheduler without Dask, or one whose address is not ``tcp://`` or ``tls://``.
        MissingExtraError: ``dask`` without Dask's distributed scheduler installed.
    """
    if name not in EXECUTORS:
        raise ExperimentError(f"unknown executor {name!r}; choose one of: {', '.join(EXECUTORS)}")
    if scheduler is not None and name != "dask":
        raise ExperimentError("--scheduler names a Dask scheduler; use it with --executor dask")
    if workers is not None:
        if workers < 1:
            raise ExperimentError(f"--workers must be at least 1 (found {workers})")
        if name == "serial":
            raise ExperimentError(
                "--workers sets the number of worker processes, but --executor serial runs "
                "every run in this process; leave --workers out, or use --executor process"
            )
        if scheduler is not None:
            raise ExperimentError(
                "--workers sets the workers of a local cluster, but with --scheduler the "
                "cluster's own workers run the batch; leave --workers out"
            )
        if workers > max_workers():
            raise ExperimentError(
                f"--workers {workers} is more than {WORKERS_PER_CPU} worker processes per CPU "
                f"({max_workers()} on this machine, which has {default_workers()} CPUs); each "
                "holds its own copy of the model, so use at most that (default: one per CPU)"
            )
    if name == "dask":
        if importlib.util.find_spec("distributed") is None:
            raise MissingExtraError("distributed", "distributed")
        if scheduler is not None:
            scheduler_address(scheduler)


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
