"""Split a scraped file that carries several articles into one text range per article.

Scrapers often save a page with the next story appended ("read next" blocks, infinite scroll).
An article start is recognised by how pages print headlines, not by topic:

* a headline-like line that is printed again within the next few lines (the page shows the
  title, a caption block, then the title once more), or
* a strongly headline-like line (mostly capitalised words) after three or more blank lines.

A start only splits the file when reporting (a substantial paragraph) stands between it and the
previous start, so a title printed twice at the top of one article never splits it.
"""

from __future__ import annotations

import re

from .hygiene import SUBSTANTIAL_WORDS, Line, is_title_like, normalize_line, split_lines

REPEAT_WINDOW = 8  # lines within which a page prints the headline again
GAP_BLANK_LINES = 3
CAPITALISED_SHARE = 0.6

_LONG_WORD = re.compile(r"[^\W\d_][\w’'-]{3,}")


def _strongly_title_like(text: str) -> bool:
    words = _LONG_WORD.findall(text)
    if len(words) < 3:
        return False
    return sum(w[0].isupper() for w in words) / len(words) >= CAPITALISED_SHARE


def _is_start(lines: list[Line], keys: list[str], i: int) -> bool:
    line = lines[i]
    if not is_title_like(line.text):
        return False
    if keys[i] in keys[max(0, i - REPEAT_WINDOW):i]:
        return False  # the repeat of an earlier headline, not a new one
    if keys[i] in keys[i + 1:i + 1 + REPEAT_WINDOW]:
        return True
    return line.blank_before >= GAP_BLANK_LINES and _strongly_title_like(line.text)


def split_articles(text: str) -> list[tuple[int, int]]:
    """Character ranges, one per article, covering ``text`` without gaps."""
    lines = split_lines(text)
    keys = [normalize_line(line.text) for line in lines]
    starts = [0]
    reporting_since_start = False
    for i, line in enumerate(lines):
        if reporting_since_start and _is_start(lines, keys, i):
            # The new article owns the blank lines' end: start at the beginning of its line.
            line_start = text.rfind("\n", 0, line.start) + 1
            starts.append(line_start)
            reporting_since_start = False
        if line.words >= SUBSTANTIAL_WORDS:
            reporting_since_start = True
    ends = starts[1:] + [len(text)]
    return list(zip(starts, ends, strict=True))
