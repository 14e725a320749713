"""FNC-1 scoring on hand-made label lists, with the expected values worked out by hand."""

from __future__ import annotations

import json

import pytest

from storyledger.eval.stance import fnc_score


def test_all_correct_is_100():
    gold = ["agree", "disagree", "discuss", "unrelated"]
    result = fnc_score(gold, gold)
    assert result["fnc_score"] == pytest.approx(100.0)
    assert result["macro_f1"] == pytest.approx(1.0)
    assert result["n"] == 4
    # max = 3 related x 1.0 + 1 unrelated x 0.25
    assert result["fnc_max"] == pytest.approx(3.25)


def test_hand_computed_mix():
    gold = ["agree", "agree", "disagree", "discuss", "unrelated", "unrelated"]
    pred = ["agree", "discuss", "unrelated", "discuss", "unrelated", "agree"]
    # agree/agree 1.0; agree/discuss 0.25 (related right, label wrong); disagree/unrelated 0;
    # discuss/discuss 1.0; unrelated/unrelated 0.25; unrelated/agree 0  -> 2.5
    # max: 4 related x 1.0 + 2 unrelated x 0.25 = 4.5
    result = fnc_score(gold, pred)
    assert result["fnc_raw"] == pytest.approx(2.5)
    assert result["fnc_max"] == pytest.approx(4.5)
    assert result["fnc_score"] == pytest.approx(100 * 2.5 / 4.5)
    # per class: agree tp1, pred 2, gold 2 -> 2/4 = 0.5; disagree tp0 -> 0;
    # discuss tp1, pred 2, gold 1 -> 2/3; unrelated tp1, pred 2, gold 2 -> 0.5
    assert result["f1_agree"] == pytest.approx(0.5)
    assert result["f1_disagree"] == pytest.approx(0.0)
    assert result["f1_discuss"] == pytest.approx(2 / 3)
    assert result["f1_unrelated"] == pytest.approx(0.5)
    assert result["macro_f1"] == pytest.approx((0.5 + 0 + 2 / 3 + 0.5) / 4)
    assert result["n"] == 6
    assert result["confusion"]["disagree"]["unrelated"] == 1


def test_all_unrelated_baseline():
    gold = ["unrelated"] * 3 + ["discuss"]
    pred = ["unrelated"] * 4
    # 3 x 0.25 of a maximum 0.75 + 1.0
    result = fnc_score(gold, pred)
    assert result["fnc_score"] == pytest.approx(100 * 0.75 / 1.75)
    assert result["f1_unrelated"] == pytest.approx(2 * 3 / (4 + 3))
    assert result["f1_discuss"] == 0.0


def test_labels_are_normalised_and_checked():
    assert fnc_score(["Agree "], ["agree"])["fnc_score"] == pytest.approx(100.0)
    with pytest.raises(ValueError, match="unknown stance"):
        fnc_score(["agree"], ["supports"])
    with pytest.raises(ValueError, match="labels"):
        fnc_score(["agree", "discuss"], ["agree"])


def test_empty():
    result = fnc_score([], [])
    assert result["n"] == 0
    assert result["fnc_score"] == 0.0


def test_cli_scores_small_files(tmp_path, capsys):
    bodies = tmp_path / "bodies.csv"
    stances = tmp_path / "stances.csv"
    bodies.write_text(
        "Body ID,articleBody\n"
        '7,"The harbour bridge in Kelmsport was closed on Monday after engineers found cracks in two '
        'of its steel supports. The city council confirmed the bridge will stay shut for repairs."\n',
        encoding="utf-8")
    stances.write_text(
        "Headline,Body ID,Stance\n"
        "Kelmsport harbour bridge closed after cracks found in supports,7,agree\n"
        "Pop singer releases surprise album of jazz standards,7,unrelated\n",
        encoding="utf-8")
    from conftest import cli

    result = json.loads(cli("eval", "stance", "--bodies", str(bodies), "--stances", str(stances), "--json").stdout)
    assert result["n"] == 2
    assert set(result) >= {"fnc_score", "macro_f1", "f1_agree", "f1_disagree", "f1_discuss", "f1_unrelated"}
    assert "FNC score" in cli("eval", "stance", "--bodies", str(bodies), "--stances", str(stances)).stdout


# --- the story-disjoint split ---------------------------------------------------------------

def _rows(pairs):
    from storyledger.link.stance_data import StanceRow

    return [StanceRow(head, body, f"body {body}", stance) for head, body, stance in pairs]


STORIES = [  # two stories (bridge: h1 h2 / b1 b2; album: h3 / b3), one lone headline (h4)
    ("h1 bridge closed", "b1", "agree"), ("h1 bridge closed", "b2", "discuss"),
    ("h2 bridge reopens", "b2", "disagree"),  # h2 joins the bridge story through b2
    ("h3 album out", "b3", "agree"),
    ("h1 bridge closed", "b3", "unrelated"), ("h3 album out", "b1", "unrelated"),
    ("h4 storm due", "b3", "unrelated"),
]


def test_story_components_join_headlines_through_shared_bodies():
    from storyledger.link.stance_data import story_components

    story = story_components(_rows(STORIES))
    assert story["h:h1 bridge closed"] == story["h:h2 bridge reopens"] == story["b:b1"] == story["b:b2"]
    assert story["h:h3 album out"] == story["b:b3"] != story["b:b1"]
    assert story["h:h4 storm due"] not in (story["b:b1"], story["b:b3"])  # unrelated pairs join nothing


