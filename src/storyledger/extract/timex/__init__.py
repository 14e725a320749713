"""Temporal-expression tagging and TIMEX3 normalisation (issue "Time").

``tag_time_expressions(text, anchor)`` finds the temporal expressions in ``text`` with a rule
grammar and normalises each to a TimeML TIMEX3 type (DATE, TIME, DURATION, SET) and value
(``2024-01-24``, ``2024-W03``, ``1998-Q3``, ``P3D``, ``PAST_REF``, ``XXXX-12-11``...).

The grammar is data: ``resources/timex/patterns.tsv`` holds one regular expression per rule (with
``<<MACRO>>`` placeholders filled from the word lists in ``resources/timex/lexicon.json``), and each
rule names the normaliser (in ``dates`` or ``relative``) that turns its match into a value.  Everything is compiled once
per process.  Matches that overlap are resolved leftmost-longest; the winning rule's name is kept
on each ``TimeExpression`` as the evidence of why it was tagged.

Relative expressions ("yesterday", "last week", "on Wednesday", "December 11") are resolved
against ``anchor`` (normally the article's publication date).  The direction of ambiguous ones
(a bare weekday or month) follows the tense of the clause around them: the nearest tense cue
(future modal or past-tense verb; spaCy's tags when a ``doc`` is given) decides.  Without an
anchor they are not resolved: ``resolved`` is False and the value is an X-pattern
(``XXXX-WXX-3``, ``XXXX-12-11``) or None - never today's date.

The package's modules, in the order a text goes through them: ``grammar`` (the rules and word
lists, compiled), ``scan`` (every rule's matches, and the leftmost-longest choice), ``context``
(sentence, tense and document state around a match), ``dates`` and ``relative`` (the
normalisers), ``values`` (calendar and number arithmetic they share) and ``tagger`` (the entry
point).
"""

from .grammar import month_of, month_rules
from .tagger import TimeExpression, tag_time_expressions

__all__ = ["TimeExpression", "month_of", "month_rules", "tag_time_expressions"]
