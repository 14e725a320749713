"""Measure names, forgiving of case and punctuation: "us troops syria" is "US troops · Syria"."""

from __future__ import annotations

import difflib
import sqlite3
from collections.abc import Iterable

from ..errors import QueryError


def normalised_name(text: str) -> str:
    """Lower case, letters and digits only, one space between words: "US troops · Syria" and
    "us troops syria" read the same."""
    return " ".join("".join(ch if ch.isalnum() else " " for ch in text.casefold()).split())


def measure_keys(db: sqlite3.Connection, table: str = "quantities") -> list[str]:
    """Every measure key of ``table`` ("quantities" or "series_points"), most values first."""
    name = "series_points" if table == "series_points" else "quantities"
    return [r[0] for r in db.execute(
        f"SELECT measure_key FROM {name} GROUP BY measure_key ORDER BY COUNT(*) DESC, measure_key")]  # noqa: S608


def matching_measures(keys: Iterable[str], text: str) -> list[str]:
    """The keys ``text`` names, case and punctuation aside: the one equal to it first, then every
    key holding each of its words ("US troops" finds "US troops · Syria" too; a word also matches
    a longer one it begins: "troop" finds "troops")."""
    wanted = normalised_name(text)
    keys = list(keys)
    exact = [k for k in keys if normalised_name(k) == wanted]
    if not wanted:
        return exact
    words = wanted.split()
    holding = [k for k in keys if k not in exact
               and all(any(part.startswith(w) for part in normalised_name(k).split()) for w in words)]
    return exact + holding


def measure_suggestions(keys: Iterable[str], text: str, count: int = 5) -> list[str]:
    """Keys close to ``text``: alike in spelling, or sharing its words."""
    by_name: dict[str, str] = {}
    for k in keys:
        by_name.setdefault(normalised_name(k), k)
    wanted = normalised_name(text)
    close = difflib.get_close_matches(wanted, list(by_name), n=count, cutoff=0.6)
    words = wanted.split()

    def shared(name: str) -> int:
        return sum(any(part.startswith(w) or w.startswith(part) for part in name.split()) for w in words)

    sharing = sorted((n for n in by_name if n not in close and shared(n)), key=lambda n: -shared(n))
    return [by_name[n] for n in [*close, *sharing][:count]]


def unknown_measure_message(text: str, keys: list[str],
                            listing: str = "leave --measure out to list every measure") -> str:
    suggestions = measure_suggestions(keys, text)
    hint = ("did you mean " + ", ".join(repr(s) for s in suggestions) + "?") if suggestions else \
        "no measure is alike"
    return f"no measure matches {text!r}: {hint} ({listing})"


def resolve_measures(db: sqlite3.Connection, text: str, table: str = "quantities") -> list[str]:
    """The measure keys ``text`` names (see matching_measures); a QueryError saying which keys
    are alike when it names none."""
    keys = measure_keys(db, table)
    found = matching_measures(keys, text)
    if not found:
        raise QueryError(unknown_measure_message(text, keys))
    return found
