"""`storyledger search` takes what people type: dots, apostrophes, digit groups and quoted phrases
just work; SQLite's FTS5 syntax is there behind --fts. On a ledger of a hand-written article."""

from __future__ import annotations

import json

import pytest

from conftest import cli

# Written for this test: an invented briefing, with the punctuation people type into a search box.
ARTICLE = """Harbour garrison to stay, officials say

PORT ELLAND, March 3, 2031 — The U.S. garrison at Port Elland will stay through the winter, the
Pentagon's press office said on Monday, a week after a regional newspaper reported its withdrawal.

The office put the garrison at 1,723 soldiers. "Everyone stays, all means all," a spokesperson told
reporters, calling the newspaper's account mistaken.
"""

OTHER = """Ferry timetable changes for the spring

The island ferry will run twice an hour from April, the operator said, and the night crossing
will stop at the new pier.
"""


@pytest.fixture(scope="module")
def search_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("search")
    (folder / "garrison.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "ferry.txt").write_text(OTHER, encoding="utf-8")
    db = str(folder / "ledger.db")
    cli("build", str(folder), "--db", db, "-q")
    return db


def _titles(db: str, *args: str) -> list[str]:
    return [hit["title"] for hit in json.loads(cli("search", "--db", db, "--json", *args).stdout)]


@pytest.mark.parametrize("query", ["U.S.", "Pentagon's", "1,723", '"all means all"', "newspaper's", "u.s. garrison"])
def test_what_people_type_finds_the_article(search_db: str, query: str) -> None:
    assert _titles(search_db, "--", query) == ["Harbour garrison to stay, officials say"]


def test_the_match_is_marked_in_the_snippet(search_db: str) -> None:
    out = cli("search", "--db", search_db, "1,723").stdout
    assert "[1,723]" in out and "Harbour garrison to stay" in out


def test_plain_text_needs_every_word(search_db: str) -> None:
    assert _titles(search_db, "garrison ferry") == []
    assert _titles(search_db, "ferr*") == ["Ferry timetable changes for the spring"]


def test_words_of_fts_syntax_are_plain_words_without_the_option(search_db: str) -> None:
    # "OR" is a word to find here, and a bracket is punctuation: no syntax error, no match.
    result = cli("search", "--db", search_db, "(garrison OR ferry", ok=False)
    assert result.exit_code == 0 and "No documents match." in result.stdout


def test_fts_syntax_behind_the_option(search_db: str) -> None:
    assert sorted(_titles(search_db, "--fts", "garrison OR ferry")) == [
        "Ferry timetable changes for the spring", "Harbour garrison to stay, officials say"]
    assert _titles(search_db, "--fts", "NEAR(garrison winter, 12)") == ["Harbour garrison to stay, officials say"]
    bad = cli("search", "--db", search_db, "--fts", "U.S.", ok=False)
    assert bad.exit_code == 1 and "not valid full-text syntax" in bad.output and "Traceback" not in bad.output


def test_nothing_to_look_for_is_a_clear_message(search_db: str) -> None:
    result = cli("search", "--db", search_db, "--", "?!", ok=False)
    assert result.exit_code == 1 and "no letters or digits" in result.output


def test_a_hit_keeps_its_json_shape(search_db: str) -> None:
    hit = json.loads(cli("search", "--db", search_db, "--json", "pier").stdout)[0]
    assert set(hit) == {"id", "title", "outlet", "published", "snippet"}
    assert hit["title"] == "Ferry timetable changes for the spring" and "[pier]" in hit["snippet"]
