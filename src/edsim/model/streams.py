"""Independent random streams, one per subsystem, all spawned from the run's seed.

Each subsystem draws only from its own stream (DESIGN.md §3), so two regimes run with the same
seed see the same pupil noise and the same cohorts, and switching a mechanism off does not
reshuffle unrelated draws: regime differences are paired (common random numbers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["STREAM_NAMES", "Streams"]

#: The order is part of the reproducibility contract: append new streams, never reorder.
STREAM_NAMES: tuple[str, ...] = (
    "setup",  # schools, areas, capacities
    "truth",  # hidden true effects and moderators
    "cohort_entry",  # Reception intakes
    "learning",  # pupils' yearly progress noise
    "transition",  # Y6 -> Y7 allocation
    "research",  # trials: topics, samples, sampling error
    "policy",  # the policymaker's responses
    "decisions",  # schools' adoption, adaptation, dropping
    "partnerships",  # brokers' choices of areas and schools
    "feedback",  # local evaluations' noise
    "shuffle",  # agent order within stages
    "observation",  # noise in schools' own evaluations of their approaches
    "literature",  # external (non-EEF) studies the Toolkit takes in
    "organisations",  # which local organisations are supported (EEF strand 3)
)


@dataclass(frozen=True)
class Streams:
    """Named ``numpy.random.Generator`` objects for one run."""

    setup: np.random.Generator
    truth: np.random.Generator
    cohort_entry: np.random.Generator
    learning: np.random.Generator
    transition: np.random.Generator
    research: np.random.Generator
    policy: np.random.Generator
    decisions: np.random.Generator
    partnerships: np.random.Generator
    feedback: np.random.Generator
    shuffle: np.random.Generator
    observation: np.random.Generator
    literature: np.random.Generator
    organisations: np.random.Generator

    @classmethod
    def from_seed(cls, seed: np.random.SeedSequence) -> Streams:
        """Spawn one child stream per subsystem from the run's seed sequence."""
        children = seed.spawn(len(STREAM_NAMES))
        gens = {
            name: np.random.default_rng(c) for name, c in zip(STREAM_NAMES, children, strict=True)
        }
        return cls(**gens)
