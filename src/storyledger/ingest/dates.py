"""Publication dates: from metadata values and from standalone date lines in scraped text."""

from __future__ import annotations

import datetime as dt
import re
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
    """Parse a date a user or a page declared (ISO 8601 first, then common written forms)."""
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
    if not re.search(r"\b(?:19|20)\d{2}\b", text):
        return None  # "yesterday" in a metadata field has no anchor we can trust
    import dateparser  # imported late: it is slow to import and rarely needed here

    parsed = dateparser.parse(
        text,
        languages=["en"],
        settings={"REQUIRE_PARTS": ["day", "month", "year"], "PREFER_DAY_OF_MONTH": "first"},
    )
    return parsed.date() if parsed else None
