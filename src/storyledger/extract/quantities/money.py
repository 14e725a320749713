"""Money: whether "pounds" are sterling or weight, and what a price is per ("$38 per barrel",
"the cost of one barrel ... is $38")."""

from __future__ import annotations

import re

from .candidate import Candidate

_MONEY_CONTEXT = re.compile(
    r"\b(spen[dt]|spending|cost|costs|paid|pay|pays|price|priced|worth|fund\w*|budget|salary|"
    r"earn\w*|fine[ds]?|sell|sold|buy|bought|revenue|profit|loan|debt|donat\w*|invest\w*|"
    r"bill|bills|tax|taxes|raise[ds]?|owe[ds]?|wage|wages)\b",
    re.I,
)
_MASS_CONTEXT = re.compile(
    r"\b(weigh\w*|heavy|heavier|lighter|bag|bags|sack|lbs?|mass|kilo\w*|load)\b",
    re.I,
)


def pound_is_money(text: str, c: Candidate) -> bool:
    """Whether "pounds" after the number are sterling (or another pound currency), by its sentence."""
    sent_s = max(text.rfind(".", 0, c.start), text.rfind("\n", 0, c.start)) + 1
    sent_e = min([x for x in (text.find(". ", c.end), text.find("\n", c.end)) if x >= 0] or [len(text)])
    ctx = text[sent_s:sent_e]
    if re.search(r"\b(Syrian|Egyptian|Lebanese|Sudanese)\s+pounds?\b", text[c.start : c.end + 12]):
        return True
    if re.match(r"[ -]?pounds?\s+(?:bag|sack|box|of)\b", text[c.num_end :], re.I):
        return False
    if c.rule == "multiplier" and (c.value or 0) >= 1000:
        return bool(_MONEY_CONTEXT.search(ctx)) or not _MASS_CONTEXT.search(ctx)
    if _MASS_CONTEXT.search(ctx) or re.match(r"[ -]?pounds?\s+(bag|sack|box|of)\b", text[c.num_end :], re.I):
        return False
    return bool(_MONEY_CONTEXT.search(ctx))


def money_per_noun(text: str, c: Candidate) -> None:
    """A price per thing ("$5 a head") is kept aside for the measure key; otherwise ("$5 a day") the
    word after "per" joins the unit."""
    m = re.match(r"\s+(?:per|a|an|each)\s+([a-z]+)(?![A-Za-z])", text[c.end :])
    if (
        m
        and m.group(1) not in ("year", "month", "week", "day", "hour")
        and m.group(1)
        not in (
            "and",
            "or",
            "the",
            "of",
            "in",
            "to",
            "a",
            "an",
            "for",
            "from",
            "further",
            "total",
            "lot",
            "bit",
        )
    ):
        c.extra["per_noun"] = (m.group(1), c.end + m.end())
    elif m:
        c.unit = f"{c.unit} per {m.group(1)}"
        c.end = c.end + m.end()


PRICE_LOOKBACK = 400


def add_price_per_unit(text: str, final: list[Candidate]) -> None:
    """"The cost of one barrel ... is $38": a price per unit."""
    for c in final:
        if c.unit_kind == "currency" and c.unit and " per " not in c.unit and not c.extra.get("per_noun"):
            # Look back within the sentence, and never further than PRICE_LOOKBACK characters:
            # text with no full stop would otherwise be searched whole for every quantity.
            lookback = max(0, c.start - PRICE_LOOKBACK)
            sent_start = max(lookback, text.rfind(". ", lookback, c.start) + 1,
                             text.rfind("\n", lookback, c.start) + 1)
            pm = re.search(
                r"\b(?:cost|price|value|worth)\s+of\s+(?:one|a|an|each|a\s+single|1)\s+"
                r"(?:\w+\s+){0,1}?([a-z]+)\b(?!\s+of\s+\d)",
                text[sent_start : c.start],
            )
            if pm and not re.search(r"\d", text[sent_start + pm.end() : c.start]):
                c.extra["per_noun"] = (pm.group(1), c.end)
