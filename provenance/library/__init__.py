"""The reference library: known originals, their metadata and fingerprints."""

from .index import FrameIndex, Radii, Scores, merge
from .store import Library

__all__ = ["FrameIndex", "Library", "Radii", "Scores", "merge"]
