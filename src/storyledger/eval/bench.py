"""`storyledger bench`: throughput against the spaCy floor, Dask scaling, memory growth, and the
web app's latency under a bounded load.

Measured side by side in one run, because the machines are noisy: ratios mean more than
seconds. The floor is spaCy's parse alone over the same cleaned texts: no pipeline built on it
can be faster.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
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


def cpu_seconds() -> float:
    """CPU time used so far by this process and its finished children (the build's worker
    processes count once the engine has closed them)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _timed_build(corpus: str, engine: Engine, options: ReadOptions) -> tuple[float, dict[str, float], int]:
    with tempfile.TemporaryDirectory() as tmp, Ledger(Path(tmp) / "bench.db") as ledger:
        start = time.perf_counter()
        report = build([corpus], ledger, options, engine=engine)
        seconds = time.perf_counter() - start
    return seconds, dict(report.stage_times.seconds), report.documents_added


def throughput(corpus: str, options: ReadOptions | None = None) -> dict[str, Any]:
    """(a) the spaCy parse alone and (b) the full build, on the same documents, each timed on the
    clock and in CPU seconds: the parse alone runs on one core, the build parses in one worker
    process and does the rest beside it, on another."""
    options = options or ReadOptions()
    nlp = load_nlp()  # loaded before either clock starts
    nlp("warm up")
    docs = corpus_documents(corpus, options)
    words = _words(docs)
    start, cpu_start = time.perf_counter(), cpu_seconds()
    for _ in nlp.pipe((d.text for d in docs), batch_size=BATCH_DOCS):
        pass
    parse_seconds, parse_cpu = time.perf_counter() - start, cpu_seconds() - cpu_start
    cpu_start = cpu_seconds()
    with Engine() as engine:
        build_seconds, stages, added = _timed_build(corpus, engine, options)
    build_cpu = cpu_seconds() - cpu_start
    return {
        "documents": len(docs),
        "documents_built": added,
        "words": words,
        "parse_only": {"seconds": round(parse_seconds, 3), "words_per_second": round(words / parse_seconds),
                       "cpu_seconds": round(parse_cpu, 3)},
        "full_build": {"seconds": round(build_seconds, 3), "words_per_second": round(words / build_seconds),
                       "cpu_seconds": round(build_cpu, 3)},
        "ratio_full_to_parse": round(parse_seconds / build_seconds, 3),
        "stages_seconds": {k: round(v, 3) for k, v in sorted(stages.items(), key=lambda kv: -kv[1])},
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "worker_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
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
                "link = report.stage_times.seconds.get('link', 0.0)\n"
                "print(json.dumps({'documents': report.documents_added, 'seconds': time.perf_counter() - start,"
                " 'peak_rss_mb': peak_rss_mb(), 'link_seconds': round(link, 3),"
                " 'link_ms_per_document': round(1000 * link / max(report.documents_added, 1), 3)}))\n"
            )
            out = subprocess.run([sys.executable, "-c", code, str(folder), str(Path(tmp) / f"{size}.db")],
                                 check=True, capture_output=True, text=True, env={**os.environ})
            runs[str(size)] = json.loads(out.stdout.strip().splitlines()[-1])
    first, last = runs[str(sizes[0])]["peak_rss_mb"], runs[str(sizes[-1])]["peak_rss_mb"]
    link_first, link_last = (runs[str(n)]["link_ms_per_document"] for n in (sizes[0], sizes[-1]))
    return {"memory": runs, "rss_growth_percent": round(100 * (last - first) / first, 1),
            "link_per_document_growth_percent": round(100 * (link_last - link_first) / link_first, 1)
            if link_first else None,
            "how": (f"the {len(docs)} documents of the corpus, then rounds of them with every other paragraph "
                    "replaced by other documents' paragraphs (new documents, not near-duplicates)")}


