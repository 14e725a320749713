"""One reader per input format. Each turns bytes into :class:`RawArticle` records.

Readers never stop a batch: a file or record that cannot be read becomes an
:class:`InputProblem` naming the file (and the record) and what to do, and reading goes on.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from itertools import chain, islice
from typing import Any

from ..errors import InputError
from ..model import InputProblem, Origin, RawArticle
from .dates import DateColumn
from .encoding import decode_bytes
from .webpage import html_article

DEFAULT_MAX_MB = 20
RECORD_FIELDS = ("id", "text", "html", "url", "title", "outlet", "published", "author")
GZIP_MAGIC = b"\x1f\x8b"
# Records read ahead of the rest of a file to learn how its date field writes dates (day or month
# first): enough that a column of real dates shows a day above 12, bounded so that memory is too.
DATE_SAMPLE_RECORDS = 1000

Item = RawArticle | InputProblem
Record = tuple[str, Any]  # a record's label ("row 3", "line 7") and its parsed value


@dataclass(frozen=True)
class ReadOptions:
    max_bytes: int = DEFAULT_MAX_MB * 1024 * 1024
    # Our field name -> the input's field or column name, for CSV and JSON records.
    field_map: dict[str, str] = field(default_factory=dict)
    force_format: str | None = None
    date_order: str | None = None  # "MDY", "DMY" or "YMD" for every numeric date; None: infer per file
    encoding: str | None = None  # decode every input with this codec instead of detecting one


def parse_field_map(spec: str | None) -> dict[str, str]:
    """Parse ``text=article_content,published=date`` into a mapping; raise on bad specs."""
    mapping: dict[str, str] = {}
    for part in (spec or "").split(","):
        if not part.strip():
            continue
        ours, sep, theirs = part.partition("=")
        ours = ours.strip()
        if not sep or not theirs.strip() or ours not in RECORD_FIELDS:
            raise InputError(
                f"bad --map entry {part.strip()!r}",
                f"write FIELD=COLUMN pairs separated by commas, FIELD one of {', '.join(RECORD_FIELDS)}",
            )
        mapping[ours] = theirs.strip()
    return mapping


def check_encoding(name: str | None) -> str | None:
    """The codec ``--encoding`` names, in Python's spelling; raise when there is none."""
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise InputError(f"unknown encoding {name!r}",
                         "name a codec such as utf-8, cp1252, latin-1, cp1250 or cp1251") from None


def detect_format(name: str, head: bytes) -> str:
    """The format of a file, from its name first and its first bytes otherwise; gzip data is
    recognised by its magic number whatever the name says (a saved page is often compressed)."""
    lower = name.lower()
    if head.startswith(GZIP_MAGIC) and not lower.endswith((".warc", ".warc.gz", ".arc.gz")):
        return "gzip"
    for suffixes, fmt in (
        ((".warc", ".warc.gz", ".arc.gz"), "warc"),
        ((".html", ".htm", ".xhtml", ".shtml"), "html"),
        ((".jsonl", ".ndjson", ".jsonlines"), "jsonl"),
        ((".json",), "json"),
        ((".csv", ".tsv"), "csv"),
        ((".txt", ".text", ".md"), "text"),
    ):
        if lower.endswith(suffixes):
            return fmt
    if lower.endswith(".gz"):
        return "gzip"
    stripped = head.lstrip()[:512].lower()
    if stripped.startswith(b"warc/"):
        return "warc"
    if head.startswith(GZIP_MAGIC):
        return "gzip"
    if stripped.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<body" in stripped:
        return "html"
    if stripped.startswith(b"["):
        return "json"
    if stripped.startswith(b"{"):
        return "jsonl"
    return "text"


def read_bytes(data: bytes, origin: Origin, options: ReadOptions) -> Iterator[Item]:
    """Read one input's bytes, whatever its format."""
    fmt = options.force_format or detect_format(origin.path, data[:2048])
    if fmt != "warc" and data.startswith(GZIP_MAGIC):
        fmt = "gzip"  # --format names what is inside the compression
    try:
        if fmt == "warc":
            yield from read_warc(data, origin, options)
            return
        if fmt == "gzip":
            inner = _gunzip(data, options.max_bytes)
            inner_name = origin.path[:-3] if origin.path.lower().endswith(".gz") else origin.path
            if inner.startswith(GZIP_MAGIC):
                raise InputError("gzip inside gzip", "decompress it once and build again")
            inner_fmt = options.force_format or detect_format(inner_name, inner[:2048])
            yield from read_bytes(inner, origin, replace(options, force_format=inner_fmt))
            return
        if len(data) > options.max_bytes and fmt not in ("jsonl", "csv"):
            raise _too_large(len(data), options.max_bytes)
        reader = _READERS[fmt]
        yield from reader(data, origin, options)
    except InputError as error:
        yield InputProblem(origin, error.reason, error.hint)


