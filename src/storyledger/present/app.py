"""The local web app: the report's views live, with search, filters and pagination.

Read-only: each request opens its own connection to the ledger with ``mode=ro`` (a build may be
writing meanwhile; WAL lets both go on). The endpoints are plain functions, so the server runs
them in its thread pool: one slow request does not hold up the others. Every listing is one
LIMIT/OFFSET page in SQL, every parameter is bounded, and each request's SQL runs under a time
budget. The app answers only to loopback host names and the names it was started for (a web page
cannot read it through DNS rebinding). It serves its own stylesheet and nothing else from disk.
API errors share one JSON shape: ``{"error": {"status": 400, "code": "bad_query", "message": "…"}}``;
every response, errors included, carries the security headers.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import sqlite3
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import LedgerError, QueryError, StoryledgerError
from ..store import queries
from ..store.ledger import Ledger, open_ledger
from . import story
from .highlight import anchor_id, snippet_markup
from .report import document_view, environment, series_views, story_context, stylesheet
from .serving import DEFAULT_TIME_BUDGET, HostCheck

PAGE_SIZE = 25
APP_CHART_POINTS = 120  # values drawn in one chart (dated first); /quantities lists every one
MAX_OFFSET = 1_000_000_000  # past any real ledger, and well inside SQLite's 64-bit integers
MAX_QUERY_CHARS = 500
MAX_FILTER_CHARS = 200  # outlet, source, text, measure; SQLite refuses LIKE patterns over 50,000 bytes
MAX_ID_CHARS = 64
PROGRESS_STEPS = 20_000  # SQLite virtual-machine steps between two looks at the clock
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'none'; form-action 'self'; "
       "base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
                    "Referrer-Policy": "no-referrer"}
_WORD = re.compile(r"[a-z_]{1,32}")  # polarity, modality, stance, kind: one short lowercase word
_DATE = re.compile(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?")  # ASCII digits only: \d takes any script's
_WORD_FILTERS = ("polarity", "modality", "stance", "kind")

log = logging.getLogger(__name__)


class AppError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


def error_body(status: int, code: str, message: str) -> dict[str, Any]:
    return {"error": {"status": status, "code": code, "message": message}}


def _doc_href(doc_id: str, record_id: str | None = None) -> str:
    return f"/documents/{doc_id}" + (f"#{anchor_id(doc_id, record_id)}" if record_id else "")


def _refuse_controls(name: str, value: str) -> None:
    bad = next((ch for ch in value if unicodedata.category(ch) == "Cc"), None)
    if bad is not None:
        raise AppError(400, "bad_parameter", f"{name}: control character U+{ord(bad):04X} is not allowed; "
                       "remove it from the parameter")


def _checked_date(name: str, value: str) -> str:
    """A calendar date YYYY, YYYY-MM or YYYY-MM-DD that exists (2019-13-45 does not)."""
    if _DATE.fullmatch(value):
        try:
            dt.date.fromisoformat(value + "-01-01"[len(value) - 4:])
            return value
        except ValueError:
            pass
    raise AppError(400, "bad_parameter", f"{name}: {value!r} is not a date; write YYYY, YYYY-MM or YYYY-MM-DD, "
                   "e.g. 2024-01-25")


def checked_filters(params: Any, accepted: tuple[str, ...], listing: str) -> queries.Filters:
    """Filters from query parameters, each bounded and validated; a filter this listing does not
    take, or a parameter nobody takes, is an error rather than silently ignored."""
    for name in params.keys():
        if name in ("offset", "limit") or name in accepted:
            if len(params.getlist(name)) > 1:
                raise AppError(400, "bad_parameter", f"{name} is given more than once; give it once")
            continue
        if name in queries.FILTER_NAMES and not params.get(name):
            continue  # an empty form field means "any"
        applies = [k for k, v in queries.LISTING_FILTERS.items() if name in v]
        where = f"it filters {', '.join(applies)}" if applies else "no listing takes it"
        takes = f"this listing takes {', '.join(accepted)}, offset and limit" if accepted else \
            "this page takes only offset and limit"
        raise AppError(400, "bad_parameter", f"{name}: {listing} cannot be filtered by {name} ({where}); {takes}")
    values: dict[str, str | None] = {}
    for name in accepted:
        value = params.get(name)
        if value is None:
            continue
        _refuse_controls(name, value)
        value = value.strip()
        if not value:
            continue
        limit = MAX_QUERY_CHARS if name == "q" else MAX_FILTER_CHARS
        if len(value) > limit:
            raise AppError(400, "bad_parameter", f"{name}: {len(value):,} characters is too long (at most {limit})")
        if name in _WORD_FILTERS and not _WORD.fullmatch(value):
            raise AppError(400, "bad_parameter", f"{name}: {value[:40]!r} is not one of its values (a lowercase "
                           "word such as negated, plan, speech or denies)")
        if name in ("date_from", "date_to"):
            value = _checked_date(name, value)
        if name == "syntax" and value not in queries.SYNTAXES:
            raise AppError(400, "bad_parameter", f"syntax: {value[:40]!r} is not a search syntax; give plain (the "
                           "words as typed, the default) or fts (SQLite full-text query syntax)")
        values[name] = value
    return queries.Filters(**values)


def create_app(db_path: str | Path, *, time_budget: float = DEFAULT_TIME_BUDGET,
               hosts: HostCheck | None = None) -> FastAPI:
    """The app over ``db_path``. ``time_budget``: seconds of SQL work a request may take before it
    is stopped with a 503; ``hosts``: which Host headers it answers (loopback by default)."""
    db_path = Path(db_path)
    hosts = hosts or HostCheck()
    app = FastAPI(title="storyledger", docs_url=None, redoc_url=None, openapi_url="/api/openapi.json")
    env = environment(_doc_href)
    css = stylesheet()

    def get(path: str, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return app.api_route(path, methods=["GET", "HEAD"], **kwargs)

    def ledger() -> Iterator[Ledger]:
        deadline = time.monotonic() + time_budget
        try:
            opened = open_ledger(db_path, readonly=True)
        except LedgerError as error:
            raise AppError(503, "no_ledger", str(error)) from None
        # A non-zero return stops the statement with "interrupted"; see budget_spent below.
        opened.db.set_progress_handler(lambda: time.monotonic() > deadline, PROGRESS_STEPS)
        try:
            yield opened
        finally:
            opened.close()

    def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = env.get_template(template).render(request=request, css_href="/static/style.css", **context)
        return HTMLResponse(html, status_code=status)

    def failure(request: Request, status: int, code: str, message: str,
                headers: dict[str, str] | None = None) -> Response:
        if request.url.path.startswith("/api/"):
            response: Response = JSONResponse(error_body(status, code, message), status_code=status)
        else:
            response = page(request, "app_error.html", status=status, status_code=status, code=code, message=message)
        response.headers.update(headers or {})
        return response

    @app.middleware("http")
    async def guard(request: Request, call_next: Any) -> Response:
        if not hosts.allows(request.headers.get("host")):
            response = JSONResponse(error_body(400, "bad_host", "this server answers only to its own host names "
                                               "(loopback, or those given to serve with --host/--allow-host)"),
                                    status_code=400)
        else:
            try:
                response = await call_next(request)
            except Exception as error:  # what no handler took: still one shape, still the headers
                log.exception("storyledger app: %s %s failed", request.method, request.url.path)
                response = failure(request, 500, "internal_error", f"{type(error).__name__}: the server could "
                                   "not answer; see its log")
        response.headers.update(SECURITY_HEADERS)
        return response

    @app.exception_handler(AppError)
    async def app_error(request: Request, error: AppError) -> Response:
        return failure(request, error.status, error.code, error.message, error.headers)

    @app.exception_handler(QueryError)
    async def query_error(request: Request, error: QueryError) -> Response:
        return failure(request, 400, "bad_query", str(error))

    @app.exception_handler(StoryledgerError)
    async def library_error(request: Request, error: StoryledgerError) -> Response:
        return failure(request, 400, "bad_request", str(error))

    @app.exception_handler(sqlite3.OperationalError)
    async def budget_spent(request: Request, error: sqlite3.OperationalError) -> Response:
        if "interrupted" not in str(error):
            log.error("storyledger app: %s %s: %s", request.method, request.url.path, error)
            return failure(request, 500, "internal_error", "OperationalError: the server could not answer; see its log")
        return failure(request, 503, "time_budget", f"this request ran past its time budget ({time_budget:g} s) "
                       "and was stopped; narrow it (rarer words, a phrase in double quotes, a filter) or start "
                       "serve with a larger --time-budget")

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> Response:
        problems = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ())[1:])}: {e.get('msg')}"
                             for e in error.errors())
        return failure(request, 400, "bad_parameter", problems or "invalid parameters")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
        return failure(request, error.status_code, code, str(error.detail), dict(error.headers or {}))

    def filters_of(listing: str) -> Callable[[Request], queries.Filters]:
        accepted = queries.LISTING_FILTERS[listing]

        def dependency(request: Request) -> queries.Filters:
            return checked_filters(request.query_params, accepted, listing)

        return dependency

    filters_by = {listing: filters_of(listing) for listing in queries.LISTING_FILTERS}

    def paging(offset: int = Query(0, ge=0, le=MAX_OFFSET),
               limit: int = Query(PAGE_SIZE, ge=1, le=queries.MAX_PAGE)) -> tuple[int, int]:
        return limit, offset

    def known(doc_id: str) -> str:
        _refuse_controls("document id", doc_id)
        if len(doc_id) > MAX_ID_CHARS:
            raise AppError(404, "not_found", f"no document with an id of {len(doc_id):,} characters in this ledger")
        return doc_id

    def links(request: Request, result: queries.Page) -> dict[str, str | None]:
        params = {k: v for k, v in request.query_params.items() if k != "offset" and v}
        prev_off = max(0, result.offset - result.limit) if result.offset > 0 else None
        next_off = result.offset + result.limit if result.offset + result.limit < result.total else None
        make = lambda off: f"{request.url.path}?{urlencode({**params, 'offset': off})}"  # noqa: E731
        return {"prev": make(prev_off) if prev_off is not None else None,
                "next": make(next_off) if next_off is not None else None}

    def listing(request: Request, kind: str, result: queries.Page, f: queries.Filters, ledger_: Ledger,
                **extra: Any) -> HTMLResponse:
        # A search snippet is shown as markup; every other field as the record holds it.
        result = replace(result, items=[{**item.to_dict(), "snippet_html": snippet_markup(item.snippet)}
                                        if getattr(item, "snippet", None) is not None else item
                                        for item in result.items])
        has_stance = kind == "claims" and queries.has_table(ledger_.db, "thread_claims")
        return page(request, "app_list.html", kind=kind, result=result, f=f, links=links(request, result),
                    outlets=queries.outlets(ledger_), has_stance=has_stance, **extra)

    def bracketed(result: queries.Page) -> dict[str, Any]:
        """The page as JSON, snippet matches between [ and ]."""
        return replace(result, items=[replace(item, snippet=item.snippet.replace("\x01", "[").replace("\x02", "]"))
                                      if getattr(item, "snippet", None) is not None else item
                                      for item in result.items]).to_dict()

    # -- pages --------------------------------------------------------------------------------

    @get("/static/style.css", include_in_schema=False)
    def static_css() -> Response:
        return Response(css, media_type="text/css")

    def app_series(ledger_: Ledger, keys: list[str] | None = None, limit: int = 6) -> list[dict[str, Any]]:
        series = series_views(ledger_, _doc_href, keys, limit, most_points=APP_CHART_POINTS)
        for s in series:
            s["href"] = "/series?" + urlencode({"measure": s["measure_key"]})
            s["list_href"] = "/quantities?" + urlencode({"measure": s["measure_key"]})
        return series

    @get("/", response_class=HTMLResponse)
    def home(request: Request, ledger_: Ledger = Depends(ledger)) -> HTMLResponse:
        overview = queries.overview(ledger_)
        ctx = story_context(ledger_, main=3, series=app_series(ledger_), timeline_rows=0)
        return page(request, "app_home.html", overview=overview, **ctx)

    @get("/threads", response_class=HTMLResponse)
    def threads_html(request: Request, f: queries.Filters = Depends(filters_by["threads"]),
                     p: tuple = Depends(paging), ledger_: Ledger = Depends(ledger)) -> HTMLResponse:
        result = queries.threads_page(ledger_, f, *p)
        return page(request, "app_threads.html", result=result, f=f, links=links(request, result))

    def thread_or_404(ledger_: Ledger, thread_id: str) -> dict[str, Any]:
        _refuse_controls("thread id", thread_id)
        row = queries.thread_by_id(ledger_, thread_id) if len(thread_id) <= MAX_ID_CHARS else None
        if row is None:
            raise AppError(404, "not_found",
                           f"no thread {thread_id[:MAX_ID_CHARS]!r} in this ledger; /threads lists them")
        return row

    @get("/threads/{thread_id}", response_class=HTMLResponse)
    def thread_html(request: Request, thread_id: str, p: tuple = Depends(paging),
                    ledger_: Ledger = Depends(ledger)) -> HTMLResponse:
        checked_filters(request.query_params, (), "a thread")
        limit, offset = p
        t = story.thread_story(ledger_, thread_or_404(ledger_, thread_id), timeline_rows=None,
                               series=app_series(ledger_))
        rows = t["timeline"]
        result = queries.Page(rows[offset:offset + limit], len(rows), limit, offset)
        t["timeline"] = result.items
        return page(request, "app_thread.html", t=t, result=result, links=links(request, result))

    @get("/contradictions", response_class=HTMLResponse)
    def contradictions_html(request: Request, f: queries.Filters = Depends(filters_by["contradictions"]),
                            p: tuple = Depends(paging), ledger_: Ledger = Depends(ledger)) -> HTMLResponse:
        result = queries.contradictions_page(ledger_, f, *p)
        groups = story.group_contradictions(result.items)
        return page(request, "app_contradictions.html", result=result, groups=groups, f=f,
                    links=links(request, result))

    @get("/series", response_class=HTMLResponse)
    def series_html(request: Request, f: queries.Filters = Depends(filters_by["series"]),
                    p: tuple = Depends(paging), ledger_: Ledger = Depends(ledger)) -> HTMLResponse:
        limit, offset = p
        result, suggestions = queries.series_page(ledger_, f, min(limit, 6), offset)  # six charts a page
        series = app_series(ledger_, [r["measure_key"] for r in result.items], len(result.items))
        return page(request, "app_series.html", result=result, series=series, suggestions=suggestions, f=f,
                    links=links(request, result))

    @get("/sources", response_class=HTMLResponse)
    def sources_html(request: Request, f: queries.Filters = Depends(filters_by["sources"]),
                     p: tuple = Depends(paging), ledger_: Ledger = Depends(ledger)) -> HTMLResponse:
        result = queries.sources_page(ledger_, f, *p)
        return page(request, "app_sources.html", result=result, f=f, links=links(request, result))

    @get("/documents", response_class=HTMLResponse)
    def documents_html(request: Request, f: queries.Filters = Depends(filters_by["documents"]),
                       p: tuple = Depends(paging), ledger_: Ledger = Depends(ledger)) -> HTMLResponse:
        return listing(request, "documents", queries.documents_page(ledger_, f, *p), f, ledger_)

    @get("/claims", response_class=HTMLResponse)
    def claims_html(request: Request, f: queries.Filters = Depends(filters_by["claims"]),
                    p: tuple = Depends(paging), ledger_: Ledger = Depends(ledger)) -> HTMLResponse:
        return listing(request, "claims", queries.claims_page(ledger_, f, *p), f, ledger_)

    @get("/attributions", response_class=HTMLResponse)
    def attributions_html(request: Request, f: queries.Filters = Depends(filters_by["attributions"]),
                          p: tuple = Depends(paging), ledger_: Ledger = Depends(ledger)) -> HTMLResponse:
        return listing(request, "attributions", queries.attributions_page(ledger_, f, *p), f, ledger_)

    @get("/quantities", response_class=HTMLResponse)
    def quantities_html(request: Request, f: queries.Filters = Depends(filters_by["quantities"]),
                        p: tuple = Depends(paging), ledger_: Ledger = Depends(ledger)) -> HTMLResponse:
        result = queries.quantities_page(ledger_, f, *p)
        suggestions = []
        if f.measure and not result.total:
            suggestions = queries.measure_suggestions(queries.measure_keys(ledger_.db), f.measure)
        return listing(request, "quantities", result, f, ledger_, suggestions=suggestions)

    @get("/documents/{doc_id}", response_class=HTMLResponse)
    def document_html(request: Request, doc_id: str, ledger_: Ledger = Depends(ledger)) -> HTMLResponse:
        doc = document_view(ledger_, known(doc_id))
        if doc is None:
            raise AppError(404, "not_found", f"no document {doc_id!r} in this ledger")
        return page(request, "app_document.html", d=doc)

    # -- JSON API -----------------------------------------------------------------------------

    @get("/api/overview")
    def api_overview(ledger_: Ledger = Depends(ledger)) -> dict[str, Any]:
        return queries.overview(ledger_)

    @get("/api/search")
    def api_search(request: Request, p: tuple = Depends(paging), ledger_: Ledger = Depends(ledger)) -> dict[str, Any]:
        f = checked_filters(request.query_params, ("q", "syntax"), "search")
        if not f.q:
            raise AppError(400, "bad_parameter", "q: give a full-text query, e.g. q=troops or q=\"troop withdrawal\"")
        return bracketed(queries.documents_page(ledger_, f, *p))

    @get("/api/documents")
    def api_documents(f: queries.Filters = Depends(filters_by["documents"]), p: tuple = Depends(paging),
                      ledger_: Ledger = Depends(ledger)) -> dict[str, Any]:
        return bracketed(queries.documents_page(ledger_, f, *p))

    @get("/api/documents/{doc_id}")
    def api_document(doc_id: str, ledger_: Ledger = Depends(ledger)) -> dict[str, Any]:
        doc = queries.document_row(ledger_, known(doc_id))
        if doc is None:
            raise AppError(404, "not_found", f"no document {doc_id!r} in this ledger")
        doc.pop("offset_map", None)
        return {**doc, **queries.document_evidence(ledger_, doc_id)}

    def api_listing(name: str, read: Callable[..., queries.Page]) -> None:
        """GET /api/NAME: one page of the listing, filtered by what it takes."""

        def endpoint(f: queries.Filters = Depends(filters_by[name]), p: tuple = Depends(paging),
                     ledger_: Ledger = Depends(ledger)) -> dict[str, Any]:
            return read(ledger_, f, *p).to_dict()

        endpoint.__name__ = f"api_{name}"
        get(f"/api/{name}")(endpoint)

    for name, read in (("claims", queries.claims_page), ("attributions", queries.attributions_page),
                       ("quantities", queries.quantities_page), ("threads", queries.threads_page),
                       ("contradictions", queries.contradictions_page), ("sources", queries.sources_page)):
        api_listing(name, read)

    @get("/api/threads/{thread_id}")
    def api_thread(request: Request, thread_id: str, p: tuple = Depends(paging),
                   ledger_: Ledger = Depends(ledger)) -> dict[str, Any]:
        checked_filters(request.query_params, (), "a thread")
        limit, offset = p
        thread = thread_or_404(ledger_, thread_id)
        members, total = queries.thread_members(ledger_, thread["thread_id"], limit=limit, offset=offset)
        contradictions, _ = queries.contradiction_page(ledger_, thread_id=thread["thread_id"], limit=500)
        return {**thread, "claims_page": queries.Page(members, total, limit, offset).to_dict(),
                "contradictions": contradictions, "denials": queries.thread_denials(ledger_, thread["thread_id"])}

    @get("/api/series")
    def api_series(f: queries.Filters = Depends(filters_by["series"]), p: tuple = Depends(paging),
                   ledger_: Ledger = Depends(ledger)) -> dict[str, Any]:
        result, suggestions = queries.series_page(ledger_, f, *p)
        body = result.to_dict()
        if f.measure:
            keys = [r["measure_key"] for r in result.items]
            points = {s["measure_key"]: s for s in queries.quantity_series(ledger_, keys)}
            for item in body["items"]:
                item["points"] = points[item["measure_key"]]["points"]
                item["conflicts"] = points[item["measure_key"]]["conflicts"]
        if suggestions:
            body["suggestions"] = suggestions
        return body

    return app
