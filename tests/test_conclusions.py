"""The story layer's conclusions are claims about the world: a denial is someone saying a report is
false or that the event will not happen; a contradiction names two sources about one moment (or
an announcement and its cancellation); a thread's first report supports it; an outlet answers
only for its own voice. Rules on hand-made claim records, then the seeds and the examples."""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import EXAMPLES, EXAMPLES_MAP, EXAMPLES_PROFILE, cli, cli_json, shared_path
from storyledger.link.contradictions import (
    find_contradictions,
    side_of,
    sides_of,
    story_contradictions,
    window_from,
)
from storyledger.link.denials import mark_relayed_denials
from storyledger.link.threads import (
    ClaimRec,
    Placement,
    Thread,
    decide_stance,
    event_only_aimed_at,
    events_of,
    is_denial,
    is_reversal,
    negation_scopes_event,
)


def claim(cid: str, text: str, *, doc: str = "d1", source: str | None = "Dana Okafor", day: str | None = "2026-05-02",
          polarity: str = "affirmed", polarity_cue: str | None = None, modality: str = "fact", cue: str | None = "said",
          hedged: bool = False, entities: frozenset[str] = frozenset({"Lenna"}), reported: str | None = None,
          vector: np.ndarray | None = None, kind: str = "speech") -> ClaimRec:
    return ClaimRec(doc, cid, (int(cid[1:]), 0), 0, text, text, polarity, polarity_cue, modality, hedged, source,
                    source, source, cue, kind, "Orsk Courier", reported or day, False, day, entities,
                    events=events_of(text), vector=vector)


def thread(event: str) -> Thread:
    return Thread("t1", "auto", "The Lenna bridge will close", "The Lenna bridge will close", event, ("Lenna",),
                  np.ones(4, np.float32) / 2, [], "test")


PROBA = {"agree": 0.3, "disagree": 0.3, "discuss": 0.3, "unrelated": 0.1}


def stance(t: Thread, c: ClaimRec) -> Placement:
    return decide_stance(t, c, PROBA, 0.8, False)


# -- what counts as a denial -------------------------------------------------------------------


def test_negation_must_govern_the_event_phrase():
    assert negation_scopes_event("the council has no plans to close the bridge", {"close"})
    assert negation_scopes_event("a closure of the bridge is not planned", {"close"})
    # the negation is in another clause than the closing
    assert not negation_scopes_event("We are not a town that gives up - it is time to close the bridge", {"close"})


def test_a_memo_calling_for_the_event_in_a_negated_sentence_is_not_a_denial():
    c = claim("c1", "We are not a town that gives up - it is time to close the bridge for good",
              polarity="negated", polarity_cue="not are")
    assert stance(thread("close"), c).stance == "supports"


def test_a_present_fact_about_the_opposite_is_no_denial_but_a_plan_is():
    t = thread("close")
    fact = claim("c1", "The Lenna bridge stays open to lorries over 40 tonnes")
    plan = claim("c2", "The Lenna bridge will stay open through the winter", modality="plan")
    assert stance(t, fact).stance == "discusses"
    assert stance(t, plan).stance == "denies"


def test_an_opposite_plan_with_no_subject_opposes_nothing():
    fragment = claim("c1", "to remain open", modality="plan", entities=frozenset())
    assert stance(thread("close"), fragment).stance == "discusses"


def test_an_event_named_only_as_an_aim_is_not_asserted():
    assert event_only_aimed_at("Protesters blocked the road in a bid to force a closure of the bridge", {"close"})
    assert not event_only_aimed_at("The council will close the bridge in May", {"close"})
    aim = claim("c1", "Protesters blocked the road in a bid to force a closure of the bridge")
    assert stance(thread("close"), aim).stance == "discusses"


def test_a_claim_relaying_someone_elses_denial_is_not_a_denial():
    relay = claim("c1", "since then a council spokesman has called the report false", source="Radio Orsk",
                  polarity="negated", polarity_cue="false")
    own = claim("c2", "the report false", source="council spokesman", polarity="negated", polarity_cue="false",
                cue="called")
    assert is_denial(relay) and is_denial(own)
    mark_relayed_denials([relay, own])
    assert not is_denial(relay) and is_denial(own)
    assert stance(thread("close"), relay).stance == "discusses"


