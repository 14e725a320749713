"""Numbers and dates as a reader writes them: "1,723", "35,000–40,000", "about 2,000",
"17 Nov 2020", and axis ticks at round values. Plain functions, no imports beyond the standard
library, so the command line can use them without loading the web stack."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_MONTH_ONLY = re.compile(r"^XXXX-(\d{2})(?:-(\d{2}))?$")  # a month whose year the text does not give


def format_number(value: float) -> str:
    """1723.0 -> "1,723"; 37.5 -> "37.5"; 0.125 -> "0.13" (a whole number never shows ".0")."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def compact_number(value: float) -> str:
    """An axis tick: 2,500; 40k; 300M; 1.5bn (a tick needs few characters; values keep all)."""
    for size, suffix in ((1e9, "bn"), (1e6, "M"), (1e4, "k")):
        if abs(value) >= size:
            return format_number(round(value / size, 2)) + suffix
    return format_number(value)


def value_text(q: dict[str, Any], words: bool = False) -> str:
    """A quantity's value as the text gives it: "1,723", "35,000–40,000", "about 2,000",
    "more than 500", "up to 40"; with ``words``, millions and billions in words ("250–320
    million"); the words as written when it has no number (a comparison such as "much higher")."""
    low, high, value, approx = q.get("low"), q.get("high"), q.get("value"), q.get("approx")
    biggest = max(abs(v) for v in (low, high, value, 0.0) if v is not None)
    scale, name = next(((s, n) for s, n in ((1e9, " billion"), (1e6, " million")) if words and biggest >= s), (1, ""))

    def num(v: float) -> str:
        return format_number(round(v / scale, 2) if scale != 1 else v)

    if low is not None and high is not None and low != high:
        core = f"{num(low)}–{num(high)}{name}"
    elif value is not None:
        core = num(value) + name
    elif low is not None:
        core = num(low) + name
    elif high is not None:
        core = num(high) + name
    else:
        return q.get("text") or "?"  # "much higher": a comparison, said in words
    return f"{approx} {core}" if approx else core


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About ``count`` round tick values (steps of 1, 2, 2.5 or 5 times a power of ten) covering
    ``low``..``high``: 0, 500, 1,000, 1,500, 2,000, 2,500 rather than 560, 1,120, 1,680."""
    if high < low:
        low, high = high, low
    if high == low:
        high = low + (abs(low) or 1)
    raw = (high - low) / max(1, count)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value < high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(value, 10))
    return ticks


def _calendar(value: str | None) -> tuple[int, int | None, int | None] | None:
    m = _ISO.match(value or "")
    return (int(m[1]), int(m[2]) if m[2] else None, int(m[3]) if m[3] else None) if m else None


def parse_day(value: str | None) -> dt.date | None:
    """The first day a calendar value (YYYY, YYYY-MM, YYYY-MM-DD, with anything after) stands for."""
    parts = _calendar(value)
    try:
        return dt.date(parts[0], parts[1] or 1, parts[2] or 1) if parts else None
    except ValueError:
        return None


def last_day(value: str | None) -> dt.date | None:
    """The last day a calendar value stands for (2020 -> 31 Dec 2020; 2020-02 -> 29 Feb 2020)."""
    parts = _calendar(value)
    if parts is None or parts[2] is not None or parts[1] is None:
        return parse_day(value) if parts is None or parts[2] is not None else dt.date(parts[0], 12, 31)
    year, month = parts[0], parts[1]
    if not 1 <= month <= 12:
        return None
    try:
        return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
    except ValueError:
        return None


def date_text(value: str | None) -> str:
    """An ISO date as a reader writes it: "17 Nov 2020", "Nov 2020", "2020"; "June (year not
    given)" for XXXX-06; "" when there is none."""
    if not value:
        return ""
    m = _ISO.match(value)
    if m:
        year, month, day = m[1], m[2], m[3]
        if day and month and 1 <= int(month) <= 12:
            return f"{int(day)} {MONTHS[int(month) - 1]} {year}"
        if month and 1 <= int(month) <= 12:
            return f"{MONTHS[int(month) - 1]} {year}"
        return year
    m = _MONTH_ONLY.match(value)
    if m and 1 <= int(m[1]) <= 12:
        return f"{MONTHS[int(m[1]) - 1]}{' ' + str(int(m[2])) if m[2] else ''} (year not given)"
    return ""


def window_text(estimate: dict[str, Any] | None) -> str:
    """An undated document's estimated window: "estimated Jan–Mar 2020", "estimated 2014 or
    later", "" when there is none."""
    if not estimate:
        return ""
    earliest, latest = estimate.get("earliest"), estimate.get("latest")
    if earliest and latest:
        a, b = date_text(_year_if_whole(earliest, "-01-01")), date_text(_year_if_whole(latest, "-12-31"))
        return f"estimated {a}" if a == b else f"estimated {a} – {b}"
    if earliest:
        return f"estimated {date_text(_year_if_whole(earliest, '-01-01'))} or later"
    if latest:
        return f"estimated {date_text(_year_if_whole(latest, '-12-31'))} or earlier"
    return ""


def _year_if_whole(value: str, edge: str) -> str:
    """"2014-01-01" as the start of a window is the year 2014 (an estimate read from "2014")."""
    return value[:4] if len(value) == 10 and value.endswith(edge) else value


def closed_window(estimate: dict[str, Any] | None) -> tuple[dt.date, dt.date] | None:
    """The first and last day of an estimated window that has both ends."""
    if not estimate or not estimate.get("earliest") or not estimate.get("latest"):
        return None
    first, last = parse_day(estimate["earliest"]), last_day(estimate["latest"])
    return (first, last) if first and last and first <= last else None
