"""Listings of what extraction found: time expressions, attributions, quantities, claims."""

from __future__ import annotations

import click

from ..errors import StoryledgerError
from ..records import Filters
from ..store.ledger import Ledger
from .common import DB_OPTION, JSON_OPTION, main, open_for_reading, print_json


def _doc_filter(ledger: Ledger, doc_ref: str | None) -> str | None:
    if doc_ref is None:
        return None
    try:
        return ledger.document(doc_ref).id
    except StoryledgerError as error:
        raise click.ClickException(str(error)) from None


@main.command()
@DB_OPTION
@JSON_OPTION
@click.option("--doc", "doc_ref", metavar="DOC", help="Only this document (id, prefix or PATH[#N]).")
@click.option("--type", "types", multiple=True, type=click.Choice(["DATE", "TIME", "DURATION", "SET"]),
              help="Only these TIMEX3 types (repeatable).")
def times(db_path: str, as_json: bool, doc_ref: str | None, types: tuple[str, ...]) -> None:
    """List time expressions with their TIMEX3 values and the anchor each was resolved against."""
    with open_for_reading(db_path) as ledger:
        records = ledger.time_expressions(Filters(doc_id=_doc_filter(ledger, doc_ref), kind=types))
    if as_json:
        print_json([r.to_dict() for r in records])
        return
    for r in records:
        anchor = f"anchor {r.anchor}" if r.anchor else ""
        if not r.resolved:
            anchor = "unresolved: undated document"
        click.echo(f"{r.doc_id}  {r.start:>6}  {r.type:<8} {str(r.value):<14} {r.text!r}  {anchor}")


@main.command()
@DB_OPTION
@JSON_OPTION
@click.option("--doc", "doc_ref", metavar="DOC", help="Only this document (id, prefix or PATH[#N]).")
@click.option("--source", help="Only sources whose span or resolved name contains this.")
@click.option("--outlet", help="Only documents from this outlet.")
@click.option("--kind", type=click.Choice(["speech", "report", "belief", "intention", "perception"]),
              help="Only this kind of attribution.")
@click.option("--text", help="Only contents containing this text.")
def attributions(db_path: str, as_json: bool, doc_ref: str | None, source: str | None,
                 outlet: str | None, kind: str | None, text: str | None) -> None:
    """List attributions: who said (reported, believed, intended) what, through whom."""
    with open_for_reading(db_path) as ledger:
        records = ledger.attributions(Filters(doc_id=_doc_filter(ledger, doc_ref), source=source,
                                              outlet=outlet, kind=kind, text=text))
    if as_json:
        print_json([r.to_dict() for r in records])
        return
    for r in records:
        who = r["source_name"] or (r["source"]["text"] if r["source"] else "(no source)")
        via = f" via {r['medium']['text']}" if r.get("medium") else ""
        hedge = f" [hedged: {r['hedge']['text']}]" if r.get("hedge") else ""
        click.echo(f"{r['doc_id']} {r['id']:>4} {r['kind']:<10} {who}{via} —{r['cue']['text']}→ "
                   f"{r['content']['text'][:120]!r}{hedge}")


@main.command()
@DB_OPTION
@JSON_OPTION
@click.option("--measure", help="Only measures whose key holds these words, case and punctuation aside, "
                                "e.g. \"US troops Syria\".")
@click.option("--doc", "doc_ref", metavar="DOC", help="Only this document (id, prefix or PATH[#N]).")
def quantities(db_path: str, as_json: bool, measure: str | None, doc_ref: str | None) -> None:
    """List quantities with what they count, their measure key, as-of time and source."""
    from ..present.figures import value_text
    from ..store.measures import resolve_measures

    with open_for_reading(db_path) as ledger:
        if measure:
            resolve_measures(ledger.db, measure)  # a name that matches no measure says so, with the alike ones
        records = ledger.quantities(Filters(doc_id=_doc_filter(ledger, doc_ref), measure=measure))
    if as_json:
        print_json([r.to_dict() for r in records])
        return
    for r in records:
        as_of = f"{r['as_of']} ({r['as_of_source']})" if r["as_of"] else "undated"
        click.echo(f"{r['measure_key']:<32} {value_text(r):<22} {as_of:<24} {r['source'] or '-'}: {r['text']!r}")


@main.command()
@DB_OPTION
@JSON_OPTION
@click.option("--doc", "doc_ref", metavar="DOC", help="Only this document (id, prefix or PATH[#N]).")
@click.option("--polarity", type=click.Choice(["affirmed", "negated"]))
@click.option("--source", help="Only claims whose source contains this.")
@click.option("--text", help="Only propositions containing this.")
def claims(db_path: str, as_json: bool, doc_ref: str | None, polarity: str | None,
           source: str | None, text: str | None) -> None:
    """List claims: propositions with polarity, modality, source, as-of time and evidence."""
    with open_for_reading(db_path) as ledger:
        records = ledger.claims(Filters(doc_id=_doc_filter(ledger, doc_ref), polarity=polarity,
                                        source=source, text=text))
    if as_json:
        print_json([r.to_dict() for r in records])
        return
    for r in records:
        flags = " ".join(f for f in (r["polarity"] if r["polarity"] != "affirmed" else "",
                                     r["modality"] if r["modality"] != "fact" else "",
                                     "hedged" if r["hedged"] else "") if f)
        click.echo(f"{r['doc_id']} {r['id']:>4} {r['source'] or '-'}: {r['proposition'][:120]!r}"
                   f"{f'  [{flags}]' if flags else ''}")
