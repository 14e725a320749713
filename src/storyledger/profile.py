"""Profiles: the story-specific knowledge a user brings, kept out of the package.

The package's resources hold general knowledge only: real outlets' taglines and domains, aliases of
real institutions.  What belongs to one story or one corpus (the taglines of the sites a corpus was
scraped from, the nicknames its articles give people and places) goes in a profile file, passed with
``storyledger build … --profile FILE`` (and ``storyledger link --profile FILE``).  A profile adds to
the resources; it never removes from them.

A profile is TOML (``.toml``) or JSON (any other name) with any of these keys (in TOML, plain keys
such as ``titles`` come before the first table, or they belong to that table)::

    titles = ["harbourmaster"]      # words dropped before a name ("Harbourmaster Ilse Varga")

    # lines a site prints on every page: removed as boilerplate, and they name the outlet
    [[taglines]]
    pattern = 'harbour gazette\\s*[-–—|:]\\s*.{0,120}'   # a regular expression, full line, any case
    outlet = "Harbour Gazette"

    [domains]                       # a URL's registered domain -> the outlet's name
    "harbourgazette.example" = "Harbour Gazette"

    [aliases]                       # canonical entity name -> names it goes by
    "Port of Kessin" = ["Kessin port", "the port"]

Keys starting with ``_`` are comments (for JSON).  Anything else is an error naming the file and
the key.  ``taglines`` and ``domains`` extend ``resources/outlets.json``; ``aliases`` and ``titles``
extend ``resources/entities.json`` (an alias list for a canonical name the package knows is added to
the package's list).

How it reaches the code: :func:`activate` hands the profile to :mod:`storyledger.resources`, whose
``load_json`` returns each resource with the profile merged in, so no function takes a profile
argument.  It also sets the ``STORYLEDGER_PROFILE`` environment variable to the file's absolute
path: worker processes started after it (a local pool, a Dask ``LocalCluster``) read the same
profile when they first load a resource.  Workers of a cluster started elsewhere
(``--scheduler``) need the variable set in their own environment.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from pathlib import Path
from typing import Any

from . import resources
from .errors import StoryledgerError

ENV_VAR = "STORYLEDGER_PROFILE"

# profile key -> the resource it extends
SECTIONS = {"taglines": "outlets.json", "domains": "outlets.json",
            "aliases": "entities.json", "titles": "entities.json"}


class ProfileError(StoryledgerError):
    """A profile file could not be read or says something this version does not understand."""


def _fail(path: Path, where: str, what: str) -> ProfileError:
    return ProfileError(f"profile {path}: {where}: {what} (see docs/profile.md for the format)")


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def _check_taglines(path: Path, value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list):
        raise _fail(path, "taglines", "must be a list of {pattern, outlet} tables")
    out = []
    for i, item in enumerate(value):
        where = f"taglines[{i}]"
        if not isinstance(item, dict) or set(item) != {"pattern", "outlet"}:
            raise _fail(path, where, "needs exactly the keys 'pattern' and 'outlet'")
        if not all(isinstance(item[k], str) and item[k].strip() for k in ("pattern", "outlet")):
            raise _fail(path, where, "'pattern' and 'outlet' must be non-empty strings")
        try:
            re.compile(item["pattern"], re.IGNORECASE)
        except re.error as exc:
            raise _fail(path, where, f"pattern is not a valid regular expression ({exc})") from None
        out.append({"pattern": item["pattern"], "outlet": item["outlet"].strip()})
    return out


def _check_domains(path: Path, value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) and v.strip()
                                              for k, v in value.items()):
        raise _fail(path, "domains", "must map domain names to outlet names (strings)")
    return {k.strip().lower().removeprefix("www."): v.strip() for k, v in value.items()}


def _check_aliases(path: Path, value: Any) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        raise _fail(path, "aliases", "must map each canonical name to a list of names")
    for name, names in value.items():
        if not name.strip() or not _strings(names):
            raise _fail(path, f"aliases[{name!r}]", "must be a list of non-empty strings")
    return {k.strip(): [n.strip() for n in v] for k, v in value.items()}


def _check_titles(path: Path, value: Any) -> list[str]:
    if not _strings(value):
        raise _fail(path, "titles", "must be a list of non-empty strings")
    return [t.strip() for t in value]


_CHECKS = {"taglines": _check_taglines, "domains": _check_domains,
           "aliases": _check_aliases, "titles": _check_titles}


def read_profile(path: str | Path) -> dict[str, dict[str, Any]]:
    """Read and check a profile; return what it adds, by resource name
    (``{"outlets.json": {"taglines": [...]}, ...}``).  Raises :class:`ProfileError`."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ProfileError(f"profile {path}: cannot be read ({exc.strerror or exc}); "
                           "check the path given to --profile") from None
    try:
        if path.suffix.lower() == ".toml":
            data = tomllib.loads(raw.decode("utf-8"))
        else:
            data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        kind = "TOML" if path.suffix.lower() == ".toml" else "JSON"
        raise ProfileError(f"profile {path}: not valid UTF-8 {kind} ({exc}); fix the file "
                           "(a profile named *.toml is read as TOML, any other as JSON)") from None
    if not isinstance(data, dict):
        raise _fail(path, "top level", "must be a table (TOML) or an object (JSON)")
    overlays: dict[str, dict[str, Any]] = {}
    for key, value in data.items():
        if key.startswith("_"):
            continue
        if key not in SECTIONS:
            raise _fail(path, key, f"unknown key; a profile has {', '.join(SECTIONS)}")
        overlays.setdefault(SECTIONS[key], {})[key] = _CHECKS[key](path, value)
    return overlays


def activate(path: str | Path | None) -> None:
    """Make ``path`` the profile of this process and of the processes it starts (``None``: no
    profile).  Every lookup built from the resources a profile extends is rebuilt on next use."""
    if path is None:
        overlays: dict[str, dict[str, Any]] = {}
        os.environ.pop(ENV_VAR, None)
    else:
        overlays = read_profile(path)
        os.environ[ENV_VAR] = str(Path(path).resolve())
    resources.set_overlays(overlays)
    _clear_lookups()


def _clear_lookups() -> None:
    # The tables these modules build once per process from outlets.json and entities.json.
    from .ingest import hygiene, lines
    from .link import entities

    hygiene.taglines.cache_clear()
    lines.lexicon.cache_clear()
    entities._tables.cache_clear()
