"""The command line: a thin click layer over the library.

Library errors become one-line messages here and nowhere else; every listing command takes
``--json`` and then prints one JSON array of records.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from . import __version__
from .cli_options import DB_OPTION, JSON_OPTION
from .errors import StoryledgerError
from .model import InputProblem
from .profile import PROFILE_OPTION
from .store.ledger import Ledger, open_ledger


def _print_json(records: Any) -> None:
    click.echo(json.dumps(records, ensure_ascii=False, indent=1))


def _open(db_path: str) -> Ledger:
    try:
        return open_ledger(db_path, readonly=True)
    except StoryledgerError as error:
        raise click.ClickException(str(error)) from None


class _Commands(click.Group):
    """The command group: a library error a command lets through becomes its one-line message
    and exit status 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except StoryledgerError as error:
            raise click.ClickException(str(error)) from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="storyledger")
def main() -> None:
    """Turn news articles about a developing story into a ledger of claims with provenance."""


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@DB_OPTION
@click.option("--map", "field_map", metavar="FIELD=COLUMN,...",
              help="Which CSV column or JSON field holds each of: id, text, html, url, title, "
                   "outlet, published, author. Example: --map text=article_content,published=date")
@click.option("--format", "force_format", type=click.Choice(["text", "html", "jsonl", "json", "csv", "warc"]),
              help="Read every input as this format instead of guessing from its name.")
@click.option("--date-order", type=click.Choice(["MDY", "DMY", "YMD"], case_sensitive=False),
              help="How numeric dates in records are written (4/5/17): month, day or year first. "
                   "Default: learned per file from values such as 13/4/17; never guessed.")
@click.option("--encoding", metavar="CODEC",
              help="Decode every input with this encoding (e.g. cp1252, latin-1, cp1250) instead of detecting it.")
@click.option("--max-file-mb", default=20, show_default=True, type=click.FloatRange(min=0.001),
              help="Skip inputs (or WARC/JSONL/CSV records) larger than this.")
@click.option("--max-doc-chars", default=200_000, show_default=True, type=click.IntRange(min=1),
              help="Store but do not extract from documents longer than this (dumps, not articles).")
@click.option("--doc-seconds", default=60.0, show_default=True, type=click.FloatRange(min=0),
              help="Stop extracting a document after this many seconds of CPU time and record it as a problem "
                   "(it stays stored and searchable); 0 for no limit.")
@click.option("--engine", "engine_kind", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Where extraction runs: local processes, or a Dask cluster.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1),
              help="Worker processes (local pool or Dask LocalCluster).")
@click.option("--scheduler", metavar="ADDRESS", help="An existing Dask scheduler (implies --engine dask).")
@click.option("--metadata", type=click.Path(dir_okay=False), metavar="FILE.csv",
              help="Corrections to apply on this and every build it is given to: a CSV with an id "
                   "(document or record id) or path column and any of published, outlet, title, author, url.")
@click.option("--strict", is_flag=True, help="Exit with status 1 if any input could not be read.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar; only problems and the summary.")
@PROFILE_OPTION
def build(inputs: tuple[str, ...], db_path: str, field_map: str | None, force_format: str | None,
          date_order: str | None, encoding: str | None,
          max_file_mb: float, max_doc_chars: int, doc_seconds: float, engine_kind: str, workers: int,
          scheduler: str | None, metadata: str | None, strict: bool, quiet: bool) -> None:
    """Read INPUTS (files, folders, globs, or - for standard input) into the ledger.

    Plain text, HTML, JSON Lines, JSON, CSV and WARC(.gz) are recognised by their names.
    Re-running on the same inputs adds nothing; a grown corpus adds only what is new.
    """
    from .ingest.readers import ReadOptions, check_encoding, parse_field_map
    from .pipeline import build as run_build

    try:
        options = ReadOptions(int(max_file_mb * 1024 * 1024), parse_field_map(field_map), force_format,
                              date_order, check_encoding(encoding))
    except StoryledgerError as error:
        raise click.UsageError(f"{error} — {getattr(error, 'hint', '')}") from None

    def on_problem(problem: InputProblem) -> None:
        click.echo(f"{'skipped' if problem.skipped else 'warning'} {problem.message()}", err=True)

    def progress(files: list[Any]) -> Any:
        from tqdm import tqdm

        return tqdm(files, desc="reading", unit="file", disable=quiet or None, file=sys.stderr)

    from .engine import Engine

    engine = Engine("dask" if scheduler else engine_kind, workers, scheduler, doc_seconds or None)
    try:
        with Ledger(db_path) as ledger, engine:
            report = run_build(list(inputs), ledger, options, on_problem=on_problem, progress=progress,
                               max_extract_chars=max_doc_chars, engine=engine, metadata=metadata)
            total = ledger.count_documents()
    except StoryledgerError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{report.summary()}.", err=True)
    click.echo(f"Ledger: {Path(db_path).resolve()} ({total} documents). "
               f"Next: storyledger docs --db {db_path}")
    if strict and report.problems:
        sys.exit(1)


