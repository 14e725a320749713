"""Features of a (headline or claim, evidence) pair for the stance model (:mod:`.stance`).

Text reading (tokens, light stems, sentences), the stance lexicon (``resources/stance/lexicon.json``),
MiniLM embeddings with a bounded in-process cache (and an optional on-disk one for training), and
:class:`Featurizer`, which turns pairs into the three feature blocks the model reads: the
headline's stance, the evidence's stance and relatedness.  Why the features are these: see the
docstring of :mod:`storyledger.link.stance`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import NamedTuple, Protocol

import numpy as np

from ..resources import load_json

RESOURCE_DIR = Path(__file__).resolve().parents[1] / "resources" / "stance"

IDF_MIN_DF = 2         # terms seen in fewer training documents get the unseen-term idf
TOP_SENTENCES = 3      # evidence sentences that best match the headline, read for stance cues
LEAD_SENTENCES = 2
MATCH_SHARPNESS = 10.0     # softmax temperature turning sentence cosines into weights
EMBEDDING_CACHE = 20000    # texts whose embeddings one process keeps


# ---------------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W_]+")
_NOT = re.compile(r"n['’]t\b")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])[\"”'’)]?\s+|\n+")
_SUFFIXES = ("ingly", "edly", "ings", "ing", "ied", "ies", "ed", "es", "ly", "s")


def tokens(text: str) -> list[str]:
    """Casefolded word tokens; "n't" becomes the token "not"."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return _TOKEN.findall(_NOT.sub(" not", text))


@lru_cache(maxsize=1 << 18)
def stem(word: str) -> str:
    """A light suffix stripper: enough to match "denies"/"denied"/"deny" and plurals."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            if suffix in ("ied", "ies"):
                return base + "y"
            return base
    return word


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_SPLIT.split(text) if len(s.strip()) > 3]


@cache
def _lexicon_data() -> dict:
    # The shipped model was trained on exactly these word lists: a profile must not change them.
    return load_json("stance/lexicon.json", with_profile=False)


@cache
def lexicon() -> dict[str, frozenset[str]]:
    """The lexicon's word lists (single casefolded tokens), by name."""
    return {key: frozenset(value) for key, value in _lexicon_data().items() if isinstance(value, list)}


@cache
def prototypes() -> dict[str, tuple[str, ...]]:
    """Short generic statements of each stance (refuting, hedging, confirming), embedded once."""
    return {key: tuple(value) for key, value in _lexicon_data()["prototypes"].items()}


@cache
def strong_refuting() -> tuple[frozenset[str], tuple[tuple[str, ...], ...]]:
    """Words and multi-word phrases that call a report untrue ("hoax", "not real", "no plans")."""
    lex = _lexicon_data()
    return frozenset(lex["refuting_strong"]), tuple(tuple(tokens(p)) for p in lex["refuting_phrases"])


CUE_LISTS = ("refuting", "hedging", "confirming", "negation")
PROTOTYPE_KINDS = ("refuting", "hedging", "confirming")


def count_in(toks: Sequence[str], words: frozenset[str]) -> int:
    return sum(t in words for t in toks)


def strong_refutations(toks: Sequence[str]) -> int:
    """How many strong refuting words and phrases ``toks`` hold."""
    words, phrases = strong_refuting()
    return count_in(toks, words) + sum(tuple(toks[i:i + len(p)]) == p
                                       for p in phrases for i in range(len(toks) - len(p) + 1))


# ---------------------------------------------------------------------------------------------
# Embeddings
# ---------------------------------------------------------------------------------------------

_EMBEDDED: OrderedDict[str, np.ndarray] = OrderedDict()


