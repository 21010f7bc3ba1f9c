"""The system view: schools on a map-like layout, brokers, researchers and their links.

Each school is a dot in its region (see :mod:`edsim.viz.layout`), filled by its share of
disadvantaged pupils; a dark ring marks a school implementing an approach, an orange ring a
school in a partnership. Brokers are squares in their region, linked to their partnership
schools; researchers sit apart as national producers, linked to the brokers whose partnerships
set their questions (when research is "pull" oriented). Hovering a school shows its state.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from edsim.viz.layout import NATIONAL_POSITION, SchoolLayout, school_layout
from edsim.viz.svg import esc

if TYPE_CHECKING:
    from edsim.model import EdSystemModel

__all__ = ["disadvantage_colour", "school_tooltip", "system_svg"]

#: Light to dark as disadvantage rises (a sequential scale readable by colour-blind viewers).
_STOPS = (
    (0.0, (255, 247, 188)),
    (0.25, (254, 196, 79)),
    (0.5, (236, 112, 20)),
    (0.75, (153, 52, 4)),
    (1.0, (60, 20, 60)),
)
PARTNERSHIP_COLOUR = "#e6550d"
IMPLEMENTING_COLOUR = "#222"
BROKER_COLOUR = "#3182bd"
RESEARCHER_COLOUR = "#756bb1"


def disadvantage_colour(share: float, high: float = 0.6) -> str:
    """Fill colour for a school whose disadvantaged share is ``share`` (saturating at ``high``)."""
    t = min(max(share / high, 0.0), 1.0)
    for (t0, c0), (t1, c1) in itertools.pairwise(_STOPS):
        if t <= t1:
            w = (t - t0) / (t1 - t0)
            rgb = [round(a + w * (b - a)) for a, b in zip(c0, c1, strict=True)]
            return "#{:02x}{:02x}{:02x}".format(*rgb)
    return "#{:02x}{:02x}{:02x}".format(*_STOPS[-1][1])


def school_tooltip(model: EdSystemModel, s: int, region: str) -> str:
    """What hovering school ``s`` shows: its phase, place, pupils and current work."""
    t = model.schools
    names = [spec.name for spec in model.config.interventions]
    lines = [
        f"School {s} ({'primary' if t.phase[s] == 0 else 'secondary'}), {region}, "
        f"local area {int(t.area[s])}",
        f"Disadvantaged pupils: {100 * t.share[s]:.0f}%",
        f"Capacity {t.capacity[s]:.2f}, research engagement {t.engagement[s]:.2f}, "
        f"workload {t.workload[s]:.2f}",
    ]
    work = model.implementations.of_school(s)
    if work:
        for imp in work:
            lines.append(
                f"Implementing {names[imp.intervention]} ({imp.channel}, year {imp.years}, "
                f"quality {imp.quality:.2f}{', adapted' if imp.adapted else ''})"
            )
    else:
        lines.append("Not implementing any approach")
    pid = int(t.partnership[s])
    if pid >= 0 and pid in model.partnerships:
        lines.append(f"In partnership {pid} ({model.partnerships[pid].stage(model.year)} phase)")
    elif t.reached[s]:
        lines.append("Reached by the evidence system before")
    return "\n".join(lines)


def system_svg(
    model: EdSystemModel,
    layout: SchoolLayout | None = None,
    *,
    width: int = 380,
    height: int = 400,
    pane: str = "a",
) -> str:
    """An SVG of the whole system for one model, at its current year."""
    lay = (
        layout
        if layout is not None
        else school_layout(model.schools, tuple(r.name for r in model.config.regions))
    )
    t = model.schools
    pad = 10

    def px(x: float) -> float:
        return pad + x * (width - 2 * pad)

    def py(y: float) -> float:
        return pad + y * (height - 2 * pad - 30)

    implementing: NDArray[np.bool_] = np.asarray(model.implementations.active.any(axis=1))
    parts = [
        f'<svg class="edsim-system" data-pane="{pane}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg" '
        'font-family="sans-serif" font-size="10">'
    ]
    for r, name in enumerate(lay.region_names):
        cx, cy = lay.region_centres[r]
        rr = lay.region_radius[r] * (width - 2 * pad)
        parts.append(
            f'<circle cx="{px(cx):.1f}" cy="{py(cy):.1f}" r="{rr + 6:.1f}" fill="#f4f4f4" '
            f'stroke="#ccc"/><text x="{px(cx):.1f}" y="{py(cy) - rr - 9:.1f}" '
            f'text-anchor="middle" fill="#444">{esc(name)}</text>'
        )
    broker_xy: dict[int, tuple[float, float]] = {}
    placed: dict[int, int] = {}  # brokers already drawn per region, stacked downwards
    for b in model.brokers:
        cx, cy = lay.region_centres[b.region]
        k = placed.get(b.region, 0)
        placed[b.region] = k + 1
        bx = px(cx) - lay.region_radius[b.region] * (width - 2 * pad) - 10
        broker_xy[b.unique_id] = (bx, py(cy) + 10 * k - 10)
    for b in model.brokers:
        bx, by = broker_xy[b.unique_id]
        for p in b.partnerships:
            for s in p.schools:
                parts.append(
                    f'<line x1="{bx:.1f}" y1="{by:.1f}" x2="{px(lay.x[s]):.1f}" '
                    f'y2="{py(lay.y[s]):.1f}" stroke="{PARTNERSHIP_COLOUR}" '
                    'stroke-opacity="0.35" stroke-width="0.8"/>'
                )
    nx, ny = px(NATIONAL_POSITION[0]), py(NATIONAL_POSITION[1])
    pull = model.policymaker.levers.research_orientation == "pull"
    researcher_xy = [(nx + 14 * i, ny) for i in range(len(model.researchers))]
    if pull:
        asking = {p.broker_id for p in model.partnerships.values() if p.choice >= 0}
        for rx, ry in researcher_xy:
            for bid in sorted(asking):
                if bid in broker_xy:
                    bx, by = broker_xy[bid]
                    parts.append(
                        f'<line x1="{rx:.1f}" y1="{ry:.1f}" x2="{bx:.1f}" y2="{by:.1f}" '
                        f'stroke="{RESEARCHER_COLOUR}" stroke-opacity="0.4" '
                        'stroke-dasharray="3 2"/>'
                    )
    regions = lay.region_names
    for s in np.argsort(t.partnership >= 0, kind="stable"):
        in_partnership = t.partnership[s] >= 0
        ring = (
            f' stroke="{PARTNERSHIP_COLOUR}" stroke-width="1.6"'
            if in_partnership
            else (f' stroke="{IMPLEMENTING_COLOUR}" stroke-width="0.9"' if implementing[s] else "")
        )
        status = "partnership" if in_partnership else ("implementing" if implementing[s] else "")
        tip = school_tooltip(model, int(s), regions[t.region[s]])
        parts.append(
            f'<circle class="edsim-school" data-status="{status}" cx="{px(lay.x[s]):.1f}" '
            f'cy="{py(lay.y[s]):.1f}" r="{3.4 if in_partnership else 2.8}" '
            f'fill="{disadvantage_colour(float(t.share[s]))}"{ring}>'
            f"<title>{esc(tip)}</title></circle>"
        )
    for b in model.brokers:
        bx, by = broker_xy[b.unique_id]
        tip = (
            f"Broker {b.unique_id} in {regions[b.region]}: {len(b.partnerships)} "
            f"partnership(s), {b.committed_days():.0f} of "
            f"{b.days:.0f} support days committed"
        )
        parts.append(
            f'<rect class="edsim-broker" x="{bx - 4:.1f}" y="{by - 4:.1f}" width="8" '
            f'height="8" fill="{BROKER_COLOUR}"><title>{esc(tip)}</title></rect>'
        )
    for i, (rx, ry) in enumerate(researcher_xy):
        r = model.researchers[i]
        tip = f"Researcher {r.unique_id}: {r.trials_run} trials so far"
        parts.append(
            f'<polygon class="edsim-researcher" points="{rx:.1f},{ry - 6:.1f} {rx + 6:.1f},'
            f'{ry:.1f} {rx:.1f},{ry + 6:.1f} {rx - 6:.1f},{ry:.1f}" '
            f'fill="{RESEARCHER_COLOUR}"><title>{esc(tip)}</title></polygon>'
        )
    if researcher_xy:
        parts.append(f'<text x="{nx - 6:.1f}" y="{ny + 18:.1f}" fill="#444">researchers</text>')
    ly = height - 10
    legend = [
        (
            f'<circle cx="16" cy="{ly}" r="4" fill="{disadvantage_colour(0.05)}"/>',
            "few disadvantaged",
        ),
        (
            f'<circle cx="16" cy="{ly}" r="4" fill="{disadvantage_colour(0.55)}"/>',
            "many disadvantaged",
        ),
        (
            f'<circle cx="16" cy="{ly}" r="4" fill="#fff" stroke="{IMPLEMENTING_COLOUR}"/>',
            "implementing",
        ),
        (
            f'<circle cx="16" cy="{ly}" r="4" fill="#fff" stroke="{PARTNERSHIP_COLOUR}" '
            'stroke-width="1.6"/>',
            "partnership",
        ),
        (f'<rect x="12" y="{ly - 4}" width="8" height="8" fill="{BROKER_COLOUR}"/>', "broker"),
    ]
    x, y = 0.0, -14.0  # two rows when the legend is wider than the view
    for mark, label in legend:
        w = 26 + 5.0 * len(label)
        if x + w > width and x > 0:
            x, y = 0.0, 0.0
        parts.append(
            f'<g transform="translate({x:.0f},{y:.0f})">{mark}'
            f'<text x="23" y="{ly + 3}" fill="#444">{esc(label)}</text></g>'
        )
        x += w
    parts.append("</svg>")
    return "".join(parts)
