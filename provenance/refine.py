"""The second matching stage: what whole-frame hashes cannot see, and edits seen in pixels.

Everything here works from the query's one decode (``provider.Decoded``) and from what the
library stored of each original at registration (``models.LocalData``): no original's file is
opened. Where no match explains part of the query, local features find an original shown inside
part of the frame (picture-in-picture) or cropped out of it, and the overlapping regions are
hashed again on both sides and aligned in time like whole frames (motion included). For
whole-frame matches, the repost's pictures and the original's stored pictures at the matched
times are compared for grayscale and overlays, and the repost's bars tell letterbox, pillarbox
and vertical reframes.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import replace
from typing import Literal, TypeVar

import cv2
import numpy as np

from . import geometry, ocr
from .align import (
    AlignResult,
    MatchParams,
    align,
    intersect,
    union,
    view_distance,
    view_only,
    with_extra_matches,
    with_extra_same_scene,
)
from .fingerprint import cut_apart
from .frames import evenly_spread
from .library import FrameIndex, Library
from .models import (
    Alignment,
    Box,
    DetectedEdit,
    Edit,
    Fingerprint,
    LocalData,
    Segment,
    Verdict,
    merged_edits,
)
from .provider import (
    MOVING_LAID_CHANGE,
    STORED_PICTURE_WIDTH,
    Decoded,
    nearest_index,
    pixel_box,
    region_fingerprint,
    within_spans,
)

# The local-feature stage looks at the originals seen as the same scene first, then, in a
# library of no more originals than it may examine (MatchParams.local_max_references), every
# other one, in a larger one those the repost's keypoints vote for (``_key_candidates``); at
# least LOCAL_FRAMES query frames are compared. With an index built without keypoints, every
# original of a library of at most LOCAL_SCAN_LIBRARY is a candidate, in library order. The
# inset content stage and layout's regions compare every original of such a library too (in a
# larger one, the index's candidates; for an inset, also those its keypoints vote for).
LOCAL_SCAN_LIBRARY = 50
# The keypoint vote: descriptors of up to KEY_QUERY_FRAMES of the stage's repost frames, as they
# are and mirrored, KEY_QUERY_DESCRIPTORS of each (evenly spread over its 4,000; the ORB work is
# the stage's own, done once). benchmarks/key_candidates.py --sweep (library/index.py's
# constants): 2, 4 and 6 frames, and 250, 500 and 1,000 descriptors, all put the 92 true
# originals among the candidates; the true originals' least votes 49, 69 and 120 (frames), 30,
# 69 and 81 (descriptors), against the floor of 20; 4 frames keep a montage's pieces in view.
KEY_QUERY_FRAMES = 4
KEY_QUERY_DESCRIPTORS = 500
LOCAL_FRAMES = 8
# A crop keypoints read is measured again (``_measured_crop``) where the view under it agrees
# less closely than REGISTERED_VIEW_BITS: each side of its box on the original moved by these
# steps (shares of the frame), coarse to fine, while the repost's still picture (a median over
# time: what moves drops out) comes closer to the original's under the box, trying at most
# CROP_SEARCH_TRIES boxes. On the texture-poor car park, keypoints read an 80 % crop (x, y
# 10-90 %) as x 8-93 %, y 16-100 %, 18 bits from the original's view, and it lined up over 4.5
# of its 10 s, 0.24 s early; its true box is 2 bits away and lines up over all 10 s. The scene
# hashes alone do not measure the box: boxes a few per cent apart measure 2-4 bits alike (a
# grainy 75 % crop of generated video: its true box 4 bits, one 4 % off 2).
CROP_SEARCH_STEPS = (0.04, 0.02, 0.01)
CROP_SEARCH_TRIES = 96
# An overlay box on a whole-frame match is looked up in the library as a picture laid over it
# (``inset_content_stage``) when it covers INSET_LOOKUP_MIN_AREA of the frame and its sides are
# within INSET_LOOKUP_MAX_RATIO of each other. The desk audit's insets of registered footage
# covered 10-16 % of the frame with sides 1.2-1.8 to 1 (16:9 pictures); its caption boxes,
# 3-12 %, run 4-20 times as wide as they are high; the copy-detection set's logo, 1 %.
INSET_LOOKUP_MIN_AREA = 0.04
INSET_LOOKUP_MAX_RATIO = 3.0
# The box is tried as found and with these shares of its size taken off each side: boxes reach
# past the inset's edges (the audit: by up to 8 % of the frame), and a margin of the footage
# beneath breaks the inset's hashes (a generated inset, its box 2-4 % of the frame too large:
# 20 bits from the original's view, no match; 8 % of its size in: 2 bits, matched).
INSET_LOOKUP_SHRINKS = (0.0, 0.04, 0.08)
# Where no box's hashes line up, keypoints place the original inside the overlay box grown to
# a frame-shaped picture and by INSET_SEARCH_MARGIN of the frame on each side (``_around``: the
# box finder's edges run short of an inset's as well as past it), spending at most INSET_LOOKUPS
# original keypoints looked up per overlay box in all, shared among the originals as the local
# stage shares its budget (``_share``). benchmarks/key_candidates.py --insets (the shared clips
# laid over each other at 30 and 40 % of the width; benchmarks/README.md, "Insets over
# registered footage"): the insets placed took 2,700-38,000 lookups, and 25,000 to 200,000 found
# the same ones; 100,000 is the local stage's least budget (MatchParams.local_min_lookups).
INSET_SEARCH_MARGIN = 0.02
INSET_LOOKUPS = 100_000
# Frame pairs compared per matched original to see overlays, spread over its matched time: an
# overlay stays where it is while motion and compression noise move. With one pair per segment,
# 2 of 38 matched copy-detection queries without any caption had an "overlay" (a 3 s excerpt
# and a montage, one pair each).
EDIT_PAIRS = 5
# Bars (share of the frame's height or width, both sides together, at least half of it on each
# side) from which a repost is reported as letterboxed, pillarboxed or reframed: encoders pad a
# few pixels to even sizes, real bars take 10 % and more. One-sided "bars" are the bar search
# mistaking a flat part of the picture for one (9:16 centre crops of the shared footage: a flat
# 18 % at the bottom of a road, 35 % at the top of a room), not an edit.
MIN_BAR_SHARE = 0.08
# A match found by undoing a stretch or rotation tested more hypotheses (aspect, tilt, mirror)
# on a picture that already agreed in view: it needs this many motion-confirmed samples, not
# align's minimum. A 4° tilt of the bottle camera at another moment found 3 (a 2.5 s chance
# agreement over a static table); the same edits at the registered moment 37 and more.
GEOMETRY_MIN_CONFIRMED = 8
# The converse: under such a geometry, "another moment" needs as many clearly moving samples
# that disagree with the original where it lines up best (align._unexplained_moving), and
# motion that lined up at an offset, if too weakly for a match, shows no other moment at all.
# Otherwise the verdict is inconclusive, not `same-scene`. Measured on
# the registered moment at every offset (other_moments.py --registered, 6 s windows, as
# recorded and 7 edits, 3 clips, 704 windows): 31 authentic windows were `same-scene`, 22 of
# them on 3-13 moving samples of the room that lined up nowhere (people small, then squeezed,
# tilted or captioned), 2 lining up at their very offset under the stretch with 3 and 5
# confirmed samples; with this rule and the moment check's (MatchParams.moment_unsettled_confirmed,
# moment.MIN_INSTANTS_APART), 9 (benchmarks/README.md, "The registered moment at every offset").
# Frame pairs fitted to read a whole-frame match's stretch or rotation, and the most keypoint
# lookups spent on it (each pair costs one original keyframe's REFERENCE_FEATURES, and the
# search stops after STRONG_FITS strong fits).
GEOMETRY_PAIRS = 3
GEOMETRY_LOOKUPS = 6 * geometry.REFERENCE_FEATURES
# Whole frames whose scene hashes sit at most this far from the original's (median over the
# same-scene samples) are registered as they are: no crop, tilt or region stretch hides the
# moment from the motion hashes, and an aspect change alone does not move a square thumbnail.
# Copy-detection benchmark, median distance to the nearest original sample: aspect changes of
# the whole frame 0-2 bits at the registered moment and 4-8 at another; other moments
# unedited 4-7; the edits that move it are beyond (4° tilts 10-12 bits at the registered
# moment, the issue's stretched 9:16 centre 16, 10° tilts 18, 40 % crops 20-22).
REGISTERED_VIEW_BITS = 8
# A repost whose picture's aspect ratio differs from the original's by this factor or more, and
# that keypoints did not place (a texture-poor view: a plain road), is tried as the original's
# centre at its own ratio: issue #11's 9:16 centre crop of car-detection.mp4 (ratio change
# 0.32), 4:3 from 16:9 (0.75). Smaller changes are encoders' rounding or bars. Either end of
# the original at that ratio is tried last: the desk audit's 9:16 crop of the room's left third
# (window, wall, floor: keypoints placed nothing) is 0 bits from the original's view there, 18
# at its centre, and lines up over all 12 s (13 motion-confirmed samples).
CROP_HYPOTHESIS_CHANGE = 1.25
# A bar along one edge only, under this share of the frame, is taken for the plain part of a
# caption bar or ticker laid over the picture, not for letterboxing (which is on two sides):
# the sweep's news ticker (other_moments.py --edit "news ticker", a bar over the bottom 12 %)
# read as a bar over the bottom 5.3 % of the frame, below its text, and kept the pictures laid
# over the original from being looked for (benchmarks/README.md, "A news ticker").
ONE_EDGE_BAR = 0.2
BAR_EPS = 1e-3
# The ratios a centre is then tried at besides the repost's own (shown stretched to the repost's
# shape: issue #19's square centre shown as 9:16), and how little of the query a keypoint
# placement must explain for them to be tried as well: car-detection's stretched 9:16 was
# placed by keypoints over 2.3 s of 9.8 s, and its square-centre hypothesis lines up over all
# of it (23 motion-confirmed samples); on every shared clip, the wrong hypotheses lined up
# nowhere with 8 samples or more.
CROP_RATIOS = (9 / 16, 3 / 4, 1.0, 4 / 3)
HYPOTHESES_BELOW = 0.5
# A repost of the original's own shape placed over little of it is tried as the original's
# centre with these margins on every side (``_centre_crops``): a texture-poor view gives
# keypoints too little to place a crop (the desk audit's 70 % centre crop of the car park,
# 2-12 s: whole frames lined up over 3.2 s on 5 confirmed samples, keypoints placed nothing,
# and it was `inconclusive`). Smaller crops are found by the whole-frame hashes (the
# copy-detection set's 15 % crops).
CENTRE_CROP_MARGINS = (0.1, 0.15, 0.2)
# A whole-frame match is fitted for a stretch or tilt only when something hints at one: its
# picture's aspect ratio is not the original's, or its frames sit further from the original's
# than an unedited copy's (median similarity under GEOMETRY_SIMILARITY). Copy-detection
# benchmark: unedited copies of bottle and one-by-one 0.94-1.0, car 0.875; 4° tilts 0.625-0.84
# (a squeeze or stretch of the whole frame keeps 0.94-1.0: its ratio tells it instead).
GEOMETRY_SIMILARITY = 0.9

# Tilts (degrees) tried on the whole frame of a repost of the original's shape that keypoints
# did not place (``_view_hypotheses``): issue #19's range, up to 10° either way, 3° apart.
# Copy-detection geometry block, median scene distance to the original under each tilt: the
# right one 2-5 bits (4° and 10° tilts, mirrored too, both moments, car and one-by-one), one
# step (3°) off it 4-12; other clips under any tilt, screen angle or centre crop 12 bits and
# more. Generated video: the right tilt or screen angle 4-6 bits.
VIEW_ROTATIONS = (-10.0, -7.0, -4.0, 4.0, 7.0, 10.0)
# Screens turned by these angles (degrees, either way) and filling the frame, filmed by a
# phone's lens (``geometry.screen_view``, focal length FOCAL_SHARE): the perspective
# hypotheses of the same search. The benchmark's 15° and 30° views sit 2-4 bits from the
# original under the right angle, 8-16 one step (7-8°) off; the model assumes no pitch and a
# phone's lens (a view filmed with a 1.2-width focal length was 10-14 bits off at 30°).
VIEW_YAWS = (-30.0, -22.0, -15.0, 15.0, 22.0, 30.0)
# A hypothesis is first screened on at most VIEW_QUERY_SAMPLES of the repost's pictures
# against at most VIEW_SAMPLES of the original's stored ones, spread over each (a fixed
# camera's view does not change), and compared in full only when that screen finds its view
# within REGISTERED_VIEW_BITS + VIEW_SCREEN_MARGIN. Copy-detection set, every other query
# against every original under every hypothesis: the screen put no view that agrees within
# REGISTERED_VIEW_BITS in full more than 4 bits further (8 of 161 views within 12 bits more
# than 0, 1 more than 2).
VIEW_SAMPLES = 64
VIEW_QUERY_SAMPLES = 16
VIEW_SCREEN_MARGIN = 4
# A hypothesis shows the view only when it brings it this much closer (bits) than the repost
# as it is, measured alike: within REGISTERED_VIEW_BITS alone, a wrong tilt or screen angle
# shows a texture-poor view too, and the motion then fails in the wrong geometry. Same set,
# best hypothesis against the repost as it is: the other moments it places, tilted 4° to 10°,
# stretched to 9:16 or turned 15-30°, 5-18 bits closer; unedited copies of the registered
# moment (re-encoded, mirrored, downscaled, a 3 s excerpt) at most 2. Generated video (the
# tests' CCTV scene, both moments): stretched to 9:16, tilted 10° and mirrored, turned 30°
# 8-16 closer; unedited or squeezed 2x, 4-6 further (a 4° tilt there is within
# REGISTERED_VIEW_BITS as it is: placed without a hypothesis).
VIEW_GAIN = 4


class _Hashed:
    """What the local stage of one verify hashes or reads, each once: an original's stored
    data; the repost's region under a whole-frame hypothesis (the same whatever original it is
    compared with: the tilts and screen angles are tried on every original keypoints did not
    place); an original's region of a box (the same whatever hypothesis asks for it). Cached
    values are the very arrays ``region_fingerprint`` returned, so every answer is the one
    hashing again would give (copy-detection set and geometry block, answer by answer:
    benchmarks/README.md, "The local stage's hashing, once per verify")."""

    def __init__(self, decoded: Decoded, lib: Library) -> None:
        self.decoded, self.lib = decoded, lib
        self._local: dict[str, LocalData | None] = {}
        self._duration: dict[str, float] = {}
        self._query: dict[tuple[object, ...], tuple[Fingerprint, Box]] = {}
        self._reference: dict[tuple[str, Box, bool], Fingerprint] = {}
        details = decoded.details
        self.few_query = evenly_spread(len(details), VIEW_QUERY_SAMPLES)

    @property
    def query_regions(self) -> int:
        """How many of the repost's regions were hashed."""
        return len(self._query)

    def local_data(self, ref_id: str) -> LocalData | None:
        if ref_id not in self._local:
            self._local[ref_id] = self.lib.local_data(ref_id)
        return self._local[ref_id]

    def query(self, overlap: geometry.Overlap, few: bool = False) -> tuple[Fingerprint, Box]:
        """The repost's region under ``overlap`` (its geometry undone first where it has a tilt
        or a perspective: ``_hypothesis_regions``) and the original's box to compare it with;
        ``few``: on VIEW_QUERY_SAMPLES of its pictures only."""
        undone = overlap.homography is not None or abs(overlap.rotation) >= geometry.MIN_ROTATION
        key: tuple[object, ...] = (overlap, few) if undone else (overlap.query_box, few)
        if key not in self._query:
            decoded = self.decoded
            times, details = decoded.detail_times, decoded.details
            if few:
                times, details = times[self.few_query], details[self.few_query]
            query_box, reference_box = overlap.query_box, overlap.reference_box
            if undone:
                details, query_box, reference_box = geometry.rectified(details, overlap)
            self._query[key] = (region_fingerprint(times, details, query_box,
                                                   decoded.fingerprint.duration), reference_box)
        region, reference_box = self._query[key]
        return region, reference_box if undone else overlap.reference_box

    def reference(self, ref_id: str, local: LocalData, box: Box, few: bool = False
                  ) -> Fingerprint:
        """An original's region of ``box``; ``few``: on VIEW_SAMPLES of its stored pictures."""
        key = (ref_id, box, few)
        if key not in self._reference:
            if ref_id not in self._duration:
                self._duration[ref_id] = self.lib.get(ref_id).duration
            times, details = local.detail_times, local.details
            if few:
                chosen = evenly_spread(len(details), VIEW_SAMPLES)
                times, details = times[chosen], details[chosen]
            self._reference[key] = region_fingerprint(times, details, box,
                                                      self._duration[ref_id])
        return self._reference[key]


