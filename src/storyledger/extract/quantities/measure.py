"""Measure keys: a name for what a quantity measures, comparable across documents ("US troops ·
Syria"), built from the unit, the counted noun, its nationality and the place; and the kind of
quantity (count, money, percent, duration, measure, proportion, comparison)."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from ..readings import token_table
from .candidate import Candidate, Quantity
from .counted import canon_head, demonym
from .lexicon import Lexicon

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Token


def _kind(c: Candidate) -> str:
    if c.rule.startswith("fraction") and c.unit is None and c.value is not None and abs(c.value) < 1:
        return "proportion"
    if c.unit_kind == "currency":
        return "money"
    if c.unit_kind == "percent":
        return "percent"
    if c.unit_kind == "time":
        return "duration"
    if c.rule == "vague_comparative":
        return "comparison"
    if c.unit is None:
        return "count"
    return "measure"


def _subject_nationality(tok: Token, lex: Lexicon) -> str | None:
    """The nation acting in the clause: "The U.S. was believed to have deployed 1,723 troops"."""
    verb = tok
    for _ in range(6):
        if verb.dep_ == "ROOT":
            break
        verb = verb.head
        if verb.pos_ not in ("VERB", "AUX"):
            continue
        subject = next((t for t in verb.children if t.dep_ in ("nsubj", "nsubjpass")), None)
        if subject is not None:
            for t in subject.subtree:
                found = demonym(t.text, lex)
                if found:
                    return found
            return None
    return None


def _plural(lemma: str) -> str:
    if lemma in ("people", "personnel", "police", "staff", "aircraft", "population", "equipment"):
        return lemma
    if lemma == "person":
        return "people"
    if lemma == "child":
        return "children"
    if lemma.endswith("man"):
        return lemma[:-3] + "men"
    if lemma.endswith(("s", "x", "ch", "sh")):
        return lemma + "es"
    if lemma.endswith("y") and lemma[-2:-1] not in "aeiou":
        return lemma[:-1] + "ies"
    return lemma + "s"


def doc_demonyms(doc: Doc, lex: Lexicon) -> dict[str, Counter]:
    """For each canonical head lemma, the nationality modifiers used with it anywhere in the doc."""
    tokens = token_table(doc)
    children: list[list[int]] = [[] for _ in tokens.head]  # in text order, as Token.children
    for i, head in enumerate(tokens.head):
        if head != i:
            children[head].append(i)
    out: dict[str, Counter] = {}
    for i, pos in enumerate(tokens.pos):
        if pos not in ("NOUN", "PROPN"):
            continue
        canon = canon_head(tokens.lemma[i], lex)
        for child in children[i]:
            if child < i and tokens.dep[child] in ("compound", "amod", "nmod", "nummod") or (child == i - 1):
                d = demonym(tokens.text[child], lex)
                if d and d not in ("local", "foreign", "coalition"):
                    out.setdefault(canon, Counter())[d] += 1
        if i > 0:
            d = demonym(tokens.text[i - 1], lex)
            if d and tokens.head[i - 1] != i and d not in ("local", "foreign", "coalition"):
                out.setdefault(canon, Counter())[d] += 1
    return out


def finalise(doc: Doc, doc_text: str, c: Candidate, lex: Lexicon, demonyms: dict[str, Counter]) -> Quantity:
    value = c.value
    low, high = c.low, c.high
    if not c.vague and value is not None and low is None and high is None:
        if c.bound == "low":
            low = value
        elif c.bound == "high":
            high = value
        elif c.bound in (None, "exact"):
            low = high = value
    unit = c.unit
    kind = _kind(c)
    head = c.head
    if c.head is not None and c.unit is None and kind == "count":
        unit = head  # a count's unit is what it counts
    if c.extra.get("per_noun") and c.unit:
        noun, _end = c.extra["per_noun"]
        unit = f"{c.unit} per {noun[:-1] if noun.endswith('s') and not noun.endswith('ss') else noun}"
    if kind == "count" and c.unit is None and head is None:
        unit = None
    # measure key
    place = c.extra.get("place")
    mods = [lex.spelling.get(m.lower(), m) for m in c.modifiers]
    nat = None
    rest = []
    for m in mods:
        d = demonym(m, lex)
        if d and nat is None and d not in ("local", "foreign", "coalition"):
            nat = d
        else:
            rest.append(m.lower() if not m.isupper() else m)
    if head is not None and c.head_tok is not None and c.head_tok.pos_ == "PRON":
        key = f"{unit or kind} of {c.counted}"
    elif head is not None:
        canon = canon_head(head, lex)
        if nat is None and not rest and c.head_tok is not None:
            nat = _subject_nationality(c.head_tok, lex)
        if nat is None and not rest and canon in demonyms:
            common = demonyms[canon].most_common(2)
            if len(common) == 1 or (len(common) > 1 and common[0][1] >= 2 * common[1][1]):
                nat = common[0][0]
        plural = (
            c.head_tok is None
            or c.head_tok.tag_ in ("NNS", "NNPS")
            or (c.value or 2) != 1
            and c.head_tok.tag_ not in ("NN", "NNP")
        )
        parts = ([nat] if nat else []) + rest + [_plural(canon) if plural or canon != head else canon]
        key = " ".join(parts)
        if c.unit is not None and kind != "count":
            key = f"{c.unit} · {key}"
    else:
        key = unit or kind
    if kind == "proportion" and head is not None:
        key = f"proportion of {key}"
    if place:
        key = f"{key} · {place}"
    text = doc_text[c.start : c.end]
    return Quantity(
        start=c.start,
        end=c.end,
        text=text,
        value=value,
        low=low,
        high=high,
        approx=c.approx,
        unit=unit,
        counted=c.counted,
        head=head,
        modifiers=c.modifiers,
        scope=c.extra.get("scope"),
        comparison=c.comparison,
        measure_key=key,
        kind=kind,
        rule=c.rule,
    )
