"""Following new propositions without relinking the corpus (`storyledger track` on a ledger whose
links hold).

A relink rebuilds every link from every claim: seconds to minutes on a large ledger. When
nothing has changed since the last one but the propositions a user adds (the fingerprint of
:mod:`.link_state` matches), a new thread is computed alone, by the same functions a relink uses,
over what it can touch: every claim's cached embedding (one matrix product), the documents that
hold a claim close enough to be retrieved (their claims' records, read from the ledger), the
denials of what it may place, and the stance model on those documents (their sentences' vectors
cached in the ledger). Nothing else on the corpus changes when a thread is added but the track
records, which count every thread's reports: they are rebuilt from the stored rows (each outlet's
and source's claim count and citers, every thread's placed claims and every disagreement's claim
pairs) plus the new threads'. The result equals a relink's: `tests/test_follow.py` compares them.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..store import links as sql
from ..store.ledger import Ledger
from .contradictions import find_contradictions, window_from
from .corpus import (
    _NONE,
    ClaimVectors,
    LinkReport,
    _ClaimRecords,
    _DocumentTexts,
    _entities_in,
    _judge_candidates,
    _place_and_decide,
    contradiction_row,
    corpus_records,
    document_judge,
    main_entities,
    thread_output,
    track_row,
)
from .denials import mark_relayed_denials
from .link_state import link_fingerprint, read_link_state, read_resolved, write_link_state
from .retrieval import search, search_floor
from .stance_features import embed_texts
from .text_vectors import LedgerTextVectors
from .threads import ClaimRec, is_compared, is_denial, user_thread
from .tracks import track_records

_CANONICAL = "FROM claims c JOIN documents d ON d.id = c.doc_id AND d.duplicate_of IS NULL "


def follow_new(ledger: Ledger, model: Any) -> LinkReport | None:
    """Add the threads of the propositions tracked since the last relink to the stored links, as a
    relink would. None (nothing written) when the stored links do not hold: relink instead."""
    fingerprint, followed = read_link_state(ledger)
    if fingerprint is None or fingerprint != link_fingerprint(ledger, model):
        return None
    if any("pair_keys" not in json.loads(data) for (data,) in ledger.db.execute(
            "SELECT data FROM contradictions WHERE kind = 'disagreement'")):
        return None  # linked before the pairs were kept: the track records cannot be rebuilt
    user = sql.read_user_threads(ledger)
    new = [(thread_id, proposition) for thread_id, proposition in user if thread_id not in followed]
    report = LinkReport()
    if new:
        _add_threads(ledger, new, model, report)
    write_link_state(ledger, fingerprint, [thread_id for thread_id, _ in user])
    return report


def _add_threads(ledger: Ledger, new: list[tuple[str, str]], model: Any, report: LinkReport) -> None:
    docs, index, records = corpus_records(ledger, read_resolved(ledger))  # names as the relink resolved them
    canonical = records.canonical
    seq = {d["id"]: d["seq"] for d in docs}
    known_entities = {name for (entity,) in ledger.db.execute(
        "SELECT DISTINCT j.value " + _CANONICAL + ", json_each(c.data, '$.entities') j")
        if (name := index.resolve(entity))}
    everything = [((doc_id, claim_id), proposition) for doc_id, claim_id, proposition in ledger.db.execute(
        "SELECT c.doc_id, json_extract(c.data, '$.id'), json_extract(c.data, '$.proposition') " + _CANONICAL
        + "ORDER BY d.seq, c.start")]
    report.claims = len(everything)
    vectors = ClaimVectors(sql.read_embeddings(ledger))
    vectors.ensure_texts(everything)
    store = LedgerTextVectors(ledger)
    known = sorted(known_entities, key=len, reverse=True)
    followed = [user_thread(thread_id, proposition, vector, _entities_in(proposition, known, index.resolve))
                for (thread_id, proposition), vector in zip(
                    new, embed_texts([p for _, p in new], store=store), strict=True)]
    matrix = np.stack([vectors.cached[key][1] for key, _ in everything]) if everything \
        else np.zeros((0, 384), np.float32)
    hits = search(matrix, np.stack([t.vector for t in followed]), search_floor())

    # The documents a new thread can touch: those of its retrieved claims, and the denials of
    # their claims (a denial joins every thread the report it denies is on).
    links = ledger.db.execute("SELECT doc_id, claim_id, denied_doc_id, denied_claim_id FROM denial_links "
                              "ORDER BY rowid").fetchall()
    denied_by: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for doc_id, claim_id, denied_doc, denied_claim in links:
        denied_by[(doc_id, claim_id)].append((denied_doc, denied_claim))
    touched = {everything[i][0][0] for found in hits for i in found}
    touched |= {d for d, _, r, _ in links if r in touched}
    by_key, compared = _document_records(ledger, records, sorted(touched, key=seq.__getitem__))
    vectors.ensure(list(by_key.values()))
    retrieved = {t.thread_id: [(by_key[everything[i][0]], sim) for i, sim in sorted(found.items())]
                 for t, found in zip(followed, hits, strict=True)}

    texts = _DocumentTexts(ledger)
    judge = document_judge(_judge_candidates(followed, retrieved, texts, model, store), texts, model, store)
    _place_and_decide(followed, compared, retrieved, by_key, denied_by, vectors.ensure, model, judge, store)
    denials = [{"denial": by_key[(d, c)], "report": by_key[(rd, rc)]} for d, c, rd, rc in links
               if (d, c) in by_key and (rd, rc) in by_key]
    estimates = {doc_id: json.loads(d["date_estimate"]) for doc_id, d in canonical.items() if d["date_estimate"]}

    def window_of(c: ClaimRec):
        return window_from(c.about, estimates.get(c.doc_id))

    contradictions = [x for t in followed for x in find_contradictions(t, by_key, denials, window_of)]
    outputs = [thread_output(t, by_key, estimates, denied_by, judge) for t in followed]
    tracks = _rebuilt_track_records(ledger, {t.thread_id for t in followed}, followed, by_key, contradictions, seq)
    report.threads, report.contradictions, report.embedded = len(followed), len(contradictions), len(vectors.new)
    store.flush()
    _write(ledger, [t.thread_id for t in followed], outputs, [contradiction_row(x) for x in contradictions],
           [track_row(r) for r in tracks], vectors.new)


def _document_records(ledger: Ledger, records: _ClaimRecords, doc_ids: list[str]
                      ) -> tuple[dict[tuple[str, str], ClaimRec], list[ClaimRec]]:
    """Every claim record of these documents, as a relink makes them (context, and the relayed
    denials of the claims it compares marked), and the claims a relink compares among them."""
    by_key: dict[tuple[str, str], ClaimRec] = {}
    compared: list[ClaimRec] = []
    for doc_id in doc_ids:
        claims = [records.make(r) for r in sql.iter_claims(ledger, doc_id)]
        context = main_entities([c.entities for c in claims]) or _NONE
        for position, c in enumerate(claims):
            c.context = context
            by_key[c.key] = c
            if is_compared(position, c.events, is_denial(c)):
                compared.append(c)
    mark_relayed_denials(compared)
    return by_key, compared


@dataclass
class _Stored:
    """What the track records read of a claim placed on a stored thread."""

    key: tuple[str, str]
    doc_id: str
    claim_id: str
    source: str | None
    outlet: str | None
    reported: str | None
    order: tuple[int, int]


@dataclass
class _StoredThread:
    claims: dict[tuple[str, str], Any]


@dataclass
class _Stance:
    stance: str


def _rebuilt_track_records(ledger: Ledger, new_ids: set[str], followed: list, by_key: dict,
                           contradictions: list[dict[str, Any]], seq: dict[str, int]) -> list[dict[str, Any]]:
    """The track records of every stored thread and the new ones, from the stored rows: the same
    as :func:`.tracks.track_records` over a relink's threads."""
    counts, cited_by = {}, {}
    for kind, name, n, data in ledger.db.execute("SELECT kind, name, claims, data FROM track_records"):
        counts[(kind, name)] = n
        if kind == "source":
            cited_by[name] = set(json.loads(data).get("cited_by", []))
    claims: dict[tuple[str, str], Any] = dict(by_key)
    threads: dict[str, _StoredThread] = defaultdict(lambda: _StoredThread({}))
    for thread_id, doc_id, claim_id, stance, source, outlet, reported, start in ledger.db.execute(
            "SELECT t.thread_id, t.doc_id, t.claim_id, t.stance, t.source, json_extract(t.data, '$.outlet'), "
            "json_extract(t.data, '$.reported'), c.start FROM thread_claims t "
            "JOIN claims c ON c.doc_id = t.doc_id AND c.claim_id = t.claim_id"):
        if thread_id in new_ids:
            continue
        key = (doc_id, claim_id)
        claims.setdefault(key, _Stored(key, doc_id, claim_id, source, outlet, reported, (seq[doc_id], start)))
        threads[thread_id].claims[key] = _Stance(stance)
    stored_contradictions = []
    for thread_id, kind, data in ledger.db.execute("SELECT thread_id, kind, data FROM contradictions"):
        if thread_id not in new_ids:
            stored_contradictions.append({"kind": kind, "pairs": [
                ((a, b), (c, d)) for a, b, c, d in json.loads(data)["pair_keys"]]})
    return track_records(Counter(counts), cited_by, claims, [*threads.values(), *followed],
                         stored_contradictions + contradictions)


