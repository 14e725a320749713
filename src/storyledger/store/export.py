"""Export the ledger's records to JSON, JSON Lines, CSV or Parquet, one file per record type.

Rows are streamed in batches, so a corpus of any size exports in bounded memory. Every row keeps
its stable identifiers (``doc_id`` plus the record's own id; removed spans and time expressions
get ``span_id`` / ``timex_id`` numbered by position within their document) and its offsets. The
schema is documented in docs/schema.md.
"""

from __future__ import annotations

import csv
import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import StoryledgerError
from .ledger import Ledger

FORMATS = ("json", "jsonl", "csv", "parquet")
BATCH = 2000
# Tables exported, in order, with the SQL that reads them. Link tables a later migration adds
# are exported as they are, when present.
CORE = {
    "documents": (
        "SELECT id AS doc_id, seq, external_id, title, outlet, outlet_source, byline, dateline, published, "
        "published_source, published_evidence, url, path, record, duplicate_of, date_estimate, "
        "extracted_version, added_at, text, original, offset_map FROM documents ORDER BY seq"
    ),
    "removed_spans": (
        "SELECT r.doc_id, 'r' || ROW_NUMBER() OVER (PARTITION BY r.doc_id ORDER BY r.start, r.end) AS span_id, "
        "r.start, r.end, r.reason, r.rule, r.text FROM removed_spans r JOIN documents d ON d.id = r.doc_id "
        "ORDER BY d.seq, r.start, r.end"
    ),
    "time_expressions": (
        "SELECT t.doc_id, 't' || ROW_NUMBER() OVER (PARTITION BY t.doc_id ORDER BY t.start, t.end) AS timex_id, "
        "t.start, t.end, t.text, t.type, t.value, t.anchor, t.resolved, t.rule FROM time_expressions t "
        "JOIN documents d ON d.id = t.doc_id ORDER BY d.seq, t.start, t.end"
    ),
    "attributions": (
        "SELECT x.doc_id, x.attribution_id, x.parent_id, x.kind, x.form, x.source_text, x.source_name, "
        "x.anonymous, x.cue_text, x.content_start, x.content_end, x.content_text, x.hedged, x.rule, x.data "
        "FROM attributions x JOIN documents d ON d.id = x.doc_id ORDER BY d.seq, x.content_start"
    ),
    "quantities": (
        "SELECT x.doc_id, x.quantity_id, x.start, x.end, x.text, x.value, x.low, x.high, x.approx, x.unit, "
        "x.counted, x.measure_key, x.kind, x.as_of, x.as_of_source, x.attribution_id, x.source, x.data "
        "FROM quantities x JOIN documents d ON d.id = x.doc_id ORDER BY d.seq, x.start"
    ),
    "claims": (
        "SELECT x.doc_id, x.claim_id, x.start, x.end, x.proposition, x.polarity, x.modality, x.hedged, "
        "x.attribution_id, x.source, x.as_of, x.as_of_source, x.rule, x.data "
        "FROM claims x JOIN documents d ON d.id = x.doc_id ORDER BY d.seq, x.start"
    ),
}
LINK_TABLES = ("threads", "thread_claims", "contradictions", "series_points", "track_records")
# Bookkeeping, not records: what was read, what to redo, a cache of embedded texts keyed by hash,
# and what the stored links were built from.
_SKIP = {"schema_migrations", "inputs", "pending_extractions", "text_embeddings", "link_state", *CORE}
_BOOLEAN = {"resolved", "anonymous", "hedged"}


class ExportError(StoryledgerError):
    """An export could not be written."""


def export_tables(db: sqlite3.Connection) -> dict[str, str]:
    """table name -> SQL, for every table exported from this ledger."""
    tables = dict(CORE)
    names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    extra = [n for n in LINK_TABLES if n in names]
    extra += [n for n in names if n not in _SKIP and n not in extra and not n.startswith(("documents_fts", "sqlite_"))]
    for name in extra:
        if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            tables[name] = f"SELECT * FROM {name} ORDER BY rowid" if _has_rowid(db, name) else f"SELECT * FROM {name}"
    return tables


def _has_rowid(db: sqlite3.Connection, name: str) -> bool:
    try:
        db.execute(f"SELECT rowid FROM {name} LIMIT 0")
        return True
    except sqlite3.OperationalError:
        return False


