"""HTML + base URL -> the videos the page references. A pure function: no network here.

Looks at HTML5 ``<video>``/``<source>``, iframes and embeds of video platforms, ``og:video*`` and
``twitter:player`` meta tags, JSON-LD ``VideoObject`` (``contentUrl``, ``embedUrl``) and plain links
to video files. Relative URLs resolve against the page; embed URLs are normalised to the platform's
canonical page URL; the result is deduplicated in page order. A page read from disk may name
video files only in its own folder or below (resolved as they would be opened: ``..``,
percent-escapes, symlinks); ``file://`` URLs and paths outside it are refused with a warning
saying why, never opened. A page from the web names no file on disk.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

from ..claims import sentences
from ..language import declared
from ..models import ARTICLE, Passage, VideoRef

# Pages larger than this are cut before parsing (untrusted input). Parsing costs about 1 s of CPU
# per MB here (link search, page text and htmldate each; 20 MB took 20 s), and article HTML is
# tens to hundreds of KB; 8 MB leaves room for pages saved with their images inlined.
MAX_HTML_BYTES = 8 * 1024 * 1024
VIDEO_EXTENSIONS = (".mp4", ".webm", ".mkv", ".mov", ".m4v", ".avi", ".ogv", ".m3u8", ".mpd")
_VIDEO_HOSTS = (
    "youtube.com", "youtu.be", "youtube-nocookie.com", "facebook.com", "fb.watch", "twitter.com",
    "x.com", "instagram.com", "tiktok.com", "vimeo.com", "dailymotion.com", "dai.ly",
)
log = logging.getLogger(__name__)

# At most this many video references are kept from one page, in page order: news pages embed
# one to a handful (the article fixtures and real pages seen hold under 10); each reference costs
# a download, so a page listing thousands must not make verify run for hours.
MAX_REFERENCES = 20
# At most this many iframes, embeds and links are shown to the downloader's URL check (about
# 5 ms each over yt-dlp's extractor list): 5,000 iframes took 28 s of CPU before this cap.
MAX_URL_CHECKS = 200
# JSON-LD deeper than this is not searched (schema.org VideoObjects sit within 5 levels on real
# pages); Python's parser itself gives up near 1,000 levels.
MAX_JSON_LD_DEPTH = 32
# Where a JSON-LD VideoObject's uploadDate is kept among the page's passages: when the page says
# the video went online (an upper bound on when it was filmed), not words to read.
UPLOAD_DATE = "embed upload date"
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
    try:
        return _canonical(url)
    except ValueError:  # a malformed nested URL (e.g. a facebook plugin's href)
        return url


def _canonical(url: str) -> str:
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
        return _canonical(query["href"][0])
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


# Tags whose text is one block of the page (a paragraph, a caption, a heading...).
_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "figcaption", "blockquote", "li", "td",
           "dd", "dt", "div", "section", "article", "header", "footer", "main", "figure",
           "caption", "address", "pre", "table", "ul", "ol", "body"}
_SKIPPED = {"script", "style", "noscript", "template", "svg", "nav", "aside", "head"}
# Class or id words that mark a byline or dateline (who wrote the page, when it was published),
# not running text; an event's date or time ("event-date") is a date the page speaks of.
_BYLINE = re.compile(r"byline|dateline|author|publi|posted|timestamp|article-date|meta-date|"
                     r"(?<!event[-_])\bdate\b|(?<!event[-_])\btime\b", re.I)
# Longest text kept from one block or attribute (untrusted input).
MAX_BLOCK_CHARS = 4000
# At most this many text blocks (paragraphs, headings, captions) are kept from one page: a long
# article has a few hundred; assigning blocks to videos costs up to blocks x blocks, and a hostile
# page of 8 MB of <p> (600,000 blocks) ran for over 15 minutes before this cap.
MAX_BLOCKS = 2000


@dataclass
class _Block:
    kind: str  # headline, heading, paragraph, figcaption, embedded post, byline
    text: str
    figure: int | None


@dataclass
class _Anchor:
    """Where a video reference sits among the page's blocks: the number of blocks before it
    (None for page metadata), its figure, its embed's own label (title, aria-label, alt, a
    JSON-LD VideoObject's name) and a JSON-LD VideoObject's description and uploadDate."""

    position: int | None
    figure: int | None = None
    label: str = ""
    description: str = ""
    uploaded: str = ""


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, str, _Anchor]] = []  # (raw url, where, kind, anchor)
        self.base: str | None = None
        self.blocks: list[_Block] = []
        self.title = ""
        self._in_json_ld = False
        self._json_chunks: list[str] = []
        self._video_depth = 0
        self._stack: list[tuple[str, str]] = []  # open block tags and their kind
        self._figures: list[int] = []
        self._figure_count = 0
        self._skip = 0
        self._in_title = False
        self._buffer: list[str] = []
        self._video_anchor = _Anchor(None)
        self.language = ""  # as the page declares it (<html lang>)

    # -- text blocks -------------------------------------------------------------------------
    def _flush(self) -> None:
        text = " ".join(" ".join(self._buffer).split())[:MAX_BLOCK_CHARS]
        self._buffer = []
        if text and len(self.blocks) < MAX_BLOCKS:
            kind = next((k for _, k in reversed(self._stack) if k != "paragraph"), "paragraph")
            self.blocks.append(_Block(kind, text, self._figures[-1] if self._figures else None))

    def _kind(self, tag: str, a: dict[str, str]) -> str:
        if tag == "h1":
            return "headline"
        if tag in ("h2", "h3", "h4", "h5", "h6"):
            return "heading"
        if tag in ("figcaption", "caption") or re.search(
                r"\b(caption|legend|légende)\b", a.get("class", ""), re.I):
            return "figcaption"
        if tag == "blockquote":
            return "embedded post"
        if _marked_byline(a) or tag == "address":
            return "byline"
        return "paragraph"

    def _anchor(self, a: dict[str, str]) -> _Anchor:
        label = " ".join(a.get(k, "") for k in ("title", "aria-label", "alt") if a.get(k))
        return _Anchor(len(self.blocks), self._figures[-1] if self._figures else None,
                       " ".join(label.split())[:MAX_BLOCK_CHARS])

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "html" and not self.language:
            self.language = declared(a.get("lang") or a.get("xml:lang", ""))
        if tag == "title":
            self._in_title = True
        if tag in _SKIPPED:
            self._skip += 1
        if tag in _BLOCKS:
            self._flush()
            if tag == "p" and self._stack and self._stack[-1][0] == "p":
                self._stack.pop()
            self._stack.append((tag, self._kind(tag, a)))
            if tag == "figure":
                self._figure_count += 1
                self._figures.append(self._figure_count)
        elif tag == "br":
            self._buffer.append(" ")
        self._reference(tag, a)

    def _reference(self, tag: str, a: dict[str, str]) -> None:
        if tag == "base" and a.get("href") and self.base is None:
            self.base = a["href"]
        elif tag == "video":
            self._video_depth += 1
            self._video_anchor = self._anchor(a)
            if a.get("src"):
                self.found.append((a["src"], "<video src>", "html5", self._video_anchor))
        elif tag == "source" and self._video_depth and a.get("src"):
            self.found.append((a["src"], "<video><source src>", "html5", self._video_anchor))
        elif tag in ("iframe", "embed") and a.get("src"):
            self.found.append((a["src"], f"<{tag} src>", "embed", self._anchor(a)))
        elif tag == "object" and a.get("data"):
            self.found.append((a["data"], "<object data>", "embed", self._anchor(a)))
        elif tag == "meta":
            key = (a.get("property") or a.get("name") or "").lower()
            if key in _META_VIDEO and a.get("content"):
                self.found.append((a["content"], f'<meta property="{key}">', "meta",
                                   _Anchor(None)))
        elif tag == "a" and a.get("href"):
            self.found.append((a["href"], "<a href>", "link", self._anchor(a)))
        elif tag == "script" and a.get("type", "").lower() == "application/ld+json":
            self._in_json_ld = True
            self._json_chunks = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag in _SKIPPED and self._skip:
            self._skip -= 1
        if tag in _BLOCKS and any(t == tag for t, _ in self._stack):
            self._flush()
            while self._stack:
                if self._stack.pop()[0] == tag:
                    break
            if tag == "figure" and self._figures:
                self._figures.pop()
        if tag == "video" and self._video_depth:
            self._video_depth -= 1
        elif tag == "script" and self._in_json_ld:
            self._in_json_ld = False
            for url, where, anchor in _json_ld_videos("".join(self._json_chunks)):
                self.found.append((url, where, "json-ld", anchor))

    def handle_data(self, data: str) -> None:
        if self._in_json_ld:
            self._json_chunks.append(data)
        elif self._in_title:
            self.title += data
        elif not self._skip:
            self._buffer.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def _walk(node: object, depth: int = 0) -> Iterable[dict[str, object]]:
    if depth > MAX_JSON_LD_DEPTH:
        return
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value, depth + 1)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item, depth + 1)


def _json_ld_videos(text: str) -> list[tuple[str, str, _Anchor]]:
    """(URL, where it was found, its anchor) of each JSON-LD VideoObject's file or player, its
    name and description kept as the page's words about it (a desk audit: "Filmed in Kyiv on
    22 October 2023" in a description was not read), and its uploadDate."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return []
    found = []
    for node in _walk(data):
        kinds = node.get("@type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if "VideoObject" not in kinds:
            continue
        name, description, uploaded = (_json_text(node.get(key)) for key in (
            "name", "description", "uploadDate"))
        for key in ("contentUrl", "embedUrl"):
            value = node.get(key)
            if isinstance(value, str) and value:
                found.append((value, f"JSON-LD VideoObject.{key}", _Anchor(
                    None, label=name, description=description, uploaded=uploaded[:40])))
    return found


def _merged(first: _Anchor, then: _Anchor) -> _Anchor:
    """One video's two references as one: placed where the body places it (not only in the
    page's metadata), with the words either gives (a JSON-LD VideoObject's name and
    description)."""
    placed, other = (then, first) if first.position is None else (first, then)
    return replace(placed, label=placed.label or other.label,
                   description=placed.description or other.description,
                   uploaded=placed.uploaded or other.uploaded)


def _json_text(value: object) -> str:
    return " ".join(value.split())[:MAX_BLOCK_CHARS] if isinstance(value, str) else ""


def _parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html[:MAX_HTML_BYTES])
    collector.close()
    return collector


