"""FNC-1 scoring on hand-made label lists, with the expected values worked out by hand."""

from __future__ import annotations

import json

import pytest

from storyledger.eval.stance import fnc_score, main


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
    assert main(["--bodies", str(bodies), "--stances", str(stances), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["n"] == 2
    assert set(result) >= {"fnc_score", "macro_f1", "f1_agree", "f1_disagree", "f1_discuss", "f1_unrelated"}
    assert main(["--bodies", str(bodies), "--stances", str(stances)]) == 0
    assert "FNC score" in capsys.readouterr().out
