"""Each reader on real inputs, and each kind of bad input failing cleanly without stopping a batch."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from conftest import FIXTURES, cli, cli_json
from storyledger.ingest.readers import ReadOptions, detect_format, read_bytes
from storyledger.model import InputProblem, Origin, RawArticle

ARTICLES = FIXTURES / "articles"


def read(path: Path, **options) -> list[RawArticle | InputProblem]:
    return list(read_bytes(path.read_bytes(), Origin(str(path)), ReadOptions(**options)))


def warc_record(url: str, html: bytes, content_type: str = "text/html; charset=utf-8") -> bytes:
    payload = f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n\r\n".encode() + html
    head = (
        "WARC/1.0\r\nWARC-Type: response\r\n"
        f"WARC-Target-URI: {url}\r\nWARC-Date: 2026-02-11T09:00:00Z\r\n"
        f"WARC-Record-ID: <urn:uuid:{abs(hash(url)):032x}>\r\n"
        "Content-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n"
    ).encode()
    return head + payload + b"\r\n\r\n"


def warc_file(tmp_path: Path, name: str = "crawl.warc.gz") -> Path:
    html = (ARTICLES / "bridge.html").read_bytes()
    records = [
        warc_record("https://www.orskcourier.example/news/lenna-bridge-autumn", html),
        warc_record("https://www.orskcourier.example/logo.png", b"\x89PNG....", "image/png"),
        warc_record("https://orskradio.example/ferry",
                    b"<html><body><article><p>" + b"Ferries on the Lenna will run all night during the "
                    b"bridge closure, the operator said on Monday, after complaints from shift workers."
                    b"</p></article></body></html>"),
    ]
    path = tmp_path / name
    path.write_bytes(b"".join(gzip.compress(r) for r in records))
    return path


# -- formats ---------------------------------------------------------------------------------

def test_detect_format_by_name_then_content():
    assert detect_format("a/b.warc.gz", b"") == "warc"
    assert detect_format("x.JSONL", b"") == "jsonl"
    assert detect_format("noext", b"  <!DOCTYPE html><html>") == "html"
    assert detect_format("noext", b"WARC/1.0\r\n") == "warc"
    assert detect_format("noext", b"[{\"text\": 1}]") == "json"
    assert detect_format("noext", b"Plain words") == "text"


def test_plain_text_scrape_is_segmented_and_cleaned(db):
    cli("build", str(ARTICLES / "scrape.txt"), "--db", db, "-q")
    [doc] = cli_json("docs", "--db", db)
    assert doc["title"] == "Lenna bridge closed after cable inspection finds corrosion"
    assert doc["published"] == "2026-01-19" and doc["published_source"] == "text"
    assert doc["byline"] == "Mirela Tosk"
    assert doc["dateline"] == "ORSK"
    # A paragraph broken across two lines by the scraper is joined back into one.
    assert "would publish its findings in full once the survey is complete." in doc["text"]
    for gone in ("Be the first to comment", "- Advertisement -", "READ:", "0 1,204", "2 min read",
                 "[Photo: Orsk Courier]", "Since 1921", "Subscribe"):
        assert gone not in doc["text"], gone
    assert doc["text"].count("Lenna bridge closed after cable inspection") == 1


def test_html_uses_page_metadata(db):
    cli("build", str(ARTICLES / "bridge.html"), "--db", db, "-q")
    [doc] = cli_json("docs", "--db", db)
    assert doc["title"] == "Lenna bridge to stay shut until autumn, engineers say"
    assert doc["outlet"] == "The Orsk Courier" and doc["outlet_source"] == "html"
    assert doc["published"] == "2026-02-11" and doc["published_source"] == "html"
    assert doc["byline"] == "Mirela Tosk"
    assert "corrosion in two of the four main cables" in doc["text"]
    assert "Privacy" not in doc["text"] and "Sport" not in doc["text"]


def test_jsonl_with_text_and_html_records(db):
    cli("build", str(ARTICLES / "feed.jsonl"), "--db", db, "-q")
    docs = {d["external_id"]: d for d in cli_json("docs", "--db", db)}
    assert set(docs) == {"oc-101", "oc-102"}
    ferry = docs["oc-101"]
    assert ferry["published"] == "2026-02-14" and ferry["published_source"] == "metadata"
    assert ferry["outlet"] == "The Orsk Courier" and ferry["outlet_source"] == "metadata"
    assert ferry["url"] == "https://www.orskcourier.example/news/ferry"
    report = docs["oc-102"]
    assert report["title"] == "Cable inspection report published"  # the record's title wins
    assert "at least five months" in report["text"]


def test_json_array_and_written_dates(db):
    cli("build", str(ARTICLES / "feed.json"), "--db", db, "-q")
    docs = cli_json("docs", "--db", db)
    assert [d["published"] for d in docs] == ["2026-02-24", None]
    assert docs[1]["published_source"] == "none"


def test_csv_with_column_map(db):
    mapping = "text=article_content,title=headline,published=date,outlet=source_name,url=link"
    cli("build", str(ARTICLES / "archive.csv"), "--db", db, "--map", mapping, "-q")
    docs = cli_json("docs", "--db", db)
    assert [d["title"] for d in docs] == ["Cable removal starts early on Lenna bridge",
                                         "Lenna bridge could reopen in August, agency says"]
    assert docs[0]["outlet"] == "Orsk Radio" and docs[0]["published"] == "2026-03-04"
    assert "\"several months, not weeks\"" in docs[0]["text"]  # quoted field with quotes inside


def test_csv_without_map_names_the_columns(db):
    result = cli("build", str(ARTICLES / "archive.csv"), "--db", db, "-q")
    assert "no text column" in result.stderr and "article_content" in result.stderr
    assert "--map text=COLUMN" in result.stderr


def test_bad_map_is_a_usage_error(db):
    result = cli("build", str(ARTICLES / "archive.csv"), "--db", db, "--map", "body", ok=False)
    assert result.exit_code == 2 and "FIELD=COLUMN" in result.output


def test_warc_gz_responses(tmp_path, db):
    cli("build", str(warc_file(tmp_path)), "--db", db, "-q")
    docs = cli_json("docs", "--db", db)
    assert len(docs) == 2  # the PNG response is not an article
    assert docs[0]["url"] == "https://www.orskcourier.example/news/lenna-bridge-autumn"
    assert docs[0]["published"] == "2026-02-11"
    assert docs[1]["outlet"] == "orskradio.example" and docs[1]["outlet_source"] == "url"
    assert docs[1]["record"].startswith("record 3")


def test_plain_warc(tmp_path):
    path = tmp_path / "crawl.warc"
    path.write_bytes(warc_record("https://orskradio.example/a", (ARTICLES / "bridge.html").read_bytes()))
    [article] = read(path)
    assert isinstance(article, RawArticle) and "main cables" in article.text


def test_stdin_glob_and_folder(tmp_path, db):
    text = (ARTICLES / "scrape.txt").read_bytes()
    cli("build", "-", "--db", db, "-q", input=text)
    assert len(cli_json("docs", "--db", db)) == 1
    cli("build", str(ARTICLES / "*.json*"), "--db", db, "-q")
    assert len(cli_json("docs", "--db", db)) == 1 + 2 + 2
    folder = tmp_path / "corpus" / "nested"
    folder.mkdir(parents=True)
    (folder / "copy.html").write_bytes((ARTICLES / "bridge.html").read_bytes())
    (folder.parent / "README.md").write_text("Not an article: notes about this folder.")
    cli("build", str(tmp_path / "corpus"), "--db", db, "-q")
    assert len(cli_json("docs", "--db", db)) == 6


def test_user_metadata_wins_over_page_metadata(tmp_path, db):
    html = (ARTICLES / "bridge.html").read_text()
    record = {"html": html, "outlet": "Orsk Weekly", "published": "2026-02-12", "title": "Bridge shut"}
    path = tmp_path / "one.json"
    path.write_text(json.dumps(record))
    cli("build", str(path), "--db", db, "-q")
    [doc] = cli_json("docs", "--db", db)
    assert (doc["outlet"], doc["published"], doc["title"]) == ("Orsk Weekly", "2026-02-12", "Bridge shut")
    assert doc["published_source"] == "metadata"


# -- bad input ---------------------------------------------------------------------------------

def bad_inputs(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """name -> (file, the reason its one-line message must give)."""
    made: dict[str, tuple[Path, str]] = {}
    tmp_path.mkdir(parents=True, exist_ok=True)

    def make(name: str, data: bytes, reason: str) -> None:
        path = tmp_path / name
        path.write_bytes(data)
        made[name] = (path, reason)

    make("empty.txt", b"", "empty file")
    make("blank.txt", b"  \n\n \t\n", "empty file")
    make("photo.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "binary file (a PNG image)")
    make("nul.txt", b"abc\x00\x01\x02" * 200, "binary file")
    make("broken.json", b'[{"text": "An article", ', "malformed JSON")
    make("truncated.txt.gz", gzip.compress((ARTICLES / "scrape.txt").read_bytes())[:-40],
         "truncated gzip")
    whole = warc_file(tmp_path, "whole.warc.gz").read_bytes()
    make("truncated.warc.gz", whole[:len(whole) - 200], "truncated WARC record")
    make("garbage.warc", b"This is not a web archive at all.\n" * 3, "WARC")
    make("script-only.html", b"<html><head><script>var a = 1;</script></head><body></body></html>",
         "no article text found in the HTML")
    make("only-boilerplate.txt", b"Be the first to comment\n\nLeave a Reply\n\n- Advertisement -\n",
         "no article text left once boilerplate was removed")
    return made


def test_each_bad_input_gives_one_clear_line_and_the_batch_goes_on(tmp_path, db):
    made = bad_inputs(tmp_path / "bad")
    good = tmp_path / "good.txt"
    good.write_bytes((ARTICLES / "scrape.txt").read_bytes())
    result = cli("build", *[str(p) for p, _ in made.values()], str(good), "--db", db)
    lines = [line for line in result.stderr.splitlines() if line.startswith("skipped ")]
    for name, (path, reason) in made.items():
        mine = [line for line in lines if str(path) in line]
        assert mine, f"no message for {name}: {result.stderr}"
        assert any(reason in line for line in mine), (name, mine)
    # The good file in the same batch is stored, and so are the WARC records before the cut.
    titles = [d["title"] for d in cli_json("docs", "--db", db)]
    assert "Lenna bridge closed after cable inspection finds corrosion" in titles
    assert "Lenna bridge to stay shut until autumn, engineers say" in titles
    assert "problems" in result.stderr


def test_malformed_records_are_skipped_one_by_one(tmp_path, db):
    jsonl = tmp_path / "mixed.jsonl"
    jsonl.write_text('{"text": "First good article about the Lenna ferry timetable change."}\n'
                     "{not json}\n"
                     '{"title": "No body here"}\n'
                     '["a list, not an article"]\n'
                     '{"text": "Second good article about the Lenna ferry night service."}\n')
    csv_file = tmp_path / "rows.csv"
    csv_file.write_text('text,title\n"A good row about the bridge budget vote.",Budget\n'
                        '"An extra field",Title,unexpected\n"Another good row about cable work.",Cables\n')
    result = cli("build", str(jsonl), str(csv_file), "--db", db)
    assert f"{jsonl}: line 2: malformed JSON" in result.stderr
    assert f"{jsonl}: line 3: no text" in result.stderr
    assert f"{jsonl}: line 4: expected an object" in result.stderr
    assert f"{csv_file}: row 3: 3 fields where the header has 2" in result.stderr
    assert len(cli_json("docs", "--db", db)) == 4


def test_non_utf8_text_is_decoded(tmp_path, db):
    text = ("Café owners near the Lenna bridge say the closure cost them “thousands” — "
            "Señora Müller, who runs the kiosk, said trade had halved since the bridge shut in January.")
    path = tmp_path / "latin.txt"
    path.write_bytes(("Kiosk owners count the cost\n\n" + text).encode("cp1252"))
    cli("build", str(path), "--db", db, "-q")
    [doc] = cli_json("docs", "--db", db)
    assert "Señora Müller" in doc["text"] and "Café" in doc["text"]


def test_oversized_file_is_skipped_with_the_limit_named(tmp_path, db):
    big = tmp_path / "big.txt"
    big.write_text("Long article.\n\n" + "The council met again today to discuss the bridge. " * 40_000)
    result = cli("build", str(big), "--db", db, "--max-file-mb", "1")
    assert "over the size limit of 1 MB" in result.stderr and "--max-file-mb" in result.stderr
    assert cli_json("docs", "--db", db) == []
    result = cli("build", str(big), "--db", db, "--max-file-mb", "3", "-q")
    assert len(cli_json("docs", "--db", db)) == 1
    # Two megabytes of one "article": stored and searchable, not parsed for claims.
    assert "too long to extract" in result.stderr and "--max-doc-chars" in result.stderr
    assert cli_json("search", "council", "--db", db)


def test_strict_exits_non_zero_but_still_stores_the_good(tmp_path, db):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = cli("build", str(empty), str(ARTICLES / "scrape.txt"), "--db", db, "--strict", ok=False)
    assert result.exit_code == 1
    assert len(cli_json("docs", "--db", db)) == 1


def test_missing_paths_and_empty_globs(db):
    result = cli("build", "no/such/file.txt", "no/such/*.html", str(ARTICLES / "scrape.txt"), "--db", db)
    assert "no/such/file.txt: no such file or folder" in result.stderr
    assert "no/such/*.html: no files match this pattern" in result.stderr


@pytest.mark.parametrize("bad", ["<html><body><p>unclosed <b>tags <div><p>everywhere", "<<<>>>&&&;;"])
def test_malformed_html_never_crashes(tmp_path, bad):
    path = tmp_path / "broken.html"
    path.write_text(bad * 50)
    for item in read(path):
        assert isinstance(item, (RawArticle, InputProblem))


# -- web pages: dates from markup only, tables kept, compressed pages --------------------------

PLACEHOLDER_PAGE = ARTICLES / "ferry-placeholder.html"


def test_a_placeholder_page_date_is_not_replaced_by_an_image_or_caption_date(db):
    # The page's own date is 0001-01-01; its image path and photo caption say 2012-06-14.
    cli("build", str(PLACEHOLDER_PAGE), "--db", db, "-q")
    [doc] = cli_json("docs", "--db", db)
    assert doc["published"] is None and doc["published_source"] == "none"


def test_the_page_url_dates_a_page_from_a_warc_or_a_record(tmp_path, db):
    html = PLACEHOLDER_PAGE.read_bytes()
    warc = tmp_path / "crawl.warc.gz"
    warc.write_bytes(gzip.compress(warc_record("https://orskradio.example/news/2026/03/02/ferry", html)))
    [from_warc] = read(warc)
    assert from_warc.page_meta["published"] == "2026-03-02"
    record = tmp_path / "pages.jsonl"
    record.write_text(json.dumps({"html": html.decode(), "url": "https://orskradio.example/2026/03/09/ferry"}))
    [from_record] = read(record)
    assert from_record.page_meta["published"] == "2026-03-09"


@pytest.mark.parametrize("declared", ["1970-01-01T00:00:00Z", "2094-05-01T08:00:00Z"])
def test_page_dates_before_the_web_or_in_the_future_are_not_trusted(tmp_path, declared):
    page = (ARTICLES / "bridge.html").read_text().replace("2026-02-11T08:30:00+01:00", declared)
    path = tmp_path / "bridge.html"
    path.write_text(page)
    [article] = read(path)
    assert "published" not in article.page_meta


def test_tables_are_kept_as_readable_rows(db):
    cli("build", str(PLACEHOLDER_PAGE), "--db", db, "-q")
    [doc] = cli_json("docs", "--db", db)
    assert "Route: Orsk to East Bank; Crossings a day: 72; Fare (crowns): 2.40." in doc["text"]
    assert "Route: Night service; Crossings a day: 12; Fare (crowns): 3.10." in doc["text"]
    assert "|" not in doc["text"]
    assert doc["text"].rstrip().endswith("would end once the bridge reopens.")


def test_a_gzip_file_is_read_whatever_its_name(tmp_path, db):
    page = tmp_path / "saved-page.html"
    page.write_bytes(gzip.compress((ARTICLES / "bridge.html").read_bytes()))
    renamed = tmp_path / "download"
    renamed.write_bytes(gzip.compress((ARTICLES / "scrape.txt").read_bytes()))
    [article] = read(page)
    assert "main cables" in article.text and article.page_meta["published"] == "2026-02-11"
    [forced] = read(renamed, force_format="text")
    assert "cable inspection" in forced.text
    cli("build", str(page), "--db", db, "-q")
    assert len(cli_json("docs", "--db", db)) == 1


# -- encodings -----------------------------------------------------------------------------------

FERRY_ROWS = [
    "Tickets on the Lenna ferry will cost €5 from April, the operator said on Monday, and the night "
    "fare will rise to €7.",
    "The operator’s spokeswoman said the change would pay for two new boats by 2028.",
    "Commuters on the east bank said the rise was fair if the crossings ran on time.",
]


def test_a_cp1252_csv_is_not_read_as_another_code_page(tmp_path):
    # Western text with few non-ASCII bytes reads cleanly in several code pages; the detector's
    # own pick here is cp852 (and cp775 for the first row alone): "Ç5" for "€5".
    path = tmp_path / "ferry.csv"
    rows = "".join(f'"{row}",Ferry {number}\n' for number, row in enumerate(FERRY_ROWS))
    path.write_bytes(f"text,title\n{rows}".encode("cp1252"))
    assert [article.text for article in read(path)] == FERRY_ROWS


@pytest.mark.parametrize(("codec", "text"), [
    ("cp1251", "Мост через реку Ленна будет закрыт до осени, заявили инженеры во вторник. "
               "Мэр сказал, что ремонт займёт много времени."),
    ("cp1253", "Η γέφυρα θα παραμείνει κλειστή μέχρι το φθινόπωρο, δήλωσαν οι μηχανικοί την Τρίτη."),
    ("cp1250", "Most na rzece będzie zamknięty do jesieni, powiedzieli inżynierowie we wtorek. "
               "Zażółć gęślą jaźń, dodał burmistrz Łodzi."),
])
def test_non_western_legacy_text_keeps_its_encoding(tmp_path, codec, text):
    path = tmp_path / "bridge.txt"
    path.write_bytes(text.encode(codec))
    [article] = read(path)
    assert article.text == text


def test_encoding_option_forces_a_codec(tmp_path, db):
    text = "A hidat ősszel nyitják újra, mondták a mérnökök kedden; a polgármester szerint tavasszal."
    path = tmp_path / "hid.txt"
    path.write_bytes(text.encode("cp1250"))
    [article] = read(path, encoding="cp1250")
    assert article.text == text
    result = cli("build", str(path), "--db", db, "--encoding", "utf-8")
    assert f"skipped {path}: not utf-8 text" in result.stderr and "--encoding" in result.stderr
    result = cli("build", str(path), "--db", db, "--encoding", "klingon", ok=False)
    assert result.exit_code == 2 and "unknown encoding 'klingon'" in result.output
