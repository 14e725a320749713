"""Temporal-expression tagging and TIMEX3 normalisation (issue "Time").

``tag_time_expressions(text, anchor)`` finds the temporal expressions in ``text`` with a rule
grammar and normalises each to a TimeML TIMEX3 type (DATE, TIME, DURATION, SET) and value
(``2024-01-24``, ``2024-W03``, ``1998-Q3``, ``P3D``, ``PAST_REF``, ``XXXX-12-11``...).

The grammar is data: ``resources/timex/patterns.tsv`` holds one regular expression per rule (with
``<<MACRO>>`` placeholders filled from the word lists in ``resources/timex/lexicon.json``), and each
rule names the normaliser below that turns its match into a value.  Everything is compiled once
per process.  Matches that overlap are resolved leftmost-longest; the winning rule's name is kept
on each ``TimeExpression`` as the evidence of why it was tagged.

Relative expressions ("yesterday", "last week", "on Wednesday", "December 11") are resolved
against ``anchor`` (normally the article's publication date).  The direction of ambiguous ones
(a bare weekday or month) follows the tense of the clause around them: the nearest tense cue
(future modal or past-tense verb; spaCy's tags when a ``doc`` is given) decides.  Without an
anchor they are not resolved: ``resolved`` is False and the value is an X-pattern
(``XXXX-WXX-3``, ``XXXX-12-11``) or None - never today's date.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import json
import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc

__all__ = ["TimeExpression", "month_of", "month_rules", "tag_time_expressions"]

PAST, FUTURE, NONE = "past", "future", None


@dataclass(frozen=True)
class TimeExpression:
    start: int
    end: int
    text: str
    type: str  # DATE, TIME, DURATION, SET
    value: str | None
    anchor: str | None  # ISO date used to resolve a relative expression
    resolved: bool  # False: relative, but there was no anchor to resolve it against
    rule: str  # the grammar rule that matched

    def to_dict(self) -> dict:
        return asdict(self)


# ------------------------------------------------------------------------------------------------
# Resources
# ------------------------------------------------------------------------------------------------


def _read_resource(name: str) -> str:
    return resources.files("storyledger").joinpath("resources", "timex", name).read_text("utf-8")


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
    lex = json.loads(_read_resource("lexicon.json"))
    macros = _macros(lex)
    rules: list[_Rule] = []
    month_rules: set[str] = set()
    for line in _read_resource("patterns.tsv").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, typ, norm, pattern = line.split("\t", 3)
        if "<<MONTH" in pattern:
            month_rules.add(name)
        pattern = _MACRO_RE.sub(lambda m: macros[m.group(1)], pattern)
        # Word boundary at both ends unless the pattern handles it itself.
        rx = re.compile(r"(?<![\w])" + pattern + r"(?![\w])")
        rules.append(_Rule(name, typ, norm, rx, len(rules)))
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


# ------------------------------------------------------------------------------------------------
# Small calendar helpers
# ------------------------------------------------------------------------------------------------

_WS = re.compile(r"\s+")
_SEASON_ORDER = ["WI", "SP", "SU", "FA"]
_SEASON_START = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}


def _norm_word(s: str) -> str:
    return _WS.sub(" ", s.lower()).strip().rstrip(".")


def _add_months(y: int, m: int, k: int) -> tuple[int, int]:
    n = y * 12 + (m - 1) + k
    return n // 12, n % 12 + 1


def _iso_week(d: dt.date) -> str:
    y, w, _ = d.isocalendar()
    return f"{y:04d}-W{w:02d}"


def _quarter(m: int) -> int:
    return (m - 1) // 3 + 1


def _safe_date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _fmt_date(d: dt.date) -> str:
    return d.isoformat()


def _easter(y: int) -> dt.date:
    a = y % 19
    b, c = divmod(y, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month = (h + l_ - 7 * m + 114) // 31
    day = (h + l_ - 7 * m + 114) % 31 + 1
    return dt.date(y, month, day)


def _nth_weekday(y: int, m: int, weekday: int, n: int) -> dt.date:
    """n-th (1-based; -1 = last) ISO weekday of month m."""
    if n > 0:
        d = dt.date(y, m, 1)
        d += dt.timedelta(days=(weekday - d.isoweekday()) % 7)
        return d + dt.timedelta(weeks=n - 1)
    last = dt.date(y, m, calendar.monthrange(y, m)[1])
    return last - dt.timedelta(days=(last.isoweekday() - weekday) % 7)


def _holiday_date(key: str, y: int) -> dt.date | None:
    if re.fullmatch(r"\d\d-\d\d", key):
        return _safe_date(y, int(key[:2]), int(key[3:]))
    if key == "thanksgiving":
        return _nth_weekday(y, 11, 4, 4)
    if key == "labor":
        return _nth_weekday(y, 9, 1, 1)
    if key == "memorial":
        return _nth_weekday(y, 5, 1, -1)
    if key == "mother":
        return _nth_weekday(y, 5, 7, 2)
    if key == "father":
        return _nth_weekday(y, 6, 7, 3)
    if key == "election":
        return _nth_weekday(y, 11, 1, 1) + dt.timedelta(days=1)
    if key == "easter":
        return _easter(y)
    if key == "goodfriday":
        return _easter(y) - dt.timedelta(days=2)
    return None


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


def _parse_num(s: str | None, g: _Grammar) -> float | str | None:
    """A number from digits or words; 'X' for vague quantities; None if not a number."""
    if s is None:
        return None
    w = _norm_word(s)
    if w in g.vague:
        return "X"
    w2 = w.replace(",", "")
    fm = re.fullmatch(r"(\d+)(?:\s+|-)1/2", w2)
    if fm:
        return int(fm.group(1)) + 0.5
    try:
        return float(w2)
    except ValueError:
        pass
    if w in g.numbers:
        return g.numbers[w]
    if w.endswith(" of") and w[:-3] in g.numbers:
        return g.numbers[w[:-3]]
    if w in ("dozens of", "hundreds of", "thousands of"):
        return "X"
    parts = re.split(r"[\s-]+", w)
    total = 0.0
    cur = 0.0
    ok = False
    for p in parts:
        if p == "and":
            continue
        v = g.numbers.get(p)
        if v is None:
            return None
        ok = True
        if v == 100:
            cur = (cur or 1) * 100
        elif v == 1000:
            total += (cur or 1) * 1000
            cur = 0
        else:
            cur += v
    return total + cur if ok else None


def _unit_code(unit: str, g: _Grammar) -> str:
    u = _norm_word(unit)
    code = g.units.get(u)
    if code is None:
        code = g.units.get(u.rstrip("s"), "D")
    if u.startswith("minute"):
        return "TM"
    return code


# TimeBank's duration letters for the units it abbreviates differently from ISO 8601.
_DUR_LETTER = {"DE": "E", "CE": "C", "ML": "L", "WE": "WE"}


def _duration_value(n: float | str, code: str) -> str:
    if code == "2W":
        code = "W"
        n = n * 2 if not isinstance(n, str) else n
    letter = _DUR_LETTER.get(code, code)
    time_unit = code in ("H", "TM", "S")
    if time_unit:
        letter = {"TM": "M"}.get(code, code)
    if isinstance(n, str):
        return f"PT{n}{letter}" if time_unit else f"P{n}{letter}"
    if code in ("DE", "CE", "ML") and not isinstance(n, str):
        # TimeBank writes counted decades/centuries in years: "two decades" = P20Y
        return _duration_value(n * {"DE": 10, "CE": 100, "ML": 1000}[code], "Y")
    if n != int(n):
        # whole units plus the remainder in the next smaller unit: P2Y6M, PT5H30M
        smaller = {"Y": ("M", 12), "M": ("D", 30), "W": ("D", 7), "D": ("H", 24),
                   "H": ("M", 60), "TM": ("S", 60)}
        if code in smaller:
            c2, mult = smaller[code]
            whole, rem = int(n), int(round((n - int(n)) * mult))
            if code == "D":
                return (f"P{whole}DT{rem}H" if whole else f"PT{rem}H")
            if time_unit:
                return f"PT{whole}{letter}{rem}{c2}" if whole else f"PT{rem}{c2}"
            return f"P{whole}{letter}{rem}{c2}" if whole else f"P{rem}{c2}"
        return f"P{n:g}{letter}"
    n = int(n)
    return f"PT{n}{letter}" if time_unit else f"P{n}{letter}"


# ------------------------------------------------------------------------------------------------
# Normalisers: (match, ctx, rule) -> (type, value, uses_anchor) or None to reject the match
# ------------------------------------------------------------------------------------------------

_MONEYISH_BEFORE = re.compile(
    r"(?:\d|%|cents?|dollars?|percent|points?|a\s+share|times|once|twice|pounds|francs|yen|marks)"
    r"\s*$", re.I)
_COUNT_NOUN_AFTER = re.compile(
    r"\s+(?:people|persons|troops|soldiers|workers|jobs|employees|shares|tons|feet|foot|meters|"
    r"metres|miles|kilometers|cars|units|votes|members|students|residents|homes|acres|pounds|"
    r"barrels|points|percent|men|women|children|refugees|prisoners|police|officers|copies|rooms|"
    r"beds|dead|killed|injured|passengers|delegates|km|kg|mph|rpm|cc|square|hectares|"
    r"calories|words|pages|signatures|cases|deaths|victims|patients|vehicles|planes|ships|sites)\b"
)
_PLURAL_AFTER = re.compile(r"\s+[a-z]+[a-rt-z]s\b(?!\s+(?:of|ago|old)\b)")
_YEAR_OK_BEFORE = re.compile(
    r"(?:\b(?:[Ii]n|[Ss]ince|[Tt]he|its|their|his|her|of|[Bb]y|from|until|to|and|for|[Dd]uring|"
    r"[Aa]fter|[Bb]efore|between|through|early|late|mid|[Ss]ummer|[Ss]pring|[Ff]all|[Ww]inter)|'s)"
    r"\s*-?\s*$")
_YEAR_BAD_BEFORE = re.compile(
    r"(?:\b(?:No|no|number|Number|Room|room|Flight|flight|Route|route|Highway|Apt|Suite|page|"
    r"Page|pages|about|some|nearly|almost|than|over|of|and|to|from|by)\.?|[$#\u00a3]|-)\s*$"
)


def _yrel_year(yrel: str | None, anchor: dt.date | None) -> tuple[int | None, bool]:
    """Year named by 'this/last/next (year)' style prefixes; (year, uses_anchor)."""
    if not yrel:
        return None, False
    w = _norm_word(yrel)
    if anchor is None:
        return None, True
    if "last" in w or "previous" in w:
        return anchor.year - 1, True
    if "next" in w or "coming" in w:
        return anchor.year + 1, True
    return anchor.year, True


_TENSE_PENALTY = 200


def _pick_year_for(month: int, day: int | None, ctx: _Ctx, tense: str | None) -> int:
    """Year for a year-less month (and day), nearest the anchor, biased by tense."""
    a = ctx.anchor
    assert a is not None
    best_y, best_cost = a.year, None
    for y in (a.year - 1, a.year, a.year + 1):
        d = _safe_date(y, month, day or 15) or dt.date(y, month, 28)
        diff = (d - a).days
        if day is None:
            # compare months, not days
            diff = ((y * 12 + month) - (a.year * 12 + a.month)) * 30
        cost = abs(diff)
        if tense == PAST and diff > 3:
            cost += _TENSE_PENALTY
        elif tense == FUTURE and diff < -3:
            cost += _TENSE_PENALTY
        if best_cost is None or cost < best_cost:
            best_y, best_cost = y, cost
    return best_y


def n_date_full(m, ctx, rule):
    gd = m.groupdict()
    y = int(gd["year"])
    if len(gd["year"]) == 2:
        base = (ctx.anchor.year // 100 * 100) if ctx.anchor else 1900
        y = base + y
        if ctx.anchor and y > ctx.anchor.year + 10:
            y -= 100
    mon = ctx.g.month[_norm_word(gd["month"])] if gd.get("month") else int(gd["month_num"])
    d = _safe_date(y, mon, int(gd["day"]))
    if d is None:
        return None
    ctx.last_year = y
    ctx.last_date = ctx.last_day = _fmt_date(d)
    return "DATE", _fmt_date(d), False


def n_date_md(m, ctx, rule):
    gd = m.groupdict()
    mon = ctx.g.month[_norm_word(gd["month"])]
    day = int(gd["day"])
    if not 1 <= day <= 31:
        return None
    # "May 5" is fine, but "may 1" would be lower-case and never match; guard "March 3" noise.
    if ctx.anchor is None:
        if _safe_date(2000, mon, day) is None:
            return None
        return "DATE", f"XXXX-{mon:02d}-{day:02d}", True
    y = _pick_year_for(mon, day, ctx, ctx.tense(m.start(), m.end()))
    d = _safe_date(y, mon, day)
    if d is None:
        return None
    ctx.last_date = ctx.last_day = _fmt_date(d)
    return "DATE", _fmt_date(d), True


def n_month_year(m, ctx, rule):
    gd = m.groupdict()
    mon = ctx.g.month[_norm_word(gd["month"])]
    y = int(gd["year"])
    ctx.last_year = y
    return "DATE", f"{y:04d}-{mon:02d}", False


_MAY_CONTEXT_BEFORE = re.compile(
    r"(?i:\b(?:in|since|by|until|till|of|from|to|through|during|before|after|early|late|mid|"
    r"last|this|next|and|or|between|on|each|every)\s*-?\s*)$")


def n_month_alone(m, ctx, rule):
    gd = m.groupdict()
    name = _norm_word(gd["month"])
    mon = ctx.g.month[name]
    before = ctx.text[max(0, m.start() - 20):m.start()]
    if name == "may" and not gd.get("rel") and not gd.get("mod") and not gd.get("yrel"):
        if not _MAY_CONTEXT_BEFORE.search(before):
            return None
    if name == "march" and re.match(r"\s+(?:on|to|through|against|from|for|of)\b", ctx.text[m.end():]):
        if not gd.get("rel"):
            return None
    rel = _norm_word(gd.get("rel") or "")
    yrel = gd.get("yrel")
    a = ctx.anchor
    if yrel:
        y, _ = _yrel_year(yrel, a)
        if y is None:
            return "DATE", f"XXXX-{mon:02d}", True
        return "DATE", f"{y:04d}-{mon:02d}", True
    if a is None:
        return "DATE", f"XXXX-{mon:02d}", True
    if rel == "last" or rel == "this past":
        # "last February" said in March means the February of the year before
        y = a.year if mon < a.month - 1 else a.year - 1
    elif rel in ("next", "this coming"):
        y = a.year if mon > a.month else a.year + 1
    elif rel == "this":
        y = a.year
    elif rel == "that" and ctx.last_year:
        y = ctx.last_year
    else:
        y = _pick_year_for(mon, None, ctx, ctx.tense(m.start(), m.end()))
    return "DATE", f"{y:04d}-{mon:02d}", True


def n_year(m, ctx, rule):
    gd = m.groupdict()
    y = int(gd["year"])
    before = ctx.text[max(0, m.start() - 12):m.start()]
    after = ctx.text[m.end():m.end() + 25]
    explicit_ctx = bool(gd.get("fy") or gd.get("mod"))
    if not explicit_ctx:
        if _YEAR_BAD_BEFORE.search(before) and not re.search(r"(?:of|and|to|from|by)\s*$", before):
            return None
        if _COUNT_NOUN_AFTER.match(after):
            return None
        if _PLURAL_AFTER.match(after) and not _YEAR_OK_BEFORE.search(before):
            return None  # "carried 2000 bricks": a quantity, not a year
        if y < 1600 or (ctx.anchor and y > ctx.anchor.year + 60):
            return None
    ctx.last_year = y
    ctx.last_date = f"{y:04d}-01-01" if (ctx.last_date or "")[:4] != f"{y:04d}" else ctx.last_date
    return "DATE", f"{y:04d}", False


_SPOKEN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
                "eighty": 80, "ninety": 90}


def n_year_spoken(m, ctx, rule):
    s = _norm_word(m.group("spoken"))
    parts = re.split(r"[\s-]+", s)
    g = ctx.g
    if parts[0] == "nineteen":
        rest = parts[1:]
        if rest == ["hundred"]:
            y = 1900
        else:
            v = _parse_num(" ".join(rest), g)
            if not isinstance(v, float) or not 10 <= v <= 99:
                return None
            y = 1900 + int(v)
    else:  # two thousand [and] N
        rest = [p for p in parts[2:] if p != "and"]
        v = _parse_num(" ".join(rest), g) if rest else 0.0
        if not isinstance(v, float):
            return None
        y = 2000 + int(v)
    ctx.last_year = y
    return "DATE", f"{y:04d}", False


_DECADE_WORDS = {"twenties": 2, "thirties": 3, "forties": 4, "fifties": 5, "sixties": 6,
                 "seventies": 7, "eighties": 8, "nineties": 9}


def n_decade(m, ctx, rule):
    gd = m.groupdict()
    if gd.get("dec"):
        return "DATE", gd["dec"][:3], False
    if gd.get("dec2"):
        d2 = int(gd["dec2"])
        cent = 19
        if ctx.anchor is not None and ctx.anchor.year >= 2000 and d2 <= ctx.anchor.year % 100:
            cent = 20
        return "DATE", f"{cent}{d2 // 10}", False
    w = _norm_word(gd["decword"])
    return "DATE", f"19{_DECADE_WORDS[w]}", False


def n_century(m, ctx, rule):
    n = ctx.g.ordinals.get(_norm_word(m.group("ord")))
    if not n:
        return None
    return "DATE", f"{n - 1:02d}", False


_QORD = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4,
         "4th": 4, "final": 4}


def _prefix_year(mtext: str, anchor: dt.date | None) -> tuple[int | None, bool]:
    low = mtext.lower()
    if low.startswith("this year's"):
        return _yrel_year("this", anchor)
    if low.startswith("last year's"):
        return _yrel_year("last", anchor)
    if low.startswith("next year's"):
        return _yrel_year("next", anchor)
    return None, False


def n_quarter(m, ctx, rule):
    gd = m.groupdict()
    q = _QORD[_norm_word(gd["qord"])]
    a = ctx.anchor
    if gd.get("year"):
        y, uses = int(gd["year"]), False
    elif gd.get("yrel"):
        y, uses = _yrel_year(gd["yrel"], a)
    else:
        y, uses = _prefix_year(m.group(0), a)
        if y is None and not uses:
            uses = True
            if a is not None:
                y = a.year
                aq = _quarter(a.month)
                if q > aq and ctx.tense(m.start(), m.end()) != FUTURE:
                    y -= 1
    if y is None:
        return "DATE", f"XXXX-Q{q}", True
    low = m.group(0).lower()
    if "year-ago" in low or "year-earlier" in low:
        return "DATE", f"{y - 1:04d}-Q{q}", uses
    ctx.ref_quarter = (y, q)
    return "DATE", f"{y:04d}-Q{q}", uses


def _shift_quarter(yq: tuple[int, int], k: int) -> tuple[int, int]:
    n = yq[0] * 4 + yq[1] - 1 + k
    return n // 4, n % 4 + 1


def n_quarter_rel(m, ctx, rule):
    gd = m.groupdict()
    a = ctx.anchor
    mt = m.group(0).lower()
    rel = _norm_word(gd.get("qrel") or "")
    if a is None:
        return "DATE", "XXXX-QX", True
    cur = (a.year, _quarter(a.month))
    prev = _shift_quarter(cur, -1)
    ref = ctx.ref_quarter or prev
    if rel in ("year-ago", "year-earlier", "year ago", "year earlier", "year-before", "comparable"):
        if ctx.ref_quarter is None and "period" in mt:
            return "DATE", f"{a.year - 1:04d}", True
        yq = _shift_quarter(ref, -4)
    elif rel in ("current",) or mt.startswith("this "):
        yq = cur
    elif rel in ("last", "past", "previous", "prior", "preceding"):
        yq = prev
    elif rel in ("next", "coming"):
        yq = _shift_quarter(cur, 1)
    elif rel in ("september", "june", "march", "december"):
        mon = ctx.g.month[rel]
        q = _quarter(mon)
        y = a.year if q <= cur[1] else a.year - 1
        yq = (y, q)
    else:  # latest, recent, same, the quarter, fiscal...
        yq = ref
    ctx.ref_quarter = yq if rel not in ("year-ago", "year-earlier", "year ago", "comparable") \
        else ctx.ref_quarter
    return "DATE", f"{yq[0]:04d}-Q{yq[1]}", True


def n_half(m, ctx, rule):
    gd = m.groupdict()
    h = 1 if _norm_word(gd["hord"]) in ("first", "1st") else 2
    a = ctx.anchor
    if gd.get("year"):
        y, uses = int(gd["year"]), False
    elif gd.get("yrel"):
        y, uses = _yrel_year(gd["yrel"], a)
    else:
        y, uses = _prefix_year(m.group(0), a)
        if y is None:
            uses = True
            if a is not None:
                y = a.year
                if h == 2 and a.month <= 6 and ctx.tense(m.start(), m.end()) == PAST:
                    y -= 1
    if y is None:
        return "DATE", f"XXXX-H{h}", True
    return "DATE", f"{y:04d}-H{h}", uses


def n_year_ago_adj(m, ctx, rule):
    a = ctx.anchor
    if a is None:
        return "DATE", None, True
    if ctx.ref_quarter is not None:
        yq = _shift_quarter(ctx.ref_quarter, -4)
        return "DATE", f"{yq[0]:04d}-Q{yq[1]}", True
    return "DATE", f"{a.year - 1:04d}", True


def n_year_end(m, ctx, rule):
    a = ctx.anchor
    if a is None:
        return "DATE", "XXXX", True
    return "DATE", f"{a.year:04d}", True


def _season_year_rel(season: str, a: dt.date, k: int) -> int:
    """Year of the season k occurrences from the current one (k=0: the one containing a)."""
    # index seasons as consecutive integers: year*4 + position (WI of year Y = Dec Y..Feb Y+1)
    pos = {"SP": 1, "SU": 2, "FA": 3, "WI": 4}
    m = a.month
    if m in (12,):
        cur = a.year * 4 + 4
    elif m <= 2:
        cur = (a.year - 1) * 4 + 4
    else:
        cur = a.year * 4 + (m - 3) // 3 + 1
    target_pos = pos[season]
    # candidate occurrences of this season near cur
    cands = [(y * 4 + target_pos) for y in (a.year - 2, a.year - 1, a.year, a.year + 1)]
    if k < 0:
        c = max(x for x in cands if x < cur)
    elif k > 0:
        c = min(x for x in cands if x > cur)
    else:
        c = min(cands, key=lambda x: (abs(x - cur), x < cur))
    return (c - target_pos) // 4


def n_season(m, ctx, rule):
    gd = m.groupdict()
    word = _norm_word(gd["season"])
    code = ctx.g.seasons[word]
    rel = _norm_word(gd.get("rel") or "")
    yraw = gd.get("year")
    after = ctx.text[m.end():m.end() + 12]
    if word == "fall" and not rel and not yraw:
        return None
    if word == "fall" and rel in ("the", "early", "late", "mid") and re.match(r"\s+of\b", after):
        return None
    if word == "spring" and not rel and not yraw:
        before = ctx.text[max(0, m.start() - 12):m.start()]
        if not re.search(r"(?i:\b(?:in|this|last|next|since|until|by|during|the)\s*)$", before):
            return None
    if yraw:
        if yraw[0].isdigit():
            y = int(yraw)
        else:
            res = n_year_spoken(re.match(r"(?P<spoken>.*)", yraw), ctx, rule)
            if not res:
                return None
            y = int(res[1])
        return "DATE", f"{y:04d}-{code}", False
    a = ctx.anchor
    if a is None:
        return "DATE", f"XXXX-{code}", True
    if rel in ("last", "this past"):
        y = _season_year_rel(code, a, -1)
    elif rel in ("next", "this coming"):
        y = _season_year_rel(code, a, 1)
    elif rel == "this":
        y = _season_year_rel(code, a, 0)
    elif rel == "that" and ctx.last_year:
        y = ctx.last_year
    else:
        t = ctx.tense(m.start(), m.end())
        y = _season_year_rel(code, a, 0)
        # the nearest occurrence, unless tense says it must be on the other side of the anchor
        pos = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}[code]
        start = dt.date(y, pos, 1)
        if t == PAST and start > a:
            y = _season_year_rel(code, a, -1)
        elif t == FUTURE and dt.date(y, pos, 1) + dt.timedelta(days=90) < a:
            y = _season_year_rel(code, a, 1)
    return "DATE", f"{y:04d}-{code}", True


_FUTURE_PREP = re.compile(
    r"(?i:\b(?:as\s+soon\s+as|as\s+early\s+as|until|till|no\s+later\s+than|starting|beginning)"
    r"(?:\s+(?:on|next|this))?\s*)$")
_PAST_UNTIL = re.compile(r"(?:(?:^|[.!?\n]\s*)Until|(?i:up\s+until))\s*$")


def _weekday_date(wd: int, rel: str, ctx: _Ctx, m: re.Match) -> dt.date:
    a = ctx.anchor
    diff = wd - a.isoweekday()
    if rel in ("last", "this past", "the previous"):
        back = (a.isoweekday() - wd) % 7 or 7
        return a - dt.timedelta(days=back)
    if rel in ("next", "this coming", "the following"):
        fwd = (wd - a.isoweekday()) % 7 or 7
        return a + dt.timedelta(days=fwd)
    if rel == "this":
        return a + dt.timedelta(days=diff)
    t = ctx.tense(m.start(), m.end())
    before = ctx.text[max(0, m.start() - 24):m.start()]
    after = ctx.text[m.end():m.end() + 3]
    if _FUTURE_PREP.search(before) and not _PAST_UNTIL.search(before):
        t = FUTURE
    elif after.startswith(("'s", "\u2019s")) and t == FUTURE:
        t = PAST  # "Wednesday's ruling" names an event already reported
    if t == FUTURE:
        fwd = (wd - a.isoweekday()) % 7
        return a + dt.timedelta(days=fwd)
    back = (a.isoweekday() - wd) % 7
    return a - dt.timedelta(days=back)


_DATE_AFTER_WEEKDAY = re.compile(
    r",?\s+(?P<month>[A-Z][a-z]{2,8})\.?\s+(?P<day>3[01]|[12]\d|0?[1-9])\b(?:,?\s+(?P<year>(?:1[5-9]|20)\d\d)\b)?")


def n_weekday(m, ctx, rule):
    gd = m.groupdict()
    wd = ctx.g.weekday[_norm_word(gd["weekday"])]
    rel = _norm_word(gd.get("rel") or "")
    pod = gd.get("pod")
    pod_code = ctx.g.pods.get(_norm_word(pod)) if pod else None
    typ = "DATE"  # the corpora mostly type "Friday night" as a DATE
    follow = _DATE_AFTER_WEEKDAY.match(ctx.text, m.end())
    if follow is not None and not rel:
        # "Thursday, Jan. 6": the weekday names the date that follows it
        mon = ctx.g.month.get(_norm_word(follow.group("month")))
        day = int(follow.group("day"))
        y = int(follow.group("year")) if follow.group("year") else (
            _pick_year_for(mon, day, ctx, None) if ctx.anchor else None)
        d = _safe_date(y, mon, day) if (y and mon) else None
        if d is not None:
            return typ, _fmt_date(d), follow.group("year") is None
    if ctx.anchor is None:
        return typ, f"XXXX-WXX-{wd}", True
    d = _weekday_date(wd, rel, ctx, m)
    ctx.last_date = ctx.last_day = _fmt_date(d)
    if pod_code and pod_code not in ("MO", "NI"):
        # "Friday night" -> 1998-08-07TNI; the corpora give "Friday morning" the plain date
        return typ, f"{_fmt_date(d)}T{pod_code}", True
    return typ, _fmt_date(d), True


def _clock(gd: dict) -> str | None:
    h = int(gd["hour"])
    mi = int(gd.get("minute") or 0)
    ap = (gd.get("ampm") or "").lower().replace(".", "")
    if ap == "pm" and h < 12:
        h += 12
    elif ap == "am" and h == 12:
        h = 0
    if h > 24 or mi > 59:
        return None
    return f"{h:02d}:{mi:02d}"


def n_weekday_time(m, ctx, rule):
    gd = m.groupdict()
    wd = ctx.g.weekday[_norm_word(gd["weekday"])]
    hm = _clock(gd)
    if hm is None:
        return None
    if ctx.anchor is None:
        return "TIME", f"XXXX-WXX-{wd}T{hm}", True
    d = _weekday_date(wd, "", ctx, m)
    return "TIME", f"{_fmt_date(d)}T{hm}", True


_RELDAY = {"today": 0, "tonight": 0, "yesterday": -1, "tomorrow": 1}


def n_relday(m, ctx, rule):
    gd = m.groupdict()
    if gd.get("dab"):
        off = -2 if "yesterday" in gd["dab"].lower() else 2
        pod_code = None
        word = ""
    else:
        word = _norm_word(gd["rd"])
        off = _RELDAY[word]
        pod = gd.get("pod")
        pod_code = ctx.g.pods.get(_norm_word(pod)) if pod else None
        if word == "tonight":
            pod_code = "NI"
    typ = "TIME" if pod_code else "DATE"
    if ctx.anchor is None:
        return typ, None, True
    d = ctx.anchor + dt.timedelta(days=off)
    return typ, _fmt_date(d) + (f"T{pod_code}" if pod_code else ""), True


def n_pod_rel(m, ctx, rule):
    gd = m.groupdict()
    pod_w = _norm_word(gd["pod"])
    rel = _norm_word(gd.get("prel") or "")
    rd = _norm_word(gd.get("rd") or "")
    if pod_w in ("noon", "midday"):
        suffix = "T12:00"
    elif pod_w == "midnight":
        suffix = "T24:00"
    else:
        code = ctx.g.pods.get(pod_w) or ctx.g.pods.get(pod_w.replace("-", ""))
        if code is None:
            return None
        suffix = f"T{code}"
    off = 0
    if rel.endswith("last"):
        off = -1
    if rd:
        off = _RELDAY[rd]
    if ctx.anchor is None:
        return "TIME", None, True
    d = ctx.anchor + dt.timedelta(days=off)
    return "TIME", _fmt_date(d) + suffix, True


def n_clock(m, ctx, rule):
    gd = m.groupdict()
    if gd.get("ampm") is None:
        # bare hh:mm: only when something temporal is around it
        around = ctx.text[max(0, m.start() - 12):m.end() + 12].lower()
        if not re.search(r"\b(?:at|by|until|from|after|before)\s+\d|[ecmp][sd]t|gmt|local", around):
            return None
    hm = _clock(gd)
    if hm is None:
        return None
    rd = _norm_word(gd.get("rd") or "")
    if ctx.anchor is None:
        return "TIME", f"XXXX-XX-XXT{hm}", True
    d = ctx.anchor + dt.timedelta(days=_RELDAY.get(rd, 0))
    return "TIME", f"{_fmt_date(d)}T{hm}", True


def _rel_sign(rel: str) -> int | None:
    if rel in ("last", "the past", "the previous", "the last", "this past", "the prior",
               "the preceding"):
        return -1
    if rel in ("next", "the coming", "the following", "the next", "the upcoming"):
        return 1
    if rel in ("this", "the current", "the same"):
        return 0
    return None


def n_relperiod(m, ctx, rule):
    gd = m.groupdict()
    rel = _norm_word(gd["rel"])
    unit = _norm_word(gd["unit"])
    a = ctx.anchor
    if rel in ("a recent", "the latest", "the new"):
        return None
    if rel == "that":
        if unit == "year" and ctx.last_year:
            return "DATE", f"{ctx.last_year:04d}", True
        return "DATE", None, True
    k = _rel_sign(rel)
    if k is None:
        return None
    if rel in ("the following", "the previous", "the preceding", "the prior") \
            and unit in ("year", "month") and ctx.last_date is not None:
        # "the following year" counts from the story's last date, not from the anchor
        base = dt.date.fromisoformat(ctx.last_date)
        if unit == "year":
            return "DATE", f"{base.year + k:04d}", False
        y, mo = _add_months(base.year, base.month, k)
        return "DATE", f"{y:04d}-{mo:02d}", False
    if a is None:
        xs = {"week": "XXXX-WXX", "month": "XXXX-XX", "year": "XXXX", "fiscal year": "XXXX",
              "school year": "XXXX", "weekend": "XXXX-WXX-WE", "decade": "XXX", "century": "XX"}
        return "DATE", xs.get(unit), True
    if unit == "week":
        return "DATE", _iso_week(a + dt.timedelta(weeks=k)), True
    if unit == "weekend":
        if k == 0 and a.isoweekday() < 6 and ctx.tense(m.start(), m.end()) != FUTURE:
            k = -1  # "said this weekend" on a Tuesday: the weekend just gone
        return "DATE", _iso_week(a + dt.timedelta(weeks=k)) + "-WE", True
    if unit == "month":
        y, mo = _add_months(a.year, a.month, k)
        return "DATE", f"{y:04d}-{mo:02d}", True
    if unit in ("year", "fiscal year", "school year"):
        return "DATE", f"{a.year + k:04d}", True
    if unit == "decade":
        return "DATE", f"{a.year // 10 + k:03d}", True
    if unit == "century":
        return "DATE", f"{a.year // 100 + k:02d}", True
    return None


def n_the_unit(m, ctx, rule):
    gd = m.groupdict()
    unit = _norm_word(gd["unit"])
    a = ctx.anchor
    after = ctx.text[m.end():m.end() + 20]
    if unit in ("year", "fiscal year") and re.match(r"\s*(?:ended|ending|through|to\b)", after):
        return "DURATION", "P1Y", False
    if unit == "day":
        return None
    if a is None:
        xs = {"week": "XXXX-WXX", "month": "XXXX-XX", "year": "XXXX", "fiscal year": "XXXX",
              "weekend": "XXXX-WXX-WE"}
        return "DATE", xs.get(unit), True
    if unit in ("year", "fiscal year"):
        return "DATE", f"{a.year:04d}", True
    if unit == "month":
        return "DATE", f"{a.year:04d}-{a.month:02d}", True
    if unit == "week":
        return "DATE", _iso_week(a), True
    if unit == "weekend":
        if a.isoweekday() >= 6:
            return "DATE", _iso_week(a) + "-WE", True
        t = ctx.tense(m.start(), m.end())
        d = a if t == FUTURE else a - dt.timedelta(weeks=1)
        return "DATE", _iso_week(d) + "-WE", True
    return None


def _shifted_value(a: dt.date, n: float, code: str, sign: int) -> str | None:
    if code in ("Y",):
        if n != int(n):
            return _shifted_value(a, n * 12, "M", sign)
        return f"{a.year + sign * int(n):04d}"
    if code == "M":
        if n != int(n):
            return _shifted_value(a, n * 30, "D", sign)
        y, mo = _add_months(a.year, a.month, sign * int(n))
        return f"{y:04d}-{mo:02d}"
    if code in ("W", "2W", "WE"):
        k = n * (2 if code == "2W" else 1)
        return _iso_week(a + dt.timedelta(weeks=sign * k))
    if code == "D":
        return _fmt_date(a + dt.timedelta(days=sign * n))
    if code == "Q":
        yq = _shift_quarter((a.year, _quarter(a.month)), sign * int(n))
        return f"{yq[0]:04d}-Q{yq[1]}"
    if code == "DE":
        return f"{(a.year + sign * int(n * 10)) // 10:03d}"
    if code == "CE":
        return f"{(a.year + sign * int(n * 100)) // 100:02d}"
    if code in ("H", "TM", "S"):
        return _fmt_date(a)
    return None


def n_ago(m, ctx, rule):
    gd = m.groupdict()
    g = ctx.g
    d = _norm_word(gd["dir"])
    after = ctx.text[m.end():m.end() + 3]
    if d in ("before", "after") and re.match(r"\s*[A-Za-z0-9$]", after):
        return None  # "two years before the war": a duration followed by a preposition
    n = _parse_num(gd["num"], g)
    if n is None:
        return None
    code = _unit_code(gd["unit"], g)
    if d == "later" or (d == "earlier" and code not in ("Y", "M", "Q")):
        # TimeBank: "three days later" is the duration "three days"; "a year earlier" a date
        return None
    sign = -1 if d in ("ago", "earlier", "before", "previously", "back") else 1
    if n == "X":
        return "DATE", "PAST_REF" if sign < 0 else "FUTURE_REF", False
    a = ctx.anchor
    if a is None:
        return "DATE", None, True
    if (code == "Y" and n == 1 and d in ("ago", "earlier") and ctx.ref_quarter is not None):
        yq = _shift_quarter(ctx.ref_quarter, -4)
        return "DATE", f"{yq[0]:04d}-Q{yq[1]}", True
    v = _shifted_value(a, n, code, sign)
    if v is None:
        return None
    return "DATE", v, True


def n_duration(m, ctx, rule):
    gd = m.groupdict()
    g = ctx.g
    unit = _norm_word(gd["unit"])
    numw = _norm_word(gd.get("num") or "")
    after = ctx.text[m.end():m.end() + 6]
    if rule.name == "duration_unit_long":
        code = _unit_code(unit, g)
        return "DURATION", _duration_value(1, code), False
    if gd["unit"][0].isupper() and not gd["unit"].isupper():
        return None  # "60 Minutes", "24 Hours of Le Mans": a title
    if unit.startswith("second") and numw in ("a", "an", "one", "half a", "a half"):
        return None
    if unit.startswith("quarter") and re.match(r"\s+of\b", after):
        return None
    if unit.startswith("night") and numw in ("a", "an"):
        return None
    n = _parse_num(gd.get("num"), g)
    if n is None:
        return None
    if numw == "one" and unit == "day" and re.search(
            r"(?i:\b(?:will|would|could|may|might|'ll|shall)\s+)$",
            ctx.text[max(0, m.start() - 8):m.start()]):
        return "DATE", "FUTURE_REF", False
    code = _unit_code(unit, g)
    if rule.name == "duration_half" and not isinstance(n, str):
        n = n + 0.5
    if numw in ("a", "an") and not gd.get("det") and not gd.get("rel") and not gd.get("approx"):
        before = ctx.text[max(0, m.start() - 24):m.start()]
        if _MONEYISH_BEFORE.search(before):
            return "SET", _duration_value(1, code), False
    if code == "WE":
        return "DURATION", _duration_value(n * 2 if not isinstance(n, str) else n, "D"), False
    return "DURATION", _duration_value(n, code), False


_PLURAL_OK_BEFORE = re.compile(
    r"(?i:\b(?:for|within|over|in|after|took|spent|lasted|lasting|take|takes|spend|last)\s+)$")


def n_duration_plural(m, ctx, rule):
    unit = _norm_word(m.group("unit"))
    code = _unit_code(unit, ctx.g)
    after = ctx.text[m.end():m.end() + 24]
    if rule.name == "duration_the" and re.match(
            r"\s+(?:before|after|leading\s+up\s+to|following|preceding|since)\b", after):
        return None  # "in the weeks before the shooting": anchored on an event, not a duration
    if rule.name == "duration_plural":
        before = ctx.text[max(0, m.start() - 12):m.start()]
        after = ctx.text[m.end():m.end() + 12]
        if not (_PLURAL_OK_BEFORE.search(before)
                or re.match(r"\s+or\s+(?:months|years|weeks|days|even)", after)):
            return None
        if re.match(r"\s+(?:ago|old|earlier|later|before|after)\b", after):
            return None
    return "DURATION", _duration_value("X", code), False


def n_set_word(m, ctx, rule):
    w = m.group("setw")
    start = m.start()
    if w[0].isupper():
        # "the Daily Telegraph": a capitalised set word inside a sentence is a name
        before = ctx.text[max(0, start - 3):start]
        if before.strip() and not re.search(r"[.!?\"'`\n]\s*$", before):
            return None
    return "SET", ctx.g.sets[_norm_word(w)], False


def n_set_every(m, ctx, rule):
    gd = m.groupdict()
    g = ctx.g
    every = _norm_word(gd.get("every") or "")
    if gd.get("weekday"):
        if every in ("a", "per"):
            return None
        wd = g.weekday[_norm_word(gd["weekday"])]
        return "SET", f"XXXX-WXX-{wd}", False
    unit = _norm_word(gd["unit"])
    if unit in g.seasons:
        return "SET", f"XXXX-{g.seasons[unit]}", False
    if unit in ("morning", "afternoon", "evening"):
        return "SET", f"XXXX-XX-XXT{g.pods[unit]}", False
    numw = _norm_word(gd.get("num") or "")
    if numw == "other":
        n = 2
    elif numw:
        n = _parse_num(numw, g)
        if n is None:
            return None
    else:
        n = 1
    code = _unit_code(unit, g)
    if code == "WE":
        return "SET", "XXXX-WXX-WE", False
    return "SET", _duration_value(n, code), False


def n_set_weekdays(m, ctx, rule):
    w = m.group("weekday_pl")[:-1]
    return "SET", f"XXXX-WXX-{ctx.g.weekday[_norm_word(w)]}", False


def n_ref(m, ctx, rule):
    w = _norm_word(m.group("refw"))
    val = ctx.g.refs[w]
    after = ctx.text[m.end():m.end() + 20]
    if w == "the present" and re.match(r"\s+[a-z]", after) and not re.match(
            r"\s+(?:and|or|to|in|is|was|day)\b", after):
        return None
    if w == "current" and re.match(r"\s+(?:account|affairs|events|of|density|flows?)\b", after):
        return None
    if w == "now" and re.match(r"\s*-", after):
        return None
    return "DATE", val, False


def n_holiday(m, ctx, rule):
    gd = m.groupdict()
    key = ctx.g.holidays[_norm_word(gd["hol"])]
    if m.group("hol")[0].islower():
        return None
    if gd.get("year"):
        d = _holiday_date(key, int(gd["year"]))
        return ("DATE", _fmt_date(d), False) if d else None
    a = ctx.anchor
    if a is None:
        if re.fullmatch(r"\d\d-\d\d", key):
            return "DATE", f"XXXX-{key}", True
        return "DATE", None, True
    t = ctx.tense(m.start(), m.end())
    best = None
    for y in (a.year - 1, a.year, a.year + 1):
        d = _holiday_date(key, y)
        if d is None:
            continue
        diff = (d - a).days
        cost = abs(diff) + (200 if (t == PAST and diff > 3) or (t == FUTURE and diff < -3) else 0)
        if best is None or cost < best[0]:
            best = (cost, d)
    if best is None:
        return None
    return "DATE", _fmt_date(best[1]), True


def n_year_period(m, ctx, rule):
    y = int(m.group("year"))
    if ctx.ref_quarter is not None and "quarter" in m.group(0).lower() or (
            ctx.ref_quarter is not None and abs(ctx.ref_quarter[0] - y) <= 1):
        return "DATE", f"{y:04d}-Q{ctx.ref_quarter[1]}", False
    return "DATE", f"{y:04d}", False


def n_quarter_ended(m, ctx, rule):
    gd = m.groupdict()
    mon = ctx.g.month[_norm_word(gd["month"])]
    a = ctx.anchor
    q = _QORD[_norm_word(gd["qord"])] if gd.get("qord") else _quarter(mon)
    if a is None:
        return "DATE", f"XXXX-Q{q}", True
    y = a.year if (mon <= a.month + 1) else a.year - 1
    ctx.ref_quarter = (y, q)
    return "DATE", f"{y:04d}-Q{q}", True


def n_clock_date(m, ctx, rule):
    gd = m.groupdict()
    hm = _clock(gd)
    if hm is None:
        return None
    res = n_date_md(m, ctx, rule)
    if res is None:
        return None
    return "TIME", f"{res[1]}T{hm}", res[2]


def n_noon_weekday(m, ctx, rule):
    gd = m.groupdict()
    wd = ctx.g.weekday[_norm_word(gd["weekday"])]
    hm = "24:00" if _norm_word(gd["pod"]) == "midnight" else "12:00"
    if ctx.anchor is None:
        return "TIME", f"XXXX-WXX-{wd}T{hm}", True
    d = _weekday_date(wd, "", ctx, m)
    return "TIME", f"{_fmt_date(d)}T{hm}", True


def n_recent_units(m, ctx, rule):
    rel = _norm_word(m.group("rel"))
    unit = _norm_word(m.group("unit"))
    if rel == "recent" and unit == "years":
        return None  # "recent years" is PAST_REF (see the reference words)
    return "DURATION", _duration_value("X", _unit_code(unit, ctx.g)), False


def n_that_day(m, ctx, rule):
    low = m.group(0).lower()
    pod = next((c for w, c in ctx.g.pods.items() if low.endswith(w)), None)
    if ctx.last_day is None:
        return "DATE", None, False
    if pod:
        return "TIME", f"{ctx.last_day}T{pod}", False
    return "DATE", ctx.last_day, False


def n_holiday_week(m, ctx, rule):
    res = n_holiday(m, ctx, rule)
    if res is None or res[1] is None or res[1].startswith("X"):
        return ("DATE", None, True) if res is not None else None
    return "DATE", _iso_week(dt.date.fromisoformat(res[1])), res[2]


def n_week_of(m, ctx, rule):
    gd = m.groupdict()
    res = n_date_full(m, ctx, rule) if gd.get("year") else n_date_md(m, ctx, rule)
    if res is None:
        return None
    if res[1].startswith("X"):
        return "DATE", None, res[2]
    return "DATE", _iso_week(dt.date.fromisoformat(res[1])), res[2]


def n_next_day(m, ctx, rule):
    """"the next morning": the day after the date the story last mentioned."""
    if ctx.last_day is None:
        return None
    off = 1 if _norm_word(m.group("nd")) in ("the next", "the following") else -1
    d = dt.date.fromisoformat(ctx.last_day) + dt.timedelta(days=off)
    return "DATE", _fmt_date(d), False


_NORMALISERS = {
    "next_day": n_next_day,
    "holiday_week": n_holiday_week, "week_of": n_week_of,
    "that_day": n_that_day,
    "year_period": n_year_period, "quarter_ended": n_quarter_ended, "clock_date": n_clock_date,
    "noon_weekday": n_noon_weekday, "recent_units": n_recent_units,
    "date_full": n_date_full, "date_md": n_date_md, "month_year": n_month_year,
    "month_alone": n_month_alone, "year": n_year, "year_spoken": n_year_spoken,
    "decade": n_decade, "century": n_century, "quarter": n_quarter, "quarter_rel": n_quarter_rel,
    "half": n_half, "year_ago_adj": n_year_ago_adj, "year_end": n_year_end, "season": n_season,
    "weekday_time": n_weekday_time, "weekday": n_weekday, "relday": n_relday,
    "pod_rel": n_pod_rel, "clock": n_clock, "relperiod": n_relperiod, "the_unit": n_the_unit,
    "ago": n_ago, "duration": n_duration, "duration_plural": n_duration_plural,
    "set_word": n_set_word, "set_every": n_set_every, "set_weekdays": n_set_weekdays,
    "ref": n_ref, "holiday": n_holiday,
}


# ------------------------------------------------------------------------------------------------
# Entry point
# ------------------------------------------------------------------------------------------------


def _candidates(text: str, g: _Grammar) -> list[tuple[int, int, _Rule, re.Match]]:
    out = []
    for rule in g.rules:
        for m in rule.regex.finditer(text):
            if m.end() > m.start():
                out.append((m.start(), m.end(), rule, m))
    return out


def _select(cands: list, ctx: _Ctx) -> list[tuple[_Rule, re.Match, tuple]]:
    """Leftmost-longest selection among candidates whose normaliser accepts them."""
    cands.sort(key=lambda c: (-(c[1] - c[0]), c[2].index, c[0]))
    taken: list[tuple[int, int]] = []  # sorted, non-overlapping
    chosen = []
    for start, end, rule, m in cands:
        i = bisect.bisect_left(taken, (start, end))
        if i > 0 and taken[i - 1][1] > start:
            continue
        if i < len(taken) and taken[i][0] < end:
            continue
        taken.insert(i, (start, end))
        chosen.append((start, end, rule, m))
    chosen.sort(key=lambda c: c[0])
    return chosen


def tag_time_expressions(text: str, anchor: dt.date | None, *,
                         doc: Doc | None = None) -> list[TimeExpression]:
    """Find and normalise every temporal expression in ``text``.

    ``anchor`` resolves relative expressions (normally the publication date); a ``datetime`` is
    reduced to its date.  ``doc``, if given, must be spaCy's parse of exactly ``text``: its
    sentence boundaries and tags are reused to read the tense around bare weekdays and months.
    Without an anchor, absolute dates still get values, and relative ones get ``resolved=False``
    and an X-pattern value (``XXXX-WXX-3``) or None.
    """
    if not text:
        return []
    if isinstance(anchor, dt.datetime):
        anchor = anchor.date()
    g = _grammar()
    ctx = _Ctx(text=text, anchor=anchor, doc=doc, g=g)
    cands = _candidates(text, g)
    # Normalisers can reject a match (e.g. "May" the modal); reject before choosing among
    # overlapping matches so that a shorter valid reading can still win.  Document state
    # (last quarter/year mentioned) is only updated in the final, in-order pass.
    accepted = []
    probe = _Ctx(text=text, anchor=anchor, doc=doc, g=g)
    probe._sent_starts = None
    for c in cands:
        res = _NORMALISERS[c[2].norm](c[3], probe, c[2])
        if res is not None:
            accepted.append(c)
    ctx._sent_starts = probe._sent_starts
    ctx._tok_cache = probe._tok_cache
    out: list[TimeExpression] = []
    anchor_iso = anchor.isoformat() if anchor is not None else None
    for start, end, rule, m in _select(accepted, ctx):
        res = _NORMALISERS[rule.norm](m, ctx, rule)
        if res is None:
            continue
        typ, value, uses_anchor = res
        out.append(TimeExpression(
            start=start, end=end, text=text[start:end], type=typ, value=value,
            anchor=anchor_iso if uses_anchor else None,
            resolved=not (uses_anchor and anchor is None), rule=rule.name,
        ))
    if anchor is not None:
        out = _anchor_clock_times(out, ctx)
    return out


_DAY_VALUE = re.compile(r"\d{4}-\d\d-\d\d$")


def _anchor_clock_times(out: list[TimeExpression], ctx: _Ctx) -> list[TimeExpression]:
    """A bare clock time ("at 10:35 a.m.") happens on the day the same sentence talks about
    ("... Friday"), not necessarily on the anchor date."""
    fixed = []
    for te in out:
        if te.rule in ("clock", "clock24") and te.value and "T" in te.value \
                and not re.search(r"(?i:today|yesterday|tomorrow|tonight)", te.text):
            s, e = ctx.sentence_bounds(te.start)
            days = [o for o in out if o is not te and s <= o.start < e and o.value
                    and _DAY_VALUE.match(o.value)]
            if days:
                near = min(days, key=lambda o: abs(o.start - te.start))
                te = TimeExpression(te.start, te.end, te.text, te.type,
                                    near.value + te.value[te.value.index("T"):],
                                    te.anchor, te.resolved, te.rule)
        fixed.append(te)
    return fixed
