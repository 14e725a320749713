"""Quantity extraction: numbers with their units, bounds, counted nouns and scope.

A hand-written grammar over the document text, with the spaCy parse used for the linguistic parts
(what is counted, where, comparisons).  Stages:

1. *Blocked spans*: dates ("January 25, 2024", "2013-14", "the 1990s"), clock times ("1:33 pm",
   "at 2 pm"), ordinals ("21st") are never quantities.
2. *Atoms*: digit numbers (grouping commas/spaces, decimals, signs, scientific notation "4e14",
   "2.48×10−5", "8x2^10", fractions "1/4", "2 1/2", "½", uncertainty "±0.01", suffix multipliers
   "$30mln", "1.5bn", "0.5k" and word multipliers "3.2 million") and number words ("a hundred and
   two", "twenty-one", "two thirds", "two and a half", "a dozen"); vague amounts ("hundreds of
   thousands", "several hundred") and article + unit ("a gallon").
3. *Units*: currency before/after ("$", "US$", "€", "-15€", "20 million pounds"), unit symbols with
   SI prefixes and exponents ("km2", "cm³", "s-1"), unit words ("square kilometres", "degrees
   Celsius"), compounds ("km/h", "J/m^2 per year", "$38 per barrel", "four times per week").
4. *Ranges* ("35,000 to 40,000", "between 44 and 50 mg", "60-100 days", "8- to 16-meter"; value =
   midpoint), coordination ("45 and 50 mg"), approximations ("around", "more than", "up to" ->
   bounds), comparisons ("up from the 1,251 reported in June", "rose from X to Y").
5. *Counts*: the counted noun from the parse ("35 US armoured vehicles" -> counted "US armoured
   vehicles", head "vehicle", modifiers ("US", "armoured")), the scope ("in northeast Syria") and a
   ``measure_key`` comparable across documents ("US troops · Syria").
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from storyledger.extract.quantities_lexicon import Lexicon, UnitInfo, lexicon

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Span, Token

__all__ = ["Quantity", "extract_quantities", "extract_quantities_from_text"]


@dataclass(frozen=True)
class Quantity:
    start: int
    end: int
    text: str
    value: float | None
    low: float | None
    high: float | None
    approx: str | None
    unit: str | None
    counted: str | None
    head: str | None
    modifiers: tuple[str, ...]
    scope: str | None
    comparison: str | None
    measure_key: str
    kind: str
    rule: str

    def to_dict(self) -> dict:
        d = asdict(self)
        d["modifiers"] = list(self.modifiers)
        return d


# --------------------------------------------------------------------------------------------
# internal candidate
# --------------------------------------------------------------------------------------------


@dataclass
class _Cand:
    start: int  # span start (incl. approx words / currency)
    end: int  # span end (incl. unit)
    num_start: int
    num_end: int
    value: float | None
    low: float | None = None
    high: float | None = None
    approx: str | None = None
    bound: str | None = None
    unit: str | None = None
    unit_kind: str | None = None
    rule: str = "number"
    is_word: bool = False
    is_int: bool = True
    vague: bool = False
    currency_prefix: bool = False
    raw: str = ""
    comparison: str | None = None
    partner: int | None = None
    counted: str | None = None
    head: str | None = None
    head_tok: Any = None
    modifiers: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict)


_MONTHS = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
)
_DAYNUM = r"\d{1,2}(?:st|nd|rd|th)?"
_BLOCK_RES = [
    re.compile(rf"\b{_MONTHS}\s+{_DAYNUM}(?:\s*,\s*\d{{4}})?(?![\w])"),
    re.compile(rf"\b{_DAYNUM}\s+(?:of\s+)?{_MONTHS}(?:\s*,?\s*\d{{4}})?(?![\w])"),
    re.compile(rf"\b{_MONTHS}\s*,?\s+\d{{4}}\b"),
    re.compile(r"(?<![\w.,])\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}(?!\w|\.\d)"),  # 25/01/2024, 2024-01-25
    re.compile(r"(?<![\w.])\d{1,2}:\d{2}(?::\d{2})?(?:\s*(?:[aApP]\.?[mM]\.?)(?![A-Za-z]))?"),
    re.compile(r"(?<![\w.])\d{1,2}(?:\.[0-5]\d)?\s*(?:[ap]\.m\.|[AP]\.M\.|am|pm|AM|PM)(?![A-Za-z])"),
    re.compile(r"(?<![\w.])(?:'|’)?\d{1,3}0s(?![A-Za-z])"),  # 1990s, '90s
    re.compile(
        r"(?<![\w.,])(?:1[5-9]\d\d|20\d\d)\s?[-–/]\s?(?:\d{2}|1[5-9]\d\d|20\d\d)(?![\w,]|\.\d)"
    ),  # 2013-14
    re.compile(r"(?<![\w.])\d+(?:st|nd|rd|th)\b"),  # ordinals
    re.compile(r"\b(?:FY|Q[1-4]|H[12])\s?\d{2,4}\b"),
    re.compile(
        r"\b(?:\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s*o['’]clock\b", re.I
    ),
]

_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
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
_ATTACHED_MULT_RE = re.compile(r"(?P<m>bn|bln|mln|mn|mil|tn|trn|k|K|M|m|B|b|T)(?![A-Za-z0-9])")
_WORD_MULT_RE = re.compile(
    r"(?:\s|-)(?P<m>thousand|million|billion|trillion|mln|bn|mn|hundred|lakh|crore)(?![A-Za-z])", re.I
)
_SUFFIX_CURRENCY_RE = re.compile(r"\s?(?P<c>€|\$|£|¥|₹|₽|₺|₩)")
_TIME_AFTER_RE = re.compile(r"\s?(?:[ap]\.m\.|[AP]\.M\.|am|pm|AM|PM)(?![A-Za-z])")

_WORD_TOKEN_RE = re.compile(r"[A-Za-z]+|&|,|-")
_DATE_PREP_RE = re.compile(
    r"(?:\b(?:in|since|by|until|till|from|during|of|year|years|early|late|mid|before|after|through|"
    r"between|around|circa|spring|summer|autumn|fall|winter|season|fiscal|the|to|and|on|at|'s)\s*[-–]?|[,(])\s*$",
    re.I,
)

_MONEY_CONTEXT = re.compile(
    r"\b(spen[dt]|spending|cost|costs|paid|pay|pays|price|priced|worth|fund\w*|budget|salary|"
    r"earn\w*|fine[ds]?|sell|sold|buy|bought|revenue|profit|loan|debt|donat\w*|invest\w*|"
    r"bill|bills|tax|taxes|raise[ds]?|owe[ds]?|wage|wages)\b",
    re.I,
)
_MASS_CONTEXT = re.compile(
    r"\b(weigh\w*|heavy|heavier|lighter|bag|bags|sack|lbs?|mass|kilo\w*|load)\b",
    re.I,
)
_INCH_NEXT = re.compile(
    r"\s*(?:[.,;:!?)\]]|$|(?:thick|long|wide|tall|high|deep|across|in diameter|diameter|"
    r"x|by|gap|screen|display|pipe|barrel|blade|long)\b)"
)


def _f(s: str) -> float:
    return float(
        s.replace(",", "").replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("−", "-")
    )


# --------------------------------------------------------------------------------------------
# stage 1: blocked spans
# --------------------------------------------------------------------------------------------


def _blocked_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for rx in _BLOCK_RES:
        for m in rx.finditer(text):
            spans.append((m.start(), m.end()))
    return spans


def _in_blocked(s: int, e: int, blocked: list[tuple[int, int]]) -> bool:
    return any(bs < e and s < be for bs, be in blocked)


# --------------------------------------------------------------------------------------------
# stage 2: atoms
# --------------------------------------------------------------------------------------------


def _digit_atoms(text: str, lex: Lexicon) -> list[_Cand]:
    out: list[_Cand] = []
    pos = 0
    n = len(text)
    vulgars = list(_VULGAR_RE.finditer(text))  # (searching again from each position would be quadratic)
    while True:
        m = _NUM_RE.search(text, pos)
        while vulgars and vulgars[0].start() < pos:
            vulgars.pop(0)
        vm = vulgars[0] if vulgars else None
        if vm and (not m or vm.start() < m.start()):
            c = _Cand(
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
        val = _f((int_s or "0") + dec)
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
                exp_s = xm.group("e1") or xm.group("e2") or (xm.group("e3") or "").translate(_SUPERSCRIPT)
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
        c = _Cand(s, e, s, e, val, is_int=is_int, raw=text[s:e], rule=rule)
        um = _UNC_RE.match(text, e)
        if um:
            c.extra["uncertainty"] = _f(um.group("u"))
            c.end = c.num_end = um.end()
            e = um.end()
        out.append(c)
        pos = max(pos, e)
        if pos >= n:
            break
    return out


def _word_pieces(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in _WORD_TOKEN_RE.finditer(text)]


def _word_atoms(text: str, lex: Lexicon) -> list[_Cand]:
    pieces = _word_pieces(text)
    out: list[_Cand] = []
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
            _Cand(s, e, s, e, val, is_word=True, is_int=float(val).is_integer(), raw=text[s:e], rule=rule)
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


# --------------------------------------------------------------------------------------------
# stage 3: units
# --------------------------------------------------------------------------------------------


@dataclass
class _Unit:
    num: list[tuple[str, int]]
    den: list[tuple[str, int]]
    kind: str
    end: int

    @property
    def name(self) -> str:
        def pw(n: str, p: int) -> str:
            return {2: "square " + n, 3: "cubic " + n}.get(abs(p), n)

        if self.num and all(p < 0 for _, p in self.num) and not self.den:
            return " ".join(("inverse " + pw(n, p)) for n, p in self.num)
        s = " ".join(pw(n, p) for n, p in self.num)
        for n, p in self.den:
            s += " per " + pw(n, p)
        return s.strip()


_EXP_RE = re.compile(r"(?:\^\s?(?P<a>[-−]?\d)|(?P<b>[²³¹]|⁻¹|⁻²|⁻³)|(?P<c>[-−][123]|[23])(?![\d.]))")
_POWER_WORD_RE = re.compile(r"(?P<w>square|sq\.?|cubic|cu\.?)\s+", re.I)
_POWER_SUFFIX_RE = re.compile(r"\s+(?P<w>squared|cubed)(?![A-Za-z])", re.I)
_PER_RE = re.compile(r"\s*/\s*|\s+per\s+|\s+a\s+(?=\S)|\s+an\s+(?=\S)", re.I)


def _match_atom(
    text: str, i: int, lex: Lexicon, allow_symbols: bool = True, after_digits: bool = True
) -> tuple[UnitInfo, int, bool] | None:
    """Match one unit atom (word or symbol) at i; returns (unit, end, is_symbol)."""
    wm = lex.word_re.match(text, i)
    best = None
    if wm:
        best = (lex.unit_words[wm.group().lower()], wm.end(), False)
    if allow_symbols:
        # maximal run of symbol characters, segmented into at most two atoms ("Js", "cds", "MWh")
        rm = re.match(r"[A-Za-zµμΩÅ]+|[%°º℃℉\"Å¢€$£¥]", text[i:])
        if rm:
            run = rm.group()
            if run.startswith(("°", "º")):
                sm = re.match(r"[°º]\s?([CF])(?![A-Za-z])", text[i:])
                if sm:
                    info = lex.unit_symbols["°" + sm.group(1)]
                    return (info, i + sm.end(), True) if not best or best[1] <= i + sm.end() else best
            if run in lex.unit_symbols:
                cand = (lex.unit_symbols[run], i + len(run), True)
                if not best or cand[1] > best[1]:
                    best = cand
            elif run.isalpha() and not best:
                for k in range(1, len(run)):
                    a, b = run[:k], run[k:]
                    if a in lex.unit_symbols and b in lex.unit_symbols:
                        ua, ub = lex.unit_symbols[a], lex.unit_symbols[b]
                        if ua.kind in ("currency", "percent", "count") or ub.kind in ("currency", "percent"):
                            continue
                        info = UnitInfo(ua.name + " " + ub.name, "compound", ua.name)
                        best = (info, i + len(run), True)
                        break
    return best


def _parse_unit(
    text: str,
    i: int,
    lex: Lexicon,
    *,
    hyphen_ok: bool = True,
    digits: bool = True,
    first: tuple[UnitInfo, int] | None = None,
) -> _Unit | None:
    """Parse a (compound) unit starting at i (after a number)."""
    num: list[tuple[str, int]] = []
    den: list[tuple[str, int]] = []
    kind = None
    if first is not None:
        info, j = first
        num.append((info.name, 1))
        kind = info.kind
    else:
        m = re.match(r"(?:-|[ \u00a0]{0,2})" if hyphen_ok else r"[ \u00a0]{0,2}", text[i:])
        j0 = i + (m.end() if m else 0)
        hyphen = text[i:j0].startswith("-")
        power = 1
        pm = _POWER_WORD_RE.match(text, j0)
        if pm:
            power = (
                lex.power_words[pm.group("w").lower().rstrip(".")]
                if pm.group("w").lower().rstrip(".") in lex.power_words
                else lex.power_words.get(pm.group("w").lower(), 1)
            )
            j0 = pm.end()
        at = _match_atom(text, j0, lex)
        if not at:
            return None
        info, j, is_sym = at
        if hyphen and is_sym and len(text[j0:j]) <= 2:
            return None  # "6.0-sigma"-like hyphenation only with words
        if info.kind == "count":
            # "times" is a unit only in a rate ("four times per week")
            pm2 = _PER_RE.match(text, j)
            if not pm2:
                return None
        power, j = _exponent(text, j, power, info, is_sym, lex)
        if j < len(text) and text[j].isalnum():
            return None  # "06F6": a symbol glued to more letters/digits is not a unit
        if info.name == "inch" and text[j0:j] == '"':
            line = text[text.rfind("\n", 0, i) + 1 : i]
            if j0 != i or line.count('"') % 2 == 1:
                return None  # a closing quotation mark, not an inch sign
        num.append((info.name, power))
        kind = info.kind
    # denominators
    while True:
        pm = _PER_RE.match(text, j)
        if not pm:
            break
        k = pm.end()
        power = 1
        pw = _POWER_WORD_RE.match(text, k)
        if pw:
            power = (
                lex.power_words.get(pw.group("w").lower().rstrip("."), 1)
                if pw.group("w").lower().rstrip(".") in lex.power_words
                else lex.power_words.get(pw.group("w").lower(), 1)
            )
            k = pw.end()
        at = _match_atom(text, k, lex)
        if not at:
            break
        info, k2, is_sym = at
        if info.kind in ("currency", "percent", "count"):
            break
        if pm.group().strip().lower() in ("a", "an") and info.kind not in (
            "time",
            "length",
            "mass",
            "volume",
        ):
            break
        power, k2 = _exponent(text, k2, power, info, is_sym, lex)
        den.append((info.name, power))
        kind = "rate" if kind not in ("currency",) else kind
        j = k2
    return _Unit(num, den, kind or "unknown", j)


def _exponent(text: str, j: int, power: int, info: UnitInfo, is_sym: bool, lex: Lexicon) -> tuple[int, int]:
    em = _EXP_RE.match(text, j)
    if em and is_sym:
        g = em.group("a") or em.group("b") or em.group("c")
        if (
            em.group("c")
            and info.kind not in ("length", "time", "compound", "area")
            and not g.startswith(("-", "−"))
        ):
            return power, j
        g = g.translate(_SUPERSCRIPT).replace("−", "-")
        try:
            p = int(g)
        except ValueError:
            return power, j
        if not text[em.end() : em.end() + 1].isalnum():
            return p, em.end()
    sm = _POWER_SUFFIX_RE.match(text, j)
    if sm:
        return lex.power_suffix_words[sm.group("w").lower()], sm.end()
    return power, j


# --------------------------------------------------------------------------------------------
# main scanner
# --------------------------------------------------------------------------------------------


def _attach_units(text: str, c: _Cand, lex: Lexicon) -> bool:
    """Extend ``c`` with multipliers, currency and unit.  Returns False when the atom is not a quantity."""
    e = c.num_end
    # currency before: "$", "US$", "€", "USD "
    before = text[max(0, c.num_start - 6) : c.num_start]
    cm = lex.prefix_currency_re.search(before)
    if cm and not c.is_word:
        sym = cm.group().strip()
        ok = not (
            sym[-1:].isalpha()
            and c.num_start - len(cm.group()) - 1 >= 0
            and text[c.num_start - len(cm.group()) - 1].isalpha()
            and (c.num_start - len(cm.group())) > 0
        )
        if ok:
            c.unit = lex.prefix_currency[sym].name
            c.unit_kind = "currency"
            c.currency_prefix = True
            c.start = c.num_start - len(cm.group())
    elif cm and c.is_word and cm.group().strip() in ("$", "€", "£"):
        c.unit = lex.prefix_currency[cm.group().strip()].name
        c.unit_kind = "currency"
        c.currency_prefix = True
        c.start = c.num_start - len(cm.group())
    # multipliers: attached ("$30mln", "1.5bn", "0.5k") then words ("3.2 million")
    if not c.is_word:
        am = _ATTACHED_MULT_RE.match(text, e)
        if am:
            m = am.group("m")
            nextc = text[am.end() : am.end() + 2]
            use = False
            if m in ("bn", "bln", "mln", "mn", "tn", "trn", "mil"):
                use = True
            elif c.currency_prefix:
                use = True
            elif m == "k" or m == "M" or m == "T":
                use = True
            elif m == "K" and c.is_int and nextc[:1] == " " and nextc[1:2].isalpha():
                use = True
            if use:
                c.value = c.value * lex.suffix_multipliers[m]
                e = am.end()
                c.rule = "multiplier"
    while True:
        wm = _WORD_MULT_RE.match(text, e)
        if not wm:
            break
        m = wm.group("m").lower()
        if m == "hundred" and c.is_word:
            break
        c.value = c.value * lex.suffix_multipliers[m]
        e = wm.end()
        c.rule = "multiplier"
    c.num_end = e
    c.end = e
    # currency after: "-15€", "10 000 dollars", "20 million pounds"
    if c.unit is None:
        sc = _SUFFIX_CURRENCY_RE.match(text, e)
        if sc and not text[sc.end() : sc.end() + 1].isdigit():
            c.unit = lex.prefix_currency[sc.group("c")].name if sc.group("c") in lex.prefix_currency else None
            if c.unit:
                c.unit_kind = "currency"
                c.end = sc.end()
                return True
    # time of day "2 pm" (not blocked because of the decimal "2.1 pm" rule)
    tm = _TIME_AFTER_RE.match(text, e)
    if tm and not c.is_word and c.unit is None:
        dec = c.raw.split(".")[1] if "." in c.raw else ""
        if c.is_int and 0 < (c.value or 0) <= 12:
            return False
        if len(dec) == 2 and int(dec) < 60 and (c.value or 0) < 13:
            return False
    # accounting negative: "($99.99)"
    if (
        c.currency_prefix
        and c.start > 0
        and text[c.start - 1] == "("
        and text[e : e + 1] == ")"
        and (c.value or 0) > 0
    ):
        c.value = -c.value
        c.start -= 1
        c.end = e + 1
        return True
    # the unit proper
    if c.unit_kind == "currency":
        u = _parse_unit(text, e, lex, first=(UnitInfo(c.unit, "currency", c.unit), e))
        if u and u.den:
            c.unit = u.name
            c.end = u.end
        else:
            _money_per_noun(text, c)
        return True
    u = _parse_unit(text, e, lex, digits=not c.is_word)
    if u is not None:
        first_name = u.num[0][0] if u.num else ""
        sym_text = text[e : u.end].strip(" -\u00a0")
        # ambiguous symbols
        if sym_text == "in" or sym_text.startswith("in "):
            if c.is_word or not _INCH_NEXT.match(text, e + text[e:].find("in") + 2):
                u = None
        elif sym_text in ("am", "pm") and c.is_int:
            u = None
        elif first_name in ("degree",) and not u.den:
            look = text[u.end : u.end + 40]
            cf = re.match(r"\s*(Celsius|centigrade|C\b|Fahrenheit|F\b)", look)  # "40 degrees C"
            if cf:
                u = _Unit(
                    [("degree Fahrenheit" if cf.group(1)[0] == "F" else "degree Celsius", 1)],
                    [],
                    "temperature",
                    u.end,
                )
        if u is not None and c.is_word and sym_text and sym_text[0].isupper() and len(sym_text) <= 2:
            u = None  # "two C" etc: symbols only after digits
        if u is not None and len(sym_text) == 1 and sym_text.isalpha() and not c.is_word:
            # one-letter symbols need the number right before (optionally one space) and no following word
            nxt = text[u.end : u.end + 2]
            if nxt[:1].isalpha():
                u = None
        if u is not None:
            c.unit = u.name
            c.unit_kind = u.kind
            c.end = u.end
            if c.unit == "pound-mass" and text[e : u.end].strip().lower().startswith("pound"):
                if _pound_is_money(text, c):
                    c.unit = "GBP" + c.unit[len("pound-mass") :]
                    c.unit_kind = "currency"
            if c.unit_kind == "currency" and not u.den:
                _money_per_noun(text, c)
            return True
    # "pounds" as a word is in no table entry: resolve here
    pm = re.match(r"[ \u00a0-]?(pounds?)(?![A-Za-z])", text[e:], re.I)
    if pm:
        c.end = e + pm.end()
        if _pound_is_money(text, c):
            c.unit, c.unit_kind = "GBP", "currency"
            _money_per_noun(text, c)
        else:
            c.unit, c.unit_kind = "pound-mass", "mass"
        return True
    return True


def _pound_is_money(text: str, c: _Cand) -> bool:
    sent_s = max(text.rfind(".", 0, c.start), text.rfind("\n", 0, c.start)) + 1
    sent_e = min([x for x in (text.find(". ", c.end), text.find("\n", c.end)) if x >= 0] or [len(text)])
    ctx = text[sent_s:sent_e]
    if re.search(r"\b(Syrian|Egyptian|Lebanese|Sudanese)\s+pounds?\b", text[c.start : c.end + 12]):
        return True
    if re.match(r"[ -]?pounds?\s+(?:bag|sack|box|of)\b", text[c.num_end :], re.I):
        return False
    if c.rule == "multiplier" and (c.value or 0) >= 1000:
        return bool(_MONEY_CONTEXT.search(ctx)) or not _MASS_CONTEXT.search(ctx)
    if _MASS_CONTEXT.search(ctx) or re.match(r"[ -]?pounds?\s+(bag|sack|box|of)\b", text[c.num_end :], re.I):
        return False
    return bool(_MONEY_CONTEXT.search(ctx))


def _money_per_noun(text: str, c: _Cand) -> None:
    m = re.match(r"\s+(?:per|a|an|each)\s+([a-z]+)(?![A-Za-z])", text[c.end :])
    if (
        m
        and m.group(1) not in ("year", "month", "week", "day", "hour")
        and m.group(1)
        not in (
            "and",
            "or",
            "the",
            "of",
            "in",
            "to",
            "a",
            "an",
            "for",
            "from",
            "further",
            "total",
            "lot",
            "bit",
        )
    ):
        c.extra["per_noun"] = (m.group(1), c.end + m.end())
    elif m:
        c.unit = f"{c.unit} per {m.group(1)}"
        c.end = c.end + m.end()


# --------------------------------------------------------------------------------------------
# approximations, ranges, coordination, comparisons
# --------------------------------------------------------------------------------------------


def _attach_approx(text: str, c: _Cand, lex: Lexicon) -> None:
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


def _is_change_context(text: str, c1: _Cand, lex: Lexicon) -> bool:
    before = text[max(0, c1.start - 60) : c1.start]
    m = re.search(r"\b([A-Za-z]+)\b(?:\s+[A-Za-z]+){0,3}\s+from\s+(?:the\s+)?$", before)
    if not m:
        return False
    words = re.findall(r"[A-Za-z]+", before[m.start() :].lower())
    return any(w in lex.change_verbs for w in words[:-1])


def _combine(text: str, cands: list[_Cand], lex: Lexicon) -> list[_Cand]:
    out: list[_Cand] = []
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
                    r = _Cand(
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


# --------------------------------------------------------------------------------------------
# vague quantities
# --------------------------------------------------------------------------------------------


def _vague_atoms(text: str, lex: Lexicon) -> list[_Cand]:
    out: list[_Cand] = []
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
        c = _Cand(
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
            _Cand(
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


def _vague_comparatives(text: str, lex: Lexicon) -> list[_Cand]:
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
            _Cand(
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


# --------------------------------------------------------------------------------------------
# linguistic layer (spaCy)
# --------------------------------------------------------------------------------------------


_SCOPE_PREPS = {"in", "at", "across", "inside", "near", "throughout", "within", "on"}
_PLACE_ENTS = {"GPE", "LOC", "FAC"}


def _tokens_for(doc: Doc, s: int, e: int) -> Span | None:
    return doc.char_span(s, e, alignment_mode="expand")


def _canon_head(lemma: str, lex: Lexicon) -> str:
    lemma = lemma.lower()
    if lemma.endswith("s") and not lemma.endswith("ss") and (
        lemma[:-1] in lex.synonyms or lemma[:-1] in lex.countable or lemma[:-1] == "troop"
    ):
        lemma = lemma[:-1]  # a capitalised plural ("US Troops") the lemmatiser left alone
    return lex.synonyms.get(lemma, lemma)


_MEASURE_NOUNS = frozenset({"number", "figure", "count", "total", "level", "size", "toll", "tally"})


def _comparative_subject(doc: Doc, c: _Cand) -> None:
    """What a vague comparative is about: "the true number of US troops in Syria was 'much
    higher'" compares a number of US troops in Syria."""
    span = _tokens_for(doc, c.start, c.end)
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
    for prep in (t for t in noun.children if t.dep_ == "prep" and t.lower_ in _SCOPE_PREPS):
        place = next((t for t in prep.children if t.dep_ == "pobj" and t.ent_type_ in _PLACE_ENTS), None)
        if place is not None:
            c.extra["subject_place"] = place.text
            c.extra["subject_scope"] = f"{prep.text} {doc[place.left_edge.i:place.i + 1].text}"
            break


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
                found = _demonym(t.text, lex)
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


