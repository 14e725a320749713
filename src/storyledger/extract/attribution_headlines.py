"""Cues of headlines and labels (part of :mod:`storyledger.extract.attribution`): "X says
Y" read in a headline's title case, "Name: …" lead-ins and transcript labels, and a quotation
tagged "—Name"."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from .attribution_base import (
    _DASHES,
    _Cand,
    _content_from_tokens,
    _Ctx,
    _Lexicon,
    _paragraph,
    _tokens_in,
)
from .attribution_quotes import _CLOSE, _OPEN, _STRAIGHT
from .attribution_sources import agentive
from .attribution_verbs import (
    _lemma,
)

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Token



@lru_cache(maxsize=8192)
def _verb_lemmas(word: str) -> tuple[str, ...]:
    """The lemmas spaCy's own lemmatizer gives ``word`` read as a verb ("Endorses" -> endorse,
    "saves" -> save, "Castro" -> castro): the parser takes capitalised headline verbs for names,
    the lemmatizer still knows their forms."""
    from spacy.tokens import Doc

    from .nlp import load_nlp

    nlp = load_nlp()
    if "lemmatizer" not in nlp.pipe_names:
        return (word,)
    doc = Doc(nlp.vocab, words=[word])
    doc[0].pos_ = "VERB"
    return tuple(nlp.get_pipe("lemmatizer").rule_lemmatize(doc[0]))


def _headline_verb(t: Token, lex: _Lexicon) -> str | None:
    """The cue verb a headline word is a form of, or None. A bare form ("Attack", "Back") or a
    form that is also a plural noun ("Plans", "Calls") counts only where the parser reads a verb."""
    if t.pos_ == "VERB" and _lemma(t) in lex.verbs:
        return _lemma(t)
    word = t.lower_
    lemma = next((x for x in _verb_lemmas(word) if x in lex.verbs), None)
    if lemma is None:
        return None
    if (lemma == word or lemma in lex.headline_noun_like_verbs) and t.pos_ != "VERB":
        return None
    return lemma


def _headline_candidates(ctx: _Ctx, taken: set[int]) -> list[_Cand]:
    """Headlines ("Conservative Icon Endorses Ted Cruz"): the parser often reads capitalised
    verbs as names, so in the first paragraph, when short, a word the lemmatizer reads as a
    form of a cue verb is the cue: source before it, content after it."""
    doc, text, lex = ctx.doc, ctx.text, ctx.lex
    pb = text.find("\n")
    pb = len(text) if pb < 0 else pb
    if pb > 220:
        return []
    toks = [t for t in ctx.tokens if t.idx < pb and not t.is_space]
    if len(toks) < 3 or any(t.i in taken for t in toks):
        return []
    out = []
    for k, t in enumerate(toks):
        if k == 0 or not t.text[:1].isupper() and not t.text.islower():
            continue
        lemma = _headline_verb(t, lex)
        if lemma is None or t.tag_ in ("NNS",) and t.text.islower():
            continue
        after = toks[k + 1] if k + 1 < len(toks) else None
        if t.tag_ in ("VBD", "VBN") and after is not None and after.pos_ == "ADP" and after.dep_ != "prt":
            continue  # "Crack found in dam wall": a headline's bare past form before a place is passive
        frames = lex.verbs[lemma][1]
        preps = {f[2:] for f in frames if f.startswith("p:")}
        if not frames & _HEADLINE_OPEN_FRAMES and (after is None or after.lower_ not in preps):
            continue  # "Convoy turns back": a verb that attributes only with its preposition ("turns against")
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


# frames a headline verb can fill with whatever follows it ("Mayor Says Harbour Will Reopen")
_HEADLINE_OPEN_FRAMES = frozenset({"c", "q", "x", "o", "s"})


def _colon_candidates(ctx: _Ctx) -> list[_Cand]:
    """"Trump: …" headlines and "Kerry: “…”": a short name-only lead-in then a colon; "Report:
    …", "Poll: …" (a document with nobody named behind it: the document is the source, the
    colon the cue, as PolNeAR marks them). A label ("BREAKING:", "MAJOR:") is nobody."""
    doc, text, lex = ctx.doc, ctx.text, ctx.lex
    out = []
    for t in ctx.tokens:
        if t.text != ":" or t.i == 0:
            continue
        pa, pb = _paragraph(text, t.idx)
        lead = [x for x in _tokens_in(doc, pa, t.idx) if x.i < t.i and not x.is_space]
        if not lead or len(lead) > 6:
            continue
        if any(x.pos_ == "VERB" for x in lead):
            continue
        lead_text = doc[lead[0].i : t.i].text.lower()
        if lead_text in lex.headline_labels:
            continue
        document = len(lead) == 1 and lead[0].lemma_.lower() in _DOCUMENT_LEADS
        ents = [e for e in ctx.ents if e.label_ in ("PERSON", "ORG", "NORP", "GPE")
                and e.start >= lead[0].i and e.end <= t.i]
        named = bool(ents) and ents[-1].end == t.i
        headline = pa == 0
        quoted_next = t.i + 1 < len(doc) and doc[t.i + 1].text in _OPEN | {_STRAIGHT, "‘", "''"}
        # "TAPPER: …": a transcript's speaker label opens its paragraph in capitals ("Q:" and
        # "A:" are turns, not speakers)
        transcript = len(lead) <= 3 and all(x.text.isupper() and len(x.text) > 1 for x in lead) \
            and pa == lead[0].idx
        # a headline's lead-in names a speaker or a body ("Trump: …"), not a shout ("BUSTED: …")
        speaker_like = agentive(ctx, lead[0].i, t.i - 1) or (len(lead) == 1 and not lead[0].text.isupper())
        if not named and not document and not transcript and not (
            (headline or quoted_next) and doc[t.i - 1].pos_ in ("PROPN", "NOUN")
            and lead[0].text[:1].isupper() and speaker_like
        ):
            continue
        after = _content_from_tokens(doc, t.i + 1, len(doc) - 1, t.idx)
        if after is None:
            continue
        s, e = after
        e = min(e, pb)
        if e - s < 8:
            continue
        if document:  # the document is the source, as "the report" is in running text
            out.append(_Cand(t.i, t.i, [(s, e)], (lead[0].i, lead[0].i), "report", "colon:document", t.i))
        else:
            out.append(_Cand(t.i, t.i, [(s, e)], (lead[0].i, t.i - 1), "speech", "colon", t.i))
    return out


_DOCUMENT_LEADS = {"report", "poll", "study", "survey", "document", "documents", "memo", "records"}




def _dash_tag_candidates(ctx: _Ctx) -> list[_Cand]:
    """A quotation or an embedded post tagged afterwards with a dash and the speaker's name
    (PolNeAR guidelines: "Imagination is more important than knowledge. —Albert Einstein";
    "… #RINO — Ben Jacobs (@Bencjacobs) October 29, 2016"): the dash is the cue, the name the
    source, what comes before it in the paragraph the content."""
    doc, text = ctx.doc, ctx.text
    out = []
    for t in ctx.tokens:
        if t.text not in _DASHES or t.i == 0 or t.i + 1 >= len(doc):
            continue
        pa, pb = _paragraph(text, t.idx)
        name = []
        for x in doc[t.i + 1 : min(len(doc), t.i + 8)]:
            if x.idx >= pb or x.text in ("(", ","):
                break
            name.append(x)
        if not name or not all(x.pos_ == "PROPN" or x.ent_type_ == "PERSON" for x in name):
            continue
        after = name[-1].idx + len(name[-1].text)
        before = doc[t.i - 1]
        hashtag = before.text.startswith("#") or (t.i > 1 and doc[t.i - 2].text == "#")
        # a post's author is tagged with a handle ("— Paul Ryan (@SpeakerRyan)"), whatever ends
        # the post (a link, a word)
        handle = text[after:pb].lstrip().startswith("(@")
        if not (before.text in _CLOSE | {_STRAIGHT, "''", ".", "!", "?"} or hashtag or handle):
            continue
        if text[after:pb].strip() and not text[after:pb].lstrip().startswith(("(", ",")):
            continue  # the name must close the paragraph (a handle or a date may follow)
        r = _content_from_tokens(doc, _tokens_in(doc, pa, t.idx)[0].i if pa < t.idx else t.i, t.i - 1, t.idx)
        if r is None or len(text[r[0]:r[1]].split()) < 3:
            continue
        out.append(_Cand(t.i, t.i, [r], (name[0].i, name[-1].i), "speech", "dash-tag", t.i))
    return out
