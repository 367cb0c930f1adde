"""What the routes share: the job queue, the worker pool, the server's folders, and the checks
on what a person submits (claims, metadata, uploads, URLs)."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from pathlib import Path
from typing import Any, TextIO

from fastapi import Request
from starlette.datastructures import UploadFile

from ..claims import stated_claims
from ..errors import ProvenanceError, SettingsError
from ..library import Library
from ..library.manifest import METADATA_FIELDS, read_row
from ..models import Original, StatedClaims
from . import guard
from .access import Access, Refused
from .config import ServerConfig
from .jobs import Job, JobStore, new_id
from .worker import Dispatcher, WorkerSetup

API = "/api/v1"
CLAIM_FIELDS = ("date", "place", "source", "caption")
# Longest claim or metadata text accepted (they are typed by a person, and shown in reports).
MAX_FIELD_CHARS = 2000
MAX_URL_CHARS = 4096
# Content a report page may use: its own inline styles and inline images, nothing fetched.
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'"
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class Server:
    """What the routes share: settings, the job queue, the worker pool and the server's folders."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.uploads = config.data_dir / "uploads"
        self.reports = config.data_dir / "reports"
        cache = config.cache
        Library(config.db, create=True).close()  # refuses a file that is not a library first
        try:
            config.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SettingsError(f"cannot make the server's folder {config.data_dir} "
                                f"({exc.strerror})", "choose another with --state-dir") from None
        try:
            cache.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SettingsError(f"cannot make the cache folder {cache} ({exc.strerror})",
                                "choose another with --cache-dir or $PROVENANCE_CACHE") from None
        self._lock = _lock_jobs(config.jobs_db, config.library_name)
        for folder in (self.uploads, self.reports):
            folder.mkdir(parents=True, exist_ok=True)
        self.store = JobStore(config.jobs_db)
        self.networks = config.networks()
        self.setup = WorkerSetup(
            jobs_db=str(config.jobs_db), library=str(config.db),
            cache_dir=str(cache), reports_dir=str(self.reports),
            max_download=config.max_download, sample_fps=config.sample_fps,
            guarded=not config.loopback, allow=config.allow)
        self.dispatcher: Dispatcher | None = None
        self.access = Access(config)

    def storage_used(self) -> int:
        return sum(f.stat().st_size for f in self.uploads.rglob("*") if f.is_file())

    async def save_upload(self, upload: UploadFile, folder_name: str) -> Path:
        """The uploaded file in the server's folder, under a name made from the client's."""
        if await asyncio.to_thread(self.storage_used) > self.config.max_storage:
            raise Refused(507, "the server's upload folder is full",
                          "delete old verifications (DELETE /api/v1/verifications/{id})")
        name = _SAFE_NAME.sub("_", Path(upload.filename or "upload").name)[-100:].lstrip(".")
        folder = self.uploads / folder_name
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / (name or "upload")
        await upload.seek(0)

        def copy() -> None:  # disk work off the event loop: other clients keep being served
            with open(target, "wb") as out:
                shutil.copyfileobj(upload.file, out, 1024 * 1024)

        await asyncio.to_thread(copy)
        return target

    def check_url(self, url: str) -> None:
        if not url:
            raise Refused(400, "no video given", "send a `file` (multipart/form-data) or a "
                          "`url` (a form field, or JSON {\"url\": ...})")
        if len(url) > MAX_URL_CHARS:
            raise Refused(400, "the URL is too long", f"at most {MAX_URL_CHARS} characters")
        if self.config.loopback:
            if not url.startswith(("http://", "https://")):
                raise Refused(400, "only http and https URLs can be verified", "check the URL")
            return
        try:
            guard.check_url(url, self.networks)
        except ProvenanceError as error:
            raise Refused(400, error.message, error.hint or "") from None

    # -- verification jobs ------------------------------------------------------------------
    async def submit(self, request: Request) -> str:
        """A new queued job from the request; its id."""
        token = self.access.verifier(request)
        active = await asyncio.to_thread(self.store.active_count, token)
        if active >= self.config.max_queued_per_token:
            raise Refused(429, f"{token} already has {self.config.max_queued_per_token} "
                               "verifications queued or running", "wait for some to finish")
        job_id = new_id()
        kind = request.headers.get("content-type", "")
        if kind.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
            form = await request.form(max_files=1, max_fields=20)
            file = form.get("file")
            claims = _claims(_form_claims(form))
            refuse_two_videos(isinstance(file, UploadFile), form.get("url"))
            if isinstance(file, UploadFile):
                path = await self.save_upload(file, job_id)
                await asyncio.to_thread(refuse_html, path)
                query, display, upload = str(path), file.filename or path.name, str(path.parent)
            else:
                url = str(form.get("url") or "").strip()
                await asyncio.to_thread(self.check_url, url)  # resolves the host
                query, display, upload = url, url, ""
        else:
            body = await _json_body(request)
            url = str(body.get("url") or "").strip()
            await asyncio.to_thread(self.check_url, url)
            claims = _claims(body.get("claims") or {})
            query, display, upload = url, url, ""
        await asyncio.to_thread(self.store.create, job_id, query, display[:500], upload, claims,
                                token)
        if self.dispatcher:
            self.dispatcher.wake.set()
        return job_id

    def job(self, job_id: str) -> Job:
        job = self.store.get(job_id) if re.fullmatch(r"[0-9a-f]{32}", job_id) else None
        if job is None:
            raise Refused(404, "no verification with this id", "it may have been deleted")
        return job

    def delete_job(self, job_id: str) -> None:
        job = self.job(job_id)
        if job.status == "running":
            raise Refused(409, "this verification is running", "delete it when it has finished")
        self.store.delete(job_id)
        if job.upload and Path(job.upload).parent == self.uploads:
            shutil.rmtree(job.upload, ignore_errors=True)
        (self.reports / f"{job_id}.html").unlink(missing_ok=True)



