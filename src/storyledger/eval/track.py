"""Score `storyledger track` and the automatic threads on FNC-1 files.

FNC-1 pairs headlines with article bodies; a headline and a body are *related* (agree, disagree,
discuss) when the body is about the headline's claim. Each headline is a proposition a reader
could follow with ``storyledger track``, and its related bodies are the articles that track
should place on its thread.

The scorer builds a ledger of the bodies (one document per body), tracks every headline in one
relink (``track --file``), and scores each (headline, body) pair of the stances file:

* **retrieval**: the pair is *placed* when any claim of the body is on the headline's thread;
  precision and recall of placement against the related pairs, over all pairs and per headline;
* **stance**: the body's stance on the thread (supports → agree, denies → disagree, discusses →
  discuss; not placed → unrelated) against the gold label: accuracy, macro-F1 and the FNC-1
  score over the four labels (:func:`storyledger.eval.stance.fnc_score`), and the accuracy over
  the related pairs alone, an unplaced body counting as "discuss" (the figure of the story-layer
  issue), beside two references: always "agree", and the stance model given the gold related
  pairs (headline, whole body) and asked which related label fits best.

:func:`score_threads` scores the automatic threads against the stories of the file (the bodies
related to one headline, joined through shared bodies: :func:`storyledger.link.stance_data.story_components`):
each body goes to the thread holding most of its claims (none: a cluster of its own), and
B-cubed precision, recall and F1 are taken over the bodies.

Which pairs: ``part="dev"`` scores the held-out side of :func:`storyledger.link.stance_data.split_by`
(``split="story"`` by default: no headline or body of a held-out story was seen when the linking
thresholds were chosen); ``part="train"`` scores the training side, where thresholds are tuned,
usually on a sample of whole stories (``sample_bodies``) to keep the ledger small.
"""

from __future__ import annotations

import csv
import hashlib
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .stance import RELATED, fnc_score

STANCE_LABEL = {"supports": "agree", "denies": "disagree", "discusses": "discuss"}
PARTS = ("dev", "train", "all")


def select_rows(bodies_csv: str | Path, stances_csv: str | Path, *, split: str = "story", part: str = "dev",
                dev_fraction: float = 0.2, seed: int = 0, sample_bodies: int | None = None) -> list[Any]:
    """The labelled pairs to score: one side of the split (or all of the file), optionally cut to
    whole stories holding about ``sample_bodies`` bodies."""
    from ..link.stance_data import read_stances, split_by

    rows = [r for r in read_stances(bodies_csv, stances_csv) if r.stance]
    if part not in PARTS:
        raise ValueError(f"unknown part {part!r}; choose one of {', '.join(PARTS)}")
    if part != "all":
        train, dev = split_by(split, rows, dev_fraction=dev_fraction, seed=seed)
        rows = dev if part == "dev" else train
    if sample_bodies:
        rows = sample_stories(rows, sample_bodies, seed=seed)
    if not rows:
        raise ValueError(f"{stances_csv}: no labelled pairs in part {part!r}")
    return rows


def sample_stories(rows: Sequence[Any], bodies: int, *, seed: int = 0) -> list[Any]:
    """Whole stories, taken in the order of a hash of their names, until they hold ``bodies``
    bodies; the pairs whose headline and body both fall in them."""
    from ..link.stance_data import first_stories, story_components

    story = story_components(rows)
    members: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        members[story["b:" + r.body_id]].add(r.body_id)
    chosen = first_stories({name: len(ids) for name, ids in members.items()}, bodies, f"sample:{seed}:")
    return [r for r in rows if story["h:" + r.headline] in chosen and story["b:" + r.body_id] in chosen]


# -- the ledger --------------------------------------------------------------------------------

