"""Download with yt-dlp's Python API into a content-addressed cache, with a provenance record.

The only module that imports yt_dlp. Nothing a remote server says becomes a path: files are named
by their sha256, written in a private temporary folder and moved into place only once complete,
so the cache never holds a partial file.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import AcquireError, MediaError
from ..models import LocalVideo
from ..settings import DEFAULT_DOWNLOAD_TIMEOUT

# Longest string kept from remote metadata (titles and descriptions are untrusted and unbounded).
MAX_META_CHARS = 5000
_RECORD_FIELDS = ("extractor", "id", "uploader", "uploader_id", "channel", "upload_date",
                  "timestamp", "title", "description", "duration", "webpage_url")

ProgressCallback = Callable[[int, int | None], None]
log = logging.getLogger(__name__)


def sha256_file(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def local_video(path: str) -> LocalVideo:
    """A video file already on disk, with its sha256."""
    if not os.path.exists(path):
        raise MediaError(f"{path}: no such file", "check the path" + (
            "; in a list file (-a) only a line starting with `#` is a comment: a `#` after an "
            "input is part of it" if "#" in path else ""))
    if not os.path.isfile(path):
        raise MediaError(f"{path} is not a file", "give a video file")
    try:
        sha = sha256_file(path)
    except OSError as exc:
        raise MediaError(f"{path} cannot be read ({exc.strerror})",
                         "check the file's permissions") from None
    record = {"kind": "file", "path": os.path.abspath(path), "sha256": sha,
              "retrieved_at": _utc_now()}
    return LocalVideo(path=path, sha256=sha, source_url=None, provenance=record)


def _utc_now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return value[:MAX_META_CHARS]
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    return str(value)[:MAX_META_CHARS]


def _url_key(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:40]


def _safe_ext(name: str) -> str:
    ext = Path(name).suffix.lstrip(".").lower()
    return ext if re.fullmatch(r"[a-z0-9]{1,5}", ext) else "bin"


class _QuietLogger:
    """yt-dlp logger that prints nothing and keeps what explains a failure."""

    def __init__(self) -> None:
        self.last_error = ""
        self.too_large = ""

    def debug(self, msg: str) -> None:
        if "max-filesize" in msg or "max_filesize" in msg:
            self.too_large = msg

    info = warning = debug

    def error(self, msg: str) -> None:
        self.last_error = msg


def error_line(message: str) -> str:
    """The first line of an error message, without colour codes or yt-dlp's "ERROR: ",
    bounded."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", message).replace("ERROR: ", "").strip()
    return text.splitlines()[0][:300] if text else "download failed"


# What a failed download's yt-dlp message means, in the words a finding shows: (pattern,
# reason, hint), the first match wins. The message itself (extractor tags, Python's chain of
# exceptions) only goes to the debug log (`--debug`).
_REASONS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"(\S+) is a non-public address \(([^)]*)\)"),
     r"\1 is a non-public address (\2), which this server does not fetch",
     "a public server fetches only public addresses; an administrator can allow a network "
     "with `provenance serve --allow-net`"),
    (re.compile(r"this format is downloaded by ffmpeg, whose connections the server cannot "
                r"check"),
     "this format is downloaded by ffmpeg, whose connections the server cannot check",
     "download it on a desk machine and upload the file"),
    (re.compile(r"file:// URLs are disabled"),
     "it points at a file on this computer (a file:// URL), which is never opened",
     "give the address of the video itself"),
    (re.compile(r"infinite loop|redirect loop|too many redirects|exceeded \d+ redirects", re.I),
     "the site redirects it without end",
     "check the URL opens in a browser"),
    (re.compile(r"HTTP Error (401|403)\b"), r"the site refused it (HTTP \1)",
     "if the post needs a login, pass --cookies or --cookies-from-browser"),
    (re.compile(r"HTTP Error (404|410)\b"), r"the site has no such page or file (HTTP \1)",
     "check the URL; the post may have been removed"),
    (re.compile(r"HTTP Error 429\b"), "the site refuses more requests for now (HTTP 429)",
     "try again later"),
    (re.compile(r"HTTP Error (\d{3})\b"), r"the site answered with an error (HTTP \1)",
     "try again later, and check the URL opens in a browser"),
    (re.compile(r"Unsupported URL"), "no video was found at this address (unsupported URL)",
     "give the address of the video's own page, or of the article that embeds it"),
    (re.compile(r"\b(?:private video|sign in|log ?in|members[- ]only|confirm your age)\b", re.I),
     "the post can only be seen logged in",
     "pass --cookies or --cookies-from-browser of an account that can see it"),
    (re.compile(r"video unavailable|no longer available|has been removed|been terminated",
                re.I),
     "the video is no longer available", "look for another copy of it"),
    (re.compile(r"not available in your country|geo[- ]?restrict|geo[- ]?block", re.I),
     "the video is blocked in this country", "pass --proxy through a country where it plays"),
    (re.compile(r"certificate verify failed", re.I),
     "the site's certificate could not be verified",
     "check the address; a network that intercepts HTTPS needs its certificate installed"),
    (re.compile(r"Failed to resolve|Name or service not known|name resolution|getaddrinfo|"
                r"nodename nor servname|Connection refused|Network is unreachable|"
                r"No route to host|timed out|Failed to establish a new connection", re.I),
     "the site could not be reached",
     "check this computer's network connection and the address, or try again later"),
    (re.compile(r"closed connection|Connection (?:reset|aborted)|RemoteDisconnected|"
                r"IncompleteRead", re.I),
     "the site closed the connection without answering",
     "try again later, and check the URL opens in a browser"),
    (re.compile(r"TransportError"), "the connection to the site failed",
     "try again later, and check the URL opens in a browser"),
)
_SOME_REASON_HINT = "check the URL opens in a browser; pass --cookies for private posts"


