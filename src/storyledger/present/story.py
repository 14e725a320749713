"""The story told in sentences: per thread, who reported it first, who supports it, who denied it
and when, whether it was reversed, and how the numbers moved; a dated timeline by source;
contradictions grouped by pair of sources; denials as "A denied B's report (date)".

Everything here is read from the ledger's link tables through store.queries and said as the ledger
holds it: an estimated date says "estimated", an undated claim says "undated", a missing source
says so. No internal id, rule name or score is part of a sentence; they go to ``why``, which the
pages show folded.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from ..store import queries
from ..store.ledger import Ledger
from .figures import date_text, window_text

MAX_MEMBERS = 3000  # claims of one thread read for its story (the app pages through the rest)
NAMES_SHOWN = 6  # supporters or deniers named in a sentence before "and N more"


def who(source: str | None, outlet: str | None) -> str:
    """The speaker as a reader names it: "Syrian regime media via The New Arab", "The New Arab"."""
    source = source if source and source != "-" else None
    if source and outlet and source != outlet:
        return f"{source} via {outlet}"
    return source or outlet or "an unnamed source"


def when(date: str | None, estimate: dict[str, Any] | None = None) -> str:
    """"17 Nov 2020", "estimated Jan – Mar 2020", or "undated"."""
    return date_text(date) or window_text(estimate) or "undated"


def name_of(source: str | None, outlet: str | None) -> str:
    """The speaker alone: the source, else the outlet in its own voice."""
    return source if source and source != "-" else (outlet or "an unnamed source")


def via(source: str | None, outlet: str | None) -> str | None:
    """The outlet a relayed claim reached us through, when it is not the speaker itself."""
    return outlet if source and source != "-" and outlet and outlet != source else None


def entry(member: dict[str, Any]) -> dict[str, Any]:
    """A thread claim as the pages show it."""
    return {"doc_id": member["doc_id"], "claim_id": member["claim_id"], "stance": member["stance"],
            "hedged": member["hedged"], "modality": member.get("modality"), "source": member.get("source"),
            "outlet": member.get("outlet"), "who": who(member.get("source"), member.get("outlet")),
            "name": name_of(member.get("source"), member.get("outlet")),
            "via": via(member.get("source"), member.get("outlet")),
            "date": member.get("date"), "when": when(member.get("date"), member.get("date_estimate")),
            "dated": bool(date_text(member.get("date"))), "words": member.get("evidence") or "",
            "about": _about(member),
            "doc_title": member.get("doc_title"),
            "why": {"claim": f"{member['doc_id']} {member['claim_id']}", "rule": member.get("rule"),
                    "score": member.get("score"), "relevance": member.get("relevance")}}


def _about(member: dict[str, Any]) -> str:
    """The time a claim is about, when it is not the day it was reported ("" otherwise)."""
    about = member.get("about") or ""
    return date_text(about) if about[:10] != (member.get("date") or "")[:10] else ""


def _by_speaker(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One line per speaker: the earliest claim (dated before undated), how many claims; every
    claim nobody is named for is one line, "unnamed sources"."""
    speakers: OrderedDict[str | None, dict[str, Any]] = OrderedDict()
    for e in sorted(entries, key=_time_key):
        key = e["source"] if e["source"] and e["source"] != "-" else e["outlet"]
        if key not in speakers:
            speakers[key] = {"name": e["name"], "via": e["via"], "first": e, "claims": 0, "documents": set()}
        speakers[key]["claims"] += 1
        speakers[key]["documents"].add(e["doc_id"])
    unnamed = speakers.get(None)
    if unnamed and len(unnamed["documents"]) > 1:
        unnamed["name"] = f"unnamed sources in {len(unnamed['documents'])} documents, the first"
    return list(speakers.values())


def _time_key(e: dict[str, Any]) -> tuple:
    return (not e["dated"], e["date"] or "", e["doc_id"])


def timeline(entries: list[dict[str, Any]], limit: int | None = None) -> tuple[list[dict[str, Any]], int]:
    """The thread's claims by date, then by source: one row per (date, speaker, stance) with its
    first words and how many claims it stands for; undated claims last, by document (with the
    document's estimated window). Returns (rows, rows in all)."""
    rows: OrderedDict[tuple, dict[str, Any]] = OrderedDict()
    for e in sorted(entries, key=_time_key):
        key = (e["date"] if e["dated"] else "~" + e["doc_id"], e["who"], e["stance"])
        if key not in rows:
            # undated rows come under a heading per document: its title and estimated window
            rows[key] = {**e, "more": 0, "group": None if e["dated"] else e["doc_id"]}
        else:
            rows[key]["more"] += 1
    out = list(rows.values())
    return (out[:limit] if limit is not None else out), len(out)