# -- contradictions ----------------------------------------------------------------------------


def placed(t: Thread, *pairs: tuple[ClaimRec, str]) -> dict:
    t.claims = {c.key: Placement(s, c.hedged, 0.9, 0.8, "affirms-event" if s == "supports" else "negated-event")
                for c, s in pairs}
    return {c.key: c for c, _ in pairs}


def window_of(c: ClaimRec):
    return window_from(c.about, None)


def test_opposite_stances_of_one_day_disagree_and_other_episodes_do_not():
    t = thread("close")
    report = claim("c1", "The council will close the Lenna bridge on Monday", source="three engineers",
                   modality="plan", day="2026-05-02")
    denial = claim("c2", "There are no plans to close the Lenna bridge", source="Mayor Ivo Brandt",
                   polarity="negated", polarity_cue="no plans", day="2026-05-02")
    years_later = claim("c3", "The council is not closing the Lenna bridge this year", source="Mayor Ivo Brandt",
                        polarity="negated", polarity_cue="not", day="2029-03-01")
    claims = placed(t, (report, "supports"), (denial, "denies"), (years_later, "denies"))
    found = find_contradictions(t, claims, [], window_of)
    assert [(x["kind"], x["a"].source, x["b"].source) for x in found] == [
        ("disagreement", "three engineers", "Mayor Ivo Brandt")]
    assert found[0]["pairs"] == [(report.key, denial.key)]


def test_an_actor_s_reported_intention_is_no_side_of_its_own():
    # "the council is planning to close the bridge" (as some outlet tells it) is the council's plan,
    # not a statement the council made against the mayor's denial
    t = thread("close")
    plan = claim("c1", "to close the Lenna bridge", source="Orsk Council", cue="planning", modality="plan",
                 kind="intention")
    denial = claim("c2", "There are no plans to close the Lenna bridge", source="Mayor Ivo Brandt",
                   polarity="negated", polarity_cue="no plans")
    claims = placed(t, (plan, "supports"), (denial, "denies"))
    assert find_contradictions(t, claims, [], window_of) == []
    considering = claim("c1", "closing the Lenna bridge", source="Orsk Council", cue="is considering",
                        modality="plan", kind="belief")
    assert find_contradictions(t, placed(t, (considering, "supports"), (denial, "denies")), [], window_of) == []
    said = claim("c1", "The council will close the Lenna bridge", source="Orsk Council", modality="plan")
    claims = placed(t, (said, "supports"), (denial, "denies"))
    assert [x["a"].source for x in find_contradictions(t, claims, [], window_of)] == ["Orsk Council"]


def test_one_row_per_pair_of_sources_and_none_with_an_unnamed_side():
    t = thread("close")
    reports = [claim(f"c{i}", "The council will close the Lenna bridge", source="three engineers", modality="plan")
               for i in (1, 2)]
    denial = claim("c3", "There are no plans to close the bridge", source="Mayor Ivo Brandt", polarity="negated")
    unnamed = claim("c4", "The bridge will close", source=None, modality="plan")
    claims = placed(t, (reports[0], "supports"), (reports[1], "supports"), (denial, "denies"), (unnamed, "supports"))
    found = find_contradictions(t, claims, [], window_of)
    assert len(found) == 1 and len(found[0]["pairs"]) == 2


