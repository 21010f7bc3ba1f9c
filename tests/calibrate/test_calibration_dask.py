"""A calibration on a Dask cluster (pyabc's Dask sampler), with two parameters and every figure."""

import pytest

from edsim.calibrate import calibrate, calibration_from_text

pytestmark = pytest.mark.slow

TWO = """\
kind: calibration
name: two
base: small
years: 2
seeds: 1
seed: 5
parameters:
  gap_drivers.exogenous.deficit_change: {low: 0.0, high: 0.05}
  gap_drivers.accountability.effect_secondary: {low: 0.0, high: 0.4}
observed:
  - metric: ks4_gap_index
    years: [2012, 2013]
    values: [3.6, 3.7]
    sd: 0.05
    source: made up for the test
abc: {population: 8, max_generations: 2, min_epsilon: 0.0, min_acceptance: 0.0}
predict: {until: 2014, draws: 2}
"""


def test_a_dask_cluster_samples_and_every_figure_is_drawn(tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        result = calibrate(
            calibration_from_text(TWO, str(tmp_path / "two.yaml")),
            out=tmp_path / "out",
            scheduler=cluster.scheduler_address,
        )
    assert result.manifest["generations"] == 2
    assert list(result.posterior.parameters) == [
        "gap_drivers.exogenous.deficit_change",
        "gap_drivers.accountability.effect_secondary",
    ]
    figures = sorted(p.name for p in (result.out / "figures").glob("*.png"))
    assert figures == ["marginals.png", "pairwise.png", "prediction.png", "predictive.png"]
    assert set(result.predictive["calendar_year"]) == {2011, 2012, 2013, 2014}
