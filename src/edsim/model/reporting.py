"""The yearly outputs of DESIGN.md §9, measured once a year and read by the DataCollector.

All metrics are computed together in :func:`measure_year` (one pass over the outcomes) and the
DataCollector's reporters read them by name, so the row for a year is internally consistent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from edsim.model.implementation import PARTNERSHIP
from edsim.model.metrics import gap_index, mean_gap
from edsim.model.observations import TrialResult
from edsim.model.parallel import parallel_map
from edsim.model.pupils import Outcomes

if TYPE_CHECKING:
    from edsim.model.system import EdSystemModel
    from edsim.scenario.schema import AttainmentSettings

__all__ = ["METRICS", "REPORTERS", "UNDEFINED_WHEN", "Baseline", "YearRecord", "measure_year"]

QUINTILES = 5


@dataclass(frozen=True)
class Baseline:
    """Year-0 reference points: thresholds for the standards and the SD unit, fixed at year 0."""

    ks2_threshold: float
    ks4_threshold: float
    ks2_mean: float
    ks4_mean: float
    ks2_sd: float
    ks4_sd: float
    ks4_gap_index: float
    ks4_gap_sd: float

    @classmethod
    def from_outcomes(cls, ks2: Outcomes, ks4: Outcomes, settings: AttainmentSettings) -> Baseline:
        """Fix thresholds so the year-0 shares at standard match the calibration targets."""
        ks4_sd = float(ks4.scores.std()) or 1.0
        return cls(
            ks2_threshold=float(np.quantile(ks2.scores, 1.0 - settings.ks2_standard_share)),
            ks4_threshold=float(np.quantile(ks4.scores, 1.0 - settings.ks4_standard_share)),
            ks2_mean=float(ks2.scores.mean()),
            ks4_mean=float(ks4.scores.mean()),
            ks2_sd=float(ks2.scores.std()) or 1.0,
            ks4_sd=ks4_sd,
            ks4_gap_index=gap_index(ks4.scores, ks4.disadvantaged),
            ks4_gap_sd=mean_gap(ks4.scores, ks4.disadvantaged, ks4_sd),
        )


@dataclass
class YearRecord:
    """What happened during one year's stages (reset every year)."""

    trials: list[TrialResult] = field(default_factory=list)
    response: str = "none"
    adopted: int = 0
    adopted_in_partnerships: int = 0
    dropped: int = 0
    evaluations: int = 0
    support_days: float = 0.0
    external_published: int = 0
    broker_quality: float = 0.0
    organisations_supported: int = 0
    deficit_relief: float = 0.0


def _key_stage(
    prefix: str, out: Outcomes, threshold: float, mean0: float, sd: float, quintile: np.ndarray
) -> dict[str, float]:
    """The key stage's metrics from per-school sums and one comparison: no per-group copies."""
    x, dis = out.scores, out.disadvantaged
    sums = out.by_school(quintile.size)
    n, n_dis = x.size, float(sums.disadvantaged.sum())
    n_other = n - n_dis
    total, total_dis = float(sums.score.sum()), float(sums.score_disadvantaged.sum())
    mean_dis = total_dis / n_dis if n_dis else 0.0
    mean_other = (total - total_dis) / n_other if n_other else 0.0
    above = x >= threshold
    above_all = int(np.count_nonzero(above))
    above_dis = int(np.count_nonzero(above & dis))
    both = n_dis > 0 and n_other > 0
    m: dict[str, float] = {
        f"{prefix}_gap_index": gap_index(x, dis),
        f"{prefix}_gap_sd": (mean_other - mean_dis) / sd if both else 0.0,
        f"{prefix}_standard_dis": above_dis / n_dis if n_dis else 0.0,
        f"{prefix}_standard_other": (above_all - above_dis) / n_other if n_other else 0.0,
        f"{prefix}_standard_all": above_all / n if n else 0.0,
        f"{prefix}_mean": (total / n - mean0) / sd if n else 0.0,
        f"{prefix}_mean_dis": (mean_dis - mean0) / sd if n_dis else 0.0,
        f"{prefix}_mean_other": (mean_other - mean0) / sd if n_other else 0.0,
        f"{prefix}_disadvantaged_share": n_dis / n if n else 0.0,
    }
    gaps = sums.grouped(quintile, QUINTILES).gaps() / sd
    for q in range(QUINTILES):
        m[f"{prefix}_gap_sd_q{q + 1}"] = float(gaps[q])
    return m


