"""The library file: one SQLite database holding originals, their metadata and fingerprints.

Each add is one transaction, so a process killed mid-add leaves no partial original. A file that is
not a provenance library is refused before anything is written to it.
"""

from __future__ import annotations

import builtins
import os
import secrets
import sqlite3
import stat
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import LibraryError, NoLibraryError
from ..models import Fingerprint
from .base import SAVED_INDEX_MIN_FRAMES, Library
from .common import EDITABLE, validate_id

__all__ = ["APPLICATION_ID", "EDITABLE", "SAVED_INDEX_MIN_FRAMES", "SCHEMA_VERSION",
           "SQLiteLibrary", "remove_library_file", "validate_id"]

SCHEMA_VERSION = 9
# SQLite's application_id header field ("PRVN"): how a file says it is a provenance library.
APPLICATION_ID = 0x5052564E
# How long a process waits for another one's write (creation, add) to finish, in seconds.
BUSY_TIMEOUT = 30.0
_SQLITE_MAGIC = b"SQLite format 3\x00"

# v4: what the second matching stage needs of each original (models.LocalData), so verify
# never opens an original's file. ``details`` is zlib-compressed uint8 frames. v8: the report's
# pictures of the keyframes (``pictures``: JPEGs, library/common.py packs them).
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
    saturation REAL NOT NULL,
    pictures BLOB NOT NULL
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
    longitude REAL,
    recorded_on_screen TEXT NOT NULL DEFAULT '',
    announced_duration REAL NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta VALUES ('revision', 0);
CREATE TABLE IF NOT EXISTS fingerprints (
    original_id TEXT PRIMARY KEY REFERENCES originals(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    sample_fps REAL NOT NULL,
""" + ",\n".join(f"    {name} BLOB NOT NULL"
             for name in {**Fingerprint.ARRAYS, **Fingerprint.CHANNELS}) + """,
    decoder TEXT NOT NULL DEFAULT ''
);
""" + _LOCAL_TABLE

def _check_file(path: Path, create: bool) -> None:
    """Refuse anything that is not a provenance library before SQLite touches it."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        if not create:
            raise NoLibraryError(
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


def _add_evidence_columns(db: sqlite3.Connection) -> None:
    """v6 -> v7: the camera clock read in an original's picture, and its sound fingerprint."""
    for table, column, kind in (("originals", "recorded_on_screen", "TEXT NOT NULL DEFAULT ''"),
                                ("fingerprints", "audio", "BLOB NOT NULL DEFAULT x''")):
        if column not in {row[1] for row in db.execute(f"PRAGMA table_info({table})")}:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")


def _add_pictures_column(db: sqlite3.Connection) -> None:
    """v7 -> v8: the report's colour pictures of each original's keyframes (empty until
    `library reindex`; reports show the grey detail frame meanwhile)."""
    if "pictures" not in _columns(db, "local_data"):
        db.execute("ALTER TABLE local_data ADD COLUMN pictures BLOB NOT NULL DEFAULT x''")


def _add_announced_duration(db: sqlite3.Connection) -> None:
    """v8 -> v9: the length a file cut off at registration announced (0: none recorded)."""
    if "announced_duration" not in _columns(db, "originals"):
        db.execute("ALTER TABLE originals ADD COLUMN announced_duration REAL NOT NULL DEFAULT 0")


# Schema version -> the step that upgrades a library from it to the next version.
_MIGRATIONS = {1: _add_file_column, 2: _add_location_columns, 3: _add_local_data,
               4: _add_decoder_column, 5: _add_identity,
               6: _add_evidence_columns, 7: _add_pictures_column, 8: _add_announced_duration}
# The first schema version whose libraries carry the application id.
_IDENTITY_VERSION = 6


def remove_library_file(path: Path) -> None:
    """Delete a (closed) library file and the files SQLite keeps beside it."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


def _writable(path: Path) -> bool:
    """Whether this process may write the library file and its folder (SQLite's journal files
    live beside it)."""
    folder = path.parent if str(path.parent) else Path(".")
    return os.access(folder, os.W_OK) and (not path.exists() or os.access(path, os.W_OK))


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


class SQLiteLibrary(Library):
    """A reference library on an SQLite file (``Library(path)`` opens one: library/base.py).

    Several processes may open, create and add to the same library at once: writes wait for each
    other under SQLite's locking (up to BUSY_TIMEOUT seconds).
    """

    def __init__(self, path: str | os.PathLike[str], create: bool = False) -> None:
        self.path = Path(path)
        _check_file(self.path, create)
        self.read_only = self.path.exists() and not _writable(self.path)
        try:
            self._db = self._connect()
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

    def _connect(self) -> sqlite3.Connection:
        if not self.read_only:
            return sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT)
        # A library we may not write (a shared, read-only folder): SQLite's write-ahead log
        # needs its -wal and -shm files beside the library even to read, which a read-only
        # folder refuses, so it is read as an immutable file (nobody with our rights can
        # change it meanwhile).
        uri = f"{self.path.resolve().as_uri()}?mode=ro&immutable=1"
        return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT)

    path: Path

    @property
    def target(self) -> str:
        return str(self.path)

    def close(self) -> None:
        self._db.close()

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
                raise NoLibraryError(f"{self.path} is an empty file, not a library yet",
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
        if self.read_only:
            raise LibraryError(f"{self.path} is a library of schema v{version}, to be upgraded "
                               f"to v{SCHEMA_VERSION}, but it is read-only here",
                               "open it once where its file and folder are writable")
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
            if self.read_only or "readonly" in str(exc):
                raise LibraryError(f"library {self.path} is read-only here ({exc})",
                                   "change it where its file and folder are writable, or "
                                   "copy it to a writable folder") from None
            raise LibraryError(f"library {self.path}: {exc}",
                               "another process may hold the library; try again") from None
        finally:
            self._index = None

    @property
    def index_folder(self) -> Path:
        return self.path.with_name(self.path.name + ".index")

    def _rows(self, sql: str, params: Sequence[object] = ()) -> builtins.list[tuple[Any, ...]]:
        return self._db.execute(sql, params).fetchall()

    @contextmanager
    def _snapshot(self) -> Iterator[None]:
        with self._db:  # one read transaction: what the reads see does not change meanwhile
            self._db.execute("BEGIN")
            yield

    def _size_bytes(self) -> int:
        return self.path.stat().st_size

    def _schema_version(self) -> int:
        return SCHEMA_VERSION