@main.command()
@DB_OPTION
@JSON_OPTION
@click.option("--outlet", help="Only documents from this outlet.")
@click.option("--limit", type=int, help="At most this many documents.")
@click.option("--offset", type=int, default=0, help="Skip this many first.")
def docs(db_path: str, as_json: bool, outlet: str | None, limit: int | None, offset: int) -> None:
    """List the documents in the ledger."""
    with _open(db_path) as ledger:
        documents = ledger.documents(outlet=outlet, limit=limit, offset=offset)
    if as_json:
        _print_json([d.to_dict() for d in documents])
        return
    for doc in documents:
        date = doc.published or "undated"
        dup = f"  [copy of {doc.duplicate_of}]" if doc.duplicate_of else ""
        click.echo(f"{doc.id}  {date:<10}  {(doc.outlet or '-')[:24]:<24}  {doc.title or '(no title)'}{dup}")


@main.command()
@click.argument("doc_ref", metavar="DOC")
@DB_OPTION
@JSON_OPTION
def show(doc_ref: str, db_path: str, as_json: bool) -> None:
    """Print one document (by id, id prefix, or PATH[#N]) with what was removed and why."""
    with _open(db_path) as ledger:
        try:
            doc = ledger.document(doc_ref)
        except StoryledgerError as error:
            raise click.ClickException(str(error)) from None
        records, corrections = ledger.records(doc.id), ledger.metadata_overrides(doc.id)
    if as_json:
        _print_json([{**doc.to_dict(), "records": records, "metadata_set": corrections}])
        return
    published = doc.published or "undated"
    rows = [
        ("id", doc.id),
        ("title", doc.title),
        ("outlet", f"{doc.outlet} ({doc.outlet_source})" if doc.outlet else None),
        ("published", f"{published} (from {doc.published_source}: {doc.published_evidence})"
         if doc.published else "undated (no date in metadata, HTML or text)"),
        ("byline", doc.byline), ("dateline", doc.dateline), ("url", doc.url),
        ("source", f"{doc.path}" + (f" · {doc.record}" if doc.record else "")),
        ("duplicate of", doc.duplicate_of),
        ("record ids", ", ".join(doc.external_ids) if len(doc.external_ids) > 1 else None),
    ]
    for name, value in rows:
        if value:
            click.echo(f"{name:>12}: {value}")
    for record in records[1:]:  # the first is the one the document was stored from, shown above
        given = ", ".join(f"{key} {record[key]}" for key in ("external_id", "published", "title", "outlet")
                          if record[key])
        where = record["path"] + (f" · {record['record']}" if record["record"] else "")
        click.echo(f"{'also read':>12}: {where}" + (f" ({given})" if given else ""))
    for item in corrections:
        click.echo(f"{'set':>12}: {item['field']} = {item['value']} ({item['source']}: {item['origin']})")
    click.echo("")
    click.echo(doc.text)
    click.echo("")
    click.echo(f"Removed ({len(doc.removed)}):")
    for span in doc.removed:
        click.echo(f"  - {span.reason} [{span.rule}] @{span.start}-{span.end}: {span.text[:100]}")


