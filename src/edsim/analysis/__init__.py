"""Analysis of experiment results: summaries, paired scenario differences, effects, sensitivity.

Everything here works on the two frames an experiment produces, so it can be tested with small
hand-built frames and used on results loaded from disk:

* ``runs``: one row per run (``run_id``, ``scenario``, ``point``, ``replicate``, ``seed``,
  ``status``, ``seconds``, ``error``, then one column per design parameter by dotted path);
* ``trajectories``: one row per run and year (``run_id``, ``scenario``, ``point``,
  ``replicate``, ``year`` with 0 = before any evidence system, ``calendar_year``, then the
  metrics of :data:`edsim.METRICS`). Failed runs have no rows.

Bad requests (an unknown metric, baseline or year; a design that does not fit the method) raise
:class:`~edsim.errors.ExperimentError` naming what is available.
"""

from edsim.analysis.cost import SPEND_METRIC, CostPerSdClosed, cost_per_sd_closed
from edsim.analysis.design import (
    RUN_COLUMNS,
    design_response,
    parameter_columns,
    point_parameters,
    with_parameters,
)
from edsim.analysis.effects import effects_markdown, effects_table
from edsim.analysis.quintiles import QUINTILE_LABELS, gap_by_quintile, quintiles_long
from edsim.analysis.sensitivity import (
    design_problem,
    morris_indices,
    sobol_indices,
    sobol_second_order,
)
from edsim.analysis.summary import holm_adjust, paired_differences, summarise
from edsim.analysis.tables import comparison_table, to_markdown
from edsim.analysis.units import (
    EEF_MONTHS_SOURCE,
    EEF_MONTHS_UPPER,
    months_from_sd,
    months_of_progress,
    paired_gap_share,
)

__all__ = [
    "EEF_MONTHS_SOURCE",
    "EEF_MONTHS_UPPER",
    "QUINTILE_LABELS",
    "RUN_COLUMNS",
    "SPEND_METRIC",
    "CostPerSdClosed",
    "comparison_table",
    "cost_per_sd_closed",
    "design_problem",
    "design_response",
    "effects_markdown",
    "effects_table",
    "gap_by_quintile",
    "holm_adjust",
    "months_from_sd",
    "months_of_progress",
    "morris_indices",
    "paired_differences",
    "paired_gap_share",
    "parameter_columns",
    "point_parameters",
    "quintiles_long",
    "sobol_indices",
    "sobol_second_order",
    "summarise",
    "to_markdown",
    "with_parameters",
]
