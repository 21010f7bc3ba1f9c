"""The files of a results directory, and the checks that each is what its manifest planned.

Layout::

    manifest.json              versions, the experiment (text, hash, definition), each variant's
                               resolved scenario (YAML and hash), the planned runs (seed and the
                               hash of the run's scenario), then at the end timings and failures
    design.csv                 the design points (when the experiment has a design)
    runs/<run_id>.parquet      one finished run: its trajectory, its metadata in the file
    runs/<run_id>.failed.json  one failed run: its traceback
    .edsim-batch.lock(.json)   the lock of the batch writing it, and who holds it

A run file counts only when it is complete (its Parquet footer is there: a truncated file has
none) and its own metadata names the seed and scenario hash the manifest planned for its run,
so files left by another experiment, or copied in, are never taken for this one's results.
Both the writer (:mod:`.storage`) and the reader (:mod:`.results`) use this module, and
neither needs the other.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from edsim.errors import ExperimentError

__all__ = [
    "FORMAT",
    "MANIFEST",
    "RUNS",
    "RUN_METADATA_KEY",
    "VERIFIED_KEYS",
    "check_run_file",
    "planned_runs",
    "read_manifest",
    "read_run_files",
    "run_files",
]

FORMAT = "edsim-results/1"
MANIFEST = "manifest.json"
RUNS = "runs"
RUN_METADATA_KEY = b"edsim.run"
#: What a run file's metadata must share with its planned run in the manifest.
VERIFIED_KEYS = ("run_id", "seed", "scenario_sha256")


def read_manifest(path: Path, advice: str = "") -> dict[str, Any]:
    """The manifest at ``path``, checked to be an edsim results manifest.

    Args:
        path: The manifest file.
        advice: What the user can do, appended to the error (it depends on the command).

    Raises:
        ExperimentError: It cannot be read, is not JSON, or is not an edsim manifest.
    """
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ExperimentError(f"cannot read {path}: {exc}{advice}") from None
    problem = _manifest_problem(manifest)
    if problem:
        raise ExperimentError(
            f"{path} is not an edsim results manifest ({problem}): it was not written by "
            f"`edsim batch`, or it was damaged{advice}"
        )
    return manifest


def _manifest_problem(manifest: Any) -> str | None:
    if not isinstance(manifest, dict):
        return f"it holds a JSON {type(manifest).__name__}, not an object"
    if manifest.get("format") != FORMAT:
        return f"its format is {manifest.get('format')!r}, not {FORMAT!r}"
    experiment, runs = manifest.get("experiment"), manifest.get("runs")
    if not isinstance(experiment, dict) or not isinstance(experiment.get("hash"), str):
        return "it names no experiment hash"
    if not isinstance(runs, list) or not all(
        isinstance(r, dict) and isinstance(r.get("run_id"), str) for r in runs
    ):
        return "its planned runs are not a list of runs"
    return None


def planned_runs(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The manifest's planned runs by id."""
    return {r["run_id"]: r for r in manifest.get("runs", [])}


def run_files(runs_dir: Path) -> list[Path]:
    """Every run file in ``runs_dir``: finished (``.parquet``) and failed (``.failed.json``)."""
    if not runs_dir.is_dir():
        return []
    return sorted([*runs_dir.glob("*.parquet"), *runs_dir.glob("*.failed.json")])


def check_run_file(path: Path, planned: dict[str, Any] | None) -> str | None:
    """Why a finished run's file cannot be trusted, or None when it can.

    Reads only the Parquet footer (fast): a file cut short has none, and the footer holds the
    run's metadata, which must match ``planned`` (the manifest's entry for its run id; None
    when the manifest plans no such run) on :data:`VERIFIED_KEYS`.
    """
    if planned is None:
        return "the manifest plans no run of that id"
    try:
        meta = pq.read_metadata(path)
        run = json.loads((meta.metadata or {})[RUN_METADATA_KEY])
    except (OSError, pa.ArrowException) as exc:
        return f"it is incomplete or unreadable ({exc})"
    except (KeyError, ValueError):
        return "it holds no edsim run metadata"
    if not isinstance(run, dict):
        return "it holds no edsim run metadata"
    for key in VERIFIED_KEYS:
        if key in planned and run.get(key) != planned[key]:
            return f"its {key} {run.get(key)!r} is not the planned {planned[key]!r}"
    if meta.num_rows == 0:
        return "it holds no rows"
    return None


def read_run_files(
    runs_dir: Path, manifest: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[pa.Table]]:
    """Every run's metadata and every finished run's trajectory, checked against the manifest.

    Raises:
        ExperimentError: A run file is not one of the manifest's planned runs, or is damaged.
    """
    planned = planned_runs(manifest)
    metas: list[dict[str, Any]] = []
    tables: list[pa.Table] = []
    for path in sorted(runs_dir.glob("*.parquet")):
        problem = check_run_file(path, planned.get(path.name.removesuffix(".parquet")))
        if problem is None:
            try:
                table = pq.read_table(path)
            except (OSError, pa.ArrowException) as exc:
                problem = f"it is damaged ({exc})"
        if problem is not None:
            raise ExperimentError(
                f"{path} cannot be trusted: {problem}. Remove it and run the batch again with "
                "--resume to redo that run"
            )
        metas.append(json.loads(table.schema.metadata[RUN_METADATA_KEY]))
        tables.append(table.replace_schema_metadata(None))
    for path in sorted(runs_dir.glob("*.failed.json")):
        run_id = path.name.removesuffix(".failed.json")
        if run_id in planned and not (runs_dir / f"{run_id}.parquet").exists():
            metas.append(json.loads(path.read_text()))
    return metas, tables
