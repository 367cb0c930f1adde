"""`kill -9` of the server while a job runs: its worker processes die with it; started again,
the interrupted job runs again and completes, and nothing else is lost."""

from __future__ import annotations

import os
import shutil
import signal
import time
from pathlib import Path

import httpx

from .conftest import Media
from .serve_support import EDITOR_TOKEN, FileServer, ServerProcess, bearer, token_file, wait_for


def test_kill_9_during_a_job_then_restart(tmp_path: Path, media: Media) -> None:
    db = tmp_path / "desk.db"
    options = ("--token-file", str(token_file(tmp_path)), "--workers", "1")
    shutil.copy(media.clip_a, tmp_path / "clip.mp4")
    with FileServer(tmp_path, slow_seconds=4) as files:
        server = ServerProcess(db, "127.0.0.1", *options).start()
        try:
            with httpx.Client(base_url=server.url, timeout=60) as client:
                with open(media.cam_a, "rb") as video:
                    assert client.post("/api/v1/originals", headers=bearer(EDITOR_TOKEN),
                                       files={"file": video},
                                       data={"id": "cam-a"}).status_code == 201
                with open(media.unrelated, "rb") as video:
                    finished = client.post("/api/v1/verifications", files={"file": video}).json()
                assert wait_for(client, finished["id"])["status"] == "done"
                slow = client.post("/api/v1/verifications",
                                   json={"url": f"{files.url}/slow/clip.mp4"}).json()
                with open(media.clip_a, "rb") as video:
                    queued = client.post("/api/v1/verifications", files={"file": video}).json()
                running = wait_for(client, slow["id"], ("running",))
                deadline = time.monotonic() + 30
                while running["progress"]["stage"] != "download" and time.monotonic() < deadline:
                    running = client.get(f"/api/v1/verifications/{slow['id']}").json()
                assert running["progress"]["stage"] == "download"
                assert client.get(f"/api/v1/verifications/{queued['id']}").json()["status"] == \
                    "queued"
                workers = server.children()
                assert workers
        finally:
            server.kill9()
        deadline = time.monotonic() + 10
        while any(Path(f"/proc/{pid}").exists() for pid in workers) and \
                time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(Path(f"/proc/{pid}").exists() for pid in workers), "orphaned workers"

        files.slow_seconds = 0.5
        restarted = ServerProcess(db, "127.0.0.1", *options).start()
        try:
            with httpx.Client(base_url=restarted.url, timeout=60) as client:
                again = wait_for(client, slow["id"])
                assert again["status"] == "done", again
                assert again["note"] == "interrupted by a server restart; queued again"
                assert again["result"]["verdict"] == "match"
                assert wait_for(client, queued["id"])["result"]["verdict"] == "match"
                kept = client.get(f"/api/v1/verifications/{finished['id']}").json()
                assert kept["status"] == "done" and kept["result"]["verdict"] == "no-match"
                assert client.get(f"/v/{finished['id']}").status_code == 200
                assert [o["id"] for o in client.get("/api/v1/originals").json()] == ["cam-a"]
        finally:
            restarted.stop()


def test_a_job_interrupted_too_often_fails_with_the_reason(tmp_path: Path) -> None:
    from provenance.server.jobs import MAX_ATTEMPTS, JobStore

    store = JobStore(tmp_path / "desk.db.jobs")
    store.create("a" * 32, "https://example.org/v.mp4", "v.mp4", "", {}, "anonymous")
    for attempt in range(1, MAX_ATTEMPTS + 1):
        claimed = store.claim_next()
        assert claimed is not None and claimed.attempt == attempt
        store.progress(claimed.id, attempt - 1, "download", 5, 10)  # a stale worker: ignored
        assert store.get(claimed.id).stage == "starting"  # type: ignore[union-attr]
        assert store.requeue_interrupted("interrupted by a server restart") == [claimed.id]
    job = store.get("a" * 32)
    assert job is not None and job.status == "failed"
    assert job.error == f"interrupted by a server restart, {MAX_ATTEMPTS} times; not retried"
    assert store.claim_next() is None
    assert not store.finish(job.id, MAX_ATTEMPTS, {"verdict": "match"})  # too late: kept failed


def test_a_worker_killed_mid_job_is_replaced_and_the_job_retried(tmp_path: Path,
                                                                 media: Media) -> None:
    shutil.copy(media.clip_a, tmp_path / "clip.mp4")
    with FileServer(tmp_path, slow_seconds=4) as files:
        server = ServerProcess(tmp_path / "desk.db", "127.0.0.1", "--workers", "1").start()
        try:
            with httpx.Client(base_url=server.url, timeout=60) as client:
                job = client.post("/api/v1/verifications",
                                  json={"url": f"{files.url}/slow/clip.mp4"}).json()
                running = wait_for(client, job["id"], ("running",))
                deadline = time.monotonic() + 30
                while running["progress"]["stage"] != "download" and time.monotonic() < deadline:
                    running = client.get(f"/api/v1/verifications/{job['id']}").json()
                for pid in server.children():  # the workers (and multiprocessing's helper)
                    os.kill(pid, signal.SIGKILL)
                files.slow_seconds = 0.2
                again = wait_for(client, job["id"])
                assert again["status"] == "done", again
                assert again["note"] == "a worker process died; queued again"
                assert client.get("/api/v1/health").json()["jobs"] == {"queued": 0,
                                                                       "running": 0}
        finally:
            server.stop()
