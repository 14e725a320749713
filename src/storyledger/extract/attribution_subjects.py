"""Who a cue verb has for its subject (part of :mod:`storyledger.extract.attribution`): the
verb group, the subject inherited through chains of verbs, the subjects the parser strands
(an apposition before the verb, a name after it, a polled share), and the source range the
subject gives."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .attribution_base import (
    _DASHES,
    _EXPLETIVE,
    _SUBJ,
    _Ctx,
    _is_verb,
    _lex,
    _subtree_bounds,
    _trim,
)
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
    # an active subject outweighs an "auxpass": the tagger reads "he’s predicted" (has) as "is";
    # and "he's said he'll fight" (has), with its clause or object, is no passive either
    if _has_contracted(v):
        return next(c for c in v.children if c.dep_ == "nsubjpass"), False
    passive = any(c.dep_ in ("nsubjpass", "csubjpass") for c in v.children) or (
        any(c.dep_ == "auxpass" for c in v.children) and not any(c.dep_ in _SUBJ for c in v.children))
    for c in v.children:
        if c.dep_ == "agent":
            for g in c.children:
                if g.dep_ == "pobj":
                    return g, False
    if passive:
        return None, True
    subjects = [c for c in v.children if c.dep_ in _SUBJ]
    if len(subjects) > 1:
        # "LONDON (Reuters) - Donald Trump said", "“… when she said that …,” Brandt said": the
        # parser gives the verb two subjects; the one nearest before it is the speaker
        before = [c for c in subjects if c.i < v.i]
        subjects = [before[-1]] if before else subjects
    if subjects:
        return subjects[0], False
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
            # "Eric Trump was pressed to explain …", "donors would be mobilized to pressure …":
            # the passive's subject is who explains
            passive_subjects = [c for c in h.children if c.dep_ == "nsubjpass"]
            if passive_subjects and _person_like(passive_subjects[0]):
                return passive_subjects[0], False
            # "led Priebus to declare …", "prompting them to focus on …": the object of the
            # verb above is who declares
            objects = [c for c in h.children if c.dep_ in ("dobj", "dative") and c.i < v.i]
            if objects and _person_like(objects[-1]):
                return objects[-1], False
        if v.tag_ == "VBG" and h.dep_ == "ccomp" and _is_verb(h.head) and h.head.i < h.i and (
                h.lemma_ in ("be", "seem", "become", "remain")
                or any(c.dep_ == "nsubjpass" for c in h.children)
                or not any(c.dep_ == "nsubj" and _person_like(c) and c.pos_ != "PRON" for c in h.children)):
            # "Khalif said the rhetoric has been patronizing, noting her comments", "Nilsen
            # argued that a ferry would keep the harbour open, saying …": a participle on a
            # reported state of affairs, or on what nobody in it could say, belongs to whoever
            # reports it (who reports it first: not a verb the parser hung after it)
            return _subject(h.head, depth + 1)
        if _is_verb(h) or h.pos_ == "ADJ":
            return _subject(h, depth + 1)
    if depth < 5 and v.dep_ == "relcl" and any(c.dep_ == "aux" and c.lower_ == "to" for c in v.children) \
            and v.head.dep_ in ("dobj", "attr") and _is_verb(v.head.head):
        # "Lund had reason to know …", "was the first senator to endorse …", "has nothing to
        # say about …": an infinitive on the verb's object is done by the verb's subject
        return _subject(v.head.head, depth + 1)
    if v.pos_ == "ADJ" and v.dep_ in ("amod", "appos") and v.i > v.head.i and _person_like(v.head):
        return v.head, False  # "Chris Christie, eager all evening to jab senators": the one eager
    quantity = _stranded_quantity(v)
    if quantity is not None:
        return quantity, False
    if v.dep_ == "ROOT":
        return _stranded_subject(v) or _inverted_subject(v), False
    return None, False


def _has_contracted(v: Token) -> bool:
    """Whether the parser took "has" written "’s" for a passive's "is": "he’s said he will …",
    "who's called for …" (a passive keeps no object or clause: "it's said that" stays one)."""
    deps = {c.dep_ for c in v.children}
    return any(c.dep_ == "auxpass" and c.lower_ in ("'s", "’s") for c in v.children) \
        and any(c.dep_ == "nsubjpass" and c.lower_ not in _EXPLETIVE for c in v.children) \
        and bool(deps & {"ccomp", "dobj"}) and "agent" not in deps


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
    # (the phrase may end in the comma before the verb: "Marcel Lazar, 44, said")
    while t.dep_ == "appos" and t.head.dep_ == "appos" and j <= t.head.right_edge.i < v.i:
        t = t.head  # "Jay DiPietro, the club's president,": the name heads the title
    if t.dep_ == "appos" and t.pos_ in ("PROPN", "NOUN") and j <= t.right_edge.i < v.i:
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
            # before the phrase that holds the cue ("Ole Brandt, eager all evening to jab …")
            holder = [c for c in s.children if c.i > s.i and c.left_edge.i <= cue_head.i <= c.right_edge.i]
            hi = holder[0].left_edge.i - 1 if holder else cue_head.i - 1
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
    if lo == 0 or "\n" in doc[lo - 1].text_with_ws:  # "CLEVELAND - Donald Trump": past a dateline
        dash = next((k for k in range(lo, s.i) if doc[k].text in _DASHES
                     and doc[k].whitespace_ and doc[k - 1].whitespace_), None)  # not "well-known"
        if dash is not None:
            lo = dash + 1
    # a source never reaches into quoted words: not back past a closing mark ("… principled,”
    # Sarandon, 69"), nor on past a colon that opens a quotation ("Ana Berg: “…")
    close = [k for k in range(lo, s.i) if doc[k].text in _CLOSING_MARKS
             and not any(doc[j].text in _OPENING_MARKS for j in range(lo + 1, k))]  # (not a title: the “Avatar” star)
    if close:
        lo = close[-1] + 1
    opening = [k for k in range(s.i + 1, hi) if doc[k].text == ":" and doc[k + 1].text in _OPENING_MARKS]
    if opening:
        hi = opening[0] - 1
    lo, hi = _trim(doc, lo, hi, keep_quotes=False)
    if hi < lo or not (lo <= s.i <= hi):
        return s.i, s.i
    return lo, hi


_CLOSING_MARKS = {"”", "»"}
_OPENING_MARKS = {"“", "\"", "''", "«", "‘"}
