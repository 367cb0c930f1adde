"""Hostile servers (tests/hostile.py): every download and page fetch ends with a result or one
clear AcquireError within its budget, and leaves no partial file behind."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from provenance.acquire import download, fetch_page, find_videos
from provenance.cli import main
from provenance.errors import AcquireError
from tests.conftest import Media
from tests.hostile import HostileHandler, hostile_server

MB = 1024**2


@pytest.fixture(scope="module")
def hostile() -> Iterator[str]:
    with hostile_server() as url:
        yield url


def _nothing_left(cache: Path) -> None:
    leftovers = [p for p in cache.rglob("*") if p.is_file()]
    assert leftovers == [], leftovers
    assert not [p for p in cache.iterdir() if p.name.startswith(".download-")]


@pytest.mark.parametrize("path, budget, message", [
    ("/endless.mp4", 5 * MB, "over --max-filesize"),  # chunked: no Content-Length
    ("/endless.html", 2048 * MB, "MB of memory"),  # yt-dlp reads the page into memory
    # 1 MB of gzip, 1 GB decompressed. yt-dlp's HTTP backend decides how it is read: urllib
    # reads it into memory (the memory cap stops it), requests/urllib3 (installed with the OCR
    # extra) stream the decompressed bytes to disk (the byte cap, counting them, stops it).
    ("/bomb.mp4", 100 * MB, "MB of memory|over --max-filesize"),
    ("/drip.mp4", 2048 * MB, "longer than 3 s"),  # one byte every 0.5 s
    ("/to-loopback.mp4", 2048 * MB, "127.0.0.1"),
    # urllib reports the loop; requests reports the server closing a reused connection.
    ("/loop.mp4", 2048 * MB, "redirects it without end|closed the connection"),
])
def test_hostile_downloads_end_within_their_budgets(hostile: str, tmp_path: Path, path: str,
                                                    budget: int, message: str) -> None:
    with pytest.raises(AcquireError, match=message) as caught:
        download(f"{hostile}{path}", tmp_path, max_filesize=budget, seconds=3 if "drip" in path
                 else 60)
    assert "\n" not in caught.value.message and caught.value.hint
    _nothing_left(tmp_path)


def test_a_stalling_download_is_stopped(hostile: str, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    module = importlib.import_module("provenance.acquire.download")
    monkeypatch.setattr(module, "STALL_SECONDS", 1.5)
    with pytest.raises(AcquireError, match="KB arrived in 1.5 s"):
        download(f"{hostile}/drip.mp4", tmp_path, max_filesize=MB, seconds=60)
    _nothing_left(tmp_path)


def test_five_hanging_references_end_within_the_article_budget(
    hostile: str, library_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROVENANCE_ARTICLE_TIMEOUT", "2")
    result = CliRunner().invoke(main, ["--cache-dir", str(tmp_path), "verify",
                                       f"{hostile}/five-hanging.html", "--db",
                                       str(library_path), "--json"])
    assert result.exit_code == 3, result.output
    errors = [r["error"] for r in json.loads(result.stdout)["results"]]
    assert len(errors) == 5 and "longer than" in errors[0]
    assert all("budget" in e for e in errors[1:]), errors


def test_partial_downloads_of_a_killed_process_are_removed(hostile: str, tmp_path: Path) -> None:
    import os

    left = tmp_path / ".download-killed"
    left.mkdir()
    (left / "download.mp4.part").write_bytes(b"\x00" * 1000)
    os.utime(left, (0, 0))
    fresh = tmp_path / ".download-running"  # another process's download in progress: kept
    fresh.mkdir()
    with pytest.raises(AcquireError):
        download(f"{hostile}/missing.mp4", tmp_path, max_filesize=MB)
    assert not left.exists() and fresh.exists()


def test_page_fetch_is_bounded_in_bytes_and_time(hostile: str) -> None:
    assert len(fetch_page(f"{hostile}/endless.html", max_bytes=MB)) == MB
    assert len(fetch_page(f"{hostile}/bomb.html", max_bytes=MB)) == MB
    with pytest.raises(AcquireError, match="longer than 2 s"):
        fetch_page(f"{hostile}/drip.html", seconds=2)


def test_unknown_charset_is_read_as_utf8(hostile: str) -> None:
    html = fetch_page(f"{hostile}/badcharset.html")
    refs = find_videos(html, f"{hostile}/badcharset.html")
    assert [r.url for r in refs] == [f"{hostile}/clip.mp4"]


def test_cli_article_on_a_dripping_server_is_one_error(hostile: str, library_path: Path,
                                                       tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROVENANCE_ARTICLE_TIMEOUT", "2")
    result = CliRunner().invoke(main, ["--cache-dir", str(tmp_path), "verify",
                                       f"{hostile}/drip.html", "--db", str(library_path)])
    assert result.exit_code == 3, result.output
    assert result.stderr.startswith("Error: ") and "Hint: " in result.stderr
    assert "Traceback" not in result.stderr


def test_jsonld_from_a_hostile_page_is_safe_to_embed(hostile: str, media: Media,
                                                     library_path: Path, tmp_path: Path) -> None:
    """A remote `</script>` in the video's URL and a `javascript:` link and `</script>` title on
    the original: the JSON-LD made to be pasted into <script type="application/ld+json"> can
    neither close that element nor carry a script URL."""
    import shutil

    from provenance.library import Library

    HostileHandler.clip = media.clip_a.read_bytes()
    db = tmp_path / "library.db"
    shutil.copy(library_path, db)
    with Library(db) as lib:
        lib.update("cam-a", url="javascript:alert(2)", title="</script><script>alert(3)</script>")
    page = tmp_path / "article.html"
    page.write_text(f"<html><title>Night &lt;/script&gt;</title><body><p>Filmed on 22/10/2015 at "
                    "Coquelles &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;</p>"
                    f"<video src='{hostile}/clip.mp4?a=</script><script>alert(1)'></video>"
                    "</body></html>")
    out = tmp_path / "review.jsonld"
    result = CliRunner().invoke(main, ["--cache-dir", str(tmp_path / "cache"), "verify", str(page),
                                       "--db", str(db), "--jsonld", str(out), "--json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["results"][0]["verdict"] == "match"
    text = out.read_text()
    assert "<" not in text and ">" not in text and "javascript:" not in text.lower()
    assert "\\u003c/script\\u003e" in text  # the remote text is kept, escaped
    json.loads(text)


def test_a_page_of_endless_paragraphs_keeps_a_bounded_number_of_passages() -> None:
    from provenance.acquire import read_page
    from provenance.acquire.article import MAX_BLOCKS

    page = "".join("<p>para</p>" * 600 + f"<video src='v{i}.mp4'></video>" for i in range(3))
    refs, passages, _ = read_page(page + "<p>more</p>" * 20_000, "https://news.example/a.html")
    assert len(refs) == 3 and MAX_BLOCKS <= len(passages) <= MAX_BLOCKS + 3
