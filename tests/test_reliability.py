"""Limits, pathological documents and security: bounded time, clear messages, nothing executed."""

from __future__ import annotations

import ast
import re
import sqlite3
import time
from pathlib import Path

import pytest

from conftest import ROOT, cli, cli_json
from storyledger.errors import QueryError
from storyledger.extract.nlp import load_nlp
from storyledger.records import Filters
from storyledger.store.check import check_ledger
from storyledger.store.ledger import open_ledger

BOUND = 60  # seconds: generous, the point is "finishes", not "is fast"
ARTICLE = ("Lenna bridge closed after inspection\n\n"
           "The regional council said on Tuesday that 1,200 residents would be moved from the valley "
           "after engineers found corrosion in the main span of the bridge at Lenna, officials said.\n\n"
           '"We will not take any risk with people\'s lives," the council\'s chair, Dana Okafor, told reporters.\n')


def timed_build(db: str, path: Path, *args: str, ok: bool = True):
    started = time.monotonic()
    result = cli("build", str(path), "--db", db, "-q", *args, ok=ok)
    took = time.monotonic() - started
    assert took < BOUND, f"{path.name} took {took:.0f} s"
    return result


# -- pathological documents -----------------------------------------------------------------------


def test_five_megabyte_single_line_is_stored_not_extracted(tmp_path, db):
    path = tmp_path / "line.txt"
    path.write_text("word " * 1_000_000)
    result = timed_build(db, path)
    assert "too long to extract claims from" in result.stderr and "--max-doc-chars" in result.stderr
    assert cli_json("docs", "--db", db)[0]["text"].startswith("word word")
    assert check_ledger(db).ok


def test_file_over_the_size_limit_is_skipped_with_a_clear_message(tmp_path, db):
    path = tmp_path / "line.txt"
    path.write_text("word " * 300_000)
    result = timed_build(db, path, "--max-file-mb", "1", "--strict", ok=False)
    assert result.exit_code == 1
    assert "line.txt" in result.stderr and "over the size limit of 1 MB" in result.stderr
    assert "--max-file-mb" in result.stderr and "Traceback" not in result.output


def test_hundred_thousand_quotation_marks(tmp_path, db):
    started = time.monotonic()
    doc = load_nlp().make_doc('"' * 100_000)  # spaCy alone is quadratic here: ~30 minutes
    assert len(doc) == 100_000 and time.monotonic() - started < 10
    path = tmp_path / "quotes.txt"
    path.write_text('"' * 100_000 + "\n\n" + ARTICLE)
    timed_build(db, path, "--max-doc-chars", "50000")
    assert len(cli_json("docs", "--db", db)) == 1
    # extracted, in linear time (another day's words: the same words as the stored article would
    # make it the same document, punctuation aside)
    smaller = tmp_path / "some-quotes.txt"
    smaller.write_text(ARTICLE.replace("Tuesday", "Wednesday") + "\n\n" + '"' * 10_000 + "\n\n" + '" ' * 2_000)
    timed_build(db, smaller)
    assert cli_json("attributions", "--db", db) and check_ledger(db).ok


def test_fifty_thousand_nested_divs(tmp_path, db):
    path = tmp_path / "nested.html"
    body = "<p>" + ARTICLE.replace("\n\n", "</p><p>") + "</p>"
    path.write_text("<html><body>" + "<div>" * 50_000 + body + "</div>" * 50_000 + "</body></html>")
    result = timed_build(db, path)
    documents = cli_json("docs", "--db", db)
    assert documents or "nested.html" in result.stderr  # read, or skipped with a message
    assert "Traceback" not in result.output


def test_million_digit_line_is_stored_and_even_extracted_in_bounded_time(tmp_path, db):
    path = tmp_path / "digits.txt"
    path.write_text("1" * 1_000_000)
    timed_build(db, path)  # over --max-doc-chars: stored only
    other = tmp_path / "more-digits.txt"
    other.write_text("7" * 1_000_000 + "\n\n" + ARTICLE)
    timed_build(db, other, "--max-doc-chars", "2000000")
    assert len(cli_json("docs", "--db", db)) == 2 and check_ledger(db).ok


def test_text_that_made_quantities_quadratic(tmp_path, db):
    # "$1 $1 …" and "1 to 1 to …" parse as one endless sentence; before the fix each quantity
    # walked the whole sentence and the whole text before it.
    path = tmp_path / "dollars.txt"
    path.write_text("$1 " * 8_000 + "\n\n" + "1 to " * 4_000 + "\n\n" + ARTICLE)
    timed_build(db, path)
    assert len(cli_json("quantities", "--db", db)) > 1000


# -- search syntax ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def article_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("search")
    (folder / "a.txt").write_text(ARTICLE)
    db = str(folder / "ledger.db")
    cli("build", str(folder / "a.txt"), "--db", db, "-q")
    return db


@pytest.mark.parametrize("query", ['"unbalanced', '"', "(bridge OR", "bridge)", "NEAR(bridge", "nosuch:bridge",
                                   "bridge AND", "*", "-bridge", "'; DROP TABLE documents; --", "\x00"])