def plain_reason(detail: str) -> tuple[str, str]:
    """(reason, hint) of a failed download in words, from yt-dlp's one-line message; a message
    no pattern knows is shown without its extractor tag and exception chain."""
    # The tag names the extractor and the video's id, which is any word of the URL.
    text = re.sub(r"^(?:\[[\w:.-]+\] [^:]{0,100}|[A-Z]\w*(?:Error|Exception)): ", "", detail)
    for pattern, reason, hint in _REASONS:
        found = pattern.search(text)
        if found:
            return found.expand(reason), hint
    return text.split(" (caused by ")[0][:200] or "download failed", _SOME_REASON_HINT


def _cached(cache_dir: Path, url: str) -> LocalVideo | None:
    pointer = cache_dir / "urls" / f"{_url_key(url)}.json"
    if not pointer.is_file():
        return None
    try:
        record = json.loads(pointer.read_text("utf-8"))
        path = cache_dir / "videos" / record["file"]
    except (ValueError, KeyError, OSError):
        return None
    if not path.is_file() or Path(record["file"]).name != record["file"]:
        return None
    return LocalVideo(path=str(path), sha256=record["sha256"], source_url=url,
                      provenance={**record, "cache": "hit"})


def _ydl_options(workdir: str, max_filesize: int, logger: _QuietLogger,
                 progress: ProgressCallback | None, extra: dict[str, Any]) -> dict[str, Any]:
    import imageio_ffmpeg

    def hook(status: dict[str, Any]) -> None:
        if progress and status.get("status") == "downloading":
            progress(int(status.get("downloaded_bytes") or 0),
                     status.get("total_bytes") or status.get("total_bytes_estimate"))

    return {
        "outtmpl": os.path.join(workdir, "download.%(ext)s"),
        "paths": {"home": workdir, "temp": workdir},
        "format": "bv*+ba/b",
        "merge_output_format": "mp4",
        "ffmpeg_location": imageio_ffmpeg.get_ffmpeg_exe(),
        "max_filesize": max_filesize,
        "noplaylist": True,
        "quiet": True,
        "no_warnings": True,
        "noprogress": True,
        "logger": logger,
        "progress_hooks": [hook],
        "restrictfilenames": True,
        "retries": 1,
        "fragment_retries": 1,
        "socket_timeout": 20,
        "cachedir": False,
        **extra,
    }


def site_options(cookies: str | None = None, cookies_from_browser: str | None = None,
                 proxy: str | None = None, rate_limit: int | None = None) -> dict[str, Any]:
    """yt-dlp options for real sites: cookies, proxy, rate limit (None leaves yt-dlp's default)."""
    options: dict[str, Any] = {}
    if cookies:
        options["cookiefile"] = str(cookies)
    if cookies_from_browser:
        browser, _, profile = cookies_from_browser.partition(":")
        options["cookiesfrombrowser"] = (browser.lower(), profile or None, None, None)
    if proxy:
        options["proxy"] = proxy
    if rate_limit:
        options["ratelimit"] = int(rate_limit)
    return options


