"""Commands for the classroom: viz (the browser app) and animate (a GIF for slides)."""

from __future__ import annotations

import ipaddress
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from edsim.errors import MissingExtraError, ServeError

from ._common import SetOption, app, console, print_error, resolve, user_errors

if TYPE_CHECKING:
    import pandas as pd

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
            help="Scenario YAML file, or a shipped scenario's name [default: teaching, the "
            "shipped classroom scenario].",
            show_default=False,
        ),
    ] = None,
    port: Annotated[
        int,
        typer.Option(min=0, max=65535, help="Port to serve on; 0 for any free port."),
    ] = 8765,
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
    """Serve the browser app: two regimes side by side, live (open the printed address).

    Ctrl+C, SIGTERM or SIGHUP stops the server and every process it started.
    """
    try:
        import solara  # noqa: F401
    except ImportError:
        with user_errors():
            raise MissingExtraError("solara", "viz") from None
    from edsim.viz.env import SCENARIO_ENV, SEED_ENV, SETS_ENV, default_scenario_path
    from edsim.viz.server import free_port, serve, url

    chosen = scenario if scenario is not None else default_scenario_path()
    with user_errors():
        # Checked here, before the server starts, so a bad file fails fast and in words.
        loaded = resolve(chosen, sets).scenario
    try:
        port = free_port(host, port)
    except ServeError as exc:  # a usage mistake, like a bad option value: exit 2
        print_error(str(exc))
        raise typer.Exit(2) from None
    if not is_loopback(host):
        print_warning(
            f"listening on {host}: anyone who can reach this machine on the network "
            "can open the app (use --host 127.0.0.1 to keep it local)"
        )
    env = {
        **os.environ,
        SCENARIO_ENV: os.fspath(chosen),
        SETS_ENV: json.dumps(list(sets or [])),
        SEED_ENV: str(seed),
    }
    console.print(f"serving {loaded.name} at {url(host, port)} (Ctrl+C to stop)", markup=False)
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
        # Solara would otherwise ask PyPI at every start and advise an upgrade past our pin.
        "--no-check-version",
        "--log-level",
        "warning",
    ]
    raise typer.Exit(serve(command, env))


def print_warning(message: str) -> None:
    """Print ``warning: message`` on stderr; the command goes on."""
    typer.echo(f"{typer.style('warning:', fg='yellow', bold=True)} {message}", err=True)


@app.command("animate")
def animate_command(
    sources: Annotated[
        list[Path],
        typer.Argument(
            help="A scenario YAML file or a shipped scenario's name (it is run), or one or two "
            "results of `edsim run` (a directory holding trajectory.parquet, or a "
            ".parquet/.csv trajectory) to compare side by side.",
            show_default=False,
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="The GIF to write.", show_default=False)],
    compare: Annotated[
        str | None,
        typer.Option(
            help="With a scenario: also run it under this regime preset (e.g. "
            "linkage_exchange), same seed, and animate the pair.",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[int, typer.Option(min=0, help="Seed of a scenario run.")] = 0,
    years: Annotated[
        int | None,
        typer.Option(min=1, help="Years of a scenario run [default: the scenario's]."),
    ] = None,
    fps: Annotated[int, typer.Option(min=1, max=30, help="Years per second.")] = 3,
    sets: SetOption = None,
) -> None:
    """Render a run (or two regimes side by side) as an animated GIF for slides."""
    from edsim.plotting.animation import AnimationInputError, animate_trajectories

    with user_errors():
        if out.suffix.lower() != ".gif":
            raise AnimationInputError(f"--out must name a .gif file, not {out}")
        if len(sources) > 2:
            raise AnimationInputError("give one scenario, or one or two results to compare")
        if len(sources) == 1 and _is_scenario(sources[0]):
            trajectories = _run_for_animation(sources[0], sets, seed, years, compare)
        else:
            if compare is not None or sets:
                raise AnimationInputError(
                    "--compare and --set apply to a scenario file; results are animated as "
                    "they were run"
                )
            trajectories = {_label(s): _read_trajectory(s) for s in sources}
        written = animate_trajectories(trajectories, out, fps=fps)
    console.print(f"wrote {written}", markup=False)


def _run_for_animation(
    scenario: Path, sets: list[str] | None, seed: int, years: int | None, compare: str | None
) -> dict[str, pd.DataFrame]:
    """Run the scenario (and its comparison regime) with one seed."""
    import edsim
    from edsim.viz.controls import REGIME_LABELS

    chosen = resolve(scenario, sets).scenario
    name = chosen.regime.name
    runs = {REGIME_LABELS.get(name, name): edsim.run(chosen, seed, years=years)}
    if compare is not None:
        label = REGIME_LABELS.get(compare, compare)
        if label in runs:
            label = f"{label} (compared)"
        runs[label] = edsim.run(chosen, seed, years=years, regime=compare)
    return runs


def _is_scenario(source: Path) -> bool:
    """A scenario file (by its suffix), or a shipped scenario's name that is not a path here."""
    from edsim.shipped import shipped_file

    if source.suffix.lower() in {".yaml", ".yml"}:
        return True
    return not os.path.exists(source) and shipped_file("scenarios", os.fspath(source)) is not None


def _label(source: Path) -> str:
    """A legend name for a results path: its directory's name."""
    return source.name if os.path.isdir(source) else source.parent.name or source.stem


def _read_trajectory(source: Path) -> pd.DataFrame:
    """A trajectory written by ``edsim run``: a results directory or the file itself."""
    import pandas as pd

    from edsim.plotting.animation import AnimationInputError

    # os.path: False (not an error) for a name the OS refuses, such as one too long
    path = source / "trajectory.parquet" if os.path.isdir(source) else source
    if not os.path.isfile(path):
        raise AnimationInputError(
            f"{source}: no such results (give a scenario .yaml, a directory written by "
            "`edsim run`, or its trajectory.parquet/.csv)"
        )
    try:
        if path.suffix.lower() == ".parquet":
            return pd.read_parquet(path)
        if path.suffix.lower() == ".csv":
            return pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise AnimationInputError(f"{path}: cannot read it as a trajectory ({exc})") from None
    raise AnimationInputError(
        f"{path}: expected a scenario .yaml or a trajectory .parquet/.csv file"
    )
