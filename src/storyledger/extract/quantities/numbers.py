"""Number atoms: digit numbers, number words and vague amounts, each a Candidate with its value.

Digits carry grouping commas or spaces, decimals, signs, scientific notation ("4e14",
"2.48×10−5", "8x2^10"), fractions ("1/4", "2 1/2", "½") and uncertainty ("±0.01"); words make
"a hundred and two", "twenty-one", "two thirds", "two and a half", "a dozen"; vague amounts are
"hundreds of thousands", "several hundred".
"""

from __future__ import annotations

import re

from .candidate import Candidate
from .dates import DateSpans
from .lexicon import Lexicon

SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_VULGAR = {
    "½": 0.5,
    "⅓": 1 / 3,
    "⅔": 2 / 3,
    "¼": 0.25,
    "¾": 0.75,
    "⅕": 0.2,
    "⅖": 0.4,
    "⅗": 0.6,
    "⅘": 0.8,
    "⅙": 1 / 6,
    "⅚": 5 / 6,
    "⅛": 0.125,
    "⅜": 0.375,
    "⅝": 0.625,
    "⅞": 0.875,
}
_VULGAR_CC = "".join(_VULGAR)

_NUM_RE = re.compile(
    r"(?<![\w.,/])"
    r"(?P<sign>[-−+](?=\.?\d))?"
    r"(?:(?P<int>\d{1,3}(?:,\d{3})+(?![\d])|[1-9]\d{0,2}(?:[ \u00a0\u202f]\d{3})+(?![\d,])|\d+)"
    r"(?P<dec>\.\d+)?"
    r"|(?P<dec2>\.\d+))"
    r"(?P<vulg>[" + _VULGAR_CC + r"])?"
)
_VULGAR_RE = re.compile(r"(?<![\w.])[" + _VULGAR_CC + "]")
_SCI_E_RE = re.compile(r"[eE](?P<e>[-+−]?\d+)(?![\w])")
_SCI_X_RE = re.compile(
    r"\s?[x×*·]\s?(?P<base>\d+)(?:\^(?P<e1>[-−+]?\d+)|(?P<e2>[-−+]\d+)|(?P<e3>[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+))"
)
_FRAC_RE = re.compile(r"/(?P<den>\d+)(?![\d/])")
_MIXED_RE = re.compile(r"[ \u00a0](?P<num>\d)/(?P<den>\d{1,2})(?![\d/])")
_UNC_RE = re.compile(r"\s?(?:±|\+/-|\+-)\s?(?P<u>\d+(?:\.\d+)?(?:[eE][-+−]?\d+)?)")

_WORD_TOKEN_RE = re.compile(r"[A-Za-z]+|&|,|-")


def _to_float(s: str) -> float:
    return float(
        s.replace(",", "").replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("−", "-")
    )



def _digit_atoms(text: str, lex: Lexicon) -> list[Candidate]:
    out: list[Candidate] = []
    pos = 0
    n = len(text)
    vulgars = list(_VULGAR_RE.finditer(text))  # (searching again from each position would be quadratic)
    while True:
        m = _NUM_RE.search(text, pos)
        while vulgars and vulgars[0].start() < pos:
            vulgars.pop(0)
        vm = vulgars[0] if vulgars else None
        if vm and (not m or vm.start() < m.start()):
            c = Candidate(
                vm.start(),
                vm.end(),
                vm.start(),
                vm.end(),
                _VULGAR[vm.group()],
                is_int=False,
                raw=vm.group(),
                rule="fraction",
            )
            out.append(c)
            pos = vm.end()
            continue
        if not m:
            break
        s, e = m.start(), m.end()
        pos = e
        # identifiers: "OAO-1", "COVID-19", "I7-860"
        if (
            s >= 2
            and not m.group("sign")
            and (
                (text[s - 1] == "-" and text[s - 2].isalpha())
                or (text[s - 1] == "+" and (text[s - 2].isalnum() or text[s - 2] == "."))
            )
        ):
            continue
        if m.group("sign") and s >= 1 and (text[s - 1].isalnum()):
            continue
        int_s = m.group("int")
        dec = m.group("dec") or m.group("dec2") or ""
        val = _to_float((int_s or "0") + dec)
        is_int = not dec
        if m.group("vulg"):
            val += _VULGAR[m.group("vulg")]
            is_int = False
        rule = "number"
        # fractions "1/4", mixed "2 1/2"
        fm = _FRAC_RE.match(text, e)
        if is_int and fm and int_s and "," not in int_s:
            den = int(fm.group("den"))
            if den == 0:
                pos = fm.end()
                continue
            val = val / den
            e = fm.end()
            is_int = False
            rule = "fraction"
        else:
            mm = _MIXED_RE.match(text, e)
            if is_int and mm and int(mm.group("num")) < int(mm.group("den")):
                val = val + int(mm.group("num")) / int(mm.group("den"))
                e = mm.end()
                is_int = False
                rule = "fraction"
            elif is_int and text[e : e + 1] in (" ", "\u00a0") and text[e + 1 : e + 2] in _VULGAR:
                val = val + _VULGAR[text[e + 1]]  # "3 ½"
                e += 2
                is_int = False
                rule = "fraction"
        # scientific notation
        sm = _SCI_E_RE.match(text, e)
        if sm:
            val = val * 10 ** int(sm.group("e").replace("−", "-"))
            e = sm.end()
            is_int = False
            rule = "scientific"
        else:
            xm = _SCI_X_RE.match(text, e)
            if xm:
                base = int(xm.group("base"))
                exp_s = xm.group("e1") or xm.group("e2") or (xm.group("e3") or "").translate(SUPERSCRIPT)
                if exp_s and (xm.group("e1") or base == 10):
                    try:
                        val = val * base ** int(exp_s.replace("−", "-"))
                        e = xm.end()
                        is_int = False
                        rule = "scientific"
                    except (ValueError, OverflowError):
                        pass
        if m.group("sign") and m.group("sign") in "-−":
            val = -val
        c = Candidate(s, e, s, e, val, is_int=is_int, raw=text[s:e], rule=rule)
        um = _UNC_RE.match(text, e)
        if um:
            c.extra["uncertainty"] = _to_float(um.group("u"))
            c.end = c.num_end = um.end()
            e = um.end()
        out.append(c)
        pos = max(pos, e)
        if pos >= n:
            break
    return out


