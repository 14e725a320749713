"""Hygiene for scraped article text: boilerplate out, with a reason per removed span.

The cleaner works line by line on one article's original text. Each non-blank line is kept or
removed; removed lines are recorded as :class:`RemovedSpan` with the reason and the rule that
matched. The cleaned text is the kept lines (with odd space characters made plain spaces, one for one)
joined by paragraph breaks, and an
:class:`OffsetMap` leads every cleaned offset back to the original.

Header metadata found on the way (title, a standalone date line, a byline, an outlet's tagline,
a place dateline) is returned with the text, each with the line it came from as evidence.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from ..model import OffsetMap, RemovedSpan
from ..resources import load_json
from .dates import DateLine, parse_date_line

# How far into an article header metadata (date lines, bylines) may appear: a date line after
# the reporting has started is part of the story ("On March 3, 2026 …" never stands alone, but
# a closing "Updated …" line is not the publication date either).
HEADER_MAX_LINES = 12
SUBSTANTIAL_WORDS = 25  # a line this long is reporting, not header
TITLE_MAX_WORDS = 30
REPEAT_MIN_WORDS = 4  # shorter lines ("Yes.") may legitimately repeat

_SENTENCE_END = tuple(".!?:;\"”’)]…")
_WORD = re.compile(r"\w+(?:[’'.-]\w+)*", re.UNICODE)
_SPACES = re.compile(r"[^\S\n]")  # any space character, one for one: runs of spaces are kept


@dataclass(frozen=True)
class Line:
    start: int  # offsets of the stripped line in the original text
    end: int
    text: str
    blank_before: int  # blank lines just before this one

    @property
    def words(self) -> int:
        return len(_WORD.findall(self.text))


@dataclass(frozen=True)
class Rule:
    name: str
    reason: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Tagline:
    outlet: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class CleanArticle:
    text: str
    offset_map: OffsetMap
    removed: tuple[RemovedSpan, ...]
    title: str | None
    byline: str | None
    date_line: DateLine | None
    date_evidence: str | None
    outlet: str | None  # from a known tagline
    outlet_evidence: str | None
    dateline: str | None  # place dateline opening the story: "BAGHDAD/DAMASCUS"


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
    return _SPACES.sub(" ", text)


def normalize_line(text: str) -> str:
    """A comparison key: case, accents, punctuation and spacing folded away."""
    text = unicodedata.normalize("NFKD", text).casefold()
    return " ".join(_WORD.findall(text))


def is_title_like(text: str) -> bool:
    """Could this line be a headline? Short, not ending like a sentence fragment."""
    words = len(_WORD.findall(text))
    if not 3 <= words <= TITLE_MAX_WORDS or len(text) > 250:
        return False
    if text.endswith((".", ",", ";", ":")) and not text.endswith("..."):
        return False
    first = text[0]
    return first.isupper() or first.isdigit() or first in "\"'“‘"


@cache
def boilerplate_rules() -> tuple[Rule, ...]:
    rules = []
    for entry in load_json("boilerplate.json")["rules"]:
        for pattern in entry["patterns"]:
            rules.append(Rule(entry["name"], entry["reason"],
                              re.compile(pattern, re.IGNORECASE | re.DOTALL)))
    return tuple(rules)


@cache
def taglines() -> tuple[Tagline, ...]:
    return tuple(
        Tagline(t["outlet"], re.compile(t["pattern"], re.IGNORECASE))
        for t in load_json("outlets.json")["taglines"]
    )


_BYLINE = re.compile(
    r"^(?P<staff>staff (?:reporter|writer|correspondent)|(?:our|a) correspondent|news desk|agencies)$|"
    r"^(?:by|written by|words by|reporting by)\s+(?P<names>[A-Z][\w.’'-]+(?:\s+[A-Z][\w.’'-]+){0,3}"
    r"(?:\s*(?:and|&)\s*[A-Z][\w.’'-]+(?:\s+[A-Z][\w.’'-]+){0,3})*)"
    r"(?:\s*[,|–—-]\s*.{0,60})?$",
    re.IGNORECASE,
)
# "BAGHDAD/DAMASCUS – American forces …", "WASHINGTON (Reuters) - …"
_DATELINE = re.compile(r"^(?P<place>[A-Z][A-Z.'’/ ,-]{1,48}[A-Z.])\s*(?:\([^)]{1,30}\))?\s*[–—-]{1,2}\s")


def match_rule(text: str) -> Rule | None:
    text = _SPACES.sub(" ", text)  # scraped lines carry no-break and odd spaces
    for rule in boilerplate_rules():
        if rule.pattern.fullmatch(text):
            return rule
    return None


def match_tagline(text: str) -> Tagline | None:
    text = _SPACES.sub(" ", text)
    for tagline in taglines():
        if tagline.pattern.fullmatch(text):
            return tagline
    return None


def clean_article(original: str, *, title_hint: str | None = None) -> CleanArticle:
    """Clean one article's text. ``title_hint`` is a title the input declared, if any."""
    lines = split_lines(original)
    substantial = [i for i, line in enumerate(lines) if line.words >= SUBSTANTIAL_WORDS]
    # The header ends where the second substantial paragraph starts (the first may be a
    # standfirst), and never later than HEADER_MAX_LINES.
    header_end = min(HEADER_MAX_LINES, substantial[1] if len(substantial) > 1 else len(lines))
    hint_key = normalize_line(title_hint) if title_hint else None

    removed: list[RemovedSpan] = []
    byline = date_evidence = outlet = outlet_evidence = None
    date_line: DateLine | None = None

    def drop(line: Line, reason: str, rule: str) -> None:
        removed.append(RemovedSpan(line.start, line.end, reason, rule, line.text))

    # Pass 1: lines that are boilerplate or header metadata whatever their position.
    remaining: list[tuple[int, Line]] = []
    for index, line in enumerate(lines):
        text = line.text
        tagline = match_tagline(text)
        if tagline:
            outlet = outlet or tagline.outlet
            outlet_evidence = outlet_evidence or text
            drop(line, "outlet tagline", f"tagline:{tagline.outlet}")
            continue
        rule = match_rule(text)
        if rule:
            drop(line, rule.reason, rule.name)
            continue
        if index < header_end:
            found = parse_date_line(text)
            if found:
                if found.kind == "published" and date_line is None:
                    date_line, date_evidence = found, text
                reason = "publication date line" if found.kind == "published" else "update date line"
                drop(line, reason, "date-line")
                continue
            by = _BYLINE.match(text)
            if by and line.words <= 12:
                byline = byline or by.group("names") or by.group("staff")
                drop(line, "byline", "byline")
                continue
        remaining.append((index, line))

    # Pass 2: the headline, and the page header printed above it.
    title_at = _find_title(remaining, header_end, hint_key)
    title, title_key = title_hint, hint_key
    if title_at is not None and hint_key is None:
        title = remaining[title_at][1].text
        title_key = normalize_line(title)

    # Pass 3: what is left above the headline is page header; repeats go; the rest is kept.
    kept: list[Line] = []
    seen: set[str] = set()
    for position, (_, line) in enumerate(remaining):
        key = normalize_line(line.text)
        if title_at is not None and position < title_at:
            drop(line, "page header above the title", "before-title")
            continue
        if key and key in seen and (key == title_key or line.words >= REPEAT_MIN_WORDS):
            drop(line, "repeated title" if key == title_key else "repeated paragraph",
                 "repeated-line")
            continue
        seen.add(key)
        kept.append(line)

    text, offset_map = _join(kept, title_key)
    dateline = None
    for line in kept:
        if normalize_line(line.text) != title_key and line.words >= 8:
            match = _DATELINE.match(line.text)
            dateline = match.group("place").strip() if match else None
            break
    return CleanArticle(text, offset_map, tuple(removed), title, byline, date_line,
                        date_evidence, outlet, outlet_evidence, dateline)


