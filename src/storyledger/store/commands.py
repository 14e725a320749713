"""CLI commands for the ledger file itself: the integrity check, and corrections (`set`)."""

from __future__ import annotations

import json
import sys

import click

from .ledger import DEFAULT_DB


def register(main: click.Group, eval_group: click.Group) -> None:
    """Add this module's commands to the storyledger command line."""
    register_set(main)

    @main.command(name="check")
    @click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False),
                  help="The ledger file (SQLite).")
    @click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
    def check_command(db_path: str, as_json: bool) -> None:
        """Verify a ledger's integrity: SQLite's check, the schema version, every record's offsets
        against its document, the offset maps, links between rows and the full-text index.
        Exits with status 1 if anything is wrong."""
        from .check import check_ledger

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


def register_set(main: click.Group) -> None:
    """`storyledger set`: metadata the user gives a document after it was read."""
    from ..cli_options import DB_OPTION, open_for_writing

    @main.command(name="set")
    @click.argument("doc_ref", metavar="DOC")
    @DB_OPTION
    @click.option("--published", metavar="DATE", help="The publication date, e.g. 2024-01-25.")
    @click.option("--outlet", help="The outlet that published it.")
    @click.option("--title", help="The headline.")
    @click.option("--author", help="The byline.")
    @click.option("--url", help="Where it was published.")
    def set_command(doc_ref: str, db_path: str, published: str | None, outlet: str | None, title: str | None,
                    author: str | None, url: str | None) -> None:
        """Correct a document's metadata (DOC: id, record id, id prefix or PATH[#N]).

        What you set wins over everything read or inferred, on this and every later build. A new
        date or outlet re-extracts the document (time expressions are resolved against the date)
        and relinks the corpus."""
        from ..errors import StoryledgerError
        from ..pipeline import DEFAULT_MAX_EXTRACT_CHARS, EXTRACTOR_VERSION
        from .metadata import set_document

        given = {"published": published, "outlet": outlet, "title": title, "author": author, "url": url}
        values = {field: value.strip() for field, value in given.items() if value is not None and value.strip()}
        if not values:
            raise click.UsageError("give one or more of --published, --outlet, --title, --author, --url")
        with open_for_writing(db_path) as ledger:
            try:
                result = set_document(ledger, doc_ref, values, max_extract_chars=DEFAULT_MAX_EXTRACT_CHARS,
                                      extractor_version=EXTRACTOR_VERSION)
            except StoryledgerError as error:
                hint = getattr(error, "hint", "")
                raise click.ClickException(f"{error} — {hint}" if hint else str(error)) from None
        for problem in result.problems:
            click.echo(f"warning {problem.message()}", err=True)
        if not result.changes:
            click.echo(f"{result.doc_id}: already so; kept as set by you")
            return
        for field, (old, new) in result.changes.items():
            click.echo(f"{result.doc_id}: {field} {old or '(none)'} → {new}")
        done = "extracted again and corpus relinked" if result.extracted_again else "corpus relinked"
        click.echo(f"{result.doc_id}: {done}. Next: storyledger show {result.doc_id} --db {db_path}")
