"""Results on disk: one Parquet file per finished run, and a manifest.

Layout of a results directory::

    manifest.json              versions, the experiment (text, hash, definition), each variant's
                               resolved scenario (YAML and hash), the planned runs and seeds,
                               then at the end timings and failures with tracebacks
    design.csv                 the design points (when the experiment has a design)
    runs/<run_id>.parquet      one finished run: its trajectory, its metadata in the file
    runs/<run_id>.failed.json  one failed run: its traceback

Each file is written under a temporary name and renamed into place, so a batch killed at any
moment (even by SIGKILL) leaves only complete files: every run whose file exists is finished,
and ``--resume`` runs exactly the others. The manifest is rewritten, also atomically, when the
batch ends; the per-run files alone are enough to rebuild everything it adds.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from edsim.errors import ExperimentError
from edsim.io import ensure_writable_dir, write_atomically
from edsim.scenario.render import render_with_origins
from edsim.versions import versions

from .plan import RunSpec
from .runner import RunOutcome
from .spec import Experiment, canonical_hash

if TYPE_CHECKING:
    from .results import Results

__all__ = [
    "FORMAT",
    "MANIFEST",
    "RUNS",
    "RUN_METADATA_KEY",
    "DirectoryStore",
    "manifest_for",
    "read_run_files",
    "run_metadata",
]

FORMAT = "edsim-results/1"
MANIFEST = "manifest.json"
RUNS = "runs"
RUN_METADATA_KEY = b"edsim.run"


def run_metadata(spec: RunSpec, outcome: RunOutcome) -> dict[str, Any]:
    """The row of the results' ``runs`` table for one run."""
    return {
        "run_id": spec.run_id,
        "scenario": spec.scenario_name,
        "point": spec.point,
        "replicate": spec.replicate,
        "seed": str(spec.seed),
        "status": "ok" if outcome.ok else "failed",
        "seconds": outcome.seconds,
        "error": outcome.error,
        "worker": outcome.worker,
        "params": spec.params,
    }


class DirectoryStore:
    """Writes a batch's results into a directory as they complete.

    Args:
        out: The results directory (created; proved writable before any run starts).
        experiment: The experiment being run.
        runs: Its planned runs.
        resume: Continue the batch already in ``out``. Without it, a directory that already
            holds results is refused, so nothing finished is overwritten by accident.

    Raises:
        OutputError: ``out`` cannot be created or written.
        ExperimentError: ``out`` holds results and ``resume`` is false, or it holds results of
            a different experiment definition (the message says what changed).
    """

    def __init__(
        self, out: Path, experiment: Experiment, runs: list[RunSpec], *, resume: bool
    ) -> None:
        self.out = ensure_writable_dir(out)
        self.runs_dir = ensure_writable_dir(self.out / RUNS)
        self.experiment = experiment
        self.runs = runs
        manifest = self.out / MANIFEST
        if manifest.exists():
            if not resume:
                raise ExperimentError(
                    f"{self.out} already holds experiment results; pass --resume to run only "
                    "what is missing, or choose another --out"
                )
            _check_same_experiment(manifest, experiment)
        for leftover in self.runs_dir.glob(".*.tmp"):
            leftover.unlink(missing_ok=True)  # a write a kill interrupted; the run will redo it
        self.manifest = manifest_for(experiment, runs)
        self._write_manifest()
        if experiment.design.parameters:
            table = experiment.design.table()
            write_atomically(self.out / "design.csv", lambda tmp: table.to_csv(tmp, index=False))

    def finished(self) -> set[str]:
        """Ids of runs that already finished successfully (their Parquet file exists)."""
        return {p.name.removesuffix(".parquet") for p in self.runs_dir.glob("*.parquet")}

    def record(self, spec: RunSpec, outcome: RunOutcome) -> None:
        """Write one run's file atomically (and drop an earlier failure record of it)."""
        meta = run_metadata(spec, outcome)
        failed = self.runs_dir / f"{spec.run_id}.failed.json"
        if outcome.trajectory is None:
            write_atomically(failed, lambda tmp: tmp.write_text(json.dumps(meta, indent=1)))
            return
        table = pa.Table.from_pandas(outcome.trajectory, preserve_index=False)
        table = table.replace_schema_metadata(
            {**(table.schema.metadata or {}), RUN_METADATA_KEY: json.dumps(meta).encode()}
        )
        write_atomically(
            self.runs_dir / f"{spec.run_id}.parquet", lambda tmp: pq.write_table(table, tmp)
        )
        failed.unlink(missing_ok=True)

    def close(self, timings: dict[str, float], failures: dict[str, str], stopped: bool) -> None:
        """Rewrite the manifest with the batch's timings, failures and status."""
        done = self.finished()
        self.manifest.update(
            finished=_now(),
            status="interrupted"
            if stopped
            else ("complete" if len(done) == len(self.runs) else "incomplete"),
            completed_runs=len(done),
            timings={**self.manifest.get("timings", {}), **timings},
            failures=failures,
        )
        self._write_manifest()

    def results(self) -> Results:
        """The results as written (read back from the directory)."""
        from .results import Results

        return Results.load(self.out)

    def _write_manifest(self) -> None:
        text = json.dumps(self.manifest, indent=1, allow_nan=True)
        write_atomically(self.out / MANIFEST, lambda tmp: tmp.write_text(text))


