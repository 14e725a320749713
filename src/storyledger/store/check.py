"""Integrity check of a ledger file: is every record where it says it is?

Reads the file only (a read-only connection, safe beside a running build) and reports each
inconsistency in words: SQLite's own integrity check, the schema version, every offset of every
record against its document's text, the offset map against the original, links between rows,
and the full-text index against the documents.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..ingest.lines import plain_spaces
from ..model import Document
from .schema import MIGRATIONS

# Problems past this many are counted, not listed: one systematic fault repeats per row.
MAX_LISTED = 200

# Extraction tables whose rows carry a span of the document's cleaned text: (start, end, text)
# columns; None where the row keeps no copy of the text.
_SPAN_COLUMNS: dict[str, tuple[str, str, str | None]] = {
    "time_expressions": ("start", "end", "text"),
    "quantities": ("start", "end", "text"),
    "claims": ("start", "end", None),
    "attributions": ("content_start", "content_end", "content_text"),
}
# Keys of the JSON `data` column that hold {start, end, text} spans (or lists of them).
_SPAN_KEYS = ("source", "cue", "content", "medium", "hedge", "content_parts")


@dataclass
class CheckReport:
    """What a check found. ``problems`` is empty when the ledger is consistent."""

    path: str
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    unlisted: int = 0  # problems beyond MAX_LISTED
    # Not integrity faults but worth knowing: documents stored without extraction, and why.
    notices: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, problem: str) -> None:
        if len(self.problems) < MAX_LISTED:
            self.problems.append(problem)
        else:
            self.unlisted += 1

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "ok": self.ok, "counts": self.counts,
                "problems": self.problems, "unlisted": self.unlisted, "notices": self.notices}

    def summary(self) -> str:
        counted = ", ".join(f"{n} {name}" for name, n in self.counts.items())
        if self.ok:
            return f"{self.path}: ledger is consistent ({counted})."
        total = len(self.problems) + self.unlisted
        return f"{self.path}: {total} problem{'s' if total != 1 else ''} ({counted})."


def check_ledger(path: str | Path) -> CheckReport:
    """Check the ledger at ``path``; never raises for a broken ledger, reports it instead."""
    report = CheckReport(str(path))
    if not Path(path).is_file():
        report.add("no ledger file here; build one with `storyledger build`")
        return report
    try:
        db = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
        db.execute("PRAGMA busy_timeout=10000")
        rows = [r[0] for r in db.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as error:
        report.add(f"not a readable SQLite database ({error})")
        return report
    try:
        if rows != ["ok"]:
            for row in rows:
                report.add(f"SQLite integrity check: {row}")
        if _check_schema(db, report):
            _check_documents(db, report)
            _check_records_and_corrections(db, report)
            _check_extractions(db, report)
            _list_extraction_problems(db, report)
            _check_links(db, report)
    except sqlite3.DatabaseError as error:
        report.add(f"the ledger could not be read to the end ({error})")
    finally:
        db.close()
    return report


def _check_schema(db: sqlite3.Connection, report: CheckReport) -> bool:
    """True when the schema is one this version knows, so the other checks can run."""
    try:
        version = db.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0] or 0
    except sqlite3.OperationalError:
        version = 0
    if version == 0:
        report.add("not a storyledger ledger (no schema_migrations table or no version in it)")
        return False
    if version > len(MIGRATIONS):
        report.add(f"schema version {version} is newer than this storyledger knows ({len(MIGRATIONS)}); "
                   "upgrade storyledger to check it")
        return False
    versions = [r[0] for r in db.execute("SELECT version FROM schema_migrations ORDER BY version")]
    if versions != list(range(1, version + 1)):
        report.add(f"schema migrations recorded out of sequence: {versions}")
    return True


def _list_extraction_problems(db: sqlite3.Connection, report: CheckReport) -> None:
    rows = db.execute(
        "SELECT d.id, d.path, d.record, p.stage, p.kind, p.message FROM extraction_problems p "
        "LEFT JOIN documents d ON d.id = p.doc_id ORDER BY d.seq").fetchall()
    for doc_id, path, record, stage, kind, message in rows:
        if doc_id is None:
            report.add("extraction problem recorded for a document that is not in the ledger")
            continue
        where = f"{path}: {record}" if record else path
        what = "stopped (time budget)" if kind == "timeout" else "failed"
        report.notices.append(f"document {doc_id[:12]} ({where}) has no claims: extraction {what} in the "
                              f"{stage} stage — {message}")
    report.counts["documents not extracted"] = len(rows)


def _check_documents(db: sqlite3.Connection, report: CheckReport) -> None:
    documents = 0
    for doc_id, original, text, offset_map in db.execute(
            "SELECT id, original, text, offset_map FROM documents ORDER BY seq"):
        documents += 1
        _check_offset_map(doc_id, original, text, offset_map, report)
    report.counts["documents"] = documents

    removed = 0
    for doc_id, start, end, span_text, original in db.execute(
            "SELECT r.doc_id, r.start, r.end, r.text, d.original FROM removed_spans r "
            "LEFT JOIN documents d ON d.id = r.doc_id"):
        removed += 1
        if original is None:
            report.add(f"removed span of document {doc_id}: no such document")
        elif not 0 <= start <= end <= len(original):
            report.add(f"removed span of document {doc_id} at {start}-{end}: outside the original "
                       f"({len(original)} characters)")
        elif original[start:end] != span_text:
            report.add(f"removed span of document {doc_id} at {start}-{end}: its text is not the "
                       "original's text there")
    report.counts["removed spans"] = removed

    dangling = db.execute(
        "SELECT d.id, d.duplicate_of FROM documents d LEFT JOIN documents c ON c.id = d.duplicate_of "
        "WHERE d.duplicate_of IS NOT NULL AND c.id IS NULL").fetchall()
    for doc_id, target in dangling:
        report.add(f"document {doc_id}: duplicate_of {target} is not in the ledger")
    for doc_id, in db.execute("SELECT id FROM documents WHERE duplicate_of = id"):
        report.add(f"document {doc_id}: marked as a duplicate of itself")

    indexed = db.execute("SELECT COUNT(*) FROM documents_fts_docsize").fetchone()[0]
    if indexed != documents:
        report.add(f"full-text index holds {indexed} rows for {documents} documents; "
                   "rebuild it with INSERT INTO documents_fts(documents_fts) VALUES('rebuild')")
    missing = db.execute("SELECT COUNT(*) FROM documents d LEFT JOIN documents_fts_docsize f "
                         "ON f.id = d.seq WHERE f.id IS NULL").fetchone()[0]
    if missing and indexed == documents:
        report.add(f"{missing} documents are missing from the full-text index")


def _check_records_and_corrections(db: sqlite3.Connection, report: CheckReport) -> None:
    """Every document keeps the input record it was stored from; a date or outlet said to be set
    by the user or a sidecar has that value kept; documents waiting to be extracted again."""
    if "document_records" not in set(_tables(db)):
        return  # a ledger from before schema 5
    report.counts["input records"] = db.execute("SELECT COUNT(*) FROM document_records").fetchone()[0]
    for doc_id, in db.execute(
            "SELECT d.id FROM documents d WHERE NOT EXISTS (SELECT 1 FROM document_records r "
            "WHERE r.doc_id = d.id AND r.path = d.path AND r.record = COALESCE(d.record, ''))"):
        report.add(f"document {doc_id}: the input record it was stored from is not in document_records")
    report.counts["metadata values set"] = db.execute("SELECT COUNT(*) FROM metadata_overrides").fetchone()[0]
    for column, source_column in (("published", "published_source"), ("outlet", "outlet_source")):
        # Column names are the constants above; no value is put into the SQL.
        for doc_id, source, value in db.execute(
                f"SELECT d.id, d.{source_column}, d.{column} FROM documents d "
                f"WHERE d.{source_column} IN ('user', 'sidecar') AND NOT EXISTS (SELECT 1 FROM metadata_overrides o "
                f"WHERE o.doc_id = d.id AND o.field = ? AND o.source = d.{source_column} AND o.value = d.{column})",
                (column,)):
            report.add(f"document {doc_id}: {column} {value!r} is marked as set by {source}, "
                       "but metadata_overrides keeps no such value")
    pending = db.execute("SELECT COUNT(*) FROM pending_extractions").fetchone()[0]
    if pending:
        report.notices.append(f"{pending} document(s) wait to be extracted again after their date or outlet "
                              "changed; the next `storyledger build` does it")


def document_problems(doc: Document) -> list[str]:
    """What is inconsistent in one in-memory document (its offset map and removed spans);
    empty when it is sound. The fuzzer and the tests use it before anything is stored."""
    report = CheckReport("<memory>")
    _check_offset_map(doc.id, doc.original, doc.text, doc.offset_map.to_json(), report)
    for span in doc.removed:
        if not 0 <= span.start <= span.end <= len(doc.original) or doc.original[span.start:span.end] != span.text:
            report.add(f"document {doc.id}: removed span {span.start}-{span.end} is not the original's text")
    return report.problems


def _check_offset_map(doc_id: str, original: str, text: str, offset_map: str,
                      report: CheckReport) -> None:
    """Every segment of cleaned text is the original's text at the mapped place (with odd
    spaces made plain), and segments run forward without overlapping."""
    try:
        segments = json.loads(offset_map)
    except (TypeError, ValueError):
        report.add(f"document {doc_id}: offset_map is not JSON")
        return
    previous_end = 0
    for segment in segments:
        if not (isinstance(segment, list) and len(segment) == 3 and all(isinstance(v, int) for v in segment)):
            report.add(f"document {doc_id}: offset_map segment {segment!r} is not [clean, original, length]")
            return
        clean, orig, length = segment
        if clean < previous_end or length < 0 or orig < 0:
            report.add(f"document {doc_id}: offset_map segment {segment} overlaps or runs backwards")
            return
        if clean + length > len(text) or orig + length > len(original):
            report.add(f"document {doc_id}: offset_map segment {segment} runs past the text "
                       f"({len(text)} characters) or the original ({len(original)})")
            return
        if text[clean:clean + length] != plain_spaces(original[orig:orig + length]):
            report.add(f"document {doc_id}: offset_map segment {segment}: cleaned text differs from "
                       "the original there")
            return
        previous_end = clean + length


def _spans(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict) and "start" in value and "end" in value:
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _spans(item)


def _check_span(where: str, start: Any, end: Any, recorded: str | None, text: str,
                report: CheckReport) -> None:
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(text)):
        report.add(f"{where}: offsets {start}-{end} outside the document's text ({len(text)} characters)")
    elif recorded is not None and text[start:end] != recorded:
        report.add(f"{where}: recorded text {recorded[:40]!r} is not the document's text at {start}-{end}")


def _tables(db: sqlite3.Connection) -> list[str]:
    return [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]


def _columns(db: sqlite3.Connection, table: str) -> set[str]:
    return {r[1] for r in db.execute("SELECT * FROM pragma_table_info(?)", (table,))}


def _check_extractions(db: sqlite3.Connection, report: CheckReport) -> None:
    tables = set(_tables(db))
    for table, (start_col, end_col, text_col) in _SPAN_COLUMNS.items():
        if table not in tables:
            continue
        text_sql = f"x.{text_col}" if text_col else "NULL"
        data_sql = "x.data" if "data" in _columns(db, table) else "NULL"
        count = 0
        # Table and column names come from the constants above; no value is put into the SQL.
        for doc_id, start, end, recorded, data, doc_text in db.execute(
                f"SELECT x.doc_id, x.{start_col}, x.{end_col}, {text_sql}, {data_sql}, d.text "
                f"FROM {table} x LEFT JOIN documents d ON d.id = x.doc_id"):
            count += 1
            where = f"{table} row of document {doc_id}"
            if doc_text is None:
                report.add(f"{where}: no such document")
                continue
            _check_span(where, start, end, recorded, doc_text, report)
            try:
                record = json.loads(data) if data else {}
            except ValueError:
                report.add(f"{where}: data is not JSON")
                continue
            if table == "claims" and "evidence" in record:
                _check_span(where, start, end, record["evidence"], doc_text, report)
            for key in _SPAN_KEYS:
                for span in _spans(record.get(key)):
                    _check_span(f"{where} ({key})", span.get("start"), span.get("end"), span.get("text"),
                                doc_text, report)
        report.counts[table.replace("_", " ")] = count


def _check_links(db: sqlite3.Connection, report: CheckReport) -> None:
    """Every row of any table with a doc_id column (tables added by later migrations too)
    belongs to a document in the ledger."""
    for table in _tables(db):
        if table in _SPAN_COLUMNS or table == "removed_spans" or table.startswith("documents"):
            continue
        if "doc_id" not in _columns(db, table):
            continue
        orphans = db.execute(
            f'SELECT COUNT(*) FROM "{table}" x LEFT JOIN documents d ON d.id = x.doc_id '
            "WHERE x.doc_id IS NOT NULL AND d.id IS NULL").fetchone()[0]
        if orphans:
            report.add(f"{table}: {orphans} rows point at documents not in the ledger")
