"""Who a pronoun or a bare title stands for (part of :mod:`storyledger.extract.attribution`):
the named people of a document, their genders by titles and the pronouns that follow them,
and the speaker a "he", "she", "it" or "the governor" takes up."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .attribution_base import _Cand, _Ctx
from .attribution_names import _Source

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Token


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
    for t in ctx.tokens:
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
        if h.ent_type_ not in ("", "PERSON"):
            continue  # "a US official": a place is nobody a pronoun refers back to
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


def _previous_speaker(ctx: _Ctx, earlier: Sequence[tuple[_Cand, _Source]], tok: Token,
                      genders: dict[str, str]) -> str | None:
    """Speaker continuity: "X said that …. "…," he said." — in the same paragraph, he or she
    is the person who spoke last, when that person was named and the gender does not clash.
    Speakers quoted inside someone else's words ("the Americans are seeking …" in Khamenei's
    quotation) do not take the turn."""
    doc, text = ctx.doc, ctx.text
    wanted = {"he": "m", "she": "f"}.get(tok.lower_)
    if wanted is None:
        return None
    paragraph_start = text.rfind("\n", 0, tok.idx) + 1
    # a pronoun that opens its paragraph (nothing before it but quoted words) may take up the
    # last speaker of the paragraph before: "“…,” he added."
    opens_paragraph = not any(
        t.pos_ in ("NOUN", "PROPN", "PRON") and ctx.quote_of_token(t) is None
        for t in doc[tok.sent.start : tok.i] if t.idx >= paragraph_start
    ) and (tok.sent.start_char <= paragraph_start or ctx.quote_of_token(doc[tok.sent.start]) is not None
           or ctx.char_quote.get(paragraph_start) is not None)
    for cand, previous in reversed(earlier):
        if previous.span is None or (cand.parent is not None and (
                ctx.quote_of_token(doc[cand.head]) is not None or previous.name is None)):
            continue  # a speaker inside someone else's words takes the turn only when named
        lo, hi = previous.span
        end = doc[hi].idx + len(doc[hi].text)
        if end > tok.idx:
            continue
        breaks = len(re.findall(r"\n\s*", text[end:tok.idx]))
        if breaks > (1 if opens_paragraph else 0):
            return None  # too far back: no continuity to lean on
        name = previous.name
        written = doc[lo : hi + 1].text.lower()
        if hi == lo + 1 and doc[lo].lower_ in ("the", "this", "that") and doc[hi].pos_ == "NOUN" \
                and doc[hi].lower_ not in ctx.lex.person_nouns:
            return None  # a body spoke last ("the office said"): no person's turn to go on
        if not name or written in ("he", "she", "they", "it"):
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


def _slot_it(tok: Token) -> bool:
    """An "it" that only fills the subject slot: "it's fair to say", "it is said that"."""
    head = tok.head
    return tok.dep_ == "expl" or (head.lemma_ == "be" and any(
        c.dep_ in ("acomp", "attr", "xcomp", "ccomp") for c in head.children))


def _resolve_it(ctx: _Ctx, tok: Token) -> str | None:
    """"It said in a statement": the organisation or document met last, within the paragraph
    or the one before and a few sentences back: an ORG entity, or a singular noun for a body
    or a document that was the subject of a clause ("The committee …", "The report …")."""
    doc, lex = ctx.doc, ctx.lex
    breaks = 0
    for t in reversed(doc[max(0, tok.i - 150) : tok.i]):
        breaks += "\n" in t.text_with_ws
        if breaks > 1:
            break
        if t.ent_type_ == "ORG" and t.ent_iob_ == "B":
            ent = next((e for e in ctx.ents if e.start == t.i), None)
            if ent is not None:
                return ent.text
        if t.dep_ in ("nsubj", "nsubjpass") and t.pos_ == "NOUN" and t.tag_ == "NN" \
                and t.lemma_.lower() in lex.source_nouns and t.lower_ not in lex.person_nouns:
            start = t.left_edge.i
            while start < t.i and doc[start].dep_ == "det":
                start += 1
            return doc[start : t.i + 1].text
    return None
