"""The build: read → clean/segment → near-duplicates → extract (engine) → store → link.

Reading, cleaning and near-duplicate detection run here, one file at a time, so memory stays
flat however large the corpus. Documents gather into a pending set that is extracted by the
engine (in batches, possibly in parallel) and written in one transaction together with the
records of the input files they complete, so a build stopped at any moment and run again
neither loses nor duplicates anything, and a re-run on a grown corpus reads only new or changed
files.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

from . import __version__
from .engine import Engine
from .extract.document import Extraction, StageTimes
from .ingest.documents import documents_from
from .ingest.readers import ReadOptions, detect_format, read_bytes
from .ingest.sources import InputFile, expand_inputs
from .link.dedup import NearDuplicateIndex, from_bytes, signature, to_bytes
from .model import Document, InputProblem, Origin
from .store.ledger import Ledger

# Inputs read by an older reader version are read again, so hygiene fixes reach old corpora.
READER_VERSION = f"{__version__}+r1"
EXTRACTOR_VERSION = f"{__version__}+e1"
STREAMING_FORMATS = ("warc", "jsonl", "csv")  # size limits apply per record, not per file
# News articles run to tens of thousands of characters; a "document" of megabytes is a dump or a
# scraping accident, and parsing it would hold up the whole batch. It is stored and searchable,
# not extracted.
DEFAULT_MAX_EXTRACT_CHARS = 200_000
BATCH_DOCS = 32  # documents per nlp.pipe batch sent to a worker

InputRow = tuple[str, str, int, str]  # path, sha256, documents, reader version


@dataclass
class BuildReport:
    files: int = 0
    unchanged_files: int = 0
    documents_added: int = 0
    already_present: int = 0
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
        if self.near_duplicates:
            parts.append(f"{self.near_duplicates} near-duplicate(s) linked to their canonical copy")
        parts.append(f"{len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}")
        return ", ".join(parts)


ProblemHandler = Callable[[InputProblem], None]


@dataclass
class _Pending:
    """Documents read but not yet extracted and stored, and the inputs they complete."""

    documents: list[tuple[Document, bytes | None]] = field(default_factory=list)
    inputs: list[InputRow] = field(default_factory=list)


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
) -> BuildReport:
    """Read every input named in ``specs`` into ``ledger``; return what happened.

    ``engine`` runs the extraction (default: in this process); it must already be started.
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

    index = NearDuplicateIndex()
    for doc_id, minhash in ledger.canonical_signatures():
        index.add(doc_id, from_bytes(minhash))

    pending = _Pending()
    flush_at = BATCH_DOCS * engine.parallel
    iterator = progress(files) if progress else files
    for file in iterator:  # type: ignore[union-attr]
        report.files += 1
        for item in _read_file(file, ledger, options, index, report, problem, max_extract_chars):
            if isinstance(item, tuple) and isinstance(item[0], Document):
                pending.documents.append(item)  # type: ignore[arg-type]
            else:
                pending.inputs.append(item)  # type: ignore[arg-type]
            if len(pending.documents) >= flush_at:
                _flush(pending, ledger, engine, report, max_extract_chars)
    _flush(pending, ledger, engine, report, max_extract_chars)
    if report.documents_added:  # corpus links are rebuilt from the records when the corpus grows
        from .link.corpus import relink

        with _Timer(report.stage_times, "link"):
            relink(ledger)
    return report


def _read_file(file: InputFile, ledger: Ledger, options: ReadOptions, index: NearDuplicateIndex,
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
        if file.path != "<stdin>" and ledger.input_unchanged(file.path, digest, READER_VERSION):
            report.unchanged_files += 1
            return
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
            if doc.id in seen_here or ledger.has_document(doc.id):
                report.already_present += 1
                continue
            seen_here.add(doc.id)
            minhash = signature(doc.text)
            canonical = index.canonical_for(minhash)
            if canonical:
                doc = replace(doc, duplicate_of=canonical)
                report.near_duplicates += 1
            else:
                index.add(doc.id, minhash)
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
        yield (file.path, digest, len(seen_here), READER_VERSION)


def _flush(pending: _Pending, ledger: Ledger, engine: Engine, report: BuildReport,
           max_extract_chars: int) -> None:
    """Extract the pending documents and store them with the inputs they complete, in one
    transaction."""
    if not pending.documents and not pending.inputs:
        return
    extractable = [d for d, _ in pending.documents if len(d.text) <= max_extract_chars]
    batches = [extractable[i:i + BATCH_DOCS] for i in range(0, len(extractable), BATCH_DOCS)]
    extractions: dict[str, Extraction] = {}
    for results, seconds in engine.map(batches):
        extractions.update((e.doc_id, e) for e in results)
        for stage, value in seconds.items():
            report.stage_times.add(stage, value)
    with _Timer(report.stage_times, "store"):
        report.documents_added += ledger.write_batch(pending.documents, pending.inputs, extractions,
                                                     EXTRACTOR_VERSION)
    pending.documents.clear()
    pending.inputs.clear()
