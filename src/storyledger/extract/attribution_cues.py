"""Cues (part of :mod:`storyledger.extract.attribution`): the words that signal an attribution,
each with its content and the source range the parse gives it. Verbs, nouns and adjectives are
read with the frames their lexicon lists (``resources/attribution/cue_*.tsv``); "according to",
"in a poll …", "seems", "reportedly", headlines and "Name: …" lead-ins have rules of their own;
quotations are attached to the cue next to them or continue the previous speaker's."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
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
    _lex,
    _Lexicon,
    _merge_ranges,
    _overlap,
    _paragraph,
    _quoted_share,
    _subtree_bounds,
    _tokens_in,
    _trim,
)
from .attribution_quotes import _CLOSE, _OPEN, _STRAIGHT, _Quote
from .attribution_sources import agentive

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Token


def _verb_group(doc: Doc, v: Token) -> tuple[int, int]:
    lo = hi = v.i
    for c in v.children:
        if c.dep_ in ("aux", "auxpass", "neg") and c.i < v.i:
            lo = min(lo, c.i)
        elif c.dep_ == "prt" and c.i > v.i and c.i - hi <= 2:
            hi = max(hi, c.i)
    # the group must be contiguous (adverbs between auxiliaries and verb belong to it: "has
    # repeatedly said"): cut at anything in between that is not part of it
    members = {v.i} | {
        c.i for c in v.children if c.dep_ in ("aux", "auxpass", "neg", "advmod", "prt")
    }
    while lo < v.i and any(j not in members for j in range(lo, v.i)):
        lo += 1
    return lo, hi


def _subject(v: Token, depth: int = 0) -> tuple[Token | None, bool]:
    """The subject of verb v (inherited through conj/xcomp/advcl chains).  Returns
    (token, passive_without_agent)."""
    # an active subject outweighs an "auxpass": the tagger reads "he’s predicted" (has) as "is"
    passive = any(c.dep_ in ("nsubjpass", "csubjpass") for c in v.children) or (
        any(c.dep_ == "auxpass" for c in v.children) and not any(c.dep_ in _SUBJ for c in v.children))
    for c in v.children:
        if c.dep_ == "agent":
            for g in c.children:
                if g.dep_ == "pobj":
                    return g, False
    if passive:
        return None, True
    for c in v.children:
        if c.dep_ in _SUBJ:
            return c, False
    if depth < 5 and v.dep_ in ("conj", "xcomp", "advcl", "acl", "ccomp", "pcomp", "acomp") and (
        v.head.i != v.i
    ):
        h = v.head
        if v.dep_ == "acl" and h.pos_ in ("NOUN", "PROPN", "PRON"):
            # "ads labeling her as …", "a petition calling on …": an artifact speaks for
            # whoever made it (the guidelines' sentient source)
            if h.pos_ == "NOUN" and not h.ent_type_ and h.dep_ in ("dobj", "pobj") \
                    and h.lower_ not in _lex().person_nouns:
                owner = h.head.head if h.dep_ == "pobj" else h.head
                if _is_verb(owner):
                    found, _ = _subject(owner, depth + 1)
                    if found is not None:
                        return found, False
            return h, False
        if v.dep_ == "ccomp":
            return None, False
        if v.dep_ == "advcl" and v.tag_ != "VBG" and not any(
            c.dep_ == "aux" and c.lower_ == "to" for c in v.children
        ):
            return None, False  # "to see if …" (a purpose) shares its subject; "because …" does not
        if v.dep_ == "conj" and _is_verb(h):
            # "Trump was asked about it and said …": the passive head's subject is the speaker
            for c in h.children:
                if c.dep_ in ("nsubj", "nsubjpass", "csubj"):
                    return c, False
        if v.dep_ == "pcomp":  # "grappling with how to convince": climb over the preposition
            while h.dep_ in ("prep", "advmod", "acomp") and not _is_verb(h) and h.head.i != h.i:
                h = h.head  # "stopped short of endorsing"
            if _is_verb(h):
                return _subject(h, depth + 1)
            return None, False
        if v.dep_ == "xcomp" and _is_verb(h) and any(c.dep_ == "aux" and c.lower_ == "to" for c in v.children):
            # "led Priebus to declare …", "prompting them to focus on …": the object of the
            # verb above is who declares
            objects = [c for c in h.children if c.dep_ in ("dobj", "dative") and c.i < v.i]
            if objects and _person_like(objects[-1]):
                return objects[-1], False
        if v.tag_ == "VBG" and h.dep_ == "ccomp" and _is_verb(h.head) and (
                h.lemma_ in ("be", "seem", "become", "remain")
                or any(c.dep_ == "nsubjpass" for c in h.children)):
            # "Khalif said the rhetoric has been patronizing, noting her comments": a participle
            # on a reported state of affairs belongs to whoever reports it
            return _subject(h.head, depth + 1)
        if _is_verb(h) or h.pos_ == "ADJ":
            return _subject(h, depth + 1)
    quantity = _stranded_quantity(v)
    if quantity is not None:
        return quantity, False
    if v.dep_ == "ROOT":
        return _stranded_subject(v) or _inverted_subject(v), False
    return None, False


def _stranded_quantity(v: Token) -> Token | None:
    """"About 4 in 10 say …", "Less than a third agreed …": the parser hangs a share of the
    people polled on the verb as a number or an adverbial noun; it is the verb's subject."""
    for c in v.children:
        if c.i > v.i:
            break
        if c.dep_ in ("nummod", "npadvmod") and c.ent_type_ not in ("DATE", "TIME", "MONEY") and (
                c.pos_ == "NUM" or c.lower_ in _lex().quantified_sources
                or any(g.dep_ == "quantmod" for g in c.children)):
            return c
    return None


