"""The local stage in a library too large to compare a repost with every original (issue #11):
the keypoint index's candidates against comparing with every original, answer by answer.

In a library of more originals than it may examine (``MatchParams.local_max_references``), the
local-feature stage compares a repost with the originals whole frames saw as the same scene and
with those its keypoints vote for in the library's keypoint index (``library/index.py``). This
script verifies every query of the copy-detection set (main set and geometry block; made by
``copy_detection.py``) twice:

* **small**: its 3 originals (every original compared, as before);
* **large**: the same 3, DISTRACTORS generated videos registered with their keypoints (test
  sources of FFmpeg's lavfi, 20 s each, none of them the set's fractal or cellular footage), and
  fingerprint-only originals up to ORIGINALS in all: one still view each, a random hash (random
  hashes at every sample, as ``library_scale.py`` makes them, are chance same-scene neighbours
  of real queries; that is ``verify_scale.py``'s subject, not this one's).

It prints every answer that differs, the rank of each true original among the keypoint
candidates, the cost (verify CPU on each library, the index's build) and the votes' spread.
``--insets`` verifies instead each clip's registered footage with another clip laid over its
corner, from that clip's registered part or its part never registered, against both libraries
(the inset content stage: both originals should match, and nothing the repost does not show).

    python benchmarks/key_candidates.py [--originals 60] [--sweep | --camera-pieces 12 | --insets]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import copy_detection as cd
import numpy as np
from _common import WORK, ffmpeg, footage_clips, table
from local_stage import _answer

SET = WORK / "key-candidates"
# Generated footage with keypoints (no fractal or cellular automaton: the set's filler,
# picture-in-picture backgrounds and unrelated queries are those, and would be true matches).
DISTRACTORS = [
    "testsrc2=s=960x540:rate=25", "smptehdbars=s=960x540:rate=25",
    "rgbtestsrc=s=640x360:rate=25", "zoneplate=s=640x360:rate=25:ku=512:kv=100:kt2=10",
    "life=s=640x360:rate=25:ratio=0.2:seed=3:mold=10,format=yuv420p",
    "life=s=640x360:rate=25:ratio=0.6:seed=9,format=yuv420p",
    "gradients=s=960x540:rate=25:speed=0.02,noise=alls=20:allf=t",
    "testsrc=s=640x360:rate=25", "pal100bars=s=640x360:rate=25,rotate=0.1*t",
    "gradients=s=640x360:rate=25:c0=red:c1=blue:nb_colors=4:speed=0.05,boxblur=2",
    "testsrc2=s=640x360:rate=25,hue=h=90*t,scale=640:360,crop=480:270:80+60*sin(t):40",
    "smptebars=s=640x360:rate=25,noise=alls=30:allf=t+u",
]


def distractors() -> list[Path]:
    SET.mkdir(parents=True, exist_ok=True)
    made = []
    for number, source in enumerate(DISTRACTORS):
        out = SET / f"distractor-{number:02d}.mp4"
        if not out.exists():
            ffmpeg("-f", "lavfi", "-i", source, "-t", "20", "-c:v", "libx264",
                   "-preset", "veryfast", "-pix_fmt", "yuv420p", str(out))
        made.append(out)
    return made


def _library(path: Path, references: dict[str, Path], extra: list[Path], total: int) -> None:
    from provenance.library import Library
    from provenance.models import Original
    from provenance.registry import register
    from provenance.settings import load_settings

    settings = load_settings(db=path, cache_dir=path.parent / "cache")
    with Library(path, create=True) as library:
        for number in range(max(0, total - len(references) - len(extra))):
            library.add(Original(id=f"still-{number:03d}", sha256=f"{number:064x}",
                                 duration=60.0, fps=25.0, width=1280, height=720),
                        _still_view(number))
        for ref_id, file in [*references.items(), *((p.stem, p) for p in extra)]:
            register(str(file), Original(id=ref_id, source="bench"), library, settings)


def _still_view(seed: int, seconds: float = 60.0, rate: float = 4.0) -> Any:
    """The fingerprint of a still camera: one random scene hash throughout, nothing moving."""
    from provenance.models import Fingerprint

    rng = np.random.default_rng(seed)
    count = int(seconds * rate)
    scene = np.full(count, rng.integers(0, 2**63, dtype=np.uint64), np.uint64)
    return Fingerprint(times=np.arange(count) / rate, scene=scene, mirror=scene.copy(),
                       motion=np.zeros(count, np.uint64), motion_mirror=np.zeros(count, np.uint64),
                       motion_energy=np.zeros(count, np.float32),
                       informative=np.ones(count, bool), duration=seconds, width=1280,
                       height=720, native_fps=25.0, sample_fps=rate)


def _verify_all(db: Path, queries: list[cd.Query]) -> dict[str, Any]:
    from provenance.acquire import local_video
    from provenance.align import DEFAULT_PARAMS
    from provenance.library import Library
    from provenance.pipeline import verify_video
    from provenance.settings import load_settings

    answers: dict[str, Any] = {}
    settings = load_settings(db=db, cache_dir=db.parent / "cache")
    with Library(db) as library:
        library.index(DEFAULT_PARAMS.min_motion_energy)  # built before the first verify
        for query in queries:
            start = time.process_time()
            result = verify_video(local_video(str(query.path)), library, settings)
            answers[query.name] = {**_answer(result), "cpu": time.process_time() - start}
    return answers


def _features(queries: list[cd.Query]) -> dict[str, Any]:
    """Each query's local-stage frames as the stage sees them (their keypoints computed once)."""
    from provenance import geometry, provider

    return {q.name: geometry.QueryFeatures(
        provider.decode(str(q.path), 4.0, moments=False).local_frames) for q in queries}


