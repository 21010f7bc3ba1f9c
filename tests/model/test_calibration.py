"""Year 0 reproduces docs/sources.md (at small scale, averaged over seeds, wider tolerance).

Full-scale figures: `edsim baseline` (quoted in docs/calibration.md).
"""

import pytest

from edsim.calibration import year0_report


@pytest.fixture(scope="module")
def report(small):
    return year0_report(small, seeds=8)


@pytest.mark.parametrize(
    ("metric", "tolerance"),
    [
        ("ks4_gap_index", 0.25),
        ("ks2_gap_index", 0.25),
        ("ks4_disadvantaged_share", 0.04),
        ("ks2_standard_dis", 0.05),
        ("ks2_standard_other", 0.05),
        ("ks4_standard_dis", 0.05),
        ("ks4_standard_other", 0.05),
        ("ks4_icc", 0.08),
        ("ks2_icc", 0.08),
    ],
)
def test_year0_matches_calibration_targets(report, metric, tolerance):
    row = report.loc[metric]
    assert abs(row["model_mean"] - row["target"]) <= tolerance, row.to_dict()


def test_disadvantage_is_concentrated_as_in_england(small):
    from edsim import EdSystemModel

    share = EdSystemModel(small, rng=0).schools.share
    # docs/sources.md: "some schools > 60%, many < 10%".
    assert (share > 0.6).mean() > 0.02
    assert (share < 0.1).mean() > 0.15


def test_the_report_carries_the_2011_2015_series_from_the_same_runs(report):
    from edsim.calibration import GAP_SERIES

    history = report.attrs["history"]
    assert len(history) == sum(len(v) for v in GAP_SERIES.values())
    assert set(history["year"]) == {2011, 2012, 2013, 2014, 2015}
    assert history["model_mean"].notna().all()
    assert (history["model_sd"] > 0).all(), "eight seeds give a spread"
    year0 = history[history["year"] == 2011].set_index("metric")["model_mean"]
    for metric in ("ks4_gap_index", "ks2_gap_index"):
        assert year0[metric] == pytest.approx(report.loc[metric, "model_mean"])
