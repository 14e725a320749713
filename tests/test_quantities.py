"""The quantity grammar: numbers, units, bounds, counts, keys and what is never a quantity.

All sentences here are written for these tests.
"""

from __future__ import annotations

import pytest

from storyledger.extract.quantities import Quantity, extract_quantities, extract_quantities_from_text


def q1(text: str, **where) -> Quantity:
    """The single quantity in ``text`` (or the one whose text contains ``where['has']``)."""
    qs = extract_quantities_from_text(text)
    if "has" in where:
        qs = [q for q in qs if where["has"] in q.text]
    assert len(qs) == 1, [q.text for q in qs]
    return qs[0]


def values(text: str) -> list[float | None]:
    return [q.value for q in extract_quantities_from_text(text)]


# ------------------------------------------------------------------ news counts


def test_approximate_count_with_scope():
    q = q1("Officials say around 900 troops stationed in Syria will stay.")
    assert q.value == 900 and q.approx == "around"
    assert q.kind == "count" and q.unit == "troop" and q.head == "troop"
    assert q.scope == "in Syria"
    assert q.text == "around 900 troops"
    assert text_span_ok(q, "Officials say around 900 troops stationed in Syria will stay.")


def text_span_ok(q: Quantity, text: str) -> bool:
    return text[q.start : q.end] == q.text


def test_comparison_links_both_quantities():
    text = "The ministry now counts 1,723 troops in Syria, up from the 1,251 it reported in June."
    qs = extract_quantities_from_text(text)
    assert [q.value for q in qs] == [1723, 1251]
    new, old = qs
    assert new.comparison == "up from 1,251"
    assert old.comparison is not None and "1,723" in old.comparison
    # the earlier figure counts the same thing
    assert old.head == "troop" and old.measure_key == new.measure_key == "troops · Syria"


def test_modifiers_and_counted_phrase():
    q = q1("Satellite images showed 35 US armored vehicles near the border.")
    assert q.value == 35 and q.counted == "US armored vehicles"
    assert q.head == "vehicle" and q.modifiers == ("US", "armored")
    q = q1("The brigade left behind 50 armoured personnel carriers.")
    assert q.counted == "armoured personnel carriers" and q.head == "carrier"


def test_lower_bounds():
    q = q1("More than 500 US soldiers arrived overnight.")
    assert (q.value, q.low, q.high, q.approx) == (500, 500, None, "more than")
    assert q.head == "soldier" and q.modifiers == ("US",)
    q = q1("A convoy of more than 85 vehicles was seen.", has="85")
    assert q.low == 85 and q.high is None and q.head == "vehicle"


def test_some_before_a_number_is_an_approximation():
    q = q1("The some 600 troops in northeast Syria are being moved.")
    assert q.approx == "some" and q.value == 600
    assert q.scope == "in northeast Syria"
    assert q.measure_key.endswith("· Syria")


def test_word_counts_and_american_is_us():
    qs = extract_quantities_from_text("There were two pullouts of around 50 American troops each.")
    assert [q.value for q in qs] == [2, 50]
    assert qs[0].head == "pullout"
    assert qs[1].modifiers == ("American",) and qs[1].measure_key == "US troops"


def test_measure_key_equal_across_phrasings():
    doc_text = (
        "US troops have been in Syria since 2015. The Pentagon keeps around 900 troops stationed in Syria. "
        "Last year it had 1,723 troops in Syria. A spokesman said the roughly 2,000 US troops in the country "
        "were safe, and more than 500 US soldiers would rotate out."
    )
    qs = extract_quantities_from_text(doc_text)
    keys = {q.value: q.measure_key for q in qs}
    assert keys[900] == keys[1723] == keys[2000] == "US troops · Syria"
    assert keys[500] == "US troops"  # no place in that clause


def test_local_troops_range_is_a_different_measure():
    q = q1("Between 35,000 and 40,000 local troops guard the camps.")
    assert (q.low, q.high, q.value) == (35000, 40000, 37500)
    assert q.modifiers == ("local",) and q.measure_key == "local troops"
    q = q1("They recruited 35,000 to 40,000 local fighters.")
    assert (q.low, q.high) == (35000, 40000) and q.rule == "range"