def _declared_types(db: sqlite3.Connection, name: str) -> dict[str, str]:
    return {row[1]: (row[2] or "").upper() for row in db.execute(f"PRAGMA table_info({name})")}


def _column_kind(column: str, declared: str) -> str:
    """bool / int / float / str / bytes: what a column's values are in every export."""
    if column in _BOOLEAN:
        return "bool"
    if "INT" in declared:
        return "int"
    if any(t in declared for t in ("REAL", "FLOA", "DOUB", "NUMERIC")):
        return "float"
    if "BLOB" in declared:
        return "bytes"
    return "str"


def _rows(db: sqlite3.Connection, sql: str) -> Iterator[tuple[list[str], list[tuple[Any, ...]]]]:
    cursor = db.execute(sql)
    columns = [d[0] for d in cursor.description]
    while batch := cursor.fetchmany(BATCH):
        yield columns, [tuple(row) for row in batch]
    cursor.close()


def _convert(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "bool":
        return bool(value)
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    if kind == "bytes":
        return value if isinstance(value, bytes) else str(value).encode()
    return value if isinstance(value, str) else str(value)


def export_ledger(ledger: Ledger, fmt: str, out_dir: str | Path) -> dict[str, tuple[Path, int]]:
    """Write every record type to ``out_dir`` as ``<table>.<fmt>``; returns {table: (path, rows)}."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ExportError(f"{out}: cannot create the export folder ({error})") from None
    db = ledger.db
    written: dict[str, tuple[Path, int]] = {}
    for table, sql in export_tables(db).items():
        declared = _declared_types(db, table)
        cursor = db.execute(sql + " LIMIT 0")
        columns = [d[0] for d in cursor.description]
        kinds = {c: _column_kind(c, declared.get(c, "")) for c in columns}
        if table in CORE:
            kinds["doc_id"] = "str"
        if table in ("removed_spans", "time_expressions"):
            kinds[columns[1]] = "str"
        path = out / f"{table}.{fmt}"
        batches = ([[_convert(v, kinds[c]) for c, v in zip(cols, row, strict=True)] for row in rows]
                   for cols, rows in _rows(db, sql))
        count = _WRITERS[fmt](path, columns, kinds, batches)
        written[table] = (path, count)
    return written


def _write_jsonl(path: Path, columns: list[str], kinds: dict[str, str], batches: Iterator[list[list[Any]]]) -> int:
    n = 0
    with path.open("w", encoding="utf-8") as f:
        for batch in batches:
            for row in batch:
                f.write(json.dumps(dict(zip(columns, _jsonable(row), strict=True)), ensure_ascii=False) + "\n")
                n += 1
    return n


def _write_json(path: Path, columns: list[str], kinds: dict[str, str], batches: Iterator[list[list[Any]]]) -> int:
    n = 0
    with path.open("w", encoding="utf-8") as f:
        f.write("[")
        for batch in batches:
            for row in batch:
                record = dict(zip(columns, _jsonable(row), strict=True))
                f.write(("," if n else "") + "\n" + json.dumps(record, ensure_ascii=False))
                n += 1
        f.write("\n]\n")
    return n


def _jsonable(row: list[Any]) -> list[Any]:
    return [v.hex() if isinstance(v, bytes) else v for v in row]


def _write_csv(path: Path, columns: list[str], kinds: dict[str, str], batches: Iterator[list[list[Any]]]) -> int:
    n = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        for batch in batches:
            for row in _jsonable_rows(batch):
                writer.writerow(["" if v is None else ("true" if v is True else "false" if v is False else v)
                                 for v in row])
                n += 1
    return n


def _jsonable_rows(batch: list[list[Any]]) -> Iterator[list[Any]]:
    for row in batch:
        yield _jsonable(row)


def _write_parquet(path: Path, columns: list[str], kinds: dict[str, str],
                   batches: Iterator[list[list[Any]]]) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {"bool": pa.bool_(), "int": pa.int64(), "float": pa.float64(), "str": pa.string(), "bytes": pa.binary()}
    schema = pa.schema([pa.field(c, types[kinds[c]]) for c in columns])
    n = 0
    with pq.ParquetWriter(path, schema) as writer:
        for batch in batches:
            arrays = [pa.array([row[i] for row in batch], type=schema.field(i).type) for i in range(len(columns))]
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
            n += len(batch)
    return n


_WRITERS = {"json": _write_json, "jsonl": _write_jsonl, "csv": _write_csv, "parquet": _write_parquet}
