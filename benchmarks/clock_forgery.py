"""A clock drawn over a registered camera's own, at another moment: is it taken for the camera's?

Over a registered camera's other moment (same-scene time) the library cannot date the footage;
the camera clock in its picture can, so a clock drawn over the camera's own with a false date
must not count as the camera's. Each clip of the shared footage is made into four cameras,
each burning in its clock in its own format, font, size and corner (the "firmware"); a
library per firmware holds its three cameras' first ORIGINAL_S seconds. Two reposts of each
camera's next LATER_S seconds are verified with a claimed date, the day the forged clock
shows:
- **own clock**: the camera's own clock, running on. Right: read as the camera's own
  (`in_original`), the claimed date contradicted by it;
- **forged**: the camera's clock covered by a box in the background's grey and another
  camera's format drawn there, showing the claimed day. Right: laid on (`added`), no
  `screen_clocks` entry, the claimed date not supported.

    python benchmarks/clock_forgery.py
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import cv2
import imageio_ffmpeg
import numpy as np
from _common import WORK, footage_clips, table

ORIGINAL_S = (0.0, 15.0)
LATER_S = (15.0, 30.0)
CAMERA_START = datetime(2015, 9, 16, 2, 13, 0)
FORGED_START = datetime(2015, 10, 22, 14, 2, 0)


@dataclass(frozen=True)
class Firmware:
    """How a camera burns in its clock."""

    pattern: str  # strftime
    corner: str  # "tl", "tr", "bl", "br"
    font: int
    scale: float


FIRMWARES = (
    Firmware("%Y-%m-%d %H:%M:%S", "tl", cv2.FONT_HERSHEY_SIMPLEX, 0.6),
    Firmware("%d/%m/%Y %H:%M:%S", "bl", cv2.FONT_HERSHEY_DUPLEX, 0.55),
    Firmware("%m-%d-%Y %I:%M:%S %p", "tr", cv2.FONT_HERSHEY_PLAIN, 1.3),
    Firmware("%Y/%m/%d %H:%M", "br", cv2.FONT_HERSHEY_SIMPLEX, 0.5),
)
# The forger writes another camera's format (the next one) at the camera's clock's place.
FORGED = {k: FIRMWARES[(k + 1) % len(FIRMWARES)].pattern for k in range(len(FIRMWARES))}


def _origin(firmware: Firmware, text: str, size: tuple[int, int]) -> tuple[tuple[int, int],
                                                                          tuple[int, int]]:
    """Where a line of text starts (its baseline's left end), and its width and height."""
    (width, height), _ = cv2.getTextSize(text, firmware.font, firmware.scale, 2)
    x = 10 if firmware.corner[1] == "l" else size[0] - width - 10
    y = height + 10 if firmware.corner[0] == "t" else size[1] - 12
    return (x, y), (width, height)


def _stamp(frame: np.ndarray, firmware: Firmware, text: str, cover: str | None = None) -> None:
    """``text`` burned in as the firmware does; ``cover``: a line covered first, in the grey
    of the picture around it."""
    size = (frame.shape[1], frame.shape[0])
    if cover is not None:
        (x, y), (width, height) = _origin(firmware, cover, size)
        around = frame[max(0, y - height - 8):y + 8, max(0, x - 6):x + width + 6]
        grey = int(np.median(around)) if around.size else 64
        cv2.rectangle(frame, (x - 4, y - height - 5), (x + width + 4, y + 6), (grey,) * 3, -1)
    origin, _ = _origin(firmware, text, size)
    cv2.putText(frame, text, origin, firmware.font, firmware.scale, (255, 255, 255), 2,
                cv2.LINE_AA)


def _frames(clip: Path, span: tuple[float, float]) -> Iterator[tuple[float, np.ndarray]]:
    capture = cv2.VideoCapture(str(clip))
    fps = capture.get(cv2.CAP_PROP_FPS) or 25.0
    index = 0
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        t = index / fps
        index += 1
        if span[0] <= t < span[1]:
            yield t, frame
        elif t >= span[1]:
            break
    capture.release()


def _write(path: Path, frames: Iterator[np.ndarray], fps: float) -> None:
    first = next(frames)
    writer = imageio_ffmpeg.write_frames(
        str(path), (first.shape[1], first.shape[0]), fps=fps, codec="libx264", quality=None,
        macro_block_size=2, pix_fmt_in="bgr24", pix_fmt_out="yuv420p",
        output_params=["-crf", "23", "-preset", "veryfast"], ffmpeg_log_level="error")
    writer.send(None)
    writer.send(np.ascontiguousarray(first))
    for frame in frames:
        writer.send(np.ascontiguousarray(frame))
    writer.close()


def make_media(folder: Path) -> list[tuple[str, int, Path, Path, Path]]:
    """(camera id, firmware, original, own-clock repost, forged repost) for every camera."""
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for clip in footage_clips():
        fps = cv2.VideoCapture(str(clip)).get(cv2.CAP_PROP_FPS) or 25.0
        for k, firmware in enumerate(FIRMWARES):
            camera = f"{clip.stem.split('-')[0]}-{k}"
            paths = [folder / f"{camera}-{kind}.mp4" for kind in ("original", "own", "forged")]
            if not all(p.exists() for p in paths):
                _write(paths[0], (_clocked(f, firmware, t) for t, f in _frames(
                    clip, ORIGINAL_S)), fps)
                _write(paths[1], (_clocked(f, firmware, t) for t, f in _frames(
                    clip, LATER_S)), fps)
                _write(paths[2], (_forged(f, firmware, k, t) for t, f in _frames(
                    clip, LATER_S)), fps)
            made.append((camera, k, *paths))
    return made


def _clocked(frame: np.ndarray, firmware: Firmware, t: float) -> np.ndarray:
    _stamp(frame, firmware, f"{CAMERA_START + timedelta(seconds=t):{firmware.pattern}}")
    return frame


def _forged(frame: np.ndarray, firmware: Firmware, k: int, t: float) -> np.ndarray:
    own = f"{CAMERA_START + timedelta(seconds=t):{firmware.pattern}}"
    _stamp(frame, firmware, own)
    _stamp(frame, firmware, f"{FORGED_START + timedelta(seconds=t - LATER_S[0]):{FORGED[k]}}",
           cover=own)
    return frame


def _cli(*args: str) -> str:
    """The CLI of the code on PYTHONPATH (run from the work folder, not a checkout)."""
    done = subprocess.run([sys.executable, "-c", "from provenance.cli import main; main()",
                           *args], capture_output=True, text=True, cwd=WORK, env=os.environ,
                          check=False)
    if done.returncode not in (0, 1):
        raise RuntimeError(done.stderr)
    return done.stdout


def judged(result: dict) -> tuple[bool, bool, bool, str]:
    """(a clock was read, read as the camera's own, read as laid on, the claimed date's
    status)."""
    from provenance.ocr import screen_datetime

    lines = [t for t in result["burned_in_text"] if screen_datetime(t["text"])]
    own = any(c.get("in_original") for c in result["screen_clocks"])
    added = any(t.get("added") for t in lines)
    status = next((c["status"] for c in result["claims"] if c["kind"] == "date"), "none")
    return bool(lines), own, added, status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--errors", action="store_true", help="list every wrong answer")
    args = parser.parse_args()
    folder = WORK / "clock_forgery"
    made = make_media(folder)
    # One library per firmware, each holding its three cameras: the four cameras made of one
    # clip show one view, which no two real cameras do.
    libraries = {k: folder / f"library-{k}-{os.getpid()}.db" for k in range(len(FIRMWARES))}
    for camera, k, original, _, _ in made:
        _cli("library", "add", str(original), "--id", camera, "--db", str(libraries[k]),
             "--recorded-at", CAMERA_START.date().isoformat())
    rows = []
    for kind, right in (("own clock", "own"), ("forged", "added")):
        counts = {"queries": 0, "clock read": 0, "own": 0, "added": 0, "date supported": 0}
        for camera, k, _, own_path, forged_path in made:
            path = own_path if kind == "own clock" else forged_path
            result = json.loads(_cli("verify", str(path), "--db", str(libraries[k]), "--json",
                                     "--claim-date", FORGED_START.date().isoformat()))
            read, own, added, status = judged(result)
            counts["queries"] += 1
            counts["clock read"] += read
            counts["own"] += own
            counts["added"] += added
            counts["date supported"] += status == "clock-consistent"
            if args.errors and not (own if right == "own" else added and not own):
                print(f"  {kind} {camera} ({FIRMWARES[k].pattern}): verdict "
                      f"{result['verdict']}, own {own}, added {added}, date {status}")
        rows.append([kind, *counts.values()])
    for library in libraries.values():
        library.unlink(missing_ok=True)
    print(table(["repost", "queries", "clock read", "read as the camera's own",
                 "read as laid on", "claimed date supported"], rows))


if __name__ == "__main__":
    main()
