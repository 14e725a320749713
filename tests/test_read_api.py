"""One read API: the command line's listings and the web app's pages narrow the same records with
the same filters (records.Filters), and the records module needs nothing but the standard library.
On a ledger of the hand-written fixture articles."""

from __future__ import annotations

import ast
import dataclasses
import json
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from conftest import FIXTURES, cli
from storyledger import open_ledger
from storyledger.present.app import create_app
from storyledger.records import Claim, ClaimRow, Filters, Page
from storyledger.store import queries

RECORDS = Path(__file__).resolve().parents[1] / "src" / "storyledger" / "records.py"


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = str(tmp_path_factory.mktemp("read-api") / "ledger.db")
    cli("build", str(FIXTURES / "articles"), "--db", db, "-q")
    return db


@pytest.fixture(scope="module")
def api(fixture_db: str):
    with TestClient(create_app(fixture_db), base_url="http://127.0.0.1") as client:
        yield client


def _cli_ids(db: str, command: str, id_key: str, *options: str) -> list[tuple[str, str]]:
    rows = json.loads(cli(command, "--db", db, "--json", *options).stdout)
    return [(r["doc_id"], r[id_key]) for r in rows]


def _api_ids(api: TestClient, listing: str, id_key: str, **params: str) -> list[tuple[str, str]]:
    body = api.get(f"/api/{listing}", params={**params, "limit": "200"}).json()
    assert body["total"] == len(body["items"]), "the page should hold every row"
    return [(r["doc_id"], r[id_key]) for r in body["items"]]


@pytest.mark.parametrize("filters", [{"polarity": "negated"}, {"source": "agency"}, {"text": "bridge"},
                                     {"source": "vell", "text": "cable"}])
def test_claims_narrowed_alike_by_the_cli_and_the_app(fixture_db: str, api: TestClient, filters: dict) -> None:
    options = [part for name, value in filters.items() for part in (f"--{name}", value)]
    from_cli = _cli_ids(fixture_db, "claims", "id", *options)
    from_app = _api_ids(api, "claims", "claim_id", **filters)
    with open_ledger(fixture_db) as ledger:
        from_ledger = [(c.doc_id, c.id) for c in ledger.claims(Filters(**filters))]
    assert from_cli, f"the fixture corpus should have claims for {filters}"
    assert sorted(from_cli) == sorted(from_app) == sorted(from_ledger)


@pytest.mark.parametrize("filters", [{"kind": "speech"}, {"source": "council"}, {"outlet": "Orsk Radio"}])
def test_attributions_narrowed_alike(fixture_db: str, api: TestClient, filters: dict) -> None:
    options = [part for name, value in filters.items() for part in (f"--{name}", value)]
    from_cli = _cli_ids(fixture_db, "attributions", "id", *options)
    assert from_cli, f"the fixture corpus should have attributions for {filters}"
    assert sorted(from_cli) == sorted(_api_ids(api, "attributions", "attribution_id", **filters))


def test_quantities_by_a_measure_named_loosely(fixture_db: str, api: TestClient) -> None:
    from_cli = _cli_ids(fixture_db, "quantities", "id", "--measure", "MAIN cables")
    assert len(from_cli) == 2
    assert sorted(from_cli) == sorted(_api_ids(api, "quantities", "quantity_id", measure="main-cables"))
    unknown = cli("quantities", "--db", fixture_db, "--measure", "zeppelins aloft", ok=False)
    assert unknown.exit_code == 1 and "no measure matches" in unknown.output


def test_records_are_typed_and_frozen(fixture_db: str) -> None:
    with open_ledger(fixture_db) as ledger:
        claim = ledger.claims(Filters(polarity="negated"))[0]
        page = queries.claims_page(ledger, Filters(polarity="negated"), limit=1)
    assert isinstance(claim, Claim) and claim.to_dict()["polarity"] == "negated"
    assert isinstance(page.items[0], ClaimRow) and page.items[0].polarity == "negated"
    with pytest.raises(dataclasses.FrozenInstanceError):
        claim.doc_id = "elsewhere"  # type: ignore[misc]
    with pytest.raises(TypeError):
        claim.fields["polarity"] = "affirmed"  # type: ignore[index]
    assert page.total == 3 and page.next_offset == 1 and page.to_dict()["items"][0]["polarity"] == "negated"


def test_a_page_knows_where_the_next_one_starts() -> None:
    assert Page(["a", "b"], total=5, limit=2, offset=2).next_offset == 4
    assert Page(["e"], total=5, limit=2, offset=4).next_offset is None


def test_the_records_module_needs_only_the_standard_library() -> None:
    imported = set()
    for node in ast.walk(ast.parse(RECORDS.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "records.py imports nothing of storyledger"
            imported.add((node.module or "").split(".")[0])
    assert imported and imported <= set(sys.stdlib_module_names) | {"__future__"}, imported
