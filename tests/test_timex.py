"""The temporal-expression tagger on hand-written sentences."""

from __future__ import annotations

import datetime as dt

import pytest

from storyledger.extract.timex import TimeExpression, tag_time_expressions

FRIDAY = dt.date(2024, 1, 26)  # a Friday in ISO week 2024-W04


def one(text: str, anchor, needle: str) -> TimeExpression:
    """The single expression found whose text contains ``needle``."""
    found = [t for t in tag_time_expressions(text, anchor) if needle in t.text]
    assert len(found) == 1, (needle, tag_time_expressions(text, anchor))
    t = found[0]
    assert text[t.start:t.end] == t.text
    return t


@pytest.mark.parametrize(
    ("text", "needle", "span", "type_", "value"),
    [
        ("Officials said yesterday that the bridge was closed.", "yesterday", "yesterday",
         "DATE", "2024-01-25"),
        ("The mayor spoke to reporters on Wednesday.", "Wednesday", "Wednesday", "DATE",
         "2024-01-24"),
        ("The council will vote on Wednesday.", "Wednesday", "Wednesday", "DATE", "2024-01-31"),
        ("Two lorries collided on the ring road last week.", "week", "last week", "DATE",
         "2024-W03"),
        ("The plant closed its doors on December 11 after a fire.", "December", "December 11",
         "DATE", "2023-12-11"),
        ("The museum will reopen in September.", "September", "September", "DATE", "2024-09"),
        ("The museum shut in September after the flood.", "September", "September", "DATE",
         "2023-09"),
        ("Prices rose sharply earlier this year, the bakers said.", "year",
         "earlier this year", "DATE", "2024"),
        ("The river has risen for the past three days.", "days", "the past three days",
         "DURATION", "P3D"),
        ("Talks are expected to resume in mid-March.", "March", "mid-March", "DATE", "2024-03"),
        ("The treaty was signed on 17 November, 2020 in Oslo.", "November",
         "17 November, 2020", "DATE", "2020-11-17"),
        ("She earned her licence in 2015, a year after the merger.", "2015", "2015", "DATE",
         "2015"),
        ("She earned her licence in 2015, a year after the merger.", "year", "a year",
         "DURATION", "P1Y"),
        ("The checks happen every week.", "week", "every week", "SET", "P1W"),
        ("The choir is now rehearsing in the barn.", "now", "now", "DATE", "PRESENT_REF"),
        ("Sales in the third quarter were flat.", "quarter", "the third quarter", "DATE",
         "2023-Q4".replace("Q4", "Q3")),
        ("Sales climbed in the 1990s.", "1990s", "the 1990s", "DATE", "199"),
        ("The harvest was poor last summer.", "summer", "last summer", "DATE", "2023-SU"),
        ("The shop opens at 9 a.m. tomorrow.", "9", "9 a.m. tomorrow", "TIME",
         "2024-01-27T09:00"),
        ("The firm was founded two decades ago.", "ago", "two decades ago", "DATE", "200"),
        ("He was jailed for 2 1/2 years.", "years", "2 1/2 years", "DURATION", "P2Y6M"),
    ],
)
def test_anchored_expressions(text, needle, span, type_, value):
    t = one(text, FRIDAY, needle)
    assert (t.text, t.type, t.value) == (span, type_, value)
    assert t.resolved is True
    assert t.rule  # the grammar rule is recorded


def test_ranges_are_durations():
    t = one("Recovery could take 60 to 100 days, doctors said.", FRIDAY, "days")
    assert t.text == "60 to 100 days"
    assert t.type == "DURATION"
    assert t.value is not None and t.value.startswith("P") and t.value.endswith("D")


def test_relative_values_use_the_anchor_and_record_it():
    t = one("Officials said yesterday that the bridge was closed.", FRIDAY, "yesterday")
    assert t.anchor == "2024-01-26"
    absolute = one("The treaty was signed on 17 November, 2020 in Oslo.", FRIDAY, "November")
    assert absolute.anchor is None


def test_ages_and_plain_numbers_are_not_timexes():
    found = tag_time_expressions(
        "A 20-year-old man and a woman, 34 years old, carried 2000 bricks.", FRIDAY)
    assert found == []


def test_modal_may_is_not_a_month():
    assert tag_time_expressions("Ministers may decide to wait.", FRIDAY) == []
    t = one("The bridge reopened in May.", FRIDAY, "May")
    assert t.value == "2023-05"


@pytest.mark.parametrize(
    ("text", "needle", "value"),
    [
        ("Officials said yesterday that the bridge was closed.", "yesterday", None),
        ("The mayor spoke to reporters on Wednesday.", "Wednesday", "XXXX-WXX-3"),
        ("Two lorries collided on the ring road last week.", "week", "XXXX-WXX"),
        ("The plant closed its doors on December 11 after a fire.", "December", "XXXX-12-11"),
        ("The museum will reopen in September.", "September", "XXXX-09"),
        ("Prices rose sharply earlier this year, the bakers said.", "year", "XXXX"),
    ],
)
def test_undated_relative_expressions_stay_unresolved(text, needle, value):
    t = one(text, None, needle)
    assert t.resolved is False
    assert t.anchor is None
    assert t.value == value
    today = dt.date.today()
    assert str(today.year) not in (t.value or "")  # never resolved against today's date


@pytest.mark.parametrize(
    ("text", "needle", "type_", "value"),
    [
        ("The treaty was signed on 17 November, 2020 in Oslo.", "November", "DATE", "2020-11-17"),
        ("She earned her licence in 2015.", "2015", "DATE", "2015"),
        ("The river has risen for the past three days.", "days", "DURATION", "P3D"),
        ("The strike began on Aug. 7, 1998 at dawn.", "Aug", "DATE", "1998-08-07"),
        ("Deliveries arrive daily.", "daily", "SET", "P1D"),
    ],
)
def test_undated_absolute_expressions_resolve(text, needle, type_, value):
    t = one(text, None, needle)
    assert (t.type, t.value, t.resolved) == (type_, value, True)


def test_to_dict_and_datetime_anchor():
    found = tag_time_expressions("It rained on Monday.", dt.datetime(2024, 1, 26, 15, 30))
    assert [t.value for t in found] == ["2024-01-22"]
    d = found[0].to_dict()
    assert set(d) == {"start", "end", "text", "type", "value", "anchor", "resolved", "rule"}
    assert d["rule"] == "weekday"


def test_empty_text():
    assert tag_time_expressions("", FRIDAY) == []


def test_spacy_doc_is_reused():
    from storyledger.extract.nlp import load_nlp

    text = "The council will vote on Wednesday. The mayor spoke on Monday."
    doc = load_nlp()(text)
    with_doc = tag_time_expressions(text, FRIDAY, doc=doc)
    assert [(t.text, t.value) for t in with_doc] == [
        ("Wednesday", "2024-01-31"), ("Monday", "2024-01-22")]
