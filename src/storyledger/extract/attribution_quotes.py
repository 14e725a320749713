"""Quotation marks in a document's text: where quotations open and close (part of
:mod:`storyledger.extract.attribution`). Pure text, no parse."""

from __future__ import annotations

from dataclasses import dataclass

_OPEN = {"“", "«", "„"}


_CLOSE = {"”", "»"}


_STRAIGHT = '"'


_CLOSE_TYPO = "close"  # marker for an opening mark that closes a quotation


_MAX_QUOTE = 6000  # characters; longer "quotes" come from unbalanced marks


_MAX_PARAGRAPHS = 12


@dataclass
class _Quote:
    parts: list[tuple[int, int]]  # one per paragraph

    @property
    def start(self) -> int:
        return self.parts[0][0]

    @property
    def end(self) -> int:
        return self.parts[-1][1]


def find_quotes(text: str) -> list[tuple[tuple[int, int], ...]]:
    """Quotations in ``text`` (quote marks included), each as one range per paragraph.

    Handles curly and straight double quotes, quotations running over several paragraphs
    (a paragraph that ends inside a quotation and a next paragraph that opens with a quote mark),
    and unbalanced marks (a quotation left open ends with its paragraph).  Never raises.
    """
    return [tuple(q.parts) for q in _find_quotes(text)]


def _find_quotes(text: str) -> list[_Quote]:
    quotes: list[_Quote] = []
    n = len(text)
    i = 0
    open_at: int | None = None
    parts: list[tuple[int, int]] = []

    def rstrip_end(e: int) -> int:
        while e > 0 and text[e - 1].isspace():
            e -= 1
        return e

    while i < n:
        ch = text[i]
        mark_start = i
        if ch == "'" and i + 1 < n and text[i + 1] == "'":
            # typewriter-style quotation mark made of two apostrophes ('' … '')
            ch = _STRAIGHT
            i += 1
        if ch == "\n" and open_at is not None:
            # paragraph ends inside a quotation
            seg_end = rstrip_end(i)
            j = i
            while j < n and text[j].isspace():
                j += 1
            if (
                j < n
                and (text[j] in _OPEN or text[j] == _STRAIGHT or text[j : j + 2] == "''")
                and len(parts) + 1 < _MAX_PARAGRAPHS
                and j - (parts[0][0] if parts else open_at) < _MAX_QUOTE
            ):
                if seg_end > open_at:
                    parts.append((open_at, seg_end))
                open_at = j
                i = j + (2 if text[j : j + 2] == "''" else 1)
                continue
            if seg_end > open_at:
                parts.append((open_at, seg_end))
            if parts:
                quotes.append(_Quote(parts))
            parts, open_at = [], None
            i += 1
            continue
        if ch in _OPEN and open_at is not None and i > 0 and not text[i - 1].isspace() and (
            i + 1 == n or text[i + 1].isspace()
        ):
            # an opening mark typed where a closing one belongs ("“It's unusual,“ said …"):
            # it follows a word and is followed by a space, so it closes
            ch = _CLOSE_TYPO
        if ch in _OPEN or (ch == _STRAIGHT and open_at is None):
            if open_at is not None:
                # a second opening mark: the first was never closed; restart here
                parts = []
            open_at = mark_start
        elif ch in _CLOSE or ch == _CLOSE_TYPO or (ch == _STRAIGHT and open_at is not None):
            if open_at is not None:
                parts.append((open_at, i + 1))
                quotes.append(_Quote(parts))
                parts, open_at = [], None
        i += 1
    if open_at is not None:
        e = rstrip_end(n)
        if e > open_at:
            parts.append((open_at, e))
        if parts:
            quotes.append(_Quote(parts))
    return [q for q in quotes if q.end - q.start <= _MAX_QUOTE and q.end - q.start > 2]
