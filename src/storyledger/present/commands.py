"""CLI commands that show the story: the shareable report, the local web app, and exports."""

from __future__ import annotations

import click

from ..errors import StoryledgerError
from ..store.ledger import DEFAULT_DB, Ledger, open_ledger

_DB = click.option("--db", "db_path", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False),
                   help="The ledger file (SQLite).")


def _open(db_path: str) -> Ledger:
    try:
        return open_ledger(db_path, readonly=True)
    except StoryledgerError as error:
        raise click.ClickException(str(error)) from None


def register(main: click.Group, eval_group: click.Group) -> None:
    """Add this module's commands to the storyledger command line."""

    @main.command()
    @_DB
    @click.option("-o", "--out", "out", default="report.html", show_default=True, type=click.Path(dir_okay=False),
                  help="Where to write the report.")
    @click.option("--title", help="The report's title.")
    def report(db_path: str, out: str, title: str | None) -> None:
        """Write one self-contained HTML report (no network needed): overview, timeline, quantity
        charts, sources with citation chains, and every document with its evidence highlighted."""
        from .report import write_report

        with _open(db_path) as ledger:
            path = write_report(ledger, out, title=title)
        click.echo(f"Report written to {path}")

    @main.command()
    @_DB
    @click.option("--host", default="127.0.0.1", show_default=True,
                  help="Address to listen on (loopback by default; the app has no login).")
    @click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
    def serve(db_path: str, host: str, port: int) -> None:
        """Browse and search the ledger in a local web app (read-only; a build may run meanwhile)."""
        import uvicorn

        from .app import create_app

        _open(db_path).close()  # fail here, with one line, if the ledger is missing
        click.echo(f"Serving {db_path} on http://{host}:{port}/ (Ctrl+C stops)")
        uvicorn.run(create_app(db_path), host=host, port=port, log_level="warning")

    @main.command()
    @_DB
    @click.option("--format", "fmt", type=click.Choice(["json", "jsonl", "csv", "parquet"]), default="jsonl",
                  show_default=True, help="File format: one file per record type.")
    @click.option("-o", "--out", "out", required=True, type=click.Path(file_okay=False),
                  help="Folder to write into (created if missing).")
    def export(db_path: str, fmt: str, out: str) -> None:
        """Export every record type (documents, removed spans, time expressions, attributions,
        quantities, claims, link tables) with stable ids and offsets; schema in docs/schema.md."""
        from ..store.export import export_ledger

        with _open(db_path) as ledger:
            written = export_ledger(ledger, fmt, out)
        for table, (path, rows) in written.items():
            click.echo(f"{table:>18}: {rows:>7} rows -> {path}")
