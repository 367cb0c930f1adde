"""`provenance demo`: the main job on the bundled samples, in a throw-away library."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import SettingsError
from .library import Library
from .models import Original, Verification
from .pipeline import Progress, register, verify_many
from .settings import load_settings


@dataclass(frozen=True)
class DemoOutcome:
    article: str
    results: list[Verification]


def default_samples_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "samples"


def load_manifest(samples: Path) -> list[tuple[Path, Original]]:
    """The originals listed in ``originals.json``: (video file, metadata)."""
    manifest = samples / "originals.json"
    if not manifest.is_file():
        raise SettingsError(f"no originals.json in {samples}",
                            "pass --samples pointing at the samples folder of the repository")
    entries = json.loads(manifest.read_text("utf-8"))
    known = {f.name for f in Original.__dataclass_fields__.values()}
    return [
        ((samples / entry["file"]).resolve(),
         Original(**{k: v for k, v in entry.items() if k in known}))
        for entry in entries
    ]


def run_demo(
    samples: str | Path | None = None,
    progress: Progress | None = None,
    echo: Callable[[str], None] | None = None,
) -> DemoOutcome:
    """Register the sample originals in a temporary library and verify the sample article."""
    folder = Path(samples) if samples else default_samples_dir()
    say = echo or (lambda _text: None)
    with tempfile.TemporaryDirectory(prefix="provenance-demo-") as workdir:
        settings = load_settings(db=Path(workdir) / "library.db",
                                 cache_dir=Path(workdir) / "cache")
        with Library(settings.db, create=True) as library:
            for path, original in load_manifest(folder):
                stored, _ = register(str(path), original, library, settings, progress)
                say(f"registered {stored.id}: {stored.duration:.1f} s, "
                    f"recorded {stored.recorded_at}, source: {stored.source}")
            article = str(folder / "article.html")
            say(f"verifying the videos in {article} ...")
            results = verify_many(article, library, settings, progress)
    return DemoOutcome(article=article, results=results)
