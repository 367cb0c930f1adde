"""`provenance library copy`: a library moved between engines (SQLite <-> PostgreSQL): metadata,
fingerprints and local-matching data as they are stored, without decoding any video again."""

from __future__ import annotations

from collections.abc import Callable

from ..errors import LibraryError
from .base import Library

# Originals written per transaction: a batch of 64 one-minute originals is about 1.5 MB of
# fingerprints, so an interrupted copy loses little and the number of commits stays small.
COPY_BATCH = 64


def copy_library(source: Library, dest: Library, replace: bool = False,
                 progress: Callable[[str, float, float | None], None] | None = None) -> int:
    """Copy every original of ``source`` with its fingerprint into ``dest``; returns how many.

    A destination that already holds originals is refused unless ``replace`` (then it is emptied
    first). Ids, sha256, metadata and added_at are kept; the fingerprints are the same bytes."""
    if source.library_id == dest.library_id:  # the same library, however it was named
        raise LibraryError(f"{source.path} is both the source and the destination",
                           "give another destination")
    held = len(dest)
    if held and not replace:
        raise LibraryError(f"{dest.path} already holds {held} originals; nothing was copied",
                           "copy into a new library, or add --replace to empty it first")
    for original in dest.list() if replace else []:
        dest.remove(original.id)
    originals = source.list()
    for start in range(0, len(originals), COPY_BATCH):
        batch = originals[start:start + COPY_BATCH]
        outcomes = dest.add_many([(o, source.fingerprint(o.id), source.local_data(o.id))
                                  for o in batch])
        for outcome in outcomes:
            if isinstance(outcome, LibraryError):
                raise outcome
        if progress is not None:
            progress("copy", start + len(batch), len(originals))
    return len(originals)