def _person_like(t: Token) -> bool:
    """Whether t stands for people who can speak: a name, a personal pronoun, "officials",
    "many" (not "his platform", "much of their time")."""
    lex = _lex()
    if t.lower_ in ("it", "this", "that", "these", "those", "what", "which"):
        return False
    return t.pos_ in ("PROPN", "PRON") or t.ent_type_ in ("PERSON", "ORG", "NORP", "GPE") \
        or t.lower_ in lex.person_nouns or t.lemma_.lower() in lex.person_nouns \
        or t.lower_ in lex.quantified_sources


def _rstrip(text: str, a: int, b: int) -> int:
    """End b moved back over spaces and punctuation that closes nothing (", " before a cut)."""
    while b > a and (text[b - 1].isspace() or text[b - 1] in ",;–—-"):
        b -= 1
    return b


def _inverted_subject(v: Token) -> Token | None:
    """"“…,” said David Brock, a Clinton confidant": after a quotation the speaker follows the
    verb, and the parser sometimes hangs the name elsewhere. The noun phrase right after the
    verb is its subject."""
    doc = v.doc
    if v.i == 0 or v.i + 1 >= len(doc) or not doc[v.i - 1].is_punct:
        return None
    for chunk in doc[v.i + 1 : min(len(doc), v.i + 12)].noun_chunks:
        if chunk.start == v.i + 1 and chunk.root.pos_ in ("PROPN", "NOUN"):
            return chunk.root
        break
    # a surname the tagger did not take for a noun ("said Skelly, explaining …")
    name = doc[v.i + 1]
    if name.text[:1].isupper() and name.is_alpha and name.ent_type_ in ("", "PERSON", "ORG") \
            and name.pos_ in ("ADV", "ADJ", "X", "INTJ") and (v.i + 2 == len(doc) or doc[v.i + 2].is_punct):
        return name
    return None