def _share(work_left: int, budget: int, to_examine: list[str], places: int,
           votes: Mapping[str, float]) -> int:
    """The lookups the first of the originals still ``to_examine`` may spend: an equal share
    of what is left among as many as may still be examined (``places``), or, for an original
    the keypoint index chose, the share of the whole ``budget`` its votes are of all the chosen
    originals' (a picture-in-picture's original, 23 % of the votes among 8 candidates, needed
    18,000 lookups of its 100,000: an eighth found nothing; a 20-minute query's weaker
    candidates, 13 and 4 % of the votes, were given 617,000 and 718,000 lookups in vain as
    shares of what the first had left, now 110,000 and 36,000)."""
    if to_examine[0] not in votes:
        return work_left // len(to_examine[:places])
    return min(work_left, int(budget * votes[to_examine[0]] / sum(votes.values())))


def _key_candidates(index: FrameIndex, query: geometry.QueryFeatures, params: MatchParams
                    ) -> dict[str, float]:
    """The originals the repost's keypoints vote for in the library's keypoint index, with
    their votes, best first, as many as the stage may examine."""
    scores = _key_votes(index, query)
    ranked = sorted((i for i, s in scores.items() if s >= params.local_key_min_score),
                    key=lambda i: -scores[i])
    return {i: scores[i] for i in ranked[:params.local_max_references]}


def _key_votes(index: FrameIndex, query: geometry.QueryFeatures) -> dict[str, float]:
    """Every original's votes from KEY_QUERY_DESCRIPTORS of each of KEY_QUERY_FRAMES repost
    frames, as they are and mirrored."""
    if not len(query):
        return {}
    descriptors = [_evenly_sampled(query.descriptors(int(number), mirrored), KEY_QUERY_DESCRIPTORS)
                   for number in evenly_spread(len(query), KEY_QUERY_FRAMES)
                   for mirrored in (False, True)]
    return index.key_scores(np.concatenate(descriptors))


def _evenly_sampled(rows: np.ndarray, count: int) -> np.ndarray:
    """At most ``count`` of the rows, evenly spread."""
    return rows[evenly_spread(len(rows), count)]


def _open_intervals(result: AlignResult, placed: frozenset[str] = frozenset()
                    ) -> list[tuple[float, float]]:
    """Query time no match explains (unexplained and same-scene intervals, joined), in pieces
    long enough to hold a match: the local stage looks only there. Same-scene time of the
    ``placed`` originals (the repost's whole picture placed on theirs by keypoints, its motion
    then aligned) is explained: that camera's view at another moment."""
    spans = sorted(list(result.unexplained) + [(s.query_start, s.query_end)
                                               for a in result.same_scene
                                               if a.reference_id not in placed
                                               for s in a.segments])
    joined: list[tuple[float, float]] = []
    for a, b in spans:
        if joined and a <= joined[-1][1] + 1e-3:
            joined[-1] = (joined[-1][0], max(joined[-1][1], b))
        else:
            joined.append((a, b))
    return [(a, b) for a, b in joined if b - a >= result.params.min_segment_s]


def _explained(result: AlignResult, scene_placed: set[str]) -> bool:
    """Whether the local stage can stop: the open time is explained by matches, or is the same
    camera as an original the repost's whole picture was placed on (``_open_intervals``). On
    the copy-detection set and its geometry block, the sweep of the other originals that ran
    after such a placement found nothing in any query (27 queries; stopping there made 14,303
    keypoint pair fits instead of 19,088, every answer the same): a same-scene repost with
    another original inset in it would need one."""
    left = _open_intervals(result, frozenset(scene_placed))
    return sum(b - a for a, b in left) < result.params.local_min_unexplained_s


def _overlap_edits(overlap: geometry.Overlap, query_size: tuple[int, int],
                   picture: Box = geometry.FULL_FRAME) -> tuple[DetectedEdit, ...]:
    if overlap.homography is not None:
        return _perspective_edits(overlap, query_size)
    edits = []
    if not overlap.fills_query(picture):
        edits.append(DetectedEdit(Edit.PICTURE_IN_PICTURE, boxes=(overlap.query_box,)))
    if geometry.area(overlap.reference_box) < overlap.whole_share:
        edits.append(_cropped(overlap.reference_box))
    if overlap.mirrored:
        edits.append(DetectedEdit(Edit.MIRRORED))
    return tuple(edits) + geometry_edits(overlap.aspect, overlap.rotation, overlap.query_box,
                                         query_size)


def _perspective_edits(overlap: geometry.Overlap, query_size: tuple[int, int]
                       ) -> tuple[DetectedEdit, ...]:
    """A perspective fit's edits: filmed off a screen at the angle the original's corners in
    the repost's frame tell (``geometry.screen_angle``, as for a visible screen outline; not
    below ``geometry.MIN_SCREEN_ANGLE``), the part of the original out of view, mirroring."""
    corners = overlap.perspective_corners(*query_size)
    assert corners is not None
    x0, y0, x1, y1 = (round(v, 3) for v in overlap.query_box)
    angle = geometry.screen_angle(corners, *query_size)
    edits = ([DetectedEdit(Edit.FILMED_OFF_SCREEN, boxes=((x0, y0, x1, y1),), angle=angle)]
             if angle >= geometry.MIN_SCREEN_ANGLE else [])
    if geometry.area(overlap.reference_box) < geometry.WHOLE_FRAME_SHARE:
        edits.append(_cropped(overlap.reference_box))
    if overlap.mirrored:
        edits.append(DetectedEdit(Edit.MIRRORED))
    return tuple(edits)


def _cropped(reference_box: tuple[float, float, float, float]) -> DetectedEdit:
    """The crop that keeps ``reference_box`` of the original."""
    return DetectedEdit(Edit.CROPPED, boxes=(reference_box,),
                        share=round(geometry.area(reference_box), 3))


def geometry_edits(aspect: float, rotation: float, query_box: tuple[float, float, float, float],
                   query_size: tuple[int, int]) -> tuple[DetectedEdit, ...]:
    """A stretch and a rotation read by ``geometry``, with the ratio the picture is shown at
    (the repost's region holding the original, in its pixels)."""
    edits = []
    if abs(math.log(aspect)) >= geometry.MIN_ASPECT_CHANGE:
        if geometry.area(query_box) >= geometry.WHOLE_FRAME_SHARE:
            query_box = (0.0, 0.0, 1.0, 1.0)
        shown = (query_box[2] - query_box[0]) * query_size[0] / max(
            1e-6, (query_box[3] - query_box[1]) * query_size[1])
        edits.append(DetectedEdit(Edit.STRETCHED, aspect=round(aspect, 3),
                                  ratio=geometry.ratio_name(shown)))
    if abs(rotation) >= geometry.MIN_ROTATION:
        edits.append(DetectedEdit(Edit.ROTATED, rotation=round(rotation, 1)))
    return tuple(edits)


