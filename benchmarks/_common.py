"""Helpers shared by the benchmark scripts: paths, the machine block, memory, child processes.

The scripts run as ``python benchmarks/<script>.py``, so this directory is on ``sys.path`` and
they import this module as ``_common``. It imports nothing heavy at module level (a child
process's import time and memory must be its own).
"""

from __future__ import annotations

import json
import os
import platform
import socket
import statistics
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
GIB = 1024**3


def maxrss_bytes() -> int:
    """Peak resident set size of this process so far (Linux reports KiB, macOS bytes)."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak) if sys.platform == "darwin" else int(peak) * 1024


def maxrss_gib() -> float:
    """Peak resident set size of this process so far, in GiB."""
    return maxrss_bytes() / GIB


def git_commit() -> str:
    """The short commit of HEAD ("" outside git)."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
        ).stdout.strip()
    except OSError:
        return ""
    return commit


def machine() -> dict[str, Any]:
    """What the numbers were measured on (imports edsim, numpy and mesa: call it in the parent)."""
    import mesa
    import numpy

    import edsim

    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "hostname": socket.gethostname(),
        "nproc": os.cpu_count(),
        "affinity_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "mesa": mesa.__version__,
        "numpy": numpy.__version__,
        "edsim": edsim.__version__,
        "git_commit": git_commit(),
    }


def machine_line(info: dict[str, Any]) -> str:
    """One line describing the machine, for the top of a table."""
    return (
        f"edsim {info['edsim']} ({info['git_commit'] or 'no git'}), "
        f"Python {info['python']}, Mesa {info['mesa']}, numpy {info['numpy']}, "
        f"{info['affinity_cpus'] or info['nproc']} CPUs, {info['date']}"
    )


def run_child(
    args: Sequence[str], what: str = "child", env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Run ``sys.executable args...`` in a fresh interpreter; parse its last stdout line as JSON.

    Args:
        args: The script and its arguments.
        what: Names the child in the error message.
        env: Extra environment variables for the child (on top of this process's).

    Raises:
        RuntimeError: If the child exits non-zero (its stderr is in the message).
    """
    proc = subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env={**os.environ, **env} if env else None,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{what} failed (rc {proc.returncode}):\n{proc.stderr}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def spread(values: Sequence[float]) -> dict[str, float]:
    """Median, minimum and maximum of some repeats."""
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
    }


def save_json(name: str, payload: dict[str, Any], hostname: str | None = None) -> Path:
    """Write ``benchmarks/results/<name>-<hostname>.json`` and return its path."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}-{hostname or socket.gethostname()}.json"
    path.write_text(json.dumps(payload, indent=2) + "\n")
    return path


def _round(x: float) -> int:
    """Round half up (so 3,450 secondary schools x 1% is 35, as in scenarios/small.yaml)."""
    return int(x + 0.5)


def scaled_population(scale: float) -> dict[str, int]:
    """The ``population`` section of England at ``scale`` (a fraction of its pupils).

    Scales England's school and pupil counts and keeps ~10+ schools per local area; at 1% and
    10% this is exactly ``scenarios/small.yaml`` and ``scenarios/england_sample.yaml``, at 1.0
    England's defaults. Partnership capacity and research money follow the pupils by themselves
    (``population.scale``).
    """
    from edsim.scenario.population import PopulationSettings

    d = PopulationSettings()
    areas = d.local_areas_per_region
    return {
        "n_primary_schools": max(1, _round(d.n_primary_schools * scale)),
        "n_secondary_schools": max(1, _round(d.n_secondary_schools * scale)),
        "primary_pupils": max(100, _round(d.primary_pupils * scale)),
        "secondary_pupils": max(100, _round(d.secondary_pupils * scale)),
        "local_areas_per_region": max(2, min(areas, _round(areas * scale))),
    }
