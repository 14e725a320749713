"""Tracking propositions: a user's threads, many at once, placed in one relink, or without one when
the ledger's links hold (:mod:`.follow`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..store.ledger import Ledger
from ..store.links import add_user_thread
from .corpus import LinkReport, relink, user_thread_id
from .follow import follow_new
from .stance import default_model


def track_propositions(ledger: Ledger, propositions: Iterable[str], *, stance_model: Any = None,
                       report: LinkReport | None = None) -> dict[str, str]:
    """Add each proposition as a user thread and relink once; each proposition's thread id."""
    ids = {}
    for proposition in propositions:
        text = " ".join(proposition.split())
        if text:
            ids[proposition] = user_thread_id(text)
            add_user_thread(ledger, ids[proposition], text)
    model = stance_model or default_model()
    # On a ledger whose links hold, the new threads alone (the same result as a relink).
    done = follow_new(ledger, model) or relink(ledger, stance_model=model)
    if report is not None:
        report.__dict__.update(done.__dict__)
    return ids


def read_propositions(path: str) -> list[str]:
    """The propositions of a file, one per line; blank lines and lines starting with # are skipped."""
    with open(path, encoding="utf-8-sig") as fh:
        return [line.strip() for line in fh if line.strip() and not line.lstrip().startswith("#")]
