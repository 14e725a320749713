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
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import LedgerError, QueryError
from ..extract.guard import ExtractionFailure
from ..model import Document, OffsetMap, RemovedSpan
from .schema import MIGRATIONS

if TYPE_CHECKING:  # the extraction records need spaCy; reading the ledger must not import it
    from ..extract.document import Extraction

DEFAULT_DB = "ledger.db"

_DOCUMENT_COLUMNS = (
    "id", "external_id", "title", "outlet", "outlet_source", "byline", "dateline", "published",
    "published_source", "published_evidence", "url", "path", "record", "original", "text",
    "offset_map", "duplicate_of",
)
_READ_COLUMNS = ", ".join(("seq", *_DOCUMENT_COLUMNS, "date_estimate"))
# Where a date or outlet came from, weakest to strongest: a value is replaced only by a stronger
# one. "user" (`storyledger set`) and "sidecar" (`build --metadata`) outrank anything read.
SOURCE_RANK = {"none": 0, "text": 1, "tagline": 1, "url": 2, "html": 3, "metadata": 4, "sidecar": 5, "user": 6}
# Metadata fields that can be corrected: (column, its source column, its evidence column).
_FIELD_COLUMNS: dict[str, tuple[str, str | None, str | None]] = {
    "published": ("published", "published_source", "published_evidence"),
    "outlet": ("outlet", "outlet_source", None),
    "title": ("title", None, None),
    "author": ("byline", None, None),
    "url": ("url", None, None),
}


class KeptRecord(NamedTuple):
    """What an input record of an already stored text said about it: its metadata, not its text
    (a re-read of a large corpus keeps one of these per record until the next batch is written)."""

    id: str
    path: str
    record: str | None
    external_id: str | None
    title: str | None
    outlet: str | None
    outlet_source: str | None
    byline: str | None
    url: str | None
    published: str | None
    published_source: str
    published_evidence: str | None

    @classmethod
    def of(cls, doc: Document) -> KeptRecord:
        return cls(*(getattr(doc, name) for name in cls._fields))