def find_videos(
    html: str, base_url: str, is_supported: UrlPredicate | None = None
) -> list[VideoRef]:
    """Every video ``html`` references, canonical and deduplicated, in page order.

    ``is_supported`` may say whether a downloader can handle a URL (e.g. one of yt-dlp's
    extractors claims it); iframes and links are kept when it does, besides known video hosts and
    direct video files.
    """
    return _references(_parse(html), base_url, is_supported)[0]


def read_page(
    html: str, base_url: str, is_supported: UrlPredicate | None = None
) -> tuple[list[VideoRef], list[Passage], list[str]]:
    """The videos a page references (as ``find_videos``), what the page says about each
    (passages whose ``applies_to`` is the video's index in that list, or ``"article"`` for the
    headline, lede and byline, which are about every video), and what of its references was
    left out, each said with why (files a saved page names outside its folder, videos past
    MAX_REFERENCES): a result must say it, not only a warning on stderr."""
    collector = _parse(html)
    refs, anchors, left_out = _references(collector, base_url, is_supported)
    return refs, _passages(collector, anchors), left_out


def _references(collector: _Collector, base_url: str, is_supported: UrlPredicate | None
                ) -> tuple[list[VideoRef], list[_Anchor], list[str]]:
    try:
        base = urljoin(base_url, collector.base) if collector.base else base_url
    except ValueError:  # a malformed <base href>: resolve against the page itself
        base = base_url
    # Only a page read from disk may point at files on disk: a remote page naming file:///
    # paths must not make us read the machine it runs on.
    folder = _page_folder(base_url)
    schemes = {"http", "https"} | ({"file"} if folder else set())
    refs: list[VideoRef] = []
    anchors: list[_Anchor] = []
    left_out: list[str] = []
    seen: dict[str, int] = {}
    checks = 0
    for raw, where, kind, anchor in collector.found:
        try:
            url = urljoin(base, raw.strip())
            scheme = urlsplit(url).scheme
            written = urlsplit(raw.strip()).scheme
        except ValueError:  # e.g. a malformed IPv6 host: not a reference we can follow
            continue
        if scheme not in schemes:
            continue
        if kind in ("embed", "link") and not (is_video_file_url(url) or is_platform_url(url)):
            checks += 1
            if not (is_supported and checks <= MAX_URL_CHECKS and is_supported(url)):
                continue
        if kind == "link" and is_platform_url(url) and not _looks_like_video_page(url):
            continue
        if scheme == "file" and folder:
            inside, why = (None, "a file:// URL") if written == "file" else _inside(url, folder)
            if inside is None:
                left_out.append(_refused(raw, where, why))
                continue
            url = inside
        url = canonical_url(url)
        if url not in seen:
            seen[url] = len(refs)
            refs.append(VideoRef(url=url, found_in=where, kind=kind))
            anchors.append(anchor)
        else:
            anchors[seen[url]] = _merged(anchors[seen[url]], anchor)
    if len(refs) > MAX_REFERENCES:
        left_out.append(f"the page references {len(refs)} videos; only the first "
                        f"{MAX_REFERENCES} are verified")
        log.warning("%s", left_out[-1])
    return refs[:MAX_REFERENCES], anchors[:MAX_REFERENCES], left_out


