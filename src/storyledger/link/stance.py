"""Stance of a text toward a claim: agree, disagree, discuss or unrelated (the FNC-1 labels).

The model reads a pair (headline or claim, evidence) and says whether the evidence is about the
claim at all (``unrelated`` if not) and, if it is, whether it supports it (``agree``), refutes it
(``disagree``) or reports it without taking a side (``discuss``).  The evidence is an FNC-1 article
body or, in linking, one claim's sentence: a sentence is read as a body of one sentence, so every
feature below is defined for both (the "best-matching sentences" of a sentence are the sentence).

Why the model is shaped as it is: in FNC-1 the label is the *relation* between the headline's
stance and the body's.  A body that calls a story a hoax *agrees* with the headline "Story X is a
hoax" and *disagrees* with "X happened"; a hedged headline ("X reportedly …", "Did X?") makes most
pairs "discuss".  A network that sees headline and body features side by side learns which words
each story's bodies use, which does not carry to a story it has never seen.  So the model is
factorised (see :class:`StanceModel`):

* the **headline's stance** (asserts / refutes / hedges) from headline features alone: refuting,
  hedging, confirming and negation cue counts (``resources/stance/lexicon.json``), a question mark,
  and the cosine of the headline's MiniLM embedding to short generic refuting, hedging and
  confirming statements (``prototypes`` in the lexicon);
* the **evidence's stance** (asserts / refutes / hedges) from features of the evidence's sentences
  that best match the headline (MiniLM cosine) and of its lead: the same cues, strong refutation
  words ("hoax", "debunked", "not real", …) weighted by how well their sentence matches the
  headline, negation parity, and the cosine of those sentences to the prototypes;
* a learned 3 x 3 table turning the two stances into agree / disagree / discuss (initialised to
  "same stance agrees, opposite stances disagree, a hedge discusses");
* **relatedness** (related or unrelated) from MiniLM cosines between the headline and the
  evidence's sentences and TF-IDF overlaps (cosines, shared stems and bigrams).

Embeddings come from the packaged all-MiniLM-L6-v2 (:mod:`storyledger.link.embeddings`, never
downloaded at run time); each distinct text is embedded once per call and kept in a bounded
in-process cache.  Inference is numpy on the CPU; its cost is the embedding of each new headline
and evidence sentence (a few milliseconds each on an idle core; the rest is about 0.5 ms a pair).

The shipped model is ``resources/stance/model.npz`` (arrays only, loaded with
``allow_pickle=False``; well under 1 MB), rebuilt from FNC-1 by::

    storyledger train stance --bodies train_bodies.csv --stances train_stances.csv

which trains on every pair (add ``--cache-dir DIR`` to keep the 31,000 sentence embeddings it
computes for a rerun).  ``--split story`` (or ``body``) holds out ``--dev-fraction`` (default 0.2)
of the stories (or bodies) instead, for ``storyledger eval stance --split story --model FILE``.
Training is deterministic for the same files, seed and embeddings (PyTorch on one CPU thread).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import re
import sys
import time
import unicodedata
from collections import Counter, OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np

STANCES = ("agree", "disagree", "discuss", "unrelated")
RELATED = ("agree", "disagree", "discuss")
RESOURCE_DIR = Path(__file__).resolve().parents[1] / "resources" / "stance"
DEFAULT_MODEL = RESOURCE_DIR / "model.npz"
LEXICON = RESOURCE_DIR / "lexicon.json"
FORMAT_VERSION = 2

# Training settings (the defaults reproduce the shipped model); chosen by 5-fold cross-validation
# over the stories of the training part of the story-disjoint split, never on its dev part.
IDF_MIN_DF = 2         # terms seen in fewer training documents get the unseen-term idf
MEMBERS = 3            # networks in the ensemble (different seeds, probabilities averaged)
STANCE_KINDS = 3       # latent stances of headline and evidence: asserts, refutes, hedges
RELATED_HIDDEN = 32    # hidden units of the relatedness network
DROPOUT = 0.3
EPOCHS = 30
BATCH = 256
LEARNING_RATE = 3e-3
WEIGHT_DECAY = 1e-3
CLASS_WEIGHT_POWER = 0.5   # loss weight of a label: (largest label count / its count) ** power
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
    return json.loads(LEXICON.read_text(encoding="utf-8"))


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


def embed_texts(texts: Sequence[str], cache_dir: str | Path | None = None) -> np.ndarray:
    """MiniLM vectors (L2-normalised, one row per text) of ``texts``, each distinct text embedded
    once; kept in a bounded in-process cache and, with ``cache_dir``, in files there (training
    embeds some 31,000 FNC-1 sentences: minutes on a CPU)."""
    from .embeddings import MAX_TOKENS, MODEL_NAME, embed, text_hash

    missing = [t for t in dict.fromkeys(texts) if t not in _EMBEDDED]
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
        if cache_file is not None:
            on_disk.update((text_hash(t), found[t]) for t in todo)
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            keys = sorted(on_disk)
            with open(cache_file, "wb") as fh:
                np.savez(fh, keys=np.array(keys), vectors=np.stack([on_disk[k] for k in keys]))
    vectors = {t: _EMBEDDED[t] for t in texts if t in _EMBEDDED}
    vectors.update(found)
    if len(found) <= EMBEDDING_CACHE:
        for t, v in found.items():
            _EMBEDDED[t] = v
        while len(_EMBEDDED) > EMBEDDING_CACHE:
            _EMBEDDED.popitem(last=False)
    for t in vectors:
        if t in _EMBEDDED:
            _EMBEDDED.move_to_end(t)
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    return np.stack([vectors[t] for t in texts]).astype(np.float32)


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
            for sentence in sentences(text):
                st = tokens(sentence)
                if st:
                    sents.append(sentence)
                    sent_tokens.append(st)
                    sent_stems.append([stem(t) for t in st if t not in stop])
        if not sent_tokens:
            sents, sent_tokens, sent_stems = [text], [toks], [stems]
        return cls(text, toks, stems, sents, sent_tokens, sent_stems)


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

    def transform(self, pairs: Sequence[tuple[str, str]], cache_dir: str | Path | None = None) -> _Features:
        """Features of many pairs, reading and embedding each distinct headline and evidence once."""
        head_ids: dict[str, int] = {}
        body_ids: dict[str, int] = {}
        for h, b in pairs:
            head_ids.setdefault(h, len(head_ids))
            body_ids.setdefault(b, len(body_ids))
        heads = [_Text.read(h, split=False, stop=self.stop) for h in head_ids]
        bodies = [_Text.read(b, split=True, stop=self.stop) for b in body_ids]
        texts = list(head_ids) + [s for b in bodies for s in b.sentences]
        vectors = embed_texts(texts, cache_dir)
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
        for row, (h, b) in enumerate(pairs):
            i, j = head_ids[h], body_ids[b]
            evidence[row], related[row] = self._pair(heads[i], head_tfidf[i], head_vectors[i], bodies[j],
                                                     evidence_info[j])
        return _Features(head_rows[hi], evidence, related)


# ---------------------------------------------------------------------------------------------
# Decision
# ---------------------------------------------------------------------------------------------

def decide(proba: np.ndarray) -> np.ndarray:
    """Index of the label with the highest expected FNC-1 score under ``proba`` (rows over STANCES).

    Predicting a related label ``l`` earns 0.25 when the gold is any related label and 0.75 more
    when it is ``l``; predicting unrelated earns 0.25 when the gold is unrelated.  (The model's
    own decision is the most probable label, which linking also takes; this one is for a caller
    who wants the FNC-1 score at the cost of the rare labels.)
    """
    proba = np.asarray(proba, dtype=np.float64)
    related = proba[:, :3].sum(axis=1, keepdims=True)
    gains = np.concatenate([0.25 * related + 0.75 * proba[:, :3], 0.25 * proba[:, 3:]], axis=1)
    return gains.argmax(axis=1)


def _softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    z = z - z.max(axis=axis, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


# ---------------------------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------------------------

class StanceModel:
    """Featurizer + an ensemble of factorised networks (probabilities averaged); numpy inference.

    Each member ``k`` reads the standardised blocks (``{block}_mean``, ``{block}_scale``, shared):
    the headline's stance ``softmax(head @ m{k}_head_w + m{k}_head_b)`` and the evidence's
    ``softmax(evidence @ m{k}_evidence_w + m{k}_evidence_b)`` (asserts / refutes / hedges), combined
    by ``softmax(m{k}_table)`` (3 x 3 x agree/disagree/discuss) into the related labels, and the
    probability of "related" from a one-hidden-layer network over the relatedness block
    (``m{k}_related_w1``, ``_b1``, ``_w2``, ``_b2``).
    """

    def __init__(self, featurizer: Featurizer, weights: dict[str, np.ndarray], *,
                 decision: str = "argmax", meta: dict | None = None) -> None:
        self.featurizer = featurizer
        self.w = {k: np.asarray(v, dtype=np.float32) for k, v in weights.items()}
        self.decision = decision
        self.meta = dict(meta or {})
        self.members = sorted({k.split("_", 1)[0] for k in self.w if re.match(r"m\d+_", k)})
        if not self.members:
            raise ValueError("a stance model needs at least one network")

    # -- persistence -------------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | Path | None = None) -> StanceModel:
        path = Path(path) if path is not None else DEFAULT_MODEL
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
        meta = json.loads(str(arrays.pop("meta")))
        if meta.get("format") != FORMAT_VERSION:
            raise ValueError(f"{path}: unsupported stance model format {meta.get('format')!r}; "
                             f"retrain it with `storyledger train stance`")
        if meta.get("features") != {name: list(names) for name, names in BLOCKS.items()}:
            raise ValueError(f"{path}: the model was trained with other features than this code computes; "
                             f"retrain it with `storyledger train stance`")
        vectors = {kind: arrays.pop(f"prototype_{kind}") for kind in PROTOTYPE_KINDS}
        featurizer = Featurizer([str(t) for t in arrays.pop("terms")], arrays.pop("idf"), meta["unseen_idf"],
                                vectors)
        return cls(featurizer, arrays, decision=meta.get("decision", "argmax"), meta=meta)

    def save(self, path: str | Path) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = {**self.meta, "format": FORMAT_VERSION, "unseen_idf": self.featurizer.unseen_idf,
                "decision": self.decision, "features": {name: list(names) for name, names in BLOCKS.items()},
                "labels": list(STANCES)}
        arrays = {k: v.astype(np.float32) for k, v in self.w.items()}
        arrays.update({f"prototype_{k}": v.astype(np.float32) for k, v in self.featurizer.prototype_vectors.items()})
        with open(path, "wb") as fh:
            np.savez_compressed(fh, meta=np.array(json.dumps(meta, sort_keys=True)),
                                terms=np.array(self.featurizer.terms, dtype=np.str_),
                                idf=self.featurizer.idf.astype(np.float32), **arrays)

    # -- inference ---------------------------------------------------------------------------
    def _standard(self, feats: _Features) -> dict[str, np.ndarray]:
        return {name: ((getattr(feats, name) - self.w[f"{name}_mean"]) / self.w[f"{name}_scale"]).astype(np.float64)
                for name in BLOCKS}

    def _member_proba(self, x: dict[str, np.ndarray], member: str) -> np.ndarray:
        w = {k[len(member) + 1:]: v.astype(np.float64) for k, v in self.w.items() if k.startswith(member + "_")}
        head = _softmax(x["head"] @ w["head_w"] + w["head_b"])
        evidence = _softmax(x["evidence"] @ w["evidence_w"] + w["evidence_b"])
        related_labels = np.einsum("ni,nj,ijk->nk", head, evidence, _softmax(w["table"], axis=2))
        hidden = np.maximum(x["related"] @ w["related_w1"] + w["related_b1"], 0.0)
        related = 1.0 / (1.0 + np.exp(-(hidden @ w["related_w2"] + w["related_b2"])))
        return np.concatenate([related * related_labels, 1.0 - related], axis=1)

    def proba_of_features(self, feats: _Features) -> np.ndarray:
        x = self._standard(feats)
        proba = np.mean([self._member_proba(x, m) for m in self.members], axis=0)
        return proba / proba.sum(axis=1, keepdims=True)

    def _proba(self, pairs: Sequence[tuple[str, str]], cache_dir: str | Path | None) -> np.ndarray:
        pairs = [(str(h), str(b)) for h, b in pairs]
        if not pairs:
            return np.zeros((0, len(STANCES)))
        return self.proba_of_features(self.featurizer.transform(pairs, cache_dir))

    def predict_proba(self, pairs: Sequence[tuple[str, str]], *,
                      cache_dir: str | Path | None = None) -> list[dict[str, float]]:
        """For each (headline/claim, body or sentence) pair, the probability of each of STANCES
        (``cache_dir``: where embeddings are kept between runs, see :func:`embed_texts`)."""
        return [dict(zip(STANCES, map(float, row), strict=True)) for row in self._proba(pairs, cache_dir)]

    def predict(self, pairs: Sequence[tuple[str, str]], *, cache_dir: str | Path | None = None) -> list[str]:
        """For each (headline/claim, body or sentence) pair, its stance label (one of STANCES)."""
        proba = self._proba(pairs, cache_dir)
        if not len(proba):
            return []
        idx = decide(proba) if self.decision == "fnc" else proba.argmax(axis=1)
        return [STANCES[i] for i in idx]


@cache
def default_model() -> StanceModel:
    """The shipped model, loaded once per process."""
    return StanceModel.load()


# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------

class StanceRow(NamedTuple):
    headline: str
    body_id: str
    body: str
    stance: str


def read_bodies(bodies_csv: str | Path) -> dict[str, str]:
    with open(bodies_csv, encoding="utf-8", newline="") as fh:
        return {row["Body ID"].strip(): row["articleBody"] for row in csv.DictReader(fh)}


def read_stances(bodies_csv: str | Path, stances_csv: str | Path) -> list[StanceRow]:
    """The pairs of an FNC-1 stances file joined with their bodies (rows with unknown bodies are an error)."""
    bodies = read_bodies(bodies_csv)
    rows = []
    with open(stances_csv, encoding="utf-8", newline="") as fh:
        for n, row in enumerate(csv.DictReader(fh), start=2):
            body_id = row["Body ID"].strip()
            if body_id not in bodies:
                raise ValueError(f"{stances_csv}:{n}: Body ID {body_id} is not in {bodies_csv}")
            stance = (row.get("Stance") or "").strip().lower()
            if stance and stance not in STANCES:
                raise ValueError(f"{stances_csv}:{n}: unknown stance {stance!r}")
            rows.append(StanceRow(row["Headline"], body_id, bodies[body_id], stance))
    return rows


def split_rows(rows: Sequence[StanceRow], *, dev_fraction: float = 0.2,
               seed: int = 0) -> tuple[list[StanceRow], list[StanceRow]]:
    """Split rows so that no Body ID is on both sides; ``dev_fraction`` of the bodies are held out."""
    ids = sorted({r.body_id for r in rows}, key=lambda x: (len(x), x))
    rng = np.random.default_rng(seed)
    n_dev = int(round(dev_fraction * len(ids)))
    held = {ids[i] for i in rng.permutation(len(ids))[:n_dev]}
    return [r for r in rows if r.body_id not in held], [r for r in rows if r.body_id in held]


def body_disjoint_split(bodies_csv: str | Path, stances_csv: str | Path, *, dev_fraction: float = 0.2,
                        seed: int = 0) -> tuple[list[StanceRow], list[StanceRow]]:
    """(train_rows, dev_rows) of an FNC-1 stances file, split by Body ID (deterministic with the seed)."""
    return split_rows(read_stances(bodies_csv, stances_csv), dev_fraction=dev_fraction, seed=seed)


def story_components(rows: Sequence[StanceRow]) -> dict[str, str]:
    """Each headline (``"h:" + headline``) and body (``"b:" + Body ID``) mapped to its story: the
    connected component of the graph whose edges are the related pairs (agree, disagree, discuss).
    A story is named by its smallest node, so the names do not depend on the order of the rows."""
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for r in rows:
        head, body = find("h:" + r.headline), find("b:" + r.body_id)
        if r.stance in RELATED and head != body:
            parent[max(head, body)] = min(head, body)
    return {node: find(node) for node in list(parent)}


def first_stories(weights: dict[str, float], target: float, salt: str) -> set[str]:
    """Stories taken in the order of the SHA-256 of ``salt + name`` until their weights reach
    ``target``: a fixed, reproducible choice of whole stories."""
    order = sorted(weights, key=lambda name: hashlib.sha256(f"{salt}{name}".encode()).hexdigest())
    chosen: set[str] = set()
    taken = 0.0
    for name in order:
        if taken >= target:
            break
        chosen.add(name)
        taken += weights[name]
    return chosen


def story_disjoint_split(rows: Sequence[StanceRow], *, dev_fraction: float = 0.2,
                         seed: int = 0) -> tuple[list[StanceRow], list[StanceRow]]:
    """Split rows so that no story is on both sides (see :func:`story_components`): a headline, its
    related bodies and every headline related to those bodies fall on one side.

    Stories are taken in the order of the SHA-256 of ``"{seed}:{story name}"`` until the dev side
    holds ``dev_fraction`` of the related pairs.  An unrelated pair whose headline and body belong
    to stories on different sides is on neither side (it would show dev text to training)."""
    story = story_components(rows)
    related = Counter(story["b:" + r.body_id] for r in rows if r.stance in RELATED)
    dev_stories = first_stories({name: related[name] for name in set(story.values())},
                                dev_fraction * sum(related.values()), f"{seed}:")
    train, dev = [], []
    for r in rows:
        head_dev = story["h:" + r.headline] in dev_stories
        if head_dev == (story["b:" + r.body_id] in dev_stories):
            (dev if head_dev else train).append(r)
    return train, dev


SPLITS = ("body", "story")


def split_by(kind: str, rows: Sequence[StanceRow], *, dev_fraction: float = 0.2,
             seed: int = 0) -> tuple[list[StanceRow], list[StanceRow]]:
    """(train_rows, dev_rows): ``kind`` "body" splits by Body ID, "story" by story (see above)."""
    if kind == "body":
        return split_rows(rows, dev_fraction=dev_fraction, seed=seed)
    if kind == "story":
        return story_disjoint_split(rows, dev_fraction=dev_fraction, seed=seed)
    raise ValueError(f"unknown split {kind!r}; choose one of {', '.join(SPLITS)}")


# ---------------------------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------------------------

def fit_model(rows: Sequence[StanceRow], *, seed: int = 0, members: int = MEMBERS, epochs: int = EPOCHS,
              cache_dir: str | Path | None = None, verbose: bool = False) -> StanceModel:
    """Fit the featurizer and ``members`` networks on labelled rows (deterministic with the seed
    and the embeddings)."""
    t0 = time.time()
    rows = [r for r in rows if r.stance]
    if not rows:
        raise ValueError("no labelled pairs to train on")
    featurizer = Featurizer.fit(sorted({r.headline for r in rows}), sorted({r.body for r in rows}),
                                cache_dir=cache_dir)
    feats = featurizer.transform([(r.headline, r.body) for r in rows], cache_dir=cache_dir)
    if verbose:
        print(f"features of {len(rows)} pairs in {time.time() - t0:.0f} s", file=sys.stderr)
    y = np.array([STANCES.index(r.stance) for r in rows], dtype=np.int64)
    weights: dict[str, np.ndarray] = {}
    blocks = {}
    for name in BLOCKS:
        block = getattr(feats, name)
        mean, scale = block.mean(axis=0), block.std(axis=0)
        scale[scale < 1e-6] = 1.0
        weights[f"{name}_mean"], weights[f"{name}_scale"] = mean.astype(np.float32), scale.astype(np.float32)
        blocks[name] = ((block - mean) / scale).astype(np.float32)
    for k in range(members):
        net = _train_network(blocks, y, seed=seed * 1000 + k, epochs=epochs)
        weights.update({f"m{k}_{name}": value for name, value in net.items()})
        if verbose:
            print(f"network {k + 1} of {members} trained ({time.time() - t0:.0f} s)", file=sys.stderr)
    meta = {"seed": seed, "members": members, "epochs": epochs, "n_train_pairs": len(rows),
            "n_train_bodies": len({r.body_id for r in rows}),
            "label_counts": dict(Counter(r.stance for r in rows))}
    return StanceModel(featurizer, weights, meta=meta)


def _train_network(blocks: dict[str, np.ndarray], y: np.ndarray, *, seed: int, epochs: int) -> dict[str, np.ndarray]:
    """One factorised network (see :class:`StanceModel`), trained with PyTorch on one CPU thread
    (the same arithmetic every run, hence the same weights)."""
    import torch  # training only: it comes with sentence-transformers

    torch_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        torch.manual_seed(seed)
        gen = torch.Generator().manual_seed(seed)
        k = STANCE_KINDS

        class Net(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.head = torch.nn.Linear(blocks["head"].shape[1], k)
                self.evidence = torch.nn.Linear(blocks["evidence"].shape[1], k)
                self.related1 = torch.nn.Linear(blocks["related"].shape[1], RELATED_HIDDEN)
                self.related2 = torch.nn.Linear(RELATED_HIDDEN, 1)
                self.drop = torch.nn.Dropout(DROPOUT)
                # asserts (0), refutes (1), hedges (2); labels agree, disagree, discuss: the same
                # stance agrees, opposite ones disagree, anything else discusses
                table = torch.full((k, k, 3), -2.0)
                table[:, :, 2] = 0.0
                table[0, 0, 0] = table[1, 1, 0] = table[0, 1, 1] = table[1, 0, 1] = 2.0
                self.table = torch.nn.Parameter(table)

            def forward(self, head, evidence, related):
                ph = torch.softmax(self.head(self.drop(head)), 1)
                pe = torch.softmax(self.evidence(self.drop(evidence)), 1)
                labels = torch.einsum("ni,nj,ijk->nk", ph, pe, torch.softmax(self.table, 2))
                rel = torch.sigmoid(self.related2(torch.relu(self.related1(related))))
                return torch.cat([rel * labels, 1 - rel], 1).clamp_min(1e-7)

        net = Net()
        opt = torch.optim.AdamW(net.parameters(), lr=LEARNING_RATE, weight_decay=WEIGHT_DECAY)
        x = {name: torch.from_numpy(np.ascontiguousarray(block)) for name, block in blocks.items()}
        y_all = torch.from_numpy(y)
        counts = np.bincount(y, minlength=len(STANCES)).astype(np.float64)
        class_weight = torch.tensor((counts.max() / np.maximum(counts, 1)) ** CLASS_WEIGHT_POWER,
                                    dtype=torch.float32)
        n = len(y)
        for _ in range(epochs):
            net.train()
            perm = torch.randperm(n, generator=gen)
            for start in range(0, n, BATCH):
                b = perm[start:start + BATCH]
                proba = net(x["head"][b], x["evidence"][b], x["related"][b])
                loss = torch.nn.functional.nll_loss(torch.log(proba), y_all[b], weight=class_weight)
                opt.zero_grad()
                loss.backward()
                opt.step()

        def array(t: torch.Tensor) -> np.ndarray:
            return t.detach().numpy().copy()

        return {
            "head_w": array(net.head.weight.T), "head_b": array(net.head.bias),
            "evidence_w": array(net.evidence.weight.T), "evidence_b": array(net.evidence.bias),
            "related_w1": array(net.related1.weight.T), "related_b1": array(net.related1.bias),
            "related_w2": array(net.related2.weight.T), "related_b2": array(net.related2.bias),
            "table": array(net.table),
        }
    finally:
        torch.set_num_threads(torch_threads)


def train_stance(bodies_csv: str | Path, stances_csv: str | Path, *, out: str | Path | None = None,
                 seed: int = 0, dev_fraction: float = 0.2, split: str | None = None,
                 cache_dir: str | Path | None = None, verbose: bool = False) -> StanceModel:
    """Train the stance model from FNC-1 files; save it to ``out`` when given.

    With ``split`` ("body" or "story") the model is trained on the rows that :func:`split_by` (with
    the same seed and ``dev_fraction``) leaves for training, so its held-out part stays unseen;
    without it (the shipped model) on every pair.  The same files and seed give the same model.
    """
    rows = read_stances(bodies_csv, stances_csv)
    if split and dev_fraction > 0:
        train_rows, held = split_by(split, rows, dev_fraction=dev_fraction, seed=seed)
    else:
        train_rows, held = rows, []
    model = fit_model(train_rows, seed=seed, cache_dir=cache_dir, verbose=verbose)
    if held:
        model.meta.update({"split": split, "split_seed": seed, "dev_fraction": dev_fraction,
                           "held_out_bodies": len({r.body_id for r in held})})
    else:
        model.meta.update({"split": "none", "dev_fraction": 0.0})
    if out is not None:
        model.save(out)
    return model


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m storyledger.link.stance", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    train = sub.add_parser("train", help="train the stance model from FNC-1 files")
    train.add_argument("--bodies", required=True, help="FNC-1 bodies CSV (Body ID, articleBody)")
    train.add_argument("--stances", required=True, help="FNC-1 stances CSV (Headline, Body ID, Stance)")
    train.add_argument("--out", default=str(DEFAULT_MODEL), help="where to write the model (.npz)")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--split", choices=SPLITS, help="hold out whole bodies (body) or whole stories (story)")
    train.add_argument("--dev-fraction", type=float, default=0.2, help="share held out with --split")
    train.add_argument("--cache-dir", help="keep the sentence embeddings here for the next run")
    predict = sub.add_parser("predict", help="label one headline/claim against one body text or sentence")
    predict.add_argument("headline")
    predict.add_argument("body")
    predict.add_argument("--model", default=None)
    args = parser.parse_args(argv)
    if args.command == "train":
        t0 = time.time()
        train_stance(args.bodies, args.stances, out=args.out, seed=args.seed, dev_fraction=args.dev_fraction,
                     split=args.split, cache_dir=args.cache_dir, verbose=True)
        size = Path(args.out).stat().st_size
        print(f"wrote {args.out} ({size / 1e6:.2f} MB) in {time.time() - t0:.0f} s")
    else:
        model = StanceModel.load(args.model)
        proba = model.predict_proba([(args.headline, args.body)])[0]
        print(json.dumps({"stance": model.predict([(args.headline, args.body)])[0], "proba": proba}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