def test_vague_counts_keep_their_meaning():
    q = q1("The fighting displaced hundreds of thousands of people.")
    assert q.value is None and (q.low, q.high) == (200000, 999999)
    assert q.head == "people" and q.text == "hundreds of thousands of people"
    q = q1("Hundreds of families fled.")
    assert q.value is None and (q.low, q.high) == (200, 999)
    q = q1("Tens of thousands of residents fled.")
    assert (q.low, q.high) == (20000, 99999)


def test_vague_comparative():
    q = q1("Observers say the real toll is much higher than official figures.")
    assert q.value is None and q.comparison is not None and q.comparison.startswith("much higher than")


def test_number_words():
    assert values("She ordered twenty-one books and a dozen pens.") == [21, 12]
    assert values("They counted three million, two hundred & forty votes.") == [3000240]
    assert values("About two thirds of them agreed.") == [pytest.approx(2 / 3)]
    q = q1("It takes two and a half hours.")
    assert q.value == 2.5 and q.unit == "hour" and q.kind == "duration"


def test_population_and_multipliers():
    q = q1("It is a country with a 22 million population.")
    assert q.value == 22_000_000 and q.head == "population"
    q = q1("Costs could exceed $30mln this year.")
    assert (q.value, q.unit, q.kind, q.approx, q.low) == (30e6, "USD", "money", "more than", 30e6)
    assert values("Exports hit 1.5bn last year.") == [1.5e9]
    assert values("The fund holds €10M in cash.") == [1e7]


# ------------------------------------------------------------------ units


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("Turnout was 83 per cent.", 83, "percent"),
        ("Only about 20 percent of them voted.", 20, "percent"),
        ("Prices fell 4.5% in May.", 4.5, "percent"),
        ("Oil sold at $38 per barrel.", 38, "USD per barrel"),
        ("The ticket cost £12.50.", 12.5, "GBP"),
        ("The fine was 300 euros.", 300, "EUR"),
        ("He drove 120 km/h on the ring road.", 120, "kilometre per hour"),
        ("The tank holds 40 litres.", 40, "litre"),
        ("The field is 3 square kilometres.", 3, "square kilometre"),
        ("The crate weighs 20 kg.", 20, "kilogram"),
        ("It was 31 degrees Celsius at noon.", 31, "degree Celsius"),
        ("Temperatures reached 44 degrees C in the capital.", 44, "degree Celsius"),
        ("Each sack weighs 50 pounds.", 50, "pound-mass"),
        ("The club was fined 40,000 pounds.", 40000, "GBP"),
        ("The flight covered 2,400 miles.", 2400, "mile"),
        ("The plant makes 5 MWh a day.", 5, "megawatt hour per day"),
        ("A pipe 2 1/2 in wide.", 2.5, "inch"),
        ("The strain grew by 3.2 million cases.", 3.2e6, "case"),
    ],
)
def test_units(text, value, unit):
    q = q1(text)
    assert q.value == pytest.approx(value)
    assert q.unit == unit


def test_price_of_one_unit():
    qs = extract_quantities_from_text("The cost of one barrel of crude from the field is $38.")
    money = [q for q in qs if q.kind == "money"]
    assert len(money) == 1 and money[0].value == 38 and money[0].unit == "USD per barrel"


def test_ranges_and_durations():
    q = q1("The handover will take 60 to 100 days.")
    assert (q.low, q.high, q.value, q.unit, q.kind) == (60, 100, 80, "day", "duration")
    q = q1("The drill lasts 60-100 days.")
    assert (q.low, q.high) == (60, 100)
    q = q1("Troops must leave within 24 hours.")
    assert (q.value, q.unit, q.approx, q.high) == (24, "hour", "within", 24)
    q = q1("Doses of between 44 and 50 mg were given.")
    assert (q.low, q.high, q.unit) == (44, 50, "milligram")
    assert q.text.startswith("between")


