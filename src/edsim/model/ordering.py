"""Ordering a cohort: sorts, an exact quantile and the rank sum behind the gap index.

Each year the model ranks the two leaving cohorts (the gap index), orders the Year 6 leavers
twice for the move to secondary school, and takes each year group's low-attainer quantile. These
are the places where general NumPy routines (``argsort``, ``quantile``, ``rankdata``) did several
times the work needed; the versions here give the same results (``tests/model/test_kernels.py``
checks each against NumPy's).
"""

from __future__ import annotations

import numba
import numpy as np
from numpy.typing import NDArray

__all__ = ["quantile", "rank_sum_below", "sort_order"]


def quantile(x: NDArray[np.float64], q: float, *, overwrite: bool = False) -> float:
    """``numpy.quantile(x, q)`` (linear method) by partial sorting, without its overheads.

    ``numpy.quantile`` partitions around two indices through a general code path that costs
    several times one ``partition``; this partitions once, takes the next order statistic as
    the minimum above it, and interpolates the way NumPy does. With ``overwrite`` it partitions
    ``x`` itself (for a temporary the caller no longer needs) instead of a copy.
    """
    n = x.size
    index = q * (n - 1)
    lo = int(np.floor(index))
    if overwrite:
        x.partition(lo)
        part = x
    else:
        part = np.partition(x, lo)
    a = float(part[lo])
    b = float(part[lo + 1 :].min()) if lo + 1 < n else a  # the next order statistic
    t = index - lo
    diff = b - a
    return b - diff * (1.0 - t) if t >= 0.5 else a + diff * t


def sort_order(
    values: NDArray[np.float64],
    group: NDArray[np.integer] | None = None,
    n_groups: int = 1,
) -> NDArray[np.intp]:
    """Indices that sort ``values`` ascending (within ``group``, groups ascending).

    The same permutation as ``numpy.argsort`` (stable on ``group``), two to three times faster:
    each value is mapped to an order-preserving unsigned integer and packed with its group and
    its position into one 64-bit key, and the keys are sorted with NumPy's integer sort, which
    is much faster than its ``argsort``. The position fills the low bits, so ties, and values
    closer than the packed precision, keep their order of position; the precision left for the
    value is ``2**-(64 - index bits - group bits - 12)`` relative (about 1e-10 for a 600,000-
    pupil cohort), far below any difference that matters in the model.
    """
    n = values.size
    index_bits = max(1, (n - 1).bit_length())
    group_bits = (n_groups - 1).bit_length() if group is not None else 0
    value_bits = 64 - index_bits - group_bits
    if value_bits < 16:
        raise ValueError(f"too many items ({n}) and groups ({n_groups}) to pack into 64 bits")
    bits = np.ascontiguousarray(values, dtype=np.float64).view(np.uint64)
    groups = np.zeros(1, np.int64) if group is None else group.astype(np.int64, copy=False)
    key = _pack(bits, groups, group is not None, index_bits, value_bits)
    key.sort()
    return _unpack(key, index_bits)


@numba.njit(cache=True, nogil=True)
def _pack(
    bits: NDArray[np.uint64],
    groups: NDArray[np.int64],
    grouped: bool,
    index_bits: int,
    value_bits: int,
) -> NDArray[np.uint64]:
    sign = np.uint64(1) << np.uint64(63)
    drop = np.uint64(64 - value_bits)
    shift = np.uint64(index_bits)
    group_shift = np.uint64(index_bits + value_bits)
    key = np.empty(bits.size, np.uint64)
    for i in range(bits.size):
        b = bits[i]
        # Negative floats order in reverse as integers: flip all their bits; set positives' sign.
        ordered = ~b if b & sign else b | sign
        k = ((ordered >> drop) << shift) | np.uint64(i)
        if grouped:
            k |= np.uint64(groups[i]) << group_shift
        key[i] = k
    return key


@numba.njit(cache=True, nogil=True)
def _unpack(key: NDArray[np.uint64], index_bits: int) -> NDArray[np.intp]:
    mask = (np.uint64(1) << np.uint64(index_bits)) - np.uint64(1)
    out = np.empty(key.size, np.intp)
    for i in range(key.size):
        out[i] = np.intp(key[i] & mask)
    return out


@numba.njit(cache=True, nogil=True)
def rank_sum_below(mine: NDArray[np.float64], others: NDArray[np.float64]) -> float:
    """Sum over ``mine`` of (others below it + half the others equal to it); both sorted.

    The Mann-Whitney count behind the gap index, by one merge of two sorted arrays (linear)
    instead of two binary searches per element.
    """
    total = 0.0
    below = 0  # others strictly below the current value
    equal = 0  # others equal to the current value
    j = 0
    n = others.size
    previous = np.nan
    for i in range(mine.size):
        x = mine[i]
        if x != previous:
            while j < n and others[j] < x:
                j += 1
            below = j
            k = j
            while k < n and others[k] == x:
                k += 1
            equal = k - j
            previous = x
        total += below + 0.5 * equal
    return total
