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
from .contradictions import Window, story_contradictions, window_from
from .denials import link_denials, mark_relayed_denials
from .embeddings import MODEL_NAME, embed, text_hash
from .entities import EntityIndex
from .link_state import link_fingerprint, write_link_state
from .neighbours import Mapper
from .retrieval import candidate_documents, place_retrieved, search, search_floor
from .series import build_series
from .stance import default_model
from .stance_features import embed_texts
from .text_vectors import LedgerTextVectors
from .threads import (
    COMMON_ENTITY_SHARE,
    ClaimRec,
    Placement,
    Placer,
    Thread,
    cluster_threads,
    decide_stance,
    events_of,
    is_compared,
    is_denial,
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


def relink(ledger: Ledger, *, stance_model: Any = None, mapper: Mapper | None = None) -> LinkReport:
    """Rebuild every link table of ``ledger`` (opened for writing) in one transaction.

    Memory grows with the claims linking compares, not with the corpus: one streamed pass over
    every claim keeps tallies (entities, documents' main entities, track-record counts) and full
    records only of the claims it compares: each document's first claims, claims about an event
    family, and denials. Other claims are read again only where needed: a denial's own document,
    and the claims a user's thread retrieves (their propositions are kept when the user follows
    threads, to be searched)."""
    report = LinkReport()
    docs, index, records = corpus_records(ledger)
    canonical = records.canonical
    outlets = {d["id"]: d["outlet"] for d in docs}

    # One pass over every claim (in document order).
    entities_tally = _EntityTally(index)
    groups = _TrackTally()
    compared: list[ClaimRec] = []
    known_entities: set[str] = set()
    user = sql.read_user_threads(ledger)
    # A user's thread is searched over every claim: their propositions are kept (not their records).
    everything: list[tuple[tuple[str, str], str]] = []
    doc_id, doc_entities = None, []
    for r in sql.iter_claims(ledger):
        c = records.make(r)
        if c.doc_id != doc_id:
            records.add_context(doc_id, doc_entities)
            doc_id, doc_entities = c.doc_id, []
        position = len(doc_entities)
        report.claims += 1
        entities_tally.add(r)
        groups.add(c)
        doc_entities.append(c.entities)
        known_entities.update(c.entities)
        if is_compared(position, c.events, is_denial(c)):
            compared.append(c)
        if user:
            everything.append((c.key, c.proposition))
    records.add_context(doc_id, doc_entities)
    for c in compared:
        c.context = records.contexts.get(c.doc_id, _NONE)
    mark_relayed_denials(compared)
    vectors = ClaimVectors(sql.read_embeddings(ledger))
    store = LedgerTextVectors(ledger)  # propositions tracked and sentences the stance model reads
    # Threads are clustered from each document's first claims and the claims about events, and
    # denials are matched to what they deny: these claims are always compared. Others are embedded
    # only when a denial makes them candidates or the user follows a thread (then every claim is
    # searched), which keeps the model off most claims of a large corpus.
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
    threads = cluster_threads(compared, records.common_entities(COMMON_ENTITY_SHARE), mapper)
    retrieved: dict[str, list[tuple[ClaimRec, float]]] = {}
    if user:
        user_vectors = embed_texts([p for _, p in user], store=store)
        known = sorted(known_entities, key=len, reverse=True)
        followed = [user_thread(thread_id, proposition, vector, _entities_in(proposition, known, index.resolve))
                    for (thread_id, proposition), vector in zip(user, user_vectors, strict=True)]
        threads += followed
        retrieved = _retrieve(ledger, followed, everything, vectors, records, by_key)
    del everything
    model = stance_model or default_model()
    texts = _DocumentTexts(ledger)
    judge = document_judge(_judge_candidates([t for t in threads if t.origin == "user"], retrieved, texts, model,
                                             store), texts, model, store)

    _place_and_decide(threads, compared, retrieved, by_key, denied_by, vectors.ensure, model, judge, store)
    report.embedded = len(vectors.new)
    threads = [t for t in _without_retold(threads) if t.origin == "user" or len({k[0] for k in t.claims}) >= 2]

    estimates = {doc_id: json.loads(d["date_estimate"]) for doc_id, d in canonical.items() if d["date_estimate"]}

    def window_of(c: ClaimRec) -> Window | None:
        return window_from(c.about, estimates.get(c.doc_id))

    contradictions = story_contradictions(threads, by_key, denials, window_of)
    points, conflicts = build_series(sql.canonical_quantities(ledger), index.resolve)
    tracks = track_records(groups.claims, groups.cited_by, by_key, threads, contradictions)

    # Rows.
    thread_rows, claim_rows, doc_rows = [], [], []
    for t in threads:
        thread_row, thread_claim_rows, thread_doc_rows = thread_output(t, by_key, estimates, denied_by, judge)
        thread_rows.append(thread_row)
        claim_rows += thread_claim_rows
        doc_rows += thread_doc_rows
    entity_rows, alias_rows = entities_tally.rows()
    report.threads, report.denial_links, report.contradictions = len(threads), len(denials), len(contradictions)
    report.series_points, report.series_conflicts, report.entities = len(points), len(conflicts), len(entity_rows)
    sql.write_links(
        ledger, embeddings=vectors.new, threads=thread_rows, thread_claims=claim_rows, thread_documents=doc_rows,
        denial_links=[(d["denial"].doc_id, d["denial"].claim_id, d["report"].doc_id, d["report"].claim_id,
                       d["score"], d["rule"]) for d in denials],
        contradictions=[contradiction_row(x) for x in contradictions],
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
        tracks=[track_row(r) for r in tracks],
    )
    store.flush()
    write_link_state(ledger, link_fingerprint(ledger, model), [thread_id for thread_id, _ in user], index.resolved)
    return report


def thread_output(t: Thread, by_key: dict[tuple[str, str], ClaimRec], estimates: dict[str, Any],
                  denied_by: dict[tuple[str, str], list[tuple[str, str]]],
                  judge: Callable[[Thread], Callable[[list[str]], list[dict[str, float]]]]
                  ) -> tuple[tuple, list[tuple], list[tuple]]:
    """A placed thread's rows: the thread, its claims and its documents (with their stances)."""
    claim_rows: list[tuple] = []
    placed = sorted(t.claims.items(), key=lambda kv: _first_key(by_key[kv[0]]))
    # The first report is the earliest claim that supports the thread: a denial or a question
    # cannot be where a story starts.
    first = next((by_key[k] for k, p in placed if p.stance == "supports"), None)
    if first and first.source != first.outlet:
        # another outlet relaying it the same day is not where it started: that outlet's own
        # article is, when the corpus holds it
        first = next((by_key[k] for k, p in placed if p.stance == "supports"
                      and by_key[k].reported == first.reported and by_key[k].outlet == first.source), first)
    first_window = window_from(None, estimates.get(first.doc_id)) if first and not first.reported else None
    docs_on = sorted({k[0] for k, _ in placed})
    thread_row = (t.thread_id, t.origin, t.label, t.proposition, t.event, json.dumps(list(t.entities)),
                  first.doc_id if first else None, first.claim_id if first else None,
                  first.reported if first else None, len(placed), len(docs_on), t.rule,
                  json.dumps({"members": [list(m) for m in t.members],
                              "first_estimated": [first_window.earliest, first_window.latest]
                              if first_window and first_window.estimated else None}))
    for key, p in placed:
        c = by_key[key]
        claim_rows.append((t.thread_id, c.doc_id, c.claim_id, p.stance, int(p.hedged), p.score,
                           round(p.relevance, 3), c.about, c.source, p.rule, json.dumps({
                               "evidence": c.evidence, "proposition": c.proposition, "outlet": c.outlet,
                               "reported": c.reported, "polarity": c.polarity, "modality": c.modality,
                               "probabilities": {k: round(v, 3) for k, v in p.probabilities.items()},
                               "denies": [list(k) for k in denied_by.get(key, [])]}, ensure_ascii=False)))
    doc_rows = (_followed_document_stances(t, docs_on, judge(t)) if t.origin == "user"
                else _document_stances(t, docs_on))
    return thread_row, claim_rows, doc_rows


def contradiction_row(x: dict[str, Any]) -> tuple:
    """A contradiction's row; its claim pairs are kept (``pair_keys``) for the track records."""
    # a reversal is told by when each side spoke (a plan "from October 1" announced in August and
    # scrapped in September), as its days are; a disagreement by the day it is about
    said = x["kind"] == "reversal"
    return (x["thread_id"], x["kind"], x["a"].doc_id, x["a"].claim_id, x["b"].doc_id, x["b"].claim_id,
            x["days"], x["rule"], json.dumps({
                "a": _brief(x["a"], said), "b": _brief(x["b"], said), "pairs": len(x["pairs"]),
                "pair_keys": [[*a, *b] for a, b in x["pairs"]],
                "estimated": x["estimated"]}, ensure_ascii=False))


def track_row(r: dict[str, Any]) -> tuple:
    return (r["kind"], r["name"], r["claims"], r["supported"], r["denied"], r["median_days_to_denial"],
            r["rule"], json.dumps(r["data"], ensure_ascii=False))


Judge = Callable[[Thread], Callable[[list[str]], list[dict[str, float]]]]


def document_judge(judged: dict[tuple[str, str], dict[str, float]], texts: _DocumentTexts, model: Any,
                   store: LedgerTextVectors | None) -> Judge:
    """For a thread, the stance model's probabilities for (its proposition, each document), each
    pair asked once (``judged`` holds those asked already)."""
    def judge(t: Thread) -> Callable[[list[str]], list[dict[str, float]]]:
        def probabilities(doc_ids: list[str]) -> list[dict[str, float]]:
            unjudged = [d for d in doc_ids if (t.thread_id, d) not in judged]
            judged.update(((t.thread_id, d), p) for d, p in zip(
                unjudged, model.predict_proba([(t.proposition, texts.get(d)) for d in unjudged], store=store),
                strict=True))
            return [judged[(t.thread_id, d)] for d in doc_ids]
        return probabilities
    return judge


def corpus_records(ledger: Ledger, resolved: dict[str, str] | None = None
                   ) -> tuple[list[dict[str, Any]], EntityIndex, _ClaimRecords]:
    """The documents, the entity index (sources and claim entities, resolved across the corpus;
    or the ``resolved`` names an earlier relink of the same records kept) and the maker of claim
    records over the canonical documents."""
    docs = sql.read_documents(ledger)
    if resolved is not None:
        index = EntityIndex(resolved={key: (name, "") for key, name in resolved.items()})
    else:
        names = itertools.chain(sql.claim_names(ledger), sql.quantity_sources(ledger))
        index = EntityIndex.build((n for n in names if n), not_people=sql.names_never_people(ledger))
    return docs, index, _ClaimRecords({d["id"]: d for d in docs if not d["duplicate_of"]}, index.resolve)


def _without_retold(threads: list[Thread]) -> list[Thread]:
    """The threads less each automatic one about no event family whose claims mostly sit on a
    thread about an event: that thread already tells its story, with the event's stance rules,
    and the same contradictions would be counted twice."""
    on_event_threads: dict[tuple[str, str], list[int]] = defaultdict(list)  # claim -> event threads holding it
    for n, e in enumerate(t for t in threads if t.origin == "auto" and t.event):
        for key in e.claims:
            on_event_threads[key].append(n)

    def retold(t: Thread) -> bool:
        held = Counter(n for m in t.members for n in on_event_threads.get(m, ()))
        return any(2 * count >= len(t.members) for count in held.values())

    return [t for t in threads if t.origin != "auto" or t.event or not retold(t)]


def _first_key(c: ClaimRec) -> tuple:
    """First report: dated documents by date, then undated ones in ledger order."""
    return (c.reported is None, c.reported or "", c.order)


def _brief(c: ClaimRec, said: bool = False) -> dict[str, Any]:
    return {"doc_id": c.doc_id, "claim_id": c.claim_id, "source": c.source, "outlet": c.outlet,
            "date": c.reported if said else c.about, "evidence": c.evidence}


def _entities_in(text: str, known: list[str], resolve) -> tuple[str, ...]:
    found = set()
    for word in re.findall(r"[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*", text):
        for part in (word, *word.split()):
            name = resolve(part)
            if name in known:
                found.add(name)
    return tuple(sorted(found))


def _place_and_decide(threads: list[Thread], compared: list[ClaimRec],
                      retrieved: dict[str, list[tuple[ClaimRec, float]]], by_key: dict, denied_by: dict,
                      ensure: Callable[[list[ClaimRec]], None], model: Any,
                      judge: Callable[[Thread], Callable[[list[str]], list[dict[str, float]]]],
                      store: LedgerTextVectors | None = None) -> None:
    ensure(compared)
    matrix = np.stack([c.vector for c in compared]) if compared else np.zeros((0, 384), np.float32)
    pairs, slots = [], []
    for t, placed in Placer(compared, matrix).placements(threads):
        if t.origin == "user":
            # What the proposition means, found over every claim. The event rules above add, in
            # the documents let on, the claims about its event or the opposite one (a denial of
            # the event can read far from it: "all means all").
            found = place_retrieved(t, retrieved.get(t.thread_id, []), judge(t))
            placed = {k: r for k, r in placed.items() if k[0] in t.documents} | found
        # A denial joins every thread the report it denies is on.
        for key, reports in denied_by.items():
            if key not in placed and any(r in placed for r in reports):
                ensure([by_key[key]])
                placed[key] = float(by_key[key].vector @ t.vector)
        for key, relevance in sorted(placed.items()):
            pairs.append((t.proposition, by_key[key].evidence))
            slots.append((t, key, relevance))
    # In slices, so that the stance features of a large corpus are never all in memory at once;
    # asked in order of evidence, so that a claim placed on several threads is read in one slice.
    order = sorted(range(len(pairs)), key=lambda n: (pairs[n][1], pairs[n][0]))
    probabilities: list[dict[str, float]] = [{}] * len(pairs)
    for start in range(0, len(order), STANCE_SLICE):
        part = order[start:start + STANCE_SLICE]
        for n, p in zip(part, model.predict_proba([pairs[n] for n in part], store=store), strict=True):
            probabilities[n] = p
    placed_on: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for t, key, _ in slots:
        placed_on[id(t)].add(key)
    for (t, key, relevance), proba in zip(slots, probabilities, strict=True):
        denies_report = any(r in t.claims or r in placed_on[id(t)] for r in denied_by.get(key, []))
        t.claims[key] = decide_stance(t, by_key[key], proba, relevance, denies_report)
    for t in threads:
        t.claims = {k: p for k, p in t.claims.items() if p.stance != "unrelated"}


STANCE_SLICE = 2048


def _retrieve(ledger: Ledger, followed: list[Thread], everything: list[tuple[tuple[str, str], str]],
              vectors: ClaimVectors, records: _ClaimRecords, by_key: dict) -> dict[str, list[tuple[ClaimRec, float]]]:
    """For each thread the user follows, the claims close enough in meaning to be placed on it,
    each with its cosine, searched over every claim's embedding (computed once, then cached)."""
    vectors.ensure_texts(everything)
    matrix = np.stack([vectors.cached[key][1] for key, _ in everything]) if everything \
        else np.zeros((0, 384), np.float32)
    hits = search(matrix, np.stack([t.vector for t in followed]), search_floor())
    wanted = {everything[i][0] for found in hits for i in found}
    # A second pass over the claims makes the records of the retrieved ones only.
    for r in sql.iter_claims(ledger):
        key = (r["doc_id"], r["id"])
        if key in wanted and key not in by_key:
            c = records.make(r, with_context=True)
            c.vector = vectors.cached[key][1]
            by_key[key] = c
    return {t.thread_id: [(by_key[everything[i][0]], sim) for i, sim in sorted(found.items())]
            for t, found in zip(followed, hits, strict=True)}


class _ClaimRecords:
    """Makes compact claim records from stored claims, sharing the strings that repeat (document
    ids and dates, cue words, labels) so that many records cost little."""

    def __init__(self, canonical: dict[str, dict[str, Any]], resolve: Callable[[str | None], str | None]) -> None:
        self.canonical, self.resolve = canonical, resolve
        self.contexts: dict[str, frozenset[str]] = {}
        self.documents_named: Counter[str] = Counter()  # entity -> documents naming it
        self.documents_seen = 0
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
        if doc_id is not None:
            self.documents_named.update(frozenset().union(*entity_sets))
            self.documents_seen += 1
            if top:
                self.contexts[doc_id] = top

    def common_entities(self, share: float) -> frozenset[str]:
        """The entities more than ``share`` of the documents seen name."""
        return frozenset(e for e, n in self.documents_named.items() if n > share * self.documents_seen)

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
        self.ensure_texts([(c.key, c.proposition) for c in claims if c.vector is None])
        for c in claims:
            if c.vector is None:
                c.vector = self.cached[c.key][1]

    def ensure_texts(self, claims: list[tuple[tuple[str, str], str]]) -> None:
        """Cache a vector for every (claim key, proposition) of ``claims``."""
        todo: dict[tuple[str, str], tuple[str, str]] = {}
        for key, proposition in claims:
            digest = text_hash(proposition)
            if self.cached.get(key, ("",))[0] != digest:
                todo[key] = (proposition, digest)
        for (key, (_, digest)), v in zip(todo.items(), embed([p for p, _ in todo.values()]), strict=True):
            self.cached[key] = (digest, v)
            self.new.append((key[0], key[1], MODEL_NAME, digest, v.tobytes()))


def _followed_document_stances(t: Thread, docs_on: list[str],
                               judge: Callable[[list[str]], list[dict[str, float]]]) -> list[tuple]:
    """A document's stance toward a thread the user follows: the stance model's reading of the
    whole document against the proposition (the pair it was trained on, a headline and a body),
    its best related label. Its claims' own stances stay on them: set against the whole document,
    a denial cue or a negative word in a claim near the proposition more often denies something
    else (on FNC-1 training stories, document stances from such claims were right 60 % of the time
    where the model was right 70 %), and an outlet's own unhedged claim close to the proposition is
    no better evidence of agreement than the model's reading (69.5 %; both with the stance model of
    the time, before its factorised successor)."""
    unjudged = [d for d in docs_on if d not in t.documents]  # let on by a denial it holds
    t.documents.update(zip(unjudged, judge(unjudged), strict=True))
    rows = []
    for doc_id in docs_on:
        proba = t.documents[doc_id]
        label = max(("agree", "disagree", "discuss"), key=lambda k, p=proba: (p[k], k))
        hedged = all(p.hedged for k, p in t.claims.items() if k[0] == doc_id)
        rows.append((t.thread_id, doc_id, _DOCUMENT_STANCE[label], int(hedged), round(proba[label], 3),
                     f"fnc-model-document:{label}"))
    return rows


_DOCUMENT_STANCE = {"agree": "supports", "disagree": "denies", "discuss": "discusses"}


def _judge_candidates(followed: list[Thread], retrieved: dict[str, list[tuple[ClaimRec, float]]],
                      texts: _DocumentTexts, model: Any,
                      store: LedgerTextVectors | None = None) -> dict[tuple[str, str], dict[str, float]]:
    """The stance model's probabilities for every followed thread's candidate documents, asked in
    slices of pairs so that each document is read once per slice, not once per thread."""
    pairs = [(t, d) for t in followed for d in candidate_documents(t, retrieved.get(t.thread_id, []))]
    pairs.sort(key=lambda td: (td[1], td[0].thread_id))  # a document's threads together
    judged = {}
    for start in range(0, len(pairs), STANCE_SLICE):
        part = pairs[start:start + STANCE_SLICE]
        probabilities = model.predict_proba([(t.proposition, texts.get(d)) for t, d in part], store=store)
        judged.update(((t.thread_id, d), p) for (t, d), p in zip(part, probabilities, strict=True))
    return judged


class _DocumentTexts:
    """Document texts for the stance model, read when needed and a few kept (a followed thread's
    documents are judged together)."""

    def __init__(self, ledger: Ledger, keep: int = 256) -> None:
        self.ledger, self.keep = ledger, keep
        self.texts: dict[str, str] = {}

    def get(self, doc_id: str) -> str:
        if doc_id not in self.texts:
            if len(self.texts) >= self.keep:
                self.texts.pop(next(iter(self.texts)))
            row = self.ledger.db.execute("SELECT text FROM documents WHERE id = ?", (doc_id,)).fetchone()
            self.texts[doc_id] = row[0] if row else ""
        return self.texts[doc_id]


def _document_stances(t: Thread, docs_on: list[str]) -> list[tuple]:
    rows = []
    by_document: dict[str, list[Placement]] = defaultdict(list)
    for k, p in t.claims.items():
        by_document[k[0]].append(p)
    for doc_id in docs_on:
        stances = by_document.get(doc_id, [])
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
