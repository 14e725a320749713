"""The read API: every reader of the ledger (the command line, the web app, the report) calls
these functions, with one filter vocabulary (records.Filters) and pages (records.Page).

``listings``: documents, claims, attributions, quantities, series, sources, one document's
evidence; ``links``: threads, contradictions, denials, track records, series points;
``store.snippets``: bounded search snippets. The extraction listings of the command line are the
Ledger's own reads (store.reading), over the same conditions (store.filters).
"""

from __future__ import annotations

from ...records import SYNTAXES, Filters, Page
from ..filters import has_table, match_expression
from ..measures import matching_measures, measure_keys, measure_suggestions, resolve_measures
from ..snippets import search_snippet
from .links import (
    REPORTS_DETAIL,
    contradiction_page,
    find_thread,
    list_series,
    list_threads,
    list_track_records,
    series_conflict_pairs,
    series_point_flags,
    thread_by_id,
    thread_denials,
    thread_members,
    thread_page,
    track_record_page,
)
from .listings import (
    FILTER_NAMES,
    LINK_TABLES,
    LISTING_FILTERS,
    MAX_PAGE,
    SERIES_KINDS,
    attributions_page,
    chartable_measures,
    claims_page,
    contradictions_page,
    document_chains,
    document_evidence,
    document_row,
    documents_page,
    has_links,
    inputs_root,
    outlets,
    overview,
    quantities_page,
    quantity_series,
    series_page,
    shown_path,
    sources,
    sources_page,
    threads_page,
)

__all__ = [
    "FILTER_NAMES", "LINK_TABLES", "LISTING_FILTERS", "MAX_PAGE", "REPORTS_DETAIL", "SERIES_KINDS", "SYNTAXES",
    "Filters", "Page", "attributions_page", "chartable_measures", "claims_page", "contradiction_page",
    "contradictions_page", "document_chains", "document_evidence", "document_row", "documents_page", "find_thread",
    "has_links", "has_table", "inputs_root", "list_series", "list_threads", "list_track_records", "match_expression",
    "matching_measures", "measure_keys", "measure_suggestions", "outlets", "overview", "quantities_page",
    "quantity_series", "resolve_measures", "search_snippet", "series_conflict_pairs", "series_page",
    "series_point_flags", "shown_path", "sources", "sources_page", "thread_by_id", "thread_denials",
    "thread_members", "thread_page", "threads_page", "track_record_page",
]