def ledger_of_bodies(rows: Sequence[Any], db_path: str | Path, *, quiet: bool = True) -> tuple[Path, bool]:
    """A ledger holding one document per body of ``rows`` at ``db_path``: reused when it already
    holds exactly these bodies, else built afresh. Returns the path and whether it was built."""
    from ..ingest.readers import ReadOptions
    from ..pipeline import build
    from ..store.ledger import open_ledger

    path = Path(db_path)
    wanted = {r.body_id for r in rows}
    if path.exists():
        with open_ledger(str(path), readonly=True) as ledger:
            if set(_body_documents(ledger)) == wanted:
                return path, False
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    bodies = {r.body_id: r.body for r in rows}
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "bodies.csv"
        with source.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["Body ID", "articleBody"])
            for body_id in sorted(bodies, key=lambda b: (len(b), b)):
                writer.writerow([body_id, bodies[body_id]])
        with open_ledger(str(path), readonly=False) as ledger:
            report = build([str(source)], ledger, ReadOptions(field_map={"id": "Body ID", "text": "articleBody"}))
    if report.problems and not quiet:
        for problem in report.problems:
            print(problem, file=sys.stderr)
    return path, True


def _body_documents(ledger: Any) -> dict[str, str]:
    """Each body's canonical document (a near-duplicate body answers for its canonical copy)."""
    out = {}
    for body_id, doc_id, duplicate_of in ledger.db.execute(
            "SELECT r.external_id, d.id, d.duplicate_of FROM document_records r JOIN documents d ON d.id = r.doc_id "
            "WHERE r.external_id IS NOT NULL"):
        out[str(body_id)] = duplicate_of or doc_id
    return out


# -- scoring -----------------------------------------------------------------------------------

def score_track(rows: Sequence[Any], stance_of: dict[tuple[str, str], str | None],
                model_related: dict[tuple[str, str], str] | None = None) -> dict[str, Any]:
    """Score placements and stances. ``stance_of[(headline, body_id)]`` is the body's stance on the
    headline's thread (supports / denies / discusses), None when it is not placed;
    ``model_related`` the stance model's related label for each gold related pair (a reference)."""
    tp = fp = fn = 0
    per_headline: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    gold, pred = [], []
    related_gold, related_pred = [], []
    for r in rows:
        stance = stance_of.get((r.headline, r.body_id))
        placed, related = stance is not None, r.stance in RELATED
        tp += placed and related
        fp += placed and not related
        fn += related and not placed
        if related:
            per_headline[r.headline][0] += 1
            per_headline[r.headline][1] += placed
        label = STANCE_LABEL.get(stance or "", "unrelated")
        gold.append(r.stance)
        pred.append(label)
        if related:
            related_gold.append(r.stance)
            related_pred.append("discuss" if label == "unrelated" else label)
    shares = [placed / n for n, placed in per_headline.values() if n]
    result: dict[str, Any] = {
        "pairs": len(rows), "related": tp + fn, "placed": tp + fp,
        "headlines": len({r.headline for r in rows}), "bodies": len({r.body_id for r in rows}),
        "recall": tp / (tp + fn) if tp + fn else 0.0,
        "precision": tp / (tp + fp) if tp + fp else 0.0,
        "recall_per_headline": sum(shares) / len(shares) if shares else 0.0,
        "stance": fnc_score(gold, pred),
        "related_accuracy": _accuracy(related_gold, related_pred),
        "related_always_agree": _accuracy(related_gold, ["agree"] * len(related_gold)),
    }
    result["f1"] = (2 * result["precision"] * result["recall"] / (result["precision"] + result["recall"])
                    if result["precision"] + result["recall"] else 0.0)
    if model_related is not None:
        result["related_model_given_pairs"] = _accuracy(
            related_gold, [model_related[(r.headline, r.body_id)] for r in rows if r.stance in RELATED])
    return result


def story_precision(rows: Sequence[Any], documents: dict[str, str], on_thread: set[tuple[str, str]],
                    thread_ids: dict[str, str]) -> dict[str, Any]:
    """Placement judged over every body of the ledger, not only the pairs of the file: a body
    placed on a headline's thread is right when it belongs to the headline's story (the bodies
    related to it, joined through shared bodies and headlines), wrong otherwise. Bodies of one
    story that the file never pairs with the headline are judged too, so this is the precision a
    reader sees on a thread."""
    from ..link.stance_data import story_components

    story = story_components(rows)
    bodies_of: dict[str, list[str]] = defaultdict(list)
    for body_id, doc_id in documents.items():
        if "b:" + body_id in story:
            bodies_of[doc_id].append(body_id)
    right = wrong = 0
    for headline, thread_id in thread_ids.items():
        mine = story.get("h:" + headline)
        for doc_id, bodies in bodies_of.items():
            if (thread_id, doc_id) in on_thread:
                if any(story["b:" + b] == mine for b in bodies):
                    right += 1
                else:
                    wrong += 1
    return {"placed_in_ledger": right + wrong,
            "precision_by_story": right / (right + wrong) if right + wrong else 0.0}