def _demonym(tok_text: str, lex: Lexicon) -> str | None:
    return lex.demonyms.get(tok_text.lower().strip("."), lex.demonyms.get(tok_text.lower()))


def _counted_noun(doc: Doc, c: _Cand, lex: Lexicon) -> None:
    span = _tokens_for(doc, c.num_start, c.num_end)
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
            and head.lower_
            in (
                "january",
                "february",
                "march",
                "april",
                "june",
                "july",
                "august",
                "september",
                "october",
                "november",
                "december",
            )
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
            and _demonym(prev.text, lex) is None
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


# A scope's prepositional object spans at most this many tokens (hostile text such as "$1 $1 …"
# parses into one tree, and walking a whole-document subtree for every quantity is quadratic).
_MAX_SCOPE_TOKENS = 200


def _scope(doc: Doc, c: _Cand, lex: Lexicon) -> tuple[str | None, str | None, Token | None]:
    """The place/actor scope: "in Syria", "at the Qusarki base".  Returns (scope text, place, pobj)."""
    anchor = c.head_tok
    if anchor is None:
        span = _tokens_for(doc, c.num_start, min(c.end, _doc_len(doc)))
        if span is None or len(span) == 0:
            return None, None, None
        anchor = span[-1]
        if anchor.dep_ in ("nummod", "quantmod") and anchor.head.i > anchor.i:
            anchor = anchor.head
    sent = anchor.sent
    candidates: list[Token] = []

    def preps_of(tok: Token) -> list[Token]:
        res = []
        for ch in tok.children:
            if ch.dep_ == "prep" and ch.lower_ in _SCOPE_PREPS and ch.i > c.num_start_tok:
                res.append(ch)
            if ch.dep_ in ("acl", "relcl") and ch.i > tok.i:
                res.extend(p for p in ch.children if p.dep_ == "prep" and p.lower_ in _SCOPE_PREPS)
        return res

    c.num_start_tok = _tok_index(doc, c.num_start)
    candidates.extend(preps_of(anchor))
    h = anchor
    hops = 0
    while not candidates and h.dep_ not in ("ROOT",) and hops < 3:
        h = h.head
        hops += 1
        candidates.extend(p for p in preps_of(h) if p.i > c.num_start_tok)
        if h.pos_ in ("VERB", "AUX"):
            break
    for prep in sorted(candidates, key=lambda t: abs(t.i - anchor.i)):
        pobj = next((t for t in prep.children if t.dep_ == "pobj"), None)
        if pobj is None or pobj.sent != sent:
            continue
        place = None
        if pobj.ent_type_ in (
            "DATE",
            "TIME",
            "PERSON",
            "ORG",
            "NORP",
            "CARDINAL",
            "MONEY",
            "PERCENT",
            "QUANTITY",
            "ORDINAL",
        ):
            continue
        if (
            pobj.ent_type_ in _PLACE_ENTS
            or pobj.lemma_.lower() in lex.scope_nouns
            or (pobj.pos_ == "PROPN")
            or pobj.lemma_.lower() in ("base", "camp", "border", "city", "province")
        ):
            if pobj.right_edge.i - pobj.left_edge.i > _MAX_SCOPE_TOKENS:
                continue  # no place name is this long; walking it per quantity is quadratic
            sub = [t for t in pobj.subtree if t.i <= pobj.i or t.dep_ in ("compound", "amod")]
            sub = [t for t in sub if t.dep_ not in ("relcl", "acl")]
            s_i = min(t.i for t in sub)
            e_i = max(t.i for t in sub)
            text = doc[prep.i : e_i + 1].text if e_i - prep.i <= 7 else f"{prep.text} {pobj.text}"
            ents = [t for t in doc[s_i : e_i + 1] if t.ent_type_ in _PLACE_ENTS]
            if ents:
                ent = next(e for e in doc.ents if e.start <= ents[-1].i < e.end)
                place = _strip_direction(ent.text, lex)
            elif pobj.lemma_.lower() in lex.scope_nouns:
                place = "@dominant"
            else:
                place = " ".join(t.text for t in doc[s_i : e_i + 1] if t.pos_ not in ("DET",))
            if "\n" in text or "\n" in (place or "") or re.search(r"\d", place or "") or len(text) > 60:
                continue
            return text, place, pobj
    return None, None, None