def local_feature_stage(decoded: Decoded, result: AlignResult, lib: Library) -> AlignResult:
    """Where whole-frame hashes found no match, look for an original inside part of the frame
    or of which the repost keeps only part, by local features against each original's stored
    keypoints, then align the overlapping regions in time from the stored small frames. Query
    frames examined scale with the open time (``MatchParams.local_frames_per_minute``);
    originals beyond the budget, or with no stored data, are listed in ``skipped``; the stage
    stops once the open time is explained."""
    params = result.params
    query_fp = decoded.fingerprint
    open_spans = _open_intervals(result)
    missing = sum(b - a for a, b in open_spans)
    # Inconclusive for want of footage (too short, flat) stops here; a view where too little
    # moves to tell the moment is worth a look at its regions, where more may move.
    if (result.verdict is Verdict.INCONCLUSIVE and not result.same_scene) or \
            missing < params.local_min_unexplained_s:
        return result
    # A matched original still seen as the same scene elsewhere in the query is examined again:
    # a partial fit (a speed hypothesis over part of a stretched repost) must not hide the
    # geometry that explains the whole of it.
    matched = {m.reference_id for m in result.matches} - {a.reference_id
                                                          for a in result.same_scene}
    ids = [a.reference_id for a in result.same_scene]
    count = min(params.local_max_frames, max(LOCAL_FRAMES, math.ceil(
        missing / 60.0 * params.local_frames_per_minute)))
    query_frames = geometry.QueryFeatures(decoded.local_in(open_spans, count))
    index = lib.index(params.min_motion_energy)
    by_votes = index.has_keys and len(lib) > params.local_max_references
    votes = _key_candidates(index, query_frames, params) if by_votes else {}
    if by_votes:
        ids += list(votes)
    elif len(lib) <= max(LOCAL_SCAN_LIBRARY, params.local_max_references):
        ids += [o.id for o in lib.list()]
    # A matched original that explains little of the repost is examined too: whole frames may
    # line up only where a crop's picture happens to be close to the original's (an 80 % crop
    # of car-detection, same shape, matched over 2 of its 10 s).
    little = {i for i in matched if _matched_s(result, i) < HYPOTHESES_BELOW * query_fp.duration}
    ids = [i for i in dict.fromkeys([*ids, *sorted(little)]) if i not in matched - little]
    # A matched original that explains little of a repost of another shape: its shape may
    # explain the rest (car-detection's stretched 9:16, matched by whole frames over 2.2 s).
    hashed = _Hashed(decoded, lib)
    picture = _barred_picture(decoded)
    for ref_id in sorted(little):
        local = hashed.local_data(ref_id)
        if local is not None:
            result = _crop_hypotheses(hashed, local, result, ref_id)[0]
    skipped: list[str] = []
    budget = min(params.local_max_lookups, max(params.local_min_lookups, math.ceil(
        missing / 60.0 * params.local_lookups_per_minute)))
    work_left = budget
    missing_data, unexamined, beyond = [], [], []
    examined = 0
    scene_ids = {a.reference_id for a in result.same_scene}
    unplaced: list[str] = []  # same-scene originals whose geometry no fit established
    # Same-scene originals placed only through a stretch or tilt, with too little motion under
    # it to tell the moment (GEOMETRY_MIN_CONFIRMED), and why.
    thin: dict[str, str] = {}
    approximate: list[str] = []  # originals whose view only a perspective model showed
    loose: list[str] = []  # originals whose view only an approximate keypoint crop showed
    # Same-scene originals under a moving picture laid over their view, whose part clear of
    # it neither lined up nor showed another moment (``_inset_hypotheses``).
    covered: list[str] = []
    scene_placed: set[str] = set()  # same-scene originals the repost's picture was placed on
    for number, ref_id in enumerate(ids):
        # Originals without stored data take no place in the budget: they cannot be examined
        # (a library where chance same-scene originals without data came first examined none).
        if examined >= params.local_max_references:
            beyond.append(ref_id)
            continue
        local = hashed.local_data(ref_id)
        if local is None:
            missing_data.append(ref_id)
            if ref_id in scene_ids:  # its view may only be placed by whole frames as they are
                unplaced.append(ref_id)
            continue
        examined += 1
        if work_left <= 0:
            unexamined.append(ref_id)
            continue
        if not len(query_frames) or not len(local.key_counts):
            continue
        share = _share(work_left, budget, ids[number:],
                       params.local_max_references - examined + 1, votes)
        overlap, used = geometry.find_overlap_in(query_frames, local.keyframes(),
                                                 local.key_size, share)
        work_left -= used
        if overlap is not None and not overlap.has_geometry:
            overlap = _on_picture(overlap, picture)
        if overlap is None:
            result, placed = _crop_hypotheses(hashed, local, result, ref_id)
            if not placed:
                result = _placed_by_view(hashed, local, result, ref_id, ref_id in scene_ids,
                                         unplaced, approximate)[0]
            continue
        if overlap.is_whole_frame(picture) and not overlap.has_geometry:
            if ref_id in scene_ids or ref_id in little or not result.matches:
                # A picture laid over the original's may be what hides its moment (or, large,
                # its view from whole frames).
                result, placed, hidden = _inset_hypotheses(hashed, local, result, ref_id)
                if placed:
                    scene_ids = {a.reference_id for a in result.same_scene}
                if hidden and ref_id in scene_ids:
                    covered.append(ref_id)
                    continue
            if ref_id in scene_ids:  # placed as it is: the first stage's same-scene stands
                scene_placed.add(ref_id)
            if _explained(result, scene_placed):
                break
            continue
        if overlap.has_geometry:  # undo the stretch and tilt before hashing
            details, query_box, reference_box = geometry.rectified(decoded.details, overlap)
            cropped_query = region_fingerprint(decoded.detail_times, details, query_box,
                                               query_fp.duration)
        else:
            if overlap.fills_query(picture):
                overlap = _measured_crop(hashed, ref_id, local, overlap)
            cropped_query, reference_box = hashed.query(overlap)
        cropped_ref = hashed.reference(ref_id, local, reference_box)
        second = align(cropped_query, {ref_id: cropped_ref}, params)
        extra = [Alignment(m.reference_id, m.score, m.segments,
                           merged_edits(m.edits, _overlap_edits(
                               overlap, (query_fp.width, query_fp.height), picture)))
                 for m in second.matches
                 if not overlap.has_geometry or m.evidence >= GEOMETRY_MIN_CONFIRMED]
        beneath = [] if overlap.has_geometry or overlap.fills_query(picture) else \
            _shown_beneath(result, extra)
        if beneath:
            result = _with_inset(hashed, result, extra, overlap.query_box, beneath)
        else:
            result = with_extra_matches(_superseded(result, extra), extra, query_fp)
        if overlap.has_geometry and not extra:
            why = _too_thin(second)
            if why:
                thin[ref_id] = why
                # Lined up too weakly for a match: the view was placed, its moment not told.
                result = _moment_left_open(result, second.matches, query_fp)
        if overlap.approximate and not overlap.has_geometry and not extra:
            # A similarity fit reading only a crop, with systematic residuals, that lines up
            # with nothing does not show another moment: it may approximate a perspective view
            # (bottle-detection at 15° and 30°, screen filling the frame, was `same-scene` so).
            # With a stretch or tilt read, same-scene stays (copy-detection geometry block:
            # 6 other-moment queries lost it when this applied to them too).
            result, view_placed = _placed_by_view(hashed, local, result, ref_id,
                                                  ref_id in scene_ids, unplaced, approximate)
            if view_placed is not True and second.same_scene:
                # Still, the crop is where the view was found: the camera is shown, at a
                # moment left open (cropped other moments of the bottle and room clips, and 4
                # of the desk audit's, were `no-match`).
                result = _moment_left_open(result, second.same_scene, query_fp)
                loose.append(ref_id)
            continue
        # The region's view agreed where its motion lined up at no offset: the same camera at
        # another moment, now placed on the original (tilt, stretch or crop undone).
        result = with_extra_same_scene(result, second.same_scene, query_fp)
        if ref_id in scene_ids and overlap.fills_query(picture):
            scene_placed.add(ref_id)
        if _matched_s(result, ref_id) < HYPOTHESES_BELOW * query_fp.duration:
            # Keypoints placed little of a texture-poor view: its shape may tell more.
            result = _crop_hypotheses(hashed, local, result, ref_id)[0]
        if _explained(result, scene_placed):
            break
    if beyond:
        skipped.append(f"local features: {len(beyond)} of {len(ids)} originals not examined "
                       "(budget)")
    if unexamined:
        skipped.append(f"local features: matching budget spent before {len(unexamined)} "
                       "original(s) were examined")
    # Chosen by keypoint votes, the originals without stored local data were never candidates.
    without = max(len(missing_data), lib.without_local_data() if by_votes else 0)
    if without:
        skipped.append(f"local features: {without} original(s) have no stored local "
                       "data (re-index them: `provenance library reindex --all`)")
    result = replace(result, skipped=tuple(dict.fromkeys(result.skipped + tuple(skipped))))
    return _unplaced_scene(result, unplaced, approximate, thin, loose, covered)


def _measured_crop(hashed: _Hashed, ref_id: str, local: LocalData,
                   overlap: geometry.Overlap) -> geometry.Overlap:
    """A crop keypoints read, its box on the original measured again where the repost's view
    agrees with it there less closely than an unedited copy's whole frames do
    (REGISTERED_VIEW_BITS): each side moved by CROP_SEARCH_STEPS while the repost's still
    picture comes closer to the original's under it (at most CROP_SEARCH_TRIES boxes); kept
    when the view agrees at least as closely there."""
    query_region = hashed.query(overlap, few=True)[0]

    def bits(box: Box) -> float:
        return view_distance(query_region, hashed.reference(ref_id, local, box, few=True))

    start = overlap.reference_box
    first = bits(start)
    if first <= REGISTERED_VIEW_BITS or not len(local.details):
        return overlap
    decoded = hashed.decoded
    shown = _still(decoded.details, decoded.detail_times, None)
    target = geometry.standardised(shown[:, ::-1] if overlap.mirrored else shown)
    original = _still(local.details, local.detail_times, None)

    def difference(box: Box) -> float:
        return float(np.abs(geometry.standardised(_under(original, box, target.shape))
                            - target).mean())

    box, best, tries = start, difference(start), 0
    for step in CROP_SEARCH_STEPS:
        moved = True
        while moved and tries < CROP_SEARCH_TRIES:
            moved = False
            for side, sign in ((side, sign) for side in range(4) for sign in (-1.0, 1.0)):
                tried = list(box)
                tried[side] = min(1.0, max(0.0, tried[side] + sign * step))
                if min(tried[2] - tried[0], tried[3] - tried[1]) < geometry.MIN_OVERLAP_SIDE:
                    continue
                tries += 1
                candidate = (tried[0], tried[1], tried[2], tried[3])
                value = difference(candidate)
                if value < best:
                    box, best, moved = candidate, value, True
    return replace(overlap, reference_box=box) if bits(box) <= first else overlap


def _under(picture: np.ndarray, box: Box, shape: tuple[int, ...]) -> np.ndarray:
    """The part of a picture under a box (shares, sub-pixel), resampled to ``shape``."""
    height, width = picture.shape[:2]
    x0, y0, x1, y1 = box[0] * width, box[1] * height, box[2] * width, box[3] * height
    scale_x, scale_y = shape[1] / max(1e-6, x1 - x0), shape[0] / max(1e-6, y1 - y0)
    matrix = np.array([[scale_x, 0.0, -x0 * scale_x], [0.0, scale_y, -y0 * scale_y]])
    return cv2.warpAffine(picture, matrix, (shape[1], shape[0]), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REPLICATE)


def _moment_left_open(result: AlignResult, alignments: Sequence[Alignment],
                      query_fp: Fingerprint) -> AlignResult:
    """The result with these alignments' time added as their camera's view at a moment the
    evidence did not establish (``Segment.unsettled``)."""
    return with_extra_same_scene(result, [
        view_only(a.reference_id, a.segments, query_fp, unsettled=True) for a in alignments],
        query_fp)


def _on_picture(overlap: geometry.Overlap, picture: Box) -> geometry.Overlap:
    """A similarity overlap cut to the repost's picture inside its bars, and the original's
    part with it (each axis mapped linearly; mirrored, x runs the other way): keypoints fitted
    on the whole frame map the bars onto the original too. The desk audit (tenth session): a
    letterboxed or 9:16 repost cropped 8-10 % read as keeping the original's whole height, and
    as an inset, since its picture did not fill the frame."""
    query_box = overlap.query_box
    cut = (max(query_box[0], picture[0]), max(query_box[1], picture[1]),
           min(query_box[2], picture[2]), min(query_box[3], picture[3]))
    kept = geometry.within(cut, query_box)  # the cut as shares of the repost's box
    if kept is None or cut == query_box:
        return overlap
    if overlap.mirrored:
        kept = geometry.mirrored_box(kept)
    return replace(overlap, query_box=cut, reference_box=_placed_in(kept, overlap.reference_box))


def _too_thin(second: AlignResult) -> str:
    """Why a region aligned under a stretch or tilt that gave no match cannot show another
    moment ("" when it can): its motion lined up at an offset, too weakly for a match, or too
    few of its clearly moving samples disagree with the original where it lines up best."""
    weak = max((m.evidence for m in second.matches), default=0)
    if weak:
        return (f"its movements line up with the original at one offset too weakly for a "
                f"match ({weak} confirmed, {GEOMETRY_MIN_CONFIRMED} needed)")
    moving = max((a.evidence for a in second.same_scene), default=0)
    if moving < GEOMETRY_MIN_CONFIRMED:
        return (f"too few of its movements ({moving}, {GEOMETRY_MIN_CONFIRMED} needed) disagree "
                "with the original where it lines up best to show another moment")
    return ""


def _shape_crops(decoded: Decoded, local: LocalData) -> list[geometry.Overlap]:
    """What a repost of another shape that keypoints did not place (or placed over little of
    it) most often shows: the original's centre at the repost's own aspect ratio (a 9:16 centre
    crop of 16:9 footage), then at the other CROP_RATIOS, shown stretched to the repost's
    shape (``aspect``: the stretch), then either end of the original at the repost's own ratio
    (a reframe that follows the action to one side). None when the two shapes agree
    (CROP_HYPOTHESIS_CHANGE)."""
    change = _ratio_change(decoded, local)
    if not len(local.details) or abs(math.log(change)) < math.log(CROP_HYPOTHESIS_CHANGE):
        return []
    original = local.details.shape[2] / max(1, local.details.shape[1])
    shown = change * original
    hypotheses: list[geometry.Overlap] = []
    for ratio in (shown, *CROP_RATIOS):
        share = ratio / original
        if abs(math.log(share)) < math.log(CROP_HYPOTHESIS_CHANGE) or any(
                abs(math.log(h.aspect * ratio / shown)) < geometry.RATIO_TOLERANCE
                for h in hypotheses):
            continue
        box = ((1 - share) / 2, 0.0, (1 + share) / 2, 1.0) if share < 1 else \
            (0.0, (1 - 1 / share) / 2, 1.0, (1 + 1 / share) / 2)
        hypotheses.append(geometry.Overlap(_picture_box(decoded), box, False, 0,
                                           aspect=shown / ratio))
    ends = ((0.0, 0.0, change, 1.0), (1 - change, 0.0, 1.0, 1.0)) if change < 1 else \
        ((0.0, 0.0, 1.0, 1 / change), (0.0, 1 - 1 / change, 1.0, 1.0))
    return hypotheses + [geometry.Overlap(_picture_box(decoded), box, False, 0) for box in ends]


def _centre_crops(decoded: Decoded, local: LocalData) -> list[geometry.Overlap]:
    """The original's centre inside each of CENTRE_CROP_MARGINS, for a repost of its own shape
    (``_shape_crops`` has none)."""
    if not len(local.details):
        return []
    return [geometry.Overlap(_picture_box(decoded), (m, m, 1 - m, 1 - m), False, 0)
            for m in CENTRE_CROP_MARGINS]


def _picture_box(decoded: Decoded) -> tuple[float, float, float, float]:
    """The repost's picture inside its bars, the whole frame when nothing was sampled."""
    return decoded.picture_box() or (0.0, 0.0, 1.0, 1.0)


def _whole_frame_shown(decoded: Decoded) -> bool:
    """Whether the repost shows its whole frame as the picture: no bars, or one along a single
    edge under ONE_EDGE_BAR of the frame."""
    x0, y0, x1, y1 = _picture_box(decoded)
    cut = [m for m in (x0, y0, 1.0 - x1, 1.0 - y1) if m > BAR_EPS]
    return not cut or (len(cut) == 1 and cut[0] < ONE_EDGE_BAR)


def _ratio_change(decoded: Decoded, local: LocalData) -> float:
    """The repost's picture's aspect ratio (inside its bars) over the original's."""
    if decoded.details.ndim != 3 or local.details.ndim != 3 or not len(local.details):
        return 1.0
    x0, y0, x1, y1 = _picture_box(decoded)
    height, width = decoded.details.shape[1:3]
    shown = (x1 - x0) * width / max(1e-6, (y1 - y0) * height)
    return shown / (local.details.shape[2] / max(1, local.details.shape[1]))