def _word_pieces(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in _WORD_TOKEN_RE.finditer(text)]


def _word_atoms(text: str, lex: Lexicon) -> list[Candidate]:
    pieces = _word_pieces(text)
    out: list[Candidate] = []
    i = 0
    numberish = set(lex.ones) | set(lex.tens) | set(lex.scales) | set(lex.dozen)
    while i < len(pieces):
        w = pieces[i][0].lower()
        starts = (
            w in lex.ones
            or w in lex.tens
            or (
                w in ("a", "an")
                and i + 1 < len(pieces)
                and pieces[i + 1][0].lower()
                in ("hundred", "thousand", "million", "billion", "trillion", "dozen")
                and pieces[i + 1][1] - pieces[i][2] <= 1
            )
            or (  # "a quarter of the votes", "a third of them"
                w in ("a", "an")
                and i + 2 < len(pieces)
                and pieces[i + 1][0].lower() in ("half", "quarter", "third")
                and pieces[i + 2][0].lower() == "of"
            )
        )
        if not starts or (w in lex.scales and w not in ("a", "an")):
            i += 1
            continue
        res = _parse_words(pieces, i, lex, numberish)
        if res is None:
            i += 1
            continue
        val, j, rule = res
        s, e = pieces[i][1], pieces[j - 1][2]
        out.append(
            Candidate(s, e, s, e, val, is_word=True, is_int=float(val).is_integer(), raw=text[s:e], rule=rule)
        )
        i = j
    return out


