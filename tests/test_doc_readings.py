"""What the extractors read from a parse once per document gives what spaCy gives on each access."""

from __future__ import annotations

import gc

import pytest

from article_fixtures import FERRY, QUAY
from storyledger.extract import readings
from storyledger.extract.claims import _Entities, _lexicon
from storyledger.extract.nlp import load_nlp
from storyledger.extract.readings import doc_text

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
        expected = tuple(dict.fromkeys(e.text for e in span.ents if e.label_ in labels))
        assert entities.named_within(span, labels) == expected, span.text
