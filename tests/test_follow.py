"""Tracking on a ledger whose links hold computes the new threads alone (link/follow.py), and its
tables equal those of a full relink; embeddings of claims, tracked propositions and the sentences
the stance model reads are kept in the ledger, so a relink of an unchanged ledger embeds nothing.
On the hand-written fixture articles of tests/fixtures/track and, when present, the seeds."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import test_track
from storyledger.link import embeddings
from storyledger.link.corpus import relink
from storyledger.link.follow import follow_new
from storyledger.link.link_state import read_link_state
from storyledger.link.stance import default_model
from storyledger.link.tracking import track_propositions
from storyledger.store.ledger import Ledger
from storyledger.store.links import add_user_thread
from test_track import FLOOD, ORCHIDS

TRANSFER = "The striker signed for a new club"
track_db = test_track.track_db  # the fixture corpus's ledger

_TABLES = {"threads": "thread_id", "thread_claims": "thread_id, doc_id, claim_id",
           "thread_documents": "thread_id, doc_id",
           "contradictions": "thread_id, kind, a_doc_id, a_claim_id, b_doc_id, b_claim_id",
           "track_records": "kind, name", "denial_links": "doc_id, claim_id, denied_doc_id, denied_claim_id"}


def _dump(db: str) -> dict[str, list]:
    con = sqlite3.connect(db)
    try:
        return {table: con.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()  # noqa: S608
                for table, order in _TABLES.items()}
    finally:
        con.close()


def _copy(db: str, target: Path) -> str:
    target.write_bytes(Path(db).read_bytes())
    return str(target)


def _followed_then_relinked(db: str, tmp_path: Path, propositions: list[str]) -> tuple[dict, dict]:
    """The tables after tracking each proposition in turn on a linked ledger, and after one
    relink of a copy that follows them all."""
    fast, full = _copy(db, tmp_path / "fast.db"), _copy(db, tmp_path / "full.db")
    model = default_model()
    with Ledger(fast) as ledger:
        for proposition in propositions:
            track_propositions(ledger, [proposition])
            assert read_link_state(ledger)[1] >= {t for t, p in ledger.db.execute(
                "SELECT thread_id, proposition FROM user_threads") if p == proposition}
    with Ledger(full) as ledger:
        from storyledger.link.corpus import user_thread_id

        for proposition in propositions:
            add_user_thread(ledger, user_thread_id(proposition), proposition)
        relink(ledger, stance_model=model)
    return _dump(fast), _dump(full)


def test_tracking_without_a_relink_equals_a_relink(track_db: str, tmp_path: Path) -> None:
    fast, full = _followed_then_relinked(track_db, tmp_path, [ORCHIDS, FLOOD, TRANSFER])
    assert fast == full
    assert {t[0] for t in fast["threads"] if t[1] == "user"} and fast["thread_claims"] and fast["track_records"]


def test_a_linked_ledger_takes_the_short_way_and_a_changed_one_does_not(track_db: str, tmp_path: Path) -> None:
    db = _copy(track_db, tmp_path / "ledger.db")
    model = default_model()
    with Ledger(db) as ledger:
        add_user_thread(ledger, "u-orchids", ORCHIDS)
        followed = follow_new(ledger, model)
        assert followed is not None and followed.threads == 1
        assert "u-orchids" in read_link_state(ledger)[1]
        assert follow_new(ledger, model) is not None  # nothing new: nothing to do, links still hold
    # a document's date changed after the last relink: the links no longer hold
    with Ledger(db) as ledger:
        with ledger.transaction() as con:
            con.execute("UPDATE documents SET published = '2026-01-06' WHERE seq = (SELECT MIN(seq) FROM documents)")
        add_user_thread(ledger, "u-flood", FLOOD)
        assert follow_new(ledger, model) is None


def test_a_relink_of_an_unchanged_ledger_embeds_nothing(track_db: str, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    db = _copy(track_db, tmp_path / "ledger.db")
    with Ledger(db) as ledger:
        track_propositions(ledger, [ORCHIDS, FLOOD])
        stored = ledger.db.execute("SELECT COUNT(*) FROM text_embeddings").fetchone()[0]
        before = _dump(db)

    def no_embedding(texts: list[str]):
        raise AssertionError(f"embedded {len(texts)} text(s) that the ledger holds")

    monkeypatch.setattr(embeddings, "embed", no_embedding)
    from storyledger.link import stance_features

    stance_features._EMBEDDED.clear()  # the vectors must come from the ledger, not this process
    with Ledger(db) as ledger:
        assert relink(ledger).embedded == 0
    assert stored > 2  # the propositions and the sentences of the documents the model read
    assert _dump(db) == before


def test_seeds_tracking_without_a_relink_equals_a_relink(seeds_db: str, tmp_path: Path) -> None:
    fast, full = _followed_then_relinked(seeds_db, tmp_path, [
        "US troops will withdraw from Syria", "The Pentagon denied the report"])
    assert fast == full and fast["contradictions"]
