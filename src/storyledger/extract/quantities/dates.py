"""Dates and times are not quantities: the spans a number inside of is a date, and the year-like
numbers that read as dates once the parse is known."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..timex import TimeExpression, month_of, month_rules
from .candidate import Candidate, tokens_for

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Span, Token

# Dates the time tagger does not read by month: numeric dates, clock times, decades, year spans,
# ordinals, fiscal periods.
_BLOCK_RES = [
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


_DAY_BEFORE_MONTH = re.compile(r"\s+(?:of\s+)?")


@dataclass(frozen=True)
class DateSpans:
    """Where the text is a date: no number inside one of these spans is a quantity."""

    spans: list[tuple[int, int]]

    def blocks(self, s: int, e: int) -> bool:
        return any(bs < e and s < be for bs, be in self.spans)


def date_spans(text: str, time_expressions: Iterable[TimeExpression]) -> DateSpans:
    """The dates of ``text``: its time expressions told by a month ("June 2018", "5 March"), and
    the date shapes above."""
    by_month = month_rules()
    spans = [(t.start, t.end) for t in time_expressions if t.rule in by_month]
    for rx in _BLOCK_RES:
        for m in rx.finditer(text):
            spans.append((m.start(), m.end()))
    return DateSpans(spans)


def is_month_name(token: Token) -> bool:
    """A capitalised month name or abbreviation ("June", "Sept.", "DEC"), by the time tagger's table."""
    return token.text[:1].isupper() and month_of(token.text) is not None


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
    """A year that counts nothing or follows a date preposition ("in 2013"), a bare number in the
    parser's date with a month ("Dec. 6-9"), or a day number before a month name ("21 Oct") is a
    date."""
    if _is_year_like(c) and c.approx is None:
        before = text[max(0, c.start - 30) : c.start]
        if (
            _DATE_PREP_RE.search(before)
            or c.head is None
            or c.start == 0
            or _span_ent(doc, c) in ("DATE",)
        ):
            return True
    if c.value is None or c.is_word or c.unit is not None:
        return False
    if c.head is None:
        return _span_ent(doc, c) in ("DATE", "TIME") and any(is_month_name(t) for t in _entity(doc, c))
    # a day before its month, where the time tagger reads none ("21 Oct" without the full stop)
    return (
        c.is_int
        and 1 <= c.value <= 31
        and c.head_tok is not None
        and is_month_name(c.head_tok)
        and _DAY_BEFORE_MONTH.fullmatch(text, c.num_end, c.head_tok.idx) is not None
    )


def is_year_after_date_preposition(text: str, c: Candidate) -> bool:
    """Years after a date preposition ("in 2013", "since 1979") are dates, whatever follows."""
    return _is_year_like(c) and _DATE_PREP_RE.search(text[max(0, c.start - 30) : c.start]) is not None


def _span_ent(doc: Doc, c: Candidate) -> str:
    span = tokens_for(doc, c.num_start, c.num_end)
    if span is None or not len(span):
        return ""
    return span[0].ent_type_


def _entity(doc: Doc, c: Candidate) -> Span | tuple[()]:
    """The parser's entity holding the number; empty where there is none."""
    span = tokens_for(doc, c.num_start, c.num_end)
    if span is None or not len(span):
        return ()
    t = span[0]
    for e in doc.ents:
        if e.start <= t.i < e.end:
            return e
    return ()
