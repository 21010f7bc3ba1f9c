"""edsim: how an education system improves when research evidence flows.

An agent-based model (Mesa) of England's schools comparing the "disseminate to" and "linkage and
exchange" theories of change. See README.md for a tour and docs/ODD.md for the model.

The public API is small and stable: load a scenario, build or run the model, catch one error
type.

The public names are imported on first use (PEP 562), not when ``edsim`` is: importing
``edsim.cli`` or ``edsim.errors`` imports this package first, and ``edsim --help`` should not
wait for NumPy, pandas, SciPy and Mesa. ``import edsim; edsim.run(...)`` works as before.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any

from edsim.errors import EdsimError, ExperimentError, ScenarioError

if TYPE_CHECKING:
    __version__: str

    from edsim.experiment import Results, load_experiment, run_experiment
    from edsim.explore import discover, optimise
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
    "discover",
    "load_experiment",
    "load_scenario",
    "optimise",
    "run",
    "run_experiment",
]

#: Public name -> the module that defines it, imported on first access.
_LAZY: dict[str, str] = {
    "METRICS": "edsim.model",
    "EdSystemModel": "edsim.model",
    "PRESETS": "edsim.scenario",
    "Scenario": "edsim.scenario",
    "load_scenario": "edsim.scenario",
    "Results": "edsim.experiment",
    "load_experiment": "edsim.experiment",
    "run_experiment": "edsim.experiment",
    "run": "edsim.runner",
    "discover": "edsim.explore",
    "optimise": "edsim.explore",
}


def _installed_version() -> str:
    """The installed version of edsim (importing importlib.metadata alone takes ~50 ms)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("edsim")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
        return "0.0.0"


def __getattr__(name: str) -> Any:
    """Import a public name (or a subpackage, e.g. ``edsim.model``) the first time it is used."""
    if name == "__version__":
        globals()[name] = value = _installed_version()
        return value
    module = _LAZY.get(name)
    if module is not None:
        value = getattr(importlib.import_module(module), name)
        globals()[name] = value  # later lookups are plain attribute reads
        return value
    # The eager package imported its subpackages as a side effect, so `import edsim` followed by
    # `edsim.scenario.X` worked; keep that working.
    if not name.startswith("_") and importlib.util.find_spec(f"{__name__}.{name}") is not None:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    """The module's names, the public ones included before they are first imported."""
    return sorted({*globals(), *__all__})
