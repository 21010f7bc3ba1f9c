"""A calibration's results directory: one writer, resumable, every finished file checked.

Layout::

    abc.db              pyabc's SQLite database: every generation as it completes (resume)
    manifest.json       the calibration (file hash, definition hash, text), versions, status;
                        on completion generations, epsilons, acceptance rates, stop reason and
                        each output file's SHA-256
    posterior.parquet   the last generation: one column per parameter, and ``weight``
    history.csv         per generation: epsilon, particles, simulations, acceptance rate, seconds
    predictive.parquet  posterior-predictive trajectories (draw, seed, calendar year, metrics)
    figures/*.png       prior vs posterior, pairwise posterior, predictive bands, prediction
    .edsim-batch.lock   the lock of the process writing it (:mod:`edsim.experiment.lock`)

The manifest is written with ``status: running`` before the first generation, so a directory
killed at any moment says what it holds; pyabc commits each generation to the database in one
transaction, so rerunning the same command continues after the last complete generation.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from edsim.errors import CalibrationError
from edsim.experiment.lock import BatchLock
from edsim.experiment.posterior import CALIBRATION_FORMAT, MANIFEST, file_sha256
from edsim.io import ensure_writable_dir, write_atomically
from edsim.versions import versions

from .spec import Calibration

__all__ = ["DATABASE", "OUTPUTS", "CalibrationStore"]

DATABASE = "abc.db"
#: Every file and folder a calibration writes (what --overwrite removes).
OUTPUTS = (
    DATABASE,
    MANIFEST,
    "posterior.parquet",
    "history.csv",
    "predictive.parquet",
    "figures",
)


class CalibrationStore:
    """The results directory of one calibration, held for the calibration's lifetime.

    Args:
        out: The directory (created; proved writable first).
        calibration: The calibration being run.
        overwrite: Delete an earlier calibration's files there and start again.

    Attributes:
        state: ``new`` (start), ``resume`` (continue the database) or ``complete`` (this
            calibration, with these settings, already finished there: nothing to run).

    Raises:
        CalibrationError: Another process writes ``out``, or it holds another calibration's
            (or something else's) files and ``overwrite`` is not given.
    """

    def __init__(self, out: Path, calibration: Calibration, *, overwrite: bool = False) -> None:
        self.out = ensure_writable_dir(out)
        self.calibration = calibration
        self.database = self.out / DATABASE
        self._lock = BatchLock(self.out)
        try:
            self._lock.acquire()
        except Exception as exc:
            raise CalibrationError(str(exc).replace("batch", "calibration")) from None
        try:
            self.state = self._inspect(overwrite)
        except BaseException:
            self._lock.release()
            raise

    @property
    def db_url(self) -> str:
        """SQLAlchemy's address of the database."""
        return f"sqlite:///{self.database.resolve()}"

    def _inspect(self, overwrite: bool) -> str:
        ours = [self.out / name for name in OUTPUTS if (self.out / name).exists()]
        if overwrite or not ours:
            for path in ours:
                shutil.rmtree(path) if path.is_dir() else path.unlink()
            return "new"
        manifest = self.manifest()
        name = self.calibration.name
        if manifest is None or not self.database.exists():
            raise CalibrationError(
                f"{self.out} holds files of an earlier calibration but no readable manifest "
                "and database of one; give --overwrite to start again there, or another --out"
            )
        stored = manifest.get("calibration", {}).get("definition_hash")
        if stored != self.calibration.definition_hash:
            raise CalibrationError(
                f"{self.out} holds calibration {manifest.get('name')!r} with another definition "
                f"(base, seeds, priors, patterns or population differ from {name!r}'s); give "
                "--overwrite to replace it, or another --out"
            )
        same_rules = manifest.get("abc") == self.calibration.abc.model_dump()
        if manifest.get("status") == "complete" and same_rules:
            return "complete"
        return "resume"

    def manifest(self) -> dict[str, Any] | None:
        """The directory's manifest, or None when there is none or it is not a calibration's."""
        try:
            manifest = json.loads((self.out / MANIFEST).read_text())
        except (OSError, ValueError):
            return None
        if not isinstance(manifest, dict) or manifest.get("format") != CALIBRATION_FORMAT:
            return None
        return manifest

    def start(self) -> None:
        """Record that the calibration is running (before the first generation)."""
        self._write_manifest(self._head("running"))

    def finish(self, summary: dict[str, Any], files: list[Path]) -> dict[str, Any]:
        """Record the finished calibration, with every output file's SHA-256, atomically."""
        manifest = self._head("complete")
        manifest.update(summary)
        manifest["files"] = {
            str(path.relative_to(self.out)): file_sha256(path) for path in sorted(files)
        }
        self._write_manifest(manifest)
        return manifest

    def release(self) -> None:
        """Give up the directory's lock."""
        self._lock.release()

    def _head(self, status: str) -> dict[str, Any]:
        calibration = self.calibration
        return {
            "format": CALIBRATION_FORMAT,
            "status": status,
            "name": calibration.name,
            "calibration": {
                "source": calibration.source,
                "file_sha256": calibration.file_sha256,
                "definition_hash": calibration.definition_hash,
                "text": calibration.text,
            },
            "abc": calibration.abc.model_dump(),
            "parameters": list(calibration.priors),
            "priors": {k: list(v) for k, v in calibration.priors.items()},
            "seeds": [str(s) for s in calibration.seeds],
            "versions": versions(),
        }

    def _write_manifest(self, manifest: dict[str, Any]) -> None:
        text = json.dumps(manifest, indent=2, allow_nan=False)
        write_atomically(self.out / MANIFEST, lambda tmp: tmp.write_text(text))
