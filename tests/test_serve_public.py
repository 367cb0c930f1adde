"""A server on a non-loopback address: verifying needs a token, and submitted URLs may not reach
loopback, private or link-local addresses, neither directly nor through a redirect, nor through
a network the allowlist does not name. Real resolver, real redirect, real worker processes."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .conftest import Media
from .serve_support import (
    EDITOR_TOKEN,
    OTHER_TOKEN,
    FileServer,
    ServerProcess,
    bearer,
    local_address,
    running_server,
    token_file,
    wait_for,
)

LAN = local_address()
pytestmark = pytest.mark.skipif(LAN is None, reason="this machine has no non-loopback IPv4 "
                                "address to serve an allowed first hop from")


@pytest.fixture(scope="module")
def public(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    root = tmp_path_factory.mktemp("serve-public")
    # Bound to every address; the allowlist names only this machine's LAN address, where the
    # redirecting server of the tests listens: loopback stays forbidden.
    with running_server(root / "desk.db", "0.0.0.0", "--token-file", str(token_file(root)),
                        "--allow-net", f"{LAN}/32", "--max-upload", "1M", "--max-queued",
                        "2", "--workers", "1") as server:
        yield server


@pytest.fixture()
def client(public: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=public.url, timeout=60) as http:
        yield http


@pytest.fixture()
def loopback_files(tmp_path: Path, media: Media) -> Iterator[FileServer]:
    shutil.copy(media.clip_a, tmp_path / "clip.mp4")
    with FileServer(tmp_path) as files:
        yield files


def test_verifying_needs_a_token(client: httpx.Client) -> None:
    assert client.get("/api/v1/health").json()["public"] is True
    refused = client.post("/api/v1/verifications", json={"url": "https://example.org/v.mp4"})
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
    wrong = client.post("/api/v1/verifications", json={"url": "https://example.org/v.mp4"},
                        headers=bearer("x" * 30))
    assert wrong.status_code == 403
    for path in ("/api/v1/verifications", "/api/v1/originals", "/api/v1/changes"):
        assert client.get(path).status_code == 401, path
        assert client.get(path, headers=bearer(OTHER_TOKEN)).status_code == 200, path
    assert client.get("/api/v1/verifications", headers=bearer(OTHER_TOKEN)).json() == []


def test_urls_to_loopback_are_refused(client: httpx.Client,
                                      loopback_files: FileServer) -> None:
    port = loopback_files.url.rsplit(":", 1)[1]
    for url in (f"{loopback_files.url}/clip.mp4", f"http://localhost:{port}/clip.mp4",
                f"http://[::1]:{port}/clip.mp4", f"http://0x7f000001:{port}/clip.mp4",
                "http://169.254.169.254/latest/meta-data/", "http://10.1.2.3/clip.mp4",
                "file:///etc/passwd"):
        refused = client.post("/api/v1/verifications", json={"url": url},
                              headers=bearer(EDITOR_TOKEN))
        assert refused.status_code == 400, (url, refused.text)
        assert "address" in refused.json()["error"] or "http" in refused.json()["error"]
    assert loopback_files.requests == []


@pytest.mark.parametrize("first_hop", ["/redirect", "/redirect/clip.mp4"],
                         ids=["article-fetch", "yt-dlp-download"])
def test_a_redirect_to_loopback_is_refused_at_the_hop(client: httpx.Client,
                                                      loopback_files: FileServer,
                                                      tmp_path: Path, first_hop: str) -> None:
    target = f"{loopback_files.url}/clip.mp4"
    assert LAN is not None
    (tmp_path / "lan").mkdir()
    with FileServer(tmp_path / "lan", host=LAN) as lan:
        accepted = client.post("/api/v1/verifications",
                               json={"url": f"{lan.url}{first_hop}?to={target}"},
                               headers=bearer(EDITOR_TOKEN))
        assert accepted.status_code == 202, accepted.text  # the first hop is allowed
        job = wait_for(client, accepted.json()["id"])
        assert lan.requests and lan.requests[0].startswith("/redirect")
    assert job["status"] == "failed"
    assert "non-public address" in job["error"], job["error"]
    assert loopback_files.requests == []  # the worker never connected to the target


def test_upload_and_queue_limits(client: httpx.Client, media: Media) -> None:
    big = b"\0" * (2 * 1024 * 1024)
    too_big = client.post("/api/v1/verifications", files={"file": ("big.mp4", big)},
                          headers=bearer(OTHER_TOKEN))
    assert too_big.status_code == 413 and "limit" in too_big.json()["error"]
    chunked = client.post("/api/v1/verifications", headers={**bearer(OTHER_TOKEN),
                          "content-type": "application/json"},
                          content=iter([b'{"url": "', b"x" * 1024 * 1024, b'y" ', b"}" * 10]))
    assert chunked.status_code == 413  # no Content-Length: counted as it arrives
    statuses = []
    for _ in range(3):
        with open(media.flat, "rb") as video:
            statuses.append(client.post("/api/v1/verifications", files={"file": video},
                                        headers=bearer(OTHER_TOKEN)).status_code)
    assert statuses[:2] == [202, 202] and statuses[2] in (202, 429)
    if statuses[2] == 202:  # the first had already finished: the bound counts active jobs only
        pytest.skip("jobs finished faster than they were submitted")
