"""Embeddings of texts kept in the ledger between runs, keyed by the text's hash.

Linking embeds three kinds of text: claims' propositions (kept per claim in ``claim_embeddings``),
the propositions a user tracks, and the sentences of the documents the stance model reads (a
document is judged against every thread a user follows). The last two are kept here, in
``text_embeddings``, so that tracking a proposition over a ledger whose documents were read
before embeds only the proposition: the same document sentence, read for another proposition or
in another run, is never embedded twice. The hash names the model and its token window
(:func:`storyledger.link.embeddings.text_hash`), so another model never reads these vectors.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..store.ledger import Ledger
from .embeddings import MODEL_NAME

LOOKUP_BATCH = 500  # hashes asked for in one query (SQLite binds at most 32,766 values)


class LedgerTextVectors:
    """Vectors of texts read from and written to a ledger's ``text_embeddings`` table. New ones
    are held until :meth:`flush` writes them in one transaction."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.new: dict[str, np.ndarray] = {}

    def load(self, hashes: Iterable[str]) -> dict[str, np.ndarray]:
        """The stored vectors of those ``hashes`` that have one."""
        wanted = list(dict.fromkeys(hashes))
        found = {h: self.new[h] for h in wanted if h in self.new}
        rest = [h for h in wanted if h not in found]
        for start in range(0, len(rest), LOOKUP_BATCH):
            part = rest[start:start + LOOKUP_BATCH]
            marks = ", ".join("?" * len(part))
            for digest, blob in self.ledger.db.execute(
                    f"SELECT text_hash, vector FROM text_embeddings WHERE model = ? AND text_hash IN ({marks})",  # noqa: S608 - only placeholders
                    (MODEL_NAME, *part)):
                found[digest] = np.frombuffer(blob, dtype=np.float32)
        return found

    def save(self, vectors: dict[str, np.ndarray]) -> None:
        """Hold new vectors (by hash) for :meth:`flush`."""
        self.new.update(vectors)

    def flush(self) -> int:
        """Write the held vectors; how many."""
        if not self.new:
            return 0
        rows = [(digest, MODEL_NAME, np.asarray(v, dtype=np.float32).tobytes()) for digest, v in self.new.items()]
        with self.ledger.transaction() as db:
            db.executemany("INSERT OR IGNORE INTO text_embeddings (text_hash, model, vector) VALUES (?, ?, ?)", rows)
        self.new = {}
        return len(rows)
