"""NumPy's own standard-normal and uniform draws, inlined into the compiled pupil kernels.

Drawing 7.7 million normal deviates a year is the largest single cost of an England run. NumPy's
``Generator.standard_normal`` (and Numba's port of it) spend most of each draw calling the bit
generator through a function pointer: about 7 ns of a 11 ns draw on the development machine.
Here the PCG64 step and the ziggurat are plain code the compiler inlines into the pupil loop,
so a draw costs a few nanoseconds and the values are **the same, to the last bit, as
``rng.standard_normal(n)``** on the same generator, which is left in the same state afterwards
(``tests/model/test_draws.py`` checks both, tails included). Results therefore do not change.

PCG64 (O'Neill's XSL-RR 128/64, NumPy's default bit generator): the 128-bit state advances as
``state = state * M + inc`` and each step outputs ``rotr64(hi ^ lo, hi >> 58)``. Numba has no
128-bit integers, so the state is two 64-bit halves, and the high half of the 64 x 64-bit product
comes from a small LLVM intrinsic (one multiply instruction).
The ziggurat is NumPy's ``random_standard_normal`` (Marsaglia and Tsang's method, 256 layers),
with its tables taken from Numba, which copies them from NumPy.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic
from numba.np.random._constants import (  # NumPy's ziggurat tables, as Numba ships them
    fi_double,
    ki_double,
    wi_double,
    ziggurat_nor_inv_r,
    ziggurat_nor_r,
)
from numpy.typing import NDArray

__all__ = ["drawing_from", "load_state", "random", "standard_normal", "store_state"]

_MASK128 = (1 << 128) - 1
_MULT_HI = np.uint64(2549297995355413924)
_MULT_LO = np.uint64(4865540595714422341)
_U58 = np.uint64(58)
_U63 = np.uint64(63)
_U64 = np.uint64(64)
_ONE = np.uint64(1)
_ZERO = np.uint64(0)
_TO_DOUBLE = 1.0 / 9007199254740992.0
_ZIG_WI = np.ascontiguousarray(wi_double, dtype=np.float64)
_ZIG_KI = np.ascontiguousarray(ki_double, dtype=np.uint64)
_ZIG_FI = np.ascontiguousarray(fi_double, dtype=np.float64)
_ZIG_R = float(ziggurat_nor_r)
_ZIG_INV_R = float(ziggurat_nor_inv_r)


@intrinsic
def _mulhi(typingctx, a, b):  # type: ignore[no-untyped-def]
    """The high 64 bits of the 128-bit product of two uint64 (one ``mul`` instruction)."""
    if not (a == types.uint64 and b == types.uint64):
        return None

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        wide = ir.IntType(128)
        product = builder.mul(builder.zext(args[0], wide), builder.zext(args[1], wide))
        return builder.trunc(builder.lshr(product, ir.Constant(wide, 64)), ir.IntType(64))

    return types.uint64(types.uint64, types.uint64), codegen


@numba.njit(inline="always")
def _next64(
    hi: np.uint64, lo: np.uint64, inc_hi: np.uint64, inc_lo: np.uint64
) -> tuple[np.uint64, np.uint64, np.uint64]:
    """One PCG64 step: its output and the new state ``(hi, lo)``."""
    # (hi, lo) * M mod 2**128: lo * M_lo in full, plus the cross terms' low halves; then + inc.
    new_lo = lo * _MULT_LO
    new_hi = _mulhi(lo, _MULT_LO) + lo * _MULT_HI + hi * _MULT_LO  # type: ignore[call-arg]
    sum_lo = new_lo + inc_lo
    new_hi = new_hi + inc_hi + (_ONE if sum_lo < new_lo else _ZERO)
    x = new_hi ^ sum_lo
    rot = new_hi >> _U58
    return (x >> rot) | (x << ((_U64 - rot) & _U63)), new_hi, sum_lo


@numba.njit(inline="always")
def _to_double(r: np.uint64) -> float:
    return float(np.int64(r >> np.uint64(11))) * _TO_DOUBLE


@numba.njit(inline="always")
def random(
    hi: np.uint64, lo: np.uint64, inc_hi: np.uint64, inc_lo: np.uint64
) -> tuple[float, np.uint64, np.uint64]:
    """One uniform draw in [0, 1), exactly as NumPy's ``Generator.random`` makes it."""
    r, hi, lo = _next64(hi, lo, inc_hi, inc_lo)
    return _to_double(r), hi, lo


