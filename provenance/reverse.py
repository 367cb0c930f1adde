"""Footage played backwards: the repost's time reversed, then matched and checked as any repost.

A fixed camera's footage played backwards shows the registered view, so its scene hashes line up
(they do not depend on the order of the frames), but what moves in it runs the other way, so its
motion lines up at no offset: the first stage calls it the camera's view at another moment, and a
desk would read "recycled or misdated footage". Where the first stage found an original's view,
the repost's own frames are played backwards (``Decoded.played_backwards``: no second decode) and
the stages that judge a whole-frame match run on them against those originals alone: the time
alignment, the picture edits and the moment check, at their usual bars, except that a segment
too still for the check (few movements, ``Segment.too_still``) is not kept: played backwards,
the pictures or the motion must stand on their own.
What they match is mapped back to the repost's time (``Segment.reversed``, the edit
``reversed``) and takes the place of the view at another moment there, or of a match played
forwards that was too still for the check where the check confirmed the footage played
backwards.

Not run played backwards: the local-feature stage (crops and insets played backwards are not
looked for), and the moment search (pictures where the samples' motion, taken out of phase,
missed the moment): it found 1 more of 88 registered windows played backwards
(``other_moments.py --registered --edit reversed``) for 7 % more verify CPU on the
copy-detection set.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from . import align, moment, refine
from .models import Alignment, DetectedEdit, Edit, Fingerprint, LocalData, Segment
from .provider import Decoded

if TYPE_CHECKING:
    from .library import Library

WHY = "played backwards, the repost's footage lines up with the registered footage"


def backwards_stage(decoded: Decoded, result: align.AlignResult, lib: Library,
                    stored: Mapping[str, LocalData | None],
                    saturation: Callable[[Decoded, align.AlignResult], float]
                    ) -> tuple[align.AlignResult, dict[str, LocalData | None]]:
    """The result with the originals' footage found played backwards where it showed their
    view at another moment, or a match too still for the moment check (``Segment.too_still``:
    registered footage played backwards lines up forwards by chance where little moves), and the
    stored data of the originals it newly matched beside the others' (``saturation`` measures
    the repost's colour over a result's matches)."""
    viewed = _viewed(result)
    if not viewed:
        return result, dict(stored)
    back = decoded.played_backwards()
    found = align.align(back.fingerprint, ((ref_id, lib.fingerprint(ref_id))
                                           for ref_id in viewed), result.params)
    found = _within(found, _open_time(result), back.fingerprint)
    if not found.matches:
        return result, dict(stored)
    local = {m.reference_id: stored[m.reference_id] if m.reference_id in stored
             else lib.local_data(m.reference_id) for m in found.matches}
    duration = decoded.fingerprint.duration
    # the colour over the matched time, read in the repost's own time (it may seek its file)
    shown = saturation(decoded, replace(found, matches=tuple(
        _played_forwards(m, duration) for m in found.matches)))
    found = refine.picture_edits_stage(back, shown, found, local)
    found = moment.moment_stage(back, found, local)
    matches = [m for m in (_played_forwards(align.standing(m), duration) for m in found.matches)
               if m.segments]
    if not matches:
        return result, dict(stored)
    merged = align.with_extra_matches(
        _displaced(result, [s for m in matches for s in m.segments]), matches,
        decoded.fingerprint, views_kept=True)
    if not any(s.reversed for m in merged.matches for s in m.segments):
        return result, dict(stored)
    return (replace(merged, reason=f"{merged.reason}; {WHY}"),
            {**stored, **{k: v for k, v in local.items() if k not in stored}})


# Said of a result with time no original explains (a reversed inset read "nothing in the
# library explains this footage").
NOT_LOOKED_FOR = ("crops and insets played backwards (footage played backwards is looked for "
                  "in whole frames only)")


def _viewed(result: align.AlignResult) -> list[str]:
    """The originals whose whole-frame view the first stages found at another moment, or at a
    moment they could not establish, for at least a segment's length, or matched only where
    the picture was too still for the moment check."""
    least = result.params.min_segment_s
    views = [a.reference_id for a in result.same_scene if a.region is None
             and any(s.query_end - s.query_start >= least for s in a.segments)]
    still = [a.reference_id for a in result.matches if a.region is None
             and any(s.too_still for s in a.segments)]
    return list(dict.fromkeys(views + still))


def _open_time(result: align.AlignResult) -> list[tuple[float, float]]:
    """The query time footage played backwards may take: what nothing explains, whole-frame
    views at another moment or a moment not established, and whole-frame matches too still for
    the moment check."""
    return align.union([
        *result.unexplained,
        *((s.query_start, s.query_end) for a in result.same_scene if a.region is None
          for s in a.segments),
        *((s.query_start, s.query_end) for a in result.matches if a.region is None
          for s in a.segments if s.too_still)])


def _within(found: align.AlignResult, open_time: list[tuple[float, float]],
            back: Fingerprint) -> align.AlignResult:
    """The matches found played backwards cut to the open time (in the reversed video's time),
    each piece kept when still a segment long: the rest would be given up after the moment
    check, which costs most of this stage."""
    duration = back.duration
    return align.cut_to(found, [(duration - b, duration - a) for a, b in open_time],
                        back.sample_fps)


def _displaced(result: align.AlignResult, standing: list[Segment]) -> align.AlignResult:
    """The result without the whole-frame segments too still for the moment check that a
    segment played backwards of the same original which stands (``align.standing``) overlaps: the
    footage played backwards is confirmed, by its pictures or by enough motion, nothing
    confirmed it played forwards (a registered room played backwards lined up forwards, on 3-5
    motion-confirmed samples, in 10 of 64 of ``other_moments.py``'s windows)."""
    def beaten(segment: Segment) -> bool:
        return segment.too_still and any(
            s.reference_id == segment.reference_id and s.query_start < segment.query_end
            and segment.query_start < s.query_end for s in standing)

    matches = [replace(m, segments=tuple(s for s in m.segments if not beaten(s)))
               if m.region is None else m for m in result.matches]
    return replace(result, matches=tuple(m for m in matches if m.segments))


def _played_forwards(alignment: Alignment, duration: float) -> Alignment:
    """A match found on the reversed repost, in the repost's own time: what the reversed video
    shows over [a, b) the repost shows over (duration - b, duration - a], the original's time
    running back."""
    segments = tuple(sorted((_forwards(s, duration) for s in alignment.segments),
                            key=lambda s: s.query_start))
    edits = alignment.edits if any(e.kind is Edit.REVERSED for e in alignment.edits) \
        else (*alignment.edits, DetectedEdit(Edit.REVERSED))
    return replace(alignment, segments=segments, edits=edits)


def _forwards(segment: Segment, duration: float) -> Segment:
    start = max(0.0, duration - segment.query_end)
    end = min(duration, duration - segment.query_start)
    return replace(segment, query_start=round(start, 3), query_end=round(end, 3),
                   reversed=not segment.reversed, alternatives=())
