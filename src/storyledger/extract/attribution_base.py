"""What every part of the attribution extractor shares (see
:mod:`storyledger.extract.attribution`): the records it produces, its word lists
(``resources/attribution``), a document's context, a candidate attribution and helpers on
spaCy tokens and character ranges."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ..resources import load_json, read_table
from .attribution_quotes import _CLOSE, _OPEN, _STRAIGHT, _find_quotes
from .readings import doc_text

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Token


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
    person_nouns: frozenset[str]  # nouns for people: roles and anonymous heads
    outlets: frozenset[str]
    outlet_names: tuple[str, ...]  # as they spell themselves
    media_verbs: dict[str, str | None]
    media_platforms: frozenset[str]
    not_sources: frozenset[str]  # "nobody", "everyone": no one in particular
    headline_labels: frozenset[str]  # "BREAKING:", "MAJOR:": a label, not a speaker
    source_nouns: frozenset[str]  # nouns for people, bodies and documents, which can be sources
    quantified_sources: frozenset[str]  # "many", "some", "most" (of them) said
    surname_particles: tuple[str, ...]  # "al-" in "al-Sudani"
    headline_noun_like_verbs: frozenset[str]  # "Plans", "Calls": a headline verb only if parsed so
    experiencer_passives: frozenset[str]  # "is worried that": the passive's subject holds the view
    receiving_verbs: frozenset[str]  # "faced criticism": the subject does not hold the noun cue
    place_nouns: frozenset[str]  # "the airport has witnessed …": where, not who
    light_verbs: frozenset[str]  # "expressed concern that …": the subject holds the noun cue
    in_source_nouns: frozenset[str]  # "in a statement", "per the survey": a source after in/per


@lru_cache(maxsize=1)
def _lex() -> _Lexicon:
    def frame_table(name: str) -> dict[str, tuple[str, frozenset[str]]]:
        table: dict[str, tuple[str, frozenset[str]]] = {}
        for lemma, kind, frames, *_ in read_table(f"attribution/{name}"):
            table[lemma] = (kind, frozenset(f.strip() for f in frames.split(",") if f.strip()))
        return table

    data = load_json("attribution/lexicon.json")
    hedges = tuple(sorted(load_json("hedges.json")["relayed"], key=len, reverse=True))
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
        person_nouns=frozenset(data["roles"]) | frozenset(data["anonymous_heads"])
        | frozenset(data["female_titles"]) | frozenset(data["male_titles"]),
        outlets=frozenset(o.lower() for o in data["outlets"]),
        outlet_names=tuple(data["outlets"]),
        media_verbs=dict(data["media_verbs"]),
        media_platforms=frozenset(p.lower() for p in data["media_platforms"]),
        not_sources=frozenset(data["not_sources"]),
        headline_labels=frozenset(data["headline_labels"]),
        source_nouns=frozenset(data["source_nouns"]),
        quantified_sources=frozenset(data["quantified_sources"]),
        surname_particles=tuple(data["surname_particles"]),
        headline_noun_like_verbs=frozenset(data["headline_noun_like_verbs"]),
        experiencer_passives=frozenset(data["experiencer_passives"]),
        receiving_verbs=frozenset(data["receiving_verbs"]),
        place_nouns=frozenset(data["place_nouns"]),
        light_verbs=frozenset(data["light_verbs"]),
        in_source_nouns=frozenset(data["in_source_nouns"]),
    )


_PUNCT_EDGE = set(",;:.-–—()[]") | {"'s"}


_QUOTE_CHARS = _OPEN | _CLOSE | {_STRAIGHT, "‘", "’", "'"}


_SUBJ = {"nsubj", "csubj"}


_EXPLETIVE = {"it", "there"}


_SET_OFF = {",", "—", "–", "--", "-"}

# dashes that set off a dateline ("LONDON (Reuters) -") or a quotation's tag ("—Name")
_DASHES = {"—", "―", "–", "-", "--"}


# what may stand in a parenthetical cue clause beside its verb and subject: "he said on
# Saturday", "she told reporters", "officials said in a statement"


_CLAUSE_LINKS = {"while", "whereas", "although", "though", "but", "and", "as"}


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


def _span(doc: Doc, lo: int, hi: int) -> TextSpan | None:
    if hi < lo:
        return None
    s, e = doc[lo].idx, doc[hi].idx + len(doc[hi].text)
    return TextSpan(s, e, doc_text(doc)[s:e])


def _cspan(text: str, s: int, e: int) -> TextSpan:
    return TextSpan(s, e, text[s:e])


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


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
        pa, pb = _paragraph(doc_text(doc), anchor)
        while lo <= hi and doc[lo].idx < pa:
            lo += 1
        while hi >= lo and doc[hi].idx >= pb:
            hi -= 1
    lo, hi = _trim(doc, lo, hi)
    if hi < lo:
        return None
    return doc[lo].idx, doc[hi].idx + len(doc[hi].text)


def _tokens_in(doc: Doc, a: int, b: int) -> list[Token]:
    span = doc.char_span(a, b, alignment_mode="expand")
    return list(span) if span is not None else []


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


def _merge_ranges(ranges: Sequence[tuple[int, int]]) -> tuple[int, int]:
    return min(s for s, _ in ranges), max(e for _, e in ranges)


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


class _Ctx:
    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.text = doc_text(doc)
        self.ents = tuple(doc.ents)  # spaCy rebuilds Doc.ents on every access: read it once
        # spaCy makes a new Token object on every iteration and a label string on every read:
        # the passes over the document share one list and the labels are read once
        self.tokens = list(doc)
        self.labelled_ents = tuple((e, e.label_) for e in self.ents)
        self.person_tokens = frozenset(i for e, label in self.labelled_ents if label == "PERSON"
                                       for i in range(e.start, e.end))
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
