"""The local web app: the report's views live, with search, filters and pagination.

Read-only: each request opens the ledger with ``mode=ro`` (a build may be writing meanwhile; WAL
lets both go on). Every listing is one LIMIT/OFFSET page in SQL. The app serves its own
stylesheet and nothing else from disk. API errors share one JSON shape:
``{"error": {"status": 400, "code": "bad_query", "message": "…"}}``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import LedgerError, QueryError, StoryledgerError
from ..store.ledger import Ledger, open_ledger
from . import queries
from .highlight import anchor_id, snippet_markup
from .report import document_view, environment, series_views, stylesheet

PAGE_SIZE = 25
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'none'; form-action 'self'; "
       "base-uri 'none'; frame-ancestors 'none'")


class AppError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_body(status: int, code: str, message: str) -> dict[str, Any]:
    return {"error": {"status": status, "code": code, "message": message}}


def _doc_href(doc_id: str, record_id: str | None = None) -> str:
    return f"/documents/{doc_id}" + (f"#{anchor_id(doc_id, record_id)}" if record_id else "")


def create_app(db_path: str | Path) -> FastAPI:
    db_path = Path(db_path)
    app = FastAPI(title="storyledger", docs_url=None, redoc_url=None, openapi_url="/api/openapi.json")
    env = environment(_doc_href)
    css = stylesheet()

    def ledger() -> Iterator[Ledger]:
        try:
            opened = open_ledger(db_path, readonly=True)
        except LedgerError as error:
            raise AppError(503, "no_ledger", str(error)) from None
        try:
            yield opened
        finally:
            opened.close()

    def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = env.get_template(template).render(request=request, css_href="/static/style.css", **context)
        return HTMLResponse(html, status_code=status)

    def is_api(request: Request) -> bool:
        return request.url.path.startswith("/api/")

    def failure(request: Request, status: int, code: str, message: str) -> Response:
        if is_api(request):
            return JSONResponse(error_body(status, code, message), status_code=status)
        return page(request, "app_error.html", status=status, status_code=status, code=code, message=message)

    @app.middleware("http")
    async def headers(request: Request, call_next: Any) -> Response:
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    @app.exception_handler(AppError)
    async def app_error(request: Request, error: AppError) -> Response:
        return failure(request, error.status, error.code, error.message)

    @app.exception_handler(QueryError)
    async def query_error(request: Request, error: QueryError) -> Response:
        return failure(request, 400, "bad_query", str(error))

    @app.exception_handler(StoryledgerError)
    async def library_error(request: Request, error: StoryledgerError) -> Response:
        return failure(request, 400, "bad_request", str(error))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> Response:
        problems = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ())[1:])}: {e.get('msg')}"
                             for e in error.errors())
        return failure(request, 400, "bad_parameter", problems or "invalid parameters")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
        return failure(request, error.status_code, code, str(error.detail))

    @app.exception_handler(Exception)
    async def internal_error(request: Request, error: Exception) -> Response:
        return failure(request, 500, "internal_error", f"{type(error).__name__}: the server could not "
                       "answer; see its log")

    def filters(q: str | None = Query(None, max_length=500), outlet: str | None = None,
                source: str | None = None, date_from: str | None = Query(None, pattern=r"^(\d{4}(-\d{2}){0,2})?$"),
                date_to: str | None = Query(None, pattern=r"^(\d{4}(-\d{2}){0,2})?$"),
                polarity: str | None = None, modality: str | None = None, stance: str | None = None,
                kind: str | None = None, measure: str | None = None, text: str | None = None) -> queries.Filters:
        blank = lambda v: v or None  # noqa: E731  (empty form fields mean "any")
        return queries.Filters(q=blank(q and q.strip()), outlet=blank(outlet), source=blank(source),
                               date_from=blank(date_from), date_to=blank(date_to), polarity=blank(polarity),
                               modality=blank(modality), stance=blank(stance), kind=blank(kind),
                               measure=blank(measure), text=blank(text))

    def paging(offset: int = Query(0, ge=0), limit: int = Query(PAGE_SIZE, ge=1, le=queries.MAX_PAGE)
               ) -> tuple[int, int]:
        return limit, offset

    def links(request: Request, result: queries.Page) -> dict[str, str | None]:
        params = {k: v for k, v in request.query_params.items() if k != "offset" and v}
        prev_off = max(0, result.offset - result.limit) if result.offset > 0 else None
        next_off = result.offset + result.limit if result.offset + result.limit < result.total else None
        make = lambda off: f"{request.url.path}?{urlencode({**params, 'offset': off})}"  # noqa: E731
        return {"prev": make(prev_off) if prev_off is not None else None,
                "next": make(next_off) if next_off is not None else None}

    def listing(request: Request, kind: str, result: queries.Page, f: queries.Filters,
                ledger_: Ledger) -> HTMLResponse:
        for item in result.items:
            if "snippet" in item:
                item["snippet_html"] = snippet_markup(item.pop("snippet"))
        return page(request, "app_list.html", kind=kind, result=result, f=f, links=links(request, result),
                    outlets=queries.outlets(ledger_), has_stance=queries._thread_stance_join(ledger_.db) is not None)

    # -- pages --------------------------------------------------------------------------------

    @app.get("/static/style.css", include_in_schema=False)
    def static_css() -> Response:
        return Response(css, media_type="text/css")

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request, ledger_: Ledger = Depends(ledger)) -> HTMLResponse:
        overview = queries.overview(ledger_)
        return page(request, "app_home.html", overview=overview, timeline=queries.timeline(ledger_, limit=300),
                    undated=queries.undated_documents(ledger_, limit=100), threads=queries.threads(ledger_),
                    sources=queries.sources(ledger_, limit=30), outlets=queries.outlets(ledger_))

    @app.get("/documents", response_class=HTMLResponse)
    def documents_html(request: Request, f: queries.Filters = Depends(filters), p: tuple = Depends(paging),
                       ledger_: Ledger = Depends(ledger)) -> HTMLResponse:
        return listing(request, "documents", queries.documents_page(ledger_, f, *p), f, ledger_)

    @app.get("/claims", response_class=HTMLResponse)
    def claims_html(request: Request, f: queries.Filters = Depends(filters), p: tuple = Depends(paging),
                    ledger_: Ledger = Depends(ledger)) -> HTMLResponse:
        return listing(request, "claims", queries.claims_page(ledger_, f, *p), f, ledger_)

    @app.get("/attributions", response_class=HTMLResponse)
    def attributions_html(request: Request, f: queries.Filters = Depends(filters), p: tuple = Depends(paging),
                          ledger_: Ledger = Depends(ledger)) -> HTMLResponse:
        return listing(request, "attributions", queries.attributions_page(ledger_, f, *p), f, ledger_)

    @app.get("/quantities", response_class=HTMLResponse)
    def quantities_html(request: Request, f: queries.Filters = Depends(filters), p: tuple = Depends(paging),
                        ledger_: Ledger = Depends(ledger)) -> HTMLResponse:
        result = queries.quantities_page(ledger_, f, *p)
        series = series_views(ledger_, _doc_href) if result.offset == 0 and not f.active() else []
        return page(request, "app_list.html", kind="quantities", result=result, f=f, links=links(request, result),
                    outlets=queries.outlets(ledger_), series=series, has_stance=False)

    @app.get("/documents/{doc_id}", response_class=HTMLResponse)
    def document_html(request: Request, doc_id: str, ledger_: Ledger = Depends(ledger)) -> HTMLResponse:
        doc = document_view(ledger_, doc_id)
        if doc is None:
            raise AppError(404, "not_found", f"no document {doc_id!r} in this ledger")
        return page(request, "app_document.html", d=doc)

    # -- JSON API -----------------------------------------------------------------------------

    @app.get("/api/overview")
    def api_overview(ledger_: Ledger = Depends(ledger)) -> dict[str, Any]:
        return queries.overview(ledger_)

    @app.get("/api/search")
    def api_search(q: str = Query(..., min_length=1, max_length=500), p: tuple = Depends(paging),
                   ledger_: Ledger = Depends(ledger)) -> dict[str, Any]:
        result = queries.documents_page(ledger_, queries.Filters(q=q), *p)
        for item in result.items:
            item["snippet"] = (item.get("snippet") or "").replace("\x01", "[").replace("\x02", "]")
        return result.to_dict()

    @app.get("/api/documents")
    def api_documents(f: queries.Filters = Depends(filters), p: tuple = Depends(paging),
                      ledger_: Ledger = Depends(ledger)) -> dict[str, Any]:
        result = queries.documents_page(ledger_, f, *p)
        for item in result.items:
            if "snippet" in item:
                item["snippet"] = (item["snippet"] or "").replace("\x01", "[").replace("\x02", "]")
        return result.to_dict()

    @app.get("/api/documents/{doc_id}")
    def api_document(doc_id: str, ledger_: Ledger = Depends(ledger)) -> dict[str, Any]:
        doc = queries.document_row(ledger_, doc_id)
        if doc is None:
            raise AppError(404, "not_found", f"no document {doc_id!r} in this ledger")
        doc.pop("offset_map", None)
        return {**doc, **queries.document_evidence(ledger_, doc_id)}

    @app.get("/api/claims")
    def api_claims(f: queries.Filters = Depends(filters), p: tuple = Depends(paging),
                   ledger_: Ledger = Depends(ledger)) -> dict[str, Any]:
        return queries.claims_page(ledger_, f, *p).to_dict()

    @app.get("/api/attributions")
    def api_attributions(f: queries.Filters = Depends(filters), p: tuple = Depends(paging),
                         ledger_: Ledger = Depends(ledger)) -> dict[str, Any]:
        return queries.attributions_page(ledger_, f, *p).to_dict()

    @app.get("/api/quantities")
    def api_quantities(f: queries.Filters = Depends(filters), p: tuple = Depends(paging),
                       ledger_: Ledger = Depends(ledger)) -> dict[str, Any]:
        return queries.quantities_page(ledger_, f, *p).to_dict()

    return app
