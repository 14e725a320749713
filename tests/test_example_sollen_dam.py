"""The story layer on a story of our own (examples/sollen-dam, written for this project): a false
report that other outlets relay with attribution, its denials, disproof and retraction; a charge
rise announced, confirmed and then scrapped; articles that only discuss. Every conclusion the
tool prints about it is checked against what the articles say."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import ROOT, cli, cli_json

STORY = ROOT / "examples" / "sollen-dam"
COURIER, RADIO, NORTHLINE = "Vey Valley Courier", "Estmark Radio", "Northline News"


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("sollen") / "ledger.db")
    cli("build", str(STORY), "--db", path, "-q", "--profile", str(STORY / "profile.toml"))
    return path


@pytest.fixture(scope="module")
def threads(ledger: str) -> list[dict]:
    return [json.loads(cli("thread", t["thread_id"], "--db", ledger, "--json").stdout)
            for t in cli_json("threads", "--db", ledger)]


def _supporting(thread: dict, words: str) -> bool:
    return any(c["stance"] == "supports" and words in c["evidence"] for c in thread["claims"])


def _crack_threads(threads: list[dict]) -> list[dict]:
    """The threads the Courier's own report supports ("A crack … has opened …")."""
    return [t for t in threads if _supporting(t, "A crack about four metres long has opened")]


def _charge_threads(threads: list[dict]) -> list[dict]:
    return [t for t in threads if any(c["stance"] == "supports" and "water charges" in c["evidence"].lower()
                                      for c in t["claims"])]


def _evidence(thread: dict) -> dict[tuple[str, str], dict]:
    return {(c["doc_id"], c["claim_id"]): c for c in thread["claims"]}


def test_every_article_is_read_with_its_outlet_and_date(ledger: str):
    docs = cli_json("docs", "--db", ledger)
    assert len(docs) == 12
    assert all(d["published"] and d["published"].startswith("2026-0") for d in docs)
    assert {d["outlet"] for d in docs} == {COURIER, RADIO, NORTHLINE, "Estmark Press Agency",
                                           "The Brackwater Standard"}


def test_the_crack_report_starts_with_the_courier_s_own_article(ledger: str, threads: list[dict]):
    courier_article = next(d["id"] for d in cli_json("docs", "--db", ledger)
                           if d["outlet"] == COURIER and d["published"] == "2026-08-10")
    crack = _crack_threads(threads)
    assert crack
    main = max(crack, key=lambda t: len(t["claims"]))
    first = _evidence(main)[(main["first_doc_id"], main["first_claim_id"])]
    assert first["stance"] == "supports"
    # Estmark Radio relayed it the same day; the story started in the Courier
    assert main["first_doc_id"] == courier_article and main["first_date"] == "2026-08-10"


def test_denials_deny_the_crack_report_and_only_it(threads: list[dict]):
    crack = _crack_threads(threads)
    deniers = {c["source"] for t in crack for c in t["claims"] if c["stance"] == "denies"}
    assert {"Piet Amsel", "Karel Voss"} <= deniers
    for t in crack:
        on = _evidence(t)
        for c in t["claims"]:
            for key in c["denies"]:  # each denial names the report it denies
                if tuple(key) in on:
                    assert "crack" in on[tuple(key)]["evidence"].lower(), (c["evidence"], on[tuple(key)])
    # the charge rise is denied by no one: its only opponents are its cancellations
    for t in _charge_threads(threads):
        for c in t["claims"]:
            if c["stance"] == "denies":
                assert "crack" not in c["evidence"].lower(), c


def test_disagreements_are_one_row_per_pair_of_real_sources(threads: list[dict]):
    rows = [x for t in _crack_threads(threads) for x in t["contradictions"] if x["kind"] == "disagreement"]
    pairs = {(x["a"]["source"], x["b"]["source"]) for x in rows}
    assert (COURIER, "Karel Voss") in pairs  # disproved ten days later
    # the board denied it the same day, itself and through its spokesman: one side, told by its
    # earliest denial
    assert len(pairs & {(COURIER, "Piet Amsel"), (COURIER, "Vey Valley Water Board")}) == 1
    for t in _crack_threads(threads):
        sides = [tuple(sorted((x["a"]["source"], x["b"]["source"]))) for x in t["contradictions"]
                 if x["kind"] == "disagreement"]
        assert len(sides) == len(set(sides))
    for x in rows:
        # the Courier's unnamed engineers are the Courier's side, not one of their own
        assert "engineers" not in x["a"]["source"] and "engineers" not in x["b"]["source"], x
        assert x["days"] is not None and 0 <= x["days"] <= 45, x
        assert RADIO not in (x["a"]["source"], x["b"]["source"])  # it only relayed both sides


def test_no_side_is_a_word_of_a_headline(threads: list[dict]):
    sides = {s for t in threads for x in t["contradictions"] for s in (x["a"]["source"], x["b"]["source"])}
    assert "Crack" not in sides


def test_the_charge_rise_is_reversed_once(threads: list[dict]):
    charges = _charge_threads(threads)
    assert charges
    # the rise starts with the board's announcement of 3 August, not with its cancellation
    assert max(charges, key=lambda t: len(t["claims"]))["first_date"] == "2026-08-03"
    scrapped = [c for t in charges for c in t["claims"] if "scrapped the 9 percent rise" in c["evidence"]]
    assert scrapped and all(c["stance"] == "denies" and c["rule"] == "reversed-event" for c in scrapped)
    for t in charges:
        reversals = [x for x in t["contradictions"] if x["kind"] == "reversal"]
        assert len(reversals) <= 1  # one plan called off, however many outlets report it
        for x in reversals:
            announced, cancelled = x["a"]["evidence"].lower(), x["b"]["evidence"].lower()
            assert "rise" in announced or "raise" in announced, announced
            assert "scrapped" in cancelled or "called off" in cancelled, cancelled
            assert x["days"] is not None and 0 < x["days"] <= 60
            assert x["a"]["date"] < x["b"]["date"]  # told by when each was said, as its days are
    assert any(x["kind"] == "reversal" for t in charges for x in t["contradictions"])


def test_the_false_report_counts_against_the_courier_and_not_its_relays(ledger: str):
    records = {(r["kind"], r["name"]): r for r in cli_json("sources", "--db", ledger)}
    courier = records[("outlet", COURIER)]
    own = [c for c in courier["data"]["claims"] if c["date"] == "2026-08-10"]
    assert own and all(c["outcome"] == "denied" for c in own), courier["data"]
    assert {"Piet Amsel", "Karel Voss"} <= {d for c in own for d in c["denied_by"]}
    for relaying in (RADIO, NORTHLINE):
        record = records.get(("outlet", relaying))
        assert record is None or record["denied"] == 0, record


def test_the_package_carries_no_knowledge_of_this_story():
    names = ("Sollen", "Brackwater", "Vey Valley", "Estmark", "Dorsett", "Amsel")
    for path in (ROOT / "src" / "storyledger" / "resources").rglob("*"):
        if path.suffix in (".json", ".tsv", ".txt", ".csv", ".toml"):
            text = Path(path).read_text(encoding="utf-8")
            assert not [n for n in names if n in text], path
