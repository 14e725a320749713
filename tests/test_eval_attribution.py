"""The brat/PolNeAR attribution scorer, on two small hand-made documents whose scores were
worked out by hand (see the comments)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyledger.eval.attribution import (
    match_contents,
    parse_ann,
    read_brat_dir,
    score_attribution,
)
from storyledger.extract.attribution import Attribution, TextSpan

BRAT = Path(__file__).parent / "fixtures" / "brat"


def span(text: str, needle: str, start: int = 0) -> TextSpan:
    i = text.index(needle, start)
    return TextSpan(i, i + len(needle), needle)


def att(text, source, cue, content, *, cue_from=0, kind="speech", parent=None, parts=()):
    return Attribution(
        id="x",
        source=span(text, source) if source else None,
        source_name=None,
        source_role=None,
        source_affiliation=None,
        anonymous=False,
        cue=span(text, cue, cue_from),
        content=span(text, content),
        form="indirect",
        kind=kind,
        medium=None,
        hedge=None,
        parent=parent,
        rule="test",
        content_parts=tuple(span(text, p) for p in parts),
    )


def predictions(text: str) -> list[Attribution]:
    if text.startswith("Anna Lee"):
        return [
            # P1: everything exact
            att(text, "Anna Lee", "said", "that the river was rising"),
            # P2: content covers 11 of the gold's 15 characters (73 %): a match at 30 %, not at
            # 80 %; source "mayor" overlaps gold "The mayor" but is not exact; cue exact
            att(text, "mayor", "thinks", "dam is safe", kind="belief"),
            # P3: overlaps no gold content: a false positive
            att(text, None, "The", "The mayor"),
            # nested in P1: never scored
            att(text, None, "said", "the river", parent="x"),
        ]
    return [
        # P4: first quotation only: 14 of the gold's 14 + 16 characters (47 %)
        att(text, "Bo Chen", "said", "“We will win,”"),
        # P5: 15 of 20 characters (75 %); gold has no source but P5 has one ("It"): wrong;
        # cue "said" overlaps gold "is said": right
        att(text, "It", "said", "taxes will rise", cue_from=40),
    ]


def test_read_brat_dir():
    docs = read_brat_dir(BRAT)
    assert [d.name for d in docs] == ["doc1", "doc2"]
    d1, d2 = docs
    # doc1 has two annotators' files: the first in sorted order is used
    assert d1.ann_path.endswith("doc1_aa01.ann")
    assert len(d1.attributions) == 2
    assert d1.attributions[1].source == ((41, 50),)
    # discontinuous content, and an event with no content is skipped
    assert len(d2.attributions) == 2
    a, b = d2.attributions
    assert a.content == ((0, 14), (29, 45))
    assert [d2.text[s:e] for s, e in a.content] == ["“We will win,”", "“It is certain.”"]
    assert b.source is None and d2.text[b.cue[0][0] : b.cue[0][1]] == "is said"


def test_parse_ann_content2_and_bad_lines():
    ann = (
        "T1\tSource 0 2\tAb\nT2\tCue 3 5\tcd\nT3\tContent 6 8\tef\nT4\tContent 10 12\tgh\n"
        "T5\tAttribution 3 5\tcd\nE1\tAttribution:T5 Source:T1 Cue:T2 Content:T3 Content2:T4\n"
        "garbage line\nT9\tContent x y\tbad\n"
    )
    (g,) = parse_ann(ann)
    assert g.content == ((6, 8), (10, 12)) and g.source == ((0, 2),) and g.cue == ((3, 5),)


def test_match_contents_greedy_one_to_one():
    gold = [((0, 10),), ((20, 30),)]
    pred = [((0, 30),), ((0, 4),), ((21, 29),)]
    # best coverage first, ties by gold then prediction order: the long prediction (100 % of
    # both golds) takes gold 0; gold 1 then goes to the 80 % prediction; the 40 % one is left
    assert sorted(match_contents(gold, pred, 0.3)) == [(0, 0), (1, 2)]
    assert sorted(match_contents(gold, pred, 0.8)) == [(0, 0), (1, 2)]
    assert sorted(match_contents(gold, pred[:2], 0.3)) == [(0, 0)]
    assert match_contents(gold, [((10, 20),)], 0.3) == []


def test_scores_by_hand():
    s = score_attribution(BRAT, extractor=predictions)
    assert s["n_docs"] == 2
    assert s["n_gold"] == 4
    assert s["n_pred"] == 5  # the nested prediction is not scored
    assert s["n_matched"] == 4
    # 30 %: P1, P2, P4, P5 match; P3 does not
    assert s["content_precision_30"] == pytest.approx(4 / 5)
    assert s["content_recall_30"] == pytest.approx(1.0)
    assert s["content_f1_30"] == pytest.approx(2 * 0.8 * 1.0 / 1.8)
    # 80 %: only P1
    assert s["content_precision_80"] == pytest.approx(1 / 5)
    assert s["content_recall_80"] == pytest.approx(1 / 4)
    assert s["content_f1_80"] == pytest.approx(2 * 0.2 * 0.25 / 0.45)
    # sources: P1, P2, P4 right; P5 has a source where gold has none
    assert s["source_accuracy"] == pytest.approx(3 / 4)
    assert s["source_accuracy_gold_source"] == pytest.approx(1.0)
    assert s["cue_accuracy"] == pytest.approx(1.0)
    # exact sources: gold {Anna Lee, The mayor, Bo Chen}, predicted {Anna Lee, mayor, Bo Chen, It}
    p, r = 2 / 4, 2 / 3
    assert s["exact_source_f1"] == pytest.approx(2 * p * r / (p + r))
    # exact cues: gold {said, thinks, said, is said}, predicted {said, thinks, The, said, said}
    p, r = 3 / 5, 3 / 4
    assert s["exact_cue_f1"] == pytest.approx(2 * p * r / (p + r))
    # exact contents: only P1
    p, r = 1 / 5, 1 / 4
    assert s["exact_content_f1"] == pytest.approx(2 * p * r / (p + r))


def test_kinds_filter():
    s = score_attribution(BRAT, extractor=predictions, kinds={"speech"})
    # P2 (a belief) is dropped: 3 predictions, 3 matches
    assert s["n_pred"] == 4 and s["n_matched"] == 3
    assert s["content_precision_30"] == pytest.approx(3 / 4)
    assert s["content_recall_30"] == pytest.approx(3 / 4)


def test_discontinuous_prediction_counts_all_parts():
    def pred(text):
        if text.startswith("Anna Lee"):
            return []
        return [att(text, "Bo Chen", "said", "“We will win,”", parts=("“We will win,”", "“It is certain.”"))]

    s = score_attribution(BRAT, extractor=pred)
    assert s["n_matched"] == 1
    assert s["content_recall_80"] == pytest.approx(1 / 4)
    assert s["exact_content_f1"] == pytest.approx(2 * 1 * 0.25 / 1.25)


def test_cli_prints_json():
    from conftest import cli

    scores = json.loads(cli("eval", "attribution", "--brat", str(BRAT), "--json").stdout)
    assert scores["n_docs"] == 2 and scores["n_gold"] == 4
    for key in (
        "content_precision_30", "content_recall_30", "content_f1_30", "content_precision_80",
        "content_recall_80", "content_f1_80", "source_accuracy", "cue_accuracy",
        "exact_source_f1", "exact_cue_f1", "exact_content_f1", "n_pred", "n_matched",
    ):
        assert key in scores
