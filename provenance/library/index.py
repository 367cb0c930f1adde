"""Finding the originals that share views with a query, over every sampled frame of the library.

Two interchangeable indexes answer ``candidates(hashes)``: for each original, how many distinct
query samples have a near frame in it.

* ``HammingIndex`` (exact): all reference hashes in one uint64 array, compared with vectorised
  XOR + popcount in bounded blocks. Exact at any radius; its cost grows with library size
  (see benchmarks/library_scale.py), so it serves small libraries.
* ``ChunkIndex`` (multi-index hashing with exact chunk lookup): each 64-bit hash is cut into
  three chunks of 21, 21 and 22 bits; a sorted table maps every (chunk, value) to the originals
  holding it. A reference frame within d bits of a query frame shares at least one chunk exactly
  with certainty for d <= 2 and with a probability that falls with d (about 0.5 at d = 4), so a
  single frame can be missed but a query of many samples finds its original: the exact check is
  the aligner's, on the candidates only. Lookups cost O(log n) per chunk.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# Version of the saved chunk-index layout (2: bound to its library's id and to file checksums).
INDEX_FORMAT = 2
# Query hashes compared per block in the exact index: block x library uint8 distances in memory.
_QUERY_BLOCK = 16
# (shift, width) of the chunks of a 64-bit hash.
_CHUNKS = ((0, 21), (21, 21), (42, 22))


_TABLES = ("keys.npy", "entries.npy")


@dataclass(frozen=True)
class IndexIdentity:
    """The library state a saved index was built from: the library's random id, its revision
    (every add or remove), its originals in index order and their sample count."""

    library_id: int
    revision: int
    ids: tuple[str, ...]
    frames: int


class IndexMismatch(Exception):
    """A saved index that cannot be used for this library (``damaged``: not merely stale)."""

    def __init__(self, reason: str, damaged: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.damaged = damaged


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _meta_sha256(meta: dict[str, object]) -> str:
    return hashlib.sha256(json.dumps(meta, sort_keys=True).encode("utf-8")).hexdigest()


def _check_meta(meta: object, identity: IndexIdentity) -> None:
    """Raise IndexMismatch unless the description is well formed and of this library state."""
    if not isinstance(meta, dict) or not isinstance(meta.get("format"), int):
        raise IndexMismatch("an unknown or damaged description")
    if meta["format"] != INDEX_FORMAT:  # written by another version of provenance
        raise IndexMismatch(f"of format {meta['format']}, not {INDEX_FORMAT}", damaged=False)
    if meta.get("library_id") != identity.library_id:
        raise IndexMismatch("it belongs to another library")
    if meta.get("revision") != identity.revision:
        raise IndexMismatch(f"it is of revision {meta.get('revision')!r}, the library of "
                            f"{identity.revision}", damaged=False)
    ids, per_entry, frames = meta.get("ids"), meta.get("keys_per_entry"), meta.get("frames")
    if not (isinstance(ids, list) and isinstance(per_entry, list) and isinstance(frames, int)
            and isinstance(meta.get("sha256"), dict) and len(ids) == len(per_entry)
            and all(isinstance(k, int) and k >= 0 for k in per_entry)):
        raise IndexMismatch("an incomplete description")
    if tuple(ids) != identity.ids or frames != identity.frames:
        raise IndexMismatch("its originals are not the library's")


def hamming(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Element-wise (broadcast) Hamming distance between uint64 hash arrays."""
    return np.bitwise_count(np.bitwise_xor(a, b)).astype(np.uint8)


def _count_rows(ids: Sequence[str], rows: np.ndarray, entries: np.ndarray) -> dict[str, int]:
    """Distinct query rows per entry."""
    if rows.size == 0:
        return {}
    pairs = np.unique(rows.astype(np.int64) * len(ids) + entries.astype(np.int64))
    counts = np.bincount(pairs % len(ids), minlength=len(ids))
    return {ids[i]: int(c) for i, c in enumerate(counts) if c}


