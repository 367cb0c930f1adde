"""Time alignment: which originals a query shows, where, and what is left unexplained.

A single frame's hash never decides. Query and reference samples are compared all against all;
pairs that agree both in scene hash and in motion hash vote for a time offset (reference time minus
query time). The strongest offset is followed along the query to cut segments, those query samples
are set aside, and the vote repeats until no offset has enough support: a montage of several
originals in any order comes out as several segments. A fixed camera's static background makes the
scene hash agree at every offset; only the motion hash (what changed since the previous sample)
pins the moment, which is how "same footage" is told from "same camera, different moment".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .models import Alignment, Fingerprint, Segment, Verdict

# Scene hashes (64-bit pHash) closer than this are the same view. benchmarks/fingerprint_robustness
# (shared CCTV footage, 8 edits): time-aligned frames sit at p95 <= 2 bits for re-encode,
# downscale, mirror, colour, grayscale and 9:16 reframes, p95 16 with a caption and logo; the
# nearest frame of another clip at p5 18. The radius is the largest below that. (A 15 % crop,
# p95 24, is beyond whole-frame hashes.) The same camera at another moment is 0-6 bits away:
# the scene hash cannot tell moments apart, the motion hash does.
SCENE_RADIUS = 16
# Motion hashes closer than this agree on what moved. Same benchmark, frames where something
# moves: aligned p95 18-24 bits per frame, while the nearest other moment of the same camera is
# at p5 4-6, so a single pair is weak evidence; over 2 s the median distance at the true offset
# is p95 8-12 against p5 15 at the best wrong offset, which is why offsets are voted on.
MOTION_RADIUS = 16
# Below this mean absolute change (grey levels, 32x32 thumbs) nothing moved and the motion hash is
# compression noise: such a sample neither confirms nor contradicts a moment. Compression noise on
# a static view measured 0.05-0.15.
MIN_MOTION_ENERGY = 0.2
# A pair whose motion hashes differ by this much, both moving, contradicts the offset.
MOTION_CONTRADICTION = 24
# Evidence needed: motion-confirmed samples at one offset, and segment length.
MIN_CONFIRMED = 3
MIN_SEGMENT_S = 1.0
# Inside a segment, inconsistent samples spanning at most this long are bridged (a caption flash,
# a dropped frame); a longer run of them ends the segment.
MAX_GAP_S = 1.0
# A reference is "same scene" when at least this share of the query's informative samples has a
# scene-hash neighbour in it.
SAME_SCENE_SHARE = 0.5
# Shortest query worth a verdict, and fewest informative samples.
MIN_QUERY_S = 2.0
MIN_INFORMATIVE = 6
# Playback speeds tried (reference seconds per query second): sped-up, slowed and frame-rate
# changed copies, 0.5x to 2x, about 12 % apart; the best is then refined in steps of 0.01.
# A tie goes to the speed closest to 1 (an unedited copy is the likelier explanation).
SPEEDS = (0.5, 0.56, 0.63, 0.71, 0.8, 0.89, 1.0, 1.12, 1.25, 1.4, 1.6, 1.8, 2.0)
_SPEED_REFINE = np.round(np.arange(-0.06, 0.0601, 0.01), 2)
# The search stops after this many supported mappings in a row gave no segment: what is left is
# chance agreement (a fixed camera's other moments offer many weak ones).
MAX_EMPTY_MAPPINGS = 6


@dataclass(frozen=True)
class AlignResult:
    """The outcome of aligning one query against candidate references."""

    verdict: Verdict
    confidence: float
    reason: str
    matches: tuple[Alignment, ...]
    same_scene: tuple[Alignment, ...]
    unexplained: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class _Pairing:
    """Distance matrices between query samples and one reference, in one orientation."""

    reference_id: str
    mirrored: bool
    scene: np.ndarray
    motion: np.ndarray
    moving: np.ndarray
    ref: Fingerprint
    # The (query row, reference column) pairs that agree in scene and in motion, and the motion
    # distance of each: the votes, computed once.
    rows: np.ndarray
    cols: np.ndarray
    pair_motion: np.ndarray


def _hamming_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.bitwise_count(np.bitwise_xor(a[:, None], b[None, :])).astype(np.uint8)


def _pairings(query: Fingerprint, ref_id: str, ref: Fingerprint) -> list[_Pairing]:
    moving = (query.motion_energy[:, None] >= MIN_MOTION_ENERGY) & (
        ref.motion_energy[None, :] >= MIN_MOTION_ENERGY
    )
    usable = query.informative[:, None] & ref.informative[None, :]
    result = []
    for mirrored, scene_q, motion_q in (
        (False, query.scene, query.motion),
        (True, query.mirror, query.motion_mirror),
    ):
        scene = np.where(usable, _hamming_matrix(scene_q, ref.scene), 64).astype(np.uint8)
        motion = _hamming_matrix(motion_q, ref.motion)
        rows, cols = np.nonzero((scene <= SCENE_RADIUS) & (motion <= MOTION_RADIUS) & moving)
        result.append(_Pairing(ref_id, mirrored, scene, motion, moving & usable, ref, rows, cols,
                               motion[rows, cols]))
    return result


def _best_offset(
    pairing: _Pairing, query_times: np.ndarray, active: np.ndarray, speed: float, step: float
) -> tuple[float, int]:
    """Most supported offset and its support (distinct query samples confirming it)."""
    keep = active[pairing.rows]
    rows, cols, motion = pairing.rows[keep], pairing.cols[keep], pairing.pair_motion[keep]
    if rows.size == 0:
        return 0.0, 0
    offsets = pairing.ref.times[cols] - speed * query_times[rows]
    bins = np.round(offsets / step).astype(np.int64)
    low = bins.min() - 1
    # One vote per query sample per bin, smeared over neighbouring bins to absorb the sampling
    # phase between query and reference.
    keys = np.unique(rows.astype(np.int64) * (bins.max() - low + 2) + (bins - low))
    voted_bins = keys % (bins.max() - low + 2)
    counts = np.bincount(voted_bins, minlength=int(bins.max() - low + 2))
    smeared = counts + np.roll(counts, 1) + np.roll(counts, -1)
    peak = int(np.argmax(smeared))
    near = np.flatnonzero(np.abs((bins - low) - peak) <= 1)
    # Each query sample contributes the offset of its closest motion match near the peak, so
    # neighbouring reference samples (whose motion is similar) do not pull the estimate.
    order = np.lexsort((np.abs(bins[near] - low - peak), motion[near], rows[near]))
    first = near[order][np.r_[True, np.diff(rows[near][order]) != 0]]
    return float(np.median(offsets[first])), int(first.size)


def _follow(
    pairing: _Pairing, query_times: np.ndarray, active: np.ndarray, offset: float, speed: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per query sample, along the mapping: consistent, confirmed, contradicted, and the scene
    distance to the nearest reference sample."""
    ref_times = pairing.ref.times
    predicted = speed * query_times + offset
    nearest = np.clip(np.searchsorted(ref_times, predicted), 0, len(ref_times) - 1)
    around = np.clip(nearest[:, None] + np.array([-1, 0, 1])[None, :], 0, len(ref_times) - 1)
    rows = np.arange(len(query_times))[:, None]
    scene = pairing.scene[rows, around].min(axis=1)
    motion = pairing.motion[rows, around].min(axis=1)
    moving = pairing.moving[rows, around].any(axis=1)
    inside = (predicted >= ref_times[0] - 0.5) & (predicted <= ref_times[-1] + 0.5)
    consistent = inside & active & (scene <= SCENE_RADIUS)
    confirmed = consistent & moving & (motion <= MOTION_RADIUS)
    contradicted = consistent & moving & (motion >= MOTION_CONTRADICTION)
    return consistent, confirmed, contradicted, pairing.scene[rows[:, 0], nearest]


