"""`provenance serve` on 127.0.0.1, as a real process, over HTTP: verifications by upload and by
URL give what `provenance verify` gives; writes need an editor's token; bad input is refused."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from .conftest import Media
from .serve_support import (
    EDITOR_TOKEN,
    OTHER_TOKEN,
    FileServer,
    ServerProcess,
    bearer,
    free_port,
    provenance_command,
    running_server,
    token_file,
    wait_for,
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, media: Media) -> Iterator[ServerProcess]:
    root = tmp_path_factory.mktemp("serve")
    with running_server(root / "desk.db", "127.0.0.1", "--token-file",
                        str(token_file(root)), "--workers", "2") as running:
        with httpx.Client(base_url=running.url, timeout=120) as client:
            with open(media.cam_a, "rb") as video:
                added = client.post("/api/v1/originals", headers=bearer(EDITOR_TOKEN),
                                    files={"file": ("cam a.mp4", video, "video/mp4")},
                                    data={"id": "cam-a", "title": "Camera A <b>",
                                          "source": "Operator", "recorded_at": "2015-09-16"})
            assert added.status_code == 201, added.text
        yield running


@pytest.fixture()
def client(server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as http:
        yield http


def _cli_verify(path: Path, db: Path) -> dict[str, Any]:
    done = subprocess.run([*provenance_command(), "verify", str(path), "--db", str(db), "--json"],
                          capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout))


def _essence(result: dict[str, Any]) -> tuple[Any, ...]:
    return (result["verdict"], result["confidence"],
            [(m["reference_id"], m["segments"]) for m in result["matches"]],
            result["unexplained"])


def test_health_and_openapi(client: httpx.Client) -> None:
    health = client.get("/api/v1/health").json()
    assert health["status"] == "ok" and health["originals"] == 1 and not health["public"]
    spec = client.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/verifications", "/api/v1/verifications/{job_id}",
                 "/api/v1/verifications/{job_id}/report", "/api/v1/verifications/{job_id}/events",
                 "/api/v1/originals", "/api/v1/originals/{original_id}", "/api/v1/health"):
        assert path in spec["paths"], path
    body = spec["paths"]["/api/v1/verifications"]["post"]["requestBody"]["content"]
    assert {"application/json", "multipart/form-data"} <= set(body)


def test_curl_upload_gives_the_cli_verdict(server: ServerProcess, media: Media,
                                           client: httpx.Client) -> None:
    """The must-show: a local file submitted with curl completes like `provenance verify`."""
    if shutil.which("curl"):
        out = subprocess.run(["curl", "-sS", "-F", f"file=@{media.clip_a}",
                              "-F", 'claims={"date": "2015-10-22", "source": "Someone"}',
                              f"{server.url}/api/v1/verifications"],
                             capture_output=True, text=True, check=True).stdout
        accepted = json.loads(out)
    else:  # the same request from Python where curl is missing
        with open(media.clip_a, "rb") as video:
            accepted = client.post("/api/v1/verifications", files={"file": video},
                                   data={"claims": '{"date": "2015-10-22", "source": "Someone"}'}
                                   ).json()
    assert accepted["status"] == "queued"
    job = wait_for(client, accepted["id"])
    assert job["status"] == "done", job
    expected = _cli_verify(media.clip_a, server.db)
    assert expected["verdict"] == "match"
    assert _essence(job["result"]) == _essence(expected)
    assert job["result"]["query"] == media.clip_a.name  # as the person named it
    # the home page lists the finding a checker publishes, then the footage's verdict
    rating = job["result"]["finding"]["rating"]
    assert f"<td>{rating} (footage: match)</td>" in client.get("/").text
    assert job["claims"] == {"date": "2015-10-22", "source": "Someone"}
    typed = [c for c in job["result"]["claims"] if c["kind"] == "date"]
    assert typed and typed[0]["status"] == "contradicted"  # recorded 2015-09-16
    # named where they were typed, not "command line" (a desk audit)
    assert typed[0]["found_in"] == "submitted with the job"
    # where the server keeps its library, cache and uploads is not shown (a desk audit)
    shown = json.dumps(job)
    for place in (str(server.db), str(Path(server.db).parent)):
        assert place not in shown, place
    assert job["result"]["video_path"] is None
    assert job["result"]["settings"]["db"] == "(on the server)"
    assert job["result"]["provenance"]["path"] == media.clip_a.name

    report = client.get(accepted["links"]["report"])
    assert report.status_code == 200 and "text/html" in report.headers["content-type"]
    assert "cam-a" in report.text and "Camera A &lt;b&gt;" in report.text
    assert "default-src 'none'" in report.headers["content-security-policy"]
    page = client.get(accepted["links"]["page"])
    assert page.text == report.text  # the permanent link is the report once done


def test_url_submission_with_events(server: ServerProcess, media: Media, tmp_path: Path,
                                    client: httpx.Client) -> None:
    shutil.copy(media.clip_a, tmp_path / "clip.mp4")
    with FileServer(tmp_path, slow_seconds=1.5) as files:
        accepted = client.post("/api/v1/verifications",
                               json={"url": f"{files.url}/slow/clip.mp4"})
        assert accepted.status_code == 202 and accepted.headers["location"].endswith(
            accepted.json()["id"])
        events = []
        with client.stream("GET", accepted.json()["links"]["events"]) as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            kind = ""
            for line in stream.iter_lines():
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: "):
                    events.append((kind, json.loads(line[6:])))
                    if kind == "end":
                        break
    stages = [data["progress"]["stage"] for kind, data in events if kind == "progress"]
    assert "download" in stages, stages
    assert events[-1] == ("end", {"status": "done"})
    job = client.get(f"/api/v1/verifications/{accepted.json()['id']}").json()
    assert job["result"]["verdict"] == "match"
    assert job["result"]["matches"][0]["reference_id"] == "cam-a"


def test_writes_need_a_valid_token_and_change_nothing_without(
        client: httpx.Client, media: Media, server: ServerProcess) -> None:
    before = client.get("/api/v1/originals").json()
    with open(media.cam_b, "rb") as video:
        content = video.read()
    for headers, status in (({}, 401), (bearer("not-a-token-of-this-server"), 403),
                            ({"Authorization": "Basic YWxpY2U6eA=="}, 403)):
        added = client.post("/api/v1/originals", headers=headers,
                            files={"file": ("b.mp4", content)}, data={"id": "cam-b"})
        assert added.status_code == status, added.text
        assert "error" in added.json()
        removed = client.delete("/api/v1/originals/cam-a", headers=headers)
        assert removed.status_code == status
    assert client.get("/api/v1/originals").json() == before
    assert client.post("/api/v1/originals", files={"file": ("b.mp4", content)},
                       data={"id": "cam-b"}).headers["www-authenticate"] == "Bearer"

    bad = client.post("/api/v1/originals", headers=bearer(OTHER_TOKEN),
                      files={"file": ("b.mp4", content)}, data={"id": "cam-b", "latitude": "N"})
    assert bad.status_code == 400 and "latitude" in bad.json()["error"]
    # A file that is no video is refused by the name it was sent as, not the server's path.
    text = client.post("/api/v1/originals", headers=bearer(OTHER_TOKEN),
                       files={"file": ("notes.mp4", b"not a video " * 100)}, data={"id": "x"})
    assert text.status_code == 400 and text.json()["error"].startswith("notes.mp4 "), text.text
    assert ".serve" not in text.text and "uploads" not in text.text
    assert client.get("/api/v1/originals").json() == before
    added = client.post("/api/v1/originals", headers=bearer(OTHER_TOKEN),
                        files={"file": ("b.mp4", content)},
                        data={"id": "cam-b", "title": "Camera B", "recorded_at": "2015-09-15",
                              "location": "Calais", "latitude": "50.95", "longitude": "1.85"})
    assert added.status_code == 201 and added.json()["original"]["id"] == "cam-b"
    assert added.json()["original"]["location"] == "Calais"
    assert added.json()["original"]["latitude"] == 50.95
    again = client.post("/api/v1/originals", headers=bearer(OTHER_TOKEN),
                        files={"file": ("b.mp4", content)}, data={"id": "cam-b2"})
    assert again.status_code == 200 and again.json()["added"] is False
    assert client.get("/api/v1/originals", params={"q": "camera b"}).json()[0]["id"] == "cam-b"
    assert client.get("/api/v1/originals/cam-b").json()["recorded_at"] == "2015-09-15"
    # the answer names the file, not where the server keeps it; a URL is no server path
    assert added.json()["original"]["file"] == "b.mp4"
    from provenance.server.worker import shown_to_clients

    assert shown_to_clients({"file": "https://example.org/v/b.mp4?t=3"}) == {
        "file": "https://example.org/v/b.mp4?t=3"}
    (kept,) = Path(f"{server.db}.serve").glob("uploads/originals/*/b.mp4")
    assert kept.is_file()
    # the server's files are its user's alone (a desk audit: readable by every account)
    assert kept.stat().st_mode & 0o077 == 0, oct(kept.stat().st_mode)
    removed = client.delete("/api/v1/originals/cam-b", headers=bearer(EDITOR_TOKEN))
    assert removed.status_code == 200
    assert not kept.exists()
    assert client.get("/api/v1/originals/cam-b").status_code == 404
    changes = client.get("/api/v1/changes").json()
    assert [(c["token"], c["action"], c["target"]) for c in changes[:2]] == [
        ("alice", "remove-original", "cam-b"), ("bob", "add-original", "cam-b")]


def test_bad_requests_are_refused_with_a_reason(client: httpx.Client, tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<html><video src='file:///etc/hostname'></video></html>")
    with open(page, "rb") as handle:
        upload = client.post("/api/v1/verifications", files={"file": ("a.mp4", handle)})
    assert upload.status_code == 415
    for body in ({"url": "file:///etc/passwd"}, {"url": ""}, {"url": "ftp://x/y.mp4"},
                 {"url": "https://example.org/v.mp4", "claims": {"weather": "sunny"}},
                 {"url": "https://example.org/v.mp4", "claims": {"date": 5}}):
        refused = client.post("/api/v1/verifications", json=body)
        assert refused.status_code == 400, body
        assert refused.json()["error"]
    # a URL sent as an ordinary form is read as a form (a desk audit: "the body is not JSON")
    form = client.post("/api/v1/verifications", data={"url": "ftp://x/y.mp4"})
    sent = client.post("/api/v1/verifications", json={"url": "ftp://x/y.mp4"})
    assert form.status_code == 400 and form.json() == sent.json(), form.text
    # neither a file nor a URL: said so, not "only http and https URLs" (a desk audit)
    for empty in (client.post("/api/v1/verifications", json={}),
                  client.post("/api/v1/verifications", files={"note": ("x.txt", b"x")})):
        assert empty.status_code == 400 and empty.json()["error"] == "no video given"
    # a file and a URL both: refused, not the URL dropped without a word (a desk audit)
    both = client.post("/api/v1/verifications", files={"file": ("a.mp4", b"\x00" * 64)},
                       data={"url": "https://example.org/v.mp4"})
    assert both.status_code == 400 and "not both" in both.json()["error"], both.text
    assert both.json()["hint"]
    # a field too long says what to do (a desk audit: its hint was null)
    long = client.post("/api/v1/verifications", data={"url": "https://example.org/v.mp4",
                                                      "caption": "x" * 100_000})
    assert long.status_code == 400 and long.json()["hint"], long.text
    assert client.post("/api/v1/verifications", content=b"[1]",
                       headers={"content-type": "application/json"}).status_code == 400
    assert client.get("/api/v1/verifications/0123").status_code == 404
    assert client.get("/api/v1/verifications/" + "0" * 32 + "/report").status_code == 404
    assert client.get("/v/../../etc/passwd").status_code == 404
    # a permanent link to a verification deleted since is a page a person can read
    gone = client.get("/v/" + "0" * 32)
    assert gone.status_code == 404 and gone.headers["content-type"].startswith("text/html")
    assert "no verification with this id" in gone.text
    assert client.delete("/api/v1/verifications/" + "0" * 32).status_code == 401


def test_delete_a_verification_removes_its_files(server: ServerProcess, media: Media,
                                                 client: httpx.Client) -> None:
    with open(media.unrelated, "rb") as video:
        job_id = client.post("/api/v1/verifications", files={"file": video}).json()["id"]
    job = wait_for(client, job_id)
    assert job["result"]["verdict"] == "no-match"
    folder = server.db.with_name(server.db.name + ".serve")
    assert (folder / "uploads" / job_id).is_dir()
    assert (folder / "reports" / f"{job_id}.html").is_file()
    assert client.delete(f"/api/v1/verifications/{job_id}",
                         headers=bearer(EDITOR_TOKEN)).status_code == 204
    assert client.get(f"/api/v1/verifications/{job_id}").status_code == 404
    assert not (folder / "uploads" / job_id).exists()
    assert not (folder / "reports" / f"{job_id}.html").exists()


def test_pages_escape_what_they_show(client: httpx.Client) -> None:
    library = client.get("/library", params={"q": "<script>alert(1)</script>"})
    assert library.status_code == 200
    assert "<script>alert(1)" not in library.text and "&lt;script&gt;" in library.text
    home_list = client.get("/").text  # the recent list shows what people submitted, escaped
    assert "clip_a.mp4" in home_list
    home = client.get("/")
    assert "script-src 'unsafe-inline'" in home.headers["content-security-policy"]
    assert not re.search(r"src=|<link|@import|url\(", home.text)  # nothing fetched elsewhere


def test_serve_says_how_to_install_what_it_needs(monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    from click.testing import CliRunner

    from provenance.cli import main

    monkeypatch.setitem(sys.modules, "uvicorn", None)  # as if the [serve] extra were missing
    outcome = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "desk.db")])
    assert outcome.exit_code == 2
    assert "needs uvicorn" in outcome.output and "pip install 'provenance[serve]'" in \
        outcome.output
    assert not (tmp_path / "desk.db").exists()


def test_serve_refuses_what_would_leave_a_desk_with_a_useless_server(tmp_path: Path) -> None:
    """A mistyped --db, a port in use and a public address without tokens are refused with an
    Error and a Hint before anything is made (a desk audit: `--db lib.bd` served a new, empty
    library and every verification came back "unverified")."""
    import socket

    from click.testing import CliRunner

    from provenance.cli import main

    port = free_port()
    missing = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "lib.bd"),
                                        "--port", str(port)])
    assert missing.exit_code == 5, missing.output
    assert "Error: no library at" in missing.output and "--create" in missing.output
    with socket.create_server(("127.0.0.1", port)):
        busy = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "lib.bd"), "--create",
                                         "--port", str(port)])
    assert busy.exit_code == 2 and f"cannot listen on 127.0.0.1:{port}" in busy.output
    stranger = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "lib.bd"), "--create",
                                         "--host", "192.0.2.1", "--port", str(port)],
                                  env={"PROVENANCE_TOKEN": "x" * 20})
    assert stranger.exit_code == 2 and "Hint: give --host an address of this machine" in \
        stranger.output, stranger.output
    public = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "lib.bd"), "--create",
                                       "--host", "0.0.0.0", "--port", str(port)],
                                env={"PROVENANCE_TOKEN": ""})
    assert public.exit_code == 2 and "no editor token is set" in public.output
    assert "Hint: set PROVENANCE_TOKEN" in public.output
    assert all(isinstance(r.exception, SystemExit) for r in (missing, busy, stranger, public))
    assert list(tmp_path.iterdir()) == []
    # an empty file is no library either: the hint says how to make one there
    (tmp_path / "empty.db").write_bytes(b"")
    empty = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "empty.db"),
                                      "--port", str(port)])
    assert empty.exit_code == 5 and "--create" in empty.output


def test_the_url_guard_with_the_real_resolver() -> None:
    import ipaddress

    from provenance.errors import AcquireError
    from provenance.server import guard

    allow = [ipaddress.ip_network("192.0.2.0/24")]
    for address in ("127.0.0.1", "::1", "::ffff:127.0.0.1", "10.0.0.1", "172.16.5.4",
                    "192.168.1.1", "169.254.169.254", "fe80::1", "fd00::2", "100.64.0.1",
                    "0.0.0.0", "224.0.0.1", "198.51.100.7"):
        assert not guard.address_allowed(address, []), address
    for address in ("93.184.216.34", "2606:2800:220:1::1"):
        assert guard.address_allowed(address, []), address
    assert guard.address_allowed("192.0.2.9", allow) and not guard.address_allowed("10.0.0.1",
                                                                                  allow)
    guard.check_url("http://93.184.216.34/v.mp4", [])  # a public literal needs no lookup
    for url in ("http://localhost/v.mp4", "http://127.1/v.mp4", "https://[::1]:8443/",
                "http://0177.0.0.1/", "file:///etc/passwd", "gopher://example.org/",
                "http://user@10.0.0.1/", "http://:80/"):
        with pytest.raises(AcquireError):
            guard.check_url(url, [])


def test_one_server_per_library(server: ServerProcess) -> None:
    # a port nothing listens on (the one after the server's can be in use: that is refused
    # first, with its own message)
    second = subprocess.run([*provenance_command(), "serve", "--db", str(server.db), "--port",
                             str(free_port())], capture_output=True, text=True, timeout=60)
    assert second.returncode == 2
    assert "Error: another `provenance serve` is already serving" in second.stderr
    assert "Traceback" not in second.stderr


def test_claims_the_cli_refuses_are_refused_with_its_message(client: httpx.Client,
                                                             media: Media) -> None:
    """An unreadable claimed date or an impossible point is a 400 with the CLI's Error and Hint
    (claims.stated_claims' SettingsError), by JSON and by form, and no job is queued (a bad date
    had been accepted, 202, and ended "done" with every video inconclusive)."""
    from provenance.claims import stated_claims
    from provenance.errors import SettingsError
    from provenance.models import StatedClaims

    cases = [({"date": "notadate"}, "claimed date 'notadate' is not a date"),
             ({"place": "999,999"}, "latitude 999"),
             ({"place": "95.0,200.0"}, "latitude 95"),
             ({"place": "45.52,-1229.9"}, "longitude -1229.9")]
    before = len(client.get("/api/v1/verifications").json())
    for claims, message in cases:
        with pytest.raises(SettingsError) as cli:
            stated_claims(StatedClaims(**claims))
        assert message in cli.value.message
        refused = client.post("/api/v1/verifications",
                              json={"url": "https://example.org/v.mp4", "claims": claims})
        assert refused.status_code == 400, (claims, refused.text)
        assert (refused.json()["error"], refused.json()["hint"]) == (cli.value.message,
                                                                     cli.value.hint)
        with open(media.cam_a, "rb") as video:
            form = client.post("/api/v1/verifications", data=claims,
                               files={"file": ("a.mp4", video, "video/mp4")})
        assert form.status_code == 400 and form.json()["error"] == cli.value.message
    assert len(client.get("/api/v1/verifications").json()) == before


def test_the_frameworks_own_refusals_are_in_the_apis_error_format(client: httpx.Client) -> None:
    """An unknown route, a method not allowed and a query value of the wrong type answer
    {"error", "hint"} like every other error (a desk audit met FastAPI's {"detail"})."""
    for answer, status in ((client.get("/api/v1/nothing-here"), 404),
                           (client.put("/api/v1/verifications"), 405),
                           (client.get("/api/v1/verifications", params={"limit": "abc"}), 400)):
        assert answer.status_code == status, answer.text
        body = answer.json()
        assert set(body) == {"error", "hint"} and body["error"], body
        assert "openapi.json" in body["hint"]
    assert "limit" in client.get("/api/v1/verifications", params={"limit": "x"}).json()["error"]
    # a count out of its range is refused, not clamped without a word (a desk audit)
    for route, limit in (("verifications", -1), ("originals", 0), ("changes", 5000)):
        answer = client.get(f"/api/v1/{route}", params={"limit": limit})
        assert answer.status_code == 400 and "limit" in answer.json()["error"], answer.text


def test_a_forms_claims_json_and_claim_fields_go_together(client: httpx.Client,
                                                          media: Media) -> None:
    """An upload's `claims` JSON and its `date`... fields are one set of claims (a desk audit's
    place in `claims` and date as a field kept only the place); a claim given both ways
    differently, or a `claims` that is not an object, is a 400 and queues nothing."""
    def post(data: dict[str, str]) -> httpx.Response:
        with open(media.clip_a, "rb") as video:
            return client.post("/api/v1/verifications", data=data,
                               files={"file": ("a.mp4", video, "video/mp4")})

    before = len(client.get("/api/v1/verifications").json())
    listed = post({"claims": "[1]"})
    assert listed.status_code == 400 and listed.json()["error"] == "claims must be an object"
    twice = post({"claims": '{"date": "2015-10-22"}', "date": "2015-10-23"})
    assert twice.status_code == 400 and "date given both" in twice.json()["error"]
    assert len(client.get("/api/v1/verifications").json()) == before
    both = post({"claims": '{"place": "Paris, France", "date": "2015-10-22"}',
                 "date": "2015-10-22 ", "source": ""})  # a web form's untouched fields
    assert both.status_code == 202, both.text
    job = client.get(both.json()["links"]["self"]).json()
    assert job["claims"] == {"date": "2015-10-22", "place": "Paris, France"}


def test_downloads_go_to_the_cache_folder_the_cli_uses(tmp_path: Path, media: Media) -> None:
    """$PROVENANCE_CACHE, as for every command (a desk audit: the server kept its own cache
    under desk.db.serve/cache/ and built a second place-name index there in its first job)."""
    cache, files = tmp_path / "cache", tmp_path / "files"
    files.mkdir()
    shutil.copy(media.clip_a, files / "clip.mp4")
    with running_server(tmp_path / "desk.db", "127.0.0.1", "--workers", "1",
                        env={"PROVENANCE_CACHE": str(cache)}) as server, \
            FileServer(files) as site, httpx.Client(base_url=server.url, timeout=60) as http:
        url = f"{site.url}/clip.mp4"
        accepted = http.post("/api/v1/verifications", json={"url": url})
        assert accepted.status_code == 202, accepted.text
        assert wait_for(http, accepted.json()["id"])["status"] == "done"
    records = [json.loads(p.read_text()) for p in (cache / "urls").glob("*.json")]
    assert [r["requested_url"] for r in records] == [url]
    assert (cache / "videos" / records[0]["file"]).is_file()
    assert not (tmp_path / "desk.db.serve" / "cache").exists()
    # off loopback a folder of the server's own: a URL a checker downloaded with --cookies
    # into the desk's cache is never served to whoever submits it
    from provenance.server.config import ServerConfig

    public = ServerConfig(db=tmp_path / "desk.db", host="0.0.0.0", cache_dir=cache)
    assert public.cache == tmp_path / "desk.db.serve" / "cache"
    assert ServerConfig(db=tmp_path / "desk.db", cache_dir=cache).cache == cache


def test_a_server_stopped_after_a_job_leaves_nothing_behind(tmp_path: Path, media: Media) -> None:
    """SIGTERM after a job ran in a worker process: a clean exit, without the resource
    tracker's 'leaked semaphore objects' warning (its process pool had been left running)."""
    server = ServerProcess(tmp_path / "desk.db", "127.0.0.1", "--workers", "1").start()
    try:
        with httpx.Client(base_url=server.url, timeout=60) as http:
            with open(media.clip_a, "rb") as video:
                accepted = http.post("/api/v1/verifications", files={"file": video})
            assert accepted.status_code == 202, accepted.text
            assert wait_for(http, accepted.json()["id"])["status"] == "done"
    finally:
        server.stop()
    # uvicorn shuts down, then exits on the signal it was sent (-15), as a stopped service does
    assert server.process is not None and server.process.returncode in (0, -15)
    log = server.log.read_text()
    assert "Application shutdown complete" in log and "leaked semaphore" not in log
