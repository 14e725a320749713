"""Hygiene for scraped article text: boilerplate out, with a reason per removed span.

The cleaner works line by line on one article's original text. Each non-blank line is kept or
removed; removed lines are recorded as :class:`RemovedSpan` with the reason and the rule that
matched. The cleaned text is the kept lines (with odd space characters made plain spaces, one for one)
joined by paragraph breaks, and an
:class:`OffsetMap` leads every cleaned offset back to the original.

A line is removed only on positive evidence that it is boilerplate: a pattern from
``resources/boilerplate.json`` (with limits that keep it off lines of reporting that merely start
or end like boilerplate), a caption's photo credit, header metadata, a page header above a
headline the page prints twice (or the input declared), or a second copy of a line. A line that
reads as a clause (a cheap test: words in lower case and a finite verb, no parse) is never taken
for page header, and an article never loses all its text to hygiene.

Header metadata found on the way (title, a standalone date line, a byline, an outlet's tagline,
a place dateline) is returned with the text, each with the line it came from as evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from ..model import OffsetMap, RemovedSpan
from ..resources import load_json
from .dates import DateLine, parse_date_line
from .lines import (
    CLAUSE_MIN_WORDS,
    WORD,
    Line,
    clause_count,
    is_clause,
    is_title_like,
    lexicon,
    normalize_line,
    plain_spaces,
    reports_speech,
    sentences,
    split_lines,
)

# How far into an article header metadata (date lines, bylines) may appear: a date line after
# the reporting has started is part of the story ("On March 3, 2026 …" never stands alone, but
# a closing "Updated …" line is not the publication date either).
HEADER_MAX_LINES = 12
SUBSTANTIAL_WORDS = 25  # a line this long is reporting, not header
TITLE_REPEAT_WINDOW = 8  # lines within which a page prints its headline again
PAGE_HEADER_MAX_WORDS = 12  # section labels and site names above a headline are short
DOUBLED_MIN_WORDS = 3  # a line printed twice in a row is a scrape glitch; "No." "No." may be dialogue
REPEAT_MIN_WORDS = 20  # a line repeated further away must be a paragraph: list items repeat on purpose
CAPTION_MAX_WORDS = 60
CAPTION_MAX_CHARS = 600  # no 60-word caption is longer; longer lines are not even looked at
CREDIT_LINE_MAX_CHARS = 100
HEADER_MAX_CAPTIONS = 2  # captions an article's header may hold (not counting doubled copies)
CAPTION_MIN_WORDS = 5
CAPTION_MAX_CLAUSES = 2
CREDIT_MAX_WORDS = 6  # a credit in brackets or a caption's tail: "(Valdoria Today / Petra Soames)"
CREDIT_LINE_MAX_WORDS = 8  # a credit on a line of its own: "AP Photo/The Daily Courier, Matt Hinshaw"

_SENTENCE_END = tuple(".!?:;\"”’)]…")
# The bracketed group closing a line, and the unbracketed tail after a caption's last full stop.
_CLOSING_BRACKETS = re.compile(r"[(\[]([^()\[\]]{1,80})[)\]]\s*$")
_CAPTION_TAIL = re.compile(r"[.!?]\s*([^.!?()\[\]]{1,59}\w)$")
# A label in capitals opening a caption: "AGONY: After a five hour surgery …"
_CAPITALS_LABEL = r"[A-Z][A-Z'’-]+(?: [A-Z][A-Z'’-]+){0,2}"
_NAME_WORD = re.compile(r"[^\W\d_][\w’'.&-]*")


@dataclass(frozen=True)
class Rule:
    name: str
    reason: str
    pattern: re.Pattern[str]
    max_words: int | None = None
    max_clauses: int | None = None
    spares_headline: bool = False
    spares_reporting: bool = False

    def matches(self, text: str, *, headline: bool = False) -> bool:
        if (headline and self.spares_headline) or self.pattern.fullmatch(text) is None:
            return False
        if self.spares_reporting and reports_speech(text):
            return False
        if self.max_words is not None and len(WORD.findall(text)) > self.max_words:
            return False
        return self.max_clauses is None or clause_count(text) <= self.max_clauses


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


CAPTION_REASON, CAPTION_RULE = "photo caption or credit", "photo-credit"
# Rules whose lines may be reporting that looks like boilerplate: what an article that lost
# every line gets back.
_MAY_HOLD_REPORTING = {"related-link", CAPTION_RULE, "before-title", "repeated-line"}


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE | re.DOTALL)


@cache
def boilerplate_rules() -> tuple[Rule, ...]:
    rules = []
    for entry in load_json("boilerplate.json")["rules"]:
        for pattern in entry["patterns"]:
            rules.append(Rule(entry["name"], entry["reason"], _compile(pattern),
                              entry.get("max_words"), entry.get("max_clauses"),
                              entry.get("spares_headline", False),
                              entry.get("spares_reporting", False)))
    return tuple(rules)


@cache
def _any_rule_pattern() -> re.Pattern[str]:
    return _compile("|".join(f"(?:{rule.pattern.pattern})" for rule in boilerplate_rules()))


@cache
def taglines() -> tuple[Tagline, ...]:
    return tuple(
        Tagline(t["outlet"], re.compile(t["pattern"], re.IGNORECASE))
        for t in load_json("outlets.json")["taglines"]
    )


_BYLINE = re.compile(
    r"^(?P<staff>staff (?:reporter|writer|correspondent)|(?:our|a) correspondent|news desk|agencies)$|"
    r"^(?:by|written by|words by|reporting by):?\s+"
    r"(?P<names>(?-i:[A-Z])[\w.’'-]+(?:\s+(?-i:[A-Z])[\w.’'-]+){0,3}"
    r"(?:\s*(?:and|&)\s*(?-i:[A-Z])[\w.’'-]+(?:\s+(?-i:[A-Z])[\w.’'-]+){0,3})*)"
    r"(?:\s*[,|–—-]\s*(?P<tail>.{0,60}))?$",
    re.IGNORECASE,
)
BYLINE_TAIL_MAX_WORDS = 6  # "By Jane Roe, Political Editor"; a longer tail is reporting
# "BAGHDAD/DAMASCUS – American forces …", "WASHINGTON (Reuters) - …"
_DATELINE = re.compile(r"^(?P<place>[A-Z][A-Z.'’/ ,-]{1,48}[A-Z.])\s*(?:\([^)]{1,30}\))?\s*[–—-]{1,2}\s")


def match_rule(text: str, *, headline: bool = False) -> Rule | None:
    """The first boilerplate rule that ``text`` (one line) matches; ``headline``: the line stands
    where an article's headline stands, which rules that spare headlines leave alone."""
    text = plain_spaces(text)  # scraped lines carry no-break and odd spaces
    if _any_rule_pattern().fullmatch(text) is None:
        return None  # one pass over the line instead of one per pattern
    for rule in boilerplate_rules():
        if rule.matches(text, headline=headline):
            return rule
    return None


