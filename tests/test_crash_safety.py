"""Crash safety and concurrency: a build killed at any moment (SIGKILL, mid-batch) and run again
leaves a consistent ledger, and readers never see an error while a build writes."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import ROOT
from storyledger.records import Filters
from storyledger.store.check import check_ledger
from storyledger.store.ledger import Ledger, open_ledger

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

SENTENCES = (
    "Officials said on {day} that {n} troops had left the base near Ridgefield.",
    "The harbour minister, Dana Okafor, told reporters that {m} ships would arrive by March {d}.",
    '"We will not comment on case {i}," a spokesman for the ministry said.',
    "According to the regional council, about {n} families were moved from the valley last week.",
    "The agency denied that the bridge at Lenna had been closed for {d} days.",
    "Prices of bread rose {d}% in the capital, the statistics office reported on {day}.",
    "Residents of district {i} said they had not been warned before the water was cut.",
    "The company expects to hire {m} workers in {year}, its chief executive wrote in a letter.",
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
TEXT_FILES, JSONL_RECORDS = 60, 215  # the JSONL file is written in batches of 200 documents


def article(i: int, rng: random.Random) -> str:
    words = {"i": i, "n": 100 + 7 * i, "m": 3 + i % 40, "d": 1 + i % 28, "day": DAYS[i % 5],
             "year": 2020 + i % 6}
    body = [rng.choice(SENTENCES).format(**words) for _ in range(rng.randrange(3, 6))]
    return f"Report number {i} on the valley crisis\n\n" + "\n\n".join(body) + f"\n\nFile reference {i}-{i * 31}."


def make_corpus(folder: Path) -> int:
    rng = random.Random(11)
    folder.mkdir()
    for i in range(TEXT_FILES):
        (folder / f"a{i:03d}.txt").write_text(article(i, rng), encoding="utf-8")
    with open(folder / "wire.jsonl", "w", encoding="utf-8") as out:
        for i in range(TEXT_FILES, TEXT_FILES + JSONL_RECORDS):
            out.write(json.dumps({"text": article(i, rng), "published": "2024-03-01"}) + "\n")
    return TEXT_FILES + JSONL_RECORDS


def build_command(corpus: Path, db: Path) -> list[str]:
    script = ROOT / ".venv" / "bin" / "storyledger"
    head = [str(script)] if script.exists() else [sys.executable, "-m", "storyledger"]
    return [*head, "build", str(corpus), "--db", str(db), "-q"]


def count(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
        try:
            return con.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        finally:
            con.close()
    except sqlite3.OperationalError:  # no schema yet
        return 0


class Reader(threading.Thread):
    """Queries the ledger in a loop, as the web app would, recording any error."""

    def __init__(self, db: Path) -> None:
        super().__init__(daemon=True)
        self.db, self.errors, self.queries = db, [], 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            if count(self.db) == 0:
                time.sleep(0.05)
                continue
            try:
                with open_ledger(self.db, readonly=True) as ledger:
                    docs = ledger.documents(limit=20)
                    ledger.search(Filters(q="troops"))
                    ledger.claims(Filters(text="bridge"))
                    ledger.quantities(Filters(measure="troops"))
                    if docs:
                        ledger.document(docs[-1].id)
                    self.queries += 1
            except Exception as error:  # any error reaching a reader is a failure
                self.errors.append(repr(error))
            time.sleep(0.02)


def _stat(pid: int | str) -> list[str] | None:
    """State, parent and the rest of a process's /proc stat line (Linux), None once it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def children_of(pid: int) -> set[int]:
    """The processes whose parent is ``pid``."""
    return {int(p.name) for p in Path("/proc").glob("[0-9]*") if (stat := _stat(p.name)) and int(stat[1]) == pid}


def running(pid: int) -> bool:
    """Whether ``pid`` is still running (a zombie has ended, whoever is left to reap it)."""
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from Linux's /proc")
def test_killed_builds_leave_a_consistent_ledger_and_readers_see_no_errors(tmp_path):
    corpus, db = tmp_path / "corpus", tmp_path / "ledger.db"
    expected = make_corpus(corpus)
    reader = Reader(db)
    reader.start()
    rng = random.Random(5)
    kills = 0
    orphans: set[int] = set()  # the worker processes of the builds killed
    try:
        # Kill at several moments: after k documents are stored (k random, including while the
        # JSONL file is mid-batch), and once at a random time early on.
        for target in sorted(rng.sample(range(5, expected - 20), 3)) + [None]:
            process = subprocess.Popen(build_command(corpus, db), stdout=subprocess.DEVNULL,
                                       stderr=subprocess.PIPE)
            deadline = time.monotonic() + 120
            while process.poll() is None and time.monotonic() < deadline:
                if target is not None and count(db) >= target:
                    time.sleep(rng.random() * 0.3)
                    break
                time.sleep(0.02)
            if target is not None and process.poll() is None:
                workers = children_of(process.pid)
                process.send_signal(signal.SIGKILL)
                kills += 1
                orphans.update(workers)
            process.wait(timeout=120)
            if target is None:
                assert process.returncode == 0, process.stderr.read().decode()[-2000:]
            process.stderr.close()
    finally:
        reader.stop.set()
        reader.join(timeout=30)
    assert kills >= 2
    assert reader.errors == [] and reader.queries > 0
    # A killed build's workers end with it, not live on holding a model each.
    assert orphans, "the builds killed had no worker processes to watch"
    deadline = time.monotonic() + 30
    while any(map(running, orphans)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in orphans if running(pid)]

    report = check_ledger(db)
    assert report.ok, report.problems
    con = sqlite3.connect(db)
    assert con.execute("SELECT COUNT(*), COUNT(DISTINCT id) FROM documents").fetchone() == (expected, expected)
    # Every stored document was extracted in the transaction that stored it.
    assert con.execute("SELECT COUNT(*) FROM documents WHERE extracted_version IS NULL").fetchone()[0] == 0
    assert con.execute("SELECT COUNT(DISTINCT doc_id) FROM time_expressions").fetchone()[0] > expected // 2
    assert con.execute("SELECT COUNT(*) FROM inputs").fetchone()[0] == TEXT_FILES + 1
    paths = con.execute("SELECT path, record, COUNT(*) FROM documents GROUP BY path, record "
                        "HAVING COUNT(*) > 1").fetchall()
    assert paths == []
    con.close()


def test_reader_is_not_locked_out_by_a_long_write_transaction(tmp_path):
    db = tmp_path / "ledger.db"
    Ledger(db).close()
    errors: list[str] = []
    reads = 0
    with Ledger(db) as writer:
        writer.db.execute("BEGIN IMMEDIATE")
        writer.db.execute(
            "INSERT INTO inputs (path, sha256, documents, reader_version, read_at) VALUES (?, ?, ?, ?, ?)",
            ("x", "y", 0, "v", "now"))
        deadline = time.monotonic() + 1.5
        while time.monotonic() < deadline:  # the writer holds its transaction open meanwhile
            try:
                with open_ledger(db, readonly=True) as ledger:
                    ledger.count_documents()
                    ledger.search(Filters(q="anything"))
                    reads += 1
            except Exception as error:
                errors.append(repr(error))
        writer.db.execute("COMMIT")
    assert errors == [] and reads > 5
