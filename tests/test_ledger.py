"""The ledger: idempotent and incremental builds, near-duplicates, full-text search, the CLI."""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from conftest import EXAMPLES, EXAMPLES_MAP, EXAMPLES_PROFILE, FIXTURES, ROOT, cli, cli_json
from storyledger.errors import LedgerError
from storyledger.store.ledger import Ledger, open_ledger
from storyledger.store.schema import MIGRATIONS

ARTICLES = FIXTURES / "articles"
DOC_KEYS = {"id", "title", "outlet", "published", "published_source", "path", "text", "removed",
            "duplicate_of"}


def test_rebuilding_the_same_input_adds_nothing(db):
    cli("build", str(EXAMPLES), "--db", db, "--map", EXAMPLES_MAP, "--profile", EXAMPLES_PROFILE, "-q")
    first = cli_json("docs", "--db", db)
    assert len(first) == 13
    result = cli("build", str(EXAMPLES), "--db", db, "--map", EXAMPLES_MAP, "--profile", EXAMPLES_PROFILE)
    assert "0 documents added" in result.stderr
    assert cli_json("docs", "--db", db) == first


def test_same_text_under_another_name_is_not_stored_twice(tmp_path, db):
    copy = tmp_path / "copy.txt"
    shutil.copy(ARTICLES / "scrape.txt", copy)
    cli("build", str(ARTICLES / "scrape.txt"), "--db", db, "-q")
    result = cli("build", str(copy), "--db", db)
    assert "0 documents added" in result.stderr and "1 already in the ledger" in result.stderr


def test_grown_corpus_adds_only_new_documents(tmp_path, db):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(ARTICLES / "scrape.txt", corpus)
    cli("build", str(corpus), "--db", db, "-q")
    shutil.copy(ARTICLES / "bridge.html", corpus)
    result = cli("build", str(corpus), "--db", db)
    assert "1 documents added" in result.stderr or "1 document added" in result.stderr
    assert "1 unchanged input(s) skipped" in result.stderr
    assert len(cli_json("docs", "--db", db)) == 2


def test_near_duplicate_points_at_its_canonical_copy(tmp_path, db):
    original = (ARTICLES / "scrape.txt").read_text()
    syndicated = original.replace("The Orsk Courier | Since 1921", "Orsk Radio News") \
        .replace("By Mirela Tosk", "By Agency Staff").replace("0 1,204", "0 77") \
        .replace("told reporters at the site", "told reporters at the bridge")
    (tmp_path / "syndicated.txt").write_text(syndicated)
    cli("build", str(ARTICLES / "scrape.txt"), str(tmp_path / "syndicated.txt"), "--db", db, "-q")
    first, second = cli_json("docs", "--db", db)
    assert first["duplicate_of"] is None
    assert second["duplicate_of"] == first["id"]
    assert second["id"] != first["id"]
    # A different story about the same bridge is not a duplicate.
    cli("build", str(ARTICLES / "bridge.html"), "--db", db, "-q")
    assert cli_json("docs", "--db", db)[-1]["duplicate_of"] is None


def test_near_duplicates_found_across_builds(tmp_path, db):
    cli("build", str(ARTICLES / "scrape.txt"), "--db", db, "-q")
    copy = (ARTICLES / "scrape.txt").read_text().replace("0 1,204", "0 1,999")
    copy += "\nAdditional reporting by agencies.\n"
    (tmp_path / "later.txt").write_text(copy)
    cli("build", str(tmp_path / "later.txt"), "--db", db, "-q")
    first, second = cli_json("docs", "--db", db)
    assert second["duplicate_of"] == first["id"]


def test_full_text_search_finds_a_phrase_in_the_body(db):
    cli("build", str(EXAMPLES), "--db", db, "--map", EXAMPLES_MAP, "--profile", EXAMPLES_PROFILE, "-q")
    hits = cli_json("search", '"count the empty lockers"', "--db", db)
    assert [h["title"] for h in hits] == ["Dockworkers give government 48 hours as Kessin layoffs mount"]
    assert "[" in hits[0]["snippet"]
    assert cli_json("search", "zeppelin", "--db", db) == []


def test_bad_search_syntax_is_a_clear_message(db):
    cli("build", str(ARTICLES / "scrape.txt"), "--db", db, "-q")
    result = cli("search", "--fts", "bridge AND", "--db", db, ok=False)
    assert result.exit_code == 1
    assert "not valid full-text syntax" in result.output and "double quotes" in result.output
    assert "Traceback" not in result.output


def test_docs_json_records(db):
    cli("build", str(ARTICLES / "scrape.txt"), "--db", db, "-q")
    [record] = cli_json("docs", "--db", db)
    assert DOC_KEYS <= set(record)
    assert {"start", "end", "reason", "rule", "text"} <= set(record["removed"][0])


def test_show_prints_text_and_removals(db):
    cli("build", str(ARTICLES / "scrape.txt"), "--db", db, "-q")
    [record] = cli_json("docs", "--db", db)
    out = cli("show", record["id"][:6], "--db", db).stdout
    assert "Lenna bridge closed" in out and "Removed (" in out and "comment prompt" in out
    assert cli("show", f"{ARTICLES / 'scrape.txt'}#1", "--db", db).stdout == out
    missing = cli("show", "ffffffff", "--db", db, ok=False)
    assert missing.exit_code == 1 and "storyledger docs" in missing.output


def test_reading_a_missing_ledger_is_a_clear_error(tmp_path):
    result = cli("docs", "--db", str(tmp_path / "none.db"), ok=False)
    assert result.exit_code == 1 and "storyledger build" in result.output


def test_migrations_are_recorded_and_a_newer_ledger_is_refused(db):
    with Ledger(db) as ledger:
        assert ledger.schema_version() == len(MIGRATIONS)
        ledger.db.execute("INSERT INTO schema_migrations VALUES (?, 'future')", (len(MIGRATIONS) + 1,))
        ledger.db.commit()
    with pytest.raises(LedgerError, match="newer"):
        open_ledger(db)


def test_not_a_database_is_refused(tmp_path):
    bogus = tmp_path / "notes.db"
    bogus.write_text("these are my notes, not a database " * 100)
    with pytest.raises(LedgerError, match="not an SQLite database"):
        Ledger(bogus)


def test_parameterised_sql_only():
    """No SQL statement is built from values with % or .format: values are bound."""
    for path in (ROOT / "src" / "storyledger").rglob("*.py"):
        for line in path.read_text().splitlines():
            if re.search(r"execute(many)?\(", line):
                assert ".format(" not in line and "% (" not in line, f"{path}: {line}"


def test_every_command_has_help_and_is_in_the_readme():
    from storyledger.cli import main

    readme = (ROOT / "README.md").read_text()
    for name, command in main.commands.items():
        assert command.help, name
        assert f"storyledger {name}" in readme, f"`storyledger {name}` is not documented in README.md"


def test_ledger_file_is_sqlite_with_fts5(db):
    cli("build", str(ARTICLES / "scrape.txt"), "--db", db, "-q")
    con = sqlite3.connect(db)
    query = "SELECT COUNT(*) FROM documents_fts WHERE documents_fts MATCH 'corrosion'"
    assert con.execute(query).fetchone()[0] == 1
    con.close()
    assert Path(db).exists()
