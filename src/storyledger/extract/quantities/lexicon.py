"""Data tables for the quantity grammar, built once from ``resources/quantities/*.json``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from storyledger.resources import load_json


@dataclass(frozen=True)
class UnitInfo:
    name: str  # normalised name: "kilometre", "USD", "percent"
    kind: str  # dimension: "length", "currency", "time", "percent", ...
    base: str  # the base name before any SI prefix ("metre" for "kilometre")


def _plurals(word: str) -> list[str]:
    if " " in word or "-" in word:
        sep = " " if " " in word else "-"
        parts = word.split(sep)
        first = sep.join([_plural1(parts[0])] + parts[1:])
        last = sep.join(parts[:-1] + [_plural1(parts[-1])])
        return [word, first, last]
    return [word, _plural1(word)]


def _plural1(w: str) -> str:
    lw = w.lower()
    if lw.endswith(("s", "x", "ch", "sh")):
        return w + "es" if not lw.endswith("s") else w
    if lw.endswith("y") and len(lw) > 1 and lw[-2] not in "aeiou":
        return w[:-1] + "ies"
    if lw == "foot":
        return "feet"
    return w + "s"


@dataclass
class Lexicon:
    unit_words: dict[str, UnitInfo]  # lower-cased word form -> unit
    unit_symbols: dict[str, UnitInfo]  # case-sensitive symbol -> unit
    prefix_currency: dict[str, UnitInfo]  # "$", "US$", "€", "USD" -> currency
    word_re: re.Pattern[str]
    symbol_re: re.Pattern[str]
    prefix_currency_re: re.Pattern[str]
    power_words: dict[str, int]
    power_suffix_words: dict[str, int]
    ones: dict[str, int]
    tens: dict[str, int]
    scales: dict[str, int]
    dozen: dict[str, int]
    fractions: dict[str, int]
    suffix_multipliers: dict[str, float]
    vague_scales: dict[str, tuple[int, int]]
    vague_quantifiers: dict[str, tuple[int, int]]
    vague_adverbs: list[str]
    vague_comparatives: list[str]
    approx: dict[str, tuple[str, str]]
    approx_re: re.Pattern[str]
    countable: frozenset[str]
    synonyms: dict[str, str]
    spelling: dict[str, str]
    demonyms: dict[str, str]
    change_verbs: frozenset[str]
    scope_nouns: frozenset[str]
    directions: frozenset[str]


def _alt(items) -> str:
    return "|".join(re.escape(s) for s in sorted(set(items), key=lambda s: (-len(s), s)))


@cache
def lexicon() -> Lexicon:
    units = load_json("quantities/units.json")
    words = load_json("quantities/number_words.json")
    approx = load_json("quantities/approx.json")
    nouns = load_json("quantities/nouns.json")
    prefixes = units["si_prefixes"]

    unit_words: dict[str, UnitInfo] = {}
    unit_symbols: dict[str, UnitInfo] = {}
    prefix_currency: dict[str, UnitInfo] = {}
    prefixed_symbols: dict[str, UnitInfo] = {}
    prefixed_words: dict[str, UnitInfo] = {}
    for u in units["units"]:
        info = UnitInfo(u["name"], u["kind"], u["name"])
        for w in u.get("words", []):
            for form in _plurals(w):
                unit_words.setdefault(form.lower(), info)
        if not u.get("symbol_needs_prefix"):
            for s in u.get("symbols", []):
                unit_symbols.setdefault(s, info)
        for s in u.get("prefix_symbols", []):
            prefix_currency.setdefault(s, info)
        for p in u.get("si", []):
            pword, _factor = prefixes[p]
            pinfo = UnitInfo(pword + u["name"], u["kind"], u["name"])
            for s in u.get("symbols", []):
                if len(s) <= 3 and s.isalpha() or s in ("Wh", "eV"):
                    prefixed_symbols.setdefault(p + s, pinfo)
            for w in u.get("words", []):
                if " " not in w or w.startswith("watt"):
                    for form in _plurals(w):
                        prefixed_words.setdefault((pword + form).lower(), pinfo)
    for k, v in prefixed_symbols.items():
        unit_symbols.setdefault(k, v)
    for k, v in prefixed_words.items():
        unit_words.setdefault(k, v)

    word_re = re.compile(rf"(?:{_alt(unit_words)})(?![A-Za-z])", re.I)
    symbol_re = re.compile(rf"(?:{_alt(unit_symbols)})")
    prefix_currency_re = re.compile(rf"(?:{_alt(prefix_currency)})\s?$")
    ap = {k: tuple(v) for k, v in approx["phrases"].items()}
    approx_re = re.compile(rf"(?:(?<![A-Za-z])(?:{_alt(ap)}))\s*$", re.I)
    return Lexicon(
        unit_words=unit_words,
        unit_symbols=unit_symbols,
        prefix_currency=prefix_currency,
        word_re=word_re,
        symbol_re=symbol_re,
        prefix_currency_re=prefix_currency_re,
        power_words=units["power_words"],
        power_suffix_words=units["power_suffix_words"],
        ones=words["ones"],
        tens=words["tens"],
        scales=words["scales"],
        dozen=words["dozen"],
        fractions=words["fractions"],
        suffix_multipliers=words["suffix_multipliers"],
        vague_scales={k: tuple(v) for k, v in words["vague_scales"].items()},
        vague_quantifiers={k: tuple(v) for k, v in words["vague_quantifiers"].items()},
        vague_adverbs=words["vague_comparative_adverbs"],
        vague_comparatives=words["vague_comparatives"],
        approx=ap,
        approx_re=approx_re,
        countable=frozenset(nouns["countable"]),
        synonyms=nouns["synonyms"],
        spelling=nouns["spelling"],
        demonyms=nouns["demonyms"],
        change_verbs=frozenset(nouns["change_verbs"]),
        scope_nouns=frozenset(nouns["scope_nouns"]),
        directions=frozenset(nouns["directions"]),
    )
