"""`provenance serve` on a PostgreSQL library, with a real PostgreSQL server and a real server
process: its jobs and uploads in a folder of its own (never beside a file that does not exist),
an original registered and a query verified through the HTTP API, the finished job still listed
after a restart, and the database password in no log, page, error or folder name."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from click.testing import CliRunner

from provenance.cli import main
from provenance.server.config import ServerConfig

from .conftest import Media
from .serve_support import (
    EDITOR_TOKEN,
    ServerProcess,
    bearer,
    free_port,
    provenance_command,
    token_file,
    wait_for,
)

PASSWORD = "pw-never-shown-4f9c2e"


def _with_password(url: str) -> str:
    """The test server trusts local connections, so any password connects: it must still
    never be shown."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username or 'postgres'}:{PASSWORD}@{host}"))


def _texts_under(folder: Path) -> str:
    return "\n".join(p.read_text("utf-8", "replace") for p in folder.rglob("*")
                     if p.is_file() and p.suffix in (".log", ".html", ".txt"))


def test_serve_a_postgresql_library_then_restart(tmp_path: Path, media: Media,
                                                 pg_url: str) -> None:
    url = _with_password(pg_url)
    data_home, logs = tmp_path / "data", tmp_path / "logs"
    logs.mkdir()
    env = {"XDG_DATA_HOME": str(data_home), "PROVENANCE_CACHE": str(tmp_path / "cache")}
    options = ("--token-file", str(token_file(tmp_path)), "--workers", "1")
    server = ServerProcess(url, "127.0.0.1", *options, env=env, log_dir=logs).start()
    try:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            with open(media.cam_a, "rb") as video:
                added = client.post("/api/v1/originals", headers=bearer(EDITOR_TOKEN),
                                    files={"file": video}, data={"id": "cam-a"})
            assert added.status_code == 201, added.text
            with open(media.clip_a, "rb") as video:
                job = client.post("/api/v1/verifications", files={"file": video}).json()
            finished = wait_for(client, job["id"])
            assert finished["status"] == "done", finished
            assert finished["result"]["verdict"] == "match"
            pages = [client.get(p).text for p in ("/", "/library", f"/v/{job['id']}",
                                                  f"/api/v1/verifications/{job['id']}/report",
                                                  "/api/v1/health")]
    finally:
        server.stop()

    # The jobs, uploads and reports are in one folder per library under the user's data folder.
    folders = list((data_home / "provenance" / "serve").iterdir())
    assert len(folders) == 1 and PASSWORD not in folders[0].name
    state = folders[0]
    assert (state / "jobs.db").is_file() and (state / "reports" / f"{job['id']}.html").is_file()
    assert list((state / "uploads" / job["id"]).iterdir())

    # The original is in the PostgreSQL library itself: the CLI finds it there.
    listed = CliRunner().invoke(main, ["library", "list", "--db", url])
    assert listed.exit_code == 0 and "cam-a" in listed.output

    uploads_before = sorted(p.name for p in (state / "uploads").iterdir())
    restarted = ServerProcess(url, "127.0.0.1", *options, "--max-upload", "20K", env=env,
                              log_dir=logs).start()
    try:
        with httpx.Client(base_url=restarted.url, timeout=60) as client:
            kept = client.get(f"/api/v1/verifications/{job['id']}").json()
            assert kept["status"] == "done" and kept["result"]["verdict"] == "match"
            assert client.get(f"/v/{job['id']}").status_code == 200
            assert [o["id"] for o in client.get("/api/v1/originals").json()] == ["cam-a"]
            too_big = client.post("/api/v1/verifications",
                                  files={"file": ("big.mp4", b"\0" * 100_000, "video/mp4")})
            assert too_big.status_code == 413 and "limit" in too_big.json()["error"]
            assert sorted(p.name for p in (state / "uploads").iterdir()) == uploads_before
            # A second server on the same library and folder is refused, password unshown.
            refused = subprocess.run(
                [*provenance_command(), "serve", "--db", url, "--port", str(free_port())],
                capture_output=True, text=True, timeout=60, env={**os.environ, **env})
            assert refused.returncode != 0
            assert "Error: another `provenance serve` is already serving" in refused.stderr
            assert PASSWORD not in refused.stderr + refused.stdout
    finally:
        restarted.stop()
    shown = "\n".join(pages) + _texts_under(logs) + _texts_under(state)
    assert PASSWORD not in shown


def test_state_dir_flag_and_an_unreachable_database(tmp_path: Path, pg_url: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """--state-dir is where the folder goes; a database that cannot be reached is one Error
    line without the password."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    url = _with_password(pg_url)
    default = ServerConfig(db=url).data_dir
    assert default.parent == tmp_path / "data" / "provenance" / "serve"
    assert PASSWORD not in str(default) and ServerConfig(db=url).jobs_db == default / "jobs.db"
    other = ServerConfig(db=urlunsplit(urlsplit(url)._replace(path="/other"))).data_dir
    assert other != default and other.parent == default.parent
    sqlite = ServerConfig(db=tmp_path / "desk.db")
    assert (sqlite.jobs_db, sqlite.data_dir) == (tmp_path / "desk.db.jobs",
                                                 tmp_path / "desk.db.serve")
    assert ServerConfig(db=tmp_path / "desk.db", state_dir=tmp_path / "s").jobs_db == \
        tmp_path / "s" / "jobs.db"
    config = ServerConfig(db=url, state_dir=tmp_path / "state")
    assert config.data_dir == tmp_path / "state"
    assert config.jobs_db == tmp_path / "state" / "jobs.db"
    assert PASSWORD not in config.library_name
    monkeypatch.chdir(tmp_path)
    for bad in (f"postgresql://postgres:{PASSWORD}@/nowhere?host={tmp_path}/no-socket",
                f"postgresql://desk:{PASSWORD}@127.0.0.1:1/lib"):
        for extra in ((), ("--state-dir", str(tmp_path / "s2"))):
            result = CliRunner().invoke(main, ["serve", "--db", bad, *extra])
            assert result.exit_code != 0, result.output
            assert "Error:" in result.output and "Hint:" in result.output, result.output
            assert PASSWORD not in result.output and "Traceback" not in result.output
    # Nothing made: no "postgresql:" folder from the URL, no state folder for a missing library.
    assert sorted(p.name for p in tmp_path.iterdir()) == []
