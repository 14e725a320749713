"""A build re-run on unchanged inputs skips them without loading the NLP stack or the MinHash
library (the extractors and the near-duplicate index are imported only when a document is new),
and changes nothing; a grown corpus still extracts its new documents. Checked with Python's own
import log in a fresh process, on the hand-written fixture articles."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from conftest import FIXTURES, cli

HEAVY = ("spacy", "torch", "sentence_transformers", "dask", "datasketch", "scipy")
ARTICLES = FIXTURES / "track" / "articles.jsonl"


def _imports_of_build(*args: str) -> tuple[set[str], str]:
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "storyledger", "build", *args],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()
                if line.startswith("import time")}
    return {m for m in imported if m.split(".")[0] in HEAVY}, result.stderr


def _counts(db: str) -> tuple[int, ...]:
    con = sqlite3.connect(db)
    try:
        return tuple(con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]  # noqa: S608 - fixed names
                     for t in ("documents", "claims", "threads", "thread_claims"))
    finally:
        con.close()


def test_an_unchanged_rerun_loads_no_heavy_library_and_changes_nothing(tmp_path: Path) -> None:
    db = str(tmp_path / "ledger.db")
    cli("build", str(ARTICLES), "--db", db, "-q")
    before = _counts(db)
    heavy, log = _imports_of_build(str(ARTICLES), "--db", db)
    assert not heavy, sorted(heavy)
    assert "0 documents added, 1 unchanged input(s) skipped" in log
    assert _counts(db) == before and before[0] == 6 and before[1] > 0


def test_a_grown_corpus_still_extracts_its_new_documents(tmp_path: Path) -> None:
    db = str(tmp_path / "ledger.db")
    cli("build", str(ARTICLES), "--db", db, "-q")
    before = _counts(db)
    extra = tmp_path / "new.txt"
    extra.write_text("Orsk council approves new bridge\n\nThe Orsk town council approved a new footbridge over "
                     "the Varn on Tuesday, the mayor said. Work will start in May.\n", encoding="utf-8")
    heavy, log = _imports_of_build(str(ARTICLES), str(extra), "--db", db)
    assert "spacy" in {m.split(".")[0] for m in heavy}  # a new document is parsed
    assert "1 documents added" in log or "1 document added" in log
    after = _counts(db)
    assert after[0] == before[0] + 1 and after[1] > before[1]
