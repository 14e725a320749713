"""Normalisers of calendar expressions: dates, months, years, decades, quarters, seasons, holidays."""

from __future__ import annotations

import datetime as dt
import re

from .context import FUTURE, PAST, _Ctx
from .grammar import _norm_word
from .values import _fmt_date, _holiday_date, _parse_num, _quarter, _safe_date

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


