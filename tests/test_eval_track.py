"""The scorers of `eval track` and `eval threads`: B-cubed, placement and stance scores on hand-made
rows, the command end to end on an FNC-1-style file made from the hand-written fixture articles,
and the split and sample on ../shared/data/fnc1 (skipped when absent)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from conftest import FIXTURES, cli, shared_path
from storyledger.eval.track import bcubed, sample_stories, score_threads, score_track, select_rows
from storyledger.link.stance_data import StanceRow, story_components


def row(headline: str, body_id: str, stance: str) -> StanceRow:
    return StanceRow(headline, body_id, f"body {body_id}", stance)


def test_bcubed_rewards_joining_a_story_and_punishes_mixing_two() -> None:
    gold = {"a": "s1", "b": "s1", "c": "s2"}
    assert bcubed({"a": "t", "b": "t", "c": "u"}, gold) == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    mixed = bcubed({"a": "t", "b": "t", "c": "t"}, gold)
    assert mixed["precision"] == pytest.approx(5 / 9) and mixed["recall"] == 1.0
    alone = bcubed({}, gold)  # nothing in a thread: each body a cluster of its own
    assert alone["precision"] == 1.0 and alone["recall"] == pytest.approx(2 / 3)


def test_score_threads_counts_bodies_of_stories_with_two_or_more() -> None:
    rows = [row("h1", "1", "agree"), row("h1", "2", "discuss"), row("h2", "3", "agree"), row("h1", "3", "unrelated")]
    result = score_threads(rows, {"1": "t1", "2": "t1"})
    assert result["bodies"] == 2 and result["stories"] == 1 and result["f1"] == 1.0 and result["in_a_thread"] == 1.0


def test_score_track_placement_and_stance() -> None:
    rows = [row("h", "1", "agree"), row("h", "2", "disagree"), row("h", "3", "discuss"), row("h", "4", "unrelated"),
            row("h", "5", "unrelated")]
    stance_of = {("h", "1"): "supports", ("h", "2"): "supports", ("h", "3"): None, ("h", "4"): "discusses",
                 ("h", "5"): None}
    result = score_track(rows, stance_of)
    assert result["recall"] == pytest.approx(2 / 3) and result["precision"] == pytest.approx(2 / 3)
    assert result["stance"]["accuracy"] == pytest.approx(2 / 5)  # 1 agree and 5 unrelated right
    # on the related pairs, an unplaced body counts as discussing: 1 and 3 right of 3
    assert result["related_accuracy"] == pytest.approx(2 / 3)
    assert result["related_always_agree"] == pytest.approx(1 / 3)


def test_sample_stories_keeps_stories_whole() -> None:
    rows = [row(f"h{s}", f"{s}{b}", "agree") for s in range(6) for b in range(3)]
    rows += [row("h0", "11", "unrelated")]
    sample = sample_stories(rows, 4)
    story = story_components(rows)
    stories = {story["b:" + r.body_id] for r in sample}
    assert 2 <= len(stories) < 6
    assert all(sum(story["b:" + r.body_id] == s for r in sample) == 3 for s in stories)


# -- the command on an FNC-1-style file of the fixture articles ---------------------------------

HEADLINES = {
    "Ghost orchids discovered in Varn valley after forty years": {
        "orchid-1": "agree", "orchid-2": "agree", "orchid-3": "discuss", "flood-1": "unrelated",
        "transfer-1": "unrelated"},
    "River bursts its banks in Varn village": {
        "flood-1": "agree", "flood-2": "agree", "orchid-1": "unrelated", "transfer-1": "unrelated"},
    "Kessin United sign striker Paulo Renner": {"transfer-1": "agree", "flood-2": "unrelated", "orchid-3": "unrelated"},
}


@pytest.fixture(scope="module")
def fnc_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    folder = tmp_path_factory.mktemp("fnc")
    bodies, stances = folder / "bodies.csv", folder / "stances.csv"
    with bodies.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Body ID", "articleBody"])
        for line in (FIXTURES / "track" / "articles.jsonl").read_text(encoding="utf-8").splitlines():
            article = json.loads(line)
            writer.writerow([article["id"], article["text"]])
    with stances.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Headline", "Body ID", "Stance"])
        for headline, pairs in HEADLINES.items():
            writer.writerows([headline, body, stance] for body, stance in pairs.items())
    return str(bodies), str(stances)


def test_eval_track_and_threads_end_to_end(fnc_files: tuple[str, str], tmp_path: Path) -> None:
    bodies, stances = fnc_files
    db = str(tmp_path / "fnc.db")
    result = json.loads(cli("eval", "track", "--bodies", bodies, "--stances", stances, "--part", "all",
                            "--db", db, "--json").stdout)
    assert result["pairs"] == 12 and result["related"] == 6 and result["built"]
    assert result["precision"] == 1.0 and result["recall"] >= 5 / 6, result
    # over every body of the ledger, a thread may take a body of another story set in the same valley
    assert result["placed_in_ledger"] >= 6 and result["precision_by_story"] >= 0.8
    assert result["stance"]["f1_unrelated"] > 0.8
    again = json.loads(cli("eval", "track", "--bodies", bodies, "--stances", stances, "--part", "all",
                           "--db", db, "--json").stdout)
    assert not again["built"] and again["recall"] == result["recall"]  # the ledger is reused
    threads = json.loads(cli("eval", "threads", "--bodies", bodies, "--stances", stances, "--part", "all",
                             "--db", db, "--json").stdout)
    assert threads["bodies"] == 5 and threads["stories"] == 2 and 0.0 <= threads["f1"] <= 1.0


# -- FNC-1 (../shared/data/fnc1) ----------------------------------------------------------------


def test_the_dev_part_is_story_disjoint_and_needs_a_model_that_never_saw_it() -> None:
    folder = shared_path("data", "fnc1")
    bodies, stances = str(folder / "train_bodies.csv"), str(folder / "train_stances.csv")
    dev = select_rows(bodies, stances, part="dev")
    train = select_rows(bodies, stances, part="train")
    assert not {r.headline for r in dev} & {r.headline for r in train}
    assert not {r.body_id for r in dev} & {r.body_id for r in train}
    sample = select_rows(bodies, stances, part="train", sample_bodies=40)
    assert 40 <= len({r.body_id for r in sample}) < 80
    # the shipped stance model was trained on the body-disjoint split: it has read these stories
    result = cli("eval", "track", "--bodies", bodies, "--stances", stances, ok=False)
    assert result.exit_code != 0 and "--split story" in result.output
