"""Articles from web pages: trafilatura for the body (tables included) and the page's meta tags,
htmldate's markup readers for the publication date."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ..errors import InputError
from ..model import Origin, RawArticle

# A news page's date is trusted from 1990 on: the web began then, so an earlier date in a page's
# markup is a placeholder (0001-01-01, 1900-01-01, 1970-01-01) or a template default, not when
# the page was published. Nor is a page published after tomorrow (a day of slack for time zones):
# a future date is an event the page announces or an expiry, not its publication.
EARLIEST_PAGE_DATE = dt.datetime(1990, 1, 1)
_TABLE_ROW = re.compile(r"^\|.*\|\s*$")
_TABLE_RULE = re.compile(r"^\|(?:\s*:?-+:?\s*\|)+\s*$")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")


def html_article(html: str, origin: Origin, url: str | None = None,
                 meta: dict[str, Any] | None = None) -> RawArticle:
    """Extract an article from a web page. ``url`` is where the page came from (a record's url
    field, a WARC record's target URI); without one, the page's canonical URL is used."""
    import trafilatura

    try:
        extracted = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=True
        )
    except Exception as error:  # trafilatura raises many types on hostile markup
        raise InputError(f"HTML could not be parsed ({type(error).__name__})",
                         "check that the file is a web page") from None
    if extracted is None or not (extracted.text or "").strip():
        raise InputError("no article text found in the HTML",
                         "the page may be an index, a paywall or script-rendered")
    sitename = extracted.sitename
    if sitename and " " not in sitename and "." in sitename:
        sitename = None  # trafilatura's fallback to the host name: let the URL rule name it
    page_meta = {
        "title": extracted.title,
        "author": extracted.author,
        "outlet": sitename,
        "url": extracted.url or url,
        "published": declared_date(html, url or extracted.url),
    }
    page_meta = {k: v for k, v in page_meta.items() if v}
    return RawArticle(readable_tables(extracted.text), origin, meta or {}, page_meta)


def declared_date(html: str, url: str | None) -> str | None:
    """The publication date the page declares: in its URL (``/2024/01/25/``), its meta tags,
    its JSON-LD, or its ``<abbr>``/``<time>`` elements — htmldate's readers of those, run in
    htmldate's order. Its later fallbacks are left out on purpose: they date a page from an image's
    upload path, a photo caption or a date anywhere in the text, which is how a page whose own
    date is a placeholder ends up dated years off. A page that declares nothing usable is undated
    here, and the text's own date line (hygiene) may still date it."""
    from htmldate.core import examine_abbr_elements, examine_header, examine_time_elements
    from htmldate.extractors import extract_url_date, json_search
    from htmldate.utils import Extractor, load_html

    latest = dt.datetime.combine(dt.date.today() + dt.timedelta(days=1), dt.time.max)
    # The same positional options htmldate.find_date builds: not extensive, publication date.
    options = Extractor(False, latest, EARLIEST_PAGE_DATE, True, "%Y-%m-%d")
    try:
        from_url = extract_url_date(url, options) if url else None
        if from_url:
            return from_url
        tree = load_html(html)
        if tree is None:
            return None
        return (examine_header(tree, options) or json_search(tree, options)
                or examine_abbr_elements(tree, options) or examine_time_elements(tree, options))
    except Exception:  # htmldate is best-effort on hostile markup; such a page is simply undated
        return None


def readable_tables(text: str) -> str:
    """Tables as lines a reader (and the claim extractor) can take in: trafilatura writes them as
    Markdown rows (``| Route | Fare |`` under a ``|---|`` rule); each row becomes one line of
    ``heading: value`` pairs (``Route: Orsk to East Bank; Fare: 2.40.``), cells alone where the
    table has no heading row. Left as pipes, rows would also read as a navigation menu."""
    if "|" not in text:
        return text
    out: list[str] = []
    table: list[str] = []
    for line in text.split("\n") + [""]:
        if _TABLE_ROW.match(line):
            table.append(line)
            continue
        if table:
            out.extend(_table_lines(table))
            table = []
        out.append(line)
    return "\n".join(out[:-1])


def _table_lines(rows: list[str]) -> list[str]:
    cells = [[c.strip().replace("\\|", "|") for c in _CELL_SPLIT.split(row.strip())[1:-1]]
             for row in rows if not _TABLE_RULE.match(row)]
    headed = len(rows) > 1 and _TABLE_RULE.match(rows[1]) is not None
    if not headed or len(cells) == 1:
        headings: list[str] = []
    else:
        headings, cells = cells[0], cells[1:]
    lines = []
    for row in cells:
        named = zip(headings + [""] * (len(row) - len(headings)), row, strict=False)
        line = "; ".join(f"{heading}: {cell}" if heading else cell for heading, cell in named if cell)
        if line:
            lines.append(line if line.endswith((".", "!", "?")) else line + ".")
    return lines
