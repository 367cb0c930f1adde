"""Hamming-distance search over every sampled frame of every original.

A brute-force index: all reference hashes sit in one contiguous uint64 array and a query is
answered with vectorised XOR + popcount, in chunks so memory stays bounded. It can be swapped for a
faster structure (multi-index hashing, a binary FAISS index) behind the same ``add``/``query``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Query hashes compared per block: block x library frames uint8 distances must fit in memory.
_QUERY_BLOCK = 64


@dataclass(frozen=True)
class Hits:
    """Frame pairs within the radius: query frame index, reference entry, reference frame index."""

    query_index: np.ndarray
    entry: np.ndarray
    frame: np.ndarray
    distance: np.ndarray


def hamming(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Element-wise (broadcast) Hamming distance between uint64 hash arrays."""
    return np.bitwise_count(np.bitwise_xor(a, b)).astype(np.uint8)


class HammingIndex:
    """Frames of many entries, searchable by Hamming radius."""

    def __init__(self) -> None:
        self._ids: list[str] = []
        self._hashes: list[np.ndarray] = []
        self._packed: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    @property
    def ids(self) -> list[str]:
        return list(self._ids)

    def add(self, entry_id: str, hashes: np.ndarray) -> None:
        self._ids.append(entry_id)
        self._hashes.append(np.ascontiguousarray(hashes, dtype=np.uint64))
        self._packed = None

    def _pack(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if self._packed is None:
            if self._hashes:
                hashes = np.concatenate(self._hashes)
                entry = np.concatenate(
                    [np.full(len(h), i, dtype=np.int32) for i, h in enumerate(self._hashes)]
                )
                frame = np.concatenate([np.arange(len(h), dtype=np.int32) for h in self._hashes])
            else:
                hashes = np.zeros(0, dtype=np.uint64)
                entry = frame = np.zeros(0, dtype=np.int32)
            self._packed = (hashes, entry, frame)
        return self._packed

    def query(self, hashes: np.ndarray, radius: int) -> Hits:
        """Every (query frame, reference frame) pair at Hamming distance <= radius."""
        library, entry, frame = self._pack()
        found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        query = np.asarray(hashes, dtype=np.uint64)
        for start in range(0, len(query), _QUERY_BLOCK):
            block = query[start : start + _QUERY_BLOCK]
            distance = hamming(block[:, None], library[None, :])
            rows, cols = np.nonzero(distance <= radius)
            found.append((rows + start, cols, distance[rows, cols]))
        if not found:
            empty = np.zeros(0, dtype=np.int64)
            return Hits(empty, empty, empty, empty.astype(np.uint8))
        rows = np.concatenate([f[0] for f in found])
        cols = np.concatenate([f[1] for f in found])
        return Hits(rows, entry[cols], frame[cols], np.concatenate([f[2] for f in found]))
