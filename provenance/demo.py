"""`provenance demo`: the main job on the bundled samples, in a throw-away library."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import SettingsError
from .library import Library
from .models import Verification
from .pipeline import Progress, verify_many
from .registry import import_manifest
from .settings import load_settings


@dataclass(frozen=True)
class DemoOutcome:
    article: str
    results: list[Verification]


def default_samples_dir() -> Path:
    """The samples shipped inside the package (made by `tests/make_samples.py`)."""
    return Path(__file__).resolve().parent / "samples"


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
        manifest = folder / "originals.json"
        if not manifest.is_file():
            raise SettingsError(f"no originals.json in {folder}",
                                "pass --samples: a folder with originals.json and article.html")
        with Library(settings.db, create=True) as library:
            report = import_manifest(manifest, library, settings, progress)
            for number, original_id, reason in report.failed:
                say(f"could not register row {number} ({original_id}): {reason}")
            for original in library.list():
                say(f"registered {original.id}: {original.duration:.1f} s, "
                    f"recorded {original.recorded_at}, source: {original.source}")
            article = str(folder / "article.html")
            say(f"verifying the videos in {article} ...")
            results = verify_many(article, library, settings, progress)
    return DemoOutcome(article=article, results=results)