@pytest.mark.parametrize("seed", range(6))
def test_story_disjoint_split_keeps_each_story_on_one_side(seed):
    from storyledger.link.stance_data import story_disjoint_split

    rows = _rows(STORIES)
    train, dev = story_disjoint_split(rows, dev_fraction=0.25, seed=seed)
    assert dev and train  # a quarter of the 4 related pairs: either story alone is enough
    for side, other in ((train, dev), (dev, train)):
        assert not {r.headline for r in side} & {r.headline for r in other}
        assert not {r.body_id for r in side} & {r.body_id for r in other}
    bridge = {r for r in rows if r.headline.startswith(("h1", "h2")) and r.body_id in ("b1", "b2")}
    assert bridge <= set(train) or bridge <= set(dev)
    # unrelated pairs across the two sides are on neither; everything else is on one side
    crossing = set(rows) - set(train) - set(dev)
    assert all(r.stance == "unrelated" for r in crossing)
    assert story_disjoint_split(list(reversed(rows)), dev_fraction=0.25, seed=seed)[1] == \
        [r for r in reversed(rows) if r in set(dev)]  # the same stories whatever the row order


def test_scoring_a_split_the_model_was_not_trained_on_is_refused(tmp_path):
    from storyledger.eval.stance import score_stance_files
    from storyledger.link.stance import StanceModel

    bodies = tmp_path / "bodies.csv"
    stances = tmp_path / "stances.csv"
    bodies.write_text('Body ID,articleBody\n1,"The bridge in Kelmsport was closed on Monday."\n', encoding="utf-8")
    stances.write_text("Headline,Body ID,Stance\nKelmsport bridge closed,1,agree\n", encoding="utf-8")
    shipped = StanceModel.load()
    assert shipped.meta["split"] == "none"  # trained on every pair: no held-out part is unseen
    with pytest.raises(ValueError, match="--split story"):
        score_stance_files(bodies, stances, model=shipped, split="story")
    with pytest.raises(ValueError, match="--split body"):
        score_stance_files(bodies, stances, model=shipped, body_disjoint=True)
    shipped.meta.update({"split": "body", "dev_fraction": 0.2, "split_seed": 0})
    with pytest.raises(ValueError, match="dev fraction 0.3"):
        score_stance_files(bodies, stances, model=shipped, split="body", dev_fraction=0.3)


def test_story_split_of_fnc1_train():
    from conftest import shared_path
    from storyledger.link.stance_data import read_stances, story_disjoint_split

    fnc = shared_path("data", "fnc1")
    rows = read_stances(fnc / "train_bodies.csv", fnc / "train_stances.csv")
    train, dev = story_disjoint_split(rows, dev_fraction=0.2, seed=0)
    related = [r for r in rows if r.stance != "unrelated"]
    dev_related = [r for r in dev if r.stance != "unrelated"]
    assert 0.2 <= len(dev_related) / len(related) < 0.3
    assert not {r.headline for r in train} & {r.headline for r in dev}
    assert not {r.body_id for r in train} & {r.body_id for r in dev}


def test_train_and_score_a_story_split_from_the_command_line(tmp_path):
    from click.testing import CliRunner

    from storyledger.cli import main as cli

    bodies = tmp_path / "bodies.csv"
    stances = tmp_path / "stances.csv"
    bodies.write_text(
        "Body ID,articleBody\n"
        '1,"The harbour bridge in Kelmsport was closed on Monday after engineers found cracks in its supports."\n'
        '2,"Claims that the Kelmsport bridge has closed are false, the council said; traffic is flowing."\n'
        '3,"The singer Mara Vell released an album of jazz standards on Friday without any warning."\n'
        '4,"Mara Vell may release a jazz album soon, according to unconfirmed reports from fans."\n',
        encoding="utf-8")
    stances.write_text(
        "Headline,Body ID,Stance\n"
        "Kelmsport bridge closed after cracks found,1,agree\n"
        "Kelmsport bridge closed after cracks found,2,disagree\n"
        "Kelmsport bridge closed after cracks found,3,unrelated\n"
        "Mara Vell releases surprise jazz album,3,agree\n"
        "Mara Vell releases surprise jazz album,4,discuss\n"
        "Mara Vell releases surprise jazz album,1,unrelated\n",
        encoding="utf-8")
    model = tmp_path / "story.npz"
    files = ["--bodies", str(bodies), "--stances", str(stances)]
    split = ["--split", "story", "--dev-fraction", "0.5", "--seed", "0"]
    trained = CliRunner().invoke(cli, ["train", "stance", *files, *split, "--out", str(model)])
    assert trained.exit_code == 0, trained.output
    scored = CliRunner().invoke(cli, ["eval", "stance", *files, *split, "--model", str(model), "--json"])
    assert scored.exit_code == 0, scored.output
    result = json.loads(scored.output)
    assert result["n"] == 2 and result["headlines"] == 1  # one whole story held out: its two related pairs
    refused = CliRunner().invoke(cli, ["eval", "stance", *files, "--split", "body", "--model", str(model)])
    assert refused.exit_code != 0 and "--split body" in refused.output
