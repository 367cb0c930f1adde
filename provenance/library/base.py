"""One store interface, two engines: ``Library(target)`` opens the SQLite file at a path
(library/store.py) or, for a ``postgresql://`` URL, a PostgreSQL database (library/postgres.py).

Both engines subclass ``Library`` and keep the same schema, messages and guarantees; what they
share (row mapping, checks, fingerprint bytes, the cached index) is in library/common.py.
"""

from __future__ import annotations

import builtins
import logging
import os
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ..errors import LibraryError
from ..models import Fingerprint, LocalData, Original
from ..settings import is_postgres
from .common import (
    ARRAY_COLUMNS,
    FINGERPRINT_COLUMNS,
    LOCAL_COLUMNS,
    ORIGINAL_COLUMNS,
    check_editable,
    fingerprint_row,
    id_taken,
    local_row,
    new_row,
    not_found,
    to_fingerprint,
    to_local,
    to_original,
    validate_id,
)
from .index import (
    EXACT_MAX_CODES,
    FrameIndex,
    IndexIdentity,
    IndexMismatch,
    key_sample,
)

log = logging.getLogger(__name__)

# Above this many reference frames (about 3.5 hours at 4 samples/s) the candidate index is saved
# (beside an SQLite file; in the cache folder for PostgreSQL) and loaded while the library is
# unchanged; below it, building it costs less than a second.
SAVED_INDEX_MIN_FRAMES = 50_000
_COLUMNS = ", ".join(ORIGINAL_COLUMNS)


class Writes(Protocol):
    """The statements of one write transaction (SQL with ``?`` placeholders)."""

    def execute(self, sql: str, params: Sequence[object] = ..., /) -> Any: ...


