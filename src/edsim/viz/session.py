"""A pair of runs stepping in lockstep: the same seed under two regimes (side-by-side mode).

:class:`LockstepPair` is a Mesa model whose step steps both of its panes, so Mesa's SolaraViz
can drive it (play, pause, step, reset, model parameters) exactly as it drives any model. Each
pane holds an ordinary :class:`~edsim.model.EdSystemModel` built with the same seed; because the
model draws every random number from per-subsystem streams of that seed (DESIGN.md §3), the two
panes see the same schools, pupils and noise, and differ only through their regime. The viz
never draws from those streams, so a pane's trajectory equals ``edsim.run`` for the same seed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import mesa

from edsim.model import EdSystemModel
from edsim.scenario.schema import Scenario
from edsim.viz.controls import REGIME_LABELS, REGIME_OWN, overrides_for
from edsim.viz.events import PolicyReview, describe_year
from edsim.viz.layout import SchoolLayout, school_layout

__all__ = ["LockstepPair", "Pane"]

#: Event-log lines kept per pane (the log shows the newest).
MAX_EVENTS = 200


@dataclass
class Pane:
    """One side of the comparison: a regime, its model and what has happened so far.

    Attributes:
        key: "a" (left, solid lines) or "b" (right, dashed lines).
        regime: The preset name.
        model_seed: The seed the model was built with.
        model: The running model.
        overrides: The keyword overrides the model was built with (for ``edsim.run``).
        layout: Where the system view draws each school (fixed for the run).
        events: Plain-words event log, oldest first.
    """

    key: str
    regime: str
    model_seed: int
    model: EdSystemModel
    overrides: dict[str, Any]
    layout: SchoolLayout
    events: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The regime in plain words."""
        return REGIME_LABELS.get(self.regime, self.regime)

    def step(self) -> None:
        """Advance one year and log what happened."""
        previous = self.model.latest
        self.model.step()
        cfg = self.model.config
        review = PolicyReview(
            cfg.policy.reform_cycle,
            cfg.policy.target_gap_reduction,
            self.model.baseline.ks4_gap_index,
        )
        self.events.extend(describe_year(self.model.latest, previous, review, self.model.schools.n))
        del self.events[:-MAX_EVENTS]


class LockstepPair(mesa.Model):
    """One or two runs of a scenario under different regimes, same seed, same year.

    Every keyword is a control of the browser app (Mesa's SolaraViz passes them on Reset), so
    there is deliberately no ``**kwargs`` and no parameter called ``scenario`` (Mesa 3.5 would
    pass its own scenario object to either).

    Args:
        base: The loaded scenario both panes start from (default: the built-in one).
        regime_a: Preset of the left pane.
        regime_b: Preset of the right pane.
        side_by_side: Whether the right pane runs at all.
        seed: Root seed of both panes.
        years: Horizon in years (None: the scenario's).
        accountability_pressure: Lever value (None: the scenario's); likewise the other
            numeric levers of :data:`~edsim.viz.controls.LEVERS`.
        partnership_capacity: Support days per broker per year, declared for England (the
            model gives the scenario its share).
        partnership_depth: Support days per school per year.
        heterogeneity: SD of true effects across contexts.
        pupil_premium: Multiplier on the Pupil Premium rates.
        prescription: "regime's own" or a value for both panes.
        feedback: "regime's own", "on" or "off".

    Raises:
        edsim.errors.ScenarioError: If a lever value is out of the scenario's range.
    """

    def __init__(
        self,
        base: Scenario | None = None,
        regime_a: str = "disseminate_to",
        regime_b: str = "linkage_exchange",
        side_by_side: bool = True,
        seed: int = 0,
        years: int | None = None,
        accountability_pressure: float | None = None,
        partnership_capacity: float | None = None,
        partnership_depth: float | None = None,
        heterogeneity: float | None = None,
        pupil_premium: float | None = None,
        prescription: str = REGIME_OWN,
        feedback: str = REGIME_OWN,
    ) -> None:
        # The pair's own generator is never used: all randomness lives in the panes' models.
        super().__init__(rng=int(seed))
        self.base = base if base is not None else Scenario()
        self.seed = int(seed)
        levers = {
            "accountability_pressure": accountability_pressure,
            "partnership_capacity": partnership_capacity,
            "partnership_depth": partnership_depth,
            "heterogeneity": heterogeneity,
            "pupil_premium": pupil_premium,
        }
        regimes = [("a", regime_a)] + ([("b", regime_b)] if side_by_side else [])
        self.panes: list[Pane] = []
        for key, regime in regimes:
            overrides = overrides_for(
                regime, levers, prescription=prescription, feedback=feedback, years=years
            )
            model = EdSystemModel(self.base, rng=self.seed, **overrides)
            layout = school_layout(model.schools, tuple(r.name for r in model.config.regions))
            self.panes.append(Pane(key, regime, self.seed, model, overrides, layout))
        self.running = True

    @property
    def year(self) -> int:
        """The model year both panes have reached."""
        return self.panes[0].model.year

    @property
    def calendar_year(self) -> int:
        """The calendar year both panes have reached."""
        return self.panes[0].model.calendar_year

    def step(self) -> None:
        """Advance every pane by one year (a finished pane is left at its last year)."""
        for pane in self.panes:
            if pane.model.running:
                pane.step()
        self.running = any(pane.model.running for pane in self.panes)
