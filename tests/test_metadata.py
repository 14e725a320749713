"""Corrections after ingest (`storyledger set`, `build --metadata`) and every record of a text kept.

The corpus is written here, by hand: a fictional ferry story whose first report has no date.
"""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pytest

from conftest import cli, cli_json, shared_path
from storyledger.records import Filters
from storyledger.store import ledger as ledger_module
from storyledger.store.check import check_ledger
from storyledger.store.ledger import Ledger
from storyledger.store.schema import MIGRATIONS

HALTED = ("The regional ferry authority suspended all crossings yesterday after the storm of 28 February 2024 "
          "damaged the north pier, officials said. About 1,200 passengers were stranded on the island, "
          "according to port director Lena Okafor. \"We will not reopen the pier until engineers have "
          "inspected it,\" Okafor told reporters.")
RESUMED = ("Ferry crossings resumed after engineers cleared the north pier for use. The authority said 14 "
           "sailings were planned for the weekend, more than the 9 it ran last week.")
FIELDS = ("id", "title", "outlet", "published", "text")


def write_csv(path: Path, rows: list[dict[str, str]], fields: tuple[str, ...] = FIELDS) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return path


def ferry_corpus(tmp_path: Path, halted_date: str = "") -> Path:
    return write_csv(tmp_path / "ferry.csv", [
        {"id": "fx-1", "title": "Ferry service halted", "outlet": "Harbour Gazette", "published": halted_date,
         "text": HALTED},
        {"id": "fx-2", "title": "Ferries sail again", "outlet": "Coast Daily", "published": "2024-03-08",
         "text": RESUMED},
    ])


def doc_by_external_id(db: str, external_id: str) -> dict:
    return next(d for d in cli_json("docs", "--db", db) if external_id in d["external_ids"])


def build(*args: str):
    return cli("build", *args, "-q")


def test_set_dates_an_undated_document_and_everything_anchored_on_the_date_follows(tmp_path, db):
    corpus = ferry_corpus(tmp_path)
    build(str(corpus), "--db", db)
    doc = doc_by_external_id(db, "fx-1")
    assert doc["published"] is None and doc["published_source"] == "none"
    assert doc["date_estimate"] is not None  # an undated document gets an estimate, not a date
    yesterday = next(t for t in cli_json("times", "--db", db, "--doc", "fx-1") if t["text"] == "yesterday")
    assert yesterday["resolved"] is False

    result = cli("set", "fx-1", "--published", "2024-03-01", "--db", db)
    assert "published (none) → 2024-03-01" in result.stdout and "extracted again" in result.stdout

    doc = doc_by_external_id(db, "fx-1")
    assert (doc["published"], doc["published_source"]) == ("2024-03-01", "user")
    assert doc["date_estimate"] is None  # a dated document needs no estimate
    yesterday = next(t for t in cli_json("times", "--db", db, "--doc", "fx-1") if t["text"] == "yesterday")
    assert (yesterday["value"], yesterday["anchor"], yesterday["resolved"]) == ("2024-02-29", "2024-03-01", True)
    passengers = [q for q in cli_json("quantities", "--db", db, "--doc", "fx-1") if "passenger" in q["measure_key"]]
    assert passengers and passengers[0]["as_of"] == "2024-03-01"
    with sqlite3.connect(db) as con:  # the relinked series carries the new date
        as_of = con.execute("SELECT as_of FROM series_points WHERE doc_id = ? AND measure_key LIKE '%passenger%'",
                            (doc["id"],)).fetchall()
    assert as_of == [("2024-03-01",)]
    assert check_ledger(db).ok


def test_what_the_user_set_survives_rebuilds_and_wins_over_input_and_sidecar(tmp_path, db):
    corpus = ferry_corpus(tmp_path)
    build(str(corpus), "--db", db)
    cli("set", "fx-1", "--published", "2024-03-01", "--title", "Storm shuts the ferry", "--db", db)
    ferry_corpus(tmp_path, halted_date="2024-03-05")  # the input now dates the record itself
    sidecar = write_csv(tmp_path / "fixes.csv", [{"id": "fx-1", "published": "2024-03-04"}], ("id", "published"))
    build(str(corpus), "--db", db, "--metadata", str(sidecar))
    doc = doc_by_external_id(db, "fx-1")
    assert (doc["published"], doc["published_source"], doc["title"]) == ("2024-03-01", "user",
                                                                          "Storm shuts the ferry")
    shown = cli_json("show", doc["id"], "--db", db)[0]
    kept = {(item["field"], item["source"]): item["value"] for item in shown["metadata_set"]}
    assert kept == {("published", "user"): "2024-03-01", ("title", "user"): "Storm shuts the ferry",
                    ("published", "sidecar"): "2024-03-04"}
    assert shown["records"][0]["published"] == "2024-03-05"  # what the input said is kept too
    hits = cli_json("search", "shuts", "--db", db)  # the full-text index has the corrected title
    assert [h["id"] for h in hits] == [doc["id"]]