def _strip_direction(s: str, lex: Lexicon) -> str:
    words = s.split()
    while len(words) > 1 and words[0].lower() in lex.directions:
        words = words[1:]
    if words and words[0].lower() == "the":
        words = words[1:]
    return " ".join(words)


def _doc_len(doc: Doc) -> int:
    return doc[-1].idx + len(doc[-1].text_with_ws) if len(doc) else 0


def _tok_index(doc: Doc, char: int) -> int:
    span = doc.char_span(char, min(char + 1, _doc_len(doc)), alignment_mode="expand")
    return span[0].i if span is not None and len(span) else 0


def _dominant_place(doc: Doc, lex: Lexicon) -> str | None:
    cnt: Counter[str] = Counter()
    for ent in doc.ents:
        if ent.label_ not in ("GPE", "LOC"):
            continue
        root = ent.root
        if root.dep_ == "pobj" and root.head.lower_ in ("in", "across", "inside", "into", "to", "from"):
            cnt[_strip_direction(ent.text, lex)] += 2
        elif root.dep_ not in ("compound", "amod", "poss"):
            cnt[_strip_direction(ent.text, lex)] += 1
    if not cnt:
        return None
    return cnt.most_common(1)[0][0]


def _doc_demonyms(doc: Doc, lex: Lexicon) -> dict[str, Counter]:
    """For each canonical head lemma, the nationality modifiers used with it anywhere in the doc."""
    out: dict[str, Counter] = {}
    for t in doc:
        if t.pos_ not in ("NOUN", "PROPN"):
            continue
        canon = _canon_head(t.lemma_, lex)
        for ch in t.children:
            if ch.i < t.i and ch.dep_ in ("compound", "amod", "nmod", "nummod") or (ch.i == t.i - 1):
                d = _demonym(ch.text, lex)
                if d and d not in ("local", "foreign", "coalition"):
                    out.setdefault(canon, Counter())[d] += 1
        if t.i > 0:
            prev = doc[t.i - 1]
            d = _demonym(prev.text, lex)
            if d and prev.head != t and d not in ("local", "foreign", "coalition"):
                out.setdefault(canon, Counter())[d] += 1
    return out


