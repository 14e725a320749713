"""The corpus-link commands: link, threads, thread, track, sources, series."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import click

from .common import DB_OPTION, JSON_OPTION, PROFILE_OPTION, main, open_for_reading, open_for_writing, print_json


@main.command(name="link")
@DB_OPTION
@PROFILE_OPTION
def link_command(db_path: str) -> None:
    """Rebuild the corpus links: threads, stances, contradictions, series, track records."""
    from ..link.corpus import relink

    with open_for_writing(db_path) as ledger:
        click.echo(relink(ledger).summary())


@main.command(name="threads")
@DB_OPTION
@JSON_OPTION
def threads_command(db_path: str, as_json: bool) -> None:
    """List the story's threads: claims about the same proposition across documents."""
    from ..store.queries import list_threads

    with open_for_reading(db_path) as ledger:
        rows = list_threads(ledger)
    if as_json:
        print_json([t.to_dict() for t in rows])
        return
    for t in rows:
        click.echo(f"{t.thread_id}  [{t.origin}] {t.label}")
        click.echo(f"    {t.claims} claims in {t.documents} documents: {t.supporters} support, "
                   f"{t.deniers} deny, {t.contradiction_count} contradictions; "
                   f"first report {t.first_date or 'undated'} ({t.first_doc_id or '-'})")


@main.command(name="thread")
@click.argument("thread_ref")
@DB_OPTION
@JSON_OPTION
def thread_command(thread_ref: str, db_path: str, as_json: bool) -> None:
    """One thread: its claims in time order with stance, source, date and evidence, and its
    contradictions."""
    from ..store.queries import find_thread

    with open_for_reading(db_path) as ledger:
        thread = find_thread(ledger, thread_ref)
    if not thread or thread.get("ambiguous"):
        raise click.ClickException(f"no single thread {thread_ref!r}; list them with `storyledger threads`")
    _print_thread(thread, as_json)


@main.command(name="track")
@click.argument("proposition", required=False)
@click.option("--file", "file_path", type=click.Path(exists=True, dir_okay=False),
              help="Follow every proposition in FILE (one per line, blank lines and lines starting "
                   "with # skipped), all in one relink.")
@DB_OPTION
@JSON_OPTION
def track_command(proposition: str | None, file_path: str | None, db_path: str, as_json: bool) -> None:
    """Follow PROPOSITION: add it as a thread and place on it every claim that says the same
    (found by meaning over all claims), with its stance."""
    from ..link.tracking import read_propositions, track_propositions
    from ..store.queries import find_thread

    if bool(proposition) == bool(file_path):
        raise click.UsageError("give one PROPOSITION or --file FILE")
    try:
        propositions = read_propositions(file_path) if file_path else [proposition or ""]
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise click.ClickException(f"{file_path}: {exc}") from None
    if not any(p.strip() for p in propositions):
        raise click.UsageError("the proposition is empty" if proposition is not None
                               else f"{file_path} holds no proposition")
    with open_for_writing(db_path) as ledger:
        ids = track_propositions(ledger, propositions)
        threads = [find_thread(ledger, thread_id) for thread_id in ids.values()]
    if file_path:
        if as_json:
            click.echo(json.dumps(threads, ensure_ascii=False, indent=1))
            return
        for t in threads:
            stances = Counter(d["stance"] for d in t["documents"])
            click.echo(f"{t['thread_id']}  {t['label']}: {len(t['claims'])} claim(s) in {len(t['documents'])} "
                       f"document(s) ({stances['supports']} support, {stances['denies']} deny, "
                       f"{stances['discusses']} discuss); first report {t['first_date'] or 'undated'}")
        return
    _print_thread(threads[0], as_json)


@main.command(name="sources")
@DB_OPTION
@JSON_OPTION
def sources_command(db_path: str, as_json: bool) -> None:
    """Track records of outlets and cited sources: claims made, later supported, later denied."""
    from ..store.queries import list_track_records

    with open_for_reading(db_path) as ledger:
        rows = list_track_records(ledger)
    if as_json:
        print_json([r.to_dict() for r in rows])
        return
    for r in rows:
        median = "-" if r.median_days_to_denial is None else f"{r.median_days_to_denial:g} days"
        click.echo(f"{r.kind:6}  {r.name[:50]:50}  {r.claims:4} claims  {r.supported:3} supported  "
                   f"{r.denied:3} denied  median to denial {median}")


@main.command(name="series")
@click.option("--measure", help="One measure key, e.g. 'US troops · Syria'.")
@DB_OPTION
@JSON_OPTION
def series_command(measure: str | None, db_path: str, as_json: bool) -> None:
    """Quantity series over time, each value with its source; conflicts flagged."""
    from ..store.queries import list_series

    with open_for_reading(db_path) as ledger:
        rows = list_series(ledger, measure)
    if as_json:
        print_json([p.to_dict() for p in rows])
        return
    for p in rows:
        flag = "  CONFLICT" if p.conflict else ""
        click.echo(f"{p.measure_key[:30]:30}  {p.as_of or 'undated':10}  {p.data['text'][:30]:30}  "
                   f"{(p.source or '-')[:40]}{flag}")


def _print_thread(thread: dict[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(thread, ensure_ascii=False, indent=1))
        return
    click.echo(f"{thread['thread_id']}  {thread['label']}  (first report {thread['first_date'] or 'undated'})")
    for c in thread["claims"]:
        hedge = " (hedged)" if c["hedged"] else ""
        click.echo(f"  {c['date'] or 'undated':10}  {c['stance']:9}{hedge}  {(c['source'] or '-')[:30]:30}  "
                   f"{c['evidence'][:90]}  [{c['rule']}]")
    for x in thread["contradictions"]:
        click.echo(f"  {x['kind']}: {x['a']['source']} ({x['a']['date']}) vs {x['b']['source']} "
                   f"({x['b']['date']})  [{x['rule']}]")