def test_reading_the_same_text_again_with_a_date_dates_it(tmp_path, db):
    corpus = ferry_corpus(tmp_path)
    build(str(corpus), "--db", db)
    ferry_corpus(tmp_path, halted_date="2024-03-02")
    result = build(str(corpus), "--db", db)
    assert "1 document(s) with corrected metadata" in result.stderr
    doc = doc_by_external_id(db, "fx-1")
    assert (doc["published"], doc["published_source"]) == ("2024-03-02", "metadata")
    yesterday = next(t for t in cli_json("times", "--db", db, "--doc", "fx-1") if t["text"] == "yesterday")
    assert (yesterday["value"], yesterday["anchor"]) == ("2024-03-01", "2024-03-02")


def test_identical_texts_under_two_record_ids_are_one_document_keeping_both(tmp_path, db):
    corpus = write_csv(tmp_path / "wire.csv", [
        {"id": "wire-17", "title": "Ferry service halted", "outlet": "Harbour Gazette", "published": "",
         "text": HALTED},
        {"id": "wire-52", "title": "Storm strands island passengers", "outlet": "Wire", "published": "2024-03-02",
         "text": HALTED},
        {"id": "wire-60", "title": "Ferries sail again", "outlet": "Coast Daily", "published": "2024-03-08",
         "text": RESUMED},
    ])
    result = build(str(corpus), "--db", db)
    assert "1 record(s) identical to an existing document" in result.stderr
    docs = cli_json("docs", "--db", db)
    assert len(docs) == 2
    halted = next(d for d in docs if d["external_id"] == "wire-17")
    assert halted["external_ids"] == ["wire-17", "wire-52"]
    assert halted["title"] == "Ferry service halted"  # the first record's title
    assert (halted["published"], halted["published_source"]) == ("2024-03-02", "metadata")  # the second dates it
    for ref in ("wire-17", "wire-52"):
        shown = cli_json("show", ref, "--db", db)[0]
        assert shown["id"] == halted["id"]
    second = [r for r in shown["records"] if r["external_id"] == "wire-52"]
    assert second and second[0]["title"] == "Storm strands island passengers" and second[0]["record"] == "row 3"
    assert "also read" in cli("show", "wire-52", "--db", db).stdout
    again = build(str(corpus), "--db", db)  # nothing new: the records are known
    assert "identical" not in again.stderr
    assert check_ledger(db).ok


def test_sidecar_by_record_id_document_id_and_path_with_bad_rows_reported(tmp_path, db):
    corpus = ferry_corpus(tmp_path)
    build(str(corpus), "--db", db)
    resumed = doc_by_external_id(db, "fx-2")
    sidecar = write_csv(tmp_path / "fixes.csv", [
        {"id": "fx-1", "path": "", "published": "1 March 2024", "outlet": "", "author": "Mara Veld", "note": ""},
        {"id": resumed["id"][:10], "path": "", "published": "", "outlet": "Coast Daily Online", "author": "",
         "note": ""},
        {"id": "", "path": "ferry.csv#2", "published": "2024-03-09", "outlet": "", "author": "", "note": "by path"},
        {"id": "fx-99", "path": "", "published": "2024-03-09", "outlet": "", "author": "", "note": ""},
        {"id": "", "path": "ferry.csv", "published": "2024-03-09", "outlet": "", "author": "", "note": ""},
        {"id": "fx-1", "path": "", "published": "soon", "outlet": "", "author": "", "note": ""},
    ], ("id", "path", "published", "outlet", "author", "note"))
    result = build(str(corpus), "--db", db, "--metadata", str(sidecar))
    problems = result.stderr
    assert f"{sidecar}: metadata file: columns note are not used" in problems
    assert f"{sidecar}: row 5: no document or record with id 'fx-99'" in problems
    assert f"{sidecar}: row 6: 'ferry.csv' holds 2 documents; name one as ferry.csv#N" in problems
    assert f"{sidecar}: row 7: published 'soon' is not a date" in problems and "YYYY-MM-DD" in problems
    halted, resumed = doc_by_external_id(db, "fx-1"), doc_by_external_id(db, "fx-2")
    assert (halted["published"], halted["published_source"], halted["byline"]) == ("2024-03-01", "sidecar",
                                                                                   "Mara Veld")
    assert halted["published_evidence"] == f"{sidecar}: row 2"
    assert (resumed["outlet"], resumed["outlet_source"]) == ("Coast Daily Online", "sidecar")
    assert (resumed["published"], resumed["published_source"]) == ("2024-03-09", "sidecar")
    assert "corrected metadata" in result.stderr
    again = build(str(corpus), "--db", db, "--metadata", str(sidecar))
    assert "corrected metadata" not in again.stderr  # the same sidecar again changes nothing
    cli("set", "fx-1", "--published", "2024-02-29", "--db", db)
    build(str(corpus), "--db", db, "--metadata", str(sidecar))
    assert doc_by_external_id(db, "fx-1")["published"] == "2024-02-29"  # the user's value wins
    assert check_ledger(db).ok


