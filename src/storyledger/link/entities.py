"""Entity resolution across documents: one name for the Pentagon, the DoD and the Department of
Defense. Aliases are data (resources/entities.json); names not listed are resolved inside the
corpus (a surname alone joins the one full name in the corpus that ends with it)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from ..resources import load_json

_POSSESSIVE = re.compile(r"['’]s?$")
_SPACE = re.compile(r"\s+")


def _key(name: str) -> str:
    text = _SPACE.sub(" ", name.strip().strip(".,;:\"'“”‘’()[]")).lower()
    text = re.sub(r"^(?:the|a|an) ", "", text)
    return _POSSESSIVE.sub("", text).strip()


@cache
def _tables() -> tuple[dict[str, str], tuple[str, ...]]:
    data = load_json("entities.json")
    alias: dict[str, str] = {}
    for canonical, names in data["aliases"].items():
        for name in (canonical, *names):
            alias[_key(name)] = canonical
    titles = tuple(sorted((_key(t) for t in data["titles"]), key=len, reverse=True))
    return alias, titles


def _strip_titles(key: str) -> str:
    _, titles = _tables()
    changed = True
    while changed:
        changed = False
        for title in titles:
            if key.startswith(title + " ") and len(key) > len(title) + 1:
                key = key[len(title) + 1:]
                changed = True
    return key


@dataclass
class EntityIndex:
    """Maps names as written to canonical entity names, with the rule that decided."""

    resolved: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (name, rule)
    mentions: Counter[str] = field(default_factory=Counter)

    @classmethod
    def build(cls, names: Iterable[str]) -> EntityIndex:
        alias, _ = _tables()
        index = cls()
        written: dict[str, str] = {}
        for name in names:
            if name and name.strip():
                written.setdefault(_key(name), name.strip())
        # Pass 1: the alias table, with and without titles ("President Donald Trump").
        local: dict[str, str] = {}
        for key in sorted(written):
            bare = _strip_titles(key)
            if key in alias:
                index.resolved[key] = (alias[key], "alias-table")
            elif bare in alias:
                index.resolved[key] = (alias[bare], "alias-table+title")
            else:
                local[key] = bare
        # Pass 2: a lone surname joins the one multi-word personal name in the corpus ending with it.
        full_names: dict[str, set[str]] = {}
        for bare in local.values():
            words = bare.split()
            if 2 <= len(words) <= 4 and all(w[:1].isalpha() for w in words):
                full_names.setdefault(words[-1], set()).add(bare)
        for canonical, _rule in list(index.resolved.values()):
            words = _key(canonical).split()
            if len(words) >= 2:
                full_names.setdefault(words[-1], set()).add(_key(canonical))
        for key, bare in sorted(local.items()):
            words = bare.split()
            if len(words) == 1 and len(full_names.get(words[0], ())) == 1:
                target = next(iter(full_names[words[0]]))
                name = alias.get(target) or _title_case(written.get(target) or target, target)
                index.resolved[key] = (name, "surname")
            else:
                name = alias.get(bare) or _title_case(written.get(bare) or written[key], bare)
                index.resolved[key] = (name, "self" if bare == key else "title-stripped")
        return index

    def resolve(self, name: str | None) -> str | None:
        if not name or not name.strip():
            return None
        key = _key(name)
        if key in self.resolved:
            return self.resolved[key][0]
        alias, _ = _tables()
        bare = _strip_titles(key)
        return alias.get(key) or alias.get(bare) or name.strip()

    def rule(self, name: str) -> str:
        return self.resolved.get(_key(name), (name, "self"))[1]


def _title_case(written: str, key: str) -> str:
    """The name as written, without a leading article or title."""
    words = written.split()
    n = len(key.split())
    return " ".join(words[-n:]) if n <= len(words) else written