def _ranks(index: Any, features: dict[str, Any], queries: list[cd.Query]
           ) -> tuple[list[int], list[float], list[float]]:
    """Rank of each true original among the keypoint candidates (0: not a candidate), the true
    originals' votes, and per query the best votes of an original that is not in it."""
    from provenance import refine
    from provenance.align import DEFAULT_PARAMS

    ranks, true_scores, chance = [], [], []
    for query in queries:
        frames = features[query.name]
        candidates = list(refine._key_candidates(index, frames, DEFAULT_PARAMS))
        truth = {t.reference_id for t in query.truth}
        for ref_id in truth:
            ranks.append(candidates.index(ref_id) + 1 if ref_id in candidates else 0)
        scores = refine._key_votes(index, frames)
        true_scores += [scores.get(r, 0.0) for r in truth]
        camera = query.name.split("/")[0]  # a same-camera query's own camera scores too
        others = [s for r, s in scores.items() if r not in truth and r != camera]
        chance.append(max(others, default=0.0))
    return ranks, true_scores, chance


def _index(db: Path) -> Any:
    """The large library's index as verify builds it, timed."""
    from provenance.align import DEFAULT_PARAMS
    from provenance.library import Library

    with Library(db) as library:
        start = time.process_time()
        index = library.index(DEFAULT_PARAMS.min_motion_energy)
        print(f"index built in {time.process_time() - start:.2f} s CPU "
              f"({len(library)} originals, keypoint index: {index.has_keys})")
    return index


# The --sweep grid: (KEYS_PER_KEYFRAME, KEY_MATCH_BITS, KEY_QUERY_FRAMES, KEY_QUERY_DESCRIPTORS,
# inverted file): the last rows search an inverted file, as a library of more than
# index.EXACT_MAX_CODES keypoint codes (about 32 originals with stored keypoints) does, with as
# many lists as 1,000 such originals get (1.5 M codes: 367), so that its 8 probes see the same
# share of them (2 %).
INVERTED_LISTS = 367
SWEEP = [(128, 50, 4, 500, False), (64, 50, 4, 500, False), (256, 50, 4, 500, False),
         (128, 40, 4, 500, False), (128, 60, 4, 500, False), (128, 50, 2, 500, False),
         (128, 50, 6, 500, False), (128, 50, 4, 250, False), (128, 50, 4, 1000, False),
         (128, 50, 4, 500, True), (256, 50, 4, 500, True)]


