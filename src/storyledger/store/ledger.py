"""The ledger: an embedded SQLite database with versioned migrations and FTS5 search.

One process writes (the build), in transactions; any number may read at the same time (WAL
mode), so the web app can browse a ledger while a build grows it. Every statement is
parameterised.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import LedgerError, QueryError
from ..extract.document import Extraction
from ..model import Document, OffsetMap, RemovedSpan
from .schema import MIGRATIONS

DEFAULT_DB = "ledger.db"

_DOCUMENT_COLUMNS = (
    "id", "external_id", "title", "outlet", "outlet_source", "byline", "dateline", "published",
    "published_source", "published_evidence", "url", "path", "record", "original", "text",
    "offset_map", "duplicate_of",
)
_READ_COLUMNS = ", ".join(("seq", *_DOCUMENT_COLUMNS, "date_estimate"))


class Ledger:
    """A connection to one ledger file."""

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        if readonly:
            if not self.path.exists():
                raise LedgerError(f"{self.path}: no ledger here; build one with `storyledger build`")
            uri = f"file:{self.path.resolve()}?mode=ro"
            self.db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        else:
            self.db = sqlite3.connect(self.path, check_same_thread=False)
        try:
            if not readonly:
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.execute("PRAGMA busy_timeout=10000")
        except sqlite3.DatabaseError as error:
            self.db.close()
            raise LedgerError(f"{self.path}: not an SQLite database ({error})") from None
        self.db.row_factory = sqlite3.Row
        if readonly:
            self._check_version()
        else:
            self._migrate()

    # -- schema -------------------------------------------------------------------------------

    def schema_version(self) -> int:
        try:
            row = self.db.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
        except sqlite3.OperationalError:
            return 0
        return row[0] or 0

    def _check_version(self) -> None:
        version = self.schema_version()
        if version > len(MIGRATIONS):
            raise LedgerError(
                f"{self.path}: ledger schema version {version} is newer than this storyledger "
                f"understands ({len(MIGRATIONS)}); upgrade storyledger"
            )
        if version == 0:
            raise LedgerError(f"{self.path}: not a storyledger ledger (no schema)")

    def _migrate(self) -> None:
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        self._check_newer()
        current = self.schema_version()
        for version, statements in enumerate(MIGRATIONS, start=1):
            if version <= current:
                continue
            with self.transaction():
                for statement in statements:
                    self.db.execute(statement)
                self.db.execute(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                    (version, _now()),
                )

    def _check_newer(self) -> None:
        if self.schema_version() > len(MIGRATIONS):
            self._check_version()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All or nothing: a build killed mid-batch leaves no half-written records."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- inputs -------------------------------------------------------------------------------

    def input_unchanged(self, path: str, sha256: str, version: str) -> bool:
        row = self.db.execute(
            "SELECT 1 FROM inputs WHERE path = ? AND sha256 = ? AND reader_version = ?",
            (path, sha256, version),
        ).fetchone()
        return row is not None

    # -- documents ----------------------------------------------------------------------------

    def has_document(self, doc_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone() is not None

    def write_batch(self, documents: list[tuple[Document, bytes | None]],
                    inputs: list[tuple[str, str, int, str]] = (),
                    extractions: dict[str, Extraction] | None = None,
                    extractor_version: str | None = None) -> int:
        """Store documents (with their MinHash signatures and extractions) and the inputs they
        came from, in one transaction. Documents already present are left alone. Returns the
        number added."""
        added = 0
        extractions = extractions or {}
        with self.transaction() as db:
            for doc, minhash in documents:
                values = _document_values(doc)
                cursor = db.execute(
                    f"INSERT OR IGNORE INTO documents ({', '.join(_DOCUMENT_COLUMNS)}, minhash, added_at) "
                    f"VALUES ({', '.join('?' * len(_DOCUMENT_COLUMNS))}, ?, ?)",
                    (*values, minhash, _now()),
                )
                if cursor.rowcount == 0:
                    continue
                added += 1
                db.executemany(
                    "INSERT INTO removed_spans (doc_id, start, end, reason, rule, text) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    [(doc.id, r.start, r.end, r.reason, r.rule, r.text) for r in doc.removed],
                )
                if doc.id in extractions:
                    _write_extraction(db, extractions[doc.id])
                    estimate = extractions[doc.id].date_estimate
                    db.execute(
                        "UPDATE documents SET extracted_version = ?, date_estimate = ? WHERE id = ?",
                        (extractor_version, json.dumps(estimate.to_dict()) if estimate else None, doc.id),
                    )
            db.executemany(
                "INSERT OR REPLACE INTO inputs (path, sha256, documents, reader_version, read_at) "
                "VALUES (?, ?, ?, ?, ?)",
                [(*row, _now()) for row in inputs],
            )
        return added

    def canonical_signatures(self) -> Iterator[tuple[str, bytes]]:
        yield from self.db.execute(
            "SELECT id, minhash FROM documents WHERE duplicate_of IS NULL AND minhash IS NOT NULL "
            "ORDER BY seq"
        )

    def count_documents(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]

    def documents(self, *, outlet: str | None = None, limit: int | None = None,
                  offset: int = 0) -> list[Document]:
        sql = f"SELECT {_READ_COLUMNS} FROM documents"
        params: list[Any] = []
        if outlet:
            sql += " WHERE outlet = ?"
            params.append(outlet)
        sql += " ORDER BY seq LIMIT ? OFFSET ?"
        params += [-1 if limit is None else limit, offset]
        rows = self.db.execute(sql, params).fetchall()
        return self._with_removed(rows)

    def document(self, ref: str) -> Document:
        """A document by id, unique id prefix, or ``path`` (plus ``#N`` for its N-th article)."""
        rows = self.db.execute(
            f"SELECT {_READ_COLUMNS} FROM documents WHERE id LIKE ? || '%' "
            "ORDER BY seq LIMIT 2",
            (ref.replace("%", "").replace("_", ""),),
        ).fetchall() if ref else []
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
        return [_row_document(row, tuple(removed[row["id"]])) for row in rows]

    def time_expressions(self, *, doc_id: str | None = None,
                         types: tuple[str, ...] = ()) -> list[dict[str, Any]]:
        sql = ("SELECT t.doc_id, t.start, t.end, t.text, t.type, t.value, t.anchor, t.resolved, t.rule "
               "FROM time_expressions t JOIN documents d ON d.id = t.doc_id WHERE 1 = 1")
        params: list[Any] = []
        if doc_id:
            sql += " AND t.doc_id = ?"
            params.append(doc_id)
        if types:
            sql += f" AND t.type IN ({', '.join('?' * len(types))})"
            params += list(types)
        rows = self.db.execute(sql + " ORDER BY d.seq, t.start", params).fetchall()
        return [{**dict(row), "resolved": bool(row["resolved"])} for row in rows]

    def _records(self, table: str, where: list[tuple[str, tuple[Any, ...]]],
                 order: str) -> list[dict[str, Any]]:
        """Rows of an extraction table as their JSON records, with the document's title, outlet
        and date added. ``where`` holds (SQL condition with ? placeholders, values) pairs."""
        sql = (f"SELECT x.doc_id, x.data, d.title, d.outlet, d.published FROM {table} x "
               "JOIN documents d ON d.id = x.doc_id")
        if where:
            sql += " WHERE " + " AND ".join(condition for condition, _ in where)
        params = [value for _, values in where for value in values]
        rows = self.db.execute(f"{sql} ORDER BY {order}", params).fetchall()
        return [{"doc_id": r["doc_id"], **json.loads(r["data"]), "doc_title": r["title"],
                 "outlet": r["outlet"], "published": r["published"]} for r in rows]

    def quantities(self, *, measure: str | None = None, doc_id: str | None = None) -> list[dict[str, Any]]:
        where: list[tuple[str, tuple[Any, ...]]] = []
        if measure:
            where.append((f"x.measure_key {_LIKE}", (contains_pattern(measure),)))
        if doc_id:
            where.append(("x.doc_id = ?", (doc_id,)))
        return self._records("quantities", where, "x.measure_key, d.published, d.seq, x.start")

    def claims(self, *, doc_id: str | None = None, polarity: str | None = None,
               source: str | None = None, text: str | None = None) -> list[dict[str, Any]]:
        where: list[tuple[str, tuple[Any, ...]]] = []
        if doc_id:
            where.append(("x.doc_id = ?", (doc_id,)))
        if polarity:
            where.append(("x.polarity = ?", (polarity,)))
        if source:
            where.append((f"x.source {_LIKE}", (contains_pattern(source),)))
        if text:
            where.append((f"x.proposition {_LIKE}", (contains_pattern(text),)))
        return self._records("claims", where, "d.seq, x.start")

    def attributions(self, *, doc_id: str | None = None, source: str | None = None,
                     outlet: str | None = None, kind: str | None = None,
                     text: str | None = None) -> list[dict[str, Any]]:
        where: list[tuple[str, tuple[Any, ...]]] = []
        if doc_id:
            where.append(("x.doc_id = ?", (doc_id,)))
        if source:
            where.append((f"(x.source_text {_LIKE} OR x.source_name {_LIKE})",
                          (contains_pattern(source), contains_pattern(source))))
        if outlet:
            where.append(("d.outlet = ?", (outlet,)))
        if kind:
            where.append(("x.kind = ?", (kind,)))
        if text:
            where.append((f"x.content_text {_LIKE}", (contains_pattern(text),)))
        return self._records("attributions", where, "d.seq, x.content_start")

    def search(self, query: str, *, limit: int = 20) -> list[dict[str, Any]]:
        """Documents matching an FTS5 query, best first, with a highlighted snippet."""
        if not query.strip():
            raise QueryError("empty search query: give one or more words, e.g. 'troops' or '\"troop withdrawal\"'")
        try:
            rows = self.db.execute(
                "SELECT d.id, d.title, d.outlet, d.published, "
                "snippet(documents_fts, 1, '[', ']', ' … ', 12) AS snippet "
                "FROM documents_fts JOIN documents d ON d.seq = documents_fts.rowid "
                "WHERE documents_fts MATCH ? ORDER BY bm25(documents_fts) LIMIT ?",
                (query, limit),
            ).fetchall()
        except sqlite3.OperationalError as error:
            raise QueryError(
                f"search query {query!r} is not valid full-text syntax ({error}). "
                'It\'s often worth trying: put the words in double quotes, e.g. \'"troop withdrawal"\''
            ) from None
        return [dict(row) for row in rows]


def _write_extraction(db: sqlite3.Connection, extraction: Extraction) -> None:
    doc_id = extraction.doc_id
    db.executemany(
        "INSERT INTO time_expressions (doc_id, start, end, text, type, value, anchor, resolved, rule) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(doc_id, t.start, t.end, t.text, t.type, t.value, t.anchor, t.resolved, t.rule)
         for t in extraction.time_expressions],
    )
    db.executemany(
        "INSERT INTO attributions (doc_id, attribution_id, parent_id, kind, form, source_text, "
        "source_name, anonymous, cue_text, content_start, content_end, content_text, hedged, rule, data) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(doc_id, a.id, a.parent, a.kind, a.form, a.source.text if a.source else None, a.source_name,
          a.anonymous, a.cue.text, a.content.start, a.content.end, a.content.text, a.hedge is not None,
          a.rule, json.dumps(a.to_dict(), ensure_ascii=False))
         for a in extraction.attributions],
    )
    db.executemany(
        "INSERT INTO quantities (doc_id, quantity_id, start, end, text, value, low, high, approx, unit, "
        "counted, measure_key, kind, as_of, as_of_source, attribution_id, source, data) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(doc_id, q.id, q.quantity.start, q.quantity.end, q.quantity.text, q.quantity.value,
          q.quantity.low, q.quantity.high, q.quantity.approx, q.quantity.unit, q.quantity.counted,
          q.quantity.measure_key, q.quantity.kind, q.as_of, q.as_of_source, q.attribution_id,
          q.source, json.dumps(q.to_dict(), ensure_ascii=False))
         for q in extraction.quantities],
    )
    db.executemany(
        "INSERT INTO claims (doc_id, claim_id, start, end, proposition, polarity, modality, hedged, "
        "attribution_id, source, as_of, as_of_source, rule, data) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(doc_id, c.id, c.start, c.end, c.proposition, c.polarity, c.modality, c.hedged,
          c.attribution_id, c.source, c.as_of, c.as_of_source, c.rule,
          json.dumps(c.to_dict(), ensure_ascii=False))
         for c in extraction.claims],
    )


_LIKE = "LIKE ? ESCAPE '\\'"


def contains_pattern(value: str) -> str:
    """A LIKE pattern for "contains ``value``", its own % and _ matched literally."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _document_values(doc: Document) -> tuple[Any, ...]:
    values = {**doc.to_dict(), "original": doc.original, "offset_map": doc.offset_map.to_json()}
    return tuple(values[c] for c in _DOCUMENT_COLUMNS)


def _row_document(row: sqlite3.Row, removed: tuple[RemovedSpan, ...]) -> Document:
    fields = {c: row[c] for c in _DOCUMENT_COLUMNS}
    fields["offset_map"] = OffsetMap.from_json(fields["offset_map"])
    estimate = json.loads(row["date_estimate"]) if row["date_estimate"] else None
    return Document(**fields, removed=removed, date_estimate=estimate)


def open_ledger(path: str | Path = DEFAULT_DB, *, readonly: bool = True) -> Ledger:
    """Open a ledger for reading (the default) or writing."""
    return Ledger(path, readonly=readonly)
