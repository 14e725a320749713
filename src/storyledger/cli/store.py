"""Commands on the ledger file itself: the integrity check and the exports."""

from __future__ import annotations

import json
import sys

import click

from ..store.ledger import DEFAULT_DB
from .common import DB_OPTION, JSON_OBJECT_OPTION, main, open_for_reading


@main.command(name="check")
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False),
              help="The ledger file (SQLite).")
@JSON_OBJECT_OPTION
def check_command(db_path: str, as_json: bool) -> None:
    """Verify a ledger's integrity: SQLite's check, the schema version, every record's offsets
    against its document, the offset maps, links between rows and the full-text index.
    Exits with status 1 if anything is wrong."""
    from ..store.check import check_ledger

    report = check_ledger(db_path)
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        for notice in report.notices:
            click.echo(f"notice: {notice}")
        for problem in report.problems:
            click.echo(f"problem: {problem}")
        if report.unlisted:
            click.echo(f"… and {report.unlisted} more problems")
        click.echo(report.summary())
    if not report.ok:
        sys.exit(1)


@main.command()
@DB_OPTION
@click.option("--format", "fmt", type=click.Choice(["json", "jsonl", "csv", "parquet"]), default="jsonl",
              show_default=True, help="File format: one file per record type.")
@click.option("-o", "--out", "out", required=True, type=click.Path(file_okay=False),
              help="Folder to write into (created if missing).")
def export(db_path: str, fmt: str, out: str) -> None:
    """Export every record type (documents, removed spans, time expressions, attributions,
    quantities, claims, link tables) with stable ids and offsets; schema in docs/schema.md."""
    from ..store.export import export_ledger

    with open_for_reading(db_path) as ledger:
        written = export_ledger(ledger, fmt, out)
    for table, (path, rows) in written.items():
        click.echo(f"{table:>18}: {rows:>7} rows -> {path}")