def test_bad_search_syntax_is_a_clear_message(article_db, query):
    with open_ledger(article_db) as ledger, pytest.raises(QueryError, match="not valid full-text syntax"):
        ledger.search(Filters(q=query, syntax="fts"))
    result = cli("search", "--db", article_db, "--fts", "--", query, ok=False)
    assert result.exit_code == 1 and "double quotes" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("query", ["", "   "])
def test_empty_search_is_a_clear_message(article_db, query):
    with open_ledger(article_db) as ledger, pytest.raises(QueryError, match="empty search query"):
        ledger.search(Filters(q=query))
    assert cli("search", "--db", article_db, "--", query, ok=False).exit_code == 1


@pytest.mark.parametrize("query", ['"main span"', "NEAR(bridge corrosion, 10)", "title:bridge",
                                   "{title text}:lenna", "corros*", "bridge NOT nothing", "^lenna"])
def test_valid_search_syntax_works(article_db, query):
    with open_ledger(article_db) as ledger:
        assert len(ledger.search(Filters(q=query, syntax="fts"))) == 1


# -- security --------------------------------------------------------------------------------------


# (A NUL is left out: SQLite ends a LIKE pattern at it, so "\x00" filters nothing; still bound.)
HOSTILE_VALUES = ["'; DROP TABLE documents; --", '" OR 1=1 --', "%", "_", "\\", "') OR ('1'='1", "ﬁ"]


def test_hostile_filter_values_are_bound_not_executed(article_db):
    with open_ledger(article_db) as ledger:
        before = ledger.count_documents()
        for value in HOSTILE_VALUES:
            assert ledger.documents(Filters(outlet=value)) == []
            assert ledger.claims(Filters(source=value, text=value, polarity=value)) == []
            assert ledger.quantities(Filters(measure=value)) == []
            assert ledger.attributions(Filters(source=value, text=value, outlet=value, kind=value)) == []
            assert ledger.time_expressions(Filters(doc_id=value, kind=(value,))) == []
        assert ledger.count_documents() == before
    for value in HOSTILE_VALUES[:3]:
        assert cli("claims", "--db", article_db, "--text", value, "--json").stdout.strip() == "[]"
        cli("show", value, "--db", article_db, ok=False)
    assert check_ledger(article_db).ok


def test_article_text_is_stored_verbatim_never_run(tmp_path, db):
    marker = tmp_path / "executed"
    payload = (f"Robert'); DROP TABLE documents; -- said the minister on Tuesday.\n\n"
               f"{{{{ config }}}} {{% import os %}} __import__('os').system('touch {marker}') "
               f"$(touch {marker}) `touch {marker}` <script>alert(1)</script> said officials in a statement.\n")
    path = tmp_path / "bobby.txt"
    path.write_text(payload)
    cli("build", str(path), "--db", db, "-q")
    [doc] = cli_json("docs", "--db", db)
    assert "DROP TABLE documents" in doc["text"] and "__import__('os')" in doc["text"]
    assert not marker.exists()
    con = sqlite3.connect(db)
    assert con.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 1
    con.close()


def test_nothing_in_the_package_evaluates_strings():
    pattern = re.compile(r"\b(eval|exec)\(|pickle\.loads?\(|shell=True|os\.system\(|yaml\.load\(")
    for path in (ROOT / "src" / "storyledger").rglob("*.py"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            assert not pattern.search(line), f"{path}:{number}: {line.strip()}"


_SQL = re.compile(r"\b(SELECT|INSERT INTO|UPDATE|DELETE FROM|WHERE|ORDER BY|VALUES|MATCH)\b")
# What the ledger's own SQL may interpolate: table and column names and placeholder lists built
# from code constants, never a value.
_SQL_NAMES = {"DOCUMENT_COLUMNS", "_READ_COLUMNS", "chunk", "sql", "order", "table", "_LIKE", "types",
              "start_col", "end_col", "text_sql", "data_sql", "len", "join", "columns", "column", "source_column",
              "where_sql", "where", "alias"}


@pytest.mark.parametrize("module", ["store/ledger.py", "store/reading.py", "store/filters.py", "store/check.py"])
def test_no_value_is_formatted_into_sql(module):
    """Values are always bound with ?; an f-string in SQL only names tables and columns."""
    tree = ast.parse((ROOT / "src" / "storyledger" / module).read_text())
    for node in ast.walk(tree):
        if not isinstance(node, ast.JoinedStr):
            continue
        literal = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
        if not _SQL.search(literal) or literal.rstrip().endswith(("'rebuild')", "VALUES('rebuild')")):
            continue
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                names = {n.id for n in ast.walk(value.value) if isinstance(n, ast.Name)}
                names |= {n.attr for n in ast.walk(value.value) if isinstance(n, ast.Attribute)}
                assert names <= _SQL_NAMES, f"{module}:{node.lineno}: {ast.unparse(value.value)} in SQL"
