"""Verb cues (part of :mod:`storyledger.extract.attribution`): each verb the lexicon lists
(``resources/attribution/cue_verbs.tsv``) with the contents its frames take, a that-clause, an
object, an infinitive, a quotation, and the sentence around a parenthetical "he said"."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .attribution_base import (
    _CLAUSE_LINKS,
    _EXPLETIVE,
    _SET_OFF,
    _SUBJ,
    _Cand,
    _content_from_tokens,
    _Ctx,
    _is_verb,
    _merge_ranges,
    _quoted_share,
    _subtree_bounds,
)
from .attribution_subjects import (
    _agent_range,
    _rstrip,
    _stranded_subject,
    _subject,
    _verb_group,
)

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Token


# "now that", "so that", "in that": a clause of time, purpose or reason, not what is said
_ADVERBIAL_THAT = {"now", "so", "such", "in", "except", "given", "provided", "seeing"}


def _adverbial_that(clause: Token) -> bool:
    return any(m.dep_ == "mark" and m.lower_ == "that" and m.i > 0
               and m.doc[m.i - 1].lower_ in _ADVERBIAL_THAT for m in clause.children)


_OBJECT_COMPLEMENT_PREPS = {"to", "for", "as", "by", "from", "against", "about", "over", "into",
                             "toward", "towards", "of", "with"}


def _frame_contents(doc: Doc, v: Token, frames: frozenset[str]) -> list[tuple[str, int, int]]:
    """Content arguments of cue verb v: (frame, lo, hi) token ranges.  Frame "p" ranges start
    at the preposition (which belongs to the cue)."""
    out: list[tuple[str, int, int]] = []
    kids = list(v.children)
    right = [k for k in kids if k.i > v.i]
    objs = [k for k in right if k.dep_ in ("dobj", "dative")]
    for c in kids:
        dep = c.dep_
        if dep == "ccomp" and ("c" in frames or "q" in frames) and not _adverbial_that(c):
            out.append(("c", *_subtree_bounds(c)))
        elif dep == "xcomp" and "x" in frames and _is_verb(c):
            lo = objs[0].left_edge.i if objs and objs[0].i < c.i and "o" in frames else None
            out.append(("x", lo if lo is not None else c.left_edge.i, c.right_edge.i))
        elif dep in ("xcomp", "oprd") and "s" in frames and c.i > v.i:
            lo = objs[0].left_edge.i if objs and objs[0].i < c.i else c.left_edge.i
            out.append(("s", min(lo, c.left_edge.i), c.right_edge.i))
        elif dep == "dobj" and ("o" in frames or "s" in frames) and c.i > v.i:
            if c.lower_ in ("it", "this", "that", "so", "something", "anything", "nothing") and (
                v.lemma_ in ("say", "tell")
            ):
                continue
            if any(k.dep_ in ("ccomp", "xcomp", "oprd") and k.i > c.i for k in kids):
                continue
            hi = c.right_edge.i
            # "named her to the court", "supports Sanders as a superdelegate": a preposition
            # right after the object completes what is attributed
            for k in right:
                if k.i == hi + 1 and k.dep_ == "prep" and k.lower_ in _OBJECT_COMPLEMENT_PREPS:
                    hi = k.right_edge.i
            if "s" in frames:  # "sees Cruz as a uniter", "called it a hoax"
                for k in right:
                    if k.dep_ == "prep" and k.lower_ == "as" and k.i > c.i:
                        hi = max(hi, k.right_edge.i)
            if "o" in frames or hi > c.right_edge.i:
                out.append(("o", c.left_edge.i, hi))
        elif dep == "prep" and c.lower_ in ("in", "on", "during", "via", "through") and (
            "c" in frames and c.i > v.i
        ):
            # "said in a statement that …": the clause hangs off the medium noun
            for g in c.children:
                if g.dep_ != "pobj":
                    continue
                for h in g.children:
                    if h.dep_ in ("acl", "relcl", "ccomp") and any(
                        m.dep_ == "mark" and m.lower_ == "that" for m in h.children
                    ):
                        out.append(("c", h.left_edge.i, h.right_edge.i))
        elif dep == "prep" and f"p:{c.lower_}" in frames and c.i > v.i:
            if any(True for _ in c.children):
                out.append(("p", c.i, c.right_edge.i))
        elif dep == "advcl" and c.i > v.i and "p:for" in frames:
            # "called for X to be hit": "for" parsed as the clause's marker
            marks = [g for g in c.children if g.dep_ == "mark" and g.lower_ == "for"]
            if marks and marks[0].i == v.i + 1 + sum(1 for k in kids if k.dep_ == "prt"):
                out.append(("p", marks[0].i, c.right_edge.i))
    if out:
        return out
    # with nothing after it, a passive cue attributes its subject ("His comments were quickly
    # derided by …", "the claims, which were denied") and a participle the noun it describes
    # ("The bill, opposed by House Republicans, …")
    if "pass" in frames:
        for c in kids:
            if c.dep_ == "nsubjpass":
                lo, hi = _subtree_bounds(c, [k for k in c.children if k.dep_ == "relcl"])
                out.append(("pass", lo, hi))
    if "acl" in frames and v.dep_ == "acl" and v.tag_ == "VBN" and v.i > v.head.i \
            and v.head.pos_ in ("NOUN", "PROPN"):
        out.append(("acl", v.head.left_edge.i, v.left_edge.i - 1))
    return out


def _order_contents(ctx: _Ctx, v: Token, ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Content ranges of one cue: those after the cue are merged into one; one before it
    ("…, he said") is kept when nothing follows the cue or when it is a quotation, and never
    across a colon or semicolon."""
    text = ctx.text
    before = [r for r in ranges if r[1] <= v.idx]
    after = [r for r in ranges if r[1] > v.idx]
    out = []
    if after:
        out.append(_merge_ranges(after))
    for r in before:
        gap = text[r[1] : v.idx]
        if re.search(r"[:;]|\n", gap):
            continue
        if after and _quoted_share(ctx, r) < 0.5:
            continue
        out.insert(0, r)
        break
    return out


