"""Publication dates: from metadata values and from standalone date lines in scraped text.

Numeric dates (``4/5/17``) say nothing about which number is the day: :class:`DateColumn` reads
them in the order a whole column shows (or the user gives), and never guesses when nothing tells.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from ..resources import load_json


@dataclass(frozen=True)
class DateLine:
    date: dt.date
    kind: str  # "published" or "updated"


@cache
def _date_line_pattern() -> re.Pattern[str]:
    data = load_json("dates.json")
    month = "|".join(sorted(data["months"], key=len, reverse=True))
    weekday = "|".join(sorted(data["weekdays"], key=len, reverse=True))
    prefix = "|".join(
        re.escape(p) for p in sorted(data["published_prefixes"] + data["updated_prefixes"],
                                     key=len, reverse=True)
    )
    time = r"(?:(?:,|\s+at|\s*[-–|])?\s*\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?" \
           r"(?:\s*\(?[A-Z]{2,5}(?:[+-]\d{1,2}(?::?\d{2})?)?\)?)?)?"
    day = r"(?P<{}>\d{{1,2}})(?:st|nd|rd|th)?"
    year = r"(?P<{}>(?:19|20)\d{{2}})"
    forms = [
        rf"(?P<month>{month})\.?\s+{day.format('day')},?\s+{year.format('year')}",  # January 25, 2024
        rf"{day.format('day2')}\s+(?P<month2>{month})\.?,?\s+{year.format('year2')}",  # 17 November, 2020
        r"(?P<iy>(?:19|20)\d{2})[-/.](?P<im>\d{1,2})[-/.](?P<id>\d{1,2})",  # 2024-01-25
    ]
    body = "|".join(f"(?:{f})" for f in forms)
    pattern = (
        rf"^(?:(?P<prefix>{prefix})\s*:?\s+)?(?:(?:{weekday})\.?,?\s+)?(?:{body}){time}"
        r"\s*(?:[-–|]\s*\d+\s*min(?:ute)?s?\s+read)?\.?$"
    )
    return re.compile(pattern, re.IGNORECASE)


def parse_date_line(line: str) -> DateLine | None:
    """Return the date when ``line`` is a standalone date line, else None."""
    match = _date_line_pattern().match(line.strip())
    if not match:
        return None
    months = load_json("dates.json")["months"]
    groups = match.groupdict()
    try:
        if groups["iy"]:
            date = dt.date(int(groups["iy"]), int(groups["im"]), int(groups["id"]))
        else:
            month = months[(groups["month"] or groups["month2"]).lower()]
            year, day = groups["year"] or groups["year2"], groups["day"] or groups["day2"]
            date = dt.date(int(year), month, int(day))
    except ValueError:
        return None  # "February 30": not a date, so not a date line
    updated = load_json("dates.json")["updated_prefixes"]
    prefix = (groups["prefix"] or "").lower()
    return DateLine(date, "updated" if prefix in updated else "published")


def parse_metadata_date(value: object) -> dt.date | None:
    """Parse a date a user or a page declared (ISO 8601 first, then common written forms).

    A numeric date is read only when it tells day from month by itself (``13/4/17``);
    :class:`DateColumn` reads the others with the order their column shows."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    line = parse_date_line(text)
    if line:
        return line.date
    numeric = NumericDate.parse(text)
    if numeric:
        readings = numeric.readings(None)
        return readings[0] if len(readings) == 1 else None
    if not re.search(r"\b(?:19|20)\d{2}\b", text):
        return None  # "yesterday" in a metadata field has no anchor we can trust
    import dateparser  # imported late: it is slow to import and rarely needed here

    parsed = dateparser.parse(
        text,
        languages=["en"],
        settings={"REQUIRE_PARTS": ["day", "month", "year"], "PREFER_DAY_OF_MONTH": "first"},
    )
    return parsed.date() if parsed else None


_ORDER_WORDS = {"MDY": "month first", "DMY": "day first", "YMD": "year first"}
_TIME = (r"(?:(?:\s+|T|,\s*)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[ap]\.?m\.?)?"
         r"\s*(?:Z|[+-]\d{2}:?\d{2}|\(?[A-Z]{2,5}\)?)?)?")
_NUMERIC_DATE = re.compile(rf"(\d{{1,4}})([-/.])(\d{{1,2}})\2(\d{{1,4}}){_TIME}", re.IGNORECASE)


def _full_year(digits: str) -> int:
    """A year as written; two digits mean the latest year that is not after next year, so in
    2026 ``17`` is 2017 and ``99`` is 1999 (news is dated in the past)."""
    year = int(digits)
    if len(digits) > 2:
        return year
    next_year = dt.date.today().year + 1
    century = next_year - next_year % 100
    return century + year if century + year <= next_year else century - 100 + year


