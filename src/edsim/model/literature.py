"""The wider literature the Toolkit takes in: developer-led and publication-filtered (issue 14).

The EEF's own trials are independently evaluated and published "no matter what the outcomes";
the Toolkit's meta-analyses also pool the wider literature, where developer-commissioned
evaluations report larger effects (Wolf et al. 2020) and null results are far less often
published (Franco, Malhotra & Simonovits 2014). Each year ``evidence.external_studies_per_year``
small studies of random strands run in the world (at efficacy quality, like a developer's own);
each reports its estimate inflated by ``developer_bias`` and is published, and so pooled into the
evidence base, if significantly positive, else with probability ``null_publication``. Nothing
here reads the truth: the world runs each study and returns its report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from edsim.model.evidence import EvidenceBase
from edsim.model.observations import TrialDesign

if TYPE_CHECKING:
    from edsim.model.researchers import RunTrial
    from edsim.scenario.schema import EvidenceSettings

__all__ = ["Literature"]


@dataclass(frozen=True)
class Literature:
    """This year's external studies: how many are expected and how each is run.

    Attributes:
        run: Carries out a designed study in the world and returns its report (the only
            access to the truth, as for the EEF's trials).
        settings: The evidence settings (study size, developer bias, publication filter).
        expected: Studies expected this year (the fractional part is drawn).
        capped: Whether a study's size is capped by the scenario's schools.
    """

    run: RunTrial
    settings: EvidenceSettings
    expected: float
    capped: bool

    def take_in(
        self, evidence: EvidenceBase, studiable: NDArray[np.bool_], rng: np.random.Generator
    ) -> int:
        """Run this year's studies and pool the published ones; return how many were.

        ``studiable[k]`` says whether strand ``k`` has schools enough to study (two or more of
        its phase); a study drawn for any other strand is not run.

        The number of studies, their strands and the publication draws come from ``rng`` (the
        run's ``literature`` stream) alone, so they pair exactly across regimes.
        """
        ev, expected = self.settings, self.expected
        n = int(expected) + int(rng.random() < expected - int(expected))
        published = 0
        for k in rng.integers(0, studiable.size, n):
            u = rng.random()
            if not studiable[k]:
                continue
            r = self.run(int(k), TrialDesign(ev.external_schools, False, self.capped))
            reported = r.estimate * (1.0 + ev.developer_bias)
            if reported < 1.96 * r.se and u >= ev.null_publication:
                continue  # the file drawer
            q = max(r.quality, ev.min_reported_quality)
            evidence.observe(
                np.array([k]),
                r.context[None, :],
                np.array([reported / q]),
                np.array([r.se / q]),
                n_contexts=r.n_schools / 2,
            )
            evidence.n_external[k] += 1
            published += 1
        return published