def _too_large(size: int, limit: int) -> InputError:
    return InputError(
        f"{size / 1048576:.1f} MB, over the size limit of {limit / 1048576:.0f} MB",
        "raise the limit with --max-file-mb, or split the file",
    )


def _gunzip(data: bytes, limit: int) -> bytes:
    decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = decompressor.decompress(data, limit + 1)
    except zlib.error as error:
        raise InputError(f"corrupt gzip data ({error})", "re-download or re-compress the file") from None
    if len(out) > limit:
        raise _too_large(len(out), limit)
    if not decompressor.eof:
        raise InputError("truncated gzip file (it ends before the compressed data does)",
                         "re-download the file; a partial copy cannot be read")
    return out


def read_text(data: bytes, origin: Origin, options: ReadOptions) -> Iterator[Item]:
    yield RawArticle(decode_bytes(data, options.encoding), origin, segment=True)


def read_html(data: bytes, origin: Origin, options: ReadOptions) -> Iterator[Item]:
    yield html_article(decode_bytes(data, options.encoding), origin)


def _field(record: dict[str, Any], name: str, options: ReadOptions) -> Any:
    key = options.field_map.get(name, name)
    if key not in record:  # a map written for one file of a mixed batch: fall back
        key = name
    return record.get(key)


def _record_fields(record: Any, options: ReadOptions) -> dict[str, Any]:
    if not isinstance(record, dict):
        raise InputError(f"expected an object with a text or html field, got {type(record).__name__}")
    fields: dict[str, Any] = {}
    for name in RECORD_FIELDS:
        value = _field(record, name, options)
        if value is not None and str(value).strip():
            fields[name] = value if name in ("text", "html") else str(value).strip()
    if "text" not in fields and "html" not in fields:
        wanted = options.field_map.get("text", "text")
        raise InputError(
            f"no text: the record has no {wanted!r} or {options.field_map.get('html', 'html')!r} field",
            f"name the text field with --map text=FIELD (fields here: {', '.join(map(str, record))[:200]})",
        )
    return fields


def _read_published(fields: dict[str, Any], where: Origin, dates: DateColumn,
                    options: ReadOptions) -> InputProblem | None:
    """Turn the record's date into ISO form, keeping the value as written; a value that gives no
    date is dropped (never guessed) and becomes a warning."""
    written = fields.get("published")
    if written is None:
        return None
    reading = dates.read(written)
    if reading.date is None:
        del fields["published"]
        column = options.field_map.get("published", "published")
        return InputProblem(where, f"no date from the {column!r} field: {reading.problem}",
                            f"{reading.hint}; the document is stored undated", skipped=False)
    fields["published"] = reading.date.isoformat()
    if written != fields["published"]:
        fields["published_as_written"] = written
    return None


def _fields_article(fields: dict[str, Any], where: Origin, options: ReadOptions) -> RawArticle:
    text, html = fields.pop("text", None), fields.pop("html", None)
    if not isinstance(text or html, str):
        raise InputError("the text field is not a string")
    if text is not None:
        if len(text.encode("utf-8", "replace")) > options.max_bytes:
            raise _too_large(len(text.encode("utf-8", "replace")), options.max_bytes)
        return RawArticle(text, where, fields)
    return html_article(html, where, url=fields.get("url"), meta=fields)


def _records(origin: Origin, items: Iterator[Record | InputProblem], options: ReadOptions) -> Iterator[Item]:
    """Articles from a file's records. The first records are read ahead to learn the order in
    which the file writes day and month (unless --date-order says), so that every record is read
    the same way; a later value that contradicts that order is a warning, not a guess."""
    head = list(islice(items, DATE_SAMPLE_RECORDS))
    dates = _date_column(head, options)
    for item in chain(head, items):
        if isinstance(item, InputProblem):
            yield item
            continue
        label, record = item
        where = Origin(origin.path, label)
        try:
            fields = _record_fields(record, options)
            warning = _read_published(fields, where, dates, options)
            article = _fields_article(fields, where, options)
        except InputError as error:
            yield InputProblem(where, error.reason, error.hint)
            continue
        if warning:
            yield warning
        yield article


def _date_column(head: list[Record | InputProblem], options: ReadOptions) -> DateColumn:
    if options.date_order:
        return DateColumn(options.date_order, given=True)
    values = (_field(item[1], "published", options) for item in head
              if not isinstance(item, InputProblem) and isinstance(item[1], dict))
    return DateColumn.infer(str(value) for value in values if value is not None)


def read_jsonl(data: bytes, origin: Origin, options: ReadOptions) -> Iterator[Item]:
    yield from _records(origin, _jsonl_records(decode_bytes(data, options.encoding), origin), options)