# verbs that take a "that" clause without attributing it ("be", "make sure that" …)


_NOT_CUES = {"be", "make", "ensure", "mean", "do", "have", "get", "go", "come", "seem", "appear",
             "happen", "matter", "become", "remain", "take", "turn", "prove", "depend", "’", "’s",
             "'s", "grow", "stand", "put", "show", "find"}


_LEMMA_FIX = {"hoped": "hope", "hoping": "hope", "hopes": "hope"}


def _lemma(t: Token) -> str:
    return _LEMMA_FIX.get(t.lower_, t.lemma_.lower())


def _verb_candidates(ctx: _Ctx) -> list[_Cand]:
    doc, lex = ctx.doc, ctx.lex
    cands: list[_Cand] = []
    for v in ctx.tokens:
        if not _is_verb(v):
            continue
        lemma = _lemma(v)
        entry = lex.verbs.get(lemma)
        if entry is None:
            # any other verb taking a "that"/"whether" clause attributes a proposition
            if lemma in _NOT_CUES or not any(
                c.dep_ == "ccomp" and c.i > v.i and not _adverbial_that(c) and any(
                    m.dep_ == "mark" and m.lower_ in ("that", "whether", "if") for m in c.children
                )
                for c in v.children
            ):
                continue
            entry = ("speech", frozenset({"c"}))
        kind, frames = entry
        if v.dep_ == "amod" or (v.tag_ == "VBN" and v.dep_ in ("amod", "acl") and lemma != "say"
                                and "acl" not in frames):
            continue
        contents = _frame_contents(doc, v, frames)
        prep_cue_hi = None
        rule = f"verb:{lemma}"
        ranges: list[tuple[int, int]] = []
        for fr, lo, hi in contents:
            if fr == "p":
                prep_cue_hi = lo
                lo = lo + 1
            if fr in ("o", "p", "x", "s", "c") and lo > v.i:
                hi = max(hi, _phrase_end(doc, v, hi))
            r = _content_from_tokens(doc, lo, hi, v.idx)
            if r:
                ranges.append(r)
                rule += f"+{fr}"
        continued = _coordinated_complement(doc, v, ranges)
        if continued:
            ranges.append(continued)
        rest_subject = None
        if not ranges and ("q" in frames or "c" in frames):
            ranges, rest_subject = _parenthetical_contents(ctx, v)
            if ranges:
                rule += "+rest"
        else:
            ranges = _order_contents(ctx, v, ranges) if ranges else []
        if not ranges:
            continue
        subj, passive = (rest_subject, False) if rest_subject is not None else _subject(v)
        if kind == "perception" and subj is not None and (
                subj.ent_type_ in ("FAC", "LOC") or subj.lemma_.lower() in lex.place_nouns):
            continue  # "the airport has been witnessing the landing of …": where it happened
        if passive and subj is None and lemma in lex.experiencer_passives and not rule.endswith("+pass"):
            # "residents are worried that …", "the party is divided over …": who is worried
            # holds the view (with nothing after it, "were reassured" stays a plain passive)
            subj = next((c for c in v.children if c.dep_ == "nsubjpass"), None)
            kind = "belief"
        src = _agent_range(ctx, subj, v)
        if src is not None:  # "said David Brock, …", "…, disclosures revealed": no content
            start = doc[src[0]].idx
            stranded = subj is not None and subj.head.i != v.i and src[0] < v.i
            ranges = [(r[0], start) if stranded and r[0] < start < r[1] else r
                      for r in ranges if not (r[0] <= start < r[1] and src[0] > v.i)]
            ranges = [(a, _rstrip(ctx.text, a, b)) if b == start else (a, b) for a, b in ranges]
            ranges = [(a, b) for a, b in ranges if b - a > 1]
            if not ranges:
                continue
        if src is not None and doc[src[0]].lower_ in _EXPLETIVE and src[0] == src[1]:
            if passive or any(c.dep_ == "auxpass" for c in v.children):
                src = None
        lo, hi = _verb_group(doc, v)
        if prep_cue_hi is not None and prep_cue_hi == hi + 1:
            hi = prep_cue_hi
        if hi + 1 < len(doc) and doc[hi + 1].text == ":":
            hi += 1
        # a cue inside a quotation with no source is the quotation's business
        if lemma in ("expect",) and v.tag_ == "VBN" and src is None:
            kind = "belief"
        cands.append(_Cand(lo, hi, ranges, src, kind, rule, v.i))
    return cands


