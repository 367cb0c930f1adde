"""Running jobs: a bounded pool of worker processes (verification is CPU-bound) fed from the
job queue by one dispatcher task in the server's event loop.

Worker processes write their progress and result straight into the job file, so a result is
never lost with the server, and they die with the server (Linux parent-death signal) instead of
finishing orphaned work that a restarted server retries anyway.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import multiprocessing
import os
import signal
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..pipeline import is_url
from ..report.text_report import file_name
from .jobs import JobStore

log = logging.getLogger("provenance.server")
# Progress is written to the job file at most this often per job (each write is one small
# SQLite transaction; the page and SSE poll it twice a second).
PROGRESS_INTERVAL = 0.4
# The dispatcher looks for queued jobs this often when nothing wakes it earlier.
DISPATCH_INTERVAL = 0.5


@dataclass(frozen=True)
class WorkerSetup:
    """What every worker process needs, picklable."""

    jobs_db: str
    library: str
    cache_dir: str
    reports_dir: str
    max_download: int
    sample_fps: float | None
    guarded: bool
    allow: tuple[str, ...]


_SETUP: WorkerSetup | None = None


def _init_worker(setup: WorkerSetup) -> None:
    global _SETUP
    _SETUP = setup
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    if setup.guarded:
        import ipaddress

        from . import guard

        # Through a proxy, the guard would see the proxy's address, not the target's.
        for name in [n for n in os.environ if n.lower().endswith("_proxy")]:
            del os.environ[name]
        guard.install([ipaddress.ip_network(n, strict=False) for n in setup.allow])


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except OSError:
            pass


def _settings(setup: WorkerSetup) -> Any:
    from ..settings import load_settings

    return load_settings(db=setup.library, cache_dir=setup.cache_dir,
                         max_filesize=setup.max_download, sample_fps=setup.sample_fps)


def run_verification(job_id: str, attempt: int) -> None:
    """One verification in a worker process: the CLI's verify, its JSON and its HTML report."""
    from .. import batch, outputs, pipeline
    from ..errors import ProvenanceError
    from ..models import StatedClaims

    assert _SETUP is not None
    store = JobStore(_SETUP.jobs_db)
    job = store.get(job_id)
    if job is None or job.attempt != attempt:
        return
    last = [0.0]
    last_stage = [""]

    def progress(stage: str, done: float, total: float | None) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_INTERVAL or stage != last_stage[0]:
            last[0], last_stage[0] = now, stage
            store.progress(job_id, attempt, stage, done, total)

    query = job.query
    if job.upload:
        # Run beside the upload and name it as the person did, as `provenance verify FILE` would:
        # the report then says "clip.mp4", not where the server keeps it.
        os.chdir(job.upload)
        query = os.path.basename(job.query)
    try:
        stated = StatedClaims(**job.claims, origin="submitted with the job")
        results = pipeline.verify_many(query, _SETUP.library, _settings(_SETUP), progress,
                                       stated=stated)
        store.progress(job_id, attempt, "report", 0, None)
        payload = batch.BatchItem(query, results).payload()  # what `verify --json` prints
        del payload["input"]
        outputs.write_html_report(payload, Path(_SETUP.reports_dir) / f"{job_id}.html",
                                  results)
    except ProvenanceError as error:
        store.fail(job_id, attempt, error.message, error.hint or "")
        return
    except Exception as exc:  # a bug must fail its job, not the queue
        log.exception("job %s failed", job_id)
        store.fail(job_id, attempt, f"internal error ({type(exc).__name__})",
                   "this is a bug in provenance: report it with the server log")
        return
    finally:
        os.chdir(_SETUP.reports_dir)
    store.finish(job_id, attempt, shown_to_clients(payload))


# Settings that are places on the server's disk (its library, cache, cookies file): a job's
# answer does not show them to whoever holds its id (a desk audit read the library's path, the
# uploads folder, the originals' uploaded files and the cache folder in every answer). The HTML
# report, written before, shows none of them.
_SERVER_PLACES = ("db", "cache_dir", "cookies", "trust_anchors")
ON_THE_SERVER = "(on the server)"


