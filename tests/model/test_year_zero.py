"""The year-0 snapshot: variants started from it equal variants built from scratch."""

import numpy as np
import pandas as pd
import pytest

from edsim import EdSystemModel
from edsim.model.parallel import set_threads, threads


def _frame(model: EdSystemModel) -> pd.DataFrame:
    model.run_model()
    return model.datacollector.get_model_vars_dataframe().reset_index(drop=True)


@pytest.mark.parametrize("regime", ["disseminate_to", "linkage_exchange", "none"])
def test_variant_from_snapshot_is_identical_to_one_built_from_scratch(small, regime):
    source = EdSystemModel(small, rng=5, years=4)
    snapshot = source.take_year_zero()
    scratch = _frame(EdSystemModel(small, rng=5, years=4, regime=regime))
    shared = _frame(EdSystemModel(small, rng=5, years=4, regime=regime, year_zero=snapshot))
    pd.testing.assert_frame_equal(scratch, shared)


def test_snapshot_is_a_copy_the_source_model_cannot_change(small):
    source = EdSystemModel(small, rng=5, years=3)
    snapshot = source.take_year_zero()
    before = snapshot.groups[3].attainment.copy()
    source.run_model()
    np.testing.assert_array_equal(snapshot.groups[3].attainment, before)
    a = _frame(EdSystemModel(small, rng=5, years=3, year_zero=snapshot))
    b = _frame(EdSystemModel(small, rng=5, years=3, year_zero=snapshot))
    pd.testing.assert_frame_equal(a, b)


def test_snapshot_refused_under_another_seed_or_pre_year_zero_setting(small):
    snapshot = EdSystemModel(small, rng=5).take_year_zero()
    with pytest.raises(ValueError, match="another seed"):
        EdSystemModel(small, rng=6, year_zero=snapshot)
    with pytest.raises(ValueError, match="pre-year-0"):
        EdSystemModel(small, rng=5, year_zero=snapshot, attainment__entry_gap=0.1)
    # Settings read only after year 0 may differ.
    EdSystemModel(small, rng=5, year_zero=snapshot, regime="linkage_exchange")


def test_snapshot_only_at_year_zero(small):
    model = EdSystemModel(small, rng=1, years=2)
    model.step()
    with pytest.raises(ValueError, match="year 1"):
        model.take_year_zero()


def test_results_do_not_depend_on_the_thread_count(small):
    saved = threads()
    try:
        set_threads(1)
        one = _frame(EdSystemModel(small, rng=3, years=3, regime="linkage_exchange"))
        set_threads(3)
        three = _frame(EdSystemModel(small, rng=3, years=3, regime="linkage_exchange"))
    finally:
        set_threads(saved)
    pd.testing.assert_frame_equal(one, three)
