"""The pupils' state at year 0, taken once and shared by every variant of a replicate.

An experiment's variants differ in the evidence system (regime, levers, mechanisms), not in the
pupils or schools before year 0, and common random numbers give every variant of a replicate
the same seed: so they all reach the same year-0 pupils. :class:`YearZero` keeps that state (the
year groups, the leavers the baseline is measured on, and the positions of the three pupil
random streams), so a variant can start from it instead of drawing it again. The result is
identical to building from scratch, bit for bit (``tests/model/test_year_zero.py``).

A snapshot is only valid for a scenario whose pre-year-0 settings and seed match: its
:attr:`YearZero.key` covers the seed and every settings section the year-0 pupils are drawn from
(population, regions, schools, attainment), and a model refuses a snapshot with another key.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from edsim.model.pupils import Outcomes, PupilArrays

if TYPE_CHECKING:
    from edsim.model.cohorts import PupilPopulation
    from edsim.model.streams import Streams
    from edsim.scenario.schema import Scenario

__all__ = ["PUPIL_STREAMS", "YearZero", "year_zero_key"]

#: The streams the year-0 pupils are drawn from; their positions travel with the snapshot.
PUPIL_STREAMS = ("cohort_entry", "learning", "transition")

#: The scenario sections the year-0 pupils depend on (schools are drawn from them too).
PRE_YEAR_ZERO_SECTIONS = ("population", "regions", "schools", "attainment")


def year_zero_key(scenario: Scenario, seed: np.random.SeedSequence) -> str:
    """A digest of everything the year-0 pupils depend on: seed and pre-year-0 settings."""
    dumped = scenario.model_dump(mode="json", include=set(PRE_YEAR_ZERO_SECTIONS))
    payload = {
        "seed": [str(seed.entropy), list(seed.spawn_key), seed.pool_size],
        "settings": dumped,
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class YearZero:
    """A copy of the year-0 pupils and the pupil streams' positions (see the module notes).

    Attributes:
        key: :func:`year_zero_key` of the scenario and seed it was taken from.
        groups: Each year group's pupils (copies; a model starting from it copies them again).
        ks2: The KS2 leavers at the end of the burn-in.
        ks4: The KS4 leavers at the end of the burn-in.
        streams: The bit-generator state of each of :data:`PUPIL_STREAMS`.
        spawned: How many child streams each of them had spawned.
    """

    key: str
    groups: tuple[PupilArrays, ...]
    ks2: Outcomes
    ks4: Outcomes
    streams: dict[str, dict[str, Any]]
    spawned: dict[str, int]

    @property
    def nbytes(self) -> int:
        """Memory held by the snapshot's arrays."""
        arrays = [a for g in self.groups for a in _arrays(g)]
        arrays += [a for o in (self.ks2, self.ks4) for a in (o.scores, o.disadvantaged, o.school)]
        return sum(a.nbytes for a in arrays)

    @classmethod
    def take(
        cls, key: str, pupils: PupilPopulation, ks2: Outcomes, ks4: Outcomes, streams: Streams
    ) -> YearZero:
        """Copy the state (the model goes on changing its own arrays in place)."""
        return cls(
            key=key,
            groups=tuple(_copy(g.pupils) for g in pupils.year_groups),
            ks2=_copy_outcomes(ks2),
            ks4=_copy_outcomes(ks4),
            streams={n: getattr(streams, n).bit_generator.state for n in PUPIL_STREAMS},
            spawned={
                n: _sequence_of(getattr(streams, n)).n_children_spawned for n in PUPIL_STREAMS
            },
        )

    def restore(self, pupils: PupilPopulation, streams: Streams) -> tuple[Outcomes, Outcomes]:
        """Put the state into a freshly built population; returns the leavers (copies)."""
        for group, saved in zip(pupils.year_groups, self.groups, strict=True):
            group.pupils = _copy(saved)
        pupils.recount()
        for name in PUPIL_STREAMS:
            stream = getattr(streams, name)
            stream.bit_generator.state = self.streams[name]
            # Streams spawned later (each year group's, each year) continue the count: advance
            # the fresh stream's spawn counter to where the snapshot's was.
            sequence = _sequence_of(stream)
            behind = self.spawned[name] - sequence.n_children_spawned
            if behind < 0:
                raise ValueError(f"the {name} stream has already spawned past the snapshot")
            sequence.spawn(behind)
        return _copy_outcomes(self.ks2), _copy_outcomes(self.ks4)


def _arrays(p: PupilArrays) -> tuple[np.ndarray, ...]:
    return (p.attainment, p.boost, p.disadvantaged, p.school)


def _copy(p: PupilArrays) -> PupilArrays:
    return PupilArrays(*(a.copy() for a in _arrays(p)))


def _copy_outcomes(o: Outcomes) -> Outcomes:
    return Outcomes(o.scores.copy(), o.disadvantaged.copy(), o.school.copy())


def _sequence_of(stream: np.random.Generator) -> np.random.SeedSequence:
    sequence = stream.bit_generator.seed_seq
    if not isinstance(sequence, np.random.SeedSequence):
        raise TypeError("pupil streams must be seeded from a SeedSequence")
    return sequence
