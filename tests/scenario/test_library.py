"""The shipped scenario library: every file documented, valid, runnable, and meaning what it says.

Each file in ``scenarios/`` is loaded and run for two years once (cached for the module); the
semantic checks at the end read those runs and the loaded settings, so a wrong mapping (a regime
that reaches schools it should not, partnerships that are not broad, a falsification world that
is not homogeneous) fails here rather than in a published comparison.
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from ruamel.yaml import YAML

import edsim
from edsim import Scenario, load_scenario
from edsim.model.brokers import broker_plan

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
SCHEMA_LINE = "# yaml-language-server: $schema=../docs/scenario.schema.json"

#: The library as documented: file stem -> the file it extends (None for the root).
LIBRARY: dict[str, str | None] = {
    "england": None,
    "linkage_exchange": "england",
    "no_evidence_system": "england",
    "eef_partnerships_2019_2023": "england",
    "eef_refreshed_2024": "england",
    "high_stakes_accountability": "england",
    "bury_the_evidence": "england",
    "less_central_direction": "linkage_exchange",
    "homogeneous_world": "england",
    "small": "england",
    "teaching": "small",
    "england_sample": "england",
}

#: Every scenario file present, so a file added later gets the same checks.
SHIPPED = sorted(path.stem for path in SCENARIOS.glob("*.yaml"))


@cache
def scenario(stem: str) -> Scenario:
    return load_scenario(SCENARIOS / f"{stem}.yaml")


@cache
def trajectory(stem: str) -> pd.DataFrame:
    return edsim.run(SCENARIOS / f"{stem}.yaml", seed=0, years=2)


def raw(stem: str) -> dict[str, object]:
    """The file's own keys, before any `extends` is resolved."""
    return YAML(typ="safe", pure=True).load((SCENARIOS / f"{stem}.yaml").read_text("utf-8"))


def header(stem: str) -> list[str]:
    """The comment lines before the first YAML key (the schema line included)."""
    lines = []
    for line in (SCENARIOS / f"{stem}.yaml").read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            break
        lines.append(line)
    return lines


def year2(stem: str) -> pd.Series:
    return trajectory(stem).iloc[2]


# --- every file --------------------------------------------------------------------------------


def test_the_documented_library_is_shipped() -> None:
    missing = sorted(set(LIBRARY) - set(SHIPPED))
    assert not missing, f"scenarios/ lacks {missing}"


@pytest.mark.parametrize("stem", sorted(LIBRARY))
def test_each_file_extends_the_documented_parent(stem: str) -> None:
    assert raw(stem).get("extends") == LIBRARY[stem]


@pytest.mark.parametrize("stem", SHIPPED)
def test_first_line_is_the_schema_comment(stem: str) -> None:
    first = (SCENARIOS / f"{stem}.yaml").read_text("utf-8").splitlines()[0]
    assert first == SCHEMA_LINE


@pytest.mark.parametrize("stem", SHIPPED)
def test_header_says_what_it_changes_and_cites_its_sources(stem: str) -> None:
    lines = header(stem)
    text = "\n".join(lines[1:]).lower()
    words = [line for line in lines[1:] if line.strip("# ")]
    assert len(words) >= 3, "needs a comment header of at least 3 lines before the first key"
    parent = raw(stem).get("extends")
    changes = f"changes from {parent}.yaml" if parent else "changes from its parent: none"
    assert changes in text
    assert "sources:" in text
    assert "docs/sources.md" in text  # the figures and the source documents, in the repository
    assert "moss 2024" in text or "swaffield 2024" in text  # a source document by author


@pytest.mark.parametrize("stem", SHIPPED)
def test_name_is_the_file_stem(stem: str) -> None:
    assert scenario(stem).name == stem
    assert scenario(stem).description


@pytest.mark.parametrize("stem", SHIPPED)
def test_runs_two_years_with_finite_gaps(stem: str) -> None:
    df = trajectory(stem)
    assert len(df) == 3
    assert df["year"].tolist() == [scenario(stem).start_year + i for i in range(3)]
    for column in ("ks2_gap_index", "ks4_gap_index", "ks2_gap_sd", "ks4_gap_sd"):
        assert all(math.isfinite(v) for v in df[column]), column


