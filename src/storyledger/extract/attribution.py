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
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
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
    cue_nouns: dict[str, str]
    medium_nouns: frozenset[str]
    hedges: tuple[str, ...]
    hedge_words: frozenset[str]
    anonymous_heads: frozenset[str]
    anonymous_markers: frozenset[str]
    pronouns: dict[str, tuple[str, str]]
    female_titles: frozenset[str]
    male_titles: frozenset[str]
    roles: tuple[str, ...]
    outlets: frozenset[str]
    media_verbs: dict[str, str | None]
    media_platforms: frozenset[str]


@lru_cache(maxsize=1)
def _lex() -> _Lexicon:
    base = resources.files("storyledger.resources").joinpath("attribution")
    verbs: dict[str, tuple[str, frozenset[str]]] = {}
    for line in base.joinpath("cue_verbs.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        lemma, kind, frames = line.split("\t")[:3]
        verbs[lemma] = (kind, frozenset(f.strip() for f in frames.split(",") if f.strip()))
    data = json.loads(base.joinpath("lexicon.json").read_text(encoding="utf-8"))
    hedges = tuple(sorted(data["hedges"], key=len, reverse=True))
    return _Lexicon(
        verbs=verbs,
        cue_nouns=dict(data["cue_nouns"]),
        medium_nouns=frozenset(data["statement_medium_nouns"]),
        hedges=hedges,
        hedge_words=frozenset(h for h in hedges if " " not in h),
        anonymous_heads=frozenset(data["anonymous_heads"]),
        anonymous_markers=frozenset(data["anonymous_markers"]),
        pronouns={k: (v[0], v[1]) for k, v in data["pronouns"].items()},
        female_titles=frozenset(data["female_titles"]),
        male_titles=frozenset(data["male_titles"]),
        roles=tuple(sorted(data["roles"], key=len, reverse=True)),
        outlets=frozenset(o.lower() for o in data["outlets"]),
        media_verbs=dict(data["media_verbs"]),
        media_platforms=frozenset(p.lower() for p in data["media_platforms"]),
    )


# ---------------------------------------------------------------------------------------------
# Quotations

_OPEN = {"“", "«", "„"}
_CLOSE = {"”", "»"}
_STRAIGHT = '"'
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
    straight = False

    def rstrip_end(e: int) -> int:
        while e > 0 and text[e - 1].isspace():
            e -= 1
        return e

    while i < n:
        ch = text[i]
        if ch == "\n" and open_at is not None:
            # paragraph ends inside a quotation
            seg_end = rstrip_end(i)
            j = i
            while j < n and text[j].isspace():
                j += 1
            if (
                j < n
                and (text[j] in _OPEN or text[j] == _STRAIGHT)
                and len(parts) + 1 < _MAX_PARAGRAPHS
                and j - (parts[0][0] if parts else open_at) < _MAX_QUOTE
            ):
                if seg_end > open_at:
                    parts.append((open_at, seg_end))
                open_at = j
                straight = text[j] == _STRAIGHT
                i = j + 1
                continue
            if seg_end > open_at:
                parts.append((open_at, seg_end))
            if parts:
                quotes.append(_Quote(parts))
            parts, open_at = [], None
            i += 1
            continue
        if ch in _OPEN or (ch == _STRAIGHT and open_at is None):
            if open_at is not None:
                # a second opening mark: the first was never closed; restart here
                parts = []
            open_at = i
            straight = ch == _STRAIGHT
        elif ch in _CLOSE or (ch == _STRAIGHT and open_at is not None):
            if open_at is not None:
                if ch == _STRAIGHT or not straight or True:
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
        if (t.is_punct and not (keep_quotes and t.text in _OPEN | {_STRAIGHT})) or (
            t.dep_ == "cc" and lo < hi
        ) or t.is_space:
            lo += 1
        else:
            break
    while hi >= lo:
        t = doc[hi]
        if (t.is_punct and not (keep_quotes and t.text in _CLOSE | {_STRAIGHT})) or t.is_space or (
            t.dep_ == "cc"
        ):
            hi -= 1
        else:
            break
    return lo, hi


def _span(doc: Doc, lo: int, hi: int) -> TextSpan | None:
    if hi < lo:
        return None
    s, e = doc[lo].idx, doc[hi].idx + len(doc[hi].text)
    return TextSpan(s, e, doc.text[s:e])


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
    # adverbs between the auxiliaries and the verb ("has repeatedly said")
    if lo < v.i:
        for c in v.children:
            if c.dep_ == "advmod" and lo < c.i < v.i:
                pass
    # the group must be contiguous: cut at anything in between that is not part of it
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
    if depth < 4 and v.dep_ in ("conj", "xcomp", "advcl", "acl", "ccomp") and v.head is not v:
        h = v.head
        if v.dep_ == "acl" and h.pos_ in ("NOUN", "PROPN", "PRON"):
            return h, False
        if v.dep_ == "ccomp":
            return None, False
        if v.dep_ == "advcl" and v.tag_ != "VBG":
            return None, False
        if _is_verb(h):
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


def _content_from_tokens(doc: Doc, lo: int, hi: int) -> tuple[int, int] | None:
    lo, hi = _trim(doc, lo, hi)
    if hi < lo:
        return None
    return doc[lo].idx, doc[hi].idx + len(doc[hi].text)


def _frame_contents(doc: Doc, v: Token, frames: frozenset[str]) -> list[tuple[str, int, int]]:
    """Content arguments of cue verb v: (frame, lo, hi) token ranges."""
    out: list[tuple[str, int, int]] = []
    kids = list(v.children)
    for c in kids:
        dep = c.dep_
        if dep == "ccomp" and ("c" in frames or "q" in frames):
            out.append(("c", *_subtree_bounds(c)))
        elif dep == "xcomp" and "x" in frames and _is_verb(c):
            out.append(("x", *_subtree_bounds(c)))
        elif dep == "xcomp" and "s" in frames:
            obj = [k for k in kids if k.dep_ == "dobj"]
            if obj:
                out.append(("s", min(obj[0].left_edge.i, c.left_edge.i), c.right_edge.i))
        elif dep == "oprd" and "s" in frames:
            obj = [k for k in kids if k.dep_ == "dobj"]
            lo = obj[0].left_edge.i if obj else c.left_edge.i
            out.append(("s", min(lo, c.left_edge.i), c.right_edge.i))
        elif dep == "dobj" and "o" in frames:
            if c.lower_ in ("it", "this", "that", "so") and v.lemma_ in ("say", "tell"):
                continue
            if any(k.dep_ in ("ccomp", "xcomp", "oprd") for k in kids):
                continue
            out.append(("o", *_subtree_bounds(c)))
        elif dep == "prep" and f"p:{c.lower_}" in frames:
            objs = [g for g in c.children if g.dep_ in ("pobj", "pcomp")]
            if objs:
                out.append(("p", c.i, objs[-1].right_edge.i))
        elif dep in ("dobj",) and "x" in frames:
            # "urged X to do", "wants X to do": object + infinitive
            for g in kids:
                if g.dep_ == "xcomp" and g.i > c.i:
                    break
    return out


class _Ctx:
    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.text = doc.text
        self.lex = _lex()
        self.quotes = _find_quotes(self.text)
        self.char_quote: dict[int, int] = {}
        for qi, q in enumerate(self.quotes):
            for s, e in q.parts:
                for k in range(s, e):
                    self.char_quote[k] = qi

    def quote_of_token(self, t: Token) -> int | None:
        return self.char_quote.get(t.idx)


def _verb_candidates(ctx: _Ctx) -> list[_Cand]:
    doc, lex = ctx.doc, ctx.lex
    cands: list[_Cand] = []
    for v in doc:
        if not _is_verb(v):
            continue
        lemma = v.lemma_.lower()
        entry = lex.verbs.get(lemma)
        if entry is None:
            continue
        kind, frames = entry
        if v.dep_ == "amod" or (v.tag_ == "VBN" and v.dep_ in ("amod", "acl") and lemma != "say"):
            continue
        contents = _frame_contents(doc, v, frames)
        prep_cue_hi = None
        rule = f"verb:{lemma}"
        ranges: list[tuple[int, int]] = []
        for fr, lo, hi in contents:
            if fr == "p":
                prep_cue_hi = lo
                lo = lo + 1
            r = _content_from_tokens(doc, lo, hi)
            if r:
                ranges.append(r)
                rule += f"+{fr}"
        if not ranges:
            continue
        ranges = [_merge_ranges(ranges)]
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


def _merge_ranges(ranges: Sequence[tuple[int, int]]) -> tuple[int, int]:
    return min(s for s, _ in ranges), max(e for _, e in ranges)


def _according_candidates(ctx: _Ctx) -> list[_Cand]:
    doc = ctx.doc
    out = []
    for t in doc:
        if t.lower_ != "according" or t.i + 1 >= len(doc) or doc[t.i + 1].lower_ != "to":
            continue
        to = doc[t.i + 1]
        pobj = [c for c in to.children if c.dep_ == "pobj"]
        if not pobj:
            continue
        src = _source_range(doc, pobj[0], t)
        sent = t.sent
        phrase_lo, phrase_hi = t.i, max(src[1], to.i)
        # content: the rest of the sentence
        parts = []
        a = _content_from_tokens(doc, sent.start, phrase_lo - 1) if phrase_lo > sent.start else None
        b = _content_from_tokens(doc, phrase_hi + 1, sent.end - 1) if phrase_hi < sent.end - 1 else None
        for r in (a, b):
            if r and r[1] - r[0] > 3:
                parts.append(r)
        if not parts:
            continue
        out.append(_Cand(t.i, to.i, parts, src, "report", "according-to", t.i))
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
                    s, e = min(s, ps), max(e, pe) if ps >= s or e >= pe - 2 else max(e, pe)
                    cand.quoted = True
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
        # 1. a speech verb next to the quotation, in the sentences it touches
        sents = []
        for ch in (q.start, q.end - 1, min(len(ctx.text) - 1, q.end + 1)):
            s = _sent_of_char(doc, ch)
            if s is not None and s not in sents:
                sents.append(s)
        best = None
        for s in sents:
            for t in s:
                if ctx.quote_of_token(t) is not None:
                    continue
                entry = lex.verbs.get(t.lemma_.lower())
                if entry is None or "q" not in entry[1] or not _is_verb(t):
                    continue
                dist = min(abs(t.idx - q.end), abs(t.idx - q.start))
                if dist > 200:
                    continue
                if best is None or dist < best[0]:
                    best = (dist, t)
        if best is not None:
            t = best[1]
            if t.i in by_head:
                c = by_head[t.i]
                c.extra_parts.append((q.start, q.end)) if False else c.content.append(
                    (q.start, q.end)
                )
                c.quoted = True
                covered.add(qi)
                continue
            subj, passive = _subject(t)
            src = _source_range(doc, subj, t) if subj is not None else None
            lo, hi = _verb_group(doc, t)
            if hi + 1 < len(doc) and doc[hi + 1].text == ":":
                hi += 1
            c = _Cand(lo, hi, [(q.start, q.end)], src, lex.verbs[t.lemma_.lower()][0],
                      f"quote+verb:{t.lemma_.lower()}", t.i, quoted=True)
            cands.append(c)
            by_head[t.i] = c
            covered.add(qi)
            continue
        # 2. continuation of the previous quotation's attribution
        prev = None
        for c in cands:
            if c.quoted and c.content_end() <= q.start and q.start - c.content_end() < 1500:
                if prev is None or c.content_end() > prev.content_end():
                    prev = c
        if prev is not None:
            between = ctx.text[prev.content_end() : q.start]
            if between.count("\n") <= 4:
                prev.extra_parts.extend(q.parts)
                covered.add(qi)


# ---------------------------------------------------------------------------------------------
# Source description


def _source_info(ctx: _Ctx, lo: int, hi: int) -> tuple[str | None, str | None, str | None, bool]:
    """(name, role, affiliation, anonymous) for the source tokens [lo, hi]."""
    doc, lex = ctx.doc, ctx.lex
    toks = doc[lo : hi + 1]
    text = toks.text
    low = text.lower()
    persons = [e for e in doc.ents if e.label_ == "PERSON" and lo <= e.start and e.end - 1 <= hi]
    orgs = [
        e for e in doc.ents if e.label_ in ("ORG", "GPE", "NORP") and lo <= e.start and e.end - 1 <= hi
    ]
    role = None
    for r in lex.roles:
        if re.search(rf"\b{re.escape(r)}\b", low):
            role = r
            break
    name = persons[0].text if persons else None
    affiliation = orgs[0].text if orgs and (persons or role) else None
    if name is None and orgs and not role:
        name = orgs[0].text
    head = max(toks, key=lambda t: -len(list(t.ancestors)) if True else 0) if len(toks) else None
    # the syntactic head of the span: the token whose head lies outside it
    for t in toks:
        if not (lo <= t.head.i <= hi) or t.head is t:
            head = t
            break
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


def _gender_votes(ctx: _Ctx) -> dict[str, str]:
    """Gender of PERSON names from titles and from the first pronoun that follows a mention."""
    doc, lex = ctx.doc, ctx.lex
    votes: dict[str, dict[str, int]] = {}
    ents = [e for e in doc.ents if e.label_ == "PERSON"]
    for k, e in enumerate(ents):
        key = e[-1].lower_
        v = votes.setdefault(key, {"m": 0, "f": 0})
        prev = doc[e.start - 1].lower_.rstrip(".") if e.start > 0 else ""
        if prev in lex.female_titles:
            v["f"] += 3
        elif prev in lex.male_titles:
            v["m"] += 3
        limit = ents[k + 1].start if k + 1 < len(ents) else len(doc)
        sent_ends = 0
        for t in doc[e.end : min(limit, e.end + 60)]:
            if t.is_sent_start:
                sent_ends += 1
                if sent_ends > 1:
                    break
            g = {"he": "m", "his": "m", "him": "m", "she": "f", "her": "f"}.get(t.lower_)
            if g:
                v[g] += 1
                break
    out = {}
    for key, v in votes.items():
        if v["m"] != v["f"]:
            out[key] = "m" if v["m"] > v["f"] else "f"
    return out


def _full_name(ctx: _Ctx, mention: str) -> str:
    last = mention.split()[-1].lower() if mention.split() else ""
    best = mention
    for e in ctx.doc.ents:
        if e.label_ == "PERSON" and e.text.split() and e.text.split()[-1].lower() == last:
            if len(e.text) > len(best):
                best = e.text
    return best


def _resolve(ctx: _Ctx, tok: Token, genders: dict[str, str], sources: list[tuple[int, str]]) -> str | None:
    """Nearest compatible antecedent of a pronoun or bare-title source."""
    doc, lex = ctx.doc, ctx.lex
    low = tok.lower_
    info = lex.pronouns.get(low)
    if info is None:
        return None
    gender, number = info
    if low in ("i", "we", "you", "who", "which", "it", "its"):
        return None
    if number == "pl":
        for e in reversed([e for e in doc.ents if e.end <= tok.i]):
            if e.label_ in ("ORG", "NORP", "GPE") and tok.i - e.end < 400:
                return e.text
        return None
    best_subject = best_any = None
    for e in reversed([e for e in doc.ents if e.label_ == "PERSON" and e.end <= tok.i]):
        if tok.i - e.end > 600:
            break
        g = genders.get(e[-1].lower_)
        if g is not None and g != gender:
            continue
        if best_any is None:
            best_any = e
        if e.root.dep_ in ("nsubj", "nsubjpass") or any(s <= e.start for s, _ in []):
            best_subject = e
            break
    pick = best_subject if best_subject is not None and best_any is not None and (
        best_any.start - best_subject.start < 80
    ) else best_any
    return _full_name(ctx, pick.text) if pick is not None else None


# ---------------------------------------------------------------------------------------------
# Main entry


def _find_hedge(ctx: _Ctx, cand: _Cand) -> tuple[int, int] | None:
    doc, lex = ctx.doc, ctx.lex
    v = doc[cand.head]
    for c in list(v.children) + [v]:
        if c.lower_ in lex.hedge_words and c.dep_ in ("advmod",) or c is v and c.lower_ in (
            "claimed",
            "claims",
            "alleged",
            "alleges",
        ):
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
            if ent_text.lower() in lex.outlets or c.ent_type_ == "ORG" and (
                c.text.lower() in lex.outlets or ent_text.lower().lstrip("the ") in lex.outlets
            ):
                return (doc[c.left_edge.i].idx, c.right_edge.idx + len(c.right_edge.text)), ent_text
        if c.dep_ == "prep" and c.lower_ in ("in", "on", "to", "during", "via", "through"):
            for g in c.children:
                if g.dep_ != "pobj":
                    continue
                gl = g.lemma_.lower()
                phrase = doc[g.left_edge.i : g.right_edge.i + 1]
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
    ctx = _Ctx(doc)
    cands = _verb_candidates(ctx) + _according_candidates(ctx)
    for c in cands:
        _snap_to_quotes(ctx, c)
    _attach_quotes(ctx, cands)
    text = ctx.text
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
    cands = uniq
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
    # cycles (two candidates inside each other's content): keep the outer one top-level
    for i, c in enumerate(cands):
        if c.parent is not None and cands[c.parent].parent == i:
            a, b = c, cands[c.parent]
            size_a = sum(e - s for s, e in a.content)
            size_b = sum(e - s for s, e in b.content)
            if size_a >= size_b:
                a.parent = None
            else:
                b.parent = None
    genders = _gender_votes(ctx)
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
            if lo == hi and doc[lo].lower_ in ctx.lex.pronouns:
                name = _resolve(ctx, doc[lo], genders, []) or None
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
        hedge = _find_hedge(ctx, c)
        out.append(
            Attribution(
                id=f"a{i + 1}",
                source=source,
                source_name=name,
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
    return [a if a.parent in ids or a.parent is None else _replace_parent(a) for a in out]


def _replace_parent(a: Attribution) -> Attribution:
    from dataclasses import replace

    return replace(a, parent=None)


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
        cur: Attribution | None = a
        seen = set()
        while cur is not None and cur.id not in seen:
            seen.add(cur.id)
            label = cur.source_name or (cur.source.text if cur.source else None)
            if cur.medium_name and cur.medium is not None and cur.kind in ("speech", "report"):
                pass
            if label:
                path.append(label)
            cur = by_id.get(cur.parent) if cur.parent else None
        path.reverse()
        if outlet:
            path.insert(0, outlet)
        if len(path) >= 2 or (path and not outlet):
            chains.append(path)
    return chains
