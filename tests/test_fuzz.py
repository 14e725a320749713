"""Hostile and broken input: every reader and extractor, on arbitrary text and bytes.

Nothing may crash, and every offset must point inside the text it claims: start <= end <= len,
and text[start:end] equal to the text a record carries. Example counts stay modest so the suite
stays fast; `python -m storyledger.eval.fuzz --seconds N` runs the readers at scale.
"""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storyledger.errors import InputError
from storyledger.eval.fuzz import READERS, make_input, read_input, run_fuzz
from storyledger.extract.document import extract_document
from storyledger.extract.nlp import load_nlp
from storyledger.ingest.documents import documents_from
from storyledger.ingest.encoding import decode_bytes
from storyledger.ingest.hygiene import clean_article
from storyledger.ingest.readers import ReadOptions, read_bytes
from storyledger.ingest.segment import split_articles
from storyledger.model import Document, InputProblem, Origin, RawArticle
from storyledger.store.check import document_problems

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])

HOSTILE = (
    '"', "'", "“", "”", "‘", "’", "«", "»", "\u200b", "\u200c", "\u200d", "\ufeff", "\u00a0", "\u2028",
    "\u2029", "\x00", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\r", "\r\n", "\n", "\n\n\n", "\t",
    "e\u0301", "\u202e", "🇺🇸", "👩‍👩‍👧", "ﬁ", "İ", "ß", "١٢٣", "<div>", "</p>", "&amp;", "&#0;",
    "said", "told Reuters", "By Jane Doe", "January 25, 2024", "1,200", "$1.5bn", "12%", "3 to 5 km",
    "on Tuesday", "next week", "10:35 a.m.", "not", "Advertisement", "Share this article",
)
fragment = st.one_of(
    st.text(max_size=20),
    st.sampled_from(HOSTILE),
    st.builds(lambda s, n: s * n, st.sampled_from(HOSTILE + ("1", "x", " ")), st.integers(1, 300)),
)
hostile_text = st.lists(fragment, max_size=40).map("".join)
hostile_bytes = st.one_of(
    st.binary(max_size=2000),
    hostile_text.map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.tuples(hostile_text, st.sampled_from(("latin-1", "cp1252", "utf-16", "shift_jis", "koi8-r")))
    .map(lambda p: p[0].encode(p[1], "replace")),
    st.tuples(hostile_text, hostile_text).map(lambda p: p[0].encode() + p[1].encode("cp1252", "replace")),
)


def assert_spans_inside(text: str, spans) -> None:
    for start, end, recorded in spans:
        assert 0 <= start <= end <= len(text), (start, end, len(text))
        if recorded is not None:
            assert text[start:end] == recorded, (start, end, recorded)


def documents_of(raw: RawArticle) -> list[Document]:
    docs = []
    for item in documents_from(raw):
        assert isinstance(item, Document | InputProblem)
        if isinstance(item, Document):
            assert document_problems(item) == [], document_problems(item)
            docs.append(item)
    return docs


# -- readers ------------------------------------------------------------------------------------


@FAST
@given(hostile_bytes, st.sampled_from(["a.txt", "a.html", "a.jsonl", "a.json", "a.csv", "a.tsv",
                                       "a.warc", "a.gz", "noext"]))
def test_every_reader_survives_arbitrary_bytes(data, name):
    for item in read_bytes(data, Origin(name), ReadOptions(max_bytes=1 << 20)):
        assert isinstance(item, RawArticle | InputProblem)
        if isinstance(item, RawArticle):
            documents_of(item)


@FAST
@given(st.sampled_from(READERS), st.randoms(use_true_random=False))
def test_structured_and_mutated_inputs_in_every_format(reader, rng):
    data, name = make_input(reader, rng)
    assert read_input(data, name) == []


@FAST
@given(hostile_bytes)
def test_decode_bytes_returns_text_or_a_clear_error(data):
    try:
        text = decode_bytes(data)
    except InputError as error:
        assert error.reason and error.hint
    else:
        assert isinstance(text, str)


@FAST
@given(st.lists(st.fixed_dictionaries({}, optional={
    "text": hostile_text, "title": hostile_text, "published": st.one_of(hostile_text, st.integers()),
    "url": st.one_of(hostile_text, st.just("http://[::1")), "id": st.one_of(hostile_text, st.none()),
}), max_size=4))
def test_json_records_with_hostile_fields(records):
    data = "\n".join(json.dumps(r) for r in records).encode()
    for name in ("a.jsonl", "a.json"):
        payload = data if name == "a.jsonl" else json.dumps(records).encode()
        for item in read_bytes(payload, Origin(name), ReadOptions()):
            if isinstance(item, RawArticle):
                documents_of(item)


