"""Is a keyframe-only first pass worth it for candidate search?

The idea: decode only the keyframes of a query (``skip_frame = NONKEY``), hash them, and ask the
library's index for candidates; fingerprint the query fully only when there are some. It pays
when most queries have no candidate and the keyframe pass is much cheaper than the fingerprint;
it costs recall when a true copy's keyframes find no neighbour.

On the copy-detection set (benchmarks/copy_detection.py builds it; run that first), with a
library of its originals fingerprinted by the fast decoder, measures per query, interleaved:
CPU of the keyframe pass and of the fast fingerprint, keyframes found, and whether the
keyframe pass and the full fingerprint (the pipeline's own candidate step) name the true
original as a candidate (and any other original). Also the CPU of both on the speed clips.

    python benchmarks/keyframe_pass.py

Outcome (benchmarks/README.md): not built into `verify`; see there for the figures and why.
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

import av
import numpy as np
from _common import WORK, footage_clips, table, timed_cpu
from copy_detection import SET, build_set

from provenance.align import SCENE_RADIUS
from provenance.decode import luma
from provenance.fingerprint import fingerprint_video, phash_batch
from provenance.frames import border_box, shrink
from provenance.library import Library
from provenance.models import Original
from provenance.pipeline import candidates
from provenance.registry import register
from provenance.settings import DEFAULT_SAMPLE_FPS, load_settings


def keyframe_hashes(path: Path) -> np.ndarray:
    """Scene and mirror pHashes of the keyframes only."""
    thumbs = []
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.codec_context.skip_frame = "NONKEY"
        for frame in container.decode(stream):
            grey = luma(frame)
            top, bottom, left, right = border_box(grey)
            thumbs.append(shrink(grey[top:bottom, left:right]))
    if not thumbs:
        return np.zeros(0, dtype=np.uint64)
    scene, mirror = phash_batch(np.stack(thumbs))
    return np.concatenate([scene, mirror])


def keyframe_candidates(hashes: np.ndarray, library: Library) -> set[str]:
    return set(library.index().candidates(hashes, SCENE_RADIUS)) if len(hashes) else set()


def main() -> None:
    clips = footage_clips()
    references, queries = build_set(clips)
    rows, cpu_key, cpu_full = [], [], []
    found_key = found_full = true_total = 0
    empty_key = empty_full = 0
    with tempfile.TemporaryDirectory() as folder:
        settings = load_settings(db=Path(folder) / "lib.db", cache_dir=Path(folder) / "c")
        with Library(settings.db, create=True) as library:
            for ref_id, path in references.items():
                register(str(path), Original(id=ref_id), library, settings)
            for query in queries:
                key_s, _, hashes = timed_cpu(lambda q=query: keyframe_hashes(q.path))
                full_s, _, fp = timed_cpu(
                    lambda q=query: fingerprint_video(str(q.path), DEFAULT_SAMPLE_FPS))
                cpu_key.append(key_s)
                cpu_full.append(full_s)
                by_key = keyframe_candidates(hashes, library)
                by_full = set(candidates(fp, library))
                truth = {t.reference_id for t in query.truth}
                true_total += len(truth)
                found_key += len(truth & by_key)
                found_full += len(truth & by_full)
                empty_key += not by_key
                empty_full += not by_full
                rows.append([query.name, len(hashes) // 2, f"{key_s:.3f}", f"{full_s:.3f}",
                             f"{len(truth & by_key)}/{len(truth)}",
                             f"{len(truth & by_full)}/{len(truth)}",
                             len(by_key - truth), len(by_full - truth)])
    print(table(["query", "keyframes", "keyframe pass CPU s", "fingerprint CPU s",
                 "true original found (keyframes)", "found (fingerprint)",
                 "other candidates (keyframes)", "other candidates (fingerprint)"], rows))
    print(f"\n{len(queries)} queries: true (query, original) pairs found as candidates: "
          f"keyframe pass {found_key}/{true_total}, full fingerprint {found_full}/{true_total}; "
          f"queries with no candidate: keyframe pass {empty_key}, fingerprint {empty_full}")
    print(f"CPU over the set: keyframe pass {sum(cpu_key):.2f} s, fingerprints "
          f"{sum(cpu_full):.2f} s (median per query {statistics.median(cpu_key):.3f} s against "
          f"{statistics.median(cpu_full):.3f} s)")
    speed_rows = []
    for clip in [*clips, WORK / "footage-1080p30-60s.mp4"]:
        if not clip.exists():
            continue
        key = statistics.median(timed_cpu(lambda c=clip: keyframe_hashes(c))[0] for _ in range(3))
        full = statistics.median(
            timed_cpu(lambda c=clip: fingerprint_video(str(c), DEFAULT_SAMPLE_FPS))[0]
            for _ in range(3))
        speed_rows.append([clip.name, f"{key:.3f}", f"{full:.3f}", f"{key / full:.2f}"])
    print()
    print(table(["clip", "keyframe pass CPU s", "fast fingerprint CPU s", "ratio"], speed_rows))
    print(f"(set in {SET})")


if __name__ == "__main__":
    main()
