"""From a reader's raw article to clean documents with their metadata resolved.

Metadata precedence, strongest first: what the user's record declared (``metadata``), what the
page's HTML declared (``html``), what the URL says (outlet only), what the text says (``text``:
a standalone date line, a known tagline, a byline). When nothing says, the field stays empty:
an undated document is marked undated, never given a guessed date.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from urllib.parse import urlsplit

from ..model import Document, InputProblem, Origin, RawArticle
from ..resources import load_json
from .dates import parse_metadata_date
from .hygiene import CleanArticle, clean_article
from .lines import normalize_line
from .segment import split_articles


def document_id(original: str) -> str:
    """Content-hash identity: the same article text always gets the same id."""
    key = normalize_line(original)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def outlet_from_url(url: str) -> str | None:
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:  # "http://[::1": a malformed URL names no outlet
        return None
    if not host:
        return None
    host = host.removeprefix("www.")
    domains = load_json("outlets.json")["domains"]
    parts = host.split(".")
    for i in range(len(parts) - 1):
        name = domains.get(".".join(parts[i:]))
        if name:
            return name
    return host


def _first(*candidates: tuple[object, str]) -> tuple[str | None, str | None]:
    for value, source in candidates:
        if value:
            return str(value), source
    return None, None


def documents_from(raw: RawArticle) -> Iterator[Document | InputProblem]:
    """The documents in one raw article (several when a scrape carries several articles)."""
    ranges = split_articles(raw.text) if raw.segment else [(0, len(raw.text))]
    title_hint = raw.meta.get("title") or raw.page_meta.get("title")
    cleaned: list[tuple[int, int, CleanArticle]] = [
        (start, end, clean_article(raw.text[start:end], title_hint=title_hint))
        for start, end in ranges
    ]
    # A site's tagline names the outlet of every article saved from that page.
    file_outlet = next(((c.outlet, c.outlet_evidence) for _, _, c in cleaned if c.outlet),
                       (None, None))
    for number, (start, end, clean) in enumerate(cleaned, start=1):
        origin = raw.origin
        if len(ranges) > 1:
            part = f"article {number} of {len(ranges)} (characters {start}-{end})"
            origin = Origin(origin.path, f"{origin.record}, {part}" if origin.record else part)
        if not clean.text.strip():
            yield InputProblem(origin, "no article text left once boilerplate was removed",
                               "check the file holds an article; `storyledger show` lists what was removed")
            continue
        yield _document(raw, origin, raw.text[start:end], clean, file_outlet)


def _document(raw: RawArticle, origin: Origin, original: str, clean: CleanArticle,
              file_outlet: tuple[str | None, str | None]) -> Document:
    meta, page = raw.meta, raw.page_meta
    url, _ = _first((meta.get("url"), "metadata"), (page.get("url"), "html"))
    outlet, outlet_source = _first(
        (meta.get("outlet"), "metadata"),
        (page.get("outlet"), "html"),
        (outlet_from_url(url) if url else None, "url"),
        (clean.outlet, "tagline"),
        (file_outlet[0], "tagline"),
    )
    published, published_source, evidence = None, "none", None
    # A record's date arrives read (ISO) by its reader, which keeps the value as the user wrote it.
    declared = ((meta.get("published"), meta.get("published_as_written"), "metadata"),
                (page.get("published"), None, "html"))
    for value, written, source in declared:
        date = parse_metadata_date(value) if value else None
        if date:
            published, published_source, evidence = date.isoformat(), source, str(written or value)
            break
    if published is None and clean.date_line:
        published, published_source = clean.date_line.date.isoformat(), "text"
        evidence = clean.date_evidence
    title, _ = _first((meta.get("title"), "metadata"), (page.get("title"), "html"),
                      (clean.title, "text"))
    byline, _ = _first((meta.get("author"), "metadata"), (page.get("author"), "html"),
                       (clean.byline, "text"))
    return Document(
        id=document_id(original),
        external_id=str(meta["id"]) if meta.get("id") else None,
        title=title,
        outlet=outlet,
        outlet_source=outlet_source,
        byline=byline,
        dateline=clean.dateline,
        published=published,
        published_source=published_source,  # type: ignore[arg-type]
        published_evidence=evidence,
        url=url,
        path=origin.path,
        record=origin.record,
        original=original,
        text=clean.text,
        offset_map=clean.offset_map,
        removed=clean.removed,
    )
