"""Fingerprinting CPU time against the bundled ffmpeg decoding the same file to null.

For each clip of the shared footage and a generated 1080p30 H.264 clip (60 s), measures in the same
run, interleaved (one run of every system, then the next run), the CPU time (user + system, all
threads) of
  * `ffmpeg -i FILE -f null -` (the bundled binary; the decode-only baseline), and the same with
    `-threads 1` (ffmpeg decodes with frame threads by default; PyAV's decoder runs one thread),
  * the fast decoder alone (`provenance.decode.FastDecoder`: the frames a fingerprint samples,
    decoded and handed over as luma planes, nothing else),
  * `provenance.fingerprint_video(FILE)` with the fast decoder (the default), and
  * `provenance.fingerprint_video(FILE, decoder="full")` (OpenCV decoding every frame),
and prints video-seconds per CPU-second, the ratios to ffmpeg (median of --runs runs, with the
lowest and highest run's ratio), the fingerprint's wall time over ffmpeg's, what the fast decoder
decoded, and ffmpeg's own start (the CPU of
`ffmpeg -version`, part of every ffmpeg run; the fingerprint runs in a started process).
The provenance systems run in a worker process per checkout; with --compare DIR the fast decoder
and the fingerprint of another checkout (e.g. a worktree of main) are timed in the same runs.
With --memory it also fingerprints a generated 2-hour video in a child process and reports its
peak resident memory. With --options it measures instead, the same way, FFmpeg's decoder options
(loop-filter skipping, skip_idct, flags2 fast and showall, error resilience, threads) on a decode
of every frame, with whether each gives the default decode's frames byte for byte, and on the fast
decoder, and the fast decoder with the per-sample work (bars and shrink) but no hashing.
With --profile it splits a fingerprint's CPU into its stages (opening the file, demuxing, the
decoder's own work in libavcodec, the fast decoder's per-packet Python, luma planes, bar
detection, shrinking, hashing) beside PyAV decoding every frame and ffmpeg, same runs. With
--threads it measures the CPU and wall time of ffmpeg and of PyAV under each threading setting
(on the clips and on the 1080p clip re-encoded with 4 slices a frame).

    python benchmarks/fingerprint_speed.py [--runs 5] [--compare DIR] [--memory] [--options]
    python benchmarks/fingerprint_speed.py --profile | --threads [--runs 7]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
from _common import ROOT, WORK, ffmpeg, footage_clips, table, timed_cpu

from provenance import decode
from provenance import fingerprint as fingerprint_mod
from provenance import frames as frames_mod
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


def make_sliced(source: Path, path: Path, seconds: int = 15) -> Path:
    """``source`` re-encoded with 4 slices a frame (what slice threads can share out)."""
    if not path.exists():
        ffmpeg("-i", str(source), "-t", str(seconds), "-c:v", "libx264", "-preset", "veryfast",
               "-crf", "23", "-x264-params", "slices=4", "-an", str(path))
    return path


def make_long(path: Path, seconds: int) -> Path:
    if not path.exists():
        ffmpeg("-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25", "-t", str(seconds),
               "-c:v", "libx264", "-preset", "ultrafast", "-crf", "30", str(path))
    return path


def decode_null(path: Path, *options: str) -> None:
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", *options, "-i",
                    str(path), "-map", "0:v:0", "-f", "null", "-"], check=True)


def fast_counts(path: Path, fps: float) -> tuple[int, int, str]:
    """(packets, frames decoded, mode) of the fast decoder on ``path``."""
    decoder = FastDecoder(str(path))
    try:
        for _ in decoder.frames(1.0 / fps):
            pass
        return decoder.packets, decoder.decoded, decoder.mode
    finally:
        decoder.close()


def every_frame(path: Path, options: dict[str, str], thread_type: str = "",
                threads: int = 0, digest: Any = None) -> int:
    """PyAV decoding every frame with FFmpeg decoder ``options`` (and a threading setting);
    every plane of every frame fed to ``digest`` when given."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.codec_context.options = options
        if thread_type:
            stream.codec_context.thread_type = thread_type
            stream.codec_context.thread_count = threads
        count = 0
        for packet in container.demux(stream):
            for frame in packet.decode():
                count += 1
                for plane in frame.planes if digest is not None else ():
                    digest.update(bytes(plane))
        return count


