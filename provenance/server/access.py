"""Who may do what, and how much: bearer tokens by name, and the request body limit."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import Request

from .config import ANONYMOUS, ServerConfig

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


class Access:
    """The rules of docs/serve.md ("Who may do what") for one server."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config

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
