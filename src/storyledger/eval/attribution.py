"""Score the attribution extractor against brat-format gold annotations (PolNeAR layout).

Layout read by :func:`read_brat_dir`::

    DIR/text/NAME.txt                  the document text
    DIR/attributions/NAME.ann          its annotation, or
    DIR/attributions/NAME_ANNOTATOR.ann  (PolNeAR names files after the annotator)

When several annotation files belong to one text (PolNeAR double-annotated a few articles),
the first in sorted file-name order is used, so every text is scored once.  A flat directory
(``NAME.txt`` next to ``NAME.ann``) is read too.

In the ``.ann`` files, ``T`` lines hold spans (``T3\tContent 12 40;44 60\ttext``: a
discontinuous span is a list of ``start end`` ranges joined by ``;``) and ``E`` lines tie them
into one attribution (``E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1``; the trigger may be
``Attribution-no-source``; a second content may be given as ``Content2``).  An event with no
content is skipped: there is nothing to match it on.

Scores (see :func:`score_documents`):

1. Content detection.  A predicted content matches a gold content when it covers at least 30 %
   (and, separately, 80 %) of the gold content's characters.  Pairs are matched greedily
   one-to-one within a document, best coverage first.  Precision = matched / predicted,
   recall = matched / gold.
2. Over the pairs matched at the 30 % level: ``source_accuracy`` is the fraction where the
   predicted and gold source spans share at least one character; when the gold attribution has
   no source (PolNeAR's ``Attribution-no-source``: passives such as "it is said that …") the
   prediction counts as correct only when it has no source either, and a gold source with no
   predicted source is wrong.  ``cue_accuracy`` is the same for cues.  ``source_accuracy_gold_source``
   restricts the first to pairs whose gold attribution has a source (comparable with
   speaker-accuracy figures measured on quote corpora where every quote has a speaker).
3. Exact-span F1 for source, cue and content: spans (all ranges, exact offsets) compared as
   multisets per document.

Predicted attributions nested in another one (``parent`` set) are not scored: the guidelines
annotate only the outermost attribution ("no nested attributions").  A prediction's content is
its ``content_parts`` when it has them (a quotation interrupted by "he said"), else ``content``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Ranges = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class GoldAttribution:
    id: str
    content: Ranges
    cue: Ranges | None
    source: Ranges | None


@dataclass
class BratDocument:
    name: str
    text: str
    attributions: list[GoldAttribution] = field(default_factory=list)
    ann_path: str | None = None


# --------------------------------------------------------------------------------------------
# Reading


def _parse_ranges(spec: str) -> Ranges:
    out = []
    for part in spec.split(";"):
        bits = part.split()
        if len(bits) != 2:
            raise ValueError(f"bad span {spec!r}")
        s, e = int(bits[0]), int(bits[1])
        if e > s:
            out.append((s, e))
    return tuple(sorted(out))


def _merge(*ranges: Ranges | None) -> Ranges | None:
    parts = sorted(r for rs in ranges if rs for r in rs)
    return tuple(parts) if parts else None


def parse_ann(ann: str, name: str = "") -> list[GoldAttribution]:
    """Parse the text of one ``.ann`` file into gold attributions."""
    spans: dict[str, tuple[str, Ranges]] = {}
    events: list[tuple[str, list[tuple[str, str]]]] = []
    for line in ann.splitlines():
        if not line.strip():
            continue
        cols = line.split("\t")
        ident = cols[0]
        if ident.startswith("T") and len(cols) >= 2:
            label, _, spec = cols[1].partition(" ")
            try:
                spans[ident] = (label, _parse_ranges(spec))
            except ValueError:
                continue
        elif ident.startswith("E") and len(cols) >= 2:
            args = []
            for arg in cols[1].split():
                role, _, ref = arg.partition(":")
                if ref:
                    args.append((role, ref))
            events.append((ident, args))
    out = []
    for ident, args in events:
        if not args or not args[0][0].startswith("Attribution"):
            continue
        parts: dict[str, list[Ranges]] = {}
        for role, ref in args[1:]:
            if ref not in spans:
                continue
            key = "Content" if role.startswith("Content") else role
            parts.setdefault(key, []).append(spans[ref][1])
        content = _merge(*parts.get("Content", []))
        if not content:
            continue
        out.append(
            GoldAttribution(
                id=ident,
                content=content,
                cue=_merge(*parts.get("Cue", [])),
                source=_merge(*parts.get("Source", [])),
            )
        )
    return out


def read_brat_dir(path: str | Path) -> list[BratDocument]:
    """Read every annotated text under ``path`` (see the module docstring for the layout)."""
    root = Path(path)
    text_dir = root / "text" if (root / "text").is_dir() else root
    ann_dir = root / "attributions" if (root / "attributions").is_dir() else root
    anns = sorted(ann_dir.glob("*.ann"))
    docs = []
    for txt in sorted(text_dir.glob("*.txt")):
        stem = txt.stem
        exact = ann_dir / f"{stem}.ann"
        if exact.is_file():
            ann_path = exact
        else:
            cands = [a for a in anns if a.stem.rsplit("_", 1)[0] == stem]
            if not cands:
                continue
            ann_path = cands[0]
        text = txt.read_text(encoding="utf-8")
        gold = parse_ann(ann_path.read_text(encoding="utf-8"), stem)
        docs.append(BratDocument(stem, text, gold, str(ann_path)))
    return docs


# --------------------------------------------------------------------------------------------
# Scoring


def _ranges_of(span: Any, parts: Sequence[Any] | None = None) -> Ranges | None:
    if parts:
        return tuple(sorted((p.start, p.end) for p in parts if p.end > p.start)) or None
    if span is None:
        return None
    if span.end <= span.start:
        return None
    return ((span.start, span.end),)


def _size(r: Ranges) -> int:
    return sum(e - s for s, e in r)


def _inter(a: Ranges, b: Ranges) -> int:
    n = 0
    for s1, e1 in a:
        for s2, e2 in b:
            lo, hi = max(s1, s2), min(e1, e2)
            if hi > lo:
                n += hi - lo
    return n


@dataclass(frozen=True)
class _Pred:
    content: Ranges
    cue: Ranges | None
    source: Ranges | None
    kind: str | None


def _as_pred(a: Any) -> _Pred | None:
    if getattr(a, "parent", None):
        return None  # nested attribution: PolNeAR annotates only the outermost one
    content = _ranges_of(a.content, getattr(a, "content_parts", None))
    if not content:
        return None
    return _Pred(
        content=content,
        cue=_ranges_of(a.cue),
        source=_ranges_of(a.source),
        kind=getattr(a, "kind", None),
    )


def match_contents(
    gold: Sequence[Ranges], pred: Sequence[Ranges], threshold: float
) -> list[tuple[int, int]]:
    """Greedy one-to-one matching of predicted to gold content, best gold coverage first.

    Returns ``(gold_index, pred_index)`` pairs whose coverage of the gold span is ``>= threshold``.
    """
    cands = []
    for gi, g in enumerate(gold):
        gs = _size(g)
        if gs == 0:
            continue
        for pi, p in enumerate(pred):
            cov = _inter(g, p) / gs
            if cov >= threshold - 1e-12 and cov > 0:
                cands.append((-cov, gi, pi))
    cands.sort()
    used_g, used_p, out = set(), set(), []
    for _, gi, pi in cands:
        if gi in used_g or pi in used_p:
            continue
        used_g.add(gi)
        used_p.add(pi)
        out.append((gi, pi))
    return out


def _prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def score_documents(
    docs: Sequence[BratDocument],
    predictions: Sequence[Iterable[Any]],
    *,
    kinds: set[str] | None = None,
) -> dict[str, Any]:
    """Score predictions (one iterable of Attribution-like objects per document) against gold."""
    n_gold = n_pred = 0
    m30 = m80 = 0
    src_ok = cue_ok = 0
    src_gs_ok = src_gs_n = 0
    exact = {k: [0, 0, 0] for k in ("source", "cue", "content")}  # tp, n_pred, n_gold
    for doc, preds_raw in zip(docs, predictions, strict=True):
        preds = [p for p in (_as_pred(a) for a in preds_raw) if p is not None]
        if kinds is not None:
            preds = [p for p in preds if p.kind in kinds]
        gold = doc.attributions
        n_gold += len(gold)
        n_pred += len(preds)
        pairs30 = match_contents([g.content for g in gold], [p.content for p in preds], 0.30)
        pairs80 = match_contents([g.content for g in gold], [p.content for p in preds], 0.80)
        m30 += len(pairs30)
        m80 += len(pairs80)
        for gi, pi in pairs30:
            g, p = gold[gi], preds[pi]
            if g.source is None:
                src_ok += p.source is None
            else:
                ok = p.source is not None and _inter(g.source, p.source) > 0
                src_ok += ok
                src_gs_ok += ok
                src_gs_n += 1
            if g.cue is None:
                cue_ok += p.cue is None
            else:
                cue_ok += p.cue is not None and _inter(g.cue, p.cue) > 0
        for key in exact:
            gc = Counter(getattr(g, key) for g in gold if getattr(g, key))
            pc = Counter(getattr(p, key) for p in preds if getattr(p, key))
            exact[key][0] += sum((gc & pc).values())
            exact[key][1] += sum(pc.values())
            exact[key][2] += sum(gc.values())
    p30, r30, f30 = _prf(m30, n_pred, n_gold)
    p80, r80, f80 = _prf(m80, n_pred, n_gold)
    out: dict[str, Any] = {
        "content_precision_30": p30,
        "content_recall_30": r30,
        "content_f1_30": f30,
        "content_precision_80": p80,
        "content_recall_80": r80,
        "content_f1_80": f80,
        "source_accuracy": src_ok / m30 if m30 else 0.0,
        "source_accuracy_gold_source": src_gs_ok / src_gs_n if src_gs_n else 0.0,
        "cue_accuracy": cue_ok / m30 if m30 else 0.0,
    }
    for key, (tp, np_, ng) in exact.items():
        out[f"exact_{key}_f1"] = _prf(tp, np_, ng)[2]
    out.update(n_gold=n_gold, n_pred=n_pred, n_matched=m30, n_docs=len(docs))
    return out


def score_attribution(
    brat_dir: str | Path,
    *,
    kinds: set[str] | None = None,
    extractor: Callable[[str], Iterable[Any]] | None = None,
) -> dict[str, Any]:
    """Run ``extractor`` (text -> attributions; default: spaCy + :func:`extract_attributions`)
    on every document under ``brat_dir`` and score it; ``kinds`` keeps only predictions of
    those kinds (e.g. ``{"speech", "report"}`` for quote-only corpora)."""
    docs = read_brat_dir(brat_dir)
    if extractor is None:
        from storyledger.extract.attribution import extract_attributions
        from storyledger.extract.nlp import load_nlp

        nlp = load_nlp()
        texts = [d.text for d in docs]
        preds = [extract_attributions(doc) for doc in nlp.pipe(texts, batch_size=16)]
    else:
        preds = [list(extractor(d.text)) for d in docs]
    return score_documents(docs, preds, kinds=kinds)