# Resident memory of the download process: yt-dlp reads a page into memory (decompressed) to look
# for a video in it, so a gzip bomb or an endless page grows it without end. Downloading a test
# video from a local server peaks at 59 MB (forked from a process with OpenCV and NumPy loaded);
# real sites' pages and player scripts could not be measured here (no network) and are given
# five times that. With the parent's ~90 MB the whole stays under 500 MB.
MAX_DOWNLOAD_RSS = 300 * 1024**2
# A download that writes less than STALL_BYTES in any STALL_SECONDS is stopped: a server
# dripping a byte every few seconds never trips a socket timeout and would run to the deadline.
# Finding the video on a page takes a few seconds on the sites tried, far below the window; 256 KB
# in 120 s is 2 KB/s, below any connection a video can be fetched over.
STALL_SECONDS = 120.0
STALL_BYTES = 256 * 1024
# How often the download process is checked against its budgets, in seconds.
_POLL_SECONDS = 0.1
# Temporary download folders older than this are left by a killed process: removed at the next
# download (a live one is younger than its deadline).
_STALE_WORKDIR_SECONDS = DEFAULT_DOWNLOAD_TIMEOUT + 60.0


class _OverBudget(Exception):
    """Raised in yt-dlp's progress hook to stop a download that passed its byte budget."""


def _child(url: str, workdir: str, max_filesize: int, extra: dict[str, Any],
           conn: Any) -> None:
    """The download itself, in its own process so the parent can stop it at any point."""
    import yt_dlp

    logger = _QuietLogger()

    def on_progress(done: int, total: int | None) -> None:
        if done > max_filesize:
            raise _OverBudget()
        conn.send(("progress", done, total))

    outcome: dict[str, Any] = {"version": yt_dlp.version.__version__}
    try:
        options = _ydl_options(workdir, max_filesize, logger, on_progress, extra)
        with yt_dlp.YoutubeDL(options) as ydl:
            info = ydl.extract_info(url, download=True) or {}
        outcome["info"] = {k: _clean(info.get(k)) for k in (*_RECORD_FIELDS, "url")}
    except _OverBudget:
        logger.too_large = "progress"
    except yt_dlp.utils.DownloadError as exc:
        if isinstance(exc.exc_info[1] if exc.exc_info else None, _OverBudget):
            logger.too_large = "progress"
        else:
            outcome["error"] = error_line(logger.last_error or str(exc))
    except Exception as exc:  # reported as an AcquireError by the parent
        outcome["error"] = error_line(f"{type(exc).__name__}: {exc}")
    outcome["too_large"] = bool(logger.too_large)
    outcome["last_error"] = logger.last_error
    conn.send(("done", outcome))
    conn.close()


def _folder_bytes(folder: str) -> int:
    total = 0
    for entry in os.scandir(folder):
        try:
            total += entry.stat(follow_symlinks=False).st_size
        except OSError:
            pass
    return total


def _rss(pid: int) -> int:
    """Resident memory a process holds alone, in bytes (0 where /proc is not available): a
    forked child shares its parent's pages (models, indexes) until it writes them, and those
    are the parent's memory, not the download's."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            return sum(int(line.split()[1]) * 1024 for line in handle
                       if line.startswith(("Private_Clean:", "Private_Dirty:")))
    except (OSError, ValueError, IndexError):
        pass
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _run_bounded(url: str, workdir: str, max_filesize: int, extra: dict[str, Any],
                 seconds: float, progress: ProgressCallback | None) -> dict[str, Any]:
    """Run the download in a child process; stop it when it passes its time, byte or memory
    budget (counted on the files it writes, so chunked and compressed bodies are included)."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    parent, child_end = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(url, workdir, max_filesize, extra, child_end),
                              daemon=True)
    start = time.monotonic()
    deadline = start + seconds
    checkpoint = (start, 0)  # (time, bytes written) at the start of the current stall window
    process.start()
    child_end.close()
    try:
        while True:
            if parent.poll(_POLL_SECONDS):
                try:
                    message = parent.recv()
                except EOFError:
                    message = ("done", {"error": "the download process ended unexpectedly"})
                if message[0] == "done":
                    return dict(message[1])
                if progress:
                    progress(int(message[1]), message[2])
                continue
            if time.monotonic() > deadline:
                raise AcquireError(f"{url}: the download took longer than {seconds:g} s",
                                   "the server is too slow or never ends; raise --timeout "
                                   "if you trust it")
            written, now = _folder_bytes(workdir), time.monotonic()
            if written > max_filesize:
                raise AcquireError(f"{url}: the file is over --max-filesize "
                                   f"({max_filesize} bytes)",
                                   "raise --max-filesize if you trust the source")
            if now - checkpoint[0] >= STALL_SECONDS:
                if written - checkpoint[1] < STALL_BYTES:
                    raise AcquireError(f"{url}: under {STALL_BYTES // 1024} KB arrived in "
                                       f"{STALL_SECONDS:g} s", "the server is stalling; "
                                       "try again later")
                checkpoint = (now, written)
            if _rss(process.pid or 0) > MAX_DOWNLOAD_RSS:
                raise AcquireError(f"{url}: reading it took more than "
                                   f"{MAX_DOWNLOAD_RSS // 1024**2} MB of memory",
                                   "the page or file is not a normal video page")
    finally:
        if process.is_alive():
            process.kill()
        process.join(5)
        parent.close()