def _stranded_subject(v: Token) -> Token | None:
    """"At Boca West, where …, Jay DiPietro, the club's president, suggested …": after a
    leading phrase the parser often hangs the speaker on that phrase as an apposition. The
    apposition that ends right before the verb (a comma between at most) is its subject."""
    doc = v.doc
    j = v.i - 1
    while j >= v.sent.start and (doc[j].is_punct or (doc[j].head.i == v.i and doc[j].dep_ in (
        "advmod", "aux", "neg"))):
        j -= 1
    if j < v.sent.start:
        return None
    t = doc[j]
    final = all(d.is_punct or d.is_space for d in doc[v.i + 1 : v.sent.end])
    while t.dep_ != "appos" and t.head.i != t.i and t.head.i < v.i and t.head.right_edge.i == j:
        # "…, disclosures filed on Sunday night revealed.": before a sentence-final verb, a noun
        # phrase set off by a comma is its subject, wherever the parser hung it
        if final and t.pos_ in ("NOUN", "PROPN") and t.left_edge.i > v.sent.start \
                and doc[t.left_edge.i - 1].text == ",":
            return t
        t = t.head
    while t.dep_ == "appos" and t.head.dep_ == "appos" and t.head.right_edge.i == j:
        t = t.head  # "Jay DiPietro, the club's president,": the name heads the title
    if t.dep_ == "appos" and t.pos_ in ("PROPN", "NOUN") and t.right_edge.i == j:
        return t
    return None


def _agent_range(ctx: _Ctx, subj: Token | None, v: Token) -> tuple[int, int] | None:
    """The source range of cue v from its subject. A subject the verb only inherits (through
    "without offering", "to say", a participle) must name someone who can speak: the copula's
    subject in "the withdrawal would be conditions-based, without offering details" does not: the
    subject of a copula or a passive is what the sentence is about, not who acts."""
    if subj is None:
        return None
    src = _source_range(ctx.doc, subj, v)
    # the verb the subject really belongs to (for an apposition the parser stranded, the root)
    owner = v.sent.root if subj.dep_ == "appos" else subj.head
    if owner.i != v.i and (owner.lemma_ in _COPULAS or subj.dep_ == "nsubjpass") \
            and not agentive(ctx, *src):
        return None
    return src


_COPULAS = {"be", "seem", "appear", "become", "remain", "look", "sound"}


def _source_range(doc: Doc, s: Token, cue_head: Token) -> tuple[int, int]:
    if s.lower_ in ("who", "which", "that"):
        return s.i, s.i
    excl = [c for c in s.children if c.dep_ in ("relcl",) and c.i > s.i]
    lo, hi = _subtree_bounds(s, excl)
    # never let the source swallow the cue or run past it when it precedes it
    if lo <= cue_head.i <= hi:
        if s.i < cue_head.i:
            hi = cue_head.i - 1
        else:
            lo = cue_head.i + 1
    sent = cue_head.sent
    lo, hi = max(lo, sent.start if s.i >= sent.start else lo), min(hi, sent.end - 1 if s.i < sent.end else hi)
    for k in range(s.i - 1, lo - 1, -1):  # never across a paragraph break
        if "\n" in doc[k].text or "\n" in doc[k].whitespace_:
            lo = k + 1
            break
    for k in range(s.i, hi):
        if "\n" in doc[k].text or "\n" in doc[k].whitespace_:
            hi = k
            break
    lo, hi = _trim(doc, lo, hi, keep_quotes=False)
    if hi < lo or not (lo <= s.i <= hi):
        return s.i, s.i
    return lo, hi


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
    for v in doc:
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


_IN_SOURCE_NOUNS = {
    "poll", "polls", "survey", "surveys", "study", "report", "analysis", "estimate", "view",
    "words", "opinion", "judgment", "judgement", "assessment", "memo", "letter", "filing",
    "interview", "statement", "tweet", "post", "op-ed", "column", "book", "ruling", "decision",
    "complaint", "lawsuit", "indictment", "transcript", "documents", "records", "data", "eyes",
}


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


