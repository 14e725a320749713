"""The TempEval-3 scorer, on small hand-made TimeML files with hand-computed answers."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from storyledger.eval.timex import is_held_out, print_errors, read_timeml, score_timeml, select_part

FIXTURES = Path(__file__).parent / "fixtures" / "timeml"
TEMPEVAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "tempeval3"


def _span(text: str, needle: str, type_: str, value: str | None):
    start = text.index(needle)
    return SimpleNamespace(start=start, end=start + len(needle), text=needle, type=type_,
                           value=value, rule="fake")


def test_read_timeml_plain_text_offsets_and_dct():
    doc = read_timeml(FIXTURES / "doc_a.tml")
    assert doc.doc_id == "handmade_a"
    assert doc.dct == "2021-03-10"
    assert doc.dct_date == dt.date(2021, 3, 10)
    # tags are stripped, entities decoded, and the DCT TIMEX3 (outside <TEXT>) is not a gold timex
    assert "<EVENT" not in doc.text and "the operator & the council" in doc.text
    assert [(t.text, t.type, t.value) for t in doc.timexes] == [
        ("Tuesday", "DATE", "2021-03-09"),
        ("three weeks", "DURATION", "P3W"),
        ("February 15, 2021", "DATE", "2021-02-15"),
    ]
    for t in doc.timexes:
        assert doc.text[t.start:t.end] == t.text
    assert read_timeml(FIXTURES / "doc_b.tml").dct_date == dt.date(2019, 11, 6)


def _fake_tagger(text: str, anchor):
    if "harbour ferry" in text:
        assert anchor == dt.date(2021, 3, 10)
        return [
            _span(text, "Tuesday", "DATE", "2021-03-09"),  # strict match, right type and value
            _span(text, "weeks", "DURATION", "P2W"),  # overlap only, wrong value
            _span(text, "February 15", "DATE", "2021-02-15"),  # overlap only, right value
            _span(text, "operator", "DATE", "XXXX"),  # false positive
        ]
    if "bakery" in text:
        return [
            _span(text, "yesterday", "DATE", "2019-11-05"),  # strict, right
            _span(text, "every day", "DURATION", "P1D"),  # strict, wrong type, right value
            _span(text, "two years", "DURATION", "P2Y"),  # overlap, right value
            # "2015" is missed
        ]
    return []


def test_score_timeml_hand_computed():
    s = score_timeml(FIXTURES, tagger=_fake_tagger)
    # gold: 3 + 4 + 0 = 7; predicted: 4 + 3 = 7; relaxed matches 3 + 3 = 6; strict 2 + 1... :
    # strict = Tuesday, yesterday, every day = 3
    assert s["n_docs"] == 3 and s["n_gold"] == 7 and s["n_pred"] == 7
    assert s["relaxed_precision"] == pytest.approx(6 / 7)
    assert s["relaxed_recall"] == pytest.approx(6 / 7)
    assert s["relaxed_f1"] == pytest.approx(6 / 7)
    assert s["strict_precision"] == pytest.approx(3 / 7)
    assert s["strict_recall"] == pytest.approx(3 / 7)
    assert s["strict_f1"] == pytest.approx(3 / 7)
    assert s["type_accuracy"] == pytest.approx(5 / 6)  # "every day" typed DURATION
    assert s["value_accuracy"] == pytest.approx(5 / 6)  # "weeks" valued P2W
    assert s["value_f1"] == pytest.approx(6 / 7 * 5 / 6)


def test_relaxed_matching_is_one_to_one():
    def two_for_one(text, anchor):
        if "harbour ferry" not in text:
            return []
        # both overlap gold "three weeks": only one may count
        return [_span(text, "three", "DURATION", "P3W"), _span(text, "weeks", "DURATION", "P3W")]

    s = score_timeml([FIXTURES / "doc_a.tml"], tagger=two_for_one)
    assert s["n_pred"] == 2 and s["n_gold"] == 3
    assert s["relaxed_precision"] == pytest.approx(1 / 2)
    assert s["relaxed_recall"] == pytest.approx(1 / 3)
    assert s["strict_f1"] == 0.0
    assert s["value_accuracy"] == 1.0


def test_empty_tagger_scores_zero_without_crashing():
    s = score_timeml(FIXTURES, tagger=lambda text, anchor: [])
    assert s["relaxed_f1"] == 0.0 and s["value_f1"] == 0.0 and s["n_pred"] == 0


def test_real_tagger_on_fixture():
    s = score_timeml([FIXTURES / "doc_a.tml"])
    assert s["n_gold"] == 3
    assert s["relaxed_recall"] == 1.0
    assert s["value_accuracy"] == 1.0


def test_cli_prints_json():
    from conftest import cli

    scores = json.loads(cli("eval", "timex", "--tml", str(FIXTURES), "--json").stdout)
    assert scores["n_docs"] == 3 and scores["n_gold"] == 7
    assert 0.0 <= scores["value_f1"] <= 1.0


def test_tempeval3_aquaint_dev_value_f1():
    """AQUAINT's development part (63 of 73 docs; a few seconds). The held-out part is scored for
    the README only: a test with a bar on it would invite tuning on it."""
    folder = TEMPEVAL / "AQUAINT"
    if not folder.is_dir():
        pytest.skip(f"TempEval-3 data not found at {folder} (../shared/data/tempeval3 next to the repo)")
    s = score_timeml(folder, part="dev")
    assert s["n_docs"] == 63 and s["part"] == "dev"
    assert s["value_f1"] >= 0.79, s  # 0.7956 when the part was split off


def test_held_out_part_is_a_fifth_chosen_by_file_name():
    # sha256("doc_a.tml") and sha256("doc_c.tml") are divisible by 5, sha256("doc_b.tml") is not
    assert [is_held_out(FIXTURES / n) for n in ("doc_a.tml", "doc_b.tml", "doc_c.tml")] == [True, False, True]
    assert is_held_out(Path("elsewhere") / "doc_a.tml")  # the name decides, not the folder
    paths = sorted(FIXTURES.glob("*.tml"))
    dev, held = select_part(paths, "dev"), select_part(paths, "held-out")
    assert sorted(dev + held) == paths == select_part(paths, "all") and not set(dev) & set(held)
    with pytest.raises(ValueError, match="unknown part"):
        select_part(paths, "test")
    if TEMPEVAL.is_dir():
        assert len(select_part(sorted((TEMPEVAL / "AQUAINT").glob("*.tml")), "held-out")) == 10
        assert len(select_part(sorted((TEMPEVAL / "TimeBank").glob("*.tml")), "held-out")) == 34


def test_cli_scores_one_part_and_lists_no_held_out_errors(capsys):
    from conftest import cli

    held = json.loads(cli("eval", "timex", "--tml", str(FIXTURES), "--part", "held-out", "--json").stdout)
    dev = json.loads(cli("eval", "timex", "--tml", str(FIXTURES), "--part", "dev", "--json").stdout)
    assert (held["n_docs"], held["part"], dev["n_docs"], dev["part"]) == (2, "held-out", 1, "dev")
    refused = cli("eval", "timex", "--tml", str(FIXTURES), "--part", "held-out", "--errors", ok=False)
    assert refused.exit_code == 2 and "not on the held-out part" in refused.stderr
    details: list = []
    score_timeml(FIXTURES, tagger=lambda text, anchor: [], details=details)  # every gold one missed
    listed = io.StringIO()
    print_errors(details, out=listed)
    missed = {line.split("\t")[1] for line in listed.getvalue().splitlines()}
    assert missed == {"handmade_b"}  # the held-out documents' misses are not shown
