"""Compiled per-pupil kernels: one pass over a year group's arrays instead of a dozen.

A year of pupil progress in NumPy is about ten whole-array temporaries per year group (the
school's value added gathered per pupil, the disadvantage term, the noise, the measured score,
the targeting mask, the gain...), and for 7.7 million pupils that memory traffic, not arithmetic,
is most of a run. Numba fuses them into one loop that reads each pupil once and allocates
nothing. The kernels that draw random numbers draw NumPy's own, inline (:mod:`edsim.model.draws`),
so no noise array is written and read either. The kernels are compiled on first use and cached
on disk (``cache=True``), so only the first run on a machine pays the compile time (about 5 s;
``benchmarks/bench_ratio.py`` reports it). They release the GIL, so year groups can progress in
parallel threads (:mod:`edsim.model.parallel`).

The arithmetic is the same, term by term, as :meth:`edsim.model.pupils.YearGroup.learn`
documents, and so are the draws; ``tests/model/test_kernels.py`` and ``test_draws.py`` check the
kernels against plain NumPy versions to the last bit where the order of operations allows.
"""

from __future__ import annotations

import numba
import numpy as np
from numpy.typing import NDArray

from edsim.model.draws import drawing_from, random, standard_normal

__all__ = [
    "entry",
    "leave_primary",
    "progress",
    "progress_years",
    "school_sums",
    "sorting_keys",
]


@numba.njit(cache=True, nogil=True)
def _progress(
    attainment: NDArray[np.float64],
    boost: NDArray[np.float64],
    disadvantaged: NDArray[np.bool_],
    school: NDArray[np.int32],
    rng: NDArray[np.uint64],
    step: NDArray[np.float64],
    universal: NDArray[np.float64],
    targeted: NDArray[np.float64],
    moderator: NDArray[np.float64],
    relief: NDArray[np.float64],
    scalars: NDArray[np.float64],
    flags: NDArray[np.bool_],
) -> None:
    deficit, sigma, persistence, cut, centre, sd = (
        scalars[0],
        scalars[1],
        scalars[2],
        scalars[3],
        scalars[4],
        scalars[5],
    )
    use_gains, use_moderator, use_relief = flags[0], flags[1], flags[2]
    hi, lo, inc_hi, inc_lo = rng[0], rng[1], rng[2], rng[3]
    for i in range(attainment.size):
        s = school[i]
        owed = (deficit - relief[s]) if use_relief else deficit
        # NumPy's own draws, in pupil order (edsim.model.draws): the same values as
        # ``rng.standard_normal(n)`` drawn before the loop.
        e, hi, lo = standard_normal(hi, lo, inc_hi, inc_lo)
        a = attainment[i] + ((step[s] - owed * disadvantaged[i]) + sigma * e)
        attainment[i] = a
        b = boost[i] * persistence
        if use_gains:
            measured = a + b
            # Branch-free: whether a pupil is reached is close to random, so a branch on it
            # would be mispredicted about as often as taken.
            reached = disadvantaged[i] | (measured < cut)
            gain = universal[s] + targeted[s] * reached
            if use_moderator:
                gain += moderator[s] * ((measured - centre) / sd)
            b += sd * gain
        boost[i] = b
    rng[0], rng[1] = hi, lo


def progress(
    attainment: NDArray[np.float64],
    boost: NDArray[np.float64],
    disadvantaged: NDArray[np.bool_],
    school: NDArray[np.int32],
    rng: np.random.Generator,
    value_added: NDArray[np.float64],
    gains: tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]] | None,
    scalars: tuple[float, float, float, float, float, float],
    relief: NDArray[np.float64] | None = None,
) -> None:
    """One year of progress for a set of pupils, in place.

    Args:
        attainment: Persistent attainment, updated in place.
        boost: Decaying intervention boost, updated in place.
        disadvantaged: Disadvantage flags.
        school: School index of each pupil.
        rng: The year group's learning stream: one standard-normal draw per pupil, in order,
            the same values as ``rng.standard_normal(attainment.size)`` would give. Drawing
            them inside the loop saves writing and reading an array of the year group's size.
        value_added: Yearly value added per school.
        gains: Per-school universal, targeted and attainment-moderator gains (effect sizes), or
            ``None`` when no school has any this year.
        scalars: ``(deficit, learning_noise, gain_persistence, low_attainer_cut,
            effect_centre, effect_sd)``.
        relief: Per-school reduction of the disadvantaged pupils' deficit this year
            (:mod:`edsim.model.gap_drivers`), or ``None`` for none.
    """
    if gains is None:
        universal = targeted = moderator = value_added[:0]
        flags = np.array([False, False])
    else:
        universal, targeted, moderator = gains
        flags = np.array([True, bool(moderator.any())])
    flags = np.append(flags, relief is not None)
    with drawing_from(rng) as state:
        _progress(
            attainment,
            boost,
            disadvantaged,
            school,
            state,
            value_added,
            universal,
            targeted,
            moderator,
            value_added[:0] if relief is None else relief,
            np.asarray(scalars, dtype=np.float64),
            flags,
        )


