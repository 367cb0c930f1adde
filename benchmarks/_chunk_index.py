"""The hand-written chunk index provenance used before FAISS (kept here as the baseline of
benchmarks/index_realistic.py): multi-index hashing with exact lookup of three 21/21/22-bit
chunks, a Poisson chance filter, originals ranked by colliding query samples."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

_CHUNKS = ((0, 21), (21, 21), (42, 22))


def _count_rows(ids: Sequence[str], rows: np.ndarray, entries: np.ndarray) -> dict[str, int]:
    """Distinct query rows per entry."""
    if rows.size == 0:
        return {}
    pairs = np.unique(rows.astype(np.int64) * len(ids) + entries.astype(np.int64))
    counts = np.bincount(pairs % len(ids), minlength=len(ids))
    return {ids[i]: int(c) for i, c in enumerate(counts) if c}


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
