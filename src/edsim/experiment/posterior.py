"""A calibration's posterior, read back and checked: what a posterior design draws from.

``edsim calibrate`` writes ``posterior.parquet`` (one column per calibrated parameter, by its
dotted path, and ``weight``: the last ABC-SMC generation's particles and importance weights)
beside ``manifest.json``, which records each output file's SHA-256. A posterior is trusted only
when the manifest says the calibration completed and the file's checksum matches, so a
posterior from an unfinished, edited or foreign run never feeds an experiment silently.

This module is the format's one reader; :mod:`edsim.calibrate.outputs` is its writer.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from edsim.errors import ExperimentError, ScenarioError, ScenarioProblem
from edsim.scenario import Document, parameter

from .locate import problem_at

__all__ = [
    "CALIBRATION_FORMAT",
    "MANIFEST",
    "POSTERIOR",
    "WEIGHT",
    "Posterior",
    "file_sha256",
    "posterior_points",
    "read_posterior",
]

CALIBRATION_FORMAT = "edsim-calibration/1"
MANIFEST = "manifest.json"
POSTERIOR = "posterior.parquet"
WEIGHT = "weight"


@dataclass(frozen=True)
class Posterior:
    """A verified posterior sample.

    Attributes:
        particles: One row per particle, one column per parameter (dotted paths).
        weights: The particles' importance weights, summing to 1.
        path: The ``posterior.parquet`` it was read from.
        sha256: The file's SHA-256 (the manifest's, checked).
        name: The calibration's name.
    """

    particles: pd.DataFrame
    weights: np.ndarray
    path: Path
    sha256: str
    name: str

    @property
    def parameters(self) -> tuple[str, ...]:
        """The calibrated parameters' dotted paths."""
        return tuple(self.particles.columns)

    def draw(self, samples: int, rng: np.random.Generator) -> pd.DataFrame:
        """``samples`` particles drawn with replacement, with probability their weight."""
        index = rng.choice(len(self.particles), size=samples, replace=True, p=self.weights)
        return self.particles.iloc[index].reset_index(drop=True)


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_posterior(path: str | Path) -> Posterior:
    """Read a calibration's posterior, checked against its manifest.

    Args:
        path: ``posterior.parquet``, or the calibration's results directory holding it.

    Raises:
        ExperimentError: The file or its manifest is missing or unreadable, the calibration
            did not complete, or the file's checksum is not the manifest's (it was changed
            or belongs to another run).
    """
    file = Path(path)
    if file.is_dir():
        file = file / POSTERIOR
    if not file.is_file():
        raise ExperimentError(
            f"{file}: no such posterior file; give the posterior.parquet (or the results "
            "directory) that `edsim calibrate` wrote"
        )
    manifest = _manifest(file.parent / MANIFEST)
    recorded = (manifest.get("files") or {}).get(file.name)
    if manifest.get("status") != "complete" or not isinstance(recorded, str):
        raise ExperimentError(
            f"{file}: its calibration did not complete (the manifest records no checksum for "
            "it); finish it with `edsim calibrate`, which resumes where it stopped"
        )
    actual = file_sha256(file)
    if actual != recorded:
        raise ExperimentError(
            f"{file}: its SHA-256 {actual[:12]}... is not the {recorded[:12]}... its manifest "
            "records; the file was changed or copied from another calibration, so run the "
            "calibration again rather than trust it"
        )
    try:
        frame = pd.read_parquet(file)
    except Exception as exc:  # pyarrow's errors have no common base
        raise ExperimentError(f"{file}: cannot be read ({exc})") from None
    if WEIGHT not in frame.columns or len(frame.columns) < 2 or frame.empty:
        raise ExperimentError(f"{file}: holds no particles with a {WEIGHT!r} column")
    weights = frame.pop(WEIGHT).to_numpy(dtype=float)
    return Posterior(
        particles=frame.astype(float),
        weights=weights / weights.sum(),
        path=file,
        sha256=actual,
        name=str(manifest.get("name", file.parent.name)),
    )


def _manifest(path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ExperimentError(
            f"cannot read {path} ({exc}); a posterior is read only beside the manifest "
            "`edsim calibrate` wrote with it"
        ) from None
    if not isinstance(manifest, dict) or manifest.get("format") != CALIBRATION_FORMAT:
        raise ExperimentError(f"{path} is not an edsim calibration manifest")
    return manifest


def posterior_points(
    settings: Any, document: Document, seed: int, stream: int
) -> tuple[tuple[str, ...], tuple[tuple[float, ...], ...], tuple[str, str]]:
    """A posterior design's points: ``samples`` weighted draws from ``file``.

    ``settings`` is the ``design:`` section (:class:`~edsim.experiment.design.DesignSettings`,
    not named in the signature so that this module need not import :mod:`.design`, which
    imports it): its ``file``, ``samples`` and ``parameters`` are read.

    The draws come from the experiment's design stream (spawn key ``stream`` of the root
    seed), so the same file and seed give the same points. The file is relative to the
    experiment file's folder (its real folder, links followed).

    Returns:
        The parameters (the posterior's columns, dotted paths), one row of values per point,
        and the posterior file with its SHA-256 (recorded in the experiment's definition, so a
        changed posterior is a changed experiment).

    Raises:
        ExperimentError: No ``file`` or ``samples``, or ``parameters`` given (they come from
            the file); the file is missing, unfinished, changed since its calibration, or names
            something that is not a scenario parameter; each located in the experiment file.
    """
    problems: list[ScenarioProblem] = []
    if settings.file is None:
        message = "'posterior' needs 'file': the posterior.parquet `edsim calibrate` wrote"
        problems.append(problem_at(document, ("design", "method"), message, at_key=True))
    if settings.samples is None:
        message = "'posterior' needs 'samples' (how many draws from the posterior)"
        problems.append(problem_at(document, ("design", "method"), message, at_key=True))
    if settings.parameters:
        message = "a posterior design takes no 'parameters': they are the posterior's columns"
        problems.append(problem_at(document, ("design", "parameters"), message, at_key=True))
    if problems:
        raise ExperimentError(problems)
    assert settings.file is not None
    assert settings.samples is not None
    file = Path(settings.file)
    if not file.is_absolute() and document.file is not None:
        # The experiment file's real folder: in a clone the shipped experiments are links to the
        # package's files, and their posterior lies beside them there (data/posteriors/).
        file = document.file.resolve().parent / file
    try:
        posterior = read_posterior(file)
    except ExperimentError as exc:
        raise ExperimentError(problem_at(document, ("design", "file"), str(exc))) from None
    whole: list[bool] = []
    for name in posterior.parameters:
        try:
            whole.append(parameter(name).kind is int)
        except ScenarioError as error:
            why = "; ".join(p.message for p in error.problems)
            message = f"{file}: column {name!r} is not a scenario parameter ({why})"
            problems.append(problem_at(document, ("design", "file"), message))
    if problems:
        raise ExperimentError(problems)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(stream,)))
    drawn = posterior.draw(settings.samples, rng)
    rows = tuple(
        tuple(round(v) if w else float(v) for v, w in zip(row, whole, strict=True))
        for row in drawn.itertuples(index=False)
    )
    return posterior.parameters, rows, (str(file), posterior.sha256)
