"""The library file: one SQLite database holding originals, their metadata and fingerprints.

Each add is one transaction, so a process killed mid-add leaves no partial original. A file that is
not a provenance library is refused before anything is written to it.
"""

from __future__ import annotations

import builtins
import logging
import os
import re
import secrets
import sqlite3
import stat
import time
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, fields
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from ..errors import LibraryError
from ..models import FINGERPRINT_VERSION, Fingerprint, LocalData, Original
from .index import EXACT_MAX_CODES, FrameIndex, IndexIdentity, IndexMismatch

log = logging.getLogger(__name__)

SCHEMA_VERSION = 6
# SQLite's application_id header field ("PRVN"): how a file says it is a provenance library.
APPLICATION_ID = 0x5052564E
# How long a process waits for another one's write (creation, add) to finish, in seconds.
BUSY_TIMEOUT = 30.0
# Above this many reference frames (about 3.5 hours at 4 samples/s) the candidate index is saved
# beside the library file and loaded while the library is unchanged; below it, building it costs
# less than a second.
SAVED_INDEX_MIN_FRAMES = 50_000
_SQLITE_MAGIC = b"SQLite format 3\x00"
_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")

# v4: what the second matching stage needs of each original (models.LocalData), so verify
# never opens an original's file. ``details`` is zlib-compressed uint8 frames.
_LOCAL_TABLE = """
CREATE TABLE IF NOT EXISTS local_data (
    original_id TEXT PRIMARY KEY REFERENCES originals(id) ON DELETE CASCADE,
    detail_times BLOB NOT NULL,
    detail_height INTEGER NOT NULL,
    detail_width INTEGER NOT NULL,
    details BLOB NOT NULL,
    key_times BLOB NOT NULL,
    key_counts BLOB NOT NULL,
    key_points BLOB NOT NULL,
    key_descriptors BLOB NOT NULL,
    key_width INTEGER NOT NULL,
    key_height INTEGER NOT NULL,
    saturation REAL NOT NULL
);
"""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS originals (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    recorded_at TEXT NOT NULL DEFAULT '',
    published_at TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    sha256 TEXT NOT NULL UNIQUE,
    duration REAL NOT NULL,
    fps REAL NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    added_at TEXT NOT NULL,
    file TEXT NOT NULL DEFAULT '',
    location TEXT NOT NULL DEFAULT '',
    latitude REAL,
    longitude REAL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta VALUES ('revision', 0);
CREATE TABLE IF NOT EXISTS fingerprints (
    original_id TEXT PRIMARY KEY REFERENCES originals(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    sample_fps REAL NOT NULL,
""" + ",\n".join(f"    {name} BLOB NOT NULL" for name in Fingerprint.ARRAYS) + """,
    decoder TEXT NOT NULL DEFAULT ''
);
""" + _LOCAL_TABLE

_ARRAY_COLUMNS = Fingerprint.ARRAYS
_ORIGINAL_COLUMNS = [f.name for f in fields(Original)]


def _write_local(db: sqlite3.Connection, original_id: str, local: LocalData) -> None:
    height, width = local.details.shape[1:3]
    db.execute(
        "INSERT INTO local_data VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [original_id, np.ascontiguousarray(local.detail_times, np.float64).tobytes(),
         int(height), int(width),
         zlib.compress(np.ascontiguousarray(local.details, np.uint8).tobytes(), 6),
         np.ascontiguousarray(local.key_times, np.float64).tobytes(),
         np.ascontiguousarray(local.key_counts, np.int32).tobytes(),
         np.ascontiguousarray(local.key_points, np.float32).tobytes(),
         np.ascontiguousarray(local.key_descriptors, np.uint8).tobytes(),
         int(local.key_size[0]), int(local.key_size[1]), float(local.saturation)])


def validate_id(original_id: str) -> str:
    if not isinstance(original_id, str) or not _ID_PATTERN.fullmatch(original_id):
        raise LibraryError(
            f"{original_id!r} is not a valid original id",
            "use letters, digits, '.', '_', ':' or '-' (up to 128), "
            "starting with a letter or digit",
        )
    return original_id


def _check_file(path: Path, create: bool) -> None:
    """Refuse anything that is not a provenance library before SQLite touches it."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        if not create:
            raise LibraryError(
                f"no library at {path}",
                "create one with `provenance library add FILE --id ID --db PATH`",
            ) from None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LibraryError(f"cannot create the folder for {path} ({exc.strerror})",
                               "give --db a path in a folder you can write to") from None
        return
    except OSError as exc:
        raise LibraryError(f"{path} cannot be read ({exc.strerror})",
                           "check the path and its permissions") from None
    if stat.S_ISDIR(mode):
        raise LibraryError(f"{path} is a directory, not a library file", "give a file path to --db")
    if not stat.S_ISREG(mode):  # a FIFO or device would block or never be a database
        raise LibraryError(f"{path} is not a regular file", "give --db a library file")
    try:
        with open(path, "rb") as handle:
            header = handle.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        raise LibraryError(f"{path} is not readable ({exc.strerror})",
                           "check its permissions") from None
    if header and header != _SQLITE_MAGIC:
        raise LibraryError(
            f"{path} is not a provenance library (not an SQLite file); it was left untouched",
            "point --db at a library file, or at a new path to create one",
        )


def _columns(db: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in db.execute(f"PRAGMA table_info({table})")}


# What libraries written before the application id (schema v1-v5) hold, to tell a genuine old
# library from a foreign file that happens to have a user_version and a table of the same name.
_LEGACY_ORIGINALS = {"id", "title", "source", "recorded_at", "published_at", "url", "notes",
                     "sha256", "duration", "fps", "width", "height", "added_at"}
_LEGACY_FINGERPRINTS = {"original_id", "version", "sample_fps", "times", "scene", "mirror",
                        "motion", "motion_mirror", "motion_energy", "informative"}


def _is_legacy_library(db: sqlite3.Connection, version: int) -> bool:
    if not 1 <= version < _IDENTITY_VERSION:
        return False
    originals, fingerprints = _columns(db, "originals"), _columns(db, "fingerprints")
    if not (_LEGACY_ORIGINALS <= originals and _LEGACY_FINGERPRINTS <= fingerprints):
        return False
    if version >= 2:
        return "file" in originals and _columns(db, "meta") == {"key", "value"}
    return "file" not in originals


def _add_file_column(db: sqlite3.Connection) -> None:
    """v1 -> v2: remember the path or URL each original was registered from; count revisions
    (every add or remove) so a saved index knows when it is stale."""
    db.execute("ALTER TABLE originals ADD COLUMN file TEXT NOT NULL DEFAULT ''")
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)")
    db.execute("INSERT INTO meta VALUES ('revision', 0)")


def _add_location_columns(db: sqlite3.Connection) -> None:
    """v2 -> v3: where each original was filmed (free text, optional latitude/longitude)."""
    db.execute("ALTER TABLE originals ADD COLUMN location TEXT NOT NULL DEFAULT ''")
    db.execute("ALTER TABLE originals ADD COLUMN latitude REAL")
    db.execute("ALTER TABLE originals ADD COLUMN longitude REAL")


def _add_local_data(db: sqlite3.Connection) -> None:
    """v3 -> v4: room for each original's local-matching data (filled by `library reindex`)."""
    db.execute(_LOCAL_TABLE)  # one statement: executescript would commit the migration midway


def _add_decoder_column(db: sqlite3.Connection) -> None:
    """v4 -> v5: record which decoder made each fingerprint (those before were OpenCV's).
    Fingerprints of every decoder match each other, so nothing is re-indexed."""
    db.execute("ALTER TABLE fingerprints ADD COLUMN decoder TEXT NOT NULL DEFAULT 'opencv'")


def _add_identity(db: sqlite3.Connection) -> None:
    """v5 -> v6: a random library id (a saved index is bound to it) and the application id."""
    db.execute("INSERT OR IGNORE INTO meta VALUES ('library_id', ?)", (secrets.randbits(62),))
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")


# Schema version -> the step that upgrades a library from it to the next version.
_MIGRATIONS = {1: _add_file_column, 2: _add_location_columns, 3: _add_local_data,
               4: _add_decoder_column, 5: _add_identity}
# The first schema version whose libraries carry the application id.
_IDENTITY_VERSION = 6
# Metadata `update` may change (what the file is, its fingerprint and identity stay).
EDITABLE = ("title", "source", "recorded_at", "published_at", "url", "notes", "location",
            "latitude", "longitude")


def _use_wal(db: sqlite3.Connection) -> None:
    """Switch a new library file to write-ahead logging. The switch does not wait on SQLite's
    busy handler, so while another process creates the same file it is retried; a file that stays
    busy keeps the rollback journal (as safe, only slower for concurrent readers)."""
    deadline = time.monotonic() + BUSY_TIMEOUT
    while True:
        try:
            db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc):
                raise
            if time.monotonic() > deadline:
                return
            time.sleep(0.02)


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


