"""What the read API (storyledger.store.queries) takes and gives: one vocabulary of filters, pages,
and typed records of what the ledger holds.

Standard library only, so that anything may import it (the command line, the web app, the
report, a script) without loading the NLP stack. Records are frozen: a reader changes nothing.
``to_dict()`` gives each record's JSON form, as the command line's ``--json`` and the web app's
``/api/`` print it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from types import MappingProxyType
from typing import Any, Generic, TypeVar

SYNTAXES = ("plain", "fts")  # search text as typed (the default), or SQLite FTS5 query syntax


@dataclass(frozen=True)
class Filters:
    """What a listing is narrowed to; every field optional, each listing says which it takes
    (store.queries.LISTING_FILTERS). Text filters match "contains", case aside; outlet, polarity,
    modality, stance and kind match exactly; a measure is named forgivingly (case and
    punctuation aside); dates are ISO prefixes ("2020-11" is every day of November)."""

    q: str | None = None  # search text: words and "phrases" as typed unless syntax is "fts"
    syntax: str | None = None  # "plain" (default) or "fts"
    doc_id: str | None = None
    thread: str | None = None
    outlet: str | None = None
    source: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    polarity: str | None = None
    modality: str | None = None
    stance: str | None = None
    kind: str | tuple[str, ...] | None = None  # one kind, or any of several (time expression types)
    measure: str | None = None
    text: str | None = None

    def active(self) -> dict[str, str]:
        """The filters given (search syntax aside), by name."""
        return {f.name: getattr(self, f.name) for f in fields(self)
                if isinstance(getattr(self, f.name), str) and getattr(self, f.name) and f.name != "syntax"}

    def kinds(self) -> tuple[str, ...]:
        if not self.kind:
            return ()
        return (self.kind,) if isinstance(self.kind, str) else tuple(self.kind)


NO_FILTERS = Filters()

Item = TypeVar("Item")


@dataclass(frozen=True)
class Page(Generic[Item]):
    """One page of a listing: its items, how many there are in all, and where the page starts."""

    items: tuple[Item, ...]
    total: int
    limit: int
    offset: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "items", tuple(self.items))  # a page given a list keeps a copy that stays

    @property
    def next_offset(self) -> int | None:
        return self.offset + self.limit if self.offset + self.limit < self.total else None

    def to_dict(self) -> dict[str, Any]:
        return {"items": [as_dict(item) for item in self.items], "total": self.total, "limit": self.limit,
                "offset": self.offset, "next_offset": self.next_offset}


def as_dict(item: Any) -> Any:
    """A record's JSON form (a plain mapping is already one)."""
    return item.to_dict() if hasattr(item, "to_dict") else item


def frozen_mapping(values: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(values or {}))


# -- what extraction stored, one record per row -----------------------------------------------------

@dataclass(frozen=True)
class TimeExpression:
    """A time expression as TIMEX3 sees it, with the anchor it was resolved against."""

    doc_id: str
    start: int
    end: int
    text: str
    type: str
    value: str | None
    anchor: str | None
    resolved: bool
    rule: str | None

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Extracted:
    """An attribution, quantity or claim as extraction wrote it (``fields``: its own JSON record,
    offsets into the document's cleaned text included), with its document's title, outlet and date."""

    doc_id: str
    fields: Mapping[str, Any]
    doc_title: str | None
    outlet: str | None
    published: str | None

    @property
    def id(self) -> str:
        return self.fields.get("id", "")

    def __getitem__(self, name: str) -> Any:
        """A field of the JSON form, as ``to_dict()[name]`` reads it."""
        if name in ("doc_id", "doc_title", "outlet", "published"):
            return getattr(self, name)
        return self.fields[name]

    def get(self, name: str, default: Any = None) -> Any:
        try:
            return self[name]
        except KeyError:
            return default

    def to_dict(self) -> dict[str, Any]:
        return {"doc_id": self.doc_id, **self.fields, "doc_title": self.doc_title, "outlet": self.outlet,
                "published": self.published}


@dataclass(frozen=True)
class Attribution(Extracted):
    """Who said (reported, believed, intended, perceived) what, through whom."""


@dataclass(frozen=True)
class Quantity(Extracted):
    """A number as written, what it counts, its measure key, as-of time and source."""

    @property
    def measure_key(self) -> str | None:
        return self.fields.get("measure_key")


@dataclass(frozen=True)
class Claim(Extracted):
    """A proposition with its polarity, modality, source, as-of time and evidence."""


