"""Fingerprinting CPU time against the bundled ffmpeg decoding the same file to null.

For each clip of the shared footage and a generated 1080p30 H.264 clip (60 s), measures in the same
run, alternating, the CPU time (user + system, all threads) of
  * `ffmpeg -i FILE -f null -` (the bundled binary; the decode-only baseline), and
  * `provenance.fingerprint_video(FILE)` in this process,
and prints video-seconds per CPU-second for both and their ratio (median of --runs runs).
With --memory it also fingerprints a generated 2-hour video in a child process and reports its
peak resident memory.

    python benchmarks/fingerprint_speed.py [--runs 5] [--memory]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

from _common import WORK, ffmpeg, footage_clips, table, timed_cpu

from provenance.fingerprint import fingerprint_video
from provenance.frames import VideoStream
from provenance.settings import DEFAULT_SAMPLE_FPS
from tests.synthetic import ffmpeg_exe


def make_1080p(source: Path, path: Path, seconds: int = 60) -> Path:
    """Real camera footage upscaled to 1920x1080 at 30 fps, looped to ``seconds``."""
    if not path.exists():
        ffmpeg("-stream_loop", "-1", "-i", str(source), "-t", str(seconds),
               "-vf", "scale=1920:1080:flags=bicubic,fps=30", "-c:v", "libx264",
               "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p", "-an", str(path))
    return path


def make_long(path: Path, seconds: int) -> Path:
    if not path.exists():
        ffmpeg("-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25", "-t", str(seconds),
               "-c:v", "libx264", "-preset", "ultrafast", "-crf", "30", str(path))
    return path


def decode_null(path: Path) -> None:
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", str(path),
                    "-map", "0:v:0", "-f", "null", "-"], check=True)


def duration(path: Path) -> float:
    with VideoStream(str(path)) as stream:
        return stream.info.frame_count / stream.info.fps


def measure(path: Path, runs: int, fps: float) -> list[object]:
    seconds = duration(path)
    decode, prints = [], []
    for _ in range(runs):
        decode.append(timed_cpu(lambda: decode_null(path), children=True)[0])
        prints.append(timed_cpu(lambda: fingerprint_video(str(path), fps))[0])
    d, f = statistics.median(decode), statistics.median(prints)
    return [path.name, f"{seconds:.1f}", f"{seconds / d:.0f}", f"{seconds / f:.0f}",
            f"{f / d:.2f}"]


def peak_memory(path: Path, fps: float) -> float:
    code = ("import sys; from _common import peak_rss_mb;"
            "from provenance.fingerprint import fingerprint_video;"
            f"fp = fingerprint_video({str(path)!r}, {fps}); print(len(fp), peak_rss_mb())")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True, cwd=Path(__file__).parent).stdout.split()
    return float(out[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--fps", type=float, default=DEFAULT_SAMPLE_FPS)
    parser.add_argument("--memory", action="store_true", help="also the 2-hour memory check")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    shared = footage_clips()
    clips = [*shared, make_1080p(shared[-1], WORK / "footage-1080p30-60s.mp4")]
    rows = [measure(clip, args.runs, args.fps) for clip in clips]
    print(f"sampling {args.fps:g} frames/s; median of {args.runs} runs; CPU = user + system\n")
    print(table(["clip", "video s", "ffmpeg decode video-s/CPU-s",
                 "fingerprint video-s/CPU-s", "ratio (CPU fingerprint / CPU decode)"], rows))
    if args.memory:
        memory_rows = []
        for minutes in (10, 120):
            path = make_long(WORK / f"long-{minutes}min.mp4", minutes * 60)
            memory_rows.append([f"{minutes} min 640x360", f"{peak_memory(path, args.fps):.0f}"])
        print()
        print(table(["video", "peak RSS of the fingerprinting process (MB)"], memory_rows))
    print(json.dumps({"ratios": {r[0]: float(str(r[4])) for r in rows}}))


if __name__ == "__main__":
    main()