def _find_title(remaining: list[tuple[int, Line]], header_end: int,
                hint_key: str | None) -> int | None:
    """Position in ``remaining`` of the headline line, or None when there is none.

    A declared title is found by its text. Otherwise the headline is the line a page prints
    twice near the top, or failing that the longest headline-like line before the reporting
    starts (site names and section labels above a headline are shorter than the headline).
    """
    header = [(pos, line) for pos, (index, line) in enumerate(remaining)
              if index < header_end and line.words < SUBSTANTIAL_WORDS]
    # Only lines above the first substantial paragraph can be the headline.
    first_body = next((pos for pos, (index, line) in enumerate(remaining)
                       if line.words >= SUBSTANTIAL_WORDS), len(remaining))
    header = [(pos, line) for pos, line in header if pos < first_body]
    if hint_key is not None:
        return next((pos for pos, line in header if normalize_line(line.text) == hint_key), None)
    keys = [normalize_line(line.text) for _, line in header]
    for i, (pos, line) in enumerate(header):
        if keys[i] in keys[i + 1:] and is_title_like(line.text):
            return pos
    candidates = [(line.words, -pos, pos) for pos, line in header if is_title_like(line.text)]
    return max(candidates)[2] if candidates else None


def _join(kept: list[Line], title_key: str | None) -> tuple[str, OffsetMap]:
    """Join kept lines into paragraphs; a paragraph broken mid-sentence is rejoined."""
    parts: list[str] = []
    segments: list[tuple[int, int, int]] = []
    length = 0
    previous: Line | None = None
    for line in kept:
        if previous is not None:
            broken = (
                not previous.text.endswith(_SENTENCE_END)
                and line.text[:1].islower()
                and normalize_line(previous.text) != title_key
            )
            separator = " " if broken else "\n\n"
            parts.append(separator)
            length += len(separator)
        segments.append((length, line.start, line.end - line.start))
        parts.append(plain_spaces(line.text))
        length += len(line.text)
        previous = line
    return "".join(parts), OffsetMap(tuple(segments))
