"""Score stance labels the FNC-1 way, and score the stance model on FNC-1 files.

FNC-1 score (as the competition's ``scorer.py``): each pair earns 0.25 when gold and prediction
agree on related-versus-unrelated, and, when the gold is related (agree, disagree, discuss),
0.75 more when the prediction is exactly the gold label.  ``fnc_score`` is the total as a
percentage of the best possible total (every label right).  Alongside it: per-class F1 over the
four labels and their unweighted mean, ``macro_f1`` (as in Hanselowski et al. 2018, the metric
that is not won by labelling everything related "discuss").

Run ``storyledger eval stance --bodies train_bodies.csv --stances train_stances.csv``
to score every pair of a file; ``--split story`` scores only the held-out stories of
:func:`storyledger.link.stance_data.story_disjoint_split` (a headline, its related bodies and every
headline related to those bodies on one side) and ``--split body`` (or ``--body-disjoint``) the
held-out bodies of :func:`storyledger.link.stance_data.body_disjoint_split`.  Either needs a model
trained with the same split (``storyledger train stance --split story --out FILE``, then
``--model FILE``): the shipped model is trained on every pair of ``train_stances.csv``, and
FNC-1's ``dev_stances.csv`` shares all its bodies and headlines with that file, so neither says
anything about unseen stories.  ``--cache-dir DIR`` keeps the sentence embeddings for a rerun.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

STANCES = ("agree", "disagree", "discuss", "unrelated")
RELATED = frozenset(("agree", "disagree", "discuss"))


def _check(labels: Sequence[str], what: str) -> list[str]:
    out = []
    for i, label in enumerate(labels):
        norm = str(label).strip().lower()
        if norm not in STANCES:
            raise ValueError(f"{what}[{i}]: unknown stance {label!r} (expected one of {', '.join(STANCES)})")
        out.append(norm)
    return out


def fnc_score(gold: Sequence[str], pred: Sequence[str]) -> dict[str, Any]:
    """FNC-1 score (percent of the maximum), macro-F1 and per-class F1 of ``pred`` against ``gold``."""
    if len(gold) != len(pred):
        raise ValueError(f"gold has {len(gold)} labels but pred has {len(pred)}")
    gold = _check(gold, "gold")
    pred = _check(pred, "pred")
    score = best = 0.0
    confusion = {g: dict.fromkeys(STANCES, 0) for g in STANCES}
    for g, p in zip(gold, pred, strict=True):
        confusion[g][p] += 1
        g_rel, p_rel = g in RELATED, p in RELATED
        best += 1.0 if g_rel else 0.25
        if g_rel == p_rel:
            score += 0.25
            if g_rel and g == p:
                score += 0.75
    result: dict[str, Any] = {
        "fnc_score": 100.0 * score / best if best else 0.0,
        "fnc_raw": score,
        "fnc_max": best,
    }
    f1s = []
    for label in STANCES:
        tp = confusion[label][label]
        n_pred = sum(confusion[g][label] for g in STANCES)
        n_gold = sum(confusion[label].values())
        f1 = 2 * tp / (n_pred + n_gold) if n_pred + n_gold else 0.0
        result[f"f1_{label}"] = f1
        f1s.append(f1)
    result["macro_f1"] = sum(f1s) / len(f1s)
    result["accuracy"] = sum(confusion[g][g] for g in STANCES) / len(gold) if gold else 0.0
    result["n"] = len(gold)
    result["confusion"] = confusion  # gold -> predicted -> count
    return result


def score_rows(rows: Sequence[Any], *, model: Any = None, cache_dir: str | Path | None = None) -> dict[str, Any]:
    """Score ``model`` (default: the shipped one) on StanceRow-like rows (headline, body, stance);
    ``cache_dir`` keeps the embeddings of the texts for the next run."""
    from storyledger.link.stance import StanceModel

    model = model if model is not None else StanceModel.load()
    pairs = [(r.headline, r.body) for r in rows]
    pred = model.predict(pairs, cache_dir=cache_dir) if cache_dir else model.predict(pairs)
    return fnc_score([r.stance for r in rows], pred)


def score_stance_files(bodies_csv: str | Path, stances_csv: str | Path, *, model: Any = None,
                       body_disjoint: bool = False, split: str | None = None, dev_fraction: float = 0.2,
                       seed: int = 0, cache_dir: str | Path | None = None) -> dict[str, Any]:
    """Score the stance model on an FNC-1 bodies + stances pair of files.

    With ``split`` ("body" or "story"; ``body_disjoint`` is ``split="body"``) only the held-out part
    of :func:`storyledger.link.stance_data.split_by` (``dev_fraction``, ``seed``) is scored, and the
    model must have been trained with that same split: otherwise part of what is scored may have
    been trained on, and a ``ValueError`` says how to train the right model.  ``model`` is a
    StanceModel or a path to one; default: the shipped model.
    """
    from storyledger.link.stance import StanceModel
    from storyledger.link.stance_data import read_stances, split_by

    if model is None or isinstance(model, str | Path):
        model = StanceModel.load(model)
    split = split or ("body" if body_disjoint else None)
    rows = read_stances(bodies_csv, stances_csv)
    if split:
        _check_held_out(model, split, dev_fraction, seed)
        _, rows = split_by(split, rows, dev_fraction=dev_fraction, seed=seed)
    rows = [r for r in rows if r.stance]
    if not rows:
        raise ValueError(f"{stances_csv}: no labelled pairs to score")
    result = score_rows(rows, model=model, cache_dir=cache_dir)
    result["bodies"] = len({r.body_id for r in rows})
    result["headlines"] = len({r.headline for r in rows})
    result["split"] = f"{split}-disjoint held-out {dev_fraction:g} (seed {seed})" if split else "all"
    return result


def _check_held_out(model: Any, split: str, dev_fraction: float, seed: int) -> None:
    """Refuse to score a held-out part the model may have been trained on."""
    meta = getattr(model, "meta", None)
    if meta is None:  # a stand-in model with no training record: the caller vouches for it
        return
    trained = (meta.get("split", "body"), meta.get("dev_fraction"), meta.get("split_seed"))
    if trained != (split, dev_fraction, seed):
        raise ValueError(
            f"the stance model was trained with split {trained[0]!r}, dev fraction {trained[1]!r}, seed "
            f"{trained[2]!r}, so its {split}-disjoint held-out part (dev fraction {dev_fraction:g}, seed "
            f"{seed}) may overlap what it was trained on; train one with `storyledger train stance "
            f"--split {split} --dev-fraction {dev_fraction:g} --seed {seed} --out FILE` and pass "
            f"--model FILE")


def format_report(result: dict[str, Any]) -> str:
    lines = [
        f"pairs: {result['n']}  headlines: {result.get('headlines', '?')}  bodies: {result.get('bodies', '?')}  "
        f"split: {result.get('split', 'all')}",
        f"FNC score: {result['fnc_score']:.2f}  ({result['fnc_raw']:.2f} of {result['fnc_max']:.2f})",
        f"macro-F1:  {result['macro_f1']:.4f}  accuracy: {result['accuracy']:.4f}",
        "F1: " + "  ".join(f"{label} {result['f1_' + label]:.4f}" for label in STANCES),
        "confusion (rows gold, columns predicted):",
        "            " + "".join(f"{label:>11}" for label in STANCES),
    ]
    for g in STANCES:
        lines.append(f"{g:>11} " + "".join(f"{result['confusion'][g][p]:>11}" for p in STANCES))
    return "\n".join(lines)
