"""Library at archive scale: build time, file size, memory and candidate search time.

Libraries of 10, 100 and 1,000 hours of reference footage at 4 samples/s, made of synthetic
hash sequences shaped like real footage (30-minute originals; scene hashes drift a bit or two
between samples and jump to a new view every 5-60 s). Each scale runs in its own process so its
peak memory is its own. For a 60 s query cut from one original (2 bits of noise per hash, plus
its mirror hashes, as `verify` sends), it times the candidate search of the index the library
picks, and at the smaller scales an exact index (FAISS flat scans) side by side.

    python benchmarks/library_scale.py [--hours 10 100 1000]
"""

from __future__ import annotations

import argparse
import json
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import ROOT, peak_rss_mb, table

RATE = 4.0
ORIGINAL_S = 1800


def synthetic_scene(rng: np.random.Generator, n: int) -> np.ndarray:
    hashes = np.empty(n, dtype=np.uint64)
    current = rng.integers(0, 2**63, dtype=np.uint64) * np.uint64(2)
    next_cut = int(rng.integers(20, 240))
    for i in range(n):
        if i == next_cut:
            current = rng.integers(0, 2**63, dtype=np.uint64) * np.uint64(2)
            next_cut = i + int(rng.integers(20, 240))
        for bit in rng.integers(0, 64, int(rng.integers(0, 3))):
            current ^= np.uint64(1) << np.uint64(int(bit))
        hashes[i] = current
    return hashes


def build(path: Path, hours: float, seed: int = 1) -> tuple[float, list[np.ndarray]]:
    from provenance.library import Library
    from provenance.models import Fingerprint, Original

    rng = np.random.default_rng(seed)
    n = int(ORIGINAL_S * RATE)
    count = int(round(hours * 3600 / ORIGINAL_S))
    # A pool of sequences reused with fresh bit noise keeps generation fast at 1,000 hours.
    pool = [synthetic_scene(rng, n) for _ in range(min(count, 40))]
    kept = []
    start = time.perf_counter()
    with Library(path, create=True) as library:
        for k in range(count):
            noise = rng.integers(0, 2**63, n, dtype=np.uint64) & rng.integers(
                0, 2**63, n, dtype=np.uint64) & rng.integers(0, 2**63, n, dtype=np.uint64)
            scene = pool[k % len(pool)] ^ (noise & np.uint64(0xFFFFFFFF0000)) ^ np.uint64(k)
            kept.append(scene) if k < 3 else None
            fp = Fingerprint(
                times=np.arange(n) / RATE, scene=scene, mirror=scene[::-1].copy(),
                motion=rng.integers(0, 2**63, n, dtype=np.uint64),
                motion_mirror=rng.integers(0, 2**63, n, dtype=np.uint64),
                motion_energy=np.ones(n, np.float32), informative=np.ones(n, bool),
                duration=n / RATE, width=1280, height=720, native_fps=25.0, sample_fps=RATE)
            library.add(Original(id=f"orig-{k:05d}", sha256=f"{k:064x}", duration=n / RATE,
                                 fps=25.0, width=1280, height=720), fp)
    return time.perf_counter() - start, kept


def _query(library: object, rng: np.random.Generator) -> object:
    """60 s of orig-00001 with 2 bits of noise per scene hash, then 60 s of noise."""
    from dataclasses import replace

    from provenance.models import Fingerprint
    from tests.test_align import flip_bits

    truth = library.fingerprint("orig-00001")  # type: ignore[attr-defined]
    start = int(rng.integers(0, len(truth) - 240))
    part = slice(start, start + 240)
    noise = rng.integers(0, 2**63, 240, dtype=np.uint64)
    joined = {name: np.concatenate([getattr(truth, name)[part], getattr(truth, name)[part]])
              for name in ("motion", "motion_mirror", "motion_energy", "informative")}
    return replace(truth, times=np.arange(480) / RATE, duration=480 / RATE,
                   scene=np.concatenate([flip_bits(rng, truth.scene[part], 2), noise]),
                   mirror=np.concatenate([truth.mirror[part], noise]), **joined) \
        if isinstance(truth, Fingerprint) else truth