@main.command()
@click.argument("query")
@DB_OPTION
@JSON_OPTION
@click.option("--limit", type=int, default=20, show_default=True)
def search(query: str, db_path: str, as_json: bool, limit: int) -> None:
    """Find documents by full text (SQLite FTS5 syntax: words, "exact phrases", OR, NOT, prefix*)."""
    with _open(db_path) as ledger:
        try:
            hits = ledger.search(query, limit=limit)
        except StoryledgerError as error:
            raise click.ClickException(str(error)) from None
    if as_json:
        _print_json(hits)
        return
    if not hits:
        click.echo("No documents match.")
    for hit in hits:
        click.echo(f"{hit['id']}  {hit['published'] or 'undated':<10}  {hit['title'] or '(no title)'}")
        click.echo(f"    {hit['snippet']}")


def _doc_filter(ledger: Ledger, doc_ref: str | None) -> str | None:
    if doc_ref is None:
        return None
    try:
        return ledger.document(doc_ref).id
    except StoryledgerError as error:
        raise click.ClickException(str(error)) from None


@main.command()
@DB_OPTION
@JSON_OPTION
@click.option("--doc", "doc_ref", metavar="DOC", help="Only this document (id, prefix or PATH[#N]).")
@click.option("--type", "types", multiple=True, type=click.Choice(["DATE", "TIME", "DURATION", "SET"]),
              help="Only these TIMEX3 types (repeatable).")
def times(db_path: str, as_json: bool, doc_ref: str | None, types: tuple[str, ...]) -> None:
    """List time expressions with their TIMEX3 values and the anchor each was resolved against."""
    with _open(db_path) as ledger:
        records = ledger.time_expressions(doc_id=_doc_filter(ledger, doc_ref), types=types)
    if as_json:
        _print_json(records)
        return
    for r in records:
        anchor = f"anchor {r['anchor']}" if r["anchor"] else ""
        if not r["resolved"]:
            anchor = "unresolved: undated document"
        value = str(r["value"])
        click.echo(f"{r['doc_id']}  {r['start']:>6}  {r['type']:<8} {value:<14} {r['text']!r}  {anchor}")


@main.command()
@DB_OPTION
@JSON_OPTION
@click.option("--doc", "doc_ref", metavar="DOC", help="Only this document (id, prefix or PATH[#N]).")
@click.option("--source", help="Only sources whose span or resolved name contains this.")
@click.option("--outlet", help="Only documents from this outlet.")
@click.option("--kind", type=click.Choice(["speech", "report", "belief", "intention", "perception"]),
              help="Only this kind of attribution.")
@click.option("--text", help="Only contents containing this text.")
def attributions(db_path: str, as_json: bool, doc_ref: str | None, source: str | None,
                 outlet: str | None, kind: str | None, text: str | None) -> None:
    """List attributions: who said (reported, believed, intended) what, through whom."""
    with _open(db_path) as ledger:
        records = ledger.attributions(doc_id=_doc_filter(ledger, doc_ref), source=source,
                                      outlet=outlet, kind=kind, text=text)
    if as_json:
        _print_json(records)
        return
    for r in records:
        who = r["source_name"] or (r["source"]["text"] if r["source"] else "(no source)")
        via = f" via {r['medium']['text']}" if r.get("medium") else ""
        hedge = f" [hedged: {r['hedge']['text']}]" if r.get("hedge") else ""
        click.echo(f"{r['doc_id']} {r['id']:>4} {r['kind']:<10} {who}{via} —{r['cue']['text']}→ "
                   f"{r['content']['text'][:120]!r}{hedge}")


@main.command()
@DB_OPTION
@JSON_OPTION
@click.option("--measure", help="Only measures whose key holds these words, case and punctuation aside, "
                                "e.g. \"US troops Syria\".")