def sweep(db: Path, queries: list[cd.Query]) -> None:
    """The keypoint index's constants varied one at a time, the true originals' ranks and the
    search's CPU for each."""
    from provenance import refine
    from provenance.align import DEFAULT_PARAMS
    from provenance.library import FrameIndex, Library
    from provenance.library import index as index_module

    features = _features(queries)
    rows = []
    with Library(db) as library:
        ids = [o.id for o in library.list()]
        fingerprints = [library.fingerprint(i) for i in ids]
        exact, per_root = index_module.EXACT_MAX_CODES, index_module.IVF_LISTS_PER_ROOT
        for kept, bits, frames, descriptors, inverted in SWEEP:
            index_module.KEYS_PER_KEYFRAME, index_module.KEY_MATCH_BITS = kept, bits
            refine.KEY_QUERY_FRAMES, refine.KEY_QUERY_DESCRIPTORS = frames, descriptors
            index_module.EXACT_MAX_CODES = 1_000 if inverted else exact
            codes = sum(len(library._key_sample(i)) for i in ids)
            index_module.IVF_LISTS_PER_ROOT = (INVERTED_LISTS / np.sqrt(codes) if inverted
                                               else per_root)
            index = FrameIndex.build(ids, fingerprints, DEFAULT_PARAMS.min_motion_energy,
                                     [library._key_sample(i) for i in ids])
            start = time.process_time()
            ranks, true_scores, chance = _ranks(index, features, queries)
            rows.append([kept, bits, frames, descriptors, "inverted file" if inverted else "exact",
                         sum(r == 1 for r in ranks),
                         sum(r > 0 for r in ranks), len(ranks), max(ranks),
                         f"{min(true_scores):.1f}", f"{statistics.median(chance):.1f}",
                         f"{(time.process_time() - start) / len(queries) * 1000:.0f}"])
    print(table(["kept per keyframe", "match bits", "query frames", "descriptors per frame",
                 "search", "true first", "true among candidates", "true pairs", "worst rank",
                 "true votes, min", "best other, median", "ms CPU per query (votes twice)"],
                rows))


# --insets: one registered original's footage laid over another's, framed, in the top right
# corner at these widths (shares of the frame's; a broadcaster's inset, as the desk audit's
# covered 10-16 % of the frame), 12 s of each from the registered part.
INSET_WIDTHS = (0.3, 0.4)
INSET_SECONDS = 12.0


def inset_queries(clips: list[Path], references: dict[str, Path]) -> list[cd.Query]:
    """For every ordered pair of the clips and each INSET_WIDTHS, the second's footage laid
    over the first's registered footage (a whole-frame match beneath, a picture-in-picture
    above): from its registered part, and from its part never registered (another moment of
    that camera: its original must not be matched)."""
    queries = []
    for under in clips:
        start_under = round(cd.duration(references[under.stem]) * 0.3, 2)
        for over in (c for c in clips if c != under):
            registered = cd.duration(references[over.stem])
            later = round(registered + (cd.duration(over) - registered) * 0.2, 2)
            for width in INSET_WIDTHS:
                for start_over, moment in ((round(registered * 0.2, 2), ""),
                                           (later, ", other moment")):
                    name = f"{over.stem}{moment} at {round(width * 100)} % over {under.stem}"
                    path = cd.encode(
                        SET / (re.sub(r"[^a-z0-9]+", "-", name) + ".mp4"),
                        "-ss", str(start_under), "-t", str(INSET_SECONDS), "-i", str(under),
                        "-ss", str(start_over), "-t", str(INSET_SECONDS), "-i", str(over),
                        "-filter_complex",
                        f"[0:v]scale=960:540,setsar=1[b];[1:v]scale="
                        f"{round(960 * width / 2) * 2}:-2,pad=iw+4:ih+4:2:2:white[s];"
                        "[b][s]overlay=W-w-16:16:shortest=1")
                    truth = [cd.Truth(under.stem, 0.0, INSET_SECONDS, start_under,
                                      start_under + INSET_SECONDS)]
                    if not moment:
                        truth.append(cd.Truth(over.stem, 0.0, INSET_SECONDS, start_over,
                                              start_over + INSET_SECONDS))
                    queries.append(cd.Query(name, "inset" + moment, path, truth,
                                            same_camera=bool(moment)))
    return queries


