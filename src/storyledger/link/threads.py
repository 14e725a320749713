"""Threads: claims about the same proposition across documents and their stance toward it (the
denials linked to the reports they deny are in :mod:`storyledger.link.denials`).

Everything here works from the compact claim records (proposition, polarity, cues, source,
entities, dates) and cached embeddings; no text is parsed again.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache

import numpy as np

from ..resources import load_json
from .neighbours import Mapper, nearest

# Two claims about the same event family join one cluster when their propositions are this close
# (cosine), or close enough and naming anyone in common.
PAIR_SIM = 0.72
PAIR_SIM_EVENT = 0.5
# Two claims about no event family join when this close, or close enough and naming someone or
# something in common (themselves or their documents' main entities) that few documents name.
OPEN_PAIR_SIM = 0.6
OPEN_PAIR_SIM_SHARED = 0.5
# An entity named in more than this share of the documents tells nothing about which story a
# claim belongs to (a corpus about one port names the port everywhere).
COMMON_ENTITY_SHARE = 0.2
NEIGHBOURS = 25  # candidate neighbours per claim (found within blocks: link/neighbours.py)
JOIN_FLOOR = min(PAIR_SIM, PAIR_SIM_EVENT, OPEN_PAIR_SIM, OPEN_PAIR_SIM_SHARED)  # no pair below joins
# A story is told in its first sentences: each document's first claims are clustered, with the
# claims about an event family and the denials (which linking compares anyway).
LEAD_CLAIMS = 5
# A claim is placed on a thread when this close to its centroid, or about the thread's event
# (or its opposite) and entities and at least PLACE_SIM_EVENT close.
PLACE_SIM = 0.62
PLACE_SIM_EVENT = 0.15
THREAD_SLICE = 256  # threads placed with one matrix product
DISAGREEMENT_DAYS = 1  # opposite stances this close in time disagree; further apart, things changed


@dataclass(slots=True)  # one per claim of the corpus: no per-instance __dict__
class ClaimRec:
    doc_id: str
    claim_id: str
    order: tuple[int, int]  # (document seq, start): document order
    start: int
    evidence: str
    proposition: str
    polarity: str
    polarity_cue: str | None
    modality: str
    hedged: bool
    source_raw: str | None
    source: str | None  # resolved
    source_text: str | None
    cue: str | None
    attribution_kind: str | None
    outlet: str | None
    reported: str | None  # the document's date (or its estimate's earliest), ISO day
    reported_estimated: bool
    about: str | None  # the time the claim is about: a resolved as-of day, else `reported`
    entities: frozenset[str]
    context: frozenset[str] = frozenset()
    events: frozenset[str] = frozenset()
    vector: np.ndarray | None = None
    relays_denial: bool = False  # it reports someone else's denial: the denial is theirs, not its source's

    @property
    def key(self) -> tuple[str, str]:
        return (self.doc_id, self.claim_id)


@dataclass(slots=True)  # one per claim on a thread
class Placement:
    stance: str
    hedged: bool
    score: float
    relevance: float
    rule: str
    probabilities: dict[str, float] = field(default_factory=dict)


@dataclass
class Thread:
    thread_id: str
    origin: str  # auto / user
    label: str
    proposition: str
    event: str | None
    entities: tuple[str, ...]
    vector: np.ndarray
    members: list[tuple[str, str]]  # the cluster (auto threads)
    rule: str
    claims: dict[tuple[str, str], Placement] = field(default_factory=dict)
    # a followed thread's documents: the stance model's probabilities for (proposition, document)
    documents: dict[str, dict[str, float]] = field(default_factory=dict)


# -- lexicons ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Events:
    patterns: tuple[tuple[str, re.Pattern[str]], ...]
    any_phrase: re.Pattern[str]  # all phrases in one pattern: most propositions name no event
    opposite: dict[str, frozenset[str]]
    labels: dict[str, str]
    reference_nouns: frozenset[str]
    reporting_words: frozenset[str]
    report_cues: tuple[str, ...]
    denial_stems: tuple[str, ...]
    negative_evaluations: re.Pattern[str]
    uncertainty: re.Pattern[str]
    negations: frozenset[str]


@cache
def events_lexicon() -> _Events:
    data = load_json("link/events.json")
    claims = load_json("claims.json")
    phrases = []
    for family, spec in data["families"].items():
        for phrase in spec["phrases"]:
            phrases.append((family, phrase))
    phrases.sort(key=lambda fp: len(fp[1]), reverse=True)
    patterns = tuple((f, re.compile(rf"(?<![\w-])(?:{p})(?![\w-])", re.IGNORECASE)) for f, p in phrases)
    any_phrase = re.compile(rf"(?<![\w-])(?:{'|'.join(f'(?:{p})' for _, p in phrases)})(?![\w-])", re.IGNORECASE)
    negative = "|".join(re.escape(w) for w in sorted(claims["negative_evaluations"], key=len, reverse=True))
    uncertainty = "|".join(re.escape(w) for w in sorted(data["uncertainty"], key=len, reverse=True))
    return _Events(
        patterns,
        any_phrase,
        {f: frozenset(spec["opposite"]) for f, spec in data["families"].items()},
        {f: spec["label"] for f, spec in data["families"].items()},
        frozenset(data["reference_nouns"]),
        frozenset(data["reporting_source_words"]),
        tuple(data["report_cue_lemmas"]),
        tuple(_stem(w) for w in claims["denial_cue_lemmas"]),
        re.compile(rf"(?<![\w-])(?:{negative})(?![\w-])", re.IGNORECASE),
        re.compile(rf"(?<![\w-])(?:{uncertainty})(?![\w-])", re.IGNORECASE),
        frozenset(claims["negation_words"]),
    )


def _stem(word: str) -> str:
    word = word.lower()
    return word[:-1] if word.endswith(("y", "e")) and len(word) > 3 else word


@lru_cache(maxsize=1 << 16)  # copies of a sentence, and the proposition of every thread it is placed on
def events_of(text: str) -> frozenset[str]:
    """Event families a proposition mentions (longest phrase first; each span used once)."""
    lex = events_lexicon()
    if not lex.any_phrase.search(text):
        return frozenset()
    taken: list[tuple[int, int]] = []
    found: set[str] = set()
    for family, pattern in lex.patterns:
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            found.add(family)
    return frozenset(found)


def is_denial(c: ClaimRec) -> str | None:
    """Why the claim is a denial (its attribution cue or its negative evaluation), or None. A
    claim that relays another source's denial is not one."""
    if c.relays_denial:
        return None
    return denial_reason(c.cue, c.polarity, c.polarity_cue)


