"""Claims read their cue words the same way in every process."""

from __future__ import annotations

from dataclasses import replace

from storyledger.extract import claims
from storyledger.extract.nlp import load_nlp
from storyledger.extract.readings import TokenTable


def test_the_modality_cue_is_the_first_cue_word_in_the_text(monkeypatch):
    # Two demand verbs in one claim. The word list is given in the other order than the text's:
    # the cue must come from the text, not from how the list (a set, ordered by string hashes
    # that change from one process to the next) happens to be ordered.
    lex = claims._lexicon()
    demand = next(words for name, words, _ in lex.modality if name == "demand")
    assert {"urge", "order"} <= demand
    reordered = tuple((name, ["order", "urge"] if name == "demand" else words, phrases)
                      for name, words, phrases in lex.modality)
    monkeypatch.setattr(claims, "_lexicon", lambda: replace(lex, modality=reordered))
    doc = load_nlp()("The harbour board is urging the mayor to order a review of the quay.")
    span = doc[:]
    assert claims._modality(span, None, TokenTable(doc), doc.text) == ("demand", "urging")
