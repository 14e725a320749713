"""Retrieval by meaning for the threads a user follows (`storyledger track`).

Every claim's cached embedding is one row of a matrix; a proposition is embedded and compared
with all of them at once (one matrix product per slice of rows), so finding its claims costs a
few milliseconds per thousand claims once the embeddings are cached. No word list or event
family gates the search: a claim is a candidate when its proposition means nearly the same.
The entities the proposition names are soft evidence: a claim that names them (itself or through
its document's main entities) gains a little relevance, one that does not loses none.

A document is on the thread when its closest claim is close enough *and* the stance model,
reading the whole document against the proposition, does not find it unrelated: a claim about
the same people or place often reads close to the proposition while its document tells another
story, and the model weighs the whole text. Its relevance is its best claim's less
``UNRELATED_WEIGHT`` times the model's probability of "unrelated".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from .threads import ClaimRec, Thread

# Chosen on FNC-1 training stories (every headline tracked over 400 bodies of the training side of
# the story-disjoint split, with a stance model trained without those stories), judging each
# placement by whether the body is in the headline's story, over every body of the ledger:
# the best claim alone (weight 0) at 0.45 placed 94.8 % of the story's bodies at 59.9 % precision;
# with the model's weight 1.5, 89.3 % at 82.6 % (weight 1.0: 90.2 % at 80.1 %).
PLACE_SIM = 0.45
UNRELATED_WEIGHT = 1.5
# Relevance a claim gains when it, or its document's main entities, name every entity of the
# proposition (in proportion when it names some of them).
ENTITY_WEIGHT = 0.05
SEARCH_ROWS = 8192  # rows of the claim matrix compared at once: bounds the product's memory

Judge = Callable[[list[str]], list[dict[str, float]]]  # doc ids -> the stance model's probabilities


def search(matrix: np.ndarray, queries: np.ndarray, floor: float) -> list[dict[int, float]]:
    """For each query (a row of ``queries``), the rows of ``matrix`` at least ``floor`` close
    (cosine; both sides L2-normalised), as {row: similarity}."""
    found: list[dict[int, float]] = [{} for _ in range(len(queries))]
    if not len(matrix) or not len(queries):
        return found
    for start in range(0, len(matrix), SEARCH_ROWS):
        block = matrix[start:start + SEARCH_ROWS] @ queries.T
        rows, cols = np.nonzero(block >= floor)
        for row, col in zip(rows.tolist(), cols.tolist(), strict=True):
            found[col][start + row] = float(block[row, col])
    return found


def search_floor() -> float:
    """The least cosine a claim can have and still be placed (with all the entity evidence)."""
    return PLACE_SIM - ENTITY_WEIGHT


def entity_evidence(thread_entities: Sequence[str], c: ClaimRec) -> float:
    """The share of the proposition's entities that the claim or its document's main entities name."""
    if not thread_entities:
        return 0.0
    named = c.entities | c.context
    return sum(e in named for e in thread_entities) / len(thread_entities)


def relevance(similarity: float, thread: Thread, c: ClaimRec) -> float:
    return similarity + ENTITY_WEIGHT * entity_evidence(thread.entities, c)


def _by_document(thread: Thread, claims: Iterable[tuple[ClaimRec, float]]
                 ) -> tuple[dict[str, list[tuple[ClaimRec, float]]], dict[str, float]]:
    by_document: dict[str, list[tuple[ClaimRec, float]]] = defaultdict(list)
    for c, similarity in claims:
        by_document[c.doc_id].append((c, relevance(similarity, thread, c)))
    return by_document, {doc_id: max(r for _, r in found) for doc_id, found in by_document.items()}


def candidate_documents(thread: Thread, claims: Iterable[tuple[ClaimRec, float]]) -> list[str]:
    """The documents whose closest claim is close enough for the model to be asked about them."""
    _, best = _by_document(thread, claims)
    return sorted(doc_id for doc_id, r in best.items() if r >= PLACE_SIM)


def place_retrieved(thread: Thread, claims: Iterable[tuple[ClaimRec, float]],
                    judge: Judge) -> dict[tuple[str, str], float]:
    """The retrieved claims (each with its cosine to the proposition) that are on the thread, with
    their relevance. The documents let on are kept in ``thread.documents`` with the model's
    probabilities for them."""
    by_document, best = _by_document(thread, claims)
    candidates = sorted(doc_id for doc_id, r in best.items() if r >= PLACE_SIM)
    placed: dict[tuple[str, str], float] = {}
    for doc_id, proba in zip(candidates, judge(candidates), strict=True):
        if best[doc_id] - UNRELATED_WEIGHT * proba.get("unrelated", 0.0) >= PLACE_SIM:
            thread.documents[doc_id] = proba
            placed.update((c.key, r) for c, r in by_document[doc_id] if r >= PLACE_SIM)
    return placed
