"""Where a quantity holds: its scope ("in northeast Syria", "at the Qusarki base") and the place
the document is mostly about, for scopes such as "in the country"."""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from .candidate import Candidate, tokens_for
from .lexicon import Lexicon

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Token

SCOPE_PREPS = {"in", "at", "across", "inside", "near", "throughout", "within", "on"}
PLACE_ENTS = {"GPE", "LOC", "FAC"}

# A scope's prepositional object spans at most this many tokens (hostile text such as "$1 $1 …"
# parses into one tree, and walking a whole-document subtree for every quantity is quadratic).
_MAX_SCOPE_TOKENS = 200


def scope(doc: Doc, c: Candidate, lex: Lexicon) -> tuple[str | None, str | None, Token | None]:
    """The place/actor scope: "in Syria", "at the Qusarki base".  Returns (scope text, place, pobj)."""
    anchor = c.head_tok
    if anchor is None:
        span = tokens_for(doc, c.num_start, min(c.end, _doc_len(doc)))
        if span is None or len(span) == 0:
            return None, None, None
        anchor = span[-1]
        if anchor.dep_ in ("nummod", "quantmod") and anchor.head.i > anchor.i:
            anchor = anchor.head
    sent = anchor.sent
    candidates: list[Token] = []

    def preps_of(tok: Token) -> list[Token]:
        res = []
        for ch in tok.children:
            if ch.dep_ == "prep" and ch.lower_ in SCOPE_PREPS and ch.i > c.num_start_tok:
                res.append(ch)
            if ch.dep_ in ("acl", "relcl") and ch.i > tok.i:
                res.extend(p for p in ch.children if p.dep_ == "prep" and p.lower_ in SCOPE_PREPS)
        return res

    c.num_start_tok = _tok_index(doc, c.num_start)
    candidates.extend(preps_of(anchor))
    h = anchor
    hops = 0
    while not candidates and h.dep_ not in ("ROOT",) and hops < 3:
        h = h.head
        hops += 1
        candidates.extend(p for p in preps_of(h) if p.i > c.num_start_tok)
        if h.pos_ in ("VERB", "AUX"):
            break
    for prep in sorted(candidates, key=lambda t: abs(t.i - anchor.i)):
        pobj = next((t for t in prep.children if t.dep_ == "pobj"), None)
        if pobj is None or pobj.sent != sent:
            continue
        place = None
        if pobj.ent_type_ in (
            "DATE",
            "TIME",
            "PERSON",
            "ORG",
            "NORP",
            "CARDINAL",
            "MONEY",
            "PERCENT",
            "QUANTITY",
            "ORDINAL",
        ):
            continue
        if (
            pobj.ent_type_ in PLACE_ENTS
            or pobj.lemma_.lower() in lex.scope_nouns
            or (pobj.pos_ == "PROPN")
            or pobj.lemma_.lower() in ("base", "camp", "border", "city", "province")
        ):
            if pobj.right_edge.i - pobj.left_edge.i > _MAX_SCOPE_TOKENS:
                continue  # no place name is this long; walking it per quantity is quadratic
            sub = [t for t in pobj.subtree if t.i <= pobj.i or t.dep_ in ("compound", "amod")]
            sub = [t for t in sub if t.dep_ not in ("relcl", "acl")]
            s_i = min(t.i for t in sub)
            e_i = max(t.i for t in sub)
            text = doc[prep.i : e_i + 1].text if e_i - prep.i <= 7 else f"{prep.text} {pobj.text}"
            ents = [t for t in doc[s_i : e_i + 1] if t.ent_type_ in PLACE_ENTS]
            if ents:
                ent = next(e for e in doc.ents if e.start <= ents[-1].i < e.end)
                place = strip_direction(ent.text, lex)
            elif pobj.lemma_.lower() in lex.scope_nouns:
                place = "@dominant"
            else:
                place = " ".join(t.text for t in doc[s_i : e_i + 1] if t.pos_ not in ("DET",))
            if "\n" in text or "\n" in (place or "") or re.search(r"\d", place or "") or len(text) > 60:
                continue
            return text, place, pobj
    return None, None, None


def strip_direction(s: str, lex: Lexicon) -> str:
    words = s.split()
    while len(words) > 1 and words[0].lower() in lex.directions:
        words = words[1:]
    if words and words[0].lower() == "the":
        words = words[1:]
    return " ".join(words)


def _doc_len(doc: Doc) -> int:
    return doc[-1].idx + len(doc[-1].text_with_ws) if len(doc) else 0


def _tok_index(doc: Doc, char: int) -> int:
    span = doc.char_span(char, min(char + 1, _doc_len(doc)), alignment_mode="expand")
    return span[0].i if span is not None and len(span) else 0


def dominant_place(doc: Doc, lex: Lexicon) -> str | None:
    cnt: Counter[str] = Counter()
    for ent in doc.ents:
        if ent.label_ not in ("GPE", "LOC"):
            continue
        root = ent.root
        if root.dep_ == "pobj" and root.head.lower_ in ("in", "across", "inside", "into", "to", "from"):
            cnt[strip_direction(ent.text, lex)] += 2
        elif root.dep_ not in ("compound", "amod", "poss"):
            cnt[strip_direction(ent.text, lex)] += 1
    if not cnt:
        return None
    return cnt.most_common(1)[0][0]
