"""Typed contradictions on a thread: a disagreement (opposite stances about the same time, such as
a report and its denial) or a change over time (announced or denied, later reversed)."""

from __future__ import annotations

from typing import Any

from .threads import DISAGREEMENT_DAYS, ClaimRec, Thread, _days


def find_contradictions(thread: Thread, claims: dict[tuple[str, str], ClaimRec],
                        denial_links: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each denier paired with the report it denies (when linked) and with the nearest supporter
    before and after it from another source: linear in the thread's size, not quadratic."""
    on = thread.claims
    supporters = sorted((claims[k] for k, p in on.items() if p.stance == "supports"), key=_when)
    deniers = sorted((claims[k] for k, p in on.items() if p.stance == "denies"), key=_when)
    out: list[dict[str, Any]] = []
    seen: set[tuple] = set()

    def add(a: ClaimRec, b: ClaimRec, kind: str, rule: str) -> None:
        key = (a.key, b.key)
        if key in seen or (b.key, a.key) in seen:
            return
        seen.add(key)
        out.append({"thread_id": thread.thread_id, "kind": kind, "a": a, "b": b,
                    "days": _days(a.about, b.about), "rule": rule})

    for link in denial_links:
        d, r = link["denial"], link["report"]
        if d.key in on and r.key in on:
            add(r, d, "disagreement", "denial-of-report")
    for d in deniers:
        others = [s for s in supporters if s.source != d.source or s.about != d.about]
        if not others:
            continue
        if d.about is None:
            add(others[0], d, "disagreement", "time-unknown")
            continue
        dated = [s for s in others if s.about]
        earlier = [s for s in dated if s.about <= d.about]
        later = [s for s in dated if s.about > d.about]
        for s in ([earlier[-1]] if earlier else []) + ([later[0]] if later else []):
            gap = _days(s.about, d.about)
            if gap is not None and abs(gap) <= DISAGREEMENT_DAYS:
                add(s, d, "disagreement", "opposite-stances-same-window")
            elif gap is not None and gap > 0:
                add(s, d, "change_over_time", "reported-then-reversed" if s.source != d.source
                    else "same-source-reversed")
            elif gap is not None:
                add(d, s, "change_over_time", "denied-then-happened" if s.source != d.source
                    else "same-source-reversed")
    return out


def _when(c: ClaimRec) -> tuple:
    return (c.about is None, c.about or "", c.order)
