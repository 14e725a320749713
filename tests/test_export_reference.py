"""The export of a ledger built from the hand-written fixture articles equals the stored one.

It guards the read path: a change to how the ledger is read (the CLI, the read API, the export)
must not change what an export holds. When extraction or linking changes on purpose, regenerate
the stored export and review its diff:

    STORYLEDGER_REGENERATE=1 .venv/bin/python -m pytest -q tests/test_export_reference.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from conftest import FIXTURES, cli

CORPUS = FIXTURES / "articles"
EXPECTED = FIXTURES / "export_reference.json"
# When a row was written, not what it says: differs on every build.
_WHEN_WRITTEN = {"added_at", "read_at", "set_at", "at", "created_at", "applied_at"}
# Embedding vectors are floats of a neural model: they may differ in the last bits between machines.
_MACHINE_DEPENDENT_TABLES = {"claim_embeddings"}


def _steady(value: Any) -> Any:
    """``value`` with floats rounded (scores computed from embeddings may differ in the last bits
    between machines) and JSON held in text columns parsed, so its floats are rounded too."""
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: _steady(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_steady(v) for v in value]
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return _steady(json.loads(value))
        except ValueError:
            return value
    return value


def _exported(folder: Path) -> dict[str, list[dict[str, Any]]]:
    root = str(CORPUS) + os.sep
    tables = {}
    for path in sorted(folder.glob("*.jsonl")):
        if path.stem in _MACHINE_DEPENDENT_TABLES:
            continue
        rows = []
        for line in path.read_text(encoding="utf-8").splitlines():
            row = {k: v for k, v in json.loads(line).items() if k not in _WHEN_WRITTEN}
            if isinstance(row.get("path"), str) and row["path"].startswith(root):
                row["path"] = row["path"][len(root):]
            rows.append(_steady(row))
        tables[path.stem] = rows
    return tables


def test_fixture_export_equals_the_stored_one(tmp_path: Path) -> None:
    db = str(tmp_path / "ledger.db")
    cli("build", str(CORPUS), "--db", db, "-q")
    cli("export", "--db", db, "--format", "jsonl", "-o", str(tmp_path / "out"))
    got = _exported(tmp_path / "out")
    assert got["documents"] and got["claims"], "the fixture corpus should give documents and claims"
    if os.environ.get("STORYLEDGER_REGENERATE"):
        EXPECTED.write_text(json.dumps(got, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        pytest.skip(f"regenerated {EXPECTED}; review its diff before committing")
    want = json.loads(EXPECTED.read_text(encoding="utf-8"))
    assert sorted(got) == sorted(want), "the export's tables changed"
    for table, rows in want.items():
        assert len(got[table]) == len(rows), f"{table}: {len(got[table])} rows, stored export has {len(rows)}"
        for i, (g, w) in enumerate(zip(got[table], rows, strict=True)):
            assert g == w, f"{table} row {i} differs from the stored export"
