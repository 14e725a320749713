"""Listing commands read the ledger without loading the NLP stack: `docs` answers at once, like
sqlite-utils would. Checked with Python's own import log in a fresh process per command."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import FIXTURES, cli, cli_json

HEAVY = ("spacy", "torch", "sentence_transformers", "dask")


@pytest.fixture(scope="module")
def small_ledger(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = str(tmp_path_factory.mktemp("startup") / "ledger.db")
    cli("build", str(FIXTURES / "articles" / "scrape.txt"), "--db", db, "-q")
    return db


@pytest.mark.parametrize("command", [["docs"], ["show"], ["search", "bridge"], ["claims"], ["threads"],
                                     ["sources"], ["series"], ["attributions"], ["quantities"], ["times"]])
def test_a_listing_command_imports_no_nlp_library(small_ledger: str, command: list[str]) -> None:
    if command == ["show"]:
        command = ["show", cli_json("docs", "--db", small_ledger)[0]["id"]]
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "storyledger", *command, "--db", small_ledger],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()
                if line.startswith("import time")}
    heavy = sorted(m for m in imported if m.split(".")[0] in HEAVY)
    assert not heavy, heavy