def rerun(corpus: str, field_map: str | None = None) -> dict[str, Any]:
    """A first build and an unchanged re-run of ``corpus``, each a fresh `storyledger build`
    process (imports included, as a user runs it), into a temporary ledger."""
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-m", "storyledger", "build", corpus, "--db", str(Path(tmp) / "rerun.db"), "-q",
                   *(["--map", field_map] if field_map else [])]
        seconds = []
        for _ in range(2):
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, text=True)
            seconds.append(time.perf_counter() - start)
    return {"rerun": {"first_build_seconds": round(seconds[0], 3), "rerun_seconds": round(seconds[1], 3),
                      "speedup": round(seconds[0] / seconds[1], 1)}}


def _propositions_of(ledger: Ledger, count: int) -> list[str]:
    """``count`` propositions to track: the first claims of documents spread over the ledger (a
    claim the corpus makes is a proposition someone would follow)."""
    rows = ledger.db.execute(
        "SELECT c.proposition FROM claims c JOIN documents d ON d.id = c.doc_id AND d.duplicate_of IS NULL "
        "WHERE length(c.proposition) BETWEEN 40 AND 160 GROUP BY c.doc_id HAVING c.start = MIN(c.start) "
        "ORDER BY d.seq").fetchall()
    step = max(len(rows) // max(count, 1), 1)
    return [r[0] for r in rows[::step][:count]]


def tracking(corpus: str | None = None, db_path: str | None = None, options: ReadOptions | None = None
             ) -> dict[str, Any]:
    """How long `storyledger track` takes to answer a proposition on a built ledger: the first
    call (a relink that embeds every claim), a new proposition once the claims' embeddings are
    cached (it embeds the proposition and the sentences of documents not read before), and the
    same proposition asked of a ledger holding its embeddings (in this process, and as a fresh
    `storyledger track` process, imports included). Works on a copy of ``db_path`` or on a ledger
    built from ``corpus``."""
    import shutil

    from ..link.corpus import relink
    from ..link.embeddings import embed
    from ..link.stance import default_model
    from ..link.tracking import track_propositions

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base.db"
        built_seconds = None
        if db_path:
            shutil.copy(db_path, base)
        else:
            if corpus is None:
                raise ValueError("the track mode needs --corpus or --db")
            start = time.perf_counter()
            with Ledger(base) as ledger:
                build([corpus], ledger, options or ReadOptions())
            built_seconds = time.perf_counter() - start
        model = default_model()
        embed(["warm up"])  # the embedding model loaded before any clock starts
        with Ledger(base) as ledger:
            relink(ledger, stance_model=model)  # the links of this code, with no followed thread
            first, new, asked = _propositions_of(ledger, 3)
            documents = ledger.db.execute("SELECT COUNT(*) FROM documents WHERE duplicate_of IS NULL").fetchone()[0]
            claims = ledger.db.execute("SELECT COUNT(*) FROM claims").fetchone()[0]
        cold = Path(tmp) / "cold.db"
        shutil.copy(base, cold)

        def timed_track(path: Path, proposition: str) -> float:
            start = time.perf_counter()
            with Ledger(path) as ledger:
                track_propositions(ledger, [proposition], stance_model=model)
            return time.perf_counter() - start

        first_seconds = timed_track(base, first)  # embeds every claim
        new_seconds = timed_track(base, new)
        # `asked` once on a copy, so that its embeddings are cached; then asked again of the
        # ledger as it was before (its links current) with those embeddings copied in
        warm = Path(tmp) / "warm.db"
        shutil.copy(base, warm)
        timed_track(warm, asked)
        shutil.copy(base, cold)
        with Ledger(cold) as ledger, ledger.transaction() as db:
            db.execute("ATTACH DATABASE ? AS warm", (str(warm),))
            db.execute("INSERT OR IGNORE INTO text_embeddings SELECT * FROM warm.text_embeddings")
        for suffix in ("", "-wal", "-shm"):
            if Path(f"{cold}{suffix}").exists():
                shutil.copy(f"{cold}{suffix}", f"{cold}.cli{suffix}")
        cached_seconds = timed_track(cold, asked)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "storyledger", "track", asked, "--db", f"{cold}.cli"], check=True,
                       capture_output=True, text=True)
        process_seconds = time.perf_counter() - start
    return {"track": {
        "documents": documents, "claims": claims,
        "build_seconds": round(built_seconds, 1) if built_seconds is not None else None,
        "first_track_seconds": round(first_seconds, 3), "new_proposition_seconds": round(new_seconds, 3),
        "cached_proposition_seconds": round(cached_seconds, 3),
        "cached_proposition_process_seconds": round(process_seconds, 3),
        "propositions": {"first": first, "new": new, "cached": asked},
    }}


