"""`storyledger bench`: the throughput comparison runs end to end, and the corpus the memory mode
grows is made of new documents, not copies that linking would skip."""

from __future__ import annotations

from pathlib import Path

from conftest import EXAMPLES, EXAMPLES_MAP
from storyledger.eval.bench import _write_grown_corpus, corpus_documents, render, throughput
from storyledger.ingest.near_duplicates import NearDuplicateIndex, signature
from storyledger.ingest.readers import ReadOptions, parse_field_map

OPTIONS = ReadOptions(field_map=parse_field_map(EXAMPLES_MAP))


def test_grown_corpus_rounds_are_new_documents(tmp_path: Path) -> None:
    docs = corpus_documents(str(EXAMPLES), OPTIONS)
    assert len(docs) == 13
    _write_grown_corpus(docs, 3 * len(docs), tmp_path)
    texts = [p.read_text(encoding="utf-8") for p in sorted(tmp_path.glob("*.txt"))]
    assert len(texts) == 39 and len(set(texts)) == 39
    index = NearDuplicateIndex()
    copies = []
    for i, text in enumerate(texts):
        minhash = signature(text)
        if index.canonical_for(minhash):
            copies.append(i)
        index.add(str(i), minhash)
    assert copies == []  # the build would extract and link every one of them
    # Each later document keeps its base document's odd paragraphs (the headline among them).
    for i in range(13, 39):
        base = docs[i % 13].text.split("\n\n")
        grown = texts[i].rstrip("\n").split("\n\n")
        assert grown[0] == base[0] and grown[2::2] == base[2::2]


def test_throughput_compares_the_build_with_the_parse(tmp_path: Path) -> None:
    result = throughput(str(EXAMPLES), OPTIONS)
    assert result["documents"] == result["documents_built"] == 13
    assert result["words"] > 5000
    assert 0 < result["ratio_full_to_parse"] <= 1.5
    stages = result["stages_seconds"]
    assert {"read", "clean", "parse", "time", "attribution", "quantities", "claims", "store", "link"} <= set(stages)
    assert result["parse_only"]["words_per_second"] > result["full_build"]["words_per_second"] * 0.5
    # the build's worker process is counted once the engine has closed it: more CPU than the parse
    assert result["full_build"]["cpu_seconds"] > result["parse_only"]["cpu_seconds"] > 0
    assert {"transfer", "embed"} <= set(stages)  # the parse sent from the worker, extracted and embedded here
    report = render({"corpus": str(EXAMPLES), "throughput": result})
    assert "parse only" in report and "full build" in report and "ratio of throughputs" in report and "CPU s" in report


def test_track_mode_answers_on_a_copy_of_the_ledger(tmp_path: Path) -> None:
    import sqlite3

    from conftest import FIXTURES, cli
    from storyledger.eval.bench import tracking

    db = str(tmp_path / "ledger.db")
    cli("build", str(FIXTURES / "track" / "articles.jsonl"), "--db", db, "-q")

    def followed() -> int:
        with sqlite3.connect(db) as con:
            return con.execute("SELECT COUNT(*) FROM user_threads").fetchone()[0]

    result = tracking(db_path=db)["track"]
    assert followed() == 0  # measured on a copy: the ledger given is left as it was
    assert result["documents"] == 6 and result["claims"] > 0
    assert len(set(result["propositions"].values())) == 3  # three different claims of the ledger
    for key in ("first_track_seconds", "new_proposition_seconds", "cached_proposition_seconds",
                "cached_proposition_process_seconds"):
        assert result[key] > 0
    assert "a proposition whose embeddings are cached" in render({"track": result})
