"""Registering originals: one file or URL, a manifest of many, or again from their files."""

from __future__ import annotations

import os
import shlex
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from . import acquire, evidence
from .claims import COORDINATE_LIMITS, off_the_globe
from .dates import day_range, normalise
from .errors import LibraryError, ProvenanceError, SettingsError
from .library import Library
from .library.common import validate_id
from .library.manifest import ManifestRow, read_manifest
from .models import Fingerprint, LocalData, Original
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
    with opened_library(library, settings, create=True) as lib:
        if lib.read_only:  # said before the work, not after it
            raise LibraryError(f"library {lib.target} is read-only here",
                               "add to it where its file and folder are writable, or copy it "
                               "to a writable folder")
        described, fp, local = fingerprint_original(
            path, original, settings, progress,
            skip=lambda sha: lib.find_by_sha256(sha) is not None)
        if fp is None:
            existing = lib.find_by_sha256(described.sha256)
            if existing is None:
                raise LibraryError("the same file was removed from the library meanwhile",
                                   "add it again")
            return existing, False
        return lib.add(described, fp, local)


def fingerprint_original(
    path: str,
    original: Original,
    settings: Settings,
    progress: Progress | None = None,
    skip: Callable[[str], bool] | None = None,
) -> tuple[Original, Fingerprint | None, LocalData | None]:
    """The original described from its file (sha256, duration, size, where it came from, the
    camera clock in its picture), its fingerprint (with its sound) and local-matching data, from
    one decode; neither when ``skip(sha256)`` says it is already registered. Touches no
    library, so it can run on a worker of a cluster."""
    video = (acquire_video(path, settings, progress) if is_url(path)
             else acquire.local_video(path))
    if skip is not None and skip(video.sha256):
        return replace(original, sha256=video.sha256), None, None
    fp, local, announced = decode_original(video.path, settings.sample_fps,
                                           frame_progress(progress))
    fp = replace(fp, audio=evidence.sound(video.path, settings))
    url = original.url or (video.source_url or "")
    where = path if is_url(path) else os.path.abspath(path)
    described = replace(original, sha256=video.sha256, duration=round(fp.duration, 3),
                        fps=round(fp.native_fps, 3), width=fp.width, height=fp.height, url=url,
                        file=where, announced_duration=announced)
    described = evidence.screen_recorded(
        described, evidence.burned_in_text(video.path, fp, settings)[0])
    return described, fp, local


def checked_metadata(original: Original) -> Original:
    """The original with its dates normalised to ISO; SettingsError (exit 2) for an id, a date
    or a coordinate that cannot be used, before any work (a date check never silently
    disappears)."""
    try:
        validate_id(original.id)
    except LibraryError as error:
        raise SettingsError(error.message, error.hint) from None
    for name in COORDINATE_LIMITS:
        value = getattr(original, name)
        problem = None if value is None else off_the_globe(name, value)
        if problem:
            raise SettingsError(problem, "give decimal degrees, e.g. 50.9375")
    if (original.latitude is None) != (original.longitude is None):
        raise SettingsError("a latitude needs a longitude", "give both, or neither")
    checked = replace(original, recorded_at=normalise(original.recorded_at, "recorded_at"),
                      published_at=normalise(original.published_at, "published_at"))
    recorded, published = (day_range(value) if value else None
                           for value in (checked.recorded_at, checked.published_at))
    # (a desk audit: a publication before the recording was stored without a word, and every
    # claim then checked against both)
    if recorded and published and published[1] < recorded[0]:
        raise SettingsError(f"published_at {checked.published_at} is before recorded_at "
                            f"{checked.recorded_at}: footage is published after it is recorded",
                            "check both dates")
    return checked


def update(original_id: str, library: Library, **changes: object) -> Original:
    """Change an original's metadata (title, source, dates, location...), dates checked as in
    ``register``."""
    current = library.get(original_id)
    _refuse_stale_coordinates(current, changes)
    checked = checked_metadata(replace(current, **changes))  # type: ignore[arg-type]
    return library.update(original_id, **{k: getattr(checked, k) for k in changes})


def _refuse_stale_coordinates(current: Original, changes: Mapping[str, object]) -> None:
    """A new location with the old one's coordinates would be located by them, silently: the
    caller says whether they still hold."""
    moved = "location" in changes and changes["location"] != current.location
    if moved and current.latitude is not None and not {"latitude", "longitude"} & set(changes):
        raise SettingsError(
            f"{current.id}'s coordinates ({current.latitude}, {current.longitude}) were given "
            f"with its old location ({current.location or 'none'}), and they, not the "
            "location's name, place it",
            "give them again if they still hold (--latitude "
            f"{current.latitude} --longitude {current.longitude}), the new place's, or "
            "--no-coordinates to clear them")


