"""Relink: rebuild the corpus-level records (entities, denial links, threads with stances,
contradictions, quantity series, track records) from the per-document records in the ledger.

Deterministic, and cheap to re-run: it reads the compact claim and quantity records, never the
text, and embeds only the claims it compares, each once (vectors are cached in the ledger).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..store import links as sql
from ..store.ledger import Ledger
from .contradictions import Window, find_contradictions, window_from
from .embeddings import MODEL_NAME, embed, text_hash
from .entities import EntityIndex
from .series import build_series
from .threads import (
    ClaimRec,
    Thread,
    cluster_threads,
    decide_stance,
    events_of,
    is_denial,
    is_lexical_candidate,
    link_denials,
    mark_relayed_denials,
    place_claims,
    user_thread,
)
from .tracks import answerable, track_records


@dataclass
class LinkReport:
    claims: int = 0
    embedded: int = 0
    threads: int = 0
    denial_links: int = 0
    contradictions: int = 0
    series_points: int = 0
    series_conflicts: int = 0
    entities: int = 0

    def summary(self) -> str:
        return (f"{self.threads} thread(s), {self.contradictions} contradiction(s), {self.denial_links} denial "
                f"link(s), {self.series_points} series point(s) with {self.series_conflicts} conflict(s), "
                f"{self.entities} entities; {self.embedded} of {self.claims} claims newly embedded")


def user_thread_id(proposition: str) -> str:
    return "u" + hashlib.sha1(" ".join(proposition.lower().split()).encode()).hexdigest()[:10]


def _day(value: str | None) -> str | None:
    if value and re.match(r"^\d{4}-\d{2}-\d{2}", value):
        return value[:10]
    return None


def relink(ledger: Ledger) -> LinkReport:
    """Rebuild every link table of ``ledger`` (opened for writing) in one transaction.

    Memory grows with the claims linking compares, not with the corpus: one streamed pass over
    every claim keeps tallies (entities, documents' main entities, track-record counts) and full
    records only of claims about an event family and of denials. Other claims are read again
    only where needed: a denial's own document, and candidates for a user's thread."""
    report = LinkReport()
    docs = sql.read_documents(ledger)
    canonical = {d["id"]: d for d in docs if not d["duplicate_of"]}
    outlets = {d["id"]: d["outlet"] for d in docs}

    # Entities: sources and claim entities, resolved across the corpus.
    names = itertools.chain(sql.claim_names(ledger), sql.quantity_sources(ledger))
    index = EntityIndex.build(n for n in names if n)
    records = _ClaimRecords(canonical, index.resolve)

    # One pass over every claim (in document order).
    entities_tally = _EntityTally(index)
    groups = _TrackTally()
    compared: list[ClaimRec] = []
    known_entities: set[str] = set()
    doc_id, doc_entities = None, []
    for r in sql.iter_claims(ledger):
        c = records.make(r)
        if c.doc_id != doc_id:
            records.add_context(doc_id, doc_entities)
            doc_id, doc_entities = c.doc_id, []
        report.claims += 1
        entities_tally.add(r)
        groups.add(c)
        doc_entities.append(c.entities)
        known_entities.update(c.entities)
        if c.events or is_denial(c):
            compared.append(c)
    records.add_context(doc_id, doc_entities)
    for c in compared:
        c.context = records.contexts.get(c.doc_id, _NONE)
    mark_relayed_denials(compared)
    vectors = ClaimVectors(sql.read_embeddings(ledger))
    # Threads are clustered within event families, and denials are matched to what they deny:
    # these claims are always compared. Others are embedded only when a denial or a user's
    # thread makes them candidates, which keeps the model off most claims of a large corpus.
    vectors.ensure(compared)
    by_key = {c.key: c for c in compared}

    # Denials linked to the reports they deny.
    denials = link_denials(compared, lambda doc_id: records.of_document(ledger, doc_id), outlets, _day,
                           vectors.ensure)
    denied_by: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for link in denials:
        denied_by[link["denial"].key].append(link["report"].key)
        by_key.setdefault(link["report"].key, link["report"])

    # Threads: automatic clusters and the user's propositions.
    threads = cluster_threads(compared)
    candidates: dict[str, list[ClaimRec]] = {}
    user = sql.read_user_threads(ledger)
    if user:
        user_vectors = embed([p for _, p in user])
        known = sorted(known_entities, key=len, reverse=True)
        for (thread_id, proposition), vector in zip(user, user_vectors, strict=True):
            threads.append(user_thread(thread_id, proposition, vector, _entities_in(proposition, known, index.resolve)))
        candidates = _user_candidates(ledger, [t for t in threads if t.origin == "user"], records,
                                      {c.key for c in compared})
        for pool in candidates.values():
            by_key.update((c.key, c) for c in pool)
    _place_and_decide(threads, compared, candidates, by_key, denied_by, vectors.ensure)
    report.embedded = len(vectors.new)
    threads = [t for t in threads if t.origin == "user" or len({k[0] for k in t.claims}) >= 2]

    estimates = {doc_id: json.loads(d["date_estimate"]) for doc_id, d in canonical.items() if d["date_estimate"]}

    def window_of(c: ClaimRec) -> Window | None:
        return window_from(c.about, estimates.get(c.doc_id))

    contradictions = [x for t in threads for x in find_contradictions(t, by_key, denials, window_of)]
    points, conflicts = build_series(sql.canonical_quantities(ledger), index.resolve)
    tracks = track_records(groups.claims, groups.cited_by, by_key, threads, contradictions)

    # Rows.
    thread_rows, claim_rows, doc_rows = [], [], []
    for t in threads:
        placed = sorted(t.claims.items(), key=lambda kv: _first_key(by_key[kv[0]]))
        # The first report is the earliest claim that supports the thread: a denial or a question
        # cannot be where a story starts.
        first = next((by_key[k] for k, p in placed if p.stance == "supports"), None)
        first_window = window_from(None, estimates.get(first.doc_id)) if first and not first.reported else None
        docs_on = sorted({k[0] for k, _ in placed})
        thread_rows.append((t.thread_id, t.origin, t.label, t.proposition, t.event, json.dumps(list(t.entities)),
                            first.doc_id if first else None, first.claim_id if first else None,
                            first.reported if first else None, len(placed), len(docs_on), t.rule,
                            json.dumps({"members": [list(m) for m in t.members],
                                        "first_estimated": [first_window.earliest, first_window.latest]
                                        if first_window and first_window.estimated else None})))
        for key, p in placed:
            c = by_key[key]
            claim_rows.append((t.thread_id, c.doc_id, c.claim_id, p.stance, int(p.hedged), p.score,
                               round(p.relevance, 3), c.about, c.source, p.rule, json.dumps({
                                   "evidence": c.evidence, "proposition": c.proposition, "outlet": c.outlet,
                                   "reported": c.reported, "polarity": c.polarity, "modality": c.modality,
                                   "probabilities": {k: round(v, 3) for k, v in p.probabilities.items()},
                                   "denies": [list(k) for k in denied_by.get(key, [])]}, ensure_ascii=False)))
        doc_rows += _document_stances(t, docs_on)
    entity_rows, alias_rows = entities_tally.rows()
    report.threads, report.denial_links, report.contradictions = len(threads), len(denials), len(contradictions)
    report.series_points, report.series_conflicts, report.entities = len(points), len(conflicts), len(entity_rows)
    sql.write_links(
        ledger, embeddings=vectors.new, threads=thread_rows, thread_claims=claim_rows, thread_documents=doc_rows,
        denial_links=[(d["denial"].doc_id, d["denial"].claim_id, d["report"].doc_id, d["report"].claim_id,
                       d["score"], d["rule"]) for d in denials],
        contradictions=[(x["thread_id"], x["kind"], x["a"].doc_id, x["a"].claim_id, x["b"].doc_id, x["b"].claim_id,
                         x["days"], x["rule"], json.dumps({
                             "a": _brief(x["a"]), "b": _brief(x["b"]), "pairs": len(x["pairs"]),
                             "estimated": x["estimated"]}, ensure_ascii=False)) for x in contradictions],
        series_points=[(p.measure_key, p.doc_id, p.quantity_id, p.value, p.low, p.high, p.approx, p.as_of,
                        p.as_of_source, p.source, int(flag), p.rule, json.dumps({
                            "text": p.text, "kind": p.kind, "comparison": p.comparison, "outlet": p.outlet,
                            "interval": p.interval()}, ensure_ascii=False)) for p, flag in points],
        series_conflicts=[(x["measure_key"], x["window"], x["a"].doc_id, x["a"].quantity_id, x["b"].doc_id,
                           x["b"].quantity_id, x["rule"], json.dumps({
                               "a": {"text": x["a"].text, "source": x["a"].source},
                               "b": {"text": x["b"].text, "source": x["b"].source}}, ensure_ascii=False))
                          for x in conflicts],
        entities=entity_rows, aliases=alias_rows, mentions=entities_tally.mentions(ledger),
        tracks=[(r["kind"], r["name"], r["claims"], r["supported"], r["denied"], r["median_days_to_denial"],
                 r["rule"], json.dumps(r["data"], ensure_ascii=False)) for r in tracks],
    )
    return report


def _first_key(c: ClaimRec) -> tuple:
    """First report: dated documents by date, then undated ones in ledger order."""
    return (c.reported is None, c.reported or "", c.order)


def _brief(c: ClaimRec) -> dict[str, Any]:
    return {"doc_id": c.doc_id, "claim_id": c.claim_id, "source": c.source, "outlet": c.outlet,
            "date": c.about, "evidence": c.evidence}


def _entities_in(text: str, known: list[str], resolve) -> tuple[str, ...]:
    found = set()
    for word in re.findall(r"[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*", text):
        for part in (word, *word.split()):
            name = resolve(part)
            if name in known:
                found.add(name)
    return tuple(sorted(found))


def _place_and_decide(threads: list[Thread], compared: list[ClaimRec], user_candidates: dict[str, list[ClaimRec]],
                      by_key: dict, denied_by: dict, ensure: Callable[[list[ClaimRec]], None]) -> None:
    from .stance import default_model

    pools = [compared + user_candidates.get(t.thread_id, []) if t.origin == "user" else compared for t in threads]
    ensure([c for pool in pools for c in pool])
    matrix = np.stack([c.vector for c in compared]) if compared else np.zeros((0, 384), np.float32)
    pairs, slots = [], []
    for t, pool in zip(threads, pools, strict=True):
        extra = pool[len(compared):]
        pool_matrix = np.vstack([matrix, np.stack([c.vector for c in extra])]) if extra else matrix
        placed = place_claims(t, pool, pool_matrix)
        # A denial joins every thread the report it denies is on.
        for key, reports in denied_by.items():
            if key not in placed and any(r in placed for r in reports):
                placed[key] = float(by_key[key].vector @ t.vector)
        for key, relevance in sorted(placed.items()):
            pairs.append((t.proposition, by_key[key].evidence))
            slots.append((t, key, relevance))
    model = default_model()
    # In slices, so that the stance features of a large corpus are never all in memory at once.
    probabilities = [p for i in range(0, len(pairs), STANCE_SLICE)
                     for p in model.predict_proba(pairs[i:i + STANCE_SLICE])]
    for (t, key, relevance), proba in zip(slots, probabilities, strict=True):
        denies_report = any(r in t.claims or r in {s[1] for s in slots if s[0] is t}
                            for r in denied_by.get(key, []))
        t.claims[key] = decide_stance(t, by_key[key], proba, relevance, denies_report)
    for t in threads:
        t.claims = {k: p for k, p in t.claims.items() if p.stance != "unrelated"}


STANCE_SLICE = 2048


def _user_candidates(ledger: Ledger, threads: list[Thread], records: _ClaimRecords,
                     compared: set[tuple[str, str]]) -> dict[str, list[ClaimRec]]:
    """For each user thread, the claims beyond the compared ones worth placing on it (a second
    pass over the claims, keeping only those)."""
    out: dict[str, list[ClaimRec]] = {t.thread_id: [] for t in threads}
    for r in sql.iter_claims(ledger):
        if (r["doc_id"], r["id"]) in compared:
            continue
        c = None
        for t in threads:
            if is_lexical_candidate(t, r["proposition"]):
                c = c or records.make(r, with_context=True)
                out[t.thread_id].append(c)
    return out


class _ClaimRecords:
    """Makes compact claim records from stored claims, sharing the strings that repeat (document
    ids and dates, cue words, labels) so that many records cost little."""

    def __init__(self, canonical: dict[str, dict[str, Any]], resolve: Callable[[str | None], str | None]) -> None:
        self.canonical, self.resolve = canonical, resolve
        self.contexts: dict[str, frozenset[str]] = {}
        self._documents: dict[str, list[ClaimRec]] = {}

    def make(self, r: dict[str, Any], *, with_context: bool = False) -> ClaimRec:
        doc = self.canonical[r["doc_id"]]
        reported = _day(doc["published"])
        # An undated document's estimated window is evidence for ordering, never a date.
        estimated = not reported and bool(doc["date_estimate"])
        entities = frozenset(filter(None, (self.resolve(e) for e in r.get("entities", [])))) or _NONE
        evidence, proposition = r["evidence"], r["proposition"]
        about = _day(r.get("as_of"))
        c = ClaimRec(
            doc["id"], sys.intern(r["id"]), (doc["seq"], r["start"]), r["start"], evidence,
            evidence if proposition == evidence else proposition,  # one string, not two, when equal
            sys.intern(r["polarity"]), _interned(r.get("polarity_cue")), sys.intern(r["modality"]), bool(r["hedged"]),
            _interned(r.get("source")), _interned(self.resolve(r.get("source")) or doc["outlet"]),
            _interned(r.get("source_text")), _interned(r.get("cue_text")), _interned(r.get("attribution_kind")),
            doc["outlet"], reported, estimated, reported if about is None or about == reported else about,
            entities, events=events_of(proposition) or _NONE,
        )
        if with_context:
            c.context = self.contexts.get(c.doc_id, _NONE)
        return c

    def add_context(self, doc_id: str | None, entity_sets: list[frozenset[str]]) -> None:
        top = main_entities(entity_sets)
        if doc_id is not None and top:
            self.contexts[doc_id] = top

    def of_document(self, ledger: Ledger, doc_id: str) -> list[ClaimRec]:
        """Every claim of one document (for denials that point inside it), kept while in use."""
        if doc_id not in self._documents:
            if len(self._documents) >= 8:  # denials come document by document
                self._documents.pop(next(iter(self._documents)))
            self._documents[doc_id] = [self.make(r, with_context=True) for r in sql.iter_claims(ledger, doc_id)]
        return self._documents[doc_id]


_NONE: frozenset[str] = frozenset()


def main_entities(entity_sets: list[frozenset[str]]) -> frozenset[str]:
    """A document's main entities: the (up to) three its claims name most, at least twice.
    Names are counted in sorted order, so that ties are broken the same way in every process
    (a set's order follows string hashes, which change from run to run)."""
    counts: Counter[str] = Counter()
    for names in entity_sets:
        counts.update(sorted(names))
    return frozenset(e for e, n in counts.most_common(3) if n >= 2)


def _interned(text: str | None) -> str | None:
    return sys.intern(text) if text else text


class ClaimVectors:
    """Claim embeddings on demand, reused from the ledger when the claim's text is unchanged."""

    def __init__(self, cached: dict[tuple[str, str], tuple[str, np.ndarray]]) -> None:
        self.cached = cached
        self.new: list[tuple] = []  # rows for claim_embeddings

    def ensure(self, claims: list[ClaimRec]) -> None:
        """Give every claim in ``claims`` its vector."""
        todo: dict[tuple[str, str], tuple[ClaimRec, str]] = {}
        for c in claims:
            digest = text_hash(c.proposition) if c.vector is None else None
            if digest and self.cached.get(c.key, ("",))[0] != digest:
                todo[c.key] = (c, digest)
        for (c, digest), v in zip(todo.values(), embed([c.proposition for c, _ in todo.values()]), strict=True):
            self.cached[c.key] = (digest, v)
            self.new.append((c.doc_id, c.claim_id, MODEL_NAME, digest, v.tobytes()))
        for c in claims:
            if c.vector is None:
                c.vector = self.cached[c.key][1]


def _document_stances(t: Thread, docs_on: list[str]) -> list[tuple]:
    rows = []
    for doc_id in docs_on:
        stances = [p for k, p in t.claims.items() if k[0] == doc_id]
        counts = Counter(p.stance for p in stances)
        if counts["supports"] and not counts["denies"]:
            stance, rule = "supports", "claims-support"
        elif counts["denies"] and not counts["supports"]:
            stance, rule = "denies", "claims-deny"
        elif counts["denies"] and counts["supports"]:
            stance, rule = "discusses", "claims-mixed"
        else:
            stance, rule = "discusses", "claims-discuss"
        hedged = all(p.hedged for p in stances if p.stance == stance) if stances else False
        score = max((p.score for p in stances if p.stance == stance), default=0.0)
        rows.append((t.thread_id, doc_id, stance, int(hedged), score, rule))
    return rows


class _TrackTally:
    """What track records count over every claim: the claims each outlet asserts in its own
    voice and each cited source is credited with, and the outlets citing each source."""

    def __init__(self) -> None:
        self.claims: Counter[tuple[str, str]] = Counter()
        self.cited_by: dict[str, set[str]] = defaultdict(set)

    def add(self, c: ClaimRec) -> None:
        who = answerable(c)
        if who:
            self.claims[who] += 1
            if who[0] == "source" and c.outlet:
                self.cited_by[c.source].add(c.outlet)  # type: ignore[index]


class _EntityTally:
    """Entity ids, aliases and mentions, gathered claim by claim."""

    def __init__(self, index: EntityIndex) -> None:
        self.index = index
        self.ids: dict[str, str] = {}
        self.counts: Counter[str] = Counter()
        self.aliases: set[tuple[str, str, str]] = set()

    def add(self, r: dict[str, Any]) -> None:
        for _, name in _names(r.get("source"), r.get("entities")):
            canonical = self.index.resolve(name)
            entity_id = self.ids.setdefault(canonical, "e" + hashlib.sha1(canonical.encode()).hexdigest()[:10])
            self.counts[canonical] += 1
            self.aliases.add((entity_id, sys.intern(name), self.index.rule(name)))

    def rows(self) -> tuple[list, list]:
        entities = [(self.ids[n], n, "resolved", self.counts[n]) for n in sorted(self.ids)]
        return entities, sorted(self.aliases)

    def mentions(self, ledger: Ledger) -> Iterator[tuple[str, str, str, str, str]]:
        """Every mention, read again from the ledger as it is written (a list of them would be
        the largest thing linking holds)."""
        for doc_id, claim_id, source, entities in sql.claim_names_by_claim(ledger):
            for role, name in _names(source, json.loads(entities or "[]")):
                yield (self.ids[self.index.resolve(name)], doc_id, claim_id, role, name)


def _names(source: str | None, entities: list[str] | None) -> Iterator[tuple[str, str]]:
    if source:
        yield "source", source
    for name in entities or ():
        if name:
            yield "entity", name
