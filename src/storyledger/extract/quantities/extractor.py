"""The quantity extractor: each stage in turn, from the document text to Quantity records."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..readings import doc_text
from ..timex import TimeExpression, tag_time_expressions
from .candidate import Candidate, Quantity
from .combine import combine, inherit_from_partner, link_comparisons
from .counted import comparative_subject, counted_noun, counts_nothing
from .dates import date_spans, is_date_after_parse, is_year_after_date_preposition
from .lexicon import Lexicon, lexicon
from .measure import doc_demonyms, finalise
from .money import add_price_per_unit
from .numbers import number_atoms, vague_atoms
from .scope import dominant_place, scope
from .units import add_article_units, attach_units, parse_unit

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc


def extract_quantities(doc: Doc, time_expressions: Iterable[TimeExpression]) -> list[Quantity]:
    """All quantity mentions in a parsed document, in text order (pure; the doc is not modified).

    ``time_expressions`` are the document's, from ``tag_time_expressions``: a number in a date told
    by its month ("June 2018", "5 March") is not a quantity.
    """
    lex = lexicon()
    text = doc_text(doc)
    dates = date_spans(text, time_expressions)
    kept = _with_units(text, number_atoms(text, lex, dates), lex)
    add_article_units(text, lex, kept, dates)
    for v in vague_atoms(text, lex):
        if any(c.num_start < v.end and v.start < c.end for c in kept):
            continue
        if dates.blocks(v.start, v.end):
            continue
        u = parse_unit(text, v.end, lex, digits=False)
        if u is not None and u.num and u.kind not in ("count", "currency"):
            v.unit, v.unit_kind, v.end = u.name, u.kind, u.end
        kept.append(v)
    kept.sort(key=lambda c: (c.start, -c.end))
    kept = combine(text, kept, lex)

    # linguistic layer
    final: list[Candidate] = []
    for c in kept:
        if c.rule != "vague_comparative" and (
            c.unit is None
            or c.vague
            or c.unit_kind == "percent"
            or (c.rule.startswith("fraction") and c.unit is None)
        ):
            counted_noun(doc, c, lex)
        if c.rule != "vague_comparative" and (is_date_after_parse(doc, text, c) or counts_nothing(c, lex)):
            continue
        final.append(c)

    for c in final:
        if c.rule == "vague_comparative" and c.head is None:
            comparative_subject(doc, c)
    dominant = dominant_place(doc, lex) if final else None
    demonyms = doc_demonyms(doc, lex) if final else {}
    # comparisons "X, up from (the) Y", "compared with Y"
    link_comparisons(text, final)
    for c in final:
        scope_text, place, _pobj = (None, None, None)
        try:
            scope_text, place, _pobj = scope(doc, c, lex)
        except Exception:  # pragma: no cover - parse oddities must never break extraction
            scope_text, place = None, None
        if place == "@dominant":
            place = dominant
        c.extra["place"] = place or c.extra.get("subject_place")
        c.extra["scope"] = scope_text or c.extra.get("subject_scope")
    inherit_from_partner(final)
    add_price_per_unit(text, final)
    # A run of hundreds of digits is no amount: its float overflows to infinity, which JSON (and
    # every chart and comparison) cannot hold.
    final = [c for c in final if all(v is None or math.isfinite(v) for v in (c.value, c.low, c.high))]
    return [finalise(doc, text, c, lex, demonyms) for c in final]


def _with_units(text: str, cands: list[Candidate], lex: Lexicon) -> list[Candidate]:
    """The candidates that stay quantities once their multipliers, currency and unit are attached."""
    kept: list[Candidate] = []
    for c in cands:
        if not attach_units(text, c, lex):
            continue
        # numbers glued to letters that are not units: identifiers ("06F6", "860BOX", "3D")
        if (
            c.unit is None
            and c.end < len(text)
            and (text[c.end].isalpha() or text[c.end] in "_")
            and not c.is_word
        ):
            continue
        if c.unit is None and c.num_start > 0 and text[c.num_start - 1] in "#№" and not c.is_word:
            continue
        kept.append(c)
    # a number inside an earlier quantity's unit ("4km^3", "J/m^2", "fb−1") is part of that unit
    dedup: list[Candidate] = []
    for c in kept:
        if dedup and c.num_start < dedup[-1].end:
            continue
        dedup.append(c)
    # years after a date preposition ("in 2013", "since 1979") are dates, whatever follows
    return [c for c in dedup if not is_year_after_date_preposition(text, c)]


def extract_quantities_from_text(text: str) -> list[Quantity]:
    """Parse ``text`` with the shared spaCy pipeline and extract its quantities (no publication
    date: the time expressions are only needed for where they are)."""
    from storyledger.extract.nlp import load_nlp

    doc = load_nlp()(text)
    return extract_quantities(doc, tag_time_expressions(text, None, doc=doc))
