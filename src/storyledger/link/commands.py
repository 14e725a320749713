"""CLI commands for corpus linking: stance training and scoring (threads and the rest join here)."""

from __future__ import annotations

import json
from typing import Any

import click

SPLITS = ("body", "story")  # as storyledger.link.stance.SPLITS (not imported here: it loads numpy)
SPLIT_OPTION = click.option("--split", type=click.Choice(SPLITS), default="body", show_default=True,
                            help="Hold out whole bodies (body) or whole stories (story: a headline, its "
                                 "related bodies and the headlines related to those).")


def register(main: click.Group, eval_group: click.Group) -> None:
    """Add this module's commands to the storyledger command line."""
    register_linking(main)

    @main.group(name="train")
    def train_group() -> None:
        """Train the learned models that ship inside the package, reproducibly from public data."""

    @train_group.command(name="stance")
    @click.option("--bodies", required=True, type=click.Path(exists=True, dir_okay=False),
                  help="FNC-1 train_bodies.csv (Body ID, articleBody).")
    @click.option("--stances", required=True, type=click.Path(exists=True, dir_okay=False),
                  help="FNC-1 train_stances.csv (Headline, Body ID, Stance).")
    @click.option("--out", type=click.Path(dir_okay=False),
                  help="Where to write the model (default: the one shipped in the package).")
    @click.option("--seed", default=0, show_default=True, type=int)
    @click.option("--dev-fraction", default=0.2, show_default=True, type=click.FloatRange(0, 0.9),
                  help="Share held out of training so `eval stance --split …` stays honest.")
    @SPLIT_OPTION
    def train_stance_command(bodies: str, stances: str, out: str | None, seed: int, dev_fraction: float,
                             split: str) -> None:
        """Train the stance model (agree / disagree / discuss / unrelated) on FNC-1 files."""
        from .stance import DEFAULT_MODEL, train_stance

        target = out or str(DEFAULT_MODEL)
        model = train_stance(bodies, stances, out=target, seed=seed, dev_fraction=dev_fraction, split=split,
                             verbose=True)
        click.echo(f"Stance model written to {target} ({json.dumps(model.meta, default=str)[:200]})")

    @eval_group.command(name="stance")
    @click.option("--bodies", required=True, type=click.Path(exists=True, dir_okay=False),
                  help="FNC-1 bodies CSV (Body ID, articleBody).")
    @click.option("--stances", required=True, type=click.Path(exists=True, dir_okay=False),
                  help="FNC-1 stances CSV (Headline, Body ID, Stance).")
    @click.option("--body-disjoint", is_flag=True,
                  help="Score only the bodies held out of training (the same as --split body).")
    @click.option("--split", type=click.Choice(SPLITS),
                  help="Score only the part this split holds out: whole bodies (body) or whole stories "
                       "(story: a headline, its related bodies and the headlines related to those). "
                       "The model must have been trained with the same split, fraction and seed.")
    @click.option("--dev-fraction", default=0.2, show_default=True, type=click.FloatRange(0, 0.9))
    @click.option("--seed", default=0, show_default=True, type=int)
    @click.option("--model", type=click.Path(exists=True, dir_okay=False),
                  help="A stance model .npz (default: the shipped one).")
    @click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
    def eval_stance(bodies: str, stances: str, body_disjoint: bool, split: str | None, dev_fraction: float,
                    seed: int, model: str | None, as_json: bool) -> None:
        """FNC-1 scores of the stance model: the weighted score (% of the maximum), macro-F1 and
        per-class F1."""
        from ..eval.stance import format_report, score_stance_files

        try:
            result: dict[str, Any] = score_stance_files(bodies, stances, model=model, body_disjoint=body_disjoint,
                                                        split=split, dev_fraction=dev_fraction, seed=seed)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
        click.echo(json.dumps(result, default=str) if as_json else format_report(result))