@numba.njit(cache=True, nogil=True)
def _progress_years(
    attainment: NDArray[np.float64],
    disadvantaged: NDArray[np.bool_],
    school: NDArray[np.int32],
    rng: NDArray[np.uint64],
    value_added: NDArray[np.float64],
    years: float,
    owed: float,
    spread: float,
) -> None:
    hi, lo, inc_hi, inc_lo = rng[0], rng[1], rng[2], rng[3]
    for i in range(attainment.size):
        e, hi, lo = standard_normal(hi, lo, inc_hi, inc_lo)
        step = e * spread
        step = step + years * value_added[school[i]]
        step = step - owed * disadvantaged[i]
        attainment[i] = attainment[i] + step
    rng[0], rng[1] = hi, lo


def progress_years(
    attainment: NDArray[np.float64],
    disadvantaged: NDArray[np.bool_],
    school: NDArray[np.int32],
    rng: np.random.Generator,
    value_added: NDArray[np.float64],
    years: int,
    deficit: float,
    learning_noise: float,
) -> None:
    """``years`` years of intervention-free progress in one school, drawn as one step, in place.

    ``z += sigma * sqrt(years) * e + years * VA[s] - years * deficit * dis``, term by term in
    the order the NumPy expression evaluates it (so the same values to the last bit), with
    ``e`` drawn from ``rng`` in pupil order.
    """
    with drawing_from(rng) as state:
        _progress_years(
            attainment,
            disadvantaged,
            school,
            state,
            value_added,
            float(years),
            float(years * deficit),
            float(learning_noise * np.sqrt(years)),
        )