def _crop_hypotheses(hashed: _Hashed, local: LocalData, result: AlignResult, ref_id: str
                     ) -> tuple[AlignResult, bool]:
    """The result with what the centre-crop hypothesis that lines up in time with the most
    motion-confirmed samples explains (at least GEOMETRY_MIN_CONFIRMED: a hypothesis was
    chosen, not measured), and whether one placed the repost on the original. The hypotheses
    are ``_shape_crops`` for a repost of another shape, ``_centre_crops`` for one of the
    original's own. Their same-scene is not kept: an unmeasured crop that lines up with nothing
    may be the wrong crop, not another moment. A region is hashed as a square thumbnail
    whatever its shape, so a crop shown stretched is hashed like the unstretched one."""
    query_fp = hashed.decoded.fingerprint
    shaped = _shape_crops(hashed.decoded, local)
    best: list[Alignment] = []
    for overlap in shaped or _centre_crops(hashed.decoded, local):
        query_region = hashed.query(overlap)[0]
        second = align(query_region, {ref_id: hashed.reference(
            ref_id, local, overlap.reference_box)}, result.params)
        extra = _lined_up(second, _hypothesis_edits(overlap, (query_fp.width, query_fp.height)))
        if sum(a.evidence for a in extra) > sum(a.evidence for a in best):
            best = extra
    if not best:
        return result, False
    found = with_extra_matches(_superseded(result, best), best, query_fp)
    # A centre crop of the original's own shape stands where it explains more of the repost
    # than was matched: it takes the original's same-scene intervals with it.
    if not shaped and _matched_s(found, ref_id) <= _matched_s(result, ref_id) + 1e-6:
        return result, False
    return found, True


def _inset_hypotheses(hashed: _Hashed, local: LocalData, result: AlignResult, ref_id: str
                      ) -> tuple[AlignResult, bool, bool]:
    """Where a picture or a caption box laid over the original (``geometry.inset_boxes``)
    disturbs the whole frame's motion (a moving inset makes the original's own moment look
    like another): the original's part clear of it, compared like with like. The parts tried
    are the largest strip beside the laid boxes and each half of the frame clear of them; the
    one lining up with the most motion-confirmed samples (GEOMETRY_MIN_CONFIRMED at least)
    supersedes what whole frames found. Only for a repost shown as the original's whole frame
    (no bars, or one along an edge: ``_whole_frame_shown``; the same shape). Returns the result,
    whether a part lined up, and whether the pictures laid over move (MOVING_LAID_CHANGE)
    while no part clear of them lined up or showed another moment: the whole frames' motion
    then says nothing of the moment."""
    decoded = hashed.decoded
    if not len(local.details) or not _whole_frame_shown(decoded) or \
            abs(math.log(_ratio_change(decoded, local))) >= math.log(CROP_HYPOTHESIS_CHANGE):
        return result, False, False
    seen = [(s.query_start, s.query_end) for a in (*result.matches, *result.same_scene)
            if a.reference_id == ref_id for s in a.segments]
    found = _laid_over(decoded, local, seen or None)
    if found is None:
        return result, False, False
    result, placed, accused = _aligned_clear_of(hashed, local, result, ref_id, *found)
    hidden = not placed and not accused and \
        decoded.change_inside(_overlay(*found).boxes, seen) >= MOVING_LAID_CHANGE
    return result, placed, hidden


def _aligned_clear_of(hashed: _Hashed, local: LocalData, result: AlignResult, ref_id: str,
                      boxes: list[Box], mirrored: bool, over: Collection[Box | None] = ()
                      ) -> tuple[AlignResult, bool, bool]:
    """The result with the original's part clear of pictures laid over it (``boxes``, in the
    original's frame; ``mirrored``: shown mirrored) aligned like with like: the part lining up
    with the most motion-confirmed samples (GEOMETRY_MIN_CONFIRMED at least) supersedes what
    whole frames found. ``over``: regions whose matches share its time (``with_extra_matches``).
    Returns the result, whether a part lined up, and whether a part showed another moment
    (``MatchParams.scene_min_moving`` clearly moving samples that disagree, or more)."""
    edits = (_overlay(boxes, mirrored),)
    best: list[Alignment] = []
    accused = False
    for part in _clear_parts(boxes):
        query_box = geometry.mirrored_box(part) if mirrored else part
        query_region = hashed.query(geometry.Overlap(query_box, part, mirrored, 0))[0]
        second = align(query_region, {ref_id: hashed.reference(ref_id, local, part)},
                       result.params)
        accused |= any(s.evidence >= result.params.scene_min_moving
                       for a in second.same_scene for s in a.segments)
        extra = _lined_up(second, edits)
        if sum(a.evidence for a in extra) > sum(a.evidence for a in best):
            best = extra
    if not best:
        return result, False, accused
    return with_extra_matches(_superseded(result, best), best, hashed.decoded.fingerprint,
                              over=over), True, accused


def _shown_beneath(result: AlignResult, inset: list[Alignment]) -> list[str]:
    """Other originals matched on the whole frame while an inset's original lines up in time:
    the inset is laid over their footage (a picture-in-picture of two registered cameras),
    not cut between it (the desk audit's r14 read as a montage of one after the other)."""
    shown = union((s.query_start, s.query_end) for a in inset for s in a.segments)
    inset_ids = {a.reference_id for a in inset}
    return sorted({m.reference_id for m in result.matches
                   if m.region is None and m.reference_id not in inset_ids and any(
                       b - a >= result.params.min_segment_s for s in m.segments
                       for a, b in intersect((s.query_start, s.query_end), shown))})


def _with_inset(hashed: _Hashed, result: AlignResult, inset: list[Alignment], box: Box,
                beneath: list[str]) -> AlignResult:
    """The inset's matches in their region, sharing time with the originals ``beneath`` it
    (matched on the whole frame), and each of those aligned again on its part clear of the
    inset, whose moving picture disturbs the whole frame's hashes there."""
    placed = [replace(a, region=box) for a in inset]
    result = with_extra_matches(result, placed, hashed.decoded.fingerprint, over=(None,))
    for ref_id in beneath:
        local = hashed.local_data(ref_id)
        if local is None:
            continue
        mirrored = all(s.mirrored for m in result.matches if m.reference_id == ref_id
                       and m.region is None for s in m.segments)
        clear_of = geometry.mirrored_box(box) if mirrored else box
        result = _aligned_clear_of(hashed, local, result, ref_id, [clear_of], mirrored,
                                   over=(box,))[0]
    return result


def _laid_over_edits(decoded: Decoded, local: LocalData, alignment: Alignment
                     ) -> tuple[DetectedEdit, ...]:
    """A moving picture laid over a whole-frame match, which the pixel comparison at a few
    instants does not see as an overlay (it changes from one instant to the next): an
    overlay, at its place in the repost's frame, found over the matched time."""
    if _picture_box(decoded) != geometry.FULL_FRAME:
        return ()
    found = _laid_over(decoded, local, [(s.query_start, s.query_end) for s in alignment.segments],
                       [(s.reference_start, s.reference_end) for s in alignment.segments])
    return (_overlay(*found),) if found is not None else ()


def _overlay(boxes: list[Box], mirrored: bool) -> DetectedEdit:
    """Boxes laid over the original (``_laid_over``) as an overlay in the repost's frame."""
    return DetectedEdit(Edit.OVERLAY, boxes=tuple(
        geometry.mirrored_box(b) if mirrored else b for b in boxes))


# Edits after which the repost's still picture does not lie on the original's as it is.
_UNLAID = frozenset({Edit.STRETCHED, Edit.ROTATED, Edit.FILMED_OFF_SCREEN, Edit.CROPPED,
                     Edit.PICTURE_IN_PICTURE})
# Still pictures (medians) are taken over the frames inside spans of each side
# (``provider.within_spans``), at most _STILL_MAX_FRAMES spread evenly (a 20-minute query holds
# 4,800: their median took 0.8 s of CPU and two copies of 44 MB; 240 take 0.02 s).
_STILL_MAX_FRAMES = 240


def _laid_over(decoded: Decoded, local: LocalData,
               query_spans: Sequence[tuple[float, float]] | None = None,
               reference_spans: Sequence[tuple[float, float]] | None = None
               ) -> tuple[list[Box], bool] | None:
    """The boxes laid over the original (shares of the original's frame) and whether the
    repost is mirrored (its still picture flipped agrees better), or None when nothing is;
    the still pictures compared are the repost's over ``query_spans`` and the original's over
    ``reference_spans`` (a montage's other footage is not the original's view)."""
    height, width = local.details.shape[1:3]
    original = _still(local.details, local.detail_times, reference_spans)
    query = cv2.resize(_still(decoded.details, decoded.detail_times, query_spans),
                       (width, height), interpolation=cv2.INTER_AREA)
    flipped = query[:, ::-1]
    target = geometry.standardised(original)
    mirrored = float(np.abs(geometry.standardised(flipped) - target).mean()) < \
        float(np.abs(geometry.standardised(query) - target).mean())
    boxes = geometry.inset_boxes(flipped if mirrored else query, original)
    return (boxes, mirrored) if boxes else None


def _still(frames: np.ndarray, times: np.ndarray,
           spans: Sequence[tuple[float, float]] | None) -> np.ndarray:
    """The median of the frames inside ``spans`` (all of them when too few are)."""
    chosen = within_spans(times, spans)
    chosen = chosen[evenly_spread(len(chosen), _STILL_MAX_FRAMES)]
    return np.median(frames[chosen], axis=0).astype(np.float32)


# The halves of a frame, tried as the original's part clear of a laid picture.
_HALVES: tuple[Box, ...] = ((0.0, 0.0, 0.5, 1.0), (0.5, 0.0, 1.0, 1.0), (0.0, 0.0, 1.0, 0.5),
                            (0.0, 0.5, 1.0, 1.0))
# Kept between a laid box and the part compared (its edge may be a pixel or two off at 64).
_INSET_MARGIN = 0.03
# The least share of the frame a part compared holds (a strip beside a laid box).
_MIN_CLEAR_SHARE = 0.25


def _clear_parts(boxes: Sequence[Box]) -> list[Box]:
    """Parts of the frame clear of every laid box (widened by _INSET_MARGIN): the strips
    beside each and the halves of the frame, at least _MIN_CLEAR_SHARE of it, largest first.
    Each is cut short of bars across the whole width along the top or the bottom (a ticker's),
    so a picture laid beside such a bar leaves the strips beside it to compare."""
    widened = [(b[0] - _INSET_MARGIN, b[1] - _INSET_MARGIN, b[2] + _INSET_MARGIN,
                b[3] + _INSET_MARGIN) for b in boxes]
    bars = [b for b in widened if b[0] <= 0.0 and b[2] >= 1.0 and (b[1] <= 0.0) != (b[3] >= 1.0)]
    top = max((b[3] for b in bars if b[1] <= 0.0), default=0.0)
    bottom = min((b[1] for b in bars if b[3] >= 1.0), default=1.0)
    parts = list(_HALVES)
    for x0, y0, x1, y1 in widened:
        parts += [(0.0, 0.0, max(0.0, x0), 1.0), (min(1.0, x1), 0.0, 1.0, 1.0),
                  (0.0, 0.0, 1.0, max(0.0, y0)), (0.0, min(1.0, y1), 1.0, 1.0)]
    parts = [(x0, max(y0, top), x1, min(y1, bottom)) for x0, y0, x1, y1 in parts]
    clear = [p for p in dict.fromkeys(parts) if geometry.area(p) >= _MIN_CLEAR_SHARE
             and not any(geometry.overlaps(p, b) for b in widened)]
    return sorted(clear, key=geometry.area, reverse=True)


# The repost's whole frame on the original's, no edit: the hypotheses' baseline.
_AS_IT_IS = geometry.Overlap((0.0, 0.0, 1.0, 1.0), (0.0, 0.0, 1.0, 1.0), False, 0)


def _placed_by_view(hashed: _Hashed, local: LocalData, result: AlignResult, ref_id: str,
                    seen: bool, unplaced: list[str], approximate: list[str]
                    ) -> tuple[AlignResult, bool | None]:
    """``_view_hypotheses`` for an original keypoints did not place (or only approximately);
    the original is added to ``approximate`` when only a perspective model showed its view, to
    ``unplaced`` when nothing did and whole frames had ``seen`` it."""
    result, placed = _view_hypotheses(hashed.decoded, local, hashed.lib, result, ref_id,
                                      hashed)
    if placed is None:
        approximate.append(ref_id)
    elif not placed and seen:
        unplaced.append(ref_id)
    return result, placed


def _view_hypotheses(decoded: Decoded, local: LocalData, lib: Library, result: AlignResult,
                     ref_id: str, hashed: _Hashed | None = None
                     ) -> tuple[AlignResult, bool | None]:
    """Where keypoints did not place the repost on an original and no centre crop lined up in
    time (another moment aligns nowhere): the whole-frame hypotheses a repost carries, tried on
    the original's stored pictures for the view. Those are the centre crops shown stretched
    (``_shape_crops``) for a repost of another shape; VIEW_ROTATIONS and screens turned by
    VIEW_YAWS for one of the original's shape. Each under which the view agrees as closely as
    an unedited copy's whole frames (REGISTERED_VIEW_BITS), and VIEW_GAIN closer than the
    repost as it is, is aligned in time: the one lining
    up with the most motion-confirmed samples (GEOMETRY_MIN_CONFIRMED at least) is a match.
    When none lines up, the best view's same-scene intervals are added (its motion lined up at
    no offset under every geometry that shows the view). Returns the result and whether the
    view was placed: True; False when no hypothesis showed it; None when only a perspective
    did (its warp is a model of the screen, not measured: the motion may fail for want of
    precision, so this is no evidence of another moment). Tried only where the verdict can
    change: nothing else explains the query yet, or this original's view is seen unplaced
    (not where whole frames already show it as they are: ``_registered``)."""
    if ref_id in _registered(result) or result.verdict not in (
            Verdict.NO_MATCH, Verdict.INCONCLUSIVE) and ref_id not in {
            a.reference_id for a in result.same_scene}:
        return result, False
    query_fp = decoded.fingerprint
    size = (query_fp.width, query_fp.height)
    hypotheses = _shape_crops(decoded, local)
    if not hypotheses and abs(math.log(_ratio_change(decoded, local))) < math.log(
            CROP_HYPOTHESIS_CHANGE):
        hypotheses = [replace(_AS_IT_IS, rotation=angle) for angle in VIEW_ROTATIONS]
        hypotheses += [geometry.screen_view(yaw, size) for yaw in VIEW_YAWS]
    hashed = hashed or _Hashed(decoded, lib)
    shown: list[tuple[float, geometry.Overlap, AlignResult]] = []
    identity: float | None = None  # the view of the repost as it is, measured alike
    for overlap in hypotheses:
        if view_distance(*_hypothesis_regions(hashed, ref_id, local, overlap, few=True)) > \
                REGISTERED_VIEW_BITS + VIEW_SCREEN_MARGIN:
            continue
        query_region, reference = _hypothesis_regions(hashed, ref_id, local, overlap)
        bits = view_distance(query_region, reference)
        if identity is None:
            identity = view_distance(*_hypothesis_regions(hashed, ref_id, local, _AS_IT_IS))
        if bits <= min(REGISTERED_VIEW_BITS, identity - VIEW_GAIN):
            shown.append((bits, overlap, align(query_region, {ref_id: reference},
                                               result.params)))
    best: list[Alignment] = []
    for _, overlap, second in shown:
        extra = _lined_up(second, _hypothesis_edits(overlap, size))
        if sum(a.evidence for a in extra) > sum(a.evidence for a in best):
            best = extra
    if best:
        return with_extra_matches(_superseded(result, best), best, query_fp), True
    if not shown:
        return result, False
    _, overlap, second = min(shown, key=lambda h: h[0])
    return with_extra_same_scene(result, second.same_scene, query_fp), \
        None if overlap.homography is not None else True


