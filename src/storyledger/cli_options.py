"""Options and helpers shared by every command module (cli.py and the area modules)."""

from __future__ import annotations

import json
from typing import Any

import click

from .errors import StoryledgerError
from .store.ledger import DEFAULT_DB, Ledger, open_ledger

DB_OPTION = click.option(
    "--db", "db_path", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False),
    help="The ledger file (SQLite).",
)
JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="Print one JSON array of records.")


def print_json(records: Any) -> None:
    click.echo(json.dumps(records, ensure_ascii=False, indent=1))


def open_for_reading(db_path: str) -> Ledger:
    try:
        return open_ledger(db_path, readonly=True)
    except StoryledgerError as error:
        raise click.ClickException(str(error)) from None


def open_for_writing(db_path: str) -> Ledger:
    try:
        return open_ledger(db_path, readonly=False)
    except StoryledgerError as error:
        raise click.ClickException(str(error)) from None
