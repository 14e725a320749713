"""A document's text as HTML, its evidence highlighted, built safely.

Article text is untrusted: every piece of it goes through :func:`markupsafe.escape`, and only
tags written here are added. The text shown is the *original*: evidence offsets (into the cleaned
text) are mapped through the document's offset map, and removed boilerplate is wrapped in
``<del>`` so the page can show it struck through on demand.
"""

from __future__ import annotations

from dataclasses import dataclass
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


def render_marks(text: str, marks: list[Mark]) -> Markup:
    """``text`` with each mark's span wrapped in ``<span class=…>`` (``<del>`` for removed text).

    Overlapping marks are flattened: the text is cut at every mark boundary and each piece is
    wrapped once with the classes of all the marks covering it.
    """
    n = len(text)
    marks = [Mark(max(0, min(m.start, n)), max(0, min(m.end, n)), m.css, m.anchor, m.title) for m in marks]
    marks = [m for m in marks if m.end > m.start or m.anchor]
    cuts = sorted({0, n, *(m.start for m in marks), *(m.end for m in marks)})
    starts: dict[int, list[Mark]] = {}
    for m in marks:
        starts.setdefault(m.start, []).append(m)
    out: list[str] = []
    for a, b in zip(cuts, cuts[1:] + [n], strict=True):
        for m in starts.get(a, []):
            if m.anchor:
                out.append(f'<a class="anchor" id="{escape(m.anchor)}"></a>')
        if b <= a:
            continue
        covering = [m for m in marks if m.start <= a and b <= m.end and m.end > m.start]
        piece = str(escape(text[a:b]))
        if not covering:
            out.append(piece)
            continue
        removed = [m for m in covering if m.css == "removed"]
        classes = sorted({m.css for m in covering if m.css != "removed"})
        titles = [m.title for m in covering if m.title]
        title = f' title="{escape(" · ".join(titles))}"' if titles else ""
        if classes:
            piece = f'<span class="hl {" ".join(classes)}"{title if not removed else ""}>{piece}</span>'
        if removed:
            piece = f'<del class="removed"{title}>{piece}</del>'
        out.append(piece)
    return Markup("".join(out))


def _to_original(offset_map: OffsetMap, start: int, end: int) -> tuple[int, int]:
    if end <= start:
        s = offset_map.to_original(start)
        return s, s
    return offset_map.to_original(start), offset_map.to_original(end - 1) + 1


def document_marks(doc_id: str, evidence: dict[str, list[dict[str, Any]]],
                   offset_map: OffsetMap | None) -> list[Mark]:
    """Marks for a document's evidence (offsets into the cleaned text, mapped to the original
    when ``offset_map`` is given) and its removed spans (already original offsets)."""

    def mapped(start: int, end: int) -> tuple[int, int]:
        return _to_original(offset_map, start, end) if offset_map is not None else (start, end)

    marks: list[Mark] = []
    for a in evidence.get("attributions", []):
        rid = a.get("id")
        content = a.get("content") or {}
        parts = a.get("content_parts") or [content]
        for i, part in enumerate(parts):
            if isinstance(part, dict) and "start" in part:
                s, e = mapped(part["start"], part["end"])
                marks.append(Mark(s, e, "a-content", anchor_id(doc_id, rid) if i == 0 else None,
                                  f"{rid} {a.get('kind', '')}: content"))
        for role in ("source", "cue", "medium", "hedge"):
            span = a.get(role)
            if isinstance(span, dict) and "start" in span:
                s, e = mapped(span["start"], span["end"])
                marks.append(Mark(s, e, f"a-{role}", None, f"{rid} {role}"))
    for c in evidence.get("claims", []):
        s, e = mapped(c["start"], c["end"])
        marks.append(Mark(s, e, "claim", anchor_id(doc_id, c["claim_id"]),
                          f"{c['claim_id']} {c['polarity']} {c['modality']}"))
    for q in evidence.get("quantities", []):
        s, e = mapped(q["start"], q["end"])
        marks.append(Mark(s, e, "quantity", anchor_id(doc_id, q["quantity_id"]),
                          f"{q['quantity_id']} {q['measure_key']}"))
    for i, t in enumerate(evidence.get("times", []), start=1):
        s, e = mapped(t["start"], t["end"])
        marks.append(Mark(s, e, "timex", anchor_id(doc_id, f"t{i}"), f"{t['type']} {t.get('value') or ''}"))
    if offset_map is not None:
        for r in evidence.get("removed", []):
            marks.append(Mark(r["start"], r["end"], "removed", None, f"removed: {r['reason']} ({r['rule']})"))
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
