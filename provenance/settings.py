"""One frozen, validated settings object. Precedence: flags > environment > defaults.

The settings used are echoed into every report so a result can be reproduced.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

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


def _data_home() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(Path.home(), ".local", "share")
    return Path(base) / "provenance"


def _cache_home() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(base) / "provenance"


@dataclass(frozen=True)
class Settings:
    """Settings shared by every stage."""

    db: Path
    cache_dir: Path
    sample_fps: float = DEFAULT_SAMPLE_FPS
    max_filesize: int = DEFAULT_MAX_FILESIZE
    # Passed to yt-dlp for real sites: a Netscape cookies file, a browser to read cookies from
    # ("firefox", "chrome:Profile 1"), a proxy URL, a download rate limit in bytes/s.
    cookies: Path | None = None
    cookies_from_browser: str | None = None
    proxy: str | None = None
    rate_limit: int | None = None

    def __post_init__(self) -> None:
        if not 0 < self.sample_fps <= MAX_SAMPLE_FPS:
            raise SettingsError(
                f"sample rate {self.sample_fps} frames/s is out of range",
                f"use a value above 0 and at most {MAX_SAMPLE_FPS:g}",
            )
        if self.max_filesize <= 0:
            raise SettingsError("max file size must be positive", "e.g. --max-filesize 500M")
        if self.cookies is not None and not self.cookies.is_file():
            raise SettingsError(f"cookies file {self.cookies} does not exist",
                                "export cookies in Netscape format, or use --cookies-from-browser")
        if self.rate_limit is not None and self.rate_limit <= 0:
            raise SettingsError("the rate limit must be positive", "e.g. --limit-rate 2M")

    def with_overrides(self, **overrides: Any) -> Settings:
        """Return a copy with the given non-None values replaced (flags win over everything)."""
        given = {k: v for k, v in overrides.items() if v is not None}
        if "db" in given:
            given["db"] = Path(given["db"])
        for key in ("cache_dir", "cookies"):
            if key in given:
                given[key] = Path(given[key])
        return replace(self, **given)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data = {k: str(v) if isinstance(v, Path) else v for k, v in data.items()}
        if data.get("cookies"):
            data["cookies"] = "(given)"  # where a user keeps credentials stays out of reports
        return data


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a number", f"unset {name} or fix it") from None


_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}


def parse_size(text: str) -> int:
    """'500M' -> 524288000; plain numbers are bytes."""
    value = text.strip().upper().removesuffix("B").removesuffix("I")
    unit = value[-1:] if value[-1:] in _UNITS else ""
    try:
        number = float(value[: len(value) - len(unit)])
    except ValueError:
        raise SettingsError(f"{text!r} is not a size", "e.g. 500M, 2G or 1048576") from None
    if number <= 0:
        raise SettingsError(f"{text!r} is not a positive size", "e.g. 500M")
    return int(number * _UNITS[unit])


def load_settings(**overrides: Any) -> Settings:
    """Build settings from the environment (PROVENANCE_DB, PROVENANCE_CACHE, PROVENANCE_FPS,
    PROVENANCE_MAX_FILESIZE), then apply flag overrides."""
    base = Settings(
        db=Path(os.environ.get("PROVENANCE_DB") or _data_home() / "library.db"),
        cache_dir=Path(os.environ.get("PROVENANCE_CACHE") or _cache_home()),
        sample_fps=_env_float("PROVENANCE_FPS", DEFAULT_SAMPLE_FPS),
        max_filesize=int(_env_float("PROVENANCE_MAX_FILESIZE", DEFAULT_MAX_FILESIZE)),
    )
    return base.with_overrides(**overrides)
