"""Embedding ahead: the build embeds what linking compares where each document is extracted, with
the packaged model run by ONNX Runtime, and linking then finds those vectors in the ledger."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from conftest import EXAMPLES, EXAMPLES_MAP, FIXTURES
from storyledger import pipeline
from storyledger.engine import Engine
from storyledger.ingest.readers import ReadOptions, parse_field_map
from storyledger.link import corpus, embeddings
from storyledger.link.embeddings import BATCH, MAX_TOKENS, sentence_transformer, text_hash
from storyledger.link.onnx_model import onnx_encoder, onnx_path
from storyledger.link.stance_features import embedded_sentences
from storyledger.store.ledger import Ledger

SENTENCES = [
    "The harbour board said the northern quay would reopen on Monday after repairs.",
    "Officials denied that any crack had been found in the dam wall.",
    "",  # an empty evidence string must still give a vector
    "Über-long " + "word " * 200,  # past the token window: cut as sentence-transformers cuts it
    "“Nobody was hurt,” a spokeswoman for the ferry operator told reporters — twice.",
]


def test_onnx_runtime_gives_the_vectors_sentence_transformers_gives() -> None:
    if not onnx_path().is_file():
        pytest.skip(f"{onnx_path()} is absent: run scripts/setup.sh to export the embedding model")
    onnx = onnx_encoder(MAX_TOKENS, 1).encode(SENTENCES, BATCH)
    reference = sentence_transformer().encode(SENTENCES, batch_size=BATCH, normalize_embeddings=True)
    assert onnx.shape == (len(SENTENCES), 384)
    assert float(np.abs(onnx - reference).max()) < 1e-5
    assert np.allclose(np.linalg.norm(onnx, axis=1), 1.0, atol=1e-5)


def _build(path: str, engine: Engine | None = None) -> None:
    options = ReadOptions(field_map=parse_field_map(EXAMPLES_MAP))
    with Ledger(path) as ledger:
        pipeline.build([str(EXAMPLES), str(FIXTURES / "articles")], ledger, options, engine=engine)


def test_the_build_embeds_ahead_what_linking_compares(tmp_path, monkeypatch) -> None:
    embedded_by_linking: list[str] = []
    embed = embeddings.embed

    def counting_embed(texts, *, single_thread=False):
        if not single_thread:  # not the build's embedding ahead, which runs on one thread
            embedded_by_linking.extend(texts)
        return embed(texts, single_thread=single_thread)

    monkeypatch.setattr(corpus, "embed", counting_embed)
    monkeypatch.setattr(embeddings, "embed", counting_embed)  # the stance model's sentences
    db = str(tmp_path / "ledger.db")
    _build(db)
    con = sqlite3.connect(db)
    claims = con.execute("SELECT COUNT(*) FROM claims").fetchone()[0]
    ahead = con.execute("SELECT COUNT(*) FROM claim_embeddings").fetchone()[0]
    texts = con.execute("SELECT COUNT(*) FROM text_embeddings").fetchone()[0]
    evidence = {text_hash(s) for (e,) in con.execute(
        "SELECT json_extract(c.data, '$.evidence') FROM thread_claims t "
        "JOIN claims c ON c.doc_id = t.doc_id AND c.claim_id = t.claim_id") for s in embedded_sentences(e)}
    stored = {h for (h,) in con.execute("SELECT text_hash FROM text_embeddings")}
    con.close()
    assert 0 < ahead < claims  # the compared claims, not all of them
    assert texts >= ahead
    assert evidence and evidence <= stored  # what the stance model read of each placed claim
    # Linking embedded at most the few reports a denial made candidates, not the compared claims.
    assert len(embedded_by_linking) <= 0.1 * ahead, embedded_by_linking


def test_a_texts_vector_does_not_depend_on_what_shares_its_call() -> None:
    if not onnx_path().is_file():
        pytest.skip(f"{onnx_path()} is absent: run scripts/setup.sh to export the embedding model")
    encoder = onnx_encoder(MAX_TOKENS, 1)
    together = encoder.encode(SENTENCES * 2 + ["A short one.", "Another, rather longer, sentence follows it."], BATCH)
    for i, sentence in enumerate(SENTENCES):
        alone = encoder.encode([sentence], BATCH)[0]
        assert np.array_equal(alone, together[i]) and np.array_equal(alone, together[len(SENTENCES) + i])


def test_a_document_whose_texts_cannot_be_embedded_costs_the_others_nothing(tmp_path, monkeypatch) -> None:
    from storyledger.extract.document import extract_documents
    from storyledger.link import ahead
    from storyledger.model import Document, OffsetMap

    texts = {"good": "The harbour board said on Monday that the northern quay would reopen after repairs.",
             "bad": "The ferry operator said the service to the island had been suspended for a week."}
    extractions = list(extract_documents([
        Document(k, None, None, "The Outlet", "metadata", None, None, "2026-03-02", "metadata", None, None,
                 f"{k}.txt", None, v, v, OffsetMap(((0, 0, len(v)),)), ()) for k, v in texts.items()]))
    real = ahead.embed

    def fails_on_the_suspension(batch, *, single_thread=False):
        if any("suspended" in t for t in batch):
            raise RuntimeError("the encoder broke on this text")
        return real(batch, single_thread=single_thread)

    monkeypatch.setattr(ahead, "embed", fails_on_the_suspension)
    good, bad = ahead.batch_vectors(extractions)
    assert isinstance(bad, RuntimeError)
    assert good.doc_id == "good" and good.claims and good.texts


def test_every_engine_stores_the_same_vectors(tmp_path, monkeypatch) -> None:
    # several batches in flight, cut differently: a vector does not depend on its batch
    single, pool = str(tmp_path / "single.db"), str(tmp_path / "pool.db")
    monkeypatch.setattr(pipeline, "BATCH_DOCS", 3)
    with Engine("local", 1) as engine:
        _build(single, engine)
    monkeypatch.setattr(pipeline, "BATCH_DOCS", 5)
    with Engine("local", 2) as engine:
        _build(pool, engine)
    query = "SELECT doc_id, claim_id, text_hash, vector FROM claim_embeddings ORDER BY doc_id, claim_id"
    rows = [sqlite3.connect(path).execute(query).fetchall() for path in (single, pool)]
    assert rows[0] and rows[0] == rows[1]


def test_blocked_neighbour_search_finds_the_close_pairs_the_whole_search_finds(tmp_path, monkeypatch) -> None:
    from storyledger.link import neighbours

    db = str(tmp_path / "ledger.db")
    _build(db)
    matrix = np.stack([np.frombuffer(v, dtype=np.float32) for (v,) in sqlite3.connect(db).execute(
        "SELECT vector FROM claim_embeddings ORDER BY doc_id, claim_id")])

    def close_pairs() -> set[tuple[int, int]]:
        return {(i, int(j)) for i, rows, sims in neighbours.nearest(matrix, 10)
                for j, s in zip(rows, sims, strict=True) if s >= 0.5 and j != i}

    whole = close_pairs()
    monkeypatch.setattr(neighbours, "WHOLE_SEARCH", 16)
    monkeypatch.setattr(neighbours, "CELL_CLAIMS", len(matrix) // 6)  # six cells
    assert len(neighbours.cells(matrix)) >= 5
    blocked = close_pairs()
    assert len(whole) > 20
    assert len(blocked & whole) >= 0.9 * len(whole), (len(blocked & whole), len(whole))
    assert close_pairs() == blocked  # the same cells every run
