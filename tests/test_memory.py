"""A finished run leaves nothing behind: memory stays flat over any number of runs in a process.

Mesa 3.3 kept every model that created an agent alive (``mesa.Agent._ids``, Mesa #3179), and a
model's cycles with its agents kept finished models in memory until a full garbage collection,
so a batch worker grew by a model per run (180 MB at full scale). See ``edsim.model.lifecycle``.
The weakref tests are the pins; the RSS test checks what a batch worker sees.
"""

from __future__ import annotations

import gc
import itertools
import os
import sys
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import mesa
import pytest

import edsim
from edsim.calibration import year0_report
from edsim.experiment import experiment_from_text, plan_runs, run_experiment, run_one
from edsim.model import EdSystemModel
from edsim.model.lifecycle import WeakModelCounters, disposing, forget_finished_models

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "scenarios" / "small.yaml"


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[weakref.ref[EdSystemModel]]:
    """Weak references to every EdSystemModel built during the test (even if building fails)."""
    refs: list[weakref.ref[EdSystemModel]] = []
    original = EdSystemModel.__init__

    def recording_init(self: EdSystemModel, *args: object, **kwargs: object) -> None:
        refs.append(weakref.ref(self))
        original(self, *args, **kwargs)

    monkeypatch.setattr(EdSystemModel, "__init__", recording_init)
    return refs


def alive(refs: list[weakref.ref[EdSystemModel]]) -> int:
    return sum(r() is not None for r in refs)


@contextmanager
def no_garbage_collection() -> Iterator[None]:
    """Only reference counting frees anything inside (as between a worker's full collections)."""
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# -- every way of building a model ---------------------------------------------------------------
def test_edsim_run_leaves_no_model_behind(small, built):
    for seed in range(3):
        edsim.run(small, seed=seed, years=2)
    assert len(built) == 3
    gc.collect()
    assert alive(built) == 0


def test_edsim_run_frees_its_model_without_a_garbage_collection(small, built):
    with no_garbage_collection():
        for seed in range(3):
            edsim.run(small, seed=seed, years=2)
        assert len(built) == 3
        assert alive(built) == 0


def test_a_run_that_raises_frees_its_model_too(small, built, monkeypatch):
    def broken_step(self: EdSystemModel) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(EdSystemModel, "step", broken_step)
    with no_garbage_collection():
        with pytest.raises(RuntimeError, match="boom"):
            edsim.run(small, seed=1, years=2)
        assert alive(built) == 0


def tiny(replicates: int, variants: tuple[str, ...] = ("disseminate_to",)):
    scenarios = "".join(f"\n  {v}: {{regime: {v}}}" for v in variants)
    text = f"""
name: tiny
base: {SMALL}
scenarios:{scenarios}
replicates: {replicates}
seed: 5
years: 2
metrics: [ks4_gap_index]
"""
    return experiment_from_text(text, "tiny.yaml")


def tiny_specs(replicates: int):
    return plan_runs(tiny(replicates))


def test_the_experiment_layers_run_leaves_no_model_behind(built):
    with no_garbage_collection():
        outcomes = [run_one(spec) for spec in tiny_specs(3)]
        assert all(o.ok for o in outcomes)
        assert len(built) == 3
        assert alive(built) == 0


def test_a_batch_leaves_no_model_behind(built):
    # Whatever unit of work the batch hands its executor (one run, or runs sharing a year 0).
    experiment = tiny(2, ("disseminate_to", "linkage_exchange"))
    with no_garbage_collection():
        results = run_experiment(experiment, executor="serial")
        assert (results.runs["status"] == "ok").all()
        assert len(built) == 4
        assert alive(built) == 0


def test_a_failed_batch_run_leaves_no_model_behind(built, monkeypatch):
    def broken_step(self: EdSystemModel) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(EdSystemModel, "step", broken_step)
    with no_garbage_collection():
        outcome = run_one(tiny_specs(1)[0])
        assert not outcome.ok
        assert "boom" in (outcome.error or "")
        assert alive(built) == 0


