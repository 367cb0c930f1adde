"""Fingerprinting CPU time against the bundled ffmpeg decoding the same file to null.

For each clip of the shared footage and a generated 1080p30 H.264 clip (60 s), measures in the same
run, interleaved (one run of every system, then the next run), the CPU time (user + system, all
threads) of
  * `ffmpeg -i FILE -f null -` (the bundled binary; the decode-only baseline),
  * the fast decoder alone (`provenance.decode.FastDecoder`: the frames a fingerprint samples,
    decoded and handed over as luma planes, nothing else),
  * `provenance.fingerprint_video(FILE)` with the fast decoder (the default), and
  * `provenance.fingerprint_video(FILE, decoder="full")` (OpenCV decoding every frame),
and prints video-seconds per CPU-second, the ratios to ffmpeg (median of --runs runs, with the
lowest and highest run's ratio) and what the fast decoder decoded.
With --memory it also fingerprints a generated 2-hour video in a child process and reports its
peak resident memory. With --options it measures instead, the same way, FFmpeg's decoder options
(loop-filter skipping, threads, flags2=fast) on a decode of every frame and on the fast decoder,
and the fast decoder with the per-sample work (bars and shrink) but no hashing.

    python benchmarks/fingerprint_speed.py [--runs 5] [--memory] [--options]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import statistics
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import av
from _common import WORK, ffmpeg, footage_clips, table, timed_cpu

from provenance import decode
from provenance.decode import FastDecoder
from provenance.fingerprint import fingerprint_video
from provenance.frames import VideoStream, border_box, shrink
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


def fast_decode(path: Path, fps: float) -> tuple[int, str]:
    decoder = FastDecoder(str(path))
    try:
        count = sum(1 for _ in decoder.frames(1.0 / fps))
        return count, decoder.mode
    finally:
        decoder.close()


def every_frame(path: Path, options: dict[str, str], thread_type: str = "",
                threads: int = 0) -> int:
    """PyAV decoding every frame with FFmpeg decoder ``options`` (and a threading setting)."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.codec_context.options = options
        if thread_type:
            stream.codec_context.thread_type = thread_type
            stream.codec_context.thread_count = threads
        return sum(len(packet.decode()) for packet in container.demux(stream))


@contextlib.contextmanager
def loop_filter(level: str):  # type: ignore[no-untyped-def]
    old, decode.SKIP_LOOP_FILTER = decode.SKIP_LOOP_FILTER, level
    try:
        yield
    finally:
        decode.SKIP_LOOP_FILTER = old


def fast_with(path: Path, fps: float, level: str = "default", samples: bool = False) -> None:
    """The fast decoder with a loop-filter level, and the per-sample work when ``samples``."""
    with loop_filter(level):
        decoder = FastDecoder(str(path))
        try:
            for _, grey in decoder.frames(1.0 / fps):
                if samples:
                    top, bottom, left, right = border_box(grey)
                    shrink(grey[top:bottom, left:right])
        finally:
            decoder.close()


OPTIONS: dict[str, Callable[[Path, float], object]] = {
    "ffmpeg": lambda path, fps: decode_null(path),
    "every frame": lambda path, fps: every_frame(path, {}),
    "every frame, skip_loop_filter=noref": lambda path, fps: every_frame(
        path, {"skip_loop_filter": "noref"}),
    "every frame, skip_loop_filter=all": lambda path, fps: every_frame(
        path, {"skip_loop_filter": "all"}),
    "every frame, flags2=fast": lambda path, fps: every_frame(path, {"flags2": "fast"}),
    "every frame, 2 slice threads": lambda path, fps: every_frame(path, {}, "SLICE", 2),
    "every frame, 2 frame threads": lambda path, fps: every_frame(path, {}, "FRAME", 2),
    "fast decoder": lambda path, fps: fast_with(path, fps),
    "fast decoder, skip_loop_filter=bidir": lambda path, fps: fast_with(path, fps, "bidir"),
    "fast decoder, skip_loop_filter=all": lambda path, fps: fast_with(path, fps, "all"),
    "fast decoder + bars + shrink": lambda path, fps: fast_with(path, fps, samples=True),
    "fingerprint (fast)": lambda path, fps: fingerprint_video(str(path), fps, decoder="fast"),
}


