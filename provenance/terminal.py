"""Text safe for a terminal: what the CLI prints passes here once, whatever it came from.

Titles, captions, URLs and error messages come from remote pages and files. Control characters
in them can clear the screen (ESC c), rewrite the window title (OSC), move the cursor over the
verdict (CSI, a bare carriage return) or reorder text (bidirectional overrides). Each such
character is shown as a visible ``\\uXXXX`` escape instead: in JSON output that is the same
string, JSON-escaped; in text it shows that something was there.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from .errors import unwritable

# C0 controls but tab and newline, DEL, C1 controls, and the Unicode bidirectional overrides
# and isolates (U+202A-U+202E, U+2066-U+2069). A carriage return just before a newline (CSV's
# line ends) cannot rewrite a line and is kept.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]|\r(?!\n)")


def safe_text(text: str) -> str:
    """``text`` with every unsafe control character replaced by its visible escape."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def one_line(text: str) -> str:
    """A value shown on one line of the output (a file's name, an original's title), with its
    line breaks escaped too: a desk audit's file named "x.mp4: authentic 0.99<newline>spoof"
    printed a line of its own in a batch's output, and a title a row of `library list`."""
    return safe_text(text).replace("\r\n", "\\r\\n").replace("\n", "\\n")


# What progress displays write themselves (click's progress bar hides and shows the cursor):
# kept as they are, since hiding the cursor cannot hide or rewrite text.
_CURSOR = re.compile("(\x1b\\[\\?25[lh])")


class SafeStream:
    """A text stream that writes through ``safe_text``. A carriage return at the very start of
    one write is kept (how a progress line redraws itself; click.echo writes a whole message at
    once, so untrusted text never starts a write with it), and so are cursor hide/show codes."""

    def __init__(self, stream: TextIO, name: str | None = None) -> None:
        """``name``: the output as an error names it ("standard output"); a write or flush
        that fails then raises its ``unwritable`` error (a broken pipe is left as it is, for
        the caller to end quietly)."""
        self._stream = stream
        self._name = name

    def write(self, text: str) -> int:
        start = "\r" if text.startswith("\r") else ""
        parts = _CURSOR.split(text[len(start):])
        with self._failing():
            self._stream.write(start + "".join(p if i % 2 else safe_text(p)
                                               for i, p in enumerate(parts)))
        return len(text)

    def flush(self) -> None:
        with self._failing():
            self._stream.flush()

    @contextmanager
    def _failing(self) -> Iterator[None]:
        try:
            yield
        except BrokenPipeError:
            raise
        except OSError as exc:
            if self._name is None:
                raise
            raise unwritable(self._name, exc) from None

    @property
    def raw(self) -> TextIO:
        """The stream under the filter: only for what this program draws itself (a progress
        display of fixed stage names and numbers)."""
        return self._stream

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def unfiltered(stream: TextIO) -> TextIO:
    """``stream`` without the filter, if it has one."""
    return stream.raw if isinstance(stream, SafeStream) else stream
