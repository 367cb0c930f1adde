"""How far social-media edits move the hashes, against how far apart unrelated frames are.

From each clip of the shared footage, makes edited copies with the bundled ffmpeg, samples every
version once, and reports per edit and per hash the Hamming distance (of 64 bits) between
time-aligned frames, against two kinds of unrelated frames:
  * the nearest frame of another clip, and
  * the nearest frame of the *same camera* at another moment (at least 10 s away), the hard case.
For the motion hash (the event signature), frames where nothing moves are left out, and the
distance is also given as a 2-second running median, which is how the aligner uses it.
The gap is (5th percentile of the unrelated distances) - (95th percentile of the aligned ones):
positive means a per-frame threshold separates them.

Every file is sampled with each decoder of --decoders (default: the fast decoder, then OpenCV's
full decode); the tables are printed per decoder, then the gaps' differences and the Hamming
distances between the two decoders' fingerprints of the same file, per edit.

With --skip-loop-filter LEVEL the fast decoder skips FFmpeg's loop filter at LEVEL (e.g. "all")
on streams without B frames, where it can skip no frame (the experiment of benchmarks/README.md,
"Fast decoder"; provenance itself never does).

    python benchmarks/fingerprint_robustness.py [--decoders fast,full] [--skip-loop-filter all]
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import av
import imagehash
import numpy as np
from _common import WORK, ffmpeg, footage_clips, table
from PIL import Image

from provenance import decode
from provenance.align import MIN_MOTION_ENERGY
from provenance.fingerprint import fingerprint_samples, hash_bits_to_int
from provenance.frames import VideoStream
from provenance.models import Fingerprint
from provenance.settings import DEFAULT_SAMPLE_FPS

_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
_TEXT = ("drawtext=fontfile={font}:text='22/10/2015 MIGRANTS STORM THE TUNNEL':"
         "fontcolor=white:fontsize=h/16:x=(w-tw)/2:y=h-th-h/20:box=1:boxcolor=black@0.6")
EDITS = {
    "re-encode 150 kb/s": ["-b:v", "150k"],
    "downscale 360p": ["-vf", "scale=-2:360"],
    "crop 15 %": ["-vf", "crop=iw*0.85:ih*0.85"],
    "9:16 reframe, blurred bars": [
        "-filter_complex",
        "[0:v]scale=540:960:force_original_aspect_ratio=increase,crop=540:960,boxblur=20[bg];"
        "[0:v]scale=540:-2[fg];[bg][fg]overlay=(W-w)/2:(H-h)/2"],
    "mirror": ["-vf", "hflip"],
    "caption + logo": ["-vf", "drawbox=x=iw-iw/7:y=ih/30:w=iw/8:h=ih/8:color=red@0.8:t=fill,"
                       + (_TEXT.format(font=_FONT) if Path(_FONT).exists()
                          else "drawbox=x=0:y=ih*0.85:w=iw:h=ih*0.12:color=black@0.6:t=fill")],
    "brightness/contrast/saturation": ["-vf", "eq=brightness=0.08:contrast=1.3:saturation=1.6"],
    "grayscale": ["-vf", "hue=s=0"],
}
MIRRORED = {"mirror"}
HASHES = {
    "pHash": imagehash.phash,
    "dHash": imagehash.dhash,
    "wHash": imagehash.whash,
    "aHash": imagehash.average_hash,
}


def edited_copy(source: Path, edit: str) -> Path:
    slug = "".join(c if c.isalnum() else "-" for c in edit).strip("-")
    path = WORK / "robustness" / f"{source.stem}--{slug}.mp4"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        ffmpeg("-i", str(source), *EDITS[edit], "-c:v", "libx264", "-preset", "veryfast",
               "-pix_fmt", "yuv420p", "-an", str(path))
    return path


# --skip-loop-filter: the level tried on streams without B frames (None: never).
LOOP_FILTER_WITHOUT_B_FRAMES: str | None = None


@contextlib.contextmanager
def loop_filter(path: Path, decoder: str) -> Iterator[None]:
    old = decode.SKIP_LOOP_FILTER
    if LOOP_FILTER_WITHOUT_B_FRAMES and decoder == "fast":
        with av.open(str(path)) as container:
            if not container.streams.video[0].codec_context.has_b_frames:
                decode.SKIP_LOOP_FILTER = LOOP_FILTER_WITHOUT_B_FRAMES
    try:
        yield
    finally:
        decode.SKIP_LOOP_FILTER = old


def sample(path: Path, decoder: str = "fast"
           ) -> tuple[Fingerprint, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Our fingerprint plus every hash kind (and of the flipped thumb) from one decode."""
    with loop_filter(path, decoder), VideoStream(str(path), decoder=decoder) as stream:
        samples = list(stream.samples(DEFAULT_SAMPLE_FPS))
        fp = fingerprint_samples(iter(samples), stream.info, DEFAULT_SAMPLE_FPS)
    plain, flipped = {}, {}
    for name, function in HASHES.items():
        plain[name] = np.array([hash_bits_to_int(function(Image.fromarray(s.thumb)).hash)
                                for s in samples], dtype=np.uint64)
        flipped[name] = np.array(
            [hash_bits_to_int(function(Image.fromarray(np.ascontiguousarray(
                s.thumb[:, ::-1]))).hash) for s in samples], dtype=np.uint64)
    return fp, plain, flipped


def distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.bitwise_count(a[:, None] ^ b[None, :]).astype(np.int16)


def running_median(values: np.ndarray, window: int) -> np.ndarray:
    if len(values) < window:
        return values.astype(float)
    return np.median(np.lib.stride_tricks.sliding_window_view(values, window), axis=1)


def describe(aligned: list[np.ndarray], others: list[np.ndarray],
             moments: list[np.ndarray]) -> list[str]:
    al, ot, mo = (np.concatenate(x) if x else np.zeros(0) for x in (aligned, others, moments))
    p = np.percentile
    return [f"{np.median(al):.0f} / {p(al, 95):.0f}", f"{p(ot, 5):.0f}", f"{p(mo, 5):.0f}",
            f"{p(ot, 5) - p(al, 95):+.0f}", f"{p(mo, 5) - p(al, 95):+.0f}"]


Rows = list[list[object]]
Prints = dict[tuple[str, str], Fingerprint]


def analyse(clips: list[Path], decoder: str) -> tuple[Rows, Rows, Prints]:
    """The scene and motion tables with one decoder, and its fingerprint of every file by
    (clip, edit or "original")."""
    originals = {clip: sample(clip, decoder) for clip in clips}
    prints: Prints = {(clip.name, "original"): originals[clip][0] for clip in clips}
    rows: list[list[object]] = []
    motion_rows: list[list[object]] = []
    for edit in EDITS:
        per_hash: dict[str, tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]] = {
            name: ([], [], []) for name in HASHES}
        motion: tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]] = ([], [], [])
        scene_windows: dict[str, tuple[list[np.ndarray], list[np.ndarray]]] = {
            name: ([], []) for name in HASHES}
        windowed: tuple[list[np.ndarray], list[np.ndarray]] = ([], [])
        for clip in clips:
            fp, plain, flipped = sample(edited_copy(clip, edit), decoder)
            prints[(clip.name, edit)] = fp
            ref_fp, ref_plain, _ = originals[clip]
            nearest = np.clip(np.searchsorted(ref_fp.times, fp.times), 0, len(ref_fp) - 1)
            far = np.abs(ref_fp.times[None, :] - fp.times[:, None]) >= 10.0
            query = flipped if edit in MIRRORED else plain
            window = int(2 * DEFAULT_SAMPLE_FPS)
            for name in HASHES:
                d_self = distances(query[name], ref_plain[name])
                others = [distances(query[name], originals[o][1][name]).min(axis=1)
                          for o in clips if o != clip]
                aligned_s = d_self[np.arange(len(fp)), nearest]
                other_s = np.min(others, axis=0)
                per_hash[name][0].append(aligned_s)
                per_hash[name][1].append(other_s)
                per_hash[name][2].append(np.where(far, d_self, 64).min(axis=1))
                scene_windows[name][0].append(running_median(aligned_s, window))
                scene_windows[name][1].append(running_median(other_s, window))
            q_motion = fp.motion_mirror if edit in MIRRORED else fp.motion
            moving = (fp.motion_energy >= MIN_MOTION_ENERGY) & (
                ref_fp.motion_energy[nearest] >= MIN_MOTION_ENERGY)
            d_motion = distances(q_motion, ref_fp.motion)
            aligned_m = d_motion[np.arange(len(fp)), nearest]
            other_m = [distances(q_motion, originals[o][0].motion).min(axis=1)
                       for o in clips if o != clip]
            moment_m = np.where(far, d_motion, 64).min(axis=1)
            motion[0].append(aligned_m[moving])
            motion[1].append(np.min(other_m, axis=0)[moving])
            motion[2].append(moment_m[moving])
            # The aligner's view: over 2 s, the median distance at the true offset against the
            # median distance at the best wrong offset (>= 10 s away), both on moving frames.
            windowed[0].append(running_median(np.where(moving, aligned_m, np.nan), window))
            windowed[1].append(best_wrong_offset(d_motion, moving, fp, ref_fp, window))
        for name in HASHES:
            aligned_w = np.concatenate(scene_windows[name][0])
            other_w = np.concatenate(scene_windows[name][1])
            rows.append([edit, name, *describe(*per_hash[name]),
                         f"{np.percentile(other_w, 5) - np.percentile(aligned_w, 95):+.0f}"])
        aligned_w = np.concatenate(windowed[0])
        wrong_w = np.concatenate(windowed[1])
        aligned_w, wrong_w = aligned_w[~np.isnan(aligned_w)], wrong_w[~np.isnan(wrong_w)]
        motion_rows.append([edit, *describe(*motion),
                            f"{np.median(aligned_w):.0f} / {np.percentile(aligned_w, 95):.0f}",
                            f"{np.percentile(wrong_w, 5):.0f}",
                            f"{np.percentile(wrong_w, 5) - np.percentile(aligned_w, 95):+.0f}"])
    return rows, motion_rows, prints


