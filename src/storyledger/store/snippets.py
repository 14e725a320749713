"""Search snippets whose cost is bounded, however long the document."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

# FTS5's snippet() scores a window at every instance of a matched phrase against every other
# instance: quadratic in the matches of one document, and one C call that no progress handler
# can interrupt (a multi-megabyte article took 10-50 s per search). So snippet() only ever sees a
# bounded text: the whole document when it is short, else passages of it.
SNIPPET_WHOLE_CHARS = 20_000  # documents up to this long: snippet() over the whole text
SNIPPET_PASSAGE_CHARS = 2_000  # longer ones are cut into passages of about this length …
SNIPPET_OVERLAP_CHARS = 200  # … each reaching this far into the next, so a phrase across a cut is kept
SNIPPET_SCAN_CHARS = 200_000  # and only this much of the text is looked at,
SNIPPET_BATCH_PASSAGES = 16  # this many passages at a time, stopping at the first batch that matches
_SCRATCH = "search_passages"


def search_snippet(db: sqlite3.Connection, query: str, seq: int, chars: int) -> tuple[str, str | None]:
    """The snippet of document ``seq`` for a full-text ``query`` (matches between \\x01 and \\x02),
    and a note when it was not found in the part of the document looked at.

    A long document's passages are indexed, a batch at a time, in a temporary FTS5 table of this
    connection (same columns and tokenizer as ``documents_fts``, so the query means the same);
    the best-ranked passage of the first batch that matches gives the snippet. Work per document
    is bounded by SNIPPET_SCAN_CHARS whatever its size.
    """
    if chars <= SNIPPET_WHOLE_CHARS:
        row = db.execute("SELECT snippet(documents_fts, 1, char(1), char(2), ' … ', 14) FROM documents_fts "
                         "WHERE documents_fts MATCH ? AND rowid = ?", (query, seq)).fetchone()
        return (row[0] if row else "") or "", None
    head = db.execute("SELECT substr(text, 1, ?) FROM documents WHERE seq = ?",
                      (SNIPPET_SCAN_CHARS, seq)).fetchone()[0] or ""
    db.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{_SCRATCH} USING fts5(title, text, "
               "tokenize='unicode61 remove_diacritics 2')")
    first_id = (db.execute(f"SELECT MAX(rowid) FROM temp.{_SCRATCH}").fetchone()[0] or 0) + 1
    passages = list(_passages(head, SNIPPET_PASSAGE_CHARS, SNIPPET_OVERLAP_CHARS))
    for batch in range(0, len(passages), SNIPPET_BATCH_PASSAGES):
        lo = first_id + batch
        rows = passages[batch:batch + SNIPPET_BATCH_PASSAGES]
        db.executemany(f"INSERT INTO temp.{_SCRATCH}(rowid, text) VALUES (?, ?)",
                       ((lo + i, text) for i, (_, text) in enumerate(rows)))
        best = db.execute(f"SELECT rowid FROM temp.{_SCRATCH} WHERE {_SCRATCH} MATCH ? AND rowid BETWEEN ? AND ? "
                          "ORDER BY rank LIMIT 1", (query, lo, lo + len(rows) - 1)).fetchone()
        if best is None:
            continue
        snippet = db.execute(f"SELECT snippet({_SCRATCH}, 1, char(1), char(2), ' … ', 14) FROM temp.{_SCRATCH} "
                             f"WHERE {_SCRATCH} MATCH ? AND rowid = ?", (query, best[0])).fetchone()[0] or ""
        start, text = passages[best[0] - first_id]
        if start > 0 and not snippet.startswith(" … "):
            snippet = " … " + snippet
        if start + len(text) < chars and not snippet.endswith(" … "):
            snippet += " … "
        return snippet, None
    opening = next(_passages(head, 100, 0), (0, ""))[1]
    return opening + " … ", (f"no passage in the first {min(chars, SNIPPET_SCAN_CHARS):,} characters matches "
                             "on its own; open the document to read the rest")


def _passages(text: str, size: int, overlap: int) -> Iterator[tuple[int, str]]:
    """(start, passage) pieces of ``text`` of about ``size`` characters, cut at white space, each
    reaching ``overlap`` characters into the next."""
    start, n = 0, len(text)
    while start < n:
        end = n if n - start <= size else _space_before(text, start + size, start + size // 2)
        yield start, text[start:end]
        if end >= n:
            return
        start = max(start + 1, _space_before(text, end - overlap, start + 1)) if overlap else end


def _space_before(text: str, at: int, floor: int) -> int:
    """The position just after the last white space before ``at`` (not before ``floor``), else ``at``."""
    cut = max(text.rfind(" ", floor, at), text.rfind("\n", floor, at))
    return cut + 1 if cut >= 0 else at