def match_byline(text: str) -> str | None:
    """The names (or "Staff Reporter") of a byline line; None when the line is not one."""
    match = _BYLINE.match(text)
    if not match or len(WORD.findall(text)) > 12 or is_clause(text):
        return None
    tail = match.group("tail")
    if tail and (len(WORD.findall(tail)) > BYLINE_TAIL_MAX_WORDS or is_clause(tail)):
        return None
    return match.group("names") or match.group("staff")


def match_tagline(text: str) -> Tagline | None:
    text = plain_spaces(text)
    for tagline in taglines():
        if tagline.pattern.fullmatch(text):
            return tagline
    return None


def _has_term(text: str, terms: frozenset[str]) -> bool:
    words = [w.casefold() for w in WORD.findall(text.replace("/", " "))]
    return any(" ".join(words[i:i + n]) in terms for n in (1, 2, 3) for i in range(len(words)))


# How strongly a bracketed group or a caption's tail credits a photo.
NO_CREDIT, NAME_CREDIT, AGENCY_CREDIT, PHOTO_CREDIT = range(4)


def credit_strength(text: str, *, max_words: int = CREDIT_MAX_WORDS) -> int:
    """How strongly ``text`` (a bracketed group, a caption's tail) reads as a photo credit.

    PHOTO_CREDIT: a word only photo credits use ("Getty", "AP Photo", "courtesy"). AGENCY_CREDIT:
    a news agency, a platform or a press office ("(Reuters)", "[CEN]") or an
    "Agency/Photographer" pair of names, which source tags of reporting use too ("[IBD/TIPP]").
    NAME_CREDIT: a proper name alone ("(Kessin Evening Post)"). Status words ("(Updated)",
    "(Video)"), sentences and clauses are no credit.
    """
    text = text.strip()
    words = WORD.findall(text)
    if not 1 <= len(words) <= max_words or re.search(r"[.!?]\s|[!?]$", text):
        return NO_CREDIT
    words_of = lexicon()
    if _has_term(text, words_of["not_credits"]) or is_clause(text.lower() if text.isupper() else text):
        return NO_CREDIT
    if not _credit_words(text):
        return NO_CREDIT
    if _has_term(text, words_of["photo_credit_terms"]):
        return PHOTO_CREDIT
    if _has_term(text, words_of["agency_credit_terms"]):
        return AGENCY_CREDIT
    sides = [side.strip() for side in text.split("/")]
    if len(sides) > 1 and all(_is_name(side) for side in sides):
        return AGENCY_CREDIT
    if not any(ch.isdigit() for ch in text) and _is_name(text):
        return NAME_CREDIT
    return NO_CREDIT


