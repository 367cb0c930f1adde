"""What the HTML report's colour pictures cost: the query's decode and an original's registration.

Query side: the one decode of a repost (`provider.decode`, as verify runs it) keeps a colour
picture with each local-feature frame. Measured in the same run, interleaved (one run of every
variant, then the next run), the CPU time of that decode
  * without pictures (main before this change: only the 160-pixel copy saturation is read on),
  * with pictures whose long side is at most `provider.PICTURE_SIZE` = 320, 480 and 640,
on a 12 s and a 60 s query cut from the shared footage (768x432) and from a 1080p upscale of it.

Original side: `provider.decode_original` (registration's one decode) with and without the stored
keyframe JPEGs (`STORED_PICTURE_WIDTH` wide, quality `STORED_PICTURE_QUALITY`), CPU time, and
the bytes it adds to the library beside the ORB keypoints stored for the same keyframes.

    python benchmarks/report_pictures.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from _common import WORK, ffmpeg, footage_clips, table, timed_cpu

from provenance import frames, provider
from provenance.settings import DEFAULT_SAMPLE_FPS

WIDTHS = (320, 480, 640)


def _saturation_only(self: Any, width: int, height: int) -> None:
    """main's `_Keeper` before pictures were kept: the 160-pixel copy, for saturation only."""
    if self.stream is None:
        return
    thumb = self.stream.colour_thumb(*provider.detail_size(width, height,
                                                           provider.SATURATION_WIDTH))
    if thumb is None:
        self.stream = None
        self.saturations = []
        return
    self.saturations.append(frames.saturation(thumb))


@contextmanager
def variant(width: int | None) -> Iterator[None]:
    """Decode as main did (``None``) or keeping pictures ``width`` pixels wide."""
    keep, stored, kept_width = (provider._Keeper._keep_colour, provider._stored_picture,
                                provider.PICTURE_SIZE)
    try:
        if width is None:
            provider._Keeper._keep_colour = _saturation_only  # type: ignore[method-assign]
            provider._stored_picture = lambda decoded, index: b""
        else:
            provider.PICTURE_SIZE = width
        yield
    finally:
        provider._Keeper._keep_colour = keep  # type: ignore[method-assign]
        provider._stored_picture = stored
        provider.PICTURE_SIZE = kept_width


def queries() -> list[Path]:
    source = next(c for c in footage_clips() if "person" in c.name)  # 139 s, 768x432
    WORK.mkdir(parents=True, exist_ok=True)
    made = []
    big = WORK / "pictures-1080p-60s.mp4"
    if not big.exists():
        ffmpeg("-i", str(source), "-t", "60", "-vf", "scale=1920:1080:flags=bicubic",
               "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
               "-an", str(big))
    for seconds in (12, 60):
        for name, base in (("432p", source), ("1080p", big)):
            path = WORK / f"pictures-{name}-{seconds}s.mp4"
            if not path.exists():
                ffmpeg("-i", str(base), "-t", str(seconds), "-c", "copy", "-an", str(path))
            made.append(path)
    return made


def query_side(runs: int) -> None:
    variants: list[int | None] = [None, *WIDTHS]
    rows = []
    for path in queries():
        cpu: dict[int | None, list[float]] = {v: [] for v in variants}
        kept = {}
        for _ in range(runs):
            for v in variants:
                with variant(v):
                    seconds, _, kept[v] = timed_cpu(
                        partial(provider.decode, str(path), DEFAULT_SAMPLE_FPS))
                cpu[v].append(seconds)
        base = statistics.median(cpu[None])
        for v in WIDTHS:
            pictures = kept[v].pictures
            share = statistics.median(cpu[v]) / base - 1.0
            rows.append([path.name, f"{base:.3f}", v, f"{statistics.median(cpu[v]):.3f}",
                         f"{share:+.1%}",
                         f"{pictures[0].shape[1]}x{pictures[0].shape[0]}" if pictures else "-",
                         len(pictures),
                         f"{sum(p.nbytes for p in pictures) / 1e6:.1f}"])
    print(f"Query decode (verify's one decode), CPU s, median of {runs} runs")
    print(table(["query", "main", "width", "with pictures", "added", "picture", "kept",
                 "MB held"], rows))


def original_side(runs: int) -> None:
    rows = []
    for path in footage_clips():
        cpu: dict[bool, list[float]] = {False: [], True: []}
        local = {}
        for _ in range(runs):
            for with_pictures in (False, True):
                with variant(provider.PICTURE_SIZE if with_pictures else None):
                    seconds, _, (_, local[with_pictures]) = timed_cpu(
                        partial(provider.decode_original, str(path), DEFAULT_SAMPLE_FPS))
                cpu[with_pictures].append(seconds)
        data = local[True]
        duration = float(data.detail_times[-1]) if len(data.detail_times) else 0.0
        jpeg = [len(p) for p in data.pictures]
        keys = data.key_descriptors.nbytes + data.key_points.nbytes
        base = statistics.median(cpu[False])
        rows.append([path.name, f"{duration:.0f}", f"{base:.2f}",
                     f"{statistics.median(cpu[True]) / base - 1.0:+.1%}", len(jpeg),
                     f"{statistics.mean(jpeg) / 1e3:.1f}", f"{sum(jpeg) / 1e3:.0f}",
                     f"{keys / 1e3:.0f}", f"{sum(jpeg) / keys:.2f}",
                     f"{sum(jpeg) * 3600 / max(duration, 1.0) / 1e6:.1f}"])
    print(f"\nRegistration (decode_original), CPU s, median of {runs} runs; pictures "
          f"{provider.STORED_PICTURE_WIDTH} px wide, JPEG quality "
          f"{provider.STORED_PICTURE_QUALITY}")
    print(table(["original", "s", "CPU main", "added", "keyframes", "KB/picture",
                 "KB pictures", "KB keypoints", "pictures/keypoints",
                 "MB/hour at this length"], rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    query_side(args.runs)
    original_side(args.runs)


if __name__ == "__main__":
    main()