def render(result: dict[str, Any]) -> str:
    """The results as a short report for a terminal."""
    lines = [f"corpus: {result['corpus']}"] if result.get("corpus") else []
    if "throughput" in result:
        t = result["throughput"]
        lines += [
            f"throughput: {t['documents_built']:,} documents, {t['words']:,} words",
            f"  {'':<12}{'seconds':>10}{'words/s':>10}{'CPU s':>10}",
            *(f"  {label:<12}{t[key]['seconds']:>10.1f}{t[key]['words_per_second']:>10,}{t[key]['cpu_seconds']:>10.1f}"
              for label, key in (("parse only", "parse_only"), ("full build", "full_build"))),
            f"  ratio of throughputs (full / parse): {t['ratio_full_to_parse']:.3f}",
            f"  peak RSS: {t['peak_rss_mb']:,.0f} MiB (the largest worker process: {t['worker_peak_rss_mb']:,.0f} MiB)",
            "  seconds per stage: " + ", ".join(f"{k} {v:.1f}" for k, v in t["stages_seconds"].items()),
        ]
    if "dask" in result:
        lines.append("dask:")
        lines += [f"  {r['workers']} worker(s): {r['seconds']:.1f} s (cluster start {r['startup_seconds']:.1f} s), "
                  f"{r['documents']:,} documents, speed-up {r['speedup']:.2f}x" for r in result["dask"].values()]
    if "memory" in result:
        lines.append(f"memory ({result['how']}):")
        lines += [f"  {size} documents: peak RSS {r['peak_rss_mb']:,.0f} MiB, {r['seconds']:.0f} s, "
                  f"{r['documents']:,} built, link {r['link_seconds']:.1f} s ({r['link_ms_per_document']:.1f} ms "
                  "a document)" for size, r in result["memory"].items()]
        link_growth = result.get("link_per_document_growth_percent")
        lines.append(f"  growth: peak RSS {result['rss_growth_percent']:+.1f} %, link time per document "
                     + (f"{link_growth:+.1f} %" if link_growth is not None else "not measured (no link time)"))
    if "rerun" in result:
        r = result["rerun"]
        lines.append(f"rerun: first build {r['first_build_seconds']:.1f} s, unchanged re-run "
                     f"{r['rerun_seconds']:.2f} s ({r['speedup']:,.1f}x faster)")
    if "track" in result:
        t = result["track"]
        lines += [f"track: {t['documents']:,} documents, {t['claims']:,} claims",
                  f"  first call (embeds every claim): {t['first_track_seconds']:.2f} s",
                  f"  a new proposition, claims' embeddings cached: {t['new_proposition_seconds']:.2f} s",
                  f"  a proposition whose embeddings are cached: {t['cached_proposition_seconds']:.3f} s in process, "
                  f"{t['cached_proposition_process_seconds']:.2f} s as a `storyledger track` process"]
    if "serve" in result:
        s = result["serve"]
        lines += [f"serve: {s['requests_done']:,} of {s['requests_planned']:,} requests, {s['concurrency']} clients, "
                  f"{s['seconds']:.1f} s ({s['requests_per_second']} requests/s); statuses {s['statuses']}",
                  f"  {'':<8}{'requests':>9}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'max ms':>9}"]
        lines += [f"  {kind:<8}{p['requests']:>9,}{p['p50_ms']:>9.1f}{p['p90_ms']:>9.1f}{p['p99_ms']:>9.1f}"
                  f"{p['max_ms']:>9.1f}" for kind, p in s["latency"].items() if p["requests"]]
        lines.append(f"  server peak RSS: {s['server_peak_rss_mb']:,.0f} MiB")
    return "\n".join(lines)


# -- the web app under load -----------------------------------------------------------------------

