"""Versioned schema migrations. Append new versions; never edit a released one."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

# A migration's steps: SQL statements, or a function for a change SQL cannot say in place.
Migration = list[str | Callable[[sqlite3.Connection], None]]

MIGRATIONS: list[Migration] = [
    # 1: documents, what hygiene removed from them, full-text search, and the inputs read.
    [
        """CREATE TABLE documents (
            seq INTEGER PRIMARY KEY,           -- insertion order; the FTS rowid
            id TEXT NOT NULL UNIQUE,           -- content hash of the original text
            external_id TEXT,
            title TEXT,
            outlet TEXT,
            outlet_source TEXT,
            byline TEXT,
            dateline TEXT,
            published TEXT,                    -- ISO date, NULL when undated
            published_source TEXT NOT NULL CHECK (published_source IN ('metadata','html','text','none')),
            published_evidence TEXT,
            url TEXT,
            path TEXT NOT NULL,
            record TEXT,
            original TEXT NOT NULL,
            text TEXT NOT NULL,
            offset_map TEXT NOT NULL,          -- JSON [[clean_start, original_start, length], ...]
            duplicate_of TEXT REFERENCES documents(id),
            minhash BLOB,
            added_at TEXT NOT NULL
        )""",
        "CREATE INDEX documents_outlet ON documents(outlet)",
        "CREATE INDEX documents_published ON documents(published)",
        "CREATE INDEX documents_path ON documents(path)",
        """CREATE TABLE removed_spans (
            doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,            -- offsets into documents.original
            end INTEGER NOT NULL,
            reason TEXT NOT NULL,
            rule TEXT NOT NULL,
            text TEXT NOT NULL
        )""",
        "CREATE INDEX removed_spans_doc ON removed_spans(doc_id)",
        """CREATE VIRTUAL TABLE documents_fts USING fts5(
            title, text, content='documents', content_rowid='seq', tokenize='unicode61 remove_diacritics 2'
        )""",
        """CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN
            INSERT INTO documents_fts(rowid, title, text) VALUES (new.seq, new.title, new.text);
        END""",
        """CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN
            INSERT INTO documents_fts(documents_fts, rowid, title, text)
            VALUES ('delete', old.seq, old.title, old.text);
        END""",
        """CREATE TABLE inputs (
            path TEXT PRIMARY KEY,
            sha256 TEXT NOT NULL,
            documents INTEGER NOT NULL,
            reader_version TEXT NOT NULL,      -- re-read when the readers or hygiene change
            read_at TEXT NOT NULL
        )""",
    ],
]

MIGRATIONS.append([
    # 2: per-document extractions. Core fields are columns (for filters and joins); the whole
    # record is kept as JSON in `data`, so every field an extractor reports survives.
    """CREATE TABLE time_expressions (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        start INTEGER NOT NULL,                -- offsets into documents.text
        end INTEGER NOT NULL,
        text TEXT NOT NULL,
        type TEXT NOT NULL,                    -- DATE, TIME, DURATION, SET
        value TEXT,                            -- TIMEX3 value
        anchor TEXT,
        resolved INTEGER NOT NULL,
        rule TEXT NOT NULL
    )""",
    "CREATE INDEX time_expressions_doc ON time_expressions(doc_id)",
    "CREATE INDEX time_expressions_value ON time_expressions(value)",
    """CREATE TABLE attributions (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        attribution_id TEXT NOT NULL,          -- unique within the document: "a3"
        parent_id TEXT,                        -- the attribution this one is nested in
        kind TEXT NOT NULL,                    -- speech, report, belief, intention, perception
        form TEXT NOT NULL,                    -- direct, indirect, mixed
        source_text TEXT,
        source_name TEXT,
        anonymous INTEGER NOT NULL,
        cue_text TEXT NOT NULL,
        content_start INTEGER NOT NULL,
        content_end INTEGER NOT NULL,
        content_text TEXT NOT NULL,
        hedged INTEGER NOT NULL,
        rule TEXT NOT NULL,
        data TEXT NOT NULL,                    -- the whole record as JSON (spans with offsets)
        PRIMARY KEY (doc_id, attribution_id)
    )""",
    "CREATE INDEX attributions_source ON attributions(source_name)",
    "CREATE INDEX attributions_kind ON attributions(kind)",
    """CREATE TABLE quantities (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        quantity_id TEXT NOT NULL,             -- "q3"
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        text TEXT NOT NULL,
        value REAL, low REAL, high REAL,
        approx TEXT,
        unit TEXT,
        counted TEXT,
        measure_key TEXT NOT NULL,
        kind TEXT NOT NULL,
        as_of TEXT,
        as_of_source TEXT,                     -- text / publication / NULL
        attribution_id TEXT,
        source TEXT,
        data TEXT NOT NULL,
        PRIMARY KEY (doc_id, quantity_id)
    )""",
    "CREATE INDEX quantities_measure ON quantities(measure_key)",
    """CREATE TABLE claims (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        claim_id TEXT NOT NULL,                -- "c4"
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        proposition TEXT NOT NULL,
        polarity TEXT NOT NULL,                -- affirmed / negated
        modality TEXT NOT NULL,                -- fact / plan / prediction / demand / condition
        hedged INTEGER NOT NULL,
        attribution_id TEXT,
        source TEXT,
        as_of TEXT,
        as_of_source TEXT,
        rule TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (doc_id, claim_id)
    )""",
    "CREATE INDEX claims_source ON claims(source)",
    # Documents extracted by an older extractor version are extracted again on the next build.
    "ALTER TABLE documents ADD COLUMN extracted_version TEXT",
    # For undated documents: {earliest, latest, evidence} read from the text, never a date.
    "ALTER TABLE documents ADD COLUMN date_estimate TEXT",
])

MIGRATIONS.append([
    # 3: corpus links, rebuilt from the per-document records whenever documents are added.
    # Every decision keeps the rule that made it (`rule`) and, where there is one, a score.
    """CREATE TABLE claim_embeddings (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        claim_id TEXT NOT NULL,
        model TEXT NOT NULL,
        text_hash TEXT NOT NULL,               -- the embedded text's hash: re-embed when it changes
        vector BLOB NOT NULL,                  -- float32, L2-normalised
        PRIMARY KEY (doc_id, claim_id)
    )""",
    """CREATE TABLE user_threads (
        thread_id TEXT PRIMARY KEY,            -- asked for with `storyledger track`; kept across relinks
        proposition TEXT NOT NULL,
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE threads (
        thread_id TEXT PRIMARY KEY,
        origin TEXT NOT NULL CHECK (origin IN ('auto','user')),
        label TEXT NOT NULL,
        proposition TEXT NOT NULL,
        event TEXT,                            -- event family (resources/link/events.json)
        entities TEXT NOT NULL,                -- JSON list of resolved entity names
        first_doc_id TEXT, first_claim_id TEXT, first_date TEXT,
        claims INTEGER NOT NULL, documents INTEGER NOT NULL,
        rule TEXT NOT NULL,
        data TEXT NOT NULL
    )""",
    """CREATE TABLE thread_claims (
        thread_id TEXT NOT NULL REFERENCES threads(thread_id) ON DELETE CASCADE,
        doc_id TEXT NOT NULL, claim_id TEXT NOT NULL,
        stance TEXT NOT NULL CHECK (stance IN ('supports','denies','discusses','unrelated')),
        hedged INTEGER NOT NULL,
        score REAL NOT NULL,                   -- confidence in the stance
        relevance REAL NOT NULL,               -- why the claim is on the thread, as a number
        date TEXT,                             -- the claim's time (as-of, else the document's date)
        source TEXT,                           -- resolved source entity
        rule TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (thread_id, doc_id, claim_id)
    )""",
    "CREATE INDEX thread_claims_claim ON thread_claims(doc_id, claim_id)",
    """CREATE TABLE thread_documents (
        thread_id TEXT NOT NULL REFERENCES threads(thread_id) ON DELETE CASCADE,
        doc_id TEXT NOT NULL,
        stance TEXT NOT NULL, hedged INTEGER NOT NULL, score REAL NOT NULL,
        rule TEXT NOT NULL,
        PRIMARY KEY (thread_id, doc_id)
    )""",
    """CREATE TABLE denial_links (
        doc_id TEXT NOT NULL, claim_id TEXT NOT NULL,           -- the denial
        denied_doc_id TEXT NOT NULL, denied_claim_id TEXT NOT NULL,  -- the report it denies
        score REAL NOT NULL,
        rule TEXT NOT NULL,
        PRIMARY KEY (doc_id, claim_id, denied_doc_id, denied_claim_id)
    )""",
    """CREATE TABLE contradictions (
        thread_id TEXT NOT NULL REFERENCES threads(thread_id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('disagreement','change_over_time')),
        a_doc_id TEXT NOT NULL, a_claim_id TEXT NOT NULL,       -- the earlier (or the report)
        b_doc_id TEXT NOT NULL, b_claim_id TEXT NOT NULL,       -- the later (or the denial)
        days REAL,                                              -- b's date minus a's, when both known
        rule TEXT NOT NULL,
        data TEXT NOT NULL
    )""",
    "CREATE INDEX contradictions_thread ON contradictions(thread_id)",
    """CREATE TABLE series_points (
        measure_key TEXT NOT NULL,
        doc_id TEXT NOT NULL, quantity_id TEXT NOT NULL,
        value REAL, low REAL, high REAL,                        -- the interval the value stands for
        approx TEXT,
        as_of TEXT,                                             -- ISO date (day, month or year)
        as_of_source TEXT,
        source TEXT,                                            -- resolved source entity
        conflict INTEGER NOT NULL,
        rule TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (measure_key, doc_id, quantity_id)
    )""",
    """CREATE TABLE series_conflicts (
        measure_key TEXT NOT NULL,
        window TEXT,
        a_doc_id TEXT NOT NULL, a_quantity_id TEXT NOT NULL,
        b_doc_id TEXT NOT NULL, b_quantity_id TEXT NOT NULL,
        rule TEXT NOT NULL,
        data TEXT NOT NULL
    )""",
    "CREATE INDEX series_conflicts_measure ON series_conflicts(measure_key)",
    """CREATE TABLE entities (
        entity_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        rule TEXT NOT NULL,                    -- alias-table / surname / self
        mentions INTEGER NOT NULL
    )""",
    """CREATE TABLE entity_aliases (
        entity_id TEXT NOT NULL REFERENCES entities(entity_id) ON DELETE CASCADE,
        alias TEXT NOT NULL,
        rule TEXT NOT NULL,
        PRIMARY KEY (entity_id, alias)
    )""",
    """CREATE TABLE entity_mentions (
        entity_id TEXT NOT NULL REFERENCES entities(entity_id) ON DELETE CASCADE,
        doc_id TEXT NOT NULL,
        item_id TEXT NOT NULL,                 -- claim or attribution id
        role TEXT NOT NULL,                    -- source / entity
        text TEXT NOT NULL
    )""",
    "CREATE INDEX entity_mentions_entity ON entity_mentions(entity_id)",
    """CREATE TABLE track_records (
        kind TEXT NOT NULL CHECK (kind IN ('outlet','source')),
        name TEXT NOT NULL,
        claims INTEGER NOT NULL,
        supported INTEGER NOT NULL,            -- later supported by another source
        denied INTEGER NOT NULL,               -- later denied or contradicted
        median_days_to_denial REAL,
        rule TEXT NOT NULL,
        data TEXT NOT NULL,                    -- per-claim outcomes, citation chains
        PRIMARY KEY (kind, name)
    )""",
])

MIGRATIONS.append([
    # 4: documents whose extraction failed (an extractor raised, or ran past its time budget).
    # The document stays stored and searchable; this says why it has no claims.
    """CREATE TABLE extraction_problems (
        doc_id TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
        stage TEXT NOT NULL,                   -- parse / time / attribution / quantities / claims / dating
        kind TEXT NOT NULL CHECK (kind IN ('error','timeout')),
        message TEXT NOT NULL,
        extractor_version TEXT,
        at TEXT NOT NULL
    )""",
])


# SQLite cannot change a CHECK constraint in place. The 12-step table rebuild from the SQLite
# manual ("Making Other Kinds Of Table Schema Changes"), done from the table's own stored SQL so
# that every column earlier migrations added is carried over, and run by the ledger with foreign
# keys off (a DROP TABLE with them on would cascade-delete every record of every document).
_OLD_PUBLISHED_CHECK = "CHECK (published_source IN ('metadata','html','text','none'))"
_NEW_PUBLISHED_CHECK = "CHECK (published_source IN ('user','sidecar','metadata','html','text','none'))"


def _widen_published_source(db: sqlite3.Connection) -> None:
    table_sql = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'documents'").fetchone()[0]
    if _OLD_PUBLISHED_CHECK not in table_sql:
        raise sqlite3.DatabaseError("documents.published_source has an unexpected CHECK constraint; "
                                    "this ledger was not made by storyledger's migrations")
    attached = [row[0] for row in db.execute(
        "SELECT sql FROM sqlite_master WHERE tbl_name = 'documents' AND type IN ('index', 'trigger') "
        "AND sql IS NOT NULL ORDER BY type, name")]
    columns = ", ".join(f'"{row[1]}"' for row in db.execute("SELECT * FROM pragma_table_info('documents')"))
    new_sql = table_sql.replace(_OLD_PUBLISHED_CHECK, _NEW_PUBLISHED_CHECK) \
        .replace("CREATE TABLE documents", "CREATE TABLE documents_rebuilt", 1)
    db.execute(new_sql)
    db.execute(f"INSERT INTO documents_rebuilt ({columns}) SELECT {columns} FROM documents")  # seq kept: FTS rowids
    db.execute("DROP TABLE documents")
    db.execute("ALTER TABLE documents_rebuilt RENAME TO documents")
    for statement in attached:
        db.execute(statement)


MIGRATIONS.append([
    # 5: corrections after ingest, and every input record of a document.
    # A date (or outlet, title, author, url) can be set by the user (`storyledger set`,
    # published_source 'user') or by a metadata sidecar (`build --metadata`, 'sidecar').
    _widen_published_source,
    # A corrected title must reach the full-text index (the text itself never changes).
    """CREATE TRIGGER documents_fts_update AFTER UPDATE OF title, text ON documents BEGIN
        INSERT INTO documents_fts(documents_fts, rowid, title, text)
        VALUES ('delete', old.seq, old.title, old.text);
        INSERT INTO documents_fts(rowid, title, text) VALUES (new.seq, new.title, new.text);
    END""",
    # Every input record whose text is this document: the one it was stored from, and records
    # read later with the same text (another id, file, date or title), each with its own metadata.
    """CREATE TABLE document_records (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        path TEXT NOT NULL,
        record TEXT NOT NULL DEFAULT '',       -- where in the file; '' for a whole file
        external_id TEXT,                      -- the id the record gave
        title TEXT, outlet TEXT, byline TEXT, url TEXT,
        published TEXT,
        published_source TEXT,
        added_at TEXT NOT NULL,
        PRIMARY KEY (doc_id, path, record)
    )""",
    "CREATE INDEX document_records_external_id ON document_records(external_id)",
    "CREATE INDEX document_records_path ON document_records(path)",
    # The record a document is stored from is recorded with it, whatever writes the document.
    """CREATE TRIGGER documents_first_record AFTER INSERT ON documents BEGIN
        INSERT OR IGNORE INTO document_records (doc_id, path, record, external_id, title, outlet, byline,
            url, published, published_source, added_at)
        VALUES (new.id, new.path, COALESCE(new.record, ''), new.external_id, new.title, new.outlet,
            new.byline, new.url, new.published, new.published_source, new.added_at);
    END""",
    """INSERT OR IGNORE INTO document_records (doc_id, path, record, external_id, title, outlet, byline, url,
        published, published_source, added_at)
    SELECT id, path, COALESCE(record, ''), external_id, title, outlet, byline, url, published,
        published_source, added_at FROM documents ORDER BY seq""",
    # Values set by the user or a sidecar. Kept apart from the documents row so that they win on
    # every later build: user over sidecar over the input's records over inference.
    """CREATE TABLE metadata_overrides (
        doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        field TEXT NOT NULL CHECK (field IN ('published','outlet','title','author','url')),
        source TEXT NOT NULL CHECK (source IN ('user','sidecar')),
        value TEXT NOT NULL,
        origin TEXT NOT NULL,                  -- `storyledger set`, or the sidecar file and row
        set_at TEXT NOT NULL,
        PRIMARY KEY (doc_id, field, source)
    )""",
    # Documents whose date or outlet changed after extraction: time expressions are resolved
    # against the publication date and sources fall back to the outlet, so they are extracted
    # again. Kept in the ledger, so a build stopped before that finishes it next time.
    """CREATE TABLE pending_extractions (
        doc_id TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
        reason TEXT NOT NULL,
        since TEXT NOT NULL
    )""",
])


MIGRATIONS.append([
    # 6: contradictions are disagreements or reversals (an announced plan or event later cancelled
    # or undone). The old "change_over_time" rows paired a denial with reports of other episodes;
    # they are dropped here and the next relink finds the reversals.
    """CREATE TABLE contradictions_v6 (
        thread_id TEXT NOT NULL REFERENCES threads(thread_id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('disagreement','reversal')),
        a_doc_id TEXT NOT NULL, a_claim_id TEXT NOT NULL,       -- the report (or the announcement)
        b_doc_id TEXT NOT NULL, b_claim_id TEXT NOT NULL,       -- the denial (or the cancellation)
        days REAL,                                              -- b's date minus a's, when both known
        rule TEXT NOT NULL,
        data TEXT NOT NULL                                      -- both sides, pairs of claims, estimated?
    )""",
    "INSERT INTO contradictions_v6 SELECT * FROM contradictions WHERE kind = 'disagreement'",
    "DROP TABLE contradictions",
    "ALTER TABLE contradictions_v6 RENAME TO contradictions",
    "CREATE INDEX contradictions_thread ON contradictions(thread_id)",
])


MIGRATIONS.append([
    # 7: embeddings of texts that are not one claim (document sentences the stance model reads,
    # propositions a user tracks), by hash, so that no text is embedded twice across runs; and
    # what the stored links were built from, so that tracking a proposition on an unchanged
    # ledger computes its thread alone instead of relinking the corpus.
    """CREATE TABLE text_embeddings (
        text_hash TEXT NOT NULL,               -- names the model and its token window too
        model TEXT NOT NULL,
        vector BLOB NOT NULL,                  -- float32, L2-normalised
        PRIMARY KEY (text_hash, model)
    )""",
    """CREATE TABLE link_state (
        key TEXT PRIMARY KEY,                  -- 'fingerprint': documents, claims, stance model, threads
        value TEXT NOT NULL
    )""",
])
