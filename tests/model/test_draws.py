"""The kernels' inlined PCG64 and ziggurat draw exactly what NumPy draws (edsim.model.draws)."""

import numba
import numpy as np
import pytest

from edsim.model.draws import drawing_from, load_state, random, standard_normal, store_state
from edsim.model.kernels import entry, leave_primary, progress_years


@numba.njit
def _normals(state, n):
    out = np.empty(n)
    hi, lo, inc_hi, inc_lo = state[0], state[1], state[2], state[3]
    for i in range(n):
        out[i], hi, lo = standard_normal(hi, lo, inc_hi, inc_lo)
    state[0], state[1] = hi, lo
    return out


@numba.njit
def _uniforms(state, n):
    out = np.empty(n)
    hi, lo, inc_hi, inc_lo = state[0], state[1], state[2], state[3]
    for i in range(n):
        out[i], hi, lo = random(hi, lo, inc_hi, inc_lo)
    state[0], state[1] = hi, lo
    return out


@pytest.mark.parametrize("seed", [0, 1, 12345, 2**63 + 7])
def test_normals_are_numpys_to_the_last_bit_and_leave_the_same_state(seed):
    want_rng, rng = np.random.default_rng(seed), np.random.default_rng(seed)
    n = 400_000  # about 0.7% of draws leave the fast path, some 150 through the tail
    want = want_rng.standard_normal(n)
    state = load_state(rng)
    got = _normals(state, n)
    store_state(rng, state)
    assert np.array_equal(got, want)
    assert np.abs(want).max() > 3.5  # the tail beyond the base layer was exercised
    assert rng.bit_generator.state == want_rng.bit_generator.state
    assert rng.standard_normal(3).tolist() == want_rng.standard_normal(3).tolist()


def test_uniforms_are_numpys_and_mix_with_normals_in_order():
    want_rng, rng = np.random.default_rng(8), np.random.default_rng(8)
    want = np.concatenate([want_rng.random(1000), want_rng.standard_normal(1000)])
    state = load_state(rng)
    got = np.concatenate([_uniforms(state, 1000), _normals(state, 1000)])
    store_state(rng, state)
    assert np.array_equal(got, want)
    assert rng.bit_generator.state == want_rng.bit_generator.state


def test_spawned_streams_draw_their_own_values():
    a, b = np.random.default_rng(3).spawn(2)
    sa, sb = load_state(a), load_state(b)
    assert not np.array_equal(_normals(sa, 100), _normals(sb, 100))


def test_a_wrong_state_is_caught():
    # The check can fail: one bit off in the increment gives other draws.
    rng = np.random.default_rng(5)
    state = load_state(rng)
    state[3] ^= np.uint64(2)
    assert not np.array_equal(_normals(state, 100), np.random.default_rng(5).standard_normal(100))


def test_drawing_from_puts_the_state_back_only_when_the_kernel_returns():
    want_rng, rng = np.random.default_rng(11), np.random.default_rng(11)
    with drawing_from(rng) as state:
        got = _normals(state, 50)
    assert np.array_equal(got, want_rng.standard_normal(50))
    assert rng.bit_generator.state == want_rng.bit_generator.state
    before = rng.bit_generator.state

    def failing_kernel():
        with drawing_from(rng) as state:
            _normals(state, 50)
            raise RuntimeError("the kernel failed")

    with pytest.raises(RuntimeError):
        failing_kernel()
    assert rng.bit_generator.state == before


def test_other_bit_generators_are_refused():
    with pytest.raises(TypeError, match="PCG64"):
        load_state(np.random.Generator(np.random.SFC64(1)))


def _pupils(n=20_000, n_schools=50, seed=1):
    rng = np.random.default_rng(seed)
    school = np.sort(rng.integers(0, n_schools, n)).astype(np.int32)
    return rng, school, rng.standard_normal(n), 0.1 * rng.random(n), rng.random(n) < 0.3


def test_entry_draws_as_the_numpy_expression():
    _, school, _, _, _ = _pupils()
    share, neighbourhood = np.linspace(0.05, 0.6, 50), np.linspace(-0.3, 0.3, 50)
    want_rng, rng = np.random.default_rng(2), np.random.default_rng(2)
    want_dis = want_rng.random(school.size) < share[school]
    want_z = want_rng.standard_normal(school.size) - 0.37 * want_dis
    want_z += neighbourhood[school]
    dis, z = entry(school, share, neighbourhood, 0.37, rng)
    assert np.array_equal(dis, want_dis)
    assert np.array_equal(z, want_z)
    assert rng.bit_generator.state == want_rng.bit_generator.state


def test_leave_primary_keeps_and_draws_as_the_numpy_expression():
    _, school, z, boost, dis = _pupils()
    want_rng, rng = np.random.default_rng(4), np.random.default_rng(4)
    u_keep, u_key = want_rng.random(z.size), want_rng.random(z.size)
    keep = u_keep < 0.93
    got = leave_primary(z, boost, dis, school, 0.93, rng)
    want = (z[keep], boost[keep], dis[keep], school[keep], (z + boost)[keep], u_key[keep])
    for g, w in zip(got, want, strict=True):
        assert np.array_equal(g, w)
    assert 0 < keep.sum() < z.size
    assert rng.bit_generator.state == want_rng.bit_generator.state


def test_years_of_progress_as_the_numpy_expression():
    _, school, z, _, dis = _pupils()
    va = np.linspace(-0.05, 0.05, 50)
    want_rng, rng = np.random.default_rng(6), np.random.default_rng(6)
    noise = want_rng.standard_normal(z.size)
    noise *= 0.3 * np.sqrt(4)
    noise += 4 * va[school]
    noise -= (4 * 0.04) * dis
    want = z + noise
    got = z.copy()
    progress_years(got, dis, school, rng, va, 4, 0.04, 0.3)
    assert np.array_equal(got, want)
