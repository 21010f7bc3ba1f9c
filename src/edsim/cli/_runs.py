"""What one ``edsim run`` was: two runs can be told apart, and one never silently replaces another.

Two runs of the same scenario with different seeds, horizons or ``--set`` overrides used to write
the same ``results/<scenario>/`` with nothing saying which was which. Now each run writes
``run.json`` beside its trajectory (the scenario, its regime, seed, years, the overrides and a
hash of the resolved scenario), the printed table and the figure title name the same things, and
a directory that holds a *different* run is refused unless ``--overwrite`` is given. Running the
very same run again (same resolved scenario, seed and years) rewrites identical results, so it
needs no flag.
"""

from __future__ import annotations

import hashlib
import json
import textwrap
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from edsim.errors import OutputError

if TYPE_CHECKING:
    from edsim.scenario import Scenario

__all__ = ["RUN_FILE", "RunRecord", "check_out_dir", "write_run_record"]

#: The file beside a run's trajectory that says which run it is.
RUN_FILE = "run.json"

#: Files of a run's results: a directory holding any of them holds some run's results.
_RESULT_FILES = ("trajectory.parquet", "trajectory.csv", "gap_trajectories.png")


@dataclass(frozen=True)
class RunRecord:
    """One run's identity: what was run, with which seed, horizon and overrides.

    Attributes:
        scenario: The scenario's name.
        regime: Its regime's name (after any ``--set``).
        seed: The random seed.
        years: Simulated years after year 0.
        sets: The ``--set`` overrides, as given.
        scenario_sha256: Hash of the resolved scenario (every parameter, overrides included).
    """

    scenario: str
    regime: str
    seed: int
    years: int
    sets: tuple[str, ...]
    scenario_sha256: str

    @classmethod
    def of(
        cls, scenario: Scenario, seed: int, years: int | None, sets: Sequence[str] | None
    ) -> RunRecord:
        """The record of running ``scenario`` (resolved, its ``--set`` overrides applied)."""
        dump = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return cls(
            scenario=scenario.name,
            regime=scenario.regime.name,
            seed=seed,
            years=years if years is not None else scenario.years,
            sets=tuple(sets or ()),
            scenario_sha256=hashlib.sha256(dump.encode()).hexdigest(),
        )

    def same_run(self, other: RunRecord) -> bool:
        """Whether both would give the same results (same resolved scenario, seed and years)."""
        return (self.scenario_sha256, self.seed, self.years) == (
            other.scenario_sha256,
            other.seed,
            other.years,
        )

    def label(self) -> str:
        """``small, regime linkage_exchange, seed 3, 15 years, --set truth.heterogeneity=0.2``."""
        text = f"{self.scenario}, regime {self.regime}, seed {self.seed}, {self.years} years"
        return text + "".join(f", --set {s}" for s in self.sets)

    def figure_title(self, what: str, width: int = 70) -> str:
        """``what`` over the run's label, wrapped so many overrides still fit in the figure."""
        return "\n".join([what, *textwrap.wrap(self.label(), width)])


def check_out_dir(out_dir: Path, record: RunRecord, *, overwrite: bool) -> None:
    """Refuse to write ``record``'s results over a different run's, unless ``overwrite``.

    Raises:
        OutputError: ``out_dir`` holds results of another run (its ``run.json`` says which),
            or results with no ``run.json`` to say which run they are.
    """
    if overwrite:
        return
    advice = "choose another --out, or pass --overwrite to replace them"
    recorded = _read_record(out_dir / RUN_FILE)
    if recorded is not None:
        if not recorded.same_run(record):
            raise OutputError(
                f"{out_dir} holds the results of another run ({recorded.label()}); this run is "
                f"{record.label()}; {advice}"
            )
        return
    found = [name for name in _RESULT_FILES if (out_dir / name).exists()]
    if found:
        raise OutputError(
            f"{out_dir} holds results ({', '.join(found)}) with no {RUN_FILE} saying which run "
            f"they are from; {advice}"
        )


def write_run_record(out_dir: Path, record: RunRecord) -> Path:
    """Write ``run.json`` (atomically) and return its path."""
    from edsim.io import write_atomically

    path = out_dir / RUN_FILE
    text = json.dumps(asdict(record), indent=2) + "\n"
    write_atomically(path, lambda tmp: tmp.write_text(text))
    return path


def _read_record(path: Path) -> RunRecord | None:
    """The record in ``path``, None when there is none; an unreadable one says so."""
    if not path.exists():
        return None
    try:
        data: dict[str, Any] = json.loads(path.read_text())
        data["sets"] = tuple(data.get("sets", ()))
        return RunRecord(**data)
    except (OSError, ValueError, TypeError) as exc:
        raise OutputError(
            f"cannot read {path} to tell which run the results there are from ({exc}); "
            "choose another --out, or pass --overwrite to replace them"
        ) from None
