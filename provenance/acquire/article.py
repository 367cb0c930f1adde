"""HTML + base URL -> the videos the page references. A pure function: no network here.

Looks at HTML5 ``<video>``/``<source>``, iframes and embeds of video platforms, ``og:video*`` and
``twitter:player`` meta tags, JSON-LD ``VideoObject`` (``contentUrl``, ``embedUrl``) and plain links
to video files. Relative URLs resolve against the page; embed URLs are normalised to the platform's
canonical page URL; the result is deduplicated in page order.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

from ..models import VideoRef

# Pages larger than this are cut before parsing (untrusted input).
MAX_HTML_BYTES = 20 * 1024 * 1024
VIDEO_EXTENSIONS = (".mp4", ".webm", ".mkv", ".mov", ".m4v", ".avi", ".ogv", ".m3u8", ".mpd")
_VIDEO_HOSTS = (
    "youtube.com", "youtu.be", "youtube-nocookie.com", "facebook.com", "fb.watch", "twitter.com",
    "x.com", "instagram.com", "tiktok.com", "vimeo.com", "dailymotion.com", "dai.ly",
)
_META_VIDEO = {"og:video", "og:video:url", "og:video:secure_url", "twitter:player",
               "twitter:player:stream"}

UrlPredicate = Callable[[str], bool]


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def _on_host(url: str, *hosts: str) -> bool:
    host = _host(url)
    return any(host == h or host.endswith("." + h) for h in hosts)


def canonical_url(url: str) -> str:
    """The platform's canonical page URL for an embed URL, or the URL unchanged."""
    parts = urlsplit(url)
    path = parts.path
    query = parse_qs(parts.query)
    if _on_host(url, "youtube.com", "youtube-nocookie.com"):
        match = re.match(r"^/(?:embed|shorts|v|live)/([\w-]{6,})", path)
        if match:
            return f"https://www.youtube.com/watch?v={match.group(1)}"
        if path == "/watch" and query.get("v"):
            return f"https://www.youtube.com/watch?v={query['v'][0]}"
    if _on_host(url, "youtu.be"):
        video_id = path.strip("/").split("/")[0]
        if video_id:
            return f"https://www.youtube.com/watch?v={video_id}"
    if _on_host(url, "facebook.com") and path.startswith("/plugins/") and query.get("href"):
        return canonical_url(query["href"][0])
    if _on_host(url, "player.vimeo.com"):
        match = re.match(r"^/video/(\d+)", path)
        if match:
            return f"https://vimeo.com/{match.group(1)}"
    if _on_host(url, "dailymotion.com"):
        match = re.match(r"^/embed/video/(\w+)", path)
        if match:
            return f"https://www.dailymotion.com/video/{match.group(1)}"
    if _on_host(url, "instagram.com"):
        match = re.match(r"^/(p|reel|tv)/([\w-]+)", path)
        if match:
            return f"https://www.instagram.com/{match.group(1)}/{match.group(2)}/"
    if _on_host(url, "twitter.com", "x.com", "platform.twitter.com") and query.get("id"):
        return f"https://x.com/i/status/{query['id'][0]}"
    if _on_host(url, "tiktok.com"):
        match = re.match(r"^/embed(?:/v2)?/(\d+)", path)
        if match:
            return f"https://www.tiktok.com/embed/v2/{match.group(1)}"
    return url


def is_video_file_url(url: str) -> bool:
    return urlsplit(url).path.lower().endswith(VIDEO_EXTENSIONS)


