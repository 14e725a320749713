"""CLI commands for the ledger file itself: the integrity check."""

from __future__ import annotations

import json
import sys

import click

from .ledger import DEFAULT_DB


def register(main: click.Group, eval_group: click.Group) -> None:
    """Add this module's commands to the storyledger command line."""

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