def _jsonl_records(text: str, origin: Origin) -> Iterator[Record | InputProblem]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        label = f"line {number}"
        try:
            yield label, json.loads(line)
        except json.JSONDecodeError as error:
            yield InputProblem(Origin(origin.path, label), f"malformed JSON ({error.msg})",
                               "fix or remove that line")


def read_json(data: bytes, origin: Origin, options: ReadOptions) -> Iterator[Item]:
    try:
        document = json.loads(decode_bytes(data, options.encoding))
    except json.JSONDecodeError as error:
        raise InputError(
            f"malformed JSON at line {error.lineno} column {error.colno} ({error.msg})",
            "fix the file; for one article per line, name it .jsonl",
        ) from None
    if isinstance(document, dict) and isinstance(document.get("articles"), list):
        document = document["articles"]
    records = document if isinstance(document, list) else [document]
    yield from _records(origin, ((f"record {i}", r) for i, r in enumerate(records, 1)), options)


def read_csv(data: bytes, origin: Origin, options: ReadOptions) -> Iterator[Item]:
    text = decode_bytes(data, options.encoding)
    delimiter = "\t" if origin.path.lower().endswith(".tsv") else ","
    csv.field_size_limit(max(options.max_bytes, 1 << 20))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as error:
        raise InputError(f"no CSV header row ({error})" if str(error) else "no CSV header row") from None
    header = [h.strip() for h in header]
    wanted = options.field_map.get("text", "text"), options.field_map.get("html", "html")
    if not any(w in header for w in wanted):
        raise InputError(
            f"no text column: looked for {wanted[0]!r} among the columns {', '.join(header)[:200]}",
            "name the text column with --map text=COLUMN",
        )
    yield from _records(origin, _csv_records(reader, header, origin), options)


def _csv_records(reader: Any, header: list[str], origin: Origin) -> Iterator[Record | InputProblem]:
    while True:
        label = f"row {reader.line_num + 1}"
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            yield InputProblem(Origin(origin.path, label), f"malformed CSV ({error})",
                               "fix the quoting in that row")
            continue
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            yield InputProblem(Origin(origin.path, label),
                               f"{len(row)} fields where the header has {len(header)}",
                               "check the row's quoting and delimiters")
            continue
        yield label, dict(zip(header, row, strict=True))


def read_warc(data: bytes, origin: Origin, options: ReadOptions) -> Iterator[Item]:
    """HTML responses from a WARC file (plain or gzip per record), e.g. Common Crawl news."""
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    count = 0
    try:
        for record in ArchiveIterator(io.BytesIO(data), record_types=WarcRecordType.response,
                                      parse_http=False):
            count += 1
            url = record.headers.get("WARC-Target-URI")
            where = Origin(origin.path, f"record {count} ({url})" if url else f"record {count}")
            payload = record.reader.read()
            declared = record.headers.get("Content-Length")
            if declared is None or not declared.strip().isdigit() or len(payload) < int(declared):
                yield InputProblem(where, "truncated WARC record (the file ends inside it)",
                                   "re-download the file; the records before it were read")
                break
            try:
                yield _warc_response(payload, where, url, options)
            except InputError as error:
                if error.reason != "not an HTML response":
                    yield InputProblem(where, error.reason, error.hint)
    except (OSError, ValueError) as error:
        yield InputProblem(Origin(origin.path, f"after record {count}"),
                           f"unreadable WARC data ({error})",
                           "check the file is a WARC or WARC.gz; the records before it were read")
        return
    if count == 0 and not data.lstrip().startswith(b"WARC/") and data[:2] != b"\x1f\x8b":
        yield InputProblem(origin, "not a WARC file (no WARC header)", "check the file's format")


def _warc_response(payload: bytes, where: Origin, url: str | None, options: ReadOptions) -> RawArticle:
    head, sep, body = payload.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = payload.partition(b"\n\n")
    headers = head.decode("latin-1").lower()
    content_type = next((h.split(":", 1)[1].strip() for h in headers.splitlines()
                         if h.startswith("content-type:")), "")
    if content_type and "html" not in content_type:
        raise InputError("not an HTML response")
    if "content-encoding: gzip" in headers:
        body = _gunzip(body, options.max_bytes)
    if len(body) > options.max_bytes:
        raise _too_large(len(body), options.max_bytes)
    return html_article(decode_bytes(body, options.encoding), where, url=url)


_READERS: dict[str, Callable[[bytes, Origin, ReadOptions], Iterator[Item]]] = {
    "text": read_text,
    "html": read_html,
    "jsonl": read_jsonl,
    "json": read_json,
    "csv": read_csv,
}

__all__ = ["ReadOptions", "check_encoding", "detect_format", "html_article", "parse_field_map", "read_bytes"]
