"""A process killed with SIGKILL in the middle of `library add` leaves a consistent library."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

from click.testing import CliRunner

from provenance.cli import main
from provenance.library import Library
from tests.conftest import Media
from tests.synthetic import ffmpeg_exe

_ADD = "import sys; from provenance.cli import main; sys.exit(main())"


def test_kill_9_during_add_leaves_no_partial_entry(media: Media, tmp_path: Path) -> None:
    db = tmp_path / "lib.db"
    assert CliRunner().invoke(main, ["library", "add", str(media.cam_b), "--id", "first",
                                     "--db", str(db)]).exit_code == 0
    long_video = tmp_path / "long.mp4"  # 3 minutes, so an add takes a few seconds
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-stream_loop", "5",
                    "-i", str(media.cam_a), "-c", "copy", str(long_video)], check=True)
    command = [sys.executable, "-c", _ADD, "library", "add", str(long_video)]
    started = time.monotonic()
    subprocess.run([*command, "--id", "timing", "--db", str(tmp_path / "timing.db")], check=True,
                   stdout=subprocess.DEVNULL)
    full = time.monotonic() - started
    shares = [0.15, 0.3, 0.45, 0.6, 0.75, 0.9]
    killed = 0
    for attempt in range(12):
        if not shares:
            break
        process = subprocess.Popen(
            [*command, "--id", f"victim-{attempt}", "--db", str(db)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        finished_after = _exit_within(process, full * shares[0])
        if finished_after is None:
            os.kill(process.pid, signal.SIGKILL)
            killed += 1
            shares.pop(0)
        else:  # the machine got faster since the timing run: time the kills by this add instead
            full = finished_after
        process.wait()
        result = CliRunner().invoke(main, ["library", "list", "--db", str(db), "--json"])
        assert result.exit_code == 0, result.stderr
        with closing(sqlite3.connect(db)) as raw:
            originals = raw.execute("SELECT COUNT(*) FROM originals").fetchone()[0]
            prints = raw.execute("SELECT COUNT(*) FROM fingerprints").fetchone()[0]
            assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert originals == prints  # never an original without its fingerprint
        with Library(db) as library:
            ids = [o.id for o in library.list()]
            assert ids[0] == "first" and len(ids) <= 2
            for original_id in ids:
                assert len(library.fingerprint(original_id)) > 0
            if len(ids) == 2:  # this add completed before the kill: undo it for the next try
                library.remove(ids[1])
    assert killed >= 3  # most attempts really were cut off mid-way


def _exit_within(process: subprocess.Popen[bytes], seconds: float) -> float | None:
    """How long ``process`` took if it exits within ``seconds``, else None (still running)."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if process.poll() is not None:
            return time.monotonic() - started
        time.sleep(0.01)
    return None if process.poll() is None else time.monotonic() - started