@numba.njit(cache=True, nogil=True)
def school_sums(
    school: NDArray[np.int32],
    disadvantaged: NDArray[np.bool_],
    scores: NDArray[np.float64],
    n_schools: int,
    with_scores: bool,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Pupils, disadvantaged pupils, and their score sums per school, in one pass.

    The same sums, in the same order, as four ``numpy.bincount`` calls (so the same values),
    without converting the flags to floats or reading the pupils four times.
    """
    pupils = np.zeros(n_schools)
    dis = np.zeros(n_schools)
    score = np.zeros(n_schools)
    score_dis = np.zeros(n_schools)
    for i in range(school.size):
        s = school[i]
        pupils[s] += 1.0
        if disadvantaged[i]:
            dis[s] += 1.0
        if with_scores:
            score[s] += scores[i]
            score_dis[s] += scores[i] * disadvantaged[i]
    return pupils, dis, score, score_dis


@numba.njit(cache=True, nogil=True)
def sorting_keys(
    order: NDArray[np.intp],
    disadvantaged: NDArray[np.bool_],
    school: NDArray[np.int32],
    school_share: NDArray[np.float64],
    school_region: NDArray[np.int16],
    noise: NDArray[np.float64],
    weights: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """The Y6 -> Y7 sorting key (negated, so ascending is highest first) and region per pupil.

    ``order`` sorts the pupils by measured attainment; ``weights`` is ``(sorting,
    attainment_weight)``. The arithmetic is :meth:`PupilPopulation.transition`'s, in one pass.
    """
    sorting, w = weights[0], weights[1]
    n = order.size
    # Each pupil's rank, scattered once, so the main pass reads every array in order (reading
    # them in rank order was a random access per pupil and array: four times slower).
    rank = np.empty(n, np.int64)
    for r in range(n):
        rank[order[r]] = r
    key = np.empty(n)
    region = np.empty(n, np.int64)
    for i in range(n):
        s = school[i]
        low_attainment = 1.0 - (rank[i] + 0.5) / n
        disadvantage = 0.5 * (disadvantaged[i] + school_share[s])
        need = (1 - w) * disadvantage + w * low_attainment
        key[i] = -(sorting * need + (1 - sorting) * noise[i])
        region[i] = school_region[s]
    return key, region


@numba.njit(cache=True, nogil=True)
def _entry(
    school: NDArray[np.int32],
    share: NDArray[np.float64],
    neighbourhood: NDArray[np.float64],
    gap: float,
    rng: NDArray[np.uint64],
) -> tuple[NDArray[np.bool_], NDArray[np.float64]]:
    n = school.size
    hi, lo, inc_hi, inc_lo = rng[0], rng[1], rng[2], rng[3]
    dis = np.empty(n, np.bool_)
    for i in range(n):  # every uniform first, then every normal: NumPy's order of the draws
        u, hi, lo = random(hi, lo, inc_hi, inc_lo)
        dis[i] = u < share[school[i]]
    z = np.empty(n)
    for i in range(n):
        e, hi, lo = standard_normal(hi, lo, inc_hi, inc_lo)
        z[i] = (e - gap * dis[i]) + neighbourhood[school[i]]
    rng[0], rng[1] = hi, lo
    return dis, z


def entry(
    school: NDArray[np.int32],
    share: NDArray[np.float64],
    neighbourhood: NDArray[np.float64],
    gap: float,
    rng: np.random.Generator,
) -> tuple[NDArray[np.bool_], NDArray[np.float64]]:
    """Disadvantage and entry attainment of a Reception cohort, in one compiled pass each.

    The same values, in the same order of draws, as ``dis = rng.random(n) < share[school]``
    followed by ``z = rng.standard_normal(n) - gap * dis + neighbourhood[school]``.
    """
    with drawing_from(rng) as state:
        return _entry(school, share, neighbourhood, float(gap), state)


@numba.njit(cache=True, nogil=True)
def _leave_primary(
    attainment: NDArray[np.float64],
    boost: NDArray[np.float64],
    disadvantaged: NDArray[np.bool_],
    school: NDArray[np.int32],
    retention: float,
    rng: NDArray[np.uint64],
) -> tuple[
    NDArray[np.float64],
    NDArray[np.float64],
    NDArray[np.bool_],
    NDArray[np.int32],
    NDArray[np.float64],
    NDArray[np.float64],
]:
    n = attainment.size
    hi, lo, inc_hi, inc_lo = rng[0], rng[1], rng[2], rng[3]
    keep = np.empty(n, np.bool_)
    kept = 0
    for i in range(n):
        u, hi, lo = random(hi, lo, inc_hi, inc_lo)
        keep[i] = u < retention
        kept += keep[i]
    a, b = np.empty(kept), np.empty(kept)
    d, s = np.empty(kept, np.bool_), np.empty(kept, np.int32)
    measured, u_key = np.empty(kept), np.empty(kept)
    j = 0
    for i in range(n):  # every pupil's second draw, in order, whether kept or not
        u, hi, lo = random(hi, lo, inc_hi, inc_lo)
        if keep[i]:
            a[j], b[j], d[j], s[j] = attainment[i], boost[i], disadvantaged[i], school[i]
            measured[j] = attainment[i] + boost[i]
            u_key[j] = u
            j += 1
    rng[0], rng[1] = hi, lo
    return a, b, d, s, measured, u_key


def leave_primary(
    attainment: NDArray[np.float64],
    boost: NDArray[np.float64],
    disadvantaged: NDArray[np.bool_],
    school: NDArray[np.int32],
    retention: float,
    rng: np.random.Generator,
) -> tuple[
    NDArray[np.float64],
    NDArray[np.float64],
    NDArray[np.bool_],
    NDArray[np.int32],
    NDArray[np.float64],
    NDArray[np.float64],
]:
    """The Year 6 leavers who stay in the state system, with their measured attainment and key draw.

    The same values, in the same order of draws, as ``u_keep = rng.random(n)``, ``u_key =
    rng.random(n)``, ``keep = u_keep < retention`` and each array indexed by ``keep``, in two
    passes instead of a dozen.

    Returns:
        Attainment, boost, disadvantage, school, measured attainment and the sorting key's
        uniform draw of the pupils kept.
    """
    with drawing_from(rng) as state:
        return _leave_primary(attainment, boost, disadvantaged, school, float(retention), state)