def decoder_distances(first: Prints, second: Prints) -> Rows:
    """Per edit: Hamming distances between two decoders' fingerprints of the same files, sample
    by sample (scene and, on moving samples, motion), and how far the sample times moved."""
    rows: Rows = []
    for edit in ["original", *EDITS]:
        scene, motion, shift = [], [], []
        for (clip, name), a in first.items():
            if name != edit:
                continue
            b = second[(clip, name)]
            n = min(len(a), len(b))
            scene.append(np.bitwise_count(a.scene[:n] ^ b.scene[:n]))
            moving = (a.motion_energy[:n] >= MIN_MOTION_ENERGY)
            motion.append(np.bitwise_count(a.motion[:n] ^ b.motion[:n])[moving])
            shift.append(np.abs(a.times[:n] - b.times[:n]))
            if len(a) != len(b):
                shift.append(np.array([np.inf]))
        sc, mo, sh = (np.concatenate(x) for x in (scene, motion, shift))
        rows.append([edit, len(sc), f"{np.mean(sc == 0):.3f}",
                     f"{np.median(sc):.0f} / {np.percentile(sc, 95):.0f} / {sc.max()}",
                     f"{np.median(mo):.0f} / {np.percentile(mo, 95):.0f} / {mo.max()}",
                     f"{sh.max():.4f}"])
    return rows