# what may follow a cue verb's object inside what is attributed: "called for the ban in
# December after the shooting", "criticized him for not doing more", "pushed for action while
# the code is rewritten"; a coordinated verb ("…, and said …") starts something else
_PHRASE_DEPS = {"prep", "advcl", "npadvmod", "advmod", "dobj", "dative", "xcomp", "ccomp", "oprd",
                "acomp", "agent", "prt", "pcomp"}


def _phrase_end(doc: Doc, v: Token, hi: int) -> int:
    """The last token of cue v's verb phrase after token hi: its right dependents up to a
    coordinated clause, a parenthetical or the sentence's end."""
    end = hi
    for c in sorted((c for c in v.children if c.i > hi), key=lambda t: t.i):
        if c.lower_ in ("according", "per"):
            break  # "…, according to RIA Novosti": an attribution of its own
        if c.dep_ in _PHRASE_DEPS:
            end = max(end, c.right_edge.i)
        elif c.dep_ != "punct":
            break
    return end


def _coordinated_complement(
    doc: Doc, v: Token, ranges: list[tuple[int, int]]
) -> tuple[int, int] | None:
    """"believes there are no good options, but that …", "urged him to fight harder, and in a
    more focused way": the parser hangs a second complement on the cue verb as a conjunct. A
    conjunct that is no verb, or a clause opened by "that"/"whether", continues the content."""
    if not ranges:
        return None
    end = max(e for _, e in ranges)
    if end <= v.idx:
        return None
    for c in v.children:
        if c.dep_ != "conj" or c.idx < end:
            continue
        marked = any(m.dep_ == "mark" and m.lower_ in ("that", "whether") for m in c.children)
        if marked or not _is_verb(c):
            return _content_from_tokens(doc, c.left_edge.i, c.right_edge.i, v.idx)
    return None


_CUE_CLAUSE_DEPS = {"nsubj", "aux", "neg", "advmod", "npadvmod", "prep", "dobj", "dative", "prt",
                    "punct", "agent"}


_SCENE_OPENERS = {"when", "if", "after", "before", "while", "as"}
_DATELINE = re.compile(r"[A-Z][A-Z./ ,-]*\s*[–—-]\s*")