def shown_to_clients(value: Any) -> Any:
    """A job's answer without where the server keeps files: each result's ``video_path``
    (None, as for a fingerprint query), its settings' paths, and the folders of the files its
    provenance record and its originals name (each file's own name kept; an original added
    from a URL keeps its URL)."""
    if isinstance(value, list):
        return [shown_to_clients(v) for v in value]
    if not isinstance(value, dict):
        return value
    shown: dict[str, Any] = {}
    for key, item in value.items():
        if key == "video_path":
            shown[key] = None
        elif key == "settings" and isinstance(item, dict):
            shown[key] = {k: ON_THE_SERVER if k in _SERVER_PLACES and v else v
                          for k, v in item.items()}
        elif key in ("path", "file") and isinstance(item, str) and not is_url(item):
            shown[key] = file_name(item)
        else:
            shown[key] = shown_to_clients(item)
    return shown


def run_registration(source: str, original: dict[str, Any]) -> dict[str, Any]:
    """`library add` in a worker process: fingerprinting is as CPU-bound as verifying.

    Returns ``{"original", "added"}`` or ``{"error", "hint", "kind"}`` (an exception's hint
    would not survive the trip between processes)."""
    from dataclasses import asdict

    from .. import registry
    from ..errors import ProvenanceError
    from ..models import Original

    assert _SETUP is not None
    try:
        stored, added = registry.register(source, Original(**original), _SETUP.library,
                                          _settings(_SETUP))
    except ProvenanceError as error:
        return {"error": error.message, "hint": error.hint or "", "kind": type(error).__name__}
    return {"original": asdict(stored), "added": added}


class Dispatcher:
    """Keeps up to ``workers`` jobs running; re-queues the jobs of a worker pool that died."""

    def __init__(self, store: JobStore, setup: WorkerSetup, workers: int) -> None:
        self.store = store
        self.setup = setup
        self.workers = max(1, workers)
        self.running: dict[str, asyncio.Future[Any]] = {}
        self.wake = asyncio.Event()
        self.pool = self._new_pool()
        self._task: asyncio.Task[None] | None = None
        self.stopping = False

    def _new_pool(self) -> ProcessPoolExecutor:
        # One more process than job slots, so adding an original never waits for the queue.
        return ProcessPoolExecutor(self.workers + 1,
                                   mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_init_worker, initargs=(self.setup,))

    def start(self) -> None:
        interrupted = self.store.requeue_interrupted("interrupted by a server restart")
        if interrupted:
            log.warning("re-queued %d interrupted job(s)", len(interrupted))
        self._task = asyncio.get_running_loop().create_task(self._loop())

    async def stop(self) -> None:
        self.stopping = True
        if self._task:
            self._task.cancel()
        # Its worker processes are stopped with the server (their jobs wait for the next
        # start), then the pool is shut down whole: left running, its queues' semaphores
        # outlived the server ("resource_tracker: There appear to be 5 leaked semaphore
        # objects" on every stop after a job). ProcessPoolExecutor has no public way to stop
        # its workers before Python 3.14's kill_workers().
        if hasattr(self.pool, "kill_workers"):
            self.pool.kill_workers()
        else:
            for process in list((getattr(self.pool, "_processes", None) or {}).values()):
                process.kill()
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.store.requeue_interrupted("interrupted by a server stop", list(self.running))
        self.running.clear()

    async def _loop(self) -> None:
        while True:
            while len(self.running) < self.workers:
                job = self.store.claim_next()
                if job is None:
                    break
                self._submit(job.id, job.attempt)
            self.wake.clear()
            try:
                await asyncio.wait_for(self.wake.wait(), DISPATCH_INTERVAL)
            except asyncio.TimeoutError:
                pass

    def _submit(self, job_id: str, attempt: int) -> None:
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self.pool, run_verification, job_id, attempt)
        self.running[job_id] = future
        future.add_done_callback(lambda f: self._done(job_id, attempt, f))

    def _done(self, job_id: str, attempt: int, future: asyncio.Future[Any]) -> None:
        self.running.pop(job_id, None)
        if self.stopping:  # stop() re-queues what was running
            return
        error = None if future.cancelled() else future.exception()
        if isinstance(error, BrokenProcessPool):
            # A worker process died (killed, out of memory): every job of that pool is retried.
            self.store.requeue_interrupted("a worker process died", [job_id])
            if getattr(self.pool, "_broken", False):
                self.pool = self._new_pool()
        elif error is not None:
            self.store.fail(job_id, attempt, f"internal error ({type(error).__name__})")
        self.wake.set()

    async def register(self, source: str, original: dict[str, Any]) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.pool, run_registration, source, original)
