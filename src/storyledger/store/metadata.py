"""Corrections after ingest: metadata the user sets (`storyledger set`) or gives in a sidecar file
(`build --metadata FILE.csv`), and what has to follow when a document's date or outlet changes.

Precedence, strongest first: `set` by the user, the sidecar, the input's own records, a page's
HTML tags, the text. The values set are kept apart from the documents (``metadata_overrides``),
so every later build leaves them standing; the sidecar is applied again on every build it is
given to.

Time expressions are resolved against the publication date when a document is extracted, and a
quantity or claim nobody is quoted for is the outlet's; so a document whose date or outlet
changed is extracted again (the ledger keeps it as pending until that is done), and the corpus
is relinked.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, LedgerError
from ..model import InputProblem, Origin
from .ledger import Ledger

FIELDS = ("published", "outlet", "title", "author", "url")
KEY_COLUMNS = ("id", "path")
DATE_HINT = "write it as YYYY-MM-DD"

ProblemHandler = Callable[[InputProblem], None]


def normalise_date(value: str) -> str | None:
    """An ISO date for a date the user wrote, or None when it is not one."""
    from ..ingest.dates import parse_metadata_date

    date = parse_metadata_date(value)
    return date.isoformat() if date else None


@dataclass(frozen=True)
class SidecarRow:
    """One usable row of a metadata sidecar: the document it names and the values it gives."""

    doc_id: str
    values: dict[str, str]
    origin: Origin


def read_sidecar(path: str, ledger: Ledger) -> Iterator[SidecarRow | InputProblem]:
    """The rows of a metadata sidecar CSV, each resolved to a document of ``ledger``, or a
    problem naming the file, the row and what to do. Never raises for bad content."""
    from ..ingest.encoding import decode_bytes

    file_origin = Origin(path)
    try:
        text = decode_bytes(Path(path).read_bytes())
    except OSError as error:
        yield InputProblem(file_origin, f"metadata file cannot be read ({error.strerror or error})",
                           "check the path given to --metadata")
        return
    except InputError as error:
        yield InputProblem(file_origin, f"metadata file: {error.reason}", error.hint)
        return
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = {(name or "").strip().lower(): name for name in reader.fieldnames or ()}
    except csv.Error as error:
        yield InputProblem(file_origin, f"metadata file is not valid CSV ({error})", "check its header row")
        return
    if not any(k in header for k in KEY_COLUMNS):
        yield InputProblem(file_origin, "metadata file has no `id` or `path` column",
                           f"give a header row with id or path, then any of: {', '.join(FIELDS)}")
        return
    unknown = sorted(set(header) - set(FIELDS) - set(KEY_COLUMNS) - {""})
    if unknown:
        yield InputProblem(file_origin, f"metadata file: columns {', '.join(unknown)} are not used",
                           f"the columns read are id or path, and {', '.join(FIELDS)}", skipped=False)
    resolver = _Resolver(ledger, Path(path).parent)
    first_row: dict[tuple[str, str], int] = {}
    try:
        for number, row in enumerate(reader, start=2):  # row 1 is the header
            origin = Origin(path, f"row {number}")
            cells = {name: (row.get(original) or "").strip() for name, original in header.items()
                     if isinstance(row.get(original), str)}
            if not any(cells.values()):
                continue  # a blank line
            try:
                doc_id = resolver.resolve(cells.get("id", ""), cells.get("path", ""))
            except _Unresolved as error:
                yield InputProblem(origin, str(error),
                                   "`storyledger docs --json` lists each document's id, external_ids and path")
                continue
            values = {f: cells[f] for f in FIELDS if cells.get(f)}
            if "published" in values:
                date = normalise_date(values["published"])
                if date is None:
                    yield InputProblem(origin, f"published {values['published']!r} is not a date; "
                                       "the row's other values are applied", DATE_HINT, skipped=False)
                    del values["published"]
                else:
                    values["published"] = date
            if not values:
                yield InputProblem(origin, "no values to set",
                                   f"fill one or more of: {', '.join(FIELDS)}")
                continue
            for field in values:
                earlier = first_row.setdefault((doc_id, field), number)
                if earlier != number:
                    yield InputProblem(origin, f"sets {field} of the same document as row {earlier}; "
                                       "this later row wins", "keep one row per document", skipped=False)
            yield SidecarRow(doc_id, values, origin)
    except csv.Error as error:
        yield InputProblem(Origin(path, f"row {reader.line_num}"), f"metadata file is not valid CSV ({error}); "
                           "rows after this one were not read", "check the quoting on that row")


class _Unresolved(LookupError):
    """A sidecar row names no single document; the message says why."""


class _Resolver:
    """Finds the document a sidecar row names: by document id (or a unique prefix), by the id an
    input record gave, or by the path of the file it was read from (``PATH#N`` for the N-th
    document of a file), as written when it was built or relative to the sidecar's folder."""

    def __init__(self, ledger: Ledger, folder: Path) -> None:
        self.ledger, self.folder = ledger, folder
        self._paths: dict[Path, str] | None = None

    def resolve(self, ref: str, path: str) -> str:
        """The id of the document named by ``ref`` (an id) or else ``path``."""
        if ref:
            ids = self.ledger.documents_with_record(external_id=ref)
            if len(ids) > 1:
                raise _Unresolved(f"record id {ref!r} was given to {len(ids)} different texts")
            if ids:
                return ids[0]
            try:
                return self.ledger.document(ref).id
            except LedgerError:
                raise _Unresolved(f"no document or record with id {ref!r} in the ledger") from None
        if not path:
            raise _Unresolved("no id or path")
        name, _, nth = path.partition("#")
        stored = self._stored_path(name)
        if stored is None:
            raise _Unresolved(f"no document was read from {name!r}")
        if nth:
            try:
                return self.ledger.document(f"{stored}#{nth}").id
            except LedgerError:
                raise _Unresolved(f"{path!r} names no single document") from None
        ids = self.ledger.documents_with_record(path=stored)
        if len(ids) > 1:
            raise _Unresolved(f"{name!r} holds {len(ids)} documents; name one as {name}#N or by its id")
        return ids[0]

    def _stored_path(self, name: str) -> str | None:
        if self._paths is None:
            self._paths = {}
            for stored in self.ledger.record_paths():
                self._paths.setdefault(_resolved(Path(stored)), stored)
        if name in self._paths.values():
            return name
        for candidate in (Path(name), self.folder / name):
            found = self._paths.get(_resolved(candidate))
            if found:
                return found
        return None