@dataclass(frozen=True)
class SearchHit:
    """A document a full-text search found, with the words around the match ([marked])."""

    id: str
    title: str | None
    outlet: str | None
    published: str | None
    snippet: str
    snippet_note: str | None = None  # when the part of a long document looked at holds no match on its own

    def to_dict(self) -> dict[str, Any]:
        shown = {f.name: getattr(self, f.name) for f in fields(self)}
        if self.snippet_note is None:
            del shown["snippet_note"]
        return shown



# -- what linking stored ----------------------------------------------------------------------------

def _plain(value: Any) -> Any:
    """A record field as JSON holds it: lists for tuples, dicts for read-only mappings."""
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class ThreadSummary:
    """A thread: claims about one proposition across documents, its first report, and how many
    claims support and deny it and how many contradictions it holds."""

    thread_id: str
    origin: str  # "auto" (found by linking) or "user" (storyledger track)
    label: str
    proposition: str
    event: str | None
    entities: tuple[str, ...]
    first_doc_id: str | None
    first_claim_id: str | None
    first_date: str | None
    claims: int
    documents: int
    rule: str
    data: Mapping[str, Any]  # why linking made it so
    supporters: int
    deniers: int
    contradiction_count: int

    def to_dict(self) -> dict[str, Any]:
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}


@dataclass(frozen=True)
class TrackRecord:
    """An outlet's or a cited source's record: its claims, how many were later supported or
    denied, and the median days to a denial."""

    kind: str  # "outlet" or "source"
    name: str
    claims: int
    supported: int
    denied: int
    median_days_to_denial: float | None
    rule: str
    data: Mapping[str, Any]  # per-claim outcomes, citation chains

    def to_dict(self) -> dict[str, Any]:
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}


@dataclass(frozen=True)
class SeriesPoint:
    """One value of a quantity series: its measure, the quantity it comes from, its value or
    range, as-of time, resolved source, and whether it conflicts with another value."""

    measure_key: str
    doc_id: str
    quantity_id: str
    value: float | None
    low: float | None
    high: float | None
    approx: str | None
    as_of: str | None
    as_of_source: str | None
    source: str | None
    conflict: bool
    rule: str
    data: Mapping[str, Any]  # the quantity's words and how the series placed it

    def to_dict(self) -> dict[str, Any]:
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}


# -- rows of the web app's listings -----------------------------------------------------------------

@dataclass(frozen=True)
class ListingRow:
    """A row of a paged listing: the columns the app shows, with its document's title, outlet and date."""

    def to_dict(self) -> dict[str, Any]:
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}

    def get(self, name: str, default: Any = None) -> Any:
        """A field by name, so that code which formats a record or a mapping reads both alike."""
        return getattr(self, name, default)


@dataclass(frozen=True)
class DocumentRow(ListingRow):
    """A document in a listing; with a search, the words around its match (matches between \\x01
    and \\x02) and, for a long document whose opening passages hold no match, a note saying so."""

    id: str
    title: str | None
    outlet: str | None
    published: str | None
    published_source: str | None
    date_estimate: Mapping[str, Any] | None
    url: str | None
    duplicate_of: str | None
    chars: int
    snippet: str | None = None
    snippet_note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        shown = super().to_dict()
        for name in ("snippet", "snippet_note"):
            if shown[name] is None:
                del shown[name]
        return shown


@dataclass(frozen=True)
class ClaimRow(ListingRow):
    doc_id: str
    claim_id: str
    start: int
    end: int
    proposition: str
    polarity: str
    modality: str
    hedged: int
    source: str | None
    as_of: str | None
    attribution_id: str | None
    doc_title: str | None
    outlet: str | None
    published: str | None


@dataclass(frozen=True)
class AttributionRow(ListingRow):
    doc_id: str
    attribution_id: str
    parent_id: str | None
    kind: str
    form: str
    source_text: str | None
    source_name: str | None
    cue_text: str
    content_start: int
    content_end: int
    content_text: str
    hedged: int
    doc_title: str | None
    outlet: str | None
    published: str | None


@dataclass(frozen=True)
class QuantityRow(ListingRow):
    doc_id: str
    quantity_id: str
    start: int
    end: int
    text: str
    value: float | None
    low: float | None
    high: float | None
    approx: str | None
    unit: str | None
    measure_key: str | None
    kind: str | None
    as_of: str | None
    as_of_source: str | None
    source: str | None
    doc_title: str | None
    outlet: str | None
    published: str | None
