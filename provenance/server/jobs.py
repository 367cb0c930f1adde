"""The job queue: one SQLite file beside the library, shared by the server and its workers.

A job is claimed with a new ``attempt`` number; a worker's progress and result count only while
its attempt is the job's current one, so a worker orphaned by a server crash cannot overwrite a
retry. At start, jobs left "running" are queued again (or failed once retried too often).
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# A job interrupted this many times (server killed, worker process died) is failed, not retried:
# a job that kills its worker would otherwise take the queue down with it forever.
MAX_ATTEMPTS = 3
_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    query TEXT NOT NULL,
    display TEXT NOT NULL,
    upload TEXT NOT NULL DEFAULT '',
    claims TEXT NOT NULL DEFAULT '{}',
    token TEXT NOT NULL,
    created REAL NOT NULL,
    started REAL,
    finished REAL,
    attempt INTEGER NOT NULL DEFAULT 0,
    stage TEXT NOT NULL DEFAULT '',
    done REAL NOT NULL DEFAULT 0,
    total REAL,
    result TEXT,
    error TEXT,
    hint TEXT,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs(status, created);
CREATE TABLE IF NOT EXISTS changes (
    at REAL NOT NULL,
    token TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
"""
ACTIVE = ("queued", "running")


@dataclass(frozen=True)
class Job:
    id: str
    status: str
    query: str  # a URL, or the path of the uploaded file in the server's folder
    display: str  # what the person submitted: the URL or the uploaded file's name
    upload: str
    claims: dict[str, str]
    token: str
    created: float
    started: float | None
    finished: float | None
    attempt: int
    stage: str
    done: float
    total: float | None
    result: dict[str, Any] | None
    error: str | None
    hint: str | None
    note: str


def new_id() -> str:
    """128 random bits: a job's id is also the capability to read its result."""
    return secrets.token_hex(16)


class JobStore:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        with self._db() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            yield db
        finally:
            db.close()

    def create(self, job_id: str, query: str, display: str, upload: str,
               claims: dict[str, str], token: str) -> None:
        with self._db() as db:
            db.execute("INSERT INTO jobs (id, status, query, display, upload, claims, token, "
                       "created) VALUES (?, 'queued', ?, ?, ?, ?, ?, ?)",
                       (job_id, query, display, upload, json.dumps(claims), token, time.time()))

    def get(self, job_id: str) -> Job | None:
        with self._db() as db:
            row = db.execute(f"SELECT {_COLUMNS} FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return _job(row) if row else None

    def recent(self, limit: int = 100) -> list[Job]:
        with self._db() as db:
            rows = db.execute(f"SELECT {_COLUMNS} FROM jobs ORDER BY created DESC LIMIT ?",
                              (limit,)).fetchall()
        return [_job(r) for r in rows]

    def counts(self) -> dict[str, int]:
        with self._db() as db:
            rows = db.execute("SELECT status, COUNT(*) FROM jobs GROUP BY status").fetchall()
        return {str(status): int(n) for status, n in rows}

    def active_count(self, token: str) -> int:
        with self._db() as db:
            (count,) = db.execute("SELECT COUNT(*) FROM jobs WHERE token = ? AND status IN "
                                  "('queued', 'running')", (token,)).fetchone()
        return int(count)

    def claim_next(self) -> Job | None:
        """The oldest queued job, now running under a new attempt number."""
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            row = db.execute("SELECT id FROM jobs WHERE status = 'queued' ORDER BY created "
                             "LIMIT 1").fetchone()
            if row is None:
                db.execute("COMMIT")
                return None
            db.execute("UPDATE jobs SET status = 'running', attempt = attempt + 1, started = ?, "
                       "stage = 'starting', done = 0, total = NULL WHERE id = ?",
                       (time.time(), row[0]))
            db.execute("COMMIT")
        return self.get(row[0])

    def progress(self, job_id: str, attempt: int, stage: str, done: float,
                 total: float | None) -> None:
        with self._db() as db:
            db.execute("UPDATE jobs SET stage = ?, done = ?, total = ? WHERE id = ? AND "
                       "attempt = ? AND status = 'running'", (stage, done, total, job_id, attempt))

    def finish(self, job_id: str, attempt: int, result: dict[str, Any]) -> bool:
        with self._db() as db:
            cursor = db.execute(
                "UPDATE jobs SET status = 'done', result = ?, finished = ?, stage = 'done' "
                "WHERE id = ? AND attempt = ? AND status = 'running'",
                (json.dumps(result, ensure_ascii=False), time.time(), job_id, attempt))
            return cursor.rowcount == 1

    def fail(self, job_id: str, attempt: int | None, error: str, hint: str = "") -> bool:
        with self._db() as db:
            cursor = db.execute(
                "UPDATE jobs SET status = 'failed', error = ?, hint = ?, finished = ?, "
                "stage = 'failed' WHERE id = ? AND status IN ('queued', 'running') AND "
                "(? IS NULL OR attempt = ?)", (error, hint, time.time(), job_id, attempt, attempt))
            return cursor.rowcount == 1

    def requeue_interrupted(self, reason: str, job_ids: list[str] | None = None) -> list[str]:
        """Jobs left running (all, or the given ones) go back to the queue with ``reason`` noted,
        or fail when they were already tried MAX_ATTEMPTS times. Returns the ids touched."""
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            rows = db.execute("SELECT id, attempt FROM jobs WHERE status = 'running'").fetchall()
            touched = []
            for job_id, attempt in rows:
                if job_ids is not None and job_id not in job_ids:
                    continue
                touched.append(job_id)
                if attempt >= MAX_ATTEMPTS:
                    db.execute("UPDATE jobs SET status = 'failed', stage = 'failed', "
                               "finished = ?, error = ?, hint = ? WHERE id = ?",
                               (time.time(), f"{reason}, {attempt} times; not retried",
                                "submit it again; if it fails again, report it", job_id))
                else:
                    db.execute("UPDATE jobs SET status = 'queued', stage = '', done = 0, "
                               "total = NULL, note = ? WHERE id = ?",
                               (f"{reason}; queued again", job_id))
            db.execute("COMMIT")
        return touched

    def delete(self, job_id: str) -> bool:
        with self._db() as db:
            return db.execute("DELETE FROM jobs WHERE id = ?", (job_id,)).rowcount == 1

    def record_change(self, token: str, action: str, target: str, detail: str = "") -> None:
        with self._db() as db:
            db.execute("INSERT INTO changes VALUES (?, ?, ?, ?, ?)",
                       (time.time(), token, action, target, detail))

    def changes(self, limit: int = 200) -> list[dict[str, Any]]:
        with self._db() as db:
            rows = db.execute("SELECT at, token, action, target, detail FROM changes "
                              "ORDER BY at DESC LIMIT ?", (limit,)).fetchall()
        names = ("at", "token", "action", "target", "detail")
        return [dict(zip(names, r, strict=True)) for r in rows]


_FIELDS = ("id", "status", "query", "display", "upload", "claims", "token", "created", "started",
           "finished", "attempt", "stage", "done", "total", "result", "error", "hint", "note")
_COLUMNS = ", ".join(_FIELDS)


def _job(row: tuple[Any, ...]) -> Job:
    data = dict(zip(_FIELDS, row, strict=True))
    data["claims"] = json.loads(data["claims"] or "{}")
    data["result"] = json.loads(data["result"]) if data["result"] else None
    return Job(**data)
