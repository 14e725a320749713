"""Reads of the link tables (threads, contradictions, denials, series, track records), for the
command line, the web app and the report. Paged reads take a limit and an offset; every filter is
a bound parameter; a JSON column a newer or damaged ledger wrote otherwise reads as missing."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ...records import SeriesPoint, ThreadSummary, TrackRecord, frozen_mapping
from ..filters import contains_pattern
from ..ledger import Ledger
from ..measures import resolve_measures

# -- the command line's listings ---------------------------------------------------------------

def list_threads(ledger: Ledger) -> list[ThreadSummary]:
    """Every thread, the ones a user follows first, then by claims."""
    rows = ledger.db.execute(
        "SELECT t.thread_id, t.origin, t.label, t.proposition, t.event, t.entities, t.first_doc_id, "
        "t.first_claim_id, t.first_date, t.claims, t.documents, t.rule, t.data, "
        "(SELECT COUNT(*) FROM thread_claims c WHERE c.thread_id = t.thread_id AND c.stance = 'supports') "
        "AS supporters, (SELECT COUNT(*) FROM thread_claims c WHERE c.thread_id = t.thread_id AND c.stance = 'denies') "
        "AS deniers, (SELECT COUNT(*) FROM contradictions x WHERE x.thread_id = t.thread_id) AS contradiction_count "
        "FROM threads t ORDER BY t.origin DESC, t.claims DESC, t.thread_id").fetchall()
    return [ThreadSummary(**{**dict(r), "entities": tuple(json.loads(r["entities"])),
                             "data": frozen_mapping(json.loads(r["data"]))}) for r in rows]


def _thread_row(r) -> dict[str, Any]:
    out = dict(r)
    out["entities"] = json.loads(out["entities"])
    out["data"] = json.loads(out["data"])
    return out


def find_thread(ledger: Ledger, ref: str) -> dict[str, Any] | None:
    rows = ledger.db.execute("SELECT * FROM threads WHERE thread_id LIKE ? || '%' ORDER BY thread_id LIMIT 2",
                             (ref.replace("%", "").replace("_", ""),)).fetchall()
    if len(rows) != 1:
        return None if not rows else {"ambiguous": True}
    thread = _thread_row(rows[0])
    thread["claims"] = [
        {**{k: r[k] for k in ("doc_id", "claim_id", "stance", "score", "relevance", "date", "source", "rule")},
         "hedged": bool(r["hedged"]), **json.loads(r["data"])}
        for r in ledger.db.execute(
            "SELECT tc.*, d.seq FROM thread_claims tc JOIN documents d ON d.id = tc.doc_id WHERE thread_id = ? "
            "ORDER BY tc.date IS NULL, tc.date, d.seq, tc.claim_id", (thread["thread_id"],))
    ]
    thread["documents"] = [dict(r) for r in ledger.db.execute(
        "SELECT doc_id, stance, hedged, score, rule FROM thread_documents WHERE thread_id = ? ORDER BY doc_id",
        (thread["thread_id"],))]
    thread["contradictions"] = [{**{k: r[k] for k in r.keys() if k != "data"}, **json.loads(r["data"])}
                                for r in ledger.db.execute(
        "SELECT * FROM contradictions WHERE thread_id = ? ORDER BY kind, a_doc_id, a_claim_id, b_doc_id, b_claim_id",
        (thread["thread_id"],))]
    return thread


def list_track_records(ledger: Ledger) -> list[TrackRecord]:
    rows = ledger.db.execute("SELECT kind, name, claims, supported, denied, median_days_to_denial, rule, data "
                             "FROM track_records ORDER BY kind, claims DESC, name").fetchall()
    return [TrackRecord(**{**dict(r), "data": frozen_mapping(json.loads(r["data"]))}) for r in rows]


def list_series(ledger: Ledger, measure: str | None = None) -> list[SeriesPoint]:
    """Series points, of every measure or of those ``measure`` names (case and punctuation set
    aside: "US troops Syria" is "US troops · Syria"); a QueryError with suggestions when it names
    none."""
    keys = resolve_measures(ledger.db, measure, "series_points") if measure else None
    where, params = (f" WHERE measure_key IN ({', '.join('?' * len(keys))})", keys) if keys else ("", ())
    rows = ledger.db.execute(
        "SELECT measure_key, doc_id, quantity_id, value, low, high, approx, as_of, as_of_source, source, conflict, "
        f"rule, data FROM series_points{where} ORDER BY measure_key, as_of IS NULL, as_of, doc_id, quantity_id",
        params).fetchall()
    return [SeriesPoint(**{**dict(r), "conflict": bool(r["conflict"]), "data": frozen_mapping(json.loads(r["data"]))})
            for r in rows]


# -- reads for the report and the web app (paged; every filter a bound parameter) ---------------

def _page(db, select: str, base: str, params: list[Any], order: str, limit: int | None,
          offset: int) -> tuple[list[dict[str, Any]], int]:
    """Rows of ``select base ORDER BY order`` (one page when ``limit`` is given) and the total;
    ``select``, ``base`` and ``order`` are constants of this module."""
    total = db.execute(f"SELECT COUNT(*) {base}", params).fetchone()[0]  # noqa: S608
    paging, extra = (" LIMIT ? OFFSET ?", [limit, offset]) if limit is not None else ("", [])
    rows = db.execute(f"SELECT {select} {base} ORDER BY {order}{paging}", [*params, *extra]).fetchall()  # noqa: S608
    return [dict(r) for r in rows], total


def _where(*conditions: tuple[str, tuple | None]) -> tuple[str, list[Any]]:
    """" WHERE a AND b …" over the conditions whose parameters are given (None: left out), and
    their parameters in order; each condition is a constant of this module."""
    kept = [(sql_, params) for sql_, params in conditions if params is not None]
    if not kept:
        return "", []
    return " WHERE " + " AND ".join(c for c, _ in kept), [p for _, params in kept for p in params]


def _field(column: str, path: str) -> str:
    """SQL for one field of a JSON column, NULL where the column does not hold JSON (a row a
    newer or damaged ledger wrote otherwise reads as missing, not as an error)."""
    return f"(CASE WHEN json_valid({column}) THEN json_extract({column}, '{path}') END)"


_THREAD_COUNTS = (
    "t.thread_id, t.origin, t.label, t.proposition, t.event, t.first_doc_id, t.first_claim_id, t.first_date, "
    "t.claims, t.documents, t.rule, t.data, "
    "(SELECT COUNT(DISTINCT COALESCE(c.source, c.doc_id)) FROM thread_claims c WHERE c.thread_id = t.thread_id "
    "AND c.stance = 'supports') AS supporters, "
    "(SELECT COUNT(DISTINCT COALESCE(c.source, c.doc_id)) FROM thread_claims c WHERE c.thread_id = t.thread_id "
    "AND c.stance = 'denies') AS deniers, "
    "(SELECT COUNT(*) FROM contradictions x WHERE x.thread_id = t.thread_id) AS contradiction_count")


def thread_page(ledger: Ledger, *, text: str | None = None, source: str | None = None, limit: int | None = 50,
                offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """Threads, the ones a user follows first, then by documents and claims, with how many
    sources support and deny each and how many contradictions it holds."""
    where, params = _where(
        ("(t.label LIKE ? ESCAPE '\\' OR t.proposition LIKE ? ESCAPE '\\')",
         (contains_pattern(text), contains_pattern(text)) if text else None),
        ("EXISTS (SELECT 1 FROM thread_claims c WHERE c.thread_id = t.thread_id AND c.source LIKE ? ESCAPE '\\')",
         (contains_pattern(source),) if source else None))
    rows, total = _page(ledger.db, _THREAD_COUNTS, "FROM threads t" + where, params,
                        "t.origin = 'user' DESC, t.documents DESC, t.claims DESC, t.thread_id", limit, offset)
    return [_thread_summary(r) for r in rows], total


def thread_by_id(ledger: Ledger, thread_id: str) -> dict[str, Any] | None:
    row = ledger.db.execute(f"SELECT {_THREAD_COUNTS} FROM threads t WHERE t.thread_id = ?",  # noqa: S608
                            (thread_id,)).fetchone()
    return _thread_summary(dict(row)) if row else None


def _thread_summary(row: dict[str, Any]) -> dict[str, Any]:
    data = _json(row.pop("data", None))
    row["first_estimated"] = data.get("first_estimated") if isinstance(data, dict) else None
    return row


def _json(text: str | None) -> Any:
    try:
        return json.loads(text) if text else {}
    except ValueError:
        return {}


def thread_members(ledger: Ledger, thread_id: str, *, stance: str | None = None,
                   limit: int | None = None, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """A thread's claims (never the unrelated ones) in the order they were reported (the document's
    date), undated documents last; each with ``date`` (when it was reported), ``about`` (the time
    the claim is about, when the text gives one), its document's estimated window, outlet, title."""
    where, params = _where(("tc.thread_id = ? AND tc.stance != 'unrelated'", (thread_id,)),
                           ("tc.stance = ?", (stance,) if stance else None))
    base = ("FROM thread_claims tc JOIN documents d ON d.id = tc.doc_id "
            "LEFT JOIN claims x ON x.doc_id = tc.doc_id AND x.claim_id = tc.claim_id" + where)
    reported = f"COALESCE({_field('tc.data', '$.reported')}, d.published)"
    select = ("tc.doc_id, tc.claim_id, tc.stance, tc.hedged, tc.score, tc.relevance, tc.rule, "
              f"{reported} AS date, tc.date AS about, tc.source, tc.data, d.outlet AS doc_outlet, "
              "d.published, d.date_estimate, d.title AS doc_title, x.proposition, x.modality, x.polarity, "
              "x.attribution_id")
    order = f"{reported} IS NULL, {reported}, tc.date, d.seq, x.start"
    rows, total = _page(ledger.db, select, base, params, order, limit, offset)
    for r in rows:
        data = _json(r.pop("data"))
        r["evidence"] = data.get("evidence") or r["proposition"]
        r["outlet"] = data.get("outlet") or r["doc_outlet"]
        r["date_estimate"] = _json(r["date_estimate"]) or None
        r["hedged"] = bool(r["hedged"])
    return rows, total