def is_compared(position: int, events: frozenset[str], denial: str | None) -> bool:
    """Whether linking compares a claim: one of its document's first ``LEAD_CLAIMS`` (by
    ``position`` in text order), about an event family, or a denial."""
    return position < LEAD_CLAIMS or bool(events) or bool(denial)


def denial_reason(cue: str | None, polarity: str, polarity_cue: str | None) -> str | None:
    """Why a claim with this attribution cue and polarity reads as a denial, or None."""
    lex = events_lexicon()
    if cue:
        for word in re.findall(r"[a-z]+", cue.lower()):
            if any(word.startswith(stem) for stem in lex.denial_stems):
                return "denial-cue"
    if polarity == "negated" and polarity_cue and lex.negative_evaluations.search(polarity_cue):
        return "negative-evaluation"
    return None



def _days(a: str | None, b: str | None) -> float | None:
    """b minus a, in days."""
    import datetime as dt

    if not a or not b:
        return None
    try:
        return (dt.date.fromisoformat(b[:10]) - dt.date.fromisoformat(a[:10])).days
    except ValueError:
        return None


# -- clustering --------------------------------------------------------------------------------

class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def cluster_threads(claims: list[ClaimRec], common: frozenset[str] = frozenset(),
                    mapper: Mapper | None = None) -> list[Thread]:
    """Automatic threads: claims from different documents that assert the same thing, on any
    subject. Claims about an event family are clustered within it (a closure and a reopening of
    one port are two threads, and the family's opposite denies it); claims about none, together.
    Each claim is compared with its nearest neighbours by meaning (the blocking that keeps
    clustering near-linear). ``common`` holds the entities too widespread to tell stories apart."""
    base = [c for c in claims if c.vector is not None and len(c.proposition.split()) >= 4 and not is_denial(c)]
    threads: list[Thread] = []
    seen: set[tuple] = set()
    families = sorted({e for c in base for e in c.events})
    blocks = [(family, [c for c in base if family in c.events]) for family in families]
    blocks.append((None, [c for c in base if not c.events]))
    for family, candidates in blocks:
        for thread in _cluster_block(candidates, family, common, mapper):
            key = tuple(thread.members)
            if key not in seen:
                seen.add(key)
                threads.append(thread)
    threads.sort(key=lambda t: (-len(t.members), t.thread_id))
    # Two clusters can share a central proposition (copies of one sentence that fell apart):
    # the second keeps an id of its own, named by its first member too.
    taken: set[str] = set()
    for t in threads:
        if t.thread_id in taken:
            t.thread_id = "t" + hashlib.sha1(f"{t.thread_id}|{t.members[0]}".encode()).hexdigest()[:10]
        taken.add(t.thread_id)
    return threads


