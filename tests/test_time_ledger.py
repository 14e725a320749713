"""Time expressions in the ledger: the seeds' relative expressions, undated documents, the CLI."""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES, cli, cli_json


def _times(seeds_db: str, prefix: str, number: int = 1) -> dict[str, dict]:
    docs = [d for d in cli_json("docs", "--db", seeds_db) if prefix in d["path"]]
    records = cli_json("times", "--db", seeds_db, "--doc", docs[number - 1]["id"])
    return {r["text"]: r for r in records}


@pytest.mark.parametrize(("text", "value"), [
    ("yesterday", "2024-01-24"),   # "a report by Foreign Policy yesterday"
    ("last week", "2024-W03"),     # the week before the one of 25 January 2024
    ("October", "2023-10"),        # "in October", before a January date: the previous year
    ("Today", "2024-01-25"),
])
def test_dated_seed_000_resolves_against_its_publication_date(seeds_db, text, value):
    record = _times(seeds_db, "000_")[text]
    assert record["value"] == value
    assert record["anchor"] == "2024-01-25" and record["resolved"]


@pytest.mark.parametrize(("text", "value"), [
    ("Tuesday", "2020-11-17"),       # published Tuesday 17 November 2020: that same day
    ("the weekend", "2020-W46-WE"),  # "had reported over the weekend": the weekend just gone
    ("this weekend", "2020-W46-WE"),  # "said this weekend", past tense
    ("Saturday", "2020-11-14"),
])
def test_dated_seed_004_resolves_weekdays_and_weekends(seeds_db, text, value):
    assert _times(seeds_db, "004_")[text]["value"] == value


def test_undated_document_keeps_relative_expressions_unresolved(seeds_db):
    times = _times(seeds_db, "002_")
    for text in ("Wednesday", "last week", "December 11", "September"):
        assert times[text]["resolved"] is False and times[text]["anchor"] is None
        assert times[text]["value"] is None or times[text]["value"].startswith("XXXX")
    assert times["60 to 100 days"]["type"] == "DURATION"
    assert times["24 hours"]["value"] == "PT24H" and times["24 hours"]["resolved"]


def test_undated_document_gets_an_estimated_window_not_a_date(seeds_db):
    [doc] = [d for d in cli_json("docs", "--db", seeds_db) if "003_" in d["path"]]
    assert doc["published"] is None and doc["published_source"] == "none"
    assert doc["date_estimate"]["earliest"] == "2014-01-01"
    assert doc["date_estimate"]["latest"] is None
    assert "2014" in doc["date_estimate"]["evidence"][0]
    dated = [d for d in cli_json("docs", "--db", seeds_db) if d["published"]]
    assert all(d["date_estimate"] is None for d in dated)


def test_times_filter_by_type(seeds_db):
    records = cli_json("times", "--db", seeds_db, "--type", "DURATION")
    assert records and {r["type"] for r in records} == {"DURATION"}


def test_eval_timex_cli_on_hand_made_timeml():
    result = cli("eval", "timex", "--tml", str(FIXTURES / "timeml"), "--json")
    scores = json.loads(result.stdout)
    assert {"relaxed_f1", "strict_f1", "type_accuracy", "value_accuracy", "value_f1", "n_gold",
            "n_pred"} <= set(scores)
    assert scores["n_gold"] > 0
    assert abs(scores["value_f1"] - scores["relaxed_f1"] * scores["value_accuracy"]) < 1e-9
