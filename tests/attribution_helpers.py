"""Running the attribution extractor on a hand-written text, for the attribution and sources tests."""

from __future__ import annotations

from storyledger.extract.attribution import Attribution, extract_attributions


def run(nlp, text: str, **kw) -> list[Attribution]:
    """The attributions of ``text``, each of whose spans is checked to point into it."""
    atts = extract_attributions(nlp(text), **kw)
    for a in atts:  # offsets always point into the text
        for span in [a.source, a.cue, a.content, a.medium, a.hedge, *a.content_parts]:
            if span is not None:
                assert 0 <= span.start < span.end <= len(text)
                assert text[span.start : span.end] == span.text
    return atts


def by_cue(atts: list[Attribution], cue: str) -> Attribution:
    """The first attribution whose cue reads ``cue``."""
    found = [a for a in atts if a.cue.text == cue]
    assert found, f"no attribution with cue {cue!r}: {[a.cue.text for a in atts]}"
    return found[0]