def _hypothesis_regions(hashed: _Hashed, ref_id: str, local: LocalData,
                        overlap: geometry.Overlap, few: bool = False
                        ) -> tuple[Fingerprint, Fingerprint]:
    """The repost's and the original's fingerprints, like with like, under a whole-frame
    hypothesis: a tilt or perspective undone, a crop's region hashed on both sides; ``few``:
    on the few pictures a hypothesis is first screened on (VIEW_QUERY_SAMPLES, VIEW_SAMPLES)."""
    query_region, reference_box = hashed.query(overlap, few)
    return query_region, hashed.reference(ref_id, local, reference_box, few)


def _hypothesis_edits(overlap: geometry.Overlap, query_size: tuple[int, int]
                      ) -> tuple[DetectedEdit, ...]:
    """The edits a whole-frame hypothesis stands for: a perspective view (filmed off a screen),
    a crop (stretched to the repost's shape: ``_shape_crops``) or a tilt."""
    if overlap.homography is not None:
        return _perspective_edits(overlap, query_size)
    edits = geometry_edits(overlap.aspect, overlap.rotation, overlap.query_box, query_size)
    if geometry.area(overlap.reference_box) < geometry.WHOLE_FRAME_SHARE:
        edits = (_cropped(overlap.reference_box), *edits)
    return edits


def _lined_up(second: AlignResult, edits: tuple[DetectedEdit, ...]) -> list[Alignment]:
    """A hypothesis's matches with enough motion-confirmed samples to count
    (GEOMETRY_MIN_CONFIRMED: the geometry was chosen, not measured), each mapping on its own
    (``_supported``), carrying its edits."""
    return [Alignment(m.reference_id, m.score, kept, merged_edits(m.edits, edits))
            for m in second.matches if (kept := _supported(m.segments))]


# Segments at the same speed, mirroring and direction whose offsets differ by at most this are
# one mapping of the original (``Segment.same_mapping``: one take cut into segments by a gap
# lines up at one offset, 0.05 s apart at most, align.TAKE_OFFSET_S; two of a montage's moments
# of one camera lie seconds apart: a desk audit's road inset had pieces 10.5 s apart).
ONE_MAPPING_S = 0.5


def _supported(segments: Sequence[Segment]) -> tuple[Segment, ...]:
    """The segments of the mappings whose own segments hold GEOMETRY_MIN_CONFIRMED
    motion-confirmed samples: two mappings do not add up to one's evidence (a desk audit's
    road inset, 5 samples at its true offset and 5 at one 10.5 s off, was matched at both)."""
    mappings: list[list[Segment]] = []
    for segment in segments:
        same = next((m for m in mappings if m[0].same_mapping(segment, ONE_MAPPING_S)), None)
        if same is None:
            mappings.append([segment])
        else:
            same.append(segment)
    return tuple(sorted((s for m in mappings if sum(s.evidence for s in m) >=
                         GEOMETRY_MIN_CONFIRMED for s in m), key=lambda s: s.query_start))


def _unplaced_scene(result: AlignResult, unplaced: list[str],
                    approximate: list[str] | None = None,
                    thin: Mapping[str, str] | None = None,
                    loose: list[str] | None = None,
                    covered: list[str] | None = None) -> AlignResult:
    """A same-scene verdict says "another moment": it needs the repost's picture placed on the
    original's (then its motion disagreed at every offset in that geometry), by a keypoint fit,
    a whole-frame hypothesis (``_view_hypotheses``) or because the whole frames agree as they
    are (REGISTERED_VIEW_BITS). When none placed it on any same-scene original, the moment may
    only be hidden by a geometry not tried: inconclusive, with that reason (the same-scene
    intervals stay listed). ``approximate`` originals were shown only by a perspective model:
    their motion may fail for want of precision, whatever their view's agreement. ``thin``
    originals were placed only through a stretch or tilt, with too little motion under it to
    tell the moment (``_too_thin``, the reason for each). ``loose`` originals were placed only
    by a keypoint crop with residuals no exact geometry explained. ``covered`` originals are
    under a moving picture laid over their view (a ticker, an inset video: its motion is in
    every whole frame), and their part clear of it neither lined up nor showed another
    moment."""
    approximate = approximate or []
    thin = thin or {}
    loose = loose or []
    covered = covered or []
    registered = _registered(result)
    unplaced = [ref_id for ref_id in unplaced if ref_id not in registered] + approximate + \
        loose + covered
    scene_ids = {a.reference_id for a in result.same_scene}
    if result.verdict is not Verdict.SAME_SCENE or not (unplaced or thin) or \
            scene_ids - set(unplaced) - set(thin):
        return result
    if set(thin) >= scene_ids:
        reason = ("the view agrees with a registered camera once the repost's picture is "
                  f"stretched or tilted back, but {thin[result.same_scene[0].reference_id]}: "
                  "whether this is the registered moment or another cannot be said")
    elif set(loose) >= scene_ids:
        reason = ("the view agrees with a registered camera, cropped, but keypoints place the "
                  "crop on it only approximately (with residuals no exact geometry explains), "
                  "so motion that lines up nowhere in it does not show another moment: whether "
                  "this is the registered moment or another cannot be said")
    elif set(covered) >= scene_ids:
        reason = ("the view agrees with a registered camera, but a moving picture laid over it "
                  "(a ticker, an inset) changes every frame, and the part of the view clear of "
                  "it lines up at no offset nor shows another moment: whether this is the "
                  "registered moment or another cannot be said")
    elif set(approximate) >= scene_ids:
        reason = ("the view agrees with a registered camera only under a modelled geometry "
                  "(the nearest tried: a screen filmed at an angle), not a measured one, so "
                  "motion that lines up nowhere in it does not show another moment")
    else:
        reason = ("the view resembles a registered camera, but the repost's picture could not "
                  "be placed on it (stretch, tilt or crop not established), so whether this is "
                  "another moment cannot be said")
    return replace(result, verdict=Verdict.INCONCLUSIVE, confidence=0.0, reason=reason)


def _registered(result: AlignResult) -> set[str]:
    """Same-scene originals whose view the repost's whole frames show as they are, as closely
    as an unedited copy's (REGISTERED_VIEW_BITS): placed without a fit or a hypothesis."""
    return {a.reference_id for a in result.same_scene
            if min(s.similarity for s in a.segments) >= 1.0 - REGISTERED_VIEW_BITS / 32}


def _matched_s(result: AlignResult, ref_id: str) -> float:
    return sum(s.query_end - s.query_start for m in result.matches if m.reference_id == ref_id
               for s in m.segments)


def _superseded(result: AlignResult, extra: list[Alignment]) -> AlignResult:
    """The result without first-stage matches that a later alignment with the same original
    supports with more motion-confirmed samples: its time is then the later one's to explain."""
    better = {a.reference_id: a.evidence for a in extra}
    kept = tuple(m for m in result.matches
                 if m.evidence >= better.get(m.reference_id, -1))
    return replace(result, matches=kept) if len(kept) < len(result.matches) else result


def bar_edits(decoded: Decoded) -> tuple[DetectedEdit, ...]:
    """Letterbox, pillarbox or a vertical reframe, from the picture box inside the repost's bars
    (median over the video)."""
    picture = decoded.picture_box()
    if picture is None:
        return ()
    left, top, right, bottom = picture
    box = (round(left, 3), round(top, 3), round(right, 3), round(bottom, 3))
    fp = decoded.fingerprint
    vertical_bars, side_bars = _bars(picture)
    if vertical_bars and fp.height > fp.width:
        return (DetectedEdit(Edit.REFRAMED_VERTICAL, boxes=(box,)),)
    if vertical_bars:
        return (DetectedEdit(Edit.LETTERBOX, boxes=(box,)),)
    if side_bars:
        return (DetectedEdit(Edit.PILLARBOX, boxes=(box,)),)
    return ()


def _bars(picture: Box) -> tuple[bool, bool]:
    """Whether bars frame the picture above and below, and left and right: reframes and
    letterboxes centre the picture, bars on both sides (MIN_BAR_SHARE)."""
    left, top, right, bottom = picture
    return (min(top, 1.0 - bottom) >= MIN_BAR_SHARE / 2,
            min(left, 1.0 - right) >= MIN_BAR_SHARE / 2)


def _barred_picture(decoded: Decoded) -> Box:
    """The picture inside the repost's bars, along each axis where bars frame it on both sides
    (``bar_edits``), the whole frame along the others: a one-sided "bar" is a flat part of the
    picture (a 9:16 centre crop's road or ceiling), not a border to cut away."""
    left, top, right, bottom = _picture_box(decoded)
    vertical_bars, side_bars = _bars((left, top, right, bottom))
    if not vertical_bars:
        top, bottom = 0.0, 1.0
    if not side_bars:
        left, right = 0.0, 1.0
    return (left, top, right, bottom)


def inset_content_stage(decoded: Decoded, result: AlignResult, lib: Library,
                        candidates: Callable[[Fingerprint], list[str]] | None = None
                        ) -> tuple[AlignResult, dict[str, LocalData | None]]:
    """What a picture laid over a whole-frame match shows, looked up in the library: each
    overlay box shaped like a picture (``_picture_shaped``) is aligned on its own against the
    originals not already matched (``_inset_candidates``), as found and, where its hashes
    line up with none, at the place keypoints fit the original inside it (``_keypoint_inset``:
    a box reaching past the inset over the footage beneath breaks its hashes). One lining up
    with GEOMETRY_MIN_CONFIRMED motion-confirmed samples is a picture-in-picture match in that
    region, sharing the time of the footage it is laid over. ``candidates``: the library
    index's originals for a region's fingerprint. Returns the result and the stored data of the
    originals it newly matched."""
    found_boxes = dict.fromkeys(box for m in result.matches if m.region is None
                                for e in m.edits if e.kind is Edit.OVERLAY for box in e.boxes)
    pictures = {box: boxes for box in found_boxes if (boxes := _pictures_of(box, decoded))}
    if not pictures:
        return result, {}
    hashed = _Hashed(decoded, lib)
    read: dict[str, LocalData | None] = {}
    for found_box, boxes in pictures.items():
        around = _around(boxes)
        features = geometry.QueryFeatures(_inset_frames(decoded, around))
        ids, votes = _inset_candidates(hashed, boxes, features, result, candidates)
        ids = [i for i in ids if i not in {m.reference_id for m in result.matches}]
        work_left = INSET_LOOKUPS
        for number, ref_id in enumerate(ids):
            local = hashed.local_data(ref_id)
            if local is None:
                continue
            placed = _hashed_inset(hashed, local, result, ref_id, boxes)
            if not placed and work_left > 0 and (votes is None or ref_id in votes):
                share = _share(work_left, INSET_LOOKUPS, ids[number:], len(ids) - number,
                               votes or {})
                placed, used = _keypoint_inset(hashed, local, result, ref_id, features,
                                               around, share)
                work_left -= used
            if placed:
                result = with_extra_matches(result, placed, decoded.fingerprint, over=(None,))
                box = placed[0].region or found_box
                result = _overlay_placed(result, found_box, box)
                read[ref_id] = local
                result = _beneath_aligned_again(hashed, result, box)
    return result, read


def _beneath_aligned_again(hashed: _Hashed, result: AlignResult, box: Box) -> AlignResult:
    """Each whole-frame match with a picture placed at ``box`` laid over it aligned again on
    its part clear of the picture (``_aligned_clear_of``), whose movements disturb the whole
    frame's hashes: where the whole frame lined up only in part, the part clear of it may line
    up throughout."""
    for match in [m for m in result.matches if m.region is None and any(
            e.kind is Edit.OVERLAY and box in e.boxes for e in m.edits)]:
        local = hashed.local_data(match.reference_id)
        if local is None:
            continue
        mirrored = all(s.mirrored for s in match.segments)
        clear_of = geometry.mirrored_box(box) if mirrored else box
        result = _aligned_clear_of(hashed, local, result, match.reference_id, [clear_of],
                                   mirrored, over=(box,))[0]
    return result


def _overlay_placed(result: AlignResult, found: Box, placed: Box) -> AlignResult:
    """The whole-frame matches' overlay box ``found`` said where the picture laid over them
    was placed (the inset's own edges, not the box finder's)."""
    def moved(edit: DetectedEdit) -> DetectedEdit:
        if edit.kind is not Edit.OVERLAY or found not in edit.boxes:
            return edit
        return replace(edit, boxes=tuple(placed if b == found else b for b in edit.boxes))

    return replace(result, matches=tuple(
        replace(m, edits=tuple(moved(e) for e in m.edits)) if m.region is None else m
        for m in result.matches))


