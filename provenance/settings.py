"""One frozen, validated settings object. Precedence: flags > environment > config file >
defaults.

The config file is TOML (``$PROVENANCE_CONFIG``, else ``~/.config/provenance/config.toml``)
with the keys of ``CONFIG_KEYS``. The settings used are echoed into every report so a result
can be reproduced.
"""

from __future__ import annotations

import difflib
import math
import os
import sys
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from .errors import SettingsError

# Frames sampled per second of video. 4/s puts a sample every 0.25 s, so segment boundaries land
# within half a second (median boundary error 0.03 s in benchmarks/copy_detection.py) and a 2 s
# window holds the 8 samples over which motion hashes separate moments of one camera
# (benchmarks/fingerprint_robustness.py); it costs at most 1.13-1.26x a plain decode
# (fingerprint_speed.py). 1/s is known to miss short copies (ThreatExchange had to raise it).
DEFAULT_SAMPLE_FPS = 4.0
MAX_SAMPLE_FPS = 30.0
# Largest file acquire will download or accept, in bytes (2 GiB).
DEFAULT_MAX_FILESIZE = 2 * 1024**3
# Largest value a size setting may take (1 TiB): beyond any video, and finite.
MAX_SIZE = 1024**4
# Overall deadline of one download, in seconds: the page yt-dlp reads to find the video, then the
# video. A 2 GiB file at 10 Mbit/s takes about 1,700 s.
DEFAULT_DOWNLOAD_TIMEOUT = 1800.0
# Overall deadline of one article: its page and every video it references, in seconds. A
# reference that would start after it is reported as not verified (budget spent).
DEFAULT_ARTICLE_TIMEOUT = 3600.0


def data_home() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(Path.home(), ".local", "share")
    return Path(base) / "provenance"


def is_postgres(target: object) -> bool:
    """Whether a library target names a PostgreSQL database (else it is an SQLite file)."""
    return isinstance(target, str) and target.lower().startswith(("postgresql://", "postgres://"))


def db_target(value: str | os.PathLike[str]) -> Path | str:
    """A --db value: a PostgreSQL URL stays a string (a Path would fold its '//'), anything else
    is a path."""
    text = os.fspath(value)
    return text if is_postgres(text) else Path(text).expanduser()


def redact(target: str) -> str:
    """A PostgreSQL URL without its password (in the address or its parameters), for messages
    and reports."""
    parts = urlsplit(target)
    netloc = parts.netloc
    if parts.password:
        netloc = f"{parts.username or ''}:***@" + netloc.rpartition("@")[2]
    query = "&".join("password=***" if pair.lower().startswith("password=") else pair
                     for pair in parts.query.split("&")) if parts.query else ""
    return urlunsplit(parts._replace(netloc=netloc, query=query))


def _cache_home() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(base) / "provenance"


def config_path() -> Path:
    """``$PROVENANCE_CONFIG``, else ``$XDG_CONFIG_HOME/provenance/config.toml``."""
    given = os.environ.get("PROVENANCE_CONFIG")
    if given:
        return Path(given).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(Path.home(), ".config")
    return Path(base) / "provenance" / "config.toml"


# Keys a config file may set, with the environment variable that overrides each.
CONFIG_KEYS = {
    "db": "PROVENANCE_DB",
    "cache_dir": "PROVENANCE_CACHE",
    "sample_fps": "PROVENANCE_FPS",
    "max_filesize": "PROVENANCE_MAX_FILESIZE",
    "audio": "PROVENANCE_AUDIO",
    "ocr": "PROVENANCE_OCR",
    "credentials": "PROVENANCE_CREDENTIALS",
    "trust_anchors": "PROVENANCE_TRUST_ANCHORS",
    "download_timeout": "PROVENANCE_TIMEOUT",
    "article_timeout": "PROVENANCE_ARTICLE_TIMEOUT",
}
_SWITCHES = ("audio", "ocr", "credentials")
_PATHS = ("db", "cache_dir", "trust_anchors")
# A config file larger than this is not a config file.
MAX_CONFIG_BYTES = 64 * 1024


