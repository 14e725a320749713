"""An estimated date window for an undated document, from the dates its own text mentions.

Never a publication date: the window is shown as an estimate with its evidence. A document
reports on things that have happened, so the latest past date it mentions is a lower bound on
when it was written; nothing in the text alone gives an upper bound, so that stays open.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .timex import TimeExpression

_YEAR_VALUE = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d{2}))?(?:-(?P<day>\d{2}))?$")
# Sentences that look ahead ("elections will be held in 2030") say nothing about when the
# article was written.
_FUTURE_CUE = re.compile(r"\b(?:will|would|shall|scheduled|expected|plans?|planned|due|next|"
                         r"upcoming|until|by the end of)\b", re.IGNORECASE)


@dataclass(frozen=True)
class DateEstimate:
    earliest: str  # ISO date: the document was written on or after this day
    latest: str | None  # None: no upper bound from the text
    evidence: tuple[str, ...]  # the time expressions that set the bounds, as written

    def to_dict(self) -> dict[str, object]:
        return {"earliest": self.earliest, "latest": self.latest, "evidence": list(self.evidence)}


def estimate_date_window(text: str, timexes: list[TimeExpression] | tuple[TimeExpression, ...]
                         ) -> DateEstimate | None:
    best: tuple[str, TimeExpression] | None = None
    for timex in timexes:
        if timex.type != "DATE" or not timex.value or not timex.resolved or timex.anchor:
            continue  # only absolute dates: relative ones need the date we are looking for
        match = _YEAR_VALUE.match(timex.value)
        if not match:
            continue
        sentence_start = max(text.rfind(". ", 0, timex.start), text.rfind("\n", 0, timex.start)) + 1
        sentence_end = min(i for i in (text.find(". ", timex.end), text.find("\n", timex.end), len(text))
                           if i >= 0)
        if _FUTURE_CUE.search(text[sentence_start:sentence_end]):
            continue
        start = f"{match['year']}-{match['month'] or '01'}-{match['day'] or '01'}"
        if best is None or start > best[0]:
            best = (start, timex)
    if best is None:
        return None
    return DateEstimate(best[0], None, (f"mentions {best[1].text!r} ({best[1].value})",))
