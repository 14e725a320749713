"""The seed corpus (../shared/seeds): six documents, their dates, boilerplate gone, no reporting lost."""

from __future__ import annotations

import pytest

from conftest import cli_json

# For each seed document (file, article number), the opening words of every paragraph a reader
# must find in the cleaned text, in order, written out by hand from reading the seeds. The first
# entry is the headline.
KEPT_PARAGRAPHS = {
    ("000_", 1): [
        "Foreign Policy: US is", "The US is considering", "Although no definite decision",
        "Talks are now ongoing", "However, since its publication", "A report last week by",
        "The US began deploying", "Today the US has", "The Foreign Policy report notes",
        "Since Israel’s war on Gaza",
    ],
    ("001_", 1): [
        "U.S. Military Intends to Stay", "The Pentagon intends to keep", "For several years now",
        "The Pentagon claims that", "“We are going to maintain", "According to Pahon",
        "These troops have assisted", "With ISIS believed to be", "Like Syria and Iran",
        "However, in the past few days",
    ],
    ("002_", 1): [
        "US Begins Withdrawing Forces", "The United States began on Wednesday",
        "\"We have started returning", "It was not immediately clear", "Sanders suggested that",
        "\"The United States and our allies", "The US will withdraw all",
        "\"We have defeated ISIS", "The US official told AFP", "\"Full withdrawal, all means all",
        "Currently, about 2,000", "Most US troops are stationed", "A decision to pull out",
        "It could also undercut", "The US State Department is evacuating",
        "The official said the US plans", "The decision came after", "\"Everything that has followed",
        "Just last week", "\"I think it's fair", "And two weeks ago", "Trump's national security adviser",
    ],
    ("002_", 2): [
        "Khamenei Urges Iraq’s PM", "Iran and Iraq have acknowledged", "Iranian Supreme Leader",
        "During his meeting with Sudani", "He further emphasized", "Khamenei’s remarks came",
        "According to Khamenei’s official website", "He reiterated Iraq’s",
        "Earlier on Wednesday, Sudani met", "In a joint press conference", "“Iran constantly strives",
        "The Iranian president noted", "He stressed that the resurgence", "During his visit, Sudani",
        "He also expressed Iraq’s", "Sudani landed in Tehran",
    ],
    ("003_", 1): [
        "MAJOR: Hundreds of US Troops", "BAGHDAD/DAMASCUS – American forces", "More than 500 US soldiers",
        "Two convoys belonging", "Meanwhile, the Syrian Observatory", "The Iraqi military has also",
        "During the recent weeks", "Meanwhile, Russian Defense Ministry", "According to Konashenkov",
        "While Washington claims", "The US and its allies invaded",
    ],
    ("004_", 1): [
        "US denies Russian reports", "Syrian regime media had reported", "The US-led international coalition",
        "Syrian and Russian government media", "Russian-government media outlet", "These troops then headed",
        "The US-led coalition were quick", "\"[The coalition] continues",
        "\"US-led coalition forces routinely",
        "The movement of troops come", "Trump has repeatedly demanded", "Outgoing US special representative",
        "\"We were always playing", "However, Acting Pentagon chief", "\"We are not a people",
        "\"We met the challenge", "Trump is also expected", "The Syrian regime has also",
    ],
}

# Boilerplate named in PRODUCT.md, by the reason it must be recorded under.
BOILERPLATE = [
    ("Be the first to comment", "comment prompt"),
    ("Leave a Reply", "comment prompt"),
    ("Subscribe to our newsletter", "newsletter or subscription prompt"),
    ("- Advertisement -", "advertisement marker"),
    ("0 2,056", "view or share counter"),
    ("3 min read", "reading-time line"),
    ("Follow us on", "outlet tagline"),
    ("READ: US to send 1,500 troops", "related-story link"),
    ("READ: US sends reinforcements", "related-story link"),
    ("Pentagon logo is seen", "photo caption or credit"),
    ("A member of U.S forces rides", "photo caption or credit"),
    ("Sudani and Pezeshkian hold", "photo caption or credit"),
    ("The US has denied reports of a major troops withdrawal from Syria [Getty]", "photo caption or credit"),
]


@pytest.fixture(scope="module")
def seed_docs(seeds_db: str) -> list[dict]:
    return cli_json("docs", "--db", seeds_db)


def _doc(docs: list[dict], prefix: str, number: int) -> dict:
    matching = [d for d in docs if d["path"].rsplit("/", 1)[-1].startswith(prefix)]
    return matching[number - 1]


def test_six_documents_from_five_files(seed_docs):
    assert len(seed_docs) == 6
    second = _doc(seed_docs, "002_", 2)
    assert second["title"].startswith("Khamenei Urges")
    assert "Khamenei" not in _doc(seed_docs, "002_", 1)["text"]


def test_dates_and_undated(seed_docs):
    by_file = {d["path"][-24:-20]: (d["published"], d["published_source"]) for d in seed_docs}
    assert by_file["000_"] == ("2024-01-25", "text")
    assert by_file["004_"] == ("2020-11-17", "text")
    for prefix in ("001_", "003_"):
        assert by_file[prefix] == (None, "none")
    assert all(d["published"] is None for d in seed_docs if "002_" in d["path"])


