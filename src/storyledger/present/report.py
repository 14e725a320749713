"""The shareable report: one self-contained HTML file (styles inlined, charts in SVG, no script,
no network), readable on a laptop and on paper."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from .. import __version__
from ..store.ledger import Ledger
from . import queries
from .charts import point_label, quantity_chart
from .highlight import anchor_id, highlight_document

PRESENT = Path(__file__).resolve().parent


def environment(doc_href: Any) -> Environment:
    """The Jinja2 environment (autoescape on) shared by the report and the app; ``doc_href(doc_id,
    record_id)`` says where a link to a document or one of its records goes."""
    env = Environment(loader=FileSystemLoader(str(PRESENT / "templates")),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    env.globals.update(anchor=anchor_id, doc_href=doc_href)
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
    return doc


def series_views(ledger: Ledger, href: Any = None) -> list[dict[str, Any]]:
    series = queries.quantity_series(ledger)
    for s in series:
        s["chart"] = quantity_chart(s, href=href)
        for p in s["points"]:
            p["label"] = point_label(p)
    return series


def render_report(ledger: Ledger, *, title: str | None = None, max_documents: int = 5000) -> str:
    """The whole report as one HTML string."""
    env = environment(lambda doc_id, record_id=None: "#" + anchor_id(doc_id, record_id))
    overview = queries.overview(ledger)
    overview["path_name"] = ledger.path.name
    ids = [r[0] for r in ledger.db.execute("SELECT id FROM documents ORDER BY published IS NULL, published, seq "
                                           "LIMIT ?", (max_documents,))]
    documents = [d for d in (document_view(ledger, i) for i in ids) if d is not None]
    context = {
        "title": title or "Story ledger report",
        "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "version": __version__,
        "css": Markup(stylesheet()),  # our own file, not article text
        "overview": overview,
        "documents": documents,
        "threads": queries.threads(ledger),
        "contradictions": queries.contradictions(ledger),
        "link_tables": queries.link_tables(ledger),
        "timeline": queries.timeline(ledger),
        "undated": queries.undated_documents(ledger),
        "series": series_views(ledger),
        "sources": queries.sources(ledger),
    }
    return env.get_template("report.html").render(**context)


def write_report(ledger: Ledger, out: str | Path, *, title: str | None = None) -> Path:
    path = Path(out)
    path.write_text(render_report(ledger, title=title), encoding="utf-8")
    return path
