"""The one filter vocabulary (records.Filters) as SQL conditions, for every listing that reads the
ledger: the command line's, the web app's, the report's. Each builder returns (conditions,
parameters): conditions are constants of this module, every value a bound parameter."""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from ..errors import QueryError
from ..records import Filters
from .measures import matching_measures, measure_keys

Conditions = tuple[list[str], list[Any]]

_LIKE = "LIKE ? ESCAPE '\\'"


def contains_pattern(value: str) -> str:
    """A LIKE pattern for "contains ``value``", its own % and _ matched literally."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# -- search text ------------------------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W_]+")  # what FTS5's unicode61 tokenizer keeps: runs of letters and digits
_UNIT = re.compile(r'"([^"]*)"|(\S+)')
_POSSESSIVE = re.compile(r"['’`]s?(?=\W*$)", re.IGNORECASE)


def match_expression(text: str, syntax: str | None = None) -> str:
    """The FTS5 query for search ``text``. With ``syntax="fts"`` the text is FTS5 syntax as it is.
    Otherwise it is what people type: words that must all occur, "quoted phrases", and a
    trailing * for words that begin so; a possessive 's is dropped (Pentagon's -> "pentagon");
    other punctuation inside a word joins its parts into a phrase the way the index split them
    (U.S. -> "u s", 1,723 -> "1 723", al-Omar -> "al omar"), so nothing typed is a syntax error."""
    if syntax == "fts":
        return text
    parts = []
    for m in _UNIT.finditer(text):
        phrase, word = m.group(1), m.group(2)
        if word is not None:
            word = _POSSESSIVE.sub("", word)  # "Pentagon's" finds the Pentagon, with or without the 's
        tokens = _TOKEN.findall(phrase if phrase is not None else word)
        if not tokens:
            continue
        quoted = '"' + " ".join(tokens) + '"'
        parts.append(quoted + ("*" if word is not None and word.endswith("*") else ""))
    if not parts:
        raise QueryError(f"search: {text[:60]!r} has no letters or digits to look for; type a word, a number "
                         'or a "phrase in quotes"')
    return " ".join(parts)


# What SQLite says of a full-text query it cannot parse (an unknown column is a "col:word" filter).
_FTS_SYNTAX_ERRORS = ("fts5: syntax error", "unterminated string", "no such column", "unknown special query")


def run_search(db: sqlite3.Connection, sql: str, params: list[Any], f: Filters) -> list[sqlite3.Row]:
    """Rows of ``sql``. Only text given in FTS5 syntax can be a syntax error (plain text is
    quoted word by word): that error becomes a QueryError saying what to do; any other database
    error is raised as it is."""
    try:
        return db.execute(sql, params).fetchall()
    except sqlite3.OperationalError as error:
        if f.q and f.syntax == "fts" and any(text in str(error) for text in _FTS_SYNTAX_ERRORS):
            raise QueryError(
                f"search query {f.q!r} is not valid full-text syntax ({error}). Search without the "
                "full-text syntax option to look for the words as typed, or put them in double quotes, "
                'e.g. "troop withdrawal"') from None
        raise


# -- conditions -------------------------------------------------------------------------------------

def document_conditions(f: Filters, alias: str = "d") -> Conditions:
    """Search text, outlet, dates and document, on the documents table (or its alias)."""
    where: list[str] = []
    params: list[Any] = []
    if f.q:
        where.append(f"{alias}.seq IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)")
        params.append(match_expression(f.q, f.syntax))
    if f.doc_id:
        where.append(f"{alias}.id = ?")
        params.append(f.doc_id)
    if f.outlet:
        where.append(f"{alias}.outlet = ?")
        params.append(f.outlet)
    if f.date_from:
        where.append(f"{alias}.published >= ?")
        params.append(f.date_from)
    if f.date_to:
        where.append(f"{alias}.published <= ?")
        params.append(f.date_to + "~")  # "2020-11" includes every day of November
    return where, params


def claim_conditions(db: sqlite3.Connection, f: Filters) -> Conditions:
    """Claims (alias x) of documents (alias d): polarity, modality, source, proposition text,
    and the stance linking gave them on any thread."""
    where, params = document_conditions(f)
    for column, value in (("x.polarity", f.polarity), ("x.modality", f.modality)):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    _contains(("x.source",), f.source, where, params)
    _contains(("x.proposition",), f.text, where, params)
    if f.stance:
        if not has_table(db, "thread_claims"):
            raise QueryError("stance filter: this ledger has no claim stances yet; link the corpus first "
                             "(`storyledger link`), or leave the stance filter empty")
        where.append("EXISTS (SELECT 1 FROM thread_claims tc WHERE tc.doc_id = x.doc_id "
                     "AND tc.claim_id = x.claim_id AND tc.stance = ?)")
        params.append(f.stance)
    return where, params


def attribution_conditions(f: Filters) -> Conditions:
    """Attributions (alias x): kind, source (as written or resolved), content text."""
    where, params = document_conditions(f)
    _any_of("x.kind", f.kinds(), where, params)
    _contains(("x.source_text", "x.source_name"), f.source, where, params)
    _contains(("x.content_text",), f.text, where, params)
    return where, params


def quantity_conditions(db: sqlite3.Connection, f: Filters) -> Conditions:
    """Quantities (alias x): the measures ``f.measure`` names (see measures.matching_measures),
    source, kind."""
    where, params = document_conditions(f)
    if f.measure:
        keys = matching_measures(measure_keys(db), f.measure)
        where.append(f"x.measure_key IN ({', '.join('?' * len(keys)) or 'NULL'})")
        params += keys
    _contains(("x.source",), f.source, where, params)
    _any_of("x.kind", f.kinds(), where, params)
    return where, params


def time_conditions(f: Filters) -> Conditions:
    """Time expressions (alias t): TIMEX3 types (``f.kind``)."""
    where, params = document_conditions(f)
    _any_of("t.type", f.kinds(), where, params)
    return where, params


def _any_of(column: str, values: tuple[str, ...], where: list[str], params: list[Any]) -> None:
    """``column`` is one of ``values`` (no condition when none is given); ``column`` is a constant."""
    if values:
        where.append(f"{column} IN ({', '.join('?' * len(values))})")
        params += values


def _contains(columns: tuple[str, ...], value: str | None, where: list[str], params: list[Any]) -> None:
    """One of ``columns`` contains ``value`` (no condition when it is not given); ``columns`` are constants."""
    if value:
        where.append("(" + " OR ".join(f"{column} {_LIKE}" for column in columns) + ")")
        params += [contains_pattern(value)] * len(columns)


def where_sql(where: list[str]) -> str:
    return (" WHERE " + " AND ".join(where)) if where else ""


def has_table(db: sqlite3.Connection, name: str) -> bool:
    """Whether the ledger has this table: a read-only connection to a ledger an older version
    wrote sees its older schema until a build migrates it."""
    return db.execute("SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?",
                      (name,)).fetchone() is not None
