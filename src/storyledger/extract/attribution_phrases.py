"""Cues other than verbs (part of :mod:`storyledger.extract.attribution`): "according to",
"in a poll …", "seems", nouns ("his view is that …", ``cue_nouns.tsv``), adjectives
(``cue_adjectives.tsv``) and reporting adverbs ("reportedly")."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

from ..resources import load_json
from .attribution_base import (
    _EXPLETIVE,
    _Cand,
    _content_from_tokens,
    _Ctx,
    _is_verb,
    _lex,
    _trim,
)
from .attribution_sources import agentive
from .attribution_subjects import (
    _person_like,
    _source_range,
    _subject,
    _verb_group,
)
from .attribution_verbs import (
    _lemma,
    _phrase_end,
    _sentence_rest,
)

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Token


def _according_candidates(ctx: _Ctx) -> list[_Cand]:
    """"According to X, …", "…, according to X" and "In a poll released Monday, …",
    "in his view, …": the source is the preposition's object (its possessor for "view",
    "words"), the content the rest of the sentence."""
    doc, lex = ctx.doc, ctx.lex
    out = []
    for t in ctx.tokens:
        low = t.lower_
        if low == "according" and t.i + 1 < len(doc) and doc[t.i + 1].lower_ == "to":
            to = doc[t.i + 1]
            pobj = [c for c in to.children if c.dep_ == "pobj"]
            if not pobj:
                continue
            src = _source_range(doc, pobj[0], t)
            root = t.sent.root
            if not any(c.dep_ in ("nsubj", "nsubjpass", "expl", "csubj") for c in root.children):
                # "According to Mira Holt, the reopening would be …": the parser took the
                # clause's subject for an apposition of the source
                stranded = [c for c in pobj[0].children if c.dep_ == "appos" and c.i > pobj[0].i]
                if stranded:
                    src = (src[0], max(src[0], _trim(doc, src[0], stranded[0].left_edge.i - 1)[1]))
            parts = _sentence_rest(ctx, t, t.i, max(src[1], to.i))
            if parts:
                out.append(_Cand(t.i, to.i, parts, src, "report", "according-to", t.i))
        elif low in ("in", "per") and t.dep_ == "prep":
            pobj = [c for c in t.children if c.dep_ == "pobj"]
            if not pobj:
                continue
            n = pobj[0]
            if n.lower_ not in _lex().in_source_nouns and n.lemma_.lower() not in _lex().in_source_nouns:
                continue
            h = t.head
            if h.pos_ not in ("VERB", "AUX"):
                continue
            if _lemma(h) in lex.verbs and not (n.lemma_.lower() in _POLLS and _counted_subject(h)):
                continue  # "said in a statement": the verb is the cue; but in "In a poll …, 60
                # percent said …" the poll speaks for the people it counts (PolNeAR's source)
            # the phrase must stand apart: sentence-initial or set off by a comma
            before = doc[t.i - 1] if t.i > 0 else None
            if not (
                before is None
                or t.is_sent_start
                or before.text in (",", "—", "–", "--")
                or "\n" in before.text + before.whitespace_
            ):
                continue
            poss = [c for c in n.children if c.dep_ == "poss"]
            if poss:
                src = (poss[0].left_edge.i, poss[0].right_edge.i)
                cue = (t.i, n.i)
                kind = "belief" if n.lower_ in ("view", "opinion", "eyes", "judgment") else "speech"
            else:
                src = _source_range(doc, n, t)
                cue = (t.i, t.i)
                kind = "report"
                # "In an interview with NPR, Obama castigated …", "In a recent study, three
                # economists raised …": whoever the sentence is about speaks in it; only people
                # counted ("79 percent of Democrats said") leave the poll its source
                subj, _ = _subject(h)
                if subj is not None and subj.i > n.right_edge.i and _person_like(subj) \
                        and not _counted(subj):
                    src = _source_range(doc, subj, h)
            if n.lower_ in ("view", "opinion", "eyes", "words") and not poss:
                ofs = [c for c in n.children if c.dep_ == "prep" and c.lower_ == "of"]
                if not ofs:
                    continue
            parts = _sentence_rest(ctx, t, t.i, max(n.right_edge.i, src[1]))
            if parts:
                out.append(_Cand(cue[0], cue[1], parts, src, kind, "in-source", t.i))
    return out


_POLLS = {"poll", "survey"}


def _counted_subject(v: Token) -> bool:
    subj, _ = _subject(v)
    return subj is not None and _counted(subj)


def _counted(t: Token) -> bool:
    """Whether t counts people ("79 percent of Democrats", "4 in 10", "a majority")."""
    return t.like_num or t.lower_ in ("percent", "%", "majority", "minority", "half", "third", "quarter") \
        or any(c.dep_ in ("nummod", "quantmod") or c.like_num for c in t.children)


def _seem_candidates(ctx: _Ctx) -> list[_Cand]:
    """"X seemed to …", "it appears that …": the author's perception, with no source; the
    content is the subject and the complement."""
    doc = ctx.doc
    out = []
    for v in ctx.tokens:
        if v.lemma_.lower() not in ("seem", "appear") or v.pos_ not in ("VERB", "AUX"):
            continue
        comp = [c for c in v.children if c.dep_ in ("xcomp", "ccomp", "acomp", "attr", "oprd")]
        if not comp:
            continue
        comp = comp[0]
        subj = [c for c in v.children if c.dep_ in ("nsubj", "nsubjpass", "expl")]
        parts = []
        if subj and subj[0].lower_ not in _EXPLETIVE:
            r = _content_from_tokens(doc, subj[0].left_edge.i, subj[0].right_edge.i, v.idx)
            if r:
                parts.append(r)
        r = _content_from_tokens(doc, comp.left_edge.i, comp.right_edge.i, v.idx)
        if r is None:
            continue
        parts.append(r)
        lo, hi = _verb_group(doc, v)
        if subj and subj[0].lower_ in _EXPLETIVE and subj[0].i == lo - 1:
            lo = subj[0].i
        out.append(_Cand(lo, hi, parts, None, "belief", f"seem:{v.lemma_.lower()}", v.i))
    return out


def _noun_frames(doc: Doc, n: Token) -> list[tuple[str, int, int, int]]:
    """Content arguments of noun n, first in text order: (frame, lo, hi, cue_hi). Frames: "c" a
    that-clause ("the claim that …"), "x" an infinitive ("his promise to …"), "p:PREP" the
    object of a preposition ("criticism of …", which joins the cue), "be" a copula's complement
    ("his concern is that …")."""
    out: list[tuple[str, int, int, int]] = []
    for c in n.children:
        if c.i < n.i:
            continue
        if c.dep_ in ("acl", "ccomp", "relcl") and any(
            g.dep_ == "mark" and g.lower_ == "that" for g in c.children
        ):
            out.append(("c", c.left_edge.i, c.right_edge.i, n.i))
        elif c.dep_ == "acl" and any(g.dep_ == "aux" and g.lower_ == "to" for g in c.children):
            out.append(("x", c.left_edge.i, c.right_edge.i, n.i))
        elif c.dep_ == "prep" and any(g.dep_ in ("pobj", "pcomp") for g in c.children):
            out.append((f"p:{c.lower_}", c.i + 1, c.right_edge.i, c.i))
    if n.dep_ == "nsubj" and n.head.lemma_ == "be":
        for c in n.head.children:
            if c.dep_ in ("ccomp", "attr", "xcomp") and c.i > n.head.i:
                out.append(("be", c.left_edge.i, c.right_edge.i, n.head.i))
                break
    return out


@cache
def _denial_lemmas() -> frozenset[str]:
    return frozenset(load_json("claims.json")["denial_cue_lemmas"])


def _governing_verb(n: Token) -> Token | None:
    """The verb whose direct object noun n is ("avoided criticism of …", "slams his decision
    to …"). (Through a preposition, "is doubling down on his support for …", it is too often
    not the noun's owner.)"""
    return n.head if n.dep_ == "dobj" and _is_verb(n.head) else None


def _from_source(doc: Doc, holders: list[Token], content_lo: int,
                 preps: tuple[str, ...] = ("from",)) -> tuple[int, int] | None:
    """The source a "from"/"by" phrase on the noun (or its verb) names: "criticism from
    Democrats", "calls by some senators". (The last such phrase before the content wins.)"""
    src = None
    for h in holders:
        for c in h.children:
            if c.dep_ == "prep" and c.lower_ in preps and c.i < content_lo:
                objs = [g for g in c.children if g.dep_ == "pobj"]
                if objs:
                    src = _source_range(doc, objs[0], holders[0])
    return src


def _noun_source(ctx: _Ctx, n: Token, content_lo: int) -> tuple[tuple[int, int] | None, int, bool]:
    """(source range, cue start, whether anybody stands behind the noun) for nominal cue n:
    its possessor ("his view"), a "by"/"from" phrase ("calls by some Democrats"), or the
    subject of a light verb ("made the case", "expressed concern")."""
    doc = ctx.doc
    src = None
    cue_lo = n.i
    poss = [c for c in n.children if c.dep_ == "poss"]
    if poss:
        cue_lo = poss[0].i + 1
        while cue_lo < n.i and doc[cue_lo].dep_ == "case":
            cue_lo += 1
    # the subject of the verb the noun is the object of stands behind it ("He avoided direct
    # criticism of …", "Trump kept up his criticism of …": PolNeAR's source), unless it is a
    # cue verb and the noun has an owner: in "Voters praised her promise to …" it is hers
    governor = _governing_verb(n)
    if governor is not None and not poss and governor.lemma_.lower() in ctx.lex.receiving_verbs:
        # "The mayor faced sharp criticism for …": who faces it is its target; the critics are
        # named by "from" or not at all
        return _from_source(doc, [n, governor], content_lo), cue_lo, True
    light = governor is not None and governor.lemma_.lower() in _lex().light_verbs
    # (not "The board rejected a newspaper report that …": who denies a report did not make it)
    denied = governor is not None and governor.lemma_.lower() in _denial_lemmas()
    if governor is not None and not denied and (light or not poss or governor.lemma_.lower() not in _lex().verbs):
        subj, _ = _subject(governor)
        # (not "The attacks raised new questions about …": an event holds no view)
        src = _source_range(doc, subj, governor) if subj is not None and subj.i != n.i \
            and subj.lower_ not in _EXPLETIVE else None
        if src is not None and agentive(ctx, *src):
            if light and not poss:
                cue_lo = _verb_group(doc, governor)[0]
            return src, cue_lo, True
        src = None
    if poss:
        return (poss[0].left_edge.i, poss[0].i), cue_lo, True
    src = _from_source(doc, [n], content_lo, ("by", "from"))
    h = n.head
    if src is None and n.dep_ == "dobj" and h.lemma_.lower() in _lex().light_verbs:
        subj, _ = _subject(h)
        if subj is not None and agentive(ctx, *_source_range(doc, subj, h)):
            src = _source_range(doc, subj, h)
        cue_lo = _verb_group(doc, h)[0]
    if src is not None or n.dep_ == "dobj":
        return src, cue_lo, True
    det = [c for c in n.children if c.dep_ == "det"]
    return None, cue_lo, bool(det) and det[0].lower_ in ("his", "her", "their")


def _listed_frame(
    table: dict[str, tuple[str, frozenset[str]]], t: Token,
    frames_of: Callable[[Doc, Token], list[tuple[str, int, int, int]]],
) -> tuple[str, str, int, int, int] | None:
    """(kind, frame, lo, hi, cue_hi) of the first content argument of word t that its
    lexicon entry lists, or None."""
    entry = table.get(t.lower_) or table.get(t.lemma_.lower())
    if entry is None:
        return None
    kind, frames = entry
    found = [f for f in frames_of(t.doc, t) if f[0] in frames]
    return (kind, *found[0]) if found else None


def _noun_candidates(ctx: _Ctx) -> list[_Cand]:
    """Nominal cues: "his view is that …", "made the case that …", "calls for …",
    "expressed concern about …" (``cue_nouns.tsv`` lists each noun's frames)."""
    doc, lex = ctx.doc, ctx.lex
    out = []
    for n in ctx.tokens:
        if n.pos_ != "NOUN":
            continue
        found = _listed_frame(lex.nouns, n, _noun_frames)
        if found is None:
            continue
        kind, frame, lo, hi, cue_hi = found
        src, cue_lo, owned = _noun_source(ctx, n, lo)
        if not owned:
            continue  # a bare "the statement that …" with nobody behind it: too often not attribution
        if frame != "be":
            hi = max(hi, _phrase_end(doc, n, hi))
        r = _content_from_tokens(doc, lo, hi, n.idx)
        if r is None or r[1] - r[0] < 8:
            continue
        out.append(_Cand(cue_lo, cue_hi, [r], src, kind, f"noun:{n.lemma_.lower()}+{frame}", n.i))
    return out


def _adjective_frames(doc: Doc, a: Token) -> list[tuple[str, int, int, int]]:
    """Content arguments of adjective a: (frame, lo, hi, cue_hi) as for nouns: "confident
    that …", "eager to …", "critical of …"."""
    out: list[tuple[str, int, int, int]] = []
    for c in a.children:
        if c.i < a.i:
            continue
        if c.dep_ == "ccomp":
            out.append(("c", c.left_edge.i, c.right_edge.i, a.i))
        elif c.dep_ == "xcomp" and _is_verb(c):
            out.append(("x", c.left_edge.i, c.right_edge.i, a.i))
        elif c.dep_ == "prep" and any(g.dep_ in ("pobj", "pcomp") for g in c.children):
            out.append((f"p:{c.lower_}", c.i + 1, c.right_edge.i, c.i))
    return out


def _adjective_candidates(ctx: _Ctx) -> list[_Cand]:
    """Adjectival cues after a copula: "she was critical of …", "he is confident that …",
    "they seem eager to …" (``cue_adjectives.tsv``). The source is the copula's subject; the
    cue runs from the verb group to the adjective (and its preposition)."""
    doc, lex = ctx.doc, ctx.lex
    out = []
    for a in ctx.tokens:
        if a.pos_ != "ADJ" or a.dep_ not in ("acomp", "oprd", "ccomp", "xcomp", "conj"):
            continue
        found = _listed_frame(lex.adjectives, a, _adjective_frames)
        if found is None:
            continue
        kind, frame, lo, hi, cue_hi = found
        v = a.head
        while v.dep_ == "conj" and not _is_verb(v) and v.head.i != v.i:
            v = v.head
        if not _is_verb(v):
            continue
        subj, _ = _subject(v)
        src = _source_range(doc, subj, v) if subj is not None else None
        cue_lo = _verb_group(doc, v)[0] if v.i < a.i and a.i - v.i <= 4 else a.i
        r = _content_from_tokens(doc, lo, max(hi, _phrase_end(doc, a, hi)), a.idx)
        if r is None:
            continue
        out.append(_Cand(cue_lo, cue_hi, [r], src, kind, f"adj:{a.lower_}+{frame}", a.i))
    return out


_REPORT_ADVERBS = ("reportedly", "allegedly", "purportedly", "supposedly")


def _hedge_candidates(ctx: _Ctx) -> list[_Cand]:
    """"The company reportedly paid …": an attribution with no source, the adverb as cue and
    hedge, the clause as content."""
    doc = ctx.doc
    out = []
    for t in ctx.tokens:
        if t.lower_ not in _REPORT_ADVERBS or t.dep_ != "advmod" or not _is_verb(t.head):
            continue
        v = t.head
        if _lemma(v) in ctx.lex.verbs:
            continue  # "allegedly told …": the verb is the cue, the adverb its hedge
        lo, hi = v.left_edge.i, v.right_edge.i
        subj = [c for c in v.children if c.dep_ in ("nsubj", "nsubjpass")]
        lo = subj[0].left_edge.i if subj else v.i
        parts = []
        a = _content_from_tokens(doc, lo, t.i - 1, t.idx) if t.i > lo else None
        b = _content_from_tokens(doc, t.i + 1, hi, t.idx) if t.i < hi else None
        for r in (a, b):
            if r:
                parts.append(r)
        if not parts:
            continue
        c = _Cand(t.i, t.i, parts, None, "report", f"hedge:{t.lower_}", t.i)
        c.hedge = (t.idx, t.idx + len(t.text))
        out.append(c)
    return out