def _lock_jobs(jobs_db: Path, library: str) -> TextIO:
    """One server per library: a second one would re-queue the first one's running jobs."""
    import fcntl

    handle = open(jobs_db.with_name(jobs_db.name + ".lock"), "a")  # held open while serving
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise SettingsError(f"another `provenance serve` is already serving {library} "
                            f"from {jobs_db.parent}",
                            "use that server, or stop it first") from None
    return handle


def job_links(job_id: str) -> dict[str, str]:
    base = f"{API}/verifications/{job_id}"
    return {"self": base, "report": f"{base}/report", "events": f"{base}/events",
            "page": f"/v/{job_id}"}


def job_view(job: Job) -> dict[str, Any]:
    links = job_links(job.id)
    return {"id": job.id, "status": job.status, "input": job.display, "claims": job.claims,
            "progress": {"stage": job.stage, "done": job.done, "total": job.total},
            "result": job.result, "error": job.error, "hint": job.hint, "note": job.note or None,
            "created": job.created, "started": job.started, "finished": job.finished,
            "links": links}


async def _json_body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        raise Refused(400, "the body is not JSON", 'send {"url": "https://..."}') from None
    if not isinstance(body, dict):
        raise Refused(400, "the body is not a JSON object", 'send {"url": "https://..."}')
    return body


def refuse_two_videos(uploaded: bool, url: object, url_field: str = "url") -> None:
    """Refuse a request that gives a file and a URL both (a desk audit: the URL was dropped
    without a word, and the upload verified)."""
    if uploaded and isinstance(url, str) and url.strip():
        raise Refused(400, f"send a `file` or a `{url_field}`, not both",
                      "one video a request: submit the other as a job of its own")


def _form_claims(form: Any) -> Any:
    """A form's claims: its ``claims`` JSON and its fields (``date``...) together, a claim given
    both ways refused unless the same (a desk audit's place in ``claims`` and date as a field
    lost the place); a ``claims`` that is not an object is left for ``_claims`` to refuse."""
    fields = {k: value for k in CLAIM_FIELDS
              if isinstance(value := form.get(k), str) and value.strip()}
    raw = form.get("claims")
    if not isinstance(raw, str) or not raw.strip():
        return fields
    try:
        parsed = json.loads(raw)
    except ValueError:
        raise Refused(400, "claims is not JSON", 'e.g. {"date": "2015-10-22"}') from None
    if not isinstance(parsed, dict):
        return parsed
    twice = sorted(k for k in fields if parsed.get(k) not in (None, "") and
                   str(parsed[k]).strip() != fields[k].strip())
    if twice:
        raise Refused(400, f"{', '.join(twice)} given both in claims and as a field",
                      "give each claim once")
    return {**parsed, **fields}


def _claims(raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise Refused(400, "claims must be an object", 'e.g. {"date": "2015-10-22"}')
    unknown = set(raw) - set(CLAIM_FIELDS)
    if unknown:
        raise Refused(400, f"unknown claim field(s): {', '.join(sorted(unknown))[:200]}",
                      f"claims are {', '.join(CLAIM_FIELDS)}")
    claims = {k: text_field(raw[k], k) for k in CLAIM_FIELDS if raw.get(k)}
    try:  # what `provenance verify --claim-*` refuses, refused here with its message
        stated_claims(StatedClaims(**claims))
    except SettingsError as error:
        raise Refused(400, error.message, error.hint or "") from None
    return claims


def text_field(value: Any, name: str) -> str:
    if not isinstance(value, str) or len(value) > MAX_FIELD_CHARS:
        raise Refused(400, f"{name} must be text of at most {MAX_FIELD_CHARS} characters",
                      f"shorten {name}, or keep its first {MAX_FIELD_CHARS} characters")
    return value.strip()


def refuse_html(path: Path) -> None:
    """Uploads are videos: an uploaded page could name files on the server's disk."""
    with open(path, "rb") as handle:
        head = handle.read(512).lstrip().lower()
    if path.suffix.lower() in (".html", ".htm") or head.startswith((b"<!doctype", b"<html")):
        shutil.rmtree(path.parent, ignore_errors=True)
        raise Refused(415, "uploads must be video files",
                      "to verify an article, submit its URL")


def original_fields() -> tuple[str, ...]:
    """The metadata a person gives with an original: a manifest's fields, by the same names."""
    return METADATA_FIELDS


def original_from_form(meta: dict[str, str], source: str) -> Original:
    """The original a form describes, read as one manifest row is (one reading of the fields)."""
    row = read_row(0, {**meta, "file": source}, Path.cwd())
    if row.original is None:
        raise Refused(400, row.error, f"the fields are {', '.join(METADATA_FIELDS)}")
    return row.original


def search_originals(library: Library, query: str) -> list[Original]:
    needle = query.strip().casefold()
    found = library.list()
    if not needle:
        return found
    return [o for o in found if any(needle in str(getattr(o, key, "")).casefold() for key in
                                    ("id", "title", "source", "recorded_at", "published_at",
                                     "location"))]


