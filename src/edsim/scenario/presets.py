"""The regime presets: named compositions of mechanism settings (DESIGN.md §8).

A preset is only a label for a composition: the model never reads the name, so identical
settings under two names give identical results (tested). Every preset fixes the same
mechanism-defining settings, the channel rules included, so switching a scenario from one preset
to another leaves nothing of the old regime.
"""

from __future__ import annotations

import copy
from typing import Any

__all__ = ["PRESETS", "deep_merge", "preset_mapping"]


def deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """``over`` merged into a copy of ``base``: mappings merge, anything else replaces."""
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


#: Every preset fixes the same mechanism-defining settings, so switching a scenario from one preset
#: to another (which keeps the scenario's other regime settings) leaves nothing of the old regime.
PRESETS: dict[str, dict[str, Any]] = {
    "disseminate_to": {
        "name": "disseminate_to",
        "dissemination": {"push_strength": 1.0},
        "selection": {"mode": "national_ranking"},
        "feedback": {"mode": "none"},
        "policy_response": {"mode": "pressure_driven", "judge_on": "attainment"},
        "support": {
            "protection": "current_partnership",
            "spillover": 0.0,
            "guidance": "devolved",
        },
        "partnerships": {
            "enabled": False,
            "members_adopt": "affordable",
            "returning_schools": "last",
        },
        "research": {"orientation": "push", "trials_per_year": 20.0},
        "workforce": {"use": "fidelity"},
        "advocacy": {"strength": 0.0},
        "organisations": {"enabled": False},
        "prescription": 0.7,
    },
    "linkage_exchange": {
        "name": "linkage_exchange",
        "dissemination": {"push_strength": 0.0},
        "selection": {"mode": "context_aware"},
        "feedback": {"mode": "local_evaluation"},
        "policy_response": {"mode": "deliberative", "judge_on": "attainment_and_learning"},
        "support": {
            "protection": "current_partnership",
            "spillover": 0.0,
            "guidance": "devolved",
        },
        "partnerships": {
            "enabled": True,
            "members_adopt": "affordable",
            "returning_schools": "last",
        },
        "research": {"orientation": "pull", "trials_per_year": 20.0},
        "workforce": {"use": "reflection"},
        "advocacy": {"strength": 0.0},
        "organisations": {"enabled": False},
        "prescription": 0.3,
    },
    "none": {
        "name": "none",
        "dissemination": {"push_strength": 0.0},
        "selection": {"mode": "national_ranking"},
        "feedback": {"mode": "none"},
        "policy_response": {"mode": "static", "judge_on": "attainment"},
        "support": {
            "protection": "current_partnership",
            "spillover": 0.0,
            "guidance": "none",
        },
        "partnerships": {
            "enabled": False,
            "members_adopt": "affordable",
            "returning_schools": "last",
        },
        "research": {"orientation": "push", "trials_per_year": 0.0},
        "workforce": {"use": "fidelity"},
        "advocacy": {"strength": 0.0},
        "organisations": {"enabled": False},
        "prescription": 0.7,
    },
}


def preset_mapping(name: str) -> dict[str, Any]:
    """The settings of a named preset as a plain mapping (a fresh copy).

    Raises:
        ValueError: If ``name`` is not a preset (pydantic turns it into a located error).
    """
    if name not in PRESETS:
        choices = ", ".join(sorted(PRESETS))
        raise ValueError(f"unknown regime preset {name!r}; choose one of: {choices}")
    return copy.deepcopy(PRESETS[name])