def measure_options(clips: list[Path], runs: int, fps: float) -> str:
    """CPU of each of OPTIONS over ffmpeg's, per clip (median of interleaved runs)."""
    columns: list[list[str]] = []
    for path in clips:
        cpu: dict[str, list[float]] = {name: [] for name in OPTIONS}
        for _ in range(runs):
            for name, work in OPTIONS.items():
                cpu[name].append(timed_cpu(functools.partial(work, path, fps),
                                           children=name == "ffmpeg")[0])
        median = {name: statistics.median(values) for name, values in cpu.items()}
        columns.append([f"{median[name] / median['ffmpeg']:.2f}" for name in OPTIONS])
    rows = [[name, *(column[i] for column in columns)] for i, name in enumerate(OPTIONS)]
    return table(["CPU / ffmpeg's full decode", *(clip.name for clip in clips)], rows)


def duration(path: Path) -> float:
    with VideoStream(str(path), decoder="full") as stream:
        return stream.info.frame_count / stream.info.fps


SYSTEMS = ("ffmpeg", "fast decode", "fingerprint fast", "fingerprint full")


def measure(path: Path, runs: int, fps: float) -> tuple[list[object], dict[str, float]]:
    seconds = duration(path)
    work: dict[str, Callable[[], object]] = {
        "ffmpeg": lambda: decode_null(path),
        "fast decode": lambda: fast_decode(path, fps),
        "fingerprint fast": lambda: fingerprint_video(str(path), fps, decoder="fast"),
        "fingerprint full": lambda: fingerprint_video(str(path), fps, decoder="full"),
    }
    cpu: dict[str, list[float]] = {name: [] for name in SYSTEMS}
    for _ in range(runs):
        for name in SYSTEMS:
            cpu[name].append(timed_cpu(work[name], children=name == "ffmpeg")[0])
    median = {name: statistics.median(values) for name, values in cpu.items()}
    ratios = [f / d for f, d in zip(cpu["fingerprint fast"], cpu["ffmpeg"], strict=True)]
    _, mode = fast_decode(path, fps)
    speed = [f"{seconds / median[name]:.0f}" for name in SYSTEMS]
    row = [path.name, f"{seconds:.1f}", *speed,
           f"{median['fast decode'] / median['ffmpeg']:.2f}",
           f"{median['fingerprint fast'] / median['ffmpeg']:.2f} "
           f"({min(ratios):.2f}-{max(ratios):.2f})",
           f"{median['fingerprint full'] / median['ffmpeg']:.2f}", mode]
    return row, {"fast": median["fingerprint fast"] / median["ffmpeg"],
                 "full": median["fingerprint full"] / median["ffmpeg"]}


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
    parser.add_argument("--options", action="store_true",
                        help="measure FFmpeg's decoder options instead")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    shared = footage_clips()
    clips = [*shared, make_1080p(shared[-1], WORK / "footage-1080p30-60s.mp4")]
    if args.options:
        print(f"median of {args.runs} interleaved runs; CPU = user + system, all threads\n")
        print(measure_options(clips, args.runs, args.fps))
        return
    measured = [measure(clip, args.runs, args.fps) for clip in clips]
    print(f"sampling {args.fps:g} frames/s; median of {args.runs} interleaved runs; "
          "CPU = user + system\n")
    print(table(["clip", "video s", "ffmpeg decode video-s/CPU-s", "fast decode video-s/CPU-s",
                 "fingerprint (fast) video-s/CPU-s", "fingerprint (full) video-s/CPU-s",
                 "fast decode / ffmpeg", "fingerprint (fast) / ffmpeg (lowest-highest run)",
                 "fingerprint (full) / ffmpeg", "fast decoder mode"],
                [row for row, _ in measured]))
    if args.memory:
        memory_rows = []
        for minutes in (10, 120):
            path = make_long(WORK / f"long-{minutes}min.mp4", minutes * 60)
            memory_rows.append([f"{minutes} min 640x360", f"{peak_memory(path, args.fps):.0f}"])
        print()
        print(table(["video", "peak RSS of the fingerprinting process (MB)"], memory_rows))
    print(json.dumps({"ratios": {clip.name: ratio
                                 for clip, (_, ratio) in zip(clips, measured, strict=True)}}))


if __name__ == "__main__":
    main()
