"""Finding every rule's matches in a text, fast, and choosing among overlapping ones.

Each rule's regular expression begins with a look-behind (no word character before the match),
which keeps Python's ``re`` from skipping ahead: scanned as written, each of the rules tries to
match at every character of the text. Here each rule is searched through a finder that begins
with the class of characters the rule's matches can start with, so ``re`` jumps from one such
character to the next in C and tries the rule only there. A finder gives exactly the matches
``rule.regex.finditer`` gives: the class is read from the compiled pattern (a superset of the
possible first characters), and a rule the analysis cannot read keeps its plain scan.

One combined pattern (every rule in a look-ahead of its own, all tried at each position) gives
the same matches too, but was slower than the separate scans it replaces: it tries all the rules
at every word start, where a finder tries its rule only at the characters that can start it.
"""

from __future__ import annotations

import bisect
import re
import re._constants as sre  # the parsed-pattern opcodes: stable across the Python versions supported
import re._parser as sre_parse
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .grammar import _Rule

Candidate = tuple[int, int, "_Rule", re.Match]

# Characters outside ASCII that case-insensitive matching equates with an ASCII letter
# ("\u212a", the Kelvin sign, matches (?i:k)); a class for a case-insensitive letter includes them.
_CASE_EQUIVALENTS = "\u0130\u0131\u017f\u212a"
_CATEGORIES = {sre.CATEGORY_DIGIT: r"\d", sre.CATEGORY_SPACE: r"\s", sre.CATEGORY_WORD: r"\w"}


class _Unreadable(Exception):
    """A construct whose first characters are not worked out here (the rule keeps its plain scan)."""


def _add_char(code: int, flags: int, chars: set[str]) -> None:
    char = chr(code)
    if flags & re.IGNORECASE and (char.lower() != char or char.upper() != char):
        if not char.isascii():
            raise _Unreadable(char)
        chars.update((char.lower(), char.upper(), *_CASE_EQUIVALENTS))
    else:
        chars.add(char)


def _first_of_sequence(items, flags: int, chars: set[str], categories: set) -> bool:
    """Add the characters a match of ``items`` can start with; return whether it can be empty."""
    return all(_first_of_item(op, av, flags, chars, categories) for op, av in items)


def _first_of_item(op, av, flags: int, chars: set[str], categories: set) -> bool:
    """Add the characters a match of one parsed item can start with; return whether it can be empty
    (so that what follows it can start the match too)."""
    if op is sre.LITERAL:
        _add_char(av, flags, chars)
        return False
    if op is sre.IN:
        for item_op, item in av:
            if item_op is sre.LITERAL:
                _add_char(item, flags, chars)
            elif item_op is sre.RANGE and item[1] - item[0] <= 256:
                for code in range(item[0], item[1] + 1):
                    _add_char(code, flags, chars)
            elif item_op is sre.CATEGORY and item in _CATEGORIES:
                categories.add(item)
            else:  # a negated class, a wide range: anything can start it
                raise _Unreadable(item_op)
        return False
    if op is sre.BRANCH:
        # every alternative is read (no short-circuit): each adds its first characters
        return any([_first_of_sequence(alternative, flags, chars, categories) for alternative in av[1]])
    if op is sre.SUBPATTERN:
        _group, add_flags, del_flags, pattern = av
        return _first_of_sequence(pattern, (flags | add_flags) & ~del_flags, chars, categories)
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        least, _most, pattern = av
        return _first_of_sequence(pattern, flags, chars, categories) or least == 0
    if op is sre.ATOMIC_GROUP:
        return _first_of_sequence(av, flags, chars, categories)
    if op in (sre.ASSERT, sre.ASSERT_NOT, sre.AT):  # zero width: the next item starts the match
        return True
    raise _Unreadable(op)


def first_char_finder(regex: re.Pattern) -> re.Pattern | None:
    """A pattern whose ``search`` finds the same matches as ``regex`` (in its group ``_match``),
    trying ``regex`` only where one of its possible first characters stands; None when that set
    cannot be read or ``regex`` can match the empty string."""
    chars: set[str] = set()
    categories: set = set()
    try:
        if _first_of_sequence(sre_parse.parse(regex.pattern, regex.flags).data, regex.flags, chars, categories):
            return None
    except _Unreadable:
        return None
    first = "".join(re.escape(c) for c in sorted(chars)) + "".join(_CATEGORIES[c] for c in _CATEGORIES
                                                                    if c in categories)
    # The class comes first so that re's search skips to it; the look-behind then steps back one
    # character and matches the rule there, in a look-ahead that captures it as _match.
    return re.compile(f"[{first}](?<=(?=(?P<_match>{regex.pattern}))[\\s\\S])", regex.flags)


def candidates(text: str, rules: list[_Rule]) -> list[Candidate]:
    """Every rule's matches, rule by rule in grammar order and each rule's left to right: what
    ``rule.regex.finditer(text)`` gives for each rule (empty matches dropped)."""
    out: list[Candidate] = []
    for rule in rules:
        if rule.finder is None:
            out += [(m.start(), m.end(), rule, m) for m in rule.regex.finditer(text) if m.end() > m.start()]
            continue
        search, match = rule.finder.search, rule.regex.match
        pos = 0
        while (found := search(text, pos)) is not None:
            start, pos = found.span("_match")
            # the rule's own match object: its groups are what the normalisers read
            out.append((start, pos, rule, match(text, start)))
    return out


def select(cands: list[Candidate]) -> list[Candidate]:
    """Leftmost-longest selection among candidates whose normaliser accepts them."""
    cands.sort(key=lambda c: (-(c[1] - c[0]), c[2].index, c[0]))
    taken: list[tuple[int, int]] = []  # sorted, non-overlapping
    chosen = []
    for start, end, rule, m in cands:
        i = bisect.bisect_left(taken, (start, end))
        if i > 0 and taken[i - 1][1] > start:
            continue
        if i < len(taken) and taken[i][0] < end:
            continue
        taken.insert(i, (start, end))
        chosen.append((start, end, rule, m))
    chosen.sort(key=lambda c: c[0])
    return chosen
