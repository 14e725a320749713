"""Numbers read together: approximations ("around", "more than", "up to" -> bounds), ranges
("35,000 to 40,000", "between 44 and 50 mg", "60-100 days", value = midpoint), coordination ("45 and
50 mg"), changes ("rose from X to Y"), comparisons ("up from the 1,251 reported in June") and vague
comparatives ("much higher").
"""

from __future__ import annotations

import re

from .candidate import Candidate
from .lexicon import Lexicon


def combine(text: str, kept: list[Candidate], lex: Lexicon) -> list[Candidate]:
    """Approximations on each candidate, then ranges, changes and coordination between neighbours,
    then the vague comparatives no number overlaps; in text order."""
    for c in kept:
        _attach_approx(text, c, lex)
    kept = _ranges(text, kept, lex)
    for v in _vague_comparatives(text, lex):
        if not any(c.start < v.end and v.start < c.end for c in kept):
            kept.append(v)
    kept.sort(key=lambda c: (c.start, -c.end))
    return kept


def _attach_approx(text: str, c: Candidate, lex: Lexicon) -> None:
    before = text[max(0, c.start - 30) : c.start]
    m = lex.approx_re.search(before)
    if not m:
        return
    phrase = re.sub(r"\s+", " ", m.group().strip().lower())
    if phrase not in lex.approx:
        return
    norm, bound = lex.approx[phrase]
    if phrase == "some" and c.is_word and c.value is not None and c.value < 10:
        return
    if phrase in ("only", "exactly", "a total of", "a further", "another"):
        return
    c.approx = norm
    c.bound = bound
    c.start = c.start - (len(before) - m.start())
    c.rule = c.rule + "+approx"


_RANGE_SEP_RE = re.compile(r"^(?:\s*-?\s*(?:to|through|thru|and)\s+|\s?[-–—]\s?)$", re.I)
_COORD_RE = re.compile(r"^\s*(?:,|and|or|,\s*and|,\s*or)\s+$", re.I)


def _is_change_context(text: str, c1: Candidate, lex: Lexicon) -> bool:
    before = text[max(0, c1.start - 60) : c1.start]
    m = re.search(r"\b([A-Za-z]+)\b(?:\s+[A-Za-z]+){0,3}\s+from\s+(?:the\s+)?$", before)
    if not m:
        return False
    words = re.findall(r"[A-Za-z]+", before[m.start() :].lower())
    return any(w in lex.change_verbs for w in words[:-1])


def _ranges(text: str, cands: list[Candidate], lex: Lexicon) -> list[Candidate]:
    out: list[Candidate] = []
    i = 0
    while i < len(cands):
        c1 = cands[i]
        if i + 1 < len(cands):
            c2 = cands[i + 1]
            between = text[c1.end : c2.start]
            sep = _RANGE_SEP_RE.match(between)
            if sep and c1.value is not None and c2.value is not None and not c1.vague and not c2.vague:
                word = sep.group().strip(" -").lower()
                before = text[max(0, c1.start - 12) : c1.start].lower()
                has_between = bool(re.search(r"\bbetween\s+$", before))
                has_from = bool(re.search(r"\bfrom\s+$", before))
                units_ok = (
                    c1.unit is None
                    or c2.unit is None
                    or c1.unit == c2.unit
                    or c2.unit.startswith(c1.unit + " per ")
                )
                if units_ok and c1.unit and c2.unit and c2.unit.startswith(c1.unit + " per "):
                    c1.unit = c2.unit
                if c1.unit is not None and c2.unit is None and c1.currency_prefix is False:
                    units_ok = units_ok and word in ("to", "through", "thru", "-", "–", "—", "")
                if word == "and" and not has_between:
                    units_ok = False
                if word in ("-", "–", "—", "") and (c1.is_word or c2.is_word or c2.value < c1.value):
                    units_ok = False  # "7-0" is a score, not a range
                if units_ok and has_from and _is_change_context(text, c1, lex):
                    # a change: two quantities linked by comparison
                    c1.comparison = f"changed to {text[c2.start : c2.end]}"
                    c2.comparison = (
                        f"up from {text[c1.start : c1.end]}"
                        if (c2.value or 0) >= (c1.value or 0)
                        else f"down from {text[c1.start : c1.end]}"
                    )
                    if c1.unit is None and c2.unit is not None:
                        c1.unit, c1.unit_kind = c2.unit, c2.unit_kind
                    out.append(c1)
                    i += 1
                    continue
                if units_ok:
                    lo, hi = sorted([c1.value, c2.value])
                    unit = c1.unit or c2.unit
                    kind = c1.unit_kind or c2.unit_kind
                    start = c1.start
                    if has_between:
                        start = c1.start - len(before) + before.rfind("between")
                    r = Candidate(
                        start,
                        c2.end,
                        c1.num_start,
                        c2.num_end,
                        (lo + hi) / 2,
                        low=lo,
                        high=hi,
                        approx=c1.approx,
                        bound=c1.bound,
                        unit=unit,
                        unit_kind=kind,
                        rule="range",
                        is_word=c1.is_word and c2.is_word,
                        is_int=c1.is_int and c2.is_int,
                        currency_prefix=c1.currency_prefix or c2.currency_prefix,
                        raw=text[c1.start : c2.end],
                    )
                    r.extra = {**c2.extra, "range": True}
                    out.append(r)
                    i += 2
                    continue
            if (
                _COORD_RE.match(between)
                and c1.unit is None
                and c2.unit is not None
                and not c2.currency_prefix
                and c2.unit_kind not in ("currency",)
                and not c1.vague
            ):
                c1.unit, c1.unit_kind = c2.unit, c2.unit_kind
                c1.rule += "+coord"
        out.append(c1)
        i += 1
    return out



