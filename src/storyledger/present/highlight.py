"""A document's text as HTML, its evidence highlighted, built safely.

Article text is untrusted: every piece of it goes through :func:`markupsafe.escape`, and only
tags written here are added. The text shown is the *original*: evidence offsets (into the cleaned
text) are mapped through the document's offset map, and removed boilerplate is wrapped in
``<del>`` so the page can show it struck through on demand.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice
from typing import Any

from markupsafe import Markup, escape

from ..model import OffsetMap


@dataclass(frozen=True)
class Mark:
    start: int  # offsets into the text being rendered
    end: int
    css: str  # one of our own class names
    anchor: str | None = None  # an id placed where the mark starts
    title: str | None = None  # tooltip (escaped)


def _safe_id(value: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in value)


def anchor_id(doc_id: str, record_id: str | None = None) -> str:
    """The HTML id of a document (or of one record in it): ``d-<doc>`` / ``d-<doc>-<record>``."""
    return _safe_id(f"d-{doc_id}" + (f"-{record_id}" if record_id else ""))


TITLES_PER_PIECE = 6
_ROLE_TITLES = {"source": "who said it", "cue": "how it was said", "medium": "through whom",
                "hedge": "hedged"}  # a tooltip names at most this many of the marks covering a piece


def render_marks(text: str, marks: list[Mark]) -> Markup:
    """``text`` with each mark's span wrapped in ``<span class=…>`` (``<del>`` for removed text).

    Overlapping marks are flattened: the text is cut at every mark boundary and each piece is
    wrapped once with the classes of all the marks covering it. One sweep over the cuts keeps the
    marks covering the current piece (added where they start, dropped where they end), so the
    work grows with the number of marks, not with marks times cuts.
    """
    n = len(text)
    marks = [Mark(max(0, min(m.start, n)), max(0, min(m.end, n)), m.css, m.anchor, m.title) for m in marks]
    marks = [m for m in marks if m.end > m.start or m.anchor]
    starts: dict[int, list[int]] = {}
    ends: dict[int, list[int]] = {}
    for i, m in enumerate(marks):
        starts.setdefault(m.start, []).append(i)
        if m.end > m.start:
            ends.setdefault(m.end, []).append(i)
    cuts = sorted({0, n, *starts, *ends})
    wrapped = _target_wrappers(marks)
    for at in starts.values():
        # outer marks open first, so their wrappers nest; an anchor with no wrapper comes last, right
        # before the piece it marks
        at.sort(key=lambda i: (i not in wrapped, -marks[i].end))
    covering: dict[int, Mark] = {}  # in the order they start: tooltips list them so
    css_counts: Counter[str] = Counter()
    out: list[str] = []
    open_wrappers: list[int] = []
    for a, b in zip(cuts, cuts[1:] + [n], strict=True):
        for i in ends.get(a, ()):
            css_counts[covering.pop(i).css] -= 1
        while open_wrappers and marks[open_wrappers[-1]].end <= a:
            open_wrappers.pop()
            out.append("</span>")
        for i in starts.get(a, ()):
            m = marks[i]
            if m.anchor:
                out.append(f'<a class="anchor" id="{escape(m.anchor)}"></a>')
                if i in wrapped:
                    out.append('<span class="target">')
                    open_wrappers.append(i)
            if m.end > m.start:
                covering[i] = m
                css_counts[m.css] += 1
        if b <= a:
            continue
        piece = str(escape(text[a:b]))
        if not covering:
            out.append(piece)
            continue
        removed = css_counts["removed"] > 0
        classes = sorted(c for c, k in css_counts.items() if k > 0 and c != "removed")
        titles = list(islice((m.title for m in covering.values() if m.title), TITLES_PER_PIECE + 1))
        if len(titles) > TITLES_PER_PIECE:
            titles[-1] = "…"
        title = f' title="{escape(" · ".join(titles))}"' if titles else ""
        if classes:
            piece = f'<span class="hl {" ".join(classes)}"{title if not removed else ""}>{piece}</span>'
        if removed:
            piece = f'<del class="removed"{title}>{piece}</del>'
        out.append(piece)
    out.extend("</span>" for _ in open_wrappers)
    return Markup("".join(out))


def _target_wrappers(marks: list[Mark]) -> set[int]:
    """The anchored marks whose whole span one ``<span class="target">`` can wrap, so that a link
    to the anchor marks all of it (the stylesheet outlines ``a.anchor:target + .target``): those
    not crossing another wrapped mark (two crossing spans cannot both be one element). A crossing
    mark's anchor is followed by its first piece, which the stylesheet marks instead."""
    order = sorted((i for i, m in enumerate(marks) if m.anchor and m.end > m.start),
                   key=lambda i: (marks[i].start, -marks[i].end, i))
    stack: list[int] = []
    wrapped: set[int] = set()
    for i in order:
        m = marks[i]
        while stack and marks[stack[-1]].end <= m.start:
            stack.pop()
        if stack and m.end > marks[stack[-1]].end:
            continue  # crosses the mark it starts inside
        stack.append(i)
        wrapped.add(i)
    return wrapped


