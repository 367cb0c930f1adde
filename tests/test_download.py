"""Real yt-dlp against a local HTTP server on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from provenance.acquire import download
from provenance.cli import main
from provenance.errors import AcquireError
from tests.conftest import Media


class _Handler(SimpleHTTPRequestHandler):
    requests: list[str] = []

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        type(self).requests.append(self.path)
        if self.path.startswith("/error500"):
            self.send_error(500, "boom")
            return
        super().do_GET()


@pytest.fixture(scope="module")
def site(media: Media, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("site")
    shutil.copy(media.clip_a, root / "clip.mp4")
    (root / "article.html").write_text(
        "<html><head><title>Night at the terminal</title></head><body>"
        "<p>Filmed on 22/10/2015 at Coquelles.</p>"
        "<video src='clip.mp4'></video><video src='missing.mp4'></video></body></html>")
    (root / "novideo.html").write_text("<html><body><p>Nothing to see</p></body></html>")
    handler = partial(_Handler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_download_records_provenance_and_is_cached(site: str, tmp_path: Path) -> None:
    url = f"{site}/clip.mp4"
    video = download(url, tmp_path, max_filesize=50_000_000)
    assert Path(video.path).parent == tmp_path / "videos"
    assert Path(video.path).name == f"{video.sha256}.mp4"
    record = json.loads((tmp_path / "videos" / f"{video.sha256}.json").read_text())
    assert record["requested_url"] == url and record["sha256"] == video.sha256
    assert record["extractor"] == "generic" and record["yt_dlp_version"]
    assert record["retrieved_at"].endswith("+00:00")
    before = len(_Handler.requests)
    again = download(url, tmp_path, max_filesize=50_000_000)
    assert again.path == video.path and len(_Handler.requests) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".download-")]


@pytest.mark.parametrize("path, message", [("/missing.mp4", "404"), ("/error500.mp4", "500")])
def test_http_errors_are_one_line_acquire_errors(site: str, tmp_path: Path, path: str,
                                                 message: str) -> None:
    with pytest.raises(AcquireError, match=message) as caught:
        download(f"{site}{path}", tmp_path, max_filesize=50_000_000)
    assert "\n" not in caught.value.message
    assert not list((tmp_path / "videos").iterdir())


def test_unreachable_host_and_oversized_file(site: str, tmp_path: Path) -> None:
    with pytest.raises(AcquireError):
        download("http://127.0.0.1:9/clip.mp4", tmp_path, max_filesize=50_000_000)
    with pytest.raises(AcquireError, match="max-filesize"):
        download(f"{site}/clip.mp4", tmp_path, max_filesize=1000)
    assert not list((tmp_path / "videos").iterdir())


def test_verify_article_url_downloads_and_matches(site: str, library_path: Path,
                                                  tmp_path: Path) -> None:
    db = tmp_path / "library.db"
    shutil.copy(library_path, db)
    args = ["--cache-dir", str(tmp_path / "cache"), "verify", f"{site}/article.html",
            "--db", str(db), "--json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    by_url = {r["query"]: r for r in report["results"]}
    found = by_url[f"{site}/clip.mp4"]
    assert found["verdict"] == "match"
    assert found["matches"][0]["reference_id"] == "cam-a"
    assert found["provenance"]["article"] == f"{site}/article.html"
    assert any(c["status"] == "contradicted" for c in found["claims"])
    missing = by_url[f"{site}/missing.mp4"]
    assert missing["verdict"] == "inconclusive" and "404" in missing["error"]
    before = len(_Handler.requests)
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 0
    fetched = [p for p in _Handler.requests[before:] if p.endswith("clip.mp4")]
    assert fetched == []  # the second run downloads nothing


def test_page_without_video_exits_3(site: str, library_path: Path) -> None:
    result = CliRunner().invoke(main, ["verify", f"{site}/novideo.html", "--db",
                                       str(library_path)])
    assert result.exit_code == 3
    assert "references no video" in result.stderr
