"""The server process of ``edsim viz``: where it listens, and stopping it with its children.

``edsim viz`` runs ``solara run`` as a child process. Left to itself, that child outlives the
command: a ``SIGTERM`` (from ``kill``, a process supervisor, a closing terminal) ends the Python
process at once and the server keeps serving, orphaned. So the server is started in its own
process group, and every way ``edsim viz`` can be asked to stop (Ctrl+C, ``SIGTERM``,
``SIGHUP``) stops that whole group, the server's own children included.

The address is checked before anything starts, so a port in use fails at once in words (instead
of the server printing its own traceback after ``edsim viz`` has said it is serving), and
``--port 0`` is turned into the free port actually used, which is then the one printed.

Imports only the standard library and :mod:`edsim.errors`: the command line stays fast.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from types import FrameType

from edsim.errors import ServeError

__all__ = ["STOP_SIGNALS", "free_port", "serve", "stop_group", "url"]

#: Signals that ask ``edsim viz`` to stop; each is passed on to the server's process group.
STOP_SIGNALS: tuple[signal.Signals, ...] = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)
#: Seconds the server has to exit after SIGTERM before it is killed.
GRACE_SECONDS = 5.0


def free_port(host: str, port: int) -> int:
    """The port to serve on: ``port`` if nothing listens on it at ``host``, a free one for 0.

    The check binds a socket the way the server will (``SO_REUSEADDR``, so a port only left in
    ``TIME_WAIT`` by a previous run counts as free) and closes it again.

    Raises:
        ServeError: ``host`` is not an address of this machine or cannot be resolved, or the
            port is in use or not allowed (below 1024 without privileges).
    """
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (OSError, UnicodeError) as exc:
        raise ServeError(
            f"cannot listen on host {host!r}: {_reason(exc)} (give an address of this machine, "
            "such as 127.0.0.1 or 0.0.0.0)"
        ) from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if port == 0:
                raise ServeError(f"cannot listen on {host}: {_reason(exc)}") from None
            raise ServeError(
                f"cannot listen on {url(host, port)}: {_reason(exc)} (choose another port with "
                "--port, or --port 0 for any free one)"
            ) from None
        return int(probe.getsockname()[1])


def url(host: str, port: int) -> str:
    """The address to open in a browser (an IPv6 host in brackets)."""
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"http://{shown}:{port}"


class _Stop(Exception):
    """Raised in the main thread by a stop signal's handler."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def serve(command: Sequence[str], env: Mapping[str, str]) -> int:
    """Run the server until it exits or ``edsim viz`` is asked to stop; stop it with its children.

    Returns:
        The server's exit code; 0 after Ctrl+C, and 128 + the signal's number after a stop
        signal (the shell's convention for a process ended by a signal).
    """
    process = subprocess.Popen(list(command), env=dict(env), start_new_session=True)

    def on_signal(signum: int, frame: FrameType | None) -> None:
        raise _Stop(signum)

    previous = {each: signal.signal(each, on_signal) for each in STOP_SIGNALS}
    try:
        return process.wait()
    except KeyboardInterrupt:
        return 0
    except _Stop as stop:
        return 128 + stop.signum
    finally:
        for each, handler in previous.items():
            signal.signal(each, handler)
        stop_group(process)


def stop_group(process: subprocess.Popen[bytes]) -> None:
    """Stop a process started in its own session, and everything in its process group.

    SIGTERM to the group, then SIGKILL to whatever is left after :data:`GRACE_SECONDS`. The
    server's children are in its group, so they are stopped even if the server exits first.
    """
    killpg = getattr(os, "killpg", None)
    if killpg is None:  # Windows: no process groups; stop the server itself
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        return
    for each in (signal.SIGTERM, signal.SIGKILL):
        try:
            killpg(process.pid, each)
        except (ProcessLookupError, PermissionError):
            break  # nothing left in the group
        if _group_gone(process):
            break
    process.wait()


def _group_gone(process: subprocess.Popen[bytes]) -> bool:
    """Wait up to :data:`GRACE_SECONDS` for the group to empty; reap its leader on the way."""
    deadline = time.monotonic() + GRACE_SECONDS
    while time.monotonic() < deadline:
        process.poll()  # a leader that has exited but is not reaped still counts as in the group
        try:
            os.killpg(process.pid, 0)
        except (ProcessLookupError, PermissionError):
            return True
        time.sleep(0.05)
    return False


def _reason(exc: BaseException) -> str:
    """An OS error's own words (``Address already in use``), without its errno prefix."""
    return getattr(exc, "strerror", None) or str(exc)