def _runs(mask: np.ndarray, times: np.ndarray, max_gap: float) -> list[tuple[int, int]]:
    """Index ranges [first, last] of True samples, bridging gaps up to max_gap seconds."""
    indices = np.flatnonzero(mask)
    if indices.size == 0:
        return []
    runs = []
    start = prev = int(indices[0])
    for index in indices[1:]:
        index = int(index)
        if times[index] - times[prev] > max_gap + 1e-6:
            runs.append((start, prev))
            start = index
        prev = index
    runs.append((start, prev))
    return runs


def _segments(
    pairing: _Pairing,
    query: Fingerprint,
    active: np.ndarray,
    offset: float,
    speed: float,
) -> tuple[list[Segment], np.ndarray]:
    step = 1.0 / query.sample_fps
    consistent, confirmed, contradicted, nearest_scene = _follow(
        pairing, query.times, active, offset, speed
    )
    segments: list[Segment] = []
    used = np.zeros(len(query), dtype=bool)
    for first, last in _runs(consistent, query.times, MAX_GAP_S):
        span = slice(first, last + 1)
        n_confirmed = int(confirmed[span].sum())
        n_contradicted = int(contradicted[span].sum())
        start, end = float(query.times[first]), float(query.times[last] + step)
        if (
            end - start < MIN_SEGMENT_S
            or n_confirmed < MIN_CONFIRMED
            or n_contradicted > n_confirmed
        ):
            continue
        similarity = 1.0 - float(np.median(nearest_scene[span])) / 32.0
        segments.append(
            Segment(
                reference_id=pairing.reference_id,
                query_start=round(start, 3),
                query_end=round(end, 3),
                reference_start=round(max(0.0, speed * start + offset), 3),
                reference_end=round(min(pairing.ref.duration, speed * end + offset), 3),
                speed=speed,
                mirrored=pairing.mirrored,
                evidence=n_confirmed,
                similarity=round(max(0.0, similarity), 3),
            )
        )
        used[span] = True
    return segments, used & active