def _inset_candidates(hashed: _Hashed, boxes: list[Box], features: geometry.QueryFeatures,
                      result: AlignResult, candidates: Callable[[Fingerprint], list[str]] | None
                      ) -> tuple[list[str], dict[str, float] | None]:
    """The originals an inset is looked up in, and the votes of those its keypoints chose, the
    only ones keypoints then search (None: every one is searched). As the local stage's: in a
    library of more originals than it may examine (MatchParams.local_max_references), the
    originals the inset's keypoints vote for (``_key_candidates``). Looked up by their hashes:
    in a library of at most LOCAL_SCAN_LIBRARY, every original; in a larger one, those voted
    for and the index's candidates for the inset's region."""
    lib, params = hashed.lib, result.params
    index = lib.index(params.min_motion_energy)
    votes = _key_candidates(index, features, params) \
        if index.has_keys and len(lib) > params.local_max_references else None
    if len(lib) <= LOCAL_SCAN_LIBRARY:
        return [o.id for o in lib.list()], votes
    found = list(candidates(hashed.query(geometry.Overlap(
        boxes[0], geometry.FULL_FRAME, False, 0))[0])) if candidates else []
    return list(dict.fromkeys([*(votes or {}), *found])), votes


def _hashed_inset(hashed: _Hashed, local: LocalData, result: AlignResult, ref_id: str,
                  boxes: list[Box]) -> list[Alignment]:
    """The original's whole picture aligned with each box (and each shrunk by
    INSET_LOOKUP_SHRINKS): the best-supported alignment, in its box."""
    whole = hashed.reference(ref_id, local, geometry.FULL_FRAME)
    placed: list[Alignment] = []
    for box, inner in ((box, _shrunk(box, share)) for box in boxes
                       for share in INSET_LOOKUP_SHRINKS):
        query_region = hashed.query(geometry.Overlap(inner, geometry.FULL_FRAME, False, 0))[0]
        edits = (DetectedEdit(Edit.PICTURE_IN_PICTURE, boxes=(box,)),)
        found = [replace(a, region=box) for a in _lined_up(
            align(query_region, {ref_id: whole}, result.params), edits)]
        if sum(a.evidence for a in found) > sum(a.evidence for a in placed):
            placed = found
    return placed


def _around(boxes: list[Box]) -> Box:
    """Where keypoints look for the picture in an overlay's boxes: each box's shorter side
    grown both ways to its longer one's share of the frame (a frame-shaped picture, wherever
    the box finder's short side stopped inside it: the room's bottle inset, y 3-34 % of the
    frame, was boxed y 6-25 %), all of them bounded, INSET_SEARCH_MARGIN larger each side,
    inside the frame."""
    grown = []
    for x0, y0, x1, y1 in boxes:
        across, down = max(0.0, y1 - y0 - (x1 - x0)), max(0.0, x1 - x0 - (y1 - y0))
        grown.append((x0 - across, y0 - down, x1 + across, y1 + down))
    low = np.clip(np.min(grown, axis=0)[:2] - INSET_SEARCH_MARGIN, 0.0, 1.0)
    high = np.clip(np.max(grown, axis=0)[2:] + INSET_SEARCH_MARGIN, 0.0, 1.0)
    return (float(low[0]), float(low[1]), float(high[0]), float(high[1]))


def _inset_frames(decoded: Decoded, box: Box) -> list[np.ndarray]:
    """LOCAL_FRAMES of the repost's local-feature frames, cut to ``box`` and enlarged to
    geometry.WORK_WIDTH, the width originals' keypoints are stored at: a 164-pixel inset of a
    generated camera, as cut, gave 200 keypoints a frame and no fit with its original's 480
    pixels; enlarged 1.5, 2 and 2.5 times, fits of 98, 123 and 156 inliers."""
    cut = []
    for frame in decoded.local_in([(0.0, math.inf)], LOCAL_FRAMES):
        height, width = frame.shape[:2]
        x0, y0, x1, y1 = pixel_box(box, width, height, 16)
        part = frame[y0:y1, x0:x1]
        if x1 - x0 < geometry.WORK_WIDTH:
            scale = geometry.WORK_WIDTH / (x1 - x0)
            part = cv2.resize(part, (geometry.WORK_WIDTH, round((y1 - y0) * scale)),
                              interpolation=cv2.INTER_LINEAR)
        cut.append(np.ascontiguousarray(part))
    return cut


def _keypoint_inset(hashed: _Hashed, local: LocalData, result: AlignResult, ref_id: str,
                    features: geometry.QueryFeatures, around: Box, lookups: int
                    ) -> tuple[list[Alignment], int]:
    """The original placed inside the overlay (``features``: the repost's frames cut to
    ``around``) by keypoints, spending at most ``lookups``, as the local stage places a
    picture-in-picture, and its region there aligned with the original's in time. Returns
    the alignments and the lookups spent."""
    if not len(features) or not len(local.key_counts):
        return [], 0
    overlap, used = geometry.find_overlap_in(features, local.keyframes(), local.key_size,
                                             lookups)
    if overlap is None or overlap.has_geometry:
        return [], used
    width, height = around[2] - around[0], around[3] - around[1]
    qx0, qy0, qx1, qy1 = overlap.query_box
    box = (around[0] + qx0 * width, around[1] + qy0 * height,
           around[0] + qx1 * width, around[1] + qy1 * height)
    if geometry.area(box) < INSET_LOOKUP_MIN_AREA:
        return [], used
    placed = replace(overlap, query_box=box)
    query_region, reference_box = hashed.query(placed)
    second = align(query_region, {ref_id: hashed.reference(ref_id, local, reference_box)},
                   result.params)
    query_size = (hashed.decoded.fingerprint.width, hashed.decoded.fingerprint.height)
    return [replace(a, region=box) for a in _lined_up(second, _overlap_edits(placed, query_size))
            ], used


def _pictures_of(box: Box, decoded: Decoded) -> list[Box]:
    """Where an overlay box may hold a picture: the box itself where it is picture-shaped
    (``_picture_shaped``); else the frame-shaped pictures on its longer side grown from either
    of those edges, inside the frame and covering INSET_LOOKUP_MIN_AREA to
    geometry.INSET_MAX_AREA of it (the box a strip of such a picture); else none.

    The box finder can stop at an edge inside the inset (its sides move out to the first edge
    the footage beneath lacks, and the inset's own picture has such edges): the audit's bottle
    line laid over the room (x 2-34 %, y 63-97 %) was read as the strip x 2-34 %, y 86-94 %. A
    picture is usually laid at its own shape, and footage's shape is the frame's; a caption line
    across most of the frame, or a logo, grows into no such picture."""
    if _picture_shaped(box, decoded):
        return [box]
    x0, y0, x1, y1 = box
    # A frame-shaped picture is as long a share of the frame's height as of its width.
    long_side = max(x1 - x0, y1 - y0)
    if not INSET_LOOKUP_MIN_AREA <= long_side ** 2 <= geometry.INSET_MAX_AREA:
        return []
    if x1 - x0 >= y1 - y0:
        grown = [(x0, y1 - long_side, x1, y1), (x0, y0, x1, y0 + long_side)]
    else:
        grown = [(x1 - long_side, y0, x1, y1), (x0, y0, x0 + long_side, y1)]
    return [b for b in grown if min(b) >= -1e-9 and max(b) <= 1 + 1e-9]


def _shrunk(box: Box, share: float) -> Box:
    """The box with ``share`` of its width and height taken off each side."""
    x0, y0, x1, y1 = box
    dx, dy = share * (x1 - x0), share * (y1 - y0)
    return (x0 + dx, y0 + dy, x1 - dx, y1 - dy)


def _picture_shaped(box: Box, decoded: Decoded) -> bool:
    """Whether an overlay box could hold footage: INSET_LOOKUP_MIN_AREA of the frame or more,
    its sides within INSET_LOOKUP_MAX_RATIO of each other (caption lines are longer)."""
    width = (box[2] - box[0]) * decoded.fingerprint.width
    height = (box[3] - box[1]) * decoded.fingerprint.height
    return geometry.area(box) >= INSET_LOOKUP_MIN_AREA and \
        max(width, height) <= INSET_LOOKUP_MAX_RATIO * max(1e-6, min(width, height))


def matched_local_data(result: AlignResult, lib: Library) -> dict[str, LocalData | None]:
    """Each matched original's stored local data, read (and decompressed) once per verify for
    the picture-edit check, the moment check and the report's pictures."""
    return {m.reference_id: lib.local_data(m.reference_id) for m in result.matches}


def picture_edits_stage(decoded: Decoded, query_saturation: float, result: AlignResult,
                        stored: Mapping[str, LocalData | None],
                        only: Collection[str] | None = None) -> AlignResult:
    """Every match (of the originals ``only`` names, when given) with the edits seen in
    pictures (``stored``: ``matched_local_data``); originals without stored pictures (a
    library made before schema v4) are listed in ``skipped``."""
    matches = tuple(with_picture_edits(decoded, query_saturation, m, stored[m.reference_id])
                    if only is None or m.reference_id in only else m for m in result.matches)
    bare = [ref_id for ref_id, local in stored.items() if local is None]
    skipped = (f"picture edits: {len(bare)} matched original(s) have no stored pictures "
               "(re-index them: `provenance library reindex --all`)",) if bare else ()
    return replace(result, matches=matches,
                   skipped=tuple(dict.fromkeys(result.skipped + skipped)))


def with_picture_edits(decoded: Decoded, query_saturation: float, alignment: Alignment,
                       local: LocalData | None) -> Alignment:
    """The alignment with edits seen in pictures: bars from the repost's decode, grayscale and
    overlays by comparing the repost's kept pictures with the original's stored ones (``local``)
    at the matched times (whole-frame matches only: regions found by local features are not
    registered pixel to pixel)."""
    if alignment.region is not None:  # one picture of several (layout.py): its own edits
        return alignment
    edits = bar_edits(decoded)
    kinds = {e.kind for e in alignment.edits}
    if local is not None and not kinds & {Edit.PICTURE_IN_PICTURE, Edit.CROPPED}:
        found = _whole_frame_geometry(decoded, alignment, local) \
            if not kinds & {Edit.STRETCHED, Edit.ROTATED} else ()
        # A crop the whole-frame hashes absorbed: the overlay is looked for on the original's
        # kept part, which the repost's picture then lies on.
        kept = next((e.boxes[0] for e in found if e.kind is Edit.CROPPED and e.boxes), None)
        pairs = []
        for segment, q_time in _spread_over(alignment.segments, EDIT_PAIRS):
            r_time = segment.reference_time(q_time)
            q = nearest_index(decoded.detail_times, q_time)
            r = nearest_index(local.detail_times, r_time)
            query = _inside_bars(decoded.details[q], decoded.boxes[q])
            original = local.details[r] if kept is None else _exact_part(local.details[r], kept)
            pairs.append((query[:, ::-1] if segment.mirrored else query, original))
        seen = geometry.picture_edits(pairs, query_saturation, local.saturation)
        if all(s.mirrored for s in alignment.segments):  # compared unmirrored: flip back
            seen = tuple(_mirrored_boxes(e) if e.kind is Edit.OVERLAY else e for e in seen)
        # Still pictures lie on each other only where nothing turned or stretched one.
        laid_as_is = not (kinds | {e.kind for e in found}) & _UNLAID
        seen += _laid_over_edits(decoded, local, alignment) if laid_as_is else ()
        picture = decoded.picture_box()
        if picture is not None:  # placed in the repost's frame, bars included
            seen = _boxes_in_frame(seen, picture, Edit.OVERLAY)
        edits += seen + found
    return replace(alignment, edits=_overlays_once(merged_edits(alignment.edits, edits)))


def _overlays_once(edits: tuple[DetectedEdit, ...]) -> tuple[DetectedEdit, ...]:
    """The edits with every overlay said once: boxes found by two stages (a picture laid over
    the original, ``_inset_hypotheses``, and the pixel comparison here) joined, a box that
    overlaps one already kept left out."""
    overlays = [e for e in edits if e.kind is Edit.OVERLAY]
    if len(overlays) < 2:
        return edits
    boxes: list[Box] = []
    for box in (b for e in overlays for b in e.boxes):
        if not any(geometry.overlaps(box, kept) for kept in boxes):
            boxes.append(box)
    before = edits.index(overlays[0])  # no overlay before the first: its place in the rest
    rest = [e for e in edits if e.kind is not Edit.OVERLAY]
    return (*rest[:before], DetectedEdit(Edit.OVERLAY, boxes=tuple(boxes)), *rest[before:])


def _exact_part(picture: np.ndarray, box: Box) -> np.ndarray:
    """The part of a small picture inside a box (shares), resampled at the picture's size
    from its exact edges: cut at whole pixels of an original's 64-pixel details, a crop's
    part lay up to half a pixel off the repost's picture, and a sharp edge across it (a
    skirting board) differed along its length like an overlay (the room cropped 8 %: "overlay
    at x 22%-70%, y 56%-58%")."""
    height, width = picture.shape[:2]
    scale_x, scale_y = box[2] - box[0], box[3] - box[1]
    # Output pixel centre (i + 0.5) maps to box[0] * width + (i + 0.5) * scale_x - 0.5.
    matrix = np.array([[scale_x, 0.0, box[0] * width + 0.5 * scale_x - 0.5],
                       [0.0, scale_y, box[1] * height + 0.5 * scale_y - 0.5]], np.float32)
    return cv2.warpAffine(picture, matrix, (width, height),
                          flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_REPLICATE)


def _mirrored_boxes(edit: DetectedEdit) -> DetectedEdit:
    """An edit whose boxes were found on the repost's picture unmirrored, in the repost's own
    frame (a caption added after the mirror sits where the viewer sees it)."""
    return replace(edit, boxes=tuple((round(x0, 3), y0, round(x1, 3), y1) for x0, y0, x1, y1
                                     in map(geometry.mirrored_box, edit.boxes)))


