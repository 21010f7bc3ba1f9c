"""Schools: the column-wise school table, its construction, and the ``School`` agent view.

Twenty thousand schools each deciding in Python every year would dominate run time, so school
state lives in arrays (:class:`SchoolTable`) and the yearly rules are written over all schools at
once. Each school is still a Mesa agent (:class:`School`) in ``model.agents``: a view onto its
row, for inspection, the visualisation and analysis.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import mesa
import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from edsim.model.implementation import Implementation, ImplementationTable
    from edsim.scenario.schema import Scenario

__all__ = [
    "PRIMARY",
    "SECONDARY",
    "School",
    "SchoolTable",
    "build_schools",
    "largest_remainder",
]

PRIMARY, SECONDARY = 0, 1


@dataclass
class SchoolTable:
    """State of every school, one array per attribute (index = school id)."""

    phase: NDArray[np.int8]
    region: NDArray[np.int16]
    area: NDArray[np.int32]
    n_regions: int
    n_areas: int
    nominal_share: NDArray[np.float64]  # disadvantage share the school was set up with
    intake: NDArray[np.float64]  # expected pupils per year group
    value_added: NDArray[np.float64]  # yearly value-added (SD)
    capacity_baseline: NDArray[np.float64]
    capacity: NDArray[np.float64]
    engagement: NDArray[np.float64]
    neighbourhood: NDArray[np.float64]  # mean entry attainment beyond disadvantage (SD)
    share: NDArray[np.float64] = field(init=False)  # current disadvantage share
    workload: NDArray[np.float64] = field(init=False)
    exposure: NDArray[np.float64] = field(init=False)  # accountability exposure (low results)
    gap: NDArray[np.float64] = field(init=False)  # latest within-school attainment gap
    reached: NDArray[np.bool_] = field(init=False)  # ever reached by the evidence system
    partnership: NDArray[np.int32] = field(init=False)  # partnership id or -1
    ever_partnered: NDArray[np.bool_] = field(init=False)  # recruited to a partnership before
    partnerships_joined: NDArray[np.int32] = field(init=False)  # how many times recruited
    support: NDArray[np.float64] = field(init=False)  # support intensity this year (0-1)
    literacy: NDArray[np.float64] = field(init=False)  # workforce evidence literacy (0-1)
    n_pupils: NDArray[np.float64] = field(init=False)
    n_disadvantaged: NDArray[np.float64] = field(init=False)
    primary_index: NDArray[np.intp] = field(init=False)
    secondary_index: NDArray[np.intp] = field(init=False)
    secondary_in_region: list[NDArray[np.intp]] = field(init=False)

    def __post_init__(self) -> None:
        n = self.phase.size
        self.share = self.nominal_share.copy()
        self.workload = np.zeros(n)
        self.exposure = np.full(n, 0.5)
        self.gap = np.zeros(n)
        self.reached = np.zeros(n, dtype=bool)
        self.partnership = np.full(n, -1, dtype=np.int32)
        self.ever_partnered = np.zeros(n, dtype=bool)
        self.partnerships_joined = np.zeros(n, dtype=np.int32)
        self.support = np.zeros(n)
        self.literacy = np.zeros(n)
        self.n_pupils = np.zeros(n)
        self.n_disadvantaged = np.zeros(n)
        self.primary_index = np.flatnonzero(self.phase == PRIMARY)
        self.secondary_index = np.flatnonzero(self.phase == SECONDARY)
        self.secondary_in_region = [
            np.flatnonzero((self.phase == SECONDARY) & (self.region == r))
            for r in range(self.n_regions)
        ]

    @property
    def n(self) -> int:
        """Number of schools."""
        return int(self.phase.size)

    def context(self) -> NDArray[np.float64]:
        """Context features per school, centred: (1, disadvantage share, baseline capacity).

        The hidden truth and the evidence base's context model both use these (fixed at
        set-up, so a school's true effects do not drift as its capacity changes).
        """
        x = np.empty((self.n, 3))
        x[:, 0] = 1.0
        x[:, 1] = self.nominal_share - self.nominal_share.mean()
        x[:, 2] = self.capacity_baseline - self.capacity_baseline.mean()
        return x

    def quintile_of_disadvantage(self) -> NDArray[np.int64]:
        """Each school's disadvantage-share quintile within its phase (0 = least disadvantaged)."""
        q = np.zeros(self.n, dtype=np.int64)
        for idx in (self.primary_index, self.secondary_index):
            if idx.size:
                ranks = np.argsort(np.argsort(self.share[idx], kind="stable"), kind="stable")
                q[idx] = np.minimum(ranks * 5 // idx.size, 4)
        return q


def largest_remainder(
    total: int, weights: NDArray[np.float64], minimum: int = 1
) -> NDArray[np.int64]:
    """Split ``total`` items over groups in proportion to ``weights`` (largest remainder)."""
    w = weights / weights.sum()
    base = np.maximum(np.floor(w * total).astype(np.int64), minimum)
    while base.sum() > total and (base > minimum).any():
        base[np.argmax(np.where(base > minimum, base - w * total, -np.inf))] -= 1
    remainder = w * total - base
    for i in np.argsort(-remainder)[: max(0, total - int(base.sum()))]:
        base[i] += 1
    return base


def _beta(
    rng: np.random.Generator, mean: NDArray[np.float64], concentration: float
) -> NDArray[np.float64]:
    m = np.clip(mean, 1e-3, 1 - 1e-3)
    return rng.beta(np.maximum(m * concentration, 1e-6), np.maximum((1 - m) * concentration, 1e-6))


def build_schools(scenario: Scenario, rng: np.random.Generator) -> SchoolTable:
    """Create England's schools: regions, local areas, disadvantage, size, capacity, value-added.

    Disadvantage is concentrated in two Beta layers (local area around the regional rate, school
    around the area rate) so the national share and its unevenness match docs/sources.md.
    """
    pop, sch, att = scenario.population, scenario.schools, scenario.attainment
    regions = scenario.regions
    n_regions = len(regions)
    pupil_w = np.array([r.pupil_share for r in regions])
    index = np.array([r.disadvantage_index for r in regions])
    region_rate = pop.disadvantaged_share * index / np.dot(pupil_w / pupil_w.sum(), index)

    phases, region_of = [], []
    for phase, count in ((PRIMARY, pop.n_primary_schools), (SECONDARY, pop.n_secondary_schools)):
        per_region = largest_remainder(count, pupil_w)
        region_of.append(np.repeat(np.arange(n_regions), per_region))
        phases.append(np.full(int(per_region.sum()), phase, dtype=np.int8))
    phase_arr = np.concatenate(phases)
    region = np.concatenate(region_of).astype(np.int16)
    n = phase_arr.size

    n_areas = n_regions * pop.local_areas_per_region
    area_rate = _beta(
        rng, np.repeat(region_rate, pop.local_areas_per_region), pop.area_concentration
    )
    area = region.astype(np.int32) * pop.local_areas_per_region + rng.integers(
        0, pop.local_areas_per_region, n
    ).astype(np.int32)
    share = _beta(rng, area_rate[area], pop.school_concentration)

    sigma = np.sqrt(np.log1p(pop.school_size_cv**2))
    size = rng.lognormal(-0.5 * sigma**2, sigma, n)
    cohort = np.where(
        phase_arr == PRIMARY,
        pop.primary_pupils / 7.0 / pop.n_primary_schools,
        pop.secondary_pupils / 5.0 / pop.n_secondary_schools,
    )
    intake = np.maximum(size * cohort, 1.0)

    cap = sch.capacity_mean - sch.capacity_gradient * (share - pop.disadvantaged_share)
    cap = np.clip(cap + sch.capacity_sd * rng.standard_normal(n), 0.05, 1.0)
    engagement = np.clip(sch.engagement_mean + sch.engagement_sd * rng.standard_normal(n), 0.0, 1.0)
    va = att.value_added_sd * rng.standard_normal(n) + att.value_added_disadvantage_slope * (
        share - pop.disadvantaged_share
    )
    neighbourhood = np.where(
        phase_arr == PRIMARY, pop.neighbourhood_sd * rng.standard_normal(n), 0.0
    )

    return SchoolTable(
        phase=phase_arr,
        region=region,
        area=area,
        n_regions=n_regions,
        n_areas=n_areas,
        nominal_share=share,
        intake=intake,
        value_added=va,
        capacity_baseline=cap.copy(),
        capacity=cap,
        engagement=engagement,
        neighbourhood=neighbourhood,
    )


class School(mesa.Agent):
    """One school: a Mesa agent whose state is its row of the :class:`SchoolTable`."""

    def __init__(
        self,
        model: mesa.Model,
        index: int,
        table: SchoolTable,
        implementations: ImplementationTable,
    ) -> None:
        super().__init__(model)
        self.index = index
        self._table = table
        self._implementations = implementations

    @property
    def phase(self) -> str:
        """'primary' or 'secondary'."""
        return "primary" if self._table.phase[self.index] == PRIMARY else "secondary"

    @property
    def region(self) -> int:
        """Region index."""
        return int(self._table.region[self.index])

    @property
    def local_area(self) -> int:
        """Local area index (partnerships form within one)."""
        return int(self._table.area[self.index])

    @property
    def disadvantage_share(self) -> float:
        """Current share of disadvantaged pupils."""
        return float(self._table.share[self.index])

    @property
    def capacity(self) -> float:
        """Current capacity (0-1)."""
        return float(self._table.capacity[self.index])

    @property
    def engagement(self) -> float:
        """Current research engagement (0-1)."""
        return float(self._table.engagement[self.index])

    @property
    def workload(self) -> float:
        """Current workload on the capacity scale."""
        return float(self._table.workload[self.index])

    @property
    def in_partnership(self) -> bool:
        """Whether the school is in an active partnership."""
        return bool(self._table.partnership[self.index] >= 0)

    @property
    def implementations(self) -> list[Implementation]:
        """The school's active implementations."""
        return self._implementations.of_school(self.index)
