"""Track records per outlet and per cited source: claims made, later supported, later denied or
contradicted, and the median days from a claim to its denial."""

from __future__ import annotations

import statistics
from collections import defaultdict
from typing import Any

from .threads import ClaimRec, Thread, _days


def track_records(claims: list[ClaimRec], threads: list[Thread], contradictions: list[dict[str, Any]],
                  chains: dict[tuple[str, str], list[str]]) -> list[dict[str, Any]]:
    by_key = {c.key: c for c in claims}
    supported: set[tuple[str, str]] = set()
    for thread in threads:
        sup = [by_key[k] for k, p in thread.claims.items() if p.stance == "supports" and k in by_key]
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
    groups: dict[tuple[str, str], list[ClaimRec]] = defaultdict(list)
    for c in claims:
        if c.outlet:
            groups[("outlet", c.outlet)].append(c)
        if c.source and c.source != c.outlet:
            groups[("source", c.source)].append(c)
    records = []
    for (kind, name), items in sorted(groups.items()):
        gaps = [g for c in items for g in denied.get(c.key, []) if g is not None]
        outcomes = [
            {"doc_id": c.doc_id, "claim_id": c.claim_id, "date": c.reported,
             "supported": c.key in supported, "denied": c.key in denied,
             "chain": chains.get(c.key, [])}
            for c in items if c.key in supported or c.key in denied
        ]
        outlets = sorted({c.outlet for c in items if c.outlet})
        records.append({
            "kind": kind, "name": name, "claims": len(items),
            "supported": sum(c.key in supported for c in items),
            "denied": sum(c.key in denied for c in items),
            "median_days_to_denial": statistics.median(gaps) if gaps else None,
            "rule": "thread-stances+contradictions",
            "data": {"outcomes": outcomes, "cited_by": outlets if kind == "source" else [],
                     "chains": sorted({" ← ".join(chains[c.key]) for c in items
                                       if len(chains.get(c.key, [])) > 1})[:20]},
        })
    return records


def thread_stance(threads: list[Thread], thread_id: str, key: tuple[str, str]) -> str | None:
    for t in threads:
        if t.thread_id == thread_id:
            p = t.claims.get(key)
            return p.stance if p else None
    return None
