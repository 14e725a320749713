"""Commands that show the story: the shareable report and the local web app."""

from __future__ import annotations

import socket
import sys

import click

from ..present.serving import DEFAULT_TIME_BUDGET, HostCheck, is_loopback
from .common import DB_OPTION, main, open_for_reading


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


@main.command()
@DB_OPTION
@click.option("-o", "--out", "out", default="report.html", show_default=True, type=click.Path(dir_okay=False),
              help="Where to write the report.")
@click.option("--title", help="The report's title.")
def report(db_path: str, out: str, title: str | None) -> None:
    """Write one self-contained HTML report (no network needed), story first: each main thread
    in dated sentences (first report, support, denials, reversals, numbers), its timeline and
    contradictions, charts, who held up, and the documents with their evidence highlighted."""
    from ..present.report import write_report

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

    from ..present.app import create_app

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
