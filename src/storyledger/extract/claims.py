"""Claims: one record per assertion a reader might check.

A claim comes either from an attribution (its content, said by its source) or from a sentence
the outlet asserts in its own voice. Each records its proposition (the evidence with quotation
marks, a leading "that" and hedges stripped), polarity, modality, as-of time, quantities and
entities, and why: the cue words that decided polarity and modality are kept as evidence.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any

import numpy as np
from spacy.tokens import Doc, Span

from ..resources import load_json
from .attribution import Attribution, ancestry
from .quantities import Quantity
from .readings import TokenTable, doc_text, token_table
from .timex import TimeExpression

_QUOTES = "\"“”‘’'«»"


@dataclass(frozen=True)
class Claim:
    id: str  # "c4", unique within the document
    start: int  # the evidence span, offsets into the document text
    end: int
    evidence: str
    proposition: str
    polarity: str  # affirmed / negated
    polarity_cue: str | None  # the words that made it negated
    modality: str  # fact / plan / prediction / demand / condition
    modality_cue: str | None
    hedged: bool
    hedge_cue: str | None
    attribution_id: str | None  # None: the outlet asserts it in its own voice
    source: str | None  # who asserts it: the attribution's source, or the outlet
    as_of: str | None  # TIMEX3 value of the time the claim is about, or the publication date
    as_of_source: str | None  # "text" (a time expression in the claim) / "publication" / None
    quantity_ids: tuple[str, ...]
    entities: tuple[str, ...]
    entity_labels: tuple[str, ...]  # spaCy's label of each entity (PERSON, ORG, ...), in the same order
    rule: str  # "attribution" or "outlet-sentence"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class _Lexicon:
    denial_lemmas: frozenset[str]
    negative_evaluation: re.Pattern[str]
    negative_quantifiers: frozenset[str]  # "no", "nobody": negate the clause whose head they modify
    modality: tuple[tuple[str, frozenset[str], re.Pattern[str] | None], ...]
    modal_verbs: dict[str, str]
    kind_modality: dict[str, str]
    hedge: re.Pattern[str]
    strip_hedge: re.Pattern[str]
    entity_labels: frozenset[str]
    min_words: int


def _phrases(words: list[str]) -> re.Pattern[str] | None:
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)


@cache
def _lexicon() -> _Lexicon:
    data = load_json("claims.json")
    hedges = load_json("hedges.json")
    modality = tuple(
        (name, frozenset(data["modality"][name].get("lemmas", [])),
         _phrases(data["modality"][name].get("phrases", [])))
        for name in data["modality_order"]
    )
    return _Lexicon(
        frozenset(data["denial_cue_lemmas"]),
        _phrases(data["negative_evaluations"]),  # type: ignore[arg-type]
        frozenset(data["negative_quantifiers"]),
        modality,
        data["modal_verbs"],
        data["kind_modality"],
        _phrases(hedges["relayed"] + hedges["uncertain"]),  # type: ignore[arg-type]
        _phrases(data["strip_from_propositions"]),  # type: ignore[arg-type]
        frozenset(data["entity_labels"]),
        data["min_words"],
    )


def clean_proposition(text: str) -> str:
    """The assertion itself: no surrounding quotation marks, leading "that", or hedges."""
    text = text.strip().strip(_QUOTES + " ,;:")
    text = re.sub(r"^(?:that|whether)\s+", "", text, flags=re.IGNORECASE)
    text = _lexicon().strip_hedge.sub("", text)
    text = "".join(ch for ch in text if ch not in "“”\"")
    text = re.sub(r"\s{2,}", " ", text).strip(" ,;:")
    return text[:1].upper() + text[1:] if text else text


def _span(parsed: Doc, start: int, end: int) -> Span | None:
    return parsed.char_span(start, end, alignment_mode="expand")


def _polarity(span: Span, attribution: Attribution | None, parsed: Doc, tokens: TokenTable,
              text: str) -> tuple[str, str | None]:
    lex = _lexicon()
    if attribution is not None:
        cue = _span(parsed, attribution.cue.start, attribution.cue.end)
        if cue is not None and any(tokens.lemma[i] in lex.denial_lemmas for i in range(cue.start, cue.end)):
            return "negated", attribution.cue.text
    evaluation = lex.negative_evaluation.search(text[span.start_char:span.end_char])
    if evaluation:
        return "negated", evaluation.group(0)
    root = span.root
    heads = {root.i} | {t.i for t in root.children if t.dep_ in ("conj", "ccomp", "xcomp")}
    head, words = tokens.head, tokens.text
    for i in range(span.start, span.end):
        if tokens.dep[i] == "neg" and head[i] in heads:
            return "negated", f"{words[i]} {words[head[i]]}"
        if tokens.lower[i] in lex.negative_quantifiers and (
            head[i] in heads or head[head[i]] in heads
        ):
            return "negated", f"{words[i]} {words[head[i]]}"
    for i in range(span.start, span.end):  # a denial verb inside an outlet's own sentence: "The US denied reports …"
        if tokens.lemma[i] in lex.denial_lemmas and tokens.pos[i] == "VERB" and i in heads:
            return "negated", words[i]
    return "affirmed", None


def _modality(span: Span, attribution: Attribution | None, tokens: TokenTable,
              text: str) -> tuple[str, str | None]:
    lex = _lexicon()
    inside = range(span.start, span.end)
    lemmas = {tokens.lemma[i]: tokens.text[i] for i in inside if tokens.pos[i] in ("VERB", "AUX", "ADJ", "ADV")}
    modals = {lex.modal_verbs[tokens.lower[i]]: tokens.text[i] for i in reversed(inside)
              if tokens.tag[i] == "MD" and tokens.lower[i] in lex.modal_verbs}
    for name, words, phrases in lex.modality:
        # the first cue word in the text (a set's order would change from one process to the next)
        hit = modals.get(name) or next((word for lemma, word in lemmas.items() if lemma in words), None)
        if hit is None and phrases is not None:
            match = phrases.search(text[span.start_char:span.end_char])
            hit = match.group(0) if match else None
        if hit is not None:
            return name, hit
    if attribution is not None:
        # The cue can carry the modality the content lacks: "has repeatedly demanded the
        # withdrawal" is a demand, "is expected to announce" a prediction.
        cue = span.doc.char_span(attribution.cue.start, attribution.cue.end, alignment_mode="expand")
        cue_lemmas = {tokens.lemma[i] for i in range(cue.start, cue.end)} if cue is not None else set()
        for name, words, _ in lex.modality:
            if cue_lemmas & words:
                return name, attribution.cue.text
        if attribution.kind in lex.kind_modality:
            return lex.kind_modality[attribution.kind], attribution.cue.text
    return "fact", None


def _speaks(attribution: Attribution) -> bool:
    """Whether the source is someone who can assert: named, anonymous, or a pronoun for
    someone. "the troop movements do not indicate …" is part of its speaker's claim, not one."""
    return attribution.source is not None and (attribution.source_name is not None or attribution.anonymous)