def _page_folder(base_url: str) -> str:
    """The folder of a page read from disk (its ``file:`` URL), symlinks resolved; '' for a
    page from the web."""
    parts = urlsplit(base_url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return ""
    return os.path.realpath(os.path.dirname(unquote(parts.path)))


def _inside(url: str, folder: str) -> tuple[str | None, str]:
    """(the ``file:`` URL of the file ``url`` names, "") when it is in ``folder`` or below
    (``..``, percent-escapes and symlinks resolved, as the file would be opened), else (None,
    why not)."""
    if "\x00" in unquote(url):  # a NUL names no file
        return None, "not a file name"
    parts = urlsplit(url)
    path = os.path.realpath(unquote(parts.path))
    if parts.netloc not in ("", "localhost") or os.path.commonpath([folder, path]) != folder \
            or path == folder:
        return None, "outside the page's folder"
    return Path(path).as_uri(), ""


def _refused(raw: str, where: str, reason: str) -> str:
    """A saved page's reference to a file that is not opened, said (and warned) with the
    reason: a page may only name videos in its own folder (and below), never other files on
    this disk."""
    said = (f"the page's {where} {raw.strip()[:200]!r} is not opened: {reason} (a saved page "
            "may only name videos in its own folder or below)")
    log.warning("%s", said)
    return said


# A paragraph between two videos that announces what follows belongs to the next one; one that
# points back, to the previous one.
# "Another angle, filmed mid-September in Lyon." between two videos is the second's (a desk
# audit's page had it blamed on the first, and a ClaimReview published on it).
# A paragraph that also points back ("Another view of the scene above") is the previous one's:
# the new words only break the tie the position would otherwise decide.
_SHOWN = r"(?:video|clip|angle|view|shot|camera|sequence|footage)"
_MONTRE = r"(?:vidéo|angle|plan|vue|caméra|séquence|images)"
_FORWARD = re.compile(r":\s*$|\b(below|ci-dessous|ci-après|following|suivante?|next " + _SHOWN
                      + r"|second " + _SHOWN + r"|(?:deuxième|seconde?) " + _MONTRE
                      + r"|watch|regardez|meanwhile|(?:another|a different) " + _SHOWN
                      + r"|(?:une? autres?|d'autres) " + _MONTRE
                      + r"|par ailleurs|en revanche)\b", re.I)
_BACKWARD = re.compile(r"\b(above|ci-dessus|précédente|previous|first " + _SHOWN
                       + r"|(?:première|premier) " + _MONTRE + r")\b", re.I)


# A paragraph that names a video by its rank ("The first clip was filmed...", "The second was
# shot...", "La deuxième vidéo montre...") is that video's, wherever it stands (a desk audit's
# page put each video's date before it: the first was taken for the lede, the second for the
# first video's, and both videos were rated on the other's date). The rank must name a video
# or begin a clause about one ("the second day" is no video, "the second camera in the video
# above" a camera).
_RANKS = {"first": 0, "second": 1, "third": 2, "fourth": 3, "premier": 0, "première": 0,
          "premiere": 0, "deuxième": 1, "deuxieme": 1, "seconde": 1,
          "troisième": 2, "troisieme": 2, "quatrième": 3, "quatrieme": 3}
_RANKED = re.compile(rf"\b(?:the|la|le)\s+({'|'.join(_RANKS)})\s+(?:videos?|clips?|footage|one|"
                     r"vidéos?|séquences?|was|is|shows|montre|a été|est)\b", re.I)


def _ranked(text: str, videos: int) -> int | None:
    """The rank of the one video a block names by its rank, if it names one."""
    ranks = {_RANKS[m.group(1).lower()] for m in _RANKED.finditer(text)}
    return ranks.pop() if len(ranks) == 1 and min(ranks) < videos else None


# A block about every video: "Both videos were filmed in Kyiv", "Les deux vidéos", "All the
# clips" (a desk audit: it was applied to the first video only).
_EVERY_VIDEO = re.compile(r"\b(?:both |all (?:the |these |three |four )?|the two |these |"
                          r"les deux |toutes les |ces )(?:videos|clips|vidéos|séquences)\b",
                          re.I)


def _by_rank(text: str, videos: int) -> list[tuple[str, int | None]]:
    """A block that names several videos by their rank, sentence by sentence, each with the
    rank it names; a sentence naming none goes with the one before it ("The first video was
    filmed on 22 October. The second shows a factory": a desk audit gave both sentences to
    the second video). [] where the block names fewer than two."""
    ranks = {_RANKS[m.group(1).lower()] for m in _RANKED.finditer(text)}
    if len({r for r in ranks if r < videos}) < 2:
        return []
    split: list[tuple[str, int | None]] = []
    for sentence in sentences(text):
        rank = _ranked(sentence, videos)
        split.append((sentence, rank if rank is not None or not split else split[-1][1]))
    return split


def _passages(collector: _Collector, anchors: list[_Anchor]) -> list[Passage]:
    blocks = collector.blocks
    headline = next((b.text for b in blocks if b.kind == "headline"), "") or \
        " ".join(collector.title.split())
    passages = [Passage(headline, "headline", ARTICLE)] if headline else []
    figures = {a.figure for a in anchors if a.figure is not None}
    for index, anchor in enumerate(anchors):
        if anchor.label:
            passages.append(Passage(anchor.label, "embed title", index))
        if anchor.description:
            passages.append(Passage(anchor.description, "embed description", index))
        if anchor.uploaded:
            passages.append(Passage(anchor.uploaded, UPLOAD_DATE, index))
        passages += [Passage(b.text, "figcaption", index) for b in blocks
                     if b.kind == "figcaption" and b.figure is not None
                     and b.figure == anchor.figure]
    placed = sorted((a.position, i) for i, a in enumerate(anchors) if a.position is not None)
    body = [k for k, b in enumerate(blocks) if b.kind not in ("headline", "byline")
            and not (b.kind == "figcaption" and b.figure in figures)]
    in_body = set(body)
    lede = next((k for k in body if blocks[k].kind == "paragraph"), None)
    if lede is not None and (placed and lede >= placed[0][0] or _FORWARD.search(
            blocks[lede].text) or len(placed) > 1 and _ranked(blocks[lede].text, len(placed))
            is not None):
        lede = None
    for k, block in enumerate(blocks):
        if block.kind == "byline":
            passages.append(Passage(block.text, "byline", ARTICLE))
        elif k == lede:
            passages.append(Passage(block.text, "lede", ARTICLE))
        elif k in in_body and block.kind != "headline":
            where = "embedded post" if block.kind == "embedded post" else "paragraph"
            passages += _body_passages(k, where, blocks, body, placed, len(anchors))
    return [replace(p, language=collector.language) for p in passages]


def _body_passages(k: int, where: str, blocks: list[_Block], body: list[int],
                   placed: list[tuple[int, int]], videos: int) -> list[Passage]:
    """A body block as the passages of the videos it is about: every video's, where it speaks
    of them all; split by sentence, where it names several by their rank; else ``_owner``'s."""
    text = blocks[k].text
    if len(placed) > 1 and _EVERY_VIDEO.search(text):
        return [Passage(text, where, ARTICLE)]
    owner = _owner(k, blocks, body, placed, videos)
    return [Passage(sentence, where, placed[rank][1] if rank is not None else owner)
            for sentence, rank in _by_rank(text, len(placed))] or [Passage(text, where, owner)]


def _owner(k: int, blocks: list[_Block], body: list[int], placed: list[tuple[int, int]],
           videos: int) -> int | str:
    """The video a body block is about: the only one; the one it names by its rank; else the
    nearest in the page, with the blocks between two videos split by headings, by words
    pointing forward or back, and otherwise half to each (an odd middle one to the video
    above, as a caption follows)."""
    if videos == 1:
        return 0
    if not placed:
        return ARTICLE
    rank = _ranked(blocks[k].text, len(placed))
    if rank is not None:
        return placed[rank][1]
    if k < placed[0][0]:
        return placed[0][1]
    if k >= placed[-1][0]:
        return placed[-1][1]
    (start, above), (end, below) = next(
        (placed[j], placed[j + 1]) for j in range(len(placed) - 1)
        if placed[j][0] <= k < placed[j + 1][0])
    between = [j for j in body if start <= j < end]
    heading = next((j for j in between if blocks[j].kind == "heading"), None)
    if heading is not None:
        return below if k >= heading else above
    text = blocks[k].text
    if _BACKWARD.search(text):
        return above
    if _FORWARD.search(text):
        return below
    return above if between.index(k) < (len(between) + 1) // 2 else below


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


# Bylines: at most this many are shown to htmldate (a page has one or two).
MAX_BYLINES = 10


class _DateMarkup(HTMLParser):
    """What of a page says when it was published, and nothing of its running text: its
    ``<meta>`` tags, canonical link and JSON-LD; the ``<time datetime>`` of its header or byline
    (a ``<time>`` in the text is a date the article speaks of); the text of its bylines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.head: list[str] = []
        self.times: list[str] = []
        self.bylines: list[list[str]] = []
        self._open: list[tuple[str, str]] = []  # open containers: (tag, "header"/"byline"/"")
        self._json: list[str] | None = None
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta" or (tag == "link" and a.get("rel", "").lower() == "canonical"):
            self.head.append(f"<{tag} {_attributes(a)}>")
        elif tag == "script" and a.get("type", "").lower() == "application/ld+json":
            self._json = []
        elif tag in _SKIPPED - {"head", "nav", "aside"}:
            self._skip += 1
        elif tag == "time" and len(a.get("datetime", "")) > 6 and (
                any(kind for _, kind in self._open) or _byline(a)):
            self.times.append(f"<time {_attributes(a)}></time>")
        elif tag in _BLOCKS or tag == "span":
            kind = "byline" if _byline(a) or tag == "address" else (
                "header" if tag == "header" else "")
            if kind == "byline" and len(self.bylines) < MAX_BYLINES:
                self.bylines.append([])
            self._open.append((tag, kind))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._json is not None:
            text = "".join(self._json).replace("</", "<\\/")
            self.head.append(f'<script type="application/ld+json">{text}</script>')
            self._json = None
        elif tag in _SKIPPED - {"head", "nav", "aside"} and self._skip:
            self._skip -= 1
        elif any(t == tag for t, _ in self._open):
            while self._open and self._open.pop()[0] != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self._json is not None:
            self._json.append(data)
        elif not self._skip and self.bylines and any(k == "byline" for _, k in self._open):
            if sum(map(len, self.bylines[-1])) < MAX_BLOCK_CHARS:
                self.bylines[-1].append(data)

    def skeleton(self, bylines: bool) -> str:
        """The page's date markup as a page of its own; with its bylines' text or without."""
        from html import escape

        text = "".join(f'<p class="byline">{escape(" ".join("".join(b).split()))}</p>'
                       for b in self.bylines if "".join(b).strip()) if bylines else ""
        return (f"<html><head>{''.join(self.head)}</head><body><header>"
                f"{''.join(self.times)}</header>{text}</body></html>")


def _marked_byline(a: dict[str, str]) -> bool:
    """Whether an element's class or id marks it as a byline or dateline."""
    return bool(_BYLINE.search(f"{a.get('class', '')} {a.get('id', '')}"))


def _byline(a: dict[str, str]) -> bool:
    """Whether an element's attributes mark it as a byline or dateline (as ``_Collector`` reads
    them), or its date as the publication date."""
    return _marked_byline(a) or "pubdate" in a \
        or a.get("itemprop", "").lower() in ("datepublished", "datecreated")


def _attributes(a: dict[str, str]) -> str:
    from html import escape

    return " ".join(f'{k}="{escape(v[:MAX_BLOCK_CHARS])}"' for k, v in a.items()
                    if re.fullmatch(r"[a-z][\w:-]*", k))


def published_date(html: str, url: str | None = None) -> str:
    """The article's own publication date (YYYY-MM-DD) as htmldate reads it from the page's
    markup and metadata only: ``<meta>`` tags (``article:published_time``, ``date``,
    ``itemprop="datePublished"``...), JSON-LD (``datePublished``), the ``<time datetime>`` of its
    header or byline, the text of an element marked as its byline or dateline (class or id
    ``byline``, ``dateline``, ``published``..., as ``read_page`` labels bylines), and a date in
    its web address; or '' when they give none.

    Never from its running text, title or headings: htmldate's text search, even with
    ``extensive_search=False``, reads the ``<title>``, the ``<h1>`` and any bare ISO date in the
    body, so a page without metadata was dated by a date it speaks of ("The bypass opened on 3
    March 2016" became "published 2016-03-03"). Only a skeleton of the page's date markup is
    shown to htmldate. Dates in the text are read as claims by ``claims``."""
    from htmldate import find_date

    collector = _DateMarkup()
    collector.feed(html[:MAX_HTML_BYTES])
    collector.close()
    web = url if url and urlsplit(url).scheme in ("http", "https") else None
    # Metadata and marked-up times first; a byline's text only when they give no date (in one
    # page, htmldate reads dated elements before <time> elements).
    for bylines in (False, True):
        try:
            found = find_date(collector.skeleton(bylines), url=web, original_date=True,
                              outputformat="%Y-%m-%d", extensive_search=False)
        except (ValueError, TypeError):
            return ""
        if found:
            return found
    return ""