def group_contradictions(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Contradictions grouped by the pair of sources (each pair once, whichever side it was on)."""
    groups: OrderedDict[tuple, dict[str, Any]] = OrderedDict()
    for x in items:
        for side in ("a", "b"):
            s = x[side]
            s["who"] = who(s.get("source"), s.get("outlet"))
            s["name"], s["via"] = name_of(s.get("source"), s.get("outlet")), via(s.get("source"), s.get("outlet"))
            s["when"] = when(s.get("date"), s.get("date_estimate"))
        key = tuple(sorted((x["a"]["name"], x["b"]["name"])))
        group = groups.setdefault(key, {"pair": key, "rows": [], "pairs": 0})
        group["rows"].append(x)
        group["pairs"] += x.get("pairs") or 1
    return list(groups.values())


def denial_sentences(denials: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One sentence per denier: "US-led coalition denied the reports of Syrian regime media and
    Sputnik (17 Nov 2020)", with the denial's words and each report's (the earliest denial
    first; a reported source named once)."""
    by_denier: OrderedDict[str, dict[str, Any]] = OrderedDict()
    for d in denials:
        denial, report = d["denial"], d["report"]
        denier = name_of(denial.get("source"), denial.get("outlet"))
        item = by_denier.setdefault(denier, {
            "denier": denier, "via": via(denial.get("source"), denial.get("outlet")), "denial": denial,
            "when": when(denial.get("date"), denial.get("date_estimate")), "reports": [], "why": []})
        reporter = name_of(report.get("source"), report.get("outlet"))
        if all(r["name"] != reporter for r in item["reports"]):
            item["reports"].append({**report, "name": reporter, "via": via(report.get("source"), report.get("outlet")),
                                    "when": when(report.get("date"), report.get("date_estimate"))})
        item["why"].append(f"{denial['doc_id']} {denial['claim_id']} → {report['doc_id']} {report['claim_id']} "
                           f"({d.get('rule')}, {d.get('score')})")
    for item in by_denier.values():
        item["why"] = {"links": "; ".join(item["why"])}
    return list(by_denier.values())


def thread_story(ledger: Ledger, thread: dict[str, Any], *, timeline_rows: int | None = 40,
                 series: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Everything the pages say about one thread (``thread`` as store.queries.thread_page gives it).
    ``series``: the chartable series, to pick the one whose documents the thread shares most."""
    members, total = queries.thread_members(ledger, thread["thread_id"], limit=MAX_MEMBERS)
    entries = [entry(m) for m in members]
    first = next((e for e in entries if (e["doc_id"], e["claim_id"]) == (thread.get("first_doc_id"),
                                                                        thread.get("first_claim_id"))), None)
    if first is not None and not first["dated"]:
        estimated = thread.get("first_estimated")
        if isinstance(estimated, list) and len(estimated) == 2:
            first["when"] = window_text({"earliest": estimated[0], "latest": estimated[1]})
    supporters = _by_speaker([e for e in entries if e["stance"] == "supports"])
    deniers = _by_speaker([e for e in entries if e["stance"] == "denies"])
    contradictions, _ = queries.contradiction_page(ledger, thread_id=thread["thread_id"], limit=500)
    grouped = group_contradictions(contradictions)
    reversals = [x for x in contradictions if x["kind"] == "reversal"]
    rows, row_total = timeline(entries, timeline_rows)
    documents = {e["doc_id"] for e in entries}
    numbers = thread_numbers(series or [], documents)
    return {
        "id": thread["thread_id"], "label": thread["label"], "origin": thread.get("origin"),
        "claims": total, "documents": thread.get("documents") or len(documents),
        "first": first, "first_missing": first is None,
        "undated_supporters": sum(1 for s in supporters if not s["first"]["dated"]) if first and first["dated"] else 0,
        "supporters": supporters, "deniers": deniers,
        "denials": denial_sentences(queries.thread_denials(ledger, thread["thread_id"])),
        "contradictions": grouped, "n_contradictions": len(contradictions), "reversals": reversals,
        "timeline": rows, "timeline_total": row_total, "numbers": numbers,
        "doc_ids": documents,
        "why": {"thread": thread["thread_id"], "rule": thread.get("rule"), "event": thread.get("event"),
                "proposition": thread.get("proposition")},
    }


def thread_numbers(series: list[dict[str, Any]], documents: set[str]) -> dict[str, Any] | None:
    """The chartable series whose values come most from the thread's documents, its values in
    time order (undated ones counted apart)."""
    best, shared = None, 0
    for s in series:
        n = sum(1 for p in s["points"] if p["doc_id"] in documents)
        if n > shared:
            best, shared = s, n
    if best is None or shared < 2:
        return None
    from .charts import placement

    dated, undated = [], []
    for p in best["points"]:
        place = placement(p)
        item = {"point": p, "when": place.get("when") if place else "undated",
                "day": place.get("day") if place else None, "who": who(p.get("source"), p.get("outlet"))}
        (dated if place else undated).append(item)
    dated.sort(key=lambda i: i["day"])
    return {"measure_key": best["measure_key"], "href": best.get("href"), "dated": dated, "undated": undated}


def names(speakers: list[dict[str, Any]], shown: int = NAMES_SHOWN) -> tuple[list[dict[str, Any]], int]:
    """The first ``shown`` speakers and how many more there are."""
    return speakers[:shown], max(0, len(speakers) - shown)
