"""Shared test helpers: paths to fixtures and to the project's ../shared data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from storyledger.cli import main
from storyledger.profile import activate

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLES = ROOT / "examples" / "kessin-port"
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
EXAMPLES_MAP = "title=headline,text=body,outlet=source_name,published=date,url=link"
EXAMPLES_PROFILE = str(EXAMPLES / "profile.toml")  # the example sites' taglines


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test when the shared data is not beside the repo."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared data set is not beside this checkout")
    return path


def cli(*args: str, input: bytes | str | None = None, ok: bool = True):
    """Run the CLI in-process; assert success unless ``ok`` is False."""
    result = CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)
    if ok:
        assert result.exit_code == 0, result.output + (result.stderr if result.stderr_bytes else "")
    return result


def cli_json(*args: str) -> list[dict]:
    return json.loads(cli(*args, "--json").stdout)


@pytest.fixture(autouse=True)
def no_profile_left_active():
    """A build with --profile makes it the process's profile (and its workers'); each test ends
    with none, so no test reads with another's profile."""
    yield
    activate(None)


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "ledger.db")


@pytest.fixture(scope="session")
def seeds_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    seeds = shared_path("seeds")
    path = str(tmp_path_factory.mktemp("seeds") / "ledger.db")
    cli("build", str(seeds), "--db", path, "-q")
    return path
