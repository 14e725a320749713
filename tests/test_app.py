"""The local web app, in-process: search, filters, pagination, one JSON error shape, read-only."""

from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from present_fixtures import build_hostile
from storyledger.present.app import create_app

LOCAL = "http://127.0.0.1"  # the app answers only to loopback host names


@pytest.fixture(scope="module")
def client(seeds_db: str) -> TestClient:
    with TestClient(create_app(seeds_db), base_url=LOCAL) as c:
        yield c


def _thread_id(client: TestClient) -> str:
    return client.get("/api/threads").json()["items"][0]["thread_id"]


def test_pages_render(client: TestClient):
    for url in ("/", "/documents", "/claims", "/attributions", "/quantities", "/threads",
                f"/threads/{_thread_id(client)}", "/contradictions", "/series", "/sources"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "script-src 'none'" in response.headers["content-security-policy"]
        assert not re.search(r"\sstyle\s*=", response.text), url  # the CSP allows no inline style
    assert client.get("/documents").text.count('href="/documents/') >= 6


def test_views_of_the_story(client: TestClient):
    """Threads, a thread, contradictions, series and sources, as pages and JSON from one read API."""
    threads = client.get("/api/threads").json()
    assert threads["total"] >= 1 and "withdraw" in threads["items"][0]["label"].lower()
    thread = client.get(f"/api/threads/{threads['items'][0]['thread_id']}", params={"limit": 5}).json()
    assert len(thread["claims_page"]["items"]) == 5 and thread["claims_page"]["total"] > 5
    dates = [c["date"] for c in client.get(f"/api/threads/{thread['thread_id']}", params={"limit": 200}).json()
             ["claims_page"]["items"]]
    dated = [d for d in dates if d]
    assert dated == sorted(dated) and dates[:len(dated)] == dated  # by date, undated last
    page = client.get(f"/threads/{thread['thread_id']}").text
    assert "First report" in page and "Denied by" in page and "Timeline, by source" in page
    assert client.get("/threads/t-nope").status_code == 404
    contradictions = client.get("/api/contradictions", params={"kind": "disagreement"}).json()
    assert contradictions["total"] >= 1
    assert all(x["kind"] == "disagreement" and x["a"]["source"] and x["b"]["source"] for x in contradictions["items"])
    pairs = [(x["thread_id"], x["kind"], *sorted((x["a"]["source"], x["b"]["source"])))
             for x in contradictions["items"]]
    assert len(pairs) == len(set(pairs))  # one row per pair of sources
    sources = client.get("/api/sources", params={"kind": "outlet"}).json()
    assert sources["items"] and all(s["kind"] == "outlet" for s in sources["items"])
    assert set(sources["items"][0]["outcomes"]) == {"supported", "denied", "contested", "open"}
    series = client.get("/api/series").json()
    keys = [s["measure_key"] for s in series["items"]]
    assert "US troops · Syria" in keys and "day" not in keys and "nations" not in keys


def test_measure_names_are_forgiving(client: TestClient):
    for name in ("US troops · Syria", "us troops syria", "US-troops, Syria"):
        troops = client.get("/api/quantities", params={"measure": name, "limit": 200}).json()
        assert {900.0, 1723.0, 1251.0, 2000.0, 600.0} <= {q["value"] for q in troops["items"]}, name
    series = client.get("/api/series", params={"measure": "us troops syria"}).json()
    assert [s["measure_key"] for s in series["items"]] == ["US troops · Syria"] and series["items"][0]["points"]
    unknown = client.get("/api/series", params={"measure": "US soldiers"}).json()
    assert unknown["total"] == 0 and "US troops · Syria" in unknown["suggestions"]
    page = client.get("/series", params={"measure": "US soldiers"}).text
    assert 'id="suggestions"' in page and "US troops · Syria" in page


def test_documents_by_date_undated_last(client: TestClient):
    items = client.get("/api/documents").json()["items"]
    dates = [d["published"] for d in items]
    dated = [d for d in dates if d]
    assert dated == sorted(dated) and dates == dated + [None] * (len(dates) - len(dated))


@pytest.mark.parametrize("q", ["U.S.", "Pentagon's", "1,723", '"Foreign Policy"', "withdraw*", "ISIS)", '"unbalanced'])
def test_search_takes_what_people_type(client: TestClient, q: str):
    response = client.get("/api/search", params={"q": q})
    assert response.status_code == 200, response.text
    if q != '"unbalanced':
        assert response.json()["total"] >= 1, q


def test_search_filters_and_pagination(client: TestClient):
    hits = client.get("/api/search", params={"q": "withdraw*"}).json()
    assert hits["total"] >= 3 and all("snippet" in i for i in hits["items"])
    page1 = client.get("/api/documents", params={"limit": 2}).json()
    page2 = client.get("/api/documents", params={"limit": 2, "offset": 2}).json()
    assert page1["total"] == 6 and len(page1["items"]) == 2 and page1["next_offset"] == 2
    assert {d["id"] for d in page1["items"]}.isdisjoint(d["id"] for d in page2["items"])
    arab = client.get("/api/documents", params={"outlet": "The New Arab"}).json()
    assert [d["outlet"] for d in arab["items"]] == ["The New Arab"]
    dated = client.get("/api/documents", params={"date_from": "2024-01-01"}).json()
    assert [d["published"] for d in dated["items"]] == ["2024-01-25"]
    negated = client.get("/api/claims", params={"polarity": "negated", "limit": 200}).json()
    assert negated["total"] > 0 and {c["polarity"] for c in negated["items"]} == {"negated"}
    speech = client.get("/api/attributions", params={"kind": "speech", "source": "Pahon"}).json()
    assert speech["items"] and all(a["kind"] == "speech" for a in speech["items"])
    troops = client.get("/api/quantities", params={"measure": "US troops · Syria", "limit": 200}).json()
    assert {900.0, 1723.0, 1251.0, 2000.0, 600.0} <= {q["value"] for q in troops["items"]}
    html = client.get("/claims", params={"polarity": "negated", "limit": 3}).text
    assert 'rel="next"' in html and "offset=3" in html


def test_stance_filter(client: TestClient, seeds_db: str):
    con = sqlite3.connect(seeds_db)
    has = con.execute("SELECT 1 FROM sqlite_master WHERE name = 'thread_claims'").fetchone() is not None
    con.close()
    response = client.get("/api/claims", params={"stance": "denies"})
    if has:
        assert response.status_code == 200
        assert response.json()["total"] >= 0
    else:
        assert response.status_code == 400


def test_errors_share_one_json_shape(client: TestClient):
    for url, params, status, code in (
        ("/api/search", {"q": '"unbalanced', "syntax": "fts"}, 400, "bad_query"),
        ("/api/search", {"q": "AND OR", "syntax": "fts"}, 400, "bad_query"),
        ("/api/search", {"q": "...", }, 400, "bad_query"),
        ("/api/search", {"q": "troops", "syntax": "regex"}, 400, "bad_parameter"),
        ("/api/series", {"measure": "troops", "polarity": "negated"}, 400, "bad_parameter"),
        ("/api/threads/nope", {}, 404, "not_found"),
        ("/api/documents", {"limit": "many"}, 400, "bad_parameter"),
        ("/api/documents", {"date_from": "yesterday"}, 400, "bad_parameter"),
        ("/api/documents/nope", {}, 404, "not_found"),
        ("/api/nowhere", {}, 404, "not_found"),
    ):
        response = client.get(url, params=params)
        assert response.status_code == status, (url, params, response.text)
        body = response.json()
        assert set(body) == {"error"} and set(body["error"]) == {"status", "code", "message"}
        assert body["error"]["status"] == status and body["error"]["code"] == code and body["error"]["message"]
    page = client.get("/documents", params={"q": '"unbalanced', "syntax": "fts"})
    assert page.status_code == 400 and "not valid full-text syntax" in page.text


def test_serves_no_file_outside_its_assets(client: TestClient):
    for url in ("/static/../../../../etc/passwd", "/static/%2e%2e/%2e%2e/etc/passwd", "/static/style.css/../x",
                "/../pyproject.toml"):
        response = client.get(url)
        assert response.status_code == 404 and "root:" not in response.text
    assert client.get("/static/style.css").headers["content-type"].startswith("text/css")


def test_hostile_document_is_escaped(tmp_path: Path):
    db = build_hostile(tmp_path)
    with TestClient(create_app(db), base_url=LOCAL) as c:
        doc_id = c.get("/api/documents").json()["items"][0]["id"]
        html = c.get(f"/documents/{doc_id}").text
        assert "&lt;script&gt;window.__pwned" in re.sub(r"<[^>]+>", "", html)  # as text, whatever marks it
        assert "<script>window" not in html and "<img src=x" not in html and 'href="javascript:' not in html
        listing = c.get("/documents", params={"q": "pwned"}).text
        assert "<script>" not in listing and "<mark>" in listing


def test_read_only_while_a_build_writes(tmp_path: Path):
    db = build_hostile(tmp_path)
    with TestClient(create_app(db), base_url=LOCAL) as c:
        writer = sqlite3.connect(db)
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE documents SET title = 'changing' WHERE 1 = 1")
        assert c.get("/api/documents").status_code == 200  # WAL: readers go on
        writer.execute("ROLLBACK")
        writer.close()
        assert c.post("/api/documents").json()["error"]["code"] == "method_not_allowed"


def test_pages_stay_fast_on_100k_documents(tmp_path: Path):
    """Listing, filtering and searching read one page, whatever the corpus size."""
    db = build_hostile(tmp_path)
    con = sqlite3.connect(db)
    columns = ("id, title, outlet, published, published_source, path, original, text, offset_map, added_at")
    con.executemany(
        f"INSERT INTO documents ({columns}) VALUES (?, ?, ?, ?, 'metadata', 'bulk', ?, ?, '[]', 'now')",
        ((f"{i:016x}", f"Bulk {i}", f"Outlet {i % 50}", f"2020-{1 + i % 12:02d}-01", f"word{i} convoy",
          f"word{i} convoy") for i in range(100_000)))
    con.commit()
    con.close()
    with TestClient(create_app(db), base_url=LOCAL) as c:
        for params in ({"offset": 99_990}, {"outlet": "Outlet 7", "offset": 1000}, {"q": "convoy", "offset": 50_000},
                       {"date_from": "2020-05", "date_to": "2020-06"}):
            start = time.perf_counter()
            body = c.get("/api/documents", params={**params, "limit": 25}).json()
            assert len(body["items"]) <= 25 and body["total"] > 0, params
            assert time.perf_counter() - start < 3, params
        assert c.get("/documents", params={"offset": 99_990}).status_code == 200
