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
    body_disjoint_split,
    decide,
    default_model,
    sentences,
    stem,
    tokens,
)

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
    assert DEFAULT_MODEL.stat().st_size < 5 * 1024 * 1024


def test_shipped_model_loads_without_pickle(model):
    with np.load(DEFAULT_MODEL, allow_pickle=False) as data:
        assert "m0_w_out" in data.files
    assert model.meta["labels"] == list(STANCES)


def test_hand_written_examples(model):
    pairs = [(CLAIM, AGREE_BODY), (CLAIM, DISAGREE_BODY), (CLAIM, DISCUSS_BODY), (CLAIM, UNRELATED_BODY)]
    assert model.predict(pairs) == ["agree", "disagree", "discuss", "unrelated"]


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


def test_shipped_model_on_held_out_bodies(model):
    bodies, stances = _fnc_files()
    from storyledger.eval.stance import score_stance_files

    meta = model.meta
    if not meta.get("dev_fraction"):
        pytest.skip("the shipped model was trained on every body (--dev-fraction 0): nothing is held out")
    assert meta.get("dev_fraction") == 0.2 and meta.get("split_seed") == 0, (
        "the held-out bodies scored here must be those the shipped model was trained without")
    result = score_stance_files(bodies, stances, model=model, body_disjoint=True, dev_fraction=0.2, seed=0)
    assert result["n"] > 5000
    assert result["fnc_score"] >= 80.0, result
    assert result["macro_f1"] >= 0.6, result