def _credit_words(text: str) -> bool:
    """Is every word of ``text`` one a credit is made of: a name, a credit term, a handle or a
    web address, "by", "via", "courtesy of"? "Image courtesy of Variety" is; "Clinton faces a
    deep image problem" is not."""
    words_of = lexicon()
    terms = words_of["photo_credit_terms"] | words_of["agency_credit_terms"]
    for word in WORD.findall(text.replace("/", " ")):
        if not (word[0].isupper() or word[0].isdigit() or word.casefold() in terms
                or word.casefold() in words_of["credit_joiners"] or "." in word or "_" in word):
            return False
    return True


def _is_name(text: str) -> bool:
    """A proper name: capitalised words, with "of", "the", "al" and the like between them."""
    words = _NAME_WORD.findall(text)
    return bool(words) and words[0][0].isupper() and all(
        w[0].isupper() or w.casefold() in lexicon()["name_joiners"] for w in words if len(w) >= 3)


@cache
def _caption_label() -> re.Pattern[str]:
    """A caption set as a label: "AGONY: After a five hour surgery …", "Pictured: …"."""
    labels = "|".join(re.escape(w) for w in load_json("boilerplate.json")["caption_labels"])
    return re.compile(rf"^(?:{_CAPITALS_LABEL}|{labels}):\s")


def is_caption(text: str, *, placed: bool = False) -> bool:
    """A photo caption or credit line.

    It ends with a credit, in brackets or after its last full stop ("… Syria April 28, 2017.
    (Reuters)", "… Centre Block. THE CANADIAN PRESS/Justin Tang"), or is a credit alone, and
    is no longer than a caption. How much the credit must say depends on where the line
    stands: ``placed`` (in an article's header under the headline, or printed twice in a row,
    as captions are) lets a proper name credit it; elsewhere a photo word will do anywhere, an
    agency only on a caption set as a label ("AGONY: …") or as a phrase rather than a sentence
    ("Tiger Woods with his wife in 2010 (Reuters)"), since reporting cites agencies too. A
    sentence of reporting ending in brackets that credit no photo ("… (Updated)", "… (Get the
    latest quote here.)") is no caption, nor is a line that reports speech ("… a source told
    KCTV. (KCTV)").
    """
    if len(text) > CAPTION_MAX_CHARS:
        return False
    dateline = _DATELINE.match(text + " ")
    if dateline and len(WORD.findall(text[dateline.end():])) < CLAUSE_MIN_WORDS:
        return False  # a dateline on its own line, "BUFFALO, N.Y. (AP) --", opens a story
    text = plain_spaces(text)
    # Where the credit would stand, found before anything is counted: most lines have none.
    credit = _CLOSING_BRACKETS.search(text)
    if credit is None:
        credit = _CAPTION_TAIL.search(text)
        if credit is not None and not re.search(r"[/-]|\bby\b", credit.group(1)):
            credit = None
    alone = len(text) <= CREDIT_LINE_MAX_CHARS and (
        "/" in text or _has_term(text, lexicon()["photo_credit_terms"]))
    if credit is None and not alone:
        return False
    words = len(WORD.findall(text))
    if words > CAPTION_MAX_WORDS or reports_speech(text) or clause_count(text) > CAPTION_MAX_CLAUSES:
        return False
    if alone and words <= CREDIT_LINE_MAX_WORDS:
        if credit_strength(text, max_words=CREDIT_LINE_MAX_WORDS) >= AGENCY_CREDIT:
            return True  # a credit on a line of its own: "REUTERS/Stringer", "Getty Images"
    if credit is None:
        return False
    strength = credit_strength(credit.group(1))
    if strength == PHOTO_CREDIT:
        return True
    caption = text[:credit.start()].strip()
    if strength == NO_CREDIT or len(sentences(caption)) > 1:
        return False
    if placed:
        return True
    return strength == AGENCY_CREDIT and bool(
        _caption_label().match(caption) or (not caption.endswith(_SENTENCE_END) and not is_clause(caption)))