@click.option("--doc", "doc_ref", metavar="DOC", help="Only this document (id, prefix or PATH[#N]).")
def quantities(db_path: str, as_json: bool, measure: str | None, doc_ref: str | None) -> None:
    """List quantities with what they count, their measure key, as-of time and source."""
    from .present.figures import value_text
    from .store.links import resolve_measures

    with _open(db_path) as ledger:
        keys = set(resolve_measures(ledger, measure)) if measure else None
        records = [r for r in ledger.quantities(doc_id=_doc_filter(ledger, doc_ref))
                   if keys is None or r["measure_key"] in keys]
    if as_json:
        _print_json(records)
        return
    for r in records:
        as_of = f"{r['as_of']} ({r['as_of_source']})" if r["as_of"] else "undated"
        click.echo(f"{r['measure_key']:<32} {value_text(r):<22} {as_of:<24} {r['source'] or '-'}: {r['text']!r}")


@main.command()
@DB_OPTION
@JSON_OPTION
@click.option("--doc", "doc_ref", metavar="DOC", help="Only this document (id, prefix or PATH[#N]).")
@click.option("--polarity", type=click.Choice(["affirmed", "negated"]))
@click.option("--source", help="Only claims whose source contains this.")
@click.option("--text", help="Only propositions containing this.")
def claims(db_path: str, as_json: bool, doc_ref: str | None, polarity: str | None,
           source: str | None, text: str | None) -> None:
    """List claims: propositions with polarity, modality, source, as-of time and evidence."""
    with _open(db_path) as ledger:
        records = ledger.claims(doc_id=_doc_filter(ledger, doc_ref), polarity=polarity,
                                source=source, text=text)
    if as_json:
        _print_json(records)
        return
    for r in records:
        flags = " ".join(f for f in (r["polarity"] if r["polarity"] != "affirmed" else "",
                                     r["modality"] if r["modality"] != "fact" else "",
                                     "hedged" if r["hedged"] else "") if f)
        click.echo(f"{r['doc_id']} {r['id']:>4} {r['source'] or '-'}: {r['proposition'][:120]!r}"
                   f"{f'  [{flags}]' if flags else ''}")


@main.group(name="eval")
def eval_group() -> None:
    """Score each capability on public annotated data (TempEval-3, PolNeAR, FNC-1, quantulum3)."""