def _joins(a: ClaimRec, b: ClaimRec, sim: float, event: str | None, common: frozenset[str]) -> bool:
    shared = (a.entities & b.entities) | (a.context & b.context)
    if event is not None:
        return sim >= PAIR_SIM or (sim >= PAIR_SIM_EVENT and bool(shared))
    return sim >= OPEN_PAIR_SIM or (sim >= OPEN_PAIR_SIM_SHARED and bool(shared - common))


def _cluster_block(candidates: list[ClaimRec], event: str | None, common: frozenset[str],
                   mapper: Mapper | None = None) -> list[Thread]:
    if len(candidates) < 2:
        return []
    matrix = np.stack([c.vector for c in candidates])
    uf = _UnionFind(len(candidates))
    k = min(NEIGHBOURS, len(candidates) - 1)
    for i, rows, sims in nearest(matrix, k, mapper):
        for j, sim in zip(rows.tolist(), sims.tolist(), strict=True):
            if sim < JOIN_FLOOR or j == i:
                continue
            a, b = candidates[i], candidates[j]
            if a.doc_id != b.doc_id and _joins(a, b, sim, event, common):
                uf.union(i, j)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(candidates)):
        groups[uf.find(i)].append(i)
    threads = []
    for members in groups.values():
        docs = {candidates[i].doc_id for i in members}
        if len(docs) < 2:
            continue
        centre = matrix[members].mean(axis=0)
        centre /= np.linalg.norm(centre) or 1.0

        def centrality(i: int, centre: np.ndarray = centre) -> tuple:
            c = candidates[i]
            length = len(c.proposition.split())
            return (-(float(matrix[i] @ centre) - 0.01 * max(0, length - 10)), c.polarity != "affirmed", c.order)
        best = candidates[min(members, key=centrality)]
        entity_counts = Counter(e for i in members for e in candidates[i].context | candidates[i].entities)
        key_entities = tuple(sorted(e for e, n in entity_counts.items() if n >= max(2, len(members) / 2)))
        label = _label(best.proposition)
        threads.append(Thread(
            "t" + hashlib.sha1(f"{event}|{label}".encode()).hexdigest()[:10], "auto", label, best.proposition,
            event, key_entities or tuple(sorted(best.entities)), centre,
            sorted(candidates[i].key for i in members),
            f"cluster({event or 'any subject'}: {len(members)} claims, {len(docs)} documents)",
        ))
    return threads


def _label(proposition: str) -> str:
    text = proposition.strip().rstrip(".")
    words = text.split()
    if len(words) > 16:
        cut = re.split(r",|;| — | - ", text)[0]
        text = cut if len(cut.split()) >= 4 else " ".join(words[:16]) + "…"
    return text[:1].upper() + text[1:]


def user_thread(thread_id: str, proposition: str, vector: np.ndarray, entities: tuple[str, ...]) -> Thread:
    events = events_of(proposition)
    event = sorted(events)[0] if events else None
    return Thread(thread_id, "user", _label(proposition), proposition, event, entities, vector, [],
                  "user-proposition")


# -- placement and stance ----------------------------------------------------------------------