def _resolved(path: Path) -> Path:
    try:
        return path.expanduser().resolve()
    except (OSError, RuntimeError):
        return path


def apply_sidecar(ledger: Ledger, path: str, problem: ProblemHandler) -> int:
    """Apply a metadata sidecar to the documents it names; the number of values applied. Where
    two rows give one document's field, the later row's value is the one applied, so applying
    the same file again changes nothing."""
    final: dict[tuple[str, str], tuple[str, str]] = {}  # (doc id, field): (value, origin)
    for item in read_sidecar(path, ledger):
        if isinstance(item, InputProblem):
            problem(item)
            continue
        for field, value in item.values.items():
            final[(item.doc_id, field)] = (value, item.origin.describe())
    for (doc_id, field), (value, origin) in final.items():
        ledger.set_metadata(doc_id, {field: value}, "sidecar", origin)
    return len(final)


def refresh_extractions(ledger: Ledger, engine: object, *, max_extract_chars: int,
                        extractor_version: str | None, problem: ProblemHandler) -> set[str]:
    """Extract again every document whose date or outlet changed since it was extracted (with
    ``engine``, a started :class:`storyledger.engine.Engine`); their ids."""
    from ..extract.guard import ExtractionFailure

    pending = ledger.pending_extractions()
    extractable = [d for d in pending if len(d.text) <= max_extract_chars]
    results: dict[str, object] = {}
    if extractable:
        batch = engine.submit(extractable).result()  # type: ignore[attr-defined]
        results = {r.doc_id: r for r in batch.extractions}
        ledger.write_vectors(batch.vectors)
    for doc in pending:
        result = results.get(doc.id)
        if isinstance(result, ExtractionFailure):
            problem(InputProblem(Origin(doc.path, doc.record), f"after its metadata changed, {result.describe()}",
                                 "the document is stored and searchable without claims; "
                                 "`storyledger check` lists it", skipped=False))
        ledger.replace_extraction(doc.id, result, extractor_version)  # type: ignore[arg-type]
    return {doc.id for doc in pending}


def apply_corrections(ledger: Ledger, engine: object, sidecar: str | None, problem: ProblemHandler, *,
                      max_extract_chars: int, extractor_version: str | None) -> int:
    """The end of a build: keep the records read for texts already stored, apply the sidecar,
    and extract again the documents whose date or outlet changed. Returns how many documents'
    metadata changed or were extracted again (the corpus needs relinking when it is not 0)."""
    ledger.store_kept_records()
    if sidecar:
        apply_sidecar(ledger, sidecar, problem)
    refreshed = refresh_extractions(ledger, engine, max_extract_chars=max_extract_chars,
                                    extractor_version=extractor_version, problem=problem)
    return len(ledger.corrected | refreshed)


@dataclass
class SetResult:
    """What `storyledger set` did to one document."""

    doc_id: str
    changes: dict[str, tuple[str | None, str]]  # field: (old value, new value)
    extracted_again: bool
    problems: list[InputProblem]


def set_document(ledger: Ledger, ref: str, values: dict[str, str], *, max_extract_chars: int,
                 extractor_version: str | None) -> SetResult:
    """`storyledger set`: give a document (by any reference `show` takes) the user's values,
    extract it again if its date or outlet changed, and relink the corpus if anything changed."""
    from ..engine import Engine
    from ..link.corpus import relink

    if "published" in values:
        date = normalise_date(values["published"])
        if date is None:
            raise InputError(f"--published {values['published']!r} is not a date", DATE_HINT)
        values = {**values, "published": date}
    doc = ledger.document(ref)
    changes = ledger.set_metadata(doc.id, values, "user", "storyledger set")
    problems: list[InputProblem] = []
    with Engine() as engine:
        refreshed = refresh_extractions(ledger, engine, max_extract_chars=max_extract_chars,
                                        extractor_version=extractor_version, problem=problems.append)
    if changes or refreshed:
        relink(ledger)
    return SetResult(doc.id, changes, doc.id in refreshed, problems)
