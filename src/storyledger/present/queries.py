"""Read-only queries behind the report, the web app and the exports.

Every listing is paged in SQL (LIMIT/OFFSET), so a page never loads the whole corpus. The link
tables (threads, contradictions, series, track records) are read through store.links, and only
when they exist.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..errors import QueryError
from ..store import links
from ..store.ledger import Ledger, contains_pattern

# Tables a later migration may add; shown when present.
LINK_TABLES = ("threads", "thread_claims", "contradictions", "denial_links", "series_points", "series_conflicts",
               "track_records")
MAX_PAGE = 200


def table_exists(db: sqlite3.Connection, name: str) -> bool:
    row = db.execute("SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?",
                     (name,)).fetchone()
    return row is not None


def table_columns(db: sqlite3.Connection, name: str) -> list[str]:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        return []
    return [row[1] for row in db.execute(f"PRAGMA table_info({name})")]


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
SYNTAXES = ("plain", "fts")  # search words as typed (the default), or SQLite FTS5 query syntax


@dataclass
class Filters:
    """What a listing is narrowed to; every field optional."""

    q: str | None = None  # search text: plain words and "phrases" unless syntax is "fts"
    syntax: str | None = None
    thread: str | None = None
    outlet: str | None = None
    source: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    polarity: str | None = None
    modality: str | None = None
    stance: str | None = None
    kind: str | None = None
    measure: str | None = None
    text: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def active(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if isinstance(v, str) and v and k != "syntax"}

    @property
    def match(self) -> str | None:
        """The FTS5 expression the search text stands for."""
        return match_expression(self.q, self.syntax) if self.q else None


_TOKEN = re.compile(r"[^\W_]+")  # what FTS5's unicode61 tokenizer keeps: runs of letters and digits
_UNIT = re.compile(r'"([^"]*)"|(\S+)')
_POSSESSIVE = re.compile(r"['’`]s?(?=\W*$)", re.IGNORECASE)


def match_expression(text: str, syntax: str | None = None) -> str:
    """The FTS5 query for search ``text``. With ``syntax="fts"`` the text is FTS5 syntax as it is.
    Otherwise it is what people type: words that must all occur, "quoted phrases", and a
    trailing * for words that begin so; a possessive 's is dropped (Pentagon's -> "pentagon");
    other punctuation inside a word joins its parts into a phrase the way the index split them
    (U.S. -> "u s", 1,723 -> "1 723", al-Omar -> "al omar"), so nothing typed is a syntax error."""
    if syntax == "fts":
        return text
    parts = []
    for m in _UNIT.finditer(text):
        phrase, word = m.group(1), m.group(2)
        if word is not None:
            word = _POSSESSIVE.sub("", word)  # "Pentagon's" finds the Pentagon, with or without the 's
        tokens = _TOKEN.findall(phrase if phrase is not None else word)
        if not tokens:
            continue
        quoted = '"' + " ".join(tokens) + '"'
        parts.append(quoted + ("*" if word is not None and word.endswith("*") else ""))
    if not parts:
        raise QueryError(f"search: {text[:60]!r} has no letters or digits to look for; type a word, a number "
                         'or a "phrase in quotes"')
    return " ".join(parts)


@dataclass
class Page:
    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int

    def to_dict(self) -> dict[str, Any]:
        return {"items": self.items, "total": self.total, "limit": self.limit, "offset": self.offset,
                "next_offset": self.offset + self.limit if self.offset + self.limit < self.total else None}


def _run(db: sqlite3.Connection, sql: str, params: list[Any], query: str | None) -> list[sqlite3.Row]:
    try:
        return db.execute(sql, params).fetchall()
    except sqlite3.OperationalError as error:
        if query is not None and not any(word in str(error) for word in ("locked", "busy", "disk", "memory",
                                                                          "interrupted")):
            raise QueryError(
                f"search query {query!r} is not valid full-text syntax ({error}). Search without the "
                'full-text syntax option to look for the words as typed, or put them in double quotes, '
                'e.g. "troop withdrawal"'
            ) from None
        raise


def _document_where(f: Filters, alias: str = "d") -> tuple[list[str], list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    if f.q:
        where.append(f"{alias}.seq IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)")
        params.append(f.match)
    if f.outlet:
        where.append(f"{alias}.outlet = ?")
        params.append(f.outlet)
    if f.date_from:
        where.append(f"{alias}.published >= ?")
        params.append(f.date_from)
    if f.date_to:
        where.append(f"{alias}.published <= ?")
        params.append(f.date_to + "~")  # "2020-11" includes every day of November
    return where, params


def _where_sql(where: list[str]) -> str:
    return (" WHERE " + " AND ".join(where)) if where else ""


def _limit(limit: int, offset: int) -> tuple[int, int]:
    return max(1, min(int(limit), MAX_PAGE)), max(0, int(offset))


# -- overview -------------------------------------------------------------------------------------

def overview(ledger: Ledger) -> dict[str, Any]:
    db = ledger.db
    counts = {}
    for table in ("documents", "attributions", "quantities", "claims", "time_expressions", "removed_spans",
                  *LINK_TABLES):
        if table_exists(db, table):
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
    where, params = _document_where(f)
    db = ledger.db
    total = _run(db, f"SELECT COUNT(*) FROM documents d{_where_sql(where)}", params, f.q)[0][0]
    if f.q:  # params[0] is the match expression
        # The page first, ranked; snippets after, for the rows shown only (see search_snippet).
        sql = (f"SELECT {_DOC_LIST}, d.seq FROM documents_fts JOIN documents d ON d.seq = documents_fts.rowid "
               f"WHERE documents_fts MATCH ?{''.join(' AND ' + w for w in where[1:])} "
               "ORDER BY bm25(documents_fts) LIMIT ? OFFSET ?")
        rows = _run(db, sql, [*params, limit, offset], f.q)
    else:  # by date, undated last (in the order they were added)
        sql = (f"SELECT {_DOC_LIST} FROM documents d{_where_sql(where)} "
               "ORDER BY d.published IS NULL, d.published, d.seq LIMIT ? OFFSET ?")
        rows = _run(db, sql, [*params, limit, offset], None)
    items = []
    for row in rows:
        item = dict(row)
        item["date_estimate"] = json.loads(item["date_estimate"]) if item["date_estimate"] else None
        if f.q:
            item["snippet"], note = search_snippet(db, f.match, item.pop("seq"), item["chars"])
            if note:
                item["snippet_note"] = note
        items.append(item)
    return Page(items, total, limit, offset)


# FTS5's snippet() scores a window at every instance of a matched phrase against every other
# instance: quadratic in the matches of one document, and one C call that no progress handler
# can interrupt (a multi-megabyte article took 10-50 s per search). So snippet() only ever sees a
# bounded text: the whole document when it is short, else passages of it.
SNIPPET_WHOLE_CHARS = 20_000  # documents up to this long: snippet() over the whole text
SNIPPET_PASSAGE_CHARS = 2_000  # longer ones are cut into passages of about this length …
SNIPPET_OVERLAP_CHARS = 200  # … each reaching this far into the next, so a phrase across a cut is kept
SNIPPET_SCAN_CHARS = 200_000  # and only this much of the text is looked at,
SNIPPET_BATCH_PASSAGES = 16  # this many passages at a time, stopping at the first batch that matches
_SCRATCH = "search_passages"


def search_snippet(db: sqlite3.Connection, query: str, seq: int, chars: int) -> tuple[str, str | None]:
    """The snippet of document ``seq`` for a full-text ``query`` (matches between \\x01 and \\x02),
    and a note when it was not found in the part of the document looked at.

    A long document's passages are indexed, a batch at a time, in a temporary FTS5 table of this
    connection (same columns and tokenizer as ``documents_fts``, so the query means the same);
    the best-ranked passage of the first batch that matches gives the snippet. Work per document
    is bounded by SNIPPET_SCAN_CHARS whatever its size.
    """
    if chars <= SNIPPET_WHOLE_CHARS:
        row = db.execute("SELECT snippet(documents_fts, 1, char(1), char(2), ' … ', 14) FROM documents_fts "
                         "WHERE documents_fts MATCH ? AND rowid = ?", (query, seq)).fetchone()
        return (row[0] if row else "") or "", None
    head = db.execute("SELECT substr(text, 1, ?) FROM documents WHERE seq = ?",
                      (SNIPPET_SCAN_CHARS, seq)).fetchone()[0] or ""
    db.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{_SCRATCH} USING fts5(title, text, "
               "tokenize='unicode61 remove_diacritics 2')")
    first_id = (db.execute(f"SELECT MAX(rowid) FROM temp.{_SCRATCH}").fetchone()[0] or 0) + 1
    passages = list(_passages(head, SNIPPET_PASSAGE_CHARS, SNIPPET_OVERLAP_CHARS))
    for batch in range(0, len(passages), SNIPPET_BATCH_PASSAGES):
        lo = first_id + batch
        rows = passages[batch:batch + SNIPPET_BATCH_PASSAGES]
        db.executemany(f"INSERT INTO temp.{_SCRATCH}(rowid, text) VALUES (?, ?)",
                       ((lo + i, text) for i, (_, text) in enumerate(rows)))
        best = db.execute(f"SELECT rowid FROM temp.{_SCRATCH} WHERE {_SCRATCH} MATCH ? AND rowid BETWEEN ? AND ? "
                          "ORDER BY rank LIMIT 1", (query, lo, lo + len(rows) - 1)).fetchone()
        if best is None:
            continue
        snippet = db.execute(f"SELECT snippet({_SCRATCH}, 1, char(1), char(2), ' … ', 14) FROM temp.{_SCRATCH} "
                             f"WHERE {_SCRATCH} MATCH ? AND rowid = ?", (query, best[0])).fetchone()[0] or ""
        start, text = passages[best[0] - first_id]
        if start > 0 and not snippet.startswith(" … "):
            snippet = " … " + snippet
        if start + len(text) < chars and not snippet.endswith(" … "):
            snippet += " … "
        return snippet, None
    opening = next(_passages(head, 100, 0), (0, ""))[1]
    return opening + " … ", (f"no passage in the first {min(chars, SNIPPET_SCAN_CHARS):,} characters matches "
                             "on its own; open the document to read the rest")


def _passages(text: str, size: int, overlap: int) -> Iterator[tuple[int, str]]:
    """(start, passage) pieces of ``text`` of about ``size`` characters, cut at white space, each
    reaching ``overlap`` characters into the next."""
    start, n = 0, len(text)
    while start < n:
        end = n if n - start <= size else _space_before(text, start + size, start + size // 2)
        yield start, text[start:end]
        if end >= n:
            return
        start = max(start + 1, _space_before(text, end - overlap, start + 1)) if overlap else end


def _space_before(text: str, at: int, floor: int) -> int:
    """The position just after the last white space before ``at`` (not before ``floor``), else ``at``."""
    cut = max(text.rfind(" ", floor, at), text.rfind("\n", floor, at))
    return cut + 1 if cut >= 0 else at


def _thread_stance_join(db: sqlite3.Connection) -> str | None:
    """The column of thread_claims holding a stance, when that table exists."""
    if not table_exists(db, "thread_claims"):
        return None
    columns = table_columns(db, "thread_claims")
    if not {"doc_id", "claim_id"} <= set(columns):
        return None
    for name in ("stance", "polarity_to_thread", "relation"):
        if name in columns:
            return name
    return None


def claims_page(ledger: Ledger, f: Filters, limit: int = 50, offset: int = 0) -> Page:
    limit, offset = _limit(limit, offset)
    db = ledger.db
    where, params = _document_where(f)
    if f.polarity:
        where.append("x.polarity = ?")
        params.append(f.polarity)
    if f.modality:
        where.append("x.modality = ?")
        params.append(f.modality)
    if f.source:
        where.append("x.source LIKE ? ESCAPE '\\'")
        params.append(contains_pattern(f.source))
    if f.text:
        where.append("x.proposition LIKE ? ESCAPE '\\'")
        params.append(contains_pattern(f.text))
    if f.stance:
        column = _thread_stance_join(db)
        if column is None:
            raise QueryError("stance filter: this ledger has no claim stances yet (no thread_claims "
                             "table); link the corpus first, or leave the stance filter empty")
        where.append(f"EXISTS (SELECT 1 FROM thread_claims tc WHERE tc.doc_id = x.doc_id "
                     f"AND tc.claim_id = x.claim_id AND tc.{column} = ?)")
        params.append(f.stance)
    base = f"FROM claims x JOIN documents d ON d.id = x.doc_id{_where_sql(where)}"
    total = _run(db, f"SELECT COUNT(*) {base}", params, f.q)[0][0]
    rows = _run(db, f"SELECT x.doc_id, x.claim_id, x.start, x.end, x.proposition, x.polarity, x.modality, "
                    f"x.hedged, x.source, x.as_of, x.attribution_id, d.title AS doc_title, d.outlet, "
                    f"d.published {base} ORDER BY d.seq, x.start LIMIT ? OFFSET ?",
                [*params, limit, offset], f.q)
    return Page([dict(r) for r in rows], total, limit, offset)


def attributions_page(ledger: Ledger, f: Filters, limit: int = 50, offset: int = 0) -> Page:
    limit, offset = _limit(limit, offset)
    db = ledger.db
    where, params = _document_where(f)
    if f.kind:
        where.append("x.kind = ?")
        params.append(f.kind)
    if f.source:
        where.append("(x.source_text LIKE ? ESCAPE '\\' OR x.source_name LIKE ? ESCAPE '\\')")
        params += [contains_pattern(f.source), contains_pattern(f.source)]
    if f.text:
        where.append("x.content_text LIKE ? ESCAPE '\\'")
        params.append(contains_pattern(f.text))
    base = f"FROM attributions x JOIN documents d ON d.id = x.doc_id{_where_sql(where)}"
    total = _run(db, f"SELECT COUNT(*) {base}", params, f.q)[0][0]
    rows = _run(db, f"SELECT x.doc_id, x.attribution_id, x.parent_id, x.kind, x.form, x.source_text, "
                    f"x.source_name, x.cue_text, x.content_start, x.content_end, x.content_text, x.hedged, "
                    f"d.title AS doc_title, d.outlet, d.published {base} "
                    f"ORDER BY d.seq, x.content_start LIMIT ? OFFSET ?", [*params, limit, offset], f.q)
    return Page([dict(r) for r in rows], total, limit, offset)


def quantities_page(ledger: Ledger, f: Filters, limit: int = 50, offset: int = 0) -> Page:
    limit, offset = _limit(limit, offset)
    db = ledger.db
    where, params = _document_where(f)
    if f.measure:
        keys = links.matching_measures(links.measure_keys(ledger), f.measure)
        where.append(f"x.measure_key IN ({', '.join('?' * len(keys)) or 'NULL'})")
        params += keys
    if f.source:
        where.append("x.source LIKE ? ESCAPE '\\'")
        params.append(contains_pattern(f.source))
    if f.kind:
        where.append("x.kind = ?")
        params.append(f.kind)
    base = f"FROM quantities x JOIN documents d ON d.id = x.doc_id{_where_sql(where)}"
    total = _run(db, f"SELECT COUNT(*) {base}", params, f.q)[0][0]
    rows = _run(db, f"SELECT x.doc_id, x.quantity_id, x.start, x.end, x.text, x.value, x.low, x.high, "
                    f"x.approx, x.unit, x.measure_key, x.kind, x.as_of, x.as_of_source, x.source, "
                    f"d.title AS doc_title, d.outlet, d.published {base} "
                    f"ORDER BY x.measure_key, d.seq, x.start LIMIT ? OFFSET ?", [*params, limit, offset], f.q)
    return Page([dict(r) for r in rows], total, limit, offset)


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
    flags = links.series_point_flags(ledger, keys) if table_exists(db, "series_points") else {}
    conflicts = links.series_conflict_pairs(ledger, keys) if table_exists(db, "series_conflicts") else []
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
    from ..extract.attribution import Attribution, TextSpan, citation_chains

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


# -- threads, contradictions, track records (read through store.links) --------------------------

def has_links(ledger: Ledger) -> bool:
    return table_exists(ledger.db, "threads") and table_exists(ledger.db, "track_records")


def threads_page(ledger: Ledger, f: Filters, limit: int = 50, offset: int = 0) -> Page:
    limit, offset = _limit(limit, offset)
    rows, total = links.thread_page(ledger, text=f.text, source=f.source, limit=limit, offset=offset)
    return Page(rows, total, limit, offset)


def contradictions_page(ledger: Ledger, f: Filters, limit: int = 50, offset: int = 0) -> Page:
    limit, offset = _limit(limit, offset)
    rows, total = links.contradiction_page(ledger, thread_id=f.thread, kind=f.kind, source=f.source,
                                           limit=limit, offset=offset)
    return Page(rows, total, limit, offset)


def sources_page(ledger: Ledger, f: Filters, limit: int = 50, offset: int = 0) -> Page:
    """Track records of outlets and cited sources, those with reports on the threads first."""
    limit, offset = _limit(limit, offset)
    rows, total = links.track_record_page(ledger, kind=f.kind, name=f.source, limit=limit, offset=offset)
    return Page(rows, total, limit, offset)


def series_page(ledger: Ledger, f: Filters, limit: int = 20, offset: int = 0) -> tuple[Page, list[str]]:
    """The chartable measures (of those ``f.measure`` names, when given), one page of them, and
    suggestions when the name matches no measure at all."""
    limit, offset = _limit(limit, offset)
    keys = None
    suggestions: list[str] = []
    if f.measure:
        every = links.measure_keys(ledger)
        keys = links.matching_measures(every, f.measure)
        if not keys:
            suggestions = links.measure_suggestions(every, f.measure)
    rows, total = chartable_measures(ledger, limit, offset, keys)
    if keys and not rows:  # the name is known but its values make no chart: list them anyway
        rows = [{"measure_key": k, "n_values": None} for k in keys[:limit]]
        total = len(keys)
    return Page(rows, total, limit, offset), suggestions
