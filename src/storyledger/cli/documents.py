"""Commands on documents: list them, show one, search them, and correct one's metadata."""

from __future__ import annotations

import click

from ..errors import StoryledgerError
from ..records import Filters
from .common import DB_OPTION, JSON_OPTION, main, open_for_reading, open_for_writing, print_json, with_hint


@main.command()
@DB_OPTION
@JSON_OPTION
@click.option("--outlet", help="Only documents from this outlet.")
@click.option("--limit", type=int, help="At most this many documents.")
@click.option("--offset", type=int, default=0, help="Skip this many first.")
def docs(db_path: str, as_json: bool, outlet: str | None, limit: int | None, offset: int) -> None:
    """List the documents in the ledger."""
    with open_for_reading(db_path) as ledger:
        documents = ledger.documents(Filters(outlet=outlet), limit=limit, offset=offset)
    if as_json:
        print_json([d.to_dict() for d in documents])
        return
    for doc in documents:
        date = doc.published or "undated"
        dup = f"  [copy of {doc.duplicate_of}]" if doc.duplicate_of else ""
        click.echo(f"{doc.id}  {date:<10}  {(doc.outlet or '-')[:24]:<24}  {doc.title or '(no title)'}{dup}")


@main.command()
@click.argument("doc_ref", metavar="DOC")
@DB_OPTION
@JSON_OPTION
def show(doc_ref: str, db_path: str, as_json: bool) -> None:
    """Print one document (by id, id prefix, or PATH[#N]) with what was removed and why."""
    with open_for_reading(db_path) as ledger:
        try:
            doc = ledger.document(doc_ref)
        except StoryledgerError as error:
            raise click.ClickException(str(error)) from None
        records, corrections = ledger.records(doc.id), ledger.metadata_overrides(doc.id)
    if as_json:
        print_json([{**doc.to_dict(), "records": records, "metadata_set": corrections}])
        return
    published = doc.published or "undated"
    rows = [
        ("id", doc.id),
        ("title", doc.title),
        ("outlet", f"{doc.outlet} ({doc.outlet_source})" if doc.outlet else None),
        ("published", f"{published} (from {doc.published_source}: {doc.published_evidence})"
         if doc.published else "undated (no date in metadata, HTML or text)"),
        ("byline", doc.byline), ("dateline", doc.dateline), ("url", doc.url),
        ("source", f"{doc.path}" + (f" · {doc.record}" if doc.record else "")),
        ("duplicate of", doc.duplicate_of),
        ("record ids", ", ".join(doc.external_ids) if len(doc.external_ids) > 1 else None),
    ]
    for name, value in rows:
        if value:
            click.echo(f"{name:>12}: {value}")
    for record in records[1:]:  # the first is the one the document was stored from, shown above
        given = ", ".join(f"{key} {record[key]}" for key in ("external_id", "published", "title", "outlet")
                          if record[key])
        where = record["path"] + (f" · {record['record']}" if record["record"] else "")
        click.echo(f"{'also read':>12}: {where}" + (f" ({given})" if given else ""))
    for item in corrections:
        click.echo(f"{'set':>12}: {item['field']} = {item['value']} ({item['source']}: {item['origin']})")
    click.echo("")
    click.echo(doc.text)
    click.echo("")
    click.echo(f"Removed ({len(doc.removed)}):")
    for span in doc.removed:
        click.echo(f"  - {span.reason} [{span.rule}] @{span.start}-{span.end}: {span.text[:100]}")


@main.command()
@click.argument("query")
@DB_OPTION
@JSON_OPTION
@click.option("--limit", type=int, default=20, show_default=True)
@click.option("--fts", is_flag=True,
              help="Read QUERY as SQLite FTS5 syntax (AND, OR, NOT, NEAR, column:word) instead of as typed.")
def search(query: str, db_path: str, as_json: bool, limit: int, fts: bool) -> None:
    """Find documents by full text. QUERY is read as typed: words that must all occur, "quoted
    phrases", word* for words that begin so; U.S., 1,723, al-Omar and Pentagon's just work.
    With --fts it is SQLite FTS5 syntax."""
    with open_for_reading(db_path) as ledger:
        try:
            hits = ledger.search(Filters(q=query, syntax="fts" if fts else "plain"), limit=limit)
        except StoryledgerError as error:
            raise click.ClickException(str(error)) from None
    if as_json:
        print_json([hit.to_dict() for hit in hits])
        return
    if not hits:
        click.echo("No documents match.")
    for hit in hits:
        click.echo(f"{hit.id}  {hit.published or 'undated':<10}  {hit.title or '(no title)'}")
        click.echo(f"    {hit.snippet}")
        if hit.snippet_note:
            click.echo(f"    ({hit.snippet_note})")


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
    from ..pipeline import DEFAULT_MAX_EXTRACT_CHARS, EXTRACTOR_VERSION
    from ..store.metadata import set_document

    given = {"published": published, "outlet": outlet, "title": title, "author": author, "url": url}
    values = {field: value.strip() for field, value in given.items() if value is not None and value.strip()}
    if not values:
        raise click.UsageError("give one or more of --published, --outlet, --title, --author, --url")
    with open_for_writing(db_path) as ledger:
        try:
            result = set_document(ledger, doc_ref, values, max_extract_chars=DEFAULT_MAX_EXTRACT_CHARS,
                                  extractor_version=EXTRACTOR_VERSION)
        except StoryledgerError as error:
            raise click.ClickException(with_hint(error)) from None
    for problem in result.problems:
        click.echo(f"warning {problem.message()}", err=True)
    if not result.changes:
        click.echo(f"{result.doc_id}: already so; kept as set by you")
        return
    for field, (old, new) in result.changes.items():
        click.echo(f"{result.doc_id}: {field} {old or '(none)'} → {new}")
    done = "extracted again and corpus relinked" if result.extracted_again else "corpus relinked"
    click.echo(f"{result.doc_id}: {done}. Next: storyledger show {result.doc_id} --db {db_path}")
