"""The time-expression scan: each rule's first-character finder gives exactly the matches of a
plain scan with the rule's own regular expression, on written fixtures, hostile text and the
shared corpora."""

from __future__ import annotations

import re

import pytest

from article_fixtures import FERRY, QUAY
from conftest import shared_path
from storyledger.extract.timex.grammar import _grammar
from storyledger.extract.timex.scan import candidates, first_char_finder

WRITTEN = (
    "On Monday, Jan. 6, 2025, the council met at 10:30 a.m.; it meets every Tuesday and met twice "
    "last week. In the first quarter of 2024, sales rose 3% from a year ago. The 1990s and the "
    "twenty-first century; mid-June; the summer of 2019; three days ago; two and a half years; "
    "Christmas Eve; FY2023; '80s; 12/25/2019; 2024-01-24; nineteen ninety-one; now; Tonight.",
    " ".join(QUAY + FERRY),
    # Characters case-insensitive matching equates with ASCII letters, and words glued together
    "\u212aessin \u017fince T\u0130tan 3\u212ailo yesterdayToday 5years $1999 1999a ago-ago",
    "", "a", "2024", "May may MAY May 5 may 5",
)


def _plain(text: str, rules) -> list[tuple]:
    return [(m.start(), m.end(), rule.name, m.groupdict())
            for rule in rules for m in rule.regex.finditer(text) if m.end() > m.start()]


def _found(text: str, rules) -> list[tuple]:
    return [(start, end, rule.name, m.groupdict()) for start, end, rule, m in candidates(text, rules)]


def test_every_rule_gets_a_finder():
    rules = _grammar().rules
    assert [r.name for r in rules if r.finder is None] == []


@pytest.mark.parametrize("text", WRITTEN)
def test_finders_give_the_plain_scan(text: str):
    rules = _grammar().rules
    assert _found(text, rules) == _plain(text, rules)


def test_finders_on_the_shared_corpora():
    rules = _grammar().rules
    paths = sorted(shared_path("data", "polnear", "dev", "text").glob("*.txt"))[:20]
    paths += sorted(shared_path("seeds").iterdir())
    for path in paths:
        text = path.read_text("utf-8", errors="replace")
        assert _found(text, rules) == _plain(text, rules), path.name


def test_first_characters_read_from_the_pattern():
    finder = first_char_finder(re.compile(r"(?<!\w)(?:(?i:the)\s+)?(?P<n>\d+)\s+days"))
    assert finder is not None
    text = "In THE 3 days, \u212a 4 days and the 5 days"
    assert [finder.search(text, pos).span("_match") for pos in (0, 13, 23)] == [(3, 13), (17, 23), (28, 38)]
    assert finder.search(text, 38) is None
    # A case-insensitive k also matches the Kelvin sign, so the class must hold it
    kelvin = first_char_finder(re.compile(r"(?i:k)m"))
    assert kelvin is not None and kelvin.search("\u212am").span("_match") == (0, 2)


@pytest.mark.parametrize("pattern", [r"(?:ab)?", r"[^a]b", r"(.)\1", r".x"])
def test_unreadable_or_empty_patterns_keep_the_plain_scan(pattern: str):
    assert first_char_finder(re.compile(pattern)) is None
