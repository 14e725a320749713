"""Quantity charts as inline SVG, built from escaped pieces (no script, no network, no inline
style: colours are classes of the stylesheet, so the app's Content-Security-Policy allows them).

A chart is drawn only for a measure worth reading (see store.queries.chartable_measures). Values sit on
round ticks; a range is a bar, an approximation a hollow mark, a bound an arrow; a value whose
document is undated but has a closed estimated window sits in that window, marked "est." with
the window drawn; values with no date at all stand apart on the right. Every label is placed
where it overlaps no other label or mark, or left out (the table under the chart lists every
value), and every mark links to its words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from .figures import closed_window, compact_number, date_text, last_day, nice_ticks, parse_day, value_text
from .highlight import anchor_id

WIDTH, HEIGHT = 860, 300
LEFT, TOP, BOTTOM = 62, 14, 44
STRIP = 210  # the width of the "no date" column, when there is one
COLOURS = 10  # classes c0..c9 in the stylesheet
CHAR_W, LINE_H = 6.3, 13.0  # a label's box at 11 px: width per character, height
MAX_SOURCE = 24
MAX_WINDOW_DAYS = 92  # a quarter: wider times and windows leave a value among the undated
LOWER_WORDS = ("more than", "over", "at least", "above", "upwards of", "in excess of", "no fewer than")
UPPER_WORDS = ("up to", "fewer than", "less than", "under", "below", "at most", "no more than", "nearly", "almost")


@dataclass
class _Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def hits(self, other: _Box) -> bool:
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1


def placement(p: dict[str, Any]) -> dict[str, Any]:
    """Where a value sits in time: {"day", "first", "last", "estimated", "when"} or {} when it has
    no date. Its own as-of date first; else its document's publication date; else its document's
    closed estimated window (the value is placed mid-window and marked). A time wider than
    MAX_WINDOW_DAYS ("in 2026") places nothing: it would stretch the axis and say little."""
    as_of = p.get("as_of") or ""
    first = parse_day(as_of) if as_of[:1].isdigit() else None
    if first is not None:
        last = last_day(as_of[:10]) or first
        if (last - first).days <= MAX_WINDOW_DAYS:
            return {"day": first + (last - first) / 2, "first": first, "last": last, "estimated": last != first,
                    "when": date_text(as_of[:10])}
    published = parse_day(p.get("published"))
    if published is not None:
        return {"day": published, "first": published, "last": published, "estimated": False,
                "when": date_text(p["published"]) + " (publication)"}
    window = closed_window(p.get("date_estimate"))
    if window is not None and (window[1] - window[0]).days <= MAX_WINDOW_DAYS:
        first, last = window
        return {"day": first + (last - first) / 2, "first": first, "last": last, "estimated": True,
                "when": f"estimated {date_text(first.isoformat())} – {date_text(last.isoformat())}"}
    return {}


def _bound(p: dict[str, Any]) -> str | None:
    approx = (p.get("approx") or "").lower()
    if any(approx.startswith(w) for w in LOWER_WORDS) or (p.get("low") is not None and p.get("high") is None):
        return "lower"
    if any(approx.startswith(w) for w in UPPER_WORDS) or (p.get("high") is not None and p.get("low") is None):
        return "upper"
    return None


def _time_ticks(first: dt.date, last: dt.date) -> list[tuple[dt.date, str]]:
    """Round calendar ticks over first..last: days, months or years, about six of them."""
    span = (last - first).days
    if span <= 0:
        return [(first, date_text(first.isoformat()))]
    if span <= 45:
        step = next(s for s in (1, 2, 7, 14) if span / s <= 7)
        return [(d, f"{d.day} {date_text(d.isoformat()).split()[1]}")
                for d in (first + dt.timedelta(days=i) for i in range(0, span + 1, step))]
    if span <= 900:
        months = span / 30.4
        step = next(s for s in (1, 2, 3, 6, 12) if months / s <= 7)
        ticks, y, m = [], first.year, first.month
        while True:
            d = dt.date(y, m, 1)
            if d > last:
                break
            if first <= d <= last and (m - 1) % step == 0:
                ticks.append((d, date_text(d.isoformat()[:7])))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return ticks or [(first, date_text(first.isoformat()[:7]))]
    years = span / 365.25
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100) if years / s <= 7)
    return [(dt.date(y, 1, 1), str(y)) for y in range(first.year, last.year + 1)
            if y % step == 0 and first <= dt.date(y, 1, 1) <= last] or [(first, str(first.year))]


def _time_domain(first: dt.date | None, last: dt.date | None) -> tuple[dt.date | None, dt.date | None]:
    """The time axis's ends: beyond six weeks, from the first of the first month to the last of
    the last month, so that each month (or year) of the data has its tick."""
    if first is None or last is None or (last - first).days <= 45:
        return first, last
    if (last - first).days > 900:
        return dt.date(first.year, 1, 1), dt.date(last.year, 12, 31)
    end = dt.date(last.year + last.month // 12, last.month % 12 + 1, 1) - dt.timedelta(days=1)
    return first.replace(day=1), end


def quantity_chart(series: dict[str, Any], href: Any = None) -> Markup:
    """One measure's values as an SVG chart and its legend (see the module's docstring)."""
    e = escape
    points = _merged([p for p in series["points"] if any(p.get(k) is not None for k in ("value", "low", "high"))])
    dated = [p for p in points if p["_when"]]
    undated = [p for p in points if not p["_when"]]
    # undated values stand apart on the right; with no dated value at all they take the whole width
    strip = (WIDTH - 16 - LEFT if not dated else STRIP if len(undated) <= 6 else 2 * STRIP) if undated else 0
    plot_right = WIDTH - 16 - strip
    plot_h = HEIGHT - TOP - BOTTOM
    values = [v for p in points for v in (p.get("value"), p.get("low"), p.get("high")) if v is not None]
    low = min(0.0, min(values)) if values else 0.0
    ticks = nice_ticks(low, max(values) if values else 1.0)
    bottom, top = ticks[0], ticks[-1]
    tick_text = [compact_number(v) for v in ticks]
    left = max(LEFT, 14 + CHAR_W * max(len(t) for t in tick_text))
    plot_w = plot_right - left

    def y(v: float) -> float:
        return TOP + plot_h - (v - bottom) / ((top - bottom) or 1) * plot_h

    first, last = _time_domain(min((p["_when"]["first"] for p in dated), default=None),
                               max((p["_when"]["last"] for p in dated), default=None))
    span = (last - first).days if first and last else 0

    def x(day: dt.date) -> float:
        if not span:
            return left + plot_w / 2
        return left + 24 + (day - first).days / span * (plot_w - 48)

    sources: list[str] = []
    for p in points:
        name = p.get("source") or p.get("outlet") or ""
        if name not in sources:
            sources.append(name)
    colour = {s: f"c{i % COLOURS}" for i, s in enumerate(sources)}
    out = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
           f'aria-label="{e(series["measure_key"])}: {len(points)} values" xmlns="http://www.w3.org/2000/svg">']
    for v, text in zip(ticks, tick_text, strict=True):
        out.append(f'<line class="grid" x1="{left}" x2="{plot_right}" y1="{y(v):.1f}" y2="{y(v):.1f}"/>')
        out.append(f'<text class="tick" x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end">'
                   f'{e(text)}</text>')
    out.append(f'<line class="axis" x1="{left}" x2="{plot_right}" y1="{TOP + plot_h}" y2="{TOP + plot_h}"/>')
    if first and last:
        for day, text in _time_ticks(first, last):
            out.append(f'<line class="axis" x1="{x(day):.1f}" x2="{x(day):.1f}" y1="{TOP + plot_h}" '
                       f'y2="{TOP + plot_h + 4}"/><text class="tick" x="{x(day):.1f}" y="{TOP + plot_h + 17}" '
                       f'text-anchor="middle">{e(text)}</text>')
    elif not undated:
        out.append(f'<text class="note" x="{left + plot_w / 2:.1f}" y="{TOP + plot_h / 2:.1f}" '
                   'text-anchor="middle">no dated values</text>')
    if undated:
        strip_x = plot_right + 12
        out.append(f'<rect class="strip" x="{strip_x}" y="{TOP}" width="{strip - 12}" height="{plot_h}"/>')
        out.append(f'<text class="tick" x="{strip_x + (strip - 12) / 2:.1f}" y="{TOP + plot_h + 17}" '
                   'text-anchor="middle">no date</text>')
        # spread across the strip in document order, labels beside them where there is room
        step = (strip - 40) / max(1, len(undated))
        for i, p in enumerate(undated):
            p["_x"] = strip_x + 14 + i * min(step, 28)
    for p in dated:
        p["_x"] = x(p["_when"]["day"])

    taken: list[_Box] = []  # marks first, so no label covers a mark
    for p in points:
        v = _central(p)
        p["_y"] = y(v)
        low_, high_ = p.get("low"), p.get("high")
        if low_ is not None and high_ is not None and low_ != high_:
            taken.append(_Box(p["_x"] - 6, y(high_) - 2, p["_x"] + 6, y(low_) + 2))
        taken.append(_Box(p["_x"] - 7, p["_y"] - 16, p["_x"] + 7, p["_y"] + 7))
    left_out = 0
    for p in sorted(points, key=lambda p: (p["_x"], p["_y"])):
        px, py = p["_x"], p["_y"]
        fill = colour[p.get("source") or p.get("outlet") or ""]
        label = value_text(p)
        when = p["_when"]
        tip = (f"{label} — {p.get('source') or 'no source named'}; "
               f"{when['when'] if when else 'no date'}; {p.get('outlet') or ''} “{p.get('text')}”")
        link = href(p["doc_id"], p["quantity_id"]) if href else "#" + anchor_id(p["doc_id"], p["quantity_id"])
        closing = "</a>" if link else "</g>"
        out.append((f'<a href="{e(link)}" class="mark">' if link else '<g class="mark">') + f"<title>{e(tip)}</title>")
        if when and when["estimated"] and when["first"] != when["last"]:
            out.append(f'<line class="window {fill}" x1="{x(when["first"]):.1f}" x2="{x(when["last"]):.1f}" '
                       f'y1="{py:.1f}" y2="{py:.1f}"/>')
        low_, high_ = p.get("low"), p.get("high")
        if low_ is not None and high_ is not None and low_ != high_:
            out.append(f'<line class="range {fill}" x1="{px:.1f}" x2="{px:.1f}" y1="{y(low_):.1f}" '
                       f'y2="{y(high_):.1f}"/>')
            for end in (low_, high_):
                out.append(f'<line class="range {fill}" x1="{px - 5:.1f}" x2="{px + 5:.1f}" y1="{y(end):.1f}" '
                           f'y2="{y(end):.1f}"/>')
        bound = _bound(p)
        if bound == "lower":
            out.append(f'<path class="bound {fill}" d="M{px - 5:.1f},{py - 7:.1f} L{px:.1f},{py - 15:.1f} '
                       f'L{px + 5:.1f},{py - 7:.1f}"/>')
        elif bound == "upper":
            out.append(f'<path class="bound {fill}" d="M{px - 5:.1f},{py + 7:.1f} L{px:.1f},{py + 15:.1f} '
                       f'L{px + 5:.1f},{py + 7:.1f}"/>')
        if not (low_ is not None and high_ is not None and low_ != high_) or p.get("value") is not None:
            hollow = bool(p.get("approx")) or (when and when["estimated"])
            out.append(f'<circle class="dot {fill}{" hollow" if hollow else ""}" cx="{px:.1f}" cy="{py:.1f}" r="5"/>')
        if p.get("conflict"):
            out.append(f'<circle class="conflict" cx="{px:.1f}" cy="{py:.1f}" r="9"/>')
        text = f"{value_text(p, words=True)} · {_short(p.get('source') or p.get('outlet') or 'no source')}"
        if p["_count"] > 1:
            text += f" ×{p['_count']}"
        if when and when["estimated"]:
            text += " (est.)"
        spot = _place_label(text, px, py, taken, right_edge=WIDTH - 4)
        if spot is None:
            left_out += 1
        else:
            tx, ty, anchor = spot
            if abs(ty - 4 - py) >= 10:  # moved off its mark's line: a leader line says whose it is
                out.append(f'<line class="leader" x1="{px:.1f}" y1="{py:.1f}" x2="{tx + (-2 if anchor else 2):.1f}" '
                           f'y2="{ty - 4:.1f}"/>')
            out.append(f'<text class="value" x="{tx:.1f}" y="{ty:.1f}"{anchor}>{e(text)}</text>')
        out.append(closing)
    out.append("</svg>")
    keys = "".join(f'<span class="key"><i class="sw {colour[s]}"></i>{e(s or "no source named")}</span>'
                   for s in sources[:12])
    more = f'<span class="key">and {len(sources) - 12} more sources</span>' if len(sources) > 12 else ""
    marks = ("● stated · ○ approximate or estimated date · │ range · ↑ at least · ↓ at most"
             + (" · ⊙ red ring: conflicting values" if any(p.get("conflict") for p in points) else "")
             + (" · ─ estimated window" if any(placement(p).get("estimated") for p in dated) else ""))
    note = (f'<p class="meta">{left_out} label{"s" if left_out != 1 else ""} left out for space; '
            'the table lists every value.</p>') if left_out else ""
    return Markup("".join(out) + f'<div class="legend">{keys}{more}<span class="key">{e(marks)}</span></div>{note}')


def _merged(points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One mark per value said alike: the same value, bounds, approximation and source at the same
    time (a syndicated figure repeated in many documents); the mark counts them."""
    marks: dict[tuple, dict[str, Any]] = {}
    for p in points:
        when = placement(p)
        key = (when.get("day"), p.get("value"), p.get("low"), p.get("high"), p.get("approx"),
               p.get("source") or p.get("outlet"))
        if key in marks:
            marks[key]["_count"] += 1
            marks[key]["conflict"] = marks[key].get("conflict") or p.get("conflict")
        else:
            marks[key] = {**p, "_when": when, "_count": 1}
    return list(marks.values())


