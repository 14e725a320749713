"""Contradictions on a thread, each one a reader would accept, one per pair of sources:

* a **disagreement**: two named sources take opposite stances about the same time (a report and
  the denial that answers it, or a supporter and a denier whose time windows overlap);
* a **reversal**: a source announced a plan or an event, and a later claim says it was cancelled
  or undone ("called off", "postponed", "reversed"), within the same episode.

Each side is a real source (``sides_of``): a name in apposition is the name ("His spokeswoman,
Ilse Varga" is Ilse Varga), a surname alone is the one full name on the thread ending with it,
a spokesperson is the body they speak for ("The board's spokesman, Piet Amsel"), and unnamed
people ("three port officials", "two of the officials") are the outlet that printed
them, which vouches for them, so one outlet's anonymous officials make one side, not five
(unnamed media, "Syrian state media", stay a side of their own: the outlet only relays them).

A denial of one episode and a report of another are not a contradiction: claims further apart
than an episode are never paired, and a claim with no time at all (undated, no estimate) is
paired only through an explicit denial link. Undated claims use their document's estimated
window and say so.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..resources import load_json
from .threads import ClaimRec, Placement, Thread, _days, events_lexicon, is_reversal

# A plan announced and called off within two months is one episode; a denial in 2020 and a
# report in 2024 are two.
REVERSAL_WINDOW_DAYS = 60
# An undated document's estimated window places its claims in time only when it is narrow: one
# that spans years would make them "the same time" as everything.
MAX_ESTIMATE_DAYS = 31
# A report and the copies relaying it appear within a day of each other.
COPY_DAYS = 1
# Of the announcements a cancellation could reverse, the one most like it (cosine of the claim
# embeddings), and none below this.
REVERSAL_SIM = 0.3


@dataclass(frozen=True)
class Window:
    """When a claim is about: one day, or an undated document's estimated window."""

    earliest: str
    latest: str
    estimated: bool


WindowOf = Callable[[ClaimRec], Window | None]


def story_contradictions(threads: list[Thread], claims: dict[tuple[str, str], ClaimRec],
                         denial_links: list[dict[str, Any]], window_of: WindowOf) -> list[dict[str, Any]]:
    """The contradictions of every thread, each told once: overlapping automatic threads (a report
    and its retelling) would repeat a row whose claim pairs a larger one already holds; it stays
    on the larger one only. A thread the user follows keeps all of its rows (it is read alone,
    and following it without a relink gives the same)."""
    speakers = spokespeople(claims.values())
    found = {t.thread_id: find_contradictions(t, claims, denial_links, window_of, speakers) for t in threads}
    seen: dict[str, set[tuple]] = {}
    kept = {id(x) for t in threads if t.origin == "user" for x in found[t.thread_id]}
    automatic = [t for t in threads if t.origin != "user"]
    for t in sorted(automatic, key=lambda t: -len(t.claims)):  # stable: ties keep the threads' order
        for x in found[t.thread_id]:
            pairs = seen.setdefault(x["kind"], set())
            if not set(x["pairs"]) <= pairs:
                kept.add(id(x))
                pairs.update(x["pairs"])
    return [x for t in threads for x in found[t.thread_id] if id(x) in kept]