class Library:
    """A reference library of known originals, their metadata and fingerprints.

    ``Library(target)`` opens an existing library; ``Library(target, create=True)`` also creates
    one. ``target`` is an SQLite file path, or a ``postgresql://user@host/dbname`` URL.
    """

    path: Path | str  # the SQLite file, or the PostgreSQL URL without its password
    # Opened where it may only be read (an SQLite file in a folder we may not write).
    read_only = False
    _index: FrameIndex | None = None
    # Where an engine without a file of its own (PostgreSQL) caches its index: the command's
    # cache folder (--cache-dir, set by whoever opened it with settings); None: the cache folder
    # the environment and the config file give (``settings.load_settings``).
    index_cache: Path | None = None
    # Appended to ORDER BY id: byte order in both engines, whatever a PostgreSQL database's locale.
    _COLLATE = ""

    def __new__(cls, target: str | os.PathLike[str], create: bool = False) -> Library:
        if cls is Library:  # choose the engine; Python then runs its __init__
            if is_postgres(target):
                try:
                    from .postgres import PostgresLibrary
                except ImportError as exc:
                    if not (exc.name or "").startswith("psycopg"):
                        raise
                    raise LibraryError("a PostgreSQL library needs psycopg, not installed here",
                                       "pip install 'provenance[postgres]'") from None
                return object.__new__(PostgresLibrary)
            from .store import SQLiteLibrary

            return object.__new__(SQLiteLibrary)
        return object.__new__(cls)

    @property
    def target(self) -> str:
        """What opens this library again, in another process (a path, or the full URL)."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

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
        with self._transaction() as writes:
            for original, fp, local in items:
                try:
                    with self._item(original):
                        outcomes.append(self._insert(writes, original, fp, local))
                except LibraryError as error:
                    outcomes.append(error)
        return outcomes

    def _insert(self, writes: Writes, original: Original, fp: Fingerprint,
                local: LocalData | None) -> tuple[Original, bool]:
        validate_id(original.id)
        existing = self.find_by_sha256(original.sha256)
        if existing is not None:
            return existing, False
        if self._get(original.id) is not None:
            raise id_taken(original.id, self.path)
        stored, values = new_row(original)
        writes.execute(f"INSERT INTO originals ({_COLUMNS}) "
                       f"VALUES ({', '.join('?' * len(values))})", values)
        writes.execute(f"INSERT INTO fingerprints (original_id, {', '.join(FINGERPRINT_COLUMNS)}) "
                       f"VALUES (?, {', '.join('?' * len(FINGERPRINT_COLUMNS))})",
                       [stored.id, *fingerprint_row(fp)])
        if local is not None:
            self._write_local(writes, stored.id, local)
        return stored, True

    def _write_local(self, writes: Writes, original_id: str, local: LocalData) -> None:
        writes.execute(f"INSERT INTO local_data (original_id, {', '.join(LOCAL_COLUMNS)}) "
                       f"VALUES (?, {', '.join('?' * len(LOCAL_COLUMNS))})",
                       [original_id, *local_row(local)])

    def _get(self, original_id: str) -> Original | None:
        row = self._one(f"SELECT {_COLUMNS} FROM originals WHERE id = ?", (original_id,))
        return to_original(row) if row else None

    def get(self, original_id: str) -> Original:
        found = self._get(original_id)
        if found is None:
            raise not_found(original_id, self.path)
        return found

    def find_by_sha256(self, sha256: str) -> Original | None:
        row = self._one(f"SELECT {_COLUMNS} FROM originals WHERE sha256 = ?", (sha256,))
        return to_original(row) if row else None

    def list(self) -> builtins.list[Original]:
        """Every original, by id."""
        return [to_original(row) for row in self._rows(
            f"SELECT {_COLUMNS} FROM originals ORDER BY id{self._COLLATE}")]

    def __len__(self) -> int:
        return int(self._value("SELECT COUNT(*) FROM originals"))

    def audio_fingerprints(self, limit: int) -> dict[str, np.ndarray]:
        """The sound fingerprints of up to ``limit`` originals that have sound, by id."""
        rows = self._rows("SELECT original_id, audio FROM fingerprints WHERE LENGTH(audio) > 0 "
                          f"ORDER BY original_id{self._COLLATE} LIMIT ?", (limit,))
        return {ref: np.frombuffer(bytes(blob), dtype=np.uint32) for ref, blob in rows}

    def remove(self, original_id: str) -> Original:
        original = self.get(original_id)
        with self._transaction() as writes:
            writes.execute("DELETE FROM originals WHERE id = ?", (original_id,))
        return original

    def update(self, original_id: str, **changes: object) -> Original:
        """Change an original's metadata (fields in EDITABLE); returns the stored original."""
        check_editable(changes)
        self.get(original_id)
        if changes:
            with self._transaction() as writes:
                writes.execute(f"UPDATE originals SET {', '.join(f'{k} = ?' for k in changes)} "
                               "WHERE id = ?", [*changes.values(), original_id])
        return self.get(original_id)

    def replace_fingerprint(self, original_id: str, fp: Fingerprint) -> None:
        """Swap an original's fingerprint for a new one (one transaction)."""
        self.get(original_id)
        with self._transaction() as writes:
            self._swap_fingerprint(writes, original_id, fp)

    def replace_decoded(self, original_id: str, fp: Fingerprint, local: LocalData,
                        announced_duration: float) -> None:
        """Swap everything a decode of an original's file gave (its fingerprint, its local-
        matching data, the length its header announced where it was cut off) in one
        transaction: a reindex interrupted half way leaves the old ones."""
        self.get(original_id)
        with self._transaction() as writes:
            self._swap_fingerprint(writes, original_id, fp)
            self._swap_local(writes, original_id, local)
            writes.execute("UPDATE originals SET announced_duration = ? WHERE id = ?",
                           (announced_duration, original_id))

    def replace_local(self, original_id: str, local: LocalData) -> None:
        """Store (or swap) an original's local-matching data (one transaction)."""
        self.get(original_id)
        with self._transaction() as writes:
            self._swap_local(writes, original_id, local)

    def _swap_fingerprint(self, writes: Writes, original_id: str, fp: Fingerprint) -> None:
        writes.execute("UPDATE fingerprints SET "
                       f"{', '.join(f'{c} = ?' for c in FINGERPRINT_COLUMNS)} "
                       "WHERE original_id = ?", [*fingerprint_row(fp), original_id])

    def _swap_local(self, writes: Writes, original_id: str, local: LocalData) -> None:
        writes.execute("DELETE FROM local_data WHERE original_id = ?", (original_id,))
        self._write_local(writes, original_id, local)

    def local_data(self, original_id: str) -> LocalData | None:
        """The original's stored local-matching data; None for one registered before v3 and not
        re-indexed since."""
        return to_local(self._one(f"SELECT {', '.join(LOCAL_COLUMNS)} FROM local_data "
                                  "WHERE original_id = ?", (original_id,)))

    def without_local_data(self) -> int:
        """How many originals have no stored local-matching data (registered before schema
        v4 and not re-indexed since)."""
        return int(self._value("SELECT COUNT(*) FROM originals WHERE id NOT IN "
                               "(SELECT original_id FROM local_data)"))

    def _key_sample(self, original_id: str) -> np.ndarray:
        """What the keypoint index keeps of the original's stored keyframe descriptors (none
        for an original without local-matching data)."""
        row = self._one("SELECT key_descriptors, key_counts FROM local_data "
                        "WHERE original_id = ?", (original_id,))
        if not row or len(row[0]) % 32 or len(row[1]) % 4:  # none, or a damaged row
            return np.zeros((0, 32), np.uint8)
        return key_sample(np.frombuffer(row[0], np.uint8).reshape(-1, 32),
                          np.frombuffer(row[1], np.int32))

    def fingerprint(self, original_id: str) -> Fingerprint:
        original = self.get(original_id)
        return to_fingerprint(original, self._one(
            f"SELECT {', '.join(FINGERPRINT_COLUMNS)} FROM fingerprints WHERE original_id = ?",
            (original_id,)))

    @property
    def revision(self) -> int:
        """Counts every write that changed something: a saved index knows when it is stale."""
        return int(self._value("SELECT value FROM meta WHERE key = 'revision'"))

    @property
    def library_id(self) -> int:
        """The random id this library was given when it was created (or upgraded to v6)."""
        return int(self._value("SELECT value FROM meta WHERE key = 'library_id'"))

    def index(self, min_motion_energy: float) -> FrameIndex:
        """The candidate index over every original (library/index.py), built with the aligner's
        motion floor; above SAVED_INDEX_MIN_FRAMES frames loaded from ``index_folder`` when it is
        of this library's id and revision, else built (and saved, when the folder is
        writable)."""
        if self._index is None or self._index.min_motion_energy != min_motion_energy:
            self._index = self._load_or_build_index(min_motion_energy)
        return self._index

    def _load_or_build_index(self, min_motion_energy: float) -> FrameIndex:
        with self._snapshot():  # the revision and the originals it counts
            revision = self.revision
            sizes = self._rows("SELECT original_id, LENGTH(scene) / 8 FROM fingerprints "
                               f"ORDER BY original_id{self._COLLATE}")
        ids = [original_id for original_id, _ in sizes]
        frames = sum(int(n) for _, n in sizes)
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
        with self._snapshot():
            changed = self.revision != revision
            if not changed:
                index = FrameIndex.build(ids, [self.fingerprint(i) for i in ids],
                                         min_motion_energy, [self._key_sample(i) for i in ids])
        if changed:  # an add or remove meanwhile: build from the new state
            return self._load_or_build_index(min_motion_energy)
        if frames > SAVED_INDEX_MIN_FRAMES:
            try:
                self.index_folder.parent.mkdir(parents=True, exist_ok=True)
                index.save(self.index_folder, identity)
            except OSError:
                pass  # a read-only folder: the index lives in memory for this process
        return index

    def stats(self) -> dict[str, object]:
        """Counts and sizes, for `provenance library stats`."""
        count, seconds = self._one("SELECT COUNT(*), COALESCE(SUM(duration), 0) FROM originals")
        samples, blob_bytes = self._one(
            "SELECT COALESCE(SUM(LENGTH(times)) / 8, 0), COALESCE(SUM("
            + " + ".join(f"LENGTH({c})" for c in ARRAY_COLUMNS) + "), 0) FROM fingerprints")
        return {
            "path": str(self.path),
            "originals": int(count),
            "hours": round(float(seconds) / 3600.0, 3),
            "samples": int(samples),
            "fingerprint_bytes": int(blob_bytes),
            "local_data_bytes": int(self._value(
                "SELECT COALESCE(SUM(LENGTH(details) + LENGTH(key_points) + "
                "LENGTH(key_descriptors) + LENGTH(detail_times)), 0) FROM local_data")),
            "picture_bytes": int(self._value(
                "SELECT COALESCE(SUM(LENGTH(pictures)), 0) FROM local_data")),
            # crops and insets are not looked for in these: `provenance library reindex --all`
            "without_local_data": self.without_local_data(),
            "file_bytes": self._size_bytes(),
            "index": "exact" if samples <= EXACT_MAX_CODES else "ivf",
            "schema_version": self._schema_version(),
        }

    # What each engine provides.

    @property
    def index_folder(self) -> Path:
        """Where the candidate index is saved for large libraries."""
        raise NotImplementedError

    def _rows(self, sql: str, params: Sequence[object] = ()) -> builtins.list[tuple[Any, ...]]:
        """Every row a read returns (SQL with ``?`` placeholders)."""
        raise NotImplementedError

    def _one(self, sql: str, params: Sequence[object] = ()) -> tuple[Any, ...]:
        rows = self._rows(sql, params)
        return rows[0] if rows else ()

    def _value(self, sql: str, params: Sequence[object] = ()) -> Any:
        return self._one(sql, params)[0]

    def _transaction(self) -> AbstractContextManager[Writes]:
        """One write transaction; it bumps the revision when something changed, and drops the
        index held in memory."""
        raise NotImplementedError

    def _item(self, original: Original) -> AbstractContextManager[object]:
        """Around one original of an ``add_many``: errors of its own become a LibraryError."""
        return nullcontext()

    def _snapshot(self) -> AbstractContextManager[object]:
        """Reads that must see one state of the library."""
        return nullcontext()

    def _size_bytes(self) -> int:
        raise NotImplementedError

    def _schema_version(self) -> int:
        raise NotImplementedError


# The interface's name in the design notes: one store interface, two engines.
Store = Library
