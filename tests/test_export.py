"""Exports round-trip: what Parquet, JSON Lines, JSON and CSV hold is what the ledger holds."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from conftest import cli
from storyledger import open_ledger
from storyledger.store.export import CORE, export_ledger, export_tables


@pytest.fixture(scope="module")
def expected(seeds_db: str) -> dict[str, list[dict]]:
    with open_ledger(seeds_db) as ledger:
        db = ledger.db
        out = {}
        for table, sql in export_tables(db).items():
            cursor = db.execute(sql)
            columns = [d[0] for d in cursor.description]
            out[table] = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        return out


def _same(table: str, got: list[dict], want: list[dict]) -> None:
    assert len(got) == len(want), table
    for g, w in zip(got, want, strict=True):
        for key, value in w.items():
            if isinstance(value, bytes):
                value = value.hex() if isinstance(g[key], str) else value
            if key in ("resolved", "anonymous", "hedged") and table in CORE:
                value = bool(value)
            assert g[key] == value, (table, key)


def test_parquet_and_jsonl_round_trip(seeds_db: str, expected: dict, tmp_path: Path):
    for fmt in ("parquet", "jsonl", "json"):
        cli("export", "--db", seeds_db, "--format", fmt, "-o", str(tmp_path / fmt))
        for table, rows in expected.items():
            path = tmp_path / fmt / f"{table}.{fmt}"
            if fmt == "parquet":
                got = pq.read_table(path).to_pylist()
            elif fmt == "jsonl":
                got = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
            else:
                got = json.loads(path.read_text(encoding="utf-8"))
            _same(table, got, rows)
    assert len(expected["documents"]) == 6 and expected["claims"]


def test_ids_are_stable_and_offsets_point_at_the_text(seeds_db: str, tmp_path: Path):
    with open_ledger(seeds_db) as ledger:
        export_ledger(ledger, "parquet", tmp_path)
    docs = {d["doc_id"]: d for d in pq.read_table(tmp_path / "documents.parquet").to_pylist()}
    for table, key in (("claims", "claim_id"), ("quantities", "quantity_id"), ("time_expressions", "timex_id")):
        rows = pq.read_table(tmp_path / f"{table}.parquet").to_pylist()
        assert len({(r["doc_id"], r[key]) for r in rows}) == len(rows), table
    for q in pq.read_table(tmp_path / "quantities.parquet").to_pylist():
        assert docs[q["doc_id"]]["text"][q["start"]:q["end"]] == q["text"]
    for r in pq.read_table(tmp_path / "removed_spans.parquet").to_pylist():
        assert docs[r["doc_id"]]["original"][r["start"]:r["end"]] == r["text"]
    schema = pq.read_schema(tmp_path / "quantities.parquet")
    assert str(schema.field("value").type) == "double" and str(schema.field("start").type) == "int64"


def test_csv_loads(seeds_db: str, tmp_path: Path):
    cli("export", "--db", seeds_db, "--format", "csv", "-o", str(tmp_path))
    with (tmp_path / "claims.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    con = sqlite3.connect(seeds_db)
    assert len(rows) == con.execute("SELECT COUNT(*) FROM claims").fetchone()[0]
    con.close()
    assert {"doc_id", "claim_id", "start", "end", "proposition"} <= set(rows[0])


def test_python_api():
    import storyledger

    assert "open_ledger" in storyledger.__all__ and storyledger.__all__ == sorted(storyledger.__all__)
