"""Per-article extraction: one cleaned document and its spaCy parse in, its records out.

A pure function of one document, so an engine can map it over any number of documents; each
stage can also be run and timed alone.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from spacy.tokens import Doc

from ..model import Document, StageTimes
from .attribution import Attribution, extract_attributions
from .claims import Claim, extract_claims
from .dating import DateEstimate, estimate_date_window
from .guard import DEFAULT_DOC_SECONDS, ExtractionFailure, StageTracker, run_guarded
from .nlp import load_nlp
from .quantities import Quantity, extract_quantities
from .timex import TimeExpression, tag_time_expressions

PIPE_BATCH = 32


@dataclass(frozen=True)
class QuantityInContext:
    """A quantity with what the document says around it: when, and who states it."""

    id: str  # "q3", unique within the document
    quantity: Quantity
    as_of: str | None  # TIMEX3 value, or the publication date
    as_of_source: str | None  # "text" / "publication" / None (undated, no time in the sentence)
    as_of_text: str | None  # the time expression as written
    attribution_id: str | None  # the innermost attribution whose content holds it
    source: str | None  # who states it: that attribution's source, else the outlet

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, **self.quantity.to_dict(), "as_of": self.as_of,
            "as_of_source": self.as_of_source, "as_of_text": self.as_of_text,
            "attribution_id": self.attribution_id, "source": self.source,
        }


@dataclass(frozen=True)
class Extraction:
    """Everything extracted from one document, offsets into its cleaned text."""

    doc_id: str
    time_expressions: tuple[TimeExpression, ...]
    attributions: tuple[Attribution, ...]
    quantities: tuple[QuantityInContext, ...]
    claims: tuple[Claim, ...]
    date_estimate: DateEstimate | None  # only for undated documents


def anchor_date(doc: Document) -> dt.date | None:
    """The date relative time expressions resolve against: the publication date, if known."""
    return dt.date.fromisoformat(doc.published) if doc.published else None


def _timed(times: StageTimes | None, stage: str, work: Callable[[], Any],
           tracker: StageTracker | None = None) -> Any:
    if tracker is not None:
        tracker.stage = stage
    start = time.perf_counter()
    result = work()
    if times is not None:
        times.add(stage, time.perf_counter() - start)
    return result


def _innermost(attributions: tuple[Attribution, ...], start: int, end: int,
               parsed: Doc) -> Attribution | None:
    """The innermost attribution with a source that asserts the span: one whose content is a
    clause ("was believed to have deployed …" has no source, so "Newsweek adds" holds), or a
    report of what happened ("Sputnik Arabic reported two withdrawals of around 50 troops": the
    figure is the reporter's). Another noun phrase content ("demanded the withdrawal of the
    some 600 troops") is the outlet's own description of what was demanded, so its numbers are
    the outlet's."""
    holding = [a for a in attributions if a.content.start <= start and end <= a.content.end]
    for attribution in sorted(holding, key=lambda a: a.content.end - a.content.start):
        content = parsed.char_span(attribution.content.start, attribution.content.end, alignment_mode="expand")
        if attribution.source is not None and content is not None and (
                attribution.kind == "report" or any(t.pos_ in ("VERB", "AUX") for t in content)):
            return attribution
    return None


def quantities_in_context(doc: Document, parsed: Doc, quantities: list[Quantity],
                          timexes: list[TimeExpression],
                          attributions: tuple[Attribution, ...]) -> tuple[QuantityInContext, ...]:
    """Give each quantity its as-of time and its source.

    A time expression belongs to the nearest quantity of its sentence with no other quantity
    between them ("1,723 troops, up from the 1,251 reported in June": June is the 1,251's);
    a quantity with none is as of the publication date, marked as such.
    """
    times_of: dict[int, TimeExpression] = {}
    for sentence in parsed.sents:
        inside = [i for i, q in enumerate(quantities)
                  if sentence.start_char <= q.start < sentence.end_char]
        if not inside:
            continue
        for timex in timexes:
            in_sentence = sentence.start_char <= timex.start < sentence.end_char
            if not in_sentence or timex.type not in ("DATE", "TIME"):
                continue
            if timex.value and timex.value.endswith("_REF"):
                continue  # "now", "recently": no date to attach
            nearest = min(inside, key=lambda i: min(abs(quantities[i].start - timex.end),
                                                    abs(timex.start - quantities[i].end)))
            times_of.setdefault(nearest, timex)
    records = []
    for i, quantity in enumerate(quantities):
        timex = times_of.get(i)
        if timex is not None:
            as_of, as_of_source, as_of_text = timex.value, "text", timex.text
        elif doc.published:
            as_of, as_of_source, as_of_text = doc.published, "publication", None
        else:
            as_of = as_of_source = as_of_text = None
        attribution = _innermost(attributions, quantity.start, quantity.end, parsed)
        source = doc.outlet
        if attribution is not None:
            source = attribution.source_name or (attribution.source.text if attribution.source else None)
        records.append(QuantityInContext(f"q{i + 1}", quantity, as_of, as_of_source, as_of_text,
                                         attribution.id if attribution else None, source))
    return tuple(records)


def extract_document(doc: Document, parsed: Doc, times: StageTimes | None = None,
                     tracker: StageTracker | None = None) -> Extraction:
    """Run every extractor on one document whose parse is ``parsed``."""
    timexes = _timed(times, "time", lambda: tag_time_expressions(doc.text, anchor_date(doc), doc=parsed),
                     tracker)
    attributions = tuple(_timed(times, "attribution",
                                lambda: extract_attributions(parsed, outlet=doc.outlet), tracker))
    quantities = _timed(times, "quantities", lambda: extract_quantities(parsed, timexes), tracker)
    in_context = _timed(times, "quantities",
                        lambda: quantities_in_context(doc, parsed, quantities, timexes, attributions), tracker)
    claims = _timed(times, "claims", lambda: extract_claims(
        parsed, outlet=doc.outlet, published=doc.published, attributions=list(attributions),
        quantities=quantities, quantity_ids=[q.id for q in in_context], timexes=timexes,
    ), tracker)
    estimate = None if doc.published else _timed(
        times, "dating", lambda: estimate_date_window(doc.text, timexes), tracker)
    return Extraction(doc.id, tuple(timexes), attributions, in_context, tuple(claims), estimate)


def parse_documents(docs: Iterable[Document], times: StageTimes | None = None, *,
                    doc_seconds: float | None = DEFAULT_DOC_SECONDS) -> Iterator[Doc | ExtractionFailure]:
    """Parse documents in batches (spaCy's ``nlp.pipe``), one parse or failure per document, in
    order. A batch parse that breaks falls back to one document at a time, each within
    ``doc_seconds``."""
    nlp = load_nlp()
    docs = list(docs)
    parsed_all: Iterator[Doc] | None = iter(nlp.pipe((d.text for d in docs), batch_size=PIPE_BATCH))
    for doc in docs:
        before = time.perf_counter()
        parsed: Doc | ExtractionFailure
        if parsed_all is not None:
            try:
                parsed = next(parsed_all)
            except Exception:  # noqa: BLE001 — a batch parse that breaks falls back to one at a time
                parsed_all = None
        if parsed_all is None:
            parsed = run_guarded(doc.id, lambda _, text=doc.text: nlp(text), doc_seconds)
        if times is not None:
            times.add("parse", time.perf_counter() - before)
        yield parsed


def extract_parsed(docs: Iterable[Document], parses: Iterable[Doc | ExtractionFailure],
                   times: StageTimes | None = None, *, doc_seconds: float | None = DEFAULT_DOC_SECONDS,
                   extract: Callable[..., Extraction] = extract_document,
                   ) -> Iterator[Extraction | ExtractionFailure]:
    """Extract from each parsed document, each within ``doc_seconds`` (a failed parse passes
    through)."""
    for doc, parsed in zip(docs, parses, strict=True):
        if isinstance(parsed, ExtractionFailure):
            yield parsed
            continue
        yield run_guarded(doc.id, lambda tracker, doc=doc, parsed=parsed: extract(doc, parsed, times, tracker),
                          doc_seconds)


def extract_documents(docs: Iterable[Document], times: StageTimes | None = None, *,
                      doc_seconds: float | None = DEFAULT_DOC_SECONDS,
                      extract: Callable[..., Extraction] = extract_document,
                      ) -> Iterator[Extraction | ExtractionFailure]:
    """Parse documents in batches and extract from each.

    Each document is isolated: one whose parse or extractors raise, or run past ``doc_seconds``,
    comes out as an :class:`ExtractionFailure` and the rest go on. ``extract`` is the per-document
    function (tests put a faulty one in its place).
    """
    docs = list(docs)
    yield from extract_parsed(docs, parse_documents(docs, times, doc_seconds=doc_seconds), times,
                              doc_seconds=doc_seconds, extract=extract)
