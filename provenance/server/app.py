"""The ASGI app: the HTTP API under /api/v1 (routes only: the work is in `service`) and the
web pages."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, StreamingResponse
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..errors import LibraryError
from ..library import Library
from ..models import Original
from . import pages
from .access import BodyLimit, Refused
from .config import ServerConfig
from .jobs import JobStore, new_id
from .service import (
    API,
    CLAIM_FIELDS,
    REPORT_CSP,
    Server,
    job_links,
    job_view,
    original_fields,
    original_from_form,
    refuse_html,
    refuse_two_videos,
    search_originals,
    text_field,
)
from .worker import Dispatcher, shown_to_clients

# Seconds between two looks at a job while streaming its events, and between keep-alives.
EVENT_POLL = 0.3
EVENT_KEEPALIVE = 15.0


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

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(_framework_error(request, exc.status_code, str(exc.detail)),
                            exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        first: dict[str, Any] = next(iter(exc.errors()), {})
        where = ".".join(str(part) for part in first.get("loc", ()))
        message = f"{where}: {first.get('msg', 'invalid')}" if where else "invalid request"
        return JSONResponse({"error": message[:300], "hint": _SEE_API}, 400)

    _api_routes(app, server)
    pages.add_routes(app, server)
    app.add_middleware(BodyLimit, limit=config.max_upload)  # type: ignore[arg-type]
    return app


_SEE_API = f"the API is described at {API}/openapi.json and in docs/serve.md"


def _framework_error(request: Request, status: int, detail: str) -> dict[str, str | None]:
    """The framework's own refusals (an unknown route, a method not allowed, a form the
    multipart parser refuses) in the API's error format, ``{"error", "hint"}`` (a desk audit
    met FastAPI's ``{"detail"}`` there)."""
    if status == 404:
        return {"error": f"nothing at {request.url.path[:200]}", "hint": _SEE_API}
    if status == 405:
        return {"error": f"{request.method} is not allowed at {request.url.path[:200]}",
                "hint": _SEE_API}
    return {"error": detail[:300], "hint": None}


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
        job_id = await server.submit(request)
        links = job_links(job_id)  # a worker may have started it already: it was queued
        return JSONResponse({"id": job_id, "status": "queued", "links": links}, 202,
                            headers={"Location": links["self"]})

    @app.get(f"{API}/verifications", tags=["verifications"])
    def list_jobs(request: Request, limit: int = Query(50, ge=1, le=500)
                  ) -> list[dict[str, Any]]:
        server.access.reader(request)
        return [{k: v for k, v in job_view(j).items() if k != "result"}
                for j in store.recent(limit)]

    @app.get(f"{API}/verifications/{{job_id}}", tags=["verifications"])
    def get_job(job_id: str) -> dict[str, Any]:
        return job_view(server.job(job_id))

    @app.delete(f"{API}/verifications/{{job_id}}", status_code=204, tags=["verifications"])
    def delete_job(job_id: str, request: Request) -> None:
        token = server.access.editor(request)
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
    def list_originals(request: Request, q: str = "",
                       limit: int = Query(1000, ge=1, le=10000)) -> list[dict[str, Any]]:
        server.access.reader(request)
        with Library(server.config.db) as library:
            found = search_originals(library, q[:200])
        return [shown_to_clients(asdict(o)) for o in found[:limit]]

    @app.get(f"{API}/originals/{{original_id}}", tags=["originals"])
    def get_original(original_id: str, request: Request) -> dict[str, Any]:
        server.access.reader(request)
        with Library(server.config.db) as library:
            return shown_to_clients(asdict(_original(library, original_id)))

    @app.post(f"{API}/originals", status_code=201, tags=["originals"],
              openapi_extra=_original_body())
    async def add_original(request: Request) -> JSONResponse:
        token = server.access.editor(request)
        return await _add_original(server, request, token)

    @app.delete(f"{API}/originals/{{original_id}}", tags=["originals"])
    def delete_original(original_id: str, request: Request) -> dict[str, Any]:
        token = server.access.editor(request)
        with Library(server.config.db) as library:
            _original(library, original_id)
            removed = library.remove(original_id)
        uploaded = Path(removed.file).parent
        if uploaded.parent == server.uploads / "originals":  # the server's copy of its upload
            shutil.rmtree(uploaded, ignore_errors=True)
        store.record_change(token, "remove-original", removed.id, removed.sha256)
        return {"removed": shown_to_clients(asdict(removed))}

    @app.get(f"{API}/changes", tags=["originals"])
    def changes(request: Request, limit: int = Query(200, ge=1, le=1000)
                ) -> list[dict[str, Any]]:
        server.access.reader(request)
        return store.changes(limit)


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
    meta = {k: text_field(form.get(k) or "", k) for k in original_fields()}
    original_from_form(meta, "checked before anything is stored")
    file = form.get("file")
    refuse_two_videos(isinstance(file, UploadFile), form.get("source_url"), "source_url")
    folder = f"originals/{new_id()}"
    if isinstance(file, UploadFile):
        path = await server.save_upload(file, folder)
        refuse_html(path)
        source = str(path)
    else:
        source = str(form.get("source_url") or "").strip()
        if not source:
            raise Refused(400, "send a `file` or a `source_url`",
                          "a `file` field with the original, or its address as `source_url`")
        await asyncio.to_thread(server.check_url, source)
    assert server.dispatcher is not None
    outcome = await server.dispatcher.register(source, asdict(original_from_form(meta, source)))
    if "error" in outcome:
        named = {str(server.config.db): "the library"}
        if isinstance(file, UploadFile):
            shutil.rmtree(server.uploads / folder, ignore_errors=True)
            named[source] = file.filename or "the upload"
        raise Refused(400, _renamed(outcome["error"], named), _renamed(outcome["hint"], named))
    original = outcome["original"]
    if outcome["added"]:
        server.store.record_change(token, "add-original", original["id"], original["sha256"])
    elif isinstance(file, UploadFile):
        shutil.rmtree(server.uploads / folder, ignore_errors=True)
    return JSONResponse({"added": outcome["added"], "original": shown_to_clients(original)},
                        201 if outcome["added"] else 200)


def _renamed(text: str, names: dict[str, str]) -> str:
    """A message with the server's own paths said as the client knows them (the upload's
    name, "the library"): a desk audit's refused upload named the server's upload folder."""
    for path in sorted(names, key=len, reverse=True):  # the upload lies inside the library's
        text = text.replace(path, names[path])
    return text


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


