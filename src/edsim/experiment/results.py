"""One results type for everything downstream of a batch: tables, figures, sensitivity.

:class:`Results` holds two pandas tables, the way the analysis reads them:

* ``runs``: one row per finished or failed run (``run_id``, ``scenario``, ``point``,
  ``replicate``, ``seed``, ``status``, ``seconds``, ``error``, ``worker``, then one column per
  design parameter, named by its dotted path);
* ``trajectories``: one row per run and year (``run_id``, ``scenario``, ``point``,
  ``replicate``, ``year``, ``calendar_year``, then the kept metrics).

and the manifest (versions, the experiment definition, resolved scenarios, timings, failures).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from edsim.analysis.design import RUN_COLUMNS
from edsim.errors import ExperimentError

from .layout import MANIFEST, RUNS, read_manifest, read_run_files
from .runner import ID_COLUMNS

__all__ = ["Results"]


@dataclass
class Results:
    """The runs and trajectories of an experiment, and its manifest.

    Attributes:
        runs: One row per run that finished or failed.
        trajectories: One row per finished run and year.
        manifest: The experiment, its resolved scenarios, versions, timings and failures.
        path: The results directory, if they were loaded from or written to one.
    """

    runs: pd.DataFrame
    trajectories: pd.DataFrame
    manifest: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Results:
        """Read a results directory written by ``edsim batch`` or :func:`run_experiment`.

        Every run file is checked against the manifest (:func:`~.layout.read_run_files`), so
        what is returned is exactly the runs the manifest planned, as they were written.

        Raises:
            ExperimentError: The directory holds no edsim results, or a file in it is unreadable
                or not one of the manifest's runs.
        """
        directory = Path(path)
        manifest_path = directory / MANIFEST
        if not os.path.isfile(manifest_path):  # False, not an error, for a name too long
            raise ExperimentError(
                f"{directory} holds no edsim results (no {MANIFEST}); give the --out directory "
                "of an `edsim batch` run"
            )
        manifest = read_manifest(manifest_path)
        try:
            metas, tables = read_run_files(directory / RUNS, manifest)
        except (OSError, ValueError, pa.ArrowException) as exc:
            raise ExperimentError(f"cannot read results in {directory}: {exc}") from None
        trajectories = (
            pa.concat_tables(tables, promote_options="default").to_pandas()
            if tables
            else pd.DataFrame(columns=list(ID_COLUMNS))
        )
        return cls.from_parts(metas, trajectories, manifest, directory)

    @classmethod
    def from_parts(
        cls,
        metas: list[dict[str, Any]],
        trajectories: pd.DataFrame,
        manifest: dict[str, Any],
        path: Path | None = None,
    ) -> Results:
        """Assemble results from run metadata rows and trajectory rows, in the planned order."""
        order = {r["run_id"]: i for i, r in enumerate(manifest.get("runs", []))}
        rows = [
            {**{k: m.get(k) for k in RUN_COLUMNS}, **m.get("params", {})}
            for m in sorted(metas, key=lambda m: order.get(m["run_id"], len(order)))
        ]
        runs = pd.DataFrame(rows, columns=None if rows else list(RUN_COLUMNS))
        if not trajectories.empty:
            rank = trajectories["run_id"].map(order).fillna(len(order))
            trajectories = (
                trajectories.assign(_rank=rank)
                .sort_values(["_rank", "year"], kind="stable")
                .drop(columns="_rank")
                .reset_index(drop=True)
            )
        return cls(runs, trajectories, manifest, path)

    @property
    def name(self) -> str:
        """The experiment's name."""
        return str(self.manifest.get("experiment", {}).get("name", "experiment"))

    @property
    def baseline(self) -> str | None:
        """The variant paired differences are taken against."""
        return self.manifest.get("experiment", {}).get("baseline")

    @property
    def scenarios(self) -> list[str]:
        """Variant names, in the experiment's order."""
        return list(self.manifest.get("scenarios", {})) or sorted(self.runs["scenario"].unique())

    @property
    def failed(self) -> pd.DataFrame:
        """The runs that failed, with their tracebacks in ``error``."""
        return self.runs[self.runs["status"] == "failed"]

    @property
    def missing(self) -> list[str]:
        """Ids of planned runs with no result (the batch was stopped before them)."""
        have = set(self.runs["run_id"]) if not self.runs.empty else set()
        return [r["run_id"] for r in self.manifest.get("runs", []) if r["run_id"] not in have]

    @property
    def design(self) -> pd.DataFrame:
        """The design points: ``point`` and one column per parameter (empty with no design)."""
        definition = self.manifest.get("definition", {}).get("design", {})
        names = definition.get("parameters", [])
        frame = pd.DataFrame(definition.get("points", []), columns=names)
        frame.insert(0, "point", range(len(frame)))
        return frame