def test_scientific_and_fractions():
    assert values("A rate of 2.5×10−3 per second.")[0] == pytest.approx(2.5e-3)
    assert values("It emits 3e8 photons.")[0] == pytest.approx(3e8)
    assert values("Use ¾ cup of sugar.")[0] == pytest.approx(0.75)
    assert values("Only 1/8 of the road is open.")[0] == pytest.approx(0.125)
    assert values("They walked 3 ½ miles.") == [3.5]
    assert values("The door is 2 1/2 in thick.") == [2.5]
    assert values("The reading was 9.83e-3 +/- 1e-5 units.")[0] == pytest.approx(9.83e-3)


def test_proportions():
    q = q1("A quarter of the population fled.")
    assert q.value == 0.25 and q.kind == "proportion" and q.head == "population"


def test_scores_and_not_ranges():
    assert values("The home side won 3-0.") == [3, 0]


def test_coordination_shares_the_unit():
    qs = extract_quantities_from_text("Patients received 20 and 40 mg doses.")
    assert [(q.value, q.unit) for q in qs] == [(20, "milligram"), (40, "milligram")]


# ------------------------------------------------------------------ never quantities


@pytest.mark.parametrize(
    "text",
    [
        "The talks began on January 25, 2024.",
        "The base opened in 2015.",
        "The blast happened at 1:33 pm local time.",
        "The group was founded in the 1990s.",
        "A second convoy left the town.",
        "It was the 21st attack this year.",
        "He met her at 2 pm on 12/05/2021.",
        "Results for 2013-14 were lower.",
        "Flights resumed at eleven o'clock.",
        "The poll ran Dec. 6-9 among likely voters.",
        "Flooding closed the road on 21 Oct and again later.",
        "UPDATED AT 4:05 PM NOVEMBER 15, 2019",
        "The talks ended on SEPT. 4.",
    ],
)
def test_dates_times_ordinals_are_not_quantities(text):
    assert extract_quantities_from_text(text) == []


def test_a_day_range_is_not_a_quantity_beside_one():
    qs = extract_quantities_from_text("The survey, taken March 11-13, found 40 percent support.")
    assert [(q.text, q.unit) for q in qs] == [("40 percent", "percent")]


def test_dates_come_from_the_time_expressions_given():
    from storyledger.extract.nlp import load_nlp
    from storyledger.extract.timex import tag_time_expressions

    doc = load_nlp()("He wrote on Feb 2 that 30 trucks came.")
    timexes = tag_time_expressions(doc.text, None, doc=doc)
    assert [q.text for q in extract_quantities(doc, timexes)] == ["30 trucks"]
    # without the time expressions nothing says "Feb 2" is a date (the parser does not either)
    assert [q.text for q in extract_quantities(doc, [])] == ["2", "30 trucks"]


def test_identifiers_are_not_quantities():
    assert extract_quantities_from_text("The COVID-19 wave hit F-16 crews and the G7.") == []


def test_one_needs_a_countable_noun_or_unit():
    assert extract_quantities_from_text("One of the officials said no one was hurt.") == []
    q = q1("One soldier was wounded.")
    assert q.value == 1 and q.head == "soldier"


def test_pure_and_serialisable():
    from storyledger.extract.nlp import load_nlp
    from storyledger.extract.timex import tag_time_expressions

    doc = load_nlp()("The army moved 40 tanks and 3,000 troops.")
    timexes = tag_time_expressions(doc.text, None, doc=doc)
    first = extract_quantities(doc, timexes)
    assert first == extract_quantities(doc, timexes)  # deterministic, doc not modified
    d = first[0].to_dict()
    assert d["value"] == 40 and d["modifiers"] == [] and d["text"] == "40 tanks"
    assert set(d) >= {
        "start",
        "end",
        "text",
        "value",
        "low",
        "high",
        "approx",
        "unit",
        "counted",
        "head",
        "modifiers",
        "scope",
        "comparison",
        "measure_key",
        "kind",
        "rule",
    }
