"""The shareable report: one self-contained HTML file (styles inlined, charts in SVG, no script,
no network), readable on a laptop and on paper.

It is story-first: the first screen says what the story is, thread by thread, in dated sentences
linked to their words; then each main thread's timeline, contradictions and denials; the numbers
worth a chart; who held up; and last the documents, folded. However large the ledger, the report
stays small: the main threads, the top sources and measures, counts for the rest (the web app,
``storyledger serve``, has them all), and only the documents its sentences cite once the corpus
is past a few dozen.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from .. import __version__
from ..store import queries
from ..store.ledger import Ledger
from . import story
from .charts import quantity_chart
from .figures import date_text, format_number, value_text, window_text
from .highlight import anchor_id, highlight_document

PRESENT = Path(__file__).resolve().parent
MAIN_THREADS = 5  # threads told in full; the first three open the report
STORY_THREADS = 3
OTHER_THREADS = 25  # listed by name and counts
CHARTS = 6
TOP_SOURCES = 15
ALL_DOCUMENTS_UP_TO = 60  # a corpus this small carries every document; a larger one only those cited
CITED_DOCUMENTS = 25
TIMELINE_ROWS = 30
CHART_POINTS = 60  # values of one measure drawn in the report (dated first); the app draws them all


def clip(text: str | None, length: int = 160) -> str:
    """``text`` cut at a word to about ``length`` characters, with "…" when cut."""
    text = " ".join((text or "").split())
    if len(text) <= length:
        return text
    cut = text.rfind(" ", 0, length)
    return text[:cut if cut > length // 2 else length].rstrip(",;: ") + "…"


_OPENING_QUOTES, _CLOSING_QUOTES = "\"'“‘«", "\"'”’»"


def unquote(text: str | None) -> str:
    """``text`` without the quotation marks around it, since the page sets it in its own: a quote
    that is the whole evidence ("“Full withdrawal”") is not shown in doubled marks. Marks inside,
    which pair with others, are kept."""
    text = (text or "").strip()
    if text[:1] not in _OPENING_QUOTES:
        return text
    inner = text[1:]
    if inner[-1:] in _CLOSING_QUOTES:
        inner = inner[:-1]
    if any(ch in _OPENING_QUOTES or ch in _CLOSING_QUOTES for ch in inner.replace("’", "")):
        return text
    return inner


def environment(doc_href: Any) -> Environment:
    """The Jinja2 environment (autoescape on) shared by the report and the app; ``doc_href(doc_id,
    record_id)`` says where a link to a document or one of its records goes (None: nowhere)."""
    env = Environment(loader=FileSystemLoader(str(PRESENT / "templates")),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    env.globals.update(anchor=anchor_id, doc_href=doc_href, date_text=date_text, window_text=window_text,
                       value_text=value_text, names=story.names)
    env.filters["clip"] = clip
    env.filters["unquote"] = unquote
    env.filters["number"] = format_number
    return env


def stylesheet() -> str:
    return resources.files("storyledger.present").joinpath("static/style.css").read_text(encoding="utf-8")


def document_view(ledger: Ledger, doc_id: str) -> dict[str, Any] | None:
    """A document with its highlighted text (Markup built from escaped pieces) and chains."""
    doc = queries.document_row(ledger, doc_id)
    if doc is None:
        return None
    evidence = queries.document_evidence(ledger, doc_id)
    doc["html"] = highlight_document(doc, evidence)
    doc["chains"] = queries.document_chains(ledger, doc_id, doc["outlet"])
    doc["n_removed"] = len(evidence["removed"])
    doc["evidence"] = evidence
    doc["when"] = story.when(doc["published"], doc["date_estimate"])
    return doc


def series_views(ledger: Ledger, href: Any = None, keys: list[str] | None = None,
                 limit: int = CHARTS, most_points: int | None = None) -> list[dict[str, Any]]:
    """The chartable series (of ``keys``, or the top ``limit``), each with its chart (of its first
    ``most_points`` values, dated ones first, when given)."""
    if keys is None:
        rows, _ = queries.chartable_measures(ledger, limit)
        keys = [r["measure_key"] for r in rows]
    series = queries.quantity_series(ledger, keys)
    for i, s in enumerate(series, start=1):
        s["n_points"] = len(s["points"])
        if most_points is not None:
            s["points"] = s["points"][:most_points]
        s["anchor"] = f"series-{i}"
        s["href"] = "#" + s["anchor"]
        s["chart"] = quantity_chart(s, href=href)
        for p in s["points"]:
            p["label"] = value_text(p)
    return series


def story_context(ledger: Ledger, *, main: int = MAIN_THREADS, series: list[dict[str, Any]] | None = None,
                  timeline_rows: int | None = TIMELINE_ROWS) -> dict[str, Any]:
    """The main threads' stories and the rest of the threads by name (for the report and the
    app's home page)."""
    if not queries.has_links(ledger):
        return {"threads": [], "other_threads": [], "n_threads": 0}
    rows, n_threads = queries.thread_page(ledger, limit=main + OTHER_THREADS)
    stories = [story.thread_story(ledger, t, timeline_rows=timeline_rows, series=series) for t in rows[:main]]
    _numbers_once(stories)
    return {"threads": stories, "other_threads": rows[main:], "n_threads": n_threads}


