"""Calendar arithmetic and the numbers, units and durations the normalisers read."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from .grammar import _Grammar, _norm_word

_SEASON_ORDER = ["WI", "SP", "SU", "FA"]
_SEASON_START = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}



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
