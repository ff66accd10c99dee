"""The page in a real browser: `unspin serve` in a subprocess, Debian's Chromium driven headless by Playwright.

Playwright's own browser downloads are never used (no `playwright install`): Chromium comes from apt.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from .conftest import DATA, SEED_A, SEED_B, need

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's Chromium is not installed at /usr/bin/chromium (apt-get install chromium)"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def _serve(*args: str) -> Iterator[str]:
    """`unspin serve` with ``args`` on a free port, answering /healthz; yields its base URL."""
    port = _free_port()
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    process = subprocess.Popen(
        [sys.executable, "-m", "unspin.cli", "serve", "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                output = process.stdout.read().decode() if process.stdout else ""
                pytest.fail(f"unspin serve exited with {process.returncode}: {output}")
            try:
                health = httpx.get(url + "/healthz", timeout=1)
                workers = health.json()["workers"]
                if health.status_code == 200 and workers["ready"] == workers["size"]:
                    break  # answering, and its workers are warm
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("unspin serve did not answer /healthz with its workers ready within 120 s")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with _serve() as url:
        yield url


@contextmanager
def _chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (no downloaded browsers)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


DOCS = Path(__file__).resolve().parents[1] / "docs"
REEDIT = ("rfn/20061027/economy-idUSN2729944220061027", "rfn/20061027/us-economy-gdp-idUSN2638117520061027")


def _shot(page: Any, folder: Path, name: str, *, docs: bool = False, **options: Any) -> Path:
    """A screenshot in the test's output folder (its path printed); with UNSPIN_SCREENSHOTS=docs, the README's
    copy under docs/ too (only when asked: a test run never changes the repository)."""
    path = folder / name
    page.screenshot(path=str(path), **options)
    print(f"screenshot: {path}")
    if docs and os.environ.get("UNSPIN_SCREENSHOTS") == "docs":
        DOCS.mkdir(exist_ok=True)
        page.screenshot(path=str(DOCS / name), **options)
    return path


def _reuters(ids: tuple[str, ...]) -> list[dict[str, Any]]:
    """Rows of ../shared/data/reuters-20k, metadata (title, site, date, url) included."""
    rows = {}
    with gzip.open(need(DATA / "reuters-20k" / "reuters-20k.jsonl.gz"), "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row["id"] in ids:
                rows[row["id"]] = row
                if len(rows) == len(ids):
                    break
    return [rows[i] for i in ids]


# Every box's text inside its box, and every arc's marker (its arrowhead) defined in the graph.
_GRAPH_GEOMETRY = r"""(svg) => ({
  labels: [...svg.querySelectorAll('.node')].flatMap((g) => {
    const r = g.querySelector('rect').getBBox();
    return [...g.querySelectorAll('text')].map((t) => {
      const b = t.getBBox();
      return {text: t.textContent, inside: b.x >= r.x && b.y >= r.y && b.x + b.width <= r.x + r.width
              && b.y + b.height <= r.y + r.height, box: [b.x, b.y, b.width, b.height], rect: [r.width, r.height]};
    });
  }),
  arcs: [...svg.querySelectorAll('.edge .line')].map((p) => {
    const end = p.getAttribute('marker-end') || '', start = p.getAttribute('marker-start') || '';
    const id = (/^url\(#(.+)\)$/.exec(end) || [])[1];
    return {cls: p.parentNode.getAttribute('class'), end, start,
            defined: Boolean(id && svg.querySelector('marker#' + id + ' path'))};
  }),
})"""


def _check_graph(graph: Any) -> dict[str, Any]:
    geometry: dict[str, Any] = graph.evaluate(_GRAPH_GEOMETRY)
    assert geometry["labels"] and geometry["arcs"]
    spilled = [label for label in geometry["labels"] if not label["inside"]]
    assert not spilled, spilled
    headless = [arc for arc in geometry["arcs"] if not arc["defined"]]
    assert not headless, headless
    return geometry


def test_compare_page_in_chromium(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    text_a = need(SEED_A).read_text(encoding="utf-8")
    text_b = need(SEED_B).read_text(encoding="utf-8")
    requests: list[str] = []
    problems: list[str] = []
    with _chromium() as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 900}, accept_downloads=True)
        page.on("request", lambda r: requests.append(r.url))
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(server + "/")
        expect(page.locator("#views")).to_be_hidden()  # no --db: the compare view only
        page.fill("#text-a", text_a)  # as a paste would
        page.fill("#text-b", text_b)
        page.keyboard.press("Control+Enter")

        expect(page.locator("#verdict-related")).to_have_text("Related: same source", timeout=60_000)
        assert float(page.locator("#verdict-score").inner_text()) >= 0.5
        expect(page.locator("#verdict-relation")).to_have_text("common-source")
        expect(page.locator("#inputs")).to_be_hidden()  # the results take the screen; "Edit texts" brings them back
        expect(page.locator('#verdict [data-side="b"] .disguise')).to_contain_text("spun")
        expect(page.locator('#verdict [data-side="a"] .disguise')).to_contain_text("translated")

        sub = page.locator("#pane-b .sub", has_text="Global Lawbreaker").first
        expect(sub).to_be_visible()
        assert "International Criminal" in (sub.get_attribute("data-counterpart") or "")
        assert "International Criminal" in (sub.get_attribute("title") or "")
        mirror = page.locator("#pane-a .sub", has_text="International Criminal").first
        assert "Global Lawbreaker" in (mirror.get_attribute("data-counterpart") or "")

        sub.scroll_into_view_if_needed()
        sub.hover()
        tooltip = page.locator("#tooltip")
        expect(tooltip).to_be_visible()
        expect(tooltip).to_contain_text("International Criminal")
        page.screenshot(path=str(tmp_path / "unspin-serve-hover.png"))
        page.keyboard.press("Escape")
        expect(tooltip).to_be_hidden()
        sub.focus()  # keyboard users get the same tooltip on focus
        expect(tooltip).to_contain_text("International Criminal")

        passages = page.locator("#passage-list button")
        assert passages.count() >= 3
        passages.nth(2).click()
        expect(page.locator('#pane-a .passage.active[data-p="2"]').first).to_be_visible()
        expect(page.locator('#pane-b .passage.active[data-p="2"]').first).to_be_visible()
        page.locator("#pane-a").focus()
        page.keyboard.press("n")  # keyboard: next passage
        expect(page.locator('#pane-b .passage.active[data-p="3"]').first).to_be_visible()
        page.screenshot(path=str(tmp_path / "unspin-serve.png"), full_page=True)
        page.click("#edit")
        expect(page.locator("#text-a")).to_be_focused()

        with page.expect_download() as json_download:
            page.click("#download-json")
        data = json.loads(Path(json_download.value.path()).read_text(encoding="utf-8"))
        assert data["related"] and "text" not in data["a"]
        with page.expect_download() as html_download:
            page.click("#download-html")
        report = Path(html_download.value.path()).read_text(encoding="utf-8")
        assert "Global Lawbreaker" in report
    assert (tmp_path / "unspin-serve.png").stat().st_size > 10_000
    assert not problems, problems
    outside = [u for u in requests if not u.startswith((server + "/", "data:", "blob:"))]
    assert not outside, f"the page asked for something elsewhere: {outside}"


def test_review_page_on_the_seeds(server: str, tmp_path: Path, seed_comparison: Any) -> None:
    """Sides named by their file names, a coverage line per side, the substitution outlines toggled off and on,
    the substitutions grouped, and the print view: verdict, coverage and both texts side by side, whole."""
    from playwright.sync_api import expect

    c = seed_comparison
    problems: list[str] = []
    with _chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(server + "/")
        page.set_input_files("#file-a", str(need(SEED_A)))  # files: the sides are named by their file names
        page.set_input_files("#file-b", str(need(SEED_B)))
        expect(page.locator("#source-b")).to_contain_text(SEED_B.name)
        page.click("#compare")
        expect(page.locator("#verdict-related")).to_have_text("Related: same source", timeout=60_000)

        expect(page.locator("#title-a")).to_contain_text("A: " + SEED_A.name)
        expect(page.locator("#title-b")).to_contain_text("B: " + SEED_B.name)
        expect(page.locator('#verdict [data-side="b"] .side-name')).to_have_text("B: " + SEED_B.name)
        for side, other in (("a", "B"), ("b", "A")):
            cov = c.coverage(side)
            line = page.locator(f"#coverage-{side}").inner_text()
            expected = (
                f"{cov.percent}% of {side.upper()}’s text is found in {other}: {cov.passages} passages, "
                f"{cov.chars:,} of {cov.total:,} characters"
            )
            assert line == expected, (line, expected)
        _shot(page, tmp_path, "review-page.png", docs=True)

        subs = page.locator("#pane-b .sub")
        assert subs.count() >= len(c.substitutions)  # a substitution cut by a passage edge is two pieces
        outline = "(el) => getComputedStyle(el).outlineStyle"
        first = subs.first
        assert first.evaluate(outline) == "solid"
        expect(page.locator("#show-subs-count")).to_have_text(str(len(c.substitutions)))
        page.click("#show-subs")  # the 141 red outlines off
        assert first.evaluate(outline) == "none"
        assert page.locator("#pane-a .sub").first.evaluate(outline) == "none"
        first.hover()
        expect(page.locator("#tooltip")).to_be_hidden()
        _shot(page, tmp_path, "review-page-outlines-off.png")
        page.click("#show-subs")
        assert first.evaluate(outline) == "solid"

        groups = {(s.a.text.lower(), s.b.text.lower()) for s in c.substitutions}
        rows = page.locator("#sub-groups button")
        expect(rows).to_have_count(len(groups))
        title = f"{len(c.substitutions)} substitutions, {len(groups)} distinct"
        expect(page.locator("#subs-title")).to_have_text(title)
        lawbreaker = page.locator("#sub-groups button", has_text="Global Lawbreaker").first
        expect(lawbreaker).to_contain_text("International Criminal")
        lawbreaker.click()  # jumps to its first occurrence in B
        expect(page.locator("#pane-b .sub:focus")).to_contain_text("Lawbreaker")

        page.emulate_media(media="print")
        for hidden in ("#inputs", ".toolbar", "nav.passages", ".top"):
            expect(page.locator(hidden)).to_be_hidden()
        expect(page.locator("#verdict")).to_be_visible()
        expect(page.locator("#coverage-b")).to_be_visible()
        a, b = page.locator("#pane-a").bounding_box(), page.locator("#pane-b").bounding_box()
        assert a and b and a["x"] + a["width"] <= b["x"] and abs(a["y"] - b["y"]) < 2  # side by side
        text_height = page.locator("#pane-a").evaluate("(el) => [el.scrollHeight, el.clientHeight]")
        assert text_height[0] <= text_height[1] + 1  # the whole text, no scrolling box
        _shot(page, tmp_path, "review-page-print.png", full_page=True)
        pdf = tmp_path / "review-page.pdf"
        page.pdf(path=str(pdf), format="A4", landscape=True, print_background=True)
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page[^s]", data)) >= 2
        print(f"print view: {pdf}")
    assert not problems, problems


def test_collection_page_in_chromium(tmp_path: Path) -> None:
    """With --db: the clusters list, a cluster's lineage graph (siblings and their missing source),
    and a click on the pair opening the compare view with both stored texts compared."""
    from playwright.sync_api import expect

    import unspin

    db = tmp_path / "crawl.db"
    seeds = [str(need(SEED_A)), str(need(SEED_B))]
    with unspin.Collection(db) as collection:
        assert collection.add(seeds).added == 2
    requests: list[str] = []
    problems: list[str] = []
    with _serve("--db", str(db)) as url, _chromium() as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 800})
        page.on("request", lambda r: requests.append(r.url))
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(url + "/")
        expect(page.locator("#views")).to_be_visible()
        page.click("#tab-collection")
        expect(page.locator("#collection-stats")).to_contain_text("2 documents")

        page.fill("#search-query", seeds[1])  # a stored id: search by it
        page.click("#search")
        hit = page.locator("#search-results tr.hit").first
        expect(hit).to_contain_text(Path(seeds[0]).name, timeout=60_000)
        expect(hit.locator(".relation")).not_to_have_text("unrelated")

        cluster = page.locator("#cluster-list .cluster-link")
        expect(cluster).to_have_count(1, timeout=60_000)
        expect(cluster).to_contain_text("missing common source")
        cluster.focus()  # keyboard: links and buttons all the way
        page.keyboard.press("Enter")

        graph = page.locator("#cluster-graph svg")
        expect(graph).to_be_visible(timeout=60_000)
        for seed in seeds:
            expect(graph.locator(f'.node[data-id="{seed}"]')).to_have_count(1)
        expect(graph.locator(".node.missing")).to_contain_text("missing common source")
        assert graph.locator(".edge.to-missing").count() == 2
        arcs = _check_graph(graph)["arcs"]
        (sibling,) = [arc for arc in arcs if "sibling" in arc["cls"]]
        assert sibling["start"] == sibling["end"]  # they share a source: a head at both ends
        page.screenshot(path=str(tmp_path / "unspin-cluster.png"), full_page=True)

        graph.locator(".edge.sibling .edge-label").click()  # the arrow's label, as a user would
        expect(page.locator("#verdict-relation")).to_have_text("common-source", timeout=60_000)
        expect(page.locator("#verdict-related")).to_have_text("Related: same source")
        expect(page.locator("#collection-view")).to_be_hidden()
        assert page.locator("#text-a").input_value() == need(SEED_A).read_text(encoding="utf-8")
        page.go_back()  # back to the cluster
        expect(page.locator("#cluster-graph svg .node.missing")).to_be_visible(timeout=60_000)
    assert not problems, problems
    outside = [u for u in requests if not u.startswith((url + "/", "data:", "blob:"))]
    assert not outside, f"the page asked for something elsewhere: {outside}"


def test_lineage_titles_and_word_differences_in_chromium(tmp_path: Path) -> None:
    """Real Reuters re-edits with their titles, site and dates: clusters and search results show them, the
    lineage boxes fit their labels and every arc has its arrowhead, and a compare opened from the graph names
    both sides by title and marks the one word that differs inside their verbatim passage."""
    from playwright.sync_api import expect

    import unspin

    rows = _reuters(REEDIT)
    db = tmp_path / "reedit.db"
    with unspin.Collection(db) as collection:
        assert collection.add([*rows, str(need(SEED_A)), str(need(SEED_B))]).added == 4
    problems: list[str] = []
    with _serve("--db", str(db)) as url, _chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(url + "/#collection")
        clusters = page.locator("#cluster-list .cluster-link")
        expect(clusters).to_have_count(2, timeout=90_000)
        reedit = clusters.filter(has_text="reuters.com")
        expect(reedit.locator(".headline")).to_have_text(rows[0]["title"])  # the earlier one is the source
        expect(reedit.locator(".facts")).to_contain_text("2 documents · 2006-10-27 · reuters.com")
        expect(reedit.locator(".members")).to_contain_text(rows[1]["title"])

        page.fill("#search-query", REEDIT[1])
        page.click("#search")
        hit = page.locator("#search-results tr.hit", has_text=rows[0]["title"])
        expect(hit).to_contain_text("reuters.com · 2006-10-27 (published)", timeout=60_000)
        expect(hit.locator(".covered")).to_contain_text(re.compile(r"\d+% of its text · 1 passage"))
        expect(page.locator("#matching-sources")).to_contain_text("Matching sources: 1 of")
        _shot(page, tmp_path, "collection.png")

        reedit.click()
        graph = page.locator("#cluster-graph svg")
        expect(graph.locator(".edge.derived")).to_have_count(1, timeout=60_000)
        geometry = _check_graph(graph)
        titles = " ".join(label["text"] for label in geometry["labels"])
        assert "Weak home building" in titles and "reuters.com" in titles
        assert all(label["rect"][0] <= 320 for label in geometry["labels"])
        expect(page.locator("#cluster-title")).to_contain_text(rows[0]["title"])
        _shot(page, tmp_path, "lineage.png", docs=True)

        graph.locator(".edge.derived .edge-label").click()  # the copy against its likely source
        expect(page.locator("#verdict-related")).to_have_text("Related: same source", timeout=60_000)
        expect(page.locator("#title-a")).to_contain_text("A: " + rows[1]["title"])
        expect(page.locator("#title-b")).to_contain_text("B: " + rows[0]["title"])
        expect(page.locator('#verdict [data-side="a"] .side-id')).to_have_text(REEDIT[1])
        expect(page.locator("#passage-list")).to_contain_text("verbatim")
        expect(page.locator("#pane-a .diff")).to_have_text(["November"])
        expect(page.locator("#pane-b .diff")).to_have_text(["Nov"])
        page.locator("#pane-a .diff").scroll_into_view_if_needed()
        _shot(page, tmp_path, "word-differences.png")
    assert not problems, problems


@contextmanager
def _other_origin(folder: Path) -> Iterator[str]:
    """A plain static server on another loopback port: the page of an attacker the user happens to visit."""
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


_ATTACKS = """async (target) => {
  const doc = JSON.stringify({id: "planted", text: "A text planted by a page elsewhere, about a storm in town."});
  const outcome = {};
  const attempt = async (name, run) => {
    try { outcome[name] = await run(); } catch (err) { outcome[name] = "refused: " + err.name; }
  };
  // a "simple" request: no preflight, the answer unreadable, but before issue 12 it was stored
  await attempt("no-cors text/plain", async () => {
    const r = await fetch(target + "/api/documents", {method: "POST", mode: "no-cors", body: doc,
                                                      headers: {"Content-Type": "text/plain"}});
    return "sent (" + r.type + ")";
  });
  await attempt("no-cors form", async () => {
    const form = new FormData(); form.append("id", "planted-form"); form.append("text", "planted");
    const r = await fetch(target + "/api/documents", {method: "POST", mode: "no-cors", body: form});
    return "sent (" + r.type + ")";
  });
  await attempt("cors json", async () => {
    const r = await fetch(target + "/api/documents", {method: "POST", body: doc,
                                                      headers: {"Content-Type": "application/json"}});
    return "read " + r.status;
  });
  await attempt("read stats", async () => "read " + JSON.stringify(await (await fetch(target + "/api/stats")).json()));
  await attempt("read compare", async () => {
    const r = await fetch(target + "/api/compare", {method: "POST", headers: {"Content-Type": "application/json"},
                                                    body: JSON.stringify({a: "one text here", b: "one text here"})});
    return "read " + (await r.text()).slice(0, 40);
  });
  // a plain HTML form posted into a hidden frame (text/plain enctype carries JSON-looking bodies)
  await new Promise((done) => {
    const frame = document.createElement("iframe"); frame.name = "sink"; document.body.appendChild(frame);
    const form = document.createElement("form");
    form.action = target + "/api/documents"; form.method = "POST"; form.enctype = "text/plain"; form.target = "sink";
    const field = document.createElement("input"); field.name = '{"id": "planted-html", "text": "x", "pad": "';
    field.value = '"}'; form.appendChild(field); document.body.appendChild(form);
    frame.onload = done; form.submit(); setTimeout(done, 3000);
  });
  return outcome;
}"""


def test_a_page_from_another_origin_cannot_add_or_read(tmp_path: Path) -> None:
    """A page on another loopback origin (the user visits it while `unspin serve --db` runs) tries every way a
    page has to write to the collection or read a result; nothing is stored, nothing is read. A DNS-rebinding
    name for 127.0.0.1 gets 421. The review page itself still reads and writes."""
    from playwright.sync_api import expect

    import unspin

    db = tmp_path / "crawl.db"
    with unspin.Collection(db) as collection:
        assert collection.add([str(need(SEED_A))]).added == 1
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("<!doctype html><title>elsewhere</title><p>hello</p>")
    problems: list[str] = []
    args = [*CHROMIUM_ARGS, "--host-resolver-rules=MAP rebound.test 127.0.0.1"]
    from playwright.sync_api import sync_playwright

    with _serve("--db", str(db)) as url, _other_origin(tmp_path / "site") as elsewhere, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=args, headless=True)
        try:
            attacker = browser.new_page()
            attacker.goto(elsewhere + "/index.html")
            outcome = attacker.evaluate(_ATTACKS, url)
            assert not any(str(v).startswith("read") for v in outcome.values()), outcome

            port = url.rsplit(":", 1)[1]
            rebound = attacker.goto(f"http://rebound.test:{port}/api/stats")
            assert rebound is not None and rebound.status == 421
            assert "host_not_allowed" in attacker.content()

            stats = httpx.get(url + "/api/stats", timeout=60).json()
            assert stats.get("documents") == 1, stats  # nothing planted
            for planted in ("planted", "planted-form", "planted-html"):
                assert httpx.get(url + f"/api/documents/{planted}", timeout=30).status_code == 404

            page = browser.new_page()  # the review page itself: its own requests pass
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(url + "/")
            page.click("#tab-collection")
            expect(page.locator("#collection-stats")).to_contain_text("1 documents", timeout=60_000)
            page.click("#tab-compare")
            page.fill("#text-a", need(SEED_A).read_text(encoding="utf-8"))
            page.fill("#text-b", need(SEED_B).read_text(encoding="utf-8"))
            page.keyboard.press("Control+Enter")
            expect(page.locator("#verdict-related")).to_have_text("Related: same source", timeout=60_000)
        finally:
            browser.close()
    assert not problems, problems
