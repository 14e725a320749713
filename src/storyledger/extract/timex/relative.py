"""Normalisers of expressions read against the anchor (weekdays, clock times, "last week",
"3 days ago"), durations and sets."""

from __future__ import annotations

import datetime as dt
import re

from .context import FUTURE, PAST, _Ctx
from .dates import _MONEYISH_BEFORE, _pick_year_for, _shift_quarter, n_date_full, n_date_md, n_holiday
from .grammar import _norm_word
from .values import _add_months, _duration_value, _fmt_date, _iso_week, _parse_num, _quarter, _safe_date, _unit_code

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


