"""The reference library: known originals, their metadata and fingerprints."""

from .index import ChunkIndex, HammingIndex, hamming
from .store import Library

__all__ = ["ChunkIndex", "HammingIndex", "Library", "hamming"]