SERVE_MAX_REQUESTS = 20_000
SERVE_MAX_CONCURRENCY = 32
SERVE_MAX_SECONDS = 600
SERVE_START_SECONDS = 120  # the server process must print its port within this


def _percentiles(latencies: list[float]) -> dict[str, float]:
    if not latencies:
        return {"requests": 0}
    ordered = sorted(latencies)

    def at(q: float) -> float:
        return round(1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

    return {"requests": len(ordered), "p50_ms": at(0.50), "p90_ms": at(0.90), "p99_ms": at(0.99),
            "max_ms": round(1000 * ordered[-1], 1)}


def _serve_requests(db_path: str, count: int, seed: int) -> list[tuple[str, str]]:
    """``count`` (kind, path) requests mixing searches (common, rare, prefix and phrase queries
    made of the ledger's own words), document pages, listings with filters and pages deep in them,
    and the overview; drawn with ``seed``."""
    import random
    from urllib.parse import quote, urlencode

    with Ledger(db_path, readonly=True) as ledger:
        db = ledger.db
        db.execute("CREATE VIRTUAL TABLE temp.bench_terms USING fts5vocab(main, documents_fts, row)")
        terms = [r[0] for r in db.execute("SELECT term FROM temp.bench_terms WHERE term GLOB '[a-z][a-z][a-z]*' "
                                          "ORDER BY doc DESC, cnt DESC LIMIT 400")]
        ids = [r[0] for r in db.execute("SELECT id FROM documents ORDER BY seq LIMIT 2000")]
        outlets = [r[0] for r in db.execute("SELECT DISTINCT outlet FROM documents WHERE outlet IS NOT NULL LIMIT 50")]
        measures = [r[0] for r in db.execute("SELECT DISTINCT measure_key FROM quantities LIMIT 50")]
        sources = [r[0] for r in db.execute("SELECT DISTINCT source_name FROM attributions "
                                            "WHERE source_name IS NOT NULL LIMIT 50")]
    if not terms or not ids:
        raise ValueError(f"{db_path}: the ledger has no documents to request; build one first")
    rng = random.Random(seed)
    common, rare = terms[:40], terms[40:] or terms

    def query() -> str:
        shape = rng.random()
        if shape < 0.4:
            return rng.choice(common)
        if shape < 0.6:
            return rng.choice(rare)
        if shape < 0.75:
            return rng.choice(common)[:3] + "*"
        if shape < 0.9:
            return f'"{rng.choice(common)} {rng.choice(common)}"'
        return f"{rng.choice(common)} OR {rng.choice(rare)}"

    def listing() -> tuple[str, str]:
        choice = rng.randrange(6)
        if choice == 0:
            return "api", "/api/claims?" + urlencode({"polarity": rng.choice(["affirmed", "negated"])})
        if choice == 1 and sources:
            return "api", "/api/attributions?" + urlencode({"source": rng.choice(sources)[:40]})
        if choice == 2 and measures:
            return "api", "/api/quantities?" + urlencode({"measure": rng.choice(measures)})
        if choice == 3 and outlets:
            return "page", "/documents?" + urlencode({"outlet": rng.choice(outlets)})
        if choice == 4:
            return "page", f"/claims?offset={rng.randrange(0, 500)}"
        return "page", "/quantities"

    mix: list[tuple[float, Any]] = [
        (0.30, lambda: ("search", "/api/search?" + urlencode({"q": query()}))),
        (0.10, lambda: ("search", "/documents?" + urlencode({"q": query()}))),
        (0.20, lambda: ("page", "/documents/" + quote(rng.choice(ids)))),
        (0.10, lambda: ("api", "/api/documents/" + quote(rng.choice(ids)))),
        (0.20, listing),
        (0.10, lambda: rng.choice([("page", "/"), ("api", "/api/overview")])),
    ]
    makers, weights = zip(*((make, weight) for weight, make in mix), strict=True)
    return [make() for make in rng.choices(makers, weights, k=count)]


def _start_server(db_path: str, log: Any) -> tuple[subprocess.Popen[str], int]:
    """`storyledger serve` on 127.0.0.1 (a free port, read from what it prints); its log to ``log``
    (a file: a pipe nobody reads could fill and stall the server)."""
    server = subprocess.Popen([sys.executable, "-m", "storyledger", "serve", "--db", db_path, "--host", "127.0.0.1",
                               "--port", "0"], stdout=subprocess.PIPE, stderr=log, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(server.stdout.readline() if server.stdout else ""),
                              daemon=True)
    reader.start()
    reader.join(SERVE_START_SECONDS)
    match = re.search(r"http://127\.0\.0\.1:(\d+)/", lines[0]) if lines else None
    if match is None:
        _stop_server(server)
        log.seek(0)
        raise RuntimeError(f"storyledger serve did not start: {log.read().strip()[-500:]}")
    return server, int(match.group(1))


def _stop_server(server: subprocess.Popen[str]) -> None:
    server.terminate()
    try:
        server.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.communicate(timeout=10)


def _peak_rss_of(pid: int) -> float | None:
    """A running process's peak resident memory in MiB (Linux /proc), else None."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return round(int(match.group(1)) / 1024, 1) if match else None


def _run_load(port: int, plan: list[tuple[str, str]], concurrency: int,
              seconds: float) -> tuple[list[tuple[str, int, float]], float]:
    """(kind, status, seconds) of each request of ``plan`` sent by ``concurrency`` clients, each
    on its own kept-alive connection, none started after ``seconds``; and the time it all took."""
    import http.client

    results: list[tuple[str, int, float]] = []
    lock = threading.Lock()
    cursor = iter(plan)
    deadline = time.monotonic() + seconds

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=seconds)
        while time.monotonic() < deadline:
            with lock:
                item = next(cursor, None)
            if item is None:
                break
            kind, path = item
            start = time.perf_counter()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                connection.close()  # and the next request opens a new one
                status = 0  # no answer
            with lock:
                results.append((kind, status, time.perf_counter() - start))
        connection.close()

    began = time.perf_counter()
    threads = [threading.Thread(target=client, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(2 * seconds + 60)
    return results, time.perf_counter() - began


def serve_load(db_path: str, requests: int = 1000, concurrency: int = 8, seconds: float = 60,
               seed: int = 0) -> dict[str, Any]:
    """Latency percentiles and the server's peak RSS under a bounded load: ``requests`` mixed
    requests from ``concurrency`` clients against `storyledger serve` on 127.0.0.1, no request
    started after ``seconds``. Every bound is capped (SERVE_MAX_*)."""
    if not (1 <= requests <= SERVE_MAX_REQUESTS and 1 <= concurrency <= SERVE_MAX_CONCURRENCY
            and 0 < seconds <= SERVE_MAX_SECONDS):
        raise ValueError(f"serve load is capped: 1-{SERVE_MAX_REQUESTS:,} requests, 1-{SERVE_MAX_CONCURRENCY} "
                         f"clients, at most {SERVE_MAX_SECONDS} seconds")
    plan = _serve_requests(db_path, requests, seed)
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as log:
        server, port = _start_server(db_path, log)
        try:
            _run_load(port, [("api", "/api/overview")], 1, seconds)  # the first request warms the server
            results, elapsed = _run_load(port, plan, concurrency, seconds)
            peak = _peak_rss_of(server.pid)
        finally:
            _stop_server(server)
    if peak is None:  # not Linux: the peak of finished child processes, this server among them
        peak = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)
    statuses = Counter(str(status) for _, status, _ in results)
    by_kind = {kind: _percentiles([t for k, _, t in results if k == kind]) for kind in ("search", "page", "api")}
    return {"serve": {
        "ledger": db_path, "requests_planned": requests, "requests_done": len(results), "concurrency": concurrency,
        "seconds_cap": seconds, "seconds": round(elapsed, 2),
        "requests_per_second": round(len(results) / elapsed, 1) if elapsed else None,
        "statuses": dict(sorted(statuses.items())), "latency": {"all": _percentiles([t for _, _, t in results]),
                                                                **by_kind},
        "server_peak_rss_mb": peak,
    }}