def _vague_comparatives(text: str, lex: Lexicon) -> list[Candidate]:
    adv = "|".join(lex.vague_adverbs)
    comp = "|".join(lex.vague_comparatives)
    rx = re.compile(
        rf"\b(?:{adv})\s+(?:{comp})\b(?:\s+than\s+(?P<than>[^.,;:!?]{{1,60}})|(?=\s*(?:[.,;:!?\"”]|$|"
        rf"\s+(?:and|but|as|in|at|on|if|because|now|today|still)\b)))",
        re.I,
    )
    out = []
    for m in rx.finditer(text):
        than = m.group("than")
        if than is not None and re.match(r"\s*(?:the\s+)?[-$€£]?\d", than):
            continue  # "far more than 500": the number carries an approximation instead
        end = m.end()
        if than:
            words = than.split()
            if len(words) > 8:
                end = m.start("than") + len(" ".join(words[:8]))
        out.append(
            Candidate(
                m.start(),
                end,
                m.start(),
                end,
                None,
                vague=True,
                rule="vague_comparative",
                raw=text[m.start() : end],
                comparison=text[m.start() : end],
            )
        )
    return out



_COMPARE_RE = re.compile(
    r"(?:^|[\s,(])(?P<w>(?:up|down)\s+from|compared\s+(?:with|to)|versus|vs\.?|against|as\s+against|"
    r"(?:an?\s+)?(?:increase|decrease|rise|drop|fall|jump|decline)\s+from|from)\s+"
    r"(?:the\s+|a\s+|an\s+)?(?:(?:previous|earlier|prior|last|reported|original|peak|high|low|record|total|"
    r"figure|level)\s+(?:of\s+)?)?$",
    re.I,
)


def link_comparisons(text: str, cands: list[Candidate]) -> None:
    """Link "X ..., up from (the) Y" / "X, compared with Y" pairs through ``comparison``."""
    for i in range(len(cands) - 1):
        a, b = cands[i], cands[i + 1]
        if a.value is None or b.value is None or a.comparison or b.comparison:
            continue
        between = text[a.end : b.start]
        if len(between) > 80 or re.search(r"[.;:!?]\s", between):
            continue
        m = _COMPARE_RE.search(between)
        if not m:
            continue
        w = re.sub(r"\s+", " ", m.group("w").strip())
        if w.lower() == "from" and not re.search(
            r"\b(?:up|down|increase|decrease|rise|drop|fall)\w*\b", between[: m.start("w")], re.I
        ):
            continue
        a.comparison = f"{w} {text[b.start : b.end]}"
        b.comparison = f"compared with {text[a.start : a.end]}"
        b.partner = i
        a.partner = i + 1


def inherit_from_partner(final: list[Candidate]) -> None:
    """Ellipsis: "the 1,251 reported in June" inherits what is counted from its comparison partner."""
    for c in final:
        if c.partner is not None:
            p = final[c.partner]
            if c.unit is None and c.head is None and p.head is not None and p.unit is None:
                c.head, c.counted, c.modifiers, c.head_tok = p.head, p.counted, p.modifiers, p.head_tok
            if c.unit is None and p.unit is not None and c.head is None:
                c.unit, c.unit_kind = p.unit, p.unit_kind
            if c.extra.get("place") is None:
                c.extra["place"] = p.extra.get("place")