@dataclass(frozen=True)
class NumericDate:
    """A date written as three numbers (``4/5/17``, ``05.04.2017``, ``2017-4-5 10:30``)."""

    first: str
    second: str
    third: str

    @classmethod
    def parse(cls, text: str) -> NumericDate | None:
        match = _NUMERIC_DATE.fullmatch(text.strip())
        if not match:
            return None
        first, _, second, third = match.groups()
        if len(first) == 3 or len(third) == 3 or len(first) == len(third) == 4:
            return None
        return cls(first, second, third)

    def _date(self, order: str) -> dt.date | None:
        year, month, day = {"MDY": (self.third, self.first, self.second),
                            "DMY": (self.third, self.second, self.first),
                            "YMD": (self.first, self.second, self.third)}[order]
        if len(year) not in (2, 4) or len(day) > 2 or len(month) > 2:
            return None
        try:
            return dt.date(_full_year(year), int(month), int(day))
        except ValueError:
            return None

    def readings(self, order: str | None) -> list[dt.date]:
        """The dates this value can be under ``order`` (every plausible order when None):
        one when it is clear, two when day and month could swap, none when it is no date."""
        if len(self.first) == 4:  # 2017-04-05 says which is which by itself
            orders: tuple[str, ...] = ("YMD",)
        elif order == "YMD" and len(self.third) <= 2:
            orders = ("YMD",)
        elif order in ("MDY", "DMY"):
            orders = (order,)
        else:  # a year written first in two digits is read only when the user says YMD
            orders = ("MDY", "DMY")
        found: list[dt.date] = []
        for candidate in orders:
            date = self._date(candidate)
            if date and date not in found:
                found.append(date)
        return found

    def evidence(self) -> str | None:
        """The day/month order this value shows by itself (``13/4/17``: DMY), else None."""
        if len(self.first) == 4:
            return None
        month_first, day_first = self._date("MDY"), self._date("DMY")
        if month_first and not day_first:
            return "MDY"
        if day_first and not month_first:
            return "DMY"
        return None


@dataclass(frozen=True)
class DateReading:
    date: dt.date | None
    problem: str = ""  # why the value gave no date
    hint: str = ""


@dataclass(frozen=True)
class DateColumn:
    """How one column (CSV) or field (JSON) of a file writes its dates.

    The day/month order of numeric dates is the user's (``--date-order``) or the one the
    column's values show: a value such as ``13/4/17`` can only be day first. When the values
    show both orders, or none, no order is assumed and a value that could be read either way
    gives no date, with a warning, rather than a guessed one.
    """

    order: str | None = None
    given: bool = False  # the user set the order
    conflict: tuple[str, str] | None = None  # a day-first and a month-first value the column holds

    @classmethod
    def infer(cls, values: Iterable[str]) -> DateColumn:
        examples: dict[str, str] = {}
        for value in values:
            numeric = NumericDate.parse(value)
            shown = numeric.evidence() if numeric else None
            if shown:
                examples.setdefault(shown, value.strip())
        if len(examples) == 1:
            return cls(next(iter(examples)))
        if len(examples) > 1:
            return cls(None, conflict=(examples["DMY"], examples["MDY"]))
        return cls(None)

    def read(self, value: str) -> DateReading:
        text = value.strip()
        numeric = NumericDate.parse(text)
        if numeric is None:
            date = parse_metadata_date(text)
            if date:
                return DateReading(date)
            return DateReading(None, f"{text!r} is not a date",
                               "write it as YYYY-MM-DD or as a written date such as 5 April 2017, "
                               "or point --map published= at the column that holds dates")
        readings = numeric.readings(self.order)
        if len(readings) == 1:
            return DateReading(readings[0])
        choice = "--date-order DMY or --date-order MDY (YMD for a two-digit year written first)"
        if not readings:
            source = "--date-order says" if self.given else "the column's other dates say"
            where = f", read {_ORDER_WORDS[self.order]} as {source}" if self.order else ""
            return DateReading(None, f"{text!r} is not a valid date{where}",
                               f"correct the value, or set the order with {choice}")
        first, second = readings
        why = "nothing else in the column tells which"
        if self.conflict:
            why = (f"the column has day-first dates (such as {self.conflict[0]!r}) "
                   f"and month-first ones (such as {self.conflict[1]!r})")
        return DateReading(None, f"{text!r} could be {first.isoformat()} (month first) or "
                                 f"{second.isoformat()} (day first): {why}",
                           f"say which with {choice}")
