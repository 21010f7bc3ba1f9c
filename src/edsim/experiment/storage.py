"""Results on disk, written by one batch at a time: one Parquet file per finished run.

The directory's files are described in :mod:`.layout`. Each file is written under a temporary
name and renamed into place, so a batch killed at any moment (even by SIGKILL) leaves only
complete files, and ``--resume`` runs exactly the others. The batch holds the directory's lock
(:mod:`.lock`) from before it looks at the directory until it ends, so a second batch is refused
rather than mixing its runs in, and it trusts an existing run file only when the file's own
metadata matches the run the manifest planned (:func:`~.layout.check_run_file`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from edsim.errors import ExperimentError
from edsim.io import ensure_writable_dir, write_atomically
from edsim.scenario import render_with_origins
from edsim.versions import versions

from .layout import (
    FORMAT,
    MANIFEST,
    RUN_METADATA_KEY,
    RUNS,
    check_run_file,
    planned_runs,
    read_manifest,
    run_files,
)
from .lock import BatchLock
from .plan import RunSpec
from .runner import RunOutcome
from .spec import Experiment, canonical_hash

__all__ = ["DirectoryStore", "manifest_for", "run_metadata", "scenario_hashes"]

DESIGN = "design.csv"


def run_metadata(spec: RunSpec, outcome: RunOutcome, scenario_sha256: str) -> dict[str, Any]:
    """The row of the results' ``runs`` table for one run, and what verifies its file."""
    return {
        "run_id": spec.run_id,
        "scenario": spec.scenario_name,
        "point": spec.point,
        "replicate": spec.replicate,
        "seed": str(spec.seed),
        "scenario_sha256": scenario_sha256,
        "status": "ok" if outcome.ok else "failed",
        "seconds": outcome.seconds,
        "error": outcome.error,
        "worker": outcome.worker,
        "params": spec.params,
    }


def scenario_hashes(runs: Iterable[RunSpec]) -> dict[str, str]:
    """Each run's scenario hash (its variant with its design point applied), by run id."""
    by_scenario: dict[tuple[str, int], str] = {}
    out = {}
    for spec in runs:
        key = (spec.scenario_name, spec.point)
        if key not in by_scenario:
            by_scenario[key] = canonical_hash(spec.scenario.model_dump(mode="json"))
        out[spec.run_id] = by_scenario[key]
    return out