def _parse_words(pieces, i, lex: Lexicon, numberish) -> tuple[float, int, str] | None:
    total = 0.0
    current = 0.0
    seen = False
    seen_scale = False
    last_kind = None
    j = i
    rule = "number_words"
    n = len(pieces)

    def nxt(k):
        return pieces[k][0].lower() if k < n else ""

    def adjacent(k):  # piece k follows piece k-1 with at most one space
        return k < n and pieces[k][1] - pieces[k - 1][2] <= 1

    while j < n:
        w = pieces[j][0].lower()
        if j > i and not adjacent(j):
            break
        if w in lex.ones:
            if last_kind in ("ones",):
                break
            current += lex.ones[w]
            last_kind = "ones"
        elif w in lex.tens:
            if last_kind in ("ones", "tens") and current % 100:
                break
            current += lex.tens[w]
            last_kind = "tens"
        elif w == "hundred" and (seen or last_kind == "article"):
            current = (current or 1) * 100
            last_kind = "scale"
            seen_scale = True
        elif w in lex.scales and (seen or last_kind == "article"):
            total += (current or 1) * lex.scales[w]
            current = 0
            last_kind = "scale"
            seen_scale = True
        elif w in lex.dozen and (seen or last_kind == "article"):
            current = (current or 1) * lex.dozen[w]
            last_kind = "scale"
            rule = "dozen"
        elif w in ("a", "an") and not seen:
            current = 1
            last_kind = "article"
            j += 1
            continue
        elif w in ("and", "&") and seen:
            # "a hundred and two", "two and a half"
            if nxt(j + 1) in ("a", "an") and nxt(j + 2) in ("half", "quarter", "third") and adjacent(j + 1):
                current += 1 / lex.fractions[nxt(j + 2)]
                j += 3
                rule = "fraction_words"
                break
            if seen_scale and (nxt(j + 1) in lex.ones or nxt(j + 1) in lex.tens):
                j += 1
                continue
            break
        elif w == "," and seen_scale and last_kind == "scale" and (nxt(j + 1) in numberish):
            j += 1
            continue
        elif (
            w == "-"
            and seen
            and (nxt(j + 1) in lex.ones or nxt(j + 1) in lex.fractions)
            and adjacent(j + 1)
            and pieces[j][1] == pieces[j - 1][2]
        ):
            j += 1
            continue
        elif (
            w in lex.fractions
            and (seen or last_kind == "article")
            and last_kind in ("ones", "tens", "article")
            and current
        ):
            # "two thirds", "one-half", "a quarter"; but not "a second" / "the third"
            if last_kind == "article" and w not in ("half", "quarter", "third"):
                break
            if (
                w in ("third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
                and current != 1
            ):
                break
            current = current / lex.fractions[w]
            rule = "fraction_words"
            seen = True
            j += 1
            break
        else:
            break
        seen = seen or last_kind != "article"
        j += 1
    if not seen:
        return None
    # trim trailing connectors
    while j > i and pieces[j - 1][0].lower() in ("and", "&", ",", "-", "a", "an"):
        j -= 1
    if j <= i:
        return None
    return total + current, j, rule



def vague_atoms(text: str, lex: Lexicon) -> list[Candidate]:
    out: list[Candidate] = []
    scales = "|".join(sorted(lex.vague_scales, key=len, reverse=True))
    rx = re.compile(
        rf"\b(?:(?P<outer>tens|hundreds|dozens|scores)\s+of\s+)?(?P<inner>{scales})\b(?=\s+of\b|\s+[a-z])",
        re.I,
    )
    for m in rx.finditer(text):
        inner = m.group("inner").lower()
        if inner == "tens" and not m.group("outer"):
            continue
        if inner in ("scores", "dozens", "tens") and m.group("outer"):
            continue
        lo, hi = lex.vague_scales[inner]
        if m.group("outer"):
            olo, ohi = lex.vague_scales[m.group("outer").lower()]
            base = {"hundreds": 100, "thousands": 1000, "millions": 10**6, "billions": 10**9}.get(inner, 1)
            lo, hi = olo * base, (ohi + 1) * base - 1
        c = Candidate(
            m.start(),
            m.end(),
            m.start(),
            m.end(),
            None,
            low=float(lo),
            high=float(hi),
            vague=True,
            rule="vague",
            raw=m.group(),
        )
        out.append(c)
    quant = "|".join(re.escape(q) for q in sorted(lex.vague_quantifiers, key=len, reverse=True))
    rx2 = re.compile(rf"\b(?P<q>{quant})\s+(?P<s>hundred|thousand|million|billion)\b", re.I)
    for m in rx2.finditer(text):
        lo, hi = lex.vague_quantifiers[m.group("q").lower()]
        sc = lex.scales[m.group("s").lower()]
        out.append(
            Candidate(
                m.start(),
                m.end(),
                m.start(),
                m.end(),
                None,
                low=float(lo * sc),
                high=float(hi * sc),
                vague=True,
                rule="vague",
                raw=m.group(),
            )
        )
    return out


def number_atoms(text: str, lex: Lexicon, dates: DateSpans) -> list[Candidate]:
    """Digit and word numbers in text order, the longest where they overlap, none inside a date or
    time, and no two bare digit groups side by side ("245 23 yen")."""
    atoms = _digit_atoms(text, lex) + _word_atoms(text, lex)
    atoms.sort(key=lambda c: (c.num_start, -c.num_end))
    # drop overlaps (keep the first / longest)
    cands: list[Candidate] = []
    last_end = -1
    for c in atoms:
        if c.num_start < last_end:
            continue
        if dates.blocks(c.num_start, c.num_end):
            continue
        cands.append(c)
        last_end = c.num_end
    # adjacent bare digit groups that do not form a number ("245 23 yen"): not quantities
    bad: set[int] = set()
    for a, b in zip(cands, cands[1:], strict=False):
        if (
            not a.is_word
            and not b.is_word
            and re.fullmatch(r"[ \u00a0]", text[a.num_end : b.num_start])
            and a.rule == "number"
            and b.rule == "number"
        ):
            bad.update((id(a), id(b)))
    cands = [c for c in cands if id(c) not in bad]
    return cands
