"""Same camera, another moment, at every offset: how often is a fixed camera's other moment called
a `match`?

copy_detection.py holds one other-moment window per clip (and its edited versions). This sweeps
them: for each clip of the shared footage, the library holds one half (the first, then the
second), and every WINDOW_S excerpt of the other half that starts on a whole second is verified.
No window shares a frame with the library, so the right verdict is `same-scene` (or
`inconclusive` where nothing moves); a `match` is a false match, the error that passes recycled
footage as the registered moment.

    python benchmarks/other_moments.py [--window 10] [--step 1] [--clips car] [--edit "rotated 4°"]

``--edit`` applies one of copy_detection.py's geometric edits (GEOMETRY_EDITS) to every window.
"""

from __future__ import annotations

import argparse
import re
import tempfile
from collections import Counter
from pathlib import Path

from _common import WORK, cpu_self, ffmpeg, footage_clips, table

SET = WORK / "other-moments"
WINDOW_S = 10.0


def cut(clip: Path, name: str, start: float, length: float | None, vf: str = "") -> Path:
    slug = re.sub(r"[^a-z0-9]+", "-", vf.lower()).strip("-")
    out = SET / f"{clip.stem}--{name}{'--' + slug if slug else ''}.mp4"
    if not out.exists():
        span = ["-t", f"{length:.2f}"] if length is not None else []
        edit = ["-vf", vf] if vf else []
        ffmpeg("-ss", f"{start:.2f}", "-i", str(clip), *span, *edit, "-an", "-c:v", "libx264",
               "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p", str(out))
    return out


def windows(total: float, first: float, last: float, window: float, step: float) -> list[float]:
    starts, at = [], first
    while at + window <= last + 1e-6:
        starts.append(round(at, 2))
        at += step
    return starts


def sweep(clip: Path, total: float, window: float, step: float, vf: str = "") -> Counter[str]:
    from provenance.acquire import local_video
    from provenance.library import Library
    from provenance.models import Original
    from provenance.pipeline import verify_video
    from provenance.registry import register
    from provenance.settings import load_settings

    half = round(total / 2, 2)
    verdicts: Counter[str] = Counter()
    # (the half the library holds, the windows of the other half)
    for held, (lo, hi) in (((0.0, half), (half, total)), ((half, None), (0.0, half))):
        original = cut(clip, f"held-{held[0]:g}", held[0], held[1])
        with tempfile.TemporaryDirectory() as folder:
            settings = load_settings(db=Path(folder) / "lib.db", cache_dir=Path(folder) / "c")
            with Library(settings.db, create=True) as library:
                register(str(original), Original(id=clip.stem, source="bench"), library,
                         settings)
                for start in windows(total, lo, hi - 0.3, window, step):
                    query = cut(clip, f"window-{start:g}-{window:g}", start, window, vf)
                    result = verify_video(local_video(str(query)), library, settings)
                    verdicts[result.verdict.value] += 1
                    if result.verdict.value == "match":
                        spans = ", ".join(f"{s.query_start:.2f}-{s.query_end:.2f} <- "
                                          f"{s.reference_start:.2f}-{s.reference_end:.2f} "
                                          f"({s.evidence} confirmed)"
                                          for m in result.matches for s in m.segments)
                        print(f"  false match: {query.name}: {spans}")
    return verdicts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--window", type=float, default=WINDOW_S, help="excerpt length, s")
    parser.add_argument("--step", type=float, default=1.0, help="between excerpt starts, s")
    parser.add_argument("--clips", default="", help="only clips whose name contains this")
    parser.add_argument("--edit", default="", help="a geometric edit of copy_detection.py")
    args = parser.parse_args()
    from copy_detection import GEOMETRY_EDITS, duration

    vf = GEOMETRY_EDITS[args.edit] if args.edit else ""

    SET.mkdir(parents=True, exist_ok=True)
    rows = []
    cpu0 = cpu_self()
    for clip in [c for c in footage_clips() if args.clips in c.stem]:
        total = duration(clip)
        print(f"{clip.stem} ({total:.1f} s): library holds one half, "
              f"{args.window:g} s windows of the other every {args.step:g} s")
        verdicts = sweep(clip, total, args.window, args.step, vf)
        count = sum(verdicts.values())
        rows.append([clip.stem, count, verdicts["match"], verdicts["same-scene"],
                     verdicts["inconclusive"], verdicts["no-match"],
                     f"{verdicts['match'] / max(1, count):.0%}"])
    print()
    print(table(["clip", "windows", "match (false)", "same-scene", "inconclusive", "no-match",
                 "false-match rate"], rows))
    print(f"\nCPU {cpu_self() - cpu0:.1f} s in this process")


if __name__ == "__main__":
    main()