def _clean_stale_workdirs(cache: Path) -> None:
    """Remove temporary download folders left by a process that was killed."""
    now = time.time()
    for folder in cache.glob(".download-*"):
        try:
            if now - folder.stat().st_mtime > _STALE_WORKDIR_SECONDS:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            pass


def download(
    url: str,
    cache_dir: str | os.PathLike[str],
    max_filesize: int,
    progress: ProgressCallback | None = None,
    ydl_extra: dict[str, Any] | None = None,
    seconds: float = DEFAULT_DOWNLOAD_TIMEOUT,
    refresh: bool = False,
) -> LocalVideo:
    """Download ``url`` (a video page or file) once; later calls return the cached copy, its
    provenance record marked ``"cache": "hit"`` (with the ``retrieved_at`` of the download).
    ``refresh`` downloads it again and replaces the URL's cached copy.

    The whole download runs under a deadline of ``seconds``, ``max_filesize`` bytes written and
    MAX_DOWNLOAD_RSS of memory; passing any of them is an AcquireError and leaves nothing behind.
    """
    cache = Path(cache_dir)
    if not refresh:
        hit = _cached(cache, url)
        if hit is not None:
            return hit
    return _download(url, cache, max_filesize, progress, ydl_extra, seconds)


def _download(url: str, cache: Path, max_filesize: int, progress: ProgressCallback | None,
              ydl_extra: dict[str, Any] | None, seconds: float) -> LocalVideo:
    try:
        (cache / "videos").mkdir(parents=True, exist_ok=True)
        (cache / "urls").mkdir(parents=True, exist_ok=True)
        _clean_stale_workdirs(cache)
        workdir = tempfile.mkdtemp(prefix=".download-", dir=cache)
    except OSError as exc:
        raise AcquireError(f"cannot write to the cache folder {cache} ({exc.strerror})",
                           "give --cache-dir a folder you can write to") from None
    try:
        outcome = _run_bounded(url, workdir, max_filesize, ydl_extra or {}, seconds, progress)
        if outcome.get("too_large"):
            raise AcquireError(f"{url}: the file is over --max-filesize ({max_filesize} bytes)",
                               "raise --max-filesize if you trust the source")
        if "error" in outcome:
            log.debug("%s: yt-dlp: %s", url, outcome["error"])
            reason, hint = plain_reason(outcome["error"])
            raise AcquireError(f"{url} could not be downloaded: {reason}", hint)
        files = [f for f in os.listdir(workdir) if f.startswith("download.")
                 and not f.endswith((".part", ".ytdl"))]
        if not outcome.get("info") or not files:
            reason = error_line(outcome.get("last_error") or "the extractor returned no file")
            raise AcquireError(f"{url}: nothing was downloaded ({reason})", "check the URL")
        return _store(cache, url, os.path.join(workdir, files[0]), outcome["info"],
                      outcome["version"])
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _store(cache: Path, url: str, file: str, info: dict[str, Any], version: str) -> LocalVideo:
    sha = sha256_file(file)
    name = f"{sha}.{_safe_ext(file)}"
    target = cache / "videos" / name
    if not target.exists():
        os.replace(file, target)
    record: dict[str, Any] = {
        "kind": "download",
        "requested_url": url,
        "final_url": _clean(info.get("webpage_url") or info.get("url") or url),
        **{f: _clean(info.get(f)) for f in _RECORD_FIELDS},
        "retrieved_at": _utc_now(),
        "yt_dlp_version": version,
        "sha256": sha,
        "file": name,
    }
    _write_json_atomic(cache / "videos" / f"{sha}.json", record)
    _write_json_atomic(cache / "urls" / f"{_url_key(url)}.json", record)
    return LocalVideo(path=str(target), sha256=sha, source_url=url, provenance=record)


def _write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    handle, tmp = tempfile.mkstemp(prefix=".record-", dir=path.parent)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(data, out, indent=2, ensure_ascii=False)
    os.replace(tmp, path)


@functools.lru_cache(maxsize=256)
def is_supported(url: str) -> bool:
    """Whether a yt-dlp extractor other than the generic one claims ``url``."""
    from yt_dlp.extractor import gen_extractor_classes

    return any(ie.suitable(url) and ie.ie_key() != "Generic" for ie in gen_extractor_classes())
