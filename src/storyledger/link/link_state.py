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


def write_link_state(ledger: Ledger, fingerprint: str, followed: list[str]) -> None:
    with ledger.transaction() as db:
        db.executemany("INSERT OR REPLACE INTO link_state (key, value) VALUES (?, ?)",
                       [(FINGERPRINT_KEY, fingerprint), (FOLLOWED_KEY, json.dumps(sorted(followed)))])


def read_link_state(ledger: Ledger) -> tuple[str | None, set[str]]:
    """(fingerprint, thread ids followed) of the last relink; (None, empty) before any."""
    state = dict(ledger.db.execute("SELECT key, value FROM link_state").fetchall())
    return state.get(FINGERPRINT_KEY), set(json.loads(state.get(FOLLOWED_KEY, "[]")))