def _accuracy(gold: Sequence[str], pred: Sequence[str]) -> float:
    return sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold) if gold else 0.0


def model_on_related_pairs(rows: Sequence[Any], model: Any) -> dict[tuple[str, str], str]:
    """The stance model's best related label (agree, disagree or discuss) for each gold related pair."""
    related = [r for r in rows if r.stance in RELATED]
    probabilities = model.predict_proba([(r.headline, r.body) for r in related])
    return {(r.headline, r.body_id): max(RELATED, key=lambda k, p=p: (p[k], k))
            for r, p in zip(related, probabilities, strict=True)}


def bcubed(assigned: dict[str, str], gold: dict[str, str]) -> dict[str, float]:
    """B-cubed precision, recall and F1 of a clustering ``assigned`` (item → cluster) against
    ``gold`` (item → class), over the items of ``gold``; an item missing from ``assigned`` is a
    cluster of its own."""
    items = sorted(gold)
    cluster = {i: assigned.get(i, "\0" + i) for i in items}
    by_cluster: dict[str, list[str]] = defaultdict(list)
    by_class: dict[str, list[str]] = defaultdict(list)
    for i in items:
        by_cluster[cluster[i]].append(i)
        by_class[gold[i]].append(i)
    precision = recall = 0.0
    for i in items:
        same_cluster = by_cluster[cluster[i]]
        same_class = by_class[gold[i]]
        both = sum(gold[j] == gold[i] for j in same_cluster)
        precision += both / len(same_cluster)
        recall += both / len(same_class)
    n = len(items) or 1
    precision, recall = precision / n, recall / n
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def score_threads(rows: Sequence[Any], thread_of_body: dict[str, str]) -> dict[str, Any]:
    """B-cubed of the automatic threads (``thread_of_body``: each body's thread) against the
    stories of ``rows``, over the bodies that belong to a story with two or more bodies."""
    from ..link.stance_data import story_components

    story = story_components(rows)
    gold = {r.body_id: story["b:" + r.body_id] for r in rows}
    sizes = Counter(gold.values())
    gold = {b: s for b, s in gold.items() if sizes[s] >= 2}  # a story of one body has nothing to join
    result: dict[str, Any] = bcubed(thread_of_body, gold)
    result.update({"bodies": len(gold), "stories": len(set(gold.values())),
                   "in_a_thread": sum(b in thread_of_body for b in gold) / len(gold) if gold else 0.0,
                   "threads": len({t for b, t in thread_of_body.items() if b in gold})})
    return result


# -- running it on a ledger --------------------------------------------------------------------

def run_track(rows: Sequence[Any], db_path: str | Path, *, model: Any = None) -> dict[str, Any]:
    """Build (or reuse) the ledger of ``rows``'s bodies, track every headline in one relink and
    score the placements. ``model`` is the stance model linking uses (default: the shipped one)."""
    import time

    from ..link.stance import StanceModel
    from ..link.tracking import track_propositions
    from ..store.ledger import open_ledger

    if model is None or isinstance(model, str | Path):
        model = StanceModel.load(model)
    started = time.perf_counter()
    path, built = ledger_of_bodies(rows, db_path)
    build_seconds = time.perf_counter() - started
    headlines = sorted({r.headline for r in rows})
    started = time.perf_counter()
    with open_ledger(str(path), readonly=False) as ledger:
        thread_ids = track_propositions(ledger, headlines, stance_model=model)
        track_seconds = time.perf_counter() - started
        documents = _body_documents(ledger)
        on_thread = {(t, d): s for t, d, s in ledger.db.execute(
            "SELECT thread_id, doc_id, stance FROM thread_documents")}
    stance_of = {}
    for r in rows:
        doc_id = documents.get(r.body_id)
        stance_of[(r.headline, r.body_id)] = on_thread.get((thread_ids[r.headline], doc_id)) if doc_id else None
    result = score_track(rows, stance_of, model_on_related_pairs(rows, model))
    result.update(story_precision(rows, documents, {(t, d) for t, d in on_thread}, thread_ids))
    result.update({"ledger": str(path), "built": built, "build_seconds": round(build_seconds, 1),
                   "track_seconds": round(track_seconds, 1)})
    return result


