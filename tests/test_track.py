"""`storyledger track` finds a story by what it asserts: retrieval by meaning over every claim's
embedding, entities as soft evidence, the stance model weighing whole documents; many
propositions at once with `--file`. On hand-written fixture articles (tests/fixtures/track: an
orchid find, a flood in the same valley, a football transfer) whose subjects no event family names."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import FIXTURES, cli, cli_json
from storyledger.link import retrieval, threads
from storyledger.link.threads import ClaimRec, Thread, events_of

ARTICLES = FIXTURES / "track" / "articles.jsonl"
ORCHIDS = "Ghost orchids have been discovered in the Varn valley"
FLOOD = "The Varn river flooded homes and roads"
ORCHID_TITLES = {"Ghost orchids back in the Varn valley", "Lost flower reappears",
                 "Parks office cautious on orchid find"}
FLOOD_TITLES = {"Rain floods the lower valley", "Homes pumped dry after river bursts its banks"}


@pytest.fixture(scope="module")
def track_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("track") / "ledger.db")
    cli("build", str(ARTICLES), "--db", path, "-q")
    return path


def _copy(db: str, tmp_path: Path) -> str:
    target = tmp_path / "copy.db"
    target.write_bytes(Path(db).read_bytes())
    return str(target)


def _titles(db: str, thread: dict) -> set[str]:
    titles = {d["id"]: d["title"] for d in cli_json("docs", "--db", db)}
    return {titles[d["doc_id"]] for d in thread["documents"]}


def test_track_places_the_story_by_meaning_without_an_event_family(track_db: str, tmp_path: Path) -> None:
    assert not events_of(ORCHIDS)  # nothing in the event lexicon names this story
    db = _copy(track_db, tmp_path)
    thread = json.loads(cli("track", ORCHIDS, "--db", db, "--json").stdout)
    assert _titles(db, thread) == ORCHID_TITLES
    by_title = {d["title"]: d["id"] for d in cli_json("docs", "--db", db)}
    stance = {d["doc_id"]: d["stance"] for d in thread["documents"]}
    # the parks office "could not yet confirm" the find: it reports it, it does not back it
    assert stance[by_title["Parks office cautious on orchid find"]] != "supports"
    assert all(d["rule"].startswith("fnc-model-document") for d in thread["documents"])
    assert thread["first_date"] == "2026-04-02"


def test_track_file_follows_many_propositions_in_one_relink(track_db: str, tmp_path: Path) -> None:
    db = _copy(track_db, tmp_path)
    propositions = tmp_path / "propositions.txt"
    propositions.write_text(f"# what we follow\n{ORCHIDS}\n\n{FLOOD}\n", encoding="utf-8")
    threads = json.loads(cli("track", "--file", str(propositions), "--db", db, "--json").stdout)
    assert [t["proposition"] for t in threads] == [ORCHIDS, FLOOD]
    assert _titles(db, threads[0]) == ORCHID_TITLES
    assert FLOOD_TITLES <= _titles(db, threads[1])
    assert "Striker signs for Kessin United" not in _titles(db, threads[1])
    followed = [t for t in cli_json("threads", "--db", db) if t["origin"] == "user"]
    assert {t["proposition"] for t in followed} == {ORCHIDS, FLOOD}
    # every claim was embedded once, for the search; relinking embeds nothing more
    assert "0 of" in cli("link", "--db", db).stdout
    plain = cli("track", "--file", str(propositions), "--db", db).stdout.splitlines()
    assert len(plain) == 2 and "3 document(s)" in plain[0]


def test_track_input_errors(track_db: str, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing yet\n\n", encoding="utf-8")
    result = cli("track", "--file", str(empty), "--db", track_db, ok=False)
    assert result.exit_code != 0 and "holds no proposition" in result.output and str(empty) in result.output
    result = cli("track", ORCHIDS, "--file", str(empty), "--db", track_db, ok=False)
    assert result.exit_code != 0 and "one PROPOSITION or --file" in result.output
    assert cli("track", "--db", track_db, ok=False).exit_code != 0


_TABLES = ("threads", "thread_claims", "thread_documents", "contradictions", "track_records")


def _dump(db: str) -> list:
    con = sqlite3.connect(db)
    try:
        return [con.execute(f"SELECT * FROM {table} ORDER BY 1, 2, 3").fetchall() for table in _TABLES]  # noqa: S608
    finally:
        con.close()


def test_followed_threads_relink_identically_under_any_hash_seed(track_db: str, tmp_path: Path) -> None:
    db = _copy(track_db, tmp_path)
    propositions = tmp_path / "propositions.txt"
    propositions.write_text(f"{ORCHIDS}\n{FLOOD}\n", encoding="utf-8")
    cli("track", "--file", str(propositions), "--db", db)
    dumps = []
    for seed in ("1", "2"):
        subprocess.run([sys.executable, "-m", "storyledger", "link", "--db", db], check=True, capture_output=True,
                       env={**os.environ, "PYTHONHASHSEED": seed})
        dumps.append(_dump(db))
    assert dumps[0] == dumps[1] and dumps[0][1]


# -- retrieval on hand-made records -------------------------------------------------------------


def _unit(*values: float) -> np.ndarray:
    v = np.array(values, np.float32)
    return v / np.linalg.norm(v)


def _claim(doc: str, cid: str, entities: frozenset[str] = frozenset()) -> ClaimRec:
    return ClaimRec(doc, cid, (0, 0), 0, "text", "text", "affirmed", None, "fact", False, None, None, None, None,
                    None, "Outlet", "2026-01-01", False, "2026-01-01", entities)


def _thread(entities: tuple[str, ...] = ()) -> Thread:
    return Thread("u1", "user", "p", "p", None, entities, _unit(1, 0, 0), [], "user-proposition")


def test_search_returns_every_row_at_least_the_floor_close() -> None:
    matrix = np.stack([_unit(1, 0, 0), _unit(0, 1, 0), _unit(1, 1, 0)])
    found = retrieval.search(matrix, np.stack([_unit(1, 0, 0), _unit(0, 0, 1)]), 0.5)
    assert sorted(found[0]) == [0, 2] and found[0][0] == pytest.approx(1.0) and found[1] == {}


def test_a_document_the_model_finds_unrelated_stays_off_the_thread() -> None:
    t = _thread()
    close = retrieval.PLACE_SIM + 0.2
    claims = [(_claim("a", "c1"), close), (_claim("a", "c2"), retrieval.PLACE_SIM - 0.1), (_claim("b", "c1"), close)]

    def judge(doc_ids: list[str]) -> list[dict[str, float]]:
        return [{"agree": 0.5, "disagree": 0.0, "discuss": 0.4, "unrelated": 0.1 if d == "a" else 0.9}
                for d in doc_ids]

    placed = retrieval.place_retrieved(t, claims, judge)
    assert set(placed) == {("a", "c1")}  # b's best claim is as close, but its document tells another story
    assert set(t.documents) == {"a"}


def test_named_entities_are_soft_evidence() -> None:
    just_short = retrieval.PLACE_SIM - retrieval.ENTITY_WEIGHT / 2
    named, unnamed = _claim("a", "c1", frozenset({"Varn"})), _claim("b", "c1")

    def judge(doc_ids: list[str]) -> list[dict[str, float]]:
        return [{"agree": 1.0, "disagree": 0.0, "discuss": 0.0, "unrelated": 0.0} for _ in doc_ids]

    placed = retrieval.place_retrieved(_thread(("Varn",)), [(named, just_short), (unnamed, just_short)], judge)
    assert set(placed) == {("a", "c1")}
    # without entities in the proposition, neither gains anything, and neither loses anything
    assert retrieval.relevance(0.5, _thread(), unnamed) == retrieval.relevance(0.5, _thread(("Varn",)), unnamed)


# -- automatic threads on any subject -----------------------------------------------------------


def test_an_automatic_thread_forms_on_a_subject_no_event_family_names(track_db: str) -> None:
    titles = {d["id"]: d["title"] for d in cli_json("docs", "--db", track_db)}
    threads = [t for t in cli_json("threads", "--db", track_db) if t["origin"] == "auto"]
    orchids = [t for t in threads if "orchid" in t["label"].lower()]
    assert orchids and orchids[0]["event"] is None, [t["label"] for t in threads]
    thread = json.loads(cli("thread", orchids[0]["thread_id"], "--db", track_db, "--json").stdout)
    assert {titles[d["doc_id"]] for d in thread["documents"]} == ORCHID_TITLES


def _open(doc: str, cid: str, vector: np.ndarray, entities: frozenset[str] = frozenset(),
          text: str = "a claim of four words or more") -> ClaimRec:
    c = _claim(doc, cid, entities)
    c.proposition = c.evidence = text
    c.events, c.vector = events_of(text), vector
    return c


def test_open_clustering_joins_by_meaning_and_uncommon_shared_names() -> None:
    pair = [_open("a", "c1", _unit(1, 0, 0)), _open("b", "c1", _unit(1, 0.05, 0))]
    assert [t.members for t in threads.cluster_threads(pair)] == [[("a", "c1"), ("b", "c1")]]
    loose = _unit(1, 1.4, 0)  # closer than OPEN_PAIR_SIM_SHARED, not OPEN_PAIR_SIM
    assert threads.OPEN_PAIR_SIM_SHARED <= float(loose @ _unit(1, 0, 0)) < threads.OPEN_PAIR_SIM
    assert threads.cluster_threads([_open("a", "c1", _unit(1, 0, 0)), _open("b", "c1", loose)]) == []
    # close enough with a name in common, unless most documents carry that name
    named = [_open("a", "c1", _unit(1, 0, 0), frozenset({"Varn"})), _open("b", "c1", loose, frozenset({"Varn"}))]
    assert len(threads.cluster_threads(named)) == 1
    assert threads.cluster_threads(named, common=frozenset({"Varn"})) == []


def test_claims_about_two_event_families_stay_two_threads() -> None:
    v = _unit(1, 0, 0)
    claims = [_open("a", "c1", v, text="The council will close the Lenna bridge"),
              _open("b", "c1", v, text="The council will close the Lenna bridge soon"),
              _open("a", "c2", v, text="The Lenna bridge will reopen in June"),
              _open("b", "c2", v, text="The Lenna bridge will reopen in June or July")]
    found = threads.cluster_threads(claims)
    assert sorted(t.event for t in found) == ["close", "reopen"]


def test_a_thread_places_close_claims_that_name_its_entities_and_always_its_members() -> None:
    from storyledger.link.threads import PLACE_SIM, Placer

    claims = [_claim("a", "c1", frozenset({"Varn"})), _claim("b", "c1"), _claim("c", "c1", frozenset({"Varn"})),
              _claim("d", "c1")]
    for c, v in zip(claims, [_unit(1, 0.1, 0), _unit(1, 0.1, 0), _unit(0, 1, 0), _unit(0, 0, 1)], strict=True):
        c.vector = v
    placer = Placer(claims, np.stack([c.vector for c in claims]))
    assert float(claims[0].vector @ _unit(1, 0, 0)) >= PLACE_SIM
    assert set(placer.place(_thread(("Varn",)))) == {("a", "c1")}  # close, and naming Varn
    assert set(placer.place(_thread())) == {("a", "c1"), ("b", "c1")}  # close
    # an entity no claim names leaves only the members
    lone = Thread("t1", "auto", "p", "p", None, ("Osk",), _unit(1, 0, 0), [("d", "c1")], "cluster")
    assert set(placer.place(lone)) == {("d", "c1")}
    assert [t.thread_id for t, _ in placer.placements([_thread(), lone])] == ["u1", "t1"]
