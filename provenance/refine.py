"""The second matching stage: what whole-frame hashes cannot see, and edits seen in pixels.

Where the query is left unexplained, local features find an original shown inside part of the
frame (picture-in-picture) or cropped out of it, and the overlapping regions are fingerprinted
and aligned in time again. For whole-frame matches, frames of the query and the original at the
matched times are compared for grayscale and overlays. Both re-read the original's file.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any

from .align import AlignResult, align, with_extra_matches
from .errors import ProvenanceError
from .fingerprint import fingerprint_video
from .library import Library
from .models import Alignment, Fingerprint, Verdict
from .settings import Settings

# The local-feature stage runs when at least this much of the query is unexplained, against at
# most LOCAL_MAX_REFERENCES originals: those seen as the same scene first, then (in a library of
# at most LOCAL_SCAN_LIBRARY originals) every other one. It reads the originals' files again.
LOCAL_MIN_UNEXPLAINED_S = 2.0
LOCAL_MAX_REFERENCES = 8
LOCAL_SCAN_LIBRARY = 50
LOCAL_FRAMES = 4
# Original frames compared with each repost frame: keypoints on moving people and vehicles only
# match at the same moment, so the original is looked at in many places.
LOCAL_REFERENCE_FRAMES = 12


def _spread(intervals: list[tuple[float, float]], count: int) -> list[float]:
    total = sum(b - a for a, b in intervals)
    times = []
    for k in range(count):
        target = total * (k + 0.5) / count
        for a, b in intervals:
            if target <= b - a:
                times.append(round(a + target, 3))
                break
            target -= b - a
    return times


def _frames(path: str, times: list[float]) -> list[Any]:
    from . import frames

    try:
        with frames.VideoStream(path) as stream:
            return list(stream.frames_at(times).values())
    except ProvenanceError:
        return []


def _describe(overlap: Any) -> tuple[str, ...]:
    def box(b: tuple[float, float, float, float]) -> str:
        return f"x {b[0]:.0%}-{b[2]:.0%}, y {b[1]:.0%}-{b[3]:.0%}"

    def area(b: tuple[float, float, float, float]) -> float:
        return (b[2] - b[0]) * (b[3] - b[1])

    edits = []
    if area(overlap.query_box) < 0.9:
        edits.append(f"picture-in-picture: the original fills {box(overlap.query_box)} "
                     "of the frame")
    if area(overlap.reference_box) < 0.9:
        edits.append(f"cropped/reframed: keeps {area(overlap.reference_box):.0%} of the "
                     f"original ({box(overlap.reference_box)})")
    if overlap.mirrored:
        edits.append("mirrored")
    return tuple(edits)


# Frame pairs compared per matched original to see grayscale and overlays.
EDIT_PAIRS = 3


def with_picture_edits(path: str, alignment: Alignment, lib: Library) -> Alignment:
    """The alignment with edits seen by comparing its frames to the original's (whole-frame
    matches only: regions found by local features are not registered pixel to pixel)."""
    from . import frames, geometry

    original = lib.get(alignment.reference_id)
    if not original.file or not os.path.isfile(original.file) or any(
            e.startswith(("picture-in-picture", "cropped")) for e in alignment.edits):
        return alignment
    chosen = sorted(alignment.segments, key=lambda s: s.query_start - s.query_end)[:EDIT_PAIRS]
    q_times = [round((s.query_start + s.query_end) / 2, 3) for s in chosen]
    r_times = [round((s.reference_start + s.reference_end) / 2, 3) for s in chosen]
    try:
        with frames.VideoStream(path, colour=True) as stream:
            queries = stream.frames_at(q_times)
        with frames.VideoStream(original.file, colour=True) as stream:
            references = stream.frames_at(r_times)
    except ProvenanceError:
        return alignment
    pairs = []
    for segment, q_time, r_time in zip(chosen, q_times, r_times, strict=True):
        if q_time in queries and r_time in references:
            query = frames.without_bars(queries[q_time])
            pairs.append((query[:, ::-1] if segment.mirrored else query,
                          frames.without_bars(references[r_time])))
    edits = geometry.picture_edits(pairs)
    return replace(alignment, edits=tuple(dict.fromkeys(alignment.edits + edits)))


def local_feature_stage(path: str, query_fp: Fingerprint, result: AlignResult, lib: Library,
                        settings: Settings) -> AlignResult:
    """Where whole-frame hashes left the query unexplained, look for an original inside part of
    the frame (picture-in-picture) or of which the repost keeps only part (heavy crops), by
    local features, then align the overlapping regions in time."""
    from . import geometry

    missing = sum(b - a for a, b in result.unexplained)
    if result.verdict is Verdict.INCONCLUSIVE or missing < LOCAL_MIN_UNEXPLAINED_S:
        return result
    matched = {m.reference_id for m in result.matches}
    ids = [a.reference_id for a in result.same_scene]
    if len(lib) <= LOCAL_SCAN_LIBRARY:
        ids += [o.id for o in lib.list()]
    ids = [i for i in dict.fromkeys(ids) if i not in matched][:LOCAL_MAX_REFERENCES]
    query_frames = _frames(path, _spread(list(result.unexplained), LOCAL_FRAMES))
    extra = []
    for ref_id in ids:
        original = lib.get(ref_id)
        if not query_frames or not original.file or not os.path.isfile(original.file):
            continue
        ref_times = [round(original.duration * (k + 0.5) / LOCAL_REFERENCE_FRAMES, 3)
                     for k in range(LOCAL_REFERENCE_FRAMES)]
        overlap = geometry.find_overlap(query_frames, _frames(original.file, ref_times))
        if overlap is None or overlap.is_whole_frame:
            continue
        cropped_query = fingerprint_video(path, settings.sample_fps, crop=overlap.query_box)
        cropped_ref = fingerprint_video(original.file, settings.sample_fps,
                                        crop=overlap.reference_box)
        second = align(cropped_query, {ref_id: cropped_ref})
        extra += [Alignment(m.reference_id, m.score, m.segments,
                            tuple(dict.fromkeys(m.edits + _describe(overlap))))
                  for m in second.matches]
    return with_extra_matches(result, extra, query_fp)
