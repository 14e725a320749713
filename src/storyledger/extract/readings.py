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
