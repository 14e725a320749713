"""Track records per outlet and per cited source: claims made, later supported, later denied or
contradicted, and the median days from a claim to its denial."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from typing import Any

from .threads import ClaimRec, Thread, _days


def track_records(counts: Counter[tuple[str, str]], cited_by: dict[str, set[str]],
                  claims: dict[tuple[str, str], ClaimRec], threads: list[Thread],
                  contradictions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One record per outlet and per cited source. ``counts`` holds every claim's count per
    (kind, name), ``cited_by`` the outlets citing each source, and ``claims`` the records of the
    claims on threads, the only ones that can be supported or denied."""
    supported: set[tuple[str, str]] = set()
    for thread in threads:
        sup = [claims[k] for k, p in thread.claims.items() if p.stance == "supports" and k in claims]
        for c in sup:
            if any(o.doc_id != c.doc_id and o.source != c.source and (o.reported or "") >= (c.reported or "")
                   for o in sup):
                supported.add(c.key)
    denied: dict[tuple[str, str], list[float | None]] = defaultdict(list)
    for item in contradictions:
        a, b = item["a"], item["b"]
        report, denial = (a, b) if thread_stance(threads, item["thread_id"], a.key) == "supports" else (b, a)
        gap = _days(report.reported, denial.reported)
        if gap is None or gap >= 0:
            denied[report.key].append(gap)
    judged: dict[tuple[str, str], list[ClaimRec]] = defaultdict(list)
    for key in sorted(supported | set(denied)):
        c = claims[key]
        if c.outlet:
            judged[("outlet", c.outlet)].append(c)
        if c.source and c.source != c.outlet:
            judged[("source", c.source)].append(c)
    records = []
    for (kind, name), count in sorted(counts.items()):
        items = sorted(judged.get((kind, name), []), key=lambda c: c.order)
        gaps = [g for c in items for g in denied.get(c.key, []) if g is not None]
        records.append({
            "kind": kind, "name": name, "claims": count,
            "supported": sum(c.key in supported for c in items),
            "denied": sum(c.key in denied for c in items),
            "median_days_to_denial": statistics.median(gaps) if gaps else None,
            "rule": "thread-stances+contradictions",
            "data": {"outcomes": [{"doc_id": c.doc_id, "claim_id": c.claim_id, "date": c.reported,
                                   "supported": c.key in supported, "denied": c.key in denied,
                                   "chain": [c.source] if c.source else []} for c in items],
                     "cited_by": sorted(cited_by.get(name, ())) if kind == "source" else []},
        })
    return records


def thread_stance(threads: list[Thread], thread_id: str, key: tuple[str, str]) -> str | None:
    for t in threads:
        if t.thread_id == thread_id:
            p = t.claims.get(key)
            return p.stance if p else None
    return None
