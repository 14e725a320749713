"""Per-article extraction: one cleaned document and its spaCy parse in, its records out.

A pure function of one document, so an engine can map it over any number of documents; each
stage can also be run and timed alone (``STAGES``).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from spacy.tokens import Doc

from ..model import Document
from .attribution import Attribution, extract_attributions
from .dating import DateEstimate, estimate_date_window
from .nlp import load_nlp
from .timex import TimeExpression, tag_time_expressions

PIPE_BATCH = 32


@dataclass(frozen=True)
class Extraction:
    """Everything extracted from one document, offsets into its cleaned text."""

    doc_id: str
    time_expressions: tuple[TimeExpression, ...]
    attributions: tuple[Attribution, ...]
    date_estimate: DateEstimate | None  # only for undated documents


@dataclass
class StageTimes:
    """Seconds spent per stage, summed over documents (for `storyledger bench`)."""

    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, stage: str, seconds: float) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds


def anchor_date(doc: Document) -> dt.date | None:
    """The date relative time expressions resolve against: the publication date, if known."""
    return dt.date.fromisoformat(doc.published) if doc.published else None


def _timed(times: StageTimes | None, stage: str, work: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    result = work()
    if times is not None:
        times.add(stage, time.perf_counter() - start)
    return result


def extract_document(doc: Document, parsed: Doc, times: StageTimes | None = None) -> Extraction:
    """Run every extractor on one document whose parse is ``parsed``."""
    timexes = _timed(times, "time", lambda: tag_time_expressions(doc.text, anchor_date(doc), doc=parsed))
    attributions = _timed(times, "attribution", lambda: extract_attributions(parsed, outlet=doc.outlet))
    estimate = None if doc.published else estimate_date_window(doc.text, timexes)
    return Extraction(doc.id, tuple(timexes), tuple(attributions), estimate)


def extract_documents(docs: Iterable[Document], times: StageTimes | None = None) -> Iterator[Extraction]:
    """Parse documents in batches (spaCy's ``nlp.pipe``) and extract from each."""
    nlp = load_nlp()
    docs = list(docs)
    parsed_all = nlp.pipe((d.text for d in docs), batch_size=PIPE_BATCH)
    for doc in docs:
        before = time.perf_counter()
        parsed = next(parsed_all)
        if times is not None:
            times.add("parse", time.perf_counter() - before)
        yield extract_document(doc, parsed, times)
