"""Quantity charts as inline SVG, built from escaped pieces (no script, no network, prints well)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from markupsafe import Markup, escape

from .highlight import anchor_id

WIDTH, HEIGHT = 760, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 230, 16, 40  # RIGHT holds the "undated" strip
PALETTE = ("#1f77b4", "#8c6d31", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
           "#7f7f7f", "#bcbd22")


def _day(value: str) -> dt.date:
    parts = [int(p) for p in value.split("-")]
    while len(parts) < 3:
        parts.append(1 if len(parts) else 1)
    return dt.date(parts[0], parts[1], parts[2])


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 or float(value).is_integer() else f"{value:,.2f}"


def point_label(p: dict[str, Any]) -> str:
    """The value as the text gives it: "about 2,000", "500–999", "more than 500"."""
    if p.get("low") is not None and p.get("high") is not None and p["low"] != p["high"]:
        core = f"{_fmt(p['low'])}–{_fmt(p['high'])}"
    elif p.get("value") is not None:
        core = _fmt(p["value"])
    else:
        core = _fmt(p["low"]) if p.get("low") is not None else "?"
    return f"{p['approx']} {core}" if p.get("approx") else core


def quantity_chart(series: dict[str, Any], href: Any = None) -> Markup:
    """One chart: dated values over time on the left, undated ones apart on the right. One mark
    per source value; a range is a vertical bar, an approximation a hollow mark, a lower bound an
    arrow up; a conflict from the series table a red ring. Each mark links to its evidence."""
    points = series["points"]
    values = [v for p in points for v in (p.get("value"), p.get("low"), p.get("high")) if v is not None]
    top = max(values) * 1.12 if values else 1.0
    bottom = 0.0 if not values or min(values) >= 0 else min(values) * 1.12
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM

    def y(v: float) -> float:
        return TOP + plot_h - (v - bottom) / ((top - bottom) or 1) * plot_h

    dated = [p for p in points if p.get("date")]
    undated = [p for p in points if not p.get("date")]
    days = sorted({_day(p["date"]) for p in dated})
    first, last = (days[0], days[-1]) if days else (None, None)

    def x(p: dict[str, Any]) -> float:
        if first is None or first == last:
            return LEFT + plot_w / 2
        return LEFT + 20 + (_day(p["date"]) - first).days / (last - first).days * (plot_w - 40)

    sources = []
    for p in points:
        if (p.get("source") or "") not in sources:
            sources.append(p.get("source") or "")
    colour = {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(sources)}
    e = escape
    out = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
           f'aria-label="{e(series["measure_key"])}: {len(points)} values" xmlns="http://www.w3.org/2000/svg">']
    # axes and grid
    for i in range(5):
        v = bottom + (top - bottom) * i / 4
        out.append(f'<line class="grid" x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(v):.1f}" y2="{y(v):.1f}"/>')
        out.append(f'<text class="tick" x="{LEFT - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{e(_fmt(v))}</text>')
    out.append(f'<line class="axis" x1="{LEFT}" x2="{LEFT + plot_w}" y1="{TOP + plot_h}" y2="{TOP + plot_h}"/>')
    for day in days[:: max(1, len(days) // 6)] if days else []:
        px = x({"date": day.isoformat()})
        out.append(f'<text class="tick" x="{px:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle">'
                   f'{e(day.isoformat())}</text>')
    if not days:
        out.append(f'<text class="note" x="{LEFT + plot_w / 2:.1f}" y="{TOP + plot_h / 2:.1f}" '
                   'text-anchor="middle">no dated values</text>')
    strip_x = LEFT + plot_w + 20
    out.append(f'<rect class="strip" x="{strip_x - 10}" y="{TOP}" width="{RIGHT - 20}" height="{plot_h}"/>')
    out.append(f'<text class="tick" x="{strip_x + (RIGHT - 40) / 2:.1f}" y="{TOP + plot_h + 16}" '
               'text-anchor="middle">undated</text>')
    # marks
    strip_w = RIGHT - 40
    for i, p in enumerate(undated):
        p["_x"] = strip_x - 10 + (i + 0.5) * strip_w / len(undated)
    for p in dated:
        p["_x"] = x(p)
    for p in dated + undated:
        px = p["_x"]
        fill = colour[p.get("source") or ""]
        label = point_label(p)
        tip = (f"{label} — {p.get('source') or 'no source'}; as of {p.get('as_of') or 'unknown'}; "
               f"{p.get('outlet') or ''} “{p.get('text')}”")
        link = href(p["doc_id"], p["quantity_id"]) if href else "#" + anchor_id(p["doc_id"], p["quantity_id"])
        out.append(f'<a href="{e(link)}" class="mark"><title>{e(tip)}</title>')
        low, high = p.get("low"), p.get("high")
        if low is not None and high is not None and low != high:
            out.append(f'<line class="range" x1="{px:.1f}" x2="{px:.1f}" y1="{y(low):.1f}" y2="{y(high):.1f}" '
                       f'stroke="{fill}"/>')
            for v in (low, high):
                out.append(f'<line class="range" x1="{px - 5:.1f}" x2="{px + 5:.1f}" y1="{y(v):.1f}" '
                           f'y2="{y(v):.1f}" stroke="{fill}"/>')
        v = p["value"] if p.get("value") is not None else low
        if v is not None:
            if low is not None and high is None:  # "more than 500": an arrow up from the bound
                out.append(f'<path class="bound" d="M{px - 5:.1f},{y(v) - 6:.1f} L{px:.1f},{y(v) - 14:.1f} '
                           f'L{px + 5:.1f},{y(v) - 6:.1f}" stroke="{fill}" fill="none"/>')
            hollow = bool(p.get("approx"))
            out.append(f'<circle cx="{px:.1f}" cy="{y(v):.1f}" r="5" stroke="{fill}" stroke-width="2" '
                       f'fill="{"white" if hollow else fill}"/>')
            if p.get("conflict"):
                out.append(f'<circle class="conflict" cx="{px:.1f}" cy="{y(v):.1f}" r="9"/>')
            if p.get("date"):
                out.append(f'<text class="value" x="{px + 8:.1f}" y="{y(v) - 6:.1f}">{e(label)}</text>')
            else:  # narrow strip: the bare number, centred, alternating above and below
                below = undated.index(p) % 2
                out.append(f'<text class="value" x="{px:.1f}" y="{y(v) + (18 if below else -9):.1f}" '
                           f'text-anchor="middle">{e(_fmt(v))}</text>')
        out.append("</a>")
    out.append("</svg>")
    legend = "".join(
        f'<span class="key"><i style="background:{colour[s]}"></i>{e(s or "no source")}</span>' for s in sources)
    return Markup("".join(out) + f'<div class="legend">{legend}<span class="key">○ approximate · '
                  f'│ range · ^ lower bound{" · red ring: conflict" if any(p.get("conflict") for p in points) else ""}'
                  f'</span></div>')