def is_boilerplate_line(text: str) -> bool:
    """Removed whatever its place in an article: a tagline, a rule's pattern, a credited caption."""
    return bool(match_tagline(text) or match_rule(text) or is_caption(text))


def clean_article(original: str, *, title_hint: str | None = None) -> CleanArticle:
    """Clean one article's text. ``title_hint`` is a title the input declared, if any."""
    lines = split_lines(original)
    keys = [normalize_line(line.text) for line in lines]
    substantial = [i for i, line in enumerate(lines) if line.words >= SUBSTANTIAL_WORDS]
    # The header ends where the second substantial paragraph starts (the first may be a
    # standfirst), and never later than HEADER_MAX_LINES.
    header_end = min(HEADER_MAX_LINES, substantial[1] if len(substantial) > 1 else len(lines))
    # Captions stand between the headline and the first paragraph of reporting (one that does
    # not close with brackets, as long captions do). A header with more lines closing with
    # brackets than a caption or two (each maybe printed twice) is a digest of items with their
    # source tags: it has no captions.
    body_start = next((i for i in substantial if not _CLOSING_BRACKETS.search(lines[i].text)),
                      len(lines))
    caption_zone = min(body_start, HEADER_MAX_LINES)
    bracketed = {keys[i] for i in range(caption_zone)
                 if lines[i].words >= CAPTION_MIN_WORDS and _CLOSING_BRACKETS.search(lines[i].text)}
    if len(bracketed) > HEADER_MAX_CAPTIONS:
        caption_zone = 0
    hint_key = normalize_line(title_hint) if title_hint else None

    removed: list[tuple[Line, RemovedSpan]] = []
    byline = date_evidence = outlet = outlet_evidence = None
    date_line: DateLine | None = None

    def drop(line: Line, reason: str, rule: str) -> None:
        removed.append((line, RemovedSpan(line.start, line.end, reason, rule, line.text)))

    # Pass 1: lines that are boilerplate or header metadata whatever their position.
    remaining: list[tuple[int, Line]] = []
    for index, line in enumerate(lines):
        text = line.text
        if hint_key is not None and keys[index] == hint_key:
            remaining.append((index, line))  # the declared headline is never boilerplate
            continue
        headline = not remaining and is_title_like(text)
        tagline = match_tagline(text)
        if tagline:
            outlet = outlet or tagline.outlet
            outlet_evidence = outlet_evidence or text
            drop(line, "outlet tagline", f"tagline:{tagline.outlet}")
            continue
        rule = match_rule(text, headline=headline)
        if rule:
            drop(line, rule.reason, rule.name)
            continue
        doubled = any(0 <= j < len(lines) and keys[j] == keys[index] for j in (index - 1, index + 1))
        if is_caption(text, placed=not headline and (index < caption_zone or doubled)):
            drop(line, CAPTION_REASON, CAPTION_RULE)
            continue
        if index < header_end:
            found = parse_date_line(text)
            if found:
                if found.kind == "published" and date_line is None:
                    date_line, date_evidence = found, text
                reason = "publication date line" if found.kind == "published" else "update date line"
                drop(line, reason, "date-line")
                continue
            names = match_byline(text)
            if names:
                byline = byline or names
                drop(line, "byline", "byline")
                continue
        remaining.append((index, line))

    # Pass 2: the headline, and whether the page's header above it can be told apart.
    title_at, header_known = _find_title(remaining, keys, header_end, hint_key)
    title, title_key = title_hint, hint_key
    if title_at is not None and hint_key is None:
        title = remaining[title_at][1].text
        title_key = keys[remaining[title_at][0]]

    # Pass 3: short labels above a known headline are page header; second copies go; the rest
    # is kept.
    kept: list[Line] = []
    seen: set[str] = set()
    previous_key = None
    for position, (index, line) in enumerate(remaining):
        key = keys[index]
        doubled, previous_key = key == previous_key, key
        if (header_known and title_at is not None and position < title_at
                and line.words <= PAGE_HEADER_MAX_WORDS and not is_clause(line.text)):
            drop(line, "page header above the title", "before-title")
            continue
        if key and key in seen and (
                key == title_key
                or (doubled and line.words >= DOUBLED_MIN_WORDS)
                or line.words >= REPEAT_MIN_WORDS):
            drop(line, "repeated title" if key == title_key else "repeated paragraph",
                 "repeated-line")
            continue
        seen.add(key)
        kept.append(line)

    if not kept and removed:
        kept, removed = _keep_something(removed)

    text, offset_map = _join(kept, title_key)
    dateline = None
    for line in kept:
        if normalize_line(line.text) != title_key and line.words >= 8:
            match = _DATELINE.match(line.text)
            dateline = match.group("place").strip() if match else None
            break
    return CleanArticle(text, offset_map, tuple(span for _, span in removed), title, byline,
                        date_line, date_evidence, outlet, outlet_evidence, dateline)


