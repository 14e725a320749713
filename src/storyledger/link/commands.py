"""CLI commands for corpus linking: stance training and scoring (threads and the rest join here)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import click

SPLITS = ("body", "story")  # as storyledger.link.stance_data.SPLITS (not imported here: it loads numpy)


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
    @click.option("--split", type=click.Choice(SPLITS),
                  help="Hold out whole bodies (body) or whole stories (story: a headline, its related bodies "
                       "and the headlines related to those) for `eval stance --split …`; without it (the "
                       "shipped model) train on every pair.")
    @click.option("--dev-fraction", default=0.2, show_default=True, type=click.FloatRange(0, 0.9),
                  help="Share held out with --split.")
    @click.option("--cache-dir", type=click.Path(file_okay=False),
                  help="Keep the sentence embeddings here (some 31,000 texts, minutes to compute) for the next run.")
    def train_stance_command(bodies: str, stances: str, out: str | None, seed: int, dev_fraction: float,
                             split: str | None, cache_dir: str | None) -> None:
        """Train the stance model (agree / disagree / discuss / unrelated) on FNC-1 files."""
        from .stance import DEFAULT_MODEL
        from .stance_training import train_stance

        target = out or str(DEFAULT_MODEL)
        model = train_stance(bodies, stances, out=target, seed=seed, dev_fraction=dev_fraction, split=split,
                             cache_dir=cache_dir, verbose=True)
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
    @click.option("--cache-dir", type=click.Path(file_okay=False),
                  help="Keep the sentence embeddings here (minutes to compute) for the next run.")
    @click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
    def eval_stance(bodies: str, stances: str, body_disjoint: bool, split: str | None, dev_fraction: float,
                    seed: int, model: str | None, cache_dir: str | None, as_json: bool) -> None:
        """FNC-1 scores of the stance model: the weighted score (% of the maximum), macro-F1 and
        per-class F1."""
        from ..eval.stance import format_report, score_stance_files

        try:
            result: dict[str, Any] = score_stance_files(bodies, stances, model=model, body_disjoint=body_disjoint,
                                                        split=split, dev_fraction=dev_fraction, seed=seed,
                                                        cache_dir=cache_dir)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
        click.echo(json.dumps(result, default=str) if as_json else format_report(result))


    register_track_evals(eval_group)


def register_track_evals(eval_group: click.Group) -> None:
    """eval track and eval threads: tracking and automatic threads scored on FNC-1 files."""

    def fnc_inputs(command):  # the options both commands share
        for option in reversed((
            click.option("--bodies", required=True, type=click.Path(exists=True, dir_okay=False),
                         help="FNC-1 bodies CSV (Body ID, articleBody)."),
            click.option("--stances", required=True, type=click.Path(exists=True, dir_okay=False),
                         help="FNC-1 stances CSV (Headline, Body ID, Stance)."),
            click.option("--split", type=click.Choice(SPLITS), default="story", show_default=True,
                         help="How the file is split into a training and a held-out side."),
            click.option("--part", type=click.Choice(("dev", "train", "all")), default="dev", show_default=True,
                         help="Score the held-out side (dev), the training side (train, where thresholds "
                              "are tuned) or the whole file."),
            click.option("--sample", "sample_bodies", type=click.IntRange(1), default=None,
                         help="Score whole stories only, about this many bodies (a fixed sample: a hash "
                              "of each story's name orders them)."),
            click.option("--dev-fraction", default=0.2, show_default=True, type=click.FloatRange(0, 0.9)),
            click.option("--seed", default=0, show_default=True, type=int),
            click.option("--db", "db_path", type=click.Path(dir_okay=False),
                         help="Where to keep the ledger of the bodies (reused when it holds the same "
                              "bodies; default: a file in the temporary folder named after them)."),
            click.option("--json", "as_json", is_flag=True, help="Print one JSON object."),
        )):
            command = option(command)
        return command

    def rows_of(bodies: str, stances: str, split: str, part: str, sample_bodies: int | None,
                dev_fraction: float, seed: int) -> list:
        from ..eval.track import select_rows

        try:
            return select_rows(bodies, stances, split=split, part=part, dev_fraction=dev_fraction, seed=seed,
                               sample_bodies=sample_bodies)
        except (ValueError, KeyError) as exc:
            raise click.UsageError(f"{stances}: {exc}") from None

    def described(part: str, split: str, sample_bodies: int | None, dev_fraction: float, seed: int) -> str:
        side = "all of the file" if part == "all" else (
            f"{'held-out' if part == 'dev' else 'training'} side of the {split}-disjoint split "
            f"(dev fraction {dev_fraction:g}, seed {seed})")
        return side + (f", a sample of whole stories (~{sample_bodies} bodies)" if sample_bodies else "")

    @eval_group.command(name="track")
    @fnc_inputs
    @click.option("--model", type=click.Path(exists=True, dir_okay=False),
                  help="The stance model linking uses (default: the shipped one). Scoring a held-out "
                       "side needs a model trained without it (`storyledger train stance --split …`).")
    def eval_track(bodies: str, stances: str, split: str, part: str, sample_bodies: int | None,
                   dev_fraction: float, seed: int, db_path: str | None, as_json: bool, model: str | None) -> None:
        """Track every headline over the bodies (one ledger, one relink) and score each pair:
        placement recall and precision against the related pairs, stance accuracy and macro-F1
        (a body not placed is "unrelated")."""
        from ..eval.stance import _check_held_out
        from ..eval.track import default_db, format_track, run_track
        from ..link.stance import StanceModel

        rows = rows_of(bodies, stances, split, part, sample_bodies, dev_fraction, seed)
        stance_model = StanceModel.load(model)
        if part == "dev":
            try:  # the model decides stances and weighs relatedness: it must not have seen these stories
                _check_held_out(stance_model, split, dev_fraction, seed)
            except ValueError as exc:
                raise click.UsageError(str(exc)) from None
        result = run_track(rows, db_path or default_db(rows, "track"), model=stance_model)
        result["part"] = described(part, split, sample_bodies, dev_fraction, seed)
        click.echo(json.dumps(result, default=str) if as_json else format_track(result))

    @eval_group.command(name="threads")
    @fnc_inputs
    def eval_threads(bodies: str, stances: str, split: str, part: str, sample_bodies: int | None,
                     dev_fraction: float, seed: int, db_path: str | None, as_json: bool) -> None:
        """Score the automatic threads against the stories (bodies related to one headline, joined
        through shared bodies): B-cubed precision, recall and F1 over the bodies."""
        from ..eval.track import default_db, format_threads, run_threads

        rows = rows_of(bodies, stances, split, part, sample_bodies, dev_fraction, seed)
        result = run_threads(rows, db_path or default_db(rows, "threads"))
        result["part"] = described(part, split, sample_bodies, dev_fraction, seed)
        click.echo(json.dumps(result, default=str) if as_json else format_threads(result))


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
    @click.argument("proposition", required=False)
    @click.option("--file", "file_path", type=click.Path(exists=True, dir_okay=False),
                  help="Follow every proposition in FILE (one per line, blank lines and lines starting "
                       "with # skipped), all in one relink.")
    @DB_OPTION
    @JSON_OPTION
    def track_command(proposition: str | None, file_path: str | None, db_path: str, as_json: bool) -> None:
        """Follow PROPOSITION: add it as a thread and place on it every claim that says the same
        (found by meaning over all claims), with its stance."""
        from ..store.links import find_thread
        from .tracking import read_propositions, track_propositions

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