def _claim_attributions(attributions: list[Attribution]) -> list[Attribution]:
    """The attributions that carry propositions: the innermost ones (an outlet's report of a
    spokesperson's words is the spokesperson's claim) and any whose nested reports cover less
    than half of it; an innermost one with no real speaker gives way to its parent."""
    by_id = {a.id: a for a in attributions}
    chosen: dict[str, Attribution] = {}
    nested: dict[str, int] = {}  # parent id -> characters of its content its children cover
    for a in attributions:
        if a.parent in by_id:
            nested[a.parent] = nested.get(a.parent, 0) + a.content.end - a.content.start
    for attribution in attributions:
        size = attribution.content.end - attribution.content.start
        if nested.get(attribution.id, 0) >= 0.5 * size:
            continue  # its children carry what it reports
        speaker = next((a for a in ancestry(attribution, by_id) if _speaks(a)), None)
        if speaker is None:  # nobody up the chain speaks: the outermost one carries it
            *_, speaker = ancestry(attribution, by_id)
        chosen[speaker.id] = speaker
    return sorted(chosen.values(), key=lambda a: a.content.start)


def _as_of(start: int, end: int, timexes: list[TimeExpression],
           published: str | None) -> tuple[str | None, str | None]:
    for timex in timexes:
        if start <= timex.start < end and timex.type in ("DATE", "TIME") and timex.value \
                and not timex.value.endswith("_REF"):
            return timex.value, "text"
    return (published, "publication") if published else (None, None)


