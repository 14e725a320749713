"""Score the quantity extractor against quantulum3-style gold files.

Gold format (quantulum3's test files): a JSON list of ``{"req": sentence, "res": [gold, ...]}``
where each gold quantity has ``value``, ``unit`` (a quantulum3 unit name such as ``"metre"``,
``"pound sterling"``, ``"percentage"``, ``"dimensionless"``) and ``surface`` (the text as written).
Optional ``start``/``end`` character offsets are used when present; otherwise the surface is
located in the sentence (left to right, each occurrence used once) to get a span.

Scoring rule
------------
* A prediction's *scored value* is ``Quantity.value`` (for explicit ranges the extractor sets it to
  the midpoint, as quantulum3 does).  Vague predictions (``value is None``: "hundreds",
  "much higher") cannot be compared with a point value and are left out of ``n_pred`` (reported as
  ``n_vague``).
* A prediction matches a gold quantity when the values are equal (relative tolerance 1e-6,
  absolute 1e-9, so float rounding is tolerated) and the character spans overlap.  Matching is
  greedy and one-to-one, gold in order, the earliest overlapping unused prediction first.
* ``value_precision = n_matched / n_pred``, ``value_recall = n_matched / n_gold``, ``value_f1`` their
  harmonic mean, over all sentences.
* ``unit_accuracy`` = share of matched pairs whose normalised unit names agree.  Our unit names are
  mapped onto quantulum3's naming with :func:`to_quantulum_unit`: ISO currency codes become
  quantulum's currency names (``USD`` -> ``dollar``, ``GBP`` -> ``pound sterling``), ``percent`` ->
  ``percentage``, ``millilitre`` -> ``cubic centimetre`` (quantulum3's canonical name for ml),
  ``count`` -> ``count``; counts (``kind == "count"``, whose unit is the counted noun's lemma) and
  unit-less numbers map to ``dimensionless``.  Names are compared case-insensitively with hyphens
  and repeated spaces normalised.

Development and held-out data: quantulum3 ships two test files.  The extractor is developed on
``quantities.json`` (101 sentences); ``quantities.ambiguity.json`` (20 sentences) is held out and
scored for the README only, so no rule, unit or word is to be written from what it shows.

Run ``storyledger eval quantities --quantulum FILE [--json]`` (``--errors`` lists what went wrong,
for the development file).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["GoldQuantity", "read_gold", "score_items", "score_quantities", "to_quantulum_unit"]

# our unit vocabulary -> quantulum3's names (only where they differ)
_CURRENCY_NAMES = {
    "USD": "dollar",
    "EUR": "euro",
    "GBP": "pound sterling",
    "JPY": "yen",
    "CNY": "renminbi",
    "INR": "indian rupee",
    "RUB": "russian ruble",
    "CAD": "canadian dollar",
    "AUD": "australian dollar",
    "HKD": "hong kong dollar",
    "CHF": "swiss franc",
    "TRY": "turkish lira",
    "SYP": "syrian pound",
    "KRW": "south korean won",
    "BTC": "bitcoin",
}
_WORD_NAMES = {
    "percent": "percentage",
    "percentage point": "percentage point",
    "millilitre": "cubic centimetre",
    "short ton": "ton",
}


def _norm(name: str) -> str:
    return re.sub(r"\s+", " ", name.replace("-", " ")).strip().lower()


def to_quantulum_unit(unit: str | None, kind: str | None = None) -> str:
    """Map one of our unit names onto quantulum3's naming (see module docstring)."""
    if unit is None or kind == "count":
        return "dimensionless"
    out = []
    i = 0
    # try the longest known multi-word names first
    words = unit.split(" ")
    while i < len(words):
        for j in range(len(words), i, -1):
            chunk = " ".join(words[i:j])
            if chunk in _CURRENCY_NAMES:
                out.append(_CURRENCY_NAMES[chunk])
                i = j
                break
            if chunk in _WORD_NAMES:
                out.append(_WORD_NAMES[chunk])
                i = j
                break
        else:
            out.append(words[i])
            i += 1
    return _norm(" ".join(out))


@dataclass(frozen=True)
class GoldQuantity:
    start: int
    end: int
    surface: str
    value: float
    unit: str


