"""`storyledger eval …` and `storyledger train …`: each capability scored on public annotated
data, and the shipped models trained from it. The eval modules are imported when a command runs."""

from __future__ import annotations

import json
from typing import Any

import click

from .common import JSON_OBJECT_OPTION, eval_group, print_scores, train_group

ERRORS_OPTION = click.option("--errors", is_flag=True,
                             help="Also list what went wrong (misses, false positives, wrong values), for tuning.")
SPLITS = ("body", "story")  # as storyledger.link.stance.SPLITS (not imported here: it loads numpy)


@eval_group.command(name="timex")
@click.option("--tml", "tml", required=True, type=click.Path(exists=True),
              help="A TimeML file or a folder of them (with DCT and gold TIMEX3).")
@click.option("--part", type=click.Choice(["all", "dev", "held-out"]), default="all", show_default=True,
              help="Every document, the development part, or the held-out part (a fifth of the files, "
                   "chosen by a hash of the file name).")
@JSON_OBJECT_OPTION
@ERRORS_OPTION
def eval_timex(tml: str, part: str, as_json: bool, errors: bool) -> None:
    """TempEval-3 scores of the time tagger: relaxed/strict span F1, type and value accuracy,
    value F1 (relaxed F1 × value accuracy). The document creation time is not scored."""
    from ..eval.timex import print_errors, score_timeml

    if errors and part == "held-out":
        raise click.UsageError("--errors lists what the tagger gets wrong, for tuning: not on the held-out part")
    details: list | None = [] if errors else None
    scores = score_timeml(tml, part=part, details=details)
    if details is not None:
        print_errors(details)
    print_scores(scores, as_json)


@eval_group.command(name="attribution")
@click.option("--brat", "brat_dir", required=True, type=click.Path(exists=True, file_okay=False),
              help="A folder with text/*.txt and attributions/*.ann (PolNeAR's brat standoff).")
@click.option("--kinds", help="Score only predictions of these kinds, e.g. speech,report "
                              "(for quote-only corpora); PolNeAR annotates all kinds.")
@JSON_OBJECT_OPTION
def eval_attribution(brat_dir: str, kinds: str | None, as_json: bool) -> None:
    """Attribution scores: content P/R/F1 at ≥30 % and ≥80 % coverage, source and cue accuracy
    on matched pairs, and exact-span F1 for source, cue and content."""
    from ..eval.attribution import score_attribution

    wanted = {k.strip() for k in kinds.split(",") if k.strip()} if kinds else None
    print_scores(score_attribution(brat_dir, kinds=wanted), as_json)


@eval_group.command(name="quantities")
@click.option("--quantulum", "path", required=True, type=click.Path(exists=True, dir_okay=False),
              help="A quantulum3 test file (sentences with gold value, unit and surface).")
@JSON_OBJECT_OPTION
@ERRORS_OPTION
def eval_quantities(path: str, as_json: bool, errors: bool) -> None:
    """Quantity scores: value F1 (equal values, overlapping spans) and unit accuracy."""
    from ..eval.quantities import score_quantities

    found: list[dict] | None = [] if errors else None
    print_scores(score_quantities(path, errors=found), as_json)
    for error in found or []:
        click.echo(json.dumps(error, ensure_ascii=False), err=as_json)


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
    from ..link.stance import DEFAULT_MODEL
    from ..link.stance_training import train_stance

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
@JSON_OBJECT_OPTION
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
        JSON_OBJECT_OPTION,
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
