"""Execution engines for per-document extraction: a map over batches of documents.

Extraction is a pure function of one document, so any engine gives the same records; engines
differ only in where the work runs. Each worker process loads the spaCy model once and parses a
batch with ``nlp.pipe``; results come back in the order the batches were submitted.

* ``local`` with one worker (the default): one worker process parses, the floor no pipeline can
  beat, and sends each parse on serialised (``Doc.to_bytes``, about a millisecond a document each
  way) to a second process, which extracts and embeds; this process reads, cleans and stores. The
  parsing core does nothing else. With none (``--workers 0``), or not started, the engine parses
  and extracts in this process (what tests that watch the extractors need).
* ``local`` with N workers: a pool of N local processes, each parsing, extracting and embedding.
* ``dask``: a Dask cluster, a ``LocalCluster`` of N worker processes when no scheduler address
  is given, or an existing cluster at ``--scheduler ADDRESS``.

The unit of work also embeds what linking will compare of each document
(:mod:`storyledger.link.ahead`), most of linking's cost, so that it is mapped with the rest.

Each document's extraction budget (:mod:`storyledger.extract.guard`) is counted in CPU time where
extraction runs in a process's main thread (local workers, ``--workers 0``, where the thread
embedding the previous batch counts too) and on the clock where it runs in a thread (Dask).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from ..extract.guard import DEFAULT_DOC_SECONDS, ExtractionFailure
from ..model import Document, StageTimes

if TYPE_CHECKING:  # the extractors load spaCy: a build with nothing new to extract never imports them
    from ..extract.document import Extraction
    from ..link.ahead import DocumentVectors

ENGINES = ("local", "dask")


class BatchResult(NamedTuple):
    extractions: list[Extraction | ExtractionFailure]
    seconds: dict[str, float]  # by stage
    vectors: list[DocumentVectors]  # what linking will compare, embedded ahead


def extract_batch(docs: Sequence[Document], doc_seconds: float | None = DEFAULT_DOC_SECONDS) -> BatchResult:
    """The unit of work an engine runs: parse and extract one batch, with stage timings, and
    embed what linking will compare. A document that fails comes back as its
    :class:`ExtractionFailure`."""
    return embed_batch(_extract(docs, doc_seconds))


def _extract(docs: Sequence[Document], doc_seconds: float | None) -> BatchResult:
    from ..extract.document import extract_documents

    times = StageTimes()
    extractions = list(extract_documents(docs, times, doc_seconds=doc_seconds))
    return BatchResult(extractions, times.seconds, [])


class ParsedBatch(NamedTuple):
    parses: list[bytes | ExtractionFailure]  # each document's parse, ``Doc.to_bytes``
    seconds: dict[str, float]


# The tensor (the tagger's token vectors) is most of a serialised Doc and no extractor reads it.
_NOT_SENT = ("tensor",)


def parse_batch(docs: Sequence[Document], doc_seconds: float | None = DEFAULT_DOC_SECONDS) -> ParsedBatch:
    """The parsing worker's unit of work: each document's parse, serialised to send back."""
    from ..extract.document import parse_documents

    times = StageTimes()
    parses = list(parse_documents(docs, times, doc_seconds=doc_seconds))
    start = time.perf_counter()
    sent = [p if isinstance(p, ExtractionFailure) else p.to_bytes(exclude=_NOT_SENT) for p in parses]
    times.add("transfer", time.perf_counter() - start)
    return ParsedBatch(sent, times.seconds)


def extract_parsed_batch(docs: Sequence[Document], parsed: ParsedBatch,
                         doc_seconds: float | None = DEFAULT_DOC_SECONDS) -> BatchResult:
    """Extract from the parses a :func:`parse_batch` sent, then embed what linking will compare."""
    from spacy.tokens import Doc

    from ..extract.document import extract_parsed
    from ..extract.nlp import load_nlp

    times = StageTimes()
    for stage, seconds in parsed.seconds.items():
        times.add(stage, seconds)
    vocab = load_nlp().vocab  # the same model as the worker's: its strings and lexical attributes
    start = time.perf_counter()
    parses = [p if isinstance(p, ExtractionFailure) else Doc(vocab).from_bytes(p, exclude=_NOT_SENT)
              for p in parsed.parses]
    times.add("transfer", time.perf_counter() - start)
    extractions = list(extract_parsed(docs, parses, times, doc_seconds=doc_seconds))
    return embed_batch(BatchResult(extractions, times.seconds, []))


def embed_batch(extracted: BatchResult) -> BatchResult:
    """``extracted`` with the vectors linking will need from each document. A document whose
    texts cannot be embedded here goes without: linking embeds what it lacks."""
    from ..link.ahead import batch_vectors

    start = time.perf_counter()
    vectors = []
    extracted_ok = [e for e in extracted.extractions if not isinstance(e, ExtractionFailure)]
    for extraction, embedded in zip(extracted_ok, batch_vectors(extracted_ok), strict=True):
        if isinstance(embedded, Exception):
            print(f"storyledger: document {extraction.doc_id}: not embedded ahead ({embedded}); "
                  "linking will embed it", file=sys.stderr)
        else:
            vectors.append(embedded)
    seconds = dict(extracted.seconds)
    seconds["embed"] = seconds.get("embed", 0.0) + time.perf_counter() - start
    return BatchResult(extracted.extractions, seconds, vectors)


def _exit_with_parent(parent: int) -> None:
    """A local worker's initialiser: end the worker when the process that started it is gone. A
    build killed outright (SIGKILL, the OOM killer) runs no clean-up, and its workers, waiting
    for their next batch, would otherwise live on with a model in memory each."""
    import threading

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="storyledger-parent-watch", daemon=True).start()


@dataclass
class Engine:
    """Runs :func:`extract_batch` on batches submitted one by one."""

    kind: str = "local"
    workers: int = 1
    scheduler: str | None = None
    doc_seconds: float | None = DEFAULT_DOC_SECONDS  # each document's extraction budget

    def __post_init__(self) -> None:
        if self.kind not in ENGINES:
            raise ValueError(f"unknown engine {self.kind!r}; choose one of {', '.join(ENGINES)}")
        self._pool: ProcessPoolExecutor | None = None
        self._client: Any = None
        self._cluster: Any = None
        self._beside: ThreadPoolExecutor | None = None  # --workers 0: embeds beside the extraction
        self._extractor: ProcessPoolExecutor | None = None  # one worker: extracts beside the parse

    def start(self) -> Engine:
        if self.kind == "local" and self.workers >= 1:
            # fork shares the already-imported libraries; each child loads the model once.
            context = multiprocessing.get_context("fork")
            watch = {"initializer": _exit_with_parent, "initargs": (os.getpid(),)}
            self._pool = ProcessPoolExecutor(self.workers, mp_context=context, **watch)
            if self.workers == 1:
                # The parsing worker sends each parse to a second process, which extracts and
                # embeds, so the parse has a core to itself. Extraction runs in that process's main
                # thread, where the per-document budget can interrupt any call (a thread's cannot).
                self._extractor = ProcessPoolExecutor(1, mp_context=context, **watch)
                # both processes forked now, from this thread, before the build starts threads
                for pool in (self._pool, self._extractor):
                    pool.submit(int).result()
        elif self.kind == "dask":
            from dask.distributed import Client, LocalCluster

            if self.scheduler:
                self._client = Client(self.scheduler)
            else:
                self._cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1,
                                             processes=True, dashboard_address=None)
                self._client = Client(self._cluster)
        return self

    def close(self) -> None:
        if self._beside is not None:
            self._beside.shutdown()
        for pool in (self._pool, self._extractor):
            if pool is not None:
                pool.shutdown()
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        self._pool = self._client = self._cluster = self._beside = self._extractor = None

    def __enter__(self) -> Engine:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def parallel(self) -> int:
        """How many batches to keep in flight: enough that no worker waits while the main
        process reads the next files or stores finished batches (one, extracting in this
        process)."""
        return max(1, self.workers) * 2 if self._pool is not None or self._client is not None else 1

    def _parse_then_extract(self, docs: list[Document]) -> Future[BatchResult]:
        """:func:`parse_batch` on the parsing worker, then :func:`extract_parsed_batch` on the
        extracting one, as one future."""
        assert self._pool is not None and self._extractor is not None
        extractor, doc_seconds = self._extractor, self.doc_seconds
        result: Future[BatchResult] = Future()

        def extracted(done: Future[BatchResult]) -> None:
            error = done.exception()
            if error is not None:
                result.set_exception(error)
            else:
                result.set_result(done.result())

        def parsed(done: Future[ParsedBatch]) -> None:
            try:
                extractor.submit(extract_parsed_batch, docs, done.result(), doc_seconds).add_done_callback(extracted)
            except BaseException as error:  # noqa: BLE001 — a failed parse or submission is the batch's result
                result.set_exception(error)

        self._pool.submit(parse_batch, docs, doc_seconds).add_done_callback(parsed)
        return result

    def map(self, fn: Callable[..., Any], arguments: list[tuple]) -> list[Any]:
        """``fn`` applied to each tuple of ``arguments`` where this engine runs its work (linking's
        blocks), the results in order. ``fn`` must be a module-level function."""
        if self._pool is not None and self.workers > 1:
            return list(self._pool.map(fn, *zip(*arguments, strict=True))) if arguments else []
        if self._client is not None:
            return self._client.gather([self._client.submit(fn, *args, pure=False) for args in arguments])
        return [fn(*args) for args in arguments]

    def submit(self, docs: Sequence[Document]) -> Any:
        """Start :func:`extract_batch` on ``docs``; the returned handle's ``result()`` gives its
        records and stage timings."""
        if self._pool is not None and self.workers > 1:
            return self._pool.submit(extract_batch, list(docs), self.doc_seconds)
        if self._client is not None:
            return self._client.submit(extract_batch, list(docs), self.doc_seconds, pure=False)
        if self._extractor is not None:  # one worker: it parses the next batch while this one is extracted
            return self._parse_then_extract(list(docs))
        if self._beside is None:
            self._beside = ThreadPoolExecutor(1, thread_name_prefix="storyledger-embed")
        return self._beside.submit(embed_batch, _extract(docs, self.doc_seconds))
