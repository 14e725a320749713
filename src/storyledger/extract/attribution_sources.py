"""Sources (part of :mod:`storyledger.extract.attribution`): the name, role, affiliation and
anonymity of who an attribution's source range stands for, with pronouns, relative pronouns,
bare titles ("the governor") and artifacts ("the report") resolved inside the document."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..link.entities import alias_of, looks_personal
from .attribution_base import _Cand, _Ctx, _span
from .attribution_coref import (
    _gender_votes,
    _Mention,
    _mentions,
    _previous_speaker,
    _resolve,
    _resolve_it,
    _resolve_role,
    _slot_it,
)
from .attribution_names import (
    _DOCUMENT_NOUNS,
    _canonical_outlet,
    _person_name,
    _relative_antecedent,
    _Source,
    _source_info,
)

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Token


# ---------------------------------------------------------------------------------------------
# Who each candidate's source is


_RELATIVE = {"who", "which", "that"}
_FIRST_PERSON = {"i", "we", "me", "us"}


def _span_head(doc: Doc, lo: int, hi: int) -> Token:
    """The token of [lo, hi] whose head lies outside it."""
    for t in doc[lo : hi + 1]:
        if not (lo <= t.head.i <= hi) or t.head.i == t.i:
            return t
    return doc[hi]


def agentive(ctx: _Ctx, lo: int, hi: int) -> bool:
    """Whether tokens [lo, hi] stand for someone or something that can hold or relay a statement
    (PolNeAR's sources: a person, a body, an outlet, a document), not for an event or a clause
    ("the U.S.'s ultimate withdrawal from Syria", "a rationale")."""
    head = _span_head(ctx.doc, lo, hi)
    lex = ctx.lex
    if head.pos_ in ("PROPN", "PRON") or head.ent_type_ in ("PERSON", "ORG", "GPE", "NORP"):
        return True
    if head.pos_ == "NUM" or head.lower_ in lex.quantified_sources:
        return True
    return head.lower_ in lex.source_nouns or head.lemma_.lower() in lex.source_nouns \
        or head.lower_ in lex.person_nouns


def describe_sources(ctx: _Ctx, cands: Sequence[_Cand]) -> list[_Source]:
    """Who stands behind each candidate's source range, in the candidates' order."""
    mentions = _mentions(ctx, cands)
    genders = _gender_votes(ctx, mentions)
    # the document's full personal names, which a lone surname may stand for
    full_names = [_person_name(ctx, e) for e, label in ctx.labelled_ents if label == "PERSON" and len(e) >= 2]
    described: list[_Source] = []
    earlier: list[tuple[_Cand, _Source]] = []
    for c in cands:
        described.append(_describe(ctx, c, earlier, genders, mentions, full_names))
        earlier.append((c, described[-1]))
    # "X said: “… we …”", "The government stated that it is seeking …": inside what a speaker
    # says, I and we are the speaker, and it, he or she left unresolved is the speaker too
    # when the speaker can be one; outer attributions are settled first
    depth = {i: _depth(cands, i) for i in range(len(cands))}
    for i in sorted(range(len(cands)), key=lambda i: (depth[i], i)):
        described[i] = _speaker_of_own_words(ctx, cands, described, i)
    # an it that nobody stands behind is no source
    for i, d in enumerate(described):
        if d.span is not None and d.name is None and d.span[0] == d.span[1] \
                and ctx.doc[d.span[0]].lower_ in ("it", "there"):
            described[i] = _Source(None)
    return described


def _depth(cands: Sequence[_Cand], i: int) -> int:
    seen = set()
    n = 0
    while cands[i].parent is not None and i not in seen:
        seen.add(i)
        i = cands[i].parent
        n += 1
    return n


def _describe(ctx: _Ctx, c: _Cand, earlier: Sequence[tuple[_Cand, _Source]],
              genders: dict[str, str], mentions: Sequence[_Mention], full_names: Sequence[str]) -> _Source:
    doc, lex = ctx.doc, ctx.lex
    if c.source is None:
        return _Source(None)
    lo, hi = c.source
    written = doc[lo : hi + 1].text
    if written.lower() in lex.not_sources:
        return _Source(None)  # "Nobody is declaring …": no one to credit
    name, role, affil, anonymous = _source_info(ctx, lo, hi)
    low = doc[lo].lower_
    if lo == hi and low in _RELATIVE:
        antecedent = _relative_antecedent(doc, doc[lo])
        if antecedent is not None:
            name, role, affil, anonymous = _source_info(ctx, *antecedent)
            if anonymous or name is None:
                name = _span(doc, *antecedent).text
    elif lo == hi and low in lex.pronouns:
        if low in ("it", "its"):
            if _slot_it(doc[lo]):
                return _Source(None)  # "it's fair to say": nobody
            name = _resolve_it(ctx, doc[lo])
        elif low not in _FIRST_PERSON:
            name = _previous_speaker(ctx, earlier, doc[lo], genders) or \
                _resolve(ctx, doc[lo], genders, mentions)
        else:
            name = None
    elif name is None and doc[hi].lemma_.lower() in _DOCUMENT_NOUNS \
            and low in ("the", "this", "that"):
        name = _named_document(ctx, doc[hi], earlier)
    elif name is None or name == written:
        name = _resolve_role(ctx, lo, hi, mentions) or _named_body(ctx, lo, hi, earlier) or name
        if name is not None and name != written:
            anonymous = False
    if name is None and c.rule == "colon" and not anonymous and written[:1].isupper():
        name = written  # "Trump: …", "TAPPER: …": the lead-in names the speaker
    if anonymous and affil is None and low in ("the", "this", "that"):
        affil = _earlier_affiliation(ctx, doc[hi].lower_, earlier)
    if name is not None and " " not in name and alias_of(name) is None:  # "Iraq" is no surname
        name = _document_full_name(ctx, name, full_names,
                                   [d.name for _, d in earlier if d.name and _is_person(ctx, d)])
    if name is not None and name.startswith("the "):
        name = name[4:]  # "the Syrian Observatory for Human Rights" (but "The Coastal Tribune")
    return _Source((lo, hi), _canonical_outlet(name, lex), role, affil, anonymous)


def _named_document(ctx: _Ctx, noun: Token, earlier: Sequence[tuple[_Cand, _Source]]) -> str | None:
    """"the report" is the report named last: "a report by Foreign Policy", "Foreign Policy:
    …" in a headline, "…, the Observatory reported"."""
    doc = ctx.doc
    word = noun.lower_
    for cand, previous in reversed(earlier):
        if previous.name is None or previous.span is None:
            continue
        lo, hi = previous.span
        headline = cand.rule == "colon" or cand.rule.startswith("headline:")
        if word in doc[lo : hi + 1].text.lower() or cand.kind == "report" or headline \
                or doc[cand.head].lemma_.lower() == noun.lemma_.lower():
            return previous.name
    return None


def _named_body(ctx: _Ctx, lo: int, hi: int, earlier: Sequence[tuple[_Cand, _Source]]) -> str | None:
    """"the office", "the Observatory": a definite description whose noun ends the name of a
    body that spoke before ("the Maritime Monitoring Office reported …")."""
    doc = ctx.doc
    toks = [t for t in doc[lo : hi + 1] if not t.is_punct]
    if len(toks) != 2 or toks[0].lower_ not in ("the", "this", "that") or toks[1].tag_ not in ("NN", "NNP"):
        return None  # (a plural, "the officials", is a group, not one body)
    word = toks[1].lower_
    for _, previous in reversed(earlier):
        name = previous.name
        # a name, not a description ("a new poll"): written with a capital, and more than the
        # description itself
        if name and " " in name and name[:1].isupper() and name.split()[-1].lower() == word \
                and name.lower() not in (f"the {word}", f"this {word}", f"that {word}") and not previous.anonymous:
            return name
    return None


def _earlier_affiliation(ctx: _Ctx, head: str, earlier: Sequence[tuple[_Cand, _Source]]) -> str | None:
    """"the official" is the anonymous official met before ("a US official"): same affiliation."""
    doc = ctx.doc
    for _, previous in reversed(earlier):
        if previous.anonymous and previous.span is not None and previous.affiliation \
                and doc[previous.span[1]].lower_ == head:
            return previous.affiliation
    return None


def _is_person(ctx: _Ctx, source: _Source) -> bool:
    """Whether a named source is a person, by the tagger's PERSON label or a personal title
    ("Spokesman Pavel Orlov"): a name that only looks personal ("The Harbour Dutch", an ORG)
    takes no surname."""
    if source.span is None or not looks_personal(source.name or ""):
        return False
    lo, hi = source.span
    return source.role is not None or any(i in ctx.person_tokens for i in range(lo, hi + 1))


def _document_full_name(ctx: _Ctx, name: str, full_names: Sequence[str], speakers: Sequence[str] = ()) -> str:
    """A surname as the full name the document gives its owner ("Sudani" -> "Mohammed Shia
    al-Sudani"): the longest of the document's full names (its PERSON entities) or of the names
    of earlier speakers whose last word is the surname, with or without a particle ("al-")."""
    want = name.lower()
    best = name
    for full in [*full_names, *(s for s in speakers if " " in s)]:
        last = full.split()[-1].lower()
        for particle in ctx.lex.surname_particles:
            if last.startswith(particle):
                last = last[len(particle):]
                break
        if last == want and len(full) > len(best):
            best = full
    return best


def _speaker_of_own_words(ctx: _Ctx, cands: Sequence[_Cand], described: list[_Source], i: int) -> _Source:
    """A pronoun source inside the content of the attribution it is nested in: first person
    inside a quotation is the quoted speaker ("I think …" in McGurk's words); he, she or it left
    unresolved is that speaker when the speaker can be one ("the government stated that it …")."""
    doc = ctx.doc
    c, d = cands[i], described[i]
    if c.parent is None or d.span is None or d.span[0] != d.span[1]:
        return d
    tok = doc[d.span[0]]
    low = tok.lower_
    parent = described[c.parent]
    if parent.span is None:
        return d
    inside = any(s <= tok.idx < e for s, e in cands[c.parent].content + cands[c.parent].extra_parts)
    if not inside:
        return d
    speaker_is_person = parent.role is not None or any(
        e.label_ == "PERSON" and parent.span[0] <= e.start and e.end - 1 <= parent.span[1]
        for e in ctx.ents) or doc[parent.span[0]].lower_ in ("he", "she", "i")
    if low in _FIRST_PERSON and ctx.quote_of_token(tok) is not None:
        if low in ("we", "us") and parent.affiliation:
            return _Source(d.span, parent.affiliation, None, None, False)
        return _Source(d.span, parent.name, parent.role, parent.affiliation, parent.anonymous)
    # a speaker the article only describes ("The port authority stated that it …") is named
    # by that description
    speaker = parent.name or re.sub(r"^(?:the|this|that)\s+", "", doc[parent.span[0] : parent.span[1] + 1].text,
                                    flags=re.IGNORECASE)
    if d.name is None and not parent.anonymous and (
        (low in ("it", "its") and not speaker_is_person)
        or (low in ("he", "she") and speaker_is_person)
    ):
        return _Source(d.span, speaker, parent.role, parent.affiliation, parent.anonymous)
    return d