def _evidence_score(confirmed: int) -> float:
    """Map confirmed samples to [0, 1): 3 samples -> 0.31, 10 -> 0.71, 20 -> 0.92."""
    return 1.0 - float(np.exp(-confirmed / 8.0))


def _intervals(mask: np.ndarray, times: np.ndarray, step: float) -> list[tuple[float, float]]:
    return [
        (round(float(times[a]), 3), round(float(times[b] + step), 3))
        for a, b in _runs(mask, times, step * 1.5)
    ]


def _same_scene(
    query: Fingerprint, pairings: list[_Pairing], matched_ids: set[str]
) -> list[Alignment]:
    informative = max(1, int(query.informative.sum()))
    shares: dict[str, float] = {}
    for pairing in pairings:
        near = (pairing.scene <= SCENE_RADIUS).any(axis=1) & query.informative
        share = float(near.sum()) / informative
        shares[pairing.reference_id] = max(shares.get(pairing.reference_id, 0.0), share)
    return [
        Alignment(reference_id=ref_id, score=round(share, 3), segments=())
        for ref_id, share in sorted(shares.items(), key=lambda kv: -kv[1])
        if share >= SAME_SCENE_SHARE and ref_id not in matched_ids
    ]


def _edits(segments: list[Segment]) -> tuple[str, ...]:
    edits = []
    if any(s.mirrored for s in segments):
        edits.append("mirrored")
    if any(abs(s.speed - 1.0) > 0.02 for s in segments):
        edits.append("speed")
    return tuple(edits)


def _strongest_mapping(
    pairings: list[_Pairing], query: Fingerprint, active: np.ndarray, step: float,
    tried: set[tuple[int, int, float]],
) -> tuple[int, float, float] | None:
    """(pairing number, offset, speed) with the most support not tried yet, or None; it is
    marked as tried."""
    best: tuple[tuple[int, float], int, float, float] | None = None
    for number, pairing in enumerate(pairings):
        for speed in SPEEDS:
            offset, support = _best_offset(pairing, query.times, active, speed, step)
            rank = (support, -abs(np.log(speed)))
            if support >= MIN_CONFIRMED and (number, round(offset / step), speed) not in tried \
                    and (best is None or rank > best[0]):
                best = (rank, number, offset, speed)
    if best is None:
        return None
    _, number, offset, speed = best
    tried.add((number, round(offset / step), speed))
    if speed != 1.0:
        speed, offset = _refine_speed(pairings[number], query, active, step, speed, offset)
    return number, offset, speed


def _refine_speed(pairing: _Pairing, query: Fingerprint, active: np.ndarray, step: float,
                  speed: float, offset: float) -> tuple[float, float]:
    """The speed within +-0.06 of ``speed`` (steps of 0.01) that the most samples confirm."""
    best = (-1, 0.0, speed, offset)
    for delta in _SPEED_REFINE:
        candidate = round(speed + float(delta), 2)
        found_offset, support = _best_offset(pairing, query.times, active, candidate, step)
        rank = (support, -abs(float(delta)))
        if rank > best[:2]:
            best = (support, -abs(float(delta)), candidate, found_offset)
    return best[2], best[3]