def test_a_reversal_needs_a_cancellation_of_the_announced_event():
    t = thread("reopen")
    unit = np.ones(4, np.float32) / 2
    announced = claim("c1", "The Lenna bridge will reopen on June 1", source="Mayor Ivo Brandt", modality="plan",
                      day="2026-06-01", reported="2026-05-20", vector=unit)
    cancelled = claim("c2", "The planned reopening of the bridge was called off on Sunday", source="Radio Orsk",
                      day="2026-05-31", vector=unit)
    unrelated_cancel = claim("c3", "Ferry operators are cancelling extra crossings before the bridge reopens",
                             source="Radio Orsk", day="2026-05-28", vector=unit)
    assert is_reversal(cancelled, frozenset({"reopen"}))
    assert not is_reversal(unrelated_cancel, frozenset({"reopen"}))
    claims = placed(t, (announced, "supports"), (cancelled, "denies"), (unrelated_cancel, "denies"))
    found = find_contradictions(t, claims, [], window_of)
    reversals = [x for x in found if x["kind"] == "reversal"]
    assert [(x["a"].claim_id, x["b"].claim_id) for x in reversals] == [("c1", "c2")]


def test_one_outlet_s_unnamed_officials_are_one_side_and_a_surname_is_the_full_name():
    t = thread("close")
    unnamed = [claim("c1", "The council will close the Lenna bridge", source="three engineers", modality="plan"),
               claim("c2", "The bridge will close on Monday", source="two of the engineers", modality="plan"),
               claim("c3", "The council has drawn up a closure order", source="an official at the council")]
    denials = [claim("c4", "There are no plans to close the bridge", source="Ivo Brandt", polarity="negated"),
               claim("c5", "The bridge will not close", source="Brandt", polarity="negated"),
               claim("c6", "No closure is planned", source="The mayor's spokesman, Ivo Brandt", polarity="negated")]
    claims = placed(t, *[(c, "supports") for c in unnamed], *[(d, "denies") for d in denials])
    found = find_contradictions(t, claims, [], window_of)
    # the outlet answers for the sources it does not name; Brandt is one man however he is written
    assert [(x["kind"], side_of(x["a"]), sides_of([x["b"], *denials])[x["b"].key]) for x in found] == [
        ("disagreement", "Orsk Courier", "Ivo Brandt")]
    assert len(found[0]["pairs"]) == 9


def test_a_surname_joins_no_one_when_two_full_names_end_with_it():
    people = [claim("c1", "x", source="Ilse Varga"), claim("c2", "x", source="Ms Varga"),
              claim("c3", "x", source="Marta Varga"), claim("c4", "x", source="Varga")]
    sides = sides_of(people)
    assert [sides[c.key] for c in people] == ["Ilse Varga", "Ms Varga", "Marta Varga", "Varga"]
    assert sides_of(people[:2] + people[3:])[people[3].key] == "Ilse Varga"


def test_unnamed_people_in_a_relay_are_the_relayed_outlet_s():
    relay = [claim("c1", "x", doc="d2", source="Orsk Courier"),  # "the Orsk Courier reported, …"
             claim("c2", "y", doc="d2", source="officials")]  # "… citing officials, that …"
    own = claim("c3", "z", doc="d1", source="Orsk Courier")  # the Courier's own article
    for c in relay:
        c.outlet = "Radio Orsk"
    sides = sides_of([*relay, own])
    assert [sides[c.key] for c in (*relay, own)] == ["Orsk Courier"] * 3


def test_one_article_s_unnamed_media_are_one_side():
    media = [claim("c1", "x", source="Syrian regime media"), claim("c2", "y", source="pro-regime media"),
             claim("c3", "z", source="Sputnik"), claim("c4", "w", doc="d2", source="state television")]
    sides = sides_of(media)
    assert [sides[c.key] for c in media] == ["Syrian regime media", "Syrian regime media", "Sputnik",
                                             "state television"]


def test_a_spokesperson_is_the_body_they_speak_for():
    t = thread("close")
    report = claim("c1", "The council will close the Lenna bridge", source="Radio Orsk", modality="plan")
    body = claim("c2", "The bridge will not close", source="Lenna Bridge Authority", polarity="negated")
    spokesman = claim("c3", "There are no plans to close the bridge", source="Piet Amsel", polarity="negated")
    spokesman.source_text = "The authority's spokesman, Piet Amsel"
    other = claim("c4", "No closure is planned", source="Karel Voss", polarity="negated")
    other.source_text = "Karel Voss, an engineer"
    claims = placed(t, (report, "supports"), (body, "denies"), (spokesman, "denies"), (other, "denies"))
    sides = sides_of(list(claims.values()))
    assert sides[spokesman.key] == "Lenna Bridge Authority" and sides[other.key] == "Karel Voss"
    found = find_contradictions(t, claims, [], window_of)
    assert sorted(sides[x["b"].key] for x in found) == ["Karel Voss", "Lenna Bridge Authority"]


