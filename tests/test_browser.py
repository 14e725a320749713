"""Real browser checks: Debian's Chromium, headless, driven by Playwright (never a downloaded one).

The report opens with no network request; the app searches, filters and paginates; hostile
article text stays text in both. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import socket
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


def _page(browser, requests: list[str], dialogs: list[str]):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("request", lambda r: requests.append(r.url))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    return page


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory) -> str:
    return build_hostile(tmp_path_factory.mktemp("hostile"))


def test_report_opens_offline_and_shows_the_story(browser, seeds_db: str, tmp_path: Path):
    out = tmp_path / "report.html"
    cli("report", "--db", seeds_db, "-o", str(out))
    requests: list[str] = []
    dialogs: list[str] = []
    page = _page(browser, requests, dialogs)
    page.goto(out.as_uri())
    page.wait_for_load_state("load")
    assert requests and all(url.startswith(LOCAL) for url in requests), requests
    assert page.locator("article.doc").count() == 6
    chart = page.locator('.series[data-measure="US troops · Syria"]')
    assert chart.locator("svg.chart").count() == 1
    values = chart.locator("table").inner_text()
    for value in ("900", "1,723", "1,251", "2,000", "600"):
        assert value in values
    if page.locator("#threads").count():
        assert "withdraw" in page.locator("#threads").inner_text().lower()
    # removed boilerplate appears struck through only on demand
    first = page.locator("article.doc").first
    removed = first.locator(".doctext del.removed").first
    assert not removed.is_visible()
    first.locator("input.show-removed").check()
    assert removed.is_visible()
    first.locator("input.show-removed").uncheck()
    # evidence links land on their anchors
    link = page.locator("#timeline a[href^='#d-']").first
    target = link.get_attribute("href")[1:]
    link.click()
    assert page.evaluate("location.hash") == f"#{target}"
    page.evaluate("window.scrollTo(0, 0)")
    shots = artifacts()
    page.screenshot(path=str(shots / "report-top.png"))
    chart.scroll_into_view_if_needed()
    chart.screenshot(path=str(shots / "report-troop-chart.png"))
    page.locator("article.doc").nth(5).screenshot(path=str(shots / "report-document.png"))
    page.emulate_media(media="print")
    page.screenshot(path=str(shots / "report-print.png"))
    assert all(url.startswith(LOCAL) for url in requests), requests
    assert not dialogs
    page.close()


def test_hostile_text_is_inert_in_the_report(browser, hostile_db: str, tmp_path: Path):
    out = tmp_path / "hostile.html"
    cli("report", "--db", hostile_db, "-o", str(out))
    requests: list[str] = []
    dialogs: list[str] = []
    page = _page(browser, requests, dialogs)
    page.goto(out.as_uri())
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


def test_app_searches_filters_and_paginates(browser, server: str):
    requests: list[str] = []
    dialogs: list[str] = []
    page = _page(browser, requests, dialogs)
    shots = artifacts()
    page.goto(server + "/")
    assert "7" in page.locator(".card").first.inner_text()
    page.screenshot(path=str(shots / "app-home.png"))
    page.fill("header form.search input[name=q]", "withdraw*")
    page.press("header form.search input[name=q]", "Enter")
    page.wait_for_url("**/documents?q=*")
    rows = page.locator("table.results tbody tr")
    assert rows.count() >= 3 and page.locator("table.results mark").count() >= 1
    page.screenshot(path=str(shots / "app-search.png"), full_page=True)
    page.goto(server + "/claims?limit=10")
    page.select_option("select[name=polarity]", "negated")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**polarity=negated**")
    badges = page.locator("table.results tbody tr td:nth-child(2) .badge:first-child").all_inner_texts()
    assert badges and set(badges) == {"negated"}
    first_page = page.locator("table.results tbody").inner_text()
    page.click("a[rel=next]")
    page.wait_for_url("**offset=10**")
    assert page.locator("table.results tbody").inner_text() != first_page
    assert "polarity=negated" in page.url
    page.screenshot(path=str(shots / "app-claims-page2.png"), full_page=True)
    page.goto(server + '/documents?q="unbalanced')
    assert "not valid full-text syntax" in page.locator("#error").inner_text()
    page.goto(server + "/quantities")
    assert page.locator("svg.chart").count() >= 1
    page.screenshot(path=str(shots / "app-quantities.png"), full_page=True)
    assert all(url.startswith(server) for url in requests), requests
    assert not dialogs
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
