"""A batch's progress: a live bar on a terminal, a plain line every N seconds anywhere else.

A batch under ``nohup``, SLURM or CI writes to a file, where a live bar is disabled (it would
fill the log with control codes); without something else, such a batch prints nothing for
hours. So off a terminal a thread writes one plain line to stderr every ``every`` seconds
(``--progress-every``), whether or not a run finished since the last one.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from rich.console import Console

__all__ = ["PlainProgress", "batch_progress"]

#: Seconds between plain progress lines by default.
DEFAULT_EVERY_S = 30.0

Update = Callable[[int, int], None]


class PlainProgress:
    """Writes ``runs: D/T done, F failed, elapsed E, about R left`` every ``every`` seconds.

    Args:
        total: Runs in the batch.
        every: Seconds between lines; 0 or less writes none.
        stream: Where lines go (default: stderr, read when a line is written).
        clock: Monotonic seconds (a parameter so tests need not wait).
    """

    def __init__(
        self,
        total: int,
        every: float,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = total
        self.every = every
        self.stream = stream
        self.clock = clock
        self.done = self.failed = self.ran = 0
        self.started = clock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def update(self, done: int, failed: int) -> None:
        """Record that a run finished: ``done`` of the total so far, ``failed`` of them failed."""
        self.done, self.failed, self.ran = done, failed, self.ran + 1

    def line(self) -> str:
        """The progress as one line of plain text."""
        elapsed = self.clock() - self.started
        text = f"runs: {self.done}/{self.total} done, {self.failed} failed, "
        text += f"elapsed {_duration(elapsed)}"
        if self.ran and self.done < self.total:
            left = elapsed / self.ran * (self.total - self.done)
            text += f", about {_duration(left)} left"
        return text

    def write(self) -> None:
        """Write :meth:`line` now."""
        stream = self.stream or sys.stderr
        stream.write(self.line() + "\n")
        stream.flush()

    def __enter__(self) -> PlainProgress:
        if self.every > 0:
            self._thread = threading.Thread(target=self._loop, name="edsim-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            self.write()


@contextmanager
def batch_progress(console: Console, total: int, every: float) -> Iterator[Update]:
    """Show progress as the batch runs; yields ``update(done, failed)``.

    On a terminal, a rich bar with runs done, failures, elapsed time and an estimate of the
    time left; elsewhere, :class:`PlainProgress` lines on stderr every ``every`` seconds.
    """
    if not console.is_terminal:
        with PlainProgress(total, every) as plain:
            yield plain.update
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[failed]} failed"),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("runs", total=total, failed=0)
        try:
            yield lambda done, failed: progress.update(task, completed=done, failed=failed)
        except BaseException:
            progress.stop()  # the bar goes before the error message is printed
            raise


def _duration(seconds: float) -> str:
    """``45 s``, ``12 min 5 s`` or ``3 h 20 min``."""
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60} s"
    return f"{s // 3600} h {s % 3600 // 60} min"
