"""The ASGI app: the HTTP API under /api/v1 and the web pages, over the library API."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, StreamingResponse
from starlette.datastructures import UploadFile

from .. import __version__
from ..errors import LibraryError, ProvenanceError
from ..library import Library
from ..models import Original
from . import guard, pages
from .config import ANONYMOUS, ServerConfig
from .jobs import Job, JobStore, new_id
from .worker import Dispatcher, WorkerSetup

API = "/api/v1"
CLAIM_FIELDS = ("date", "place", "source", "caption")
# Longest claim or metadata text accepted (they are typed by a person, and shown in reports).
MAX_FIELD_CHARS = 2000
MAX_URL_CHARS = 4096
# Seconds between two looks at a job while streaming its events, and between keep-alives.
EVENT_POLL = 0.3
EVENT_KEEPALIVE = 15.0
# Content a report page may use: its own inline styles and inline images, nothing fetched.
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'"
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]],
                   Awaitable[None]]


class Refused(Exception):
    """An HTTP error answered as ``{"error", "hint"}``."""

    def __init__(self, status: int, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.status, self.message, self.hint = status, message, hint


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    """Refuses request bodies over ``limit`` bytes with 413, counted as they arrive (a missing
    or false Content-Length does not help)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Callable[[], Awaitable[Message]],
                       send: Callable[[Message], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length", b"0")
        if length.isdigit() and int(length) > self.limit:
            await _too_large(send, self.limit)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise BodyTooLarge()
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except BodyTooLarge:
            if not started:
                await _too_large(send, self.limit)


async def _too_large(send: Callable[[Message], Awaitable[None]], limit: int) -> None:
    body = json.dumps({"error": f"the upload is over the server's limit ({limit} bytes)",
                       "hint": "the administrator can raise it with --max-upload"}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class Server:
    """What the routes share: settings, the job queue, the worker pool and the server's folders."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.uploads = config.data_dir / "uploads"
        self.reports = config.data_dir / "reports"
        Library(config.db, create=True).close()  # refuses a file that is not a library first
        for folder in (self.uploads, self.reports, config.data_dir / "cache"):
            folder.mkdir(parents=True, exist_ok=True)
        self.store = JobStore(config.jobs_db)
        self.networks = config.networks()
        self.setup = WorkerSetup(
            jobs_db=str(config.jobs_db), library=str(config.db),
            cache_dir=str(config.data_dir / "cache"), reports_dir=str(self.reports),
            max_download=config.max_download, sample_fps=config.sample_fps,
            guarded=not config.loopback, allow=config.allow)
        self.dispatcher: Dispatcher | None = None

    # -- who may do what --------------------------------------------------------------------
    def token_of(self, request: Request) -> str | None:
        """The name of the valid bearer token sent, None when none was sent; 403 when wrong."""
        header = request.headers.get("authorization", "")
        if not header:
            return None
        scheme, _, secret = header.partition(" ")
        name = self.config.token_name(secret.strip()) if scheme.lower() == "bearer" else None
        if name is None:
            raise Refused(403, "this token is not valid on this server",
                          "check the token, or ask the administrator for one")
        return name

    def editor(self, request: Request) -> str:
        name = self.token_of(request)
        if name is None:
            raise Refused(401, "changing the library needs an editor's token",
                          "send `Authorization: Bearer <token>`" if self.config.tokens else
                          "start the server with PROVENANCE_TOKEN or --token-file")
        return name

    def reader(self, request: Request) -> None:
        """Lists (the library, everyone's verifications, the change log) are open on loopback;
        elsewhere they need a token. One verification is read by its unguessable id."""
        if self.token_of(request) is None and not self.config.loopback:
            raise Refused(401, "reading lists on this server needs a token",
                          "send `Authorization: Bearer <token>`")

    def verifier(self, request: Request) -> str:
        name = self.token_of(request)
        if name is None and not self.config.loopback:
            raise Refused(401, "verifying on this server needs a token",
                          "send `Authorization: Bearer <token>`")
        return name or ANONYMOUS

    # -- files ------------------------------------------------------------------------------
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
    async def submit(self, request: Request) -> Job:
        token = self.verifier(request)
        active = await asyncio.to_thread(self.store.active_count, token)
        if active >= self.config.max_queued_per_token:
            raise Refused(429, f"{token} already has {self.config.max_queued_per_token} "
                               "verifications queued or running", "wait for some to finish")
        job_id = new_id()
        kind = request.headers.get("content-type", "")
        if kind.startswith("multipart/form-data"):
            form = await request.form(max_files=1, max_fields=20)
            file = form.get("file")
            claims = _claims(_form_claims(form))
            if isinstance(file, UploadFile):
                path = await self.save_upload(file, job_id)
                await asyncio.to_thread(_refuse_html, path)
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
        job = await asyncio.to_thread(self.store.get, job_id)
        assert job is not None
        return job

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


def job_view(job: Job) -> dict[str, Any]:
    base = f"{API}/verifications/{job.id}"
    links = {"self": base, "report": f"{base}/report", "events": f"{base}/events",
             "page": f"/v/{job.id}"}
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


def _form_claims(form: Any) -> dict[str, Any]:
    raw = form.get("claims")
    if isinstance(raw, str) and raw.strip():
        try:
            parsed = json.loads(raw)
        except ValueError:
            raise Refused(400, "claims is not JSON", 'e.g. {"date": "2015-10-22"}') from None
        return parsed if isinstance(parsed, dict) else {}
    return {k: form.get(k) for k in CLAIM_FIELDS if isinstance(form.get(k), str)}


def _claims(raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise Refused(400, "claims must be an object", 'e.g. {"date": "2015-10-22"}')
    unknown = set(raw) - set(CLAIM_FIELDS)
    if unknown:
        raise Refused(400, f"unknown claim field(s): {', '.join(sorted(unknown))[:200]}",
                      f"claims are {', '.join(CLAIM_FIELDS)}")
    return {k: _text(raw[k], k) for k in CLAIM_FIELDS if raw.get(k)}


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str) or len(value) > MAX_FIELD_CHARS:
        raise Refused(400, f"{name} must be text of at most {MAX_FIELD_CHARS} characters")
    return value.strip()


def _refuse_html(path: Path) -> None:
    """Uploads are videos: an uploaded page could name files on the server's disk."""
    with open(path, "rb") as handle:
        head = handle.read(512).lstrip().lower()
    if path.suffix.lower() in (".html", ".htm") or head.startswith((b"<!doctype", b"<html")):
        shutil.rmtree(path.parent, ignore_errors=True)
        raise Refused(415, "uploads must be video files",
                      "to verify an article, submit its URL")


def original_fields() -> list[str]:
    """Manifest fields a person may set when adding an original (``location`` once it exists)."""
    settable = ("id", "title", "source", "recorded_at", "published_at", "location", "url", "notes")
    present = {f.name for f in fields(Original)}
    return [name for name in settable if name in present]


def search_originals(library: Library, query: str) -> list[Original]:
    needle = query.strip().casefold()
    found = library.list()
    if not needle:
        return found
    return [o for o in found if any(needle in str(getattr(o, key, "")).casefold() for key in
                                    ("id", "title", "source", "recorded_at", "published_at"))]


def create_app(config: ServerConfig) -> FastAPI:
    server = Server(config)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        server.dispatcher = Dispatcher(server.store, server.setup, config.workers)
        server.dispatcher.start()
        yield
        await server.dispatcher.stop()

    app = FastAPI(title="provenance", version=__version__, lifespan=lifespan,
                  openapi_url=f"{API}/openapi.json", docs_url=None, redoc_url=None,
                  description="Verify reposted videos against a shared library of originals.")
    app.state.server = server

    @app.exception_handler(Refused)
    async def refused(_: Request, exc: Refused) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return JSONResponse({"error": exc.message, "hint": exc.hint or None}, exc.status,
                            headers=headers)

    _api_routes(app, server)
    pages.add_routes(app, server)
    app.add_middleware(BodyLimit, limit=config.max_upload)  # type: ignore[arg-type]
    return app


_SUBMIT_BODY = {"requestBody": {"content": {
    "application/json": {"schema": {"type": "object", "required": ["url"], "properties": {
        "url": {"type": "string"},
        "claims": {"type": "object", "properties": {k: {"type": "string"}
                                                    for k in CLAIM_FIELDS}}}}},
    "multipart/form-data": {"schema": {"type": "object", "properties": {
        "file": {"type": "string", "format": "binary"}, "url": {"type": "string"},
        "claims": {"type": "string", "description": "JSON object"},
        **{k: {"type": "string"} for k in CLAIM_FIELDS}}}}}}}


def _original_body() -> dict[str, Any]:
    return {"requestBody": {"content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["id"], "properties": {
            "file": {"type": "string", "format": "binary"}, "source_url": {"type": "string"},
            **{k: {"type": "string"} for k in original_fields()}}}}}}}


