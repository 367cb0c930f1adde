"""The reference library: known originals, their metadata and fingerprints."""

import os

from .base import Library, Store
from .index import FrameIndex, Radii, Scores, merge


def open_library(target: str | os.PathLike[str], create: bool = False) -> Library:
    """The library at ``target``: a ``postgresql://`` URL opens PostgreSQL, anything else the
    SQLite file at that path (the same as ``Library(target, create)``)."""
    return Library(target, create=create)


__all__ = ["FrameIndex", "Library", "Radii", "Scores", "Store", "merge", "open_library"]