@dataclass(frozen=True)
class Settings:
    """Settings shared by every stage."""

    db: Path | str  # an SQLite file, or a postgresql:// URL (library/target.py)
    cache_dir: Path
    sample_fps: float = DEFAULT_SAMPLE_FPS
    max_filesize: int = DEFAULT_MAX_FILESIZE
    # Passed to yt-dlp for real sites: a Netscape cookies file, a browser to read cookies from
    # ("firefox", "chrome:Profile 1"), a proxy URL, a download rate limit in bytes/s.
    cookies: Path | None = None
    cookies_from_browser: str | None = None
    proxy: str | None = None
    rate_limit: int | None = None
    # Evidence beyond the picture (evidence.py): the sound, burned-in text, Content Credentials.
    audio: bool = True
    ocr: bool = True
    credentials: bool = True
    # PEM certificates whose signers' Content Credentials count as trusted (e.g. the C2PA trust
    # list); without it a valid signature is reported as valid but untrusted.
    trust_anchors: Path | None = None
    download_timeout: float = DEFAULT_DOWNLOAD_TIMEOUT
    article_timeout: float = DEFAULT_ARTICLE_TIMEOUT
    # Download URLs again, replacing their cached copies, instead of reading the cache
    # (`--refresh`: a post whose video changed on the server).
    refresh: bool = False

    def __post_init__(self) -> None:
        for name in ("download_timeout", "article_timeout"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise SettingsError(f"{name.replace('_', ' ')} {value!r} must be a positive "
                                    "number of seconds", "e.g. --timeout 600")
        if not 0 < self.sample_fps <= MAX_SAMPLE_FPS:
            raise SettingsError(
                f"sample rate {self.sample_fps} frames/s is out of range",
                f"use a value above 0 and at most {MAX_SAMPLE_FPS:g}",
            )
        if not 0 < self.max_filesize <= MAX_SIZE:
            raise SettingsError("max file size must be positive", "e.g. --max-filesize 500M")
        if self.cookies is not None and not self.cookies.is_file():
            raise SettingsError(f"cookies file {self.cookies} does not exist",
                                "export cookies in Netscape format, or use --cookies-from-browser")
        if self.trust_anchors is not None and not self.trust_anchors.is_file():
            raise SettingsError(f"trust anchors file {self.trust_anchors} does not exist",
                                "give a PEM file of certificates, e.g. the C2PA trust list")
        if self.rate_limit is not None and self.rate_limit <= 0:
            raise SettingsError("the rate limit must be positive", "e.g. --limit-rate 2M")

    def with_overrides(self, **overrides: Any) -> Settings:
        """Return a copy with the given non-None values replaced (flags win over everything)."""
        given = {k: v for k, v in overrides.items() if v is not None}
        if "db" in given:
            given["db"] = db_target(given["db"])
        for key in ("cache_dir", "cookies", "trust_anchors"):
            if key in given:
                given[key] = Path(given[key])
        return replace(self, **given)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data = {k: str(v) if isinstance(v, Path) else v for k, v in data.items()}
        if is_postgres(data["db"]):
            data["db"] = redact(data["db"])
        if data.get("cookies"):
            data["cookies"] = "(given)"  # where a user keeps credentials stays out of reports
        return data


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw[:40]!r} is not a number",
                            f"unset {name} or fix it") from None
    if not math.isfinite(value):
        raise SettingsError(f"{name}={raw[:40]!r} is not a finite number",
                            f"unset {name} or fix it")
    return value


_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}


def parse_size(text: str) -> int:
    """'500M' -> 524288000; plain numbers are bytes."""
    value = text.strip().upper().removesuffix("B").removesuffix("I")
    unit = value[-1:] if value[-1:] in _UNITS else ""
    shown = repr(text[:40])
    try:
        number = float(value[: len(value) - len(unit)])
    except ValueError:
        raise SettingsError(f"{shown} is not a size", "e.g. 500M, 2G or 1048576") from None
    if not math.isfinite(number) or number * _UNITS[unit] < 1:
        raise SettingsError(f"{shown} is not a positive size", "e.g. 500M")
    if number * _UNITS[unit] > MAX_SIZE:
        raise SettingsError(f"{shown} is larger than {MAX_SIZE // 1024**4} TiB", "e.g. 2G")
    return int(number * _UNITS[unit])


