"""The Mesa model: agents, mechanisms and the yearly schedule. No I/O, no YAML, no plotting."""

from edsim.model.brokers import Broker
from edsim.model.lifecycle import forget_finished_models
from edsim.model.policymaker import Policymaker
from edsim.model.pupils import YearGroup
from edsim.model.reporting import METRICS
from edsim.model.researchers import Researcher
from edsim.model.schools import School
from edsim.model.system import EdSystemModel

# Mesa 3.3 would keep every model that ever created an agent alive (see .lifecycle).
forget_finished_models()

__all__ = [
    "METRICS",
    "Broker",
    "EdSystemModel",
    "Policymaker",
    "Researcher",
    "School",
    "YearGroup",
]
