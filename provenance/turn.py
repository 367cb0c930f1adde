"""Footage turned on its side: a repost rotated a quarter turn, matched and checked as any repost.

A landscape original shown on its side (a phone's recording played sideways, a portrait
re-encode that lost its rotation flag, a screen recording of a phone held the wrong way) hashes
nothing like the original: each of its pictures is another picture to a whole-frame hash. The
first stages called such reposts of the shared clips "nothing in the library explains this",
"another moment" or inconclusive (a desk audit: a desk would have published that authentic
footage was recycled). Where they left time no match explains, the repost's own frames are
turned a quarter turn each way (``provider.turned_fingerprint``, ``Decoded.turned``: no second
decode), candidates are drawn from the index and aligned as for any repost, and the way that
lines up more footage is judged by the stages that judge a whole-frame match: the picture edits
and the moment check, at their usual bars, a segment too still for the check not kept (a second
look stands on the pictures or on enough movements: ``align.standing``). What they match takes
the time nothing else explained, with the edit ``rotated`` (90° clockwise or counterclockwise);
places in the picture (an overlay's boxes) are turned back into the repost's own frame. What the
moment check finds at another moment is not kept (a generated held picture of a camera's other
moment, turned, was "another moment" where the first look had left the moment open).

A half turn needs no stage of its own: keypoints place an upside-down repost, and the picture
edits read its 180° rotation. Not looked for turned on a side: crops and insets, footage played
backwards, and same-scene views (a view by chance is likelier than a match, and a repost on its
side at another moment is left unexplained, not "recycled").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from . import align, geometry, moment, provider, refine
from .models import Alignment, DetectedEdit, Edit, Fingerprint, LocalData

if TYPE_CHECKING:
    from .library import Library
    from .provider import Decoded

WHY = "turned back upright, the repost's footage lines up with the registered footage"
NOT_LOOKED_FOR = ("crops, insets and footage played backwards of a repost turned on its side "
                  "(a repost on its side is looked for in whole frames only)")
# np.rot90's quarter turns counterclockwise that set a repost upright, and the repost's own
# rotation then (clockwise positive, as ``DetectedEdit.rotation``).
QUARTERS = {1: 90.0, 3: -90.0}
_BARS = frozenset({Edit.REFRAMED_VERTICAL, Edit.LETTERBOX, Edit.PILLARBOX})


def turned_stage(decoded: Decoded, result: align.AlignResult,
                 match: Callable[[Fingerprint], align.AlignResult], lib: Library,
                 stored: Mapping[str, LocalData | None],
                 saturation: Callable[[Decoded, align.AlignResult], float]
                 ) -> tuple[align.AlignResult, dict[str, LocalData | None]]:
    """The result with footage found on the repost turned upright where no match explained
    it, and the stored data of the originals it newly matched beside the others'. ``match``
    finds candidates in the library and aligns a fingerprint with them; ``saturation``
    measures the repost's colour over a result's matches."""
    open_time = _open_time(result, decoded.fingerprint.duration)
    if sum(b - a for a, b in open_time) < result.params.min_segment_s:
        return result, dict(stored)
    quarters, found, fingerprint = _best_turn(decoded, match, open_time)
    if not found.matches:
        return result, dict(stored)
    turned = decoded.turned(quarters, fingerprint)
    local = {m.reference_id: stored[m.reference_id] if m.reference_id in stored
             else lib.local_data(m.reference_id) for m in found.matches}
    found = refine.picture_edits_stage(turned, saturation(turned, found), found, local)
    found = moment.moment_stage(turned, found, local)
    query = decoded.fingerprint
    bars = refine.bar_edits(decoded)
    merged = align.with_extra_matches(result, [
        _turned_back(m, quarters, bars) for m in map(align.standing, found.matches)
        if m.segments], query)
    if merged.matches == result.matches:  # the time it found was explained already
        return result, dict(stored)
    return (replace(merged, reason=f"{merged.reason}; {WHY}"),
            {**stored, **{k: v for k, v in local.items() if k not in stored}})


def _open_time(result: align.AlignResult, duration: float) -> list[tuple[float, float]]:
    """The query time no match explains (what is unexplained, or shows a view at another
    moment or at a moment not established)."""
    matched = [(s.query_start, s.query_end) for m in result.matches for s in m.segments]
    return align.subtract((0.0, duration), align.union(matched))


def _best_turn(decoded: Decoded, match: Callable[[Fingerprint], align.AlignResult],
               open_time: list[tuple[float, float]]
               ) -> tuple[int, align.AlignResult, Fingerprint]:
    """The quarter turn whose first-stage matches, cut to the open time, cover the most of
    it: (quarters, its result without same-scene intervals, its fingerprint)."""
    tried = []
    for quarters in QUARTERS:
        fingerprint = provider.turned_fingerprint(decoded, quarters)
        found = align.cut_to(match(fingerprint), open_time, fingerprint.sample_fps)
        covered = sum(s.query_end - s.query_start for m in found.matches for s in m.segments)
        tried.append((covered, quarters, replace(found, same_scene=()), fingerprint))
    _, quarters, found, fingerprint = max(tried, key=lambda t: (t[0], -t[1]))
    return quarters, found, fingerprint


def _turned_back(alignment: Alignment, quarters: int, bars: tuple[DetectedEdit, ...]
                 ) -> Alignment:
    """An alignment found on the repost turned upright, in the repost's own frame: the
    rotation said, the repost's own bars (``bars``: a picture on its side in a landscape
    frame is pillarboxed, not "reframed to vertical"), and the places its other edits name in
    the repost's picture turned back (a crop's box is the original's kept part, which no turn
    moves)."""
    edits = tuple(e if e.kind is Edit.CROPPED or not e.boxes else replace(
        e, boxes=tuple(geometry.turned_box(b, -quarters) for b in e.boxes))
        for e in alignment.edits if e.kind not in _BARS)
    edits = (*edits, *(e for e in bars if any(a.kind in _BARS for a in alignment.edits)))
    region = None if alignment.region is None else \
        geometry.turned_box(alignment.region, -quarters)
    tilt = next((e.rotation or 0.0 for e in edits if e.kind is Edit.ROTATED), 0.0)
    return replace(alignment, region=region, edits=(
        DetectedEdit(Edit.ROTATED, rotation=QUARTERS[quarters] + tilt),
        *(e for e in edits if e.kind is not Edit.ROTATED)))