def gap_differences(first: Rows, second: Rows, keys: int, gap_columns: list[int]) -> Rows:
    return [[*a[:keys],
             *(f"{int(str(a[i])) - int(str(b[i])):+d}" for i in gap_columns)]
            for a, b in zip(first, second, strict=True)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clean", action="store_true", help="re-make the edited copies")
    parser.add_argument("--decoders", default="fast,full",
                        help="decoders to compare, comma-separated (fast, full)")
    parser.add_argument("--skip-loop-filter", metavar="LEVEL",
                        help="fast decoder: skip the loop filter at LEVEL on streams without B "
                             "frames (an experiment: none, noref, bidir, nokey, all)")
    args = parser.parse_args()
    global LOOP_FILTER_WITHOUT_B_FRAMES
    LOOP_FILTER_WITHOUT_B_FRAMES = args.skip_loop_filter
    if args.clean:
        shutil.rmtree(WORK / "robustness", ignore_errors=True)
    clips = footage_clips()
    decoders = args.decoders.split(",")
    results = {decoder: analyse(clips, decoder) for decoder in decoders}
    for decoder, (rows, motion_rows, _) in results.items():
        print(f"=== {decoder} decoder ===\n")
        print_tables(clips, rows, motion_rows)
    if len(decoders) == 2:
        (rows_a, motion_a, prints_a), (rows_b, motion_b, prints_b) = results.values()
        label = f"{decoders[0]} - {decoders[1]}"
        print(f"\nGap differences ({label}), scene hashes: other clip, other moment, 2 s\n")
        print(table(["edit", "hash", "gap other clip", "gap other moment", "2 s median gap"],
                    gap_differences(rows_a, rows_b, 2, [5, 6, 7])))
        print(f"\nGap differences ({label}), motion hash: other clip, other moment, 2 s\n")
        print(table(["edit", "gap other clip", "gap other moment", "2 s gap"],
                    gap_differences(motion_a, motion_b, 1, [4, 5, 8])))
        print(f"\nThe same file through both decoders ({label}): Hamming distances of 64 bits\n")
        print(table(["file", "samples", "share of identical scene hashes",
                     "scene median / p95 / max", "motion (moving) median / p95 / max",
                     "largest sample-time shift s"],
                    decoder_distances(prints_a, prints_b)))


def print_tables(clips: list[Path], rows: Rows, motion_rows: Rows) -> None:
    print(f"{len(clips)} clips of the shared footage, {DEFAULT_SAMPLE_FPS:g} samples/s, "
          "Hamming distances of 64-bit hashes\n")
    print("Scene hashes (per frame)\n")
    print(table(["edit", "hash", "aligned median / p95", "other clip p5",
                 "same camera other moment p5", "gap other clip", "gap other moment",
                 "2 s median gap other clip"], rows))
    print("\nMotion hash (event signature), frames where something moves\n")
    print(table(["edit", "aligned median / p95", "other clip p5", "same camera other moment p5",
                 "gap other clip", "gap other moment", "2 s median: aligned median / p95",
                 "2 s median: best wrong offset p5", "2 s gap"], motion_rows))


def best_wrong_offset(d_motion: np.ndarray, moving: np.ndarray, fp: Fingerprint,
                      ref_fp: Fingerprint, window: int) -> np.ndarray:
    """Per 2 s window of the query, the lowest median motion distance over every offset at least
    10 s away from the truth (the best an impostor moment of the same camera can do)."""
    step = 1.0 / DEFAULT_SAMPLE_FPS
    best = np.full(max(0, len(fp) - window + 1), np.inf)
    for shift in np.arange(-ref_fp.times[-1], ref_fp.times[-1], step):
        if abs(shift) < 10.0:
            continue
        index = np.searchsorted(ref_fp.times, fp.times + shift)
        valid = (index > 0) & (index < len(ref_fp)) & moving
        values = np.where(valid, d_motion[np.arange(len(fp)), np.clip(index, 0, len(ref_fp) - 1)],
                          np.nan)
        medians = running_median(values, window)
        medians = np.where(np.isnan(medians), np.inf, medians)
        best = np.minimum(best, medians)
    return np.where(np.isinf(best), np.nan, best)


if __name__ == "__main__":
    main()