def is_platform_url(url: str) -> bool:
    return _on_host(url, *_VIDEO_HOSTS)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, str]] = []  # (raw url, where, kind)
        self.base: str | None = None
        self._in_json_ld = False
        self._json_chunks: list[str] = []
        self._video_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "base" and a.get("href") and self.base is None:
            self.base = a["href"]
        elif tag == "video":
            self._video_depth += 1
            if a.get("src"):
                self.found.append((a["src"], "<video src>", "html5"))
        elif tag == "source" and self._video_depth and a.get("src"):
            self.found.append((a["src"], "<video><source src>", "html5"))
        elif tag in ("iframe", "embed") and a.get("src"):
            self.found.append((a["src"], f"<{tag} src>", "embed"))
        elif tag == "object" and a.get("data"):
            self.found.append((a["data"], "<object data>", "embed"))
        elif tag == "meta":
            key = (a.get("property") or a.get("name") or "").lower()
            if key in _META_VIDEO and a.get("content"):
                self.found.append((a["content"], f'<meta property="{key}">', "meta"))
        elif tag == "a" and a.get("href"):
            self.found.append((a["href"], "<a href>", "link"))
        elif tag == "script" and a.get("type", "").lower() == "application/ld+json":
            self._in_json_ld = True
            self._json_chunks = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "video" and self._video_depth:
            self._video_depth -= 1
        elif tag == "script" and self._in_json_ld:
            self._in_json_ld = False
            for url, where in _json_ld_videos("".join(self._json_chunks)):
                self.found.append((url, where, "json-ld"))

    def handle_data(self, data: str) -> None:
        if self._in_json_ld:
            self._json_chunks.append(data)


def _walk(node: object) -> Iterable[dict[str, object]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def _json_ld_videos(text: str) -> list[tuple[str, str]]:
    try:
        data = json.loads(text)
    except ValueError:
        return []
    found = []
    for node in _walk(data):
        kinds = node.get("@type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if "VideoObject" not in kinds:
            continue
        for key in ("contentUrl", "embedUrl"):
            value = node.get(key)
            if isinstance(value, str) and value:
                found.append((value, f"JSON-LD VideoObject.{key}"))
    return found


def find_videos(
    html: str, base_url: str, is_supported: UrlPredicate | None = None
) -> list[VideoRef]:
    """Every video ``html`` references, canonical and deduplicated, in page order.

    ``is_supported`` may say whether a downloader can handle a URL (e.g. one of yt-dlp's
    extractors claims it); iframes and links are kept when it does, besides known video hosts and
    direct video files.
    """
    collector = _Collector()
    collector.feed(html[:MAX_HTML_BYTES])
    collector.close()
    base = urljoin(base_url, collector.base) if collector.base else base_url
    # Only a page read from disk may point at files on disk: a remote page naming file:///
    # paths must not make us read the machine it runs on.
    schemes = {"http", "https"} | ({"file"} if urlsplit(base_url).scheme == "file" else set())
    refs: list[VideoRef] = []
    seen: set[str] = set()
    for raw, where, kind in collector.found:
        url = urljoin(base, raw.strip())
        if urlsplit(url).scheme not in schemes:
            continue
        if kind in ("embed", "link") and not (
            is_video_file_url(url) or is_platform_url(url) or (is_supported and is_supported(url))
        ):
            continue
        if kind == "link" and is_platform_url(url) and not _looks_like_video_page(url):
            continue
        url = canonical_url(url)
        if url not in seen:
            seen.add(url)
            refs.append(VideoRef(url=url, found_in=where, kind=kind))
    return refs


def _looks_like_video_page(url: str) -> bool:
    """Links to a platform's home or profile pages are navigation, not video references."""
    path = urlsplit(url).path
    return bool(re.search(r"/(watch|video|videos|reel|p|status|embed|v)/?|youtu\.be", url)) or (
        _on_host(url, "youtu.be") and len(path) > 1
    )


class _TextCollector(HTMLParser):
    _SKIP = {"script", "style", "noscript", "template", "svg"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title = ""
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skip += 1
        elif tag == "title":
            self._in_title = True

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skip:
            self._skip -= 1
        elif tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._skip and data.strip():
            self.parts.append(" ".join(data.split()))


def page_text(html: str) -> tuple[str, str]:
    """(title, visible text) of a page, scripts and styles left out."""
    collector = _TextCollector()
    collector.feed(html[:MAX_HTML_BYTES])
    collector.close()
    return " ".join(collector.title.split()), "\n".join(collector.parts)


def published_date(html: str, url: str | None = None) -> str:
    """The article's own publication date (YYYY-MM-DD) as htmldate reads it from its markup,
    metadata and text, or '' when it cannot tell."""
    from htmldate import find_date

    try:
        found = find_date(html[:MAX_HTML_BYTES], url=url, original_date=True,
                          outputformat="%Y-%m-%d", extensive_search=True)
    except (ValueError, TypeError):
        return ""
    return found or ""
