"""Real yt-dlp against a local HTTP server on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from provenance.acquire import download, site_options
from provenance.cli import main
from provenance.errors import AcquireError
from tests.conftest import Media


class _Handler(SimpleHTTPRequestHandler):
    requests: list[str] = []
    root: Path  # the folder served

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        type(self).requests.append(self.path)
        path = urlsplit(self.path).path  # a proxy request carries the whole URL
        if path.startswith("/error500"):
            self.send_error(500, "boom")
        elif path.startswith("/cut.mp4"):
            self._send_cut_off()
        elif path.startswith("/private/") and "session=ok" not in self.headers.get("Cookie", ""):
            self.send_error(403, "login required")
        else:
            self.path = path.replace("/private/", "/", 1)
            super().do_GET()

    def _send_cut_off(self) -> None:
        body = (Path(self.directory) / "clip.mp4").read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "video/mp4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[: len(body) // 3])
        self.wfile.flush()
        self.close_connection = True


@pytest.fixture(scope="module")
def site(media: Media, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("site")
    shutil.copy(media.clip_a, root / "clip.mp4")
    (root / "article.html").write_text(
        "<html><head><title>Night at the terminal</title></head><body>"
        "<p>Filmed on 22/10/2015 at Coquelles.</p>"
        "<video src='clip.mp4'></video><video src='missing.mp4'></video></body></html>")
    (root / "novideo.html").write_text("<html><body><p>Nothing to see</p></body></html>")
    _Handler.root = root
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
    with pytest.raises(AcquireError) as caught:
        download("http://127.0.0.1:9/clip.mp4", tmp_path, max_filesize=50_000_000)
    assert caught.value.message == ("http://127.0.0.1:9/clip.mp4 could not be downloaded: the "
                                    "site could not be reached")
    assert caught.value.hint and "network" in caught.value.hint
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
    # the server's Last-Modified date of the file is kept in the record, not read as the date
    # a post went online
    assert found["provenance"]["extractor"] == "generic" and found["provenance"]["upload_date"]
    assert not [c for c in found["claims"] if "upload_date" in c["found_in"]]
    missing = by_url[f"{site}/missing.mp4"]
    assert missing["verdict"] == "inconclusive" and "404" in missing["error"]
    before = len(_Handler.requests)
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 0
    fetched = [p for p in _Handler.requests[before:] if p.endswith("clip.mp4")]
    assert fetched == []  # the second run downloads nothing


def test_a_cached_video_says_so_and_refresh_downloads_it_again(
        site: str, media: Media, library_path: Path, tmp_path: Path) -> None:
    """A URL verified again is read from the cache: the text and the HTML say so, with when it
    was retrieved, and --refresh downloads it again, replacing the cached copy (audit 13, #7:
    the post's video changed on the server and the old copy was reported, unsaid)."""
    shutil.copy(media.clip_a, _Handler.root / "changing.mp4")
    db = tmp_path / "library.db"
    shutil.copy(library_path, db)
    url = f"{site}/changing.mp4"
    base = ["--cache-dir", str(tmp_path / "cache"), "verify", url, "--db", str(db)]

    def fetches(args: list[str]) -> tuple[int, str]:
        before = len(_Handler.requests)
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.stderr
        return sum(p.endswith("changing.mp4") for p in _Handler.requests[before:]), result.stdout

    count, out = fetches([*base, "--json"])
    first = json.loads(out)
    assert count >= 1 and first["verdict"] == "match" and first["provenance"].get("cache") is None
    retrieved = first["provenance"]["retrieved_at"]
    count, out = fetches([*base, "--report", str(tmp_path / "r.html")])
    assert count == 0 and f"from the cache, retrieved {retrieved}" in out
    assert f"from the cache, retrieved {retrieved}" in (tmp_path / "r.html").read_text()
    shutil.copy(media.unrelated, _Handler.root / "changing.mp4")  # the post's video is swapped
    count, out = fetches([*base, "--json"])
    assert count == 0 and json.loads(out)["verdict"] == "match"  # the cached copy, as said
    count, out = fetches([*base, "--json", "--refresh"])
    fresh = json.loads(out)
    assert count >= 1 and fresh["verdict"] == "no-match"
    assert fresh["provenance"].get("cache") is None
    assert fresh["provenance"]["sha256"] != first["provenance"]["sha256"]
    count, out = fetches([*base, "--json"])  # the cached copy was replaced
    assert count == 0 and json.loads(out)["provenance"]["sha256"] == fresh["provenance"]["sha256"]
    # the Python API: refresh=True
    again = download(url, tmp_path / "cache", max_filesize=50_000_000, refresh=True)
    assert again.provenance.get("cache") is None


def test_a_video_that_cannot_be_downloaded_is_said_in_words_in_the_finding(
        library_path: Path, tmp_path: Path) -> None:
    """Not yt-dlp's "[generic] gone: Unable to download webpage: HTTPConnection(...): Failed to
    establish a new connection: [Errno 111] ... (caused by TransportError(...))" in the line a
    checker reads (a desk audit); that detail is kept for --debug."""
    page = tmp_path / "page.html"
    page.write_text("<html><body><p>Filmed on 22/10/2015.</p>"
                    "<video src='http://127.0.0.1:9/gone.mp4'></video></body></html>")
    args = ["--cache-dir", str(tmp_path / "cache"), "verify", str(page), "--db",
            str(library_path)]
    result = CliRunner().invoke(main, [*args, "--json"])
    assert result.exit_code == 3, result.stderr
    failed = json.loads(result.stdout)  # an article of one video: its result
    said = "http://127.0.0.1:9/gone.mp4 could not be downloaded: the site could not be reached"
    assert failed["error"] == said and said in failed["finding"]["summary"]
    for internal in ("[generic]", "Errno", "caused by", "TransportError"):
        assert internal not in result.stdout, internal
    debug = CliRunner().invoke(main, [*args, "--debug"])
    assert "Debug: http://127.0.0.1:9/gone.mp4: yt-dlp: [generic]" in debug.stderr


def test_page_without_video_exits_3(site: str, library_path: Path) -> None:
    result = CliRunner().invoke(main, ["verify", f"{site}/novideo.html", "--db",
                                       str(library_path)])
    assert result.exit_code == 3
    assert "references no video" in result.stderr


def _no_partial_files(cache: Path) -> None:
    leftovers = [p for p in cache.rglob("*") if p.is_file() and not p.name.endswith(".json")
                 and p.parent.name != "urls"]
    assert all(p.parent.name == "videos" and len(p.stem) == 64 for p in leftovers), leftovers
    assert not [p for p in cache.iterdir() if p.name.startswith(".download-")]


def test_download_cut_off_mid_way_leaves_nothing(site: str, tmp_path: Path) -> None:
    with pytest.raises(AcquireError) as caught:
        download(f"{site}/cut.mp4", tmp_path, max_filesize=50_000_000)
    assert "\n" not in caught.value.message
    assert not list((tmp_path / "videos").iterdir())
    _no_partial_files(tmp_path)


def test_url_no_extractor_supports(site: str, tmp_path: Path) -> None:
    with pytest.raises(AcquireError, match="[Uu]nsupported URL"):
        download(f"{site}/novideo.html", tmp_path, max_filesize=50_000_000)


def test_cookies_and_proxy_reach_yt_dlp(site: str, tmp_path: Path) -> None:
    url = f"{site}/private/clip.mp4"
    with pytest.raises(AcquireError, match="403"):
        download(url, tmp_path / "a", max_filesize=50_000_000)
    host = urlsplit(site).hostname
    cookies = tmp_path / "cookies.txt"
    cookies.write_text("# Netscape HTTP Cookie File\n"
                       f"{host}\tFALSE\t/\tFALSE\t0\tsession\tok\n")
    video = download(url, tmp_path / "b", max_filesize=50_000_000,
                     ydl_extra=site_options(cookies=str(cookies)))
    assert Path(video.path).stat().st_size > 1000
    before = len(_Handler.requests)
    # The test server also answers proxy requests (absolute URLs); the target host is fake.
    download("http://videos.invalid/clip.mp4", tmp_path / "c", max_filesize=50_000_000,
             ydl_extra=site_options(proxy=site))
    assert any(r.startswith("http://videos.invalid/") for r in _Handler.requests[before:])


def test_cli_max_filesize_accepts_units(site: str, library_path: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--cache-dir", str(tmp_path), "verify",
                                       f"{site}/clip.mp4", "--db", str(library_path),
                                       "--max-filesize", "2K"])
    assert result.exit_code == 3
    assert "over --max-filesize (2048 bytes)" in result.stderr
    _no_partial_files(tmp_path)


