"""Units: what follows or precedes a number and says what it measures.

Currency before or after ("$", "US$", "€", "-15€", "20 million pounds"), multipliers ("$30mln",
"1.5bn", "3.2 million"), unit symbols with SI prefixes and exponents ("km2", "cm³", "s-1"), unit
words ("square kilometres", "degrees Celsius"), compounds ("km/h", "J/m^2 per year", "$38 per
barrel", "four times per week"), and an article standing for one ("a gallon").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .candidate import Candidate
from .dates import DateSpans
from .lexicon import Lexicon, UnitInfo
from .money import money_per_noun, pound_is_money
from .numbers import SUPERSCRIPT

_ATTACHED_MULT_RE = re.compile(r"(?P<m>bn|bln|mln|mn|mil|tn|trn|k|K|M|m|B|b|T)(?![A-Za-z0-9])")
_WORD_MULT_RE = re.compile(
    r"(?:\s|-)(?P<m>thousand|million|billion|trillion|mln|bn|mn|hundred|lakh|crore)(?![A-Za-z])", re.I
)
_SUFFIX_CURRENCY_RE = re.compile(r"\s?(?P<c>€|\$|£|¥|₹|₽|₺|₩)")
_TIME_AFTER_RE = re.compile(r"\s?(?:[ap]\.m\.|[AP]\.M\.|am|pm|AM|PM)(?![A-Za-z])")
_INCH_NEXT = re.compile(
    r"\s*(?:[.,;:!?)\]]|$|(?:thick|long|wide|tall|high|deep|across|in diameter|diameter|"
    r"x|by|gap|screen|display|pipe|barrel|blade|long)\b)"
)


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


def parse_unit(
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
        g = g.translate(SUPERSCRIPT).replace("−", "-")
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



def attach_units(text: str, c: Candidate, lex: Lexicon) -> bool:
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
        u = parse_unit(text, e, lex, first=(UnitInfo(c.unit, "currency", c.unit), e))
        if u and u.den:
            c.unit = u.name
            c.end = u.end
        else:
            money_per_noun(text, c)
        return True
    u = parse_unit(text, e, lex, digits=not c.is_word)
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
                if pound_is_money(text, c):
                    c.unit = "GBP" + c.unit[len("pound-mass") :]
                    c.unit_kind = "currency"
            if c.unit_kind == "currency" and not u.den:
                money_per_noun(text, c)
            return True
    # "pounds" as a word is in no table entry: resolve here
    pm = re.match(r"[ \u00a0-]?(pounds?)(?![A-Za-z])", text[e:], re.I)
    if pm:
        c.end = e + pm.end()
        if pound_is_money(text, c):
            c.unit, c.unit_kind = "GBP", "currency"
            money_per_noun(text, c)
        else:
            c.unit, c.unit_kind = "pound-mass", "mass"
        return True
    return True


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


def add_article_units(text: str, lex: Lexicon, kept: list[Candidate], dates: DateSpans) -> None:
    """Append to ``kept`` each article + unit that is an amount: "a gallon", "one pound", "A kibibyte",
    "half a mile" (not time units: "a day", "a second"); ``kept`` grows as they are found."""
    for m in re.finditer(r"\b(?P<a>[Aa]n?|[Oo]ne)\s+(?=[A-Za-z])", text):
        if not lex.word_re.match(text, m.end()):
            continue
        u = parse_unit(text, m.end() - 1, lex, hyphen_ok=False)
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
        if dates.blocks(m.start(), u.end):
            continue
        if re.search(r"(?:\d|per|each)\s*$", text[max(0, m.start() - 12) : m.start()]):
            continue
        c = Candidate(
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
