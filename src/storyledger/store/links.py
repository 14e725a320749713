"""What linking reads from the ledger and writes to its link tables (migration 3). All writes of
one relink happen in one transaction, so a reader never sees half a rebuild. Every statement is
parameterised. Readers of the link tables (the command line, the app, the report) use
store.queries."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from .ledger import Ledger

_LINK_TABLES = ("thread_claims", "thread_documents", "contradictions", "threads", "denial_links",
                "series_points", "series_conflicts", "entity_mentions", "entity_aliases", "entities",
                "track_records")


def read_documents(ledger: Ledger) -> list[dict[str, Any]]:
    rows = ledger.db.execute(
        "SELECT seq, id, title, outlet, published, date_estimate, duplicate_of FROM documents ORDER BY seq").fetchall()
    return [dict(r) for r in rows]


# Linking reads the canonical copy of each story: near-duplicates add no claims of their own.
_CANONICAL_CLAIMS = (
    "FROM claims c JOIN documents d ON d.id = c.doc_id AND d.duplicate_of IS NULL ")


def claim_names(ledger: Ledger) -> Iterator[str]:
    """Every source name, then every entity name, written in a canonical claim, streamed (the
    first spelling of a name is the one shown, so sources come first)."""
    for _, _, source, _ in claim_names_by_claim(ledger):
        if source:
            yield source
    for _, _, _, entities in claim_names_by_claim(ledger):
        yield from json.loads(entities or "[]")


def names_never_people(ledger: Ledger) -> set[str]:
    """The entity names of canonical claims that the text's entity labels call something other
    than a person (an organisation, a nationality) and never a person. Claims extracted before
    labels were kept contribute nothing."""
    labels: dict[str, set[str]] = {}
    for names, kinds in ledger.db.execute(
            "SELECT json_extract(c.data, '$.entities'), json_extract(c.data, '$.entity_labels') "
            + _CANONICAL_CLAIMS):
        if names and kinds:
            for name, kind in zip(json.loads(names), json.loads(kinds), strict=False):
                labels.setdefault(name, set()).add(kind)
    return {name for name, kinds in labels.items() if "PERSON" not in kinds}


def claim_names_by_claim(ledger: Ledger) -> Iterator[tuple[str, str, str | None, str | None]]:
    """(doc_id, claim_id, source, entities as JSON) of every canonical claim, streamed."""
    yield from ledger.db.execute(
        "SELECT c.doc_id, c.claim_id, json_extract(c.data, '$.source'), json_extract(c.data, '$.entities') "
        + _CANONICAL_CLAIMS + "ORDER BY d.seq, c.start")


def iter_claims(ledger: Ledger, doc_id: str | None = None) -> Iterator[dict[str, Any]]:
    """The canonical claims (of one document, or all) in document order, one record at a time,
    with their attribution's cue, kind and source as written."""
    where, params = ("WHERE c.doc_id = ? ", (doc_id,)) if doc_id else ("", ())
    for r in ledger.db.execute(
            "SELECT c.doc_id, c.data, a.cue_text, a.kind AS akind, a.source_text, a.parent_id " + _CANONICAL_CLAIMS
            + "LEFT JOIN attributions a ON a.doc_id = c.doc_id AND a.attribution_id = c.attribution_id "
            + where + "ORDER BY d.seq, c.start", params):
        yield {"doc_id": r["doc_id"], **json.loads(r["data"]), "cue_text": r["cue_text"],
               "attribution_kind": r["akind"], "source_text": r["source_text"], "parent_id": r["parent_id"]}


_CANONICAL_QUANTITIES = "FROM quantities q JOIN documents d ON d.id = q.doc_id AND d.duplicate_of IS NULL "


def quantity_sources(ledger: Ledger) -> Iterator[str]:
    for (source,) in ledger.db.execute("SELECT json_extract(q.data, '$.source') " + _CANONICAL_QUANTITIES):
        if source:
            yield source


