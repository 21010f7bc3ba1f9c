"""Plain progress lines for batches whose output is not a terminal (nohup, SLURM, CI)."""

import io
import time

import pytest
from rich.console import Console

from edsim.cli._progress import PlainProgress, batch_progress


def test_plain_progress_says_done_failed_elapsed_and_time_left() -> None:
    now = [100.0]
    progress = PlainProgress(40, 30, stream=io.StringIO(), clock=lambda: now[0])
    assert progress.line() == "runs: 0/40 done, 0 failed, elapsed 0 s"
    for done in range(1, 11):
        progress.update(done, failed=1 if done > 5 else 0)
    now[0] += 125
    # 10 runs in 125 s: the other 30 take about 375 s.
    assert progress.line() == "runs: 10/40 done, 1 failed, elapsed 2 min 5 s, about 6 min 15 s left"
    progress.update(40, 1)
    now[0] += 7200
    assert progress.line() == "runs: 40/40 done, 1 failed, elapsed 2 h 2 min"


def test_off_a_terminal_a_line_is_written_every_interval_until_the_batch_ends() -> None:
    stream = io.StringIO()
    with PlainProgress(8, 0.05, stream=stream) as progress:
        progress.update(3, 0)
        time.sleep(0.4)
    lines = stream.getvalue().splitlines()
    assert len(lines) >= 3
    assert all(line.startswith("runs: 3/8 done, 0 failed") for line in lines)
    time.sleep(0.2)
    assert stream.getvalue().splitlines() == lines  # stopped with the batch


def test_every_zero_writes_nothing_and_a_terminal_gets_no_plain_lines(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with PlainProgress(8, 0, stream=io.StringIO()) as progress:
        progress.update(1, 0)
        time.sleep(0.1)
    assert progress.stream.getvalue() == ""
    terminal = Console(file=io.StringIO(), force_terminal=True)
    with batch_progress(terminal, 8, 0.01) as update:
        update(2, 0)
        time.sleep(0.1)
    assert "runs: " not in capsys.readouterr().err
