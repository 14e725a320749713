"""Fuzzing the readers: random and mutated inputs in every format, for a fixed time.

Each input goes through what a build does before extraction (``read_bytes`` for its format,
then ``documents_from``), and each document is checked: its offset map and removed spans must
lead back to its original text. An exception, or a document that fails the check, is a crash;
its input is saved to a folder, so it can be replayed:

    storyledger bench --mode fuzz --seconds 60 --seed 1   # crashing inputs go to fuzz-crashes/

Reproducible: the same seed tries the same inputs in the same order (how many depends on the
time given).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..ingest.documents import documents_from
from ..ingest.readers import ReadOptions, read_bytes
from ..model import InputProblem, Origin
from ..store.check import document_problems

READERS = ("text", "html", "jsonl", "json", "csv", "gzip", "warc")
# Fuzz inputs stay small so that many are tried; the size limits have tests of their own.
MAX_INPUT_BYTES = 64 * 1024
SLOW_SECONDS = 10.0  # an input slower than this is reported (a likely backtracking regex)

_PIECES = (
    "The minister said on Tuesday that 1,200 troops would leave by March.",
    '"We will not comment," a spokesman told Reuters.', "“Quoted”", "‘single’", '"', "'", "«»",
    "By Jane Doe", "January 25, 2024 at 1:33 pm", "17 November, 2020", "Updated 3 hours ago",
    "Share this article", "Advertisement", "READ: more news", "Photo: AP", "Subscribe now",
    "WASHINGTON (Reuters) - ", "$1.5bn", "12%", "3 to 5 km", "1/2", "½", "10:35 a.m.", "next week",
    "\u200b", "\u200d", "\ufeff", "\u00a0", "\u2028", "\u2029", "\x0b", "\x0c", "\x1c", "\x85",
    "\r\n", "\r", "\n\n\n", "\t", "e\u0301", "🇺🇸", "👩‍👩‍👧", "\u202e", "ﬁ", "İ", "ß", "Σ", "١٢٣",
    "日本語の記事", "مرحبا", "<", ">", "&amp;", "&#0;", "&#x110000;", "]]>", "\\", "\\u0000",
)


def _random_text(rng: random.Random, size: int) -> str:
    parts: list[str] = []
    length = 0
    while length < size:
        roll = rng.random()
        if roll < 0.55:
            piece = rng.choice(_PIECES)
        elif roll < 0.8:
            piece = "".join(chr(rng.randrange(0x20, 0x7f)) for _ in range(rng.randrange(1, 20)))
        elif roll < 0.95:
            piece = "".join(chr(rng.choice((rng.randrange(0, 0x300), rng.randrange(0, 0x30000))))
                            for _ in range(rng.randrange(1, 8)))
        else:
            piece = rng.choice(_PIECES) * rng.randrange(50, 2000)  # runs: quotes, digits, spaces
        piece = piece.replace("\ud800", "")
        parts.append(piece + rng.choice(("", " ", " ", "\n", "\n\n")))
        length += len(parts[-1])
    return "".join(parts)


def _encode(rng: random.Random, text: str) -> bytes:
    """Mostly UTF-8; sometimes another encoding, or several mixed in one input."""
    roll = rng.random()
    if roll < 0.7:
        return text.encode("utf-8", "surrogatepass")
    if roll < 0.85:
        return text.encode(rng.choice(("latin-1", "cp1252", "utf-16", "shift_jis", "koi8-r")), "replace")
    cut = rng.randrange(len(text) + 1)
    return text[:cut].encode("utf-8", "surrogatepass") + text[cut:].encode("cp1252", "replace")


def _mutate(rng: random.Random, data: bytes) -> bytes:
    """Byte-level damage: flips, insertions, deletions, truncation, duplication."""
    buf = bytearray(data)
    for _ in range(rng.randrange(0, 6)):
        op = rng.randrange(5)
        pos = rng.randrange(len(buf) + 1)
        if op == 0 and buf:
            buf[min(pos, len(buf) - 1)] = rng.randrange(256)
        elif op == 1:
            buf[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 8)))
        elif op == 2:
            del buf[pos:pos + rng.randrange(1, 16)]
        elif op == 3:
            del buf[pos:]
        else:
            buf[pos:pos] = buf[max(0, pos - 64):pos]
    return bytes(buf[:MAX_INPUT_BYTES])


def _html(rng: random.Random, text: str) -> str:
    depth = rng.choice((0, 3, 50, 500, 5000))
    opened = "".join(rng.choice(("<div>", "<p>", "<span>", "<b>", "<table><tr><td>", "<ul><li>"))
                     for _ in range(depth))
    closed = "</div>" * rng.randrange(depth + 1)
    head = rng.choice(("", "<meta property='og:title' content='A \"title'>",
                       "<meta name='date' content='2024-13-45'>", "<title>T</title><script>x<</script>"))
    body = "".join(f"<p>{line}</p>" for line in text.split("\n"))
    return f"<!doctype html><html><head>{head}</head><body>{opened}{body}{closed}" + rng.choice(("</body></html>", ""))


def _record(rng: random.Random, text: str) -> dict[str, Any]:
    record: dict[str, Any] = {"text": text}
    for key in ("title", "url", "outlet", "published", "id", "author"):
        if rng.random() < 0.4:
            record[key] = rng.choice((_random_text(rng, 20), None, 0, [1], {"a": 1}, "2024-02-30",
                                      "http://", "http://[::1", "https://a.b:99999/x"))
    if rng.random() < 0.1:
        record = {"html": _html(rng, text)} if rng.random() < 0.5 else {"body": text}
    if rng.random() < 0.05:
        return rng.choice(([], "text", 3, None))  # type: ignore[return-value]
    return record


def _csv_cell(rng: random.Random, text: str) -> str:
    if rng.random() < 0.8:
        return '"' + text.replace('"', '""') + '"'
    return text  # unbalanced quotes, embedded delimiters and newlines, unescaped


def _warc(rng: random.Random, text: str) -> bytes:
    body = _html(rng, text).encode("utf-8", "replace")
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + body
    length = len(http) if rng.random() < 0.8 else rng.randrange(len(http) * 2 + 1)
    record = (b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://example.org/a\r\n"
              b"Content-Type: application/http; msgtype=response\r\n"
              + f"Content-Length: {length}\r\n\r\n".encode() + http + b"\r\n\r\n")
    return gzip.compress(record) if rng.random() < 0.5 else record


def make_input(reader: str, rng: random.Random) -> tuple[bytes, str]:
    """One fuzz input for ``reader``: (bytes, the file name it is read under)."""
    size = rng.choice((0, 1, 10, 200, 2000, 20000))
    text = _random_text(rng, size)
    if reader == "text":
        data = _encode(rng, text)
    elif reader == "html":
        data = _encode(rng, _html(rng, text))
    elif reader == "jsonl":
        lines = [json.dumps(_record(rng, _random_text(rng, size // 4 + 1)), ensure_ascii=rng.random() < 0.5)
                 for _ in range(rng.randrange(1, 6))]
        data = _encode(rng, "\n".join(lines))
    elif reader == "json":
        records = [_record(rng, _random_text(rng, size // 4 + 1)) for _ in range(rng.randrange(1, 4))]
        shape = rng.randrange(3)
        document = records[0] if shape == 0 else records if shape == 1 else {"articles": records}
        data = _encode(rng, json.dumps(document, ensure_ascii=rng.random() < 0.5))
    elif reader == "csv":
        header = rng.choice(("text,title,published", "title,text", "text", "body,title", 'text,"a'))
        rows = [",".join(_csv_cell(rng, _random_text(rng, size // 4 + 1))
                         for _ in range(rng.randrange(1, 4))) for _ in range(rng.randrange(1, 5))]
        data = _encode(rng, "\n".join([header, *rows]))
    elif reader == "gzip":
        data = gzip.compress(_encode(rng, text))
    elif reader == "warc":
        data = b"".join(_warc(rng, _random_text(rng, size // 2 + 1)) for _ in range(rng.randrange(1, 3)))
    else:
        raise ValueError(f"unknown reader {reader!r}; one of {', '.join(READERS)}")
    if rng.random() < 0.3:
        data = _mutate(rng, data)
    suffix = {"text": "txt", "gzip": "txt.gz", "warc": rng.choice(("warc", "warc.gz"))}.get(reader, reader)
    return data[:MAX_INPUT_BYTES], f"fuzz.{suffix}"


def read_input(data: bytes, name: str) -> list[str]:
    """Read one input as a build does; return what is inconsistent in its documents (raises on
    a crash)."""
    problems: list[str] = []
    for raw in read_bytes(data, Origin(name), ReadOptions(max_bytes=MAX_INPUT_BYTES)):
        if isinstance(raw, InputProblem):
            continue
        for doc in documents_from(raw):
            if isinstance(doc, InputProblem):
                continue
            problems += document_problems(doc)
    return problems


def _save(out: Path, reader: str, data: bytes, name: str, error: str) -> str:
    out.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(data).hexdigest()[:12]
    path = out / f"{reader}-{digest}-{name}"
    path.write_bytes(data)
    path.with_name(path.name + ".error.txt").write_text(error, encoding="utf-8")
    return str(path)


def run_fuzz(seconds: float, seed: int, *, out: str | Path = "fuzz-crashes",
             readers: tuple[str, ...] = READERS,
             check: Callable[[bytes, str], list[str]] = read_input) -> dict[str, Any]:
    """Fuzz the readers for ``seconds``, round-robin; crashing inputs are saved under ``out``.

    Returns {"seed", "seconds", "tried": {reader: n}, "crashes": [{reader, error, input}],
    "slow": [...], "out"}.
    """
    rng = random.Random(seed)
    tried = dict.fromkeys(readers, 0)
    crashes: list[dict[str, str]] = []
    slow: list[dict[str, Any]] = []
    out = Path(out)
    deadline = time.monotonic() + seconds
    i = 0
    while time.monotonic() < deadline or i == 0:
        reader = readers[i % len(readers)]
        i += 1
        data, name = make_input(reader, rng)
        tried[reader] += 1
        started = time.monotonic()
        try:
            problems = check(data, name)
            error = "offsets inconsistent: " + "; ".join(problems[:5]) if problems else None
        except Exception as exc:  # the point: any exception is a finding, saved and counted
            error = "".join(traceback.format_exception(exc))
        took = time.monotonic() - started
        if error:
            crashes.append({"reader": reader, "error": error.strip().splitlines()[-1][:300],
                            "input": _save(out, reader, data, name, error)})
        elif took > SLOW_SECONDS:
            slow.append({"reader": reader, "seconds": round(took, 1),
                         "input": _save(out, reader, data, name, f"slow: {took:.1f} s")})
    return {"seed": seed, "seconds": seconds, "tried": tried, "total": sum(tried.values()),
            "crashes": crashes, "slow": slow, "out": str(out)}
