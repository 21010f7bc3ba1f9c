"""edsim: how an education system improves when research evidence flows.

An agent-based model (Mesa) of England's schools comparing the "disseminate to" and "linkage and
exchange" theories of change. See README.md for a tour and docs/ODD.md for the model.

The public API is small and stable: load a scenario, build or run the model, catch one error
type.
"""

from importlib.metadata import PackageNotFoundError, version

from edsim.errors import EdsimError, ScenarioError
from edsim.model import METRICS, EdSystemModel
from edsim.runner import run
from edsim.scenario import PRESETS, Scenario, load_scenario

try:
    __version__ = version("edsim")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = [
    "METRICS",
    "PRESETS",
    "EdSystemModel",
    "EdsimError",
    "Scenario",
    "ScenarioError",
    "__version__",
    "load_scenario",
    "run",
]
