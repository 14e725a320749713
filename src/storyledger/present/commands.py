"""CLI commands that show the story: the shareable report, the local web app, and exports."""

from __future__ import annotations

import socket
import sys

import click

from ..cli_options import DB_OPTION, open_for_reading
from .serving import DEFAULT_TIME_BUDGET, HostCheck, is_loopback


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host``:``port`` (port 0: a free one), bound here so that the port
    taken can be printed before the server starts."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as error:
        raise click.ClickException(f"cannot listen on {host}:{port} ({error.strerror or error}); "
                                   "choose another --port, or --port 0 for a free one") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def register(main: click.Group, eval_group: click.Group) -> None:
    """Add this module's commands to the storyledger command line."""

    @main.command()
    @DB_OPTION
    @click.option("-o", "--out", "out", default="report.html", show_default=True, type=click.Path(dir_okay=False),
                  help="Where to write the report.")
    @click.option("--title", help="The report's title.")
    def report(db_path: str, out: str, title: str | None) -> None:
        """Write one self-contained HTML report (no network needed), story first: each main thread
        in dated sentences (first report, support, denials, reversals, numbers), its timeline and
        contradictions, charts, who held up, and the documents with their evidence highlighted."""
        from .report import write_report

        with open_for_reading(db_path) as ledger:
            path = write_report(ledger, out, title=title)
        click.echo(f"Report written to {path}")

    @main.command()
    @DB_OPTION
    @click.option("--host", default="127.0.0.1", show_default=True,
                  help="Address to listen on. Beyond loopback needs --allow-remote: the app has no login.")
    @click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
                  help="Port to listen on; 0 takes a free one (the port taken is printed).")
    @click.option("--allow-remote", is_flag=True,
                  help="Let --host be an address other machines can reach (anyone who can reach it reads the ledger).")
    @click.option("--allow-host", "allow_hosts", multiple=True, metavar="NAME",
                  help="Also answer requests for this host name (repeatable); loopback names and --host always are.")
    @click.option("--time-budget", default=DEFAULT_TIME_BUDGET, show_default=True, type=click.FloatRange(0.1, 600),
                  help="Seconds of database work one request may take before it is stopped with a 503.")
    def serve(db_path: str, host: str, port: int, allow_remote: bool, allow_hosts: tuple[str, ...],
              time_budget: float) -> None:
        """Browse and search the ledger in a local web app (read-only; a build may run meanwhile)."""
        import uvicorn

        from .app import create_app

        open_for_reading(db_path).close()  # fail here, with one line, if the ledger is missing
        if not is_loopback(host):
            if not allow_remote:
                raise click.UsageError(f"--host {host} listens beyond this machine's loopback, and the app has no "
                                       "login: anyone who can reach it reads the ledger. Add --allow-remote if "
                                       "that is what you want, or leave --host at 127.0.0.1")
            click.echo(f"warning: listening on {host}: every machine that can reach this address can read the "
                       "ledger (no login)", err=True)
        sock = _bind(host, port)
        bound = sock.getsockname()[1]
        shown = f"[{host}]" if ":" in host else host
        click.echo(f"Serving {db_path} on http://{shown}:{bound}/ (Ctrl+C stops)")
        sys.stdout.flush()  # a script waiting for the port reads it now, not when the server stops
        app = create_app(db_path, time_budget=time_budget, hosts=HostCheck(host, allow_hosts))
        server = uvicorn.Server(uvicorn.Config(app, host=host, port=bound, log_level="warning"))
        server.run(sockets=[sock])

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