def _by_quintile(name: str, values: np.ndarray, quintile: np.ndarray) -> dict[str, float]:
    sums = np.bincount(quintile, weights=values, minlength=QUINTILES)
    counts = np.maximum(np.bincount(quintile, minlength=QUINTILES), 1)
    return {f"{name}_q{q + 1}": float(sums[q] / counts[q]) for q in range(QUINTILES)}


def measure_year(model: EdSystemModel) -> dict[str, Any]:
    """Every §9 metric for the year just ended."""
    b, t, im, sc = model.baseline, model.schools, model.implementations, model.config
    rec, lv = model.record, model.policymaker.levers
    quintile = t.quintile_of_disadvantage()
    m: dict[str, Any] = {"step": model.year, "year": model.calendar_year}
    # The two key stages are independent array work: side by side on the pupil threads.
    for stage in parallel_map(
        lambda args: _key_stage(*args, quintile),
        [
            ("ks2", model.ks2, b.ks2_threshold, b.ks2_mean, b.ks2_sd),
            ("ks4", model.ks4, b.ks4_threshold, b.ks4_mean, b.ks4_sd),
        ],
    ):
        m.update(stage)

    active = im.active
    engaged = (t.partnership >= 0) | active.any(axis=1)
    m["schools_reached"] = int(engaged.sum())
    m["schools_reached_cumulative"] = int(t.reached.sum())
    m["active_implementations"] = int(active.sum())
    m["mean_quality"] = float(im.quality[active].mean()) if active.any() else 0.0
    m["implementations_adopted"] = rec.adopted
    m["implementations_adopted_in_partnerships"] = rec.adopted_in_partnerships
    m["implementations_dropped"] = rec.dropped
    m["mean_capacity"] = float(t.capacity.mean())
    m["mean_engagement"] = float(t.engagement.mean())
    m["mean_workload"] = float(t.workload.mean())
    m.update(_by_quintile("capacity", t.capacity, quintile))
    m.update(_by_quintile("engagement", t.engagement, quintile))

    national, local = model.world.evidence_error(model.evidence, model.context)
    m["evidence_error_national"] = national
    m["evidence_error_context"] = local
    m["trials_run"] = len(rec.trials)
    m["trials_inconclusive_share"] = (
        float(np.mean([r.inconclusive for r in rec.trials])) if rec.trials else 0.0
    )
    m["local_evaluations"] = rec.evaluations
    m["local_evaluations_cumulative"] = int(model.evidence.n_local.sum())
    m["evidence_learnable_share"] = model.world.learnable_share(model.context)
    m["evidence_uncertainty_context"] = model.evidence.context_uncertainty(model.context)
    m["evidence_uncertainty_moderators"] = model.evidence.moderator_uncertainty()
    m["toolkit_error_national"] = model.world.toolkit_error(model.evidence)
    m["external_studies_published"] = rec.external_published
    m["workforce_literacy"] = float(t.literacy.mean())
    m["broker_quality"] = rec.broker_quality
    m["deficit_relief"] = rec.deficit_relief
    m["organisations_supported"] = rec.organisations_supported
    m["organisation_capacity"] = float(model.organisations.capacity.mean())
    m["partnerships_active"] = len(model.partnerships)
    in_p = t.partnership >= 0
    m["schools_in_partnerships"] = int(in_p.sum())
    m["schools_partnered_cumulative"] = int(t.ever_partnered.sum())
    partnership_work = (im.channel == PARTNERSHIP) & active
    m["partnership_approaches_per_member"] = (
        float(partnership_work[in_p].sum() / in_p.sum()) if in_p.any() else 0.0
    )

    m["accountability_pressure"] = lv.accountability_pressure
    m["prescription"] = lv.prescription
    m["evidence_push"] = lv.evidence_push
    m["research_funding"] = lv.research_funding
    m["pupil_premium_primary"] = lv.pupil_premium_primary
    m["pupil_premium_secondary"] = lv.pupil_premium_secondary
    m["partnership_targeting"] = lv.partnership_targeting
    m["research_orientation"] = lv.research_orientation
    m["policy_response"] = rec.response

    rate = np.where(t.phase == 0, lv.pupil_premium_primary, lv.pupil_premium_secondary)
    m["spend_pupil_premium"] = float((rate * t.n_disadvantaged).sum())
    # England's programme is paid for nationally; a sample of England carries its share.
    research_share = 1.0 if sc.regime.research.scale_with_scenario else sc.population.scale
    m["spend_research"] = len(rec.trials) * sc.evidence.trial_cost * research_share
    m["spend_partnerships"] = rec.support_days * sc.regime.partnerships.cost_per_day
    m["spend_organisations"] = (
        rec.organisations_supported * sc.regime.organisations.cost_per_organisation
    )
    previous = getattr(model, "latest", None) or {}
    m["spend_evidence_cumulative"] = (
        previous.get("spend_evidence_cumulative", 0.0)
        + m["spend_research"]
        + m["spend_partnerships"]
        + m["spend_organisations"]
    )
    return m