def test_a_description_is_no_proper_name():
    assert side_of(claim("c1", "x", source="Shipping analysts in Orsenna")) == "Orsk Courier"
    assert side_of(claim("c1", "x", source="All three officials")) == "Orsk Courier"
    assert side_of(claim("c1", "x", source="Harbourmaster Aurel Fenn")) == "Harbourmaster Aurel Fenn"
    assert side_of(claim("c1", "x", source="Ministry of Defence")) == "Ministry of Defence"
    assert side_of(claim("c1", "x", source=None)) is None
    # unnamed media are relayed, not vouched for; a dateline glued to a description is no medium
    assert side_of(claim("c1", "x", source="Syrian state media")) == "Syrian state media"
    assert side_of(claim("c1", "x", source="ORSK, May 2 (Orsk Wire) - the transport minister")) == "Orsk Courier"


def test_a_plan_called_off_is_one_reversal_however_many_report_it():
    t = thread("increase")
    unit = np.ones(4, np.float32) / 2
    announced = claim("c1", "The board will raise water charges by 9 percent", source="Hanne Lind", modality="plan",
                      day="2026-08-03", vector=unit)
    scrapped = claim("c2", "The board on Tuesday scrapped the 9 percent rise in charges", source="Orsk Wire",
                     day="2026-09-08", vector=unit)
    relief = claim("c3", "the increase in water charges it had planned", source="households", cue="to call off",
                   day="2026-09-09", vector=unit)
    assert is_reversal(scrapped, frozenset({"increase"})) and is_reversal(relief, frozenset({"increase"}))
    assert stance(t, scrapped).stance == stance(t, relief).stance == "denies"
    assert stance(t, scrapped).rule == "reversed-event"
    claims = placed(t, (announced, "supports"), (scrapped, "denies"), (relief, "denies"))
    found = [x for x in find_contradictions(t, claims, [], window_of) if x["kind"] == "reversal"]
    assert len(found) == 1 and len(found[0]["pairs"]) == 2


def test_a_place_that_is_lower_is_no_decrease():
    assert "decrease" not in events_of("officials were drawing up plans to evacuate the lower part of the town")
    assert "decrease" in events_of("the board will lower charges next year")
    assert "decrease" in events_of("the central bank lowered its rate")


def test_a_row_is_told_once_across_overlapping_automatic_threads():
    report = claim("c1", "The council will close the Lenna bridge", source="Radio Orsk", modality="plan")
    denial = claim("c2", "There are no plans to close the bridge", source="Ivo Brandt", polarity="negated")
    extra = claim("c3", "The Lenna bridge will close", source="Radio Orsk", modality="plan", doc="d2")
    big, small, followed = thread("close"), thread("close"), thread("close")
    small.thread_id, followed.thread_id, followed.origin = "t2", "u1", "user"
    claims = placed(big, (report, "supports"), (denial, "denies"), (extra, "supports"))
    for t in (small, followed):
        placed(t, (report, "supports"), (denial, "denies"))
    rows = story_contradictions([small, big, followed], claims, [], window_of)
    assert [x["thread_id"] for x in rows] == ["t1", "u1"]


def test_an_undated_claim_is_placed_only_by_a_narrow_estimate():
    assert window_from(None, {"earliest": "2026-04", "latest": "2026-04"}).estimated
    assert window_from(None, {"earliest": "2014-01-01", "latest": None}) is None
    assert window_from(None, {"earliest": "2014", "latest": "2020"}) is None


# -- the seeds ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeds_ledger(seeds_db: str) -> str:
    shared_path("seeds")
    return seeds_db


