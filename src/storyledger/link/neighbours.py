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

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

WHOLE_SEARCH = 8192  # claims searched all against all; past this, within cells
CELL_CLAIMS = 1024  # claims per k-means centre
CELLS_PER_CLAIM = 2
KMEANS_ROUNDS = 6
ROW_SLICE = 512  # rows of the similarity matrix held at once


Mapper = Callable[[Callable[..., Any], list[tuple]], Iterable[Any]]


def _local_map(fn: Callable[..., Any], arguments: list[tuple]) -> list[Any]:
    return [fn(*args) for args in arguments]


def nearest(matrix: np.ndarray, k: int, mapper: Mapper | None = None
            ) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """For each row ``i`` of ``matrix`` (L2-normalised vectors), ``(i, rows, cosines)`` of up to
    ``k + 1`` rows nearest to it (itself among them, when searched whole), in no set order.
    ``mapper`` runs the search of each cell (an engine's map: on its workers); the results are
    the same wherever it runs."""
    n = len(matrix)
    if n <= WHOLE_SEARCH:
        members, top, sims = search_cell(matrix, np.arange(n), k)
        for row, i in enumerate(members.tolist()):
            yield i, top[row], sims[row]
        return
    best: dict[int, dict[int, float]] = {}
    searched = (mapper or _local_map)(search_cell, [(matrix[members], members, k) for members in cells(matrix)])
    for members, top, sims in searched:
        for row, i in enumerate(members.tolist()):
            best.setdefault(i, {}).update(zip(top[row].tolist(), sims[row].tolist(), strict=True))
    for i in range(n):
        found = sorted(best.get(i, {}).items(), key=lambda kv: (-kv[1], kv[0]))[:k + 1]
        yield i, np.array([j for j, _ in found], dtype=np.int64), np.array([s for _, s in found], dtype=np.float32)


def search_cell(vectors: np.ndarray, members: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``k + 1`` nearest of each of ``members`` (row numbers; ``vectors`` their rows) among
    them: ``(members, their row numbers, cosines)``, one row per member."""
    keep = min(k + 1, len(members))
    tops, sims = [], []
    for start in range(0, len(members), ROW_SLICE):
        block = vectors[start:start + ROW_SLICE] @ vectors.T
        top = np.argpartition(-block, keep - 1, axis=1)[:, :keep] if keep < len(members) \
            else np.broadcast_to(np.arange(len(members)), block.shape)
        tops.append(members[top])
        sims.append(np.take_along_axis(block, top, axis=1))
    return members, np.concatenate(tops), np.concatenate(sims)


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
