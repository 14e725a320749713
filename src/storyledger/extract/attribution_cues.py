"""Cues (part of :mod:`storyledger.extract.attribution`): every cue the rules find, one
attribution per cue. Verbs (:mod:`.attribution_verbs`), other words and phrases
(:mod:`.attribution_phrases`) and headline forms (:mod:`.attribution_headlines`) give the
candidates; here quotations are attached to the cue next to them or continue the previous
speaker's, and coordinated cues ("A said X, while B said Y") are split."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .attribution_base import (
    _CLAUSE_LINKS,
    _SET_OFF,
    _SUBJ,
    _Cand,
    _content_from_tokens,
    _Ctx,
    _is_verb,
    _overlap,
    _paragraph,
    _tokens_in,
)
from .attribution_headlines import (
    _colon_candidates,
    _dash_tag_candidates,
    _headline_candidates,
)
from .attribution_phrases import (
    _according_candidates,
    _adjective_candidates,
    _hedge_candidates,
    _noun_candidates,
    _seem_candidates,
)
from .attribution_quotes import _Quote
from .attribution_subjects import (
    _agent_range,
    _subject,
    _verb_group,
)
from .attribution_verbs import (
    _NOT_CUES,
    _lemma,
    _verb_candidates,
)

if TYPE_CHECKING:  # pragma: no cover
    pass



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


def _clip_to_own_quote(ctx: _Ctx, cand: _Cand) -> None:
    """A speaker quoted inside a quotation says nothing past its closing mark: in "“I told
    them, ‘Keep the dam shut,’” she recalled" the parser often hangs the outer "she recalled"
    inside the quoted "told"; left there, the quoted speaker would own the whole attribution."""
    own = ctx.quote_of_token(ctx.doc[cand.head])
    if own is None:
        return
    clipped: list[tuple[int, int]] = []
    for s, e in cand.content:
        for ps, pe in ctx.quotes[own].parts:
            lo, hi = max(s, ps), min(e, pe)
            while hi > lo and (ctx.text[hi - 1].isspace() or ctx.text[hi - 1] in _QUOTE_TAIL):
                hi -= 1
            if hi - lo > 1:
                clipped.append((lo, hi))
    if clipped:  # (nothing inside: the marks are unbalanced and the "quotation" is no guide)
        cand.content = clipped


# what a quoted speaker's content sheds at the closing mark: the marks and the comma before them
_QUOTE_TAIL = ",;'\"”’»"


def _is_speechy_quote(ctx: _Ctx, q: _Quote) -> bool:
    body = ctx.text[q.start : q.end].strip("“”\"«»„ ")
    words = body.split()
    if len(words) >= 5:
        return True
    if len(q.parts) > 1:
        return True
    if not words or body[-1:] not in ".,!?":
        return False
    if len(words) >= 2:
        return True
    # a one-word reply is speech when a speech verb follows at once: "“Really,” she added."
    after = _tokens_in(ctx.doc, q.end, min(len(ctx.text), q.end + 30))
    return any(_is_verb(t) and "q" in ctx.lex.verbs.get(_lemma(t), ("", frozenset()))[1] for t in after)


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
        # a paragraph ending in a colon introduces the quotation that opens the next one
        # ("Greta Lind said:" / "“…”")
        lead_in = ctx.text[: q.start].rstrip()
        opened_at = _paragraph(ctx.text, q.start)[0]
        if lead_in.endswith(":") and "\n" in ctx.text[len(lead_in) : q.start]:
            opened_at = _paragraph(ctx.text, len(lead_in) - 1)[0]
        best = None
        for t in _tokens_in(doc, max(min(pa, opened_at), q.start - 250), min(pb, q.end + 120)):
            if ctx.quote_of_token(t) is not None:
                continue
            if not _is_verb(t):
                continue
            entry = lex.verbs.get(_lemma(t))
            known = entry is not None and "q" in entry[1]
            # any verb will do right next to the quotation: "“…,” he barked", "she
            # interjected: “…”" (a manner verb standing for "said")
            if not known and (t.pos_ != "VERB" or _lemma(t) in _NOT_CUES or t.dep_ == "amod"):
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
            elif t.idx < q.start and t.idx >= opened_at:
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
            src = _agent_range(ctx, subj, t)
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
        + _dash_tag_candidates(ctx)
        + _hedge_candidates(ctx)
    )
    for c in cands:
        _snap_to_quotes(ctx, c)
        _clip_to_own_quote(ctx, c)
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
