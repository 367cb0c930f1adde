"""Download with yt-dlp's Python API into a content-addressed cache, with a provenance record.

The only module that imports yt_dlp. Nothing a remote server says becomes a path: files are named
by their sha256, written in a private temporary folder and moved into place only once complete,
so the cache never holds a partial file.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import AcquireError, MediaError
from ..models import LocalVideo

# Longest string kept from remote metadata (titles and descriptions are untrusted and unbounded).
MAX_META_CHARS = 5000
_RECORD_FIELDS = ("extractor", "id", "uploader", "uploader_id", "channel", "upload_date",
                  "timestamp", "title", "description", "duration", "webpage_url")

ProgressCallback = Callable[[int, int | None], None]


def sha256_file(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def local_video(path: str) -> LocalVideo:
    """A video file already on disk, with its sha256."""
    if not os.path.exists(path):
        raise MediaError(f"{path}: no such file", "check the path")
    if not os.path.isfile(path):
        raise MediaError(f"{path} is not a file", "give a video file")
    sha = sha256_file(path)
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


def _one_line(message: str) -> str:
    text = re.sub(r"\x1b\[[0-9;]*m", "", message).replace("ERROR: ", "").strip()
    return text.splitlines()[0][:300] if text else "download failed"


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


def download(
    url: str,
    cache_dir: str | os.PathLike[str],
    max_filesize: int,
    progress: ProgressCallback | None = None,
    ydl_extra: dict[str, Any] | None = None,
) -> LocalVideo:
    """Download ``url`` (a video page or file) once; later calls return the cached copy."""
    import yt_dlp

    cache = Path(cache_dir)
    hit = _cached(cache, url)
    if hit is not None:
        return hit
    (cache / "videos").mkdir(parents=True, exist_ok=True)
    (cache / "urls").mkdir(parents=True, exist_ok=True)
    workdir = tempfile.mkdtemp(prefix=".download-", dir=cache)
    logger = _QuietLogger()
    try:
        options = _ydl_options(workdir, max_filesize, logger, progress, ydl_extra or {})
        try:
            with yt_dlp.YoutubeDL(options) as ydl:
                info = ydl.extract_info(url, download=True)
        except yt_dlp.utils.DownloadError as exc:
            raise AcquireError(f"{url}: {_one_line(logger.last_error or str(exc))}",
                               "check the URL opens in a browser; pass --cookies for "
                               "private posts") from None
        files = [f for f in os.listdir(workdir) if f.startswith("download.")
                 and not f.endswith((".part", ".ytdl"))]
        if logger.too_large:
            raise AcquireError(f"{url}: the file is over --max-filesize ({max_filesize} bytes)",
                               "raise --max-filesize if you trust the source")
        if not info or not files:
            reason = _one_line(logger.last_error or "the extractor returned no file")
            raise AcquireError(f"{url}: nothing was downloaded ({reason})", "check the URL")
        return _store(cache, url, os.path.join(workdir, files[0]), info, yt_dlp.version.__version__)
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


# Largest page read when fetching an article (HTML is untrusted and unbounded).
MAX_PAGE_BYTES = 20 * 1024 * 1024


def fetch_page(url: str, max_bytes: int = MAX_PAGE_BYTES) -> str:
    """The HTML of an article page (at most ``max_bytes``), or AcquireError with the reason."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"User-Agent": "provenance (video verification)"})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            body = response.read(min(max_bytes, MAX_PAGE_BYTES) + 1)
            charset = response.headers.get_content_charset() or "utf-8"
    except urllib.error.HTTPError as exc:
        raise AcquireError(f"{url}: HTTP {exc.code} {exc.reason}",
                           "check the address; the page may have been removed") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise AcquireError(f"{url}: cannot reach the page ({reason})",
                           "check the address and your connection") from None
    if len(body) > min(max_bytes, MAX_PAGE_BYTES):
        body = body[: min(max_bytes, MAX_PAGE_BYTES)]
    return body.decode(charset, errors="replace")
