"""Attributions, quantities and claims on the seed corpus: what PRODUCT.md says a user expects."""

from __future__ import annotations

import pytest

from conftest import cli, cli_json
from storyledger.extract.attribution import Attribution, TextSpan, citation_chains


def _doc_id(seeds_db: str, prefix: str) -> str:
    return next(d["id"] for d in cli_json("docs", "--db", seeds_db) if prefix in d["path"])


def _attributions(seeds_db: str, prefix: str) -> list[Attribution]:
    def span(record: dict | None) -> TextSpan | None:
        return TextSpan(**record) if record else None

    out = []
    for r in cli_json("attributions", "--db", seeds_db, "--doc", _doc_id(seeds_db, prefix)):
        fields = {k: r[k] for k in Attribution.__dataclass_fields__}
        for key in ("source", "cue", "content", "medium", "hedge"):
            fields[key] = span(r[key])
        fields["content_parts"] = tuple(span(p) for p in r["content_parts"])
        out.append(Attribution(**fields))
    return out


@pytest.mark.parametrize(("prefix", "outlet", "chain"), [
    ("000_", "Middle East Monitor",
     ["Middle East Monitor", "Foreign Policy", "four sources within the Defence and State departments"]),
    ("000_", "Middle East Monitor", ["Middle East Monitor", "RIA Novosti", "a Pentagon spokesperson"]),
    ("004_", "The New Arab", ["The New Arab", "Rudaw English", "Wayne Morotto"]),
    ("001_", None, ["AFP", "Eric Pahon"]),
])
def test_citation_chains(seeds_db, prefix, outlet, chain):
    attributions = _attributions(seeds_db, prefix)
    chains = citation_chains(attributions, outlet=outlet)
    assert chain in chains, chains


def test_pentagon_denial_is_speech_with_its_cue_and_anonymous_source(seeds_db):
    [denial] = [a for a in _attributions(seeds_db, "000_")
                if "erroneous" in a.content.text and a.source.text == "a Pentagon spokesperson"]
    assert denial.anonymous and denial.parent is not None  # reported through RIA Novosti
    assert denial.cue.text == "has called" and denial.kind == "speech"


def test_medium_and_pronoun_resolution(seeds_db):
    attributions = _attributions(seeds_db, "004_")
    [morotto] = [a for a in attributions if a.source_name == "Wayne Morotto"]
    assert morotto.medium is not None and morotto.medium.text == "Rudaw English"
    [memo] = [a for a in attributions if a.cue.text == "wrote"]
    assert memo.source.text == "he" and memo.source_name == "Christopher Miller"


def test_attributions_filters(seeds_db):
    by_source = cli_json("attributions", "--db", seeds_db, "--source", "Pahon")
    assert by_source and all("Pahon" in (r["source_name"] or r["source"]["text"]) for r in by_source)
    by_outlet = cli_json("attributions", "--db", seeds_db, "--outlet", "The New Arab")
    assert by_outlet and {r["outlet"] for r in by_outlet} == {"The New Arab"}
    reports = cli_json("attributions", "--db", seeds_db, "--kind", "report")
    assert reports and {r["kind"] for r in reports} == {"report"}
    texts = cli_json("attributions", "--db", seeds_db, "--text", "conditions-based")
    assert [r["source_name"] for r in texts] == ["Eric Pahon"]


def test_troop_series_under_one_measure_key(seeds_db):
    records = cli_json("quantities", "--db", seeds_db, "--measure", "US troops · Syria")
    by_text = {r["text"]: r for r in records}
    expected = {  # text: (value, approximation)
        "around 900 troops": (900, "around"),
        "around 1,723 troops": (1723, "around"),
        "1,251": (1251, None),
        "roughly 2,000 US troops": (2000, "roughly"),
        "about 2,000 US forces": (2000, "about"),
        "some 600 troops": (600, "some"),
    }
    for text, (value, approx) in expected.items():
        assert by_text[text]["value"] == value and by_text[text]["approx"] == approx, text
        assert by_text[text]["measure_key"] == "US troops · Syria"
    much_higher = by_text["much higher"]
    assert much_higher["value"] is None and much_higher["source"] == "James Jeffrey"


def test_troop_values_carry_their_time_and_source(seeds_db):
    by_text = {r["text"]: r for r in cli_json("quantities", "--db", seeds_db, "--measure", "US troops")}
    assert (by_text["around 900 troops"]["as_of"], by_text["around 900 troops"]["as_of_source"]) == \
        ("2024-01-25", "text")  # "Today the US has around 900 troops" in a dated article
    assert by_text["around 900 troops"]["source"] == "Middle East Monitor"
    assert by_text["1,251"]["as_of_text"] == "June"  # "up from the 1,251 reported in June"
    assert by_text["1,251"]["comparison"] and by_text["around 1,723 troops"]["comparison"]
    assert by_text["some 600 troops"]["as_of_source"] == "publication"
    assert by_text["some 600 troops"]["as_of"] == "2020-11-17"
    assert by_text["around 1,723 troops"]["as_of"] is None  # undated article: no date invented


def test_dates_are_not_quantities(seeds_db):
    texts = [r["text"] for r in cli_json("quantities", "--db", seeds_db)]
    assert not any(t in ("2015", "2019", "2014", "17", "25") for t in texts)


@pytest.mark.parametrize(("prefix", "fragment"), [
    ("000_", "erroneous"),
    ("004_", "do not indicate a major withdrawal"),
    ("004_", "Reports of a major American troop withdrawal"),
])
def test_denials_are_negated_claims(seeds_db, prefix, fragment):
    claims = cli_json("claims", "--db", seeds_db, "--doc", _doc_id(seeds_db, prefix))
    matching = [c for c in claims if fragment in c["evidence"] or fragment in c["proposition"]]
    assert matching and all(c["polarity"] == "negated" for c in matching), matching
    assert all(c["polarity_cue"] for c in matching)


def test_claims_carry_modality_source_and_evidence(seeds_db):
    doc_id = _doc_id(seeds_db, "001_")
    claims = {c["id"]: c for c in cli_json("claims", "--db", seeds_db, "--doc", doc_id)}
    text = next(d["text"] for d in cli_json("docs", "--db", seeds_db) if d["id"] == doc_id)
    for claim in claims.values():
        assert text[claim["start"]:claim["end"]] == claim["evidence"]
    conditional = [c for c in claims.values() if "conditions-based" in c["evidence"]]
    assert conditional and conditional[0]["modality"] == "condition" and conditional[0]["source"] == "Eric Pahon"
    plans = [c for c in claims.values() if c["modality"] == "plan"]
    assert any("keep troops in Syria" in c["proposition"] for c in plans)


def test_claims_filters(seeds_db):
    negated = cli_json("claims", "--db", seeds_db, "--polarity", "negated")
    assert negated and {c["polarity"] for c in negated} == {"negated"}
    assert cli_json("claims", "--db", seeds_db, "--text", "all means all")
    out = cli("claims", "--db", seeds_db, "--source", "Jeffrey").stdout
    assert "Jeffrey" in out
