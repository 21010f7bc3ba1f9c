"""edsim: how an education system improves when research evidence flows.

An agent-based model (Mesa) of England's schools comparing the "disseminate to" and "linkage and
exchange" theories of change. See README.md for a tour and docs/ODD.md for the model.

The public API is small and stable: load a scenario, build or run the model, catch one error
type.
"""

from importlib.metadata import PackageNotFoundError, version

# Set before the imports below: modules that record versions (results manifests) read it.
try:
    __version__ = version("edsim")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

from edsim.errors import EdsimError, ExperimentError, ScenarioError
from edsim.experiment import Results, load_experiment, run_experiment
from edsim.model import METRICS, EdSystemModel
from edsim.runner import run
from edsim.scenario import PRESETS, Scenario, load_scenario

__all__ = [
    "METRICS",
    "PRESETS",
    "EdSystemModel",
    "EdsimError",
    "ExperimentError",
    "Results",
    "Scenario",
    "ScenarioError",
    "__version__",
    "load_experiment",
    "load_scenario",
    "run",
    "run_experiment",
]
