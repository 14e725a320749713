"""The build: read → clean/segment → near-duplicates → store, one input file at a time.

Each file's documents are written in one transaction together with the record that the file was
read, so a build stopped at any moment and run again neither loses nor duplicates anything, and
a re-run on a grown corpus reads only files that are new or changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from . import __version__
from .extract.document import StageTimes, extract_documents
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


def build(
    specs: list[str],
    ledger: Ledger,
    options: ReadOptions | None = None,
    *,
    on_problem: ProblemHandler | None = None,
    progress: Callable[[list[InputFile]], object] | None = None,
    max_extract_chars: int = DEFAULT_MAX_EXTRACT_CHARS,
) -> BuildReport:
    """Read every input named in ``specs`` into ``ledger``; return what happened."""
    options = options or ReadOptions()
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

    iterator = progress(files) if progress else files
    for file in iterator:  # type: ignore[union-attr]
        report.files += 1
        _build_file(file, ledger, options, index, report, problem, max_extract_chars)
    return report


def _build_file(file: InputFile, ledger: Ledger, options: ReadOptions, index: NearDuplicateIndex,
                report: BuildReport, problem: ProblemHandler, max_extract_chars: int) -> None:
    origin = Origin(file.path)
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
    batch: list[tuple[Document, bytes | None]] = []
    seen_here: set[str] = set()
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
            batch.append((doc, to_bytes(minhash)))
            if len(doc.text) > max_extract_chars:
                problem(InputProblem(
                    Origin(doc.path, doc.record),
                    f"{len(doc.text):,} characters, too long to extract claims from (limit {max_extract_chars:,})",
                    "it is stored and searchable; raise --max-doc-chars to extract it",
                    skipped=False,
                ))
            if len(batch) >= 200:  # bounded memory on huge WARC and JSONL files
                _write(ledger, batch, [], report, max_extract_chars)
                batch.clear()
    inputs = [] if file.path == "<stdin>" else [(file.path, digest, len(seen_here), READER_VERSION)]
    _write(ledger, batch, inputs, report, max_extract_chars)


def _write(ledger: Ledger, batch: list[tuple[Document, bytes | None]],
           inputs: list[tuple[str, str, int, str]], report: BuildReport, max_extract_chars: int) -> None:
    """Extract from the batch's documents and store them, all in one transaction."""
    extractable = (d for d, _ in batch if len(d.text) <= max_extract_chars)
    extractions = {e.doc_id: e for e in extract_documents(extractable, report.stage_times)}
    report.documents_added += ledger.write_batch(batch, inputs, extractions, EXTRACTOR_VERSION)