def one_scale(hours: float) -> dict[str, object]:
    from provenance.align import MIN_MOTION_ENERGY, MOTION_RADIUS, SCENE_RADIUS
    from provenance.library import FrameIndex, Library, Radii
    from provenance.library import index as index_module

    rng = np.random.default_rng(7)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "library.db"
        build_s, kept = build(path, hours)
        size = path.stat().st_size
        with Library(path) as library:
            t0 = time.perf_counter()
            index = library.index(MIN_MOTION_ENERGY)
            index_s = time.perf_counter() - t0
            radii = Radii(SCENE_RADIUS, MOTION_RADIUS)
            timings, exact_timings, found = [], [], []
            exact = None
            for trial in range(5):
                query = _query(library, rng)
                t0 = time.perf_counter()
                scores = index.search(query, radii)  # type: ignore[arg-type]
                timings.append(time.perf_counter() - t0)
                found.append(max(scores.events, key=lambda k: scores.events[k]) == "orig-00001")
                if len(index) <= 1_500_000 and trial < 2:
                    if exact is None:
                        limit = index_module.EXACT_MAX_CODES
                        index_module.EXACT_MAX_CODES = 10**9
                        ids = [o.id for o in library.list()]
                        exact = FrameIndex.build(ids, [library.fingerprint(i) for i in ids],
                                                 MIN_MOTION_ENERGY)
                        index_module.EXACT_MAX_CODES = limit
                    t0 = time.perf_counter()
                    exact.search(query, radii)  # type: ignore[arg-type]
                    exact_timings.append(time.perf_counter() - t0)
        with open(Path(folder) / "query.pkl", "wb") as handle:
            pickle.dump(query, handle)
        fresh = json.loads(subprocess.run(
            [sys.executable, __file__, "--search", str(path)], check=True, capture_output=True,
            text=True, cwd=ROOT / "benchmarks").stdout.strip().splitlines()[-1])
        return {
            "hours": hours, "frames": len(index), "index": index.kind,
            "index_load_s": fresh["load_s"], "search_rss_mb": fresh["rss_mb"],
            "build_s": round(build_s, 1), "file_mb": round(size / 2**20, 1),
            "index_build_s": round(index_s, 2),
            "search_s": round(statistics.median(timings), 4),
            "exact_search_s": round(statistics.median(exact_timings), 3)
            if exact_timings else None,
            "found": all(found),
            "peak_rss_mb": round(peak_rss_mb()),
        }


def search_only(path: Path) -> dict[str, float]:
    """What a new `verify` process pays: open the library, load its index, one search."""
    from provenance.align import MIN_MOTION_ENERGY, MOTION_RADIUS, SCENE_RADIUS
    from provenance.library import Library, Radii

    with open(path.parent / "query.pkl", "rb") as handle:
        query = pickle.load(handle)
    with Library(path) as library:
        t0 = time.perf_counter()
        index = library.index(MIN_MOTION_ENERGY)
        load_s = time.perf_counter() - t0
        index.search(query, Radii(SCENE_RADIUS, MOTION_RADIUS))
    return {"load_s": round(load_s, 3), "rss_mb": round(peak_rss_mb())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--child", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--search", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.search is not None:
        print(json.dumps(search_only(args.search)))
        return
    if args.child is not None:
        print(json.dumps(one_scale(args.child)))
        return
    rows = []
    for hours in args.hours:
        out = subprocess.run([sys.executable, __file__, "--child", str(hours)], check=True,
                             capture_output=True, text=True, cwd=ROOT / "benchmarks").stdout
        r = json.loads(out.strip().splitlines()[-1])
        rows.append([f"{r['hours']:g}", f"{r['frames']:,}", r["index"], r["build_s"],
                     r["file_mb"], r["index_build_s"], r["index_load_s"],
                     f"{r['search_s'] * 1000:.1f}",
                     "-" if r["exact_search_s"] is None else f"{r['exact_search_s'] * 1000:.0f}",
                     "yes" if r["found"] else "NO", r["peak_rss_mb"], r["search_rss_mb"]])
        print(table(["hours", "frames", "index", "library build s", "file MB",
                     "index build s (first use)", "index load s (later runs)",
                     "search ms (60 s query)", "exact scan ms", "original found",
                     "peak RSS MB (build + search)", "peak RSS MB (new process: load + search)"],
                    rows), flush=True)


if __name__ == "__main__":
    main()
