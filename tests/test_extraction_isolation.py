"""One document's extraction failing (an extractor that raises, one that never ends) is that
document's problem: it stays stored and searchable, the build names it and goes on, `check`
lists it. And the attribution nesting can never loop, whatever shape the candidates take."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

import storyledger.extract.document as document_module
from conftest import FIXTURES, cli, cli_json
from storyledger.engine import Engine
from storyledger.extract.attribution import Attribution, TextSpan, _break_nesting_cycles, _Cand, ancestry
from storyledger.extract.claims import _claim_attributions
from storyledger.extract.guard import ExtractionFailure, run_guarded
from storyledger.pipeline import build
from storyledger.store.check import check_ledger
from storyledger.store.ledger import Ledger

GOOD = ("Ferry service resumes on the Lenna\n\n"
        "The ferry between Orsk and Lenna will run again from Monday, the operator said on Friday, "
        "after repairs to the landing stage took three weeks longer than planned.\n")
POISONED = ("Council votes on the quarry plan\n\n"
            "The council voted 7 to 2 on Thursday to reopen the old quarry at Brenn, its chair said, "
            "although residents warned that 40 lorries a day would use the village road.\n")
MARKER = "quarry"  # the faulty extractor trips on the poisoned article only


def write_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text(GOOD)
    (corpus / "poisoned.txt").write_text(POISONED)
    return corpus


def run_build(db: str, corpus: Path, engine: Engine):
    problems = []
    with Ledger(db) as ledger, engine:
        report = build([str(corpus)], ledger, on_problem=problems.append, engine=engine)
    return report, problems


def assert_isolated(db: str, report, problems, kind: str, stage: str) -> None:
    assert report.documents_added == 2
    assert len(problems) == 1 and not problems[0].skipped
    assert problems[0].origin.path.endswith("poisoned.txt")
    assert stage in problems[0].reason and "storyledger check" in problems[0].hint
    # the poisoned document is stored and searchable; the good one was extracted as usual
    hits = cli_json("search", "quarry", "--db", db)
    assert len(hits) == 1
    docs_with_claims = {c["doc_id"] for c in cli_json("claims", "--db", db)}
    good_id = next(d["id"] for d in cli_json("docs", "--db", db) if d["path"].endswith("good.txt"))
    assert docs_with_claims == {good_id}
    check = check_ledger(db)
    assert check.ok, check.problems
    assert check.counts["documents not extracted"] == 1
    assert len(check.notices) == 1 and stage in check.notices[0]
    assert (kind == "timeout") == ("time budget" in check.notices[0])
    shown = cli("check", "--db", db).stdout
    assert "notice: document" in shown and "poisoned.txt" in shown


def test_an_extractor_that_raises_spoils_only_its_document(tmp_path, db, monkeypatch):
    real = document_module.extract_quantities

    def faulty(parsed, timexes):
        if MARKER in parsed.text:
            raise ValueError("injected fault")
        return real(parsed, timexes)

    monkeypatch.setattr(document_module, "extract_quantities", faulty)
    report, problems = run_build(db, write_corpus(tmp_path), Engine())
    assert "injected fault" in problems[0].reason
    assert_isolated(db, report, problems, "error", "quantities")


def test_an_extractor_that_never_returns_is_stopped_by_the_budget(tmp_path, db, monkeypatch):
    real = document_module.extract_claims

    def stuck(parsed, **kwargs):
        if MARKER in parsed.text:
            time.sleep(3600)  # one blocking call: the budget must interrupt it, not wait it out
        return real(parsed, **kwargs)

    monkeypatch.setattr(document_module, "extract_claims", stuck)
    started = time.monotonic()
    report, problems = run_build(db, write_corpus(tmp_path), Engine(doc_seconds=1.0))
    assert time.monotonic() - started < 600
    assert "still running after 1 s of work" in problems[0].reason
    assert_isolated(db, report, problems, "timeout", "claims")


def test_the_budget_stops_a_python_loop_in_a_worker_thread():
    """Dask runs tasks in threads, where no signal can reach: the budget raises in the thread."""
    outcome: list[object] = []

    def spin(tracker):
        tracker.stage = "attribution"
        while True:
            pass

    worker = threading.Thread(target=lambda: outcome.append(run_guarded("d1", spin, 0.5)), daemon=True)
    worker.start()
    worker.join(120)
    assert not worker.is_alive(), "the loop was not stopped"
    assert outcome == [ExtractionFailure("d1", "attribution", "timeout", outcome[0].message)]


def test_a_document_within_budget_is_untouched_by_the_guard():
    assert run_guarded("d1", lambda tracker: 42, 5.0) == 42
    assert run_guarded("d1", lambda tracker: 42, None) == 42
    time.sleep(0.2)  # a cancelled budget must not fire later in this thread


# -- attribution nesting never loops ------------------------------------------------------------


def cand(content: tuple[int, int], parent: int | None) -> _Cand:
    return _Cand(cue_lo=0, cue_hi=0, content=[content], source=None, kind="speech", rule="test", head=0,
                 parent=parent)


def test_a_nesting_cycle_of_three_is_cut_at_its_widest_member():
    # a0 -> a2 -> a1 -> a0, as when a quoted tweet, the report of it and the quote holding the
    # report each lie inside another's content; a3 hangs off the cycle
    cands = [cand((10, 50), 2), cand((0, 200), 0), cand((20, 40), 1), cand((25, 30), 2)]
    _break_nesting_cycles(cands)
    assert [c.parent for c in cands] == [2, None, 1, 2]


def test_a_two_cycle_keeps_the_outer_one_top_level():
    cands = [cand((0, 100), 1), cand((10, 20), 0)]
    _break_nesting_cycles(cands)
    assert [c.parent for c in cands] == [None, 0]


def attribution(aid: str, parent: str | None, *, speaks: bool) -> Attribution:
    span = TextSpan(0, 5, "words")
    return Attribution(id=aid, source=span if speaks else None, source_name="Dana Okafor" if speaks else None,
                       source_role=None, source_affiliation=None, anonymous=False, cue=span, content=span,
                       form="indirect", kind="speech", medium=None, hedge=None, parent=parent, rule="test")


def test_walking_a_stored_cycle_ends():
    records = [attribution("a4", "a6", speaks=False), attribution("a6", "a5", speaks=False),
               attribution("a5", "a4", speaks=False)]
    by_id = {a.id: a for a in records}
    assert [a.id for a in ancestry(records[0], by_id)] == ["a4", "a6", "a5"]
    # the claim chooser walks up the same cycle looking for someone who speaks: it must end
    done: list[object] = []
    walker = threading.Thread(target=lambda: done.append(_claim_attributions(records)), daemon=True)
    walker.start()
    walker.join(30)
    assert done, "the claim chooser looped on a cycle of parents"


@pytest.mark.parametrize("speaker", ["a6", "a5"])
def test_the_claim_goes_to_the_nearest_speaker_up_the_chain(speaker):
    records = [attribution("a4", "a6", speaks=False), attribution("a6", "a5", speaks=speaker == "a6"),
               attribution("a5", None, speaks=True)]
    chosen = [a.id for a in _claim_attributions(records)]
    assert speaker in chosen


def test_an_article_whose_quotes_nest_in_each_other_builds(db):
    """A quotation interrupted by "he told Radio Orsk", with a report ("each agency said no")
    inside a mention inside the quote: candidates that lie in each other's content. (The
    extractor no longer nests them in a cycle; the cycle breaker is tested on its own below.)"""
    path = FIXTURES / "nesting" / "quote-interrupted-by-its-own-cue.txt"
    cli("build", str(path), "--db", db, "-q")
    records = cli_json("attributions", "--db", db)
    parents = {a["id"]: a["parent"] for a in records}
    for aid in parents:  # every chain ends at a top-level attribution
        seen = set()
        while aid is not None:
            assert aid not in seen, f"attribution {aid} is its own ancestor"
            seen.add(aid)
            aid = parents[aid]
    assert cli_json("claims", "--db", db)
    assert check_ledger(db).ok


def test_a_nesting_cycle_of_any_length_is_cut_at_its_widest_member():
    from types import SimpleNamespace

    from storyledger.extract.attribution_chains import _break_nesting_cycles

    def cand(parent, start, end):
        return SimpleNamespace(parent=parent, content=[(start, end)])

    # 0 -> 1 -> 2 -> 0, a three-cycle; 3 hangs off it; 4 stands alone
    cands = [cand(1, 10, 20), cand(2, 0, 90), cand(0, 30, 40), cand(2, 32, 35), cand(None, 95, 99)]
    _break_nesting_cycles(cands)
    assert [c.parent for c in cands] == [1, None, 0, 2, None]  # cut at 1, the widest
    for start in range(len(cands)):  # a forest now
        seen, node = set(), start
        while node is not None:
            assert node not in seen
            seen.add(node)
            node = cands[node].parent