def insets(references: dict[str, Path], extra: list[Path], total: int) -> None:
    """The inset queries against the 3 originals and the large library: their verdicts, and
    whether each original was matched (the inset's in a region) at its true offset."""
    queries = inset_queries(footage_clips(), references)
    with tempfile.TemporaryDirectory() as folder:
        small, large = Path(folder) / "small.db", Path(folder) / "large.db"
        _library(small, references, [], 0)
        _library(large, references, extra, total)
        answers = {"3": _verify_all(small, queries), str(total): _verify_all(large, queries)}
    rows = []
    for query in queries:
        cells: list[object] = [query.name]
        for found in answers.values():
            answer = found[query.name]
            cells += [answer["verdict"], _truths_found(query, answer),
                      " ".join(_false_matches(query, answer)), f"{answer['cpu']:.2f}"]
        rows.append(cells)
    print(table(["query", *(f"{h}, {size} originals" for size in answers
                            for h in ("verdict", "truths matched", "false matches", "CPU s"))],
                rows))
    for size, found in answers.items():
        registered = [q for q in queries if not q.same_camera]
        other = [q for q in queries if q.same_camera]
        print(f"{size} originals: both originals matched in "
              f"{sum(_truths_found(q, found[q.name]) == 2 for q in registered)} of "
              f"{len(registered)}; the one beneath an other moment's inset in "
              f"{sum(_truths_found(q, found[q.name]) == 1 for q in other)} of {len(other)}; "
              f"false matches in {sum(bool(_false_matches(q, found[q.name])) for q in queries)}"
              f" of {len(queries)}; verify CPU {sum(a['cpu'] for a in found.values()):.1f} s")


def _false_matches(query: cd.Query, answer: dict[str, Any]) -> list[str]:
    """The originals matched that are not in the query."""
    truth = {t.reference_id for t in query.truth}
    return sorted({m["ref"] for m in answer["matches"]} - truth)


def _truths_found(query: cd.Query, answer: dict[str, Any]) -> int:
    """How many of the query's true originals are matched at their true offset (within 0.5 s)
    over at least half of their time."""
    count = 0
    for truth in query.truth:
        lined_up = sum(q1 - q0 for m in answer["matches"] if m["ref"] == truth.reference_id
                       for q0, q1, r0, _, _ in m["segments"]
                       if abs((r0 - q0) - (truth.reference_start - truth.query_start)) < 0.5)
        count += lined_up >= 0.5 * (truth.query_end - truth.query_start)
    return count


CAMERA = "one-by-one-person-detection"


