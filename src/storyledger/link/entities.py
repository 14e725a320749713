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


def alias_of(name: str | None) -> str | None:
    """The canonical name the alias table gives ``name`` (case, a leading article and titles
    aside), or None when the table does not list it."""
    if not name or not name.strip():
        return None
    alias, _ = _tables()
    key = _key(name)
    return alias.get(key) or alias.get(_strip_titles(key))


@dataclass
class EntityIndex:
    """Maps names as written to canonical entity names, with the rule that decided."""

    resolved: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (name, rule)
    mentions: Counter[str] = field(default_factory=Counter)

    @classmethod
    def build(cls, names: Iterable[str], *, people: Iterable[str] | None = None,
              not_people: Iterable[str] = ()) -> EntityIndex:
        """Resolve every name in ``names``. ``people``, when given, are the names known to be
        persons (PERSON entities, speakers): only they take a lone surname; without it a name
        must look like a person's (two to four capitalised words, particles such as "al-"
        aside), so "Baghdadi" does not join "cub of Baghdadi", and must not be among
        ``not_people``, the names the text's entity labels call something else (an organisation,
        a nationality), so "Indian" does not join "Nuts Indian"."""
        alias, _ = _tables()
        index = cls()
        written: dict[str, str] = {}
        for name in names:
            if name and name.strip():
                written.setdefault(_key(name), name.strip())
        persons = {_strip_titles(_key(n)) for n in people if n and n.strip()} if people is not None else None
        others = {_strip_titles(_key(n)) for n in not_people if n and n.strip()}
        # Pass 1: the alias table, with and without titles ("President Donald Trump").
        local: dict[str, str] = {}
        shown: dict[str, str] = {}  # title-stripped key -> the name as first written, titles off
        for key in sorted(written):
            bare = _strip_titles(key)
            if key in alias:
                index.resolved[key] = (alias[key], "alias-table")
            elif bare in alias:
                index.resolved[key] = (alias[bare], "alias-table+title")
            else:
                local[key] = bare
                display = _title_case(written[key], bare)
                if bare not in shown or (shown[bare].islower() and not display.islower()):
                    shown[bare] = display  # a capitalised spelling wins over "igor konashenkov"
        # Pass 2: a lone surname joins the one multi-word personal name in the corpus ending with it.
        full_names: dict[str, set[str]] = {}
        for bare in local.values():
            words = bare.split()
            person = bare in persons if persons is not None else looks_personal(shown[bare]) and bare not in others
            if 2 <= len(words) <= 4 and person:
                full_names.setdefault(_surname(words[-1]), set()).add(bare)
        for canonical, _rule in list(index.resolved.values()):
            words = _key(canonical).split()
            if len(words) >= 2 and looks_personal(canonical):
                full_names.setdefault(_surname(words[-1]), set()).add(_key(canonical))
        for key, bare in sorted(local.items()):
            words = bare.split()
            targets = full_names.get(_surname(words[0]), ()) if len(words) == 1 else ()
            if len(targets) == 1:
                target = next(iter(targets))
                name = alias.get(target) or shown.get(target) or _title_case(target, target)
                index.resolved[key] = (name, "surname")
            else:
                name = alias.get(bare) or _outlet_spelling(written[key]) or shown[bare]
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


def _surname(word: str) -> str:
    """A surname without the particle it may be written with: "al-Sudani" and "Sudani" are one."""
    for particle in _particles():
        if word.startswith(particle) and len(word) > len(particle):
            return word[len(particle):]
    return word


@cache
def _particles() -> tuple[str, ...]:
    return tuple(load_json("attribution/lexicon.json")["surname_particles"])


_NAME_WORD = re.compile(r"^[A-Z][\w'’.-]*$")


def looks_personal(name: str) -> bool:
    """Two to four capitalised words ("Mohammed Shia al-Sudani", "Ilse Varga"): the shape of a
    person's name, which "cub of Baghdadi" does not have."""
    words = name.split()
    if not 2 <= len(words) <= 4:
        return False
    return all(_NAME_WORD.match(w) or (_surname(w) != w and _NAME_WORD.match(_surname(w)))
               for w in words)


@cache
def _outlets() -> dict[str, str]:
    """Outlets' own spellings by key ("new arab" -> "The New Arab")."""
    names = list(load_json("outlets.json").get("domains", {}).values())
    names += load_json("attribution/lexicon.json").get("outlets", [])
    return {_key(n): n for n in names}


def _outlet_spelling(written: str) -> str | None:
    return _outlets().get(_key(written))


def _title_case(written: str, key: str) -> str:
    """The name as written, without a leading article or title."""
    words = written.split()
    n = len(key.split())
    return " ".join(words[-n:]) if n <= len(words) else written