class DirectoryStore:
    """Writes a batch's results into a directory as they complete, as its only writer.

    Creating the store takes the directory's lock and decides what the directory holds, and
    changes nothing else; :meth:`start` (once the workers are up) writes the manifest, so a
    batch that fails to start leaves the directory as it was. :meth:`release` ends it.

    Args:
        out: The results directory (created; proved writable before any run starts).
        experiment: The experiment being run.
        runs: Its planned runs.
        resume: Continue the batch already in ``out``: keep its verified runs, redo the rest.
        overwrite: Delete the results already in ``out`` and start again.

    Without either, an empty directory is started, a directory holding exactly this
    experiment's finished results is reused as it is (:attr:`reused`, nothing runs), and
    anything else is refused, so nothing finished is lost by accident.

    Raises:
        OutputError: ``out`` cannot be created or written.
        ExperimentError: Another batch is writing ``out``; ``out`` holds results of another
            experiment, an unfinished batch (without ``resume``), run files with no manifest,
            or a damaged manifest; or ``resume`` and ``overwrite`` are both given.
    """

    def __init__(
        self,
        out: Path,
        experiment: Experiment,
        runs: list[RunSpec],
        *,
        resume: bool = False,
        overwrite: bool = False,
    ) -> None:
        if resume and overwrite:
            raise ExperimentError(
                "--resume keeps the results already in --out and --overwrite deletes them; "
                "give one of them"
            )
        self.out = ensure_writable_dir(out)
        self.runs_dir = self.out / RUNS
        self.experiment = experiment
        self.runs = runs
        self.manifest = manifest_for(experiment, runs)
        self._planned = planned_runs(self.manifest)
        self.reused = False
        self._done: set[str] = set()
        self._discard: list[Path] = []
        self._clear = False
        self._started = False
        self._lock = BatchLock(self.out).acquire()
        try:
            self._inspect(resume=resume, overwrite=overwrite)
        except BaseException:
            self._lock.release()
            raise

    def _inspect(self, *, resume: bool, overwrite: bool) -> None:
        """Decide from what ``out`` holds: start afresh, resume, reuse, or refuse."""
        files = run_files(self.runs_dir)
        manifest = self.out / MANIFEST
        self._clear = overwrite or not files
        if overwrite:
            return
        stored = (
            read_manifest(manifest, "; choose another --out, or pass --overwrite to replace it")
            if manifest.exists()
            else None
        )
        if not files:
            return  # nothing to keep: a manifest alone is a batch that finished no run
        if stored is None:
            raise ExperimentError(
                f"{self.runs_dir} holds {len(files)} run files but there is no {manifest}, so "
                "nothing says which experiment they belong to; move them away, choose another "
                "--out, or pass --overwrite to delete them"
            )
        if stored["experiment"]["hash"] != self.experiment.definition_hash:
            raise ExperimentError(_different_experiment(manifest, stored, self.experiment, resume))
        for path in files:
            run_id = path.name.removesuffix(".parquet").removesuffix(".failed.json")
            planned = self._planned.get(run_id)
            if path.suffix != ".parquet":
                if planned is None:
                    self._discard.append(path)
            elif check_run_file(path, planned) is None:
                self._done.add(run_id)
            else:
                self._discard.append(path)
        if resume:
            return
        if len(self._done) == len(self.runs) and not self._discard:
            self.reused = True
            return
        untrusted = f", {len(self._discard)} run files cannot be trusted" if self._discard else ""
        raise ExperimentError(
            f"{self.out} holds an unfinished batch of this experiment ({len(self._done)} of "
            f"{len(self.runs)} runs finished{untrusted}); pass --resume to run only the rest, "
            "--overwrite to start again, or choose another --out"
        )

    def finished(self) -> set[str]:
        """Ids of the planned runs whose file is complete and matches the manifest."""
        return set(self._done)

    def start(self) -> None:
        """Prepare the directory and write the manifest (a reused directory is left as it is)."""
        if self.reused:
            return
        ensure_writable_dir(self.runs_dir)
        doomed = list(self._discard)
        if self._clear:
            doomed += [self.out / MANIFEST, self.out / DESIGN, *run_files(self.runs_dir)]
        doomed += self.runs_dir.glob(".*.tmp")  # writes a kill interrupted; no one else writes
        for path in doomed:
            path.unlink(missing_ok=True)
        self._write_manifest()
        if self.experiment.design.parameters:
            table = self.experiment.design.table()
            write_atomically(self.out / DESIGN, lambda tmp: table.to_csv(tmp, index=False))
        self._started = True

    def record(self, spec: RunSpec, outcome: RunOutcome) -> None:
        """Write one run's file atomically (and drop an earlier failure record of it)."""
        sha = self._planned[spec.run_id]["scenario_sha256"]
        meta = run_metadata(spec, outcome, sha)
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
        self._done.add(spec.run_id)

    def close(self, timings: dict[str, float], failures: dict[str, str], stopped: bool) -> None:
        """Rewrite the manifest with the batch's timings, failures and status."""
        if not self._started:
            return
        complete = len(self._done) == len(self.runs)
        self.manifest.update(
            finished=_now(),
            status="interrupted" if stopped else ("complete" if complete else "incomplete"),
            completed_runs=len(self._done),
            timings={**self.manifest.get("timings", {}), **timings},
            failures=failures,
        )
        self._write_manifest()

    def release(self) -> None:
        """Give up the directory's lock (the batch is over)."""
        self._lock.release()

    def _write_manifest(self) -> None:
        text = json.dumps(self.manifest, indent=1, allow_nan=True)
        write_atomically(self.out / MANIFEST, lambda tmp: tmp.write_text(text))


def manifest_for(experiment: Experiment, runs: Iterable[RunSpec]) -> dict[str, Any]:
    """The manifest as a batch starts: versions, the definition, scenarios, planned runs."""
    runs = list(runs)
    hashes = scenario_hashes(runs)
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
            "outcome": experiment.outcome.as_dict() if experiment.outcome else None,
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
                "scenario_sha256": hashes[r.run_id],
            }
            for r in runs
        ],
        "versions": versions(),
        "started": _now(),
        "finished": None,
        "status": "running",
    }


def _different_experiment(
    manifest: Path, stored: dict[str, Any], experiment: Experiment, resume: bool
) -> str:
    """Why results of another definition are refused, naming the settings that differ."""
    old, new = stored.get("definition", {}), experiment.definition()
    old = old if isinstance(old, dict) else {}
    changed = [key for key in sorted(set(old) | set(new)) if old.get(key) != new.get(key)]
    if "scenarios" in changed:
        stored_scenarios = old.get("scenarios")
        before = stored_scenarios if isinstance(stored_scenarios, dict) else {}
        changed.remove("scenarios")
        changed += [
            f"scenario {n!r}"
            for n in sorted(set(before) | set(new["scenarios"]))
            if before.get(n) != new["scenarios"].get(n)
        ]
    what = (
        f"{manifest.parent} holds results of a different definition of this experiment "
        if stored["experiment"].get("name") == experiment.name
        else f"{manifest.parent} holds results of another experiment "
        f"({stored['experiment'].get('name')!r}) "
    ) + f"(changed: {', '.join(changed) or 'unknown'})"
    if resume:
        return (
            f"cannot resume: {what}; resuming would mix results of two experiments. Run the "
            "changed experiment into another --out, or restore the experiment file"
        )
    return f"{what}; choose another --out, or pass --overwrite to replace those results"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
