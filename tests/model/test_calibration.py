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
