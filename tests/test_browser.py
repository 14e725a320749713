"""Real browser checks: Debian's Chromium, headless, driven by Playwright (never a downloaded one).

The report opens with no network request; the app searches, filters and paginates; hostile
article text stays text in both. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re
import socket
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from conftest import cli
from present_fixtures import artifacts, build_hostile, copy_ledger

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LOCAL = ("file:", "data:", "about:")

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="/usr/bin/chromium is absent (apt-get install chromium; see scripts/setup.sh)")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory) -> str:
    return build_hostile(tmp_path_factory.mktemp("hostile"))


def _page(browser, requests: list[str], dialogs: list[str], width: int = 1280, errors: list[str] | None = None):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.on("request", lambda r: requests.append(r.url))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    if errors is not None:
        page.on("console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    return page


def _seeds_facts(db: str) -> dict:
    """What the seeds ledger says of its main thread, and every internal name that must not show."""
    con = sqlite3.connect(db)
    thread_id, label, first_doc, first_claim = con.execute(
        "SELECT thread_id, label, first_doc_id, first_claim_id FROM threads ORDER BY documents DESC, claims DESC "
        "LIMIT 1").fetchone()
    first = con.execute("SELECT source FROM thread_claims WHERE thread_id = ? AND doc_id = ? AND claim_id = ?",
                        (thread_id, first_doc, first_claim)).fetchone()[0]
    deniers = sorted({r[0] for r in con.execute(
        "SELECT source FROM thread_claims WHERE thread_id = ? AND stance = 'denies' AND source IS NOT NULL",
        (thread_id,))})
    internal = {r[0] for r in con.execute("SELECT id FROM documents UNION SELECT thread_id FROM threads "
                                          "UNION SELECT rule FROM threads UNION SELECT rule FROM contradictions "
                                          "UNION SELECT rule FROM denial_links UNION SELECT rule FROM thread_claims")}
    con.close()
    return {"label": label, "first": first, "deniers": deniers, "internal": internal}


def test_report_opens_offline_and_tells_the_story_first(browser, seeds_db: str, tmp_path: Path):
    out = tmp_path / "report.html"
    cli("report", "--db", seeds_db, "-o", str(out))
    facts = _seeds_facts(seeds_db)
    requests: list[str] = []
    dialogs: list[str] = []
    errors: list[str] = []
    page = _page(browser, requests, dialogs, width=1400, errors=errors)
    page.goto(out.as_uri())
    page.wait_for_load_state("load")
    assert requests and all(url.startswith(LOCAL) for url in requests), requests
    shots = artifacts()
    page.screenshot(path=str(shots / "report-first-screen.png"))
    # the first screen: the withdrawal thread, who reported it first, who denied it
    first_screen = page.evaluate("""() => { const out = []; const walk = document.createTreeWalker(document.body,
        NodeFilter.SHOW_TEXT); while (walk.nextNode()) { const n = walk.currentNode; const r = document.createRange();
        r.selectNodeContents(n); const b = r.getBoundingClientRect();
        if (b.height && b.top < innerHeight && b.bottom > 0) out.push(n.textContent); } return out.join(' '); }""")
    assert "withdraw" in facts["label"].lower() and facts["label"] in first_screen
    assert facts["first"] in first_screen.split("First report", 1)[1].split("Supported by", 1)[0]
    denied = first_screen.split("Denied by", 1)[1]
    assert sum(d in denied for d in facts["deniers"]) >= min(3, len(facts["deniers"])), (facts["deniers"], denied)
    # nothing internal is visible: no document or thread id, no rule name, no record id
    visible = page.evaluate("document.body.innerText")
    shown = sorted(i for i in facts["internal"] if i and i in visible)
    assert not shown, shown
    assert not re.search(r"\b[cqa]\d{1,3}\b", visible) and "None" not in visible.split()
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 12_000, height
    # every internal link resolves; an evidence link marks its whole span (in its opened document)
    hrefs = page.evaluate("[...new Set([...document.querySelectorAll('a[href^=\"#\"]')]"
                          ".map(a => a.getAttribute('href')))]")
    assert len(hrefs) > 50
    missing = [h for h in hrefs if not page.evaluate("(id) => !!document.getElementById(id)", h[1:])]
    assert not missing, missing[:5]
    unmarked = page.evaluate("""(hrefs) => hrefs.filter(h => h.startsWith('#d-') && h.split('-').length > 2)
        .filter(h => {
        location.hash = h; const a = document.getElementById(h.slice(1)); const n = a.nextElementSibling;
        const details = a.closest('details.doc');
        return !n || getComputedStyle(n).outlineStyle === 'none' || (details && !details.open); })""", hrefs)
    assert not unmarked, unmarked[:5]
    page.evaluate("location.hash = ''")
    # a click from the story lands on the words and marks them
    page.evaluate("window.scrollTo(0, 0)")
    link = page.locator("#story a.words").first
    target = link.get_attribute("href")[1:]
    link.click()
    assert page.evaluate("location.hash") == f"#{target}"
    marked = page.locator(f"[id='{target}'] + *")
    assert marked.is_visible() and marked.evaluate("n => getComputedStyle(n).outlineStyle") == "solid"
    page.screenshot(path=str(shots / "report-evidence-marked.png"))
    # the troop series is charted with every value the brief names
    chart = page.locator('.series[data-measure="US troops · Syria"]')
    assert chart.locator("svg.chart").count() == 1
    chart.locator("details.values > summary").click()  # the values, as written, unfold under the chart
    values = chart.locator("table").inner_text()
    for value in ("900", "1,723", "1,251", "2,000", "600"):
        assert value in values
    assert page.locator('.series[data-measure="day"], .series[data-measure="nations"]').count() == 0
    overlaps = page.evaluate("""() => { const bad = []; for (const svg of document.querySelectorAll('svg.chart')) {
        const boxes = [...svg.querySelectorAll('text.value')].map(t => t.getBBox());
        boxes.forEach((a, i) => boxes.slice(i + 1).forEach(b => { if (a.x < b.x + b.width && b.x < a.x + a.width
          && a.y < b.y + b.height && b.y < a.y + a.height) bad.push([a.x, a.y, b.x, b.y]); })); } return bad; }""")
    assert not overlaps, overlaps
    chart.scroll_into_view_if_needed()
    chart.screenshot(path=str(shots / "report-troop-chart.png"))
    # documents come last, folded; removed boilerplate shows struck through only on demand
    first = page.locator("details.doc").first
    first.evaluate("d => { d.open = false; }")  # links above opened it; a reader's click opens it too
    first.locator(":scope > summary").click()
    assert first.evaluate("d => d.open")
    removed = first.locator(".doctext del.removed").first
    assert not removed.is_visible()
    first.locator("input.show-removed").check()
    assert removed.is_visible()
    first.locator("input.show-removed").uncheck()
    first.screenshot(path=str(shots / "report-document.png"))
    page.emulate_media(media="print")
    page.screenshot(path=str(shots / "report-print.png"))
    assert all(url.startswith(LOCAL) for url in requests), requests
    assert not dialogs and not errors, (dialogs, errors)
    page.close()


def test_hostile_text_is_inert_in_the_report(browser, hostile_db: str, tmp_path: Path):
    out = tmp_path / "hostile.html"
    cli("report", "--db", hostile_db, "-o", str(out))
    requests: list[str] = []
    dialogs: list[str] = []
    page = _page(browser, requests, dialogs)
    page.goto(out.as_uri())
    page.locator("details.doc > summary").first.click()  # documents come folded
    page.locator("article.doc").first.hover()
    text = page.locator(".doctext").first.inner_text()
    assert "<script>window.__pwned = 1;" in text and "<img src=x onerror=" in text
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator(".doctext script, .doctext img, .doctext a[href^='javascript:']").count() == 0
    assert not dialogs and all(url.startswith(LOCAL) for url in requests), (dialogs, requests)
    page.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(seeds_db: str, tmp_path_factory):
    """The app on loopback, over the seeds plus the hostile article."""
    import uvicorn

    from storyledger.present.app import create_app

    folder = tmp_path_factory.mktemp("served")
    db = copy_ledger(seeds_db, folder / "ledger.db")
    build_hostile(folder, db)
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 15
    while not srv.started and time.time() < deadline:
        time.sleep(0.05)
    assert srv.started, "the app did not start"
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


APP_PAGES = ("/", "/threads", "/contradictions", "/series", "/series?measure=us+troops+syria",
             "/series?measure=soldiers", "/sources", "/documents", "/claims", "/attributions", "/quantities",
             "/quantities?measure=US+troops+Syria")


def test_every_app_page_loads_without_console_errors(browser, server: str, seeds_db: str):
    internal = {i for i in _seeds_facts(seeds_db)["internal"] if i}
    requests: list[str] = []
    dialogs: list[str] = []
    errors: list[str] = []
    page = _page(browser, requests, dialogs, width=1400, errors=errors)
    shots = artifacts()
    page.goto(server + "/threads")
    thread = page.locator("table.results tbody a").first.get_attribute("href")
    document = None
    for path in (*APP_PAGES, thread):
        response = page.goto(server + path)
        page.wait_for_load_state("load")
        assert response.status == 200, path
        visible = page.evaluate("document.body.innerText")
        assert not [i for i in internal if i in visible], path  # no id or rule name outside "why"
        name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
        page.screenshot(path=str(shots / f"app-{name}.png"), full_page=True)
        if document is None and path == "/documents":
            document = page.locator("table.results tbody a").first.get_attribute("href")
    page.goto(server + document)
    page.screenshot(path=str(shots / "app-document.png"), full_page=True)
    # the legend's colour swatches are drawn (a class, not an inline style the CSP would block)
    page.goto(server + "/series")
    swatch = page.locator(".legend i.sw").first
    assert swatch.evaluate("n => getComputedStyle(n).backgroundColor") not in ("", "rgba(0, 0, 0, 0)")
    assert not errors, errors
    assert all(url.startswith(server) for url in requests), requests
    assert not dialogs
    page.close()


def test_app_searches_filters_and_paginates(browser, server: str):
    requests: list[str] = []
    dialogs: list[str] = []
    errors: list[str] = []
    page = _page(browser, requests, dialogs, errors=errors)
    shots = artifacts()
    page.goto(server + "/")
    assert "withdraw" in page.locator("#story h2").first.inner_text().lower()
    page.screenshot(path=str(shots / "app-home.png"))
    for typed in ("U.S.", "Pentagon's", "1,723", "withdraw*"):
        page.goto(server + "/")
        page.fill("header form.search input[name=q]", typed)
        page.press("header form.search input[name=q]", "Enter")
        page.wait_for_url("**/documents?q=*")
        assert page.locator("#error").count() == 0, typed
        rows = page.locator("table.results tbody tr td a")
        assert rows.count() >= 1 and page.locator("table.results mark").count() >= 1, typed
    page.screenshot(path=str(shots / "app-search.png"), full_page=True)
    page.goto(server + "/claims?limit=10")
    page.select_option("select[name=polarity]", "negated")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**polarity=negated**")
    badges = page.locator("table.results tbody tr td:nth-child(2) .badge").all_inner_texts()
    assert badges and set(badges) == {"negated"}
    first_page = page.locator("table.results tbody").inner_text()
    page.click("a[rel=next]")
    page.wait_for_url("**offset=10**")
    assert page.locator("table.results tbody").inner_text() != first_page
    assert "polarity=negated" in page.url
    page.screenshot(path=str(shots / "app-claims-page2.png"), full_page=True)
    page.goto(server + '/documents?q="unbalanced&syntax=fts')
    assert "not valid full-text syntax" in page.locator("#error").inner_text()
    response = page.goto(server + "/documents?date_from=2019-13-45")
    assert response.status == 400 and "is not a date" in page.locator("#error").inner_text()
    page.goto(server + "/series?measure=US+soldiers")
    assert "US troops · Syria" in page.locator("#suggestions").inner_text()
    assert all(url.startswith(server) for url in requests), requests
    assert not dialogs
    assert not [e for e in errors if "400" not in e], errors  # the refused query answers 400 on purpose
    page.close()


def test_hostile_text_is_inert_in_the_app(browser, server: str):
    requests: list[str] = []
    dialogs: list[str] = []
    page = _page(browser, requests, dialogs)
    page.goto(server + "/documents?q=pwned")
    page.locator("table.results tbody a").first.click()
    page.wait_for_url("**/documents/*")
    text = page.locator(".doctext").inner_text()
    assert "<script>window.__pwned = 1;" in text
    page.locator(".doctext").hover()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator(".doctext script, .doctext img, .doctext a[href^='javascript:']").count() == 0
    page.screenshot(path=str(artifacts() / "app-hostile-document.png"), full_page=True)
    assert not dialogs and all(url.startswith(server) for url in requests), (dialogs, requests)
    page.close()