def _according_candidates(ctx: _Ctx) -> list[_Cand]:
    """"According to X, …", "…, according to X" and "In a poll released Monday, …",
    "in his view, …": the source is the preposition's object (its possessor for "view",
    "words"), the content the rest of the sentence."""
    doc, lex = ctx.doc, ctx.lex
    out = []
    for t in doc:
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
            if n.lower_ not in _IN_SOURCE_NOUNS and n.lemma_.lower() not in _IN_SOURCE_NOUNS:
                continue
            h = t.head
            if h.pos_ not in ("VERB", "AUX") or _lemma(h) in lex.verbs:
                continue  # "said in a statement": the verb is the cue
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
            if n.lower_ in ("view", "opinion", "eyes") and not poss:
                ofs = [c for c in n.children if c.dep_ == "prep" and c.lower_ == "of"]
                if not ofs:
                    continue
            parts = _sentence_rest(ctx, t, t.i, max(n.right_edge.i, src[1]))
            if parts:
                out.append(_Cand(cue[0], cue[1], parts, src, kind, "in-source", t.i))
    return out


def _seem_candidates(ctx: _Ctx) -> list[_Cand]:
    """"X seemed to …", "it appears that …": the author's perception, with no source; the
    content is the subject and the complement."""
    doc = ctx.doc
    out = []
    for v in doc:
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


_LIGHT_VERBS = {
    "make", "express", "raise", "voice", "issue", "offer", "give", "deliver", "share", "lodge",
    "file", "release", "put", "send", "post", "lay", "reiterate", "renew", "repeat", "echo",
    "have", "hold", "level", "write", "publish",
}


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


def _governing_verb(n: Token) -> Token | None:
    """The verb whose direct object noun n is ("avoided criticism of …", "slams his decision
    to …"). (Through a preposition, "is doubling down on his support for …", it is too often
    not the noun's owner.)"""
    return n.head if n.dep_ == "dobj" and _is_verb(n.head) else None


def _noun_source(doc: Doc, n: Token, content_lo: int) -> tuple[tuple[int, int] | None, int, bool]:
    """(source range, cue start, whether anybody stands behind the noun) for nominal cue n:
    its possessor ("his view"), a "by"/"from" phrase ("calls by some Democrats"), or the
    subject of a light verb ("made the case", "expressed concern")."""
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
    light = governor is not None and governor.lemma_.lower() in _LIGHT_VERBS
    if governor is not None and (light or not poss or governor.lemma_.lower() not in _lex().verbs):
        subj, _ = _subject(governor)
        if subj is not None and subj.i != n.i and subj.lower_ not in _EXPLETIVE:
            if light and not poss:
                cue_lo = _verb_group(doc, governor)[0]
            return _source_range(doc, subj, governor), cue_lo, True
    if poss:
        return (poss[0].left_edge.i, poss[0].i), cue_lo, True
    for c in n.children:
        if c.dep_ == "prep" and c.lower_ in ("by", "from") and c.i < content_lo:
            objs = [g for g in c.children if g.dep_ == "pobj"]
            if objs:
                src = _source_range(doc, objs[0], n)
    h = n.head
    if src is None and n.dep_ == "dobj" and h.lemma_.lower() in _LIGHT_VERBS:
        subj, _ = _subject(h)
        if subj is not None:
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
    for n in doc:
        if n.pos_ != "NOUN":
            continue
        found = _listed_frame(lex.nouns, n, _noun_frames)
        if found is None:
            continue
        kind, frame, lo, hi, cue_hi = found
        src, cue_lo, owned = _noun_source(doc, n, lo)
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
    for a in doc:
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
    for t in doc:
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


@lru_cache(maxsize=8192)
def _verb_lemmas(word: str) -> tuple[str, ...]:
    """The lemmas spaCy's own lemmatizer gives ``word`` read as a verb ("Endorses" -> endorse,
    "saves" -> save, "Castro" -> castro): the parser takes capitalised headline verbs for names,
    the lemmatizer still knows their forms."""
    from spacy.tokens import Doc

    from .nlp import load_nlp

    nlp = load_nlp()
    if "lemmatizer" not in nlp.pipe_names:
        return (word,)
    doc = Doc(nlp.vocab, words=[word])
    doc[0].pos_ = "VERB"
    return tuple(nlp.get_pipe("lemmatizer").rule_lemmatize(doc[0]))