class HammingIndex:
    """Exact radius search by brute force over every reference frame."""

    kind = "exact"

    def __init__(self) -> None:
        self._ids: list[str] = []
        self._hashes: list[np.ndarray] = []
        self._packed: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def ids(self) -> list[str]:
        return list(self._ids)

    def __len__(self) -> int:
        return sum(len(h) for h in self._hashes)

    def add(self, entry_id: str, hashes: np.ndarray) -> None:
        self._ids.append(entry_id)
        self._hashes.append(np.ascontiguousarray(hashes, dtype=np.uint64))
        self._packed = None

    def _pack(self) -> tuple[np.ndarray, np.ndarray]:
        if self._packed is None:
            hashes = np.concatenate(self._hashes) if self._hashes else np.zeros(0, np.uint64)
            entry = np.repeat(np.arange(len(self._hashes), dtype=np.int32),
                              [len(h) for h in self._hashes])
            self._packed = (hashes, entry)
        return self._packed

    def query(self, hashes: np.ndarray, radius: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(query row, entry, frame index) of every pair within ``radius`` bits."""
        library, entry = self._pack()
        starts = np.cumsum([0] + [len(h) for h in self._hashes])[:-1]
        found: list[tuple[np.ndarray, np.ndarray]] = []
        query = np.asarray(hashes, dtype=np.uint64)
        for start in range(0, len(query), _QUERY_BLOCK):
            block = query[start : start + _QUERY_BLOCK]
            rows, cols = np.nonzero(hamming(block[:, None], library[None, :]) <= radius)
            found.append((rows + start, cols))
        rows = np.concatenate([f[0] for f in found]) if found else np.zeros(0, np.int64)
        cols = np.concatenate([f[1] for f in found]) if found else np.zeros(0, np.int64)
        entries = entry[cols]
        return rows, entries, cols - starts[entries] if len(starts) else cols

    def candidates(self, hashes: np.ndarray, radius: int) -> dict[str, int]:
        rows, entries, _ = self.query(hashes, radius)
        return _count_rows(self._ids, rows, entries)


def _chunk_keys(hashes: np.ndarray) -> np.ndarray:
    """(n, 3) uint64 keys: chunk number in the top bits, chunk value below."""
    hashes = np.asarray(hashes, dtype=np.uint64)
    keys = [((hashes >> np.uint64(shift)) & np.uint64((1 << width) - 1)) | np.uint64(n << 24)
            for n, (shift, width) in enumerate(_CHUNKS)]
    return np.stack(keys, axis=1)


class ChunkIndex:
    """Multi-index hashing: exact lookup of hash chunks, postings of originals."""

    kind = "chunks"

    def __init__(self, ids: Sequence[str], keys: np.ndarray, entries: np.ndarray,
                 frames: int, keys_per_entry: Sequence[int]) -> None:
        self._ids = list(ids)
        self._keys = keys
        self._entries = entries
        self._frames = int(frames)
        self.keys_per_entry = [int(k) for k in keys_per_entry]
        # Chance that one random chunk lookup lands on each original: its distinct keys per
        # chunk over the chunk's value space.
        per_entry = np.asarray(self.keys_per_entry, dtype=np.float64)
        self._chance = per_entry / len(_CHUNKS) * sum(1.0 / (1 << w) for _, w in _CHUNKS)

    @classmethod
    def build(cls, ids: Sequence[str], hashes: Sequence[np.ndarray]) -> ChunkIndex:
        parts = []
        for entry, values in enumerate(hashes):
            keys = np.unique(_chunk_keys(values).ravel())
            parts.append((keys << np.uint64(32)) | np.uint64(entry))
        table = np.sort(np.concatenate(parts)) if parts else np.zeros(0, np.uint64)
        return cls(ids, (table >> np.uint64(32)).astype(np.uint32),
                   (table & np.uint64(0xFFFFFFFF)).astype(np.int32),
                   sum(len(h) for h in hashes), [len(p) for p in parts])

    def save(self, folder: Path, identity: IndexIdentity) -> None:
        """Write the tables (memory-mappable .npy) and their description, atomically. The
        description binds them to the library (its id and revision) and to their checksums."""
        tmp = Path(tempfile.mkdtemp(prefix=".index-", dir=folder.parent))
        try:
            np.save(tmp / "keys.npy", self._keys)
            np.save(tmp / "entries.npy", self._entries)
            meta: dict[str, object] = {
                "format": INDEX_FORMAT, "library_id": identity.library_id,
                "revision": identity.revision, "ids": self._ids, "frames": self._frames,
                "keys_per_entry": self.keys_per_entry}
            checksums = {name: _file_sha256(tmp / name) for name in _TABLES}
            checksums["meta"] = _meta_sha256(meta)
            (tmp / "meta.json").write_text(json.dumps({**meta, "sha256": checksums}))
            if folder.exists():
                shutil.rmtree(folder)
            os.replace(tmp, folder)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path, identity: IndexIdentity) -> ChunkIndex:
        """The saved index of exactly this library state; IndexMismatch says why not."""
        try:
            meta = json.loads((folder / "meta.json").read_text("utf-8"))
        except FileNotFoundError:
            raise IndexMismatch("absent", damaged=False) from None
        except (OSError, ValueError) as exc:
            raise IndexMismatch(f"unreadable description ({exc})") from None
        _check_meta(meta, identity)
        checksums = meta["sha256"]
        if checksums.get("meta") != _meta_sha256({k: v for k, v in meta.items() if k != "sha256"}):
            raise IndexMismatch("meta.json does not match its checksum")
        for name in _TABLES:
            try:
                digest = _file_sha256(folder / name)
            except OSError as exc:
                raise IndexMismatch(f"{name} unreadable ({exc.strerror})") from None
            if digest != checksums.get(name):
                raise IndexMismatch(f"{name} does not match its checksum")
        try:
            keys = np.load(folder / "keys.npy", mmap_mode="r")
            entries = np.load(folder / "entries.npy", mmap_mode="r")
        except (OSError, ValueError) as exc:
            raise IndexMismatch(f"unreadable tables ({exc})") from None
        if (keys.ndim != 1 or entries.ndim != 1 or len(keys) != len(entries)
                or len(keys) != sum(meta["keys_per_entry"])):
            raise IndexMismatch("tables of the wrong shape")
        return cls(meta["ids"], keys, entries, meta["frames"], meta["keys_per_entry"])

    @property
    def ids(self) -> list[str]:
        return list(self._ids)

    def __len__(self) -> int:
        return self._frames

    @property
    def nbytes(self) -> int:
        return int(self._keys.nbytes + self._entries.nbytes)

    def candidates(self, hashes: np.ndarray, radius: int) -> dict[str, int]:
        """Distinct query rows per original sharing at least one exact chunk, keeping only
        originals hit clearly more often than chance (Poisson: expected + 4 sd + 3) in a large
        library. ``radius`` is the caller's final radius, checked later by the aligner."""
        keys = _chunk_keys(hashes).astype(np.uint32)
        lo = np.searchsorted(self._keys, keys.ravel(), side="left")
        hi = np.searchsorted(self._keys, keys.ravel(), side="right")
        lengths = hi - lo
        if lengths.sum() == 0:
            return {}
        rows = np.repeat(np.arange(keys.size) // keys.shape[1], lengths)
        offsets = np.repeat(lo - np.r_[0, np.cumsum(lengths)[:-1]], lengths)
        positions = np.arange(int(lengths.sum())) + offsets
        counts = _count_rows(self._ids, rows, self._entries[positions])
        expected = self._chance * len(hashes)
        bound = {ref: expected[i] + 4.0 * np.sqrt(expected[i]) + 3.0
                 for i, ref in enumerate(self._ids) if ref in counts}
        return {ref: count for ref, count in counts.items() if count > bound[ref]}
