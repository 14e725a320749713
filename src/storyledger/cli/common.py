"""What every command module shares: the ledger and output options, opening a ledger with a
one-line error, and library errors turned into one-line messages (here and nowhere else)."""

from __future__ import annotations

import json
from typing import Any

import click

from .. import __version__
from ..errors import StoryledgerError
from ..profile import ProfileError, activate
from ..store.ledger import DEFAULT_DB, Ledger, open_ledger

DB_OPTION = click.option(
    "--db", "db_path", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False),
    help="The ledger file (SQLite).",
)
JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="Print one JSON array of records.")
JSON_OBJECT_OPTION = click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")


def _profile_callback(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None:
        try:
            activate(value)
        except ProfileError as exc:
            raise click.BadParameter(str(exc), ctx=ctx, param=param) from None
    return value


PROFILE_OPTION = click.option(
    "--profile", metavar="FILE", type=click.Path(dir_okay=False), callback=_profile_callback,
    expose_value=False, is_eager=True,
    help="A profile with this corpus's own knowledge: outlet taglines and domains, entity aliases "
         "and titles (TOML or JSON; see docs/profile.md).")


def print_json(records: Any) -> None:
    click.echo(json.dumps(records, ensure_ascii=False, indent=1))


def print_scores(scores: dict[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(scores, ensure_ascii=False))
        return
    for key, value in scores.items():
        click.echo(f"{key:>24}: {value:.4f}" if isinstance(value, float) else f"{key:>24}: {value}")


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


def with_hint(error: StoryledgerError) -> str:
    """The error's message, and what to do when the error says."""
    hint = getattr(error, "hint", "")
    return f"{error} — {hint}" if hint else str(error)


class Commands(click.Group):
    """The command group: a library error a command lets through becomes its one-line message
    and exit status 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except StoryledgerError as error:
            raise click.ClickException(str(error)) from None


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="storyledger")
def main() -> None:
    """Turn news articles about a developing story into a ledger of claims with provenance."""


@main.group(name="eval")
def eval_group() -> None:
    """Score each capability on public annotated data (TempEval-3, PolNeAR, FNC-1, quantulum3)."""


@main.group(name="train")
def train_group() -> None:
    """Train the learned models that ship inside the package, reproducibly from public data."""