# --- what each file means ----------------------------------------------------------------------


def test_linkage_exchange_changes_only_the_regime() -> None:
    le, eng = scenario("linkage_exchange"), scenario("england")
    assert le.regime == Scenario.model_validate({"regime": "linkage_exchange"}).regime
    keep = {"name", "description", "regime"}
    assert le.model_dump(exclude=keep) == eng.model_dump(exclude=keep)


def test_no_evidence_system_runs_no_trials_and_reaches_no_schools() -> None:
    s = scenario("no_evidence_system")
    assert s.regime == Scenario.model_validate({"regime": "none"}).regime
    assert s.policy == scenario("england").policy  # the Pupil Premium is still paid
    df = trajectory("no_evidence_system")
    assert (df["trials_run"] == 0).all()
    assert (df["schools_reached_cumulative"] == 0).all()
    assert (df["partnerships_active"] == 0).all()
    assert (df["spend_pupil_premium"].iloc[1:] > 0).all()


def test_eef_2019_2023_is_broad_light_and_on_top_of_the_push() -> None:
    s, eng = scenario("eef_partnerships_2019_2023"), scenario("england")
    p = s.regime.partnerships
    assert p.enabled
    assert (p.exploration_years, p.action_years) == (0, 1)
    assert p.days_per_school < s.regime.support.reference_days / 2  # light follow-on
    budget = p.n_brokers * p.days_per_broker / p.days_per_school
    assert budget == pytest.approx(1500)  # ~6,000 schools over 4 years
    assert s.regime.dissemination == eng.regime.dissemination  # push kept
    assert s.regime.feedback.mode == "none"
    assert s.policy == eng.policy
    assert s.regime.advocacy.strength > 0  # the Research Schools' communication (strand 1)
    assert not s.regime.organisations.enabled  # strand 3 came with the 2024 strategy
    row = year2("eef_partnerships_2019_2023")
    assert row["partnerships_active"] > 0
    # ~50 schools a broker against a declared span of 40: support diluted (seed 003).
    assert row["broker_quality"] < 0.8 * 1.0
    assert 1000 <= row["schools_in_partnerships"] <= 1500


def test_refreshed_2024_is_fewer_deeper_targeted_partnerships() -> None:
    s, eng = scenario("eef_refreshed_2024"), scenario("england")
    broad = scenario("eef_partnerships_2019_2023").regime.partnerships
    p = s.regime.partnerships
    assert p.enabled
    assert (p.exploration_years, p.action_years) == (1, 2)
    assert p.targeting == "disadvantage"
    assert p.days_per_school > broad.days_per_school
    # The three strands (seed 003): advocacy, partnerships, support for local organisations;
    # England's accountability-backed push and its government are unchanged.
    assert s.regime.advocacy.strength > 0
    assert s.regime.organisations.enabled
    assert s.regime.organisations.supported == 20  # "twenty local authorities and MATs"
    assert s.regime.dissemination == eng.regime.dissemination
    assert s.regime.selection.mode == "context_aware"
    assert s.regime.feedback.mode == "local_evaluation"
    assert s.regime.policy_response == eng.regime.policy_response  # government unchanged
    row = year2("eef_refreshed_2024")
    assert row["schools_in_partnerships"] == 300  # Schools Week, Nov 2024
    assert row["organisations_supported"] == 20
    assert row["organisation_capacity"] > 0
    # 10 partnerships of 30 when every one is primary; a secondary partnership is smaller (an
    # area has ~20 secondary schools), and the days left open another.
    assert 10 <= row["partnerships_active"] <= 16


def test_breadth_has_more_schools_per_partnership_than_depth() -> None:
    broad, deep = year2("eef_partnerships_2019_2023"), year2("eef_refreshed_2024")
    per_broad = broad["schools_in_partnerships"] / broad["partnerships_active"]
    per_deep = deep["schools_in_partnerships"] / deep["partnerships_active"]
    assert per_broad > per_deep
    assert broad["schools_in_partnerships"] > deep["schools_in_partnerships"]


