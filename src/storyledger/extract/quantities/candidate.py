"""The record a quantity becomes, and the working candidate the stages refine into it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Span


@dataclass(frozen=True)
class Quantity:
    start: int
    end: int
    text: str
    value: float | None
    low: float | None
    high: float | None
    approx: str | None
    unit: str | None
    counted: str | None
    head: str | None
    modifiers: tuple[str, ...]
    scope: str | None
    comparison: str | None
    measure_key: str
    kind: str
    rule: str

    def to_dict(self) -> dict:
        d = asdict(self)
        d["modifiers"] = list(self.modifiers)
        return d


@dataclass
class Candidate:
    """A number on its way to becoming a Quantity: each stage widens its span or fills a field."""

    start: int  # span start (incl. approx words / currency)
    end: int  # span end (incl. unit)
    num_start: int
    num_end: int
    value: float | None
    low: float | None = None
    high: float | None = None
    approx: str | None = None
    bound: str | None = None
    unit: str | None = None
    unit_kind: str | None = None
    rule: str = "number"
    is_word: bool = False
    is_int: bool = True
    vague: bool = False
    currency_prefix: bool = False
    raw: str = ""
    comparison: str | None = None
    partner: int | None = None
    counted: str | None = None
    head: str | None = None
    head_tok: Any = None
    modifiers: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict)
    num_start_tok: int = 0  # token index of num_start, set when the scope is looked for


def tokens_for(doc: Doc, s: int, e: int) -> Span | None:
    """The tokens covering characters s..e (widened to whole tokens)."""
    return doc.char_span(s, e, alignment_mode="expand")
