"""Sources (part of :mod:`storyledger.extract.attribution`): the name, role, affiliation and
anonymity of who an attribution's source range stands for, with pronouns, relative pronouns,
bare titles ("the governor") and artifacts ("the report") resolved inside the document."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from ..link.entities import alias_of, looks_personal
from .attribution_base import TextSpan, _Cand, _Ctx, _Lexicon, _span

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Span, Token


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
    name = _person_name(ctx, persons[0]) if persons else None
    titled_body = None
    if name is None:
        for t in toks:
            if t.pos_ == "PROPN" and not (lo <= t.head.i <= hi and t.head.pos_ == "PROPN"
                                          and t.dep_ in ("compound", "flat")):
                a = t.i
                while a - 1 >= lo and doc[a - 1].pos_ in ("PROPN", "NOUN") and doc[a - 1].dep_ == "compound":
                    a -= 1
                # "Defence Ministry Spokesman Pavel Orlov" (tagged as one organisation): the
                # title splits the body it speaks for from the name after it
                titles = [k for k in range(a, t.i) if doc[k].lower_.rstrip(".") in lex.roles_set]
                if titles and titles[-1] > a and t.i > titles[-1]:
                    name = doc[titles[-1] + 1 : t.i + 1].text
                    titled_body = doc[a : titles[-1]]
                    break
                while a < t.i and doc[a].lower_.rstrip(".") in lex.roles_set:
                    a += 1
                if t.ent_type_ in ("PERSON", "FAC", "") and doc[a].lower_ not in lex.roles_set:
                    name = doc[a : t.i + 1].text
                break
    if titled_body is not None:
        affiliation: str | None = _affiliation(titled_body)
    else:
        affiliation = _affiliation(orgs[0]) if orgs and (persons or role) else None
    head = None
    # the syntactic head of the span: the token whose head lies outside it
    for t in toks:
        if not (lo <= t.head.i <= hi) or t.head.i == t.i:
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
    if head is not None and not persons and (name is None or head.pos_ != "PROPN"):
        # "a US official", "officials", "the official" (a definite description of a source the
        # article never names is still anonymous)
        if head.lower_ in lex.anonymous_heads:
            anonymous = True
            if role is not None and not orgs:
                name = None
        if any(t.lower_ in ("anonymity", "anonymous", "unnamed", "unidentified") for t in toks):
            anonymous = True
    if anonymous and name is not None and name.lower() == (affiliation or "").lower():
        name = None  # "a US official": the United States is the affiliation, not the source
    return name, role, affiliation, anonymous


def _person_name(ctx: _Ctx, person: Span) -> str:
    """A PERSON entity as a name: without the titles the tagger took in ("Spokesman Igor
    Konashenkov")."""
    start = person.start
    while start < person.end - 1 and ctx.doc[start].lower_.rstrip(".") in ctx.lex.roles_set:
        start += 1
    return ctx.doc[start : person.end].text


def _affiliation(entity: Span) -> str:
    """The body a source belongs to, by its canonical name where the alias table knows it
    ("US" -> "United States")."""
    text = re.sub(r"^(?:the|The)\s+", "", entity.text)
    return alias_of(text) or text


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
        if h.ent_type_ not in ("", "PERSON"):
            continue  # "a US official": a place is nobody a pronoun refers back to
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


def _previous_speaker(ctx: _Ctx, earlier: Sequence[tuple[_Cand, _Source]], tok: Token,
                      genders: dict[str, str]) -> str | None:
    """Speaker continuity: "X said that …. "…," he said." — in the same paragraph, he or she
    is the person who spoke last, when that person was named and the gender does not clash.
    Speakers quoted inside someone else's words ("the Americans are seeking …" in Khamenei's
    quotation) do not take the turn."""
    doc, text = ctx.doc, ctx.text
    wanted = {"he": "m", "she": "f"}.get(tok.lower_)
    if wanted is None:
        return None
    paragraph_start = text.rfind("\n", 0, tok.idx) + 1
    # a pronoun that opens its paragraph (nothing before it but quoted words) may take up the
    # last speaker of the paragraph before: "“…,” he added."
    opens_paragraph = not any(
        t.pos_ in ("NOUN", "PROPN", "PRON") and ctx.quote_of_token(t) is None
        for t in doc[tok.sent.start : tok.i] if t.idx >= paragraph_start
    ) and (tok.sent.start_char <= paragraph_start or ctx.quote_of_token(doc[tok.sent.start]) is not None
           or ctx.char_quote.get(paragraph_start) is not None)
    for cand, previous in reversed(earlier):
        if previous.span is None or (cand.parent is not None and (
                ctx.quote_of_token(doc[cand.head]) is not None or previous.name is None)):
            continue  # a speaker inside someone else's words takes the turn only when named
        lo, hi = previous.span
        end = doc[hi].idx + len(doc[hi].text)
        if end > tok.idx:
            continue
        breaks = len(re.findall(r"\n\s*", text[end:tok.idx]))
        if breaks > (1 if opens_paragraph else 0):
            return None  # too far back: no continuity to lean on
        name = previous.name
        written = doc[lo : hi + 1].text.lower()
        if not name or written in ("he", "she", "they", "it"):
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


def _slot_it(tok: Token) -> bool:
    """An "it" that only fills the subject slot: "it's fair to say", "it is said that"."""
    head = tok.head
    return tok.dep_ == "expl" or (head.lemma_ == "be" and any(
        c.dep_ in ("acomp", "attr", "xcomp", "ccomp") for c in head.children))


def _resolve_it(ctx: _Ctx, tok: Token) -> str | None:
    """"It said in a statement": the organisation or document met last, within the paragraph
    or the one before and a few sentences back: an ORG entity, or a singular noun for a body
    or a document that was the subject of a clause ("The committee …", "The report …")."""
    doc, lex = ctx.doc, ctx.lex
    breaks = 0
    for t in reversed(doc[max(0, tok.i - 150) : tok.i]):
        breaks += "\n" in t.text_with_ws
        if breaks > 1:
            break
        if t.ent_type_ == "ORG" and t.ent_iob_ == "B":
            ent = next((e for e in ctx.ents if e.start == t.i), None)
            if ent is not None:
                return ent.text
        if t.dep_ in ("nsubj", "nsubjpass") and t.pos_ == "NOUN" and t.tag_ == "NN" \
                and t.lemma_.lower() in lex.source_nouns and t.lower_ not in lex.person_nouns:
            start = t.left_edge.i
            while start < t.i and doc[start].dep_ == "det":
                start += 1
            return doc[start : t.i + 1].text
    return None


# ---------------------------------------------------------------------------------------------
# Who each candidate's source is


@dataclass
class _Source:
    span: tuple[int, int] | None  # token range as written; None: no source (or none worth naming)
    name: str | None = None
    role: str | None = None
    affiliation: str | None = None
    anonymous: bool = False

    def text_span(self, doc: Doc) -> TextSpan | None:
        return _span(doc, *self.span) if self.span is not None else None


_RELATIVE = {"who", "which", "that"}
_FIRST_PERSON = {"i", "we", "me", "us"}


def _span_head(doc: Doc, lo: int, hi: int) -> Token:
    """The token of [lo, hi] whose head lies outside it."""
    for t in doc[lo : hi + 1]:
        if not (lo <= t.head.i <= hi) or t.head.i == t.i:
            return t
    return doc[hi]


def agentive(ctx: _Ctx, lo: int, hi: int) -> bool:
    """Whether tokens [lo, hi] stand for someone or something that can hold or relay a statement
    (PolNeAR's sources: a person, a body, an outlet, a document), not for an event or a clause
    ("the U.S.'s ultimate withdrawal from Syria", "a rationale")."""
    head = _span_head(ctx.doc, lo, hi)
    lex = ctx.lex
    if head.pos_ in ("PROPN", "PRON") or head.ent_type_ in ("PERSON", "ORG", "GPE", "NORP"):
        return True
    if head.pos_ == "NUM" or head.lower_ in lex.quantified_sources:
        return True
    return head.lower_ in lex.source_nouns or head.lemma_.lower() in lex.source_nouns \
        or head.lower_ in lex.person_nouns


def describe_sources(ctx: _Ctx, cands: Sequence[_Cand]) -> list[_Source]:
    """Who stands behind each candidate's source range, in the candidates' order."""
    mentions = _mentions(ctx, cands)
    genders = _gender_votes(ctx, mentions)
    described: list[_Source] = []
    earlier: list[tuple[_Cand, _Source]] = []
    for c in cands:
        described.append(_describe(ctx, c, earlier, genders, mentions))
        earlier.append((c, described[-1]))
    # "X said: “… we …”", "The government stated that it is seeking …": inside what a speaker
    # says, I and we are the speaker, and it, he or she left unresolved is the speaker too
    # when the speaker can be one; outer attributions are settled first
    depth = {i: _depth(cands, i) for i in range(len(cands))}
    for i in sorted(range(len(cands)), key=lambda i: (depth[i], i)):
        described[i] = _speaker_of_own_words(ctx, cands, described, i)
    # an it that nobody stands behind is no source
    for i, d in enumerate(described):
        if d.span is not None and d.name is None and d.span[0] == d.span[1] \
                and ctx.doc[d.span[0]].lower_ in ("it", "there"):
            described[i] = _Source(None)
    return described


def _depth(cands: Sequence[_Cand], i: int) -> int:
    seen = set()
    n = 0
    while cands[i].parent is not None and i not in seen:
        seen.add(i)
        i = cands[i].parent
        n += 1
    return n


def _describe(ctx: _Ctx, c: _Cand, earlier: Sequence[tuple[_Cand, _Source]],
              genders: dict[str, str], mentions: Sequence[_Mention]) -> _Source:
    doc, lex = ctx.doc, ctx.lex
    if c.source is None:
        return _Source(None)
    lo, hi = c.source
    written = doc[lo : hi + 1].text
    if written.lower() in lex.not_sources:
        return _Source(None)  # "Nobody is declaring …": no one to credit
    name, role, affil, anonymous = _source_info(ctx, lo, hi)
    low = doc[lo].lower_
    if lo == hi and low in _RELATIVE:
        antecedent = _relative_antecedent(doc, doc[lo])
        if antecedent is not None:
            name, role, affil, anonymous = _source_info(ctx, *antecedent)
            if anonymous or name is None:
                name = _span(doc, *antecedent).text
    elif lo == hi and low in lex.pronouns:
        if low in ("it", "its"):
            if _slot_it(doc[lo]):
                return _Source(None)  # "it's fair to say": nobody
            name = _resolve_it(ctx, doc[lo])
        elif low not in _FIRST_PERSON:
            name = _previous_speaker(ctx, earlier, doc[lo], genders) or \
                _resolve(ctx, doc[lo], genders, mentions)
        else:
            name = None
    elif name is None and doc[hi].lemma_.lower() in _DOCUMENT_NOUNS \
            and low in ("the", "this", "that"):
        name = _named_document(ctx, doc[hi], earlier)
    elif name is None or name == written:
        name = _resolve_role(ctx, lo, hi, mentions) or name
        if name is not None and name != written:
            anonymous = False
    if name is None and c.rule == "colon" and not anonymous and written[:1].isupper():
        name = written  # "Trump: …", "TAPPER: …": the lead-in names the speaker
    if anonymous and affil is None and low in ("the", "this", "that"):
        affil = _earlier_affiliation(ctx, doc[hi].lower_, earlier)
    if name is not None and " " not in name and alias_of(name) is None:  # "Iraq" is no surname
        name = _document_full_name(ctx, name, [d.name for _, d in earlier if d.name and _is_person(ctx, d)])
    if name is not None and name.startswith("the "):
        name = name[4:]  # "the Syrian Observatory for Human Rights" (but "The Coastal Tribune")
    return _Source((lo, hi), _canonical_outlet(name, lex), role, affil, anonymous)


def _named_document(ctx: _Ctx, noun: Token, earlier: Sequence[tuple[_Cand, _Source]]) -> str | None:
    """"the report" is the report named last: "a report by Foreign Policy", "Foreign Policy:
    …" in a headline, "…, the Observatory reported"."""
    doc = ctx.doc
    word = noun.lower_
    for cand, previous in reversed(earlier):
        if previous.name is None or previous.span is None:
            continue
        lo, hi = previous.span
        headline = cand.rule == "colon" or cand.rule.startswith("headline:")
        if word in doc[lo : hi + 1].text.lower() or cand.kind == "report" or headline \
                or doc[cand.head].lemma_.lower() == noun.lemma_.lower():
            return previous.name
    return None


def _earlier_affiliation(ctx: _Ctx, head: str, earlier: Sequence[tuple[_Cand, _Source]]) -> str | None:
    """"the official" is the anonymous official met before ("a US official"): same affiliation."""
    doc = ctx.doc
    for _, previous in reversed(earlier):
        if previous.anonymous and previous.span is not None and previous.affiliation \
                and doc[previous.span[1]].lower_ == head:
            return previous.affiliation
    return None


def _is_person(ctx: _Ctx, source: _Source) -> bool:
    """Whether a named source is a person, by the tagger's PERSON label or a personal title
    ("Spokesman Pavel Orlov"): a name that only looks personal ("The Harbour Dutch", an ORG)
    takes no surname."""
    if source.span is None or not looks_personal(source.name or ""):
        return False
    lo, hi = source.span
    return source.role is not None or any(
        e.label_ == "PERSON" and e.start <= hi and lo < e.end for e in ctx.ents)


def _document_full_name(ctx: _Ctx, name: str, speakers: Sequence[str] = ()) -> str:
    """A surname as the full name the document gives its owner ("Sudani" -> "Mohammed Shia
    al-Sudani"): the longest PERSON entity, or name of an earlier speaker, whose last word is
    the surname, with or without a particle ("al-")."""
    want = name.lower()
    fulls = [_person_name(ctx, e) for e in ctx.ents if e.label_ == "PERSON" and len(e) >= 2]
    best = name
    for full in fulls + [s for s in speakers if " " in s]:
        last = full.split()[-1].lower()
        for particle in ctx.lex.surname_particles:
            if last.startswith(particle):
                last = last[len(particle):]
                break
        if last == want and len(full) > len(best):
            best = full
    return best


def _speaker_of_own_words(ctx: _Ctx, cands: Sequence[_Cand], described: list[_Source], i: int) -> _Source:
    """A pronoun source inside the content of the attribution it is nested in: first person
    inside a quotation is the quoted speaker ("I think …" in McGurk's words); he, she or it left
    unresolved is that speaker when the speaker can be one ("the government stated that it …")."""
    doc = ctx.doc
    c, d = cands[i], described[i]
    if c.parent is None or d.span is None or d.span[0] != d.span[1]:
        return d
    tok = doc[d.span[0]]
    low = tok.lower_
    parent = described[c.parent]
    if parent.span is None:
        return d
    inside = any(s <= tok.idx < e for s, e in cands[c.parent].content + cands[c.parent].extra_parts)
    if not inside:
        return d
    speaker_is_person = parent.role is not None or any(
        e.label_ == "PERSON" and parent.span[0] <= e.start and e.end - 1 <= parent.span[1]
        for e in ctx.ents) or doc[parent.span[0]].lower_ in ("he", "she", "i")
    if low in _FIRST_PERSON and ctx.quote_of_token(tok) is not None:
        if low in ("we", "us") and parent.affiliation:
            return _Source(d.span, parent.affiliation, None, None, False)
        return _Source(d.span, parent.name, parent.role, parent.affiliation, parent.anonymous)
    # a speaker the article only describes ("The port authority stated that it …") is named
    # by that description
    speaker = parent.name or re.sub(r"^(?:the|this|that)\s+", "", doc[parent.span[0] : parent.span[1] + 1].text,
                                    flags=re.IGNORECASE)
    if d.name is None and not parent.anonymous and (
        (low in ("it", "its") and not speaker_is_person)
        or (low in ("he", "she") and speaker_is_person)
    ):
        return _Source(d.span, speaker, parent.role, parent.affiliation, parent.anonymous)
    return d