class Ledger:
    """A connection to one ledger file."""

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self._kept_records: list[KeptRecord] = []  # records of stored texts, written with the next batch
        self.corrected: set[str] = set()  # documents whose metadata changed through this connection
        if readonly:
            if not self.path.exists():
                raise LedgerError(f"{self.path}: no ledger here; build one with `storyledger build`")
            # as_uri() percent-encodes the path: a '#', '?' or '%' in a name must not end the path
            # (unquoted, 'we#ird/l.db' opened, and created, a file 'we').
            uri = f"{self.path.resolve().as_uri()}?mode=ro"
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
        if current >= len(MIGRATIONS):
            return
        # Foreign keys are off while the schema changes (a table rebuilt by a migration is dropped,
        # and with them on its rows' dependants would be deleted); each migration is checked for
        # dangling references before it commits. The pragma is a no-op inside a transaction.
        self.db.execute("PRAGMA foreign_keys=OFF")
        try:
            for version, steps in enumerate(MIGRATIONS, start=1):
                if version <= current:
                    continue
                with self.transaction():
                    for step in steps:
                        if callable(step):
                            step(self.db)
                        else:
                            self.db.execute(step)
                    broken = self.db.execute("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise LedgerError(f"{self.path}: schema migration {version} left {len(broken)} rows "
                                          f"pointing at missing rows (first in table {broken[0][0]}); "
                                          "the ledger is unchanged, report this with the file")
                    self.db.execute(
                        "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
                        (version, _now()),
                    )
        finally:
            self.db.execute("PRAGMA foreign_keys=ON")

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
                    extractions: dict[str, Extraction | ExtractionFailure] | None = None,
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
                result = extractions.get(doc.id)
                if result is not None:
                    _store_extraction(db, doc.id, result, extractor_version)
            self._store_kept_records(db)
            db.executemany(
                "INSERT OR REPLACE INTO inputs (path, sha256, documents, reader_version, read_at) "
                "VALUES (?, ?, ?, ?, ?)",
                [(*row, _now()) for row in inputs],
            )
        return added

    def extraction_problems(self) -> list[tuple[Document, ExtractionFailure]]:
        """Documents stored without extraction because their extractors failed, in build order."""
        rows = self.db.execute(
            "SELECT d.id, p.stage, p.kind, p.message FROM extraction_problems p "
            "JOIN documents d ON d.id = p.doc_id ORDER BY d.seq"
        ).fetchall()
        return [(self.document(row[0]), ExtractionFailure(*row)) for row in rows]

    # -- every record of a document, and corrections -------------------------------------------

    def keep_record(self, doc: Document) -> bool:
        """Keep the record ``doc`` was read from (its id, file, place and metadata) with the stored
        document of the same text: written with the next batch, once that document is stored.
        True when it is a record not read before (another id, file or row), False for a re-read."""
        known = self.db.execute(
            "SELECT 1 FROM document_records WHERE doc_id = ? AND path = ? AND record = ?",
            (doc.id, doc.path, doc.record or ""),
        ).fetchone()
        self._kept_records.append(KeptRecord.of(doc))
        return known is None

    def store_kept_records(self) -> None:
        """Write the records kept for documents stored by now (the build calls it at its end)."""
        if self._kept_records:
            with self.transaction() as db:
                self._store_kept_records(db)
        self._kept_records = []

    def _store_kept_records(self, db: sqlite3.Connection) -> None:
        waiting = []
        for doc in self._kept_records:
            if db.execute("SELECT 1 FROM documents WHERE id = ?", (doc.id,)).fetchone() is None:
                waiting.append(doc)  # its document is in a batch not stored yet
                continue
            db.execute(
                "INSERT INTO document_records (doc_id, path, record, external_id, title, outlet, byline, url, "
                "published, published_source, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (doc_id, path, record) DO UPDATE SET external_id = excluded.external_id, "
                "title = excluded.title, outlet = excluded.outlet, byline = excluded.byline, url = excluded.url, "
                "published = excluded.published, published_source = excluded.published_source",
                (doc.id, doc.path, doc.record or "", doc.external_id, doc.title, doc.outlet, doc.byline,
                 doc.url, doc.published, doc.published_source, _now()),
            )
            self._adopt_record_metadata(db, doc)
        self._kept_records = waiting

    def _adopt_record_metadata(self, db: sqlite3.Connection, record: KeptRecord) -> None:
        """What a record of a stored text says better than the document does: a date or outlet
        from a stronger source (a record's field over a page's tags over the text), a title, author
        or url where the document has none. The record the document was stored from, read again,
        also replaces values of equal standing (the user corrected the input). Values set by the
        user or a sidecar are never replaced."""
        row = db.execute("SELECT path, record, published_source, outlet_source, title, byline, url "
                         "FROM documents WHERE id = ?", (record.id,)).fetchone()
        own = (row["path"], row["record"] or "") == (record.path, record.record or "")
        overridden = {r[0] for r in db.execute("SELECT field FROM metadata_overrides WHERE doc_id = ?",
                                               (record.id,))}

        def wins(new_source: str | None, old_source: str | None) -> bool:
            new, old = SOURCE_RANK.get(new_source or "none", 0), SOURCE_RANK.get(old_source or "none", 0)
            return new > old or (own and new == old)

        candidates: list[tuple[str, str | None, str, str | None]] = []  # field, value, source, evidence
        if record.published and wins(record.published_source, row["published_source"]):
            candidates.append(("published", record.published, record.published_source,
                               record.published_evidence))
        if record.outlet and wins(record.outlet_source, row["outlet_source"]):
            candidates.append(("outlet", record.outlet, record.outlet_source or "metadata", None))
        for field, value, current in (("title", record.title, row["title"]), ("author", record.byline, row["byline"]),
                                      ("url", record.url, row["url"])):
            if value and (current is None or own):
                candidates.append((field, value, "metadata", None))
        changed = [field for field, value, source, evidence in candidates
                   if field not in overridden and self._apply_field(db, record.id, field, value, source, evidence)]
        self._note_changes(db, record.id, changed, f"metadata of {record.path}"
                           + (f" ({record.record})" if record.record else ""))

    def set_metadata(self, doc_id: str, values: dict[str, str], source: str,
                     origin: str) -> dict[str, tuple[str | None, str]]:
        """Keep values the user (``source`` "user") or a metadata sidecar ("sidecar") gave for one
        document, and apply those that win: the user's over the sidecar's over the input's.
        ``values`` maps published (ISO date), outlet, title, author, url to a value; ``origin``
        says where they came from. Returns the document's fields that changed: {field: (old, new)}."""
        changes: dict[str, tuple[str | None, str]] = {}
        with self.transaction() as db:
            for field, value in values.items():
                db.execute(
                    "INSERT INTO metadata_overrides (doc_id, field, source, value, origin, set_at) "
                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (doc_id, field, source) DO UPDATE SET "
                    "value = excluded.value, origin = excluded.origin, set_at = excluded.set_at "
                    "WHERE value != excluded.value OR origin != excluded.origin",
                    (doc_id, field, source, value, origin, _now()),
                )
                stronger = db.execute(
                    "SELECT 1 FROM metadata_overrides WHERE doc_id = ? AND field = ? AND source = 'user'",
                    (doc_id, field)).fetchone()
                if source != "user" and stronger:
                    continue
                column = _FIELD_COLUMNS[field][0]
                old = db.execute(f"SELECT {column} FROM documents WHERE id = ?", (doc_id,)).fetchone()[0]
                if self._apply_field(db, doc_id, field, value, source, origin):
                    changes[field] = (old, value)
            self._note_changes(db, doc_id, list(changes), f"{', '.join(changes)} set by {origin}")
        return changes

    def _apply_field(self, db: sqlite3.Connection, doc_id: str, field: str, value: str, source: str,
                     evidence: str | None) -> bool:
        """Write one metadata field of a document (with its source, where the ledger keeps one);
        True when its value changed."""
        columns = {column: value for column, value in zip(_FIELD_COLUMNS[field], (value, source, evidence),
                                                             strict=True) if column}
        # Column names come from _FIELD_COLUMNS; every value is a parameter.
        old = db.execute(f"SELECT {', '.join(columns)} FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if tuple(old) != tuple(columns.values()):
            db.execute(f"UPDATE documents SET {', '.join(f'{column} = ?' for column in columns)} WHERE id = ?",
                       (*columns.values(), doc_id))
        return old[0] != value

    def _note_changes(self, db: sqlite3.Connection, doc_id: str, fields: list[str], reason: str) -> None:
        if not fields:
            return
        self.corrected.add(doc_id)
        # Time expressions are resolved against the publication date, and a quantity or claim
        # with no attributed source is the outlet's: both come from extraction, so it runs again.
        if {"published", "outlet"} & set(fields):
            db.execute("INSERT OR REPLACE INTO pending_extractions (doc_id, reason, since) VALUES (?, ?, ?)",
                       (doc_id, reason, _now()))

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

    def replace_extraction(self, doc_id: str, result: Extraction | ExtractionFailure | None,
                           extractor_version: str | None) -> None:
        """Put a new extraction of a document in place of its old records (None: the document is
        not extracted, e.g. too long); the document is then no longer pending."""
        with self.transaction() as db:
            for table in ("time_expressions", "attributions", "quantities", "claims", "extraction_problems"):
                db.execute(f"DELETE FROM {table} WHERE doc_id = ?", (doc_id,))
            db.execute("UPDATE documents SET extracted_version = NULL, date_estimate = NULL WHERE id = ?", (doc_id,))
            if result is not None:
                _store_extraction(db, doc_id, result, extractor_version)
            db.execute("DELETE FROM pending_extractions WHERE doc_id = ?", (doc_id,))

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


def _store_extraction(db: sqlite3.Connection, doc_id: str, result: Extraction | ExtractionFailure,
                      extractor_version: str | None) -> None:
    """A document's extraction records, or the failure that left it without them."""
    if isinstance(result, ExtractionFailure):
        db.execute(
            "INSERT OR REPLACE INTO extraction_problems (doc_id, stage, kind, message, extractor_version, at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (doc_id, result.stage, result.kind, result.message, extractor_version, _now()),
        )
        return
    _write_extraction(db, result)
    estimate = result.date_estimate
    db.execute(
        "UPDATE documents SET extracted_version = ?, date_estimate = ? WHERE id = ?",
        (extractor_version, json.dumps(estimate.to_dict()) if estimate else None, doc_id),
    )


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


def _row_document(row: sqlite3.Row, removed: tuple[RemovedSpan, ...], external_ids: tuple[str, ...] = ()) -> Document:
    fields = {c: row[c] for c in _DOCUMENT_COLUMNS}
    fields["offset_map"] = OffsetMap.from_json(fields["offset_map"])
    estimate = json.loads(row["date_estimate"]) if row["date_estimate"] else None
    return Document(**fields, removed=removed, date_estimate=estimate, external_ids=external_ids)


def open_ledger(path: str | Path = DEFAULT_DB, *, readonly: bool = True) -> Ledger:
    """Open a ledger for reading (the default) or writing."""
    return Ledger(path, readonly=readonly)
