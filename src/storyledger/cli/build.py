"""`storyledger build`: read inputs into the ledger."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ..errors import StoryledgerError
from ..model import InputProblem
from ..store.ledger import Ledger
from .common import DB_OPTION, PROFILE_OPTION, main


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
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=0),
              help="Worker processes (local pool or Dask LocalCluster). With one local worker, it only parses "
                   "and a second process extracts and embeds beside it; 0: everything in this process.")
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
    from ..ingest.readers import ReadOptions, check_encoding, parse_field_map
    from ..pipeline import build as run_build

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

    from ..engine import Engine

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
