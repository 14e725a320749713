"""Word lists, patterns and tables as data files, loaded once per process: the one way any module
reads them.

A user's profile (:mod:`storyledger.profile`) may extend the JSON ones; :func:`load_json` returns
each with the active profile's additions merged in. :func:`read_table` reads the tab-separated
tables (cue verbs, time patterns) as rows.
"""

from __future__ import annotations

import json
import os
from functools import cache
from importlib import resources
from typing import Any

# resource name -> what the active profile adds to it; None until the first load, when the
# profile named by STORYLEDGER_PROFILE (set by --profile, inherited by worker processes) is read.
_overlays: dict[str, dict[str, Any]] | None = None


def set_overlays(overlays: dict[str, dict[str, Any]]) -> None:
    """Replace the active profile's additions (see :func:`storyledger.profile.activate`)."""
    global _overlays
    _overlays = overlays
    load_json.cache_clear()


def _active_overlays() -> dict[str, dict[str, Any]]:
    global _overlays
    if _overlays is None:
        path = os.environ.get("STORYLEDGER_PROFILE")
        if path:
            from ..profile import read_profile

            _overlays = read_profile(path)
        else:
            _overlays = {}
    return _overlays


def merge(base: Any, extra: Any) -> Any:
    """``base`` extended by ``extra``: tables merged key by key, lists concatenated, other values
    replaced."""
    if isinstance(base, dict) and isinstance(extra, dict):
        return {**base, **{k: merge(base[k], v) if k in base else v for k, v in extra.items()}}
    if isinstance(base, list) and isinstance(extra, list):
        return base + [v for v in extra if v not in base]
    return extra


def active_profile() -> dict[str, dict[str, Any]]:
    """The active profile's overlays by resource name (empty without a profile)."""
    return dict(_active_overlays())


@cache
def load_json(name: str, *, with_profile: bool = True) -> Any:
    """Return the parsed JSON resource ``name`` (a path relative to this package), extended by the
    active profile unless ``with_profile`` is false (a trained model's own vocabulary)."""
    data = json.loads(resources.files(__name__).joinpath(name).read_text(encoding="utf-8"))
    overlay = _active_overlays().get(name) if with_profile else None
    return merge(data, overlay) if overlay else data


@cache
def read_table(name: str) -> tuple[tuple[str, ...], ...]:
    """The rows of the tab-separated resource ``name``, blank lines and ``#`` comments skipped."""
    text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    return tuple(tuple(line.split("\t")) for line in text.splitlines()
                 if line.strip() and not line.startswith("#"))