def run_threads(rows: Sequence[Any], db_path: str | Path) -> dict[str, Any]:
    """Build (or reuse and relink) the ledger of ``rows``'s bodies and score its automatic threads."""
    from ..link.corpus import relink
    from ..store.ledger import open_ledger

    path, built = ledger_of_bodies(rows, db_path)
    with open_ledger(str(path), readonly=False) as ledger:
        if not built:
            relink(ledger)  # the threads of the code that runs now
        documents = _body_documents(ledger)
        claims_on: dict[str, Counter[str]] = defaultdict(Counter)
        for thread_id, doc_id, n in ledger.db.execute(
                "SELECT c.thread_id, c.doc_id, COUNT(*) FROM thread_claims c JOIN threads t "
                "ON t.thread_id = c.thread_id AND t.origin = 'auto' GROUP BY c.thread_id, c.doc_id"):
            claims_on[doc_id][thread_id] = n
    thread_of_body = {}
    for body_id, doc_id in documents.items():
        if claims_on.get(doc_id):
            thread_of_body[body_id] = min(claims_on[doc_id].items(), key=lambda kv: (-kv[1], kv[0]))[0]
    result = score_threads(rows, thread_of_body)
    result.update({"ledger": str(path), "built": built})
    return result


def default_db(rows: Sequence[Any], what: str) -> Path:
    """A cache path under the temporary folder named by the bodies of ``rows``."""
    digest = hashlib.sha1(",".join(sorted({r.body_id for r in rows})).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"storyledger-eval-{what}-{digest}.db"


def format_track(result: dict[str, Any]) -> str:
    s = result["stance"]
    lines = [
        f"pairs: {result['pairs']}  related: {result['related']}  headlines: {result['headlines']}  "
        f"bodies: {result['bodies']}  ({result.get('part', '')})",
        f"placement: recall {result['recall']:.3f}  precision {result['precision']:.3f}  F1 {result['f1']:.3f}  "
        f"(recall per headline {result['recall_per_headline']:.3f}; {result['placed']} placed)",
        *([f"placement over every body of the ledger: {result['placed_in_ledger']} placed, "
           f"{result['precision_by_story']:.3f} of them in the headline's story"]
          if "placed_in_ledger" in result else []),
        f"stance, 4 labels (not placed = unrelated): accuracy {s['accuracy']:.3f}  macro-F1 {s['macro_f1']:.3f}  "
        f"FNC score {s['fnc_score']:.1f}",
        "  F1: " + "  ".join(f"{k} {s['f1_' + k]:.3f}" for k in ("agree", "disagree", "discuss", "unrelated")),
        f"stance on related pairs (not placed = discuss): accuracy {result['related_accuracy']:.3f}  "
        f"(always agree {result['related_always_agree']:.3f}"
        + (f"; the model given the pairs {result['related_model_given_pairs']:.3f}"
           if "related_model_given_pairs" in result else "") + ")",
        f"ledger {result.get('ledger')} ({'built' if result.get('built') else 'reused'}); "
        f"tracking {result.get('track_seconds')} s",
    ]
    return "\n".join(lines)


def format_threads(result: dict[str, Any]) -> str:
    return (f"bodies in stories of two or more: {result['bodies']} in {result['stories']} stories "
            f"({result.get('part', '')})\n"
            f"automatic threads: B-cubed precision {result['precision']:.3f}  recall {result['recall']:.3f}  "
            f"F1 {result['f1']:.3f}; bodies in a thread {result['in_a_thread']:.1%}; threads {result['threads']}\n"
            f"ledger {result.get('ledger')} ({'built' if result.get('built') else 'reused'})")
