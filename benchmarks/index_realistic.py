"""Candidate search at archive scale, on libraries made of real fingerprints.

`library_scale.py` measures speed on random 64-bit hashes; real hashes are not random: static
cameras repeat one view for minutes, dark and flat frames share a handful of values, an operator's
archive holds weeks of the same cameras. This benchmark builds libraries from real fingerprints of
the shared footage and asks whether the candidate search still puts the true original among the
candidates the aligner is given, and whether the aligner then matches it.

The library, at 10, 100 and 1,000 hours (30-minute originals, 4 samples/s):

* 3 true originals: the first 65 % of each shared clip, fingerprinted for real;
* distractors made of 5-60 s segments of *other cameras*: 4 crop windows of each clip (and their
  mirror images), each segment under its own fixed 2-10-bit mask plus 0-1 bit of noise per frame,
  with 10 % black runs (the real hash of a black frame);
* with `--archive-share 0.05`, 5 % of the originals are *the same cameras at other moments*: the
  true cameras' views (2-6-bit masks) with motion from moments no query shows, so the
  background matches and the events do not (an operator's CCTV archive, this product's core case).

Queries: 12 s excerpts of the true originals, edited with the bundled ffmpeg: plain, crop 10 %,
caption + logo, 270p at 120 kb/s, mirror, mirror + crop + caption (6 edits x 3 clips).

Systems, on the same libraries and queries in one run:

* `events+views (new)` (`--systems frames`): provenance's index as `pipeline.candidates` uses it
  (library/index.py: FAISS events and views indexes, ranked by `pipeline.rank_candidates`);
* `chunks (before)`: the hand-written ChunkIndex it replaced (21/21/22-bit exact chunks, Poisson
  chance filter, ranked by colliding query samples), kept in `_chunk_index.py`;
* FAISS binary indexes (`IndexBinaryMultiHash`, `IndexBinaryHash`, `IndexBinaryIVF`), their
  neighbours voted per original exactly as the chunk index votes;
* `... +verified`: the same neighbours, kept only where the scene hash is within the aligner's
  radius *and* the motion hash agrees on moving frames, then ranked by the largest number of
  distinct query samples that agree on one time offset (what the aligner will look for).

The same-camera archives' motion comes from the part of each clip after the true original ends
(moments no query shows); taken from any moment, a static camera's archive could hold the query's
own events at a consistent offset, i.e. be the same footage.

Reported per system and scale: recall of the true original among the 32 candidates (and its
median rank), end-to-end matches to the right original after alignment against those candidates
(against what a 3-original library gives), matches to a wrong original, and p50/p95 search time
(wall and CPU: the machine is shared, CPU is the figure to compare).

    python benchmarks/index_realistic.py [--hours 10 100 1000] [--systems frames chunks ...]
"""

from __future__ import annotations

import argparse
import gc
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from _common import WORK, ffmpeg, footage_clips, table

from provenance.models import Fingerprint

SET = WORK / "index-realistic"
RATE = 4.0
ORIGINAL_SAMPLES = int(1800 * RATE)
REFERENCE_SHARE = 0.65
MAX_CANDIDATES = 32  # what pipeline.candidates hands the aligner
NEIGHBOURS = 64  # k of the IVF index's k-nearest-neighbour search
CROP_WINDOWS = ("crop=iw*0.55:ih*0.55:0:0", "crop=iw*0.55:ih*0.55:iw*0.45:ih*0.45",
                "crop=iw*0.6:ih*0.6:iw*0.2:ih*0.1", "crop=iw*0.5:ih*0.7:iw*0.5:0")
_CAPTION = ("drawbox=x=iw-iw/7:y=ih/30:w=iw/8:h=ih/8:color=red@0.8:t=fill,"
            "drawbox=x=0:y=ih*0.85:w=iw:h=ih*0.12:color=black@0.6:t=fill")
EDITS = {
    "plain": [],
    "crop 10%": ["-vf", "crop=iw*0.8:ih*0.8"],
    "caption+logo": ["-vf", _CAPTION],
    "270p 120k": ["-vf", "scale=-2:270", "-b:v", "120k"],
    "mirror": ["-vf", "hflip"],
    "mirror+crop+caption": ["-vf", "hflip,crop=iw*0.92:ih*0.92," + _CAPTION],
}
CHANNELS = ("scene", "mirror", "motion", "motion_mirror", "motion_energy", "informative")


# Real fingerprints -----------------------------------------------------------------------------

def _encode(out: Path, *args: str) -> Path:
    if not out.exists():
        ffmpeg(*args, "-an", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
               str(out))
    return out


