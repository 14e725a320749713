"""Names of sources (part of :mod:`storyledger.extract.attribution`): the name, role,
affiliation and anonymity a source range gives as written ("Defence Ministry Spokesman Pavel
Orlov", "a US official"), outlets by their canonical names, and what a relative pronoun
stands for."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from ..link.entities import alias_of
from .attribution_base import TextSpan, _Ctx, _Lexicon, _span

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Span, Token


def _without_determiner(toks: Span) -> Span:
    """The phrase as a name: no leading article, no trailing time ("… group on Tuesday")."""
    doc, start, end = toks.doc, toks.start, toks.end
    while start < end - 1 and doc[start].pos_ in ("DET", "PRON") and doc[start].dep_ in ("det", "poss"):
        start += 1
    while end - 1 > start and doc[end - 1].ent_type_ in ("DATE", "TIME"):
        end -= 1
        while end - 1 > start and doc[end - 1].pos_ in ("ADP", "DET"):
            end -= 1
    return doc[start:end]


def _canonical_outlet(name: str | None, lex: _Lexicon) -> str | None:
    """A known outlet's own spelling for a name written with a typo ("RIA Novosty")."""
    if not name or len(name) < 8 or name.lower() in lex.outlets:
        return name
    return _closest_outlet(name, lex.outlet_names)


@lru_cache(maxsize=4096)
def _closest_outlet(name: str, outlets: tuple[str, ...]) -> str:
    low = name.lower()
    for outlet in outlets:
        if abs(len(outlet) - len(name)) <= 1 and outlet[0].lower() == low[0] \
                and _edit_distance(outlet.lower(), low) <= 1:
            return outlet
    return name


def _edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _relative_antecedent(doc: Doc, tok: Token) -> tuple[int, int] | None:
    """The noun phrase a relative pronoun stands for: "four sources … who claimed"."""
    clause = tok.head
    if tok.lower_ not in ("who", "which", "that") or clause.dep_ != "relcl":
        return None
    noun = clause.head
    if noun.pos_ not in ("NOUN", "PROPN"):
        return None
    # "four sources within the departments who claimed": the parser often hangs the clause on
    # the nearest noun; people speak, so "who" climbs to the noun that owns the phrase.
    while tok.lower_ == "who" and noun.dep_ == "pobj" and noun.head.dep_ == "prep" \
            and noun.head.head.pos_ in ("NOUN", "PROPN"):
        noun = noun.head.head
    start = noun.left_edge.i
    end = max((t.i for t in noun.subtree if t.i < clause.left_edge.i), default=noun.i)
    while end > start and doc[end].is_punct:
        end -= 1
    return start, end


_DOCUMENT_NOUNS = ("report", "article", "story", "study", "investigation", "piece", "paper", "memo")


