"""The stance model: the shipped model file, hand-written examples, and FNC-1 data when present."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from storyledger.link.stance import (
    DEFAULT_MODEL,
    STANCES,
    StanceModel,
    decide,
    default_model,
)
from storyledger.link.stance_data import StanceRow, body_disjoint_split
from storyledger.link.stance_features import sentences, stem, strong_refutations, tokens
from storyledger.link.stance_training import fit_model

FNC1 = Path(__file__).resolve().parents[2] / "shared" / "data" / "fnc1"

CLAIM = "Mayor of Dunmore resigns over bribery scandal"

AGREE_BODY = (
    "The mayor of Dunmore resigned on Thursday over the bribery scandal. He handed his "
    "resignation to the town council a week after it emerged that he had taken bribes from a "
    "building contractor. The council accepted the resignation of the mayor and will choose an "
    "acting mayor of Dunmore next month."
)
DISCUSS_BODY = (
    "The mayor of Dunmore is reportedly planning to resign over the bribery scandal, according "
    "to local media. The claims could not be independently verified, and the mayor's office has "
    "not responded to requests for comment. Allegations that he took bribes from a building "
    "contractor surfaced last week, and some council members are said to be calling for him to "
    "step down."
)
DISAGREE_BODY = (
    "Reports that the mayor of Dunmore has resigned over the bribery scandal are false, his "
    "office said on Thursday. A spokeswoman denied that he had stepped down, calling the "
    "claim a hoax spread on social media. \"The mayor has not resigned and will not resign,\" "
    "she said. The fake resignation letter that circulated online was not written by him."
)
UNRELATED_BODY = (
    "A rare white kangaroo has been born at a wildlife park in Queensland, keepers said. The "
    "joey, which has a condition called leucism, was first seen peeking out of its mother's "
    "pouch last week. Visitors have flocked to the park to catch a glimpse of the animal, which "
    "staff have nicknamed Snowy."
)


@pytest.fixture(scope="module")
def model() -> StanceModel:
    return default_model()


def test_shipped_model_is_small():
    assert DEFAULT_MODEL.is_file()
    assert DEFAULT_MODEL.stat().st_size < 3 * 1024 * 1024


def test_shipped_model_loads_without_pickle(model):
    with np.load(DEFAULT_MODEL, allow_pickle=False) as data:
        assert "m0_table" in data.files and "prototype_refuting" in data.files
    assert model.meta["labels"] == list(STANCES)


def test_shipped_model_is_trained_on_every_fnc1_training_pair(model):
    # `storyledger train stance` without --split: what linking uses has seen all of train_stances.csv
    assert model.meta["split"] == "none" and model.meta["n_train_pairs"] == 44974


def test_hand_written_examples(model):
    pairs = [(CLAIM, AGREE_BODY), (CLAIM, DISAGREE_BODY), (CLAIM, UNRELATED_BODY)]
    assert model.predict(pairs) == ["agree", "disagree", "unrelated"]


@pytest.mark.xfail(strict=True, reason="known miss of the shipped model: a body whose hedges are negated "
                                       "('could not be verified', 'has not responded') reads as a refutation "
                                       "(disagree 0.50, discuss 0.43)")
def test_a_body_of_negated_hedges_is_discussed(model):
    assert model.predict([(CLAIM, DISCUSS_BODY)]) == ["discuss"]


def test_unrelated_pairs_are_unrelated(model):
    pairs = [
        ("Kangaroo born white at Queensland wildlife park", AGREE_BODY),
        ("Scientists find water ice on distant moon", DISAGREE_BODY),
        ("Dunmore mayor quits", UNRELATED_BODY),
    ]
    assert model.predict(pairs) == ["unrelated"] * 3


def test_predict_proba_is_a_distribution(model):
    pairs = [(CLAIM, AGREE_BODY), (CLAIM, ""), ("", ""), (CLAIM, UNRELATED_BODY)]
    probas = model.predict_proba(pairs)
    assert len(probas) == 4
    for proba in probas:
        assert list(proba) == list(STANCES)
        assert math.isclose(sum(proba.values()), 1.0, rel_tol=1e-6)
        assert all(0.0 <= p <= 1.0 for p in proba.values())
    assert max(probas[3], key=probas[3].get) == "unrelated"
    assert model.predict([]) == [] and model.predict_proba([]) == []
    assert all(label in STANCES for label in model.predict(pairs))


def test_predictions_do_not_depend_on_batch(model):
    pairs = [(CLAIM, AGREE_BODY), (CLAIM, DISAGREE_BODY), (CLAIM, UNRELATED_BODY)]
    together = model.predict_proba(pairs)
    alone = [model.predict_proba([pair])[0] for pair in pairs]
    for a, b in zip(together, alone, strict=True):
        assert a == pytest.approx(b, abs=1e-6)


def test_save_and_load_round_trip(model, tmp_path):
    path = tmp_path / "copy.npz"
    model.save(path)
    again = StanceModel.load(path)
    pairs = [(CLAIM, AGREE_BODY), (CLAIM, DISAGREE_BODY)]
    for a, b in zip(model.predict_proba(pairs), again.predict_proba(pairs), strict=True):
        assert a == pytest.approx(b, abs=1e-6)


def test_decide_maximises_expected_fnc_score():
    # unrelated 0.6 earns 0.15; "discuss" earns 0.25 * 0.4 + 0.75 * 0.3 = 0.325
    assert list(decide(np.array([[0.05, 0.05, 0.3, 0.6]]))) == [2]
    assert list(decide(np.array([[0.0, 0.0, 0.05, 0.95]]))) == [3]
    assert list(decide(np.array([[0.5, 0.1, 0.4, 0.0]]))) == [0]


def test_text_helpers():
    assert tokens("He didn't say it’s FAKE.") == ["he", "did", "not", "say", "it", "s", "fake"]
    assert stem("denies") == stem("deny") == "deny"
    assert stem("claims") == "claim"
    assert sentences("One thing. Another thing!\nA third") == ["One thing.", "Another thing!", "A third"]


def _fnc_files():
    bodies, stances = FNC1 / "train_bodies.csv", FNC1 / "train_stances.csv"
    if not (bodies.is_file() and stances.is_file()):
        pytest.skip(f"FNC-1 data not found under {FNC1} (train_bodies.csv, train_stances.csv)")
    return bodies, stances


def test_body_disjoint_split_is_disjoint_and_reproducible():
    bodies, stances = _fnc_files()
    train, dev = body_disjoint_split(bodies, stances, dev_fraction=0.2, seed=0)
    assert not {r.body_id for r in train} & {r.body_id for r in dev}
    n_bodies = len({r.body_id for r in train} | {r.body_id for r in dev})
    assert len({r.body_id for r in dev}) == round(0.2 * n_bodies)
    again = body_disjoint_split(bodies, stances, dev_fraction=0.2, seed=0)[1]
    assert [(r.headline, r.body_id) for r in again] == [(r.headline, r.body_id) for r in dev]
    other = body_disjoint_split(bodies, stances, dev_fraction=0.2, seed=1)[1]
    assert {r.body_id for r in other} != {r.body_id for r in dev}


# --- evidence that is one sentence (how linking calls the model) -------------------------------

PROPOSITION = "The Harwick steelworks will close next year"
SENTENCES = {
    "agree": "The owners of the Harwick steelworks confirmed on Monday that the plant will close next year, "
             "putting 900 jobs at risk.",
    "disagree": "Reports that the Harwick steelworks will close are false: the owners denied any plans to "
                "shut the plant, calling the story a hoax.",
    "discuss": "The Harwick steelworks may close next year, according to unconfirmed reports cited by "
               "union sources.",
    "unrelated": "Heavy snow closed three mountain passes in the Alps on Sunday and stranded hundreds of skiers.",
}


def test_claim_sentences_as_evidence(model):
    labels = list(SENTENCES)
    assert model.predict([(PROPOSITION, SENTENCES[label]) for label in labels]) == labels


def test_a_refuting_headline_agrees_with_a_refuting_body_and_disagrees_with_an_asserting_one(model):
    refuting_headline = "Dunmore mayor resignation report is a hoax, says his office"
    assert model.predict([(refuting_headline, DISAGREE_BODY)]) == ["agree"]
    assert model.predict([(refuting_headline, AGREE_BODY)]) == ["disagree"]


def test_a_hedged_headline_is_discussed(model):
    assert model.predict([("Has the mayor of Dunmore resigned over the bribery scandal?", AGREE_BODY)]) == ["discuss"]


def test_strong_refutation_cues_count_words_and_phrases():
    assert strong_refutations(tokens("The photo is fake and the story is not real.")) == 2
    assert strong_refutations(tokens("The company has no plans to move.")) == 1
    assert strong_refutations(tokens("The company did not say where it will move.")) == 0


# --- training ------------------------------------------------------------------------------

TRAINING_ROWS = [
    StanceRow(CLAIM, "1", AGREE_BODY, "agree"),
    StanceRow(CLAIM, "2", DISAGREE_BODY, "disagree"),
    StanceRow(CLAIM, "3", DISCUSS_BODY, "discuss"),
    StanceRow(CLAIM, "4", UNRELATED_BODY, "unrelated"),
    StanceRow(PROPOSITION, "5", SENTENCES["agree"], "agree"),
    StanceRow(PROPOSITION, "6", SENTENCES["disagree"], "disagree"),
    StanceRow(PROPOSITION, "7", SENTENCES["discuss"], "discuss"),
    StanceRow(PROPOSITION, "8", SENTENCES["unrelated"], "unrelated"),
    StanceRow(PROPOSITION, "1", AGREE_BODY, "unrelated"),
]


def test_training_is_reproducible_and_round_trips(tmp_path):
    first = fit_model(TRAINING_ROWS, seed=3, members=1, epochs=3)
    second = fit_model(TRAINING_ROWS, seed=3, members=1, epochs=3)
    assert first.w.keys() == second.w.keys()
    for key in first.w:
        assert np.array_equal(first.w[key], second.w[key]), key
    first.save(tmp_path / "tiny.npz")
    again = StanceModel.load(tmp_path / "tiny.npz")
    pairs = [(r.headline, r.body) for r in TRAINING_ROWS]
    for a, b in zip(first.predict_proba(pairs), again.predict_proba(pairs), strict=True):
        assert a == pytest.approx(b, abs=1e-6)
    assert again.meta["n_train_pairs"] == len(TRAINING_ROWS)


def test_a_model_of_another_format_is_refused(tmp_path):
    path = tmp_path / "old.npz"
    np.savez(path, meta=np.array('{"format": 1}'))
    with pytest.raises(ValueError, match="train stance"):
        StanceModel.load(path)


def test_training_without_labels_is_refused():
    with pytest.raises(ValueError, match="no labelled pairs"):
        fit_model([r._replace(stance="") for r in TRAINING_ROWS])