def embed_texts(texts: Sequence[str], cache_dir: str | Path | None = None,
                store: VectorStore | None = None) -> np.ndarray:
    """MiniLM vectors (L2-normalised, one row per text) of ``texts``, each distinct text embedded
    once; kept in a bounded in-process cache and, with ``cache_dir``, in files there (training
    embeds some 31,000 FNC-1 sentences: minutes on a CPU), or with ``store`` (linking: the
    ledger's :class:`~storyledger.link.text_vectors.LedgerTextVectors`) there. The embedding
    model is loaded only when some text is in none of them."""
    from .embeddings import MAX_TOKENS, MODEL_NAME, embed, text_hash

    missing = [t for t in dict.fromkeys(texts) if t not in _EMBEDDED]
    if store is not None and texts:
        distinct = list(dict.fromkeys(texts))
        stored = store.load(text_hash(t) for t in distinct)
        _remember({t: stored[text_hash(t)] for t in missing if text_hash(t) in stored})
        missing = [t for t in missing if t not in _EMBEDDED]
        # what this process embedded for another ledger is kept in this one too
        store.save({text_hash(t): _EMBEDDED[t] for t in distinct if t in _EMBEDDED and text_hash(t) not in stored})
    on_disk: dict[str, np.ndarray] = {}
    cache_file = None
    if cache_dir is not None and missing:
        cache_file = Path(cache_dir) / f"stance-{MODEL_NAME}-{MAX_TOKENS}.npz"
        if cache_file.is_file():
            with np.load(cache_file, allow_pickle=False) as data:
                on_disk = dict(zip((str(k) for k in data["keys"]), data["vectors"], strict=True))
    found = {t: on_disk[text_hash(t)] for t in missing if text_hash(t) in on_disk}
    todo = [t for t in missing if t not in found]
    if todo:
        found.update(zip(todo, embed(todo), strict=True))
        if store is not None:
            store.save({text_hash(t): found[t] for t in todo})
        if cache_file is not None:
            on_disk.update((text_hash(t), found[t]) for t in todo)
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            keys = sorted(on_disk)
            with open(cache_file, "wb") as fh:
                np.savez(fh, keys=np.array(keys), vectors=np.stack([on_disk[k] for k in keys]))
    vectors = {t: _EMBEDDED[t] for t in texts if t in _EMBEDDED}
    vectors.update(found)
    _remember(found)
    for t in vectors:
        if t in _EMBEDDED:
            _EMBEDDED.move_to_end(t)
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    return np.stack([vectors[t] for t in texts]).astype(np.float32)


def _remember(found: dict[str, np.ndarray]) -> None:
    """Keep vectors in the bounded in-process cache (not when there are more than it holds)."""
    if len(found) <= EMBEDDING_CACHE:
        for t, v in found.items():
            _EMBEDDED[t] = v
        while len(_EMBEDDED) > EMBEDDING_CACHE:
            _EMBEDDED.popitem(last=False)


class VectorStore(Protocol):
    """Where vectors are kept between runs, by text hash."""

    def load(self, hashes: Iterable[str]) -> dict[str, np.ndarray]: ...

    def save(self, vectors: dict[str, np.ndarray]) -> None: ...


# ---------------------------------------------------------------------------------------------
# Features
# ---------------------------------------------------------------------------------------------

HEAD_NAMES = (
    *(f"{cue}_head" for cue in CUE_LISTS), "strong_refuting_head", "head_question", "head_polarity",
    "log_head_len", *(f"prototype_{kind}_head" for kind in PROTOTYPE_KINDS),
)
EVIDENCE_NAMES = (
    *(f"{cue}_{where}" for cue in CUE_LISTS for where in ("matched", "best", "body", "lead", "top_tfidf")),
    "top_polarity", "lead_polarity",
    *(f"prototype_{kind}_{how}" for kind in PROTOTYPE_KINDS for how in ("matched", "max")),
    "strong_refuting_matched", "strong_refuting_share", "strong_refuting_lead", "negation_matched",
)
RELATED_NAMES = (
    "emb_max", "emb_top", "emb_mean", "emb_whole", "emb_lead", "emb_share_040", "emb_share_060",
    "emb_best_is_first",
    "cos_full", "cos_lead", "cos_max_sentence", "cos_top_sentences", "share_sentences_related",
    "head_in_body", "head_in_body_idf", "head_in_lead", "jaccard", "bigrams_in_body", "log_head_len",
    "log_body_len",
)
BLOCKS = {"head": HEAD_NAMES, "evidence": EVIDENCE_NAMES, "related": RELATED_NAMES}


@dataclass
class _Text:
    """One text, read once: its tokens, content stems and sentences (a headline is one sentence)."""

    text: str
    tokens: list[str]
    stems: list[str]            # content stems (stop words dropped)
    sentences: list[str]
    sentence_tokens: list[list[str]]
    sentence_stems: list[list[str]]

    @classmethod
    def read(cls, text: str, *, split: bool, stop: frozenset[str]) -> _Text:
        toks = tokens(text)
        stems = [stem(t) for t in toks if t not in stop]
        sents: list[str] = []
        sent_tokens: list[list[str]] = []
        sent_stems: list[list[str]] = []
        if split:
            for sentence, st in _tokenised_sentences(text):
                sents.append(sentence)
                sent_tokens.append(st)
                sent_stems.append([stem(t) for t in st if t not in stop])
        if not sent_tokens:
            sents, sent_tokens, sent_stems = [text], [toks], [stems]
        return cls(text, toks, stems, sents, sent_tokens, sent_stems)


def _tokenised_sentences(text: str) -> list[tuple[str, list[str]]]:
    return [(sentence, st) for sentence in sentences(text) if (st := tokens(sentence))]