_CONTRADICTION_SELECT = (
    "x.thread_id, x.kind, x.a_doc_id, x.a_claim_id, x.b_doc_id, x.b_claim_id, x.days, x.rule, x.data, "
    "t.label AS thread_label, a.proposition AS a_proposition, b.proposition AS b_proposition, "
    "ad.published AS a_published, bd.published AS b_published, ad.date_estimate AS a_estimate, "
    "bd.date_estimate AS b_estimate, ad.outlet AS a_doc_outlet, bd.outlet AS b_doc_outlet")
_CONTRADICTION_FROM = (
    "FROM contradictions x LEFT JOIN threads t ON t.thread_id = x.thread_id "
    "LEFT JOIN claims a ON a.doc_id = x.a_doc_id AND a.claim_id = x.a_claim_id "
    "LEFT JOIN claims b ON b.doc_id = x.b_doc_id AND b.claim_id = x.b_claim_id "
    "LEFT JOIN documents ad ON ad.id = x.a_doc_id LEFT JOIN documents bd ON bd.id = x.b_doc_id")


def contradiction_page(ledger: Ledger, *, thread_id: str | None = None, kind: str | None = None,
                       source: str | None = None, limit: int | None = 50,
                       offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """Contradictions (one per pair of sources and kind), each side with its source, outlet,
    date (or its document's estimated window) and words; the number of claim pairs behind it."""
    where, params = _where(
        ("x.thread_id = ?", (thread_id,) if thread_id else None), ("x.kind = ?", (kind,) if kind else None),
        (f"({_field('x.data', '$.a.source')} LIKE ? ESCAPE '\\' OR {_field('x.data', '$.b.source')} LIKE ? "
         "ESCAPE '\\')", (contains_pattern(source), contains_pattern(source)) if source else None))
    base = _CONTRADICTION_FROM + where
    rows, total = _page(ledger.db, _CONTRADICTION_SELECT, base, params,
                        "t.documents DESC, x.thread_id, x.kind, COALESCE(ad.published, '9'), x.rowid", limit, offset)
    out = []
    for r in rows:
        data = _json(r.pop("data"))
        item = {k: r[k] for k in ("thread_id", "thread_label", "kind", "days", "rule")}
        item["pairs"] = data.get("pairs") if isinstance(data.get("pairs"), int) else 1
        item["estimated"] = bool(data.get("estimated"))
        for side in ("a", "b"):
            brief = data.get(side) if isinstance(data.get(side), dict) else {}
            item[side] = {"doc_id": r[f"{side}_doc_id"], "claim_id": r[f"{side}_claim_id"],
                          "source": brief.get("source"), "outlet": brief.get("outlet") or r[f"{side}_doc_outlet"],
                          "date": brief.get("date") or r[f"{side}_published"],
                          "date_estimate": _json(r[f"{side}_estimate"]) or None,
                          "words": brief.get("evidence") or r[f"{side}_proposition"]}
        out.append(item)
    return out, total


def thread_denials(ledger: Ledger, thread_id: str, limit: int = 200) -> list[dict[str, Any]]:
    """The denial links whose denial and report are both on ``thread_id``: who denied whose
    report, when, in which words."""
    rows = ledger.db.execute(
        "SELECT l.doc_id, l.claim_id, l.denied_doc_id, l.denied_claim_id, l.score, l.rule, "
        "dn.source AS denier, dn.date AS denial_date, dn.data AS denial_data, "
        "rp.source AS reporter, rp.date AS report_date, rp.data AS report_data, "
        "dd.published AS denial_published, dd.date_estimate AS denial_estimate, dd.outlet AS denial_outlet, "
        "rd.published AS report_published, rd.date_estimate AS report_estimate, rd.outlet AS report_outlet, "
        "a.cue_text "
        "FROM denial_links l "
        "JOIN thread_claims dn ON dn.thread_id = ? AND dn.doc_id = l.doc_id AND dn.claim_id = l.claim_id "
        "JOIN thread_claims rp ON rp.thread_id = ? AND rp.doc_id = l.denied_doc_id "
        "AND rp.claim_id = l.denied_claim_id "
        "JOIN documents dd ON dd.id = l.doc_id JOIN documents rd ON rd.id = l.denied_doc_id "
        "LEFT JOIN claims c ON c.doc_id = l.doc_id AND c.claim_id = l.claim_id "
        "LEFT JOIN attributions a ON a.doc_id = c.doc_id AND a.attribution_id = c.attribution_id "
        "ORDER BY COALESCE(dn.date, dd.published) IS NULL, COALESCE(dn.date, dd.published), dd.seq, l.claim_id "
        "LIMIT ?", (thread_id, thread_id, limit)).fetchall()
    out = []
    for r in rows:
        denial, report = _json(r["denial_data"]), _json(r["report_data"])
        out.append({
            "denial": {"doc_id": r["doc_id"], "claim_id": r["claim_id"], "source": r["denier"],
                       "outlet": denial.get("outlet") or r["denial_outlet"],
                       "date": r["denial_date"] or r["denial_published"],
                       "date_estimate": _json(r["denial_estimate"]) or None, "words": denial.get("evidence"),
                       "cue": r["cue_text"]},
            "report": {"doc_id": r["denied_doc_id"], "claim_id": r["denied_claim_id"], "source": r["reporter"],
                       "outlet": report.get("outlet") or r["report_outlet"],
                       "date": r["report_date"] or r["report_published"],
                       "date_estimate": _json(r["report_estimate"]) or None, "words": report.get("evidence")},
            "score": r["score"], "rule": r["rule"]})
    return out


REPORTS_DETAIL = 50  # a track record's reports listed with their outcome, first ones first


def track_record_page(ledger: Ledger, *, kind: str | None = None, name: str | None = None,
                      with_reports: bool = False, limit: int | None = 50,
                      offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """Track records, the outlets and sources with the most reports on the story's threads first:
    each report's outcome (supported, denied, contested, open) and days to the first denial."""
    where, params = _where(("kind = ?", (kind,) if kind else None),
                           ("name LIKE ? ESCAPE '\\'", (contains_pattern(name),) if name else None),
                           (f"COALESCE({_field('data', '$.reports')}, supported + denied) > 0",
                            () if with_reports else None))
    base = "FROM track_records" + where
    rows, total = _page(ledger.db, "kind, name, claims, supported, denied, median_days_to_denial, rule, data", base,
                        params, f"COALESCE({_field('data', '$.reports')}, supported + denied) DESC, claims DESC, "
                        "name", limit, offset)
    for r in rows:
        data = _json(r.pop("data"))
        outcomes = data.get("outcomes") if isinstance(data.get("outcomes"), dict) else {}
        r["reports"] = data.get("reports") if isinstance(data.get("reports"), int) else r["supported"] + r["denied"]
        r["outcomes"] = {k: int(outcomes.get(k) or 0) for k in ("supported", "denied", "contested", "open")}
        r["cited_by"] = data.get("cited_by") or []
        detail = data.get("claims") if isinstance(data.get("claims"), list) else []
        r["reports_detail"], r["reports_detail_total"] = detail[:REPORTS_DETAIL], len(detail)
    return rows, total


def series_conflict_pairs(ledger: Ledger, measure_keys: Iterable[str]) -> list[dict[str, Any]]:
    """The conflicting value pairs of these measures, with both values' words and sources."""
    keys = list(measure_keys)
    if not keys:
        return []
    rows = ledger.db.execute(
        f"SELECT measure_key, window, a_doc_id, a_quantity_id, b_doc_id, b_quantity_id, rule, data "  # noqa: S608
        f"FROM series_conflicts WHERE measure_key IN ({', '.join('?' * len(keys))}) ORDER BY measure_key, window",
        keys).fetchall()
    return [{**{k: r[k] for k in r.keys() if k != "data"}, **_json(r["data"])} for r in rows]


def series_point_flags(ledger: Ledger, measure_keys: Iterable[str]) -> dict[tuple[str, str], dict[str, Any]]:
    """(doc_id, quantity_id) -> the series' resolved source and conflict flag, for these measures."""
    keys = list(measure_keys)
    if not keys:
        return {}
    rows = ledger.db.execute(
        f"SELECT doc_id, quantity_id, source, conflict FROM series_points "  # noqa: S608
        f"WHERE measure_key IN ({', '.join('?' * len(keys))})", keys).fetchall()
    return {(r[0], r[1]): {"source": r[2], "conflict": bool(r[3])} for r in rows}
