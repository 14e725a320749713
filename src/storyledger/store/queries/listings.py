"""Paged reads of documents, claims, attributions, quantities, series and sources, for the web
app, the report and the exports' readers. Every listing is paged in SQL (LIMIT/OFFSET), so a page
never loads the whole corpus; every filter comes from the one vocabulary (records.Filters), as
SQL conditions from store.filters."""

from __future__ import annotations

import json
import os
import sqlite3
from typing import Any

from ...records import (
    AttributionRow,
    ClaimRow,
    DocumentRow,
    Filters,
    ListingRow,
    Page,
    QuantityRow,
    frozen_mapping,
)
from ..filters import (
    attribution_conditions,
    claim_conditions,
    document_conditions,
    has_table,
    quantity_conditions,
    run_search,
    where_sql,
)
from ..ledger import Ledger
from ..measures import matching_measures, measure_keys, measure_suggestions
from ..snippets import search_snippet
from . import links as link_reads

# Tables a later migration may add; shown when present.
LINK_TABLES = ("threads", "thread_claims", "contradictions", "denial_links", "series_points", "series_conflicts",
               "track_records")
MAX_PAGE = 200

# Which filters each listing takes (the web app refuses the others rather than ignore them).
_DOCUMENT_FILTERS = ("q", "syntax", "outlet", "date_from", "date_to")
LISTING_FILTERS = {
    "documents": _DOCUMENT_FILTERS,
    "claims": (*_DOCUMENT_FILTERS, "source", "text", "polarity", "modality", "stance"),
    "attributions": (*_DOCUMENT_FILTERS, "source", "text", "kind"),
    "quantities": (*_DOCUMENT_FILTERS, "measure", "source", "kind"),
    "threads": ("text", "source"),
    "contradictions": ("kind", "source", "thread"),
    "sources": ("kind", "source"),
    "series": ("measure",),
}
FILTER_NAMES = frozenset(name for names in LISTING_FILTERS.values() for name in names)


def _limit(limit: int, offset: int) -> tuple[int, int]:
    return max(1, min(int(limit), MAX_PAGE)), max(0, int(offset))


# -- overview -------------------------------------------------------------------------------------

def overview(ledger: Ledger) -> dict[str, Any]:
    db = ledger.db
    counts = {}
    for table in ("documents", "attributions", "quantities", "claims", "time_expressions", "removed_spans",
                  *LINK_TABLES):
        if has_table(db, table):
            counts[table] = db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608 (names are constants)
    span = db.execute("SELECT MIN(published), MAX(published), "
                      "SUM(published IS NULL) FROM documents").fetchone()
    outlets = [dict(r) for r in db.execute(
        "SELECT outlet, COUNT(*) AS documents FROM documents WHERE outlet IS NOT NULL "
        "GROUP BY outlet ORDER BY documents DESC, outlet LIMIT 200")]
    n_outlets = db.execute("SELECT COUNT(DISTINCT outlet) FROM documents").fetchone()[0]
    return {"counts": counts, "first": span[0], "last": span[1], "undated": span[2] or 0,
            "outlets": outlets, "n_outlets": n_outlets, "path": ledger.path.name}


def outlets(ledger: Ledger) -> list[str]:
    return [r[0] for r in ledger.db.execute(
        "SELECT DISTINCT outlet FROM documents WHERE outlet IS NOT NULL ORDER BY outlet LIMIT 500")]


# -- listings -------------------------------------------------------------------------------------

_DOC_LIST = ("d.id, d.title, d.outlet, d.published, d.published_source, d.date_estimate, d.url, "
             "d.duplicate_of, length(d.text) AS chars")