def _write(ledger: Ledger, thread_ids: list[str], outputs: list[tuple], contradictions: list[tuple],
           tracks: list[tuple], embeddings: list[tuple]) -> None:
    """The new threads' rows (replacing any of theirs) and the rebuilt track records, in one
    transaction."""
    with ledger.transaction() as db:
        db.executemany("INSERT OR REPLACE INTO claim_embeddings (doc_id, claim_id, model, text_hash, vector) "
                       "VALUES (?, ?, ?, ?, ?)", embeddings)
        for table in ("contradictions", "thread_documents", "thread_claims", "threads"):
            db.executemany(f"DELETE FROM {table} WHERE thread_id = ?",  # noqa: S608 - fixed names
                           [(t,) for t in thread_ids])
        db.executemany("INSERT INTO threads (thread_id, origin, label, proposition, event, entities, "
                       "first_doc_id, first_claim_id, first_date, claims, documents, rule, data) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [o[0] for o in outputs])
        db.executemany("INSERT INTO thread_claims (thread_id, doc_id, claim_id, stance, hedged, score, relevance, "
                       "date, source, rule, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       [row for o in outputs for row in o[1]])
        db.executemany("INSERT INTO thread_documents (thread_id, doc_id, stance, hedged, score, rule) "
                       "VALUES (?, ?, ?, ?, ?, ?)", [row for o in outputs for row in o[2]])
        db.executemany("INSERT INTO contradictions (thread_id, kind, a_doc_id, a_claim_id, b_doc_id, b_claim_id, "
                       "days, rule, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", contradictions)
        db.execute("DELETE FROM track_records")
        db.executemany("INSERT INTO track_records (kind, name, claims, supported, denied, median_days_to_denial, "
                       "rule, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", tracks)

