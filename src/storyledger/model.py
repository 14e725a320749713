"""The ledger's records.

Every record that points at text does so with character offsets into a document's cleaned
text; the cleaned text maps back to the original through an :class:`OffsetMap`, so any item can
be shown highlighted in its source.
"""

from __future__ import annotations

import bisect
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

# "user": set with `storyledger set`; "sidecar": from a `build --metadata` file.
PublishedSource = Literal["user", "sidecar", "metadata", "html", "text", "none"]


@dataclass(frozen=True)
class Origin:
    """Where a piece of input came from: a file and, inside it, a record or segment."""

    path: str
    record: str | None = None  # "line 4", "row 12", "record 3 (https://…)", "article 2"

    def describe(self) -> str:
        return f"{self.path}: {self.record}" if self.record else self.path


@dataclass(frozen=True)
class RemovedSpan:
    """A span of the original text left out of the cleaned text, and why."""

    start: int  # offsets into Document.original
    end: int
    reason: str  # what kind of boilerplate: "comment prompt", "photo caption" …
    rule: str  # the rule that matched, named as in resources/boilerplate.json
    text: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class OffsetMap:
    """Maps offsets in cleaned text to offsets in the original text.

    The cleaned text is a sequence of slices of the original joined by short separators; each
    slice is stored as ``(clean_start, original_start, length)``. Separator characters map to
    the original position just after the preceding slice.
    """

    segments: tuple[tuple[int, int, int], ...]

    def to_original(self, offset: int) -> int:
        if not self.segments:
            return offset
        starts = [s[0] for s in self.segments]
        i = max(0, bisect.bisect_right(starts, offset) - 1)
        clean_start, orig_start, length = self.segments[i]
        return orig_start + min(max(offset - clean_start, 0), length)

    def to_json(self) -> str:
        return json.dumps([list(s) for s in self.segments])

    @classmethod
    def from_json(cls, data: str) -> OffsetMap:
        return cls(tuple(tuple(s) for s in json.loads(data)))  # type: ignore[misc]


@dataclass(frozen=True)
class RawArticle:
    """One article as a reader found it, before hygiene.

    ``text`` is the article's plain text (for HTML, the text trafilatura extracted). ``meta`` holds
    what the user's record declared (a JSON field, a CSV column), which always wins; ``page_meta``
    what an HTML page's tags declared, which wins over what is inferred from the text.
    """

    text: str
    origin: Origin
    meta: dict[str, Any] = field(default_factory=dict)
    page_meta: dict[str, Any] = field(default_factory=dict)
    segment: bool = False  # plain-text scrapes may carry several articles


@dataclass(frozen=True)
class Document:
    """A cleaned article, ready for extraction and storage."""

    id: str  # content hash of the original text: the same article always gets the same id
    external_id: str | None  # the id the input's record gave, if any
    title: str | None
    outlet: str | None
    outlet_source: str | None  # metadata / html / url / tagline
    byline: str | None
    dateline: str | None  # place dateline: "BAGHDAD/DAMASCUS"
    published: str | None  # ISO date, or None for an undated document
    published_source: PublishedSource
    published_evidence: str | None  # the text or field the date was read from
    url: str | None
    path: str
    record: str | None
    original: str  # the article's text before hygiene (its own segment of the input)
    text: str  # cleaned text
    offset_map: OffsetMap
    removed: tuple[RemovedSpan, ...]
    duplicate_of: str | None = None
    # For an undated document, once extracted: {earliest, latest, evidence}. An estimate from
    # the dates the text mentions, shown as such, never as the publication date.
    date_estimate: dict[str, Any] | None = None
    # Every id the input records with this text gave (read from the ledger): identical texts
    # under several record ids are one document that keeps them all.
    external_ids: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "external_id": self.external_id,
            "external_ids": list(self.external_ids or ((self.external_id,) if self.external_id else ())),
            "title": self.title,
            "outlet": self.outlet,
            "outlet_source": self.outlet_source,
            "byline": self.byline,
            "dateline": self.dateline,
            "published": self.published,
            "published_source": self.published_source,
            "published_evidence": self.published_evidence,
            "url": self.url,
            "path": self.path,
            "record": self.record,
            "text": self.text,
            "removed": [r.to_dict() for r in self.removed],
            "duplicate_of": self.duplicate_of,
            "date_estimate": self.date_estimate,
        }


@dataclass(frozen=True)
class InputProblem:
    """An input (a file, or one record in it) that could not be read; the batch goes on."""

    origin: Origin
    reason: str
    hint: str = ""
    skipped: bool = True  # False: the input was stored, with something left undone

    def message(self) -> str:
        text = f"{self.origin.describe()}: {self.reason}"
        return f"{text} — {self.hint}" if self.hint else text


@dataclass
class StageTimes:
    """Seconds spent per stage of a build, summed over documents (for `storyledger bench`)."""

    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, stage: str, seconds: float) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds
