"""`provenance serve`: one library for a whole desk, as a web page and an HTTP API.

Needs the ``serve`` extra (FastAPI, uvicorn, python-multipart): ``pip install 'provenance[serve]'``.
"""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path

from ..errors import NoLibraryError, SettingsError
from ..settings import is_postgres, parse_size
from .config import ServerConfig, load_tokens

__all__ = ["ServerConfig", "run", "serve"]


def _require() -> None:
    missing = []
    for module in ("fastapi", "uvicorn", "python_multipart"):
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    if missing:
        raise SettingsError(f"`provenance serve` needs {', '.join(missing)}, which are not "
                            "installed", "pip install 'provenance[serve]'")


def serve(config: ServerConfig) -> None:
    """Run the server in this process until it is stopped."""
    _require()
    import uvicorn

    from .app import create_app

    uvicorn.run(create_app(config), host=config.host, port=config.port, log_level="info",
                timeout_graceful_shutdown=5)


# Files the server makes are its user's alone (``run``).
SERVER_UMASK = 0o077


def run(db: str, host: str, port: int, workers: int | None, token_file: str | None,
        allow_net: tuple[str, ...], max_upload: str, max_download: str, max_queued: int,
        sample_fps: float | None, state_dir: str | None = None, create: bool = False,
        cache_dir: str | None = None) -> None:
    """The `serve` command's options, checked, then the server."""
    import ipaddress

    _require()

    for network in allow_net:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise SettingsError(f"--allow-net {network!r} is not a network",
                                "e.g. 10.20.0.0/16 or 192.0.2.7") from None
    if workers is not None and workers < 1:
        raise SettingsError("--workers must be at least 1", "default: the number of cores")
    config = ServerConfig(
        db=db if is_postgres(db) else Path(db).absolute(), host=host, port=port,
        workers=workers or os.cpu_count() or 1,
        tokens=load_tokens(token_file, os.environ.get("PROVENANCE_TOKEN")),
        allow=tuple(allow_net), max_upload=parse_size(max_upload),
        max_download=parse_size(max_download), max_queued_per_token=max_queued,
        sample_fps=sample_fps,
        state_dir=Path(state_dir).expanduser().absolute() if state_dir else None,
        cache_dir=Path(cache_dir).expanduser().absolute() if cache_dir else None)
    if not config.loopback and not config.tokens:
        raise SettingsError(f"--host {host} is not loopback and no editor token is set: every "
                            "verification would be refused",
                            "set PROVENANCE_TOKEN or give --token-file (one `name:token` a line)")
    _check_port_free(host, port)
    if not create:
        _check_library(config.db)
    # What the server keeps (uploads, jobs, reports, downloads) is for its users alone: a desk
    # audit found them readable by every account on the machine (0644). The worker processes
    # inherit it.
    os.umask(SERVER_UMASK)
    serve(config)


def _check_library(db: Path | str) -> None:
    """Refuse a library that is not there: a server on a mistyped --db would answer every
    verification "unverified" from a new, empty library (a desk audit's `--db lib.bd`)."""
    from ..library import Library

    try:
        Library(db).close()
    except NoLibraryError as exc:
        raise NoLibraryError(exc.message, "check the path, or start with --create to make a "
                                          "new, empty library there") from None


def _check_port_free(host: str, port: int) -> None:
    """Refuse a port something else listens on before any file is made (uvicorn's own
    error comes after the server's folders and jobs database)."""
    try:
        with socket.create_server((host, port), family=_family(host)):
            pass
    except OSError as exc:
        hint = ("choose another --port, or stop what is serving there"
                if exc.errno == errno.EADDRINUSE else
                "give --host an address of this machine (127.0.0.1, 0.0.0.0 for every one)")
        raise SettingsError(f"cannot listen on {host}:{port} ({exc.strerror or exc})",
                            hint) from None


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET
