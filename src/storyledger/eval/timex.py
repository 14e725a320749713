"""TempEval-3 style scoring of the temporal-expression tagger against TimeML files.

``read_timeml`` turns a ``.tml`` file into the plain text of its ``<TEXT>`` element, the document
creation time (DCT) and the gold ``TIMEX3`` annotations with character offsets into that plain
text.  ``score_timeml`` runs a tagger over each document (anchored on its DCT) and scores it the
way TempEval-3 task A does:

* the DCT TIMEX3 lies outside ``<TEXT>`` and is not scored;
* a *relaxed* match is any character overlap between a gold and a predicted span, matched
  one-to-one; a *strict* match is an identical span;
* type and value accuracy are computed over the relaxed-matched pairs;
* ``value_f1`` = relaxed F1 x value accuracy (the task's headline number).

Held-out part: a document is *held out* when the SHA-256 of its file name (``APW19980807.0261.tml``,
UTF-8), read as a hexadecimal number, is divisible by 5 (about a fifth: 10 of AQUAINT's 73 files
and 34 of TimeBank's 183).  ``part="dev"`` scores the other documents, the ones the tagger may be
tuned on; ``part="held-out"`` scores only the held-out ones, and no rule is to be written from
what they show.

Run ``storyledger eval timex --tml DIR [--part dev|held-out|all] [--json] [--errors]`` to score a
folder of ``.tml`` files.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import html
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from storyledger.extract.timex import tag_time_expressions

__all__ = ["PARTS", "GoldTimex", "TimeMLDocument", "is_held_out", "read_timeml", "score_documents",
           "score_timeml"]


@dataclass(frozen=True)
class GoldTimex:
    start: int
    end: int
    text: str
    type: str
    value: str | None
    tid: str = ""


@dataclass
class TimeMLDocument:
    path: str
    doc_id: str
    text: str
    dct: str | None
    timexes: list[GoldTimex] = field(default_factory=list)

    @property
    def dct_date(self) -> _dt.date | None:
        return parse_dct(self.dct)


_TAG_RE = re.compile(r"<(/?)([A-Za-z0-9_]+)((?:\s+[^<>]*?)?)\s*(/?)>")
_ATTR_RE = re.compile(r'([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')
_TEXT_RE = re.compile(r"<TEXT>(.*?)</TEXT>", re.S)
_DCT_RE = re.compile(r"<DCT>(.*?)</DCT>", re.S)
_DOCID_RE = re.compile(r"<DOCID>(.*?)</DOCID>", re.S)
_ENTITY_RE = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


def _attrs(s: str) -> dict[str, str]:
    return {m.group(1): html.unescape(m.group(2) if m.group(2) is not None else m.group(3))
            for m in _ATTR_RE.finditer(s)}


def _unescape(s: str) -> str:
    # Only resolve the entities an XML parser would (plus numeric ones); leave unknown ones as-is.
    def rep(m: re.Match[str]) -> str:
        ent = m.group(1)
        if ent.startswith("#"):
            return html.unescape(m.group(0))
        return {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}.get(ent, m.group(0))

    return _ENTITY_RE.sub(rep, s)


def parse_dct(value: str | None) -> _dt.date | None:
    if not value:
        return None
    m = re.match(r"(\d{4})-?(\d{2})-?(\d{2})", value)
    if not m:
        return None
    try:
        return _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def read_timeml(path: str | Path) -> TimeMLDocument:
    """Parse one TimeML file: plain ``<TEXT>``, DCT value, and gold TIMEX3s with char offsets."""
    path = Path(path)
    raw = path.read_text(encoding="utf-8")
    m_id = _DOCID_RE.search(raw)
    doc_id = m_id.group(1).strip() if m_id else path.stem
    dct = None
    m_dct = _DCT_RE.search(raw)
    if m_dct:
        m_t = re.search(r"<TIMEX3\b([^>]*)>", m_dct.group(1))
        if m_t:
            dct = _attrs(m_t.group(1)).get("value")
    m_text = _TEXT_RE.search(raw)
    body = m_text.group(1) if m_text else ""

    out: list[str] = []
    length = 0
    open_timex: list[tuple[dict[str, str], int]] = []
    timexes: list[GoldTimex] = []
    pos = 0
    for m in _TAG_RE.finditer(body):
        chunk = _unescape(body[pos:m.start()])
        out.append(chunk)
        length += len(chunk)
        pos = m.end()
        closing, name, attr_s, selfclosing = m.group(1), m.group(2), m.group(3), m.group(4)
        if name != "TIMEX3":
            continue
        if closing:
            if open_timex:
                attrs, start = open_timex.pop()
                text = "".join(out)[start:length]
                timexes.append(_gold(attrs, start, length, text))
        elif selfclosing:
            continue  # empty TIMEX3 (e.g. an implicit point): nothing in the text to match
        else:
            open_timex.append((_attrs(attr_s), length))
    out.append(_unescape(body[pos:]))
    text = "".join(out)
    # Drop empty spans; keep document order.
    timexes = sorted((t for t in timexes if t.end > t.start), key=lambda t: (t.start, t.end))
    return TimeMLDocument(str(path), doc_id, text, dct, timexes)


def _gold(attrs: dict[str, str], start: int, end: int, text: str) -> GoldTimex:
    return GoldTimex(start, end, text, attrs.get("type", ""), attrs.get("value"), attrs.get("tid", ""))


def _iter_paths(paths_or_dir: str | Path | Iterable[str | Path]) -> list[Path]:
    if isinstance(paths_or_dir, (str, Path)):
        items: Iterable[str | Path] = [paths_or_dir]
    else:
        items = paths_or_dir
    paths: list[Path] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            paths.extend(sorted(p.rglob("*.tml")))
        else:
            paths.append(p)
    return paths


PARTS = ("all", "dev", "held-out")
HELD_OUT_MODULUS = 5


def is_held_out(path: str | Path) -> bool:
    """Whether a TimeML file belongs to the held-out part (see the module docstring)."""
    digest = hashlib.sha256(Path(path).name.encode("utf-8")).hexdigest()
    return int(digest, 16) % HELD_OUT_MODULUS == 0


def select_part(paths: Iterable[Path], part: str) -> list[Path]:
    """The files of ``part``: "all", "dev" (not held out) or "held-out"."""
    if part not in PARTS:
        raise ValueError(f"unknown part {part!r}; choose one of {', '.join(PARTS)}")
    return [p for p in paths if part == "all" or is_held_out(p) == (part == "held-out")]


def _match(gold: list, pred: list) -> tuple[list[tuple[int, int]], int]:
    """One-to-one relaxed matching (any overlap). Exact-span pairs are taken first, then the
    remaining overlaps greedily by overlap size. Returns (pairs of indices, n strict matches)."""
    pairs: list[tuple[int, int]] = []
    used_g: set[int] = set()
    used_p: set[int] = set()
    exact = {(p.start, p.end): j for j, p in enumerate(pred)}
    for i, g in enumerate(gold):
        j = exact.get((g.start, g.end))
        if j is not None and j not in used_p:
            pairs.append((i, j))
            used_g.add(i)
            used_p.add(j)
    strict = len(pairs)
    cands = []
    for i, g in enumerate(gold):
        if i in used_g:
            continue
        for j, p in enumerate(pred):
            if j in used_p:
                continue
            ov = min(g.end, p.end) - max(g.start, p.start)
            if ov > 0:
                cands.append((-ov, i, j))
    cands.sort()
    for _, i, j in cands:
        if i in used_g or j in used_p:
            continue
        pairs.append((i, j))
        used_g.add(i)
        used_p.add(j)
    return pairs, strict


def _prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def score_documents(docs: Iterable[TimeMLDocument], *, tagger: Callable = tag_time_expressions,
                    details: list | None = None) -> dict:
    n_gold = n_pred = relaxed = strict = type_ok = value_ok = n_docs = 0
    for doc in docs:
        n_docs += 1
        pred = list(tagger(doc.text, doc.dct_date))
        gold = doc.timexes
        pairs, n_strict = _match(gold, pred)
        n_gold += len(gold)
        n_pred += len(pred)
        relaxed += len(pairs)
        strict += n_strict
        for i, j in pairs:
            g, p = gold[i], pred[j]
            type_ok += g.type == p.type
            value_ok += (g.value or "") == (p.value or "")
        if details is not None:
            details.append((doc, gold, pred, pairs))
    rp, rr, rf = _prf(relaxed, n_pred, n_gold)
    sp, sr, sf = _prf(strict, n_pred, n_gold)
    type_acc = type_ok / relaxed if relaxed else 0.0
    value_acc = value_ok / relaxed if relaxed else 0.0
    return {
        "relaxed_precision": rp, "relaxed_recall": rr, "relaxed_f1": rf,
        "strict_precision": sp, "strict_recall": sr, "strict_f1": sf,
        "type_accuracy": type_acc, "value_accuracy": value_acc,
        "value_f1": rf * value_acc,
        "n_gold": n_gold, "n_pred": n_pred, "n_docs": n_docs,
    }


def score_timeml(paths_or_dir: str | Path | Iterable[str | Path], *,
                 tagger: Callable = tag_time_expressions, details: list | None = None,
                 part: str = "all") -> dict:
    """Score ``tagger`` on TimeML files (a folder, searched recursively for ``*.tml``, a file, or a
    list of either), only those of ``part`` (see :func:`select_part`). ``tagger(text, dct_date)``
    must return objects with start, end, type, value."""
    docs = [read_timeml(p) for p in select_part(_iter_paths(paths_or_dir), part)]
    scores = score_documents(docs, tagger=tagger, details=details)
    scores["part"] = part
    return scores


def print_errors(details: list, out=sys.stdout) -> None:
    """Misses, false positives and wrong values, for tuning: the held-out documents' are not shown."""
    for doc, gold, pred, pairs in details:
        if is_held_out(doc.path):
            continue
        gm = {i: j for i, j in pairs}
        pm = {j: i for i, j in pairs}
        for i, g in enumerate(gold):
            if i not in gm:
                ctx = doc.text[max(0, g.start - 40):g.end + 40].replace("\n", " ")
                print(f"MISS\t{doc.doc_id}\t{g.text!r}\t{g.type}\t{g.value}\t{ctx}", file=out)
            else:
                p = pred[gm[i]]
                same_span = (p.start, p.end) == (g.start, g.end)
                if (p.value or "") != (g.value or "") or p.type != g.type or not same_span:
                    ctx = doc.text[max(0, g.start - 40):g.end + 40].replace("\n", " ")
                    print(f"DIFF\t{doc.doc_id}\t{g.text!r}\t{p.text!r}\t{g.type}/{p.type}\t"
                          f"{g.value}\t{p.value}\t{getattr(p, 'rule', '')}\tdct={doc.dct}\t{ctx}", file=out)
        for j, p in enumerate(pred):
            if j not in pm:
                ctx = doc.text[max(0, p.start - 40):p.end + 40].replace("\n", " ")
                print(f"FP\t{doc.doc_id}\t{p.text!r}\t{p.type}\t{p.value}\t{getattr(p, 'rule', '')}\t{ctx}",
                      file=out)