def _headline_verb(t: Token, lex: _Lexicon) -> str | None:
    """The cue verb a headline word is a form of, or None. A bare form ("Attack", "Back") or a
    form that is also a plural noun ("Plans", "Calls") counts only where the parser reads a verb."""
    if t.pos_ == "VERB" and _lemma(t) in lex.verbs:
        return _lemma(t)
    word = t.lower_
    lemma = next((x for x in _verb_lemmas(word) if x in lex.verbs), None)
    if lemma is None:
        return None
    if (lemma == word or lemma in lex.headline_noun_like_verbs) and t.pos_ != "VERB":
        return None
    return lemma


def _headline_candidates(ctx: _Ctx, taken: set[int]) -> list[_Cand]:
    """Headlines ("Conservative Icon Endorses Ted Cruz"): the parser often reads capitalised
    verbs as names, so in the first paragraph, when short, a word the lemmatizer reads as a
    form of a cue verb is the cue: source before it, content after it."""
    doc, text, lex = ctx.doc, ctx.text, ctx.lex
    pb = text.find("\n")
    pb = len(text) if pb < 0 else pb
    if pb > 220:
        return []
    toks = [t for t in doc if t.idx < pb and not t.is_space]
    if len(toks) < 3 or any(t.i in taken for t in toks):
        return []
    out = []
    for k, t in enumerate(toks):
        if k == 0 or not t.text[:1].isupper() and not t.text.islower():
            continue
        lemma = _headline_verb(t, lex)
        if lemma is None or t.tag_ in ("NNS",) and t.text.islower():
            continue
        start = 0
        for j in range(k - 1, -1, -1):
            if toks[j].text == ":":
                start = j + 1
                break
        src = toks[start:k]
        if not src or len(src) > 10 or any(x.pos_ == "VERB" for x in src):
            continue
        rest = [x for x in toks[k + 1 :]]
        if not rest:
            continue
        r = _content_from_tokens(doc, rest[0].i, rest[-1].i, t.idx)
        if r is None:
            continue
        out.append(_Cand(t.i, t.i, [r], (src[0].i, src[-1].i), lex.verbs[lemma][0],
                         f"headline:{lemma}", t.i))
        break
    return out


def _colon_candidates(ctx: _Ctx) -> list[_Cand]:
    """"Trump: …" headlines and "Kerry: “…”": a short name-only lead-in then a colon; "Report:
    …", "Poll: …" (a document with nobody named behind it: a report without a source). A
    label ("BREAKING:", "MAJOR:") is nobody."""
    doc, text, lex = ctx.doc, ctx.text, ctx.lex
    out = []
    for t in doc:
        if t.text != ":" or t.i == 0:
            continue
        pa, pb = _paragraph(text, t.idx)
        lead = [x for x in _tokens_in(doc, pa, t.idx) if x.i < t.i and not x.is_space]
        if not lead or len(lead) > 6:
            continue
        if any(x.pos_ == "VERB" for x in lead):
            continue
        lead_text = doc[lead[0].i : t.i].text.lower()
        if lead_text in lex.headline_labels:
            continue
        document = len(lead) == 1 and lead[0].lemma_.lower() in _DOCUMENT_LEADS
        ents = [e for e in ctx.ents if e.label_ in ("PERSON", "ORG", "NORP", "GPE")
                and e.start >= lead[0].i and e.end <= t.i]
        named = bool(ents) and ents[-1].end == t.i
        headline = pa == 0
        quoted_next = t.i + 1 < len(doc) and doc[t.i + 1].text in _OPEN | {_STRAIGHT, "‘", "''"}
        # "TAPPER: …": a transcript's speaker label opens its paragraph in capitals ("Q:" and
        # "A:" are turns, not speakers)
        transcript = len(lead) <= 3 and all(x.text.isupper() and len(x.text) > 1 for x in lead) \
            and pa == lead[0].idx
        # a headline's lead-in names a speaker or a body ("Trump: …"), not a shout ("BUSTED: …")
        speaker_like = agentive(ctx, lead[0].i, t.i - 1) or (len(lead) == 1 and not lead[0].text.isupper())
        if not named and not document and not transcript and not (
            (headline or quoted_next) and doc[t.i - 1].pos_ in ("PROPN", "NOUN")
            and lead[0].text[:1].isupper() and speaker_like
        ):
            continue
        after = _content_from_tokens(doc, t.i + 1, len(doc) - 1, t.idx)
        if after is None:
            continue
        s, e = after
        e = min(e, pb)
        if e - s < 8:
            continue
        if document:
            out.append(_Cand(lead[0].i, t.i, [(s, e)], None, "report", "colon", t.i))
        else:
            out.append(_Cand(t.i, t.i, [(s, e)], (lead[0].i, t.i - 1), "speech", "colon", t.i))
    return out


