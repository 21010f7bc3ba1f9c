"""An experiment's size, counted before anything is built, and the limit on it.

A design multiplies quickly: a 1000 x 1000 grid is a million points, a Sobol design with
524,288 base samples over three parameters is 2.6 million, and each point runs once per variant
and replicate. Drawn and validated point by point, such a file would take minutes, or all the
memory, before the first run; it is almost always a typo (an extra zero) rather than a plan.
So the runs are counted from the settings alone, by arithmetic, and an experiment with more
than :data:`MAX_RUNS` is refused at once unless the user confirms its size: ``max_runs:`` in
the file, or ``--max-runs`` on the command line (``load_experiment(..., max_runs=...)``).
"""

from __future__ import annotations

import math

from edsim.errors import ScenarioProblem
from edsim.scenario import Document

from .design import DesignSettings

__all__ = ["MAX_RUNS", "design_points", "size_problem"]

#: Runs an experiment may have unless it confirms a larger size. The largest shipped experiment
#: has 1,536; 10,000 runs of the small scenario take about half a day on two cores, of England a
#: week.
MAX_RUNS = 10_000


def design_points(settings: DesignSettings | None) -> int:
    """How many points a design has, from its settings alone (nothing is drawn).

    A grid has every combination of its values; ``lhs`` has ``samples`` points; Saltelli's
    Sobol scheme ``samples`` x (D + 2), or x (2D + 2) with second-order indices; Morris
    ``samples`` trajectories of D + 1 points. (``tests/experiment/test_design.py`` checks these
    against the points actually drawn.)
    """
    if settings is None:
        return 1
    dims = len(settings.parameters)
    samples = settings.samples or 1
    if settings.method == "grid":
        return math.prod(len(p.values or (None,)) for p in settings.parameters.values())
    if settings.method == "sobol":
        return samples * (2 * dims + 2 if settings.second_order else dims + 2)
    if settings.method == "morris":
        return samples * (dims + 1)
    return samples


def size_problem(
    document: Document,
    design: DesignSettings | None,
    variants: int,
    replicates: int,
    limit: tuple[int, str],
) -> ScenarioProblem | None:
    """A problem if the experiment has more runs than ``limit`` allows, else None.

    Args:
        document: The experiment file (the problem points at its design or replicates).
        design: The design settings; None for a single point.
        variants: How many scenario variants.
        replicates: Replicates per variant and point.
        limit: The most runs allowed, and where that limit comes from (for the message).
    """
    points = design_points(design)
    runs = variants * points * replicates
    most, origin = limit
    if runs <= most:
        return None
    counts = " x ".join(
        _count(n, what)
        for n, what in ((variants, "variant"), (points, "design point"), (replicates, "replicate"))
    )
    message = (
        f"this experiment has {runs:,} runs ({counts}), more than the {most:,} allowed "
        f"({origin}); make the design or the replicates smaller, or if you mean it, confirm "
        f"the size with 'max_runs: {runs}' in the file or --max-runs {runs} on the command line"
    )
    where = ("design",) if design is not None else ("replicates",)
    return document.problem(where, message, at_key=True)


def _count(n: int, what: str) -> str:
    return f"{n:,} {what}" + ("" if n == 1 else "s")
