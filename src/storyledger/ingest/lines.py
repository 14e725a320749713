"""The shape of a line of article text, read without a parse.

Cheap tests the cleaner and the segmenter share: where the lines are, a comparison key, sentence
ends that skip abbreviations, whether a line reads as a clause of reporting or as a headline.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache

from ..resources import load_json

TITLE_MAX_WORDS = 30
CAPITALISED_SHARE = 0.6  # of a line's longer words, for a headline set in title case
CLAUSE_MIN_WORDS = 4
WORD = re.compile(r"\w+(?:[’'.-]\w+)*", re.UNICODE)
_LONG_WORD = re.compile(r"[^\W\d_][\w’'-]{3,}")
_SPACES = re.compile(r"[^\S\n]")  # any space character, one for one: runs of spaces are kept
_ASCII_ODD_SPACES = frozenset("\t\r\x0b\x0c\x1c\x1d\x1e\x1f")  # what _SPACES finds in ASCII
# A full stop (or ! ?) that ends a sentence: followed by space and a capital, digit or quote.
_SENTENCE_BREAK = re.compile(r"[.!?…]+[\"”’')\]]*(?=\s+[\"“‘'(\[]?[A-Z0-9])")
# A present-tense verb before its object: "keeps the", "shows his", "changes a".
_PRESENT_VERB = re.compile(
    r"\b[a-z]{3,}s\s+(?:the|a|an|his|her|their|its|our|my|your|this|these|those|him|them|it|us)\b")
_OPENING_QUOTES = "\"'“‘«"
_CLOSING_QUOTES = "\"'”’»"


@dataclass(frozen=True)
class Line:
    start: int  # offsets of the stripped line in the original text
    end: int
    text: str
    blank_before: int  # blank lines just before this one

    @cached_property
    def words(self) -> int:
        return len(WORD.findall(self.text))


def split_lines(text: str) -> list[Line]:
    """Non-blank lines of ``text`` with offsets of their stripped content."""
    lines: list[Line] = []
    blank = 0
    pos = 0
    for raw in text.splitlines(keepends=True):
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            start = pos + lead
            lines.append(Line(start, start + len(stripped), stripped, blank))
            blank = 0
        else:
            blank += 1
        pos += len(raw)
    return lines


def plain_spaces(text: str) -> str:
    """No-break and other space characters as plain spaces, one for one (offsets unchanged)."""
    if text.isascii() and not _ASCII_ODD_SPACES.intersection(text):
        return text  # the common case, without a regular expression's pass
    return _SPACES.sub(" ", text)


def normalize_line(text: str) -> str:
    """A comparison key: case, accents, punctuation and spacing folded away."""
    text = unicodedata.normalize("NFKD", text).casefold()
    return " ".join(WORD.findall(text))


@cache
def lexicon() -> dict[str, frozenset[str]]:
    data = load_json("boilerplate.json")
    return {key: frozenset(w.casefold() for w in data[key])
            for key in ("photo_credit_terms", "agency_credit_terms", "not_credits", "clause_words",
                        "reporting_words", "abbreviations", "credit_joiners", "name_joiners")}


def sentences(text: str) -> list[str]:
    """``text`` cut at sentence ends; "U.S.", "Gen." and initials do not end a sentence."""
    abbreviations = lexicon()["abbreviations"]
    pieces, start = [], 0
    for match in _SENTENCE_BREAK.finditer(text):
        before = WORD.findall(text[start:match.start()])
        last = before[-1] if before else ""
        if "." in last or len(last) == 1 or last.casefold() in abbreviations:
            continue
        pieces.append(text[start:match.end()].strip())
        start = match.end()
    tail = text[start:].strip()
    return [*pieces, tail] if tail else pieces


def is_clause(text: str) -> bool:
    """Does ``text`` read as a clause of reporting: lower-case words and a finite verb?

    A cheap stand-in for a parse: four or more words, two of them in lower case, and a word from
    the resource's finite verbs, a negated auxiliary, a past form ("announced") or a present
    form before its object ("keeps the"). Headlines set in title case and labels fail it;
    sentences of reporting pass. It errs towards "clause", which keeps a line.
    """
    words = WORD.findall(text)
    if len(words) < CLAUSE_MIN_WORDS:
        return False
    lower = [w for w in words if w[0].islower()]
    if len(lower) < 2:
        return False
    if _PRESENT_VERB.search(text):
        return True
    verbs = lexicon()["clause_words"]
    for word in words:
        folded = word.casefold().replace("’", "'")
        if folded in verbs or folded.endswith("n't") or (
                word[0].islower() and len(folded) >= 5 and folded.endswith("ed")):
            return True
    return False


def reports_speech(text: str) -> bool:
    """Does the line report what someone said ("… a source told KCTV", "according to …")?"""
    words = lexicon()["reporting_words"]
    return any(w in words for w in WORD.findall(text))  # lower case: not "United States"


@lru_cache(maxsize=4096)
def clause_count(text: str) -> int:
    return sum(1 for sentence in sentences(text) if is_clause(sentence))


def strongly_title_like(text: str) -> bool:
    """Set in title case: most longer words capitalised ("Khamenei Urges Iraq's PM to …")."""
    words = _LONG_WORD.findall(text)
    if len(words) < 3:
        return False
    return sum(w[0].isupper() for w in words) / len(words) >= CAPITALISED_SHARE


def _wholly_quoted(text: str) -> bool:
    """A pull quote: the line opens and closes with quotation marks."""
    return text[:1] in _OPENING_QUOTES and text.rstrip(".,!?;: ")[-1:] in _CLOSING_QUOTES


def is_title_like(text: str) -> bool:
    """Could this line be a headline? Short, not a pull quote, not ending like a fragment.

    A line ending in a full stop is a headline only when set in title case as one sentence
    ("Stealth Over Health: Clinton Was Headed to ER."): a sentence of reporting is not.
    """
    words = len(WORD.findall(text))
    if not 3 <= words <= TITLE_MAX_WORDS or len(text) > 250:
        return False
    if _wholly_quoted(text):
        return False
    if text.endswith((",", ";", ":")):
        return False
    if text.endswith(".") and not text.endswith("...") and not (
            strongly_title_like(text) and len(sentences(text)) == 1):
        return False
    first = text[0]
    return first.isupper() or first.isdigit() or first in _OPENING_QUOTES