_DOCUMENT_LEADS = {"report", "poll", "study", "survey", "document", "documents", "memo", "records"}


_DASHES = {"—", "―", "–", "-", "--"}


def _dash_tag_candidates(ctx: _Ctx) -> list[_Cand]:
    """A quotation or an embedded post tagged afterwards with a dash and the speaker's name
    (PolNeAR guidelines: "Imagination is more important than knowledge. —Albert Einstein";
    "… #RINO — Ben Jacobs (@Bencjacobs) October 29, 2016"): the dash is the cue, the name the
    source, what comes before it in the paragraph the content."""
    doc, text = ctx.doc, ctx.text
    out = []
    for t in doc:
        if t.text not in _DASHES or t.i == 0 or t.i + 1 >= len(doc):
            continue
        before = doc[t.i - 1]
        hashtag = before.text.startswith("#") or (t.i > 1 and doc[t.i - 2].text == "#")
        if not (before.text in _CLOSE | {_STRAIGHT, "''", ".", "!", "?"} or hashtag):
            continue
        pa, pb = _paragraph(text, t.idx)
        name = []
        for x in doc[t.i + 1 : min(len(doc), t.i + 8)]:
            if x.idx >= pb or x.text in ("(", ","):
                break
            name.append(x)
        if not name or not all(x.pos_ == "PROPN" or x.ent_type_ == "PERSON" for x in name):
            continue
        after = name[-1].idx + len(name[-1].text)
        if text[after:pb].strip() and not text[after:pb].lstrip().startswith(("(", ",")):
            continue  # the name must close the paragraph (a handle or a date may follow)
        r = _content_from_tokens(doc, _tokens_in(doc, pa, t.idx)[0].i if pa < t.idx else t.i, t.i - 1, t.idx)
        if r is None or len(text[r[0]:r[1]].split()) < 3:
            continue
        out.append(_Cand(t.i, t.i, [r], (name[0].i, name[-1].i), "speech", "dash-tag", t.i))
    return out


def _snap_to_quotes(ctx: _Ctx, cand: _Cand) -> None:
    """Extend content ranges to whole quotations they overlap substantially (not to the
    quotation the cue itself stands in: that is a nested attribution)."""
    new: list[tuple[int, int]] = []
    own = ctx.quote_of_token(ctx.doc[cand.head])
    for s, e in cand.content:
        for qi, q in enumerate(ctx.quotes):
            if qi == own:
                continue
            for ps, pe in q.parts:
                ov = _overlap((s, e), (ps, pe))
                if ov <= 0:
                    continue
                if ov >= 0.5 * (pe - ps) or (ps <= s and e <= pe):
                    s, e = min(s, ps), max(e, pe)
                    cand.quoted = True
                    # "“…,” and shared a link": what follows the quotation is not its content
                    if ps <= s and re.match(r",?\s+(and|but|as|before|after|while)\s", ctx.text[pe:e]):
                        e = pe
        new.append((s, e))
    cand.content = new


def _is_speechy_quote(ctx: _Ctx, q: _Quote) -> bool:
    body = ctx.text[q.start : q.end].strip("“”\"«»„ ")
    words = body.split()
    if len(words) >= 5:
        return True
    if len(q.parts) > 1:
        return True
    if not words or body[-1:] not in ".,!?":
        return False
    if len(words) >= 2:
        return True
    # a one-word reply is speech when a speech verb follows at once: "“Really,” she added."
    after = _tokens_in(ctx.doc, q.end, min(len(ctx.text), q.end + 30))
    return any(_is_verb(t) and "q" in ctx.lex.verbs.get(_lemma(t), ("", frozenset()))[1] for t in after)


def _attach_quotes(ctx: _Ctx, cands: list[_Cand]) -> None:
    doc, lex = ctx.doc, ctx.lex
    covered: set[int] = set()
    for c in cands:
        own = ctx.quote_of_token(doc[c.head])
        for qi, q in enumerate(ctx.quotes):
            if qi == own:
                continue
            for r in c.content:
                if _overlap(r, (q.start, q.end)) >= 0.5 * (q.end - q.start):
                    covered.add(qi)
    by_head = {c.head: c for c in cands}
    for qi, q in enumerate(ctx.quotes):
        if qi in covered or not _is_speechy_quote(ctx, q):
            continue
        # 1. a speech verb next to the quotation, in its paragraph: "“…,” she said" (nothing
        #    but a short clause between) or "she said: “…”" (no sentence end in between)
        pa, pb = _paragraph(ctx.text, q.end - 1)
        best = None
        for t in _tokens_in(doc, max(pa, q.start - 250), min(pb, q.end + 120)):
            if ctx.quote_of_token(t) is not None:
                continue
            if not _is_verb(t):
                continue
            entry = lex.verbs.get(_lemma(t))
            known = entry is not None and "q" in entry[1]
            # any verb will do right next to the quotation: "“…,” he barked", "she
            # interjected: “…”" (a manner verb standing for "said")
            if not known and (t.pos_ != "VERB" or _lemma(t) in _NOT_CUES):
                continue
            if t.idx >= q.end:
                gap = ctx.text[q.end : t.idx]
                if re.search(r"[.!?]\s", gap) or len(gap) > 100:
                    continue
                if not known and (len(gap) > 40 or not any(
                    c.dep_ in ("nsubj",) for c in t.children
                ) or not re.match(r"\s*[,—–-]|\s*$", gap)):
                    continue
                dist = len(gap) + (40 if re.match(r",?\s*(and|but)\s", gap) else 0)
            elif t.idx < q.start and t.idx >= _paragraph(ctx.text, q.start)[0]:
                gap = ctx.text[t.idx : q.start]
                if re.search(r"[.!?][\"”’']?\s", gap) or len(gap) > 160:
                    continue
                if not known and not re.search(r":\s*$", gap):
                    continue
                dist = len(gap) + 5
            else:
                continue
            if not known:
                dist += 30
            if best is None or dist < best[0]:
                best = (dist, t)
        # 2. continuation of the previous quotation's attribution ("“…,” she said. “…”")
        prev = None
        for c in cands:
            if c.quoted and c.content_end() <= q.start and q.start - c.content_end() < 1500:
                if prev is None or c.content_end() > prev.content_end():
                    prev = c
        if prev is not None:
            prev_end = max([prev.content_end()] + [e for _, e in prev.extra_parts])
            between = ctx.text[prev_end : q.start]
            later_cue = doc[prev.cue_lo].idx
            # the sentence that carries the cue ("…,” said Tom Rath, who had endorsed Kasich.")
            # may hold other verbs of its own; they describe the speaker and block nothing
            cue_sentence_end = doc[prev.head].sent.end_char if later_cue >= prev.content_end() else prev_end
            quiet_until = max(prev_end, cue_sentence_end)
            # no other attribution's cue in between
            blocked = any(
                quiet_until <= doc[c.cue_lo].idx < q.start for c in cands if c is not prev
            )
            near_verb = best is not None and best[0] < (60 if best[1].idx >= quiet_until else 15)
            if between.count("\n") > 4 or blocked or near_verb:
                prev = None
            elif later_cue > q.start:
                prev = None
        if prev is not None:
            prev.extra_parts.extend(q.parts)
            covered.add(qi)
            continue
        if best is not None:
            t = best[1]
            if t.i in by_head:
                c = by_head[t.i]
                c.content.append((q.start, q.end))
                c.quoted = True
                covered.add(qi)
                continue
            subj, passive = _subject(t)
            src = _agent_range(ctx, subj, t)
            lo, hi = _verb_group(doc, t)
            if hi + 1 < len(doc) and doc[hi + 1].text == ":":
                hi += 1
            entry = lex.verbs.get(_lemma(t))
            c = _Cand(lo, hi, [(q.start, q.end)], src, entry[0] if entry else "speech",
                      f"quote+verb:{_lemma(t)}", t.i, quoted=True)
            c.extra_parts.extend(q.parts[1:])
            cands.append(c)
            by_head[t.i] = c
            covered.add(qi)


