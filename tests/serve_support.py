"""Real parts for the `provenance serve` tests: the server as a process, a local HTTP server
for URLs (files, slow files, redirects), and helpers to wait for jobs."""

from __future__ import annotations

import http.server
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

EDITOR_TOKEN = "alice-token-0123456789abcdef"
OTHER_TOKEN = "bob-token-0123456789abcdefgh"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def token_file(folder: Path) -> Path:
    path = folder / "tokens.txt"
    path.write_text(f"# editors\nalice:{EDITOR_TOKEN}\nbob:{OTHER_TOKEN}\n", "utf-8")
    return path


def provenance_command() -> list[str]:
    """The installed `provenance` script of this environment (or the same entry point)."""
    script = Path(sys.executable).with_name("provenance")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from provenance.cli import main; main()"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class ServerProcess:
    """`provenance serve` started as its own process; ``url`` reaches it over loopback."""

    def __init__(self, db: Path | str, host: str = "127.0.0.1", *extra: str,
                 env: dict[str, str] | None = None, log_dir: Path | None = None) -> None:
        """``db``: an SQLite file (the log goes beside it) or a PostgreSQL URL (give log_dir)."""
        self.db, self.host, self.extra = db, host, extra
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **(env or {})}
        if log_dir is None:
            assert isinstance(db, Path), "a PostgreSQL library's server needs a log_dir"
            log_dir = db.parent
        name = db.name if isinstance(db, Path) else "postgresql"
        self.log = log_dir / f"{name}.server-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> ServerProcess:
        command = [*provenance_command(), "serve", "--db", str(self.db),
                   "--host", self.host, "--port", str(self.port), "--create", *self.extra]
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=log, env=self.env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError(f"server did not answer: {self.log.read_text()[-2000:]}")

    def children(self) -> list[int]:
        """Process ids whose parent is the server (its worker processes)."""
        assert self.process is not None
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                    found.append(int(entry.name))
        return found

    def kill9(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


@contextmanager
def running_server(db: Path, host: str = "127.0.0.1", *extra: str,
                   env: dict[str, str] | None = None) -> Iterator[ServerProcess]:
    server = ServerProcess(db, host, *extra, env=env).start()
    try:
        yield server
    finally:
        server.stop()


class FileServer:
    """A local HTTP server over a folder. ``/slow/NAME`` sends NAME over ``slow_seconds``;
    ``/redirect...?to=URL`` answers 302 to URL. Every request path is kept in ``requests``."""

    def __init__(self, folder: Path, host: str = "127.0.0.1", slow_seconds: float = 4.0) -> None:
        self.requests: list[str] = []
        outer = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, directory=str(folder), **kwargs)

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                outer.requests.append(self.path)
                if self.path.startswith("/redirect"):
                    self.send_response(302)
                    self.send_header("Location", self.path.split("?to=", 1)[1])
                    self.end_headers()
                elif self.path.startswith("/slow/"):
                    self._slow(folder / self.path[len("/slow/"):])
                else:
                    super().do_GET()

            def _slow(self, path: Path) -> None:
                data = path.read_bytes()
                self.send_response(200)
                self.send_header("Content-Type", "video/mp4")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                chunks = 20
                step = len(data) // chunks + 1
                for start in range(0, len(data), step):
                    self.wfile.write(data[start:start + step])
                    self.wfile.flush()
                    time.sleep(outer.slow_seconds / chunks)

        self.slow_seconds = slow_seconds
        self.httpd = http.server.ThreadingHTTPServer((host, 0), Handler)
        self.url = f"http://{host}:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FileServer:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def wait_for(client: httpx.Client, job_id: str, statuses: tuple[str, ...] = ("done", "failed"),
             timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/v1/verifications/{job_id}").json()
        if job["status"] in statuses:
            return dict(job)
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still {job['status']} after {timeout} s")


def local_address() -> str | None:
    """An address of this machine that is not loopback (the source of a route outwards)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))
            address = str(s.getsockname()[0])
        except OSError:
            return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address
