"""What a running server is allowed to do: where it keeps its files, who holds a token, limits."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import SettingsError
from ..settings import data_home, load_settings, redact

# Uploads and downloads: a few hundred MB is a normal news video (a 10-minute 1080p clip at
# 5 Mbit/s is about 375 MB), so the default allows 500 MB (--max-upload, --max-download).
DEFAULT_MAX_UPLOAD = 500 * 1024**2
DEFAULT_MAX_DOWNLOAD = 500 * 1024**2
# Everything uploaded and not yet deleted, together: the server refuses new uploads above it.
DEFAULT_MAX_STORAGE = 20 * 1024**3
# Jobs one token (or everyone without one, on loopback) may have queued or running at once.
DEFAULT_MAX_QUEUED_PER_TOKEN = 50
ANONYMOUS = "anonymous"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
# A token shorter than this is refused: a bearer token must not be guessable.
MIN_TOKEN_LENGTH = 16


@dataclass(frozen=True)
class ServerConfig:
    """Settings of one `provenance serve` process (flags, then defaults)."""

    db: Path | str  # an SQLite file, or a postgresql:// URL
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    tokens: dict[str, str] = field(default_factory=dict)  # name -> secret
    allow: tuple[str, ...] = ()  # networks submitted URLs may reach although not public
    max_upload: int = DEFAULT_MAX_UPLOAD
    max_download: int = DEFAULT_MAX_DOWNLOAD
    max_storage: int = DEFAULT_MAX_STORAGE
    max_queued_per_token: int = DEFAULT_MAX_QUEUED_PER_TOKEN
    sample_fps: float | None = None
    # Jobs, uploads and reports (--state-dir); None: beside an SQLite library, or a folder per
    # PostgreSQL library under the user's data folder (default_state_dir).
    state_dir: Path | None = None
    # Downloads and the place-name index on loopback; None: the cache folder the CLI uses
    # (settings). Off loopback the server keeps its own (``cache``).
    cache_dir: Path | None = None

    @property
    def loopback(self) -> bool:
        return is_loopback_host(self.host)

    @property
    def library_name(self) -> str:
        """The library as messages name it: a file's path, or its URL without the password."""
        return redact(self.db) if isinstance(self.db, str) else str(self.db)

    @property
    def jobs_db(self) -> Path:
        """The job queue: beside an SQLite library (never inside it), else in the state folder."""
        if self.state_dir is None and isinstance(self.db, Path):
            return self.db.with_name(self.db.name + ".jobs")
        return self.data_dir / "jobs.db"

    @property
    def data_dir(self) -> Path:
        """The server's own folder: jobs (for PostgreSQL), uploads and reports."""
        if self.state_dir is not None:
            return self.state_dir
        if isinstance(self.db, Path):
            return self.db.with_name(self.db.name + ".serve")
        return default_state_dir(self.db)

    @property
    def cache(self) -> Path:
        """Where workers keep downloads and the place-name index. On loopback (one desk), the
        cache folder of this machine's commands (--cache-dir, $PROVENANCE_CACHE, the config
        file's `cache_dir`, ~/.cache/provenance), so the index is built once for both (a desk
        audit: a second 53 MB index, built during the first job). On any other address a
        folder of the server's own: a URL a checker downloaded with --cookies must not be
        read from the cache by whoever submits it."""
        if not self.loopback:
            return self.data_dir / "cache"
        return self.cache_dir if self.cache_dir is not None else load_settings().cache_dir

    def networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        return tuple(ipaddress.ip_network(n, strict=False) for n in self.allow)

    def token_name(self, secret: str) -> str | None:
        """The name of the token with this secret, compared in constant time."""
        found = None
        for name, known in self.tokens.items():
            if hmac.compare_digest(known.encode(), secret.encode()):
                found = name
        return found


def default_state_dir(url: str) -> Path:
    """A PostgreSQL library's server folder on this machine: under the user's data folder, one
    per database (named by its host, port and name, and a digest of its URL without password)."""
    parts = urlsplit(redact(url))
    label = "-".join(p for p in (parts.hostname, str(parts.port or ""), parts.path.strip("/"))
                     if p)
    label = re.sub(r"[^A-Za-z0-9._-]+", "_", label)[:60].strip("._") or "postgresql"
    digest = hashlib.sha256(redact(url).encode()).hexdigest()[:12]
    return data_home() / "serve" / f"{label}-{digest}"


def is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def load_tokens(token_file: str | None, env_token: str | None) -> dict[str, str]:
    """Editors' tokens: ``PROVENANCE_TOKEN`` (named "default") and lines ``name:secret`` of a
    token file (blank lines and ``#`` comments skipped)."""
    tokens: dict[str, str] = {}
    if env_token:
        tokens["default"] = _checked("default", env_token.strip(), "PROVENANCE_TOKEN")
    if token_file:
        try:
            lines = Path(token_file).read_text("utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise SettingsError(f"cannot read the token file {token_file} ({exc})",
                                "one `name:token` per line") from None
        for number, line in enumerate(lines, start=1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, sep, secret = line.partition(":")
            where = f"{token_file} line {number}"
            if not sep or not _NAME.match(name.strip()):
                raise SettingsError(f"{where} is not `name:token`",
                                    "names are letters, digits, . _ @ -")
            if name.strip() in tokens:
                raise SettingsError(f"{where}: the name {name.strip()!r} is used twice",
                                    "give every editor their own name")
            tokens[name.strip()] = _checked(name.strip(), secret.strip(), where)
    return tokens


def _checked(name: str, secret: str, where: str) -> str:
    if len(secret) < MIN_TOKEN_LENGTH:
        raise SettingsError(f"the token {name!r} ({where}) is shorter than {MIN_TOKEN_LENGTH}",
                            "make one with: python -c 'import secrets; "
                            "print(secrets.token_urlsafe(24))'")
    return secret
