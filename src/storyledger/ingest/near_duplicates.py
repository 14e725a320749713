"""Near-duplicates: MinHash LSH over word shingles groups syndicated and repeated copies.

A document whose text is close enough to one already in the ledger points at that earlier
document as its canonical copy (``duplicate_of``), so one wire story is counted once.
"""

from __future__ import annotations

import re

import numpy as np
from datasketch import MinHash, MinHashLSH

NUM_PERM = 128
SHINGLE_WORDS = 3
# Jaccard similarity of word 3-shingles above which two texts are copies of one story: wire
# copies differ by a headline, a dateline or a trimmed closing paragraph, not by reporting.
THRESHOLD = 0.7
SEED = 1
SCHEME = "affine32"  # stored signatures must be read back with the scheme that made them

_WORD = re.compile(r"\w+", re.UNICODE)


def signature(text: str) -> MinHash:
    words = _WORD.findall(text.casefold())
    if len(words) < SHINGLE_WORDS:
        shingles = {" ".join(words)}
    else:
        shingles = {" ".join(words[i:i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)
    minhash.update_batch([s.encode("utf-8") for s in shingles])
    return minhash


def to_bytes(minhash: MinHash) -> bytes:
    return minhash.hashvalues.astype(np.uint64).tobytes()


def from_bytes(data: bytes) -> MinHash:
    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME,
                   hashvalues=np.frombuffer(data, dtype=np.uint64))


class NearDuplicateIndex:
    """The canonical documents seen so far, searchable for near-copies."""

    def __init__(self, threshold: float = THRESHOLD) -> None:
        self.threshold = threshold
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self._signatures: dict[str, MinHash] = {}

    def add(self, doc_id: str, minhash: MinHash) -> None:
        if doc_id not in self._signatures:
            self._lsh.insert(doc_id, minhash)
            self._signatures[doc_id] = minhash

    def canonical_for(self, minhash: MinHash) -> str | None:
        """The most similar canonical document at or above the threshold, if any."""
        best, best_score = None, self.threshold
        for candidate in sorted(self._lsh.query(minhash)):
            score = self._signatures[candidate].jaccard(minhash)
            if score >= best_score:
                best, best_score = candidate, score
        return best
