"""Denials linked to the reports they deny, and denials that only relay someone else's.

A denial answers a report of the same event from the weeks before it: the reports whose claims are
most like it (several outlets' copies of one report), the report it names ("this newspaper's
report"), or the report in its own document it refers to ("the report", "the claims").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np

from ..resources import load_json
from .threads import ClaimRec, _days, _stem, events_lexicon, is_denial

DENIAL_LINK_SIM = 0.5
# A denial that says what was reported answers the reports most like it: those within this much
# cosine of the closest (several outlets' copies of one report), not every story over the floor.
DENIAL_LINK_MARGIN = 0.15
DENIAL_WINDOW_DAYS = 45  # a denial answers a report from the weeks before it


def mark_relayed_denials(claims: list[ClaimRec]) -> None:
    """Mark the denials that only relay someone else's: their proposition holds a whole act of
    denial, subject and all. "RIA Novosti reported that a Pentagon spokesperson called the report
    erroneous", "It came after the ministry had dismissed the report as baseless": the denial is
    the spokesperson's or the ministry's, and RIA Novosti or the outlet only reports it. (The
    denier's own claim is the one whose cue is the act: "called" → "the report erroneous".)"""
    act = _denial_act()
    for c in claims:
        if is_denial(c) and act.search(c.proposition):
            c.relays_denial = True


@cache
def _denial_act() -> re.Pattern[str]:
    """A verb of denial in a finite or -ing form ("denied", "rejects", "dismissing"), or a verb
    of calling followed closely by a negative evaluation ("called the report erroneous")."""
    lex = load_json("link/conclusions.json")["denial_acts"]
    claims = load_json("claims.json")
    endings = "(?:s|es|ed|d|ied|ies|ing|ting|ted)"
    verbs = "|".join(re.escape(_stem(w)) for w in claims["denial_cue_lemmas"])
    calling = "|".join(re.escape(w) for w in lex["calling_verbs"])
    evaluations = "|".join(re.escape(w) for w in sorted(claims["negative_evaluations"], key=len, reverse=True))
    return re.compile(
        rf"\b\w[\w'’-]*\s+(?:\w+\s+){{0,3}}?(?:(?:{verbs}){endings}\b"
        rf"|(?:{calling})\b(?:\W+\w+){{0,8}}?\W+(?:{evaluations})\b)", re.IGNORECASE)


_DEFINITE_REFERENCE = re.compile(
    r"(?<![\w-])(?:the|this|that|these|those|such|its|their|his|her)\s+(?:[\w'’-]+\s+){0,2}?"
    r"(report|reports|claim|claims|allegation|allegations|story|stories|account|accounts|article|rumou?rs?)"
    r"(?!\s+(?:of|that|about|on)\b)", re.IGNORECASE)
_DETERMINERS = frozenset("the this that these those such its their his her our a an some any".split())
_NAMED_REFERENCE = re.compile(
    r"\b([A-Z][\w-]{2,})(?:['’]s)?\s+(?:[a-z]+\s+)?(?:report|reports|claims?|story|account|allegations?)\b")
_CONTENT_REFERENCE = re.compile(
    r"(report|reports|claim|claims|allegation|allegations|rumou?rs?|story|stories)\s+(?:of|that|about|on)\b",
    re.IGNORECASE)


# -- denial links ------------------------------------------------------------------------------

def link_denials(compared: list[ClaimRec], document: Callable[[str], list[ClaimRec]], outlets: dict[str, str | None],
                 day, ensure: Callable[[list[ClaimRec]], None]) -> list[dict[str, Any]]:
    """Each denial of a report, linked to the report: by reference inside its own document ("the
    report") or, when it says what was reported ("reports of a troop withdrawal"), to the
    matching earlier reports about the same event in any document, or in its own document when
    it names no event. ``compared`` holds the claims about events and the denials;
    ``document(doc_id)`` gives every claim of one document; ``ensure`` embeds claims."""
    links: list[dict[str, Any]] = []
    event_reports = [c for c in compared if c.events and c.polarity == "affirmed" and not is_denial(c)]
    ensure(event_reports)
    event_matrix = np.stack([c.vector for c in event_reports]) if event_reports else np.zeros((0, 384), np.float32)
    for c in compared:
        why = is_denial(c)
        if not why:
            continue
        text = c.proposition
        content = _CONTENT_REFERENCE.search(text)
        definite = _DEFINITE_REFERENCE.search(text)
        if content and len(text[content.end():].split()) >= 2:
            ensure([c])
            pool, sims = event_reports, event_matrix @ c.vector
            if not c.events:
                extra = [r for r in document(c.doc_id) if not r.events and r.key != c.key
                         and r.polarity == "affirmed" and not is_denial(r)]
                ensure(extra)
                if extra:
                    pool = pool + extra
                    sims = np.concatenate([sims, np.stack([r.vector for r in extra]) @ c.vector])
            owner = _report_owner(text, outlets.get(c.doc_id))
            links += [link for link in _content_links(c, pool, sims, day, why)
                      if owner is None or owner in _whose(link["report"], outlets)]
        elif definite:
            target = _same_document_report(c, document(c.doc_id), text, outlets, event_reports)
            if target:
                links.append({"denial": c, "report": target[0], "score": target[1],
                              "rule": f"{why}+{target[2]}"})
    return links


def _report_owner(text: str, own_outlet: str | None) -> str | None:
    """Whose report a denial names, lower-cased: "this newspaper's report" is the document's own
    outlet's, "the Gazette's report" the Gazette's; None when it names nobody's."""
    words = "|".join(sorted(events_lexicon().reporting_words, key=len, reverse=True))
    if own_outlet and re.search(rf"\b(?:this|our)\s+(?:{words})['’]s\b", text, re.IGNORECASE):
        return own_outlet.lower()
    for name in _NAMED_REFERENCE.findall(text):
        if name.lower() not in events_lexicon().reference_nouns and name.lower() not in _DETERMINERS:
            return name.lower()
    return None


def _whose(r: ClaimRec, outlets: dict[str, str | None]) -> str:
    """Who a report is by, as written: its source and its outlet, lower-cased."""
    return f"{r.source_raw or ''} {r.source_text or ''} {outlets.get(r.doc_id) or ''}".lower()


def _content_links(c: ClaimRec, reports: list[ClaimRec], sims: np.ndarray, day, why: str) -> list[dict[str, Any]]:
    """The reports (``sims``: their cosines to the denial) that the denial answers."""
    if not len(reports) or c.vector is None:
        return []
    out = []
    # the 40 most like it, of those close enough to count (no need to sort the whole corpus)
    close = np.flatnonzero(sims.astype(np.float64) >= DENIAL_LINK_SIM)
    for i in close[np.argsort(-sims[close], kind="stable")][:40]:
        r = reports[int(i)]
        sim = float(sims[i])
        if sim < DENIAL_LINK_SIM or r.key == c.key or (r.source and r.source == c.source):
            continue
        if c.events and not r.events & c.events:
            continue  # denying a report that the port will close says nothing of one that it will reopen
        if r.doc_id != c.doc_id and not _in_denial_window(r, c, day):
            continue
        if r.order > c.order and r.doc_id == c.doc_id and not _reporty(r):
            continue
        if out and sim < out[0]["score"] - DENIAL_LINK_MARGIN:
            break  # far less like the denial than the report it most resembles: another story
        out.append({"denial": c, "report": r, "score": round(sim, 3), "rule": f"{why}+reported-content"})
    return out[:6]


def _in_denial_window(report: ClaimRec, denial: ClaimRec, day) -> bool:
    gap = _days(day(report.reported), day(denial.reported))
    return gap is not None and 0 <= gap <= DENIAL_WINDOW_DAYS


def _reporty(r: ClaimRec) -> bool:
    lex = events_lexicon()
    words = set(re.findall(r"[a-z]+", (r.source_text or "").lower()))
    if words & lex.reporting_words:
        return True
    cue = (r.cue or "").lower()
    return any(w.startswith(tuple(lex.report_cues[:1])) for w in cue.split())


def _same_document_report(c: ClaimRec, doc_claims: list[ClaimRec], text: str,
                          outlets: dict[str, str | None], event_reports: list[ClaimRec]):
    """The report a definite reference ("the report", "the Gazette's report") points at."""
    named = [w for w in _NAMED_REFERENCE.findall(text)
             if w.lower() not in events_lexicon().reference_nouns and w.lower() not in _DETERMINERS]
    if named:
        for name in named:
            for r in sorted(event_reports, key=lambda r: r.order):
                if r.key == c.key:
                    continue
                if name.lower() in _whose(r, outlets) and (r.reported or "") <= (c.reported or "9999"):
                    return r, 0.8, "named-report"
    before = [r for r in doc_claims if r.order < c.order and r.polarity == "affirmed"
              and not is_denial(r) and r.source != c.source]
    reporty = [r for r in before if _reporty(r)]
    if reporty:
        return reporty[0], 0.7, "same-document-report"
    lead = [r for r in before if r.events]
    if lead:
        return lead[0], 0.5, "same-document-lead"
    return None
