"""Track records per outlet and per cited source: what each asserted on the story's threads, and
what became of it.

Who answers for a claim: an outlet only for what it asserts in its own voice; a claim it relays
("according to RIA Novosti", "the minister said") counts for the source at the end of the
citation chain, never for the outlet that carried it.

Each report (a claim supporting a thread) has one outcome:

* **supported**: another source (another side, as contradictions count them: not the outlet's own
  unnamed sources, not a copy relaying it), in another document, asserts it too;
* **denied**: a named source denies it in the same episode (the contradiction rows say which);
* **contested**: both;
* **open**: neither, yet.

Days to denial run from the report's publication to the earliest denial's, over the same claim
pairs as the disagreements, so the two views always agree.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from typing import Any

from .contradictions import sides_of
from .threads import ClaimRec, Thread, _days

OUTCOMES = ("supported", "denied", "contested", "open")


def answerable(c: ClaimRec) -> tuple[str, str] | None:
    """Who answers for the claim: ("source", name) for a relayed claim, ("outlet", name) for the
    outlet's own voice, None when nobody can be named."""
    if c.source and c.source != c.outlet and c.source != "-":
        return ("source", c.source)
    if c.outlet:
        return ("outlet", c.outlet)
    return None


def track_records(counts: Counter[tuple[str, str]], cited_by: dict[str, set[str]],
                  claims: dict[tuple[str, str], ClaimRec], threads: list[Thread],
                  contradictions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One record per outlet and per cited source. ``counts`` holds every claim's count per
    answerable (kind, name), ``cited_by`` the outlets citing each source, and ``claims`` the
    records of the claims on threads, the only ones that can be supported or denied."""
    reports: dict[tuple[str, str], ClaimRec] = {}
    supported: set[tuple[str, str]] = set()
    for thread in threads:
        sup = [claims[k] for k, p in thread.claims.items() if p.stance == "supports" and k in claims]
        # sides as contradictions count them, less who speaks for whom (a stored thread's rows,
        # which a track without a relink reads, do not keep how a source was introduced)
        side = sides_of([claims[k] for k in thread.claims if k in claims], speakers={})
        for c in sup:
            reports[c.key] = c
            if any(o.doc_id != c.doc_id and side[o.key] != side[c.key] for o in sup):
                supported.add(c.key)
    denials: dict[tuple[str, str], list[ClaimRec]] = defaultdict(list)
    for item in contradictions:
        if item["kind"] != "disagreement":
            continue
        for report_key, denial_key in item["pairs"]:
            if report_key in reports:
                denials[report_key].append(claims[denial_key])
    judged: dict[tuple[str, str], list[ClaimRec]] = defaultdict(list)
    for c in reports.values():
        who = answerable(c)
        if who:
            judged[who].append(c)
    records = []
    for (kind, name), count in sorted(counts.items()):
        items = sorted(judged.get((kind, name), []), key=lambda c: c.order)
        outcomes = [_outcome(c.key in supported, bool(denials.get(c.key))) for c in items]
        gaps = [g for c in items if (g := _days_to_denial(c, denials.get(c.key, []))) is not None]
        tally = Counter(outcomes)
        records.append({
            "kind": kind, "name": name, "claims": count,
            "supported": tally["supported"] + tally["contested"],
            "denied": tally["denied"] + tally["contested"],
            "median_days_to_denial": statistics.median(gaps) if gaps else None,
            "rule": "own-voice+disagreements",
            "data": {"reports": len(items), "outcomes": dict(sorted(tally.items())),
                     "claims": [{"doc_id": c.doc_id, "claim_id": c.claim_id, "date": c.reported,
                                 "outcome": outcome,
                                 "denied_by": sorted({d.source for d in denials.get(c.key, []) if d.source}),
                                 "days_to_denial": _days_to_denial(c, denials.get(c.key, []))}
                                for c, outcome in zip(items, outcomes, strict=True)],
                     "cited_by": sorted(cited_by.get(name, ())) if kind == "source" else []},
        })
    return records


def _outcome(supported: bool, denied: bool) -> str:
    if supported and denied:
        return "contested"
    return "supported" if supported else "denied" if denied else "open"


def _days_to_denial(report: ClaimRec, denials: list[ClaimRec]) -> float | None:
    gaps = [g for d in denials if (g := _days(report.reported, d.reported)) is not None and g >= 0]
    return min(gaps) if gaps else None