def _parenthetical_contents(
    ctx: _Ctx, v: Token
) -> tuple[list[tuple[int, int]], Token | None]:
    """A speech verb set off by commas with nothing to say of its own: "The risk, he said, is
    a clash" / "The plant is under pressure, said its chief executive." The content is the rest
    of the sentence around the cue clause (PolNeAR's sentence-medial and sentence-final cues);
    returns it with the clause's subject. After "but"/"and" ("…, but I said, hey, …") only what
    follows belongs to the speaker; a clause opened by "although" or "as" is no cue clause."""
    doc = ctx.doc
    if v.dep_ not in ("parataxis", "conj", "advcl", "ROOT"):
        return [], None
    subject = next((c for c in v.children if c.dep_ in _SUBJ), None) or _stranded_subject(v)
    if subject is None or any(c.dep_ in ("mark", "ccomp", "xcomp") for c in v.children):
        return [], None
    if v.dep_ == "ROOT" and any(
        c.i > v.i and c.dep_ not in ("punct", "advmod", "npadvmod", "nsubj")
        and not (c.dep_ == "advcl" and any(m.dep_ == "mark" for m in c.children))
        for c in v.children
    ):
        return [], None  # a main verb with its own objects ("voters are finding a leader")
    sent = v.sent
    lo = min(subject.left_edge.i, v.i)
    hi = v.i
    for c in sorted(v.children, key=lambda t: t.i):
        if c.i > v.i and c.dep_ in _CUE_CLAUSE_DEPS and c.dep_ != "punct":
            hi = max(hi, c.right_edge.i)
        elif c.i > v.i and c.dep_ not in _CUE_CLAUSE_DEPS:
            break  # "…, reported, as Trump claimed …": what follows is a clause of its own
    while lo < hi and doc[lo].text in _SET_OFF:
        lo += 1
    before = doc[lo - 1] if lo > sent.start else None
    after = doc[hi + 1] if hi + 1 < sent.end else None
    set_off_before = before is not None and before.text in _SET_OFF
    set_off_after = after is None or after.text in _SET_OFF | {".", "!", "?"}
    if not (set_off_before and set_off_after):
        return [], None
    left_end = lo - 1
    while left_end >= sent.start and (doc[left_end].is_punct or doc[left_end].is_space):
        left_end -= 1
    out = []
    if v.dep_ == "ROOT" and not any(_is_verb(t) for t in doc[sent.start : max(sent.start, left_end + 1)]):
        return [], None  # "On Sunday, the woman showed up": no statement before the cue
    if left_end >= sent.start and doc[left_end].dep_ != "cc" and doc[left_end].lower_ not in _CLAUSE_LINKS:
        start = sent.start
        dateline = _DATELINE.match(ctx.text, doc[start].idx)  # "BAGHDAD/DAMASCUS – …"
        if dateline and dateline.end() < doc[left_end].idx:
            start = doc.char_span(dateline.end(), doc[left_end].idx, alignment_mode="expand").start
        r = _content_from_tokens(doc, start, left_end, v.idx)
        lead = doc[start] if r else None
        # "Asked about the speech, she said, “…”": a participle or a "when"/"if" clause before
        # the cue sets the scene; it is not what the speaker said
        scene = lead is not None and (lead.tag_ in ("VBN", "VBG") or lead.dep_ == "mark"
                                      or lead.lower_ in _SCENE_OPENERS)
        if r and not scene:
            out.append(r)
    tail = [c for c in v.children if c.i > hi and c.dep_ not in ("punct",)]
    if after is not None and after.text in _SET_OFF and not tail:
        r = _content_from_tokens(doc, hi + 2, sent.end - 1, v.idx)
        if r:
            out.append(r)
    # a content must say something: "…, he said, adding …" leaves scraps
    return [r for r in out if len(ctx.text[r[0]:r[1]].split()) >= 2], subject


def _sentence_rest(
    ctx: _Ctx, t: Token, phrase_lo: int, phrase_hi: int
) -> list[tuple[int, int]]:
    """The sentence of t without the phrase [phrase_lo, phrase_hi] (one or two ranges)."""
    doc = ctx.doc
    sent = t.sent
    parts = []
    a = (
        _content_from_tokens(doc, sent.start, phrase_lo - 1, t.idx)
        if phrase_lo > sent.start
        else None
    )
    b = (
        _content_from_tokens(doc, phrase_hi + 1, sent.end - 1, t.idx)
        if phrase_hi < sent.end - 1
        else None
    )
    for r in (a, b):
        if r and r[1] - r[0] > 3:
            parts.append(r)
    return parts