@pytest.mark.parametrize("content, expected", [
    (b"", "metadata file: empty file"),
    (b"title,published\nA,2024-01-01\n", "metadata file has no `id` or `path` column"),
])
def test_a_sidecar_that_cannot_be_used_is_reported_and_the_build_goes_on(tmp_path, db, content, expected):
    corpus = ferry_corpus(tmp_path)
    sidecar = tmp_path / "fixes.csv"
    sidecar.write_bytes(content)
    result = build(str(corpus), "--db", db, "--metadata", str(sidecar))
    assert f"{sidecar}: {expected}" in result.stderr
    assert "2 documents added" in result.stderr


def test_set_refuses_what_is_not_a_date_and_an_unknown_document(tmp_path, db):
    build(str(ferry_corpus(tmp_path)), "--db", db)
    bad = cli("set", "fx-1", "--published", "next week", "--db", db, ok=False)
    assert bad.exit_code != 0 and "not a date" in bad.output and "YYYY-MM-DD" in bad.output
    unknown = cli("set", "fx-404", "--title", "x", "--db", db, ok=False)
    assert unknown.exit_code != 0 and "no document 'fx-404'" in unknown.output
    nothing = cli("set", "fx-1", "--db", db, ok=False)
    assert nothing.exit_code != 0 and "--published" in nothing.output


def test_a_schema_4_ledger_is_migrated_without_losing_a_record(tmp_path, db, monkeypatch):
    """Schema 5 rebuilds the documents table (a wider published_source CHECK); every document's
    extraction, removed spans and full-text rows must come through, and foreign keys stay on."""
    from storyledger.extract.document import extract_documents
    from storyledger.ingest.documents import documents_from
    from storyledger.model import Origin, RawArticle

    docs = [d for text in (HALTED, RESUMED) for d in documents_from(RawArticle(text, Origin("ferry.txt")))]
    extractions = {e.doc_id: e for e in extract_documents(docs)}
    monkeypatch.setattr(ledger_module, "MIGRATIONS", MIGRATIONS[:4])
    with Ledger(db) as old:
        old.write_batch([(d, None) for d in docs], [], extractions, "old")
        counts = {t: old.db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                  for t in ("time_expressions", "claims", "quantities", "attributions")}
        assert old.schema_version() == 4
    monkeypatch.setattr(ledger_module, "MIGRATIONS", MIGRATIONS)
    with Ledger(db) as ledger:
        assert ledger.schema_version() == len(MIGRATIONS)
        assert ledger.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        for table, count in counts.items():
            assert ledger.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == count > 0, table
        assert [r[0] for r in ledger.db.execute("SELECT doc_id FROM document_records ORDER BY rowid")] == \
            [d.id for d in docs]
        ledger.set_metadata(docs[0].id, {"published": "2024-03-01"}, "user", "test")
        assert ledger.search(Filters(q="pier"))
    report = check_ledger(db)
    assert report.ok, report.problems


def test_fnc1_bodies_repeated_under_other_ids_keep_every_id(tmp_path, db):
    """FNC-1's bodies file repeats some article bodies under other Body IDs; each such text is one
    document listing every id."""
    bodies = shared_path("data", "fnc1", "train_bodies.csv")
    with bodies.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    by_text: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_text.setdefault(row["articleBody"], []).append(row)
    repeated = [group for group in by_text.values() if len(group) > 1][:3]
    if not repeated:
        pytest.skip("no body repeated word for word in this copy of FNC-1")
    subset = write_csv(tmp_path / "bodies.csv", [r for group in repeated for r in group], ("Body ID", "articleBody"))
    result = build(str(subset), "--db", db, "--map", "id=Body ID,text=articleBody")
    extra = sum(len(group) - 1 for group in repeated)
    assert f"{extra} record(s) identical to an existing document" in result.stderr
    docs = cli_json("docs", "--db", db)
    assert len(docs) == len(repeated)
    for group in repeated:
        ids = [r["Body ID"] for r in group]
        doc = cli_json("show", ids[-1], "--db", db)[0]
        assert doc["external_ids"] == ids
