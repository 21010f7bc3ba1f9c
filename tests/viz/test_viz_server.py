"""`edsim viz` serving: the address checked first, the real port printed, and a stop that stops all.

The server process is faked except in the last test, which starts the real Solara server and
stops it with SIGTERM as a process supervisor would.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from edsim.cli import app
from edsim.shipped import shipped_dir
from edsim.viz import server
from edsim.viz.env import SCENARIO_ENV

runner = CliRunner()
needs_posix = pytest.mark.skipif(not hasattr(os, "killpg"), reason="process groups are POSIX")


@pytest.fixture
def started(monkeypatch):
    """Capture the server command instead of starting it."""
    calls = []
    monkeypatch.setattr(server, "serve", lambda command, env: calls.append((command, env)) or 0)
    return calls


@pytest.fixture
def busy_port():
    """A port something is listening on for the test's duration."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


def test_a_busy_port_fails_before_serving_with_exit_2(started, busy_port):
    result = runner.invoke(app, ["viz", "small", "--port", str(busy_port)])
    assert result.exit_code == 2, result.output
    assert f"error: cannot listen on http://127.0.0.1:{busy_port}: " in result.output
    assert "--port 0" in result.output  # says what would work
    assert "serving" not in result.output
    assert "Traceback" not in result.output
    assert started == []


def test_port_0_serves_on_a_free_port_and_prints_it(started):
    result = runner.invoke(app, ["viz", "small", "--port", "0"])
    assert result.exit_code == 0, result.output
    printed = re.search(r"serving small at http://127\.0\.0\.1:(\d+) ", result.output)
    assert printed, result.output
    command, _ = started[0]
    assert command[command.index("--port") + 1] == printed[1] != "0"


def test_an_unknown_host_fails_in_words(started):
    result = runner.invoke(app, ["viz", "small", "--host", "no-such-host.invalid", "--port", "0"])
    assert result.exit_code == 2, result.output
    assert "error: cannot listen on host 'no-such-host.invalid'" in result.output
    assert started == []


def test_default_is_the_shipped_teaching_scenario(started):
    result = runner.invoke(app, ["viz", "--port", "0"])
    assert result.exit_code == 0, result.output
    assert "serving teaching at" in result.output
    assert started[0][1][SCENARIO_ENV] == str(shipped_dir("scenarios") / "teaching.yaml")


def test_a_missing_teaching_scenario_is_an_error_not_england(started, monkeypatch, tmp_path):
    monkeypatch.setattr("edsim.viz.env.shipped_dir", lambda kind: tmp_path)
    result = runner.invoke(app, ["viz", "--port", "0"])
    assert result.exit_code == 2, result.output
    assert "teaching.yaml" in result.output
    assert started == []


def test_ipv6_addresses_are_bracketed():
    assert server.url("::1", 8765) == "http://[::1]:8765"
    assert server.url("127.0.0.1", 8765) == "http://127.0.0.1:8765"


_SUPERVISED = textwrap.dedent(
    """
    import os, sys
    from edsim.viz.server import serve
    # The "server" starts a child of its own and both sleep, as Solara's workers would.
    server = (
        "import subprocess, sys, time;"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)']);"
        "print(child.pid, flush=True); time.sleep(600)"
    )
    sys.exit(serve([sys.executable, "-c", server], dict(os.environ)))
    """
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by its parent) is not serving anything.
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(") ")[1].startswith("Z"))


@needs_posix
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_stop_signal_stops_the_server_and_its_children(signum):
    with subprocess.Popen(
        [sys.executable, "-c", _SUPERVISED], stdout=subprocess.PIPE, text=True
    ) as supervised:
        grandchild = int(supervised.stdout.readline())
        assert _alive(grandchild)
        supervised.send_signal(signum)
        assert supervised.wait(timeout=30) == 128 + signum
    deadline = time.monotonic() + 10
    while _alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(grandchild), "the server's child outlived edsim viz"


@needs_posix
def test_sigterm_stops_the_real_solara_server(tmp_path):
    pytest.importorskip("solara")
    with subprocess.Popen(
        [sys.executable, "-m", "edsim", "viz", "small", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=tmp_path,
    ) as viz:
        try:
            line = viz.stdout.readline()
            port = int(re.search(r"http://127\.0\.0\.1:(\d+) ", line)[1])
            deadline = time.monotonic() + 120
            while not _listening(port):
                assert viz.poll() is None, viz.stdout.read()
                assert time.monotonic() < deadline, "the server did not start in 120 s"
                time.sleep(0.2)
            viz.send_signal(signal.SIGTERM)
            assert viz.wait(timeout=30) == 128 + signal.SIGTERM
            deadline = time.monotonic() + 10
            while _listening(port) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert not _listening(port), "the server is still serving after edsim viz stopped"
            assert "Traceback" not in viz.stdout.read()
        finally:
            if viz.poll() is None:
                viz.kill()


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0