def find_contradictions(thread: Thread, claims: dict[tuple[str, str], ClaimRec],
                        denial_links: list[dict[str, Any]], window_of: WindowOf,
                        speakers: dict[str, frozenset[str]] | None = None) -> list[dict[str, Any]]:
    """One contradiction per pair of sources (and kind) on ``thread``: the earliest claim pair
    that shows it, with how many pairs do. Linear in supporters times deniers of one thread."""
    on = thread.claims
    supporters = sorted((claims[k] for k, p in on.items() if p.stance == "supports"), key=_when)
    deniers = sorted((claims[k] for k, p in on.items() if p.stance == "denies"), key=_when)
    side = sides_of([claims[k] for k in on if k in claims], speakers)
    found: dict[tuple[str, ...], dict[str, Any]] = {}

    def add(a: ClaimRec, b: ClaimRec, kind: str, rule: str) -> None:
        sa, sb = side.get(a.key), side.get(b.key)
        if not (sa and sb) or sa == sb:
            return
        # a plan called off is one reversal, however many outlets report the cancellation
        key = (kind, sa) if kind == "reversal" else (kind, *sorted((sa, sb)))
        if key in found:
            if (a.key, b.key) not in found[key]["pairs"]:
                found[key]["pairs"].append((a.key, b.key))
            return
        wa, wb = window_of(a), window_of(b)
        # a disagreement is about one moment; a reversal's days run from announcement to cancellation
        days = _days(a.reported, b.reported) if kind == "reversal" else \
            _days(wa.earliest, wb.earliest) if wa and wb else None
        found[key] = {"thread_id": thread.thread_id, "kind": kind, "a": a, "b": b, "rule": rule,
                      "pairs": [(a.key, b.key)],  # every claim pair behind this one row
                      "days": days,
                      "estimated": bool((wa and wa.estimated) or (wb and wb.estimated))}

    for link in denial_links:
        denial, report = link["denial"], link["report"]
        if on.get(denial.key) and on.get(report.key) and on[denial.key].stance == "denies" \
                and on[report.key].stance == "supports":
            add(report, denial, "disagreement", "denial-of-report")
    reversed_what: dict[tuple[str, str], tuple[float, ClaimRec]] = {}
    # what each claim brings to a pair, worked out once per claim (a thread holds supporters
    # times deniers pairs)
    firm = {c.key: _firm(on[c.key], c) and _takes_a_side(c) for c in (*supporters, *deniers)}
    reported = {c.key: _ordinal(c.reported) for c in (*supporters, *deniers)}
    announces = {c.key: _announces(c) for c in (*supporters, *deniers)}
    reverses: dict[tuple[tuple[str, str], frozenset[str]], bool] = {}
    supporting = [(s, window_of(s)) for s in supporters]
    for d in deniers:
        wd = window_of(d)
        for s, ws in supporting:
            if wd is not None and ws is not None and firm[s.key] and firm[d.key] and _gap(ws, wd) == 0:
                # without a denial link between them, only firm stances about the same day count
                add(s, d, "disagreement", "opposite-stances-same-time")
                continue
            # a reversal is told by when things were said: the later claim says, in so many
            # words, that the earlier one's plan or event was called off or undone ("reopening
            # set for 20 April", then "the planned reopening was called off")
            if reported[s.key] is None or reported[d.key] is None:
                continue
            said = reported[d.key] - reported[s.key]
            if said == 0 or abs(said) > REVERSAL_WINDOW_DAYS:
                continue
            earlier, later = (s, d) if said > 0 else (d, s)
            if not announces[earlier.key]:
                continue
            if (later.key, earlier.events) not in reverses:
                reverses[(later.key, earlier.events)] = is_reversal(later, earlier.events)
            if reverses[(later.key, earlier.events)]:
                similarity = _similarity(earlier, later)
                if similarity >= REVERSAL_SIM and similarity > reversed_what.get(later.key, (0.0,))[0]:
                    reversed_what[later.key] = (similarity, earlier)
    # each cancellation reverses the one announcement it is most like (a plan called off is one
    # plan, not every claim on the thread before it)
    for later_key, (_, earlier) in sorted(reversed_what.items(), key=lambda kv: _when(claims[kv[0]])):
        add(earlier, claims[later_key], "reversal", "announced-then-cancelled")
    # a denial answers what a named source reported, not only the copy of it that it was linked to:
    # the source's own article and other copies of that day or the next, said before the denial
    for item in found.values():
        report = item["a"]
        reporter = side.get(report.key)
        if item["kind"] != "disagreement" or reporter != report.source:
            continue  # an outlet answering for sources it does not name answers for that article only
        said = {d for _, d in item["pairs"]}
        for s in supporters:
            near = _days(report.reported, s.reported)
            if side.get(s.key) != reporter or near is None or abs(near) > COPY_DAYS \
                    or on[s.key].hedged or s.modality in ("condition", "demand", "prediction"):
                continue  # "a closure would force ships to divert" is no report of a closure
            for d_key in said:
                gap = _days(s.reported, claims[d_key].reported)
                if gap is not None and gap >= 0 and (s.key, d_key) not in item["pairs"]:
                    item["pairs"].append((s.key, d_key))
    return sorted(found.values(), key=lambda x: (_when(x["a"]), _when(x["b"])))


def _ordinal(day: str | None) -> int | None:
    """A day's number (as :func:`_days` counts), or None."""
    if not day:
        return None
    try:
        return dt.date.fromisoformat(day[:10]).toordinal()
    except ValueError:
        return None


def _announces(c: ClaimRec) -> bool:
    """Whether the claim announces a plan or an event: a plan, a fact, or a prediction with a date
    of its own ("would reopen on April 20"; "when the port might reopen" announces nothing)."""
    if not c.events or is_reversal(c):
        return False
    return c.modality in ("plan", "fact") or (c.modality == "prediction" and c.about != c.reported)


def _takes_a_side(c: ClaimRec) -> bool:
    """Whether the claim is a statement its source made (or the outlet's own): "the US is planning
    to withdraw", "the US is considering ending its presence" ascribe an intention or a belief to
    the US in whoever tells it; the US said nothing, so it is no side of its own without a denial
    linked to that report (the teller's report is a side, and a linked denial still answers it)."""
    return c.attribution_kind in (None, "speech", "report")


