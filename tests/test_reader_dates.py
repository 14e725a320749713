"""Dates the user's records give are read, in the order their column writes them, or reported:
never dropped silently, never guessed."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest

from conftest import cli, cli_json
from storyledger.ingest import readers
from storyledger.ingest.dates import DateColumn, NumericDate, parse_metadata_date
from storyledger.ingest.readers import ReadOptions, read_bytes
from storyledger.model import InputProblem, Origin, RawArticle

TOPICS = ["the ferry timetable", "the bridge budget", "cable repairs", "night crossings", "bus detours",
          "the harbour toll", "school routes", "the river survey", "lorry limits", "the east bank depot",
          "the footbridge plan", "tram tracks", "parking fees", "the flood barrier"]


def article(number: int) -> str:
    topic = TOPICS[number % len(TOPICS)]
    return (f"Councillors in Orsk voted on {topic} at meeting number {number}, the city clerk said, "
            f"after residents asked for a decision before the bridge reopens.")


def date_csv(path: Path, dates: list[str], column: str = "date") -> Path:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["body", column, "headline"])
    for number, value in enumerate(dates, start=1):
        writer.writerow([article(number), value, f"Council vote {number}"])
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def read(path: Path, **options) -> tuple[list[RawArticle], list[InputProblem]]:
    items = list(read_bytes(path.read_bytes(), Origin(str(path)), ReadOptions(**options)))
    return ([i for i in items if isinstance(i, RawArticle)], [i for i in items if isinstance(i, InputProblem)])


MAP = {"text": "body", "published": "date", "title": "headline"}


# -- numeric dates, one value at a time --------------------------------------------------------

def test_a_numeric_date_is_read_only_when_it_tells_day_from_month():
    assert NumericDate.parse("13/4/17").readings(None) == [dt.date(2017, 4, 13)]
    assert NumericDate.parse("4/13/17").readings(None) == [dt.date(2017, 4, 13)]
    assert NumericDate.parse("5/5/17").readings(None) == [dt.date(2017, 5, 5)]
    assert NumericDate.parse("4/5/17").readings(None) == [dt.date(2017, 4, 5), dt.date(2017, 5, 4)]
    assert NumericDate.parse("4/5/17").readings("DMY") == [dt.date(2017, 5, 4)]
    assert NumericDate.parse("05.04.2017 14:30").readings("DMY") == [dt.date(2017, 4, 5)]
    assert NumericDate.parse("4/5/17 1:33 PM").readings("MDY") == [dt.date(2017, 4, 5)]
    assert NumericDate.parse("2017-4-5").readings("DMY") == [dt.date(2017, 4, 5)]  # year first says so
    assert NumericDate.parse("17/04/05").readings("YMD") == [dt.date(2017, 4, 5)]
    assert NumericDate.parse("13/13/17").readings(None) == []
    assert NumericDate.parse("4/5/99").readings("MDY") == [dt.date(1999, 4, 5)]  # two-digit years: past
    assert NumericDate.parse("12/345/6") is None and NumericDate.parse("yesterday") is None


def test_metadata_dates_never_guess_the_day_month_order():
    # dateparser would read 4/5/2017 month first; nothing in the value says so.
    assert parse_metadata_date("4/5/2017") is None
    assert parse_metadata_date("25/12/2016") == dt.date(2016, 12, 25)
    assert parse_metadata_date("2017-04-05T10:00:00Z") == dt.date(2017, 4, 5)
    assert parse_metadata_date("5 April 2017") == dt.date(2017, 4, 5)


def test_a_column_learns_its_order_from_the_values_that_show_it():
    column = DateColumn.infer(["4/5/17", "1/2/17", "23/4/17", "5/5/17"])
    assert column.order == "DMY" and column.read("4/5/17").date == dt.date(2017, 5, 4)
    contradiction = column.read("4/13/17")
    assert contradiction.date is None and "day first" in contradiction.problem
    assert "--date-order" in contradiction.hint
    assert DateColumn.infer(["4/5/17", "12/31/16"]).order == "MDY"
    assert DateColumn.infer(["4/5/17", "1/2/17"]).order is None
    mixed = DateColumn.infer(["13/4/17", "4/13/17"])
    assert mixed.order is None and mixed.conflict == ("13/4/17", "4/13/17")
    assert mixed.read("13/4/17").date == dt.date(2017, 4, 13)  # still clear by itself
    reading = mixed.read("4/5/17")
    assert reading.date is None and "13/4/17" in reading.problem and "4/13/17" in reading.problem


# -- records through the readers -----------------------------------------------------------------

def test_csv_dates_day_first_are_all_read(tmp_path):
    # Only one value (23/4/17) shows that the column writes the day first; it tells for all.
    path = date_csv(tmp_path / "council.csv", ["4/5/17", "1/2/17", "23/4/17", "6/3/17", "5/5/17"])
    articles, problems = read(path, field_map=MAP)
    assert problems == []
    assert [a.meta["published"] for a in articles] == [
        "2017-05-04", "2017-02-01", "2017-04-23", "2017-03-06", "2017-05-05"]
    assert articles[0].meta["published_as_written"] == "4/5/17"


def test_ambiguous_csv_dates_warn_naming_file_row_value_and_option(tmp_path):
    path = date_csv(tmp_path / "council.csv", ["4/5/17", "1/2/17", "6/3/17"])
    articles, problems = read(path, field_map=MAP)
    assert len(articles) == 3 and all("published" not in a.meta for a in articles)  # stored undated
    assert len(problems) == 3 and not any(p.skipped for p in problems)
    first = problems[0].message()
    assert str(path) in first and "row 2" in first and "'4/5/17'" in first and "--date-order" in first
    assert "2017-04-05" in first and "2017-05-04" in first
    articles, problems = read(path, field_map=MAP, date_order="MDY")
    assert problems == [] and [a.meta["published"] for a in articles] == [
        "2017-04-05", "2017-01-02", "2017-06-03"]


def test_a_value_against_the_column_order_after_the_sample_is_a_warning(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "DATE_SAMPLE_RECORDS", 3)
    path = date_csv(tmp_path / "late.csv", ["4/5/17", "13/5/17", "1/6/17", "30/6/17", "6/30/17", "n/a"])
    articles, problems = read(path, field_map=MAP)
    assert [a.meta.get("published") for a in articles] == [
        "2017-05-04", "2017-05-13", "2017-06-01", "2017-06-30", None, None]
    assert [p.origin.record for p in problems] == ["row 6", "row 7"]
    assert "'6/30/17' is not a valid date, read day first" in problems[0].reason
    assert "'n/a' is not a date" in problems[1].reason


def test_jsonl_field_dates_and_iso_dates_are_unchanged(tmp_path):
    path = tmp_path / "feed.jsonl"
    records = [{"text": article(1), "when": "05.04.2017"}, {"text": article(2), "when": "25.12.2016"},
               {"text": article(3), "when": "2017-01-09T08:00:00+01:00"}]
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    articles, problems = read(path, field_map={"published": "when"})
    assert problems == []
    assert [a.meta["published"] for a in articles] == ["2017-04-05", "2016-12-25", "2017-01-09"]


@pytest.mark.parametrize("order", ["DMY", "dmy"])
def test_build_reads_the_dates_and_counts_the_rest_in_the_summary(tmp_path, db, order):
    path = date_csv(tmp_path / "council.csv", ["4/5/17", "1/2/17", "31/12/16", "tomorrow"])
    mapping = "text=body,published=date,title=headline"
    result = cli("build", str(path), "--db", db, "--map", mapping)
    assert f"warning {path}: row 5: no date from the 'date' field: 'tomorrow' is not a date" in result.stderr
    assert "4 documents added" in result.stderr and "1 problem" in result.stderr
    docs = {d["title"]: d for d in cli_json("docs", "--db", db)}
    assert docs["Council vote 1"]["published"] == "2017-05-04"
    assert docs["Council vote 4"]["published"] is None
    shown = cli("show", docs["Council vote 1"]["id"], "--db", db).stdout
    assert "2017-05-04 (from metadata: 4/5/17)" in shown  # the value as the user wrote it
    other = tmp_path / "other.db"
    cli("build", str(path), "--db", str(other), "--map", mapping, "--date-order", order, "-q")
    assert {d["title"]: d["published"] for d in cli_json("docs", "--db", str(other))}["Council vote 2"] == "2017-02-01"


def test_a_rebuild_with_a_date_order_dates_what_the_first_build_could_not(tmp_path, db):
    """The first build warns about day/month order; building the same file again with the order
    given reads it again (the options are part of what an input was read with) and dates it."""
    path = date_csv(tmp_path / "council.csv", ["4/5/17", "1/2/17", "3/7/16"])
    mapping = "text=body,published=date,title=headline"
    first = cli("build", str(path), "--db", db, "--map", mapping, "-q")
    assert "--date-order" in first.stderr
    assert all(d["published"] is None for d in cli_json("docs", "--db", db))
    again = cli("build", str(path), "--db", db, "--map", mapping, "--date-order", "DMY", "-q")
    assert "unchanged input" not in again.stderr
    assert {d["title"]: d["published"] for d in cli_json("docs", "--db", db)} == {
        "Council vote 1": "2017-05-04", "Council vote 2": "2017-02-01", "Council vote 3": "2016-07-03"}
    third = cli("build", str(path), "--db", db, "--map", mapping, "--date-order", "DMY", "-q")
    assert "1 unchanged input(s) skipped" in third.stderr
