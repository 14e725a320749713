"""Segmentation: a file splits where a new article starts (a headline, its page header, a new
body), never at boilerplate markers, captions or subheads. The articles are written for these tests
(article_fixtures.py)."""

from __future__ import annotations

import csv
from pathlib import Path

from article_fixtures import FERRY, QUAY
from conftest import shared_path
from storyledger.ingest.documents import documents_from
from storyledger.ingest.segment import split_articles
from storyledger.model import Document, Origin, RawArticle

FIRST, SECOND = list(QUAY), list(FERRY)
FIRST_TITLE = "Harbour Board Closes Northern Quay for Repairs"
SECOND_TITLE = "Island Ferry Adds Two Daily Crossings From June"


def pages(*blocks: str) -> str:
    return "".join(blocks)


def body(paragraphs: list[str]) -> str:
    return "\n\n".join(paragraphs) + "\n"


def starts(text: str) -> list[str]:
    """The first line of every article found after the first."""
    return [text[start:end].strip().splitlines()[0] for start, end in split_articles(text)[1:]]


def test_a_second_article_with_its_page_header_splits():
    caption = "Passengers board the island ferry at dawn. (Kessin Ferries)"
    doubled = pages(FIRST_TITLE + "\n\n", body(FIRST), "Be the first to comment\n\n\n\n",
                    SECOND_TITLE + "\n", caption + "\n", caption + "\n\n",
                    SECOND_TITLE + "\n\n", body(SECOND))
    assert starts(doubled) == [SECOND_TITLE]
    dated = pages(FIRST_TITLE + "\n\n", body(FIRST), "\n\n",
                  SECOND_TITLE + "\n", "March 20, 2026 at 11:05 am\n", "By Jana Holm\n\n", body(SECOND))
    assert starts(dated) == [SECOND_TITLE]


def test_both_documents_come_out_cleaned():
    text = pages(FIRST_TITLE + "\n\n", body(FIRST), "\n\n\n",
                 SECOND_TITLE + "\n", SECOND_TITLE + "\n\n", body(SECOND))
    docs = [d for d in documents_from(RawArticle(text, Origin("two.txt"), segment=True))]
    assert [d.title for d in docs if isinstance(d, Document)] == [FIRST_TITLE, SECOND_TITLE]
    second = docs[1]
    assert isinstance(second, Document) and second.text.count(SECOND_TITLE) == 1
    assert "northern quay" not in second.text


def test_repeated_ad_markers_do_not_split():
    for marker_line in ("Article Continued Below", "Story continues below advertisement",
                        "Sponsored Content", "ADVERTISEMENT"):
        marker = f"\n\n\n{marker_line}\n\n\n"
        text = pages(FIRST_TITLE + "\n\n", FIRST[0] + marker, FIRST[1] + marker, body(FIRST[2:]),
                     marker, body(SECOND))
        assert split_articles(text) == [(0, len(text))], marker_line


def test_doubled_captions_and_subheads_do_not_split():
    caption = "Workers inspect the rotten piles under the northern quay on Monday"
    text = pages(FIRST_TITLE + "\n\n", body(FIRST), caption + "\n", caption + "\n\n", body(SECOND))
    assert split_articles(text) == [(0, len(text))]
    subhead = "What The Closure Means For Island Fishermen"
    text = pages(FIRST_TITLE + "\n\n", body(FIRST), "\n\n\n", subhead + "\n\n", body(SECOND))
    assert split_articles(text) == [(0, len(text))]


def test_a_headline_without_a_new_body_does_not_split():
    teaser = pages(FIRST_TITLE + "\n\n", body(FIRST), "\n\n\n", SECOND_TITLE + "\n", SECOND_TITLE + "\n\n",
                   "Read the full story on our ferry page.\n")
    assert split_articles(teaser) == [(0, len(teaser))]


def _single_articles(texts: list[str], corpus: str) -> None:
    split = [i for i, text in enumerate(texts) if len(split_articles(text)) > 1]
    assert split == [], f"{corpus}: one-article items split: {split[:10]}"


def test_fnc1_bodies_are_one_article_each():
    path = shared_path("data", "fnc1", "train_bodies.csv")
    csv.field_size_limit(1 << 30)
    with path.open(encoding="utf-8", newline="") as handle:
        _single_articles([row["articleBody"] for row in csv.DictReader(handle)], "FNC-1")


def test_polnear_articles_are_one_article_each():
    folder = Path(shared_path("data", "polnear", "dev", "text"))
    _single_articles([p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))], "PolNeAR")