def _to_original(offset_map: OffsetMap) -> Callable[[int, int], tuple[int, int]]:
    """Maps a (start, end) span of the cleaned text to the original text. The segment starts are
    listed once per document (OffsetMap.to_original lists them on every call: thousands of
    marks on a long document made that quadratic)."""
    segments = offset_map.segments
    starts = [s[0] for s in segments]

    def one(offset: int) -> int:
        if not segments:
            return offset
        clean_start, orig_start, length = segments[max(0, bisect_right(starts, offset) - 1)]
        return orig_start + min(max(offset - clean_start, 0), length)

    def span(start: int, end: int) -> tuple[int, int]:
        if end <= start:
            return one(start), one(start)
        return one(start), one(end - 1) + 1

    return span


def document_marks(doc_id: str, evidence: dict[str, list[dict[str, Any]]],
                   offset_map: OffsetMap | None) -> list[Mark]:
    """Marks for a document's evidence (offsets into the cleaned text, mapped to the original
    when ``offset_map`` is given) and its removed spans (already original offsets)."""

    mapped = _to_original(offset_map) if offset_map is not None else (lambda start, end: (start, end))

    marks: list[Mark] = []
    for a in evidence.get("attributions", []):
        rid = a.get("id")
        content = a.get("content") or {}
        parts = a.get("content_parts") or [content]
        for i, part in enumerate(parts):
            if isinstance(part, dict) and "start" in part:
                s, e = mapped(part["start"], part["end"])
                marks.append(Mark(s, e, "a-content", anchor_id(doc_id, rid) if i == 0 else None,
                                  f"what was said ({a.get('kind') or 'attribution'})"))
        for role in ("source", "cue", "medium", "hedge"):
            span = a.get(role)
            if isinstance(span, dict) and "start" in span:
                s, e = mapped(span["start"], span["end"])
                marks.append(Mark(s, e, f"a-{role}", None, _ROLE_TITLES[role]))
    for c in evidence.get("claims", []):
        s, e = mapped(c["start"], c["end"])
        marks.append(Mark(s, e, "claim", anchor_id(doc_id, c["claim_id"]),
                          f"claim: {c['polarity']}, {c['modality']}"))
    for q in evidence.get("quantities", []):
        s, e = mapped(q["start"], q["end"])
        marks.append(Mark(s, e, "quantity", anchor_id(doc_id, q["quantity_id"]), f"figure: {q['measure_key']}"))
    for i, t in enumerate(evidence.get("times", []), start=1):
        s, e = mapped(t["start"], t["end"])
        marks.append(Mark(s, e, "timex", anchor_id(doc_id, f"t{i}"), f"time: {t.get('value') or t['type'].lower()}"))
    if offset_map is not None:
        for r in evidence.get("removed", []):
            marks.append(Mark(r["start"], r["end"], "removed", None, f"removed: {r['reason']}"))
    return marks


def highlight_document(doc: dict[str, Any], evidence: dict[str, list[dict[str, Any]]]) -> Markup:
    """The document's original text, evidence highlighted and removed boilerplate in ``<del>``."""
    offset_map = OffsetMap.from_json(doc["offset_map"]) if doc.get("offset_map") else None
    text = doc["original"] if offset_map is not None else doc["text"]
    return render_marks(text, document_marks(doc["id"], evidence, offset_map))


def snippet_markup(snippet: str | None) -> Markup:
    """An FTS snippet whose match markers are \\x01 … \\x02, as escaped HTML with ``<mark>``."""
    if not snippet:
        return Markup("")
    out = []
    for i, part in enumerate(snippet.split("\x01")):
        if i == 0:
            out.append(str(escape(part)))
            continue
        hit, _, rest = part.partition("\x02")
        out.append(f"<mark>{escape(hit)}</mark>{escape(rest)}")
    return Markup("".join(out))