def align(query: Fingerprint, references: Mapping[str, Fingerprint]) -> AlignResult:
    """Align a query against candidate references and decide a verdict."""
    if query.duration < MIN_QUERY_S:
        return _inconclusive(f"the query lasts {query.duration:.1f} s; "
                             f"at least {MIN_QUERY_S:g} s are needed")
    if int(query.informative.sum()) < MIN_INFORMATIVE:
        return _inconclusive("almost every frame is black, flat or faded")
    step = 1.0 / query.sample_fps
    pairings = [p for ref_id, ref in references.items() for p in _pairings(query, ref_id, ref)]
    active = query.informative.copy()
    found: dict[str, list[Segment]] = {}
    tried: set[tuple[int, int, float]] = set()
    failures = 0
    while active.any() and failures < MAX_EMPTY_MAPPINGS:
        best = _strongest_mapping(pairings, query, active, step, tried)
        if best is None:
            break
        number, offset, speed = best
        segments, used = _segments(pairings[number], query, active, offset, speed)
        failures = 0 if segments else failures + 1
        found.setdefault(pairings[number].reference_id, []).extend(segments)
        active &= ~used
    matches = [
        Alignment(
            reference_id=ref_id,
            score=round(_evidence_score(sum(s.evidence for s in segs)), 3),
            segments=tuple(sorted(segs, key=lambda s: s.query_start)),
            edits=_edits(segs),
        )
        for ref_id, segs in found.items()
        if segs
    ]
    matches.sort(key=lambda a: -a.score)
    same_scene = _same_scene(query, pairings, {m.reference_id for m in matches})
    unexplained = _intervals(active & query.informative, query.times, step)
    return _decide(query, matches, same_scene, unexplained)


def _inconclusive(reason: str) -> AlignResult:
    return AlignResult(Verdict.INCONCLUSIVE, 0.0, reason, (), (), ())


def _decide(
    query: Fingerprint,
    matches: list[Alignment],
    same_scene: list[Alignment],
    unexplained: list[tuple[float, float]],
) -> AlignResult:
    if matches:
        covered = sum(s.query_end - s.query_start for m in matches for s in m.segments)
        reason = (f"{covered:.1f} s of {query.duration:.1f} s line up in time with "
                  f"{len(matches)} registered original(s)")
        return AlignResult(Verdict.MATCH, max(m.score for m in matches), reason,
                           tuple(matches), tuple(same_scene), tuple(unexplained))
    if same_scene:
        reason = ("the view matches a registered camera, but what happens in it does not line up "
                  "with the registered footage: same place, different moment")
        return AlignResult(Verdict.SAME_SCENE, same_scene[0].score, reason, (),
                           tuple(same_scene), tuple(unexplained))
    return AlignResult(Verdict.NO_MATCH, 0.0, "nothing in the library explains this footage",
                       (), (), tuple(unexplained))


def _subtract(intervals: tuple[tuple[float, float], ...],
              covered: list[tuple[float, float]]) -> tuple[tuple[float, float], ...]:
    """The parts of ``intervals`` not inside any ``covered`` interval (shorter than one second
    dropped)."""
    result: list[tuple[float, float]] = []
    for start, end in intervals:
        pieces = [(start, end)]
        for c_start, c_end in covered:
            pieces = [p for a, b in pieces for p in ((a, min(b, c_start)), (max(a, c_end), b))
                      if p[1] - p[0] > 1e-6]
        result.extend((round(a, 3), round(b, 3)) for a, b in pieces if b - a >= 1.0)
    return tuple(result)


def with_extra_matches(result: AlignResult, extra: list[Alignment],
                       query: Fingerprint) -> AlignResult:
    """The result with alignments found by a later stage (e.g. on cropped regions) added:
    segments only where the first stage left the query unexplained."""
    unexplained = result.unexplained
    kept: list[Alignment] = []
    for alignment in extra:
        segments = tuple(s for s in alignment.segments if any(
            min(s.query_end, b) - max(s.query_start, a) > 0.5 * (s.query_end - s.query_start)
            for a, b in unexplained))
        if segments:
            kept.append(Alignment(alignment.reference_id, alignment.score, segments,
                                  alignment.edits))
            unexplained = _subtract(unexplained, [(s.query_start, s.query_end)
                                                  for s in segments])
    if not kept:
        return result
    matches = list(result.matches)
    for alignment in kept:
        same = next((i for i, m in enumerate(matches)
                     if m.reference_id == alignment.reference_id), None)
        if same is None:
            matches.append(alignment)
        else:
            m = matches[same]
            matches[same] = Alignment(m.reference_id, max(m.score, alignment.score),
                                      tuple(sorted(m.segments + alignment.segments,
                                                   key=lambda s: s.query_start)),
                                      tuple(dict.fromkeys(m.edits + alignment.edits)))
    matches.sort(key=lambda a: -a.score)
    ids = {m.reference_id for m in matches}
    same_scene = [a for a in result.same_scene if a.reference_id not in ids]
    return _decide(query, matches, same_scene, list(unexplained))