def documents_page(ledger: Ledger, f: Filters, limit: int = 50, offset: int = 0) -> Page:
    limit, offset = _limit(limit, offset)
    where, params = document_conditions(f)
    db = ledger.db
    total = run_search(db, f"SELECT COUNT(*) FROM documents d{where_sql(where)}", params, f)[0][0]
    if f.q:  # params[0] is the match expression
        # The page first, ranked; snippets after, for the rows shown only (see search_snippet).
        sql = (f"SELECT {_DOC_LIST}, d.seq FROM documents_fts JOIN documents d ON d.seq = documents_fts.rowid "
               f"WHERE documents_fts MATCH ?{''.join(' AND ' + w for w in where[1:])} "
               "ORDER BY bm25(documents_fts) LIMIT ? OFFSET ?")
        rows = run_search(db, sql, [*params, limit, offset], f)
    else:  # by date, undated last (in the order they were added)
        sql = (f"SELECT {_DOC_LIST} FROM documents d{where_sql(where)} "
               "ORDER BY d.published IS NULL, d.published, d.seq LIMIT ? OFFSET ?")
        rows = run_search(db, sql, [*params, limit, offset], f)
    items = []
    for row in rows:
        item = dict(row)
        seq = item.pop("seq", None)
        item["date_estimate"] = frozen_mapping(json.loads(item["date_estimate"])) if item["date_estimate"] else None
        if f.q:
            item["snippet"], item["snippet_note"] = search_snippet(db, params[0], seq, item["chars"])
        items.append(DocumentRow(**item))
    return Page(items, total, limit, offset)


def claims_page(ledger: Ledger, f: Filters, limit: int = 50, offset: int = 0) -> Page:
    return _extracted_page(ledger, ClaimRow, "claims", claim_conditions(ledger.db, f), f, limit, offset,
                           "x.claim_id, x.start, x.end, x.proposition, x.polarity, x.modality, x.hedged, x.source, "
                           "x.as_of, x.attribution_id", "d.seq, x.start")


def attributions_page(ledger: Ledger, f: Filters, limit: int = 50, offset: int = 0) -> Page:
    return _extracted_page(ledger, AttributionRow, "attributions", attribution_conditions(f), f, limit, offset,
                           "x.attribution_id, x.parent_id, x.kind, x.form, x.source_text, x.source_name, x.cue_text, "
                           "x.content_start, x.content_end, x.content_text, x.hedged", "d.seq, x.content_start")


def quantities_page(ledger: Ledger, f: Filters, limit: int = 50, offset: int = 0) -> Page:
    return _extracted_page(ledger, QuantityRow, "quantities", quantity_conditions(ledger.db, f), f, limit, offset,
                           "x.quantity_id, x.start, x.end, x.text, x.value, x.low, x.high, x.approx, x.unit, "
                           "x.measure_key, x.kind, x.as_of, x.as_of_source, x.source", "x.measure_key, d.seq, x.start")


def _extracted_page(ledger: Ledger, row: type[ListingRow], table: str, conditions: tuple[list[str], list[Any]],
                    f: Filters, limit: int, offset: int, columns: str, order: str) -> Page:
    """One page of an extraction table (alias x), each row with its document's title, outlet and
    date; ``table``, ``columns`` and ``order`` are constants of this module."""
    limit, offset = _limit(limit, offset)
    where, params = conditions
    base = f"FROM {table} x JOIN documents d ON d.id = x.doc_id{where_sql(where)}"
    total = run_search(ledger.db, f"SELECT COUNT(*) {base}", params, f)[0][0]
    rows = run_search(ledger.db, f"SELECT x.doc_id, {columns}, d.title AS doc_title, d.outlet, d.published {base} "
                      f"ORDER BY {order} LIMIT ? OFFSET ?", [*params, limit, offset], f)
    return Page([row(**dict(r)) for r in rows], total, limit, offset)


# -- quantity series ------------------------------------------------------------------------------

# Kinds of quantity whose values over time make a series (a duration or a bare comparison does not).
SERIES_KINDS = ("count", "measure", "percent", "proportion")


