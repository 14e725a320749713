"""Stance of a document toward a claim: agree, disagree, discuss or unrelated (the FNC-1 labels).

The model reads a pair (headline or claim, body text) and says whether the body is about the
claim at all (``unrelated`` if not) and, if it is, whether it supports it (``agree``), refutes it
(``disagree``) or reports it without taking a side (``discuss``).

Features (see :class:`Featurizer`), all computed from the two texts alone:

* a bag of words of the headline and of the body: L2-normalised term frequencies over a fixed
  vocabulary of the most frequent training stems (after the UCL FNC-1 baseline);
* relatedness: TF-IDF cosine of headline and body, of headline and the body's lead, of headline
  and its best-matching body sentences; overlap of headline stems and bigrams with the body;
* stance cues: refuting, hedging, confirming and negation words (``resources/stance/lexicon.json``)
  in the headline, the body, its lead and the sentences that best match the headline, and their
  polarity (odd or even number of negations).

An ensemble of three one-hidden-layer networks (trained with PyTorch by :func:`train_stance`,
run here with numpy; their probabilities are averaged) turns them into probabilities for the four
labels.  The label predicted is the one with the highest expected FNC-1 score under those
probabilities (see :func:`decide`), not simply the most probable one: a related label earns 0.25
for "related" even when the exact label is wrong.

The shipped model is ``resources/stance/model.npz`` (arrays only, loaded with
``allow_pickle=False``; bag-of-words tables stored as int8 with a scale per row, about 3 MB),
trained reproducibly (byte-identical file for the same data and seed; about 1.5 minutes on one
core) by::

    python -m storyledger.link.stance train --bodies train_bodies.csv --stances train_stances.csv

By default training holds out a Body-ID-disjoint 20 % of the bodies (seed 0, see
:func:`body_disjoint_split`) so the shipped model can be scored honestly on bodies it never saw;
``--dev-fraction 0`` trains on everything.  ``--split story`` holds out whole stories instead
(:func:`story_disjoint_split`: no headline or body of a held-out story is seen in training), the
split the README's figure comes from.
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
from collections import Counter
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
FORMAT_VERSION = 1

# Training settings (the defaults reproduce the shipped model).
VOCAB_SIZE = 5000      # bag-of-words terms per side
IDF_MIN_DF = 2         # terms seen in fewer training documents get the unseen-term idf
MEMBERS = 3            # networks in the ensemble (different seeds, probabilities averaged)
HIDDEN = 100
DROPOUT = 0.6
EPOCHS = 20
BATCH = 500
LEARNING_RATE = 1e-3
WEIGHT_DECAY = 1e-4
BLOCKS = ("head", "body")   # bags of words: headline, body, "top" (its best-matching sentences)
CUE_WORDS = False      # one feature per lexicon word (headline, body, best-matching sentences)
TOP_SENTENCES = 3      # body sentences that best match the headline, read for stance cues
LEAD_SENTENCES = 2


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
def lexicon() -> dict[str, frozenset[str]]:
    data = json.loads(LEXICON.read_text(encoding="utf-8"))
    return {key: frozenset(value) for key, value in data.items() if isinstance(value, list)}


CUE_LISTS = ("refuting", "hedging", "confirming", "negation")


@dataclass
class _Text:
    """One text, read once: its tokens, content stems and (for bodies) sentences."""

    tokens: list[str]
    stems: list[str]            # content stems (stop words dropped)
    sentence_tokens: list[list[str]]
    sentence_stems: list[list[str]]
    question: bool

    @classmethod
    def read(cls, text: str, *, split: bool, stop: frozenset[str]) -> _Text:
        toks = tokens(text)
        stems = [stem(t) for t in toks if t not in stop]
        sent_tokens: list[list[str]] = []
        sent_stems: list[list[str]] = []
        if split:
            for sentence in sentences(text):
                st = tokens(sentence)
                if st:
                    sent_tokens.append(st)
                    sent_stems.append([stem(t) for t in st if t not in stop])
        if not sent_tokens:
            sent_tokens, sent_stems = [toks], [stems]
        return cls(toks, stems, sent_tokens, sent_stems, "?" in text)


# ---------------------------------------------------------------------------------------------
# Features
# ---------------------------------------------------------------------------------------------

DENSE_NAMES = (
    "cos_full", "cos_lead", "cos_max_sentence", "cos_top_sentences", "share_sentences_related",
    "head_in_body", "head_in_body_idf", "head_in_lead", "jaccard", "bigrams_in_body",
    "log_head_len", "log_body_len", "head_question",
    *(f"{cue}_{where}" for cue in CUE_LISTS for where in ("head", "body", "lead", "top")),
    "head_polarity", "top_polarity", "lead_polarity",
)


class Featurizer:
    """Turns (headline, body) pairs into sparse bag-of-words rows and dense feature rows."""

    def __init__(self, terms: Sequence[str], idf: np.ndarray, vocab_size: int, unseen_idf: float,
                 blocks: Sequence[str] = BLOCKS, cue_words: bool = CUE_WORDS) -> None:
        self.terms = list(terms)
        self.index = {t: i for i, t in enumerate(self.terms)}
        self.idf = np.asarray(idf, dtype=np.float64)
        self.vocab_size = int(vocab_size)   # the first vocab_size terms form the bag of words
        self.unseen_idf = float(unseen_idf)
        lex = lexicon()
        self.stop = lex["stop_words"]
        self.cues = [frozenset(lex[name]) for name in CUE_LISTS]
        self.negation = lex["negation"]
        self.blocks = tuple(blocks)
        self.cue_words = bool(cue_words)
        self.cue_vocab = {w: i for i, w in enumerate(sorted(set().union(*self.cues)))} if cue_words else {}

    @property
    def dense_names(self) -> tuple[str, ...]:
        extra = tuple(f"{where}_{w}" for where in ("head", "body", "top") for w in self.cue_vocab)
        return DENSE_NAMES + extra

    @classmethod
    def fit(cls, headlines: Iterable[str], bodies: Iterable[str], vocab_size: int = VOCAB_SIZE,
            min_df: int = IDF_MIN_DF, blocks: Sequence[str] = BLOCKS, cue_words: bool = CUE_WORDS) -> Featurizer:
        stop = lexicon()["stop_words"]
        df: Counter[str] = Counter()
        tf: Counter[str] = Counter()
        n_docs = 0
        for text in [*headlines, *bodies]:
            stems = [stem(t) for t in tokens(text) if t not in stop]
            tf.update(stems)
            df.update(set(stems))
            n_docs += 1
        kept = [t for t in df if df[t] >= min_df]
        # most frequent first (ties by name, so the vocabulary is reproducible)
        kept.sort(key=lambda t: (-tf[t], t))
        idf = np.array([math.log((1 + n_docs) / (1 + df[t])) + 1 for t in kept])
        unseen = math.log((1 + n_docs) / 2) + 1
        return cls(kept, idf, min(vocab_size, len(kept)), unseen, blocks, cue_words)

    # -- per text ----------------------------------------------------------------------------
    def read(self, text: str, *, body: bool) -> _Text:
        return _Text.read(text, split=body, stop=self.stop)

    def _idf(self, term: str) -> float:
        i = self.index.get(term)
        return self.idf[i] if i is not None else self.unseen_idf

    def _tfidf(self, stems: list[str]) -> dict[str, float]:
        counts = Counter(stems)
        vec = {t: c * self._idf(t) for t, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in vec.values()))
        return {t: v / norm for t, v in vec.items()} if norm else {}

    def bag(self, stems: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """L2-normalised term frequencies over the bag-of-words vocabulary: (indices, values)."""
        counts = Counter(i for i in (self.index.get(t) for t in stems) if i is not None and i < self.vocab_size)
        if not counts:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        idx = np.array(sorted(counts), dtype=np.int64)
        val = np.array([counts[i] for i in idx], dtype=np.float64)
        return idx, (val / np.linalg.norm(val)).astype(np.float32)

    # -- per pair ----------------------------------------------------------------------------
    def dense(self, head: _Text, body: _Text, head_vec: dict[str, float] | None = None,
              body_cache: dict | None = None) -> tuple[np.ndarray, list[int]]:
        """Dense features of one pair, and the indices of its best-matching body sentences."""
        if head_vec is None:
            head_vec = self._tfidf(head.stems)
        if body_cache is None:
            body_cache = self.body_cache(body)
        full_vec, lead_vec, sent_vecs, body_set, body_bigrams, lead_set = (
            body_cache["full"], body_cache["lead"], body_cache["sents"], body_cache["set"],
            body_cache["bigrams"], body_cache["lead_set"])

        def cos(vec: dict[str, float]) -> float:
            return sum(w * vec.get(t, 0.0) for t, w in head_vec.items())

        sent_cos = np.array([cos(v) for v in sent_vecs]) if sent_vecs else np.zeros(1)
        order = np.argsort(-sent_cos, kind="stable")[:TOP_SENTENCES]
        head_set = set(head.stems)
        n_head = max(len(head_set), 1)
        head_idf = sum(self._idf(t) for t in head_set) or 1.0
        head_bigrams = set(zip(head.stems, head.stems[1:], strict=False))
        inter = head_set & body_set
        union = head_set | body_set

        top_tokens = [t for i in order for t in body.sentence_tokens[i]]
        lead_tokens = [t for s in body.sentence_tokens[:LEAD_SENTENCES] for t in s]
        n_body = max(len(body.tokens), 1)

        feats = [
            cos(full_vec), cos(lead_vec), float(sent_cos.max()), float(sent_cos[order].mean()),
            float((sent_cos > 0.1).mean()),
            len(inter) / n_head, sum(self._idf(t) for t in inter) / head_idf,
            len(head_set & lead_set) / n_head, len(inter) / max(len(union), 1),
            len(head_bigrams & body_bigrams) / max(len(head_bigrams), 1),
            math.log1p(len(head.tokens)), math.log1p(len(body.tokens)), float(head.question),
        ]
        for k, cue in enumerate(self.cues):
            feats += [
                float(sum(t in cue for t in head.tokens)),
                10.0 * body_cache["cue_counts"][k] / n_body,
                math.log1p(sum(t in cue for t in lead_tokens)),
                math.log1p(sum(t in cue for t in top_tokens)),
            ]
        neg = self.negation
        feats += [
            float(sum(t in neg for t in head.tokens) % 2),
            float(sum(t in neg for t in top_tokens) % 2),
            float(sum(t in neg for t in lead_tokens) % 2),
        ]
        if self.cue_words:
            k = len(self.cue_vocab)
            extra = np.zeros(3 * k)
            for offset, toks in ((0, head.tokens), (k, body.tokens), (2 * k, top_tokens)):
                for t in toks:
                    j = self.cue_vocab.get(t)
                    if j is not None:
                        extra[offset + j] += 1
            extra[k:2 * k] *= 100.0 / n_body
            feats.extend(np.log1p(extra))
        return np.array(feats, dtype=np.float32), [int(i) for i in order]

    def body_cache(self, body: _Text) -> dict:
        lead = [t for s in body.sentence_stems[:LEAD_SENTENCES] for t in s]
        return {
            "full": self._tfidf(body.stems),
            "lead": self._tfidf(lead),
            "sents": [self._tfidf(s) for s in body.sentence_stems],
            "set": set(body.stems),
            "lead_set": set(lead),
            "bigrams": {b for s in body.sentence_stems for b in zip(s, s[1:], strict=False)},
            "cue_counts": [sum(t in cue for t in body.tokens) for cue in self.cues],
        }

    def transform(self, pairs: Sequence[tuple[str, str]]) -> _Features:
        """Features of many pairs, reading each distinct headline and body once."""
        head_ids: dict[str, int] = {}
        body_ids: dict[str, int] = {}
        for h, b in pairs:
            head_ids.setdefault(h, len(head_ids))
            body_ids.setdefault(b, len(body_ids))
        heads = [self.read(h, body=False) for h in head_ids]
        bodies = [self.read(b, body=True) for b in body_ids]
        head_vecs = [self._tfidf(h.stems) for h in heads]
        body_caches = [self.body_cache(b) for b in bodies]
        hi = np.array([head_ids[h] for h, _ in pairs], dtype=np.int64)
        bi = np.array([body_ids[b] for _, b in pairs], dtype=np.int64)
        dense = np.zeros((len(pairs), len(self.dense_names)), dtype=np.float32)
        top_bags = []
        for row, (h, b) in enumerate(zip(hi, bi, strict=True)):
            dense[row], top = self.dense(heads[h], bodies[b], head_vecs[h], body_caches[b])
            if "top" in self.blocks:
                top_bags.append(self.bag([t for i in top for t in bodies[b].sentence_stems[i]]))
        bags = {}
        if "head" in self.blocks:
            bags["head"] = ([self.bag(h.stems) for h in heads], hi)
        if "body" in self.blocks:
            bags["body"] = ([self.bag(b.stems) for b in bodies], bi)
        if "top" in self.blocks:
            bags["top"] = (top_bags, np.arange(len(pairs), dtype=np.int64))
        return _Features(bags, dense)


class _Features(NamedTuple):
    bags: dict[str, tuple[list[tuple[np.ndarray, np.ndarray]], np.ndarray]]  # block -> (bags, row -> bag)
    dense: np.ndarray


# ---------------------------------------------------------------------------------------------
# Decision
# ---------------------------------------------------------------------------------------------

def decide(proba: np.ndarray) -> np.ndarray:
    """Index of the label with the highest expected FNC-1 score under ``proba`` (rows over STANCES).

    Predicting a related label ``l`` earns 0.25 when the gold is any related label and 0.75 more
    when it is ``l``; predicting unrelated earns 0.25 when the gold is unrelated.
    """
    proba = np.asarray(proba, dtype=np.float64)
    related = proba[:, :3].sum(axis=1, keepdims=True)
    gains = np.concatenate([0.25 * related + 0.75 * proba[:, :3], 0.25 * proba[:, 3:]], axis=1)
    return gains.argmax(axis=1)


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


# ---------------------------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------------------------

class StanceModel:
    """Featurizer + an ensemble of one-hidden-layer networks (probabilities averaged); numpy inference.

    ``weights`` holds ``dense_mean`` and ``dense_scale`` (standardisation of the dense features,
    shared) and, for member ``k`` of the ensemble, ``m{k}_w_dense``, ``m{k}_b1``, ``m{k}_w_out``,
    ``m{k}_b_out`` and one ``m{k}_w_{block}`` table per bag-of-words block.
    """

    def __init__(self, featurizer: Featurizer, weights: dict[str, np.ndarray], *,
                 decision: str = "fnc", meta: dict | None = None) -> None:
        self.featurizer = featurizer
        self.w = {k: np.asarray(v, dtype=np.float32) for k, v in weights.items()}
        self.decision = decision
        self.meta = dict(meta or {})
        self.members = sorted({k.split("_", 1)[0] for k in self.w if k.startswith("m") and "_" in k})
        if not self.members:
            raise ValueError("a stance model needs at least one network")

    # -- persistence -------------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | Path | None = None) -> StanceModel:
        path = Path(path) if path is not None else DEFAULT_MODEL
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
        for key in [k for k in arrays if k.endswith("__q")]:  # int8 rows with a scale per row
            name = key[:-3]
            arrays[name] = arrays.pop(key).astype(np.float32) * arrays.pop(name + "__s")[:, None] / 127.0
        meta = json.loads(str(arrays.pop("meta")))
        if meta.get("format") != FORMAT_VERSION:
            raise ValueError(f"{path}: unsupported stance model format {meta.get('format')!r}")
        featurizer = Featurizer([str(t) for t in arrays.pop("terms")], arrays.pop("idf"),
                                meta["vocab_size"], meta["unseen_idf"], meta["blocks"], meta["cue_words"])
        if tuple(meta.get("dense_names", ())) != featurizer.dense_names:
            raise ValueError(f"{path}: the model was trained with other features than this code computes")
        return cls(featurizer, arrays, decision=meta.get("decision", "fnc"), meta=meta)

    def save(self, path: str | Path) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = {**self.meta, "format": FORMAT_VERSION, "vocab_size": self.featurizer.vocab_size,
                "unseen_idf": self.featurizer.unseen_idf, "decision": self.decision,
                "blocks": list(self.featurizer.blocks), "cue_words": self.featurizer.cue_words,
                "dense_names": list(self.featurizer.dense_names), "labels": list(STANCES)}
        arrays = {}
        for key, value in self.w.items():
            if value.ndim == 2 and value.shape[0] > 1000:  # bag-of-words tables: int8, a scale per row
                scale = np.abs(value).max(axis=1).astype(np.float32)
                safe = np.where(scale > 0, scale, 1.0)[:, None]
                arrays[key + "__q"] = np.round(value / safe * 127.0).astype(np.int8)
                arrays[key + "__s"] = scale
            else:
                arrays[key] = value.astype(np.float32)
        terms = np.array(self.featurizer.terms, dtype=np.str_)
        with open(path, "wb") as fh:
            np.savez_compressed(fh, meta=np.array(json.dumps(meta, sort_keys=True)), terms=terms,
                                idf=self.featurizer.idf.astype(np.float32), **arrays)

    # -- inference ---------------------------------------------------------------------------
    def _logits(self, feats: _Features, member: str) -> np.ndarray:
        w = self.w
        m = member + "_"
        dense = (feats.dense - w["dense_mean"]) / w["dense_scale"]
        z = dense @ w[m + "w_dense"] + w[m + "b1"]
        for name, (bags, index) in feats.bags.items():
            table = w[f"{m}w_{name}"]
            proj = np.stack([vals @ table[idx] if len(idx) else np.zeros(table.shape[1], np.float32)
                             for idx, vals in bags])
            z = z + proj[index]
        hidden = np.maximum(z, 0.0)
        return hidden @ w[m + "w_out"] + w[m + "b_out"]

    def proba_of_features(self, feats: _Features) -> np.ndarray:
        probas = [_softmax(self._logits(feats, m).astype(np.float64)) for m in self.members]
        return np.mean(probas, axis=0)

    def _proba(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        pairs = [(str(h), str(b)) for h, b in pairs]
        if not pairs:
            return np.zeros((0, len(STANCES)))
        return self.proba_of_features(self.featurizer.transform(pairs))

    def predict_proba(self, pairs: Sequence[tuple[str, str]]) -> list[dict[str, float]]:
        """For each (headline/claim, body) pair, the probability of each of STANCES."""
        return [dict(zip(STANCES, map(float, row), strict=True)) for row in self._proba(pairs)]

    def predict(self, pairs: Sequence[tuple[str, str]]) -> list[str]:
        """For each (headline/claim, body) pair, its stance label (one of STANCES)."""
        proba = self._proba(pairs)
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


def story_disjoint_split(rows: Sequence[StanceRow], *, dev_fraction: float = 0.2,
                         seed: int = 0) -> tuple[list[StanceRow], list[StanceRow]]:
    """Split rows so that no story is on both sides (see :func:`story_components`): a headline, its
    related bodies and every headline related to those bodies fall on one side.

    Stories are taken in the order of the SHA-256 of ``"{seed}:{story name}"`` until the dev side
    holds ``dev_fraction`` of the related pairs.  An unrelated pair whose headline and body belong
    to stories on different sides is on neither side (it would show dev text to training)."""
    story = story_components(rows)
    related = Counter(story["b:" + r.body_id] for r in rows if r.stance in RELATED)
    order = sorted(set(story.values()),
                   key=lambda name: hashlib.sha256(f"{seed}:{name}".encode()).hexdigest())
    target = dev_fraction * sum(related.values())
    dev_stories: set[str] = set()
    taken = 0
    for name in order:
        if taken >= target:
            break
        dev_stories.add(name)
        taken += related[name]
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
              hidden: int = HIDDEN, dropout: float = DROPOUT, lr: float = LEARNING_RATE,
              weight_decay: float = WEIGHT_DECAY, vocab_size: int = VOCAB_SIZE, decision: str = "fnc",
              blocks: Sequence[str] = BLOCKS, cue_words: bool = CUE_WORDS, verbose: bool = False) -> StanceModel:
    """Fit the featurizer and ``members`` networks on labelled rows (deterministic with the seed)."""
    t0 = time.time()
    rows = [r for r in rows if r.stance]
    if not rows:
        raise ValueError("no labelled pairs to train on")
    heads = sorted({r.headline for r in rows})
    bodies = sorted({r.body for r in rows})
    featurizer = Featurizer.fit(heads, bodies, vocab_size=vocab_size, blocks=blocks, cue_words=cue_words)
    feats = featurizer.transform([(r.headline, r.body) for r in rows])
    if verbose:
        print(f"features for {len(rows)} pairs in {time.time() - t0:.0f} s", file=sys.stderr)
    y = np.array([STANCES.index(r.stance) for r in rows], dtype=np.int64)
    mean = feats.dense.mean(axis=0)
    scale = feats.dense.std(axis=0)
    scale[scale < 1e-6] = 1.0
    weights = {"dense_mean": mean.astype(np.float32), "dense_scale": scale.astype(np.float32)}
    settings = {"epochs": epochs, "hidden": hidden, "dropout": dropout, "lr": lr, "weight_decay": weight_decay}
    for k in range(members):
        net = _train_network(feats, (feats.dense - mean) / scale, y, featurizer.vocab_size,
                             seed=seed * 1000 + k, verbose=verbose, t0=t0, **settings)
        weights.update({f"m{k}_{name}": value for name, value in net.items()})
    meta = {"seed": seed, "members": members, **settings, "n_train_pairs": len(rows),
            "n_train_bodies": len({r.body_id for r in rows})}
    model = StanceModel(featurizer, weights, decision=decision, meta=meta)
    if verbose:
        print(f"trained in {time.time() - t0:.0f} s", file=sys.stderr)
    return model


def _train_network(feats: _Features, dense: np.ndarray, y: np.ndarray, vocab_size: int, *, seed: int,
                   epochs: int, hidden: int, dropout: float, lr: float, weight_decay: float,
                   verbose: bool = False, t0: float = 0.0) -> dict[str, np.ndarray]:
    """One network, trained with PyTorch on one thread (the same arithmetic, hence the same weights)."""
    import torch  # training only

    torch_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        torch.manual_seed(seed)
        gen = torch.Generator().manual_seed(seed)
        V = vocab_size
        D = dense.shape[1]

        def flat(bags: list[tuple[np.ndarray, np.ndarray]]) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
            return ([torch.from_numpy(i) for i, _ in bags], [torch.from_numpy(v) for _, v in bags])

        blocks = {name: (index, *flat(bags)) for name, (bags, index) in feats.bags.items()}

        class Net(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.bags = torch.nn.ModuleDict({name: torch.nn.EmbeddingBag(V, hidden, mode="sum")
                                                 for name in blocks})
                self.dense = torch.nn.Linear(D, hidden)
                self.out = torch.nn.Linear(hidden, len(STANCES))
                self.drop = torch.nn.Dropout(dropout)
                for emb in self.bags.values():
                    torch.nn.init.uniform_(emb.weight, -1 / math.sqrt(V), 1 / math.sqrt(V))

            def forward(self, bag_inputs, x):
                z = self.dense(x)
                for name, inputs in bag_inputs.items():
                    z = z + self.bags[name](*inputs)
                return self.out(self.drop(torch.relu(z)))

        def bagify(ids: np.ndarray, idx: list, val: list):
            lens = [len(idx[i]) for i in ids]
            offsets = torch.tensor(np.concatenate([[0], np.cumsum(lens)[:-1]]), dtype=torch.long)
            return (torch.cat([idx[i] for i in ids]), offsets, torch.cat([val[i] for i in ids]))

        net = Net()
        opt = torch.optim.Adam(net.parameters(), lr=lr, weight_decay=weight_decay)
        x_all = torch.from_numpy(np.ascontiguousarray(dense, dtype=np.float32))
        y_all = torch.from_numpy(y)
        n = len(y)
        for epoch in range(epochs):
            net.train()
            perm = torch.randperm(n, generator=gen).numpy()
            total = 0.0
            for start in range(0, n, BATCH):
                b = perm[start:start + BATCH]
                bag_inputs = {name: bagify(index[b], idx, val) for name, (index, idx, val) in blocks.items()}
                loss = torch.nn.functional.cross_entropy(net(bag_inputs, x_all[b]), y_all[b])
                opt.zero_grad()
                loss.backward()
                opt.step()
                total += float(loss.detach()) * len(b)
            if verbose and (epoch + 1) % 5 == 0:
                print(f"seed {seed} epoch {epoch + 1}: loss {total / n:.4f} ({time.time() - t0:.0f} s)",
                      file=sys.stderr)
        return {
            **{f"w_{name}": emb.weight.detach().numpy().copy() for name, emb in net.bags.items()},
            "w_dense": net.dense.weight.detach().numpy().T.copy(),
            "b1": net.dense.bias.detach().numpy().copy(),
            "w_out": net.out.weight.detach().numpy().T.copy(),
            "b_out": net.out.bias.detach().numpy().copy(),
        }
    finally:
        torch.set_num_threads(torch_threads)


def train_stance(bodies_csv: str | Path, stances_csv: str | Path, *, out: str | Path | None = None,
                 seed: int = 0, dev_fraction: float = 0.2, split: str = "body",
                 verbose: bool = False) -> StanceModel:
    """Train the stance model from FNC-1 files; save it to ``out`` when given.

    The model is trained on the rows that :func:`split_by` (``split`` "body" or "story", with the
    same seed and ``dev_fraction``) leaves for training, so its held-out part stays unseen;
    ``dev_fraction=0`` trains on every pair.  The same files and seed give the same model.
    """
    rows = read_stances(bodies_csv, stances_csv)
    train_rows, held = (split_by(split, rows, dev_fraction=dev_fraction, seed=seed) if dev_fraction > 0
                        else (rows, []))
    model = fit_model(train_rows, seed=seed, verbose=verbose)
    model.meta.update({"split_seed": seed, "dev_fraction": dev_fraction,
                       "held_out_bodies": len({r.body_id for r in held})})
    if split != "body":  # (the shipped model's meta stays byte-identical to a body-split retraining)
        model.meta["split"] = split
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
    train.add_argument("--dev-fraction", type=float, default=0.2,
                       help="share held out of training (0: train on all)")
    train.add_argument("--split", choices=SPLITS, default="body",
                       help="hold out whole bodies (body) or whole stories (story)")
    predict = sub.add_parser("predict", help="label one headline/claim against one body text")
    predict.add_argument("headline")
    predict.add_argument("body")
    predict.add_argument("--model", default=None)
    args = parser.parse_args(argv)
    if args.command == "train":
        t0 = time.time()
        train_stance(args.bodies, args.stances, out=args.out, seed=args.seed, dev_fraction=args.dev_fraction,
                     split=args.split, verbose=True)
        size = Path(args.out).stat().st_size
        print(f"wrote {args.out} ({size / 1e6:.2f} MB) in {time.time() - t0:.0f} s")
    else:
        model = StanceModel.load(args.model)
        proba = model.predict_proba([(args.headline, args.body)])[0]
        print(json.dumps({"stance": model.predict([(args.headline, args.body)])[0], "proba": proba}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
