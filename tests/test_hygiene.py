"""Hygiene keeps reporting: each removal rule with lines of reporting it must keep, and the
boilerplate it must still remove. Every article here is written for these tests."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from article_fixtures import QUAY
from conftest import shared_path
from storyledger.ingest.hygiene import clean_article, is_caption, match_rule
from storyledger.ingest.lines import is_clause


def removed(text: str, **kwargs) -> dict[str, str]:
    """Removed line -> the rule that removed it."""
    return {span.text: span.rule for span in clean_article(text, **kwargs).removed}


def article(*paragraphs: str) -> str:
    return "\n\n".join(paragraphs) + "\n"


BODY = QUAY


# -- before-title: page header only above a headline known to be one --------------------------


def test_lede_above_a_headline_like_quote_is_kept():
    lede = "The harbour board closed the northern quay on Tuesday."
    quote = "“We had no choice but to act now”"
    text = article(lede, quote, *BODY)
    clean = clean_article(text)
    assert clean.removed == ()
    assert clean.text.startswith(lede)
    assert clean.title is None  # no line reads as a headline at the top


def test_lede_above_a_credit_or_a_marker_is_kept():
    lede = "Fishing boats will move to the southern basin, the harbour board decided."
    for label in ("Photo: Kessin Harbour Board", "Article Continued Below"):
        clean = clean_article(article(lede, label, *BODY))
        assert clean.text.startswith(lede), label
        assert [s.rule for s in clean.removed] == ["photo-credit" if "Photo" in label else "ad-marker"]


def test_short_labels_above_a_headline_printed_twice_are_page_header():
    title = "Harbour Board Closes Northern Quay for Repairs"
    text = article("Home", "Local News", "Ports and Shipping", title, title, *BODY)
    got = removed(text)
    assert got == {"Home": "page-chrome", "Local News": "before-title",
                   "Ports and Shipping": "before-title", title: "repeated-line"}
    assert clean_article(text).title == title


def test_a_sentence_above_a_known_headline_is_kept():
    title = "Harbour Board Closes Northern Quay for Repairs"
    lede = "Boats will have to moor in the southern basin until September."
    text = article("Local News", lede, title, *BODY)
    got = removed(text, title_hint=title)
    assert got == {"Local News": "before-title"}
    assert clean_article(text, title_hint=title).text.startswith(lede)


def test_a_headline_ending_in_a_full_stop_is_taken_for_the_title():
    title = "Harbour Board Closes Northern Quay After Years of Delay."
    clean = clean_article(article(title, *BODY))
    assert clean.title == title and clean.removed == ()
    # A sentence of reporting ending in a full stop is no headline.
    assert clean_article(article("The board closed the quay on Tuesday.", *BODY)).title is None


# -- photo-credit: a credit, not any closing bracket -------------------------------------------


@pytest.mark.parametrize("line", [
    "The board said the quay would reopen in September. (Updated)",
    "Shares in the operator fell four percent on the news. (Get the latest quote here.)",
    "The chapter closes with the line quoted at the funeral [Book of Ruth 1].",
    "Support for the repairs stands at 61 percent in the latest survey. [Harbour/Coast Poll]",
    "The White House has not commented on the report (AP).",
    "He was tased and then shot as he approached the car. (Warning: video contains graphic images.)",
    "KESSIN, VALDORIA (AP) --",
    "(Undated)",
])
def test_reporting_ending_in_brackets_is_kept(line):
    text = article(BODY[0], line, *BODY[1:])
    assert removed(text) == {}


@pytest.mark.parametrize(("line", "placed"), [
    ("Boats moored in the southern basin on Monday evening. [Getty Images]", False),
    ("Workers inspect the rotten piles under the northern quay. (AP Photo/Jan Marek)", False),
    ("Fishing boats leave the southern basin at dawn. THE KESSIN PRESS/Ola Brandt", True),
    ("REUTERS/Stringer", False),
    ("Sam Holm/Getty Images", False),
    ("Harbour master Ivo Dren in his office (Reuters)", False),
    ("SINKING: The old quay's timbers gave way in the storm [CEN]", False),
    ("Board chair Mira Lenk at the meeting on Tuesday. (Kessin Harbour Board)", True),
])
def test_captions_with_credits_are_removed(line, placed):
    assert is_caption(line, placed=placed)


def test_a_name_in_brackets_credits_a_caption_only_where_captions_stand():
    caption = "Board chair Mira Lenk at the meeting on Tuesday. (Kessin Harbour Board)"
    assert not is_caption(caption)  # reporting cites outlets in brackets too
    title = "Harbour Board Closes Northern Quay for Repairs"
    assert removed(article(title, caption, *BODY)) == {caption: "photo-credit"}
    # The same line deep in the story, printed once, stays.
    assert removed(article(title, *BODY, caption, BODY[0].replace("Tuesday", "Friday"))) == {}


def test_caption_labels_keep_lines_that_report_speech():
    kept = ("Pictured: Mira Lenk, who told the meeting that the quay was unsafe and said the board "
            "had no choice.")
    assert not is_caption(kept) and match_rule(kept) is None
    two_sentences = ("Pictured: the northern quay. The board was told on Tuesday that it would cost "
                     "two million marks to repair.")
    assert match_rule(two_sentences) is None
    assert match_rule("Pictured: the northern quay at low tide").name == "photo-credit"


def test_a_digest_of_items_with_source_tags_keeps_its_items():
    items = [
        "PORT CLOSES The harbour board closed the northern quay on Tuesday after engineers found "
        "rotten piles under the old timber deck. [Kessin Post]",
        "FERRY FARES RISE The coastal ferry will charge more from June as fuel prices climb for "
        "a third month running along the whole coast. [Coast Radio]",
        "STRIKE CALLED OFF Dock workers called off the strike planned for Friday after the board "
        "agreed to meet their union next week about pay. [Harbour Gazette]",
    ]
    assert removed(article("Morning Briefing: The Quay Closes", *items)) == {}


# -- repeated-line: second copies, not list items ----------------------------------------------


def test_repeated_list_items_that_are_the_body_are_kept():
    days = []
    for day in ("Monday", "Tuesday", "Wednesday"):
        days += [f"{day}", "Breakfast: porridge with stewed apples", "Lunch: lentil soup and rye bread",
                 f"The plan for {day} keeps the same breakfast and lunch but changes the dinner."]
    interview = []
    for name in ("Ola", "Ivo"):
        interview += [f"{name}, harbour pilot", "What did you see that night?",
                      f"{name} said the wind turned and the swell rose within minutes."]
    for text in (article(*days), article(*interview)):
        assert removed(text) == {}, text


def test_doubled_and_repeated_paragraphs_are_removed_once():
    doubled = "Boats will use the southern basin."
    text = article(BODY[0], doubled, doubled, BODY[1], BODY[0], BODY[2])
    got = clean_article(text)
    assert [s.rule for s in got.removed] == ["repeated-line", "repeated-line"]
    assert got.text.count(doubled) == 1 and got.text.count(BODY[0]) == 1


# -- related-link, byline, prompts -------------------------------------------------------------


def test_a_watch_headline_is_kept_and_a_watch_link_removed():
    title = "WATCH: Storm Tears Roof Off Kessin Fish Market"
    link = "WATCH: Ferry crews practise a rescue at sea"
    clean = clean_article(article(title, BODY[0], link, *BODY[1:]))
    assert clean.title == title and clean.text.startswith(title)
    assert {s.text: s.rule for s in clean.removed} == {link: "related-link"}


def test_a_related_tag_before_reporting_paragraphs_is_kept():
    long_line = ("More: The board said on Tuesday that repairs would cost two million marks. It "
                 "added that a loan had been agreed with the regional bank.")
    assert match_rule(long_line) is None
    assert match_rule("READ MORE: Ferry fares rise again in June").name == "related-link"


def test_bylines_do_not_take_reporting_with_them():
    assert removed(article("Staff Reporter", *BODY)) == {"Staff Reporter": "byline"}
    sentence = "By Staff Reporter - Police arrested two men on Monday after a fight at the quay."
    assert removed(article(sentence, *BODY)) == {}
    assert clean_article(article("By Jana Holm, Harbour Correspondent", *BODY)).byline == "Jana Holm"


def test_chrome_patterns_need_their_separator():
    kept = "Previous posts by the board's engineer warned that the piles were rotting."
    assert match_rule(kept) is None
    assert match_rule("Next article: Ferry fares rise").name == "page-chrome"
    assert match_rule("Scroll down for video").name == "page-chrome"
    assert match_rule("Story continues below advertisement").name == "ad-marker"
    assert match_rule("Article Continued Below").name == "ad-marker"


def test_an_article_never_loses_all_its_text():
    only = "READ: The board was told the northern quay could collapse within a year"
    clean = clean_article(only)
    assert clean.text == only and clean.removed == ()
    prompts = clean_article("Be the first to comment\nLeave a Reply\n- Advertisement -\n")
    assert prompts.text == "" and len(prompts.removed) == 3


def test_clause_test():
    assert is_clause("Ahmed Ali is the spiritual leader of the group")
    assert is_clause("He's doing just fine these days")
    assert not is_clause("Harbour Board Closes Northern Quay for Repairs")
    assert not is_clause("Local News and Ports")


# -- shared data -------------------------------------------------------------------------------


def _fnc1_bodies() -> list[str]:
    path = shared_path("data", "fnc1", "train_bodies.csv")
    csv.field_size_limit(1 << 30)
    with path.open(encoding="utf-8", newline="") as handle:
        return [row["articleBody"] for row in csv.DictReader(handle)]


def test_fnc1_bodies_keep_text_and_their_clauses():
    """No body loses all its text, and a removed line that reads as a clause was removed by a
    pattern or a credit, never for where it stood above a headline."""
    for body in _fnc1_bodies():
        clean = clean_article(body)
        assert clean.text.strip() or not body.strip()
        for span in clean.removed:
            assert span.rule != "before-title" or not is_clause(span.text), span.text


def test_polnear_headlines_are_kept():
    """PolNeAR's articles open with their headline, many ending in a full stop: none is removed."""
    folder = shared_path("data", "polnear", "dev", "text")
    for path in sorted(Path(folder).glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        first = text.strip().splitlines()[0].strip()
        assert first in clean_article(text).text, path.name