@lru_cache(maxsize=4)
def _role_patterns(roles: tuple[str, ...]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((r, re.compile(rf"\b{re.escape(r)}\b")) for r in roles)


def _source_info(ctx: _Ctx, lo: int, hi: int) -> tuple[str | None, str | None, str | None, bool]:
    """(name, role, affiliation, anonymous) for the source tokens [lo, hi]."""
    doc, lex = ctx.doc, ctx.lex
    toks = doc[lo : hi + 1]
    text = toks.text
    low = text.lower()
    head = None
    # the syntactic head of the span: the token whose head lies outside it
    for t in toks:
        if not (lo <= t.head.i <= hi) or t.head.i == t.i:
            head = t
            break
    # names inside a clause that describes the source are not its name ("Lund, who backed Sen.
    # Ola Berg, said", "voters supporting Mr. Lund"); who made a thing is ("an email sent by
    # Lund": an artifact speaks for its maker)
    described: set[int] = set()
    made_by: set[int] = set()
    makers_at: set[int] = set()  # the head noun of each "by …" naming a maker
    for c in head.children if head is not None else ():
        if c.dep_ in ("relcl", "acl"):
            described.update(range(c.left_edge.i, c.right_edge.i + 1))
            if c.dep_ == "acl" and head.ent_type_ != "PERSON" and head.lower_ not in lex.person_nouns:
                for agent in (g for g in c.children if g.dep_ == "agent"):
                    made_by.update(range(agent.left_edge.i, agent.right_edge.i + 1))
                    makers_at.update(g.i for g in agent.children if g.dep_ == "pobj")
    described -= made_by
    persons = [e for e, label in ctx.labelled_ents if label == "PERSON" and lo <= e.start and e.end - 1 <= hi
               and e.start not in described]
    orgs = [
        e for e, label in ctx.labelled_ents if label in ("ORG", "GPE", "NORP") and lo <= e.start and e.end - 1 <= hi
        and e.start not in described
    ]
    # the first role of the lexicon's order written as a word of the source (a role not even a
    # substring of it is not tried)
    role = next((r for r, pattern in _role_patterns(lex.roles) if r in low and pattern.search(low)), None)
    name = _person_name(ctx, persons[0]) if persons else None
    titled_body = None
    if name is None:
        for t in toks:
            # (a word written in lower case is no name, whatever the tagger says: "the harbour
            # council")
            if t.i not in described and t.pos_ == "PROPN" and not t.text.islower() and not (
                    lo <= t.head.i <= hi and t.head.pos_ == "PROPN" and t.dep_ in ("compound", "flat")):
                a = t.i
                while a - 1 >= lo and doc[a - 1].pos_ in ("PROPN", "NOUN") and doc[a - 1].dep_ == "compound":
                    a -= 1
                # "Defence Ministry Spokesman Pavel Orlov" (tagged as one organisation): the
                # title splits the body it speaks for from the name after it
                titles = [k for k in range(a, t.i) if doc[k].lower_.rstrip(".") in lex.roles_set]
                if titles and titles[-1] > a and t.i > titles[-1]:
                    name = doc[titles[-1] + 1 : t.i + 1].text
                    titled_body = doc[a : titles[-1]]
                    break
                while a < t.i and doc[a].lower_.rstrip(".") in lex.roles_set:
                    a += 1
                if t.ent_type_ in ("PERSON", "FAC", "") and doc[a].lower_ not in lex.roles_set:
                    name = doc[a : t.i + 1].text
                break
    if titled_body is not None:
        affiliation: str | None = _affiliation(titled_body)
    else:
        affiliation = _affiliation(orgs[0]) if orgs and (persons or role) else None
    if name is None and orgs and not role:
        # The entity that heads the phrase names it ("the Russian RIA Novosti"); an entity that
        # only modifies it does not ("the US-led coalition", "Syrian regime media").
        heading = [e for e in orgs if head is not None and e.start <= head.i < e.end]
        coordinated = head is not None and any(c.dep_ == "conj" and c.i <= hi for c in head.children)
        makers = [e for e in orgs if any(e.start <= i < e.end for i in makers_at)]
        if makers and not heading:
            name = _affiliation(makers[0])
        elif heading and not coordinated:
            first = head.i  # the proper-noun chain the entity may have cut short ("RIA Novosti")
            while first - 1 >= lo and doc[first - 1].pos_ == "PROPN" and doc[first - 1].dep_ == "compound":
                first -= 1
            name = doc[min(first, heading[0].start):heading[0].end].text
        elif head is not None and head.pos_ in ("NOUN", "PROPN"):
            named = doc[lo : min(described)] if described and min(described) > lo else toks
            while len(named) > 1 and named[-1].is_punct:
                named = named[:-1]
            name = _without_determiner(named).text
        else:
            name = orgs[0].text
    anonymous = False
    if head is not None and not persons and (name is None or head.pos_ != "PROPN"):
        # "a US official", "officials", "the official" (a definite description of a source the
        # article never names is still anonymous)
        if head.lower_ in lex.anonymous_heads:
            anonymous = True
            if role is not None and not orgs:
                name = None
        if any(t.lower_ in ("anonymity", "anonymous", "unnamed", "unidentified") for t in toks):
            anonymous = True
    if anonymous and name is not None and name.lower() == (affiliation or "").lower():
        name = None  # "a US official": the United States is the affiliation, not the source
    return name, role, affiliation, anonymous


def _person_name(ctx: _Ctx, person: Span) -> str:
    """A PERSON entity as a name: without the titles the tagger took in ("Spokesman Igor
    Konashenkov")."""
    start = person.start
    while start < person.end - 1 and ctx.doc[start].lower_.rstrip(".") in ctx.lex.roles_set:
        start += 1
    return ctx.doc[start : person.end].text


def _affiliation(entity: Span) -> str:
    """The body a source belongs to, by its canonical name where the alias table knows it
    ("US" -> "United States")."""
    text = re.sub(r"^(?:the|The)\s+", "", entity.text)
    return alias_of(text) or text


@dataclass
class _Source:
    span: tuple[int, int] | None  # token range as written; None: no source (or none worth naming)
    name: str | None = None
    role: str | None = None
    affiliation: str | None = None
    anonymous: bool = False

    def text_span(self, doc: Doc) -> TextSpan | None:
        return _span(doc, *self.span) if self.span is not None else None
