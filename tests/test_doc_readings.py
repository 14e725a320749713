"""What the extractors read from a parse once per document gives what spaCy gives on each access."""

from __future__ import annotations

import gc

import pytest

from article_fixtures import FERRY, QUAY
from storyledger.extract import readings
from storyledger.extract.claims import _Entities, _lexicon
from storyledger.extract.nlp import load_nlp
from storyledger.extract.readings import doc_text, token_table

TEXT = ("Board chair Mira Lenk of the Kessin Harbour Board met Deputy Mayor Oskar Brandt in Rostock on "
        "Tuesday. " + " ".join(QUAY + FERRY) + " The European Commission and Germany said nothing.")


@pytest.fixture(scope="module")
def parsed():
    return load_nlp()(TEXT)


def test_doc_text_is_read_once_and_goes_with_its_doc():
    doc = load_nlp()("The quay closes on Tuesday.")
    assert doc_text(doc) == doc.text
    assert doc_text(doc) is doc_text(doc)
    assert doc in readings._DOC_TEXTS
    held = len(readings._DOC_TEXTS)
    del doc
    gc.collect()
    assert len(readings._DOC_TEXTS) == held - 1


def test_entities_within_any_span_are_spans_own(parsed):
    assert len(parsed.ents) >= 5  # the text names people, places and organisations
    labels = _lexicon().entity_labels
    entities = _Entities(parsed)
    spans = list(parsed.sents)
    spans += [parsed[i:j] for i in range(0, len(parsed), 7) for j in (i + 3, i + 12, len(parsed))]
    for span in spans:
        first_label: dict[str, str] = {}
        for e in span.ents:
            if e.label_ in labels:
                first_label.setdefault(e.text, e.label_)
        assert entities.named_within(span, labels) == (tuple(first_label), tuple(first_label.values())), span.text


def test_token_table_holds_each_tokens_attributes(parsed):
    table = token_table(parsed)
    assert token_table(parsed) is table
    assert len(table.text) == len(parsed)
    for t in parsed:
        row = (table.text[t.i], table.lower[t.i], table.lemma[t.i], table.pos[t.i], table.tag[t.i],
               table.dep[t.i], table.head[t.i], table.is_word[t.i])
        assert row == (t.text, t.lower_, t.lemma_.lower(), t.pos_, t.tag_, t.dep_, t.head.i,
                       not (t.is_punct or t.is_space))
    assert any(not w for w in table.is_word) and "VERB" in table.pos


def test_token_table_of_an_empty_doc():
    table = token_table(load_nlp()(""))
    assert table.text == [] and table.head == []
