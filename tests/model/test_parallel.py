"""The per-pupil thread pool survives a fork: a forked child (pyabc's multicore samplers, any
fork-based executor) builds its own pool instead of waiting forever on its parent's threads."""

import multiprocessing as mp
import sys

import pytest

from edsim.model.parallel import parallel_map, set_threads, threads


def _use_pool(queue):
    queue.put(parallel_map(lambda x: x * x, range(5)))


@pytest.mark.skipif(sys.platform == "win32", reason="fork is POSIX only")
# Python 3.12+ warns that forking a multi-threaded process may deadlock: the case under test.
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_forked_child_runs_parallel_work_after_its_parent_did():
    before = threads()
    set_threads(2)
    try:
        assert parallel_map(lambda x: x + 1, range(3)) == [1, 2, 3]  # the parent's pool exists
        ctx = mp.get_context("fork")
        queue = ctx.Queue()
        child = ctx.Process(target=_use_pool, args=(queue,))
        child.start()
        child.join(timeout=20)
        hung = child.is_alive()
        if hung:
            child.kill()
        assert not hung, "the forked child hung on its parent's thread pool"
        assert queue.get(timeout=5) == [0, 1, 4, 9, 16]
    finally:
        set_threads(before)