class _Entities:
    """The document's named entities, read once: spaCy rebuilds ``Doc.ents`` (and ``Span.ents``
    walks all of them) on every access, and every claim asks for the ones in its span."""

    def __init__(self, parsed: Doc) -> None:
        self.ents = [(e.start, e.end, e.text, e.label_) for e in parsed.ents]
        self.starts = [start for start, *_ in self.ents]

    def named_within(self, span: Span, labels: frozenset[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The names ``span.ents`` gives, in order, once each, of the entities labelled ``labels``
        (as there, the entities after the first one that runs past the span's end are not read),
        and the label of each (its first)."""
        named: dict[str, str] = {}
        for _start, end, name, label in self.ents[bisect_left(self.starts, span.start):]:
            if end > span.end:
                break
            if label in labels:
                named.setdefault(name, label)
        return tuple(named), tuple(named.values())


def extract_claims(
    parsed: Doc,
    *,
    outlet: str | None,
    published: str | None,
    attributions: list[Attribution],
    quantities: list[Quantity],
    quantity_ids: list[str],
    timexes: list[TimeExpression],
) -> list[Claim]:
    """Claims of one document, in text order. Pure: everything comes from the arguments."""
    lex = _lexicon()
    text = doc_text(parsed)
    entities = _Entities(parsed)
    tokens = token_table(parsed)
    found: list[tuple[int, int, Attribution | None, str]] = []
    leaves = _claim_attributions(attributions)
    # the characters each attribution's content and cue cover, as arrays: every sentence is
    # measured against all of them
    covered_starts = np.array([a.content.start for a in attributions] + [a.cue.start for a in attributions],
                              dtype=np.int64)
    covered_ends = np.array([a.content.end for a in attributions] + [a.cue.end for a in attributions],
                            dtype=np.int64)
    for attribution in leaves:
        found.append((attribution.content.start, attribution.content.end, attribution, "attribution"))
    for sentence in parsed.sents:
        s, e = sentence.start_char, sentence.end_char
        overlap = int(np.maximum(0, np.minimum(e, covered_ends) - np.maximum(s, covered_starts)).sum())
        if overlap >= 0.3 * (e - s):
            continue  # reported speech: its attribution carries the claim
        inside = range(sentence.start, sentence.end)
        if sum(tokens.is_word[i] for i in inside) < lex.min_words or text[s:e].rstrip().endswith("?"):
            continue
        if not any(tokens.pos[i] in ("VERB", "AUX") for i in inside):
            continue
        found.append((s, e, None, "outlet-sentence"))
    found.sort(key=lambda item: (item[0], item[1]))

    claims: list[Claim] = []
    for number, (start, end, attribution, rule) in enumerate(found, start=1):
        span = _span(parsed, start, end)
        if span is None or not text[span.start_char:span.end_char].strip():
            continue
        polarity, polarity_cue = _polarity(span, attribution, parsed, tokens, text)
        modality, modality_cue = _modality(span, attribution, tokens, text)
        hedge_match = lex.hedge.search(text[start:end]) if attribution is None else None
        hedge_cue = attribution.hedge.text if attribution is not None and attribution.hedge else (
            hedge_match.group(0) if hedge_match else None)
        source = (attribution.source_name or (attribution.source.text if attribution.source else None)) \
            if attribution is not None else outlet
        as_of, as_of_source = _as_of(start, end, timexes, published)
        names, labels = entities.named_within(span, lex.entity_labels)
        claims.append(Claim(
            id=f"c{number}",
            start=start,
            end=end,
            evidence=text[start:end],
            proposition=clean_proposition(text[start:end]),
            polarity=polarity,
            polarity_cue=polarity_cue,
            modality=modality,
            modality_cue=modality_cue,
            hedged=hedge_cue is not None,
            hedge_cue=hedge_cue,
            attribution_id=attribution.id if attribution is not None else None,
            source=source,
            as_of=as_of,
            as_of_source=as_of_source,
            quantity_ids=tuple(qid for q, qid in zip(quantities, quantity_ids, strict=True)
                               if start <= q.start and q.end <= end),
            entities=names,
            entity_labels=labels,
            rule=rule,
        ))
    return claims