class Placer:
    """Places claims on threads: which of ``claims`` (rows of ``matrix``) are about a thread's
    proposition, with their relevance (cosine). Only the claims close enough by meaning, or about
    the thread's event family and not far from it, are looked at one by one, so that placing
    stays a matrix product per thread however many claims the corpus holds."""

    def __init__(self, claims: list[ClaimRec], matrix: np.ndarray) -> None:
        self.claims, self.matrix = claims, matrix
        rows: dict[str, list[int]] = defaultdict(list)
        naming: dict[str, list[int]] = defaultdict(list)  # entity -> claims naming it, or their documents
        for i, c in enumerate(claims):
            for family in c.events:
                rows[family].append(i)
            for entity in c.entities | c.context:
                naming[entity].append(i)
        self.about = {family: np.array(found, dtype=np.int64) for family, found in rows.items()}
        self.naming = {entity: np.array(found, dtype=np.int64) for entity, found in naming.items()}
        self.row = {c.key: i for i, c in enumerate(claims)}

    def placements(self, threads: list[Thread]) -> Iterator[tuple[Thread, dict[tuple[str, str], float]]]:
        """Each thread with its placements, the cosines of many threads computed in one product
        (the claims' matrix is read once per slice of threads, not once per thread)."""
        for start in range(0, len(threads), THREAD_SLICE):
            part = threads[start:start + THREAD_SLICE]
            sims = self.matrix @ np.stack([t.vector for t in part]).T if self.claims else None
            for column, t in enumerate(part):
                yield t, self.place(t, None if sims is None else sims[:, column])

    def place(self, thread: Thread, sims: np.ndarray | None = None) -> dict[tuple[str, str], float]:
        if not self.claims:
            return {}
        if sims is None:
            sims = self.matrix @ thread.vector
        sims = sims.astype(np.float64)  # compared as Python floats are
        related = {thread.event, *events_lexicon().opposite.get(thread.event or "", ())} - {None}
        about_event = np.zeros(len(self.claims), dtype=bool)
        for family in related:
            if family in self.about:
                about_event[self.about[family]] = True
        placed_rows = (sims >= PLACE_SIM) | (about_event & (sims >= PLACE_SIM_EVENT))
        for entity in set(thread.entities):  # a claim placed names the thread's entities (or its document does)
            named = np.zeros(len(self.claims), dtype=bool)
            named[self.naming.get(entity, _NO_ROWS)] = True
            placed_rows &= named
        placed_rows[[self.row[k] for k in thread.members if k in self.row]] = True  # members always
        return {self.claims[i].key: float(sims[i]) for i in np.flatnonzero(placed_rows)}


_NO_ROWS = np.zeros(0, dtype=np.int64)  # (an empty tuple would index every row)


@cache
def _reversal_cues() -> re.Pattern[str]:
    words = sorted(load_json("link/conclusions.json")["reversal_cues"], key=len, reverse=True)
    return re.compile(rf"(?<![\w-])(?:{'|'.join(re.escape(w) for w in words)})(?![\w-])", re.IGNORECASE)


def is_reversal(c: ClaimRec, families: frozenset[str] | None = None) -> bool:
    """Whether the claim says that something was cancelled or undone ("was called off"); with
    ``families``, that an event of one of them was: the cue in the same clause as the event's
    phrase ("a planned reopening was called off", not "lines are cancelling calls at the port")."""
    cues = _reversal_cues()
    # the cancelling verb may be the attribution's cue, its object the claim ("households
    # welcomed the decision to call off | the increase in charges")
    cancelling_cue = bool(c.cue and cues.search(c.cue))
    if families is None:
        return bool(cues.search(c.evidence)) or cancelling_cue
    return any(cues.search(" ".join(before[-REVERSAL_BEFORE_WORDS:] + ["#"] + after[:REVERSAL_AFTER_WORDS]))
               or (cancelling_cue and len(before) <= REVERSAL_BEFORE_WORDS)
               for before, after in _event_contexts(c.evidence, families))


# A cancellation governs the event when it stands right before it ("called off the planned
# reopening") or closely after it ("the reopening of the bridge was called off").
REVERSAL_BEFORE_WORDS = 4
REVERSAL_AFTER_WORDS = 6


_INFINITIVE = re.compile(r"\s*to\s+\w", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r"[.;:!?()\[\]—–]|\s-\s|\b(?:and|but|while|whereas|although|though|which|who)\b",
                           re.IGNORECASE)
NEGATION_BEFORE_WORDS = 6  # "did not order a withdrawal", "no plans for a withdrawal"
NEGATION_AFTER_WORDS = 5  # "a withdrawal is not planned", "a closure of the bridge is not planned"


def negation_scopes_event(text: str, families: set[str] | frozenset[str]) -> bool:
    """Whether a negation word governs a phrase of one of the event ``families`` in ``text``: in
    the same clause, just before it or just after it. "We are not a people of perpetual war - it
    is time to come home" is negated, but not its homecoming."""
    negations = events_lexicon().negations
    return any(any(w in negations or w.endswith("n't")
                   for w in before[-NEGATION_BEFORE_WORDS:] + after[:NEGATION_AFTER_WORDS])
               for before, after in _event_contexts(text, families))


def event_only_aimed_at(text: str, families: set[str] | frozenset[str]) -> bool:
    """Whether the event is named only as an aim, a fear or a call ("attacks in a bid to force
    an eventual withdrawal", "fears that he might order a withdrawal"), so that the claim does
    not assert it."""
    frames = _unasserted_frames()
    return any(frames.search(" ".join(before[-AIM_BEFORE_WORDS:]) + " ")
               for before, _ in _event_contexts(text, families))


def _event_contexts(text: str, families: set[str] | frozenset[str]) -> list[tuple[list[str], list[str]]]:
    """For each phrase of the event ``families`` in ``text``: the words of its clause before it and
    after it (read only: the lists are shared)."""
    return _event_contexts_of(text, frozenset(families))