@numba.njit(inline="always")
def standard_normal(
    hi: np.uint64, lo: np.uint64, inc_hi: np.uint64, inc_lo: np.uint64
) -> tuple[float, np.uint64, np.uint64]:
    """One draw, exactly as NumPy's ``random_standard_normal`` makes it, and the new state.

    The state travels in local variables (``x, hi, lo = standard_normal(hi, lo, inc_hi,
    inc_lo)``) rather than an array, so the compiler keeps it in registers across the loop.
    """
    while True:
        r, hi, lo = _next64(hi, lo, inc_hi, inc_lo)
        idx = r & np.uint64(0xFF)
        r >>= np.uint64(8)
        sign = r & _ONE
        rabs = (r >> _ONE) & np.uint64(0x000FFFFFFFFFFFFF)
        # rabs < 2**52: converting it as a signed integer is exact and one instruction, and
        # the sign goes on by a multiply (exact) instead of a branch taken half the time.
        x = float(np.int64(rabs)) * _ZIG_WI[idx] * (1.0 - 2.0 * float(np.int64(sign)))
        if rabs < _ZIG_KI[idx]:
            return x, hi, lo  # 99.3% of draws end here
        if idx == 0:  # the tail beyond the base layer
            while True:
                u, hi, lo = _next64(hi, lo, inc_hi, inc_lo)
                xx = -_ZIG_INV_R * np.log1p(-_to_double(u))
                u, hi, lo = _next64(hi, lo, inc_hi, inc_lo)
                yy = -np.log1p(-_to_double(u))
                if yy + yy > xx * xx:
                    if (rabs >> np.uint64(8)) & _ONE:
                        return -(_ZIG_R + xx), hi, lo
                    return _ZIG_R + xx, hi, lo
        else:
            u, hi, lo = _next64(hi, lo, inc_hi, inc_lo)
            if (_ZIG_FI[idx - _ONE] - _ZIG_FI[idx]) * _to_double(u) + _ZIG_FI[idx] < np.exp(
                -0.5 * x * x
            ):
                return x, hi, lo


def load_state(rng: np.random.Generator) -> NDArray[np.uint64]:
    """A PCG64 generator's state as ``[hi, lo, inc_hi, inc_lo]`` for the kernels.

    Raises:
        TypeError: The generator is not PCG64 (every stream of the model is).
    """
    st = rng.bit_generator.state
    if st["bit_generator"] != "PCG64":
        raise TypeError(f"the pupil kernels draw from PCG64 streams, not {st['bit_generator']}")
    s, inc = st["state"]["state"], st["state"]["inc"]
    return np.array([s >> 64, s & (2**64 - 1), inc >> 64, inc & (2**64 - 1)], dtype=np.uint64)


def store_state(rng: np.random.Generator, state: NDArray[np.uint64]) -> None:
    """Put the kernels' advanced state back, so ``rng`` continues where they stopped."""
    st = rng.bit_generator.state
    hi, lo = int(state[0]), int(state[1])
    st["state"]["state"] = ((hi << 64) | lo) & _MASK128
    rng.bit_generator.state = st


@contextmanager
def drawing_from(rng: np.random.Generator) -> Iterator[NDArray[np.uint64]]:
    """The generator's state for a kernel to draw from, put back when the kernel returns.

    ``with drawing_from(rng) as state: kernel(..., state)``: every kernel that draws loads and
    stores the state the same way. If the kernel raises, ``rng`` is left as it was.
    """
    state = load_state(rng)
    yield state
    store_state(rng, state)
