"""The page in a real browser: `unspin serve` in a subprocess, Debian's Chromium driven headless by Playwright.

Playwright's own browser downloads are never used (no `playwright install`): Chromium comes from apt.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .conftest import SEED_A, SEED_B, need

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


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    process = subprocess.Popen(
        [sys.executable, "-m", "unspin.cli", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                output = process.stdout.read().decode() if process.stdout else ""
                pytest.fail(f"unspin serve exited with {process.returncode}: {output}")
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("unspin serve did not answer /healthz within 60 s")
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


def test_compare_page_in_chromium(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    text_a = need(SEED_A).read_text(encoding="utf-8")
    text_b = need(SEED_B).read_text(encoding="utf-8")
    requests: list[str] = []
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900}, accept_downloads=True)
            page.on("request", lambda r: requests.append(r.url))
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(server + "/")
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
        finally:
            browser.close()
    assert (tmp_path / "unspin-serve.png").stat().st_size > 10_000
    assert not problems, problems
    outside = [u for u in requests if not u.startswith((server + "/", "data:", "blob:"))]
    assert not outside, f"the page asked for something elsewhere: {outside}"