def read_run_files(runs_dir: Path) -> tuple[list[dict[str, Any]], list[pa.Table]]:
    """Every run's metadata and every finished run's trajectory table, in run-id order."""
    metas: list[dict[str, Any]] = []
    tables: list[pa.Table] = []
    for path in sorted(runs_dir.glob("*.parquet")):
        table = pq.read_table(path)
        raw = (table.schema.metadata or {}).get(RUN_METADATA_KEY)
        if raw is None:
            raise ExperimentError(f"{path} is not an edsim run file (it has no run metadata)")
        metas.append(json.loads(raw))
        tables.append(table.replace_schema_metadata(None))
    for path in sorted(runs_dir.glob("*.failed.json")):
        if not (runs_dir / path.name.replace(".failed.json", ".parquet")).exists():
            metas.append(json.loads(path.read_text()))
    return metas, tables


def manifest_for(experiment: Experiment, runs: Iterable[RunSpec]) -> dict[str, Any]:
    """The manifest as a batch starts: versions, the definition, scenarios, planned runs."""
    return {
        "format": FORMAT,
        "experiment": {
            "name": experiment.name,
            "description": experiment.description,
            "source": experiment.source,
            "text": experiment.text,
            "hash": experiment.definition_hash,
            "baseline": experiment.baseline,
            "replicates": experiment.replicates,
            "seed": experiment.seed,
            "years": experiment.years,
            "metrics": list(experiment.metrics),
        },
        "definition": experiment.definition(),
        "scenarios": {
            name: {
                "sha256": canonical_hash(resolved.scenario.model_dump(mode="json")),
                "yaml": render_with_origins(resolved),
            }
            for name, resolved in experiment.scenarios.items()
        },
        "runs": [
            {
                "run_id": r.run_id,
                "scenario": r.scenario_name,
                "point": r.point,
                "replicate": r.replicate,
                "seed": str(r.seed),
            }
            for r in runs
        ],
        "versions": versions(),
        "started": _now(),
        "finished": None,
        "status": "running",
    }


def _check_same_experiment(manifest: Path, experiment: Experiment) -> None:
    """Refuse to resume results of another definition, saying which settings differ."""
    try:
        stored = json.loads(manifest.read_text())
    except (OSError, ValueError) as exc:
        raise ExperimentError(f"cannot read {manifest} to resume: {exc}") from None
    if stored.get("experiment", {}).get("hash") == experiment.definition_hash:
        return
    old, new = stored.get("definition", {}), experiment.definition()
    changed = [key for key in sorted(set(old) | set(new)) if old.get(key) != new.get(key)]
    if "scenarios" in changed:
        names = set(old.get("scenarios", {})) | set(new["scenarios"])
        changed.remove("scenarios")
        changed += [
            f"scenario {n!r}"
            for n in sorted(names)
            if old.get("scenarios", {}).get(n) != new["scenarios"].get(n)
        ]
    raise ExperimentError(
        f"cannot resume: {manifest.parent} holds results of a different definition of this "
        f"experiment (changed: {', '.join(changed) or 'unknown'}); resuming would mix results "
        "of two experiments. Run the changed experiment into another --out, or restore the "
        "experiment file"
    )


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