#: Metrics that are undefined (NaN) in documented circumstances, and why. None today: the cost
#: per SD of gap closed needs a no-evidence run to compare with, so it is computed by the
#: analysis layer (``edsim.analysis.cost_per_sd_closed``), not per run.
UNDEFINED_WHEN: dict[str, str] = {}


def _read_metric(name: str, model: EdSystemModel) -> Any:
    """Reporter body: the named metric of the year just measured."""
    return model.latest[name]


def _metric_names() -> list[str]:
    names = ["step", "year"]
    for ks in ("ks2", "ks4"):
        names += [
            f"{ks}_{s}"
            for s in (
                "gap_index",
                "gap_sd",
                "standard_dis",
                "standard_other",
                "standard_all",
                "mean",
                "mean_dis",
                "mean_other",
                "disadvantaged_share",
            )
        ]
        names += [f"{ks}_gap_sd_q{q + 1}" for q in range(QUINTILES)]
    names += [
        "schools_reached",
        "schools_reached_cumulative",
        "active_implementations",
        "mean_quality",
        "implementations_adopted",
        "implementations_adopted_in_partnerships",
        "implementations_dropped",
        "mean_capacity",
        "mean_engagement",
        "mean_workload",
    ]
    names += [f"capacity_q{q + 1}" for q in range(QUINTILES)]
    names += [f"engagement_q{q + 1}" for q in range(QUINTILES)]
    names += [
        "evidence_error_national",
        "evidence_error_context",
        "trials_run",
        "trials_inconclusive_share",
        "local_evaluations",
        "local_evaluations_cumulative",
        "evidence_learnable_share",
        "evidence_uncertainty_context",
        "evidence_uncertainty_moderators",
        "toolkit_error_national",
        "external_studies_published",
        "workforce_literacy",
        "broker_quality",
        "organisations_supported",
        "organisation_capacity",
        "partnerships_active",
        "schools_in_partnerships",
        "schools_partnered_cumulative",
        "partnership_approaches_per_member",
        "accountability_pressure",
        "prescription",
        "evidence_push",
        "research_funding",
        "pupil_premium_primary",
        "pupil_premium_secondary",
        "deficit_relief",
        "partnership_targeting",
        "research_orientation",
        "policy_response",
        "spend_pupil_premium",
        "spend_research",
        "spend_partnerships",
        "spend_organisations",
        "spend_evidence_cumulative",
    ]
    return names


#: Every column of the yearly trajectory, in order.
METRICS: tuple[str, ...] = tuple(_metric_names())
#: DataCollector reporters (picklable partials, which Mesa calls with the model).
REPORTERS: dict[str, partial[Any]] = {name: partial(_read_metric, name) for name in METRICS}
