"""A library shared in PostgreSQL (psycopg 3): the tables, columns, schema version and behaviour of
the SQLite file (library/store.py), for several machines adding and verifying at once.

Each add is one transaction; writers queue on the row of the revision counter (``FOR UPDATE``), so
two processes adding the same file or id at once see each other as SQLite's ``BEGIN IMMEDIATE``
does. A database that is not a provenance library (it has tables, but no ``meta`` table holding a
library id and schema version) is refused before anything is written to it.
"""

from __future__ import annotations

import builtins
import secrets
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

from ..errors import LibraryError, NoLibraryError
from ..models import Original
from ..settings import load_settings, redact
from .base import Library
from .common import (
    ORIGINAL_COLUMNS,
)
from .index import FrameIndex
from .store import _SCHEMA as SQLITE_SCHEMA
from .store import SCHEMA_VERSION

# Seconds to reach the server before giving up (psycopg would otherwise wait on the OS's TCP
# timeout, minutes on an unreachable host).
CONNECT_TIMEOUT = 10
# Advisory lock held while a library is created or upgraded ("PRVN", SQLite's application id).
_SETUP_LOCK = 0x5052564E
# The SQLite library's tables (store._SCHEMA) in PostgreSQL's types: 8-byte floats, bytea, and a
# 64-bit meta value (the library id has 62 bits).
_TYPES = {" REAL": " DOUBLE PRECISION", " BLOB": " BYTEA", "value INTEGER": "value BIGINT"}


def _schema() -> list[str]:
    text = SQLITE_SCHEMA
    for sqlite_type, postgres_type in _TYPES.items():
        text = text.replace(sqlite_type, postgres_type)
    return [statement.strip() for statement in text.split(";")
            if statement.strip().upper().startswith("CREATE TABLE")]


def _add_evidence_columns(db: psycopg.Connection) -> None:
    """v6 -> v7: the camera clock read in an original's picture, and its sound fingerprint."""
    db.execute("ALTER TABLE originals ADD COLUMN IF NOT EXISTS recorded_on_screen TEXT NOT NULL "
               "DEFAULT ''")
    db.execute("ALTER TABLE fingerprints ADD COLUMN IF NOT EXISTS audio BYTEA NOT NULL "
               "DEFAULT '\\x'::bytea")


def _add_pictures_column(db: psycopg.Connection) -> None:
    """v7 -> v8: the report's colour pictures of each original's keyframes."""
    db.execute("ALTER TABLE local_data ADD COLUMN IF NOT EXISTS pictures BYTEA NOT NULL "
               "DEFAULT '\\x'::bytea")


def _add_announced_duration(db: psycopg.Connection) -> None:
    """v8 -> v9: the length a file cut off at registration announced (0: none recorded)."""
    db.execute("ALTER TABLE originals ADD COLUMN IF NOT EXISTS announced_duration DOUBLE "
               "PRECISION NOT NULL DEFAULT 0")


# Schema version -> the step that upgrades a library from it to the next, numbered as SQLite's
# (store._MIGRATIONS). PostgreSQL libraries began at schema v6.
_MIGRATIONS: dict[int, Callable[[psycopg.Connection], None]] = {6: _add_evidence_columns,
                                                               7: _add_pictures_column,
                                                               8: _add_announced_duration}
_COLUMNS = ", ".join(ORIGINAL_COLUMNS)


def _placeholders(sql: str) -> str:
    """The engines' shared SQL (library/base.py) uses SQLite's ``?``; psycopg's is ``%s`` (none of
    that SQL holds a literal ``?`` or ``%``)."""
    return sql.replace("?", "%s")


