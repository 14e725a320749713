"""What a ledger's stored links were built from, so that a later command can tell whether they
still hold: the documents (ids, order, dates, outlets, estimates, copies, extractor version),
how many records of each kind each document has and how long their data is, the stance model,
the profile, storyledger's version, and the threads the user followed.

`storyledger track` on a ledger whose links hold (nothing changed since the last relink but
the propositions it adds) computes the new threads alone (:mod:`.follow`), with results equal to a
relink's; any difference in the fingerprint sends it through a full relink instead.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ..store.ledger import Ledger

FINGERPRINT_KEY = "fingerprint"
FOLLOWED_KEY = "followed"
RESOLVED_KEY = "resolved"


def link_fingerprint(ledger: Ledger, model: Any) -> str:
    """A hash of everything the links are computed from, except the threads the user follows."""
    from .. import __version__, resources

    digest = hashlib.sha256(f"storyledger {__version__}\n".encode())
    for row in ledger.db.execute(
            "SELECT seq, id, duplicate_of, published, outlet, date_estimate, extracted_version "
            "FROM documents ORDER BY seq"):
        digest.update(json.dumps(list(row), default=str).encode())
    for table in ("claims", "attributions", "quantities"):
        digest.update(json.dumps(list(ledger.db.execute(
            f"SELECT count(*), total(length(data)) FROM {table}").fetchone())).encode())  # noqa: S608 - fixed names
    digest.update(_model_identity(model).encode())
    digest.update(json.dumps(getattr(resources, "_overlays", None) or {}, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def _model_identity(model: Any) -> str:
    """The stance model's metadata and a hash of its weights (two trainings differ in both)."""
    weights = getattr(model, "w", None) or {}
    h = hashlib.sha256(json.dumps(getattr(model, "meta", {}), sort_keys=True, default=str).encode())
    for name in sorted(weights):
        h.update(name.encode())
        h.update(weights[name].tobytes())
    return h.hexdigest()


def write_link_state(ledger: Ledger, fingerprint: str, followed: list[str],
                     resolved: dict[str, tuple[str, str]] | None = None) -> None:
    """Record the fingerprint and the threads followed; with ``resolved``, the entity index's
    resolutions too (every name of the corpus: rebuilding them is most of what a tracked
    proposition costs on a large ledger)."""
    rows = [(FINGERPRINT_KEY, fingerprint), (FOLLOWED_KEY, json.dumps(sorted(followed)))]
    if resolved is not None:
        rows.append((RESOLVED_KEY, json.dumps({key: name for key, (name, _) in resolved.items()},
                                              ensure_ascii=False, sort_keys=True)))
    with ledger.transaction() as db:
        db.executemany("INSERT OR REPLACE INTO link_state (key, value) VALUES (?, ?)", rows)


def read_resolved(ledger: Ledger) -> dict[str, str] | None:
    """The entity index's resolutions (name key -> canonical name) of the last relink, if kept."""
    row = ledger.db.execute("SELECT value FROM link_state WHERE key = ?", (RESOLVED_KEY,)).fetchone()
    return json.loads(row[0]) if row else None


def read_link_state(ledger: Ledger) -> tuple[str | None, set[str]]:
    """(fingerprint, thread ids followed) of the last relink; (None, empty) before any."""
    state = dict(ledger.db.execute("SELECT key, value FROM link_state WHERE key IN (?, ?)",
                                   (FINGERPRINT_KEY, FOLLOWED_KEY)).fetchall())
    return state.get(FINGERPRINT_KEY), set(json.loads(state.get(FOLLOWED_KEY, "[]")))