def _similarity(a: ClaimRec, b: ClaimRec) -> float:
    return float(a.vector @ b.vector) if a.vector is not None and b.vector is not None else 0.0


def _firm(placement: Placement, c: ClaimRec) -> bool:
    """Whether a stance is firm enough to set against another without a denial link between
    them: decided by the claim's own words (not the statistical model), unhedged, and not a
    condition or a demand ("if", "should")."""
    return not placement.hedged and not placement.rule.startswith("fnc-model") \
        and c.modality not in ("condition", "demand")


# Words that may stand in a proper name without a capital ("Ministry of Defence", "al-Omar").
_NAME_PARTICLES = frozenset("of the for and on de del della der den van von la le du da al el bin ibn".split())
_NAME_WORD = re.compile(r"[A-Z0-9][\w.'’&-]*|(?:al|el)-[\w'’-]+")


def _proper_name(text: str) -> bool:
    """Whether ``text`` is a proper name: every word capitalised but the particles ("Vey Valley
    Water Board", "Harbourmaster Aurel Fenn"); "three port officials", "its chair", "Shipping
    analysts in Orsenna" are descriptions."""
    words = text.split()
    return bool(words) and bool(_NAME_WORD.fullmatch(words[0])) and all(
        _NAME_WORD.fullmatch(w) or w.lower() in _NAME_PARTICLES for w in words[1:])


@cache
def _titles() -> frozenset[str]:
    return frozenset(t.lower() for t in load_json("entities.json")["titles"])


def _named_source(c: ClaimRec) -> str | None:
    """The claim's source when it names someone (the name when one is in apposition: "The board's
    spokesman, Piet Amsel"), or other media left unnamed ("Syrian state media", relayed, not
    vouched for); None for a description of people ("three port officials") or no source."""
    source = c.source if c.source and c.source != "-" else None
    if source is None:
        return None
    if "," in source:
        tail = source.rsplit(",", 1)[1].strip()
        if _proper_name(tail):
            source = tail
    head = re.findall(r"[a-z]+", source.lower())[-1:]  # "Syrian state media", not "(Meridian Wire) - the minister"
    if _proper_name(source) or set(head) & events_lexicon().reporting_words:
        return source
    return None


def _is_title(word: str, titles: frozenset[str]) -> bool:
    return word.lower() in titles or word.lower().rstrip(".") in titles


def sides_of(claims: list[ClaimRec],
             speakers: dict[str, frozenset[str]] | None = None) -> dict[tuple[str, str], str | None]:
    """Each claim's side, the real source behind it, among ``claims`` (one thread's):

    * a named source, a surname alone (titles aside: "Varga", "Ms Varga") joined to the one full
      name among the sides ending with it ("Ilse Varga"), never when two end with it;
    * an article's unnamed media are one side, told by the first description it gives them;
    * people left unnamed ("three port officials") are the outlet that vouches for them: the one
      outlet their article relays on this thread ("the Courier reported, citing officials, …"),
      else the article's own outlet; nobody when it relays several;
    * a spokesperson is the body they speak for, where an article says so (``speakers``, from
      every claim's source as written; else from these) and that body is a side here;
    * no side when no source is known at all."""
    named = {c.key: _named_source(c) for c in claims}
    titles = _titles()
    full_by_last: dict[str, list[str]] = {}  # full names (not a title and a surname) by last word
    for s in set(filter(None, named.values())):
        words = s.split()
        if len(words) >= 2 and not all(_is_title(w, titles) for w in words[:-1]):
            full_by_last.setdefault(words[-1], []).append(s)
    joined: dict[str, str] = {}
    for s in set(filter(None, named.values())):
        words = s.split()
        if not all(_is_title(w, titles) for w in words[:-1]):
            continue
        fuller = [f for f in full_by_last.get(words[-1], []) if f != s]
        if len(fuller) == 1:
            joined[s] = fuller[0]
    outlets = {c.outlet for c in claims if c.outlet}
    relayed: dict[str, set[str]] = {}
    for c in claims:
        name = named[c.key]
        if name in outlets and name != c.outlet:
            relayed.setdefault(c.doc_id, set()).add(name)
    # one article's unnamed media ("Syrian regime media", "pro-regime media") are one side: it
    # does not say they are several
    first_media: dict[str, str] = {}
    for c in sorted(claims, key=lambda c: c.order):
        name = named[c.key]
        if name and not _proper_name(name):
            first_media.setdefault(c.doc_id, name)
    sides: dict[tuple[str, str], str | None] = {}
    for c in claims:
        name = named[c.key]
        if name and not _proper_name(name):
            sides[c.key] = first_media[c.doc_id]
        elif name:
            sides[c.key] = joined.get(name, name)
        elif c.source and c.source != "-":
            via = relayed.get(c.doc_id, set())
            sides[c.key] = next(iter(via)) if len(via) == 1 else None if via else c.outlet
        else:
            sides[c.key] = None
    speaks_for = _speaking_sides(spokespeople(claims) if speakers is None else speakers, sides)
    return {k: speaks_for.get(s, s) if s else None for k, s in sides.items()}


