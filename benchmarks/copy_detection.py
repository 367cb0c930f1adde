"""Copy detection, side by side with the tools a checker would otherwise use.

Builds a copy-detection set from the shared footage with the bundled ffmpeg, with ground truth:
each clip's first 65 % is a registered original; queries are edited excerpts of it (re-encode,
downscale, crop, 9:16 reframe, mirror, caption and logo, speed 0.8x and 1.25x, frame-rate change,
colour changes, a 3 s excerpt, picture-in-picture, combinations), montages of several originals
with filler, excerpts of each clip's last 35 % (same camera, another moment: must not match) and
unrelated footage. It scores, in the same run:

* provenance (`verify`), at its verdicts and by its match score;
* a naive imagehash baseline: pHash at 1 frame/s, score = share of query frames with a reference
  frame within 10 bits;
* the `videohash` package (one 64-bit hash per video), score = 1 - distance / 64;
* FFmpeg's `signature` filter (MPEG-7 video signature, detect mode), score = 1 when it reports a
  matching sequence, else 0.

Metrics: micro average precision over (query, original) pairs ranked by score (Meta's Video
Similarity Challenge), precision/recall at the tool's own verdicts, false matches on same-camera
queries, segment localisation (a predicted segment is right when its query and reference
intervals both overlap the truth's) and mean boundary error.

    pip install -e ".[bench]"; python benchmarks/copy_detection.py

``--without ocr,local,moment`` switches stages of provenance off for the whole run, to measure what
each costs and what it is worth (issue #11's 0.5x throughput): a measurement of options, not
options the product offers (OCR alone can be switched off there, ``ocr = false``).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from _common import WORK, cpu_children, cpu_self, ffmpeg, footage_clips, table
from _stage_cpu import STAGES, StageClock, stage_rows

from provenance.geometry import screen_corners
from tests.synthetic import ffmpeg_exe

SET = WORK / "copy-detection"
REFERENCE_SHARE = 0.65
_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


@dataclass
class Truth:
    reference_id: str
    query_start: float
    query_end: float
    reference_start: float
    reference_end: float


@dataclass
class Query:
    name: str
    kind: str
    path: Path
    truth: list[Truth] = field(default_factory=list)
    same_camera: bool = False


def cpu_all() -> float:
    """CPU seconds of this process and of its finished children (ffmpeg runs of the peers)."""
    return cpu_self() + cpu_children()


def duration(path: Path) -> float:
    out = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True,
                         text=True).stderr
    h, m, s = re.search(r"Duration: (\d+):(\d+):([\d.]+)", out).groups()  # type: ignore[union-attr]
    return int(h) * 3600 + int(m) * 60 + float(s)


def encode(out: Path, *args: str) -> Path:
    if not out.exists():
        ffmpeg(*args, "-an", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
               str(out))
    return out


def caption_filter() -> str:
    box = "drawbox=x=iw-iw/7:y=ih/30:w=iw/8:h=ih/8:color=red@0.8:t=fill"
    if Path(_FONT).exists():
        return (box + f",drawtext=fontfile={_FONT}:text='SHOCKING FOOTAGE 22/10':"
                "fontcolor=white:fontsize=h/14:x=(w-tw)/2:y=h-th-h/20:box=1:boxcolor=black@0.6")
    return box + ",drawbox=x=0:y=ih*0.85:w=iw:h=ih*0.12:color=black@0.6:t=fill"


EDITS: dict[str, tuple[list[str], float]] = {
    # name: (ffmpeg video filter args, speed factor: query seconds per reference second)
    "re-encode": (["-crf", "36"], 1.0),
    "downscale": (["-vf", "scale=-2:240"], 1.0),
    "crop 15%": (["-vf", "crop=iw*0.85:ih*0.85"], 1.0),
    "9:16 centre crop": (["-vf", "crop=ih*9/16:ih"], 1.0),
    "9:16 reframe": (["-filter_complex",
                      "[0:v]scale=540:960:force_original_aspect_ratio=increase,crop=540:960,"
                      "boxblur=20[bg];[0:v]scale=540:-2[fg];[bg][fg]overlay=(W-w)/2:(H-h)/2"], 1.0),
    "mirror": (["-vf", "hflip"], 1.0),
    "caption+logo": (["-vf", caption_filter()], 1.0),
    "speed 0.8x": (["-vf", "setpts=1.25*PTS"], 1.25),
    "speed 1.25x": (["-vf", "setpts=0.8*PTS"], 0.8),
    "fps 15": (["-vf", "fps=15"], 1.0),
    "colour": (["-vf", "eq=brightness=0.06:contrast=1.25:saturation=1.5"], 1.0),
    "grayscale": (["-vf", "hue=s=0"], 1.0),
    "mirror+caption+crop": (["-vf", "hflip,crop=iw*0.92:ih*0.92," + caption_filter()], 1.0),
    "downscale+colour+1.25x": (["-vf", "scale=-2:270,eq=contrast=1.2,setpts=0.8*PTS"], 0.8),
    # played backwards (the query's start shows the excerpt's end; Truth spans overlap alike)
    "reversed": (["-vf", "reverse"], 1.0),
}


# Same camera at another moment, edited the way reposts are: these must not match either.
SAME_CAMERA_EDITS = {
    "cropped 40%": "crop=iw*0.6:ih*0.6",
    "grayscale": "hue=s=0",
    "captioned": caption_filter(),
    "reversed": "reverse",
}


# --- Geometry block (issue #19) -----------------------------------------------------------
# Stretched, squeezed and tilted reposts of every clip at the registered moment (must match)
# and the same edits on the same camera at another moment (must stay same-scene). "aspect" is
# the repost's width scale relative to its height; the shared clips are 16:9 (ih = 0.5625 iw).
GEOMETRY_EDITS = {
    "stretched 9:16 (square centre as 360x640)": "crop=ih:ih,scale=360:640",
    "aspect 0.5x": "scale=trunc(iw/4)*2:ih",
    "aspect 2x": "scale=iw:trunc(ih/4)*2",
    "aspect 1.33x (16:9 as 21:9)": "scale=iw:trunc(ih*0.75/2)*2",
    "rotated 4°": "rotate=4*PI/180",
    "rotated 10°": "rotate=10*PI/180",
    "stretched 9:16 + mirrored": "hflip,crop=ih:ih,scale=360:640",
    "rotated 10° + mirrored": "hflip,rotate=-10*PI/180",
    "aspect 0.5x + mirrored": "hflip,scale=trunc(iw/4)*2:ih",
    "aspect 2x + mirrored": "hflip,scale=iw:trunc(ih/4)*2",
    "rotated 4° + mirrored": "hflip,rotate=-4*PI/180",
}


def perspective_filter(yaw: float) -> str:
    """ffmpeg's view of the picture on a monitor turned by ``yaw`` degrees, filmed so that the
    screen fills the frame (no edge of it in sight: the smallest screen size that does, from
    ``geometry.screen_corners``' pinhole camera), with sensor noise."""
    size = (1600, 900)  # the shared clips' 16:9; the filter scales the shares by W and H
    frame = np.array([[0, 0], [size[0], 0], [size[0], size[1]], [0, size[1]]], np.float32)
    for fill in (1.35, 1.5, 1.7, 1.9, 2.1):
        screen = cv2.getPerspectiveTransform(frame, screen_corners(size, yaw, 0.0, fill))
        seen = cv2.perspectiveTransform(frame.reshape(-1, 1, 2), np.linalg.inv(screen))
        shares = seen.reshape(-1, 2) / np.array(size)
        if shares.min() >= 0.0 and shares.max() <= 1.0:
            break
    # ffmpeg's order: top left, top right, bottom left, bottom right (sources of the corners).
    points = ":".join(f"x{k}=W*{shares[i, 0]:.4f}:y{k}=H*{shares[i, 1]:.4f}"
                      for k, i in enumerate((0, 1, 3, 2)))
    return f"perspective={points}:sense=source,noise=alls=6:allf=t"


# Perspective without a visible screen outline (issue #19 item 1: keypoint-fitted homography).
GEOMETRY_EDITS |= {f"perspective {yaw}° (screen fills the frame)": perspective_filter(yaw)
                   for yaw in (15, 30)}
GEOMETRY = "geometry: "
GEOMETRY_OTHER = "geometry, other moment: "


def geometry_queries(clip: Path, ref_id: str, start: float, length: float, tail: float,
                     tail_length: float) -> list[Query]:
    queries = []
    for edit, vf in GEOMETRY_EDITS.items():
        slug = re.sub(r"[^a-z0-9]+", "-", edit.lower())
        path = encode(SET / f"q--{clip.stem}--geo-{slug}.mp4", "-ss", str(start), "-t",
                      str(length), "-i", str(clip), "-vf", vf)
        queries.append(Query(f"{clip.stem}/{edit}", GEOMETRY + edit, path, [Truth(
            ref_id, 0.0, length, start, start + length)]))
        path = encode(SET / f"q--{clip.stem}--geo-other-{slug}.mp4", "-ss", str(tail), "-t",
                      str(tail_length), "-i", str(clip), "-vf", vf, "-crf", "28")
        queries.append(Query(f"{clip.stem}/other moment, {edit}", GEOMETRY_OTHER + edit, path,
                             [], same_camera=True))
    return queries


def geometry_confusion(system: dict[str, object], queries: list[Query]) -> list[list[object]]:
    """Verdicts per geometric edit: authentic queries (match wanted) and same-camera queries at
    another moment (same-scene wanted)."""
    verdicts: dict[str, str] = system["verdicts"]  # type: ignore[assignment]
    rows = []
    for edit in GEOMETRY_EDITS:
        cells: list[object] = [edit]
        for prefix in (GEOMETRY, GEOMETRY_OTHER):
            got = [verdicts[q.name] for q in queries if q.kind == prefix + edit]
            cells += [sum(v == "match" for v in got), sum(v == "same-scene" for v in got),
                      sum(v == "inconclusive" for v in got), sum(v == "no-match" for v in got)]
        rows.append(cells)
    return rows


def is_geometry(query: Query) -> bool:
    return query.kind.startswith((GEOMETRY, GEOMETRY_OTHER))
# --- end of the geometry block ------------------------------------------------------------


def build_set(clips: list[Path]) -> tuple[dict[str, Path], list[Query]]:
    SET.mkdir(parents=True, exist_ok=True)
    references: dict[str, Path] = {}
    queries: list[Query] = []
    for clip in clips:
        total = duration(clip)
        split = round(total * REFERENCE_SHARE, 2)
        ref_id = clip.stem
        references[ref_id] = encode(SET / f"ref--{clip.stem}.mp4", "-i", str(clip), "-t",
                                    str(split), "-crf", "18")
        length = min(12.0, split * 0.5)
        start = round(split * 0.3, 2)
        for edit, (args, factor) in EDITS.items():
            slug = re.sub(r"[^a-z0-9]+", "-", edit.lower())
            path = encode(SET / f"q--{clip.stem}--{slug}.mp4", "-ss", str(start), "-t",
                          str(length), "-i", str(clip), *args)
            queries.append(Query(f"{clip.stem}/{edit}", edit, path, [Truth(
                ref_id, 0.0, round(length * factor, 2), start, start + length)]))
        short = encode(SET / f"q--{clip.stem}--short.mp4", "-ss", str(start + 1), "-t", "3",
                       "-i", str(clip), "-crf", "28")
        queries.append(Query(f"{clip.stem}/3 s excerpt", "3 s excerpt", short,
                             [Truth(ref_id, 0.0, 3.0, start + 1, start + 4)]))
        pip = encode(SET / f"q--{clip.stem}--pip.mp4", "-f", "lavfi", "-i",
                     "mandelbrot=size=960x540:rate=25", "-ss", str(start), "-t", str(length),
                     "-i", str(clip), "-filter_complex",
                     "[1:v]scale=iw*0.45:-2[s];[0:v][s]overlay=W*0.05:H*0.08:shortest=1")
        queries.append(Query(f"{clip.stem}/picture-in-picture", "picture-in-picture", pip,
                             [Truth(ref_id, 0.0, length, start, start + length)]))
        tail = round(split + (total - split) * 0.2, 2)
        other = encode(SET / f"q--{clip.stem}--other-moment.mp4", "-ss", str(tail), "-t",
                       str(min(10.0, total - tail - 0.5)), "-i", str(clip), "-crf", "28")
        queries.append(Query(f"{clip.stem}/same camera, other moment", "same camera",
                             other, [], same_camera=True))
        for edit, vf in SAME_CAMERA_EDITS.items():
            slug = re.sub(r"[^a-z0-9]+", "-", edit)
            path = encode(SET / f"q--{clip.stem}--other-moment-{slug}.mp4", "-ss", str(tail),
                          "-t", str(min(10.0, total - tail - 0.5)), "-i", str(clip), "-vf", vf,
                          "-crf", "28")
            queries.append(Query(f"{clip.stem}/same camera, other moment, {edit}",
                                 "same camera, edited", path, [], same_camera=True))
        queries += geometry_queries(clip, ref_id, start, length, tail,
                                    min(10.0, total - tail - 0.5))
    queries += montages(clips, references)
    for name, source in (("mandelbrot", "mandelbrot=size=640x360:rate=25"),
                         ("cellular", "cellauto=s=640x360:rule=110:rate=25,format=yuv420p")):
        path = encode(SET / f"q--unrelated-{name}.mp4", "-f", "lavfi", "-i", source, "-t", "10")
        queries.append(Query(f"unrelated/{name}", "unrelated", path, []))
    return references, queries


def montages(clips: list[Path], references: dict[str, Path]) -> list[Query]:
    """Two montages: pieces of several originals in another order, with unrelated filler."""
    result = []
    filler = encode(SET / "filler.mp4", "-f", "lavfi", "-i", "mandelbrot=size=640x360:rate=25",
                    "-t", "4")
    for number, order in enumerate(([2, 0, 1], [1, 2])):
        pieces, truth, position = [], [], 0.0
        for k, index in enumerate(order):
            clip = clips[index % len(clips)]
            split = duration(references[clip.stem])
            start = round(split * (0.15 + 0.2 * k), 2)
            piece = encode(SET / f"piece-{number}-{k}.mp4", "-ss", str(start), "-t", "6", "-i",
                           str(clip), "-vf", "scale=640:360,fps=25,setsar=1")
            pieces.append(piece)
            truth.append(Truth(clip.stem, position, position + 6.0, start, start + 6.0))
            position += 6.0
            if k == 0:
                pieces.append(filler)
                position += 4.0
        listing = SET / f"montage-{number}.txt"
        listing.write_text("".join(f"file '{p.name}'\n" for p in pieces))
        path = SET / f"q--montage-{number}.mp4"
        if not path.exists():
            ffmpeg("-f", "concat", "-safe", "0", "-i", str(listing), "-c:v", "libx264",
                   "-preset", "veryfast", "-pix_fmt", "yuv420p", str(path))
        result.append(Query(f"montage {number + 1}", "montage", path, truth))
    return result


# Systems ---------------------------------------------------------------------------------------

def run_provenance(references: dict[str, Path], queries: list[Query],
                   decoders: str = "fast") -> dict[str, object]:
    """``decoders``: the decoder of originals and queries alike ("fast", "full"), or "A/B"
    for originals fingerprinted by A and queries by B (a library built before a change)."""
    library_decoder, _, query_decoder = decoders.partition("/")
    with decoder_env(library_decoder):
        return _run_provenance(references, queries, query_decoder or library_decoder)


@contextmanager
def decoder_env(decoder: str) -> Iterator[None]:
    old = os.environ.get("PROVENANCE_DECODER")
    os.environ["PROVENANCE_DECODER"] = decoder
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("PROVENANCE_DECODER")
        else:
            os.environ["PROVENANCE_DECODER"] = old


def _run_provenance(references: dict[str, Path], queries: list[Query],
                    query_decoder: str) -> dict[str, object]:
    from provenance.acquire import local_video
    from provenance.align import coverage_error
    from provenance.fingerprint import fingerprint_video
    from provenance.library import Library
    from provenance.models import Original
    from provenance.pipeline import verify_video
    from provenance.registry import register
    from provenance.settings import load_settings

    scores: dict[tuple[str, str], float] = {}
    decided: set[tuple[str, str]] = set()
    segments: dict[str, list[dict[str, float | str]]] = {}
    verdicts: dict[str, str] = {}
    cpu_by_query: dict[str, tuple[float, float]] = {}
    clock = StageClock().install()  # the per-stage split of each verify (_stage_cpu.py)
    with tempfile.TemporaryDirectory() as folder:
        settings = load_settings(db=Path(folder) / "lib.db", cache_dir=Path(folder) / "cache")
        with Library(settings.db, create=True) as library:
            for ref_id, path in references.items():
                register(str(path), Original(id=ref_id, source="bench"), library, settings)
            verify_cpu = fingerprint_cpu = 0.0
            for query in queries:
                with decoder_env(query_decoder):
                    before = cpu_all()
                    fingerprint_video(str(query.path), settings.sample_fps)
                    middle = cpu_all()
                    with clock.timing(query.name):
                        result = verify_video(local_video(str(query.path)), library, settings)
                    fingerprint_cpu += middle - before
                    verify_cpu += cpu_all() - middle
                    cpu_by_query[query.name] = (middle - before, cpu_all() - middle)
                problem = coverage_error(result.duration, result.matches, result.same_scene,
                                         result.unexplained)
                assert problem is None, f"{query.name}: {problem}"
                verdicts[query.name] = result.verdict.value
                for match in result.matches:
                    scores[(query.name, match.reference_id)] = match.score
                    decided.add((query.name, match.reference_id))
                segments[query.name] = [
                    {"reference_id": s.reference_id, "query_start": s.query_start,
                     "query_end": s.query_end, "reference_start": s.reference_start,
                     "reference_end": s.reference_end, "evidence": s.evidence,
                     "edits": [str(e) for e in m.edits]}
                    for m in result.matches for s in m.segments]
    clock.uninstall()
    return {"scores": scores, "decided": decided, "segments": segments, "verdicts": verdicts,
            "cpu": verify_cpu, "fingerprint_cpu": fingerprint_cpu, "cpu_by_query": cpu_by_query,
            "stages": clock}


def _frames_1fps(path: Path) -> list[np.ndarray]:
    import cv2

    capture = cv2.VideoCapture(str(path))
    frames, next_second = [], 0.0
    while capture.grab():
        if capture.get(cv2.CAP_PROP_POS_MSEC) / 1000.0 + 1e-6 >= next_second:
            ok, frame = capture.retrieve()
            if ok:
                frames.append(frame)
            next_second += 1.0
    capture.release()
    return frames


def run_naive(references: dict[str, Path], queries: list[Query]) -> dict[str, object]:
    import cv2
    import imagehash
    from PIL import Image

    def hashes(path: Path) -> np.ndarray:
        return np.array([int(str(imagehash.phash(Image.fromarray(
            cv2.cvtColor(f, cv2.COLOR_BGR2RGB)))), 16) for f in _frames_1fps(path)],
            dtype=np.uint64)

    refs = {ref_id: hashes(path) for ref_id, path in references.items()}
    scores, decided = {}, set()
    for query in queries:
        q = hashes(query.path)
        for ref_id, r in refs.items():
            near = (np.bitwise_count(q[:, None] ^ r[None, :]).min(axis=1) <= 10).mean()
            scores[(query.name, ref_id)] = float(near)
            if near >= 0.5:
                decided.add((query.name, ref_id))
    return {"scores": scores, "decided": decided}


def run_videohash(references: dict[str, Path], queries: list[Query]) -> dict[str, object] | str:
    try:
        from videohash import VideoHash
    except ImportError:
        return "not installed (pip install -e \".[bench]\")"
    with tempfile.TemporaryDirectory() as folder:
        bin_dir = Path(folder) / "bin"
        bin_dir.mkdir()
        os.symlink(ffmpeg_exe(), bin_dir / "ffmpeg")  # videohash calls `ffmpeg` on the PATH
        store = Path(folder) / "store"
        store.mkdir()
        old_path = os.environ["PATH"]
        os.environ["PATH"] = f"{bin_dir}{os.pathsep}{old_path}"
        try:
            def video_hash(path: Path) -> object | None:
                try:
                    return VideoHash(path=str(path), storage_path=str(store))
                except Exception:  # noqa: BLE001 - a peer failing on a file scores 0 there
                    return None

            refs = {ref_id: video_hash(path) for ref_id, path in references.items()}
            scores, decided = {}, set()
            for query in queries:
                q = video_hash(query.path)
                for ref_id, r in refs.items():
                    if q is None or r is None:
                        continue
                    distance = q - r  # type: ignore[operator]
                    scores[(query.name, ref_id)] = 1.0 - distance / 64.0
                    if distance <= 10:
                        decided.add((query.name, ref_id))
        finally:
            os.environ["PATH"] = old_path
    return {"scores": scores, "decided": decided}


def run_signature(references: dict[str, Path], queries: list[Query]) -> dict[str, object] | str:
    filters = subprocess.run([ffmpeg_exe(), "-hide_banner", "-filters"], capture_output=True,
                             text=True).stdout
    if " signature " not in filters:
        return "the bundled ffmpeg has no signature filter"
    scores, decided = {}, set()
    for query in queries:
        for ref_id, ref in references.items():
            log = subprocess.run(
                [ffmpeg_exe(), "-hide_banner", "-i", str(query.path), "-i", str(ref),
                 "-filter_complex", "[0:v][1:v]signature=nb_inputs=2:detectmode=full",
                 "-f", "null", "-"], capture_output=True, text=True).stderr
            found = "matching of video 0 at" in log
            scores[(query.name, ref_id)] = 1.0 if found else 0.0
            if found:
                decided.add((query.name, ref_id))
    return {"scores": scores, "decided": decided}


# Metrics ---------------------------------------------------------------------------------------

def average_precision(scores: list[float], labels: list[bool]) -> float:
    """Micro AP with ties handled as one threshold each (as scikit-learn does)."""
    order = np.argsort(-np.asarray(scores), kind="stable")
    s, y = np.asarray(scores)[order], np.asarray(labels)[order]
    positives = y.sum()
    if positives == 0:
        return float("nan")
    ap, previous_recall = 0.0, 0.0
    for threshold in np.unique(s)[::-1]:
        chosen = s >= threshold
        true = (y & chosen).sum()
        precision, recall = true / chosen.sum(), true / positives
        ap += (recall - previous_recall) * precision
        previous_recall = recall
    return float(ap)


def pair_metrics(system: dict[str, object], queries: list[Query],
                 references: dict[str, Path]) -> dict[str, float]:
    scores: dict[tuple[str, str], float] = system["scores"]  # type: ignore[assignment]
    names = {q.name for q in queries}  # the system may have run on more queries than these
    decided = {p for p in system["decided"] if p[0] in names}  # type: ignore[attr-defined]
    truth = {(q.name, t.reference_id) for q in queries for t in q.truth}
    pairs = [(q.name, ref) for q in queries for ref in references]
    labels = [pair in truth for pair in pairs]
    ap = average_precision([scores.get(pair, 0.0) for pair in pairs], labels)
    hits = len(decided & truth)
    same_camera = [q.name for q in queries if q.same_camera]
    false_same = sum(any((name, ref) in decided for ref in references) for name in same_camera)
    return {"ap": ap, "precision": hits / max(1, len(decided)), "recall": hits / len(truth),
            "same_camera_false": false_same / max(1, len(same_camera))}


def _overlap(a0: float, a1: float, b0: float, b1: float) -> bool:
    return min(a1, b1) - max(a0, b0) > 0


def segment_metrics(system: dict[str, object], queries: list[Query]) -> dict[str, float]:
    predicted: dict[str, list[dict[str, float | str]]] = system["segments"]  # type: ignore[assignment]
    right, total_predicted, covered, errors = 0, 0, 0, []
    truths = [(q, t) for q in queries for t in q.truth]
    for query in queries:
        for seg in predicted.get(query.name, []):
            total_predicted += 1
            right += any(_matches(seg, t) for t in query.truth)
    for query, t in truths:
        found = [s for s in predicted.get(query.name, []) if _matches(s, t)]
        if found:
            covered += 1
            best = max(found, key=lambda s: float(s["query_end"]) - float(s["query_start"]))
            errors += [abs(float(best[k]) - getattr(t, k)) for k in
                       ("query_start", "query_end", "reference_start", "reference_end")]
    return {"precision": right / max(1, total_predicted), "recall": covered / len(truths),
            "median_error": float(np.median(errors)) if errors else float("nan"),
            "mean_error": float(np.mean(errors)) if errors else float("nan")}


def _matches(seg: dict[str, float | str], t: Truth) -> bool:
    return seg["reference_id"] == t.reference_id and _overlap(
        float(seg["query_start"]), float(seg["query_end"]), t.query_start, t.query_end) and \
        _overlap(float(seg["reference_start"]), float(seg["reference_end"]),
                 t.reference_start, t.reference_end)


def per_kind(system: dict[str, object], queries: list[Query]) -> list[list[object]]:
    decided: set[tuple[str, str]] = system["decided"]  # type: ignore[assignment]
    kinds: dict[str, list[bool]] = {}
    for query in queries:
        expected = {t.reference_id for t in query.truth}
        got = {ref for (name, ref) in decided if name == query.name}
        kinds.setdefault(query.kind, []).append(got == expected)
    return [[kind, f"{sum(v)}/{len(v)}"] for kind, v in kinds.items()]


def reliability(system: dict[str, object], queries: list[Query]) -> list[list[object]]:
    """Declared matches by score band, and the share of them that are right: how far the score
    can be read as a probability."""
    scores: dict[tuple[str, str], float] = system["scores"]  # type: ignore[assignment]
    decided: set[tuple[str, str]] = system["decided"]  # type: ignore[assignment]
    truth = {(q.name, t.reference_id) for q in queries for t in q.truth}
    names = {q.name for q in queries}
    decided = {p for p in decided if p[0] in names}
    rows = []
    for low, high in ((0.0, 0.5), (0.5, 0.8), (0.8, 0.95), (0.95, 1.01)):
        band = [pair for pair in decided if low <= scores.get(pair, 0.0) < high]
        right = sum(pair in truth for pair in band)
        rows.append([f"{low:.2f}-{min(high, 1.0):.2f}", len(band),
                     f"{right / len(band):.2f}" if band else "-"])
    return rows


def print_stage_split(systems: dict[str, dict[str, object] | str], queries: list[Query]) -> None:
    """Where each provenance run's verify CPU went over the main set, stage by stage (issue
    #11), beside its fingerprinting alone."""
    names = [n for n, s in systems.items() if n.startswith("provenance")
             and not isinstance(s, str)]
    keys = [q.name for q in queries]
    columns = [systems[n]["stages"].summed(keys) for n in names]  # type: ignore[index]
    rows = stage_rows(columns)
    rows.append(["(fingerprinting alone, for the ratio)",
                 *(f"{float(systems[n]['fingerprint_cpu']):.2f}" for n in names)])  # type: ignore[index]
    print(f"\nverify CPU by stage, s (share), {len(keys)} queries of the main set:\n")
    print(table(["stage", *names], rows))
    for name in names:
        missing = systems[name]["stages"].missing  # type: ignore[index]
        if missing:
            print(f"{name}: stage functions not found (not timed): {', '.join(missing)}")


def print_cost_by_kind(system: dict[str, object], queries: list[Query]) -> None:
    """Verify's CPU against fingerprinting's for each kind of query of the main set, split into
    the one decode and everything after it (issue #11: where the 0.5x target stands). A kind's
    ratio is its summed verify CPU over its summed fingerprinting CPU."""
    spent: dict[str, tuple[float, float]] = system["cpu_by_query"]  # type: ignore[assignment]
    by_key = system["stages"].by_key  # type: ignore[attr-defined]
    decode_label = STAGES[0][0]
    kinds: dict[str, list[str]] = {}
    for query in queries:
        kinds.setdefault(query.kind, []).append(query.name)
    rows = []
    for kind, names in [*kinds.items(), ("all", [q.name for q in queries])]:
        fingerprint = sum(spent[n][0] for n in names)
        verify = sum(spent[n][1] for n in names)
        decode = sum(by_key[n][decode_label] for n in names)
        rows.append([kind, len(names), f"{fingerprint:.2f}", f"{verify:.2f}",
                     f"{verify / fingerprint:.1f}x", f"{decode / fingerprint:.1f}x",
                     f"{(verify - decode) / fingerprint:.1f}x"])
    rows[:-1] = sorted(rows[:-1], key=lambda row: float(str(row[4])[:-1]))
    print("\nverify CPU / fingerprinting CPU by kind of query (main set; the target 0.5x "
          "throughput is verify <= 2.0x fingerprinting):\n")
    print(table(["kind", "queries", "fingerprinting s", "verify s", "verify / fp",
                 "the one decode / fp", "after the decode / fp"], rows))


def repeated_runs(references: dict[str, Path], queries: list[Query], first: dict[str, object],
                  decoders: str, repeat: int) -> None:
    """The end-to-end ratio and the stage split over ``repeat`` runs of provenance on the main
    set (``first``: the run above; the others on the main set only), and their medians: the
    machine is shared, one run's CPU varies by 5-10 %. The runs after the first find what the
    process already loaded (RapidOCR's engine, 0.6-0.8 s of CPU once per process) and are that
    much cheaper: the first run is what one verifying process pays."""
    runs = [first, *(run_provenance(references, queries, decoders) for _ in range(repeat - 1))]
    keys = [q.name for q in queries]
    ratios = []
    for run in runs:
        spent: dict[str, tuple[float, float]] = run["cpu_by_query"]  # type: ignore[assignment]
        ratios.append(sum(spent[k][0] for k in keys) / sum(spent[k][1] for k in keys))
    verdicts = [{k: run["verdicts"][k] for k in keys} for run in runs]  # type: ignore[index]
    same = all(v == verdicts[0] for v in verdicts)
    print(f"\n{len(runs)} runs, end to end / fingerprinting alone: "
          f"{', '.join(f'{r:.3f}x' for r in ratios)}; median {statistics.median(ratios):.3f}x "
          f"({'the same verdicts in every run' if same else 'VERDICTS DIFFER between runs'}; "
          "the runs after the first reuse the OCR engine the first loaded)")
    columns = [run["stages"].summed(keys) for run in runs]  # type: ignore[attr-defined]
    median = {label: statistics.median(c[label] for c in columns) for label in columns[0]}
    print(f"\nverify CPU by stage, median of {len(runs)} runs, s (share):\n")
    print(table(["stage", "provenance"], stage_rows([median])))


def timing_60s(references: dict[str, Path], clips: list[Path]) -> tuple[float, float]:
    """(fingerprint s, matching s) for a 60 s query against the benchmark library."""
    from provenance.fingerprint import fingerprint_video
    from provenance.library import Library
    from provenance.models import Original
    from provenance.pipeline import match_fingerprint
    from provenance.registry import register
    from provenance.settings import load_settings

    longest = max(clips, key=duration)
    query = encode(SET / "q--60s.mp4", "-ss", "10", "-t", "60", "-i", str(longest),
                   "-vf", "hflip", "-crf", "30")
    with tempfile.TemporaryDirectory() as folder:
        settings = load_settings(db=Path(folder) / "lib.db", cache_dir=Path(folder) / "c")
        with Library(settings.db, create=True) as library:
            for ref_id, path in references.items():
                register(str(path), Original(id=ref_id), library, settings)
            t0 = time.perf_counter()
            fp = fingerprint_video(str(query), settings.sample_fps)
            t1 = time.perf_counter()
            match_fingerprint(fp, library)
            t2 = time.perf_counter()
    return t1 - t0, t2 - t1


# The stages --without can switch off.
SWITCHABLE = ("ocr", "local", "moment")


def switch_off(stages: set[str]) -> None:
    """Stages of provenance off for this process: "ocr" as the setting does, "local" the
    local-feature stage, "moment" the moment check (matches kept as a fingerprint file's are,
    ``moment.unchecked_stage``) and the query's moment frames it alone needs."""
    from provenance import moment, provider, refine

    if "ocr" in stages:
        os.environ["PROVENANCE_OCR"] = "0"
    if "local" in stages:
        refine.local_feature_stage = lambda decoded, result, lib: result
    if "moment" in stages:
        moment.moment_stage = lambda decoded, result, stored: moment.unchecked_stage(
            result, decoded.fingerprint)
        provider.decode = functools.partial(provider.decode, moments=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--without", default="", metavar="STAGES",
                        help="provenance's stages switched off for the run, comma-separated: "
                             f"{', '.join(SWITCHABLE)} (what each costs and is worth)")
    parser.add_argument("--clean", action="store_true", help="re-make the query set")
    parser.add_argument("--only-provenance", action="store_true", help="skip the peers")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run provenance this many times on the main set and print the "
                             "medians of its end-to-end ratio and stage split")
    parser.add_argument("--decoders", default="fast",
                        help="provenance's decoders, comma-separated: fast, full, or A/B "
                             "(originals by A, queries by B), e.g. fast,full,full/fast")
    # --- evidence block (issue 14): sound-only and replaced-sound queries, evidence on vs off.
    parser.add_argument("--evidence", action="store_true",
                        help="run only the sound/OCR evidence block (copy_detection_evidence.py)")
    # --- wall block (issue 18): grids, side by side, filmed off a screen.
    parser.add_argument("--wall", action="store_true",
                        help="run only the grid/off-screen block (copy_detection_wall.py)")
    args = parser.parse_args()
    without = {name for name in args.without.split(",") if name}
    if without - set(SWITCHABLE):
        parser.error(f"--without: unknown stage(s) {', '.join(sorted(without - set(SWITCHABLE)))}"
                     f"; known: {', '.join(SWITCHABLE)}")
    switch_off(without)
    if args.clean:
        shutil.rmtree(SET, ignore_errors=True)
    clips = footage_clips()
    if args.wall:
        from copy_detection_wall import run as run_wall

        run_wall(clips)
        return
    if args.evidence:
        from copy_detection_evidence import run

        run(clips)
        return
    # --- end of the evidence block.
    references, queries = build_set(clips)
    if without:
        print(f"provenance WITHOUT: {', '.join(sorted(without))}")
    print(f"{len(references)} originals, {len(queries)} queries "
          f"({sum(len(q.truth) for q in queries)} true segments, "
          f"{sum(q.same_camera for q in queries)} same-camera negatives)\n")
    lengths = {q.name: duration(q.path) for q in queries}
    all_queries, queries = queries, [q for q in queries if not is_geometry(q)]
    query_seconds = sum(lengths[q.name] for q in queries)
    runners: dict[str, Callable[[dict[str, Path], list[Query]], object]] = {}
    for decoders in args.decoders.split(","):
        name = "provenance" if args.decoders == "fast" else f"provenance ({decoders} decoder)"
        runners[name] = functools.partial(run_provenance, decoders=decoders)
    ours_name = next(iter(runners))
    if not args.only_provenance:
        runners.update({"naive pHash 1 fps": run_naive, "videohash": run_videohash,
                        "ffmpeg signature": run_signature})
    systems: dict[str, dict[str, object] | str] = {}
    cpu: dict[str, float] = {}
    for name, runner in runners.items():
        before = cpu_all()
        systems[name] = runner(references, all_queries)  # type: ignore[operator]
        cpu[name] = cpu_all() - before
    ours_run = systems[ours_name]
    assert not isinstance(ours_run, str)
    # Provenance's own CPU is measured per query (fingerprinting alone, then the whole verify)
    # and summed over the main set; the peers' as their whole run (references and the geometry
    # block included, as their tools need), so their rate is over all query seconds.
    total_seconds = sum(lengths.values())
    for name, system in systems.items():
        if name.startswith("provenance") and not isinstance(system, str):
            spent: dict[str, tuple[float, float]] = system["cpu_by_query"]  # type: ignore[assignment]
            cpu[name] = sum(spent[q.name][1] for q in queries) * total_seconds / query_seconds
            system["fingerprint_cpu"] = sum(spent[q.name][0] for q in queries)
    rows = []
    for name, system in systems.items():
        if isinstance(system, str):
            rows.append([name, system, "", "", "", ""])
            continue
        m = pair_metrics(system, queries, references)
        rows.append([name, f"{m['ap']:.3f}", f"{m['precision']:.2f}", f"{m['recall']:.2f}",
                     f"{m['same_camera_false']:.0%}", f"{total_seconds / cpu[name]:.1f}"])
    print(table(["system", "micro AP", "precision at verdict", "recall at verdict",
                 "false match, same camera", "video-s per CPU-s (end to end)"], rows))
    fingerprint_rate = query_seconds / float(ours_run["fingerprint_cpu"])  # type: ignore[arg-type]
    print(f"\n{ours_name} fingerprinting alone: {fingerprint_rate:.1f} video-s per CPU-s; "
          f"verify end to end is {total_seconds / cpu[ours_name] / fingerprint_rate:.2f}x "
          "of it (target >= 0.5x)")
    print_stage_split(systems, queries)
    print_cost_by_kind(ours_run, queries)
    if args.repeat > 1:
        repeated_runs(references, queries, ours_run, args.decoders.split(",")[0], args.repeat)
    ours = systems[ours_name]
    assert not isinstance(ours, str)
    for name, system in systems.items():
        if name.startswith("provenance") and not isinstance(system, str):
            seg = segment_metrics(system, queries)
            print(f"\n{name} segments: precision {seg['precision']:.2f}, recall "
                  f"{seg['recall']:.2f}, boundary error median {seg['median_error']:.2f} s, "
                  f"mean {seg['mean_error']:.2f} s")
    print("\nprovenance per kind of query (exactly the right originals decided):\n")
    print(table(["query kind", "right"], per_kind(ours, queries)))
    print("\nprovenance declared matches by score (is the score a probability?):\n")
    print(table(["score", "matches", "share right"], reliability(ours, queries)))
    verdicts: dict[str, str] = ours["verdicts"]  # type: ignore[assignment]
    print("\nverdicts: " + ", ".join(f"{q.name}: {verdicts[q.name]}" for q in queries
                                     if not q.truth))
    geometry = [q for q in all_queries if is_geometry(q)]
    print("\ngeometry block (issue #19): verdicts per edit, 3 clips each\n")
    print(table(["edit", "authentic: match", "authentic: same-scene",
                 "authentic: inconclusive", "authentic: no-match", "other moment: match",
                 "other moment: same-scene", "other moment: inconclusive",
                 "other moment: no-match"], geometry_confusion(ours, geometry)))
    g = pair_metrics(ours, geometry, references)
    print(f"\ngeometry block: micro AP {g['ap']:.3f}, recall at verdict {g['recall']:.2f}, "
          f"false match, same camera {g['same_camera_false']:.0%}; geometry verify CPU "
          f"{sum(ours['cpu_by_query'][q.name][1] for q in geometry):.1f} s for "  # type: ignore[index]
          f"{sum(lengths[q.name] for q in geometry):.0f} video-s")
    for q in geometry:
        print(f"  {q.name}: {ours['verdicts'][q.name]}; "  # type: ignore[index]
              + "; ".join(f"{s['reference_id']} {s['query_start']:.1f}-{s['query_end']:.1f}: "
                          + ", ".join(s["edits"])  # type: ignore[arg-type]
                          for s in ours["segments"].get(q.name, [])))  # type: ignore[attr-defined]
    fingerprint_s, match_s = timing_60s(references, clips)
    print(f"\n60 s query: fingerprint {fingerprint_s:.2f} s, then matching {match_s:.3f} s")
    print(json.dumps({"ap": {n: pair_metrics(s, queries, references)["ap"]
                             for n, s in systems.items() if not isinstance(s, str)}}))
    (WORK / "copy-detection-segments.json").write_text(json.dumps(
        {q.name: {"truth": [t.__dict__ for t in q.truth], "kind": q.kind,
                  "segments": ours["segments"].get(q.name, [])}  # type: ignore[attr-defined]
         for q in queries}, indent=1))


if __name__ == "__main__":
    main()
