"""The library's exception types. The CLI turns them into one-line messages at the edge."""

from __future__ import annotations


class StoryledgerError(Exception):
    """Base class: every error the library raises on purpose."""


class InputError(StoryledgerError):
    """An input (a file or one record in it) could not be read.

    ``reason`` says what is wrong; ``hint`` says what the user can do about it.
    """

    def __init__(self, reason: str, hint: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.hint = hint


class LedgerError(StoryledgerError):
    """The ledger database is missing, newer than this version, or inconsistent."""


class QueryError(StoryledgerError):
    """A user query (for example full-text search syntax) could not be run."""
