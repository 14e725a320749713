"""What the extractors read from a parse, read once per Doc and shared between them.

Imports nothing of spaCy, so that a module reading the ledger can use an extractor's helpers
without loading it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc

# spaCy re-joins Doc.text from every token on each access; each extractor reads it. Held weakly:
# an entry goes with its Doc, so a Doc made later can never be handed a freed one's text (as a
# cache keyed by id(doc) could), and a Doc's text never changes once it is made.
_DOC_TEXTS: WeakKeyDictionary[Doc, str] = WeakKeyDictionary()


def doc_text(doc: Doc) -> str:
    """``doc.text``, joined once per Doc."""
    text = _DOC_TEXTS.get(doc)
    if text is None:
        text = _DOC_TEXTS[doc] = doc.text
    return text


class TokenTable:
    """Each token's attributes as lists indexed by the token's position in the Doc, read in one
    pass: an extractor that reads tokens span by span would otherwise have spaCy make a Token
    object for each token of each span it reads."""

    def __init__(self, doc: Doc) -> None:
        rows = [(t.text, t.lower_, t.lemma_.lower(), t.pos_, t.tag_, t.dep_, t.head.i,
                 not (t.is_punct or t.is_space)) for t in doc]
        columns = tuple(map(list, zip(*rows, strict=True))) if rows else ([],) * 8
        self.text: list[str] = columns[0]
        self.lower: list[str] = columns[1]
        self.lemma: list[str] = columns[2]  # lower-cased
        self.pos: list[str] = columns[3]
        self.tag: list[str] = columns[4]
        self.dep: list[str] = columns[5]
        self.head: list[int] = columns[6]
        self.is_word: list[bool] = columns[7]  # neither punctuation nor white space


# One table per Doc for every extractor that reads it, held weakly as the texts are. The
# extractors never change a Doc, so a table read once stays true while the Doc lives.
_TOKEN_TABLES: WeakKeyDictionary[Doc, TokenTable] = WeakKeyDictionary()


def token_table(doc: Doc) -> TokenTable:
    """The :class:`TokenTable` of ``doc``, read once per Doc."""
    table = _TOKEN_TABLES.get(doc)
    if table is None:
        table = _TOKEN_TABLES[doc] = TokenTable(doc)
    return table
