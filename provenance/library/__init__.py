"""The reference library: known originals, their metadata and fingerprints."""

from .index import HammingIndex, Hits, hamming
from .store import Library

__all__ = ["HammingIndex", "Hits", "Library", "hamming"]
