"""Numbers, dates and names as a reader writes them: CLI listings, chart ticks and labels, search
text, measure names. Developer-written values; the seeds where the brief names them."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from conftest import cli, cli_json
from storyledger.present.charts import CHAR_W, HEIGHT, LINE_H, WIDTH, placement, quantity_chart
from storyledger.present.figures import date_text, format_number, nice_ticks, value_text, window_text
from storyledger.store.filters import match_expression
from storyledger.store.measures import matching_measures, measure_suggestions


def test_values_as_written():
    assert format_number(1723.0) == "1,723" and format_number(37.5) == "37.5" and format_number(0.125) == "0.12"
    assert value_text({"value": 37500.0, "low": 35000.0, "high": 40000.0}) == "35,000–40,000"
    assert value_text({"value": 2000.0, "approx": "about"}) == "about 2,000"
    assert value_text({"value": 500.0, "low": 500.0, "approx": "more than"}) == "more than 500"
    assert value_text({"value": None, "text": "much higher"}) == "much higher"


def test_dates_as_written():
    assert date_text("2020-11-17") == "17 Nov 2020" and date_text("2020-11") == "Nov 2020"
    assert date_text("2020") == "2020" and date_text("XXXX-06") == "Jun (year not given)"
    assert date_text(None) == "" and date_text("PRESENT_REF") == ""
    assert window_text({"earliest": "2014-01-01", "latest": None}) == "estimated 2014 or later"
    assert window_text({"earliest": "2020-01", "latest": "2020-03"}) == "estimated Jan 2020 – Mar 2020"
    assert window_text(None) == ""


@pytest.mark.parametrize(("low", "high", "expected"), [
    (0, 2240, [0, 500, 1000, 1500, 2000, 2500]),
    (0, 1723, [0, 500, 1000, 1500, 2000]),
    (0, 7, [0, 2, 4, 6, 8]),
    (0, 0.9, [0, 0.2, 0.4, 0.6, 0.8, 1.0]),
])
def test_ticks_are_round(low: float, high: float, expected: list[float]):
    assert nice_ticks(low, high) == pytest.approx(expected)


def _label_boxes(svg: str) -> list[tuple[float, float, float, float]]:
    """Each value label's box, from its position, anchor and length (the chart's own measure)."""
    boxes = []
    for m in re.finditer(r'<text class="value" x="([\d.]+)" y="([\d.]+)"( text-anchor="end")?>([^<]*)</text>', svg):
        x, y, end, text = float(m[1]), float(m[2]), m[3], m[4].replace("&amp;", "&")
        w = len(text) * CHAR_W
        x0 = x - w if end else x
        boxes.append((x0, y - LINE_H + 2, x0 + w, y + 3))
    return boxes


def test_chart_labels_never_overlap_and_stay_on_the_chart():
    # twelve values from four sources within a week, several equal: the labels must find room or be left out
    points = [{"doc_id": f"d{i}", "quantity_id": f"q{i}", "text": "x", "value": 1000.0 + (i % 3) * 10,
               "approx": "about" if i % 2 else None, "as_of": f"2024-03-{1 + i % 4:02d}", "source": f"Source {i % 4}"}
              for i in range(12)]
    svg = str(quantity_chart({"measure_key": "ships · Kessin", "points": points}))
    boxes = _label_boxes(svg)
    assert boxes, svg[:500]
    for i, a in enumerate(boxes):
        assert 0 <= a[0] and a[2] <= WIDTH and 0 <= a[1] and a[3] <= HEIGHT
        for b in boxes[i + 1:]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)
    left_out = 12 - len(boxes)
    assert (left_out == 0) == ("left out for space" not in svg)
    assert ' style=' not in svg and 'class="sw c0"' in svg  # colours are classes: the app's CSP allows them
    ticks = [float(t.replace(",", "")) for t in re.findall(r'<text class="tick"[^>]*text-anchor="end">([\d,.]+)<', svg)]
    assert ticks == [0, 250, 500, 750, 1000, 1250]


def test_ranges_bounds_and_estimated_windows_are_drawn_as_such():
    points = [
        {"doc_id": "a", "quantity_id": "q1", "text": "35,000 to 40,000", "value": 37500.0, "low": 35000.0,
         "high": 40000.0, "as_of": "2023-05-02", "source": "A"},
        {"doc_id": "b", "quantity_id": "q1", "text": "more than 30,000", "value": 30000.0, "low": 30000.0,
         "approx": "more than", "as_of": None, "published": None,
         "date_estimate": {"earliest": "2023-06", "latest": "2023-08"}, "source": "B"},
        {"doc_id": "c", "quantity_id": "q1", "text": "some 20,000", "value": 20000.0, "approx": "some", "source": "C"},
    ]
    assert placement(points[1])["estimated"] and placement(points[1])["first"] == dt.date(2023, 6, 1)
    assert placement(points[2]) == {}
    svg = str(quantity_chart({"measure_key": "refugees", "points": points}))
    assert svg.count('class="range') == 3  # the bar and its two caps
    assert 'class="bound' in svg and 'class="window' in svg and "(est.)" in svg
    assert "no date" in svg and "35,000–40,000" in svg


@pytest.mark.parametrize(("typed", "expected"), [
    ("U.S.", '"U S"'), ("Pentagon's", '"Pentagon"'), ("1,723", '"1 723"'), ("withdraw*", '"withdraw"*'),
    ('"troop withdrawal" Syria', '"troop withdrawal" "Syria"'), ('"unbalanced', '"unbalanced"'),
    ("NEAR(troops, 5)", '"NEAR troops" "5"'), ("al-Omar", '"al Omar"'),
])
def test_search_text_is_taken_as_typed(typed: str, expected: str):
    assert match_expression(typed) == expected
    assert match_expression(typed, "fts") == typed


def test_measure_names_ignore_case_and_punctuation():
    keys = ["US troops · Syria", "US troops", "local troops · Syria", "ships · Kessin", "day"]
    assert matching_measures(keys, "us troops syria") == ["US troops · Syria"]
    assert matching_measures(keys, "US-Troops") == ["US troops", "US troops · Syria"]  # the equal one first
    assert matching_measures(keys, "troop") == ["US troops · Syria", "US troops", "local troops · Syria"]
    assert matching_measures(keys, "soldiers") == []
    assert "US troops" in measure_suggestions(keys, "US soldiers") and measure_suggestions(keys, "zzz") == []


# -- the command line on the seeds ---------------------------------------------------------------

def test_quantities_prints_values_as_written(seeds_db: str):
    out = cli("quantities", "--db", seeds_db, "--measure", "us troops syria").output
    assert "1,723" in out and "1723.0" not in out and not re.search(r"\d\.0\b", out)
    assert "about 2,000" in out and "more than 500" in out
    records = cli_json("quantities", "--db", seeds_db, "--measure", "US troops Syria")
    assert records and {r["measure_key"] for r in records} == {"US troops · Syria"}


def test_series_takes_a_measure_as_people_write_it(seeds_db: str):
    out = cli("series", "--db", seeds_db, "--measure", "US troops Syria").output
    assert "US troops · Syria" in out and len(out.splitlines()) >= 5
    unknown = cli("series", "--db", seeds_db, "--measure", "US soldiers", ok=False)
    assert unknown.exit_code == 1 and "no measure matches 'US soldiers'" in unknown.output
    assert "US troops · Syria" in unknown.output  # suggested
    assert cli("quantities", "--db", seeds_db, "--measure", "zebras", ok=False).exit_code == 1
