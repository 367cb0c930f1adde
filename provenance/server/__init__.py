"""`provenance serve`: one library for a whole desk, as a web page and an HTTP API.

Needs the ``serve`` extra (FastAPI, uvicorn, python-multipart): ``pip install 'provenance[serve]'``.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import SettingsError
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


def run(db: str, host: str, port: int, workers: int | None, token_file: str | None,
        allow_net: tuple[str, ...], max_upload: str, max_download: str, max_queued: int,
        sample_fps: float | None, state_dir: str | None = None) -> None:
    """The `serve` command's options, checked, then the server."""
    import ipaddress

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
        state_dir=Path(state_dir).expanduser().absolute() if state_dir else None)
    serve(config)
