"""`storyledger bench`: throughput against the spaCy floor, Dask scaling, and memory growth.

Measured side by side in one run, because the machines are noisy: ratios mean more than
seconds. The floor is spaCy's parse alone over the same cleaned texts: no pipeline built on it
can be faster.
"""

from __future__ import annotations

import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from ..engine import Engine
from ..extract.nlp import load_nlp
from ..ingest.documents import documents_from
from ..ingest.readers import ReadOptions, read_bytes
from ..ingest.sources import InputFile, expand_inputs
from ..model import Document, Origin, RawArticle
from ..pipeline import BATCH_DOCS, build
from ..store.ledger import Ledger


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def corpus_documents(corpus: str, options: ReadOptions | None = None, limit: int | None = None) -> list[Document]:
    """The cleaned documents of a corpus, as the build would see them."""
    options = options or ReadOptions()
    docs: list[Document] = []
    for item in expand_inputs([corpus]):
        if not isinstance(item, InputFile):
            continue
        for raw in read_bytes(item.read(), Origin(item.path), options):
            if isinstance(raw, RawArticle):
                docs.extend(d for d in documents_from(raw) if isinstance(d, Document))
        if limit and len(docs) >= limit:
            return docs[:limit]
    return docs


def _words(docs: list[Document]) -> int:
    return sum(len(d.text.split()) for d in docs)


def _timed_build(corpus: str, engine: Engine, options: ReadOptions) -> tuple[float, dict[str, float], int]:
    with tempfile.TemporaryDirectory() as tmp, Ledger(Path(tmp) / "bench.db") as ledger:
        start = time.perf_counter()
        report = build([corpus], ledger, options, engine=engine)
        seconds = time.perf_counter() - start
    return seconds, dict(report.stage_times.seconds), report.documents_added


def throughput(corpus: str, options: ReadOptions | None = None) -> dict[str, Any]:
    """(a) the spaCy parse alone and (b) the full build, on the same documents, in this process."""
    options = options or ReadOptions()
    nlp = load_nlp()  # loaded before either clock starts
    nlp("warm up")
    docs = corpus_documents(corpus, options)
    words = _words(docs)
    start = time.perf_counter()
    for _ in nlp.pipe((d.text for d in docs), batch_size=BATCH_DOCS):
        pass
    parse_seconds = time.perf_counter() - start
    with Engine() as engine:
        build_seconds, stages, added = _timed_build(corpus, engine, options)
    return {
        "documents": len(docs),
        "documents_built": added,
        "words": words,
        "parse_only": {"seconds": round(parse_seconds, 3), "words_per_second": round(words / parse_seconds)},
        "full_build": {"seconds": round(build_seconds, 3), "words_per_second": round(words / build_seconds)},
        "ratio_full_to_parse": round(parse_seconds / build_seconds, 3),
        "stages_seconds": {k: round(v, 3) for k, v in sorted(stages.items(), key=lambda kv: -kv[1])},
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def dask_scaling(corpus: str, workers: tuple[int, ...] = (1, 2), options: ReadOptions | None = None) -> dict[str, Any]:
    """The full build on a Dask LocalCluster of each size; cluster start-up is timed apart."""
    options = options or ReadOptions()
    runs = {}
    for n in workers:
        start = time.perf_counter()
        engine = Engine("dask", n).start()
        startup = time.perf_counter() - start
        try:
            seconds, _, added = _timed_build(corpus, engine, options)
        finally:
            engine.close()
        runs[str(n)] = {"workers": n, "seconds": round(seconds, 3), "startup_seconds": round(startup, 3),
                        "documents": added}
    base = runs[str(workers[0])]["seconds"]
    for run in runs.values():
        run["speedup"] = round(base / run["seconds"], 3)
    return {"dask": runs}


GROWN_OFFSET = 97  # each round borrows from documents this much further along, so no mix repeats


def _write_grown_corpus(docs: list[Document], count: int, folder: Path) -> None:
    """``count`` article files made from the corpus's documents. The first round is the corpus
    as it is. In each later round, every document has every other paragraph replaced by body
    paragraphs of other documents (taken in turn from a document further along each round):
    about half its word shingles are new, so it is a new document to the near-duplicate index,
    and linking (which skips copies) really works on ``count`` documents."""
    folder.mkdir(parents=True, exist_ok=True)
    n = len(docs)
    for i in range(count):
        round_, base = i // n, docs[i % n]
        paragraphs = base.text.split("\n\n")
        if round_:
            start = (i + GROWN_OFFSET * round_) % n
            others = (p for d in itertools.chain(docs[start:], docs[:start]) if d is not base
                      for p in d.text.split("\n\n")[1:])  # body paragraphs: one headline per document
            paragraphs = [next(others) if k % 2 else p for k, p in enumerate(paragraphs)]
            if len(paragraphs) == 1:
                paragraphs.append(next(others))
        (folder / f"{i:06d}.txt").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")


def memory_growth(corpus: str, sizes: tuple[int, ...] = (1000, 5000),
                  options: ReadOptions | None = None) -> dict[str, Any]:
    """Peak RSS of a full build (in a fresh process each) as the corpus grows."""
    docs = corpus_documents(corpus, options)
    runs = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            folder = Path(tmp) / f"corpus-{size}"
            _write_grown_corpus(docs, size, folder)
            code = (
                "import json, sys, time\n"
                "from storyledger.eval.bench import peak_rss_mb\n"
                "from storyledger.pipeline import build\n"
                "from storyledger.store.ledger import Ledger\n"
                "start = time.perf_counter()\n"
                "with Ledger(sys.argv[2]) as ledger:\n"
                "    report = build([sys.argv[1]], ledger)\n"
                "print(json.dumps({'documents': report.documents_added, 'seconds': time.perf_counter() - start,"
                " 'peak_rss_mb': peak_rss_mb()}))\n"
            )
            out = subprocess.run([sys.executable, "-c", code, str(folder), str(Path(tmp) / f"{size}.db")],
                                 check=True, capture_output=True, text=True, env={**os.environ})
            runs[str(size)] = json.loads(out.stdout.strip().splitlines()[-1])
    first, last = runs[str(sizes[0])]["peak_rss_mb"], runs[str(sizes[-1])]["peak_rss_mb"]
    return {"memory": runs, "rss_growth_percent": round(100 * (last - first) / first, 1),
            "how": (f"the {len(docs)} documents of the corpus, then rounds of them with every other paragraph "
                    "replaced by other documents' paragraphs (new documents, not near-duplicates)")}


def render(result: dict[str, Any]) -> str:
    """The results as a short report for a terminal."""
    lines = [f"corpus: {result['corpus']}"]
    if "throughput" in result:
        t = result["throughput"]
        lines += [
            f"throughput: {t['documents_built']:,} documents, {t['words']:,} words",
            f"  {'':<12}{'seconds':>10}{'words/s':>10}",
            *(f"  {label:<12}{t[key]['seconds']:>10.1f}{t[key]['words_per_second']:>10,}"
              for label, key in (("parse only", "parse_only"), ("full build", "full_build"))),
            f"  ratio of throughputs (full / parse): {t['ratio_full_to_parse']:.3f}",
            f"  peak RSS: {t['peak_rss_mb']:,.0f} MiB",
            "  seconds per stage: " + ", ".join(f"{k} {v:.1f}" for k, v in t["stages_seconds"].items()),
        ]
    if "dask" in result:
        lines.append("dask:")
        lines += [f"  {r['workers']} worker(s): {r['seconds']:.1f} s (cluster start {r['startup_seconds']:.1f} s), "
                  f"{r['documents']:,} documents, speed-up {r['speedup']:.2f}x" for r in result["dask"].values()]
    if "memory" in result:
        lines.append(f"memory ({result['how']}):")
        lines += [f"  {size} documents: peak RSS {r['peak_rss_mb']:,.0f} MiB, {r['seconds']:.0f} s, "
                  f"{r['documents']:,} built" for size, r in result["memory"].items()]
        lines.append(f"  growth: {result['rss_growth_percent']:+.1f} %")
    return "\n".join(lines)