def spokespeople(claims: Iterable[ClaimRec]) -> dict[str, frozenset[str]]:
    """Who speaks for which body, from how the articles introduce them: person's name -> the
    bodies ("The board's spokesman, Piet Amsel" -> {"board"}; "Colonel Wayne Morotto,
    spokesperson for the US-led coalition" -> {"us-led coalition"})."""
    pattern = _speaking_for()
    found: dict[str, set[str]] = {}
    for c in claims:
        person, text = _named_source(c), getattr(c, "source_text", None) or ""  # stored rows may lack it
        m = (pattern[0].search(text) or pattern[1].search(text)) if person else None
        if m and not m.group("body").rstrip().endswith(","):  # "Wayne Morotto, spokesperson": a name
            found.setdefault(person, set()).add(_body_key(m.group("body")))  # type: ignore[arg-type]
    return {person: frozenset(bodies) for person, bodies in found.items()}


def _speaking_sides(speakers: dict[str, frozenset[str]], sides: dict[tuple[str, str], str | None]) -> dict[str, str]:
    """Person side -> the side of the body they speak for, when that body is a side here (by its
    name, or as the one side whose name ends so: "the board" is the "… Water Board"); none for a
    person said to speak for two of them."""
    named = set(filter(None, sides.values()))
    by_key = {_body_key(s): s for s in named}
    out: dict[str, str] = {}
    for person in named:
        found = set()
        for body in speakers.get(person, ()):
            side = by_key.get(body)
            if side is None and body:
                words = body.split()
                ends = [s for s in named if _body_key(s).split()[-len(words):] == words and s != person]
                side = ends[0] if len(ends) == 1 else None
            if side and side != person:
                found.add(side)
        if len(found) == 1:
            out[person] = found.pop()
    return out


def _body_key(name: str) -> str:
    return re.sub(r"^(?:the|a|an)\s+", "", name.strip().lower()).removesuffix("'s").removesuffix("’s").strip()


@cache
def _speaking_for() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """"spokesperson for the coalition", then "the board's spokesman" / "Pentagon spokesperson"."""
    words = "|".join(re.escape(w) for w in sorted(load_json("link/conclusions.json")["speaking_for"]["words"],
                                                   key=len, reverse=True))
    return (re.compile(rf"\b(?:{words})\s+(?:for|of)\s+(?P<body>[^,;]+)", re.IGNORECASE),
            re.compile(rf"^(?P<body>.*?)\s+(?:{words})\b", re.IGNORECASE))


def side_of(c: ClaimRec) -> str | None:
    """One claim's side read alone (``sides_of`` reads it among its thread's claims)."""
    return sides_of([c])[c.key]


def _gap(earlier: Window, later: Window) -> float | None:
    """Days from ``earlier`` to ``later``: 0 when the windows overlap, else the gap between them
    (negative when ``later`` in fact lies before ``earlier``)."""
    if later.latest < earlier.earliest:
        return -float(_days(later.latest, earlier.earliest) or 0)
    if later.earliest > earlier.latest:
        return _days(earlier.latest, later.earliest)
    return 0.0


def _when(c: ClaimRec) -> tuple:
    return (c.about is None, c.about or "", c.order)


def window_from(about: str | None, estimate: dict[str, Any] | None) -> Window | None:
    """A claim's window: its own day, else its undated document's estimated window when that is
    closed and narrow."""
    if about:
        return Window(about[:10], about[:10], False)
    if estimate and estimate.get("earliest") and estimate.get("latest"):
        window = Window(_day_start(estimate["earliest"]), _day_end(estimate["latest"]), True)
        width = _days(window.earliest, window.latest)
        return window if width is not None and width <= MAX_ESTIMATE_DAYS else None
    return None


def _day_start(value: str) -> str:
    return (value + "-01-01")[:10] if len(value) == 4 else (value + "-01")[:10]


def _day_end(value: str) -> str:
    if len(value) == 4:
        return value + "-12-31"
    if len(value) == 7:
        year, month = int(value[:4]), int(value[5:7])
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        return (following - dt.timedelta(days=1)).isoformat()
    return value[:10]
