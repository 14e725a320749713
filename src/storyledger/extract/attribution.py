"""Attribution extraction: who said (believed, wanted, reported …) what, through whom.

Rules over spaCy's dependency parse, quotation marks and hand-written lexicons
(``resources/attribution``), following the PolNeAR annotation guidelines:

* an attribution is source + cue + content; the source may be missing (passives: "it is said
  that …") and is a pronoun, a name with its role and affiliation, an anonymous description,
  an artifact ("the report") …;
* the cue is the verb group ("has repeatedly said", "called for", "said:"), a preposition
  phrase ("according to") or a noun ("his view is that …");
* the content keeps the complementizer ("that …"), the infinitive marker ("to …") and the
  quotation marks; the final full stop of the sentence is left out;
* a quotation interrupted by "she said" and a quotation continued in following sentences or
  paragraphs are one attribution whose content has several parts (``content_parts``);
* attributions inside the content of another attribution are kept but marked with ``parent``
  (PolNeAR annotates only the outermost one; the chain is what :func:`citation_chains` reads).

Everything here is a pure function of the parsed document.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Span, Token

__all__ = [
    "TextSpan",
    "Attribution",
    "extract_attributions",
    "citation_chains",
    "find_quotes",
]


@dataclass(frozen=True)
class TextSpan:
    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True)
class Attribution:
    id: str
    source: TextSpan | None
    source_name: str | None
    source_role: str | None
    source_affiliation: str | None
    anonymous: bool
    cue: TextSpan
    content: TextSpan
    form: str  # direct / indirect / mixed
    kind: str  # speech / report / belief / intention / perception
    medium: TextSpan | None
    hedge: TextSpan | None
    parent: str | None
    rule: str
    # The content's pieces when it is discontinuous (a quotation interrupted by "he said", or
    # continued in the next paragraph); ``content`` then runs from the first to the last piece.
    content_parts: tuple[TextSpan, ...] = ()
    medium_name: str | None = None  # "Twitter" for "tweeted", the outlet's name for "told AFP"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# ---------------------------------------------------------------------------------------------
# Resources


@dataclass(frozen=True)
class _Lexicon:
    verbs: dict[str, tuple[str, frozenset[str]]]
    nouns: dict[str, tuple[str, frozenset[str]]]
    adjectives: dict[str, tuple[str, frozenset[str]]]
    medium_nouns: frozenset[str]
    hedges: tuple[str, ...]
    hedge_words: frozenset[str]
    anonymous_heads: frozenset[str]
    anonymous_markers: frozenset[str]
    pronouns: dict[str, tuple[str, str]]
    female_titles: frozenset[str]
    male_titles: frozenset[str]
    roles: tuple[str, ...]
    roles_set: frozenset[str]
    outlets: frozenset[str]
    outlet_names: tuple[str, ...]  # as they spell themselves
    media_verbs: dict[str, str | None]
    media_platforms: frozenset[str]


@lru_cache(maxsize=1)
def _lex() -> _Lexicon:
    base = resources.files("storyledger").joinpath("resources", "attribution")

    def frame_table(name: str) -> dict[str, tuple[str, frozenset[str]]]:
        table: dict[str, tuple[str, frozenset[str]]] = {}
        for line in base.joinpath(name).read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            lemma, kind, frames = line.split("\t")[:3]
            table[lemma] = (kind, frozenset(f.strip() for f in frames.split(",") if f.strip()))
        return table

    data = json.loads(base.joinpath("lexicon.json").read_text(encoding="utf-8"))
    hedges = tuple(sorted(data["hedges"], key=len, reverse=True))
    return _Lexicon(
        verbs=frame_table("cue_verbs.tsv"),
        nouns=frame_table("cue_nouns.tsv"),
        adjectives=frame_table("cue_adjectives.tsv"),
        medium_nouns=frozenset(data["statement_medium_nouns"]),
        hedges=hedges,
        hedge_words=frozenset(h for h in hedges if " " not in h),
        anonymous_heads=frozenset(data["anonymous_heads"]),
        anonymous_markers=frozenset(data["anonymous_markers"]),
        pronouns={k: (v[0], v[1]) for k, v in data["pronouns"].items()},
        female_titles=frozenset(data["female_titles"]),
        male_titles=frozenset(data["male_titles"]),
        roles=tuple(sorted(data["roles"], key=len, reverse=True)),
        roles_set=frozenset(data["roles"]) | frozenset(data["female_titles"])
        | frozenset(data["male_titles"]),
        outlets=frozenset(o.lower() for o in data["outlets"]),
        outlet_names=tuple(data["outlets"]),
        media_verbs=dict(data["media_verbs"]),
        media_platforms=frozenset(p.lower() for p in data["media_platforms"]),
    )


# ---------------------------------------------------------------------------------------------
# Quotations

_OPEN = {"“", "«", "„"}
_CLOSE = {"”", "»"}
_STRAIGHT = '"'
_CLOSE_TYPO = "close"  # marker for an opening mark that closes a quotation
_MAX_QUOTE = 6000  # characters; longer "quotes" come from unbalanced marks
_MAX_PARAGRAPHS = 12


@dataclass
class _Quote:
    parts: list[tuple[int, int]]  # one per paragraph

    @property
    def start(self) -> int:
        return self.parts[0][0]

    @property
    def end(self) -> int:
        return self.parts[-1][1]


def find_quotes(text: str) -> list[tuple[tuple[int, int], ...]]:
    """Quotations in ``text`` (quote marks included), each as one range per paragraph.

    Handles curly and straight double quotes, quotations running over several paragraphs
    (a paragraph that ends inside a quotation and a next paragraph that opens with a quote mark),
    and unbalanced marks (a quotation left open ends with its paragraph).  Never raises.
    """
    return [tuple(q.parts) for q in _find_quotes(text)]


def _para_end(text: str, i: int) -> int:
    j = text.find("\n", i)
    return len(text) if j < 0 else j


def _find_quotes(text: str) -> list[_Quote]:
    quotes: list[_Quote] = []
    n = len(text)
    i = 0
    open_at: int | None = None
    parts: list[tuple[int, int]] = []

    def rstrip_end(e: int) -> int:
        while e > 0 and text[e - 1].isspace():
            e -= 1
        return e

    while i < n:
        ch = text[i]
        mark_start = i
        if ch == "'" and i + 1 < n and text[i + 1] == "'":
            # typewriter-style quotation mark made of two apostrophes ('' … '')
            ch = _STRAIGHT
            i += 1
        if ch == "\n" and open_at is not None:
            # paragraph ends inside a quotation
            seg_end = rstrip_end(i)
            j = i
            while j < n and text[j].isspace():
                j += 1
            if (
                j < n
                and (text[j] in _OPEN or text[j] == _STRAIGHT or text[j : j + 2] == "''")
                and len(parts) + 1 < _MAX_PARAGRAPHS
                and j - (parts[0][0] if parts else open_at) < _MAX_QUOTE
            ):
                if seg_end > open_at:
                    parts.append((open_at, seg_end))
                open_at = j
                i = j + (2 if text[j : j + 2] == "''" else 1)
                continue
            if seg_end > open_at:
                parts.append((open_at, seg_end))
            if parts:
                quotes.append(_Quote(parts))
            parts, open_at = [], None
            i += 1
            continue
        if ch in _OPEN and open_at is not None and i > 0 and not text[i - 1].isspace() and (
            i + 1 == n or text[i + 1].isspace()
        ):
            # an opening mark typed where a closing one belongs ("“It's unusual,“ said …"):
            # it follows a word and is followed by a space, so it closes
            ch = _CLOSE_TYPO
        if ch in _OPEN or (ch == _STRAIGHT and open_at is None):
            if open_at is not None:
                # a second opening mark: the first was never closed; restart here
                parts = []
            open_at = mark_start
        elif ch in _CLOSE or ch == _CLOSE_TYPO or (ch == _STRAIGHT and open_at is not None):
            if open_at is not None:
                parts.append((open_at, i + 1))
                quotes.append(_Quote(parts))
                parts, open_at = [], None
        i += 1
    if open_at is not None:
        e = rstrip_end(n)
        if e > open_at:
            parts.append((open_at, e))
        if parts:
            quotes.append(_Quote(parts))
    return [q for q in quotes if q.end - q.start <= _MAX_QUOTE and q.end - q.start > 2]


# ---------------------------------------------------------------------------------------------
# Helpers on tokens

_PUNCT_EDGE = set(",;:.-–—()[]") | {"'s"}
_QUOTE_CHARS = _OPEN | _CLOSE | {_STRAIGHT, "‘", "’", "'"}
_SUBJ = {"nsubj", "csubj"}
_EXPLETIVE = {"it", "there"}


def _is_verb(t: Token) -> bool:
    return t.pos_ in ("VERB", "AUX") or t.tag_.startswith("VB")


def _subtree_bounds(t: Token, exclude: Iterable[Token] = ()) -> tuple[int, int]:
    """Token index range [lo, hi] of t's subtree, optionally cutting excluded subtrees that
    lie at an edge."""
    lo, hi = t.left_edge.i, t.right_edge.i
    for x in exclude:
        xl, xr = x.left_edge.i, x.right_edge.i
        if xl <= lo <= xr:
            lo = xr + 1
        if xl <= hi <= xr:
            hi = xl - 1
    return lo, hi


def _trim(doc: Doc, lo: int, hi: int, *, keep_quotes: bool = True) -> tuple[int, int]:
    """Drop punctuation and conjunctions at the edges of token range [lo, hi]."""
    while lo <= hi:
        t = doc[lo]
        if (t.is_punct and not (keep_quotes and t.text in _OPEN | {_STRAIGHT, "''"})) or (
            t.dep_ == "cc" and lo < hi
        ) or t.is_space:
            lo += 1
        else:
            break
    while hi >= lo:
        t = doc[hi]
        if (t.is_punct and not (keep_quotes and t.text in _CLOSE | {_STRAIGHT, "''"})) or t.is_space or (
            t.dep_ == "cc"
        ):
            hi -= 1
        else:
            break
    return lo, hi


_TEXTS: dict[int, str] = {}


def _text(doc: Doc) -> str:
    """doc.text, which spaCy rebuilds on every access, cached while one document is processed."""
    t = _TEXTS.get(id(doc))
    return t if t is not None else doc.text


def _span(doc: Doc, lo: int, hi: int) -> TextSpan | None:
    if hi < lo:
        return None
    s, e = doc[lo].idx, doc[hi].idx + len(doc[hi].text)
    return TextSpan(s, e, _text(doc)[s:e])


def _cspan(text: str, s: int, e: int) -> TextSpan:
    return TextSpan(s, e, text[s:e])


# ---------------------------------------------------------------------------------------------
# Candidates


@dataclass
class _Cand:
    cue_lo: int
    cue_hi: int
    content: list[tuple[int, int]]  # char ranges
    source: tuple[int, int] | None  # token range
    kind: str
    rule: str
    head: int  # cue head token index
    medium: tuple[int, int] | None = None  # char range
    medium_name: str | None = None
    hedge: tuple[int, int] | None = None
    quoted: bool = False
    parent: int | None = None
    extra_parts: list[tuple[int, int]] = field(default_factory=list)

    def content_start(self) -> int:
        return min(s for s, _ in self.content)

    def content_end(self) -> int:
        return max(e for _, e in self.content)


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
    passive = any(c.dep_ in ("nsubjpass", "auxpass", "csubjpass") for c in v.children)
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
        v.head is not v
    ):
        h = v.head
        if v.dep_ == "acl" and h.pos_ in ("NOUN", "PROPN", "PRON"):
            return h, False
        if v.dep_ == "ccomp":
            return None, False
        if v.dep_ == "advcl" and v.tag_ != "VBG":
            return None, False
        if v.dep_ == "conj" and _is_verb(h):
            # "Trump was asked about it and said …": the passive head's subject is the speaker
            for c in h.children:
                if c.dep_ in ("nsubj", "nsubjpass", "csubj"):
                    return c, False
        if v.dep_ == "pcomp":  # "grappling with how to convince": climb over the preposition
            if h.dep_ == "prep" and _is_verb(h.head):
                return _subject(h.head, depth + 1)
            return None, False
        if _is_verb(h) or h.pos_ == "ADJ":
            return _subject(h, depth + 1)
    return None, False


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


def _paragraph(text: str, c: int) -> tuple[int, int]:
    a = text.rfind("\n", 0, c) + 1
    b = text.find("\n", c)
    return a, len(text) if b < 0 else b


def _content_from_tokens(
    doc: Doc, lo: int, hi: int, anchor: int | None = None
) -> tuple[int, int] | None:
    """Character range of tokens [lo, hi], edge punctuation trimmed, kept inside the paragraph
    of character ``anchor`` (the cue)."""
    if anchor is not None:
        pa, pb = _paragraph(_text(doc), anchor)
        while lo <= hi and doc[lo].idx < pa:
            lo += 1
        while hi >= lo and doc[hi].idx >= pb:
            hi -= 1
    lo, hi = _trim(doc, lo, hi)
    if hi < lo:
        return None
    return doc[lo].idx, doc[hi].idx + len(doc[hi].text)


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
        if dep == "ccomp" and ("c" in frames or "q" in frames):
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


class _Ctx:
    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.text = _text(doc)
        self.ents = tuple(doc.ents)  # spaCy rebuilds Doc.ents on every access: read it once
        self.lex = _lex()
        self.quotes = _find_quotes(self.text)
        self.char_quote: dict[int, int] = {}
        for qi, q in enumerate(self.quotes):
            for s, e in q.parts:
                for k in range(s, e):
                    self.char_quote[k] = qi

    def quote_of_token(self, t: Token) -> int | None:
        return self.char_quote.get(t.idx)


def _quoted_share(ctx: _Ctx, r: tuple[int, int]) -> float:
    n = sum(_overlap(r, p) for q in ctx.quotes for p in q.parts)
    return n / max(1, r[1] - r[0])


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
                c.dep_ == "ccomp" and c.i > v.i and any(
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
            r = _content_from_tokens(doc, lo, hi, v.idx)
            if r:
                ranges.append(r)
                rule += f"+{fr}"
        continued = _coordinated_complement(doc, v, ranges)
        if continued:
            ranges.append(continued)
        if not ranges and ("q" in frames or "c" in frames):
            ranges = _parenthetical_contents(ctx, v)
            if ranges:
                rule += "+rest"
        else:
            ranges = _order_contents(ctx, v, ranges) if ranges else []
        if not ranges:
            continue
        subj, passive = _subject(v)
        src = _source_range(doc, subj, v) if subj is not None else None
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


_SET_OFF = {",", "—", "–", "--", "-"}


def _parenthetical_contents(ctx: _Ctx, v: Token) -> list[tuple[int, int]]:
    """A speech verb set off by commas with nothing to say of its own: "The risk, he said, is
    a clash" / "The plant is under pressure, said its chief executive." The content is the rest
    of the sentence around the cue clause (PolNeAR's sentence-medial and sentence-final cues).
    After "but"/"and" ("…, but I said, hey, …") only what follows belongs to the speaker."""
    doc = ctx.doc
    if v.dep_ not in ("parataxis", "conj", "advcl") or not any(c.dep_ in _SUBJ for c in v.children):
        return []
    sent = v.sent
    lo, hi = v.left_edge.i, v.right_edge.i
    while lo < hi and doc[lo].text in _SET_OFF:  # the commas hang on the cue
        lo += 1
    while hi > lo and doc[hi].is_punct and doc[hi].text not in _CLOSE | {_STRAIGHT}:
        hi -= 1
    before = doc[lo - 1] if lo > sent.start else None
    after = doc[hi + 1] if hi + 1 < sent.end else None
    set_off_before = before is not None and before.text in _SET_OFF
    set_off_after = after is None or after.text in _SET_OFF | {".", "!", "?"}
    if not (set_off_before and set_off_after):
        return []
    left_end = lo - 1
    while left_end >= sent.start and (doc[left_end].is_punct or doc[left_end].is_space):
        left_end -= 1
    out = []
    if left_end >= sent.start and doc[left_end].dep_ != "cc" and doc[left_end].lower_ not in _CLAUSE_LINKS:
        r = _content_from_tokens(doc, sent.start, left_end, v.idx)
        if r:
            out.append(r)
    if after is not None and after.text in _SET_OFF:
        r = _content_from_tokens(doc, hi + 2, sent.end - 1, v.idx)
        if r:
            out.append(r)
    # a content must say something: "…, he said, adding …" leaves scraps
    return [r for r in out if len(ctx.text[r[0]:r[1]].split()) >= 2]


def _merge_ranges(ranges: Sequence[tuple[int, int]]) -> tuple[int, int]:
    return min(s for s, _ in ranges), max(e for _, e in ranges)


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


def _noun_source(doc: Doc, n: Token, content_lo: int) -> tuple[tuple[int, int] | None, int, bool]:
    """(source range, cue start, whether anybody stands behind the noun) for nominal cue n:
    its possessor ("his view"), a "by"/"from" phrase ("calls by some Democrats"), or the
    subject of a light verb ("made the case", "expressed concern")."""
    src = None
    cue_lo = n.i
    poss = [c for c in n.children if c.dep_ == "poss"]
    if poss:
        src = (poss[0].left_edge.i, poss[0].i)
        cue_lo = poss[0].i + 1
        while cue_lo < n.i and doc[cue_lo].dep_ == "case":
            cue_lo += 1
        return src, cue_lo, True
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
        while v.dep_ == "conj" and not _is_verb(v) and v.head is not v:
            v = v.head
        if not _is_verb(v):
            continue
        subj, _ = _subject(v)
        src = _source_range(doc, subj, v) if subj is not None else None
        cue_lo = _verb_group(doc, v)[0] if v.i < a.i and a.i - v.i <= 4 else a.i
        r = _content_from_tokens(doc, lo, hi, a.idx)
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


_NOT_SOURCES = {"the latest", "news guide", "update", "breaking", "editor's note", "editor’s note",
                "exclusive", "watch", "video", "photos", "analysis", "opinion", "note", "read",
                "fact check", "related", "correction", "live updates", "q&a", "transcript"}


def _verb_lemma_from_form(word: str, verbs: dict) -> str | None:
    w = word.lower()
    for cand in (w, w[:-1], w[:-2], w[:-3] + "y", w[:-1] if w.endswith("d") else "", w[:-3]):
        if cand and cand in verbs:
            return cand
    return None


def _headline_candidates(ctx: _Ctx, taken: set[int]) -> list[_Cand]:
    """Headlines ("Conservative Icon Endorses Ted Cruz"): the parser often reads capitalised
    verbs as names, so the first paragraph, when short, is matched on word forms: source
    before a cue verb, content after it."""
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
        lemma = _verb_lemma_from_form(t.text, lex.verbs)
        if lemma is None or t.tag_ in ("NNS",) and t.text.islower():
            continue
        if lemma in ("back", "support", "plan", "call", "show", "report", "name", "question", "list",
                     "attack", "file", "post", "text", "release", "hope", "want", "love", "like"):
            if t.pos_ not in ("VERB",):
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
    """"Trump: …" headlines and "Kerry: “…”": a short name-only lead-in then a colon."""
    doc, text = ctx.doc, ctx.text
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
        if lead_text in _NOT_SOURCES:
            continue
        ents = [e for e in ctx.ents if e.label_ in ("PERSON", "ORG", "NORP", "GPE")
                and e.start >= lead[0].i and e.end <= t.i]
        named = bool(ents) and ents[-1].end == t.i
        headline = pa == 0
        quoted_next = t.i + 1 < len(doc) and doc[t.i + 1].text in _OPEN | {_STRAIGHT, "‘", "''"}
        if not named and not (
            (headline or quoted_next) and doc[t.i - 1].pos_ in ("PROPN", "NOUN")
            and lead[0].text[:1].isupper()
        ):
            continue
        after = _content_from_tokens(doc, t.i + 1, len(doc) - 1, t.idx)
        if after is None:
            continue
        s, e = after
        e = min(e, pb)
        if e - s < 8:
            continue
        out.append(_Cand(t.i, t.i, [(s, e)], (lead[0].i, t.i - 1), "speech", "colon", t.i))
    return out


# ---------------------------------------------------------------------------------------------
# Quotation handling


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


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
    return bool(words) and body[-1:] in ".,!?" and len(words) >= 2


def _sent_of_char(doc: Doc, c: int) -> Span | None:
    span = doc.char_span(c, c + 1, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    return span[0].sent


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
            src = _source_range(doc, subj, t) if subj is not None else None
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


_CLAUSE_LINKS = {"while", "whereas", "although", "though", "but", "and", "as"}


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


def _tokens_in(doc: Doc, a: int, b: int) -> list[Token]:
    span = doc.char_span(a, b, alignment_mode="expand")
    return list(span) if span is not None else []


# ---------------------------------------------------------------------------------------------
# Source description


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


# ---------------------------------------------------------------------------------------------
# Main entry


def _find_hedge(ctx: _Ctx, cand: _Cand) -> tuple[int, int] | None:
    doc, lex = ctx.doc, ctx.lex
    v = doc[cand.head]
    for c in list(v.children) + [v]:
        adverb = c.lower_ in lex.hedge_words and c.dep_ == "advmod"
        if adverb or (c is v and c.lower_ in ("claimed", "claims", "alleged", "alleges")):
            return c.idx, c.idx + len(c.text)
    # "reportedly" inside the content
    s, e = cand.content_start(), cand.content_end()
    for t in doc.char_span(s, e, alignment_mode="expand") or []:
        if t.lower_ in ("reportedly", "allegedly", "purportedly", "supposedly"):
            return t.idx, t.idx + len(t.text)
    return None


def _find_medium(ctx: _Ctx, cand: _Cand) -> tuple[tuple[int, int] | None, str | None]:
    doc, lex = ctx.doc, ctx.lex
    v = doc[cand.head]
    lemma = v.lemma_.lower()
    for c in v.children:
        if c.dep_ in ("dative", "dobj", "iobj") and lemma == "tell":
            ent_text = doc[c.left_edge.i : c.right_edge.i + 1].text
            bare = re.sub(r"^the\s+", "", ent_text.lower())
            if ent_text.lower() in lex.outlets or bare in lex.outlets:
                return (doc[c.left_edge.i].idx, c.right_edge.idx + len(c.right_edge.text)), ent_text
        if c.dep_ == "prep" and c.lower_ in ("in", "on", "to", "during", "via", "through"):
            for g in c.children:
                if g.dep_ != "pobj":
                    continue
                gl = g.lemma_.lower()
                phrase = doc[g.left_edge.i : g.i + 1]
                if gl in lex.medium_nouns or g.lower_ in lex.media_platforms or (
                    phrase.text.lower() in lex.outlets
                ):
                    return (phrase.start_char, phrase.end_char), (
                        g.text if g.lower_ in lex.media_platforms else None
                    )
    if lemma in lex.media_verbs:
        platform = lex.media_verbs[lemma]
        if platform:
            return (v.idx, v.idx + len(v.text)), platform
    return None, None


def _split_paragraphs(text: str, s: int, e: int) -> list[tuple[int, int]]:
    out = []
    pos = s
    for m in re.finditer(r"\s*\n\s*", text[s:e]):
        a, b = s + m.start(), s + m.end()
        if a > pos:
            out.append((pos, a))
        pos = b
    if e > pos:
        out.append((pos, e))
    return out


def extract_attributions(doc: Doc, *, outlet: str | None = None) -> list[Attribution]:
    """Attributions in ``doc`` (spaCy parse of a document's cleaned text), in text order.

    ``outlet`` (the publisher) is not needed to find attributions; it is accepted so that
    callers can pass the same arguments here and to :func:`citation_chains`.
    """
    if len(doc) == 0:
        return []
    _TEXTS[id(doc)] = doc.text
    try:
        return _extract(doc)
    finally:
        _TEXTS.pop(id(doc), None)


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


def _extract(doc: Doc) -> list[Attribution]:
    ctx = _Ctx(doc)
    cands = _candidates(ctx)
    text = ctx.text
    # nesting: a candidate whose cue lies inside another's content
    for i, c in enumerate(cands):
        cs = doc[c.cue_lo].idx
        best = None
        for j, o in enumerate(cands):
            if i == j:
                continue
            rs = o.content + o.extra_parts
            if any(s <= cs < e for s, e in rs):
                size = sum(e - s for s, e in rs)
                if best is None or size < best[0]:
                    best = (size, j)
        c.parent = best[1] if best is not None else None
    _break_nesting_cycles(cands)
    mentions = _mentions(ctx, cands)
    genders = _gender_votes(ctx, mentions)
    out: list[Attribution] = []
    for i, c in enumerate(cands):
        ranges = sorted(set(c.content + c.extra_parts))
        pieces: list[tuple[int, int]] = []
        for s, e in ranges:
            for ps, pe in _split_paragraphs(text, s, e):
                if pieces and ps <= pieces[-1][1]:
                    pieces[-1] = (pieces[-1][0], max(pieces[-1][1], pe))
                else:
                    pieces.append((ps, pe))
        if not pieces:
            continue
        cstart, cend = pieces[0][0], pieces[-1][1]
        content = _cspan(text, cstart, cend)
        parts = tuple(_cspan(text, s, e) for s, e in pieces) if len(pieces) > 1 else ()
        source = name = role = affil = None
        anonymous = False
        if c.source is not None:
            lo, hi = c.source
            source = _span(doc, lo, hi)
            name, role, affil, anonymous = _source_info(ctx, lo, hi)
            antecedent = _relative_antecedent(doc, doc[lo]) if lo == hi else None
            if antecedent is not None:
                name, role, affil, anonymous = _source_info(ctx, *antecedent)
                if anonymous or name is None:
                    name = _span(doc, *antecedent).text
            elif lo == hi and doc[lo].lower_ in ctx.lex.pronouns:
                name = _previous_speaker(out, doc[lo], text, genders) or \
                    _resolve(ctx, doc[lo], genders, mentions) or None
            elif name is None and doc[hi].lemma_.lower() in _DOCUMENT_NOUNS \
                    and doc[lo].lower_ in ("the", "this", "that"):
                # "the report" is the report named last: "a report by Foreign Policy"
                named = [a for a in out if a.source_name and a.source
                         and doc[hi].lower_ in a.source.text.lower()]
                name = named[-1].source_name if named else None
            elif name is None or name == source.text:
                name = _resolve_role(ctx, lo, hi, mentions) or name
            elif name is None and source is not None and not anonymous:
                name = source.text
        cue = _span(doc, c.cue_lo, c.cue_hi)
        if cue is None:
            continue
        quoted_chars = sum(
            _overlap((s, e), (q.start, q.end)) for s, e in pieces for q in ctx.quotes
        )
        total = sum(e - s for s, e in pieces)
        if quoted_chars >= 0.9 * total:
            form = "direct"
        elif quoted_chars > 0:
            form = "mixed"
        else:
            form = "indirect"
        medium, medium_name = _find_medium(ctx, c)
        hedge = c.hedge or _find_hedge(ctx, c)
        out.append(
            Attribution(
                id=f"a{i + 1}",
                source=source,
                source_name=_canonical_outlet(name, ctx.lex),
                source_role=role,
                source_affiliation=affil,
                anonymous=anonymous,
                cue=cue,
                content=content,
                form=form,
                kind=c.kind,
                medium=_cspan(text, *medium) if medium else None,
                hedge=_cspan(text, *hedge) if hedge else None,
                parent=f"a{c.parent + 1}" if c.parent is not None else None,
                rule=c.rule,
                content_parts=parts,
                medium_name=medium_name,
            )
        )
    # ids must point at emitted attributions
    ids = {a.id for a in out}
    return [a if a.parent in ids or a.parent is None else replace(a, parent=None) for a in out]


def _break_nesting_cycles(cands: list[_Cand]) -> None:
    """Make the nesting a forest. Candidates can lie inside each other's content (a quoted tweet
    inside a report inside the quote that reports it), so parent links may form a cycle of any
    length; each cycle is cut at its widest member, which becomes top-level."""
    for start in range(len(cands)):
        path: list[int] = []
        on_path: set[int] = set()
        node: int | None = start
        while node is not None and node not in on_path:
            path.append(node)
            on_path.add(node)
            node = cands[node].parent
        if node is None:
            continue
        cycle = path[path.index(node):]
        widest = max(cycle, key=lambda i: (sum(e - s for s, e in cands[i].content), -i))
        cands[widest].parent = None


def ancestry(attribution: Attribution, by_id: dict[str, Attribution]) -> Iterator[Attribution]:
    """``attribution`` and the attributions it is nested in, innermost first. Stops at a
    repeated id, so a malformed record set (a stored cycle) cannot loop."""
    seen: set[str] = set()
    current: Attribution | None = attribution
    while current is not None and current.id not in seen:
        seen.add(current.id)
        yield current
        current = by_id.get(current.parent) if current.parent else None


def citation_chains(attributions: Sequence[Attribution], *, outlet: str | None) -> list[list[str]]:
    """Chains of who-cites-whom, outermost first, one per attribution that nests no other:
    ``[outlet, source of the outer attribution, …, source of the innermost one]``.

    Attributions without a source contribute nothing to the chain; the outlet (if given) heads
    every chain.
    """
    by_id = {a.id: a for a in attributions}
    has_child = {a.parent for a in attributions if a.parent}
    chains = []
    for a in attributions:
        if a.id in has_child:
            continue
        path = []
        for cur in ancestry(a, by_id):
            label = cur.source_name or (cur.source.text if cur.source else None)
            # "told AFP": the agency carried the words (innermost first, so it goes first)
            if cur.medium is not None and cur.medium.text.lower() in _lex().outlets:
                if label:
                    path.append(label)
                path.append(cur.medium.text)
            elif label:
                path.append(label)
        path.reverse()
        if outlet:
            path.insert(0, outlet)
        if len(path) >= 2 or (path and not outlet):
            chains.append(path)
    return chains