def test_a_model_whose_construction_raised_half_way_is_collectable(small, built, monkeypatch):
    # The data collector comes last, after every agent has been created and numbered.
    def no_collector(*args: object, **kwargs: object) -> None:
        raise RuntimeError("no collector")

    monkeypatch.setattr(mesa, "DataCollector", no_collector)
    with pytest.raises(RuntimeError, match="no collector"):
        EdSystemModel(small, rng=1, years=2)
    assert len(built) == 1
    gc.collect()
    assert alive(built) == 0


def test_a_model_built_by_hand_is_collectable_once_dropped(small, built):
    model = EdSystemModel(small, rng=2, years=2)
    while model.running:
        model.step()
    del model
    gc.collect()
    assert alive(built) == 0


def test_the_browser_apps_models_are_collectable_after_a_reset(small, built):
    from edsim.viz.session import LockstepPair

    pair = LockstepPair(small, "disseminate_to", "linkage_exchange", seed=1, years=2)
    pair.step()
    assert len(built) == 2
    pair = LockstepPair(small, "disseminate_to", "linkage_exchange", seed=1, years=2)  # reset
    gc.collect()
    assert alive(built) == 2  # the new pair's panes only
    del pair
    gc.collect()
    assert alive(built) == 0


def test_the_calibration_report_leaves_no_model_behind(small, built):
    with no_garbage_collection():
        report = year0_report(small, seeds=2)
        assert report.attrs["schools"] == small.population.n_primary_schools + (
            small.population.n_secondary_schools
        )
        assert len(built) == 2
        assert alive(built) == 0


# -- the registry and disposal themselves --------------------------------------------------------
def test_agents_are_still_numbered_from_one_in_every_model(small):
    first = EdSystemModel(small, rng=1, years=1)
    second = EdSystemModel(small, rng=1, years=1)
    for model in (first, second):
        ids = sorted(a.unique_id for a in model.agents)
        assert ids == list(range(1, len(ids) + 1))
    assert [a.unique_id for a in first.agents] == [a.unique_id for a in second.agents]


def test_mesa_33s_registry_holds_models_weakly():
    has_registry = "_ids" in vars(mesa.Agent)  # Mesa 3.3; gone in Mesa 3.4 (mesa#3180)
    assert forget_finished_models() is has_registry
    assert forget_finished_models() is has_registry  # idempotent
    if has_registry:
        assert isinstance(vars(mesa.Agent)["_ids"], WeakModelCounters)


def test_weak_counters_count_like_the_defaultdict_they_replace():
    class Model:
        pass

    class Slotted:  # cannot be weakly referenced: held strongly, as before
        __slots__ = ()

    a, b, s = Model(), Model(), Slotted()
    old = {a: itertools.count(5)}
    counters = WeakModelCounters(old)
    assert next(counters[a]) == 5  # carried over
    assert [next(counters[b]) for _ in range(3)] == [1, 2, 3]
    assert [next(counters[s]) for _ in range(2)] == [1, 2]
    assert a in counters
    assert s in counters
    assert len(counters) == 3
    ref = weakref.ref(b)
    del b
    gc.collect()
    assert ref() is None
    assert len(counters) == 2
    del counters[s]
    assert set(counters) == {a}


def test_disposing_empties_the_model_even_when_the_block_raises(small):
    model = EdSystemModel(small, rng=1, years=1)

    def fail_inside() -> None:
        with disposing(model) as same:
            assert same is model
            raise ValueError("inside")

    with pytest.raises(ValueError, match="inside"):
        fail_inside()
    assert vars(model) == {}


# -- what a batch worker sees ----------------------------------------------------------------
def resident_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_memory_stays_flat_over_a_dozen_runs_in_one_process(small):
    # Before the fix each small run left ~2 MB behind (about 26 MB over these runs). With the
    # collector off, only reference counting frees anything, as between a worker's rare full
    # collections, so whether a run's memory comes back does not depend on when one happens.
    edsim.run(small, seed=0, years=3)  # warm-up: imports, caches, compiled kernels
    with no_garbage_collection():
        start = resident_bytes()
        for seed in range(1, 13):
            edsim.run(small, seed=seed, years=3)
        growth = resident_bytes() - start
    assert growth < 8e6, f"RSS grew {growth / 1e6:.1f} MB over 12 small runs"
