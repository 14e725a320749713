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

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from .attribution_base import (
    Attribution,
    TextSpan,
    _Cand,
    _cspan,
    _Ctx,
    _overlap,
    _span,
    _split_paragraphs,
)
from .attribution_chains import _break_nesting_cycles, ancestry, citation_chains
from .attribution_cues import _candidates
from .attribution_quotes import find_quotes
from .attribution_sources import describe_sources

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc

__all__ = [
    "TextSpan",
    "Attribution",
    "extract_attributions",
    "citation_chains",
    "ancestry",
    "find_quotes",
    "_Cand",
    "_break_nesting_cycles",
]


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


def extract_attributions(doc: Doc, *, outlet: str | None = None) -> list[Attribution]:
    """Attributions in ``doc`` (spaCy parse of a document's cleaned text), in text order.

    ``outlet`` (the publisher) is not needed to find attributions; it is accepted so that
    callers can pass the same arguments here and to :func:`citation_chains`.
    """
    if len(doc) == 0:
        return []
    return _extract(doc)


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
    sources = describe_sources(ctx, cands)
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
        who = sources[i]
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
                source=who.text_span(doc),
                source_name=who.name,
                source_role=who.role,
                source_affiliation=who.affiliation,
                anonymous=who.anonymous,
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
