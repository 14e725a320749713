"""What a normaliser knows besides its match: the text, anchor, tense around it, document state."""

from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from .grammar import _Grammar

PAST, FUTURE, NONE = "past", "future", None

# ------------------------------------------------------------------------------------------------
# Context: anchor, tense, document state
# ------------------------------------------------------------------------------------------------

_SENT_RE = re.compile(r"[.!?]['\"\u201d)\]]*\s+(?=[A-Z\"'`\u201c(\[])|\n\s*\n")
_TOKEN_RE = re.compile(r"[A-Za-z]+(?:'[a-z]+)?|'ll|n't")


_FUTURE_BONUS = 2

_ARRANGED = frozenset({"is", "are", "set", "slated", "due", "scheduled", "expected", "planned",
                       "plans", "plan", "planning", "going", "poised", "likely", "ready"})


@dataclass
class _Ctx:
    text: str
    anchor: dt.date | None
    doc: Any = None
    g: _Grammar | None = None
    ref_quarter: tuple[int, int] | None = None
    last_date: str | None = None  # the story's latest date (a year mention sets Jan 1)
    last_day: str | None = None  # the latest date mentioned to the day
    last_year: int | None = None
    _sent_starts: list[int] | None = None
    _tok_cache: dict = field(default_factory=dict)

    # -- sentences ------------------------------------------------------------------------------
    def sentence_bounds(self, pos: int) -> tuple[int, int]:
        if self._sent_starts is None:
            if self.doc is not None:
                try:
                    starts = [s.start_char for s in self.doc.sents]
                except ValueError:  # no sentence boundaries set on this doc
                    starts = [0] + [m.end() for m in _SENT_RE.finditer(self.text)]
            else:
                starts = [0] + [m.end() for m in _SENT_RE.finditer(self.text)]
            self._sent_starts = starts
        i = bisect.bisect_right(self._sent_starts, pos) - 1
        s = self._sent_starts[max(i, 0)]
        e = self._sent_starts[i + 1] if i + 1 < len(self._sent_starts) else len(self.text)
        return s, e

    def _tokens(self, s: int, e: int) -> list[tuple[int, str, str | None]]:
        """(char offset, lower-cased word, tense tag or None) for the sentence [s, e)."""
        key = (s, e)
        toks = self._tok_cache.get(key)
        if toks is not None:
            return toks
        g = self.g
        toks = []
        if self.doc is not None:
            span = self.doc.char_span(s, e, alignment_mode="expand")
            words = span if span is not None else []
            for t in words:
                low = t.lower_
                tense = None
                if t.tag_ == "MD" and low in ("will", "'ll", "shall", "wo", "would"):
                    tense = FUTURE
                elif low in g.future_cues and t.tag_ != "VBD":
                    tense = FUTURE if low not in ("would",) else FUTURE
                elif t.tag_ == "VBD" or low in g.past_cues:
                    tense = PAST
                toks.append((t.idx, low, tense))
        else:
            for m in _TOKEN_RE.finditer(self.text, s, e):
                low = m.group(0).lower()
                tense = None
                if low in g.future_cues:
                    tense = FUTURE
                elif low in g.past_cues or (
                    low.endswith("ed") and len(low) > 4 and low not in g.past_exceptions
                ):
                    tense = PAST
                toks.append((m.start(), low, tense))
        # "is to resume", "set to meet", "slated to open": an infinitive of arrangement is future
        for i in range(1, len(toks)):
            if toks[i][1] == "to" and toks[i - 1][1] in _ARRANGED:
                toks[i - 1] = (toks[i - 1][0], toks[i - 1][1], FUTURE)
        self._tok_cache[key] = toks
        return toks

    def tense(self, start: int, end: int) -> str | None:
        s, e = self.sentence_bounds(start)
        toks = self._tokens(s, e)
        best = None
        best_d = 10**9
        # token index of the expression
        idx = bisect.bisect_left([t[0] for t in toks], start)
        for i, (off, _low, tense) in enumerate(toks):
            if tense is None or start <= off < end:
                continue
            d = (idx - i) if off < start else (i - idx + 1) + 0.5
            if tense == FUTURE:
                d -= _FUTURE_BONUS
            if d < best_d:
                best_d, best = d, tense
        return best


# ------------------------------------------------------------------------------------------------
# Number / unit parsing
# ------------------------------------------------------------------------------------------------

