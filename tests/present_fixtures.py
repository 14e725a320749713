"""Fixtures shared by the report, app and browser tests: a hostile article, and a ledger of it."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from conftest import cli

HOSTILE = """Officials deny the pipeline report

Beirut Daily Chronicle

The ministry said on Monday that the pipeline would reopen next week, according to two officials.
One reader posted <script>window.__pwned = 1; alert('pwned')</script> under the story, which the editors kept.
Another wrote <img src=x onerror="window.__pwned = 2; alert(2)"> and <a href="javascript:window.__pwned=3">click here</a> in the comments section.
"We have repaired about 40 kilometres of pipe," the engineer told reporters, adding that 300 workers were on site.
A spokesperson denied that the line had been sabotaged, calling the claim "baseless" and <b onmouseover=alert(4)>false</b>.
"""


def build_hostile(folder: Path, db: str | None = None) -> str:
    """A ledger (or ``db``, grown) holding the hostile article."""
    article = folder / "hostile.txt"
    article.write_text(HOSTILE, encoding="utf-8")
    path = db or str(folder / "hostile.db")
    cli("build", str(article), "--db", path, "-q")
    return path


def copy_ledger(source: str, target: Path) -> str:
    """A consistent copy of a ledger file (through SQLite's backup, so WAL content comes along)."""
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    src.backup(dst)
    src.close()
    dst.close()
    return str(target)


ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


__all__ = ["HOSTILE", "build_hostile", "copy_ledger", "artifacts", "shutil"]
