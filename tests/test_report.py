"""The shareable HTML report: self-contained, story-first, escaped, small however large the ledger."""

from __future__ import annotations

import datetime as dt
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


def test_report_shows_story_threads_chart_sources_documents(seeds_report: str):
    assert seeds_report.count('<article class="doc"') == 6
    assert seeds_report.count('<details class="doc"') == 6  # documents last, folded
    for section in ("story", "threads", "numbers", "sources", "documents"):
        assert f'id="{section}"' in seeds_report
    assert seeds_report.index('id="story"') < seeds_report.index('id="threads"') < seeds_report.index('id="documents"')
    chart = seeds_report.split('data-measure="US troops · Syria"', 1)[1].split("</table>", 1)[0]
    for value in ("900", "1,723", "1,251", "2,000", "600"):
        assert value in chart
    assert "<svg" in chart
    # citation chains from the product brief
    assert "<span>Middle East Monitor</span><span>Foreign Policy</span>" in seeds_report
    assert "estimated 2014 or later" in seeds_report  # 001's window, read from "2014"


def _visible_text(html: str) -> str:
    """The report's text outside tags, "why" folds and document texts (which quote articles)."""
    html = re.sub(r'<details class="why">.*?</details>', " ", html, flags=re.S)
    html = re.sub(r'<div class="doctext">.*?</div>', " ", html, flags=re.S)
    html = re.sub(r"<(style|title)>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_report_says_the_story_in_sentences(seeds_report: str, seeds_db: str):
    """The first section names the main thread, its first report with a date, and who denied it;
    no internal id, rule name or score shows outside "why"."""
    con = sqlite3.connect(seeds_db)
    thread_id, label, first_doc, first_claim, first_date, rule = con.execute(
        "SELECT thread_id, label, first_doc_id, first_claim_id, first_date, rule FROM threads "
        "ORDER BY documents DESC, claims DESC LIMIT 1").fetchone()
    first_source = con.execute("SELECT source FROM thread_claims WHERE thread_id = ? AND doc_id = ? AND claim_id = ?",
                               (thread_id, first_doc, first_claim)).fetchone()[0]
    deniers = {r[0] for r in con.execute("SELECT source FROM thread_claims WHERE thread_id = ? AND stance = 'denies' "
                                         "AND source IS NOT NULL", (thread_id,))}
    ids = {r[0] for r in con.execute("SELECT id FROM documents")}
    rules = {r[0] for r in con.execute("SELECT rule FROM threads UNION SELECT rule FROM contradictions "
                                       "UNION SELECT rule FROM denial_links")}
    con.close()
    story = seeds_report.split('id="story"', 1)[1].split("</section>", 1)[0]
    assert "withdraw" in label.lower() and label in story
    first = story.split("First report", 1)[1].split("</li>", 1)[0]
    assert first_source in first and f"#d-{first_doc}-{first_claim}" in first
    assert first_date[:4] in first  # dated as a reader writes it: "17 Nov 2020"
    denied = story.split("Denied by", 1)[1].split("</li>", 1)[0]
    assert deniers and sum(d in denied for d in deniers) >= min(3, len(deniers))
    visible = _visible_text(seeds_report)
    for doc_id in ids:
        assert doc_id not in visible and doc_id[:8] not in visible
    assert thread_id not in visible
    for rule in rules:
        assert rule not in visible, rule
    assert not re.search(r"\b[cqa]\d{1,3}\b", visible), re.search(r".{40}\b[cqa]\d{1,3}\b.{40}", visible)
    assert "None" not in visible.split()


def test_thread_timeline_is_dated_in_order(seeds_report: str):
    section = seeds_report.split('id="thread-1"', 1)[1].split('<div class="thread"', 1)[0]
    table = section.split('<table class="timeline">', 1)[1].split("</table>", 1)[0]
    dated = [(m.start(), m.group(1)) for m in re.finditer(r'<td class="when">(\d{1,2} \w{3} \d{4})</td>', table)]
    assert len(dated) >= 3
    days = [dt.datetime.strptime(d, "%d %b %Y").date() for _, d in dated]
    assert days == sorted(days)
    undated = [m.start() for m in re.finditer(r'<tr class="group">', table)]
    assert undated and min(undated) > max(at for at, _ in dated)  # undated claims last, under their document
    # denials told as sentences; contradictions one per pair of sources
    assert re.search(r"denied the reports? of", section)
    pairs = section.split('<ul class="pairs">', 1)[1].split("</ul>", 1)[0].split("<li>")[1:]
    named = [tuple(sorted(re.findall(r'<span class="who">([^<]+)</span>', li)[:2])) for li in pairs]
    assert named and len(named) == len(set(named))


def test_a_large_ledger_carries_only_the_documents_it_cites(seeds_db: str, monkeypatch: pytest.MonkeyPatch):
    """Past a few dozen documents the report carries only those its sentences, timelines and
    charts cite (the app has the rest); every link it keeps still lands on its words."""
    from storyledger.present import report

    monkeypatch.setattr(report, "ALL_DOCUMENTS_UP_TO", 2)
    monkeypatch.setattr(report, "CITED_DOCUMENTS", 3)
    with open_ledger(seeds_db, readonly=True) as ledger:
        html = render_report(ledger)
    assert html.count('<details class="doc"') == 3 and "The 3 documents this report cites, of 6" in html
    ids = set(re.findall(r'id="([^"]+)"', html))
    targets = set(re.findall(r'href="#([^"]+)"', html))
    assert targets and targets <= ids, sorted(targets - ids)[:5]
    assert 'class="quote"' in html  # words from a document left out stand without a link


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
    assert "&lt;script&gt;window.__pwned" in re.sub(r"<[^>]+>", "", html)  # as text, whatever marks it
    assert "<script>window" not in html and "<img src=x" not in html and "<b onmouseover" not in html
    assert 'href="javascript:' not in html


def test_highlight_escapes_and_nests():
    html = render_marks('say "<b>" & go', [Mark(0, 3, "a-cue", "x"), Mark(4, 9, "a-content", None, '"t"<')])
    assert str(html) == ('<a class="anchor" id="x"></a><span class="target"><span class="hl a-cue">say</span></span> '
                         '<span class="hl a-content" title="&#34;t&#34;&lt;">&#34;&lt;b&gt;&#34;</span> &amp; go')


def test_an_anchor_is_followed_by_all_of_its_span():
    """A link to evidence marks the whole span: nested and equal spans each get one wrapper right
    after their anchor; a span crossing another keeps its anchor right before its first piece."""
    text = "aaaa bbbb cccc dddd"
    html = str(render_marks(text, [Mark(0, 14, "claim", "c1"), Mark(0, 14, "a-content", "a1"),
                                   Mark(5, 9, "quantity", "q1"), Mark(10, 19, "timex", "t1")]))
    for anchor in ("c1", "a1", "q1"):
        after = html.split(f'id="{anchor}"></a>', 1)[1]
        assert after.startswith('<span class="target">'), (anchor, html)
    assert html.split('id="t1"></a>', 1)[1].startswith('<span class="hl')
    assert re.sub(r"<[^>]+>", "", html) == text


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
    assert 'class="chip denies"' in html


def test_thread_section_only_when_the_table_exists(seeds_report: str, seeds_db: str):
    con = sqlite3.connect(seeds_db)
    has_threads = con.execute("SELECT 1 FROM sqlite_master WHERE name = 'threads'").fetchone() is not None
    con.close()
    assert ('id="threads"' in seeds_report) == has_threads
    if has_threads:
        assert "withdraw" in seeds_report.split('id="threads"', 1)[1].split("</section>", 1)[0].lower()


def test_evidence_quoted_whole_is_not_shown_in_doubled_marks():
    from storyledger.present.report import unquote

    assert unquote('"The port stays open," the harbour master said') == '"The port stays open," the harbour master said'
    assert unquote("“We will not close the terminal”") == "We will not close the terminal"
    assert unquote('"[The board] regrets the delay') == "[The board] regrets the delay"
    # marks that pair with others inside stay, as does a report that only quotes a word
    assert unquote("“Closed” said one sign and “open” the other") == "“Closed” said one sign and “open” the other"
    assert unquote("the report “erroneous,”") == "the report “erroneous,”"