def chartable_measures(ledger: Ledger, limit: int | None = 60, offset: int = 0,
                       keys: list[str] | None = None) -> tuple[list[dict[str, Any]], int]:
    """Measures worth a chart, most sources and dates first: what is counted is named (a key that
    is only a unit or "count" says nothing of what), values from two documents or more (copies
    aside), two different values at least, and several sources or several dates. Returns (rows,
    total); each row has the measure key and its numbers of values, documents, sources, dates."""
    where = ["(q.value IS NOT NULL OR q.low IS NOT NULL OR q.high IS NOT NULL)",
             f"q.kind IN ({', '.join('?' * len(SERIES_KINDS))})",
             "json_valid(q.data) AND json_extract(q.data, '$.head') IS NOT NULL"]
    params: list[Any] = list(SERIES_KINDS)
    if keys is not None:
        where.append(f"q.measure_key IN ({', '.join('?' * len(keys)) or 'NULL'})")
        params += keys
    grouped = (
        "SELECT q.measure_key, COUNT(*) AS n_values, COUNT(DISTINCT q.doc_id) AS n_documents, "
        "COUNT(DISTINCT COALESCE(q.source, d.outlet, q.doc_id)) AS n_sources, "
        "COUNT(DISTINCT CASE WHEN q.as_of GLOB '[0-9][0-9][0-9][0-9]*' THEN substr(q.as_of, 1, 10) "
        "ELSE d.published END) AS n_dates, "
        "COUNT(DISTINCT COALESCE(q.value, q.low, q.high) || '/' || COALESCE(q.low, '') || '/' || COALESCE(q.high, '')) "
        "AS n_distinct FROM quantities q JOIN documents d ON d.id = q.doc_id AND d.duplicate_of IS NULL "
        f"WHERE {' AND '.join(where)} GROUP BY q.measure_key "
        "HAVING n_documents >= 2 AND n_distinct >= 2 AND (n_sources >= 2 OR n_dates >= 2)")
    total = ledger.db.execute(f"SELECT COUNT(*) FROM ({grouped})", params).fetchone()[0]  # noqa: S608
    paging = " LIMIT ? OFFSET ?" if limit is not None else ""
    rows = ledger.db.execute(f"{grouped} ORDER BY n_sources + n_dates DESC, n_values DESC, q.measure_key{paging}",
                             [*params, *((limit, offset) if limit is not None else ())]).fetchall()
    return [dict(r) for r in rows], total


def quantity_series(ledger: Ledger, keys: list[str]) -> list[dict[str, Any]]:
    """One series per measure key: its values (copies aside) with their date, value or range,
    approximation, source (as the series resolved it), document date and estimated window, and
    whether the series flags them as conflicting; then the conflicting pairs."""
    db = ledger.db
    flags = link_reads.series_point_flags(ledger, keys) if has_table(db, "series_points") else {}
    conflicts = link_reads.series_conflict_pairs(ledger, keys) if has_table(db, "series_conflicts") else []
    series = []
    for key in keys:
        points = []
        for row in db.execute(
                "SELECT x.doc_id, x.quantity_id, x.text, x.value, x.low, x.high, x.approx, x.unit, x.as_of, "
                "x.as_of_source, x.source, d.title AS doc_title, d.outlet, d.published, d.date_estimate "
                "FROM quantities x JOIN documents d ON d.id = x.doc_id AND d.duplicate_of IS NULL "
                "WHERE x.measure_key = ? ORDER BY x.as_of IS NULL, x.as_of, d.published, d.seq, x.start LIMIT 500",
                (key,)):
            point = dict(row)
            point["date_estimate"] = json.loads(point["date_estimate"]) if point["date_estimate"] else None
            flag = flags.get((point["doc_id"], point["quantity_id"]))
            if flag:
                point["source"] = flag["source"] or point["source"]
                point["conflict"] = flag["conflict"]
            points.append(point)
        told: set[tuple] = set()  # a conflict is told once, whichever way round (and however often) it was stored
        mine = []
        for c in conflicts:
            sides = [(s.get("text"), s.get("source")) for s in (c.get("a") or {}, c.get("b") or {})]
            pair = (c.get("window"), *sorted(sides, key=str))
            if c["measure_key"] == key and pair not in told:
                told.add(pair)
                mine.append(c)
        series.append({"measure_key": key, "points": points, "conflicts": mine})
    return series


