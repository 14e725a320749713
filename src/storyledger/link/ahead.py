"""The texts linking will embed from one document, embedded where the document is extracted.

Embedding is most of linking's cost. What linking embeds from a document is known once the
document is extracted: the propositions of the claims it compares (each document's first claims,
claims about an event family, denials) and the sentences of their evidence, which the stance
model reads when a claim is placed on a thread. Embedding them with the extraction makes that
work part of the map over documents: it runs on the engine's workers (a Dask cluster's too) or,
with one local worker, in the process that extracts beside the parsing one;
linking then finds every vector in the ledger. A batch's texts are embedded in one call; a
vector does not depend on which texts shared it, so every engine stores the same vectors.
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


def _texts_of(extraction) -> tuple[list, list[str]]:
    """The compared claims of one extracted document and every text linking will embed of it."""
    cue_of = {a.id: a.cue.text for a in extraction.attributions}
    claims = compared_claims(extraction.claims, cue_of)
    texts = list(dict.fromkeys(
        [c.proposition for c in claims] + [s for c in claims for s in embedded_sentences(c.evidence)]))
    return claims, texts


def _vectors_of(doc_id: str, claims: list, texts: list[str], vectors: dict[str, np.ndarray]) -> DocumentVectors:
    return DocumentVectors(doc_id, claims={c.id: (text_hash(c.proposition), vectors[c.proposition]) for c in claims},
                           texts={text_hash(t): vectors[t] for t in texts})


def document_vectors(extraction) -> DocumentVectors:
    """The vectors linking will need from one extracted document
    (a :class:`~storyledger.extract.document.Extraction`)."""
    claims, texts = _texts_of(extraction)
    return _vectors_of(extraction.doc_id, claims, texts,
                       dict(zip(texts, embed(texts, single_thread=True), strict=True)))  # float32 rows


def _alone(extraction) -> DocumentVectors | Exception:
    try:
        return document_vectors(extraction)
    except Exception as error:  # noqa: BLE001 — the caller reports it; linking embeds what is missing
        return error


def batch_vectors(extractions: list) -> list[DocumentVectors | Exception]:
    """:func:`document_vectors` of each document, or the error that kept it from being embedded;
    the batch's texts embedded in one call: sorted by length across the batch, they pad less than
    each document's alone (a third faster), and a text's vector does not depend on which texts
    shared its call (ONNX Runtime gives the same bits; tested). Should that call fail, each
    document is embedded alone, so that one document cannot cost the others their vectors."""
    try:
        wanted = [(e.doc_id, *_texts_of(e)) for e in extractions]
        distinct = list(dict.fromkeys(t for _, _, texts in wanted for t in texts))
        vectors = dict(zip(distinct, embed(distinct, single_thread=True), strict=True))
    except Exception:  # noqa: BLE001 — retried document by document
        return [_alone(e) for e in extractions]
    return [_vectors_of(doc_id, claims, texts, vectors) for doc_id, claims, texts in wanted]