def read_config(path: Path | None = None) -> tuple[Path, dict[str, Any]]:
    """The config file's path and its values (empty when the default file does not exist)."""
    path = path or config_path()
    explicit = bool(os.environ.get("PROVENANCE_CONFIG"))
    hint = f"fix or remove {path}" + (" (named by $PROVENANCE_CONFIG)" if explicit else "")
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        if explicit:
            raise SettingsError(f"config file {path} does not exist",
                                "unset PROVENANCE_CONFIG or create the file") from None
        return path, {}
    except OSError as exc:
        raise SettingsError(f"cannot read config file {path} ({exc.strerror})", hint) from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise SettingsError(f"config file {path} is larger than {MAX_CONFIG_BYTES} bytes", hint)
    try:
        values = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"config file {path} is not valid TOML ({exc})", hint) from None
    for key in values:
        if key not in CONFIG_KEYS:
            close = difflib.get_close_matches(key, CONFIG_KEYS, n=1)
            raise SettingsError(
                f"config file {path}: unknown key {key!r}"
                + (f"; did you mean {close[0]!r}?" if close else ""),
                f"known keys: {', '.join(CONFIG_KEYS)}")
    return path, _typed_config(values, path, hint)


def _typed_config(values: dict[str, Any], path: Path, hint: str) -> dict[str, Any]:
    typed: dict[str, Any] = {}
    for key, value in values.items():
        if key in _SWITCHES:
            if not isinstance(value, bool):
                raise SettingsError(f"config file {path}: {key} must be true or false", hint)
            typed[key] = value
        elif key in _PATHS:
            if not isinstance(value, str) or not value:
                raise SettingsError(f"config file {path}: {key} must be a path string", hint)
            # Relative paths are relative to the config file, not to where a command runs.
            typed[key] = value if key == "db" and is_postgres(value) \
                else path.parent / Path(value).expanduser()
        elif isinstance(value, str) and key == "max_filesize":
            typed[key] = parse_size(value)
        elif isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not math.isfinite(value):
            raise SettingsError(f"config file {path}: {key} must be a number", hint)
        else:
            typed[key] = int(value) if key == "max_filesize" else float(value)
    return typed


def _env_switch(name: str, raw: str) -> bool:
    if raw.strip().lower() in ("1", "true", "yes", "on"):
        return True
    if raw.strip().lower() in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name}={raw!r} is not on or off", f"set {name}=1 or {name}=0")


def _env_size(name: str) -> int:
    try:
        return parse_size(os.environ.get(name, ""))
    except SettingsError as error:
        raise SettingsError(f"{name}: {error.message}", f"unset {name} or fix it") from None


def _from_environment() -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, name in CONFIG_KEYS.items():
        raw = os.environ.get(name)
        if not raw:
            continue
        if key == "db":
            values[key] = db_target(raw)
        elif key in _PATHS:
            values[key] = Path(raw).expanduser()
        elif key in _SWITCHES:
            values[key] = _env_switch(name, raw)
        elif key == "sample_fps":
            values[key] = _env_float(name, DEFAULT_SAMPLE_FPS)
        elif key == "max_filesize":
            values[key] = _env_size(name)
        else:
            values[key] = _env_float(name, 0.0)
    return values


def resolve_settings(**overrides: Any) -> tuple[Settings, dict[str, str]]:
    """Settings from flags (``overrides``) > environment > config file > defaults, and where
    each value came from ("flag", "environment (NAME)", "config file (PATH)", "default")."""
    path, from_file = read_config()
    from_env = _from_environment()
    values: dict[str, Any] = {"db": data_home() / "library.db", "cache_dir": _cache_home()}
    sources = {key: "default" for key in CONFIG_KEYS}
    for key, value in from_file.items():
        values[key], sources[key] = value, f"config file ({path})"
    for key, value in from_env.items():
        values[key], sources[key] = value, f"environment ({CONFIG_KEYS[key]})"
    for key, value in overrides.items():
        if value is not None and key in sources:
            sources[key] = "flag"
    settings = Settings(**values).with_overrides(**overrides)
    return settings, sources


def load_settings(**overrides: Any) -> Settings:
    """Build settings from the config file and the environment (PROVENANCE_DB,
    PROVENANCE_CACHE, PROVENANCE_FPS, PROVENANCE_MAX_FILESIZE, PROVENANCE_TIMEOUT,
    PROVENANCE_ARTICLE_TIMEOUT), then apply flag overrides."""
    return resolve_settings(**overrides)[0]