@FAST
@given(st.lists(st.lists(hostile_text, min_size=1, max_size=3), max_size=4), st.booleans())
def test_csv_with_unbalanced_quotes_and_odd_rows(rows, quote):
    body = "\n".join(",".join(f'"{c}"' if quote else c for c in row) for row in rows)
    for item in read_bytes(f"text,title\n{body}".encode(), Origin("a.csv"), ReadOptions()):
        if isinstance(item, RawArticle):
            documents_of(item)


# -- hygiene, segmentation, documents ------------------------------------------------------------


@FAST
@given(hostile_text, st.one_of(st.none(), hostile_text))
def test_clean_article_offsets_lead_back_to_the_original(text, title):
    clean = clean_article(text, title_hint=title or None)
    assert_spans_inside(text, [(r.start, r.end, r.text) for r in clean.removed])
    for clean_start, orig_start, length in clean.offset_map.segments:
        assert 0 <= clean_start and clean_start + length <= len(clean.text)
        assert 0 <= orig_start and orig_start + length <= len(text)
    for offset in range(0, len(clean.text) + 1, max(1, len(clean.text) // 7)):
        assert 0 <= clean.offset_map.to_original(offset) <= len(text)


@FAST
@given(hostile_text)
def test_split_articles_covers_the_text_without_gaps(text):
    ranges = split_articles(text)
    assert ranges[0][0] == 0 and ranges[-1][1] == len(text)
    for (s1, e1), (s2, _) in zip(ranges, ranges[1:], strict=False):
        assert s1 <= e1 == s2
    assert all(s <= e for s, e in ranges)


@FAST
@given(hostile_text, st.booleans(), st.dictionaries(
    st.sampled_from(["title", "published", "url", "outlet", "author", "id"]), hostile_text, max_size=4))
def test_documents_from_any_raw_article(text, segment, meta):
    documents_of(RawArticle(text, Origin("a.txt"), meta, segment=segment))


# -- extractors ----------------------------------------------------------------------------------


def _document(text: str, published: str | None) -> Document:
    from storyledger.model import OffsetMap

    return Document("0" * 16, None, None, "The Outlet", "metadata", None, None, published,
                    "metadata" if published else "none", None, None, "a.txt", None, text, text,
                    OffsetMap(((0, 0, len(text)),)), ())


@SLOW
@given(hostile_text, st.one_of(st.none(), st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31))))
def test_extractors_keep_every_offset_inside_the_text(text, anchor):
    parsed = load_nlp()(text)
    assert parsed.text == text
    extraction = extract_document(_document(text, anchor.isoformat() if anchor else None), parsed)
    assert_spans_inside(text, [(t.start, t.end, t.text) for t in extraction.time_expressions])
    for a in extraction.attributions:
        spans = [a.cue, a.content, a.source, a.medium, a.hedge, *a.content_parts]
        assert_spans_inside(text, [(s.start, s.end, s.text) for s in spans if s is not None])
    assert_spans_inside(text, [(q.quantity.start, q.quantity.end, q.quantity.text)
                               for q in extraction.quantities])
    assert_spans_inside(text, [(c.start, c.end, c.evidence) for c in extraction.claims])
    json.dumps([c.to_dict() for c in extraction.claims])  # records stay serialisable


def test_fuzz_runner_reports_counts_per_reader(tmp_path):
    result = run_fuzz(3, seed=7, out=tmp_path / "crashes")
    assert set(result["tried"]) == set(READERS) and all(n > 0 for n in result["tried"].values())
    assert result["crashes"] == [], result["crashes"]


def test_fuzz_runner_saves_a_crashing_input(tmp_path):
    def crash(data: bytes, name: str) -> list[str]:
        raise RuntimeError("boom")

    result = run_fuzz(0, seed=1, out=tmp_path, readers=("text",), check=crash)
    [found] = result["crashes"]
    assert "boom" in found["error"]
    saved = tmp_path / found["input"].rsplit("/", 1)[-1]
    assert saved.exists() and saved.with_name(saved.name + ".error.txt").read_text().count("boom")