def test_refresh_reaches_the_downloads_of_dask_workers(
        site: str, media: Media, library_path: Path, tmp_path: Path) -> None:
    """--refresh is a setting the workers receive (real local Dask workers): a URL cached
    before is downloaded again on them."""
    pytest.importorskip("distributed")
    shutil.copy(media.clip_a, _Handler.root / "on-workers.mp4")
    db = tmp_path / "library.db"
    shutil.copy(library_path, db)
    url = f"{site}/on-workers.mp4"
    base = ["--cache-dir", str(tmp_path / "cache"), "verify", url, "--db", str(db), "--json"]
    assert CliRunner().invoke(main, base).exit_code == 0  # cached
    shutil.copy(media.unrelated, _Handler.root / "on-workers.mp4")
    before = len(_Handler.requests)
    result = CliRunner().invoke(main, [*base, "--refresh", "--workers", "2"])
    assert result.exit_code == 0, result.stderr
    assert any(p.endswith("on-workers.mp4") for p in _Handler.requests[before:])
    (line,) = [json.loads(x) for x in result.stdout.splitlines() if x.startswith("{")]
    assert line["verdict"] == "no-match"  # the new video


def test_an_original_added_from_a_url_is_reindexed_from_it(site: str, tmp_path: Path) -> None:
    # A desk audit: `library reindex` of an original added from a URL said its file "is not on
    # disk", with a hint to add a FILE. It is downloaded again (a fresh cache here) and
    # fingerprinted anew.
    db, url = str(tmp_path / "lib.db"), f"{site}/clip.mp4"
    runner = CliRunner()
    added = runner.invoke(main, ["--cache-dir", str(tmp_path / "a"), "library", "add", url,
                                 "--id", "from-url", "--db", db])
    assert added.exit_code == 0, added.output
    before = len(_Handler.requests)
    again = runner.invoke(main, ["--cache-dir", str(tmp_path / "b"), "library", "reindex",
                                 "from-url", "--db", db])
    assert again.exit_code == 0, again.output
    assert len(_Handler.requests) > before  # downloaded again, not read from a file
    shown = runner.invoke(main, ["library", "show", "from-url", "--db", db, "--json"])
    assert json.loads(shown.stdout)["file"] == url
