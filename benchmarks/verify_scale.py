"""Verify end to end at scale: time by stage and peak memory, against fingerprinting alone.

Libraries are built as `library_scale.py` builds them (synthetic 30-minute originals at
4 samples/s) plus the real originals of the copy-detection set (each shared clip's first 65 %,
registered with `register`, local-matching data included): "small" is the 3 real originals,
"50 originals" adds 47 synthetic ones, "100 h" adds 200. Queries are cut from the shared footage
(looped for the long ones) with the bundled ffmpeg: a plain excerpt of each length, and at 12 s
a 40 % centre crop and a picture-in-picture (the local-feature stage runs on those). Each
verify runs in its own process so its peak resident memory (VmHWM) is its own; CPU time is
user + system of that process, by stage, next to `fingerprint_video` of the same query in
another process. The verify is ``pipeline.verify_video`` as a user runs it (sound, burned-in
text and Content Credentials on), split by the stages its progress callback reports; its CPU
includes its ffmpeg children (the sound).

    python benchmarks/verify_scale.py [--runs 3] [--libraries small 50 100h]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

from _common import (
    ROOT,
    WORK,
    cpu_children,
    cpu_self,
    ffmpeg,
    footage_clips,
    peak_rss_mb,
    table,
)

SET = WORK / "verify-scale"
LIBRARIES = {"small": 0.0, "50": 47 * 0.5, "100h": 100.0}


def queries(clips: list[Path]) -> dict[str, Path]:
    SET.mkdir(parents=True, exist_ok=True)
    longest = max(clips, key=lambda p: p.stat().st_size)
    made = {}
    for label, seconds in (("10 s", 10), ("60 s", 60), ("5 min", 300), ("20 min", 1200)):
        out = SET / f"q-{seconds}.mp4"
        if not out.exists():
            ffmpeg("-stream_loop", "-1", "-i", str(longest), "-t", str(seconds), "-an",
                   "-c:v", "libx264", "-preset", "veryfast", "-crf", "28", str(out))
        made[label] = out
    crop = SET / "q-12-crop.mp4"
    if not crop.exists():
        ffmpeg("-ss", "20", "-t", "12", "-i", str(longest), "-vf", "crop=iw*0.6:ih*0.6",
               "-an", "-c:v", "libx264", "-preset", "veryfast", str(crop))
    made["12 s crop"] = crop
    pip = SET / "q-12-pip.mp4"
    if not pip.exists():
        ffmpeg("-f", "lavfi", "-i", "mandelbrot=size=960x540:rate=25", "-ss", "20", "-t", "12",
               "-i", str(longest), "-filter_complex",
               "[1:v]scale=iw*0.45:-2[s];[0:v][s]overlay=W*0.05:H*0.08:shortest=1",
               "-an", "-c:v", "libx264", "-preset", "veryfast", str(pip))
    made["12 s pip"] = pip
    return made


def library(name: str, clips: list[Path]) -> Path:
    from copy_detection import REFERENCE_SHARE, duration, encode
    from library_scale import build

    from provenance.library import Library
    from provenance.models import Original
    from provenance.registry import register
    from provenance.settings import load_settings

    path = SET / f"library-{name}.db"
    if path.exists():
        return path
    hours = LIBRARIES[name]
    if hours:
        build(path, hours)
    settings = load_settings(db=path, cache_dir=SET / "cache")
    with Library(path, create=True) as lib:
        for clip in clips:
            split = round(duration(clip) * REFERENCE_SHARE, 2)
            ref = encode(SET / f"ref--{clip.stem}.mp4", "-i", str(clip), "-t", str(split),
                         "-crf", "18")
            register(str(ref), Original(id=clip.stem), lib, settings)
    return path


def verify_child(query: Path, db: Path) -> dict[str, float]:
    """One verify (``pipeline.verify_video``, everything on: sound, burned-in text, Content
    Credentials), its CPU (this process and its ffmpeg children) split by the stages its progress
    callback reports."""
    from provenance.acquire import local_video
    from provenance.align import DEFAULT_PARAMS
    from provenance.library import Library
    from provenance.pipeline import verify_video
    from provenance.settings import load_settings

    def cpu() -> float:
        return cpu_self() + cpu_children()

    starts: dict[str, float] = {}

    def progress(stage: str, done: float, total: float | None) -> None:
        starts.setdefault(stage, cpu())

    start = cpu()
    with Library(db) as lib:
        lib.index(DEFAULT_PARAMS.min_motion_energy)
        starts["decode"] = cpu()
        result = verify_video(local_video(str(query)), lib, load_settings(db=db),
                              progress=progress)
    end = cpu()
    marks = sorted(starts.items(), key=lambda kv: kv[1])
    times = {"open + index": starts["decode"] - start}
    for (stage, began), (_, ended) in zip(marks, [*marks[1:], ("end", end)], strict=True):
        times[STAGES.get(stage, stage)] = times.get(STAGES.get(stage, stage), 0.0) + ended - began
    times["total"] = end - start
    times["rss_mb"] = peak_rss_mb()
    times["verdict"] = result.verdict.value  # type: ignore[assignment]
    times["skipped"] = len(result.skipped)
    return times


# verify_video's progress stages, as the table names them ("decode" is this script's mark).
STAGES = {"decode": "decode + fingerprint", "fingerprint": "decode + fingerprint",
          "match": "match", "local": "local features + edits",
          "evidence": "evidence (sound, text, credentials)", "report": "claims + finding"}


def fingerprint_child(query: Path) -> dict[str, float]:
    from provenance.fingerprint import fingerprint_video

    start = cpu_self()
    fingerprint_video(str(query), 4.0)
    return {"total": cpu_self() - start, "rss_mb": peak_rss_mb()}


def child(*args: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, *args], check=True, capture_output=True,
                         text=True, cwd=ROOT / "benchmarks").stdout
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--libraries", nargs="+", default=list(LIBRARIES))
    parser.add_argument("--queries", nargs="+")
    parser.add_argument("--verify", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--fingerprint", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.verify:
        print(json.dumps(verify_child(Path(args.verify[0]), Path(args.verify[1]))))
        return
    if args.fingerprint:
        print(json.dumps(fingerprint_child(Path(args.fingerprint))))
        return
    clips = footage_clips()
    made = queries(clips)
    stages = ["open + index", *dict.fromkeys(STAGES.values())]
    rows = []
    for name in args.libraries:
        db = library(name, clips)
        for label, query in made.items():
            if args.queries and label not in args.queries:
                continue
            runs = args.runs if "min" not in label else 1
            verifies = [child("--verify", str(query), str(db)) for _ in range(runs)]
            prints = [child("--fingerprint", str(query)) for _ in range(runs)]
            med = {k: statistics.median(float(v.get(k, 0.0)) for v in verifies)
                   for k in [*stages, "total", "rss_mb"]}
            fp_cpu = statistics.median(p["total"] for p in prints)
            rows.append([name, label, verifies[0]["verdict"],
                         *(f"{med[s]:.2f}" for s in stages), f"{med['total']:.2f}",
                         f"{fp_cpu:.2f}", f"{med['total'] / fp_cpu:.2f}",
                         f"{med['rss_mb']:.0f}", runs])
            print(table(["library", "query", "verdict", *[f"{s} CPU s" for s in stages],
                         "verify CPU s", "fingerprint alone CPU s", "verify / fingerprint",
                         "peak RSS MB", "runs"], rows), flush=True)


if __name__ == "__main__":
    main()
