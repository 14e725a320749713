"""Engines: the same records whatever runs the extraction, and re-runs that only do new work."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from conftest import EXAMPLES, EXAMPLES_MAP, FIXTURES, cli
from storyledger import pipeline
from storyledger.engine import Engine
from storyledger.ingest.readers import ReadOptions, parse_field_map
from storyledger.link import neighbours
from storyledger.store.ledger import Ledger

CONTENT_QUERIES = [
    "SELECT id, title, published, text, duplicate_of, date_estimate FROM documents ORDER BY seq",
    "SELECT doc_id, start, end, type, value, anchor, rule FROM time_expressions ORDER BY doc_id, start",
    "SELECT doc_id, attribution_id, data FROM attributions ORDER BY doc_id, attribution_id",
    "SELECT doc_id, quantity_id, data FROM quantities ORDER BY doc_id, quantity_id",
    "SELECT doc_id, claim_id, data FROM claims ORDER BY doc_id, claim_id",
    # The vectors each worker embedded ahead for linking.
    "SELECT doc_id, claim_id, text_hash, vector FROM claim_embeddings ORDER BY doc_id, claim_id",
    "SELECT text_hash, vector FROM text_embeddings ORDER BY text_hash",
    # Linking runs in the main process over the stored records, so its output must match too.
    "SELECT thread_id, label, claims, documents FROM threads ORDER BY thread_id",
    "SELECT thread_id, doc_id, claim_id, stance, rule FROM thread_claims ORDER BY thread_id, doc_id, claim_id",
    "SELECT doc_id, claim_id, denied_doc_id, denied_claim_id, rule FROM denial_links ORDER BY doc_id, claim_id",
]


def ledger_content(path: str) -> list[list[tuple]]:
    con = sqlite3.connect(path)
    try:
        return [con.execute(query).fetchall() for query in CONTENT_QUERIES]
    finally:
        con.close()


def build_with(path: str, engine: Engine) -> None:
    options = ReadOptions(field_map=parse_field_map(EXAMPLES_MAP))
    with Ledger(path) as ledger, engine:
        pipeline.build([str(EXAMPLES), str(FIXTURES / "articles")], ledger, options, engine=engine)


@pytest.fixture
def small_batches(monkeypatch):
    # Several batches in flight, so that workers really share the work; linking's neighbour
    # search cut into blocks, so that the workers search them too.
    monkeypatch.setattr(pipeline, "BATCH_DOCS", 3)
    monkeypatch.setattr(neighbours, "WHOLE_SEARCH", 16)
    monkeypatch.setattr(neighbours, "CELL_CLAIMS", 30)


def test_local_pool_and_dask_cluster_give_identical_ledgers(tmp_path, small_batches):
    single, pool, dask = (str(tmp_path / f"{name}.db") for name in ("single", "pool", "dask"))
    build_with(single, Engine("local", 1))
    build_with(pool, Engine("local", 2))
    build_with(dask, Engine("dask", 2))  # a 2-worker LocalCluster
    reference = ledger_content(single)
    assert len(reference[0]) == 20 and all(reference)  # the examples and the fixture articles
    assert ledger_content(pool) == reference
    assert ledger_content(dask) == reference


def test_cli_engine_options(tmp_path):
    db = str(tmp_path / "ledger.db")
    result = cli("build", str(FIXTURES / "articles" / "scrape.txt"), "--db", db, "--engine", "dask",
                 "--workers", "1", "-q")
    assert "1 document added" in result.stderr


def test_grown_corpus_extracts_only_new_documents(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(FIXTURES / "articles" / "scrape.txt", corpus)
    db = str(tmp_path / "ledger.db")
    with Ledger(db) as ledger:
        first = pipeline.build([str(corpus)], ledger)
        assert first.documents_added == 1 and first.stage_times.seconds.get("parse", 0) > 0
        shutil.copy(FIXTURES / "articles" / "bridge.html", corpus)
        second = pipeline.build([str(corpus)], ledger)
    assert second.documents_added == 1 and second.unchanged_files == 1
    counts = sqlite3.connect(db).execute(
        "SELECT COUNT(DISTINCT doc_id) FROM claims").fetchone()[0]
    assert counts == 2
