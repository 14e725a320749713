"""Corpus links: threads with stances, denial links, contradictions, series, track records, on the
seeds (../shared/seeds) and on the fictional example corpus."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLES, EXAMPLES_MAP, EXAMPLES_PROFILE, cli, cli_json
from storyledger.link.entities import EntityIndex
from storyledger.link.series import SeriesPoint, _conflict
from storyledger.link.threads import events_of

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def _thread(db: str, ref: str) -> dict:
    return json.loads(cli("thread", ref, "--db", db, "--json").stdout)


def _withdrawal_thread(db: str) -> dict:
    threads = cli_json("threads", "--db", db)
    candidates = [t for t in threads if t["event"] == "withdraw" and "Syria" in t["entities"]]
    assert candidates, [t["label"] for t in threads]
    return _thread(db, max(candidates, key=lambda t: t["claims"])["thread_id"])


def _by_stance(thread: dict, stance: str) -> list[dict]:
    return [c for c in thread["claims"] if c["stance"] == stance]


def _has(claims: list[dict], words: str) -> bool:
    return any(words.lower() in c["evidence"].lower() for c in claims)


@pytest.fixture(scope="module")
def seeds(seeds_db: str) -> str:
    if not SEEDS.exists():
        pytest.skip(f"{SEEDS} is absent: the seeds are not beside this checkout")
    return seeds_db


@pytest.fixture(scope="module")
def examples_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("examples") / "ledger.db")
    cli("build", str(EXAMPLES), "--db", path, "-q", "--map", EXAMPLES_MAP, "--profile", EXAMPLES_PROFILE)
    return path


def test_seed_withdrawal_thread_supporters_and_deniers(seeds: str) -> None:
    thread = _withdrawal_thread(seeds)
    supporters, deniers = _by_stance(thread, "supports"), _by_stance(thread, "denies")
    for words in ("We have started returning United States troops home", "all means all",
                  "considering ending its military presence in Syria",  # the Foreign Policy report (000)
                  "the withdrawal of hundreds of American troops"):  # Syrian and Russian media (004)
        assert _has(supporters, words), words
    for words in ("erroneous", "reports of a major American troop withdrawal",
                  "Americans will remain on the ground", "not going to leave as long as"):
        assert _has(deniers, words), words
    assert all(c["rule"] and c["score"] > 0 for c in thread["claims"])
    assert thread["first_date"] and thread["first_doc_id"]


def test_seed_erroneous_denial_linked_to_foreign_policy_report(seeds: str) -> None:
    thread = _withdrawal_thread(seeds)
    erroneous = [c for c in thread["claims"] if c["proposition"].lower().startswith("the report erroneous")]
    assert erroneous and erroneous[0]["stance"] == "denies"
    denied = {tuple(x) for x in erroneous[0]["denies"]}
    report = [c for c in thread["claims"] if "according to a report by Foreign Policy" in c["evidence"]]
    assert report and (report[0]["doc_id"], report[0]["claim_id"]) in denied
    assert any(x["kind"] == "disagreement" and x["rule"] == "denial-of-report"
               and x["b_claim_id"] == erroneous[0]["claim_id"] for x in thread["contradictions"])


def test_seed_troop_series_flags_vague_comparative(seeds: str) -> None:
    points = cli_json("series", "--db", seeds, "--measure", "US troops · Syria")
    conflicted = {p["data"]["text"] for p in points if p["conflict"] and (p["as_of"] or "").startswith("2020")}
    assert {"some 600 troops", "much higher"} <= conflicted


def test_seed_track_user_thread(seeds: str, tmp_path: Path) -> None:
    db = tmp_path / "copy.db"
    db.write_bytes(Path(seeds).read_bytes())
    thread = json.loads(cli("track", "US troops will withdraw from Syria", "--db", str(db), "--json").stdout)
    assert thread["origin"] == "user" and thread["event"] == "withdraw"
    assert _has(_by_stance(thread, "supports"), "all means all")
    assert _has(_by_stance(thread, "denies"), "Americans will remain on the ground")
    assert any(t["origin"] == "user" for t in cli_json("threads", "--db", str(db)))


def test_seed_sources_track_records(seeds: str) -> None:
    records = cli_json("sources", "--db", seeds)
    outlets = {r["name"]: r for r in records if r["kind"] == "outlet"}
    assert outlets["Middle East Monitor"]["claims"] > 0
    assert any(r["denied"] > 0 for r in records)
    names = {r["name"] for r in records if r["kind"] == "source"}
    assert "Pentagon" in names and "Department of Defense" not in names


def test_examples_port_closure_thread(examples_db: str) -> None:
    threads = cli_json("threads", "--db", examples_db)
    closing = [t for t in threads if t["event"] == "close"]
    assert closing, [t["label"] for t in threads]
    thread = _thread(examples_db, max(closing, key=lambda t: t["claims"])["thread_id"])
    deniers = _by_stance(thread, "denies")
    assert any("Varga" in (c["source"] or "") or "inistry" in (c["source"] or "") for c in deniers)
    assert _has(deniers, "baseless") or _has(deniers, "no plans to close")
    assert {x["kind"] for x in thread["contradictions"]} <= {"disagreement", "reversal"}
    assert thread["first_date"] == "2026-03-03"


def test_examples_ships_series_conflicts(examples_db: str) -> None:
    points = cli_json("series", "--db", examples_db, "--measure", "ships")
    flagged = {(p["as_of"], p["data"]["text"]) for p in points if p["conflict"]}
    assert ("2026-03-09", "more than 70 ships") in flagged
    assert ("2026-03-17", "fewer than 40 ships") in flagged
    assert not any(p["conflict"] for p in points if p["as_of"] == "2026-05-04")


def test_relink_is_deterministic_and_embeds_only_new(examples_db: str, tmp_path: Path) -> None:
    db = tmp_path / "copy.db"
    db.write_bytes(Path(examples_db).read_bytes())
    before = cli_json("threads", "--db", str(db))
    out = cli("link", "--db", str(db)).stdout
    assert "0 of" in out  # every claim's embedding came from the cache
    assert cli_json("threads", "--db", str(db)) == before


def test_linking_embeds_only_the_claims_it_compares(examples_db: str) -> None:
    con = sqlite3.connect(examples_db)
    embedded = set(con.execute("SELECT doc_id, claim_id FROM claim_embeddings"))
    claims = con.execute("SELECT doc_id, claim_id, proposition FROM claims").fetchall()
    placed = set(con.execute("SELECT doc_id, claim_id FROM thread_claims"))
    about_events = {(d, c) for d, c, p in claims if events_of(p)}
    assert about_events and about_events <= embedded  # threads are clustered from these
    assert placed <= embedded  # every placement was measured
    assert len(embedded) < 0.75 * len(claims), (len(embedded), len(claims))


def test_main_entities_do_not_depend_on_string_hashing() -> None:
    # Four names tied for the top three: which three win must not change with PYTHONHASHSEED.
    code = ("from storyledger.link.corpus import main_entities\n"
            "names = frozenset({'Kessin', 'Varga', 'Halvik', 'Orsenna', 'Fenn'})\n"
            "print(sorted(main_entities([names, names - {'Fenn'}, frozenset({'Fenn'})])))")
    outputs = {subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONHASHSEED": str(seed)},
                              capture_output=True, text=True, check=True).stdout for seed in range(6)}
    assert outputs == {"['Fenn', 'Halvik', 'Kessin']\n"}


def test_entity_resolution_aliases_and_surnames() -> None:
    index = EntityIndex.build(["the Pentagon", "Department of Defense", "DoD", "President Donald Trump",
                               "Trump", "Brett McGurk", "McGurk", "Ilse Varga", "Ms Varga"])
    assert {index.resolve(n) for n in ("the Pentagon", "Department of Defense", "DoD")} == {"Pentagon"}
    assert index.resolve("Trump") == index.resolve("President Donald Trump") == "Donald Trump"
    assert index.resolve("McGurk") == "Brett McGurk"
    assert index.resolve("Ms Varga") == "Ilse Varga"


def test_event_families_and_series_conflict_rules() -> None:
    assert "withdraw" in events_of("We have started returning United States troops home")
    assert "remain" in events_of("Americans will remain on the ground")
    assert "open" in events_of("The port is open and will remain open")
    about_40 = SeriesPoint("ships", "d1", "q1", "about 40", 40.0, None, None, "about", "count", None,
                           "2026-03-09", "as-of", "ministry", None, "r")
    over_70 = SeriesPoint("ships", "d2", "q1", "more than 70", 70.0, 70.0, None, "more than", "count", None,
                          "2026-03-09", "as-of", "union", None, "r")
    dozens = SeriesPoint("ships", "d3", "q1", "dozens", None, 24.0, 99.0, None, "count", None,
                         "2026-03-09", "as-of", "paper", None, "r")
    assert _conflict(about_40, over_70) == "intervals-disjoint"
    assert _conflict(about_40, dozens) is None and _conflict(over_70, dozens) is None