# The decoder options measured by --options on a decode of every frame, and whether the frames
# they give are the default decode's, byte for byte.
EXACT_CHECKED = {
    "every frame, skip_loop_filter=noref": ({"skip_loop_filter": "noref"}, "", 0),
    "every frame, skip_loop_filter=all": ({"skip_loop_filter": "all"}, "", 0),
    "every frame, skip_idct=all": ({"skip_idct": "all"}, "", 0),
    "every frame, flags2=fast": ({"flags2": "fast"}, "", 0),
    "every frame, flags2=showall": ({"flags2": "showall"}, "", 0),
    "every frame, enable_er=0": ({"enable_er": "0"}, "", 0),
    "every frame, 1 thread": ({}, "SLICE", 1),
    "every frame, 2 slice threads": ({}, "SLICE", 2),
    "every frame, 2 frame threads": ({}, "FRAME", 2),
}


def identical_frames(path: Path) -> dict[str, str]:
    """For each of EXACT_CHECKED: "yes" when its frames are the default decode's, byte for byte."""
    def digest(options: dict[str, str], thread_type: str, threads: int) -> str:
        hashed = hashlib.sha256()
        every_frame(path, options, thread_type, threads, hashed)
        return hashed.hexdigest()

    default = digest({}, "", 0)
    return {name: "yes" if digest(*setting) == default else "no"
            for name, setting in EXACT_CHECKED.items()}


@contextlib.contextmanager
def patched(module: Any, name: str, value: Any):  # type: ignore[no-untyped-def]
    old = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, old)


def fast_with(path: Path, fps: float, level: str = "default", samples: bool = False) -> None:
    """The fast decoder with a loop-filter level, and the per-sample work when ``samples``."""
    with patched(decode, "SKIP_LOOP_FILTER", level):
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
    "ffmpeg -threads 1": lambda path, fps: decode_null(path, "-threads", "1"),
    "every frame": lambda path, fps: every_frame(path, {}),
    **{name: functools.partial(lambda path, fps, setting: every_frame(path, *setting),
                               setting=setting)
       for name, setting in EXACT_CHECKED.items()},
    "fast decoder": lambda path, fps: fast_with(path, fps),
    "fast decoder, skip_loop_filter=bidir": lambda path, fps: fast_with(path, fps, "bidir"),
    "fast decoder, skip_loop_filter=all": lambda path, fps: fast_with(path, fps, "all"),
    "fast decoder + bars + shrink": lambda path, fps: fast_with(path, fps, samples=True),
    "fingerprint (fast)": lambda path, fps: fingerprint_video(str(path), fps, decoder="fast"),
}


def measure_options(clips: list[Path], runs: int, fps: float) -> str:
    """CPU of each of OPTIONS over ffmpeg's, per clip (median of interleaved runs), and whether
    the decoder options give the default decode's frames ("same frames")."""
    columns: list[list[str]] = []
    for path in clips:
        cpu: dict[str, list[float]] = {name: [] for name in OPTIONS}
        for _ in range(runs):
            for name, work in OPTIONS.items():
                cpu[name].append(timed_cpu(functools.partial(work, path, fps),
                                           children=name.startswith("ffmpeg"))[0])
        median = {name: statistics.median(values) for name, values in cpu.items()}
        same = identical_frames(path)
        columns.append([f"{median[name] / median['ffmpeg']:.2f}"
                        + (f" (same frames: {same[name]})" if name in same else "")
                        for name in OPTIONS])
    rows: list[list[object]] = [[name, *(column[i] for column in columns)]
                                for i, name in enumerate(OPTIONS)]
    return table(["CPU / ffmpeg's full decode", *(clip.name for clip in clips)], rows)


# --profile: a fingerprint's CPU split into its stages. Each stage is timed around its own calls
# (process CPU clock); what is left over ("the rest") is the Python around them: the fast
# decoder's per-packet bookkeeping (look-ahead, picker, NAL types), its generators, the sample
# objects and the timing wrappers themselves (about 1 us a call).
STAGES = ("open", "demux", "decode (libavcodec)", "luma plane", "bar detection", "shrink",
          "hashing")


