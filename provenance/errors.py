"""One exception hierarchy. Every expected failure carries a message and a hint a person can act on.

The CLI prints ``Error: <message>`` and ``Hint: <hint>`` and exits with ``exit_code``;
a traceback is shown only with ``--debug``.
"""

from __future__ import annotations

import errno


class ProvenanceError(Exception):
    """Base class for expected failures."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class SettingsError(ProvenanceError):
    """A setting (flag, environment variable, config file) is invalid."""

    exit_code = 2


# Errors of a write that found no room: the disk (or the user's quota, or the file system's
# largest file) is full, whatever the path.
_NO_ROOM = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def unwritable(target: str, exc: OSError) -> SettingsError:
    """The error for an output that could not be written (a report, standard output): it names
    the output as the person gave it, never a temporary file beside it, and exits 2 as the
    other mistakes in what a command was asked to write do."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    hint = ("the disk is full: free some space, or write to another disk"
            if exc.errno in _NO_ROOM else "choose a file in a folder you can write")
    return SettingsError(f"cannot write {target} ({reason})", hint)


class AcquireError(ProvenanceError):
    """An article or video could not be found, fetched or downloaded."""

    exit_code = 3


class MediaError(ProvenanceError):
    """A file is not a decodable video, or holds no usable frames."""

    exit_code = 4


class LibraryError(ProvenanceError):
    """The reference library file or one of its entries is missing, invalid or inconsistent."""

    exit_code = 5


class NoLibraryError(LibraryError):
    """No library where one was named (a missing file, an empty database)."""