# --------------------------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------------------------


def _kind(c: _Cand) -> str:
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


def _is_year_like(c: _Cand) -> bool:
    return (
        not c.is_word
        and c.is_int
        and c.unit is None
        and c.value is not None
        and 1000 <= c.value <= 2100
        and re.fullmatch(r"\d{4}", c.raw or "") is not None
    )


def extract_quantities(doc: Doc) -> list[Quantity]:
    """All quantity mentions in a parsed document, in text order (pure; the doc is not modified)."""
    lex = lexicon()
    text = doc.text
    blocked = _blocked_spans(text)
    atoms = _digit_atoms(text, lex) + _word_atoms(text, lex)
    atoms.sort(key=lambda c: (c.num_start, -c.num_end))
    # drop overlaps (keep the first / longest)
    cands: list[_Cand] = []
    last_end = -1
    for c in atoms:
        if c.num_start < last_end:
            continue
        if _in_blocked(c.num_start, c.num_end, blocked):
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

    kept: list[_Cand] = []
    for c in cands:
        if not _attach_units(text, c, lex):
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
    dedup: list[_Cand] = []
    for c in kept:
        if dedup and c.num_start < dedup[-1].end:
            continue
        dedup.append(c)
    kept = dedup
    # years after a date preposition ("in 2013", "since 1979") are dates, whatever follows
    kept = [
        c
        for c in kept
        if not (_is_year_like(c) and _DATE_PREP_RE.search(text[max(0, c.start - 30) : c.start]))
    ]
    # "a gallon", "one pound", "A kibibyte": article + unit (not time units: "a day", "a second")
    for m in re.finditer(r"\b(?P<a>[Aa]n?|[Oo]ne)\s+(?=[A-Za-z])", text):
        if not lex.word_re.match(text, m.end()):
            continue
        u = _parse_unit(text, m.end() - 1, lex, hyphen_ok=False)
        if u is None or not u.num or m.end() - 1 == u.end:
            continue
        if any(c.num_start <= m.start() < c.end for c in kept):
            continue
        word = text[m.end() : u.end]
        if not re.match(r"[A-Za-z]{3,}", word) or u.kind in ("time", "count", "percent"):
            continue
        wm = lex.word_re.match(text, m.end())
        if not wm or wm.group().lower() in _ARTICLE_UNIT_STOP:
            continue  # symbols ("a bar") and everyday words ("a bit", "a degree", "a yard") are not amounts
        if word.split()[0].lower() in ("pound", "pounds") and m.group("a").lower() in ("a", "an"):
            continue
        if any(c.start < u.end and m.start() < c.end for c in kept):
            continue
        if _in_blocked(m.start(), u.end, blocked):
            continue
        if re.search(r"(?:\d|per|each)\s*$", text[max(0, m.start() - 12) : m.start()]):
            continue
        c = _Cand(
            m.start(),
            u.end,
            m.start(),
            m.start() + len(m.group("a")),
            1.0,
            unit=u.name,
            unit_kind=u.kind,
            rule="article_unit",
            is_word=True,
            raw=m.group("a"),
        )
        hm = re.search(r"\b(half|quarter)\s+(?:of\s+)?$", text[max(0, m.start() - 12) : m.start()], re.I)
        if hm and m.group("a").lower() in ("a", "an"):
            c.start = c.num_start = m.start() - (len(text[max(0, m.start() - 12) : m.start()]) - hm.start())
            c.value = 0.5 if hm.group(1).lower() == "half" else 0.25
            c.rule = "fraction_words"
        kept.append(c)
    for v in _vague_atoms(text, lex):
        if any(c.num_start < v.end and v.start < c.end for c in kept):
            continue
        if _in_blocked(v.start, v.end, blocked):
            continue
        u = _parse_unit(text, v.end, lex, digits=False)
        if u is not None and u.num and u.kind not in ("count", "currency"):
            v.unit, v.unit_kind, v.end = u.name, u.kind, u.end
        kept.append(v)
    kept.sort(key=lambda c: (c.start, -c.end))

    for c in kept:
        _attach_approx(text, c, lex)
    kept = _combine(text, kept, lex)
    for v in _vague_comparatives(text, lex):
        if not any(c.start < v.end and v.start < c.end for c in kept):
            kept.append(v)
    kept.sort(key=lambda c: (c.start, -c.end))

    # linguistic layer
    final: list[_Cand] = []
    for c in kept:
        c.num_start_tok = 0
        if c.rule != "vague_comparative" and (
            c.unit is None
            or c.vague
            or c.unit_kind == "percent"
            or (c.rule.startswith("fraction") and c.unit is None)
        ):
            _counted_noun(doc, c, lex)
        if c.rule != "vague_comparative":
            if _is_year_like(c) and c.approx is None:
                before = text[max(0, c.start - 30) : c.start]
                if (
                    _DATE_PREP_RE.search(before)
                    or c.head is None
                    or c.start == 0
                    or _span_ent(doc, c) in ("DATE",)
                ):
                    continue
            if (
                c.value is not None
                and not c.is_word
                and c.unit is None
                and c.head is None
                and _span_ent(doc, c) in ("DATE", "TIME")
                and re.search(rf"\b{_MONTHS}\b", _ent_text(doc, c))
            ):
                continue
            # bare "one" only counts a countable noun
            if c.is_word and c.raw.lower() in ("one",) and c.unit is None and not c.vague:
                if not (c.head and _canon_head(c.head, lex) in lex.countable | {"troop"}):
                    continue
        final.append(c)

    for c in final:
        if c.rule == "vague_comparative" and c.head is None:
            _comparative_subject(doc, c)
    dominant = _dominant_place(doc, lex) if final else None
    demonyms = _doc_demonyms(doc, lex) if final else {}
    # comparisons "X, up from (the) Y", "compared with Y"
    _link_comparisons(text, final)
    quantities: list[Quantity] = []
    for c in final:
        scope, place, _pobj = (None, None, None)
        try:
            scope, place, _pobj = _scope(doc, c, lex)
        except Exception:  # pragma: no cover - parse oddities must never break extraction
            scope, place = None, None
        if place == "@dominant":
            place = dominant
        c.extra["place"] = place or c.extra.get("subject_place")
        c.extra["scope"] = scope or c.extra.get("subject_scope")
    # ellipsis: "the 1,251 reported in June" inherits what is counted from its comparison partner
    for c in final:
        if c.partner is not None:
            p = final[c.partner]
            if c.unit is None and c.head is None and p.head is not None and p.unit is None:
                c.head, c.counted, c.modifiers, c.head_tok = p.head, p.counted, p.modifiers, p.head_tok
            if c.unit is None and p.unit is not None and c.head is None:
                c.unit, c.unit_kind = p.unit, p.unit_kind
            if c.extra.get("place") is None:
                c.extra["place"] = p.extra.get("place")
    # "the cost of one barrel ... is $38": a price per unit
    for c in final:
        if c.unit_kind == "currency" and c.unit and " per " not in c.unit and not c.extra.get("per_noun"):
            # Look back within the sentence, and never further than PRICE_LOOKBACK characters:
            # text with no full stop would otherwise be searched whole for every quantity.
            lookback = max(0, c.start - PRICE_LOOKBACK)
            sent_start = max(lookback, text.rfind(". ", lookback, c.start) + 1,
                             text.rfind("\n", lookback, c.start) + 1)
            pm = re.search(
                r"\b(?:cost|price|value|worth)\s+of\s+(?:one|a|an|each|a\s+single|1)\s+"
                r"(?:\w+\s+){0,1}?([a-z]+)\b(?!\s+of\s+\d)",
                text[sent_start : c.start],
            )
            if pm and not re.search(r"\d", text[sent_start + pm.end() : c.start]):
                c.extra["per_noun"] = (pm.group(1), c.end)
    for c in final:
        quantities.append(_finalise(doc, text, c, lex, demonyms))
    return quantities


