"""A hostile web server on 127.0.0.1 for the download tests: bodies that never end, a gzip bomb,
a slow drip, redirects to loopback and in a loop, an unknown charset.

Every response stops by itself (HOSTILE_SECONDS, HOSTILE_BYTES) or when the client goes away,
so a test that fails cannot leave the server streaming forever.
"""

from __future__ import annotations

import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

# The longest any hostile response lasts, and the most it sends.
HOSTILE_SECONDS = 30.0
HOSTILE_BYTES = 1024**3
# Decompressed size of the gzip bomb (about 1 MB on the wire).
BOMB_BYTES = 1024**3


def _bomb() -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    return b"".join(packer.compress(block) for _ in range(BOMB_BYTES >> 20)) + packer.flush()


class HostileHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    bomb = b""
    clip = b""  # a real video, served at /clip.mp4 whatever the query string

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        path = urlsplit(self.path).path
        routes = {
            "/endless.mp4": lambda: self._endless("video/mp4"),
            "/endless.html": lambda: self._endless("text/html"),
            "/bomb.mp4": self._gzip_bomb,
            "/bomb.html": self._gzip_bomb,
            "/drip.mp4": lambda: self._drip("video/mp4"),
            "/drip.html": lambda: self._drip("text/html"),
            "/to-loopback.mp4": lambda: self._redirect("http://127.0.0.1:9/secret.mp4"),
            "/loop.mp4": lambda: self._redirect("/loop.mp4"),
            "/badcharset.html": self._bad_charset,
            "/hang.mp4": self._hang,
            "/five-hanging.html": self._five_hanging,
            "/page.html": self._page,
            "/clip.mp4": self._clip,
        }
        route = routes.get(path)
        if route is None:
            self.send_error(404)
            return
        try:
            route()
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            pass
        self.close_connection = True

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")

    def _endless(self, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        block = (b"<p>endless</p>" if kind == "text/html" else b"\x00\x00\x00\x18ftyp") * 4096
        stop, sent = time.monotonic() + HOSTILE_SECONDS, 0
        while time.monotonic() < stop and sent < HOSTILE_BYTES:
            self._chunk(block)
            sent += len(block)

    def _gzip_bomb(self) -> None:
        body = type(self).bomb
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _drip(self, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(10**6))
        self.end_headers()
        stop = time.monotonic() + HOSTILE_SECONDS
        while time.monotonic() < stop:
            self.wfile.write(b"<" if kind == "text/html" else b"\x00")
            self.wfile.flush()
            time.sleep(0.5)

    def _redirect(self, target: str) -> None:
        self.send_response(302)
        self.send_header("Location", target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _hang(self) -> None:
        time.sleep(HOSTILE_SECONDS)  # accepts the request, never answers

    def _five_hanging(self) -> None:
        body = "".join(f"<video src='/hang.mp4?{n}'></video>" for n in range(5)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _clip(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "video/mp4")
        self.send_header("Content-Length", str(len(self.clip)))
        self.end_headers()
        self.wfile.write(self.clip)

    def _page(self) -> None:
        """An article whose one video is the path given as the query (/page.html?/bomb.mp4)."""
        body = f"<html><title>page</title><video src='{urlsplit(self.path).query}'></video>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body.encode())))
        self.end_headers()
        self.wfile.write(body.encode())

    def _bad_charset(self) -> None:
        body = ("<html><title>caf\u00e9</title><video src='/clip.mp4'></video></html>"
                ).encode("latin-1")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=x-no-such-charset")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def hostile_server() -> Iterator[str]:
    """The base URL of a running hostile server; shut down on exit."""
    if not HostileHandler.bomb:
        HostileHandler.bomb = _bomb()
    server = ThreadingHTTPServer(("127.0.0.1", 0), HostileHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
