"""Minimal SVG drawing for the live app: line charts and helpers.

The live app draws its charts as inline SVG rather than through matplotlib or Vega-Lite:
rendering a frame takes a few milliseconds (matplotlib took ~130 ms for the same charts, too
slow for five simulated years a second with every chart updating), it needs nothing from a CDN
(a classroom or CI machine may be offline, and Solara loads Vega from one), hovering a point
shows its value through the browser's own tooltip (``<title>``), and every plotted value is in
the page as text, where a test can read it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

__all__ = ["Series", "esc", "line_chart", "nice_ticks"]


def esc(text: object) -> str:
    """Text made safe for SVG/HTML content and attribute values."""
    return escape(str(text), quote=True)


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """About ``count`` round tick values covering ``[low, high]``."""
    if not math.isfinite(low) or not math.isfinite(high) or high <= low:
        return [low]
    raw = (high - low) / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.ceil(low / step - 1e-9) * step
    ticks = []
    value = start
    while value <= high + 1e-9 * step:
        ticks.append(round(value, 10))
        value += step
    return ticks


@dataclass(frozen=True)
class Series:
    """One line: a metric of one pane.

    Attributes:
        label: Legend text (metric in words).
        colour: CSS colour (by metric).
        dashed: Dashed line (the right-hand pane).
        pane: "a" or "b", for tests and styling.
        metric: Trajectory column.
        regime: Regime in words, for tooltips.
        xs: Calendar years.
        ys: Values.
    """

    label: str
    colour: str
    dashed: bool
    pane: str
    metric: str
    regime: str
    xs: Sequence[float]
    ys: Sequence[float]


def line_chart(
    title: str,
    series: Sequence[Series],
    x_domain: tuple[float, float],
    y_domain: tuple[float, float],
    *,
    fmt: Callable[[float], str] = lambda v: f"{v:.2f}",
    width: int = 300,
    height: int = 170,
    chart_id: str = "",
) -> str:
    """An SVG line chart with axes, gridlines and a tooltip on every point.

    The y range grows to fit the data (a lever pushed past its usual range stays visible),
    and the x range is the whole run, so lines grow from left to right as the years pass.
    """
    left, right, top, bottom = 42, 8, 20, 22
    finite = [v for s in series for v in s.ys if math.isfinite(v)]
    y0, y1 = y_domain
    if finite:
        y0, y1 = min(y0, min(finite)), max(y1, max(finite))
    if y1 <= y0:
        y1 = y0 + 1.0
    x0, x1 = x_domain
    if x1 <= x0:
        x1 = x0 + 1.0
    pw, ph = width - left - right, height - top - bottom

    def sx(v: float) -> float:
        return left + (v - x0) / (x1 - x0) * pw

    def sy(v: float) -> float:
        return top + (1.0 - (v - y0) / (y1 - y0)) * ph

    parts = [
        f'<svg class="edsim-chart" data-chart="{esc(chart_id)}" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg" '
        'font-family="sans-serif" font-size="10">',
        f'<text x="{left}" y="12" font-size="11" font-weight="bold">{esc(title)}</text>',
    ]
    for tick in nice_ticks(y0, y1):
        y = sy(tick)
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end" fill="#555">'
            f"{esc(fmt(tick))}</text>"
        )
    for tick in nice_ticks(x0, x1, 5):
        if float(tick).is_integer():
            x = sx(tick)
            parts.append(
                f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle" fill="#555">'
                f"{int(tick)}</text>"
            )
    parts.append(
        f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#999"/>'
    )
    for s in series:
        points = [(x, y) for x, y in zip(s.xs, s.ys, strict=True) if math.isfinite(y)]
        last = fmt(points[-1][1]) if points else ""
        dash = ' stroke-dasharray="5 3"' if s.dashed else ""
        coords = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in points)
        parts.append(
            f'<g class="edsim-series" data-pane="{s.pane}" data-metric="{esc(s.metric)}" '
            f'data-n="{len(points)}" data-last="{esc(last)}">'
            f'<polyline points="{coords}" fill="none" stroke="{s.colour}" '
            f'stroke-width="1.8"{dash}/>'
        )
        for x, y in points:
            parts.append(
                f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="2.4" fill="{s.colour}">'
                f"<title>{int(x)} - {esc(s.regime)}: {esc(s.label)} {esc(fmt(y))}</title>"
                "</circle>"
            )
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)
