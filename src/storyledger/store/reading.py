"""The ledger's reads: documents, their input records and corrections, and the listings of what
extraction found, as typed records (storyledger.records) filtered with the one vocabulary
(records.Filters, as SQL conditions from store.filters). The Ledger class adds the writes."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from typing import Any, TypeVar

from ..errors import LedgerError, QueryError
from ..extract.guard import ExtractionFailure
from ..model import Document, OffsetMap, RemovedSpan
from ..records import (
    NO_FILTERS,
    Attribution,
    Claim,
    Extracted,
    Filters,
    Quantity,
    SearchHit,
    TimeExpression,
    frozen_mapping,
)
from .filters import (
    attribution_conditions,
    claim_conditions,
    document_conditions,
    match_expression,
    quantity_conditions,
    run_search,
    time_conditions,
    where_sql,
)
from .snippets import search_snippet

DOCUMENT_COLUMNS = (
    "id", "external_id", "title", "outlet", "outlet_source", "byline", "dateline", "published",
    "published_source", "published_evidence", "url", "path", "record", "original", "text",
    "offset_map", "duplicate_of",
)
_READ_COLUMNS = ", ".join(("seq", *DOCUMENT_COLUMNS, "date_estimate"))
E = TypeVar("E", bound=Extracted)


class LedgerReads:
    """The reads of a ledger connection (``db``, on the file at ``path``)."""

    db: sqlite3.Connection

    def input_unchanged(self, path: str, sha256: str, version: str) -> bool:
        row = self.db.execute(
            "SELECT 1 FROM inputs WHERE path = ? AND sha256 = ? AND reader_version = ?",
            (path, sha256, version),
        ).fetchone()
        return row is not None

    def has_document(self, doc_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone() is not None

    def extraction_problems(self) -> list[tuple[Document, ExtractionFailure]]:
        """Documents stored without extraction because their extractors failed, in build order."""
        rows = self.db.execute(
            "SELECT d.id, p.stage, p.kind, p.message FROM extraction_problems p "
            "JOIN documents d ON d.id = p.doc_id ORDER BY d.seq"
        ).fetchall()
        return [(self.document(row[0]), ExtractionFailure(*row)) for row in rows]

    def metadata_overrides(self, doc_id: str) -> list[dict[str, Any]]:
        """Values the user or a sidecar set for a document, whether or not they won."""
        if not self._has_records():
            return []
        rows = self.db.execute("SELECT field, source, value, origin, set_at FROM metadata_overrides "
                               "WHERE doc_id = ? ORDER BY field, source", (doc_id,)).fetchall()
        return [dict(row) for row in rows]

    def records(self, doc_id: str) -> list[dict[str, Any]]:
        """Every input record whose text is this document, the one it was stored from first."""
        if not self._has_records():
            return []
        rows = self.db.execute(
            "SELECT r.path, r.record, r.external_id, r.title, r.outlet, r.byline, r.url, r.published, "
            "r.published_source, r.added_at FROM document_records r JOIN documents d ON d.id = r.doc_id "
            "WHERE r.doc_id = ? ORDER BY (r.path = d.path AND r.record = COALESCE(d.record, '')) DESC, r.rowid",
            (doc_id,)).fetchall()
        return [{**dict(row), "record": row["record"] or None} for row in rows]

    def record_paths(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT path FROM document_records ORDER BY path")]

    def documents_with_record(self, *, path: str | None = None, external_id: str | None = None) -> list[str]:
        """Ids of the documents that an input record with this path or this id was read into."""
        column, value = ("path", path) if path is not None else ("external_id", external_id)
        return [r[0] for r in self.db.execute(
            f"SELECT doc_id FROM document_records WHERE {column} = ? GROUP BY doc_id ORDER BY MIN(rowid)",
            (value,))]

    def pending_extractions(self) -> list[Document]:
        """Documents to extract again because their date or outlet changed after extraction."""
        rows = self.db.execute(f"SELECT {_READ_COLUMNS} FROM documents d JOIN pending_extractions p "
                               "ON p.doc_id = d.id ORDER BY d.seq").fetchall()
        return self._with_removed(rows)

    def canonical_signatures(self) -> Iterator[tuple[str, bytes]]:
        yield from self.db.execute(
            "SELECT id, minhash FROM documents WHERE duplicate_of IS NULL AND minhash IS NOT NULL "
            "ORDER BY seq"
        )

    def count_documents(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]

    def documents(self, f: Filters = NO_FILTERS, *, limit: int | None = None, offset: int = 0) -> list[Document]:
        """Documents in the order they were added (filters: search text, outlet, dates, document)."""
        where, params = document_conditions(f)
        rows = run_search(self.db, f"SELECT {_READ_COLUMNS} FROM documents d{where_sql(where)} "
                          "ORDER BY d.seq LIMIT ? OFFSET ?", [*params, -1 if limit is None else limit, offset], f)
        return self._with_removed(rows)

    def document(self, ref: str) -> Document:
        """A document by id, the id any of its input records gave, unique id prefix, or ``path``
        (plus ``#N`` for its N-th article)."""
        rows = self.db.execute(f"SELECT {_READ_COLUMNS} FROM documents WHERE id = ?", (ref,)).fetchall()
        if not rows and ref and self._has_records():
            ids = self.documents_with_record(external_id=ref)[:2]
            rows = [self.db.execute(f"SELECT {_READ_COLUMNS} FROM documents WHERE id = ?", (i,)).fetchone()
                    for i in ids]
        if not rows and ref:
            rows = self.db.execute(
                f"SELECT {_READ_COLUMNS} FROM documents WHERE id LIKE ? || '%' "
                "ORDER BY seq LIMIT 2",
                (ref.replace("%", "").replace("_", ""),),
            ).fetchall()
        if not rows:
            path, _, nth = ref.partition("#")
            rows = self.db.execute(
                f"SELECT {_READ_COLUMNS} FROM documents WHERE path = ? ORDER BY seq",
                (path,),
            ).fetchall()
            if nth.isdigit() and 0 < int(nth) <= len(rows):
                rows = [rows[int(nth) - 1]]
        if not rows:
            raise LedgerError(f"no document {ref!r} in {self.path}; list them with `storyledger docs`")
        if len(rows) > 1:
            raise LedgerError(f"{ref!r} matches several documents; give more of the id")
        return self._with_removed(rows)[0]

    def _with_removed(self, rows: list[sqlite3.Row]) -> list[Document]:
        if not rows:
            return []
        ids = [row["id"] for row in rows]
        removed: dict[str, list[RemovedSpan]] = {i: [] for i in ids}
        for chunk in _chunks(ids, 500):
            for r in self.db.execute(
                f"SELECT doc_id, start, end, reason, rule, text FROM removed_spans "
                f"WHERE doc_id IN ({', '.join('?' * len(chunk))}) ORDER BY doc_id, start",
                chunk,
            ):
                span = RemovedSpan(r["start"], r["end"], r["reason"], r["rule"], r["text"])
                removed[r["doc_id"]].append(span)
        external: dict[str, list[str]] = {i: [] for i in ids}
        for chunk in _chunks(ids, 500) if self._has_records() else ():
            for doc_id, external_id in self.db.execute(
                f"SELECT doc_id, external_id FROM document_records WHERE external_id IS NOT NULL "
                f"AND doc_id IN ({', '.join('?' * len(chunk))}) ORDER BY rowid",
                chunk,
            ):
                if external_id not in external[doc_id]:
                    external[doc_id].append(external_id)
        return [_row_document(row, tuple(removed[row["id"]]), tuple(external[row["id"]])) for row in rows]

    def _has_records(self) -> bool:
        """Whether the ledger keeps every input record (schema 5); a read-only connection to an
        older ledger does not, until a build migrates it."""
        if not hasattr(self, "_records_table"):
            self._records_table = self.db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'document_records'").fetchone() is not None
        return self._records_table

    def time_expressions(self, f: Filters = NO_FILTERS) -> list[TimeExpression]:
        """Time expressions in document order (filters: document, outlet, dates, kind = TIMEX3 types)."""
        where, params = time_conditions(f)
        rows = run_search(self.db, "SELECT t.doc_id, t.start, t.end, t.text, t.type, t.value, t.anchor, t.resolved, "
                          "t.rule FROM time_expressions t JOIN documents d ON d.id = t.doc_id"
                          f"{where_sql(where)} ORDER BY d.seq, t.start", params, f)
        return [TimeExpression(**{**dict(row), "resolved": bool(row["resolved"])}) for row in rows]

    def attributions(self, f: Filters = NO_FILTERS) -> list[Attribution]:
        """Attributions in document order (filters: document, outlet, dates, kind, source, text)."""
        where, params = attribution_conditions(f)
        return self._extracted(Attribution, "attributions", where, params, f, "d.seq, x.content_start")

    def quantities(self, f: Filters = NO_FILTERS) -> list[Quantity]:
        """Quantities by measure, date and place (filters: document, outlet, dates, measure, source, kind)."""
        where, params = quantity_conditions(self.db, f)
        return self._extracted(Quantity, "quantities", where, params, f, "x.measure_key, d.published, d.seq, x.start")

    def claims(self, f: Filters = NO_FILTERS) -> list[Claim]:
        """Claims in document order (filters: document, outlet, dates, polarity, modality, stance,
        source, text)."""
        where, params = claim_conditions(self.db, f)
        return self._extracted(Claim, "claims", where, params, f, "d.seq, x.start")

    def _extracted(self, record: type[E], table: str, where: list[str], params: list[Any], f: Filters,
                   order: str) -> list[E]:
        """Rows of an extraction table as typed records of their JSON, with the document's title,
        outlet and date. ``table`` and ``order`` are constants of this module."""
        rows = run_search(self.db, f"SELECT x.doc_id, x.data, d.title, d.outlet, d.published FROM {table} x "  # noqa: S608
                          f"JOIN documents d ON d.id = x.doc_id{where_sql(where)} ORDER BY {order}", params, f)
        return [record(r["doc_id"], frozen_mapping(json.loads(r["data"])), r["title"], r["outlet"], r["published"])
                for r in rows]

    def search(self, f: Filters, *, limit: int = 20) -> list[SearchHit]:
        """Documents matching the search text ``f.q`` (plain text as typed, or FTS5 syntax when
        ``f.syntax`` is "fts"; see filters.match_expression), best first, each with the words
        around the match, [marked], from a bounded part of the document (store.snippets)."""
        if not (f.q or "").strip():
            raise QueryError("empty search query: give one or more words, e.g. 'troops' or '\"troop withdrawal\"'")
        match = match_expression(f.q or "", f.syntax)
        rows = run_search(self.db, "SELECT d.id, d.title, d.outlet, d.published, d.seq, length(d.text) AS chars "
                          "FROM documents_fts JOIN documents d ON d.seq = documents_fts.rowid "
                          "WHERE documents_fts MATCH ? ORDER BY bm25(documents_fts) LIMIT ?", [match, limit], f)
        hits = []
        for row in rows:
            snippet, note = search_snippet(self.db, match, row["seq"], row["chars"])
            hits.append(SearchHit(row["id"], row["title"], row["outlet"], row["published"],
                                  snippet.replace("\x01", "[").replace("\x02", "]"), note))
        return hits


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _row_document(row: sqlite3.Row, removed: tuple[RemovedSpan, ...], external_ids: tuple[str, ...] = ()) -> Document:
    fields = {c: row[c] for c in DOCUMENT_COLUMNS}
    fields["offset_map"] = OffsetMap.from_json(fields["offset_map"])
    estimate = json.loads(row["date_estimate"]) if row["date_estimate"] else None
    return Document(**fields, removed=removed, date_estimate=estimate, external_ids=external_ids)
