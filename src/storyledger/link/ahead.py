"""The texts linking will embed from one document, embedded where the document is extracted.

Embedding is most of linking's cost. What linking embeds from a document is known once the
document is extracted: the propositions of the claims it compares (each document's first claims,
claims about an event family, denials) and the sentences of their evidence, which the stance
model reads when a claim is placed on a thread. Embedding them with the extraction makes that
work part of the map over documents: it runs on the engine's workers (a Dask cluster's too) or,
with one local worker, on a thread of the build's own process beside that worker's parse;
linking then finds every vector in the ledger. Each document's texts are embedded in one call of their own, so a vector
does not depend on which documents shared its batch: every engine stores the same vectors.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from .embeddings import MODEL_NAME, embed, text_hash
from .stance_features import embedded_sentences
from .threads import denial_reason, events_of, is_compared


@dataclass
class DocumentVectors:
    """One document's vectors: each compared claim's (by claim id, with its text's hash), and
    every text embedded (by hash), for the ledger's two embedding tables."""

    doc_id: str
    model: str = MODEL_NAME
    claims: dict[str, tuple[str, np.ndarray]] = field(default_factory=dict)
    texts: dict[str, np.ndarray] = field(default_factory=dict)


def compared_claims(claims: Iterable, cue_of: dict[str | None, str]) -> list:
    """The claims of one document that linking compares (:func:`~storyledger.link.threads.is_compared`).
    (Linking leaves out a denial that only relays another's; its vector is cheap to keep.)"""
    ordered = sorted(claims, key=lambda c: c.start)
    return [c for i, c in enumerate(ordered) if is_compared(
        i, events_of(c.proposition), denial_reason(cue_of.get(c.attribution_id), c.polarity, c.polarity_cue))]


def document_vectors(extraction) -> DocumentVectors:
    """The vectors linking will need from one extracted document
    (a :class:`~storyledger.extract.document.Extraction`)."""
    cue_of = {a.id: a.cue.text for a in extraction.attributions}
    claims = compared_claims(extraction.claims, cue_of)
    texts = list(dict.fromkeys(
        [c.proposition for c in claims] + [s for c in claims for s in embedded_sentences(c.evidence)]))
    result = DocumentVectors(extraction.doc_id)
    if not texts:
        return result
    vectors = dict(zip(texts, embed(texts, single_thread=True), strict=True))  # float32 rows
    result.texts = {text_hash(t): v for t, v in vectors.items()}
    result.claims = {c.id: (text_hash(c.proposition), vectors[c.proposition]) for c in claims}
    return result
