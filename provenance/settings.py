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
# within half a second; 1/s is known to miss short copies (ThreatExchange had to raise it).
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

    def __post_init__(self) -> None:
        if not 0 < self.sample_fps <= MAX_SAMPLE_FPS:
            raise SettingsError(
                f"sample rate {self.sample_fps} frames/s is out of range",
                f"use a value above 0 and at most {MAX_SAMPLE_FPS:g}",
            )
        if self.max_filesize <= 0:
            raise SettingsError("max file size must be positive", "e.g. --max-filesize 500M")

    def with_overrides(self, **overrides: Any) -> Settings:
        """Return a copy with the given non-None values replaced (flags win over everything)."""
        given = {k: v for k, v in overrides.items() if v is not None}
        if "db" in given:
            given["db"] = Path(given["db"])
        if "cache_dir" in given:
            given["cache_dir"] = Path(given["cache_dir"])
        return replace(self, **given)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        return {k: str(v) if isinstance(v, Path) else v for k, v in data.items()}


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a number", f"unset {name} or fix it") from None


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