def _withdrawal(db: str) -> dict:
    threads = [t for t in cli_json("threads", "--db", db) if t["event"] == "withdraw" and "Syria" in t["entities"]]
    best = max(threads, key=lambda t: t["claims"])
    return json.loads(cli("thread", best["thread_id"], "--db", db, "--json").stdout)


def test_seed_withdrawal_conclusions_a_reader_accepts(seeds_ledger: str):
    t = _withdrawal(seeds_ledger)
    by_key = {(c["doc_id"], c["claim_id"]): c for c in t["claims"]}
    first = by_key[(t["first_doc_id"], t["first_claim_id"])]
    assert first["stance"] == "supports"
    deniers = [c["evidence"] for c in t["claims"] if c["stance"] == "denies"]
    for not_a_denial in ("come home", "the figure Trump wanted", "maintains a military presence",
                         "a Pentagon spokesperson has called the report"):
        assert not any(not_a_denial in e for e in deniers), not_a_denial
    contradictions = [x for th in cli_json("threads", "--db", seeds_ledger)
                      for x in json.loads(cli("thread", th["thread_id"], "--db", seeds_ledger, "--json").stdout)
                      ["contradictions"]]
    assert 0 < len(contradictions) <= 12
    for x in contradictions:
        assert x["a"]["source"] and x["b"]["source"]
        # a 2020 denial is never set against a 2024 report
        assert x["days"] is None or abs(x["days"]) <= 60, x


def test_seed_relaying_outlets_are_not_charged_with_denials(seeds_ledger: str):
    outlets = {r["name"]: r for r in cli_json("sources", "--db", seeds_ledger) if r["kind"] == "outlet"}
    assert "Middle East Monitor" in outlets
    for name in ("Middle East Monitor", "The New Arab"):  # no record: it asserted nothing in its own voice
        assert outlets.get(name, {"denied": 0})["denied"] == 0, outlets[name]


# -- the examples: a reversal --------------------------------------------------------------------


def test_examples_reopening_announced_then_called_off(tmp_path):
    db = str(tmp_path / "examples.db")
    cli("build", str(EXAMPLES), "--db", db, "-q", "--map", EXAMPLES_MAP, "--profile", EXAMPLES_PROFILE)
    reversals, rows = [], []
    for th in cli_json("threads", "--db", db):
        t = json.loads(cli("thread", th["thread_id"], "--db", db, "--json").stdout)
        evidence = {(c["doc_id"], c["claim_id"]): c["evidence"] for c in t["claims"]}
        reversals += [(evidence[(x["a_doc_id"], x["a_claim_id"])], evidence[(x["b_doc_id"], x["b_claim_id"])],
                       x["days"]) for x in t["contradictions"] if x["kind"] == "reversal"]
        rows += t["contradictions"]
    assert reversals
    # the story told once: overlapping threads do not repeat a row, Ms Varga's many names and
    # the Gazette's several unnamed officials do not multiply it, no denial answers a report
    # from more than 45 days before it
    assert 0 < len(rows) <= 12
    assert all(x["days"] is not None and abs(x["days"]) <= 45 for x in rows if x["kind"] == "disagreement")
    claim_pairs = [(x["a_doc_id"], x["a_claim_id"], x["b_doc_id"], x["b_claim_id"]) for x in rows]
    assert len(claim_pairs) == len(set(claim_pairs))
    for announced, cancelled, days in reversals:
        # the minister's reopening announcement, then, days later, the call-off
        assert "open" in announced and "called off" in cancelled, (announced, cancelled)
        assert days is not None and 0 < days <= 60


def test_event_words_do_not_match_inside_other_words():
    # "Department" is no departure and "quite" no resignation: a claim naming a ministry would
    # otherwise affirm a withdrawal and stand as one side of a contradiction
    from storyledger.link.threads import events_of

    assert events_of("a letter to the Department of Transport") == frozenset()
    assert events_of("the mood on the quay was quite tense") == frozenset()
    assert events_of("the last ferry departed at dawn") == {"withdraw"}
    assert events_of("the harbour master quit on Friday") == {"resign"}
