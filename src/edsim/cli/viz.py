"""Commands for the classroom: viz (the browser app) and animate (a GIF for slides)."""

from __future__ import annotations

import ipaddress
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from edsim.errors import MissingExtraError

from ._common import SetOption, app, console, print_error, resolve, user_errors

__all__: list[str] = []

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def is_loopback(host: str) -> bool:
    """Whether ``host`` binds only to this machine (so nobody else on the network can connect)."""
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@app.command("viz")
def viz_command(
    scenario: Annotated[
        Path | None,
        typer.Argument(
            help="Scenario YAML file [default: the shipped scenarios/teaching.yaml].",
            show_default=False,
        ),
    ] = None,
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to serve on.")] = 8765,
    host: Annotated[
        str,
        typer.Option(
            help="Address to listen on. The default serves this machine only; any other "
            "address makes the app visible on the network."
        ),
    ] = "127.0.0.1",
    seed: Annotated[int, typer.Option(min=0, help="Seed the app starts with.")] = 0,
    sets: SetOption = None,
) -> None:
    """Serve the browser app: two regimes side by side, live (open the printed address)."""
    try:
        import solara  # noqa: F401
    except ImportError:
        with user_errors():
            raise MissingExtraError("solara", "viz") from None
    from edsim.viz.app import SCENARIO_ENV, SEED_ENV, SETS_ENV, default_scenario_path

    chosen = scenario if scenario is not None else default_scenario_path()
    with user_errors():
        # Checked here, before the server starts, so a bad file fails fast and in words.
        loaded = resolve(chosen, sets).scenario
    if not is_loopback(host):
        print_error(
            f"warning: listening on {host}: anyone who can reach this machine on the network "
            "can open the app (use --host 127.0.0.1 to keep it local)"
        )
    env = {
        **os.environ,
        SCENARIO_ENV: os.fspath(chosen) if chosen is not None else "",
        SETS_ENV: json.dumps(list(sets or [])),
        SEED_ENV: str(seed),
    }
    console.print(
        f"serving {loaded.name} at http://{host}:{port} (Ctrl+C to stop)", markup=False
    )
    command = [
        sys.executable,
        "-m",
        "solara",
        "run",
        "edsim.viz.app:page",
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--log-level",
        "warning",
    ]
    try:
        code = subprocess.call(command, env=env)
    except KeyboardInterrupt:
        code = 0
    raise typer.Exit(code)
