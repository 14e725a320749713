"""Sources (part of :mod:`storyledger.extract.attribution`): the name, role, affiliation and
anonymity of who an attribution's source range stands for, with pronouns, relative pronouns,
bare titles ("the governor") and artifacts ("the report") resolved inside the document."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from .attribution_base import Attribution, _Cand, _Ctx, _Lexicon

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


def _source_info(ctx: _Ctx, lo: int, hi: int) -> tuple[str | None, str | None, str | None, bool]:
    """(name, role, affiliation, anonymous) for the source tokens [lo, hi]."""
    doc, lex = ctx.doc, ctx.lex
    toks = doc[lo : hi + 1]
    text = toks.text
    low = text.lower()
    persons = [e for e in ctx.ents if e.label_ == "PERSON" and lo <= e.start and e.end - 1 <= hi]
    orgs = [
        e for e in ctx.ents if e.label_ in ("ORG", "GPE", "NORP") and lo <= e.start and e.end - 1 <= hi
    ]
    role = None
    for r in lex.roles:
        if re.search(rf"\b{re.escape(r)}\b", low):
            role = r
            break
    name = persons[0].text if persons else None
    if name is None:
        for t in toks:
            if t.pos_ == "PROPN" and not (lo <= t.head.i <= hi and t.head.pos_ == "PROPN"
                                          and t.dep_ in ("compound", "flat")):
                a = t.i
                while a - 1 >= lo and doc[a - 1].pos_ == "PROPN" and doc[a - 1].dep_ == "compound":
                    a -= 1
                while a < t.i and doc[a].lower_.rstrip(".") in lex.roles_set:
                    a += 1
                if t.ent_type_ in ("PERSON", "FAC", "") and doc[a].lower_ not in lex.roles_set:
                    name = doc[a : t.i + 1].text
                break
    affiliation = orgs[0].text if orgs and (persons or role) else None
    head = None
    # the syntactic head of the span: the token whose head lies outside it
    for t in toks:
        if not (lo <= t.head.i <= hi) or t.head is t:
            head = t
            break
    if name is None and orgs and not role:
        # The entity that heads the phrase names it ("the Russian RIA Novosti"); an entity that
        # only modifies it does not ("the US-led coalition", "Syrian regime media").
        heading = [e for e in orgs if head is not None and e.start <= head.i < e.end]
        coordinated = head is not None and any(c.dep_ == "conj" and c.i <= hi for c in head.children)
        if heading and not coordinated:
            first = head.i  # the proper-noun chain the entity may have cut short ("RIA Novosti")
            while first - 1 >= lo and doc[first - 1].pos_ == "PROPN" and doc[first - 1].dep_ == "compound":
                first -= 1
            name = doc[min(first, heading[0].start):heading[0].end].text
        elif head is not None and head.pos_ in ("NOUN", "PROPN"):
            name = _without_determiner(toks).text
        else:
            name = orgs[0].text
    anonymous = False
    if head is not None and not persons:
        hl = head.lower_
        first = toks[0].lower_
        if hl in lex.anonymous_heads and (
            first in lex.anonymous_markers or head.tag_ in ("NNS",) or first == hl
        ):
            anonymous = True
        if any(t.lower_ in ("anonymity", "anonymous", "unnamed", "unidentified") for t in toks):
            anonymous = True
    return name, role, affiliation, anonymous


@dataclass
class _Mention:
    start: int  # token range [start, end)
    end: int
    name: str
    subject: bool


def _mentions(ctx: _Ctx, cands: Sequence[_Cand]) -> list[_Mention]:
    """Named people that a pronoun may refer back to: PERSON entities, and the proper-noun
    heads of attribution sources (the tagger sometimes misses a name that speaks)."""
    doc = ctx.doc
    out: dict[int, _Mention] = {}
    for e in ctx.ents:
        if e.label_ == "PERSON":
            out[e.end] = _Mention(e.start, e.end, e.text, e.root.dep_ in ("nsubj", "nsubjpass"))
    for t in doc:
        if t.pos_ == "PROPN" and t.dep_ in ("nsubj", "nsubjpass") and t.ent_type_ in ("", "PERSON"):
            a = t.i
            while a - 1 >= 0 and doc[a - 1].pos_ == "PROPN" and doc[a - 1].dep_ == "compound":
                a -= 1
            while a < t.i and doc[a].lower_.rstrip(".") in ctx.lex.roles_set:
                a += 1
            if a < t.i and t.i + 1 not in out:  # at least two words: "Ana Ruiz"
                out[t.i + 1] = _Mention(a, t.i + 1, doc[a : t.i + 1].text, True)
    for c in cands:
        if c.source is None:
            continue
        lo, hi = c.source
        heads = [t for t in doc[lo : hi + 1] if t.pos_ == "PROPN" and not (lo <= t.head.i <= hi
                 and t.head.pos_ == "PROPN" and t.dep_ in ("compound", "flat"))]
        if not heads:
            continue
        h = heads[0]
        a = h.i
        while a - 1 >= lo and doc[a - 1].pos_ == "PROPN" and doc[a - 1].dep_ == "compound":
            a -= 1
        while a < h.i and (doc[a].lower_.rstrip(".") in ctx.lex.roles_set):
            a += 1
        if h.i + 1 not in out:
            out[h.i + 1] = _Mention(a, h.i + 1, doc[a : h.i + 1].text, True)
    return sorted(out.values(), key=lambda m: m.start)


def _gender_votes(ctx: _Ctx, mentions: Sequence[_Mention]) -> dict[str, str]:
    """Gender of names from titles and from the first pronoun that follows a mention."""
    doc, lex = ctx.doc, ctx.lex
    votes: dict[str, dict[str, int]] = {}
    subjects = [m for m in mentions if m.subject]
    for m in mentions:
        if not m.subject:
            for j in (m.start - 1, m.start):
                prev = doc[j].lower_.rstrip(".") if j >= 0 else ""
                if prev in lex.female_titles or prev in lex.male_titles:
                    v = votes.setdefault(doc[m.end - 1].lower_, {"m": 0, "f": 0})
                    v["f" if prev in lex.female_titles else "m"] += 3
    mentions = subjects
    for k, m in enumerate(mentions):
        key = doc[m.end - 1].lower_
        v = votes.setdefault(key, {"m": 0, "f": 0})
        for j in (m.start - 1, m.start):
            prev = doc[j].lower_.rstrip(".") if j >= 0 else ""
            if prev in lex.female_titles:
                v["f"] += 3
            elif prev in lex.male_titles:
                v["m"] += 3
        limit = mentions[k + 1].start if k + 1 < len(mentions) else len(doc)
        sent_starts = 0
        for t in doc[m.end : min(limit, m.end + 60)]:
            if t.is_sent_start:
                sent_starts += 1
                if sent_starts > 1:
                    break
            g = {"he": "m", "she": "f"}.get(t.lower_)
            if g and t.dep_ in ("nsubj", "nsubjpass"):
                v[g] += 1
                break
    out = {}
    for key, v in votes.items():
        if v["m"] != v["f"]:
            out[key] = "m" if v["m"] > v["f"] else "f"
    return out


def _resolve_role(ctx: _Ctx, lo: int, hi: int, mentions: Sequence[_Mention]) -> str | None:
    """A bare definite role ("the governor", "the spokeswoman") -> the nearest preceding named
    person introduced with that role ("Governor Ana Ruiz", "Ana Ruiz, the governor")."""
    doc, lex = ctx.doc, ctx.lex
    toks = [t for t in doc[lo : hi + 1] if not t.is_punct]
    if not toks or len(toks) > 3 or toks[0].lower_ not in ("the", "this", "that"):
        return None
    head = toks[-1]
    if head.pos_ != "NOUN" or head.lower_ not in lex.roles_set:
        return None
    role = head.lower_
    for m in reversed([m for m in mentions if m.end <= lo]):
        if lo - m.end > 800:
            break
        window = doc[max(0, m.start - 4) : min(len(doc), m.end + 8)]
        if any(t.lower_.rstrip(".") == role for t in window):
            return _full_name(mentions, doc, m)
    return None


def _full_name(mentions: Sequence[_Mention], doc: Doc, m: _Mention) -> str:
    last = doc[m.end - 1].lower_
    best = m.name
    for o in mentions:
        if doc[o.end - 1].lower_ == last and len(o.name) > len(best):
            best = o.name
    return best


def _previous_speaker(out: Sequence[Attribution], tok: Token, text: str,
                      genders: dict[str, str]) -> str | None:
    """Speaker continuity: "X said that …. "…," he said." — in the same paragraph, he or she
    is the person who spoke last, when that person was named and the gender does not clash."""
    wanted = {"he": "m", "she": "f"}.get(tok.lower_)
    if wanted is None:
        return None
    for previous in reversed(out):
        if previous.source is None or previous.source.end > tok.idx:
            continue
        if "\n" in text[previous.source.end:tok.idx]:
            return None  # a new paragraph: no continuity to lean on
        name = previous.source_name
        if not name or previous.source.text.lower() in ("he", "she", "they", "it"):
            return name if name and genders.get(name.split()[-1].lower()) in (None, wanted) else None
        if genders.get(name.split()[-1].lower()) not in (None, wanted):
            return None
        return name if " " in name else None
    return None


def _resolve(
    ctx: _Ctx, tok: Token, genders: dict[str, str], mentions: Sequence[_Mention]
) -> str | None:
    """Nearest compatible antecedent of a pronoun source: he/she -> the nearest preceding
    named person of compatible gender (a subject preferred); they -> the nearest preceding
    organisation or group."""
    doc, lex = ctx.doc, ctx.lex
    low = tok.lower_
    info = lex.pronouns.get(low)
    if info is None or low in ("i", "we", "you", "who", "which", "it", "its", "me", "us"):
        return None
    gender, number = info
    if number == "pl":
        for e in reversed([e for e in ctx.ents if e.end <= tok.i]):
            if tok.i - e.end > 400:
                break
            if e.label_ in ("ORG", "NORP", "GPE"):
                return e.text
        return None
    best_any = best_subject = None
    for m in reversed([m for m in mentions if m.end <= tok.i]):
        if tok.i - m.end > 600:
            break
        g = genders.get(doc[m.end - 1].lower_)
        if g is not None and g != gender:
            continue
        if best_any is None:
            best_any = m
        if m.subject:
            best_subject = m
            break
    pick = best_any
    if best_subject is not None and best_any is not None and best_any.start - best_subject.start < 80:
        pick = best_subject
    return _full_name(mentions, doc, pick) if pick is not None else None