# What `library add` and `library update` set of an original, each by its own option.
METADATA = ("title", "source", "recorded_at", "published_at", "url", "notes", "location",
            "latitude", "longitude")


def metadata_changes(given: Original, stored: Original) -> dict[str, object]:
    """Metadata given for a file already registered that differs from what is stored."""
    given = checked_metadata(given)
    return {k: getattr(given, k) for k in METADATA
            if getattr(given, k) not in ("", None) and getattr(given, k) != getattr(stored, k)}


def metadata_options(values: Mapping[str, object]) -> str:
    """The `library add`/`library update` options that set these metadata, quoted for a
    shell: '--title 'Fence cam' --recorded-at 2015-09-16'."""
    return " ".join(f"--{key.replace('_', '-')} {shlex.quote(str(value))}"
                    for key, value in values.items())


def reindex(original_id: str, library: Library, settings: Settings | None = None,
            progress: Progress | None = None) -> Original:
    """Fingerprint an original again from the file it was registered from (after a format
    change or with another sample rate), and store its local-matching data (libraries made
    before schema v4 have none) and, for a file cut off, the length its header announced
    (libraries made before schema v9 did not record it). The file must still be the same
    (same sha256); one registered from a URL is downloaded again (or taken from the cache)."""
    settings = settings or load_settings()
    original = library.get(original_id)
    path = original.file
    if original.file and is_url(original.file):  # a desk audit: "is not on disk", no way on
        path = acquire_video(original.file, settings, progress).path
    if not path or not os.path.isfile(path):
        known = {k: getattr(original, k) for k in METADATA
                 if getattr(original, k) not in ("", None)}
        again = f"--id {shlex.quote(original_id)} {metadata_options(known)}".rstrip()
        raise LibraryError(
            f"the file of {original_id!r} ({original.file or 'not recorded'}) is not on disk",
            f"remove it and add it again from where it is now, with what the library knows of "
            f"it: `provenance library remove {shlex.quote(original_id)}` then "
            f"`provenance library add FILE {again}`")
    if acquire.sha256_file(path) != original.sha256:
        raise LibraryError(f"{original.file} has changed since {original_id!r} was registered",
                           "add the new file as a new original")
    fp, local, announced = decode_original(path, settings.sample_fps, frame_progress(progress))
    fp = replace(fp, audio=evidence.sound(path, settings))
    library.replace_decoded(original_id, fp, local, announced)
    return library.get(original_id)


@dataclass(frozen=True)
class ImportReport:
    """What `library import` did with each row of a manifest."""

    added: tuple[str, ...]
    already_present: tuple[str, ...]
    failed: tuple[tuple[int, str, str], ...]  # (row number, id, reason)


@dataclass(frozen=True)
class ImportStatus:
    """How far an import is: rows done of all, seconds of video fingerprinted, wall seconds."""

    done: int
    total: int
    video_seconds: float
    elapsed: float


# A parallel import writes what its workers return in transactions of up to this many originals,
# or after this many seconds: a crash loses at most one batch of work (re-done by the next run,
# which skips what is stored), and the store is not asked for one transaction per file.
IMPORT_BATCH = 16
IMPORT_BATCH_SECONDS = 30.0