class Library:
    """A reference library on an SQLite file.

    ``Library(path)`` opens an existing library; ``Library(path, create=True)`` also creates one.
    Several processes may open, create and add to the same library at once: writes wait for each
    other under SQLite's locking (up to BUSY_TIMEOUT seconds).
    """

    def __init__(self, path: str | os.PathLike[str], create: bool = False) -> None:
        self.path = Path(path)
        _check_file(self.path, create)
        try:
            self._db = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT)
        except sqlite3.Error as exc:
            raise LibraryError(f"{self.path} could not be opened ({exc})",
                               "check the path and its permissions") from None
        try:
            self._db.execute("PRAGMA foreign_keys = ON")
            self._migrate(create)
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise LibraryError(
                f"{self.path} could not be opened as a library ({exc}); it was left untouched",
                "check the file is a provenance library, or use a new --db path",
            ) from None
        except LibraryError:
            self._db.close()
            raise
        self._index: FrameIndex | None = None

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _header(self) -> tuple[int, int, bool]:
        """(user_version, application_id, whether any table exists)."""
        version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
        app = int(self._db.execute("PRAGMA application_id").fetchone()[0])
        tables = self._db.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone() is not None
        return version, app, tables

    def _refuse_foreign(self, version: int, app: int, tables: bool, create: bool) -> None:
        """Raise unless the file is a provenance library (any version) or empty."""
        foreign = LibraryError(
            f"{self.path} is an SQLite database but not a provenance library; "
            "it was left untouched", "use a new --db path")
        if app == APPLICATION_ID:
            if version > SCHEMA_VERSION:
                raise LibraryError(
                    f"{self.path} was written by a newer provenance (schema v{version})",
                    "upgrade provenance: pip install -U provenance")
            return
        if app != 0 or (version == 0 and tables):
            raise foreign
        if version == 0:
            if not create:
                raise LibraryError(f"{self.path} is an empty file, not a library yet",
                                   "add an original to it with `provenance library add`")
            return
        if not _is_legacy_library(self._db, version):
            raise foreign

    def _migrate(self, create: bool) -> None:
        with self._db:  # one snapshot: another process may be creating the file meanwhile
            self._db.execute("BEGIN")
            version, app, tables = self._header()
        self._refuse_foreign(version, app, tables, create)
        if app == APPLICATION_ID and version == SCHEMA_VERSION:
            return
        if version == 0:
            _use_wal(self._db)
        with self._db:
            # One writer at a time: a process that created or upgraded the file meanwhile is
            # seen here, and the checks run again on what it wrote.
            self._db.execute("BEGIN IMMEDIATE")
            version, app, tables = self._header()
            self._refuse_foreign(version, app, tables, create)
            if version == 0:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                self._db.execute("INSERT OR IGNORE INTO meta VALUES ('library_id', ?)",
                                 (secrets.randbits(62),))
                self._db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                version = SCHEMA_VERSION
            for step in range(version, SCHEMA_VERSION):
                _MIGRATIONS[step](self._db)
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        try:
            with self._db:
                self._db.execute("BEGIN IMMEDIATE")
                before = self._db.total_changes
                yield self._db
                if self._db.total_changes != before:  # count only what changed something
                    self._db.execute("UPDATE meta SET value = value + 1 WHERE key = 'revision'")
        except sqlite3.DatabaseError as exc:
            raise LibraryError(f"library {self.path}: {exc}",
                               "another process may hold the library; try again") from None
        finally:
            self._index = None

    def add(self, original: Original, fp: Fingerprint,
            local: LocalData | None = None) -> tuple[Original, bool]:
        """Register an original. Returns (the stored original, whether it was newly added).

        The same file (same sha256) added again is a no-op; an id already used by another file is
        an error.
        """
        outcome = self.add_many([(original, fp, local)])[0]
        if isinstance(outcome, LibraryError):
            raise outcome
        return outcome

    def add_many(self, items: Sequence[tuple[Original, Fingerprint, LocalData | None]]
                 ) -> builtins.list[tuple[Original, bool] | LibraryError]:
        """Register several originals in one transaction (a parallel import's batch), in order,
        each as ``add`` would: (stored original, newly added) or the LibraryError it raises,
        which does not stop the others."""
        outcomes: builtins.list[tuple[Original, bool] | LibraryError] = []
        with self._transaction() as db:
            for original, fp, local in items:
                try:
                    outcomes.append(self._insert(db, original, fp, local))
                except LibraryError as error:
                    outcomes.append(error)
        return outcomes

    def _insert(self, db: sqlite3.Connection, original: Original, fp: Fingerprint,
                local: LocalData | None) -> tuple[Original, bool]:
        validate_id(original.id)
        existing = self.find_by_sha256(original.sha256)
        if existing is not None:
            return existing, False
        if self._get(original.id) is not None:
            raise LibraryError(
                f"id {original.id!r} is already used by another original in {self.path}",
                "choose another --id, or remove the old one with `provenance library remove`",
            )
        stored = Original(**{**asdict(original), "added_at": original.added_at or _now()})
        values = asdict(stored)
        blobs = {name: np.ascontiguousarray(getattr(fp, name), dtype=kind).tobytes()
                 for name, kind in _ARRAY_COLUMNS.items()}
        db.execute(
            f"INSERT INTO originals ({', '.join(_ORIGINAL_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(_ORIGINAL_COLUMNS))})",
            [values[c] for c in _ORIGINAL_COLUMNS],
        )
        db.execute(
            "INSERT INTO fingerprints (original_id, version, sample_fps, decoder, "
            + ", ".join(_ARRAY_COLUMNS)
            + ") VALUES (?, ?, ?, ?, " + ", ".join("?" * len(_ARRAY_COLUMNS)) + ")",
            [stored.id, fp.version, fp.sample_fps, fp.decoder, *blobs.values()],
        )
        if local is not None:
            _write_local(db, stored.id, local)
        return stored, True

    def _row_to_original(self, row: tuple[object, ...]) -> Original:
        return Original(**dict(zip(_ORIGINAL_COLUMNS, row, strict=True)))  # type: ignore[arg-type]

    def _get(self, original_id: str) -> Original | None:
        row = self._db.execute(
            f"SELECT {', '.join(_ORIGINAL_COLUMNS)} FROM originals WHERE id = ?", (original_id,)
        ).fetchone()
        return self._row_to_original(row) if row else None

    def find_by_sha256(self, sha256: str) -> Original | None:
        row = self._db.execute(
            f"SELECT {', '.join(_ORIGINAL_COLUMNS)} FROM originals WHERE sha256 = ?", (sha256,)
        ).fetchone()
        return self._row_to_original(row) if row else None

    def get(self, original_id: str) -> Original:
        found = self._get(original_id)
        if found is None:
            raise LibraryError(
                f"no original with id {original_id!r} in {self.path}",
                "list the ids with `provenance library list`",
            )
        return found

    def list(self) -> list[Original]:
        rows = self._db.execute(
            f"SELECT {', '.join(_ORIGINAL_COLUMNS)} FROM originals ORDER BY id"
        ).fetchall()
        return [self._row_to_original(row) for row in rows]

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM originals").fetchone()[0])

    def remove(self, original_id: str) -> Original:
        original = self.get(original_id)
        with self._transaction() as db:
            db.execute("DELETE FROM originals WHERE id = ?", (original_id,))
        return original

    def update(self, original_id: str, **changes: object) -> Original:
        """Change an original's metadata (fields in EDITABLE); returns the stored original."""
        unknown = set(changes) - set(EDITABLE)
        if unknown:
            raise LibraryError(f"{', '.join(sorted(unknown))} cannot be updated",
                               f"fields that can: {', '.join(EDITABLE)}")
        self.get(original_id)
        if changes:
            with self._transaction() as db:
                db.execute(f"UPDATE originals SET {', '.join(f'{k} = ?' for k in changes)} "
                           "WHERE id = ?", [*changes.values(), original_id])
        return self.get(original_id)

    def replace_fingerprint(self, original_id: str, fp: Fingerprint) -> None:
        """Swap an original's fingerprint for a new one (one transaction)."""
        self.get(original_id)
        blobs = [np.ascontiguousarray(getattr(fp, name), dtype=kind).tobytes()
                 for name, kind in _ARRAY_COLUMNS.items()]
        with self._transaction() as db:
            db.execute(
                "UPDATE fingerprints SET version = ?, sample_fps = ?, decoder = ?, "
                + ", ".join(f"{name} = ?" for name in _ARRAY_COLUMNS)
                + " WHERE original_id = ?",
                [fp.version, fp.sample_fps, fp.decoder, *blobs, original_id])

    def replace_local(self, original_id: str, local: LocalData) -> None:
        """Store (or swap) an original's local-matching data (one transaction)."""
        self.get(original_id)
        with self._transaction() as db:
            db.execute("DELETE FROM local_data WHERE original_id = ?", (original_id,))
            _write_local(db, original_id, local)

    def local_data(self, original_id: str) -> LocalData | None:
        """The original's stored local-matching data; None for one registered before v3 and not
        re-indexed since."""
        row = self._db.execute(
            "SELECT detail_times, detail_height, detail_width, details, key_times, key_counts, "
            "key_points, key_descriptors, key_width, key_height, saturation FROM local_data "
            "WHERE original_id = ?", (original_id,)).fetchone()
        if row is None:
            return None
        (detail_times, height, width, details, key_times, key_counts, key_points,
         key_descriptors, key_width, key_height, saturation) = row
        times = np.frombuffer(detail_times, dtype=np.float64)
        return LocalData(
            detail_times=times,
            details=np.frombuffer(zlib.decompress(details), dtype=np.uint8).reshape(
                len(times), int(height), int(width)),
            key_times=np.frombuffer(key_times, dtype=np.float64),
            key_counts=np.frombuffer(key_counts, dtype=np.int32),
            key_points=np.frombuffer(key_points, dtype=np.float32).reshape(-1, 2),
            key_descriptors=np.frombuffer(key_descriptors, dtype=np.uint8).reshape(-1, 32),
            key_size=(int(key_width), int(key_height)),
            saturation=float(saturation),
        )

    def fingerprint(self, original_id: str) -> Fingerprint:
        original = self.get(original_id)
        row = self._db.execute(
            "SELECT version, sample_fps, decoder, " + ", ".join(_ARRAY_COLUMNS)
            + " FROM fingerprints WHERE original_id = ?",
            (original_id,),
        ).fetchone()
        if row is None:
            raise LibraryError(f"original {original_id!r} has no fingerprint",
                               "remove it and add the file again")
        version, sample_fps, decoder, *blobs = row
        if version != FINGERPRINT_VERSION:
            raise LibraryError(
                f"original {original_id!r} has a fingerprint of format v{version}; "
                f"this provenance reads v{FINGERPRINT_VERSION}",
                f"re-index it from its file: `provenance library reindex {original_id}`",
            )
        arrays: dict[str, np.ndarray] = {name: np.frombuffer(blob, dtype=kind)
                  for (name, kind), blob in zip(_ARRAY_COLUMNS.items(), blobs, strict=True)}
        return Fingerprint(
            **arrays,
            duration=original.duration,
            width=original.width,
            height=original.height,
            native_fps=original.fps,
            sample_fps=float(sample_fps),
            version=int(version),
            decoder=str(decoder),
        )

    @property
    def revision(self) -> int:
        return int(self._db.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()[0])

    @property
    def index_folder(self) -> Path:
        return self.path.with_name(self.path.name + ".index")

    def index(self, min_motion_energy: float) -> FrameIndex:
        """The candidate index over every original (see library/index.py), built with the
        aligner's motion floor; above SAVED_INDEX_MIN_FRAMES frames loaded from beside the library
        file when it is of the library's revision, else built (and saved, when the folder is
        writable)."""
        if self._index is None or self._index.min_motion_energy != min_motion_energy:
            self._index = self._load_or_build_index(min_motion_energy)
        return self._index

    @property
    def library_id(self) -> int:
        """The random id this library was given when it was created (or upgraded to v6)."""
        return int(self._db.execute(
            "SELECT value FROM meta WHERE key = 'library_id'").fetchone()[0])

    def _load_or_build_index(self, min_motion_energy: float) -> FrameIndex:
        with self._db:  # one snapshot: the revision and the originals it counts
            self._db.execute("BEGIN")
            revision = self.revision
            sizes = self._db.execute("SELECT original_id, LENGTH(scene) / 8 FROM fingerprints "
                                     "ORDER BY original_id").fetchall()
        ids = [original_id for original_id, _ in sizes]
        frames = sum(n for _, n in sizes)
        identity = IndexIdentity(self.library_id, revision, tuple(ids), frames,
                                 float(min_motion_energy))
        if frames > SAVED_INDEX_MIN_FRAMES:
            try:
                return FrameIndex.load(self.index_folder, identity)
            except IndexMismatch as mismatch:
                if mismatch.damaged:
                    log.warning("the saved index %s cannot be used (%s); rebuilding it",
                                self.index_folder, mismatch.reason)
                else:
                    log.info("the saved index %s is %s; rebuilding it", self.index_folder,
                             mismatch.reason)
        with self._db:
            self._db.execute("BEGIN")
            changed = self.revision != revision
            if not changed:
                index = FrameIndex.build(ids, [self.fingerprint(i) for i in ids],
                                         min_motion_energy)
        if changed:  # an add or remove meanwhile: build from the new state
            return self._load_or_build_index(min_motion_energy)
        if frames > SAVED_INDEX_MIN_FRAMES:
            try:
                index.save(self.index_folder, identity)
            except OSError:
                pass  # a read-only folder: the index lives in memory for this process
        return index

    def stats(self) -> dict[str, object]:
        """Counts and sizes, for `provenance library stats`."""
        count, seconds = self._db.execute(
            "SELECT COUNT(*), COALESCE(SUM(duration), 0) FROM originals").fetchone()
        samples, blob_bytes = self._db.execute(
            "SELECT COALESCE(SUM(LENGTH(times)) / 8, 0), COALESCE(SUM("
            + " + ".join(f"LENGTH({name})" for name in _ARRAY_COLUMNS)
            + "), 0) FROM fingerprints").fetchone()
        return {
            "path": str(self.path),
            "originals": int(count),
            "hours": round(float(seconds) / 3600.0, 3),
            "samples": int(samples),
            "fingerprint_bytes": int(blob_bytes),
            "local_data_bytes": int(self._db.execute(
                "SELECT COALESCE(SUM(LENGTH(details) + LENGTH(key_points) + "
                "LENGTH(key_descriptors) + LENGTH(detail_times)), 0) FROM local_data"
            ).fetchone()[0]),
            "file_bytes": self.path.stat().st_size,
            "index": "exact" if samples <= EXACT_MAX_CODES else "ivf",
            "schema_version": SCHEMA_VERSION,
        }
