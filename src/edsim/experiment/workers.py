"""What a local worker process does as it starts: its threads, Ctrl-C, and dying with its batch.

A worker of :func:`~edsim.experiment.executors.process_executor` is a child of the fork server,
not of the batch, and every worker holds the pipes that keep the fork server and the resource
tracker alive. So when the batch process is killed outright (``kill -9``, the OOM killer), no
pipe closes and nothing tells the workers: they, the fork server and the tracker would run on,
holding their memory, for ever. Each worker therefore watches the batch process from a thread
and exits as soon as it is gone; the fork server and the tracker then exit by themselves, as
they do when their last client closes.

Ctrl-C at a terminal reaches every process of the group; workers ignore it, so the batch alone
handles it (it saves what finished, marks the manifest interrupted and stops the workers).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

from edsim.model.parallel import set_threads

__all__ = ["WATCH_INTERVAL_S", "parent_alive", "process_identity", "start_worker"]

#: How often a worker checks that its batch process is still there.
WATCH_INTERVAL_S = 0.5


def start_worker(threads: int, batch_pid: int) -> None:
    """Initialise a worker: ``threads`` threads for the pupils, and watch ``batch_pid``."""
    set_threads(threads)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    born = process_identity(batch_pid)
    threading.Thread(
        target=_exit_when_gone, args=(batch_pid, born), name="edsim-watch-batch", daemon=True
    ).start()


def _exit_when_gone(pid: int, born: str | None) -> None:
    while parent_alive(pid, born):
        time.sleep(WATCH_INTERVAL_S)
    os._exit(1)  # the batch is gone: nobody will read this worker's results


def process_identity(pid: int) -> str | None:
    """The start time of ``pid`` (``/proc``), so a reused pid is told apart; None if unknown."""
    stat = _stat(pid)
    return stat[1] if stat else None


def parent_alive(pid: int, born: str | None) -> bool:
    """Whether process ``pid``, started at ``born`` (see :func:`process_identity`), still runs."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, under another user (a reused pid, which the start time tells)
    stat = _stat(pid)
    if stat is None:
        return born is None  # no /proc: existence is all that can be known
    state, started = stat
    return state not in ("Z", "X") and (born is None or started == born)


def _stat(pid: int) -> tuple[str, str] | None:
    """State and start time of ``pid`` from ``/proc/<pid>/stat`` (Linux), or None."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()  # after "pid (command) "
    return fields[0], fields[19]
