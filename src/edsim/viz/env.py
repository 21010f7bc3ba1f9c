"""How ``edsim viz`` hands its arguments to the app in the server process: the environment.

Kept apart from :mod:`edsim.viz.app` so the command line can check the scenario (and fail with
a clear message) without importing Solara or Mesa's visualisation first.
"""

from __future__ import annotations

from pathlib import Path

from edsim.shipped import shipped_dir

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


def default_scenario_path() -> Path:
    """The shipped classroom scenario, ``teaching.yaml`` in the package's data.

    Always this file: were it missing (a broken install), loading it fails in words rather
    than falling back to full-scale England, which is far too slow for a classroom.
    """
    return shipped_dir("scenarios") / "teaching.yaml"