def test_outlets_from_taglines(seed_docs):
    assert _doc(seed_docs, "000_", 1)["outlet"] == "Middle East Monitor"
    assert _doc(seed_docs, "004_", 1)["outlet"] == "The New Arab"


@pytest.mark.parametrize("key", sorted(KEPT_PARAGRAPHS))
def test_no_reporting_lost(seed_docs, key):
    doc = _doc(seed_docs, *key)
    paragraphs = doc["text"].split("\n\n")
    expected = KEPT_PARAGRAPHS[key]
    assert len(paragraphs) == len(expected), [p[:40] for p in paragraphs]
    for paragraph, opening in zip(paragraphs, expected, strict=True):
        assert paragraph.startswith(opening), (paragraph[:60], opening)
    assert doc["title"].startswith(expected[0])


@pytest.mark.parametrize(("fragment", "reason"), BOILERPLATE)
def test_boilerplate_removed_with_reason(seed_docs, fragment, reason):
    assert all(fragment not in d["text"] for d in seed_docs)
    from storyledger.ingest.lines import plain_spaces

    reasons = {r["reason"] for d in seed_docs for r in d["removed"] if fragment in plain_spaces(r["text"])}
    assert reason in reasons


def test_doubled_title_and_paragraph_removed_once(seed_docs):
    doc = _doc(seed_docs, "002_", 1)
    assert doc["text"].count("We have started returning United States troops home") == 1
    assert doc["text"].count("US Begins Withdrawing Forces from Syria") == 1
    reasons = [r["reason"] for r in doc["removed"]]
    assert "repeated title" in reasons and "repeated paragraph" in reasons
    assert _doc(seed_docs, "004_", 1)["text"].count("US denies Russian reports") == 1


def test_removed_spans_point_into_the_original(seeds_db, seed_docs):
    from storyledger.ingest.lines import plain_spaces
    from storyledger.store.ledger import open_ledger

    with open_ledger(seeds_db) as ledger:
        for record in seed_docs:
            doc = ledger.document(record["id"])
            for span in doc.removed:
                assert doc.original[span.start:span.end] == span.text
            for clean_start, original_start, length in doc.offset_map.segments:
                assert doc.text[clean_start:clean_start + length] == \
                    plain_spaces(doc.original[original_start:original_start + length])


# --- Who said it: the seeds' sources, as a reader would check them --------------------------------


def _attributions(seeds_db: str, docs: list[dict], prefix: str, number: int = 1) -> list[dict]:
    return cli_json("attributions", "--db", seeds_db, "--doc", _doc(docs, prefix, number)["id"])


def _said(records: list[dict], cue: str, fragment: str) -> dict:
    found = [r for r in records if r["cue"]["text"] == cue and fragment in r["content"]["text"]]
    assert found, [(r["cue"]["text"], r["content"]["text"][:40]) for r in records]
    return found[0]


def test_an_anonymous_us_official_stays_anonymous(seeds_db, seed_docs):
    records = _attributions(seeds_db, seed_docs, "002_")
    for record in (_said(records, "told", "Trump's decision was finalized"),
                   _said(records, "said", "Full withdrawal")):
        assert record["anonymous"] and record["source_name"] is None
        assert record["source_affiliation"] == "United States"


JUNK_SOURCES = {"U.S.’s ultimate withdrawal from Syria", "the U.S.’s ultimate withdrawal from Syria",
                "a rationale", "Nobody", "MAJOR"}


def test_no_junk_sources(seeds_db):
    records = cli_json("attributions", "--db", seeds_db)
    written = {r["source"]["text"] for r in records if r["source"]}
    names = {r["source_name"] for r in records if r["source_name"]}
    assert not (written | names) & JUNK_SOURCES
    # a pronoun kept as a source always stands for someone: the speaker whose words hold it
    pronouns = [r for r in records if r["source"] and r["source"]["text"] in ("I", "We", "it", "It")]
    assert pronouns and all(r["source_name"] for r in pronouns)


def test_pronouns_follow_the_speaker(seeds_db, seed_docs):
    records = _attributions(seeds_db, seed_docs, "002_", 2)
    assert _said(records, "emphasized", "unity and harmony")["source_name"] == "Ali Khamenei"
    assert _said(records, "added", "Iran constantly strives")["source_name"] == "Masoud Pezeshkian"
    assert _said(records, "stressed", "resurgence of terrorism")["source_name"] == "Masoud Pezeshkian"


def test_a_report_leading_an_article_and_the_report_it_names(seeds_db, seed_docs):
    records = _attributions(seeds_db, seed_docs, "003_")
    lead = _said(records, "reported", "American forces are returning")
    assert lead["source_name"] == "Syrian Observatory for Human Rights"
    assert _said(records, "according to", "Two convoys")["source_name"] == lead["source_name"]


def test_one_person_one_name(seeds_db):
    names = {r["name"] for r in cli_json("sources", "--db", seeds_db)}
    assert "Igor Konashenkov" in names and "igor konashenkov" not in names
    assert "Mohammed Shia al-Sudani" in names and "Sudani" not in names
    assert "New Arab" not in names


def test_relayed_figures_belong_to_the_reporter(seeds_db):
    by_text = {q["text"]: q for q in cli_json("quantities", "--db", seeds_db)}
    assert by_text["around 50 American troops"]["source"] == "Sputnik Arabic"
    assert by_text["hundreds of American troops"]["source"] == "Syrian regime media"