def _api_routes(app: FastAPI, server: Server) -> None:
    store = server.store

    @app.get(f"{API}/health", tags=["server"])
    def health() -> dict[str, Any]:
        with Library(server.config.db) as library:
            originals = len(library)
        counts = store.counts()
        return {"status": "ok", "version": __version__, "originals": originals,
                "workers": server.config.workers,
                "jobs": {s: counts.get(s, 0) for s in ("queued", "running")},
                "public": not server.config.loopback}

    @app.post(f"{API}/verifications", status_code=202, tags=["verifications"],
              openapi_extra=_SUBMIT_BODY)
    async def submit(request: Request) -> JSONResponse:
        job = await server.submit(request)
        view = job_view(job)
        return JSONResponse({"id": job.id, "status": job.status, "links": view["links"]}, 202,
                            headers={"Location": view["links"]["self"]})

    @app.get(f"{API}/verifications", tags=["verifications"])
    def list_jobs(request: Request, limit: int = 50) -> list[dict[str, Any]]:
        server.reader(request)
        return [{k: v for k, v in job_view(j).items() if k != "result"}
                for j in store.recent(min(max(limit, 1), 500))]

    @app.get(f"{API}/verifications/{{job_id}}", tags=["verifications"])
    def get_job(job_id: str) -> dict[str, Any]:
        return job_view(server.job(job_id))

    @app.delete(f"{API}/verifications/{{job_id}}", status_code=204, tags=["verifications"])
    def delete_job(job_id: str, request: Request) -> None:
        token = server.editor(request)
        server.delete_job(job_id)
        store.record_change(token, "delete-verification", job_id)

    @app.get(f"{API}/verifications/{{job_id}}/report", tags=["verifications"],
             response_class=HTMLResponse)
    def report(job_id: str) -> FileResponse:
        job = server.job(job_id)
        path = server.reports / f"{job.id}.html"
        if job.status != "done" or not path.is_file():
            raise Refused(409, f"the verification is {job.status}; its report is not ready",
                          "follow /events or poll the verification until it is done")
        return FileResponse(path, media_type="text/html; charset=utf-8",
                            headers={"Content-Security-Policy": REPORT_CSP})

    @app.get(f"{API}/verifications/{{job_id}}/events", tags=["verifications"])
    async def events(job_id: str) -> StreamingResponse:
        server.job(job_id)
        return StreamingResponse(_events(store, job_id), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store"})

    @app.get(f"{API}/originals", tags=["originals"])
    def list_originals(request: Request, q: str = "", limit: int = 1000) -> list[dict[str, Any]]:
        server.reader(request)
        with Library(server.config.db) as library:
            found = search_originals(library, q[:200])
        return [asdict(o) for o in found[: min(max(limit, 1), 10000)]]

    @app.get(f"{API}/originals/{{original_id}}", tags=["originals"])
    def get_original(original_id: str, request: Request) -> dict[str, Any]:
        server.reader(request)
        with Library(server.config.db) as library:
            return asdict(_original(library, original_id))

    @app.post(f"{API}/originals", status_code=201, tags=["originals"],
              openapi_extra=_original_body())
    async def add_original(request: Request) -> JSONResponse:
        token = server.editor(request)
        return await _add_original(server, request, token)

    @app.delete(f"{API}/originals/{{original_id}}", tags=["originals"])
    def delete_original(original_id: str, request: Request) -> dict[str, Any]:
        token = server.editor(request)
        with Library(server.config.db) as library:
            _original(library, original_id)
            removed = library.remove(original_id)
        uploaded = Path(removed.file).parent
        if uploaded.parent == server.uploads / "originals":  # the server's copy of its upload
            shutil.rmtree(uploaded, ignore_errors=True)
        store.record_change(token, "remove-original", removed.id, removed.sha256)
        return {"removed": asdict(removed)}

    @app.get(f"{API}/changes", tags=["originals"])
    def changes(request: Request, limit: int = 200) -> list[dict[str, Any]]:
        server.reader(request)
        return store.changes(min(max(limit, 1), 1000))


def _original(library: Library, original_id: str) -> Original:
    try:
        return library.get(original_id)
    except LibraryError as error:
        raise Refused(404, error.message, error.hint or "") from None


async def _add_original(server: Server, request: Request, token: str) -> JSONResponse:
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise Refused(415, "send the original as multipart/form-data",
                      "a `file` field, or `source_url`, plus its metadata fields")
    form = await request.form(max_files=1, max_fields=30)
    meta = {k: _text(form.get(k) or "", k) for k in original_fields()}
    file = form.get("file")
    folder = f"originals/{new_id()}"
    if isinstance(file, UploadFile):
        path = await server.save_upload(file, folder)
        _refuse_html(path)
        source = str(path)
    else:
        source = str(form.get("source_url") or "").strip()
        if not source:
            raise Refused(400, "send a `file` or a `source_url`", "")
        await asyncio.to_thread(server.check_url, source)
    assert server.dispatcher is not None
    outcome = await server.dispatcher.register(source, meta)
    if "error" in outcome:
        if isinstance(file, UploadFile):
            shutil.rmtree(server.uploads / folder, ignore_errors=True)
        raise Refused(400, outcome["error"], outcome["hint"])
    original = outcome["original"]
    if outcome["added"]:
        server.store.record_change(token, "add-original", original["id"], original["sha256"])
    elif isinstance(file, UploadFile):
        shutil.rmtree(server.uploads / folder, ignore_errors=True)
    return JSONResponse({"added": outcome["added"], "original": original},
                        201 if outcome["added"] else 200)


async def _events(store: JobStore, job_id: str) -> AsyncIterator[str]:
    """Server-sent events: ``progress`` whenever the job changes, ``end`` once it is over."""
    last: tuple[Any, ...] | None = None
    quiet = 0.0
    while True:
        job = await asyncio.to_thread(store.get, job_id)
        if job is None:
            yield "event: end\ndata: {\"status\": \"deleted\"}\n\n"
            return
        view = job_view(job)
        key = (job.status, job.stage, job.done, job.total)
        if key != last:
            last, quiet = key, 0.0
            slim = {k: view[k] for k in ("id", "status", "progress", "error", "hint", "note")}
            yield f"event: progress\ndata: {json.dumps(slim)}\n\n"
        if job.status in ("done", "failed"):
            yield f"event: end\ndata: {json.dumps({'status': job.status})}\n\n"
            return
        if quiet >= EVENT_KEEPALIVE:
            quiet = 0.0
            yield ": keep-alive\n\n"
        await asyncio.sleep(EVENT_POLL)
        quiet += EVENT_POLL

