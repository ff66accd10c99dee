"""Ingest as real crawls come (../shared/data/web): of each WARC only article pages become documents, every
other capture is counted by cause; saved pages keep their titles, sites and dates."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from unspin import Collection
from unspin.cli import main
from unspin.collection.ingest import Record, Skipped, records, summary

from .conftest import DATA

WEB = DATA / "web"
WARC = WEB / "warc"
GOVUK = "BL-20140325121225068-00000-32090_opera_8443.warc.gz"
GOVUK_REVISITS = "BL-20140325122341434-00000-32090_opera_8443.warc.gz"
ARCHIVE_2008 = "IAH-20080430204825-00000-blackbook-truncated.warc.gz"
WIKIPEDIA = "flashfrozen-jwat-recompressed.warc.gz"

# what each real WARC holds, record by record (read with fastwarc, checked by hand): the causes of the captures
# that are not articles, and the article pages (responses with status 200, HTML, at least an article's text)
EXPECTED_SKIPS = {
    GOVUK: {  # 65 responses: scripts, styles, images, robots.txt, DNS, a redirect, 403 and 404 pages
        "not HTML": 23,
        "no article": 6,
        "DNS": 3,
        "status 404": 3,
        "robots.txt": 2,
        "status 302": 1,
        "status 403": 1,
    },
    GOVUK_REVISITS: {"revisit": 55, "DNS": 3, "status 403": 1, "no article": 1},
    ARCHIVE_2008: {"not HTML": 4, "DNS": 1, "robots.txt": 1, "no article": 1},  # images, an RSS feed (text/xml)
    WIKIPEDIA: {"not HTML": 37, "resource": 3},  # the article's images, scripts and styles; wget's own files
}
NO_ARTICLE = {
    GOVUK: {
        "http://data.gov.uk/",
        "http://data.gov.uk/organogram/cabinet-office",
        "http://data.gov.uk/contact",
        "http://data.gov.uk/apps",
        "http://data.gov.uk/user?destination=home",
        "http://data.gov.uk/blog",
    },
    GOVUK_REVISITS: {"http://data.gov.uk/user?destination=home"},
    ARCHIVE_2008: {"http://www.archive.org/"},
    WIKIPEDIA: set(),
}
DOCUMENTS = {GOVUK: 26, GOVUK_REVISITS: 5, ARCHIVE_2008: 1, WIKIPEDIA: 2}  # Wikipedia: one page fetched twice


def _read(name: str) -> tuple[list[Record], list[Skipped]]:
    path = WARC / name
    if not path.exists():
        pytest.skip(f"real data missing: {path} (tests read ../shared/data beside the project)")
    out = list(records([path]))
    return [r for r in out if isinstance(r, Record)], [s for s in out if isinstance(s, Skipped)]


@pytest.mark.parametrize("name", sorted(EXPECTED_SKIPS))
def test_each_warc_yields_only_its_articles(name: str) -> None:
    docs, skipped = _read(name)
    assert dict(Counter(s.cause for s in skipped)) == EXPECTED_SKIPS[name]
    assert {s.id for s in skipped if s.cause == "no article"} == NO_ARTICLE[name]
    assert len(docs) == DOCUMENTS[name]
    for record in docs:
        meta = record.doc.meta
        assert record.key.startswith("http") and meta["url"] == record.key  # the id is the WARC-Target-URI
        assert meta["crawled"][:2] in ("20",) and meta["site"] and meta["title"]  # WARC-Date kept
        assert len(record.doc.text) >= 200 and "<" not in record.doc.text[:50]
    assert not any(k.endswith((".js", ".css", "robots.txt")) for k in (r.key for r in docs))


def test_gov_uk_pages_carry_their_dates_titles_and_site() -> None:
    docs, _ = _read(GOVUK)
    by_url = {r.key: r.doc.meta for r in docs}
    blog = by_url["http://data.gov.uk/blog/introducing-hampshire-hub-0"]
    assert blog["site"] == "data.gov.uk" and blog["language"] == "en" and blog["title"]
    assert all(m.get("date") or m.get("crawled", "").startswith("2014-03-25") for m in by_url.values())
    assert sum(bool(m.get("date")) for m in by_url.values()) >= len(by_url) // 2  # published dates from the pages
    assert by_url["http://data.gov.uk/library"]["date"] == "2014-03-14"


def test_skipped_are_one_summary_line() -> None:
    _, skipped = _read(GOVUK)
    assert summary(skipped) == (
        "skipped 39: 23 not HTML, 6 no article, 3 DNS, 3 status 404, 2 robots.txt, 1 status 302, 1 status 403"
    )
    assert summary([]) == ""


def test_a_cut_warc_keeps_what_came_before_and_says_so(tmp_path: Path) -> None:
    whole, _ = _read(GOVUK)
    data = (WARC / GOVUK).read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: int(len(data) * 0.6)])
    out = list(records([cut]))
    docs = [r for r in out if isinstance(r, Record)]
    warnings = [s for s in out if isinstance(s, Skipped) and s.cause == "truncated file"]
    assert len(warnings) == 1 and "cut short" in warnings[0].reason and warnings[0].id == str(cut)
    assert 0 < len(docs) < len(whole)
    assert [r.key for r in docs] == [r.key for r in whole[: len(docs)]]  # the records before the cut, intact
    assert [r.doc.text for r in docs] == [r.doc.text for r in whole[: len(docs)]]
    # the whole file is not reported as cut
    assert not any(s.cause == "truncated file" for s in _read(GOVUK)[1])


def test_saved_pages_keep_title_site_and_are_judged_by_content(tmp_path: Path) -> None:
    pages = WEB / "pages"
    if not pages.exists():
        pytest.skip(f"real data missing: {pages}")
    out = list(records([pages]))
    docs = [r for r in out if isinstance(r, Record)]
    skipped = [s for s in out if isinstance(s, Skipped)]
    assert len(docs) + len(skipped) == 110 and len(docs) >= 105
    assert {s.cause for s in skipped} <= {"no article"}
    titled = sum(bool(r.doc.meta.get("title")) and bool(r.doc.meta.get("site")) for r in docs)
    assert titled >= 0.9 * len(docs)
    assert {r.doc.meta.get("language") for r in docs} >= {"de", "en", "fr"}
    # a page opening with an injected script is still a page; a stylesheet named .html is not one
    assert any(r.key.endswith("schleifen.ucoz.de.briefe.html") for r in docs)
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "style.html").write_text("body { color: red; }\n.a { margin: 0; }\n" * 20, encoding="utf-8")
    (folder / "index").write_bytes((pages / "blog.python.org.html").read_bytes())
    found = list(records([folder]))
    kinds = {Path(x.key if isinstance(x, Record) else x.id).name: x for x in found}
    assert isinstance(kinds["index"], Record) and kinds["index"].doc.meta["title"] == "Python 3.6.0 is now available!"
    assert isinstance(kinds["style.html"], Skipped) and kinds["style.html"].cause == "not HTML"


def test_index_add_of_a_crawl_prints_one_summary_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _read(GOVUK)
    db = str(tmp_path / "crawl.db")
    assert main(["index", "add", str(WARC / GOVUK), str(WARC / GOVUK_REVISITS), "--db", db]) == 0
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("skipped 99: 55 revisit, 23 not HTML, 7 no article, 6 DNS")
    # the revisit crawl's five pages are the first crawl's pages again (same id and text): repeated in this
    # input, kept once; nothing was stored before, so nothing is "unchanged"
    assert "added 26 " in captured.out and "unchanged 0, repeated 5 (ids given again in the input" in captured.out
    assert main(["index", "add", str(WARC / GOVUK), "--db", db, "--verbose"]) == 0
    verbose = capsys.readouterr().err.splitlines()
    assert len(verbose) == 40 and "skipped [status 404] http://data.gov.uk/favicon.ico: HTTP status 404" in verbose
    with Collection(db) as collection:
        stored = collection.get("http://data.gov.uk/library")
        assert stored.date == "2014-03-14" and stored.dated_by == "published"
        undated = collection.get("http://data.gov.uk/moderation-policy")
        assert undated.date == "2014-03-25T12:17:01Z" and undated.dated_by == "crawled"
    assert main(["show", "http://data.gov.uk/moderation-policy", "--db", db]) == 0
    shown = capsys.readouterr().out
    assert "date 2014-03-25T12:17:01Z (crawled)" in shown and "title: Moderation policy" in shown
