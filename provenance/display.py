"""Progress for people: the pipeline's ``Progress(stage, done, total)`` calls rendered on stderr.

On a terminal, a live rich display with one line per stage (bytes for "download", seconds of
video for "fingerprint"), the time spent in it and its ETA; elsewhere, only when asked, plain
lines so a log stays readable. rich lives in this module only.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO, cast

from .terminal import SafeStream, unfiltered

# Stage names the pipeline reports, with what a person reads; unknown stages show as named.
STAGES = {
    "batch": "inputs",
    "import": "manifest rows",
    "download": "acquire",
    "fingerprint": "fingerprint",
    "match": "match",
    "local": "local features",
    "evidence": "sound, text and credentials",
    "report": "claims and report",
    "places": "place-name index (built once)",
}
# A plain-text progress line is written at most this often per stage (seconds).
LINE_INTERVAL = 2.0


class Display:
    """A ``pipeline.Progress`` callback; ``close()`` removes the live display."""

    def __call__(self, stage: str, done: float, total: float | None) -> None:
        """Report ``done`` of ``total`` for ``stage``."""

    def close(self) -> None:
        """Stop drawing."""


class LiveDisplay(Display):
    """rich's live progress display, one task per stage, redrawn in place."""

    def __init__(self, stream: TextIO) -> None:
        from rich.console import Console
        from rich.file_proxy import FileProxy
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        class Amount(DownloadColumn):
            """Bytes for downloads, seconds of video for fingerprinting, counts otherwise."""

            def render(self, task: Any) -> Any:
                from rich.text import Text

                unit = task.fields.get("unit")
                if unit == "bytes":
                    return super().render(task)
                done, total = task.completed, task.total
                if unit == "s":
                    text = f"{done:.1f}/{total:.1f} s" if total else f"{done:.1f} s"
                else:
                    text = f"{done:g}/{total:g}" if total else ""
                return Text(text, style="progress.download")

        # rich draws with escape codes the terminal filter would show as text; what it draws
        # is stage names and numbers, so it gets the terminal itself.
        self._progress = Progress(
            TextColumn("{task.description:<18}"), BarColumn(), TaskProgressColumn(),
            Amount(), TimeElapsedColumn(), TimeRemainingColumn(),
            console=Console(file=unfiltered(stream)), transient=True,
            # Lines printed to stdout meanwhile go above the display when stdout is the same
            # terminal; redirected to a file, stdout is left alone.
            redirect_stdout=sys.stdout.isatty())
        self._tasks: dict[str, Any] = {}
        self._last: dict[str, float] = {}
        self._progress.start()
        if isinstance(sys.stdout, FileProxy):
            # rich now routes stdout to the display, past the filter: filter it first (rich puts
            # the stream it found back when it stops)
            sys.stdout = SafeStream(cast(TextIO, sys.stdout))  # type: ignore[assignment]

    def __call__(self, stage: str, done: float, total: float | None) -> None:
        task = self._tasks.get(stage)
        unit = {"download": "bytes", "fingerprint": "s"}.get(stage, "")
        if task is None:
            task = self._tasks[stage] = self._progress.add_task(
                STAGES.get(stage, stage), total=total, unit=unit)
        elif done < self._last.get(stage, 0.0):  # the next video: the stage starts again
            self._progress.reset(task, total=total)
        self._last[stage] = done
        self._progress.update(task, completed=done, total=total)

    def close(self) -> None:
        self._progress.stop()


class LineDisplay(Display):
    """One line when a stage starts, at most every LINE_INTERVAL s while it runs, and its last
    value when the next stage starts: for logs."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._written: dict[str, float] = {}
        self._current: tuple[str, float, float | None, bool] | None = None

    def __call__(self, stage: str, done: float, total: float | None) -> None:
        if self._current and self._current[0] != stage and not self._current[3]:
            self._write(*self._current[:3])  # where the previous stage ended
        now = time.monotonic()
        due = now - self._written.get(stage, -LINE_INTERVAL) >= LINE_INTERVAL
        if due or (total is not None and done >= total):
            self._written[stage] = now
            self._write(stage, done, total)
        self._current = (stage, done, total, due or (total is not None and done >= total))

    def _write(self, stage: str, done: float, total: float | None) -> None:
        scale, unit, form = {"download": (1e6, " MB", ".1f"),
                             "fingerprint": (1.0, " s", ".1f")}.get(stage, (1.0, "", "g"))
        amount = format(done / scale, form)
        if total:
            amount += " of " + format(total / scale, form)
        self._stream.write(f"progress: {STAGES.get(stage, stage)} {amount}{unit}\n")
        self._stream.flush()


def make_display(quiet: bool, forced: bool, stream: TextIO | None = None) -> Display:
    """What to draw: nothing with ``quiet``; a live display on a terminal; plain lines when
    ``forced`` (``--progress``) on anything else; nothing otherwise."""
    stream = stream or sys.stderr
    if quiet:
        return Display()
    if stream.isatty():
        return LiveDisplay(stream)
    return LineDisplay(stream) if forced else Display()
