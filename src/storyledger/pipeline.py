"""The build: read → clean/segment → near-duplicates → extract (engine) → store → link.

Reading, cleaning and near-duplicate detection run here, one file at a time, so memory stays
flat however large the corpus. Documents gather into batches that the engine extracts (in
parallel, while this process reads on); each batch is written, in the order read, in one
transaction together with the records of the input files it completes, so a build stopped at
any moment and run again neither loses nor duplicates anything, and a re-run on a grown corpus
reads only new or changed files.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from . import __version__
from .engine import Engine
from .extract.guard import ExtractionFailure
from .ingest.documents import documents_from
from .ingest.readers import ReadOptions, detect_format, read_bytes
from .ingest.sources import InputFile, expand_inputs
from .model import Document, InputProblem, Origin, StageTimes
from .resources import active_profile
from .store.ledger import Ledger
from .store.metadata import apply_corrections

if TYPE_CHECKING:  # the extractors load spaCy: a re-run with nothing new never imports them
    from .extract.document import Extraction

# Inputs read by an older reader version are read again, so hygiene fixes reach old corpora.
READER_VERSION = f"{__version__}+r2"
EXTRACTOR_VERSION = f"{__version__}+e2"
STREAMING_FORMATS = ("warc", "jsonl", "csv")  # size limits apply per record, not per file
# News articles run to tens of thousands of characters; a "document" of megabytes is a dump or a
# scraping accident, and parsing it would hold up the whole batch. It is stored and searchable,
# not extracted.
DEFAULT_MAX_EXTRACT_CHARS = 200_000
BATCH_DOCS = 32  # documents per batch sent to a worker (and per nlp.pipe call)

InputRow = tuple[str, str, int, str]  # path, sha256, documents, reader key


def reader_key(options: ReadOptions) -> str:
    """What an input was read with: the reader version and every option that changes what it
    yields (the field map, format, date order, encoding, and the profile's taglines and aliases).
    A file read with other options is read again: `--date-order DMY` after a first build without
    it must reach the documents."""
    settings = {"map": options.field_map, "format": options.force_format, "dates": options.date_order,
                "encoding": options.encoding, "profile": active_profile()}
    digest = hashlib.sha1(json.dumps(settings, sort_keys=True, default=str).encode()).hexdigest()[:12]
    return f"{READER_VERSION}:{digest}"


@dataclass
class BuildReport:
    files: int = 0
    unchanged_files: int = 0
    documents_added: int = 0
    already_present: int = 0
    identical_records: int = 0  # records of a stored text under another id, file or row: kept with it
    documents_corrected: int = 0  # documents whose metadata changed (records, sidecar) or re-extracted
    near_duplicates: int = 0
    problems: list[InputProblem] = field(default_factory=list)
    stage_times: StageTimes = field(default_factory=StageTimes)

    def summary(self) -> str:
        parts = [
            f"{self.files} input{'s' if self.files != 1 else ''} read",
            f"{self.documents_added} document{'s' if self.documents_added != 1 else ''} added",
        ]
        if self.unchanged_files:
            parts.append(f"{self.unchanged_files} unchanged input(s) skipped")
        if self.already_present:
            parts.append(f"{self.already_present} already in the ledger")
        if self.identical_records:
            parts.append(f"{self.identical_records} record(s) identical to an existing document "
                         "(their ids and metadata kept with it)")
        if self.documents_corrected:
            parts.append(f"{self.documents_corrected} document(s) with corrected metadata")
        if self.near_duplicates:
            parts.append(f"{self.near_duplicates} near-duplicate(s) linked to their canonical copy")
        parts.append(f"{len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}")
        return ", ".join(parts)


ProblemHandler = Callable[[InputProblem], None]


@dataclass
class _Batch:
    """Documents read but not yet stored, the inputs they complete, and their extraction."""

    documents: list[tuple[Document, bytes | None]] = field(default_factory=list)
    inputs: list[InputRow] = field(default_factory=list)
    extraction: Any = None  # the engine's handle, once submitted


class _Timer:
    def __init__(self, times: StageTimes, stage: str) -> None:
        self.times, self.stage = times, stage

    def __enter__(self) -> None:
        self.start = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.times.add(self.stage, time.perf_counter() - self.start)


def build(
    specs: list[str],
    ledger: Ledger,
    options: ReadOptions | None = None,
    *,
    on_problem: ProblemHandler | None = None,
    progress: Callable[[list[InputFile]], object] | None = None,
    max_extract_chars: int = DEFAULT_MAX_EXTRACT_CHARS,
    engine: Engine | None = None,
    metadata: str | None = None,
) -> BuildReport:
    """Read every input named in ``specs`` into ``ledger``; return what happened.

    ``engine`` runs the extraction (default: in this process); it must already be started.
    ``metadata`` is a sidecar CSV of corrections (store/metadata.py), applied on every build.
    """
    options = options or ReadOptions()
    engine = engine or Engine()
    report = BuildReport()

    def problem(item: InputProblem) -> None:
        report.problems.append(item)
        if on_problem:
            on_problem(item)

    files: list[InputFile] = []
    for item in expand_inputs(specs):
        if isinstance(item, InputProblem):
            problem(item)
        else:
            files.append(item)

    copies = _KnownCopies(ledger)

    batches = _Batches(ledger, engine, report, max_extract_chars, problem)
    iterator = progress(files) if progress else files
    for file in iterator:  # type: ignore[union-attr]
        report.files += 1
        for item in _read_file(file, ledger, batches.unstored, options, copies, report, problem, max_extract_chars):
            batches.add(item)
    batches.finish()
    # Records of texts already stored, the metadata sidecar, re-extraction of re-dated documents.
    report.documents_corrected = apply_corrections(ledger, engine, metadata, problem,
                                                   max_extract_chars=max_extract_chars,
                                                   extractor_version=EXTRACTOR_VERSION)
    if report.documents_added or report.documents_corrected:  # links are rebuilt from the records
        from .link.corpus import relink

        with _Timer(report.stage_times, "link"):
            relink(ledger, mapper=engine.map)  # the neighbour search's blocks on the engine's workers
    return report


class _KnownCopies:
    """The near-duplicate index of the ledger's canonical documents, loaded when the first new
    document needs it: a re-run that finds nothing new neither reads the signatures nor imports
    the MinHash library."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self._index: Any = None

    def index(self) -> Any:
        if self._index is None:
            from .ingest.near_duplicates import NearDuplicateIndex, from_bytes

            self._index = NearDuplicateIndex()
            for doc_id, minhash in self.ledger.canonical_signatures():
                self._index.add(doc_id, from_bytes(minhash))
        return self._index


def _read_file(file: InputFile, ledger: Ledger, unstored: set[str], options: ReadOptions, copies: _KnownCopies,
               report: BuildReport, problem: ProblemHandler,
               max_extract_chars: int) -> Iterator[tuple[Document, bytes | None] | InputRow]:
    """The new documents of one input (with their MinHash signatures), then its input row."""
    times = report.stage_times
    origin = Origin(file.path)
    with _Timer(times, "read"):
        try:
            size = file.size()
            fmt = options.force_format or detect_format(file.path, b"")
            if size is not None and size > options.max_bytes and fmt not in STREAMING_FORMATS:
                mb = options.max_bytes / 1048576
                problem(InputProblem(origin, f"{size / 1048576:.1f} MB, over the size limit of {mb:.0f} MB",
                                     "raise the limit with --max-file-mb, or split the file"))
                return
            data = file.read()
        except OSError as error:
            problem(InputProblem(origin, f"cannot read ({error.strerror or error})", "check permissions"))
            return
        digest = hashlib.sha256(data).hexdigest()
        if file.path != "<stdin>" and ledger.input_unchanged(file.path, digest, reader_key(options)):
            report.unchanged_files += 1
            return
    from .ingest.near_duplicates import signature, to_bytes

    seen_here: set[str] = set()
    start = time.perf_counter()
    for raw in read_bytes(data, origin, options):
        if isinstance(raw, InputProblem):
            problem(raw)
            continue
        for doc in documents_from(raw):
            if isinstance(doc, InputProblem):
                problem(doc)
                continue
            if doc.id in seen_here or doc.id in unstored or ledger.has_document(doc.id):
                report.already_present += 1
                if ledger.keep_record(doc):  # its id and metadata are kept with the stored text
                    report.identical_records += 1
                continue
            seen_here.add(doc.id)
            minhash = signature(doc.text)
            canonical = copies.index().canonical_for(minhash)
            if canonical:
                doc = replace(doc, duplicate_of=canonical)
                report.near_duplicates += 1
            else:
                copies.index().add(doc.id, minhash)
            if len(doc.text) > max_extract_chars:
                problem(InputProblem(
                    Origin(doc.path, doc.record),
                    f"{len(doc.text):,} characters, too long to extract claims from (limit {max_extract_chars:,})",
                    "it is stored and searchable; raise --max-doc-chars to extract it",
                    skipped=False,
                ))
            times.add("clean", time.perf_counter() - start)
            yield doc, to_bytes(minhash)
            start = time.perf_counter()
    times.add("clean", time.perf_counter() - start)
    if file.path != "<stdin>":
        yield (file.path, digest, len(seen_here), reader_key(options))


class _Batches:
    """Cuts the documents read into batches, keeps up to ``engine.parallel`` of them extracting,
    and stores finished ones in the order they were read."""

    def __init__(self, ledger: Ledger, engine: Engine, report: BuildReport, max_extract_chars: int,
                 problem: ProblemHandler) -> None:
        self.ledger, self.engine, self.report, self.problem = ledger, engine, report, problem
        self.max_extract_chars = max_extract_chars
        self.pending = _Batch()
        self.in_flight: deque[_Batch] = deque()
        self.unstored: set[str] = set()  # ids of the documents read but not yet stored

    def add(self, item: tuple[Document, bytes | None] | InputRow) -> None:
        if isinstance(item[0], Document):
            self.pending.documents.append(item)  # type: ignore[arg-type]
            self.unstored.add(item[0].id)
            if len(self.pending.documents) >= BATCH_DOCS:
                self._submit()
        else:
            self.pending.inputs.append(item)  # type: ignore[arg-type]

    def finish(self) -> None:
        if self.pending.documents or self.pending.inputs:
            self._submit()
        while self.in_flight:
            self._store(self.in_flight.popleft())

    def _submit(self) -> None:
        batch, self.pending = self.pending, _Batch()
        extractable = [d for d, _ in batch.documents if len(d.text) <= self.max_extract_chars]
        batch.extraction = self.engine.submit(extractable) if extractable else None
        self.in_flight.append(batch)
        while len(self.in_flight) > self.engine.parallel:
            self._store(self.in_flight.popleft())

    def _store(self, batch: _Batch) -> None:
        extractions: dict[str, Extraction | ExtractionFailure] = {}
        vectors: list = []
        if batch.extraction is not None:
            results, seconds, vectors = batch.extraction.result()
            extractions = {e.doc_id: e for e in results}
            for stage, value in seconds.items():
                self.report.stage_times.add(stage, value)
        for doc, _ in batch.documents:
            failure = extractions.get(doc.id)
            if isinstance(failure, ExtractionFailure):
                self.problem(InputProblem(
                    Origin(doc.path, doc.record), failure.describe(),
                    "the document is stored and searchable without claims; `storyledger check` lists it",
                    skipped=False,
                ))
        with _Timer(self.report.stage_times, "store"):
            self.report.documents_added += self.ledger.write_batch(batch.documents, batch.inputs, extractions,
                                                                   EXTRACTOR_VERSION, vectors)
        self.unstored.difference_update(d.id for d, _ in batch.documents)