def _reason(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return (lines[0] if lines else type(exc).__name__)[:300]


class _Writes:
    """Statements of one write transaction, counting the rows they changed."""

    def __init__(self, db: psycopg.Connection) -> None:
        self._db = db
        self.changed = 0

    def execute(self, sql: str, params: Sequence[object] = (), /) -> None:
        self.changed += max(self._db.execute(_placeholders(sql), params).rowcount, 0)


class PostgresLibrary(Library):
    """A reference library in a PostgreSQL database (``Library("postgresql://...")``).

    The database holds one library, in the schema first on its search path; its index is cached
    under the user's cache folder, named by the library's random id.
    """

    _COLLATE = ' COLLATE "C"'

    def __init__(self, url: str, create: bool = False) -> None:
        self.path = redact(url)
        self._url = url
        try:
            self._db = psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT)
        except psycopg.Error as exc:
            raise LibraryError(f"cannot reach the PostgreSQL library {self.path} ({_reason(exc)})",
                               "check the server is running and the URL's user, host and "
                               "database") from None
        try:
            self._open(create)
        except psycopg.Error as exc:
            self._db.close()
            raise LibraryError(
                f"{self.path} could not be opened as a library ({_reason(exc)}); "
                "it was left untouched",
                "check the database is a provenance library, or use a new database") from None
        except LibraryError:
            self._db.close()
            raise
        self._index: FrameIndex | None = None

    @property
    def target(self) -> str:
        return self._url

    def close(self) -> None:
        self._db.close()

    def _meta(self, key: str) -> int:
        return int(self._value("SELECT value FROM meta WHERE key = ?", (key,)))

    def _version(self, create: bool) -> int:
        """The library's schema version, 0 for an empty database that may be created; raises for
        anything else."""
        tables = {row[0] for row in self._db.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema()")}
        if not tables:
            if not create:
                raise NoLibraryError(f"no library in {self.path} (the database is empty)",
                                     "create one with `provenance library add FILE --id ID "
                                     "--db URL`")
            return 0
        meta = {}
        if "meta" in tables and {row[0] for row in self._db.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = 'meta'")} == {"key",
                                                                                     "value"}:
            meta = {str(key): value for key, value in self._db.execute(
                "SELECT key, value::text FROM meta "
                "WHERE key IN ('library_id', 'schema_version')")}
        if set(meta) != {"library_id", "schema_version"} or not all(
                value.isdigit() for value in meta.values()):
            raise LibraryError(
                f"{self.path} is a PostgreSQL database but not a provenance library; "
                "it was left untouched", "give --db a new, empty database")
        version = int(meta["schema_version"])
        if version > SCHEMA_VERSION:
            raise LibraryError(f"{self.path} was written by a newer provenance (schema v{version})",
                               "upgrade provenance: pip install -U provenance")
        return version

    def _open(self, create: bool) -> None:
        if self._version(create) == SCHEMA_VERSION:
            return
        with self._db.transaction():  # one process creates or upgrades; the others wait, then see
            self._db.execute("SELECT pg_advisory_xact_lock(%s)", (_SETUP_LOCK,))
            version = self._version(create)
            if version == 0:
                for statement in _schema():
                    self._db.execute(statement)
                self._db.execute("INSERT INTO meta VALUES ('revision', 0), ('library_id', %s), "
                                 "('schema_version', %s)",
                                 (secrets.randbits(62), SCHEMA_VERSION))
                return
            for step in range(version, SCHEMA_VERSION):
                if step not in _MIGRATIONS:
                    raise LibraryError(f"{self.path} has schema v{version}, which this "
                                       "provenance cannot upgrade in PostgreSQL",
                                       "copy it with an older provenance to SQLite first")
                _MIGRATIONS[step](self._db)
            self._db.execute("UPDATE meta SET value = %s WHERE key = 'schema_version'",
                             (SCHEMA_VERSION,))

    @contextmanager
    def _transaction(self) -> Iterator[_Writes]:
        """One write transaction. It first locks the revision row, so writers queue and each
        sees what the previous one committed; the revision counts every one that changed
        something."""
        try:
            with self._db.transaction():
                self._db.execute("SELECT value FROM meta WHERE key = 'revision' FOR UPDATE")
                writes = _Writes(self._db)
                yield writes
                if writes.changed:
                    self._db.execute("UPDATE meta SET value = value + 1 WHERE key = 'revision'")
        except psycopg.Error as exc:
            raise LibraryError(f"library {self.path}: {_reason(exc)}",
                               "check the server is running and try again") from None
        finally:
            self._index = None

    @contextmanager
    def _item(self, original: Original) -> Iterator[None]:
        try:
            with self._db.transaction():  # a savepoint: a refused row leaves the others
                yield
        except psycopg.DataError as exc:  # e.g. a NUL character in a text field
            raise LibraryError(f"original {original.id!r} cannot be stored in {self.path} "
                               f"({_reason(exc)})",
                               "remove control characters from its metadata") from None

    def _rows(self, sql: str, params: Sequence[object] = ()) -> builtins.list[tuple[Any, ...]]:
        return self._db.execute(_placeholders(sql), params, binary=True).fetchall()

    @contextmanager
    def _snapshot(self) -> Iterator[None]:
        with self._db.transaction():
            self._db.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            yield

    def _size_bytes(self) -> int:  # the tables' size on the server
        return int(self._value(
            "SELECT pg_total_relation_size('originals') + pg_total_relation_size('fingerprints') "
            "+ pg_total_relation_size('meta')"))

    def _schema_version(self) -> int:
        return self._meta("schema_version")

    @property
    def index_folder(self) -> Path:
        """Where the candidate index is cached: the cache folder (``index_cache``), by library
        id (a desk audit: --cache-dir and the config file's `cache_dir` were not followed)."""
        base = self.index_cache if self.index_cache is not None else load_settings().cache_dir
        return base / "libraries" / f"{self.library_id:016x}.index"