def canonical_quantities(ledger: Ledger) -> Iterator[dict[str, Any]]:
    """The canonical quantities by measure and date, one record at a time."""
    for r in ledger.db.execute("SELECT q.doc_id, q.data, d.outlet, d.published " + _CANONICAL_QUANTITIES
                               + "ORDER BY q.measure_key, d.published, d.seq, q.start"):
        yield {"doc_id": r["doc_id"], **json.loads(r["data"]), "outlet": r["outlet"], "published": r["published"]}


def read_embeddings(ledger: Ledger) -> dict[tuple[str, str], tuple[str, np.ndarray]]:
    return {(r[0], r[1]): (r[2], np.frombuffer(r[3], dtype=np.float32)) for r in ledger.db.execute(
        "SELECT e.doc_id, e.claim_id, e.text_hash, e.vector FROM claim_embeddings e "
        "JOIN documents d ON d.id = e.doc_id AND d.duplicate_of IS NULL")}


def read_user_threads(ledger: Ledger) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in ledger.db.execute(
        "SELECT thread_id, proposition FROM user_threads ORDER BY created_at, thread_id")]


def add_user_thread(ledger: Ledger, thread_id: str, proposition: str) -> None:
    with ledger.transaction() as db:
        db.execute("INSERT OR IGNORE INTO user_threads (thread_id, proposition, created_at) VALUES (?, ?, ?)",
                   (thread_id, proposition, dt.datetime.now(dt.UTC).isoformat(timespec="seconds")))


def write_links(ledger: Ledger, *, embeddings: list[tuple], threads: list[tuple], thread_claims: list[tuple],
                thread_documents: list[tuple], denial_links: list[tuple], contradictions: list[tuple],
                series_points: list[tuple], series_conflicts: list[tuple], entities: list[tuple],
                aliases: list[tuple], mentions: Iterable[tuple], tracks: list[tuple]) -> None:
    """Replace every link table's rows (embeddings are only added to) in one transaction."""
    with ledger.transaction() as db:
        db.executemany("INSERT OR REPLACE INTO claim_embeddings (doc_id, claim_id, model, text_hash, vector) "
                       "VALUES (?, ?, ?, ?, ?)", embeddings)
        for table in _LINK_TABLES:
            db.execute(f"DELETE FROM {table}")  # noqa: S608 - names from the constant above
        db.executemany("INSERT INTO threads (thread_id, origin, label, proposition, event, entities, "
                       "first_doc_id, first_claim_id, first_date, claims, documents, rule, data) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", threads)
        db.executemany("INSERT INTO thread_claims (thread_id, doc_id, claim_id, stance, hedged, score, relevance, "
                       "date, source, rule, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", thread_claims)
        db.executemany("INSERT INTO thread_documents (thread_id, doc_id, stance, hedged, score, rule) "
                       "VALUES (?, ?, ?, ?, ?, ?)", thread_documents)
        db.executemany("INSERT OR IGNORE INTO denial_links (doc_id, claim_id, denied_doc_id, denied_claim_id, "
                       "score, rule) VALUES (?, ?, ?, ?, ?, ?)", denial_links)
        db.executemany("INSERT INTO contradictions (thread_id, kind, a_doc_id, a_claim_id, b_doc_id, b_claim_id, "
                       "days, rule, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", contradictions)
        db.executemany("INSERT OR REPLACE INTO series_points (measure_key, doc_id, quantity_id, value, low, high, "
                       "approx, as_of, as_of_source, source, conflict, rule, data) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", series_points)
        db.executemany("INSERT INTO series_conflicts (measure_key, window, a_doc_id, a_quantity_id, b_doc_id, "
                       "b_quantity_id, rule, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", series_conflicts)
        db.executemany("INSERT INTO entities (entity_id, name, rule, mentions) VALUES (?, ?, ?, ?)", entities)
        db.executemany("INSERT OR IGNORE INTO entity_aliases (entity_id, alias, rule) VALUES (?, ?, ?)", aliases)
        db.executemany("INSERT INTO entity_mentions (entity_id, doc_id, item_id, role, text) "
                       "VALUES (?, ?, ?, ?, ?)", mentions)
        db.executemany("INSERT INTO track_records (kind, name, claims, supported, denied, median_days_to_denial, "
                       "rule, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", tracks)