def sources(ledger: Ledger, limit: int = 100) -> list[dict[str, Any]]:
    """Cited sources, most cited first, with the outlets that cite them."""
    rows = ledger.db.execute(
        "SELECT COALESCE(x.source_name, x.source_text) AS source, COUNT(*) AS attributions, "
        "COUNT(DISTINCT x.doc_id) AS documents, GROUP_CONCAT(DISTINCT d.outlet) AS outlets, "
        "MIN(x.doc_id || '|' || x.attribution_id) AS first FROM attributions x "
        "JOIN documents d ON d.id = x.doc_id WHERE COALESCE(x.source_name, x.source_text) IS NOT NULL "
        "GROUP BY 1 ORDER BY attributions DESC, source LIMIT ?", (limit,)).fetchall()
    out = []
    for row in rows:
        item = dict(row)
        item["first_doc"], _, item["first_id"] = (item.pop("first") or "|").partition("|")
        out.append(item)
    return out


def document_chains(ledger: Ledger, doc_id: str, outlet: str | None) -> list[list[str]]:
    """Citation chains (who cites whom) over one document's attributions."""
    from ...extract.attribution import Attribution, TextSpan, citation_chains

    def span(value: Any) -> TextSpan | None:
        return TextSpan(value["start"], value["end"], value["text"]) if isinstance(value, dict) else None

    attributions = []
    for (data,) in ledger.db.execute("SELECT data FROM attributions WHERE doc_id = ? ORDER BY content_start",
                                     (doc_id,)):
        try:
            record = json.loads(data)
            attributions.append(Attribution(
                id=record["id"], source=span(record.get("source")), source_name=record.get("source_name"),
                source_role=record.get("source_role"), source_affiliation=record.get("source_affiliation"),
                anonymous=bool(record.get("anonymous")), cue=span(record["cue"]), content=span(record["content"]),
                form=record.get("form", ""), kind=record.get("kind", ""), medium=span(record.get("medium")),
                hedge=span(record.get("hedge")), parent=record.get("parent"), rule=record.get("rule", ""),
                content_parts=tuple(p for p in (span(x) for x in record.get("content_parts") or []) if p),
                medium_name=record.get("medium_name"),
            ))
        except (KeyError, TypeError, ValueError):
            continue
    unique: list[list[str]] = []
    for chain in citation_chains(attributions, outlet=outlet):
        if chain not in unique:
            unique.append(chain)
    return unique


def document_evidence(ledger: Ledger, doc_id: str) -> dict[str, list[dict[str, Any]]]:
    db = ledger.db
    attributions = []
    for row in db.execute("SELECT attribution_id, kind, source_name, data FROM attributions WHERE doc_id = ? "
                          "ORDER BY content_start", (doc_id,)):
        try:
            record = json.loads(row["data"])
        except ValueError:
            continue
        attributions.append(record)
    quantities = [dict(r) for r in db.execute(
        "SELECT quantity_id, start, end, text, value, low, high, approx, unit, measure_key, as_of, source "
        "FROM quantities WHERE doc_id = ? ORDER BY start", (doc_id,))]
    times = [dict(r) for r in db.execute(
        "SELECT start, end, text, type, value FROM time_expressions WHERE doc_id = ? ORDER BY start",
        (doc_id,))]
    claims = [dict(r) for r in db.execute(
        "SELECT claim_id, start, end, proposition, polarity, modality, hedged, source, as_of FROM claims "
        "WHERE doc_id = ? ORDER BY start", (doc_id,))]
    removed = [dict(r) for r in db.execute(
        "SELECT start, end, reason, rule FROM removed_spans WHERE doc_id = ? ORDER BY start", (doc_id,))]
    return {"attributions": attributions, "quantities": quantities, "times": times, "claims": claims,
            "removed": removed}