def register_linking(main: click.Group) -> None:
    """The corpus-linking commands: link, threads, thread, track, sources, series."""
    from ..cli_options import DB_OPTION, JSON_OPTION, open_for_reading, open_for_writing, print_json
    from ..profile import PROFILE_OPTION

    @main.command(name="link")
    @DB_OPTION
    @PROFILE_OPTION
    def link_command(db_path: str) -> None:
        """Rebuild the corpus links: threads, stances, contradictions, series, track records."""
        from .corpus import relink

        with open_for_writing(db_path) as ledger:
            click.echo(relink(ledger).summary())

    @main.command(name="threads")
    @DB_OPTION
    @JSON_OPTION
    def threads_command(db_path: str, as_json: bool) -> None:
        """List the story's threads: claims about the same proposition across documents."""
        from ..store.links import list_threads

        with open_for_reading(db_path) as ledger:
            rows = list_threads(ledger)
        if as_json:
            print_json(rows)
            return
        for t in rows:
            click.echo(f"{t['thread_id']}  [{t['origin']}] {t['label']}")
            click.echo(f"    {t['claims']} claims in {t['documents']} documents: {t['supporters']} support, "
                       f"{t['deniers']} deny, {t['contradiction_count']} contradictions; "
                       f"first report {t['first_date'] or 'undated'} ({t['first_doc_id'] or '-'})")

    @main.command(name="thread")
    @click.argument("thread_ref")
    @DB_OPTION
    @JSON_OPTION
    def thread_command(thread_ref: str, db_path: str, as_json: bool) -> None:
        """One thread: its claims in time order with stance, source, date and evidence, and its
        contradictions."""
        from ..store.links import find_thread

        with open_for_reading(db_path) as ledger:
            thread = find_thread(ledger, thread_ref)
        if not thread or thread.get("ambiguous"):
            raise click.ClickException(f"no single thread {thread_ref!r}; list them with `storyledger threads`")
        _print_thread(thread, as_json)

    @main.command(name="track")
    @click.argument("proposition")
    @DB_OPTION
    @JSON_OPTION
    def track_command(proposition: str, db_path: str, as_json: bool) -> None:
        """Follow PROPOSITION: add it as a thread and place every relevant claim on it."""
        from ..store.links import add_user_thread, find_thread
        from .corpus import relink, user_thread_id

        thread_id = user_thread_id(proposition)
        with open_for_writing(db_path) as ledger:
            add_user_thread(ledger, thread_id, proposition.strip())
            relink(ledger)
            thread = find_thread(ledger, thread_id)
        _print_thread(thread, as_json)

    @main.command(name="sources")
    @DB_OPTION
    @JSON_OPTION
    def sources_command(db_path: str, as_json: bool) -> None:
        """Track records of outlets and cited sources: claims made, later supported, later denied."""
        from ..store.links import list_track_records

        with open_for_reading(db_path) as ledger:
            rows = list_track_records(ledger)
        if as_json:
            print_json(rows)
            return
        for r in rows:
            median = "-" if r["median_days_to_denial"] is None else f"{r['median_days_to_denial']:g} days"
            click.echo(f"{r['kind']:6}  {r['name'][:50]:50}  {r['claims']:4} claims  {r['supported']:3} supported  "
                       f"{r['denied']:3} denied  median to denial {median}")

    @main.command(name="series")
    @click.option("--measure", help="One measure key, e.g. 'US troops · Syria'.")
    @DB_OPTION
    @JSON_OPTION
    def series_command(measure: str | None, db_path: str, as_json: bool) -> None:
        """Quantity series over time, each value with its source; conflicts flagged."""
        from ..store.links import list_series

        with open_for_reading(db_path) as ledger:
            rows = list_series(ledger, measure)
        if as_json:
            print_json(rows)
            return
        for p in rows:
            flag = "  CONFLICT" if p["conflict"] else ""
            click.echo(f"{p['measure_key'][:30]:30}  {p['as_of'] or 'undated':10}  {p['data']['text'][:30]:30}  "
                       f"{(p['source'] or '-')[:40]}{flag}")


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