@lru_cache(maxsize=1 << 16)  # a claim is judged against every thread it is placed on
def _event_contexts_of(text: str, families: frozenset[str]) -> list[tuple[list[str], list[str]]]:
    out = []
    for family, pattern in events_lexicon().patterns:
        if family not in families:
            continue
        for m in pattern.finditer(text):
            before = _CLAUSE_BREAK.split(text[:m.start()])[-1]
            after = _CLAUSE_BREAK.split(text[m.end():])[0]
            out.append((re.findall(r"[\w']+", before.lower()), re.findall(r"[\w']+", after.lower())))
    return out


AIM_BEFORE_WORDS = 8  # "in a bid to force an eventual withdrawal"


@cache
def _unasserted_frames() -> re.Pattern[str]:
    frames = sorted(load_json("link/conclusions.json")["unasserted_event_frames"], key=len, reverse=True)
    return re.compile(rf"(?<![\w'])(?:{'|'.join(re.escape(f) for f in frames)})(?![\w'])")


_MODEL_STANCE = {"agree": "supports", "disagree": "denies", "discuss": "discusses", "unrelated": "unrelated"}


def decide_stance(thread: Thread, c: ClaimRec, proba: dict[str, float], relevance: float,
                  denied_on_thread: bool) -> Placement:
    """A claim's stance toward the thread: the claim's own polarity, event and denial cues first,
    the FNC-1 model where they say nothing."""
    lex = events_lexicon()
    hedged = bool(c.hedged or c.modality in ("prediction", "condition"))
    opposite = lex.opposite.get(thread.event or "", frozenset())
    denial = is_denial(c)

    def rule_based(stance: str, rule: str) -> Placement:
        model = {"supports": "agree", "denies": "disagree", "discusses": "discuss"}[stance]
        return Placement(stance, hedged, round(0.6 + 0.4 * proba.get(model, 0.0), 3), relevance, rule, proba)

    if c.relays_denial:
        return rule_based("discusses", "relays-denial")
    if denied_on_thread:
        return rule_based("denies", "denies-linked-report")
    if denial and (thread.event in c.events or not c.events or c.polarity == "negated"):
        return rule_based("denies", denial)
    uncertain = bool(lex.uncertainty.search(c.evidence))
    has_event = thread.event in c.events
    has_opposite = bool(c.events & opposite)
    if has_event and has_opposite and not uncertain and c.polarity != "negated" \
            and is_reversal(c, frozenset({thread.event})):  # type: ignore[arg-type]
        # "a planned reopening was called off": the opposite family's words are the cancelling
        # itself, and the event is named only as called off
        return rule_based("denies", "reversed-event")
    if has_event != has_opposite and not uncertain:
        family = {thread.event} if has_event else c.events & opposite
        negated = c.polarity == "negated" and negation_scopes_event(c.proposition, family)
        if has_event and not negated and event_only_aimed_at(c.proposition, {thread.event}):  # type: ignore[arg-type]
            return rule_based("discusses", "event-only-aimed-at")
        if has_event and not negated and is_reversal(c, frozenset({thread.event})):  # type: ignore[arg-type]
            # "the board scrapped the planned rise": the event is named only as called off
            stance, rule = "denies", "reversed-event"
        elif has_event:
            stance, rule = ("denies", "negated-event") if negated else ("supports", "affirms-event")
        else:
            stance, rule = ("supports", "negated-opposite") if negated else ("denies", "opposite-event")
        if stance == "supports" and c.modality == "condition":
            return rule_based("discusses", f"{rule}+condition")
        if stance == "denies" and not negated and c.modality == "fact" and not is_reversal(c):
            # "the US maintains a presence" states how things stand; it does not say a withdrawal
            # did not or will not happen, so it is no denial
            return rule_based("discusses", f"{rule}+fact")
        if stance == "denies" and not c.entities and _INFINITIVE.match(c.proposition):
            # "to remain in the country": whose staying is not said, so it opposes nothing
            return rule_based("discusses", f"{rule}+no-subject")
        return rule_based(stance, rule)
    if uncertain:
        return rule_based("discusses", "uncertainty")
    label = max(proba, key=lambda k: (proba[k], k)) if proba else "discuss"
    stance = _MODEL_STANCE[label]
    if stance == "unrelated":
        stance = "discusses"  # it is on the thread for a reason: its words are about the proposition
    return Placement(stance, hedged, round(proba.get(label, 0.0), 3), relevance, f"fnc-model:{label}", proba)
