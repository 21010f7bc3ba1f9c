"""One writer per results directory: a lock held for a batch's whole lifetime.

Two batches writing into one ``--out`` at once would each finish "complete" over a directory
that mixes their runs. The lock is an OS file lock (``fcntl``/``LockFileEx`` through
``filelock``), so the operating system releases it when its holder exits, however it exits
(even ``kill -9``): a lock never outlives its batch and needs no manual clean-up. Beside it, a
small JSON file names the holder (pid, host, start time, command), so a refused second writer
is told who holds the directory.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
import sys
from pathlib import Path
from types import TracebackType

from filelock import FileLock, Timeout

from edsim.errors import ExperimentError

__all__ = ["LOCK", "LOCK_INFO", "BatchLock"]

LOCK = ".edsim-batch.lock"
LOCK_INFO = ".edsim-batch.lock.json"


class BatchLock:
    """The exclusive lock on a results directory, taken at once or refused.

    Args:
        directory: The results directory (must exist).

    Raises:
        ExperimentError: On :meth:`acquire`, when another process holds the directory; the
            message names it.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock = FileLock(directory / LOCK, timeout=0)

    def acquire(self) -> BatchLock:
        """Take the lock without waiting, and record who holds it."""
        try:
            self._lock.acquire()
        except Timeout:
            raise ExperimentError(
                f"{self.directory} is being written by another batch ({self.holder()}); "
                "wait for it to finish, or choose another --out"
            ) from None
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "command": " ".join(sys.argv),
        }
        with contextlib.suppress(OSError):  # the info is a courtesy; the lock is what counts
            (self.directory / LOCK_INFO).write_text(json.dumps(info))
        return self

    def release(self) -> None:
        """Give the lock up (its holder's info goes first, so it never names a stale holder)."""
        if self._lock.is_locked:
            with contextlib.suppress(OSError):
                (self.directory / LOCK_INFO).unlink(missing_ok=True)
            self._lock.release()

    def holder(self) -> str:
        """The holder as ``pid N on HOST since TIME``, as far as its info file says."""
        try:
            info = json.loads((self.directory / LOCK_INFO).read_text())
            return f"pid {info['pid']} on {info['host']} since {info['started']}"
        except (OSError, ValueError, KeyError, TypeError):
            return "holder unknown: it is still starting, or it wrote no information"

    def __enter__(self) -> BatchLock:
        return self.acquire()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()
