"""How ``edsim viz`` hands its arguments to the app in the server process: the environment.

Kept apart from :mod:`edsim.viz.app` so the command line can check the scenario (and fail with
a clear message) without importing Solara or Mesa's visualisation first.
"""

from __future__ import annotations

from pathlib import Path

from edsim.scenario.loader import shipped_scenarios_dir

__all__ = [
    "HEADLESS_CHROMIUM_FLAGS",
    "SCENARIO_ENV",
    "SEED_ENV",
    "SETS_ENV",
    "default_scenario_path",
]

#: Path of the scenario file (empty or unset: :func:`default_scenario_path`).
SCENARIO_ENV = "EDSIM_VIZ_SCENARIO"
#: JSON list of ``key=value`` assignments applied after the file (as ``--set``).
SETS_ENV = "EDSIM_VIZ_SETS"
#: Seed the app starts with.
SEED_ENV = "EDSIM_VIZ_SEED"
#: How the browser test and the screenshot script launch the system Chromium: headless, no
#: sandbox (containers run as root), and nothing that reaches the network on its own.
HEADLESS_CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


def default_scenario_path() -> Path | None:
    """The shipped classroom scenario, when the repository's scenarios are available."""
    path = shipped_scenarios_dir() / "teaching.yaml"
    return path if path.is_file() else None