def _keep_something(removed: list[tuple[Line, RemovedSpan]]
                    ) -> tuple[list[Line], list[tuple[Line, RemovedSpan]]]:
    """Hygiene removed every line: give back the lines that read as clauses and were removed by
    a rule that may take reporting for boilerplate (a link tag, a caption). A file of prompts,
    chrome and counters stays empty."""
    back = [(line, span) for line, span in removed
            if span.rule in _MAY_HOLD_REPORTING and is_clause(line.text)]
    restored = {id(span) for _, span in back}
    kept = sorted((line for line, _ in back), key=lambda line: line.start)
    return kept, [(line, span) for line, span in removed if id(span) not in restored]


def _find_title(remaining: list[tuple[int, Line]], keys: list[str], header_end: int,
                hint_key: str | None) -> tuple[int | None, bool]:
    """Position in ``remaining`` of the headline line (None when there is none), and whether
    the lines above it are known to be page header.

    A declared title is found by its text; a headline the page prints twice near the top is
    known by its repeat. Both tell the page header above them apart. Otherwise the first line
    is the headline when it reads as one, and nothing above it is taken for header: a lede
    above a quote, a credit or a label that looks like a headline is reporting.
    """
    header = [(pos, index, line) for pos, (index, line) in enumerate(remaining)
              if index < header_end and line.words < SUBSTANTIAL_WORDS]
    # Only lines above the first substantial paragraph can be the headline.
    first_body = next((pos for pos, (index, line) in enumerate(remaining)
                       if line.words >= SUBSTANTIAL_WORDS), len(remaining))
    header = [(pos, index, line) for pos, index, line in header if pos < first_body]
    if hint_key is not None:
        found = next((pos for pos, index, _ in header if keys[index] == hint_key), None)
        return found, found is not None
    for i, (pos, index, line) in enumerate(header):
        if not is_title_like(line.text):
            continue
        for _, later_index, between in header[i + 1:]:
            if later_index - index > TITLE_REPEAT_WINDOW:
                break
            if keys[later_index] == keys[index]:
                return pos, True
            if is_clause(between.text):
                break  # reporting between two copies: list items, not a page printing its title
    if remaining and is_title_like(remaining[0][1].text) and remaining[0][1].words < SUBSTANTIAL_WORDS:
        return 0, False
    return None, False


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
