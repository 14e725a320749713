"""Each claim's nearest neighbours by meaning, found within blocks so that the work per claim stays
flat as the corpus grows.

A block of claims up to ``WHOLE_SEARCH`` is searched whole: every claim against every other, in
slices of rows. A larger one is first cut into cells by meaning: spherical k-means with about
``CELL_CLAIMS`` claims per centre, started from evenly spaced claims (no randomness, so every
run and every machine cuts the same cells). Each claim belongs to its ``CELLS_PER_CLAIM``
nearest cells, and its neighbours are sought among the claims sharing a cell with it: two claims
close enough to join a thread nearly always share one of their nearest cells. Each cell's search
is independent of the others' (a map over cells, merged per claim), and the work per claim is
bounded by the cells' size, not the corpus's.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

WHOLE_SEARCH = 8192  # claims searched all against all; past this, within cells
CELL_CLAIMS = 1024  # claims per k-means centre
CELLS_PER_CLAIM = 2
KMEANS_ROUNDS = 6
ROW_SLICE = 512  # rows of the similarity matrix held at once


def nearest(matrix: np.ndarray, k: int) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """For each row ``i`` of ``matrix`` (L2-normalised vectors), ``(i, rows, cosines)`` of up to
    ``k + 1`` rows nearest to it (itself among them, when searched whole), in no set order."""
    n = len(matrix)
    if n <= WHOLE_SEARCH:
        yield from _search(matrix, np.arange(n), k)
        return
    best: dict[int, dict[int, float]] = {}
    for members in cells(matrix):
        for i, rows, sims in _search(matrix, members, k):
            found = best.setdefault(i, {})
            found.update(zip(rows.tolist(), sims.tolist(), strict=True))
    for i in range(n):
        found = best.get(i, {})
        top = sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))[:k + 1]
        yield i, np.array([j for j, _ in top], dtype=np.int64), np.array([s for _, s in top], dtype=np.float32)


def _search(matrix: np.ndarray, members: np.ndarray, k: int) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """Nearest neighbours of each of ``members`` among ``members``."""
    sub = matrix[members]
    keep = min(k + 1, len(members))
    for start in range(0, len(members), ROW_SLICE):
        block = sub[start:start + ROW_SLICE] @ sub.T
        for row, sims in enumerate(block):
            top = np.argpartition(-sims, keep - 1)[:keep] if keep < len(members) else np.arange(len(members))
            yield int(members[start + row]), members[top], sims[top]


def cells(matrix: np.ndarray) -> list[np.ndarray]:
    """The members (row numbers) of each cell: each row is in its ``CELLS_PER_CLAIM`` nearest."""
    n = len(matrix)
    count = max(2, -(-n // CELL_CLAIMS))
    centres = matrix[np.linspace(0, n - 1, count).astype(np.int64)].copy()
    for _ in range(KMEANS_ROUNDS):
        nearest_centre = _argmax_rows(matrix, centres)
        for c in range(count):
            rows = matrix[nearest_centre == c]
            if len(rows):
                mean = rows.sum(axis=0)
                centres[c] = mean / (np.linalg.norm(mean) or 1.0)
    per_claim = min(CELLS_PER_CLAIM, count)
    member_lists: list[list[np.ndarray]] = [[] for _ in range(count)]
    for start in range(0, n, ROW_SLICE):
        sims = matrix[start:start + ROW_SLICE] @ centres.T
        top = np.argpartition(-sims, per_claim - 1, axis=1)[:, :per_claim]
        for c in range(count):
            member_lists[c].append(start + np.flatnonzero((top == c).any(axis=1)))
    return [np.concatenate(parts) for parts in member_lists if sum(len(p) for p in parts)]


def _argmax_rows(matrix: np.ndarray, centres: np.ndarray) -> np.ndarray:
    return np.concatenate([np.argmax(matrix[s:s + ROW_SLICE] @ centres.T, axis=1)
                           for s in range(0, len(matrix), ROW_SLICE)])