def _locate(sentence: str, surface: str, used: list[tuple[int, int]]) -> tuple[int, int]:
    """Span of ``surface`` in ``sentence``: the first occurrence not already used; (-1, -1) if absent."""
    if not surface:
        return -1, -1
    pos = 0
    first: tuple[int, int] | None = None
    while True:
        i = sentence.find(surface, pos)
        if i < 0:
            break
        span = (i, i + len(surface))
        if first is None:
            first = span
        if not any(u[0] < span[1] and span[0] < u[1] for u in used):
            return span
        pos = i + 1
    if first is not None:
        return first
    # tolerate whitespace differences
    pat = r"\s+".join(re.escape(p) for p in surface.split())
    m = re.search(pat, sentence)
    return (m.start(), m.end()) if m else (-1, -1)


def read_gold(path: str | Path) -> list[tuple[str, list[GoldQuantity]]]:
    """Read a quantulum3-style JSON (list) or JSON-lines file into (sentence, gold quantities)."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        data = [json.loads(line) for line in text.splitlines() if line.strip()]
    if isinstance(data, dict):
        data = data.get("items") or data.get("data") or [data]
    items: list[tuple[str, list[GoldQuantity]]] = []
    for rec in data:
        sent = rec.get("req") if "req" in rec else rec.get("text", "")
        golds: list[GoldQuantity] = []
        used: list[tuple[int, int]] = []
        for g in rec.get("res", rec.get("quantities", [])):
            surface = g.get("surface", "")
            if "start" in g and "end" in g:
                span = (int(g["start"]), int(g["end"]))
            else:
                span = _locate(sent, surface, used)
            used.append(span)
            golds.append(GoldQuantity(span[0], span[1], surface, float(g["value"]), str(g.get("unit", ""))))
        items.append((sent, golds))
    return items


def _values_equal(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    if a[0] < 0 or b[0] < 0:
        return False
    return a[0] < b[1] and b[0] < a[1]


def score_items(
    items: Iterable[tuple[str, list[GoldQuantity]]],
    extract: Callable[[str], list[Any]] | None = None,
    errors: list[dict] | None = None,
) -> dict:
    """Score ``extract`` (default: the storyledger extractor) on (sentence, gold) items."""
    if extract is None:
        from storyledger.extract.quantities import extract_quantities_from_text as extract
    n_gold = n_pred = n_matched = n_unit_ok = n_vague = 0
    for sent, golds in items:
        preds = [p for p in extract(sent)]
        scored = [p for p in preds if p.value is not None]
        n_vague += len(preds) - len(scored)
        n_gold += len(golds)
        n_pred += len(scored)
        taken = [False] * len(scored)
        matched_preds: set[int] = set()
        for g in golds:
            hit = None
            for i, p in enumerate(scored):
                if taken[i]:
                    continue
                if _values_equal(float(p.value), g.value) and _overlap((p.start, p.end), (g.start, g.end)):
                    hit = i
                    break
            if hit is None:
                if errors is not None:
                    errors.append(
                        {
                            "type": "missed",
                            "sentence": sent,
                            "gold": g.surface,
                            "value": g.value,
                            "unit": g.unit,
                        }
                    )
                continue
            taken[hit] = True
            matched_preds.add(hit)
            n_matched += 1
            p = scored[hit]
            ours = to_quantulum_unit(p.unit, getattr(p, "kind", None))
            if ours == _norm(g.unit):
                n_unit_ok += 1
            elif errors is not None:
                errors.append(
                    {
                        "type": "unit",
                        "sentence": sent,
                        "gold": g.surface,
                        "gold_unit": g.unit,
                        "pred_unit": p.unit,
                        "mapped": ours,
                    }
                )
        if errors is not None:
            for i, p in enumerate(scored):
                if i not in matched_preds:
                    errors.append(
                        {
                            "type": "spurious",
                            "sentence": sent,
                            "pred": p.text,
                            "value": p.value,
                            "unit": p.unit,
                            "rule": getattr(p, "rule", ""),
                        }
                    )
    precision = n_matched / n_pred if n_pred else 0.0
    recall = n_matched / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "value_f1": round(f1, 4),
        "value_precision": round(precision, 4),
        "value_recall": round(recall, 4),
        "unit_accuracy": round(n_unit_ok / n_matched, 4) if n_matched else 0.0,
        "n_gold": n_gold,
        "n_pred": n_pred,
        "n_matched": n_matched,
        "n_vague": n_vague,
    }


def score_quantities(path: str | Path, errors: list[dict] | None = None) -> dict:
    """Score the extractor on a quantulum3-style gold file; see the module docstring for the rule."""
    return score_items(read_gold(path), errors=errors)
