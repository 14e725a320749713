"""The entry point: scan, normalise, choose among overlapping matches, anchor clock times."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc

from .context import _Ctx
from .dates import (
    n_century,
    n_date_full,
    n_date_md,
    n_decade,
    n_half,
    n_holiday,
    n_month_alone,
    n_month_year,
    n_quarter,
    n_quarter_ended,
    n_quarter_rel,
    n_season,
    n_year,
    n_year_ago_adj,
    n_year_end,
    n_year_period,
    n_year_spoken,
)
from .grammar import _grammar
from .relative import (
    n_ago,
    n_clock,
    n_clock_date,
    n_duration,
    n_duration_plural,
    n_holiday_week,
    n_next_day,
    n_noon_weekday,
    n_pod_rel,
    n_recent_units,
    n_ref,
    n_relday,
    n_relperiod,
    n_set_every,
    n_set_weekdays,
    n_set_word,
    n_that_day,
    n_the_unit,
    n_week_of,
    n_weekday,
    n_weekday_time,
)
from .scan import candidates, select


@dataclass(frozen=True)
class TimeExpression:
    start: int
    end: int
    text: str
    type: str  # DATE, TIME, DURATION, SET
    value: str | None
    anchor: str | None  # ISO date used to resolve a relative expression
    resolved: bool  # False: relative, but there was no anchor to resolve it against
    rule: str  # the grammar rule that matched

    def to_dict(self) -> dict:
        return asdict(self)


# ------------------------------------------------------------------------------------------------

_NORMALISERS = {
    "next_day": n_next_day,
    "holiday_week": n_holiday_week, "week_of": n_week_of,
    "that_day": n_that_day,
    "year_period": n_year_period, "quarter_ended": n_quarter_ended, "clock_date": n_clock_date,
    "noon_weekday": n_noon_weekday, "recent_units": n_recent_units,
    "date_full": n_date_full, "date_md": n_date_md, "month_year": n_month_year,
    "month_alone": n_month_alone, "year": n_year, "year_spoken": n_year_spoken,
    "decade": n_decade, "century": n_century, "quarter": n_quarter, "quarter_rel": n_quarter_rel,
    "half": n_half, "year_ago_adj": n_year_ago_adj, "year_end": n_year_end, "season": n_season,
    "weekday_time": n_weekday_time, "weekday": n_weekday, "relday": n_relday,
    "pod_rel": n_pod_rel, "clock": n_clock, "relperiod": n_relperiod, "the_unit": n_the_unit,
    "ago": n_ago, "duration": n_duration, "duration_plural": n_duration_plural,
    "set_word": n_set_word, "set_every": n_set_every, "set_weekdays": n_set_weekdays,
    "ref": n_ref, "holiday": n_holiday,
}


# ------------------------------------------------------------------------------------------------
# Entry point
# ------------------------------------------------------------------------------------------------


def tag_time_expressions(text: str, anchor: dt.date | None, *,
                         doc: Doc | None = None) -> list[TimeExpression]:
    """Find and normalise every temporal expression in ``text``.

    ``anchor`` resolves relative expressions (normally the publication date); a ``datetime`` is
    reduced to its date.  ``doc``, if given, must be spaCy's parse of exactly ``text``: its
    sentence boundaries and tags are reused to read the tense around bare weekdays and months.
    Without an anchor, absolute dates still get values, and relative ones get ``resolved=False``
    and an X-pattern value (``XXXX-WXX-3``) or None.
    """
    if not text:
        return []
    if isinstance(anchor, dt.datetime):
        anchor = anchor.date()
    g = _grammar()
    ctx = _Ctx(text=text, anchor=anchor, doc=doc, g=g)
    cands = candidates(text, g.rules)
    # Normalisers can reject a match (e.g. "May" the modal); reject before choosing among
    # overlapping matches so that a shorter valid reading can still win.  Document state
    # (last quarter/year mentioned) is only updated in the final, in-order pass.
    accepted = []
    probe = _Ctx(text=text, anchor=anchor, doc=doc, g=g)
    probe._sent_starts = None
    for c in cands:
        res = _NORMALISERS[c[2].norm](c[3], probe, c[2])
        if res is not None:
            accepted.append(c)
    ctx._sent_starts = probe._sent_starts
    ctx._tok_cache = probe._tok_cache
    out: list[TimeExpression] = []
    anchor_iso = anchor.isoformat() if anchor is not None else None
    for start, end, rule, m in select(accepted):
        res = _NORMALISERS[rule.norm](m, ctx, rule)
        if res is None:
            continue
        typ, value, uses_anchor = res
        out.append(TimeExpression(
            start=start, end=end, text=text[start:end], type=typ, value=value,
            anchor=anchor_iso if uses_anchor else None,
            resolved=not (uses_anchor and anchor is None), rule=rule.name,
        ))
    if anchor is not None:
        out = _anchor_clock_times(out, ctx)
    return out


_DAY_VALUE = re.compile(r"\d{4}-\d\d-\d\d$")


def _anchor_clock_times(out: list[TimeExpression], ctx: _Ctx) -> list[TimeExpression]:
    """A bare clock time ("at 10:35 a.m.") happens on the day the same sentence talks about
    ("... Friday"), not necessarily on the anchor date."""
    fixed = []
    for te in out:
        if te.rule in ("clock", "clock24") and te.value and "T" in te.value \
                and not re.search(r"(?i:today|yesterday|tomorrow|tonight)", te.text):
            s, e = ctx.sentence_bounds(te.start)
            days = [o for o in out if o is not te and s <= o.start < e and o.value
                    and _DAY_VALUE.match(o.value)]
            if days:
                near = min(days, key=lambda o: abs(o.start - te.start))
                te = TimeExpression(te.start, te.end, te.text, te.type,
                                    near.value + te.value[te.value.index("T"):],
                                    te.anchor, te.resolved, te.rule)
        fixed.append(te)
    return fixed