def _fingerprint(path: Path) -> Fingerprint:
    from provenance.fingerprint import fingerprint_video, load, save

    cached = path.with_suffix(".npz")
    if cached.exists():
        return load(str(cached))
    fp = fingerprint_video(str(path), RATE)
    save(fp, str(cached))
    return fp


def _duration(path: Path) -> float:
    import cv2

    capture = cv2.VideoCapture(str(path))
    frames, fps = capture.get(cv2.CAP_PROP_FRAME_COUNT), capture.get(cv2.CAP_PROP_FPS)
    capture.release()
    return float(frames / fps)


@dataclass
class Material:
    truths: dict[str, Fingerprint]  # true original id -> fingerprint
    whole: dict[str, Fingerprint]  # the whole clip (the camera at every moment)
    other_cameras: list[Fingerprint]
    black: int
    queries: list[tuple[str, str, Fingerprint]]  # (name, true original id, fingerprint)


def material() -> Material:
    SET.mkdir(parents=True, exist_ok=True)
    truths, whole, cams, queries = {}, {}, [], []
    for clip in footage_clips():
        split = round(_duration(clip) * REFERENCE_SHARE, 2)
        ref_id = f"true-{clip.stem}"
        truths[ref_id] = _fingerprint(_encode(SET / f"{ref_id}.mp4", "-i", str(clip), "-t",
                                              str(split), "-crf", "18"))
        whole[ref_id] = _fingerprint(_encode(SET / f"whole-{clip.stem}.mp4", "-i", str(clip),
                                             "-crf", "23"))
        for k, window in enumerate(CROP_WINDOWS):
            cams.append(_fingerprint(_encode(SET / f"cam{k}-{clip.stem}.mp4", "-i", str(clip),
                                             "-vf", window, "-crf", "23")))
        length = min(12.0, split * 0.45)
        for k, (edit, args) in enumerate(EDITS.items()):
            start = round((split - length) * (k + 0.5) / len(EDITS), 2)
            slug = re.sub(r"[^a-z0-9]+", "-", edit)
            path = _encode(SET / f"q-{clip.stem}-{slug}.mp4", "-ss", str(start), "-t",
                           str(length), "-i", str(clip), *args)
            queries.append((f"{clip.stem}/{edit}", ref_id, _fingerprint(path)))
    black = _fingerprint(_encode(SET / "black.mp4", "-f", "lavfi", "-i",
                                 "color=black:s=640x360:r=10", "-t", "3"))
    return Material(truths, whole, cams, int(black.scene[len(black) // 2]), queries)


# Realistic libraries ---------------------------------------------------------------------------

def _arrays(fp: Fingerprint, swap: bool = False) -> dict[str, np.ndarray]:
    data = {name: np.asarray(getattr(fp, name)) for name in CHANNELS}
    if swap:  # the mirror image of a camera is another camera
        data["scene"], data["mirror"] = data["mirror"], data["scene"]
        data["motion"], data["motion_mirror"] = data["motion_mirror"], data["motion"]
    return data


def _masks(rng: np.random.Generator, count: int, low: int, high: int) -> np.ndarray:
    """One random mask of low..high set bits per row."""
    bits = rng.integers(low, high + 1, count)
    order = np.argsort(rng.random((count, 64)), axis=1)
    chosen = order < bits[:, None]
    return (chosen.astype(np.uint64) << np.arange(64, dtype=np.uint64)).sum(
        axis=1, dtype=np.uint64)


def _noise(rng: np.random.Generator, n: int) -> np.ndarray:
    """0 or 1 random bit per sample."""
    flip = rng.random(n) < 0.5
    return np.where(flip, np.uint64(1) << rng.integers(0, 64, n).astype(np.uint64),
                    np.uint64(0))


def synthetic_original(rng: np.random.Generator, pool: list[dict[str, np.ndarray]],
                       black: int, same_camera: bool) -> dict[str, np.ndarray]:
    """30 minutes of 5-60 s segments from the pool, each under its own mask; 10 % black."""
    parts: dict[str, list[np.ndarray]] = {name: [] for name in CHANNELS}
    filled = 0
    while filled < ORIGINAL_SAMPLES:
        n = min(int(rng.integers(20, 241)), ORIGINAL_SAMPLES - filled)
        if rng.random() < 0.10:
            segment = {"scene": np.full(n, black, np.uint64), "mirror": np.full(n, black,
                                                                               np.uint64),
                       "motion": np.zeros(n, np.uint64), "motion_mirror": np.zeros(n, np.uint64),
                       "motion_energy": np.zeros(n, np.float32),
                       "informative": np.zeros(n, bool)}
        else:
            source = pool[int(rng.integers(len(pool)))]
            length = len(source["scene"])
            at = (int(rng.integers(length)) + np.arange(n)) % length
            low, high = (2, 6) if same_camera else (2, 10)
            mask = _masks(rng, 2, low, high)
            segment = {name: source[name][at] for name in CHANNELS}
            segment["scene"] = segment["scene"] ^ mask[0] ^ _noise(rng, n)
            segment["mirror"] = segment["mirror"] ^ mask[1] ^ _noise(rng, n)
            # Other events than the queries': motion from a moment of the source that no query
            # shows (the part of the clip after the true original ends). Taking it from any other
            # moment, as this benchmark first did, made a static camera's "archive" a copy of the
            # query's own events at a consistent offset: the same footage, rightly matched.
            unseen = int(np.ceil(length * REFERENCE_SHARE)) + 4
            other = unseen + (int(rng.integers(length)) + np.arange(n)) % (length - unseen)
            for name in ("motion", "motion_mirror", "motion_energy"):
                segment[name] = source[name][other]
        for name in CHANNELS:
            parts[name].append(segment[name])
        filled += n
    return {name: np.concatenate(parts[name]) for name in CHANNELS}


@dataclass
class FlatLibrary:
    ids: list[str]
    starts: np.ndarray  # first global frame of each original
    data: dict[str, np.ndarray]  # every channel, all originals concatenated

    def fingerprint(self, entry: int) -> Fingerprint:
        lo = int(self.starts[entry])
        hi = int(self.starts[entry + 1]) if entry + 1 < len(self.starts) else len(
            self.data["scene"])
        n = hi - lo
        return Fingerprint(times=np.arange(n) / RATE,
                           **{name: self.data[name][lo:hi] for name in CHANNELS},
                           duration=n / RATE, width=640, height=360, native_fps=25.0,
                           sample_fps=RATE)


def build_library(mat: Material, hours: float, archive_share: float, seed: int) -> FlatLibrary:
    rng = np.random.default_rng(seed)
    others = [_arrays(fp, swap) for fp in mat.other_cameras for swap in (False, True)]
    same = [_arrays(fp) for fp in mat.whole.values()]
    count = int(round(hours * 3600 * RATE / ORIGINAL_SAMPLES))
    archives = int(round(count * archive_share))
    ids = list(mat.truths)
    chunks = [_arrays(fp) for fp in mat.truths.values()]
    for k in range(count):
        is_archive = k < archives
        ids.append(f"{'archive' if is_archive else 'other'}-{k:05d}")
        chunks.append(synthetic_original(rng, same if is_archive else others, mat.black,
                                         is_archive))
    lengths = [len(c["scene"]) for c in chunks]
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    data = {name: np.concatenate([c[name] for c in chunks]) for name in CHANNELS}
    return FlatLibrary(ids, starts, data)


# Systems ---------------------------------------------------------------------------------------

Search = Callable[[Fingerprint], list[str]]


def _query_hashes(query: Fingerprint) -> tuple[np.ndarray, np.ndarray]:
    """What pipeline.candidates sends: scene then mirror hashes of informative samples, and
    the sample each row comes from."""
    usable = np.flatnonzero(query.informative)
    return np.concatenate([query.scene[usable], query.mirror[usable]]), np.concatenate(
        [usable, usable])


def _top(counts: dict[str, float]) -> list[str]:
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    return [ref for ref, score in ranked if score >= 3][:MAX_CANDIDATES]


def _top_verified(counts: dict[str, float], agreeing: dict[str, float]) -> list[str]:
    """Originals with enough near samples, ranked first by samples agreeing in scene, motion
    and time offset, then by near samples."""
    ranked = sorted(counts, key=lambda ref: (-agreeing.get(ref, 0.0), -counts[ref]))
    return [ref for ref in ranked if counts[ref] >= 3][:MAX_CANDIDATES]


def chunk_system(lib: FlatLibrary) -> tuple[Search, float, int]:
    from _chunk_index import ChunkIndex

    from provenance.align import SCENE_RADIUS

    t0 = time.perf_counter()
    hashes = [lib.data["scene"][lib.starts[i]:(lib.starts[i + 1] if i + 1 < len(lib.starts)
                                                else None)] for i in range(len(lib.ids))]
    index = ChunkIndex.build(lib.ids, hashes)
    build = time.perf_counter() - t0

    def search(query: Fingerprint) -> list[str]:
        return _top(index.candidates(_query_hashes(query)[0], SCENE_RADIUS))

    return search, build, index.nbytes


def frame_system(lib: FlatLibrary) -> tuple[Search, float, int]:
    """provenance's index now: FAISS events + views indexes, ranked by pipeline.rank_candidates."""
    from provenance.align import MIN_MOTION_ENERGY, MOTION_RADIUS, SCENE_RADIUS
    from provenance.library.index import FrameIndex, Radii
    from provenance.pipeline import rank_candidates

    t0 = time.process_time()
    index = FrameIndex.build(lib.ids, [lib.fingerprint(i) for i in range(len(lib.ids))],
                             MIN_MOTION_ENERGY)
    build = time.process_time() - t0
    radii = Radii(SCENE_RADIUS, MOTION_RADIUS)

    def search(query: Fingerprint) -> list[str]:
        return rank_candidates(index.search(query, radii))

    return search, build, index.nbytes


def _pairs_to_entries(lib: FlatLibrary, frames: np.ndarray) -> np.ndarray:
    return np.searchsorted(lib.starts, frames, side="right") - 1


def _vote_rows(lib: FlatLibrary, rows: np.ndarray, frames: np.ndarray) -> dict[str, float]:
    entries = _pairs_to_entries(lib, frames)
    pairs = np.unique(rows.astype(np.int64) * len(lib.ids) + entries)
    counts = np.bincount(pairs % len(lib.ids), minlength=len(lib.ids))
    return {lib.ids[i]: float(counts[i]) for i in np.flatnonzero(counts)}


def _vote_verified(lib: FlatLibrary, query: Fingerprint, rows: np.ndarray, samples: np.ndarray,
                   frames: np.ndarray) -> dict[str, float]:
    """Neighbour pairs kept where scene and motion agree (the aligner's test on moving samples),
    ranked by distinct query samples agreeing on one 1-second offset bin (with its neighbours,
    so a small speed change still counts)."""
    from provenance.align import MIN_MOTION_ENERGY, MOTION_RADIUS, SCENE_RADIUS

    mirrored = rows >= len(rows) // 2 if len(rows) else rows.astype(bool)
    qscene = np.where(mirrored, query.mirror[samples], query.scene[samples])
    qmotion = np.where(mirrored, query.motion_mirror[samples], query.motion[samples])
    scene_d = np.bitwise_count(qscene ^ lib.data["scene"][frames])
    motion_d = np.bitwise_count(qmotion ^ lib.data["motion"][frames])
    moving = (query.motion_energy[samples] >= MIN_MOTION_ENERGY) & (
        lib.data["motion_energy"][frames] >= MIN_MOTION_ENERGY)
    keep = (scene_d <= SCENE_RADIUS) & (motion_d <= MOTION_RADIUS) & moving
    samples, frames = samples[keep], frames[keep]
    if samples.size == 0:
        return {}
    entries = _pairs_to_entries(lib, frames)
    offset = np.floor((frames - lib.starts[entries]) / RATE - query.times[samples]).astype(
        np.int64)
    votes: dict[str, float] = {}
    key = entries * 100_000 + offset
    for shift in (-1, 0, 1):  # an offset bin and its neighbours
        pairs = np.unique(np.stack([key + shift, samples], axis=1), axis=0)
        bins, counts = np.unique(pairs[:, 0], return_counts=True)
        for b, c in zip(bins // 100_000, counts, strict=True):
            ref = lib.ids[int(b)]
            votes[ref] = max(votes.get(ref, 0.0), float(c))
    return votes


def faiss_system(lib: FlatLibrary, kind: str, verified: bool) -> tuple[Search, float, int]:
    import faiss

    codes = lib.data["scene"].view(np.uint8).reshape(-1, 8)
    t0 = time.perf_counter()
    if kind == "multihash":
        index = faiss.IndexBinaryMultiHash(64, 3, 21)
        index.add(codes)
    elif kind == "hash":
        index = faiss.IndexBinaryHash(64, 16)
        index.add(codes)
    else:
        nlist = max(64, int(0.3 * np.sqrt(len(codes))))  # as provenance.library.index
        quantizer = faiss.IndexBinaryFlat(64)
        index = faiss.IndexBinaryIVF(quantizer, 64, nlist)
        sample = codes[np.random.default_rng(3).choice(len(codes), min(len(codes), nlist * 64),
                                                       replace=False)]
        index.train(sample)
        index.add(codes)
        index.nprobe = 16
        faiss.omp_set_num_threads(1)
    build = time.perf_counter() - t0
    memory = len(codes) * (8 + (24 if kind == "multihash" else 8))  # codes + ids (estimate)

    def search(query: Fingerprint) -> list[str]:
        hashes, samples = _query_hashes(query)
        q = np.ascontiguousarray(hashes).view(np.uint8).reshape(-1, 8)
        if kind == "ivf":
            _, found = index.search(q, NEIGHBOURS)
            rows = np.repeat(np.arange(len(q)), found.shape[1])
            frames = found.ravel()
            ok = frames >= 0
            rows, frames = rows[ok], frames[ok]
        else:
            index.nflip = 2  # also probe chunk values 1-2 bits away
            lims, _, ids = index.range_search(q, 16)
            rows = np.repeat(np.arange(len(q)), np.diff(lims).astype(np.int64))
            frames = ids.astype(np.int64)
        counts = _vote_rows(lib, rows, frames)
        if verified:
            agreeing = _vote_verified(lib, query, rows, samples[rows], frames)
            return _top_verified(counts, agreeing)
        return _top(counts)

    return search, build, memory


# Evaluation ------------------------------------------------------------------------------------

def matched_ids(query: Fingerprint, refs: dict[str, Fingerprint]) -> set[str]:
    from provenance.align import align

    return {m.reference_id for m in align(query, refs).matches}


def evaluate(lib: FlatLibrary, mat: Material, search: Search,
             baseline: dict[str, set[str]]) -> dict[str, object]:
    entry = {ref: i for i, ref in enumerate(lib.ids)}
    found, ranks, right, wrong, times, cpu = 0, [], 0, 0, [], []
    for name, truth, query in mat.queries:
        t0, c0 = time.perf_counter(), time.process_time()
        candidates = search(query)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        if truth in candidates:
            found += 1
            ranks.append(candidates.index(truth) + 1)
        matched = matched_ids(query, {ref: lib.fingerprint(entry[ref]) for ref in candidates})
        right += truth in matched and truth in baseline[name]
        wrong += len(matched - {truth})
        if matched - {truth}:
            print(f"  wrong match: {name} -> {sorted(matched - {truth})}", flush=True)
    return {"recall": f"{found}/{len(mat.queries)}",
            "rank": statistics.median(ranks) if ranks else "-",
            "right": f"{right}/{sum(1 for n, t, _ in mat.queries if t in baseline[n])}",
            "wrong": wrong,
            "p50": statistics.median(times) * 1000,
            "p95": float(np.percentile(times, 95)) * 1000,
            "cpu50": statistics.median(cpu) * 1000,
            "cpu95": float(np.percentile(cpu, 95)) * 1000}


HEADER = ["hours", "same-camera archive", "system", "true original in 32", "median rank",
          "matched right (of 3-original)", "wrong matches", "search p50 ms", "search p95 ms",
          "search CPU p50 ms", "search CPU p95 ms", "build s", "memory MB"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--archive-share", type=float, nargs="+", default=[0.0, 0.05])
    parser.add_argument("--systems", nargs="+",
                        default=["frames", "chunks", "multihash", "hash", "ivf"])
    args = parser.parse_args()
    mat = material()
    baseline = {name: matched_ids(q, mat.truths) for name, _, q in mat.queries}
    print(f"{len(mat.queries)} queries; a 3-original library matches "
          f"{sum(t in baseline[n] for n, t, _ in mat.queries)} of them to their original",
          flush=True)
    rows = []
    for hours in args.hours:
        for share in args.archive_share:
            lib = build_library(mat, hours, share, seed=int(hours * 10 + share * 100))
            systems: list[tuple[str, Callable[[], tuple[Search, float, int]]]] = []
            for name in args.systems:
                if name == "chunks":
                    systems.append(("chunks (before)", lambda lib=lib: chunk_system(lib)))
                elif name == "frames":
                    systems.append(("events+views (new)", lambda lib=lib: frame_system(lib)))
                else:
                    for verified in (False, True):
                        label = f"faiss {name}" + (" +verified" if verified else "")
                        systems.append((label, lambda lib=lib, n=name, v=verified:
                                        faiss_system(lib, n, v)))
            for label, make in systems:
                search, build_s, memory = make()
                r = evaluate(lib, mat, search, baseline)
                rows.append([f"{hours:g}", f"{share:.0%}", label, r["recall"], r["rank"],
                             r["right"], r["wrong"], f"{r['p50']:.1f}", f"{r['p95']:.1f}",
                             f"{r['cpu50']:.1f}", f"{r['cpu95']:.1f}",
                             f"{build_s:.1f}", f"{memory / 2**20:.0f}"])
                print(table(HEADER, rows[-1:]), flush=True)
                del search
                gc.collect()
            del lib
            gc.collect()
    print()
    print(table(HEADER, rows))


if __name__ == "__main__":
    main()