class _Stages:
    """CPU seconds per stage of one fingerprint, gathered by wrappers around each stage's calls."""

    def __init__(self) -> None:
        self.cpu = dict.fromkeys(STAGES, 0.0)

    def timed(self, stage: str, work: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.process_time()
            try:
                return work(*args, **kwargs)
            finally:
                self.cpu[stage] += time.process_time() - start
        return wrapper

    def iterated(self, stage: str, items: Any) -> Any:
        while True:
            start = time.process_time()
            try:
                item = next(items)
            except StopIteration:
                return
            finally:
                self.cpu[stage] += time.process_time() - start
            yield item


class _TimedPacket:
    """A demuxed packet whose decode is timed (the fast decoder only calls ``decode`` on what
    its bookkeeping hands over)."""

    __slots__ = ("_packet", "_stages")

    def __init__(self, packet: Any, stages: _Stages) -> None:
        self._packet, self._stages = packet, stages

    def decode(self) -> Any:
        return self._stages.timed("decode (libavcodec)", self._packet.decode)()


class _TimedContainer:
    """The decoder's container, its demuxing timed."""

    def __init__(self, container: Any, stages: _Stages) -> None:
        self._container, self._stages = container, stages

    def __getattr__(self, name: str) -> Any:
        return getattr(self._container, name)

    def demux(self, *args: Any) -> Any:
        return self._stages.iterated("demux", iter(self._container.demux(*args)))


def _timed_decoder(stages: _Stages) -> type[FastDecoder]:
    class TimedDecoder(FastDecoder):
        def __init__(self, path: str) -> None:
            stages.timed("open", super().__init__)(path)
            self._container = _TimedContainer(self._container, stages)

        def _packets(self, picker: Any) -> Any:
            for packet in super()._packets(picker):
                yield _TimedPacket(packet, stages)

    return TimedDecoder


def fingerprint_stages(path: Path, fps: float) -> dict[str, float]:
    """CPU seconds of each stage of one fast fingerprint of ``path``, with "total" and "rest"."""
    stages = _Stages()
    with contextlib.ExitStack() as patches:
        for module, name, stage in ((decode, "luma", "luma plane"),
                                    (frames_mod, "border_box", "bar detection"),
                                    (frames_mod, "shrink", "shrink")):
            patches.enter_context(patched(module, name, stages.timed(stage,
                                                                      getattr(module, name))))
        accumulator = fingerprint_mod._Accumulator
        patches.enter_context(patched(accumulator, "add",
                                       stages.timed("hashing", accumulator.add)))
        patches.enter_context(patched(decode, "FastDecoder", _timed_decoder(stages)))
        start = time.process_time()
        fingerprint_video(str(path), fps, decoder="fast")
        total = time.process_time() - start
    return {**stages.cpu, "total": total, "rest": total - sum(stages.cpu.values())}


def profile_run(path: Path, fps: float) -> dict[str, float]:
    """One run of each system of the profile, CPU seconds: ffmpeg, PyAV decoding every frame
    (default settings: what a fingerprint cannot go under when every frame is a reference), the
    fingerprint untouched, then the fingerprint with its stages timed."""
    return {
        "ffmpeg": timed_cpu(lambda: decode_null(path), children=True)[0],
        "ffmpeg -threads 1": timed_cpu(lambda: decode_null(path, "-threads", "1"),
                                       children=True)[0],
        "PyAV, every frame": timed_cpu(lambda: every_frame(path, {}))[0],
        "fingerprint (fast), stages untimed":
            timed_cpu(lambda: fingerprint_video(str(path), fps, decoder="fast"))[0],
        **{f"fingerprint: {stage}": value
           for stage, value in fingerprint_stages(path, fps).items()},
    }


def measure_profile(clips: list[Path], runs: int, fps: float) -> str:
    """Per clip: each stage's CPU (median of interleaved runs) in ms and over ffmpeg's."""
    columns: list[list[str]] = []
    names: list[str] = []
    for path in clips:
        cpu: dict[str, list[float]] = {}
        for _ in range(runs):
            for name, seconds in profile_run(path, fps).items():
                cpu.setdefault(name, []).append(seconds)
        median = {name: statistics.median(values) for name, values in cpu.items()}
        columns.append([f"{median[name] * 1000:.1f} ms ({median[name] / median['ffmpeg']:.3f})"
                        for name in median])
        names = list(median)
    rows: list[list[object]] = [[name, *(column[i] for column in columns)]
                                for i, name in enumerate(names)]
    return table(["CPU (over ffmpeg's full decode)", *(clip.name for clip in clips)], rows)


# --threads: CPU and wall time of ffmpeg and PyAV under each threading setting. ffmpeg's default
# ("auto") is frame threading with one thread more than the machine's cores (libavcodec,
# pthread_frame.c), so 3 threads on this 2-core machine.
THREADINGS: dict[str, Callable[[Path, float], object]] = {
    "ffmpeg (default: auto)": lambda path, fps: decode_null(path),
    "ffmpeg -threads 1": lambda path, fps: decode_null(path, "-threads", "1"),
    "ffmpeg -threads 2": lambda path, fps: decode_null(path, "-threads", "2"),
    "ffmpeg -threads 3": lambda path, fps: decode_null(path, "-threads", "3"),
    "PyAV every frame, default (slice, auto)": lambda path, fps: every_frame(path, {}),
    "PyAV every frame, 1 thread": lambda path, fps: every_frame(path, {}, "SLICE", 1),
    "PyAV every frame, 2 frame threads": lambda path, fps: every_frame(path, {}, "FRAME", 2),
    "PyAV every frame, frame threads auto": lambda path, fps: every_frame(path, {}, "FRAME", 0),
    "fast decoder, PyAV's default (slice, auto)":
        lambda path, fps: fast_threads(path, fps, "SLICE", 0),
    "fast decoder, 1 thread (used)": lambda path, fps: fast_threads(path, fps, "SLICE", 1),
    "fast decoder, 2 frame threads": lambda path, fps: fast_threads(path, fps, "FRAME", 2),
}


def fast_threads(path: Path, fps: float, thread_type: str, threads: int) -> int:
    """The fast decoder with a threading setting; the number of samples."""
    decoder = FastDecoder(str(path))
    try:
        decoder._stream.codec_context.thread_type = thread_type
        decoder._stream.codec_context.thread_count = threads
        return sum(1 for _ in decoder.frames(1.0 / fps))
    finally:
        decoder.close()


def measure_threads(clips: list[Path], runs: int, fps: float) -> str:
    """CPU (and wall) of each of THREADINGS over ffmpeg's default, per clip."""
    columns: list[list[str]] = []
    for path in clips:
        cpu: dict[str, list[float]] = {name: [] for name in THREADINGS}
        wall: dict[str, list[float]] = {name: [] for name in THREADINGS}
        for _ in range(runs):
            for name, work in THREADINGS.items():
                spent, elapsed, _ = timed_cpu(functools.partial(work, path, fps),
                                              children=name.startswith("ffmpeg"))
                cpu[name].append(spent)
                wall[name].append(elapsed)
        base = statistics.median(cpu["ffmpeg (default: auto)"])
        base_wall = statistics.median(wall["ffmpeg (default: auto)"])
        columns.append([f"{statistics.median(cpu[name]) / base:.2f} "
                        f"(wall {statistics.median(wall[name]) / base_wall:.2f})"
                        for name in THREADINGS])
    rows: list[list[object]] = [[name, *(column[i] for column in columns)]
                                for i, name in enumerate(THREADINGS)]
    return table(["CPU / ffmpeg default's CPU (wall / its wall)", *(c.name for c in clips)],
                 rows)


def duration(path: Path) -> float:
    with VideoStream(str(path), decoder="full") as stream:
        return stream.info.frame_count / stream.info.fps


# A worker process timing provenance work on request ("KIND PATH FPS" a line, CPU seconds back),
# so that another checkout's code can be timed in the same runs as this one's.
_WORKER = """
import sys, time
from provenance.decode import FastDecoder
from provenance.fingerprint import fingerprint_video
def fast(path, fps):
    decoder = FastDecoder(path)
    for _ in decoder.frames(1.0 / fps):
        pass
    decoder.close()
for line in sys.stdin:
    kind, fps, path = line.rstrip("\\n").split(" ", 2)
    start, wall = time.process_time(), time.perf_counter()
    if kind == "decode":
        fast(path, float(fps))
    else:
        fingerprint_video(path, float(fps), decoder=kind)
    print(time.process_time() - start, time.perf_counter() - wall, flush=True)
"""


class Worker:
    """The provenance package of ``checkout`` in a child process."""

    def __init__(self, checkout: Path) -> None:
        env = {**os.environ, "PYTHONPATH": str(checkout)}
        self._process = subprocess.Popen([sys.executable, "-c", _WORKER], env=env, text=True,
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def cpu(self, kind: str, path: Path, fps: float) -> tuple[float, float]:
        """(CPU, wall) seconds of one run."""
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(f"{kind} {fps} {path}\n")
        self._process.stdin.flush()
        cpu, wall = self._process.stdout.readline().split()
        return float(cpu), float(wall)

    def close(self) -> None:
        assert self._process.stdin is not None
        self._process.stdin.close()
        self._process.wait()


def ffmpeg_start() -> None:
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-version"], check=True,
                   stdout=subprocess.DEVNULL)


SYSTEMS = ("ffmpeg", "ffmpeg -threads 1", "fast decode", "fingerprint fast", "fingerprint full")


def measure(path: Path, runs: int, fps: float, workers: dict[str, Worker]
            ) -> tuple[list[object], dict[str, float], list[list[object]]]:
    seconds = duration(path)
    work: dict[str, Callable[[], object]] = {
        "ffmpeg": lambda: decode_null(path),
        "ffmpeg -threads 1": lambda: decode_null(path, "-threads", "1"),
        "ffmpeg start": ffmpeg_start,
    }
    # (worker, what it runs) of each provenance system: this checkout's, then the compared ones'.
    jobs = {"fast decode": ("this", "decode"), "fingerprint fast": ("this", "fast"),
            "fingerprint full": ("this", "full")}
    for name in workers:
        if name != "this":
            jobs[f"fast decode ({name})"] = (name, "decode")
            jobs[f"fingerprint fast ({name})"] = (name, "fast")
    cpu: dict[str, list[float]] = {name: [] for name in [*work, *jobs]}
    wall: dict[str, list[float]] = {name: [] for name in cpu}
    for _ in range(runs):
        for name in cpu:
            if name in work:
                spent, elapsed, _ = timed_cpu(work[name], children=True)
            else:
                worker, kind = jobs[name]
                spent, elapsed = workers[worker].cpu(kind, path, fps)
            cpu[name].append(spent)
            wall[name].append(elapsed)
    median = {name: statistics.median(values) for name, values in cpu.items()}
    median_wall = {name: statistics.median(values) for name, values in wall.items()}

    def ratio(name: str, base: str = "ffmpeg") -> str:
        runs_ratio = [a / b for a, b in zip(cpu[name], cpu[base], strict=True)]
        return (f"{median[name] / median[base]:.2f} "
                f"({min(runs_ratio):.2f}-{max(runs_ratio):.2f})")

    packets, decoded, mode = fast_counts(path, fps)
    speed = [f"{seconds / median[name]:.0f}" for name in SYSTEMS]
    row: list[object] = [
        path.name, f"{seconds:.1f}", *speed, ratio("fast decode"), ratio("fingerprint fast"),
        ratio("fingerprint fast", "ffmpeg -threads 1"),
        f"{median['fingerprint fast'] / (median['ffmpeg'] - median['ffmpeg start']):.2f}",
        f"{median_wall['fingerprint fast'] / median_wall['ffmpeg']:.2f}",
        f"{median['fingerprint full'] / median['ffmpeg']:.2f}",
        f"{median['ffmpeg start'] * 1000:.0f} ms ({ratio('ffmpeg start').split()[0]})",
        f"{decoded} of {packets} ({mode})"]
    compared: list[list[object]] = [
        [path.name, name, ratio(f"fast decode ({name})"), ratio("fast decode"),
         ratio(f"fingerprint fast ({name})"), ratio("fingerprint fast"),
         f"{median_wall[f'fingerprint fast ({name})'] * 1000:.0f}",
         f"{median_wall['fingerprint fast'] * 1000:.0f}"]
        for name in workers if name != "this"]
    return row, {"fast": median["fingerprint fast"] / median["ffmpeg"],
                 "full": median["fingerprint full"] / median["ffmpeg"]}, compared


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
    parser.add_argument("--compare", type=Path, action="append", default=[],
                        help="another checkout whose fast decoder and fingerprint are timed "
                             "in the same runs (repeatable)")
    parser.add_argument("--memory", action="store_true", help="also the 2-hour memory check")
    parser.add_argument("--options", action="store_true",
                        help="measure FFmpeg's decoder options instead")
    parser.add_argument("--profile", action="store_true",
                        help="split a fingerprint's CPU into its stages instead")
    parser.add_argument("--threads", action="store_true",
                        help="measure ffmpeg's and PyAV's threading settings instead")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    shared = footage_clips()
    clips = [*shared, make_1080p(shared[-1], WORK / "footage-1080p30-60s.mp4")]
    if args.options:
        print(f"median of {args.runs} interleaved runs; CPU = user + system, all threads\n")
        print(measure_options(clips, args.runs, args.fps))
        return
    if args.profile or args.threads:
        print(f"median of {args.runs} interleaved runs; CPU = user + system, all threads\n")
        sliced = make_sliced(clips[-1], WORK / "footage-1080p30-15s-4slices.mp4")
        print(measure_profile(clips, args.runs, args.fps) if args.profile
              else measure_threads([*clips, sliced], args.runs, args.fps))
        print(f"\nload average {os.getloadavg()[0]:.1f} at the end")
        return
    workers = {"this": Worker(ROOT)} | {str(path): Worker(path.resolve())
                                        for path in args.compare}
    try:
        for worker in workers.values():  # imports and first-call set-up, outside the timing
            worker.cpu("fast", clips[0], args.fps)
        measured = [measure(clip, args.runs, args.fps, workers) for clip in clips]
    finally:
        for worker in workers.values():
            worker.close()
    print(f"sampling {args.fps:g} frames/s; median of {args.runs} interleaved runs "
          f"(lowest-highest run); CPU = user + system, all threads; load average "
          f"{os.getloadavg()[0]:.1f} at the end\n")
    print(table(["clip", "video s", *(f"{name} video-s/CPU-s" for name in SYSTEMS),
                 "fast decode / ffmpeg", "fingerprint (fast) / ffmpeg",
                 "fingerprint (fast) / ffmpeg -threads 1",
                 "fingerprint (fast) / (ffmpeg - its start)",
                 "fingerprint (fast) wall / ffmpeg wall", "fingerprint (full) / ffmpeg",
                 "ffmpeg start (share of its run)", "fast decoder: frames decoded"],
                [row for row, _, _ in measured]))
    if args.compare:
        print()
        print(table(["clip", "compared checkout", "its fast decode / ffmpeg",
                     "this fast decode / ffmpeg", "its fingerprint / ffmpeg",
                     "this fingerprint / ffmpeg", "its fingerprint wall ms",
                     "this fingerprint wall ms"],
                    [line for _, _, lines in measured for line in lines]))
    if args.memory:
        memory_rows: list[list[object]] = []
        for minutes in (10, 120):
            path = make_long(WORK / f"long-{minutes}min.mp4", minutes * 60)
            memory_rows.append([f"{minutes} min 640x360", f"{peak_memory(path, args.fps):.0f}"])
        print()
        print(table(["video", "peak RSS of the fingerprinting process (MB)"], memory_rows))
    print(json.dumps({"ratios": {clip.name: ratio
                                 for clip, (_, ratio, _) in zip(clips, measured, strict=True)}}))


if __name__ == "__main__":
    main()
