"""Fetching an article page: the standard library's HTTP client under a byte and time budget.

The body is read in pieces (a slow drip ends at the deadline, not at each read's timeout) and
counted after decompression (a gzip bomb ends at the byte cap); an unknown charset is read as
UTF-8.
"""

from __future__ import annotations

import http.client
import time
from typing import Any

from ..errors import AcquireError
from .article import MAX_HTML_BYTES
from .download import error_line

# Largest page read when fetching an article (HTML is untrusted and unbounded), counted after
# decompression: what the parser reads (acquire.article.MAX_HTML_BYTES).
MAX_PAGE_BYTES = MAX_HTML_BYTES
# Overall time to fetch one article page, however slowly the server drips it (a normal page
# arrives in a few seconds; the per-read socket timeout alone never ends a slow drip).
DEFAULT_PAGE_SECONDS = 60.0
# Longest wait for any single read of the page.
_READ_TIMEOUT = 20.0


def _decoder(encoding: str) -> Any:
    """A bounded decompressor for a Content-Encoding, or None for identity."""
    import zlib

    encoding = encoding.strip().lower()
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()
    if encoding in ("", "identity"):
        return None
    raise AcquireError(f"the page is sent in an encoding provenance cannot read ({encoding[:40]})",
                       "save the page from a browser and verify the file")


def _read_body(url: str, response: Any, limit: int, seconds: float) -> bytes:
    """At most ``limit`` bytes of the (decompressed) body, before ``deadline``."""
    import zlib

    decoder = _decoder(response.headers.get("Content-Encoding", ""))
    deadline = time.monotonic() + seconds
    parts: list[bytes] = []
    size = 0
    too_slow = AcquireError(f"{url}: the page took longer than {seconds:g} s to arrive",
                            "the server is too slow; save the page from a browser instead")
    while size < limit:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise too_slow
        sock = getattr(getattr(response, "fp", None), "raw", None)
        sock = getattr(sock, "_sock", None)
        if sock is not None:
            sock.settimeout(min(_READ_TIMEOUT, remaining))
        try:
            chunk = response.read1(65536)
        except TimeoutError:
            if time.monotonic() >= deadline - 0.05:
                raise too_slow from None
            raise
        if not chunk:
            break
        if decoder is not None:
            try:
                chunk = decoder.decompress(chunk, limit - size + 1)
            except zlib.error as exc:
                raise AcquireError(f"{url}: the page's compression is damaged ({exc})",
                                   "try again later") from None
        parts.append(chunk)
        size += len(chunk)
    return b"".join(parts)[:limit]


def _charset(response: Any) -> str:
    import codecs

    charset = response.headers.get_content_charset() or "utf-8"
    try:
        codecs.lookup(charset)
    except (LookupError, ValueError):
        return "utf-8"  # an unknown charset label: read as UTF-8, unknown bytes replaced
    return charset


def fetch_page(url: str, max_bytes: int = MAX_PAGE_BYTES,
               seconds: float = DEFAULT_PAGE_SECONDS) -> str:
    """The HTML of an article page (at most ``max_bytes`` decompressed, within ``seconds``),
    or AcquireError with the reason."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"User-Agent": "provenance (video verification)",
                                                   "Accept-Encoding": "identity"})
    limit = min(max_bytes, MAX_PAGE_BYTES)
    try:
        with urllib.request.urlopen(request, timeout=min(_READ_TIMEOUT, seconds)) as response:
            body = _read_body(url, response, limit, seconds)
            charset = _charset(response)
    except urllib.error.HTTPError as exc:
        raise AcquireError(f"{url}: HTTP {exc.code} {error_line(str(exc.reason))}",
                           "check the address; the page may have been removed") from None
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
        reason = getattr(exc, "reason", exc)
        raise AcquireError(f"{url}: cannot reach the page ({error_line(str(reason))})",
                           "check the address and your connection") from None
    return body.decode(charset, errors="replace")
