"""`storyledger check`: a sound ledger passes; each kind of damage is named, with exit status 1."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from conftest import EXAMPLES, EXAMPLES_MAP, EXAMPLES_PROFILE, cli
from storyledger.store.check import check_ledger
from storyledger.store.schema import MIGRATIONS


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("check") / "ledger.db"
    cli("build", str(EXAMPLES), "--db", str(path), "--map", EXAMPLES_MAP, "--profile", EXAMPLES_PROFILE, "-q")
    return path


@pytest.fixture
def ledger(built: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "copy.db"
    con = sqlite3.connect(built)
    con.execute("VACUUM INTO ?", (str(copy),))  # a consistent copy, WAL included
    con.close()
    return copy


def damage(path: Path, *statements: str) -> None:
    con = sqlite3.connect(path)
    for statement in statements:
        con.execute(statement)
    con.commit()
    con.close()


def test_a_sound_ledger_passes(ledger):
    report = check_ledger(ledger)
    assert report.ok, report.problems
    assert report.counts["documents"] == 13 and report.counts["claims"] > 0
    result = cli("check", "--db", str(ledger))
    assert "ledger is consistent" in result.stdout
    record = json.loads(cli("check", "--db", str(ledger), "--json").stdout)
    assert record["ok"] is True and record["problems"] == []


@pytest.mark.parametrize(("statements", "expected"), [
    (["UPDATE time_expressions SET end = end + 100000 WHERE rowid = 1"], "outside the document's text"),
    (["UPDATE quantities SET text = 'not this' WHERE rowid = 1"], "is not the document's text"),
    (["UPDATE attributions SET content_text = 'x' || content_text WHERE rowid = 1"], "is not the document's text"),
    (["UPDATE claims SET start = -1 WHERE rowid = 1"], "outside the document's text"),
    (["UPDATE removed_spans SET start = start + 1 WHERE rowid = 1"], "removed span"),
    (["UPDATE documents SET offset_map = '[[0, 5, 99999999]]' WHERE seq = 1"], "offset_map"),
    (["UPDATE documents SET offset_map = 'nonsense' WHERE seq = 1"], "offset_map is not JSON"),
    (["PRAGMA foreign_keys=OFF", "UPDATE documents SET duplicate_of = 'ffffffffffffffff' WHERE seq = 2"],
     "duplicate_of ffffffffffffffff"),
    (["PRAGMA foreign_keys=OFF", "INSERT INTO claims SELECT 'ghost', claim_id, start, end, proposition, polarity, "
      "modality, hedged, attribution_id, source, as_of, as_of_source, rule, data FROM claims LIMIT 1"],
     "no such document"),
    (["DROP TRIGGER documents_fts_insert", "INSERT INTO documents (id, title, published_source, path, original, "
      "text, offset_map, added_at) VALUES ('abc', 't', 'none', 'p', 'x', 'x', '[[0,0,1]]', 'now')"],
     "full-text index holds"),
    ([f"INSERT INTO schema_migrations VALUES ({len(MIGRATIONS) + 1}, 'future')"], "newer than this storyledger"),
])
def test_each_kind_of_damage_is_reported(ledger, statements, expected):
    damage(ledger, *statements)
    report = check_ledger(ledger)
    assert not report.ok
    assert any(expected in p for p in report.problems), report.problems
    result = cli("check", "--db", str(ledger), ok=False)
    assert result.exit_code == 1 and expected in result.stdout and "Traceback" not in result.output


def test_not_a_ledger_and_missing_file(tmp_path):
    assert "no ledger file" in check_ledger(tmp_path / "none.db").problems[0]
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all " * 200)
    assert "not a readable SQLite database" in check_ledger(junk).problems[0]
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    assert "not a storyledger ledger" in check_ledger(empty).problems[0]


def test_a_corrupted_page_fails_the_integrity_check(ledger, tmp_path):
    broken = tmp_path / "broken.db"
    shutil.copy(ledger, broken)
    data = bytearray(broken.read_bytes())
    page = 4096
    for offset in range(page * 3, min(len(data), page * 6)):  # scribble over a few pages
        data[offset] = 0x5A
    broken.write_bytes(bytes(data))
    report = check_ledger(broken)
    assert not report.ok
    assert cli("check", "--db", str(broken), ok=False).exit_code == 1