def _print_scores(scores: dict[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(scores, ensure_ascii=False))
        return
    for key, value in scores.items():
        click.echo(f"{key:>24}: {value:.4f}" if isinstance(value, float) else f"{key:>24}: {value}")


@eval_group.command(name="timex")
@click.option("--tml", "tml", required=True, type=click.Path(exists=True),
              help="A TimeML file or a folder of them (with DCT and gold TIMEX3).")
@click.option("--part", type=click.Choice(["all", "dev", "held-out"]), default="all", show_default=True,
              help="Every document, the development part, or the held-out part (a fifth of the files, "
                   "chosen by a hash of the file name).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def eval_timex(tml: str, part: str, as_json: bool) -> None:
    """TempEval-3 scores of the time tagger: relaxed/strict span F1, type and value accuracy,
    value F1 (relaxed F1 × value accuracy). The document creation time is not scored."""
    from .eval.timex import score_timeml

    _print_scores(score_timeml(tml, part=part), as_json)


@eval_group.command(name="attribution")
@click.option("--brat", "brat_dir", required=True, type=click.Path(exists=True, file_okay=False),
              help="A folder with text/*.txt and attributions/*.ann (PolNeAR's brat standoff).")
@click.option("--kinds", help="Score only predictions of these kinds, e.g. speech,report "
                              "(for quote-only corpora); PolNeAR annotates all kinds.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def eval_attribution(brat_dir: str, kinds: str | None, as_json: bool) -> None:
    """Attribution scores: content P/R/F1 at ≥30 % and ≥80 % coverage, source and cue accuracy
    on matched pairs, and exact-span F1 for source, cue and content."""
    from .eval.attribution import score_attribution

    wanted = {k.strip() for k in kinds.split(",") if k.strip()} if kinds else None
    _print_scores(score_attribution(brat_dir, kinds=wanted), as_json)


@eval_group.command(name="quantities")
@click.option("--quantulum", "path", required=True, type=click.Path(exists=True, dir_okay=False),
              help="A quantulum3 test file (sentences with gold value, unit and surface).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def eval_quantities(path: str, as_json: bool) -> None:
    """Quantity scores: value F1 (equal values, overlapping spans) and unit accuracy."""
    from .eval.quantities import score_quantities

    _print_scores(score_quantities(path), as_json)


@main.command()
@click.option("--corpus", type=click.Path(exists=True), help="A corpus folder or file (all modes but fuzz, serve).")
@click.option("--mode", type=click.Choice(["throughput", "dask", "memory", "all", "fuzz", "serve"]),
              default="throughput", show_default=True, help="throughput: full build against the parse-only floor; "
              "dask: 1 vs N workers; memory: peak RSS as the corpus grows; fuzz: random hostile input at every "
              "reader; serve: latency of the web app (on 127.0.0.1) under a bounded load of mixed requests.")
@click.option("--db", "db_path", type=click.Path(exists=True, dir_okay=False), help="The ledger the serve mode serves.")
@click.option("--requests", "n_requests", default=1000, show_default=True, type=click.IntRange(1, 20_000),
              help="Requests the serve mode sends (at most 20,000).")
@click.option("--concurrency", default=8, show_default=True, type=click.IntRange(1, 32),
              help="Clients the serve mode runs at once (at most 32).")
@click.option("--seconds", default=60.0, show_default=True, type=click.FloatRange(min=0.1),
              help="How long the fuzz mode runs; the serve mode starts no request after it (at most 600).")
@click.option("--seed", default=0, show_default=True, help="The fuzz and serve modes' random seed.")
@click.option("--workers", default="1,2", show_default=True, help="Dask worker counts to compare.")
@click.option("--sizes", default="1000,5000", show_default=True, help="Corpus sizes for the memory mode.")
@click.option("--map", "field_map", metavar="FIELD=COLUMN,...", help="As for build.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def bench(corpus: str | None, mode: str, db_path: str | None, n_requests: int, concurrency: int, seconds: float,
          seed: int, workers: str, sizes: str, field_map: str | None, as_json: bool) -> None:
    """Measure speed and memory: the full pipeline against spaCy's parse alone (same documents,
    same process), Dask scaling, and memory growth with corpus size; or fuzz the readers."""
    from .eval import bench as benchmarks
    from .ingest.readers import ReadOptions, parse_field_map

    if mode == "fuzz":
        from .eval.fuzz import run_fuzz

        click.echo(json.dumps(run_fuzz(seconds, seed), default=str, indent=None if as_json else 1))
        return
    if mode == "serve":
        if db_path is None:
            raise click.UsageError("--db is required for the serve mode (build a ledger first)")
        try:
            result = benchmarks.serve_load(db_path, n_requests, concurrency, seconds, seed)
        except ValueError as error:
            raise click.ClickException(str(error)) from None
        click.echo(json.dumps(result) if as_json else benchmarks.render(result))
        return
    if corpus is None:
        raise click.UsageError("--corpus is required for this mode")
    options = ReadOptions(field_map=parse_field_map(field_map))
    result: dict[str, Any] = {"corpus": corpus}
    if mode in ("throughput", "all"):
        result["throughput"] = benchmarks.throughput(corpus, options)
    if mode in ("dask", "all"):
        counts = tuple(int(n) for n in workers.split(",") if n.strip())
        result.update(benchmarks.dask_scaling(corpus, counts, options))
    if mode in ("memory", "all"):
        result.update(benchmarks.memory_growth(corpus, tuple(int(n) for n in sizes.split(",") if n.strip()), options))
    click.echo(json.dumps(result) if as_json else benchmarks.render(result))


# Commands that live beside the code they drive, one module per area.
def _register_area_commands() -> None:
    from .link.commands import register as register_link
    from .present.commands import register as register_present
    from .store.commands import register as register_store

    for register in (register_link, register_present, register_store):
        register(main, eval_group)


_register_area_commands()
