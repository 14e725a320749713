"""What a number counts: the counted noun from the parse ("35 US armoured vehicles" -> counted "US
armoured vehicles", head "vehicle", modifiers ("US", "armoured")), or the subject a vague
comparative is about ("the true number of US troops ... was much higher")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .candidate import Candidate, tokens_for
from .dates import is_month_name
from .lexicon import Lexicon
from .scope import PLACE_ENTS, SCOPE_PREPS

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Token


def canon_head(lemma: str, lex: Lexicon) -> str:
    lemma = lemma.lower()
    if lemma.endswith("s") and not lemma.endswith("ss") and (
        lemma[:-1] in lex.synonyms or lemma[:-1] in lex.countable or lemma[:-1] == "troop"
    ):
        lemma = lemma[:-1]  # a capitalised plural ("US Troops") the lemmatiser left alone
    return lex.synonyms.get(lemma, lemma)


def demonym(tok_text: str, lex: Lexicon) -> str | None:
    return lex.demonyms.get(tok_text.lower().strip("."), lex.demonyms.get(tok_text.lower()))


_MEASURE_NOUNS = frozenset({"number", "figure", "count", "total", "level", "size", "toll", "tally"})


def comparative_subject(doc: Doc, c: Candidate) -> None:
    """What a vague comparative is about: "the true number of US troops in Syria was 'much
    higher'" compares a number of US troops in Syria."""
    span = tokens_for(doc, c.start, c.end)
    if span is None or len(span) == 0:
        return
    verb = span[0]
    for _ in range(4):
        if verb.pos_ in ("VERB", "AUX") or verb.dep_ == "ROOT":
            break
        verb = verb.head
    subject = next((t for t in verb.children if t.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is None or subject.lemma_.lower() not in _MEASURE_NOUNS:
        return
    of = next((t for t in subject.children if t.dep_ == "prep" and t.lower_ == "of"), None)
    noun = next((t for t in of.children if t.dep_ == "pobj"), None) if of is not None else None
    if noun is None or noun.pos_ not in ("NOUN", "PROPN"):
        return
    mods = [t for t in noun.lefts if t.dep_ in ("amod", "compound", "nmod")]
    c.head, c.head_tok = noun.lemma_.lower(), noun
    c.modifiers = tuple(t.text for t in mods)
    c.counted = " ".join([*c.modifiers, noun.text])
    for prep in (t for t in noun.children if t.dep_ == "prep" and t.lower_ in SCOPE_PREPS):
        place = next((t for t in prep.children if t.dep_ == "pobj" and t.ent_type_ in PLACE_ENTS), None)
        if place is not None:
            c.extra["subject_place"] = place.text
            c.extra["subject_scope"] = f"{prep.text} {doc[place.left_edge.i:place.i + 1].text}"
            break


def counted_noun(doc: Doc, c: Candidate, lex: Lexicon) -> None:
    span = tokens_for(doc, c.num_start, c.num_end)
    if span is None or len(span) == 0:
        return
    last = span[-1]
    head = None
    # "hundreds of thousands of people", "20 percent of them", "two thirds of the cake"
    j = last.i + 1
    if c.vague or c.unit_kind == "percent" or c.rule.startswith("fraction"):
        k = j
        while k < len(doc) and doc[k].idx < c.end:
            k += 1
        if k < len(doc) and doc[k].lower_ == "of":
            for t in doc[k + 1 : k + 6]:
                if t.pos_ in ("NOUN", "PROPN", "PRON") and t.dep_ in ("pobj",):
                    head = t
                    break
        if head is None and c.vague:
            if k < len(doc) and doc[k].pos_ in ("NOUN", "PROPN"):
                head = _chunk_head(doc, k)
    else:
        if (
            last.dep_ in ("nummod", "quantmod", "compound", "amod", "nmod", "npadvmod", "appos")
            and last.head.i > last.i
            and last.head.pos_ in ("NOUN", "PROPN")
            and last.head.i - last.i <= 5
        ):
            head = last.head
        elif j < len(doc) and doc[j].pos_ in ("NOUN", "PROPN", "ADJ") and doc[j].idx >= c.end - 1:
            head = _chunk_head(doc, j)
        if (
            head is not None
            and head.pos_ == "PROPN"
            and head.ent_type_ in ("ORG", "PERSON", "PRODUCT", "GPE")
        ):
            # "South 32 Ltd", "Voyager 2": a name, not a counted noun
            head = None
        if (
            head is not None
            and head.ent_type_ in ("DATE", "TIME")
            and is_month_name(head)
        ):
            head = None
    if head is None or head.i < last.i:
        return
    first = span[0]
    if first.i > 0 and not c.is_word and c.approx is None and c.rule == "number":
        prev = doc[first.i - 1]
        if (
            prev.is_title
            and prev.pos_ in ("PROPN", "NOUN")
            and not prev.is_sent_start
            and demonym(prev.text, lex) is None
        ):
            return  # "Terminal 4 fuel leak": a name with a number, not a count of leaks
    if head.lower_ in ("%",) or head.is_punct:
        return
    # modifiers between the number and the head noun
    mods: list[Token] = []
    start_i = last.i + 1
    if c.vague or c.unit_kind == "percent" or c.rule.startswith("fraction"):
        start_i = head.i
        for t in reversed(list(doc[max(0, head.i - 4) : head.i])):
            if t.dep_ in ("amod", "compound", "nmod") and t.head.i == head.i:
                start_i = t.i
            else:
                break
    for t in doc[start_i : head.i]:
        if t.is_punct or t.pos_ in ("DET", "ADP", "CCONJ", "NUM", "SCONJ", "PART", "VERB", "AUX"):
            if t.pos_ == "VERB" and t.tag_ in ("VBN", "VBG") and t.dep_ in ("amod",):
                mods.append(t)
                continue
            if t.pos_ == "NUM" and t.idx < c.end:
                continue
            mods = []
            break
        mods.append(t)
    counted_start = mods[0].idx if mods else head.idx
    counted_end = head.idx + len(head.text)
    c.counted = doc[mods[0].i if mods else head.i : head.i + 1].text  # (doc.text re-joins the whole doc)
    c.head = head.lemma_.lower() if head.pos_ != "PRON" else head.lower_
    c.head_tok = head
    c.modifiers = tuple(t.text for t in mods)
    if (
        c.unit is None
        and head.i >= last.i
        and counted_end > c.end
        and (counted_start - c.end) <= 40
        and c.unit_kind != "percent"
    ):
        c.end = counted_end


def _chunk_head(doc: Doc, k: int) -> Token | None:
    t = doc[k]
    # the noun chunk around k, from the parse (not doc.noun_chunks: that re-scans the whole doc)
    root = t
    hops = 0
    while root.dep_ in ("amod", "compound", "nmod") and root.head.i > root.i and hops < 5:
        root = root.head
        hops += 1
    if root.pos_ in ("NOUN", "PROPN") and root.i >= k:
        return root
    # walk right over adjectives / compounds to the first noun
    while t.i < len(doc) - 1 and t.pos_ in ("ADJ", "PROPN", "NOUN") and t.dep_ in ("amod", "compound"):
        t = doc[t.i + 1]
    return t if t.pos_ in ("NOUN", "PROPN") else None


def counts_nothing(c: Candidate, lex: Lexicon) -> bool:
    """A bare "one" that counts no countable noun ("one of the officials", "no one")."""
    if c.is_word and c.raw.lower() in ("one",) and c.unit is None and not c.vague:
        return not (c.head and canon_head(c.head, lex) in lex.countable | {"troop"})
    return False
