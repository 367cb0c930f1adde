"""Progress: a live display on a terminal (a real pseudo-terminal), nothing elsewhere unless
--progress, nothing with -q."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import Media

_CLI = "import sys; from provenance.cli import main; sys.exit(main())"


def _stderr_on_a_terminal(args: list[str]) -> str:
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-c", _CLI, *args], stdout=subprocess.DEVNULL,
                               stderr=follower, env={**os.environ, "COLUMNS": "120"})
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the process closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=120) == 0
    return b"".join(chunks).decode("utf-8", "replace")


def test_terminal_shows_each_stage_with_its_eta(media: Media, library_path: Path) -> None:
    drawn = _stderr_on_a_terminal(["verify", str(media.clip_a), "--db", str(library_path)])
    for stage in ("fingerprint", "match", "local features"):
        assert stage in drawn
    assert re.search(r"\d+\.\d/1\d\.\d s", drawn)  # seconds of video done, of the total
    assert re.search(r"(-|\d):(--|\d\d):(--|\d\d)", drawn)  # the ETA column
    # drawn with the terminal's own codes, not shown as escaped text by the output filter
    assert "\x1b[2K" in drawn and "\\u001b" not in drawn
    quiet = _stderr_on_a_terminal(["verify", str(media.clip_a), "--db", str(library_path),
                                   "-q"])
    assert quiet == ""


def test_not_a_terminal_is_silent_unless_asked(media: Media, library_path: Path) -> None:
    args = [sys.executable, "-c", _CLI, "verify", str(media.clip_a), "--db", str(library_path)]
    silent = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert silent.returncode == 0 and silent.stderr == ""
    asked = subprocess.run([*args, "--progress"], capture_output=True, text=True, timeout=120)
    lines = asked.stderr.splitlines()
    assert re.fullmatch(r"progress: fingerprint 0\.0 of 1\d\.\d s", lines[0])
    # the stage ends at its total, not a sample step short of it
    assert any(re.fullmatch(r"progress: fingerprint (1\d\.\d) of \1 s", line) for line in lines)
    assert "progress: match 1 of 1" in lines and "progress: claims and report 1 of 1" in lines


def test_text_printed_under_the_live_display_is_still_filtered(monkeypatch) -> None:
    from provenance.display import LiveDisplay
    from provenance.terminal import SafeStream

    leader, follower = pty.openpty()
    with os.fdopen(follower, "w", encoding="utf-8") as terminal:
        monkeypatch.setattr(sys, "stdout", SafeStream(terminal))
        display = LiveDisplay(SafeStream(terminal))
        display("fingerprint", 1.0, 10.0)
        print("title from a page: \x1b]0;owned\x07\x1b[2J")  # rich routes this to the display
        display.close()
        assert isinstance(sys.stdout, SafeStream)  # put back as it was
    written = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        written += chunk
    os.close(leader)
    text = written.decode("utf-8", "replace")
    assert "\\u001b]0;owned\\u0007\\u001b[2J" in text and "\x1b]0;" not in text
    assert "\x1b[2K" in text or "\x1b[?25l" in text  # the display's own codes, as codes