# --- Captions: text the repost shows that the original does not ---------------------------
# A line the OCR read on a matched repost's picture, camera clocks included (a clock made up and
# burned in is an edit a desk must see), is a caption or logo added, an overlay, unless the
# original shows it where the line maps to (bars, crop and mirror undone), by any of:
# - at the matched instant, the repost's detail frame and the original's stored one agree there
#   (SAME_INSTANT_CORRELATION, normalised, a search of INSTANT_SEARCH_PIXELS): the original's
#   own text at that very instant, its clock's digits or a subtitle that changes every few
#   seconds (one the stored pictures never caught correlated 0.36-0.58 with them, 0.997-1.0
#   here);
# - the repost's patch (the line's box widened by CAPTION_PAD of its height, cut to the picture
#   inside the bars) correlates with one of the original's stored pictures (any keyframe,
#   CAPTION_SCALES, CAPTION_SEARCH of the picture around, at the coarser of the two scales) at
#   SAME_TEXT_CORRELATION or more;
# - the OCR reads the same words there in SAME_TEXT_READS of those pictures (SAME_TEXT_SIMILARITY
#   of their letters; the picture's whole width read in those rows), for text a 320-pixel
#   picture leaves too blurred to correlate.
# A line on the bars (letterbox, vertical reframe) is added whatever it says: no original shows
# them. Measured (benchmarks/README.md, "Captions from the text read"), the originals' own text
# (lower thirds, channel names and logos, subtitles, a camera name and clocks; reposts
# re-encoded, cropped, halved, grey, sped up, on 3 originals made for it and the user audit's 5):
# at the instant 0.90-1.0 but for a small logo at the picture's edge in 9:16 and pillarboxed
# copies (0.73-0.81: 13 x 5 pixels of a detail frame); with the stored pictures 0.68-0.99, the
# same words read 0.91-1.0. That logo, said overlaid in 3 of the audit's 43 reposts without a
# caption until the tenth session, correlated 0.42-0.61 with the stored pictures while its patch
# held the bar's rows and was enlarged from a 9:16 copy's 180-pixel picture to the original's
# 320: 0.87-0.89 cut to the picture and compared at the 9:16 copy's scale (the audit's 21 logo
# and camera-name lines 0.85-0.98); read 0.0 in the part around it (narrower than the reader's
# edge test needs once enlarged), 1.0 in the picture's width. Captions added (copy-detection's
# 6, the audit's 37, 3 drawn over an original's own text): at the instant 0.04-0.62, yellow
# ones on bright walls 0.81-0.92 (little contrast in grey); with the stored pictures 0.08-0.80
# (the audit's 0.08-0.73 either way); unrelated subtitle lines read 0.53-0.55 alike, the
# audit's captions at most 0.30.
SAME_INSTANT_CORRELATION = 0.95
INSTANT_SEARCH_PIXELS = 2
SAME_TEXT_CORRELATION = 0.85
SAME_TEXT_SIMILARITY = 0.75
# Stored pictures the OCR reads for it, spread over the original (4 of 12: a caption added
# costs a read of each, 0.01-0.05 s).
SAME_TEXT_READS = 4
CAPTION_PAD = 0.25
CAPTION_SCALES = (1.0, 0.9, 0.8)
CAPTION_SEARCH = 0.06
# A line of fewer letters and digits is a fragment, no caption: mirrored text read as "A" (the
# lower third of a repost mirrored and cropped, the only overlay wrongly said on that set); a
# two-letter logo ("TV") is not said either.
MIN_CAPTION_CHARACTERS = 3
# Matches whose picture is not laid on the original's by bars, crop and mirror alone.
_NOT_LAID = frozenset({Edit.PICTURE_IN_PICTURE, Edit.STRETCHED, Edit.ROTATED,
                       Edit.FILMED_OFF_SCREEN, Edit.MULTI_VIEW})


def caption_edits_stage(decoded: Decoded, result: AlignResult,
                        stored: Mapping[str, LocalData | None],
                        lines: Sequence[ocr.TextLine], cut_times: Sequence[float] = ()
                        ) -> tuple[AlignResult, tuple[ocr.TextLine, ...],
                                   tuple[ocr.TextLine, ...]]:
    """Every whole-frame match with, as an overlay, the text read on it (``lines``: the
    burned-in text ``evidence`` read) that its original does not show; those lines; and the
    lines judged at all (the others: no match laid on its original's stored pictures to compare
    them with, too short to tell, or read in other footage the video cuts to, which the library
    does not explain; ``cut_times``: the query's cuts). A line belongs to the match whose
    segment holds its time or, between segments, is nearest it (a montage's camera clock is its
    own camera's)."""
    other = _other_footage(result, cut_times)
    said = [line for line in lines if line.box is not None and
            len(_letters(line.text)) >= MIN_CAPTION_CHARACTERS and
            not any(start <= line.time < end for start, end in other)]
    laid = {k: local for k, m in enumerate(result.matches)
            if (local := stored.get(m.reference_id)) is not None and _laid(m, local)}
    if not said or not laid or not decoded.pictures:
        return result, (), ()
    owner = [min(laid, key=lambda k: _distance(result.matches[k], line.time)) for line in said]
    matches, added = list(result.matches), []
    for k, local in laid.items():
        mine = [line for line, o in zip(said, owner, strict=True) if o == k]
        matches[k], found = with_captions(decoded, matches[k], local, mine)
        added += found
    return replace(result, matches=tuple(matches)), tuple(added), tuple(said)


def _other_footage(result: AlignResult, cut_times: Sequence[float]
                   ) -> list[tuple[float, float]]:
    """The unexplained stretches the video cuts to (``fingerprint.cut_apart``): other footage,
    which no original shows, so no match is judged by the text read there (a desk audit's
    montage: an unregistered camera's clock read 1.3 s after the matched road's last second
    was taken for a clock added to the road; a second audit's, read on the first frame after
    the cut, at the stretch's very start). Their ends are sample times, as the times text is
    read at: a stretch holds the samples from its start up to its end. Unexplained time the
    matched shot runs on into is still that shot's."""
    return [(start, end) for start, end in result.unexplained
            if cut_apart(start, end, cut_times)]


def _laid(alignment: Alignment, local: LocalData) -> bool:
    """Whether a match's picture lies on its original's by bars, crop and mirror alone, and
    the original's pictures are stored."""
    return bool(local.pictures) and alignment.region is None and \
        not {e.kind for e in alignment.edits} & _NOT_LAID


def _distance(alignment: Alignment, time: float) -> float:
    """How far ``time`` is from the alignment's nearest segment (0 inside one)."""
    return min(_segment_distance(s, time) for s in alignment.segments)


def _segment_distance(segment: Segment, time: float) -> float:
    return max(segment.query_start - time, time - segment.query_end, 0.0)


def with_captions(decoded: Decoded, alignment: Alignment, local: LocalData,
                  lines: Sequence[ocr.TextLine]) -> tuple[Alignment, list[ocr.TextLine]]:
    """The alignment with the lines its original does not show as an overlay (each line's
    whole box, joined to a part of it an overlay the pictures showed already holds); and
    those lines."""
    added: list[ocr.TextLine] = []
    if not lines:
        return alignment, added
    kept = next((e.boxes[0] for e in alignment.edits if e.kind is Edit.CROPPED and e.boxes),
                (0.0, 0.0, 1.0, 1.0))
    overlay = next((e for e in alignment.edits if e.kind is Edit.OVERLAY), None)
    places = list(overlay.boxes) if overlay else []
    pictures = _decoded_pictures(local.pictures)
    picture_box = _picture_box(decoded)
    for line in lines:
        segment = min(alignment.segments, key=lambda s: _segment_distance(s, line.time))
        seen = _padded(line)
        inside = geometry.within(seen, picture_box)
        # the repost's patch: the line's box cut to the picture, as its place in the original
        if inside is not None and _originals_text(decoded, local, pictures, line,
                                                  _placed_in(inside, picture_box), inside,
                                                  segment, kept):
            continue
        added.append(line)
        near = [b for b in places if ocr.overlapping(seen, b)]
        places = [b for b in places if b not in near] + [geometry.enclosing(seen, *near)]
    if not places or (overlay is not None and places == list(overlay.boxes)):
        return alignment, added
    placed = DetectedEdit(Edit.OVERLAY, boxes=tuple(places))
    edits = [placed if e is overlay else e for e in alignment.edits] if overlay \
        else [*alignment.edits, placed]
    return replace(alignment, edits=tuple(edits)), added


def _padded(line: ocr.TextLine) -> Box:
    """The line's box (shares of the repost's frame) widened by CAPTION_PAD of its height."""
    assert line.box is not None
    x0, y0, x1, y1 = line.box
    pad = CAPTION_PAD * (y1 - y0)
    return (round(max(0.0, x0 - pad), 3), round(max(0.0, y0 - pad), 3),
            round(min(1.0, x1 + pad), 3), round(min(1.0, y1 + pad), 3))


def _in_frame(box: Box, picture: Box) -> Box:
    """A box of the picture inside the bars as shares of the whole frame."""
    x0, y0, x1, y1 = _placed_in(box, picture)
    return (round(x0, 3), round(y0, 3), round(x1, 3), round(y1, 3))


def _placed_in(box: Box, outer: Box) -> Box:
    """A box given as shares of ``outer`` as shares of what ``outer`` is part of
    (``geometry.within`` the other way round, uncut)."""
    width, height = outer[2] - outer[0], outer[3] - outer[1]
    return (outer[0] + box[0] * width, outer[1] + box[1] * height,
            outer[0] + box[2] * width, outer[1] + box[3] * height)


def _originals_text(decoded: Decoded, local: LocalData, pictures: list[np.ndarray],
                    line: ocr.TextLine, seen: Box, place: Box, segment: Segment,
                    kept: Box) -> bool:
    """Whether the original shows the line's text where it maps to: ``seen`` in the repost's
    frame, ``place`` in its picture inside the bars."""
    patch = _part(decoded.pictures[nearest_index(decoded.local_times, line.time)], seen)
    if segment.mirrored:  # the original's own text is mirrored in the repost: compare unmirrored
        patch, place = patch[:, ::-1], geometry.mirrored_box(place)
    # A line read only in colour (ocr.TextLine.colour) barely shows in grey pictures: grey ones
    # agreeing there (the detail frames at the instant) say nothing of it; colour ones must.
    if not line.colour and _instant_correlation(decoded, local, line.time, place, segment,
                                                kept) >= SAME_INSTANT_CORRELATION:
        return True
    mapped = _placed_in(place, kept)
    if max(_correlation(patch, original, mapped, line.colour) for original in pictures) >= \
            SAME_TEXT_CORRELATION:
        return True
    return any(_similar_text(line.text, original, mapped) for original in _text_reads(pictures))


def _instant_correlation(decoded: Decoded, local: LocalData, time: float, place: Box,
                         segment: Segment, kept: Box) -> float:
    """How closely the repost's detail frame at ``time`` (the nearest matched one, its mirror
    undone) shows, at ``place`` (in the unmirrored picture), what the original's stored frame
    at the matched instant shows there."""
    time = min(max(time, segment.query_start), segment.query_end)
    q = nearest_index(decoded.detail_times, time)
    r = nearest_index(local.detail_times, segment.reference_time(time))
    query = _inside_bars(decoded.details[q], decoded.boxes[q])
    if segment.mirrored:
        query = query[:, ::-1]
    original = _grey_float(_part(local.details[r], kept))
    height, width = original.shape
    laid = _grey_float(cv2.resize(query, (width, height), interpolation=cv2.INTER_AREA))
    x0, y0 = max(0, int(place[0] * width)), max(0, int(place[1] * height))
    x1 = min(width, max(x0 + 3, int(np.ceil(place[2] * width))))
    y1 = min(height, max(y0 + 3, int(np.ceil(place[3] * height))))
    template = laid[y0:y1, x0:x1]
    if template.size == 0 or float(template.std()) < 1.0:
        return -1.0
    search = INSTANT_SEARCH_PIXELS
    window = original[max(0, y0 - search):y1 + search, max(0, x0 - search):x1 + search]
    return float(cv2.matchTemplate(window, template, cv2.TM_CCOEFF_NORMED).max())


def _correlation(patch: np.ndarray, original: np.ndarray, mapped: Box,
                 colour: bool = False) -> float:
    """The best normalised correlation of the repost's patch with the original picture around
    the place it maps to (CAPTION_SCALES, CAPTION_SEARCH), in grey or in ``colour`` (the three
    channels of two BGR pictures together)."""
    grey = _colour_float(patch) if colour else _grey_float(patch)
    picture = _colour_float(original) if colour else _grey_float(original)
    # at the coarser of the two scales: a repost's picture smaller than the original's stored
    # one (a 9:16 reframe's is 180 pixels wide) is not enlarged to it, the original is shrunk
    shrink = grey.shape[1] / max(1.0, (mapped[2] - mapped[0]) * picture.shape[1])
    if shrink < 1.0:
        picture = cv2.resize(picture, None, fx=shrink, fy=shrink, interpolation=cv2.INTER_AREA)
    height, width = picture.shape[:2]
    best = -1.0
    for scale in CAPTION_SCALES:
        w = max(4, round((mapped[2] - mapped[0]) * width * scale))
        h = max(4, round((mapped[3] - mapped[1]) * height * scale))
        template = cv2.resize(grey, (w, h), interpolation=cv2.INTER_AREA)
        cx, cy = (mapped[0] + mapped[2]) / 2 * width, (mapped[1] + mapped[3]) / 2 * height
        x0 = int(max(0, cx - w / 2 - CAPTION_SEARCH * width))
        x1 = int(min(width, cx + w / 2 + CAPTION_SEARCH * width))
        y0 = int(max(0, cy - h / 2 - CAPTION_SEARCH * height))
        y1 = int(min(height, cy + h / 2 + CAPTION_SEARCH * height))
        if y1 - y0 < h or x1 - x0 < w or float(template.std()) < 1.0:
            continue
        best = max(best, float(cv2.matchTemplate(picture[y0:y1, x0:x1], template,
                                                 cv2.TM_CCOEFF_NORMED).max()))
    return best


