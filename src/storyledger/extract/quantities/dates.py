"""Dates and times are not quantities: the spans a number inside of is a date, and the year-like
numbers that read as dates once the parse is known."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .candidate import Candidate, tokens_for

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc

_MONTHS = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
)
_DAYNUM = r"\d{1,2}(?:st|nd|rd|th)?"
_BLOCK_RES = [
    re.compile(rf"\b{_MONTHS}\s+{_DAYNUM}(?:\s*,\s*\d{{4}})?(?![\w])"),
    re.compile(rf"\b{_DAYNUM}\s+(?:of\s+)?{_MONTHS}(?:\s*,?\s*\d{{4}})?(?![\w])"),
    re.compile(rf"\b{_MONTHS}\s*,?\s+\d{{4}}\b"),
    re.compile(r"(?<![\w.,])\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}(?!\w|\.\d)"),  # 25/01/2024, 2024-01-25
    re.compile(r"(?<![\w.])\d{1,2}:\d{2}(?::\d{2})?(?:\s*(?:[aApP]\.?[mM]\.?)(?![A-Za-z]))?"),
    re.compile(r"(?<![\w.])\d{1,2}(?:\.[0-5]\d)?\s*(?:[ap]\.m\.|[AP]\.M\.|am|pm|AM|PM)(?![A-Za-z])"),
    re.compile(r"(?<![\w.])(?:'|’)?\d{1,3}0s(?![A-Za-z])"),  # 1990s, '90s
    re.compile(
        r"(?<![\w.,])(?:1[5-9]\d\d|20\d\d)\s?[-–/]\s?(?:\d{2}|1[5-9]\d\d|20\d\d)(?![\w,]|\.\d)"
    ),  # 2013-14
    re.compile(r"(?<![\w.])\d+(?:st|nd|rd|th)\b"),  # ordinals
    re.compile(r"\b(?:FY|Q[1-4]|H[12])\s?\d{2,4}\b"),
    re.compile(
        r"\b(?:\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s*o['’]clock\b", re.I
    ),
]

_DATE_PREP_RE = re.compile(
    r"(?:\b(?:in|since|by|until|till|from|during|of|year|years|early|late|mid|before|after|through|"
    r"between|around|circa|spring|summer|autumn|fall|winter|season|fiscal|the|to|and|on|at|'s)\s*[-–]?|[,(])\s*$",
    re.I,
)


def blocked_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for rx in _BLOCK_RES:
        for m in rx.finditer(text):
            spans.append((m.start(), m.end()))
    return spans


def in_blocked(s: int, e: int, blocked: list[tuple[int, int]]) -> bool:
    return any(bs < e and s < be for bs, be in blocked)


def _is_year_like(c: Candidate) -> bool:
    return (
        not c.is_word
        and c.is_int
        and c.unit is None
        and c.value is not None
        and 1000 <= c.value <= 2100
        and re.fullmatch(r"\d{4}", c.raw or "") is not None
    )


def is_date_after_parse(doc: Doc, text: str, c: Candidate) -> bool:
    """A year that counts nothing or follows a date preposition ("in 2013"), or a bare number in
    the parser's date with a month ("the 5 and 6 June talks"), is a date."""
    if _is_year_like(c) and c.approx is None:
        before = text[max(0, c.start - 30) : c.start]
        if (
            _DATE_PREP_RE.search(before)
            or c.head is None
            or c.start == 0
            or _span_ent(doc, c) in ("DATE",)
        ):
            return True
    return (
        c.value is not None
        and not c.is_word
        and c.unit is None
        and c.head is None
        and _span_ent(doc, c) in ("DATE", "TIME")
        and re.search(rf"\b{_MONTHS}\b", _ent_text(doc, c)) is not None
    )


def is_year_after_date_preposition(text: str, c: Candidate) -> bool:
    """Years after a date preposition ("in 2013", "since 1979") are dates, whatever follows."""
    return _is_year_like(c) and _DATE_PREP_RE.search(text[max(0, c.start - 30) : c.start]) is not None


def _span_ent(doc: Doc, c: Candidate) -> str:
    span = tokens_for(doc, c.num_start, c.num_end)
    if span is None or not len(span):
        return ""
    return span[0].ent_type_


def _ent_text(doc: Doc, c: Candidate) -> str:
    span = tokens_for(doc, c.num_start, c.num_end)
    if span is None or not len(span):
        return ""
    t = span[0]
    for e in doc.ents:
        if e.start <= t.i < e.end:
            return e.text
    return ""