def document_row(ledger: Ledger, doc_id: str) -> dict[str, Any] | None:
    row = ledger.db.execute(
        "SELECT id, title, outlet, outlet_source, byline, dateline, published, published_source, "
        "published_evidence, url, path, record, original, text, offset_map, duplicate_of, date_estimate "
        "FROM documents WHERE id = ?", (doc_id,)).fetchone()
    if row is None:
        return None
    item = dict(row)
    item["date_estimate"] = json.loads(item["date_estimate"]) if item["date_estimate"] else None
    item["path"] = shown_path(item["path"], inputs_root(ledger.db))
    return item


def inputs_root(db: sqlite3.Connection) -> str | None:
    """The deepest folder holding every absolute input path in the ledger, or None.

    The lexicographically first and last paths share the prefix all paths share, so two indexed
    look-ups find it, however many documents there are. Pages and the API show paths relative to
    it (what the ledger stores is left as it is)."""
    first = db.execute("SELECT MIN(path) FROM documents WHERE path >= '/' AND path < '0'").fetchone()[0]
    last = db.execute("SELECT MAX(path) FROM documents WHERE path >= '/' AND path < '0'").fetchone()[0]
    if first is None or last is None:
        return None
    root = os.path.commonpath([first, last])
    return os.path.dirname(root) if root in (first, last) else root


def shown_path(path: str, root: str | None) -> str:
    """``path`` relative to the inputs' ``root`` (as stored when it is not under it)."""
    if root and path.startswith(root.rstrip("/") + "/"):
        return path[len(root.rstrip("/")) + 1:]
    return path


# -- threads, contradictions, track records (read through queries.links) ------------------------

def has_links(ledger: Ledger) -> bool:
    return has_table(ledger.db, "threads") and has_table(ledger.db, "track_records")


def threads_page(ledger: Ledger, f: Filters, limit: int = 50, offset: int = 0) -> Page:
    limit, offset = _limit(limit, offset)
    rows, total = link_reads.thread_page(ledger, text=f.text, source=f.source, limit=limit, offset=offset)
    return Page(rows, total, limit, offset)


def contradictions_page(ledger: Ledger, f: Filters, limit: int = 50, offset: int = 0) -> Page:
    limit, offset = _limit(limit, offset)
    rows, total = link_reads.contradiction_page(ledger, thread_id=f.thread, kind=f.kind, source=f.source,
                                           limit=limit, offset=offset)
    return Page(rows, total, limit, offset)


def sources_page(ledger: Ledger, f: Filters, limit: int = 50, offset: int = 0) -> Page:
    """Track records of outlets and cited sources, those with reports on the threads first."""
    limit, offset = _limit(limit, offset)
    rows, total = link_reads.track_record_page(ledger, kind=f.kind, name=f.source, limit=limit, offset=offset)
    return Page(rows, total, limit, offset)


def series_page(ledger: Ledger, f: Filters, limit: int = 20, offset: int = 0) -> tuple[Page, list[str]]:
    """The chartable measures (of those ``f.measure`` names, when given), one page of them, and
    suggestions when the name matches no measure at all."""
    limit, offset = _limit(limit, offset)
    keys = None
    suggestions: list[str] = []
    if f.measure:
        every = measure_keys(ledger.db)
        keys = matching_measures(every, f.measure)
        if not keys:
            suggestions = measure_suggestions(every, f.measure)
    rows, total = chartable_measures(ledger, limit, offset, keys)
    if keys and not rows:  # the name is known but its values make no chart: list them anyway
        rows = [{"measure_key": k, "n_values": None} for k in keys[:limit]]
        total = len(keys)
    return Page(rows, total, limit, offset), suggestions
