"""The web page in a real browser (Debian's chromium, headless, through Playwright): paste a URL
served by a local HTTP server, watch the progress, read the report, follow its permanent link;
search the library and add an original as an editor."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from .conftest import Media
from .serve_support import (
    EDITOR_TOKEN,
    FileServer,
    ServerProcess,
    bearer,
    running_server,
    token_file,
)

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Flags for a closed network: no first-run, sync, component or background traffic, no QUIC.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="chromium is not installed (apt-get install chromium; "
                                       ".ci/run installs it)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[test]'")
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            yield context
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, media: Media) -> Iterator[ServerProcess]:
    root = tmp_path_factory.mktemp("serve-browser")
    with running_server(root / "desk.db", "127.0.0.1", "--token-file",
                        str(token_file(root))) as running:
        with open(media.cam_a, "rb") as video:
            assert httpx.post(f"{running.url}/api/v1/originals", headers=bearer(EDITOR_TOKEN),
                              files={"file": video}, timeout=120,
                              data={"id": "cam-a", "title": "Camera A",
                                    "recorded_at": "2015-09-16"}).status_code == 201
        yield running


def test_paste_a_url_watch_progress_read_the_report(browser: Any, server: ServerProcess,
                                                    media: Media, tmp_path: Path) -> None:
    shutil.copy(media.clip_a, tmp_path / "clip.mp4")
    page = browser.new_page()
    with FileServer(tmp_path, slow_seconds=3) as files:
        page.goto(server.url + "/")
        page.fill("#url", f"{files.url}/slow/clip.mp4")
        page.fill("#date", "22/10/2015")
        page.click("#go")
        page.wait_for_url(re.compile(r"/v/[0-9a-f]{32}$"), timeout=20_000)
        permanent = page.url
        # Locators, not script: the page's Content-Security-Policy forbids eval.
        page.locator("#stage", has_text="download").wait_for(timeout=20_000)
        assert "running" in page.text_content("#stage")
        assert "download" in page.inner_text("#stages")  # every stage seen is listed
        assert "claimed date: 22/10/2015" in page.inner_text("main")
        page.locator("section.video .banner").first.wait_for(timeout=60_000)  # the report
    assert page.url == permanent
    job_id = permanent.rsplit("/", 1)[1]
    job = httpx.get(f"{server.url}/api/v1/verifications/{job_id}").json()
    assert job["result"]["verdict"] == "match"
    report = httpx.get(f"{server.url}/api/v1/verifications/{job_id}/report").text
    assert page.content().count("section") >= 1 and page.title() in report
    text = page.inner_text("body")
    assert "cam-a" in text and "2015-10-22" in text  # the original, the typed date checked

    again = browser.new_page()
    again.goto(permanent)
    assert again.inner_text("body") == text
    home = browser.new_page()
    home.goto(server.url + "/")
    home.click(f"a[href='/v/{job_id}']")
    home.wait_for_url(permanent)
    for opened in (page, again, home):
        opened.close()


def test_pages_fit_a_phone(browser: Any, server: ServerProcess) -> None:
    page = browser.new_page()
    page.set_viewport_size({"width": 360, "height": 740})
    for path in ("/", "/library"):
        page.goto(server.url + path)
        for selector in ("main", "button", "input[type=file]"):
            box = page.locator(selector).first.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360, \
                (path, selector, box)
    page.close()


def test_library_page_search_and_add(browser: Any, server: ServerProcess, media: Media) -> None:
    page = browser.new_page()
    page.goto(server.url + "/library")
    page.locator("#originals td", has_text="cam-a").wait_for()  # rows come from the API
    page.fill("#q", "no such footage")
    page.click("form[action='/library'] button")
    page.wait_for_url(re.compile(r"q=no\+such"))
    page.locator("#count", has_text="0 original(s) matching").wait_for()
    assert "cam-a" not in page.inner_text("table")

    page.goto(server.url + "/library")
    page.set_input_files("#file", str(media.cam_b))
    page.fill("#m-id", "cam-b")
    page.fill("#m-title", "Camera <B>")
    page.fill("#token", "wrong-token-0123456789")
    page.click("#add button")
    page.locator("#status.error").wait_for()
    assert "not valid" in page.text_content("#status")
    page.fill("#token", EDITOR_TOKEN)
    page.click("#add button")
    page.locator("td", has_text="Camera <B>").wait_for(timeout=60_000)
    assert httpx.get(f"{server.url}/api/v1/originals/cam-b").json()["title"] == "Camera <B>"
    assert httpx.get(f"{server.url}/api/v1/changes").json()[0]["token"] == "alice"
    page.close()