def _split_coordinated(ctx: _Ctx, cands: list[_Cand]) -> None:
    """"Rubio suggested that A, while Cruz said that B" / "saying A and arguing B": the parser
    hangs the second speech verb inside the first one's content; cut the first content before
    it, and give a subject-less second verb the first one's source."""
    doc = ctx.doc
    by_head = {c.head: c for c in cands}
    for b in cands:
        t = doc[b.head]
        if b.kind != "speech" or t.dep_ not in ("conj", "advcl"):
            continue
        if ctx.quote_of_token(t) is not None:
            continue
        # "announced that A, saying B": a participle set off by a comma adds a statement of
        # its own rather than part of the first one
        participle = t.tag_ == "VBG" and t.i > 0 and doc[t.left_edge.i - 1].text in _SET_OFF \
            and not any(m.dep_ == "mark" for m in t.children)
        if t.dep_ == "advcl" and not participle and not any(
            m.dep_ in ("mark", "cc") and m.lower_ in _CLAUSE_LINKS for m in t.children
        ):
            continue
        for a in cands:
            if a is b or a.head not in by_head:
                continue
            for k, (s, e) in enumerate(a.content):
                if not (s <= t.idx < e) or doc[a.head].idx >= s and doc[a.head].idx < e:
                    continue
                first = doc.char_span(s, e, alignment_mode="expand")
                if first is None:
                    continue
                cut = t.left_edge.i
                if t.dep_ == "conj":
                    # the conjunct's own subject starts it; without one, it starts at the verb
                    cut = min([t.i] + [x.left_edge.i for x in t.children if x.dep_ in _SUBJ])
                    prev = [x for x in t.children if x.dep_ == "cc"]
                    j = cut - 1
                    while j >= first.start and (
                        doc[j].is_punct or doc[j].dep_ == "cc" or doc[j].lower_ in _CLAUSE_LINKS
                    ):
                        j -= 1
                    cut = j + 1
                    del prev
                r = _content_from_tokens(doc, first.start, cut - 1)
                if r is None or r[1] - r[0] < 3:
                    continue
                a.content[k] = (s, min(e, r[1]))
                if t.dep_ == "conj" and a.source is not None and (
                    b.source is None or s <= doc[b.source[0]].idx < e
                ):
                    b.source = a.source
                break


def _candidates(ctx: _Ctx) -> list[_Cand]:
    """Every attribution the rules find, one per cue, in text order."""
    doc = ctx.doc
    cands = (
        _verb_candidates(ctx)
        + _according_candidates(ctx)
        + _seem_candidates(ctx)
        + _noun_candidates(ctx)
        + _adjective_candidates(ctx)
        + _colon_candidates(ctx)
        + _dash_tag_candidates(ctx)
        + _hedge_candidates(ctx)
    )
    for c in cands:
        _snap_to_quotes(ctx, c)
    _attach_quotes(ctx, cands)
    _split_coordinated(ctx, cands)
    taken = {i for c in cands for i in range(c.cue_lo, c.cue_hi + 1)}
    cands += _headline_candidates(ctx, taken)
    # drop candidates whose content is a single short pronoun-less token run of < 2 chars
    cands = [c for c in cands if c.content and c.content_end() - c.content_start() >= 2]
    # one attribution per cue: the first candidate wins
    seen: set[tuple[int, int]] = set()
    uniq = []
    for c in sorted(cands, key=lambda c: (doc[c.cue_lo].idx, c.content_start())):
        key = (c.cue_lo, c.cue_hi)
        if key in seen:
            continue
        seen.add(key)
        uniq.append(c)
    return uniq