def same_camera(pieces: int, references: dict[str, Path], queries: list[cd.Query],
                extra: list[Path], total: int) -> None:
    """CAMERA's original registered as ``pieces`` consecutive originals (a camera's archive
    kept as several files), its queries verified against that library and the 3-original one:
    whether the piece their truth lies in is among the keypoint candidates, and the verdicts."""
    from provenance import refine
    from provenance.align import DEFAULT_PARAMS

    whole = references[CAMERA]
    length = cd.duration(whole) / pieces
    cut = {f"{CAMERA}-part-{k:02d}": cd.encode(SET / f"piece-{pieces}-{k:02d}.mp4", "-ss",
                                           f"{k * length:.3f}", "-t", f"{length:.3f}", "-i",
                                           str(whole), "-crf", "18")
           for k in range(pieces)}
    mine = [q for q in queries if any(t.reference_id == CAMERA for t in q.truth)]

    def truth(query: cd.Query) -> set[str]:
        return {f"{CAMERA}-part-{k:02d}" for t in query.truth if t.reference_id == CAMERA
                for k in range(pieces)
                if min(t.reference_end, (k + 1) * length) - max(t.reference_start, k * length)
                >= 1.0}

    with tempfile.TemporaryDirectory() as folder:
        small, large = Path(folder) / "small.db", Path(folder) / "large.db"
        _library(small, references, [], 0)
        _library(large, {**{r: p for r, p in references.items() if r != CAMERA}, **cut},
                 extra, total)
        index, features = _index(large), _features(mine)
        before, after = _verify_all(small, mine), _verify_all(large, mine)
    rows = []
    for query in mine:
        candidates = list(refine._key_candidates(index, features[query.name], DEFAULT_PARAMS))
        ranks = [candidates.index(t) + 1 if t in candidates else 0 for t in sorted(truth(query))]
        matched = {m["ref"] for m in after[query.name]["matches"]}
        rows.append([query.name, before[query.name]["verdict"], after[query.name]["verdict"],
                     "yes" if matched & truth(query) else "no" if matched else "",
                     " ".join(str(r) for r in ranks)])
    print(table(["query", "verdict, 3 originals", f"verdict, {CAMERA} in {pieces} pieces",
                 "a true piece matched", "true pieces' ranks among the candidates (0: none)"],
                rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--originals", type=int, default=60,
                        help="originals in the large library (default 60; 15: a library the "
                             "stage once scanned in library order)")
    parser.add_argument("--sweep", action="store_true",
                        help="vary the keypoint index's constants instead (ranks only)")
    parser.add_argument("--camera-pieces", type=int, default=0, metavar="N",
                        help=f"register {CAMERA} as N consecutive originals instead (a "
                             "camera's archive in several files) and verify its queries")
    parser.add_argument("--insets", action="store_true",
                        help="verify one original laid over another instead (the inset "
                             "content stage in the large library)")
    args = parser.parse_args()
    from provenance import refine
    from provenance.align import DEFAULT_PARAMS

    if args.originals <= DEFAULT_PARAMS.local_max_references:
        sys.exit("--originals must exceed what the local stage may examine "
                 f"({DEFAULT_PARAMS.local_max_references})")
    references, queries = cd.build_set(footage_clips())
    extra = distractors()
    if args.camera_pieces:
        same_camera(args.camera_pieces, references, queries, extra, args.originals)
        return
    if args.insets:
        insets(references, extra, args.originals)
        return
    with tempfile.TemporaryDirectory() as folder:
        small, large = Path(folder) / "small.db", Path(folder) / "large.db"
        _library(small, references, [], 0)
        _library(large, references, extra, args.originals)
        if args.sweep:
            sweep(large, queries)
            return
        # (run from an export of code without the keypoint index, the answers alone)
        ranks, true_scores, chance = (_ranks(_index(large), _features(queries), queries)
                                      if hasattr(refine, "_key_candidates") else ([], [], []))
        before = _verify_all(small, queries)
        after = _verify_all(large, queries)
    changed = 0
    for name, answer in before.items():
        for field in ("verdict", "matches", "same_scene", "unexplained"):
            if answer[field] != after[name][field]:
                changed += 1
                print(f"{name}: {field}\n  small {answer[field]}\n  large {after[name][field]}")
                break
    print(f"\n{changed} of {len(before)} answers differ between the libraries\n")
    rows = []
    for block, geometry in (("main set", False), ("geometry block", True)):
        chosen = [q.name for q in queries if cd.is_geometry(q) == geometry]
        rows.append([f"{block} ({len(chosen)})",
                     f"{sum(before[n]['cpu'] for n in chosen):.2f}",
                     f"{sum(after[n]['cpu'] for n in chosen):.2f}",
                     sum(before[n]["verdict"] != after[n]["verdict"] for n in chosen)])
    print(table(["queries", "verify CPU s, 3 originals", f"verify CPU s, {args.originals}",
                 "verdicts changed"], rows))
    if not ranks:
        return
    found = [r for r in ranks if r]
    print(f"true originals among the keypoint candidates: {len(found)} of {len(ranks)} "
          f"(rank 1: {sum(r == 1 for r in ranks)}, worst rank {max(found, default=0)})")
    print(f"true originals' votes: min {min(true_scores):.1f}, median "
          f"{statistics.median(true_scores):.1f}; best other original per query: median "
          f"{statistics.median(chance):.1f}, max {max(chance):.1f}; unrelated queries' best: "
          + ", ".join(f"{c:.1f}" for q, c in zip(queries, chance, strict=True)
                      if q.kind == "unrelated"))


if __name__ == "__main__":
    main()
