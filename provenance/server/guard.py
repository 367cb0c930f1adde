"""Which addresses a public server may fetch from: submitted URLs and every hop after them.

Checked twice: the submitted URL when a job is created (a clear 400 at once), and every
connection a worker process opens, at the one place Python code resolves names
(``socket.getaddrinfo``): urllib (article pages) and yt-dlp's HTTP stack both connect to the
addresses it returns, so redirects, embedded players and DNS answers that change between the check
and the connection are covered alike. yt-dlp hands some formats (live streams, ffmpeg-only HLS) to
an ffmpeg process that opens its own connections; a guarded worker refuses those downloads.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from ..errors import AcquireError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_HINT = ("a public server fetches only public addresses; an administrator can allow a network "
         "with `provenance serve --allow-net`")


def address_allowed(address: str, allow: Sequence[Network]) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if any(ip in network for network in allow):
        return True
    return ip.is_global and not ip.is_multicast


def check_url(url: str, allow: Sequence[Network]) -> None:
    """AcquireError unless ``url`` is http(s) and every address its host resolves to is allowed."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AcquireError(f"{url[:200]}: only http and https URLs can be verified", _HINT)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise AcquireError(f"{url[:200]}: the port is not valid", "check the URL") from None
    try:
        infos = _resolve(parts.hostname, port, 0, socket.SOCK_STREAM)
    except OSError as exc:
        raise AcquireError(f"{parts.hostname}: cannot resolve the host ({exc})",
                           "check the address") from None
    refused = [str(info[4][0]) for info in infos if not address_allowed(str(info[4][0]), allow)]
    if refused:
        raise AcquireError(f"{url[:200]}: {parts.hostname} is a non-public address "
                           f"({refused[0]})", _HINT)


_resolve = socket.getaddrinfo


def _guarded_getaddrinfo(allow: Sequence[Network]) -> Any:
    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        infos = _resolve(host, port, *args, **kwargs)
        allowed = [info for info in infos if address_allowed(str(info[4][0]), allow)]
        if not allowed:
            raise OSError(f"{host} is a non-public address ({infos[0][4][0]}); refused by the "
                          "server's URL guard")
        return allowed
    return getaddrinfo


def install(allow: Sequence[Network]) -> None:
    """Guard every later name resolution of this process (a worker's, never the server's)."""
    socket.getaddrinfo = _guarded_getaddrinfo(allow)
    from yt_dlp.downloader import external

    def refuse(self: Any, filename: str, info_dict: dict[str, Any]) -> bool:
        raise AcquireError("this format is downloaded by ffmpeg, whose connections the server "
                           "cannot check", "download it on a desk machine and upload the file")

    external.FFmpegFD.real_download = refuse  # type: ignore[method-assign]
