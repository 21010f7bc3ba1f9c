"""Executor options: wrong addresses and counts are clean errors within seconds, never a hang."""

import http.server
import importlib.util
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from typing import Any

import pytest

import edsim.experiment.batch as batch_module
from edsim.errors import ExperimentError, MissingExtraError
from edsim.experiment import experiment_from_text, run_experiment
from edsim.experiment.executors import (
    HANDSHAKE_TIMEOUT_S,
    SerialExecutor,
    check_executor_options,
    default_workers,
    max_workers,
)

TEXT = """
name: executors
base: small
scenarios:
  disseminate_to: {regime: disseminate_to}
  linkage_exchange: {regime: linkage_exchange}
replicates: 3
seed: 7
years: 2
metrics: [ks4_gap_index]
"""


@contextmanager
def listening(serve: Any) -> Iterator[str]:
    """A local TCP server answering each connection with ``serve(conn)``; yields its address."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    stop = threading.Event()
    held = []

    def loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            held.append(conn)
            serve(conn)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield f"tcp://127.0.0.1:{server.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        server.close()


def refused_within(seconds: float, scheduler: str, match: str) -> None:
    experiment = experiment_from_text(TEXT, "executors.yaml")
    start = time.monotonic()
    with pytest.raises(ExperimentError, match=match):
        run_experiment(experiment, executor="dask", scheduler=scheduler)
    assert time.monotonic() - start < seconds


def test_a_non_dask_service_at_the_scheduler_address_is_a_clean_error() -> None:
    pytest.importorskip("distributed")
    # An SSH server greets first; Dask's client read its banner as a 3 EiB message length.
    with listening(lambda conn: conn.sendall(b"SSH-2.0-OpenSSH_9.6\r\n")) as address:
        refused_within(5, address, "cannot reach the Dask scheduler .*not a Dask scheduler")


def test_an_http_server_at_the_scheduler_address_is_a_clean_error_not_a_hang() -> None:
    pytest.importorskip("distributed")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        address = f"tcp://127.0.0.1:{server.server_address[1]}"
        refused_within(HANDSHAKE_TIMEOUT_S + 4, address, "no Dask handshake came within")
    finally:
        server.shutdown()
        server.server_close()


def test_a_real_dask_scheduler_passes_the_handshake_probe() -> None:
    pytest.importorskip("distributed")
    from distributed import LocalCluster

    from edsim.experiment.executors import _probe

    with LocalCluster(
        n_workers=0,
        processes=False,
        protocol="tcp://",
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        _probe(cluster.scheduler_address)  # raises if the probe takes it for something else


@pytest.mark.parametrize(
    ("scheduler", "match"),
    [
        ("ucx://127.0.0.1:1", "over tcp:// or tls://, not ucx://"),
        ("inproc://127.0.0.1/1/2", "not inproc://"),
        ("tcp://127.0.0.1", "not an address with a host and a port"),
        ("127.0.0.1:99999", "not an address with a host and a port"),
    ],
)
def test_a_scheduler_address_dask_cannot_use_is_refused_before_anything_starts(
    scheduler: str, match: str
) -> None:
    pytest.importorskip("distributed")
    with pytest.raises(ExperimentError, match=match):
        check_executor_options("dask", workers=None, scheduler=scheduler)


def test_dask_without_distributed_is_refused_before_anything_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "distributed" else real(name)
    )
    with pytest.raises(MissingExtraError, match=r"edsim\[distributed\]"):
        check_executor_options("dask", workers=None, scheduler=None)


@pytest.mark.parametrize(
    ("name", "workers", "scheduler", "match"),
    [
        ("process", 10_000, None, "more than 4 worker processes per CPU"),
        ("dask", 10_000, None, "more than 4 worker processes per CPU"),
        ("serial", 3, None, "--executor serial runs every run in this process"),
        ("dask", 2, "tcp://127.0.0.1:8786", "with --scheduler the cluster's own workers"),
        ("process", 0, None, "at least 1"),
    ],
)
def test_worker_counts_that_would_be_ignored_or_absurd_are_refused(
    name: str, workers: int, scheduler: str | None, match: str
) -> None:
    with pytest.raises(ExperimentError, match=match):
        check_executor_options(name, workers=workers, scheduler=scheduler)


def test_the_worker_limit_is_four_per_cpu_and_accepted_up_to_it() -> None:
    assert max_workers() == 4 * default_workers()
    check_executor_options("process", workers=max_workers(), scheduler=None)


def test_no_more_workers_start_than_there_are_tasks(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[int | None] = []

    @contextmanager
    def spy(name: str, *, workers: int | None, scheduler: str | None) -> Iterator[Executor]:
        asked.append(workers)
        yield SerialExecutor()

    monkeypatch.setattr(batch_module, "open_executor", spy)
    experiment = experiment_from_text(TEXT, "executors.yaml")
    results = run_experiment(experiment, executor="process", workers=max_workers())
    assert len(results.runs) == 6
    assert asked == [min(3, max_workers())]  # 3 tasks: each replicate's 2 regimes share one