def _colour_float(image: np.ndarray) -> np.ndarray:
    colour = image if image.ndim == 3 else cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    return colour.astype(np.float32)


def _grey_float(image: np.ndarray) -> np.ndarray:
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    return grey.astype(np.float32)


def _similar_text(text: str, original: np.ndarray, mapped: Box) -> bool:
    """Whether the OCR reads the same words in the original picture at the mapped place
    (``_read_around``)."""
    read = _letters(_read_around(original, mapped))
    wanted = _letters(text)
    return bool(read and wanted) and difflib.SequenceMatcher(None, wanted, read).ratio() >= \
        SAME_TEXT_SIMILARITY


def _read_around(original: np.ndarray, mapped: Box) -> str:
    """The text the OCR reads in the original picture at the mapped place (widened by the
    line's height and a tenth of the width: the mapping is approximate). The picture's whole
    width in those rows is read, the lines that lie mostly in the widened place kept: a narrow
    part enlarged on its own slips through the reader's edge test (a 320-pixel picture's
    channel logo, read whole, was never read in the part of it around the logo), and a line
    beside it is other text (the camera's own clock beside a made-up one: their digits read
    alike)."""
    height = mapped[3] - mapped[1]
    left, right = max(0.0, mapped[0] - 0.1), min(1.0, mapped[2] + 0.1)
    top, bottom = max(0.0, mapped[1] - height), min(1.0, mapped[3] + height)
    part = _part(original, (0.0, top, 1.0, bottom))
    # a 320-pixel picture's text enlarged 3 times: strokes wide enough for the reader's gate
    part = cv2.resize(part, None, fx=3, fy=3, interpolation=cv2.INTER_CUBIC)
    return " ".join(found.text for found in ocr.read_frame(part)
                    if found.box is not None and _share_between(found.box, left, right) >= 0.5)


# --- Clocks over a registered camera's other moment ---------------------------------------
# A clock read where the video shows a registered camera's view at another moment (same-scene
# time, no match to lay it on, so the caption stage compared nothing) is the camera's own where
# the original's stored pictures show a clock at its place (any digits: another moment's time
# differs), and laid on where none of SAME_TEXT_READS of them shows any text there while the
# repost's own picture, brought to the stored pictures' size, still shows the clock readably
# (small text a stored picture cannot hold proves nothing) (a desk audit's clock drawn over a
# registered camera's other moment was called the camera's clock, and "supported" the false
# date it showed). Text there that is no clock decides nothing.


def same_scene_clocks(decoded: Decoded, result: AlignResult, lines: Sequence[ocr.TextLine],
                      local_data: Callable[[str], LocalData | None]
                      ) -> tuple[tuple[ocr.TextLine, ...], tuple[ocr.TextLine, ...]]:
    """(the clock lines laid on, the camera's own clock lines) among those read in same-scene
    time no match covers, judged on the stored pictures of the original whose view it is
    (``local_data``: by id): its own where they show a clock at its place written the same
    way (``ocr.clock_format``), laid on where they show one written otherwise (drawn over
    the camera's) or no text there; lines in a view laid otherwise than by bars and crop are
    left."""
    added: list[ocr.TextLine] = []
    own: list[ocr.TextLine] = []
    decided: dict[tuple[str, Box], frozenset[ocr.ClockFormat] | None] = {}
    for line in lines:
        view = _scene_view(result, line)
        if view is None or line.box is None or ocr.screen_datetime(line.text) is None:
            continue
        inside = geometry.within(_padded(line), _picture_box(decoded))
        local = local_data(view.reference_id)
        if inside is None or local is None or not local.pictures:
            continue
        kept = next((e.boxes[0] for e in view.edits if e.kind is Edit.CROPPED and e.boxes),
                    (0.0, 0.0, 1.0, 1.0))
        x0, y0, x1, y1 = _placed_in(inside, kept)
        mapped = (round(x0, 2), round(y0, 2), round(x1, 2), round(y1, 2))
        key = (view.reference_id, mapped)
        if key not in decided:
            shown = _clocks_shown(local, mapped)
            if shown is False:  # no text there: added, if the repost's shows at that size
                shown = frozenset() if _readable_as_stored(decoded, line.time, inside) else None
            decided[key] = shown
        formats = decided[key]
        if formats is not None:
            # a clock at the camera's clock's place, written otherwise, was drawn over it
            (own if ocr.clock_format(line.text) in formats else added).append(line)
    return tuple(added), tuple(own)


def _scene_view(result: AlignResult, line: ocr.TextLine) -> Alignment | None:
    """The same-scene alignment laid as it is (bars and crop alone) whose time holds the
    line's, where no matched segment does."""
    if any(s.query_start <= line.time <= s.query_end for m in result.matches
           for s in m.segments):
        return None
    return next((a for a in result.same_scene if a.region is None
                 and not {e.kind for e in a.edits} & _NOT_LAID
                 and any(s.query_start <= line.time <= s.query_end for s in a.segments)), None)


def _readable_as_stored(decoded: Decoded, time: float, place: Box) -> bool:
    """Whether a clock is read at ``place`` (in the picture inside the bars) in the repost's
    colour picture nearest ``time``, made as wide as the originals' stored pictures."""
    if not decoded.pictures:
        return False
    picture = _part(decoded.pictures[nearest_index(decoded.local_times, time)],
                    _picture_box(decoded))
    scale = STORED_PICTURE_WIDTH / max(1, picture.shape[1])
    if scale < 1.0:
        picture = cv2.resize(picture, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return ocr.screen_datetime(_read_around(picture, place)) is not None


def _clocks_shown(local: LocalData, mapped: Box
                  ) -> frozenset[ocr.ClockFormat] | Literal[False] | None:
    """The formats of the clocks the original's stored pictures show at ``mapped`` or where it
    lies mirrored (``ocr.clock_format``), False when none of SAME_TEXT_READS of them shows any
    text there, None when they show only other text."""
    pictures = _decoded_pictures(_text_reads(local.pictures)[:SAME_TEXT_READS])
    read = [_read_around(picture, place) for picture in pictures
            for place in (mapped, geometry.mirrored_box(mapped))]
    formats = frozenset(f for text in read if (f := ocr.clock_format(text)) is not None)
    if formats:
        return formats
    return None if any(read) else False


def _decoded_pictures(jpegs: Sequence[bytes]) -> list[np.ndarray]:
    """An original's stored pictures (JPEG) as BGR images, those that do not decode left out."""
    images = (cv2.imdecode(np.frombuffer(p, np.uint8), cv2.IMREAD_COLOR) for p in jpegs)
    return [image for image in images if image is not None]


_Picture = TypeVar("_Picture")


def _text_reads(pictures: Sequence[_Picture]) -> Sequence[_Picture]:
    """The pictures the OCR reads for an original's own text: every len // SAME_TEXT_READS-th."""
    return pictures[::max(1, len(pictures) // SAME_TEXT_READS)]


def _share_between(box: Box, left: float, right: float) -> float:
    """The share of a box's width between ``left`` and ``right``."""
    inside = min(box[2], right) - max(box[0], left)
    return max(0.0, inside) / max(box[2] - box[0], 1e-6)


def _letters(text: str) -> str:
    return "".join(c for c in text.upper() if c.isalnum())


def _part(picture: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    """The part of a picture inside a box (shares of its width and height)."""
    height, width = picture.shape[:2]
    x0, y0 = int(round(box[0] * width)), int(round(box[1] * height))
    x1, y1 = int(round(box[2] * width)), int(round(box[3] * height))
    return picture[y0:max(y1, y0 + 1), x0:max(x1, x0 + 1)]


def _whole_frame_geometry(decoded: Decoded, alignment: Alignment, local: LocalData
                          ) -> tuple[DetectedEdit, ...]:
    """A stretch or rotation of a whole-frame match (hashes of whole frames see neither: a
    thumbnail is square whatever the aspect, and small tilts move few of its cells): the
    repost's kept frames at matched times fitted to the original's keyframes nearest them."""
    similarity = float(np.median([s.similarity for s in alignment.segments]))
    change = _ratio_change(decoded, local)
    if similarity >= GEOMETRY_SIMILARITY and abs(math.log(change)) < geometry.MIN_ASPECT_CHANGE:
        return ()
    fp = decoded.fingerprint
    # Fitted on the picture inside the bars, in its own pixels: bars show nothing of the
    # original, and a letterboxed crop's kept part is the part of the original the picture shows
    # (the demo's cropped shot, letterboxed, fitted whole read the bars as picture: no crop).
    picture = _barred_picture(decoded)
    size = (max(1, round(fp.width * (picture[2] - picture[0]))),
            max(1, round(fp.height * (picture[3] - picture[1]))))
    # Whole frames that agree this closely at another ratio are the whole picture stretched by
    # it, when keypoints cannot measure it (a texture-poor view).
    by_ratio = geometry_edits(change, 0.0, (0.0, 0.0, 1.0, 1.0), size) \
        if similarity >= GEOMETRY_SIMILARITY else ()
    pairs: list[tuple[np.ndarray, int]] = []
    spread = _spread_over(alignment.segments, GEOMETRY_PAIRS)
    for segment, q_time in spread:
        r_time = segment.reference_time(q_time)
        if not len(decoded.local_times) or not len(local.key_times):
            break
        q = nearest_index(decoded.local_times, q_time)
        frame = _part(decoded.local_frames[q], picture)
        pairs.append((frame[:, ::-1] if segment.mirrored else frame,
                      nearest_index(local.key_times, r_time)))
    if not pairs:
        return by_ratio
    keyframes = local.keyframes()

    def fitted(chosen: list[tuple[np.ndarray, int]]) -> geometry.Overlap | None:
        # Whole frames on both sides, orientation known: as many keypoints as the original's.
        return geometry.find_overlap_in(
            geometry.QueryFeatures([f for f, _ in chosen], geometry.REFERENCE_FEATURES),
            [keyframes[k] for _, k in chosen], local.key_size, GEOMETRY_LOOKUPS, (False,))[0]

    # Most reposts keep the geometry: one pair says so; the others only measure an edit.
    overlap = fitted(pairs[:1])
    if overlap is not None and overlap.is_whole_frame() and not overlap.has_geometry:
        return ()
    overlap = fitted(pairs)
    if overlap is not None and overlap.homography is not None:
        return _boxes_in_frame(_perspective_edits(overlap, size), picture, Edit.FILMED_OFF_SCREEN)
    if overlap is not None and overlap.lies_inside() and not overlap.has_geometry and \
            geometry.area(overlap.reference_box) < geometry.WHOLE_FRAME_SHARE:
        # The repost's whole picture is part of the original's: a crop within what whole-frame
        # hashes absorb (8-15 % off each side).
        return (_cropped(overlap.reference_box),)
    if overlap is None or not overlap.is_whole_frame():
        return by_ratio
    edits = geometry_edits(overlap.aspect, overlap.rotation, overlap.query_box, size)
    if any(e.kind is Edit.ROTATED for e in edits) and not _tilt_shown(
            decoded, local, replace(overlap, mirrored=spread[0][0].mirrored), picture):
        edits = tuple(e for e in edits if e.kind is not Edit.ROTATED)
    return edits


def _tilt_shown(decoded: Decoded, local: LocalData, overlap: geometry.Overlap,
                picture: Box) -> bool:
    """Whether undoing a tilt keypoints read on whole frames (``overlap``, fitted on the
    ``picture`` inside the bars) brings the repost's view closer to the original's than the
    same region left as it is (``align.view_distance``): keypoints fitted on a few frame pairs
    read tilts that are not there. Registered windows (other_moments.py --registered), matched
    as they are: 2.9° under a news ticker, 1.5° with a caption and logo, 3.6° under subtitles,
    their views 1-4 bits further once "undone"; the copy-detection set's 4° tilts read so, 2-10
    bits closer (benchmarks/README.md, "Tilts read on whole frames")."""
    details = decoded.details
    if picture != geometry.FULL_FRAME:
        details = np.stack([_part(d, picture) for d in details])
    untilted, query_box, reference_box = geometry.rectified(details, overlap)
    as_it_is = geometry.rectified(details, replace(overlap, rotation=0.0))[0]
    duration = decoded.fingerprint.duration
    reference = region_fingerprint(local.detail_times, local.details, reference_box, duration)
    return view_distance(region_fingerprint(decoded.detail_times, untilted, query_box,
                                            duration), reference) < \
        view_distance(region_fingerprint(decoded.detail_times, as_it_is, query_box, duration),
                      reference)


def _boxes_in_frame(edits: tuple[DetectedEdit, ...], picture: Box, kind: Edit
                    ) -> tuple[DetectedEdit, ...]:
    """Edits with the boxes of those of ``kind``, found on the picture inside the bars, given
    in the repost's whole frame."""
    return tuple(replace(e, boxes=tuple(_in_frame(b, picture) for b in e.boxes))
                 if e.kind is kind else e for e in edits)


def _spread_over(segments: tuple[Segment, ...], count: int) -> list[tuple[Segment, float]]:
    """``count`` query times spread evenly over the segments' total length."""
    total = sum(s.query_end - s.query_start for s in segments)
    chosen = []
    for k in range(count):
        target = total * (k + 0.5) / count
        for segment in segments:
            length = segment.query_end - segment.query_start
            if target <= length:
                chosen.append((segment, segment.query_start + target))
                break
            target -= length
    return chosen


def _inside_bars(detail: np.ndarray, box: np.ndarray) -> np.ndarray:
    height, width = detail.shape[:2]
    top, bottom = int(round(box[0] * height)), int(round(box[1] * height))
    left, right = int(round(box[2] * width)), int(round(box[3] * width))
    if bottom - top < 4 or right - left < 4:
        return detail
    return detail[top:bottom, left:right]
