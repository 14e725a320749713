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

from ..errors import LedgerError
from ..extract.guard import ExtractionFailure
from ..model import Document
from .reading import DOCUMENT_COLUMNS, LedgerReads
from .schema import MIGRATIONS

if TYPE_CHECKING:  # the extraction records need spaCy; reading the ledger must not import it
    from ..extract.document import Extraction
    from ..link.ahead import DocumentVectors

DEFAULT_DB = "ledger.db"

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


class Ledger(LedgerReads):
    """A connection to one ledger file: its schema, its writes, and (from LedgerReads) its reads."""

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

    # -- documents ----------------------------------------------------------------------------

    def write_batch(self, documents: list[tuple[Document, bytes | None]],
                    inputs: list[tuple[str, str, int, str]] = (),
                    extractions: dict[str, Extraction | ExtractionFailure] | None = None,
                    extractor_version: str | None = None, vectors: list[DocumentVectors] = ()) -> int:
        """Store documents (with their MinHash signatures, extractions and the vectors embedded
        ahead for linking) and the inputs they came from, in one transaction. Documents already
        present are left alone. Returns the number added."""
        added = 0
        extractions = extractions or {}
        vectors_of = {v.doc_id: v for v in vectors}
        with self.transaction() as db:
            for doc, minhash in documents:
                values = _document_values(doc)
                cursor = db.execute(
                    f"INSERT OR IGNORE INTO documents ({', '.join(DOCUMENT_COLUMNS)}, minhash, added_at) "
                    f"VALUES ({', '.join('?' * len(DOCUMENT_COLUMNS))}, ?, ?)",
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
                if doc.id in vectors_of:
                    _write_vectors(db, vectors_of[doc.id])
            self._store_kept_records(db)
            db.executemany(
                "INSERT OR REPLACE INTO inputs (path, sha256, documents, reader_version, read_at) "
                "VALUES (?, ?, ?, ?, ?)",
                [(*row, _now()) for row in inputs],
            )
        return added

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

    def write_vectors(self, vectors: list[DocumentVectors]) -> None:
        """Store vectors embedded ahead for linking (of documents extracted again)."""
        if vectors:
            with self.transaction() as db:
                for v in vectors:
                    _write_vectors(db, v)

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


def _write_vectors(db: sqlite3.Connection, vectors: DocumentVectors) -> None:
    db.executemany("INSERT OR REPLACE INTO claim_embeddings (doc_id, claim_id, model, text_hash, vector) "
                   "VALUES (?, ?, ?, ?, ?)", [(vectors.doc_id, claim_id, vectors.model, digest, v.tobytes())
                                              for claim_id, (digest, v) in vectors.claims.items()])
    db.executemany("INSERT OR IGNORE INTO text_embeddings (text_hash, model, vector) VALUES (?, ?, ?)",
                   [(digest, vectors.model, v.tobytes()) for digest, v in vectors.texts.items()])


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


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _document_values(doc: Document) -> tuple[Any, ...]:
    values = {**doc.to_dict(), "original": doc.original, "offset_map": doc.offset_map.to_json()}
    return tuple(values[c] for c in DOCUMENT_COLUMNS)


def open_ledger(path: str | Path = DEFAULT_DB, *, readonly: bool = True) -> Ledger:
    """Open a ledger for reading (the default) or writing."""
    return Ledger(path, readonly=readonly)
