"""The shareable HTML report: self-contained, complete, escaped, and ready for link tables."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from conftest import cli
from present_fixtures import build_hostile
from storyledger import open_ledger
from storyledger.present.highlight import Mark, render_marks
from storyledger.present.report import render_report


@pytest.fixture(scope="module")
def seeds_report(seeds_db: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("report") / "report.html"
    cli("report", "--db", seeds_db, "-o", str(out))
    return out.read_text(encoding="utf-8")


def test_report_is_self_contained(seeds_report: str):
    assert "Content-Security-Policy" in seeds_report
    assert "<link" not in seeds_report
    assert not re.search(r"<script\b", seeds_report), "the report needs no script"
    assert not re.search(r"""\s(src|href)\s*=\s*["']?(https?:)?//""", seeds_report), "no external resource"


def test_report_shows_documents_timeline_chart_sources(seeds_report: str):
    assert seeds_report.count('<article class="doc"') == 6
    for section in ("overview", "timeline", "undated", "quantities", "sources", "documents"):
        assert f'id="{section}"' in seeds_report
    chart = seeds_report.split('data-measure="US troops · Syria"', 1)[1].split("</table>", 1)[0]
    for value in ("900", "1,723", "1,251", "2,000", "600"):
        assert value in chart
    assert "<svg" in chart
    # citation chains from the product brief
    assert "<span>Middle East Monitor</span><span>Foreign Policy</span>" in seeds_report
    assert "estimated 2014-01-01" in seeds_report or "2014-01-01 –" in seeds_report


def test_every_evidence_link_has_its_anchor(seeds_report: str):
    ids = set(re.findall(r'id="([^"]+)"', seeds_report))
    targets = set(re.findall(r'href="#([^"]+)"', seeds_report))
    assert targets and targets <= ids, sorted(targets - ids)[:5]


def test_removed_boilerplate_is_kept_struck_through(seeds_report: str):
    assert '<del class="removed"' in seeds_report
    assert "Be the first to comment" in seeds_report or "Leave a Reply" in seeds_report


def test_hostile_article_is_text(tmp_path: Path):
    db = build_hostile(tmp_path)
    with open_ledger(db) as ledger:
        html = render_report(ledger)
    assert "&lt;script&gt;window.__pwned" in html
    assert "<script>window" not in html and "<img src=x" not in html and "<b onmouseover" not in html
    assert 'href="javascript:' not in html


def test_highlight_escapes_and_nests():
    html = render_marks('say "<b>" & go', [Mark(0, 3, "a-cue", "x"), Mark(4, 9, "a-content", None, '"t"<')])
    assert str(html) == ('<a class="anchor" id="x"></a><span class="hl a-cue">say</span> '
                         '<span class="hl a-content" title="&#34;t&#34;&lt;">&#34;&lt;b&gt;&#34;</span> &amp; go')


def _insert(con: sqlite3.Connection, table: str, values: dict) -> None:
    """A row with ``values``; the table's other NOT NULL columns get a blank of their type."""
    for _, name, kind, notnull, _, _ in con.execute(f"PRAGMA table_info({table})"):
        if notnull and name not in values:
            values[name] = 0 if kind.upper() in ("INTEGER", "REAL") else ("auto" if name == "origin" else "x")
    con.execute(f"INSERT INTO {table} ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
                list(values.values()))


def test_link_tables_render_escaped(tmp_path: Path):
    """Threads and contradictions render when their tables exist, labels escaped like article text."""
    db = build_hostile(tmp_path)
    con = sqlite3.connect(db)
    if con.execute("SELECT 1 FROM sqlite_master WHERE name = 'thread_claims'").fetchone() is None:
        con.executescript(
            "CREATE TABLE threads (thread_id TEXT PRIMARY KEY, label TEXT);"
            "CREATE TABLE thread_claims (thread_id TEXT, doc_id TEXT, claim_id TEXT, stance TEXT);")
    doc_id, claim_id = con.execute("SELECT doc_id, claim_id FROM claims LIMIT 1").fetchone()
    con.execute("DELETE FROM thread_claims")
    con.execute("DELETE FROM threads")
    _insert(con, "threads", {"thread_id": "t1", "label": "Pipeline <i>reopens</i>"})
    _insert(con, "thread_claims", {"thread_id": "t1", "doc_id": doc_id, "claim_id": claim_id, "stance": "denies"})
    con.commit()
    con.close()
    with open_ledger(db) as ledger:
        html = render_report(ledger)
    assert 'id="threads"' in html and "Pipeline &lt;i&gt;reopens&lt;/i&gt;" in html
    assert 'class="badge denies"' in html


def test_thread_section_only_when_the_table_exists(seeds_report: str, seeds_db: str):
    con = sqlite3.connect(seeds_db)
    has_threads = con.execute("SELECT 1 FROM sqlite_master WHERE name = 'threads'").fetchone() is not None
    con.close()
    assert ('id="threads"' in seeds_report) == has_threads
    if has_threads:
        assert "withdraw" in seeds_report.split('id="threads"', 1)[1].split("</section>", 1)[0].lower()