def embedded_sentences(evidence: str) -> list[str]:
    """The texts the model embeds when it reads ``evidence`` as a body: its sentences, or the
    whole text when it has none (linking embeds them ahead, where the document is extracted)."""
    return [sentence for sentence, _ in _tokenised_sentences(evidence)] or [evidence]


class _Features(NamedTuple):
    head: np.ndarray       # one row per pair
    evidence: np.ndarray
    related: np.ndarray


class Featurizer:
    """Turns (headline, evidence) pairs into the three blocks of features the model reads."""

    def __init__(self, terms: Sequence[str], idf: np.ndarray, unseen_idf: float,
                 prototype_vectors: dict[str, np.ndarray]) -> None:
        self.terms = list(terms)
        self.index = {t: i for i, t in enumerate(self.terms)}
        self.idf = np.asarray(idf, dtype=np.float64)
        self.unseen_idf = float(unseen_idf)
        self.prototype_vectors = {k: np.asarray(v, dtype=np.float32) for k, v in prototype_vectors.items()}
        lex = lexicon()
        self.stop = lex["stop_words"]
        self.cues = [lex[name] for name in CUE_LISTS]
        self.negation = lex["negation"]

    @classmethod
    def fit(cls, headlines: Iterable[str], bodies: Iterable[str], min_df: int = IDF_MIN_DF,
            cache_dir: str | Path | None = None) -> Featurizer:
        stop = lexicon()["stop_words"]
        df: Counter[str] = Counter()
        n_docs = 0
        for text in [*headlines, *bodies]:
            df.update({stem(t) for t in tokens(text) if t not in stop})
            n_docs += 1
        kept = sorted(t for t in df if df[t] >= min_df)
        idf = np.array([math.log((1 + n_docs) / (1 + df[t])) + 1 for t in kept])
        unseen = math.log((1 + n_docs) / 2) + 1
        vectors = {kind: embed_texts(list(texts), cache_dir) for kind, texts in prototypes().items()}
        return cls(kept, idf, unseen, vectors)

    # -- TF-IDF ------------------------------------------------------------------------------
    def _idf(self, term: str) -> float:
        i = self.index.get(term)
        return self.idf[i] if i is not None else self.unseen_idf

    def _tfidf(self, stems: list[str]) -> dict[str, float]:
        counts = Counter(stems)
        vec = {t: c * self._idf(t) for t, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in vec.values()))
        return {t: v / norm for t, v in vec.items()} if norm else {}

    # -- per text ----------------------------------------------------------------------------
    def _head(self, head: _Text, vector: np.ndarray) -> list[float]:
        toks = head.tokens
        return [
            *(float(count_in(toks, cue)) for cue in self.cues),
            float(strong_refutations(toks)),
            float("?" in head.text), float(count_in(toks, self.negation) % 2), math.log1p(len(toks)),
            *(float((self.prototype_vectors[k] @ vector).max()) for k in PROTOTYPE_KINDS),
        ]

    def _evidence(self, body: _Text, vectors: np.ndarray) -> dict:
        """What the pair features need of one evidence text, computed once per text."""
        lead = [t for s in body.sentence_stems[:LEAD_SENTENCES] for t in s]
        whole = vectors.mean(axis=0)
        lead_vec = vectors[:LEAD_SENTENCES].mean(axis=0)
        return {
            "full": self._tfidf(body.stems),
            "lead": self._tfidf(lead),
            "sents": [self._tfidf(s) for s in body.sentence_stems],
            "set": set(body.stems),
            "lead_set": set(lead),
            "bigrams": {b for s in body.sentence_stems for b in zip(s, s[1:], strict=False)},
            "cue_counts": [count_in(body.tokens, cue) for cue in self.cues],
            "vectors": vectors,
            "whole": whole / (np.linalg.norm(whole) or 1.0),
            "lead_vec": lead_vec / (np.linalg.norm(lead_vec) or 1.0),
            "strong": np.array([strong_refutations(s) > 0 for s in body.sentence_tokens], dtype=np.float64),
            "negated": np.array([count_in(s, self.negation) > 0 for s in body.sentence_tokens], dtype=np.float64),
            "prototypes": {k: (vectors @ self.prototype_vectors[k].T).max(axis=1).astype(np.float64)
                           for k in PROTOTYPE_KINDS},
        }

    # -- per pair ----------------------------------------------------------------------------
    def _pair(self, head: _Text, head_tfidf: dict[str, float], head_vector: np.ndarray, body: _Text,
              ev: dict) -> tuple[list[float], list[float]]:
        """(evidence features, relatedness features) of one pair."""
        sims = (ev["vectors"] @ head_vector).astype(np.float64)
        order = np.argsort(-sims, kind="stable")[:TOP_SENTENCES]
        weights = np.exp((sims - sims.max()) * MATCH_SHARPNESS)
        weights /= weights.sum()

        def cos(vec: dict[str, float]) -> float:
            return sum(w * vec.get(t, 0.0) for t, w in head_tfidf.items())

        tfidf_sims = np.array([cos(v) for v in ev["sents"]])
        tfidf_order = np.argsort(-tfidf_sims, kind="stable")[:TOP_SENTENCES]
        matched = [t for i in order for t in body.sentence_tokens[i]]
        best = body.sentence_tokens[int(order[0])]
        tfidf_top = [t for i in tfidf_order for t in body.sentence_tokens[i]]
        lead = [t for s in body.sentence_tokens[:LEAD_SENTENCES] for t in s]
        n_body = max(len(body.tokens), 1)

        evidence: list[float] = []
        for k, cue in enumerate(self.cues):
            evidence += [math.log1p(count_in(matched, cue)), math.log1p(count_in(best, cue)),
                         10.0 * ev["cue_counts"][k] / n_body, math.log1p(count_in(lead, cue)),
                         math.log1p(count_in(tfidf_top, cue))]
        evidence += [float(count_in(tfidf_top, self.negation) % 2), float(count_in(lead, self.negation) % 2)]
        for kind in PROTOTYPE_KINDS:
            per_sentence = ev["prototypes"][kind]
            evidence += [float(weights @ per_sentence), float(per_sentence.max())]
        strong = ev["strong"]
        evidence += [float(weights @ strong), float(strong.mean()), float(strong[:3].mean()),
                     float(weights @ ev["negated"])]

        head_set = set(head.stems)
        n_head = max(len(head_set), 1)
        head_idf = sum(self._idf(t) for t in head_set) or 1.0
        head_bigrams = set(zip(head.stems, head.stems[1:], strict=False))
        inter = head_set & ev["set"]
        related = [
            float(sims.max()), float(sims[order].mean()), float(sims.mean()), float(ev["whole"] @ head_vector),
            float(ev["lead_vec"] @ head_vector), float((sims > 0.4).mean()), float((sims > 0.6).mean()),
            float(order[0] == 0),
            cos(ev["full"]), cos(ev["lead"]), float(tfidf_sims.max()), float(tfidf_sims[tfidf_order].mean()),
            float((tfidf_sims > 0.1).mean()),
            len(inter) / n_head, sum(self._idf(t) for t in inter) / head_idf,
            len(head_set & ev["lead_set"]) / n_head, len(inter) / max(len(head_set | ev["set"]), 1),
            len(head_bigrams & ev["bigrams"]) / max(len(head_bigrams), 1),
            math.log1p(len(head.tokens)), math.log1p(len(body.tokens)),
        ]
        return evidence, related

    def transform(self, pairs: Sequence[tuple[str, str]], cache_dir: str | Path | None = None,
                  store: VectorStore | None = None) -> _Features:
        """Features of many pairs, reading and embedding each distinct headline and evidence once."""
        head_ids: dict[str, int] = {}
        body_ids: dict[str, int] = {}
        for h, b in pairs:
            head_ids.setdefault(h, len(head_ids))
            body_ids.setdefault(b, len(body_ids))
        heads = [_Text.read(h, split=False, stop=self.stop) for h in head_ids]
        bodies = [_Text.read(b, split=True, stop=self.stop) for b in body_ids]
        texts = list(head_ids) + [s for b in bodies for s in b.sentences]
        vectors = embed_texts(texts, cache_dir, store)
        head_vectors = vectors[:len(heads)]
        offset = len(heads)
        evidence_info = []
        for b in bodies:
            evidence_info.append(self._evidence(b, vectors[offset:offset + len(b.sentences)]))
            offset += len(b.sentences)
        head_rows = np.array([self._head(h, v) for h, v in zip(heads, head_vectors, strict=True)],
                             dtype=np.float32).reshape(len(heads), len(HEAD_NAMES))
        head_tfidf = [self._tfidf(h.stems) for h in heads]
        hi = np.array([head_ids[h] for h, _ in pairs], dtype=np.int64)
        evidence = np.zeros((len(pairs), len(EVIDENCE_NAMES)), dtype=np.float32)
        related = np.zeros((len(pairs), len(RELATED_NAMES)), dtype=np.float32)
        done: dict[tuple[int, int], int] = {}  # a pair asked again (copies of one sentence): its first row
        for row, (h, b) in enumerate(pairs):
            i, j = head_ids[h], body_ids[b]
            if (i, j) in done:
                evidence[row], related[row] = evidence[done[(i, j)]], related[done[(i, j)]]
                continue
            done[(i, j)] = row
            evidence[row], related[row] = self._pair(heads[i], head_tfidf[i], head_vectors[i], bodies[j],
                                                     evidence_info[j])
        return _Features(head_rows[hi], evidence, related)
