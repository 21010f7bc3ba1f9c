"""Researchers (the EEF and universities): run trials that feed the evidence base (§6)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import mesa
import numpy as np
from numpy.typing import NDArray

from edsim.model.evidence import EvidenceBase
from edsim.model.observations import TrialDesign, TrialResult

if TYPE_CHECKING:
    from edsim.scenario.schema import EvidenceSettings

__all__ = ["Programme", "Researcher", "RunTrial", "choose_topic"]

#: Runs a designed trial of an intervention in the world and returns what it reports.
RunTrial = Callable[[int, TrialDesign], TrialResult]


def choose_topic(
    orientation: str, evidence: EvidenceBase, asked: NDArray[np.float64], rng: np.random.Generator
) -> int:
    """Which intervention a researcher tests next.

    'push': the most promising strand least tested so far (belief discounted by trials run).
    'pull': a question partner schools raised (sampled by how many partnerships chose it);
    with no questions raised, the strand the system is least certain about.
    """
    u = rng.random(evidence.n_interventions)
    if orientation == "pull":
        if asked.sum() > 0:
            return int(
                np.searchsorted(np.cumsum(asked / asked.sum()), u[0], side="right").clip(
                    0, asked.size - 1
                )
            )
        return int(np.argmax(evidence.national_sd + 1e-6 * u))
    score = evidence.national / (1.0 + evidence.n_trials) + 1e-6 * u
    return int(np.argmax(score))


class Researcher(mesa.Agent):
    """An evidence producer with a share of the year's trials."""

    def __init__(self, model: mesa.Model) -> None:
        super().__init__(model)
        self.trials_run = 0

    def run_trials(
        self,
        n_trials: int,
        orientation: str,
        evidence: EvidenceBase,
        eligible_by_k: list[NDArray[np.intp]],
        asked: NDArray[np.float64],
        settings: EvidenceSettings,
        programme: Programme,
        rng: np.random.Generator,
    ) -> list[TrialResult]:
        """Choose, design and commission this year's trials; pool each result into the base.

        The researcher sees beliefs and the questions partnerships raised, never the truth:
        ``programme.run`` carries out the trial in the world and returns its report. The
        estimate is divided by the trial's measured implementation quality (trials report
        fidelity in their process evaluation), so the base learns full-quality effects.
        """
        results = []
        for _ in range(n_trials):
            k = choose_topic(orientation, evidence, asked, rng)
            eligible = eligible_by_k[k]
            if eligible.size < 2:
                continue
            effectiveness = bool(rng.random() < programme.effectiveness_share)
            j = int(
                rng.integers(settings.schools_per_trial_min, settings.schools_per_trial_max + 1)
            )
            r = programme.run(k, TrialDesign(j, effectiveness, programme.capped))
            q = max(r.quality, settings.min_reported_quality)
            evidence.observe(
                np.array([k]),
                r.context[None, :],
                np.array([r.estimate / q]),
                np.array([r.se / q]),
                n_contexts=r.n_schools / 2,
            )
            evidence.n_trials[k] += 1
            results.append(r)
        self.trials_run += len(results)
        return results


@dataclass(frozen=True)
class Programme:
    """The research programme a researcher works within (no truth: ``run`` observes it).

    Attributes:
        run: Carries out a designed trial and returns its report.
        effectiveness_share: Share of trials at effectiveness (as schools would implement)
            rather than efficacy quality.
        capped: Whether a trial's size is capped by the schools the scenario has
            (``research.scale_with_scenario``).
    """

    run: RunTrial
    effectiveness_share: float
    capped: bool
