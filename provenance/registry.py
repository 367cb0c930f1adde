"""Registering originals: one file or URL, a manifest of many, or again from their files."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace

from . import acquire
from .dates import normalise
from .errors import LibraryError, ProvenanceError, SettingsError
from .library import Library
from .library.manifest import ManifestRow, read_manifest
from .models import Original
from .pipeline import Progress, acquire_video, frame_progress, is_url, opened_library
from .provider import decode_original
from .settings import Settings, load_settings


def register(
    path: str,
    original: Original,
    library: Library | str | os.PathLike[str],
    settings: Settings | None = None,
    progress: Progress | None = None,
) -> tuple[Original, bool]:
    """Fingerprint a file (or URL) and add it to the library as a known original.

    Returns (the stored original, whether it was newly added): the same file again is a no-op.
    """
    settings = settings or load_settings()
    original = checked_metadata(original)
    with opened_library(library, create=True) as lib:
        video = (acquire_video(path, settings, progress) if is_url(path)
                 else acquire.local_video(path))
        existing = lib.find_by_sha256(video.sha256)
        if existing is not None:
            return existing, False

        fp, local = decode_original(video.path, settings.sample_fps, frame_progress(progress))
        url = original.url or (video.source_url or "")
        where = path if is_url(path) else os.path.abspath(path)
        stored = replace(original, sha256=video.sha256, duration=round(fp.duration, 3),
                         fps=round(fp.native_fps, 3), width=fp.width, height=fp.height, url=url,
                         file=where)
        return lib.add(stored, fp, local)


def checked_metadata(original: Original) -> Original:
    """The original with its dates normalised to ISO; SettingsError (exit 2) for a date or
    coordinate that cannot be read, so a date check never silently disappears."""
    for name, low, high in (("latitude", -90.0, 90.0), ("longitude", -180.0, 180.0)):
        value = getattr(original, name)
        if value is not None and not (isinstance(value, (int, float)) and low <= value <= high):
            raise SettingsError(f"{name} {value!r} is not between {low:g} and {high:g}",
                                "give decimal degrees, e.g. 50.9375")
    if (original.latitude is None) != (original.longitude is None):
        raise SettingsError("a latitude needs a longitude", "give both, or neither")
    return replace(original, recorded_at=normalise(original.recorded_at, "recorded_at"),
                   published_at=normalise(original.published_at, "published_at"))


def update(original_id: str, library: Library, **changes: object) -> Original:
    """Change an original's metadata (title, source, dates, location...), dates checked as in
    ``register``."""
    current = library.get(original_id)
    checked = checked_metadata(replace(current, **changes))  # type: ignore[arg-type]
    return library.update(original_id, **{k: getattr(checked, k) for k in changes})


def metadata_changes(given: Original, stored: Original) -> dict[str, object]:
    """Metadata given for a file already registered that differs from what is stored."""
    given = checked_metadata(given)
    return {k: getattr(given, k) for k in ("title", "source", "recorded_at", "published_at",
                                            "url", "notes", "location", "latitude", "longitude")
            if getattr(given, k) not in ("", None) and getattr(given, k) != getattr(stored, k)}


def reindex(original_id: str, library: Library, settings: Settings | None = None,
            progress: Progress | None = None) -> Original:
    """Fingerprint an original again from the file it was registered from (after a format
    change or with another sample rate), and store its local-matching data (libraries made
    before schema v4 have none). The file must still be the same (same sha256)."""
    settings = settings or load_settings()
    original = library.get(original_id)
    if not original.file or is_url(original.file) or not os.path.isfile(original.file):
        raise LibraryError(
            f"the file of {original_id!r} ({original.file or 'not recorded'}) is not on disk",
            f"remove it and add it again: `provenance library remove {original_id}` then "
            "`provenance library add FILE --id ...`")
    if acquire.sha256_file(original.file) != original.sha256:
        raise LibraryError(f"{original.file} has changed since {original_id!r} was registered",
                           "add the new file as a new original")
    fp, local = decode_original(original.file, settings.sample_fps, frame_progress(progress))
    library.replace_fingerprint(original_id, fp)
    library.replace_local(original_id, local)
    return original


@dataclass(frozen=True)
class ImportReport:
    """What `library import` did with each row of a manifest."""

    added: tuple[str, ...]
    already_present: tuple[str, ...]
    failed: tuple[tuple[int, str, str], ...]  # (row number, id, reason)


def import_manifest(
    manifest: str | os.PathLike[str],
    library: Library,
    settings: Settings | None = None,
    progress: Progress | None = None,
    on_row: Callable[[ManifestRow], None] | None = None,
) -> ImportReport:
    """Register every original a manifest lists; a bad row is reported and the rest go on."""
    settings = settings or load_settings()
    added: list[str] = []
    present: list[str] = []
    failed: list[tuple[int, str, str]] = []
    for row in read_manifest(manifest):
        if on_row is not None:
            on_row(row)
        name = row.original.id if row.original else ""
        if row.original is None:
            failed.append((row.number, name, row.error))
            continue
        try:
            stored, is_new = register(row.file, row.original, library, settings, progress)
        except ProvenanceError as error:
            failed.append((row.number, name, error.message))
            continue
        (added if is_new else present).append(stored.id)
    return ImportReport(tuple(added), tuple(present), tuple(failed))