def _numbers_once(stories: list[dict[str, Any]]) -> None:
    """A series told under one thread is not told again under the next."""
    told: set[str] = set()
    for t in stories:
        if t["numbers"] and t["numbers"]["measure_key"] in told:
            t["numbers"] = None
        elif t["numbers"]:
            told.add(t["numbers"]["measure_key"])


def _cited_documents(ctx: dict[str, Any]) -> list[str]:
    """The documents the report's sentences, timelines and charts cite, most cited first."""
    counts: Counter[str] = Counter()
    for t in ctx["threads"]:
        shown = [t["first"]] if t["first"] else []
        shown += [s["first"] for s in t["supporters"][:story.NAMES_SHOWN] + t["deniers"][:story.NAMES_SHOWN]]
        shown += t["timeline"]
        counts.update(e["doc_id"] for e in shown)
        for d in t["denials"]:
            counts.update([d["denial"]["doc_id"], *(r["doc_id"] for r in d["reports"])])
        for g in t["contradictions"]:
            for x in g["rows"]:
                counts.update((x["a"]["doc_id"], x["b"]["doc_id"]))
    for s in ctx["series"]:
        counts.update(p["doc_id"] for p in s["points"])
    return [doc_id for doc_id, _ in counts.most_common()]


def render_report(ledger: Ledger, *, title: str | None = None) -> str:
    """The whole report as one HTML string."""
    overview = queries.overview(ledger)
    overview["path_name"] = ledger.path.name
    n_docs = overview["counts"]["documents"]
    series_rows, n_chartable = queries.chartable_measures(ledger, CHARTS)
    included: set[str] | None = None  # every document, until the corpus is large

    def href(doc_id: str, record_id: str | None = None) -> str | None:
        if included is not None and doc_id not in included:
            return None
        return "#" + anchor_id(doc_id, record_id)

    series = series_views(ledger, href, [r["measure_key"] for r in series_rows], most_points=CHART_POINTS)
    ctx = story_context(ledger, series=series)
    ctx["series"] = series
    if n_docs <= ALL_DOCUMENTS_UP_TO:
        ids = [r[0] for r in ledger.db.execute(
            "SELECT id FROM documents ORDER BY published IS NULL, published, seq")]
    else:
        cited = _cited_documents(ctx)[:CITED_DOCUMENTS]
        included = set(cited)
        ids = [r[0] for r in ledger.db.execute(
            f"SELECT id FROM documents WHERE id IN ({', '.join('?' * len(cited)) or 'NULL'}) "  # noqa: S608
            "ORDER BY published IS NULL, published, seq", cited)]
        # the charts were drawn before the cited set was known: draw them again with its links
        series = series_views(ledger, href, [r["measure_key"] for r in series_rows], most_points=CHART_POINTS)
        for t in ctx["threads"]:
            t["numbers"] = story.thread_numbers(series, t["doc_ids"])
        _numbers_once(ctx["threads"])
        ctx["series"] = series
    documents = [d for d in (document_view(ledger, i) for i in ids) if d is not None]
    tracks, n_tracks = (queries.track_record_page(ledger, with_reports=True, limit=TOP_SOURCES)
                        if queries.has_links(ledger) else ([], 0))
    env = environment(href)
    context = {
        "title": title or "Story ledger report",
        "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "version": __version__,
        "css": Markup(stylesheet()),  # our own file, not article text
        "overview": overview,
        "documents": documents,
        "all_documents": included is None,
        "n_chartable": n_chartable,
        "tracks": tracks, "n_tracks": n_tracks,
        "sources": queries.sources(ledger, limit=TOP_SOURCES),
        "chains": _chains(documents),
        **ctx,
    }
    return env.get_template("report.html").render(**context)


def _chains(documents: list[dict[str, Any]]) -> list[tuple[list[str], list[dict[str, Any]]]]:
    """Distinct citation chains of these documents, each with the documents that show it."""
    found: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for d in documents:
        for chain in d["chains"]:
            if len(chain) >= 2:  # one name alone cites no one
                found.setdefault(tuple(chain), []).append(d)
    return sorted(((list(k), v) for k, v in found.items()), key=lambda kv: (-len(kv[1]), kv[0]))


def write_report(ledger: Ledger, out: str | Path, *, title: str | None = None) -> Path:
    path = Path(out)
    path.write_text(render_report(ledger, title=title), encoding="utf-8")
    return path