def test_homogeneous_world_has_no_heterogeneity_and_no_capacity_gradient() -> None:
    s, eng = scenario("homogeneous_world"), scenario("england")
    assert s.truth.heterogeneity == 0
    assert s.truth.disadvantage_moderator_sd == 0
    assert s.truth.capacity_moderator == 0
    assert s.schools.capacity_gradient == 0
    assert s.schools.capacity_sd == 0
    assert s.regime == eng.regime
    assert s.truth.efficacy_inflation == eng.truth.efficacy_inflation  # beliefs still inflated
    df = trajectory("homogeneous_world")
    assert df["capacity_q1"].iloc[0] == pytest.approx(df["capacity_q5"].iloc[0])


def test_high_stakes_pushes_harder_and_only_pressures_or_blames() -> None:
    s, eng = scenario("high_stakes_accountability"), scenario("england")
    assert s.policy.accountability_pressure > eng.policy.accountability_pressure
    assert s.policy.reform_cycle < eng.policy.reform_cycle
    assert s.policy.target_gap_reduction > eng.policy.target_gap_reduction
    r = s.regime.policy_response
    assert r.mode == "pressure_driven"
    assert r.more_pressure > 0
    assert r.blame_practitioners > 0
    assert r.switch_evidence == 0
    assert r.bury_evidence == 0
    first = trajectory("high_stakes_accountability")["accountability_pressure"].iloc[0]
    assert first > trajectory("england")["accountability_pressure"].iloc[0]


def test_bury_the_evidence_only_buries_and_cuts_deeper() -> None:
    s, eng = scenario("bury_the_evidence"), scenario("england")
    r = s.regime.policy_response
    assert r.mode == "pressure_driven"
    assert r.bury_evidence > 0
    assert r.more_pressure == r.switch_evidence == r.blame_practitioners == 0
    assert s.policy.funding_cut > eng.policy.funding_cut


def test_less_central_direction_steps_the_centre_back() -> None:
    s = scenario("less_central_direction")
    le, eng = scenario("linkage_exchange"), scenario("england")
    assert s.policy.accountability_pressure < eng.policy.accountability_pressure
    assert s.policy.evidence_push < eng.policy.evidence_push
    assert s.regime.prescription < le.regime.prescription < eng.regime.prescription
    assert 0 < s.regime.dissemination.push_strength < eng.regime.dissemination.push_strength
    assert s.regime.feedback.mode == "local_evaluation"
    assert s.regime.policy_response.mode == "deliberative"
    assert s.regime.research.orientation == "pull"
    assert s.regime.partnerships == le.regime.partnerships


@pytest.mark.parametrize("stem", ["small", "teaching", "england_sample"])
def test_scaled_englands_keep_englands_proportions(stem: str) -> None:
    s, eng = scenario(stem), scenario("england")
    scale = s.population.n_primary_schools / eng.population.n_primary_schools
    pop, full = s.population, eng.population
    for field in ("n_secondary_schools", "primary_pupils", "secondary_pupils"):
        assert getattr(pop, field) / getattr(full, field) == pytest.approx(scale, rel=0.02), field
    assert pop.scale == pytest.approx(scale, rel=0.02)
    # Partnership capacity is England's, declared once; the model scales it with the population,
    # so the file keeps England's whole regime.
    assert s.regime == eng.regime
    ps = s.regime.partnerships.model_copy(update={"enabled": True})
    shares = np.array([r.pupil_share for r in s.regions])
    days = sum(d for _, d, _ in broker_plan(shares, ps, pop.scale))
    full_days = ps.n_brokers * ps.days_per_broker
    assert abs(days - full_days * pop.scale) <= ps.days_per_school / 2
    assert days / full_days == pytest.approx(scale, rel=0.02)
    assert (s.start_year, s.years) == (eng.start_year, eng.years)


def test_teaching_is_a_few_hundred_schools_larger_than_small() -> None:
    def schools(stem: str) -> int:
        pop = scenario(stem).population
        return pop.n_primary_schools + pop.n_secondary_schools

    assert schools("small") < schools("teaching") < 1000
