"""Quantity series: each measure's values over time, with their sources, and the values that
disagree in the same time window beyond what their own approximations allow."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

# How far a fuzzy value ("about 40", "some 600") may stretch either way.
APPROX_TOLERANCE = 0.15
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True, slots=True)  # one per quantity of the corpus
class SeriesPoint:
    measure_key: str
    doc_id: str
    quantity_id: str
    text: str
    value: float | None
    low: float | None
    high: float | None
    approx: str | None
    kind: str
    comparison: str | None
    as_of: str | None
    as_of_source: str | None
    source: str | None
    outlet: str | None
    rule: str

    def interval(self) -> tuple[float, float] | None:
        """The values this report allows, from its own wording."""
        if self.value is None and self.low is None and self.high is None:
            return None
        low = self.low if self.low is not None else None
        high = self.high if self.high is not None else None
        if self.value is not None and low is None and high is None:
            tolerance = abs(self.value) * APPROX_TOLERANCE if self.approx else 0.0
            return self.value - tolerance, self.value + tolerance
        if low is None:
            low = float("-inf") if self.value is None or self.approx else self.value
        if high is None:
            high = float("inf") if self.value is None or self.approx else self.value
        return low, high


def point_date(as_of: str | None, published: str | None) -> tuple[str | None, str | None]:
    """The point's date: a resolved as-of date, else the publication date."""
    if as_of and re.match(r"^\d{4}(?:-\d{2}){0,2}", as_of) and not as_of.startswith("XXXX"):
        return re.match(r"^\d{4}(?:-\d{2}){0,2}", as_of).group(0), "as-of"
    if published:
        return published[:10], "publication"
    return None, None


def build_series(quantities: list[dict[str, Any]],
                 resolve) -> tuple[list[tuple[SeriesPoint, bool]], list[dict[str, Any]]]:
    """Points per measure (near-duplicate copies left out) and the conflicts between them."""
    points: list[SeriesPoint] = []
    for q in quantities:
        date, how = point_date(q.get("as_of"), q.get("published"))
        points.append(SeriesPoint(
            q["measure_key"], q["doc_id"], q["id"], q.get("text", ""), q.get("value"), q.get("low"),
            q.get("high"), q.get("approx"), q.get("kind", ""), q.get("comparison"), date,
            how, resolve(q.get("source")) or q.get("outlet"), q.get("outlet"),
            f"date-from-{how}" if how else "undated",
        ))
    by_window: dict[tuple[str, str], list[SeriesPoint]] = defaultdict(list)
    for p in points:
        if p.as_of:
            by_window[(p.measure_key, p.as_of)].append(p)
    conflicts: list[dict[str, Any]] = []
    flagged: set[tuple[str, str]] = set()
    for (measure, window), group in sorted(by_window.items()):
        group = sorted(group, key=lambda p: (p.doc_id, p.quantity_id))
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                rule = _conflict(a, b)
                if rule:
                    conflicts.append({"measure_key": measure, "window": window, "a": a, "b": b, "rule": rule})
                    flagged.update({(a.doc_id, a.quantity_id), (b.doc_id, b.quantity_id)})
    return [(p, (p.doc_id, p.quantity_id) in flagged) for p in points], conflicts


def _conflict(a: SeriesPoint, b: SeriesPoint) -> str | None:
    if a.source and b.source and a.source == b.source:
        return None
    ia, ib = a.interval(), b.interval()
    if ia and ib:
        if ia[1] < ib[0] or ib[1] < ia[0]:
            return "intervals-disjoint"
        return None
    # A vague comparative ("much higher") against a figure in the same document and window.
    if a.doc_id == b.doc_id and (a.kind == "comparison" or b.kind == "comparison"):
        comp, other = (a, b) if a.kind == "comparison" else (b, a)
        if other.interval() and comp.comparison and other.kind != "comparison":
            return "vague-comparative"
    return None
