"""The live charts: which measures, grouped how, and drawn from both panes on the same axes.

Every chart shows the left pane in solid lines and the right pane dashed, in the same colour
per measure, so the divergence between regimes shows as two lines pulling apart as the years
pass.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from edsim.viz.svg import Series, esc, line_chart

if TYPE_CHECKING:
    from edsim.viz.session import Pane

__all__ = ["CHARTS", "ChartSpec", "chart_html", "trajectory"]


def _index(v: float) -> str:
    return f"{v:.2f}"


def _percent(v: float) -> str:
    return f"{100 * v:.0f}%"


def _count(v: float) -> str:
    return f"{v:,.0f}"


@dataclass(frozen=True)
class ChartSpec:
    """One chart: its measures and how to scale and format them.

    Attributes:
        key: Stable identifier (``data-chart`` in the page).
        title: Heading.
        lines: (trajectory column, label, colour) per measure.
        y_domain: The y range always shown (grown to fit the data).
        fmt: Value formatter for ticks and tooltips.
        y_max_schools: Use the number of schools as the top of the y range.
    """

    key: str
    title: str
    lines: tuple[tuple[str, str, str], ...]
    y_domain: tuple[float, float]
    fmt: Callable[[float], str] = _index
    y_max_schools: bool = False


_BLUE, _ORANGE, _GREEN, _RED, _PURPLE = "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"

CHARTS: tuple[ChartSpec, ...] = (
    ChartSpec(
        "gap",
        "Disadvantage gap index (0 = no gap)",
        (("ks2_gap_index", "KS2", _BLUE), ("ks4_gap_index", "KS4", _ORANGE)),
        (2.5, 4.5),
    ),
    ChartSpec(
        "ks2_standard",
        "KS2 expected standard",
        (("ks2_standard_dis", "disadvantaged", _RED), ("ks2_standard_other", "others", _BLUE)),
        (0.4, 0.8),
        _percent,
    ),
    ChartSpec(
        "ks4_standard",
        "KS4 grade 4+ English and maths",
        (("ks4_standard_dis", "disadvantaged", _RED), ("ks4_standard_other", "others", _BLUE)),
        (0.4, 0.8),
        _percent,
    ),
    ChartSpec(
        "reach",
        "Schools reached by the evidence system",
        (
            ("schools_reached", "this year", _GREEN),
            ("schools_reached_cumulative", "ever", _PURPLE),
        ),
        (0.0, 1.0),
        _count,
        y_max_schools=True,
    ),
    ChartSpec(
        "quality",
        "Mean implementation quality",
        (("mean_quality", "quality (0-1)", _GREEN),),
        (0.0, 1.0),
    ),
    ChartSpec(
        "evidence",
        "Evidence base error against the hidden truth",
        (
            ("evidence_error_national", "national", _PURPLE),
            ("evidence_error_context", "for each context", _ORANGE),
        ),
        (0.0, 0.1),
        lambda v: f"{v:.3f}",
    ),
    ChartSpec(
        "levers",
        "Policy levers",
        (
            ("accountability_pressure", "pressure", _RED),
            ("prescription", "prescription", _PURPLE),
            ("research_funding", "research funding", _GREEN),
        ),
        (0.0, 1.0),
    ),
)


def trajectory(pane: Pane, column: str) -> tuple[list[float], list[float]]:
    """Calendar years and values of one measure so far (read from the DataCollector)."""
    data = pane.model.datacollector.model_vars
    return [float(v) for v in data["year"]], [float(v) for v in data[column]]


def chart_html(spec: ChartSpec, panes: Sequence[Pane]) -> str:
    """One chart card's inner HTML: the SVG and a legend of its measures."""
    cfg = panes[0].model.config
    x_domain = (float(cfg.start_year), float(cfg.start_year + cfg.years))
    y_domain = spec.y_domain
    if spec.y_max_schools:
        y_domain = (0.0, float(panes[0].model.schools.n))
    series = []
    for pane in panes:
        for column, label, colour in spec.lines:
            xs, ys = trajectory(pane, column)
            series.append(
                Series(label, colour, pane.key == "b", pane.key, column, pane.label, xs, ys)
            )
    svg = line_chart(spec.title, series, x_domain, y_domain, fmt=spec.fmt, chart_id=spec.key)
    legend = " ".join(
        f'<span style="color:{colour}">&#9632; {esc(label)}</span>'
        for _, label, colour in spec.lines
    )
    return f'<div class="edsim-chart-card">{svg}<div style="font-size:11px">{legend}</div></div>'