PRICE_LOOKBACK = 400


_ARTICLE_UNIT_STOP = frozenset(
    {
        "degree",
        "yard",
        "foot",
        "ton",
        "bit",
        "barn",
        "gray",
        "knot",
        "mole",
        "bar",
        "carat",
        "pound",
        "stone",
        "second",
        "minute",
        "buck",
        "won",
        "lira",
        "sterling",
        "quid",
        "celsius",
        "fahrenheit",
        "kelvin",
        "amp",
        "cup",
        "quart",
        "pint",
        "dollar",
        "euro",
        "yen",
        "rupee",
        "ounce",
    }
)


def _span_ent(doc: Doc, c: _Cand) -> str:
    span = _tokens_for(doc, c.num_start, c.num_end)
    if span is None or not len(span):
        return ""
    return span[0].ent_type_


def _ent_text(doc: Doc, c: _Cand) -> str:
    span = _tokens_for(doc, c.num_start, c.num_end)
    if span is None or not len(span):
        return ""
    t = span[0]
    for e in doc.ents:
        if e.start <= t.i < e.end:
            return e.text
    return ""


_COMPARE_RE = re.compile(
    r"(?:^|[\s,(])(?P<w>(?:up|down)\s+from|compared\s+(?:with|to)|versus|vs\.?|against|as\s+against|"
    r"(?:an?\s+)?(?:increase|decrease|rise|drop|fall|jump|decline)\s+from|from)\s+"
    r"(?:the\s+|a\s+|an\s+)?(?:(?:previous|earlier|prior|last|reported|original|peak|high|low|record|total|"
    r"figure|level)\s+(?:of\s+)?)?$",
    re.I,
)


def _link_comparisons(text: str, cands: list[_Cand]) -> None:
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


def _finalise(doc: Doc, doc_text: str, c: _Cand, lex: Lexicon, demonyms: dict[str, Counter]) -> Quantity:
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
        d = _demonym(m, lex)
        if d and nat is None and d not in ("local", "foreign", "coalition"):
            nat = d
        else:
            rest.append(m.lower() if not m.isupper() else m)
    if head is not None and c.head_tok is not None and c.head_tok.pos_ == "PRON":
        key = f"{unit or kind} of {c.counted}"
    elif head is not None:
        canon = _canon_head(head, lex)
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


def extract_quantities_from_text(text: str) -> list[Quantity]:
    """Parse ``text`` with the shared spaCy pipeline and extract its quantities."""
    from storyledger.extract.nlp import load_nlp

    return extract_quantities(load_nlp()(text))