def _central(p: dict[str, Any]) -> float:
    if p.get("value") is not None:
        return p["value"]
    low, high = p.get("low"), p.get("high")
    if low is not None and high is not None:
        return (low + high) / 2
    return low if low is not None else high


def _short(name: str) -> str:
    return name if len(name) <= MAX_SOURCE else name[:MAX_SOURCE - 1].rstrip() + "…"


def _place_label(text: str, px: float, py: float, taken: list[_Box], right_edge: float) -> tuple | None:
    """The first spot near (px, py) where ``text`` overlaps nothing already taken and stays on
    the chart: right, left, above, below, then further up and down; None when there is none."""
    w = len(text) * CHAR_W
    for dy in (0, -14, 14, -28, 28, -42, 42):
        for side in ("right", "left"):
            x0 = px + 9 if side == "right" else px - 9 - w
            base = py + 4 + dy
            box = _Box(x0, base - LINE_H + 2, x0 + w, base + 3)
            if box.x0 < 2 or box.x1 > right_edge or box.y0 < 0 or box.y1 > HEIGHT - BOTTOM + 4:
                continue
            if any(box.hits(b) for b in taken):
                continue
            taken.append(box)
            return (x0, base, "") if side == "right" else (x0 + w, base, ' text-anchor="end"')
    return None
