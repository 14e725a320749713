"""Nesting and citation chains (part of :mod:`storyledger.extract.attribution`): which
attribution sits in which, and the chain of who cites whom that the nesting spells out."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from .attribution_base import Attribution, _Cand, _lex


def _break_nesting_cycles(cands: list[_Cand]) -> None:
    """Make the nesting a forest. Candidates can lie inside each other's content (a quoted tweet
    inside a report inside the quote that reports it), so parent links may form a cycle of any
    length; each cycle is cut at its widest member, which becomes top-level."""
    for start in range(len(cands)):
        path: list[int] = []
        on_path: set[int] = set()
        node: int | None = start
        while node is not None and node not in on_path:
            path.append(node)
            on_path.add(node)
            node = cands[node].parent
        if node is None:
            continue
        cycle = path[path.index(node):]
        widest = max(cycle, key=lambda i: (sum(e - s for s, e in cands[i].content), -i))
        cands[widest].parent = None


def ancestry(attribution: Attribution, by_id: dict[str, Attribution]) -> Iterator[Attribution]:
    """``attribution`` and the attributions it is nested in, innermost first. Stops at a
    repeated id, so a malformed record set (a stored cycle) cannot loop."""
    seen: set[str] = set()
    current: Attribution | None = attribution
    while current is not None and current.id not in seen:
        seen.add(current.id)
        yield current
        current = by_id.get(current.parent) if current.parent else None


_FIRST_PERSON = {"i", "we", "me", "us"}


def citation_chains(attributions: Sequence[Attribution], *, outlet: str | None) -> list[list[str]]:
    """Chains of who-cites-whom, outermost first, one per attribution that nests no other:
    ``[outlet, source of the outer attribution, …, source of the innermost one]``.

    Attributions without a source contribute nothing to the chain, nor do a speaker's own
    words ("I think", "we will" inside their quotation: the same voice); a source repeated
    next to itself ("the government stated that it …") counts once. The outlet (if given)
    heads every chain.
    """
    by_id = {a.id: a for a in attributions}
    has_child = {a.parent for a in attributions if a.parent}
    chains = []
    for a in attributions:
        if a.id in has_child:
            continue
        path = []
        for cur in ancestry(a, by_id):
            label = cur.source_name or (cur.source.text if cur.source else None)
            if cur.source is not None and cur.source.text.lower() in _FIRST_PERSON and cur.parent:
                label = None
            # "told AFP": the agency carried the words (innermost first, so it goes first)
            if cur.medium is not None and cur.medium.text.lower() in _lex().outlets:
                if label:
                    path.append(label)
                path.append(cur.medium.text)
            elif label:
                path.append(label)
        path = [p for i, p in enumerate(path) if i == 0 or p != path[i - 1]]
        path.reverse()
        if outlet:
            path.insert(0, outlet)
        if len(path) >= 2 or (path and not outlet):
            chains.append(path)
    return chains