def import_manifest(
    manifest: str | os.PathLike[str],
    library: Library,
    settings: Settings | None = None,
    progress: Progress | None = None,
    on_row: Callable[[ManifestRow], None] | None = None,
    workers: int = 1,
    cluster: str | None = None,
    on_status: Callable[[ImportStatus], None] | None = None,
) -> ImportReport:
    """Register every original a manifest lists; a bad row is reported and the rest go on.

    With ``workers`` > 1 (local processes) or a ``cluster`` scheduler address, Dask workers
    fingerprint and this process alone writes, in manifest order, in batches: the library is
    the one a serial import makes, and a re-run skips the files already stored (by sha256).
    """
    settings = settings or load_settings()
    rows = read_manifest(manifest)
    tally = _Tally(len(rows), on_status)
    if cluster is None and workers <= 1:
        for row in rows:
            if on_row is not None:
                on_row(row)
            if row.original is None:
                tally.failed(row, row.error)
            else:
                try:
                    stored, is_new = register(row.file, row.original, library, settings, progress)
                except ProvenanceError as error:
                    tally.failed(row, error.message)
                else:
                    tally.stored(row, stored, is_new)
                    tally.video_seconds += stored.duration if is_new else 0.0
            tally.step()
        return tally.report()
    from . import cluster as engine

    known = frozenset(original.sha256 for original in library.list())
    batch: list[tuple[ManifestRow, Original, Fingerprint, LocalData | None]] = []
    started = time.monotonic()

    def flush() -> None:
        nonlocal started
        if not batch:
            return
        outcomes = library.add_many([(original, fp, local) for _, original, fp, local in batch])
        for (row, *_), outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, LibraryError):
                tally.failed(row, outcome.message)
            else:
                tally.stored(row, *outcome)
        batch.clear()
        started = time.monotonic()

    problems = [_metadata_problem(row) for row in rows]  # as register checks, before any work
    rows = [replace(row, original=checked_metadata(row.original))
            if row.original is not None and not problem else row
            for row, problem in zip(rows, problems, strict=True)]
    usable = [row for row, problem in zip(rows, problems, strict=True)
              if row.original is not None and not problem]
    with engine.client(workers, cluster) as dask_client:
        results = engine.map_ordered(dask_client, _fingerprint_row, usable,
                                     shared=(settings, known))
        try:
            for row, problem in zip(rows, problems, strict=True):
                if on_row is not None:
                    on_row(row)
                if row.original is None or problem:
                    tally.failed(row, problem or row.error)
                    tally.step()
                    continue
                _, outcome = next(results)
                if outcome.value is None:
                    tally.failed(row, outcome.error)
                else:
                    described, fp, local = outcome.value
                    if fp is None:
                        flush()  # an earlier row of this batch may be the same file
                        existing = library.find_by_sha256(described.sha256)
                        if existing is None:
                            tally.failed(row, "removed from the library meanwhile")
                        else:
                            tally.stored(row, existing, False)
                    else:
                        batch.append((row, described, fp, local))
                        tally.video_seconds += fp.duration
                if len(batch) >= IMPORT_BATCH or time.monotonic() - started > IMPORT_BATCH_SECONDS:
                    flush()
                tally.step()
        except KeyboardInterrupt:
            # Ctrl-C: the rows fingerprinted so far are written (a re-run skips them); a desk
            # audit's import stopped at 15 of 22 rows had stored none
            flush()
            raise
        flush()
    return tally.report()


def _metadata_problem(row: ManifestRow) -> str:
    """What ``register`` would refuse in the row's metadata (a bad date...), or ''."""
    if row.original is None:
        return ""
    try:
        checked_metadata(row.original)
    except ProvenanceError as error:
        return error.message
    return ""


def _fingerprint_row(row: ManifestRow, shared: tuple[Settings, frozenset[str]]
                     ) -> tuple[Original, Fingerprint | None, LocalData | None]:
    """On a worker: one manifest row's original described and fingerprinted, unless a file
    with its sha256 was already in the library when the import started."""
    settings, known = shared
    assert row.original is not None
    return fingerprint_original(row.file, row.original, settings, skip=known.__contains__)


class _Tally:
    """What an import has done so far; reported in row order, whatever order it was done in."""

    def __init__(self, total: int, on_status: Callable[[ImportStatus], None] | None) -> None:
        self.total, self.on_status = total, on_status
        self.outcomes: list[tuple[int, str, str, str]] = []  # (row, kind, id, reason)
        self.done = 0
        self.video_seconds = 0.0
        self.start = time.monotonic()

    def stored(self, row: ManifestRow, original: Original, is_new: bool) -> None:
        self.outcomes.append((row.number, "added" if is_new else "present", original.id, ""))

    def failed(self, row: ManifestRow, reason: str) -> None:
        self.outcomes.append((row.number, "failed", row.original.id if row.original else row.id,
                              reason))

    def step(self) -> None:
        self.done += 1
        if self.on_status is not None:
            self.on_status(ImportStatus(self.done, self.total, self.video_seconds,
                                        time.monotonic() - self.start))

    def report(self) -> ImportReport:
        ordered = sorted(self.outcomes, key=lambda outcome: outcome[0])
        return ImportReport(
            tuple(i for _, kind, i, _ in ordered if kind == "added"),
            tuple(i for _, kind, i, _ in ordered if kind == "present"),
            tuple((n, i, reason) for n, kind, i, reason in ordered if kind == "failed"))
