"""FNC-1 stance data: reading the bodies and stances files, and the body- and story-disjoint
splits that hold part of it out for scoring (``storyledger eval stance``, ``eval track``)."""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np

from .stance import RELATED, STANCES


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
