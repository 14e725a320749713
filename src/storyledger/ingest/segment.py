"""Split a scraped file that carries several articles into one text range per article.

Scrapers often save a page with the next story appended ("read next" blocks, infinite scroll).
Segmenting looks at the file as hygiene will leave it: boilerplate lines (ad markers such as
"Article Continued Below", prompts, credited captions) are neither headlines nor reporting, so a
marker repeated through one article never splits it. An article start is recognised by how pages
print a new story, not by topic. It needs all of:

* a headline: a headline-like line of five or more words, not a pull quote or a sentence;
* a break before it wider than the file's usual paragraph break (two or more blank lines);
* evidence that a page header starts there: the headline printed again within the next few
  lines (title, caption block, title once more), or header metadata under it (a date line, a
  byline, a reading time);
* reporting on both sides: a substantial paragraph since the previous start, and a new article
  body after it (two substantial paragraphs soon after the headline).
"""

from __future__ import annotations

import statistics

from .dates import parse_date_line
from .hygiene import SUBSTANTIAL_WORDS, is_boilerplate_line, match_byline, match_rule
from .lines import Line, is_title_like, normalize_line, split_lines

REPEAT_WINDOW = 8  # lines within which a page prints the headline again
HEADER_WINDOW = 6  # lines under a headline where its date line or byline stands
HEADLINE_MIN_WORDS = 5
MIN_GAP_BLANK_LINES = 2
BODY_WINDOW = 12  # content lines after a headline that must hold the new article's body
BODY_MIN_PARAGRAPHS = 2


def _header_metadata(text: str) -> bool:
    rule = match_rule(text)
    return bool(parse_date_line(text) or match_byline(text) or (rule and rule.name == "reading-time"))


def _is_start(lines: list[Line], keys: list[str], content: list[int], n: int, usual_gap: float) -> bool:
    i = content[n]
    line = lines[i]
    if line.words < HEADLINE_MIN_WORDS or not is_title_like(line.text):
        return False
    if line.blank_before < MIN_GAP_BLANK_LINES or line.blank_before <= usual_gap:
        return False
    following = range(i + 1, min(len(lines), i + 1 + REPEAT_WINDOW))
    printed_again = any(keys[j] == keys[i] for j in following)
    metadata = any(_header_metadata(lines[j].text) for j in following if j <= i + HEADER_WINDOW)
    if not (printed_again or metadata):
        return False
    body = [j for j in content[n + 1:n + 1 + BODY_WINDOW] if lines[j].words >= SUBSTANTIAL_WORDS]
    return len(body) >= BODY_MIN_PARAGRAPHS


def split_articles(text: str) -> list[tuple[int, int]]:
    """Character ranges, one per article, covering ``text`` without gaps."""
    lines = split_lines(text)
    keys = [normalize_line(line.text) for line in lines]
    content = [i for i, line in enumerate(lines) if not is_boilerplate_line(line.text)]
    gaps = [lines[i].blank_before for i in content[1:]]
    usual_gap = statistics.median(gaps) if gaps else 1
    starts = [0]
    reporting_since_start = False
    for n, i in enumerate(content):
        if reporting_since_start and _is_start(lines, keys, content, n, usual_gap):
            # The new article owns the blank lines' end: start at the beginning of its line.
            starts.append(text.rfind("\n", 0, lines[i].start) + 1)
            reporting_since_start = False
        if lines[i].words >= SUBSTANTIAL_WORDS:
            reporting_since_start = True
    ends = starts[1:] + [len(text)]
    return list(zip(starts, ends, strict=True))
