"""The time-expression grammar: rules and word lists read from ``resources/timex/``, compiled once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ...resources import load_json, read_table
from .scan import first_char_finder

# Resources
# ------------------------------------------------------------------------------------------------


def _alt(words, *, ci: bool = True) -> str:
    """Regex alternation of ``words`` (longest first); spaces match any whitespace."""
    parts = sorted({w for w in words}, key=lambda w: (-len(w), w))
    body = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in parts)
    return f"(?i:{body})" if ci else f"(?:{body})"


@dataclass
class _Rule:
    name: str
    type: str
    norm: str
    regex: re.Pattern
    index: int
    finder: re.Pattern | None  # scan.first_char_finder(regex)


@dataclass
class _Grammar:
    lex: dict
    rules: list[_Rule]
    month: dict[str, int]
    weekday: dict[str, int]
    numbers: dict[str, float]
    ordinals: dict[str, int]
    vague: set[str]
    units: dict[str, str]
    refs: dict[str, str]
    sets: dict[str, str]
    holidays: dict[str, str]
    seasons: dict[str, str]
    pods: dict[str, str]
    future_cues: frozenset
    past_cues: frozenset
    past_exceptions: frozenset
    month_rules: frozenset[str]  # rules that read a calendar month


def _macros(lex: dict) -> dict[str, str]:
    months = lex["months"]
    full = [m for m in months if len(m) > 3 or m == "may"]
    abbr = [m for m in months if len(m) <= 4 and m != "may"]
    full_alts = []
    for m in sorted(full, key=len, reverse=True):
        full_alts += [m.capitalize(), m.upper()]
    abbr_alts = []
    for m in sorted(abbr, key=len, reverse=True):
        cap = m.capitalize()
        abbr_alts += [cap + r"\.", m.upper() + r"\.", cap + r"(?=\s*\d)"]
    month_full = "|".join(full_alts)
    weekdays = [w for w in lex["weekdays"] if len(w) > 4]
    wd_alts = []
    for w in sorted(weekdays, key=len, reverse=True):
        wd_alts += [w.capitalize(), w.upper()]
    wd_pl = []
    for w in sorted(weekdays, key=len, reverse=True):
        wd_pl += [w.capitalize() + "s"]
    tens = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
    ones = "one|two|three|four|five|six|seven|eight|nine"
    teens = ("ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|"
             + ones)
    num = (r"(?i:\d+(?:\s+|-)1/2|\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?"
           r"|(?:one|a|two|three|four|five|several)\s+hundred"
           r"|(?:" + tens + r")(?:[\s-](?:" + ones + r"))?|" + teens
           + r"|a\s+couple\s+of|a\s+dozen|two\s+dozen|dozens\s+of|hundreds\s+of|thousands\s+of"
           r"|half\s+a|a\s+half|a|an|a\s+hundred|a\s+thousand|two\s+thousand)")
    return {
        "MONTH": f"(?P<month>{month_full}|{'|'.join(abbr_alts)})",
        "MONTH_FULL": f"(?P<month>{month_full})",
        "WEEKDAY": f"(?P<weekday>{'|'.join(wd_alts)})",
        "WEEKDAY_PL": f"(?P<weekday_pl>{'|'.join(wd_pl)})",
        "ORD": _alt(lex["ordinals"]),
        "NUM": num,
        "VAGUE": _alt(lex["vague_numbers"]),
        "REFWORDS": _alt(lex["reference_words"]),
        "SETWORDS": _alt(lex["set_words"]),
        "HOLIDAYS": _alt(lex["holidays"]),
        **lex["macros"],  # MOD, UNIT, CLOCK, TZ, DAYNUM, YEAR4
    }


_MACRO_RE = re.compile(r"<<([A-Z0-9_]+)>>")


@lru_cache(maxsize=1)
def _grammar() -> _Grammar:
    lex = load_json("timex/lexicon.json")
    macros = _macros(lex)
    rules: list[_Rule] = []
    month_rules: set[str] = set()
    for name, typ, norm, *pattern_parts in read_table("timex/patterns.tsv"):
        pattern = "\t".join(pattern_parts)
        if "<<MONTH" in pattern:
            month_rules.add(name)
        pattern = _MACRO_RE.sub(lambda m: macros[m.group(1)], pattern)
        # Word boundary at both ends unless the pattern handles it itself.
        rx = re.compile(r"(?<![\w])" + pattern + r"(?![\w])")
        rules.append(_Rule(name, typ, norm, rx, len(rules), first_char_finder(rx)))
    numbers = {k: v for k, v in lex["numbers"].items()}
    cues = lex["tense_cues"]
    return _Grammar(
        lex=lex, rules=rules,
        month=lex["months"], weekday=lex["weekdays"], numbers=numbers,
        ordinals=lex["ordinals"], vague=set(lex["vague_numbers"]), units=lex["units"],
        refs=lex["reference_words"], sets=lex["set_words"], holidays=lex["holidays"],
        seasons=lex["seasons"], pods=lex["parts_of_day"],
        future_cues=frozenset(cues["future"]), past_cues=frozenset(cues["past"]),
        past_exceptions=frozenset(cues["past_exceptions"]),
        month_rules=frozenset(month_rules),
    )


def month_rules() -> frozenset[str]:
    """The names of the grammar rules that read a calendar month ("June 2018", "5 March", "mid-June",
    "the quarter ended June 30"): a ``TimeExpression`` with one of these as its ``rule`` is a date
    told by its month."""
    return _grammar().month_rules


def month_of(word: str) -> int | None:
    """The month a name or abbreviation stands for ("June", "Sept.", "DEC" -> 6, 9, 12), else None."""
    return _grammar().month.get(_norm_word(word))



_WS = re.compile(r"\s+")


def _norm_word(s: str) -> str:
    return _WS.sub(" ", s.lower()).strip().rstrip(".")

