"""Profiles: a corpus's own knowledge (taglines, domains, aliases, titles) from a user's file, not
the package; checked on read, merged into the resources, and reaching worker processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLES, EXAMPLES_PROFILE, ROOT, cli, cli_json
from storyledger.ingest.documents import outlet_from_url
from storyledger.ingest.hygiene import clean_article, match_tagline
from storyledger.link.entities import EntityIndex
from storyledger.profile import ENV_VAR, ProfileError, activate, read_profile
from storyledger.resources import load_json

# A scrape of a site the package cannot know: its first line is the site's tagline.
SCRAPE = (
    "THE ORSK LANTERN — News of the Orsk valley since 1911\n\n"
    "Ferry service across Lake Orsk resumes after storm\n\n"
    "The ferry between Orsk and Tamm ran again on Tuesday after three days of gales kept both "
    "boats in harbour, the operator said.\n\n"
    "Skipper Mara Lind said the crossing took forty minutes, ten more than usual.\n"
)
PROFILE_TOML = """
titles = ["skipper"]

[[taglines]]
pattern = 'the orsk lantern\\s*[-–—|:]\\s*.{0,80}'
outlet = "The Orsk Lantern"

[domains]
"orsklantern.example" = "The Orsk Lantern"

[aliases]
"Orsk Ferry Company" = ["the ferry operator", "OFC"]
"Pentagon" = ["the Five Sides"]
"""


@pytest.fixture
def orsk_profile(tmp_path: Path) -> Path:
    path = tmp_path / "orsk.toml"
    path.write_text(PROFILE_TOML, encoding="utf-8")
    return path


def test_without_a_profile_the_site_is_unknown():
    activate(None)
    clean = clean_article(SCRAPE)
    assert clean.outlet is None
    assert clean.text.startswith("THE ORSK LANTERN")
    assert outlet_from_url("https://www.orsklantern.example/ferry") == "orsklantern.example"
    assert EntityIndex.build(["OFC"]).resolve("OFC") == "OFC"


def test_profile_taglines_domains_aliases_and_titles(orsk_profile: Path):
    activate(orsk_profile)
    clean = clean_article(SCRAPE)
    assert clean.outlet == "The Orsk Lantern"
    assert "ORSK LANTERN" not in clean.text and clean.text.startswith("Ferry service")
    assert any(span.reason == "outlet tagline" for span in clean.removed)
    assert outlet_from_url("https://www.orsklantern.example/ferry") == "The Orsk Lantern"
    index = EntityIndex.build(["OFC", "the ferry operator", "Skipper Mara Lind", "Mara Lind", "DoD"])
    assert index.resolve("OFC") == index.resolve("the ferry operator") == "Orsk Ferry Company"
    assert index.resolve("Skipper Mara Lind") == "Mara Lind"
    # a profile adds to what the package knows, and takes nothing away
    assert index.resolve("the Five Sides") == index.resolve("DoD") == "Pentagon"
    assert match_tagline("Creating new perspectives since 2009").outlet == "Middle East Monitor"


def test_deactivating_restores_the_package_resources(orsk_profile: Path):
    package = json.dumps(load_json("outlets.json"), sort_keys=True)
    activate(orsk_profile)
    assert json.dumps(load_json("outlets.json"), sort_keys=True) != package
    assert os.environ[ENV_VAR] == str(orsk_profile.resolve())
    activate(None)
    assert json.dumps(load_json("outlets.json"), sort_keys=True) == package
    assert ENV_VAR not in os.environ
    assert clean_article(SCRAPE).outlet is None


def test_json_profiles_are_read_too(tmp_path: Path):
    path = tmp_path / "orsk.json"
    path.write_text(json.dumps({"_about": "comments start with _",
                                "taglines": [{"pattern": "the orsk lantern.*", "outlet": "The Orsk Lantern"}]}),
                    encoding="utf-8")
    assert read_profile(path) == {
        "outlets.json": {"taglines": [{"pattern": "the orsk lantern.*", "outlet": "The Orsk Lantern"}]}}


@pytest.mark.parametrize("text, message", [
    ("[[taglines]]\npattern = 'orsk ('\noutlet = 'X'\n", "taglines[0]: pattern is not a valid regular expression"),
    ("[[taglines]]\npattern = 'orsk'\n", "taglines[0]: needs exactly the keys 'pattern' and 'outlet'"),
    ("[aliases]\nOrsk = 'Orsk town'\n", "aliases['Orsk']: must be a list of non-empty strings"),
    ("titles = 'skipper'\n", "titles: must be a list of non-empty strings"),
    ("[domains]\n'orsk.example' = 3\n", "domains: must map domain names to outlet names"),
    ("tagline = []\n", "tagline: unknown key; a profile has taglines, domains, aliases, titles"),
    ("[[taglines]\n", "not valid UTF-8 TOML"),
])
def test_bad_profiles_are_refused_with_the_file_and_key(tmp_path: Path, text: str, message: str):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        activate(path)
    assert str(path) in str(info.value) and message in str(info.value)
    assert ENV_VAR not in os.environ  # a refused profile leaves none active


def test_missing_profile_on_the_command_line_says_so(db: str, tmp_path: Path):
    result = cli("build", str(EXAMPLES / "scraped"), "--db", db, "--profile", str(tmp_path / "nope.toml"),
                 ok=False)
    assert result.exit_code == 2
    assert "nope.toml" in result.output and "cannot be read" in result.output


def test_worker_processes_read_the_profile_from_the_environment(orsk_profile: Path):
    """Processes started after activation (a Dask LocalCluster's workers are spawned, not forked)
    load the same profile when they first read a resource."""
    activate(orsk_profile)
    code = ("from storyledger.resources import load_json\n"
            "print(sorted(t['outlet'] for t in load_json('outlets.json')['taglines']))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env=dict(os.environ)).stdout
    assert "The Orsk Lantern" in out and "Middle East Monitor" in out


def test_examples_are_read_with_their_profile(db: str):
    scraped = str(EXAMPLES / "scraped")
    cli("build", scraped, "--db", db, "--profile", EXAMPLES_PROFILE, "-q")
    docs = {d["path"].rsplit("/", 1)[-1]: d for d in cli_json("docs", "--db", db)}
    gazette = docs["harbour-gazette-reopening-date.txt"]
    assert gazette["outlet"] == "Harbour Gazette"
    assert gazette["title"] == "Halvik sets April 20 reopening for Kessin port as clean-up nears end"
    assert {d["outlet"] for name, d in docs.items() if name.startswith("valdoria-today")} == {"Valdoria Today"}
    shown = cli("show", gazette["id"], "--db", db).output
    assert "outlet tagline" in shown


def test_the_package_carries_no_knowledge_of_the_example_story():
    names = ("Harbour Gazette", "Kessin", "Valdoria", "Halvik", "Ostra Bulk")
    resources = ROOT / "src" / "storyledger" / "resources"
    for path in resources.rglob("*"):
        if path.suffix in (".json", ".tsv", ".txt", ".csv"):
            text = path.read_text(encoding="utf-8")
            assert not [n for n in names if n in text], path
