"""Quantity extraction: numbers with their units, bounds, counted nouns and scope.

A hand-written grammar over the document text, with the spaCy parse used for the linguistic parts
(what is counted, where, comparisons).  Stages, one module each:

1. ``dates``: the document's time expressions told by a month ("January 25, 2024", "June 2018"),
   other dates ("2013-14", "the 1990s"), clock times ("1:33 pm"), ordinals ("21st") are never
   quantities.
2. ``numbers``: digit numbers (grouping, decimals, signs, scientific notation, fractions,
   uncertainty), number words ("a hundred and two", "two thirds", "a dozen") and vague amounts
   ("hundreds of thousands", "several hundred").
3. ``units``: currency, multipliers ("$30mln", "3.2 million"), unit symbols and words, compounds
   ("km/h", "$38 per barrel"), article + unit ("a gallon"); ``money``: pounds as sterling or
   weight, prices per thing.
4. ``combine``: ranges ("35,000 to 40,000", "between 44 and 50 mg"; value = midpoint),
   coordination ("45 and 50 mg"), approximations ("around", "more than", "up to" -> bounds),
   comparisons ("up from the 1,251 reported in June", "rose from X to Y").
5. ``counted``, ``scope``, ``measure``: the counted noun from the parse ("35 US armoured vehicles"
   -> counted "US armoured vehicles", head "vehicle", modifiers ("US", "armoured")), the scope ("in
   northeast Syria") and a ``measure_key`` comparable across documents ("US troops · Syria").

``extractor`` runs them in turn.
"""

from __future__ import annotations

from .candidate import Quantity
from .extractor import extract_quantities, extract_quantities_from_text

__all__ = ["Quantity", "extract_quantities", "extract_quantities_from_text"]
