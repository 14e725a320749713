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

The code is in four modules: this one (the model and its inference), :mod:`.stance_features`
(text, lexicon, embeddings, features), :mod:`.stance_data` (FNC-1 files and splits) and
:mod:`.stance_training`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np

from .stance_features import BLOCKS, PROTOTYPE_KINDS, RESOURCE_DIR, Featurizer, VectorStore, _Features

STANCES = ("agree", "disagree", "discuss", "unrelated")
RELATED = ("agree", "disagree", "discuss")
DEFAULT_MODEL = RESOURCE_DIR / "model.npz"
FORMAT_VERSION = 2


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

    def _proba(self, pairs: Sequence[tuple[str, str]], cache_dir: str | Path | None,
               store: VectorStore | None = None) -> np.ndarray:
        pairs = [(str(h), str(b)) for h, b in pairs]
        if not pairs:
            return np.zeros((0, len(STANCES)))
        return self.proba_of_features(self.featurizer.transform(pairs, cache_dir, store))

    def predict_proba(self, pairs: Sequence[tuple[str, str]], *, cache_dir: str | Path | None = None,
                      store: VectorStore | None = None) -> list[dict[str, float]]:
        """For each (headline/claim, body or sentence) pair, the probability of each of STANCES
        (``cache_dir`` or ``store``: where embeddings are kept between runs, see
        :func:`.stance_features.embed_texts`)."""
        return [dict(zip(STANCES, map(float, row), strict=True)) for row in self._proba(pairs, cache_dir, store)]

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
