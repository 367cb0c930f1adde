"""Same camera, same moment? A matched segment checked against the original's stored frames.

A fixed camera repeats its movements: cars leave a car park along the same lane, people cross a
room on the same path at the same pace. Motion hashes record where and how the picture changes,
not what moves, so another moment of the same camera can line up in time with the registered
one. What tells them apart is what the picture shows at the very same instant: for each of the
original's stored detail frames inside a matched segment, the repost's own frame at that
instant (one of the query's moment frames, ``provider.MOMENT_FPS``) is compared, in the pixels
that change, with the original's frame; and so is the repost's frame ``EARLIER_S`` before. A
true copy explains the original's frame far better at the instant than a quarter of a second
before; another moment does not explain it at all, at either time.

The same mapping is also followed up to BEYOND_S past the segment's ends, where the repost goes
on showing the camera: a chance alignment of a repeated movement is short, and what follows it
in the repost does not follow it in the original. A judged segment whose first or last instants
show the repost standing still where the original moves is cut there (a splice of another
moment that stood still, which motion hashes cannot see), and a piece the aligner cut at a
splice (``Segment.spliced``) stands only if the check confirms it.

The repost's picture is laid on the original's by the match's geometry (picture box, crop,
picture-in-picture, mirroring; a stretch is undone by shrinking one box onto the other), then
corrected by the best of a few shifts, scales and the measured tilt on the segment's median
frames, which show the fixed background. Pixels where the still pictures disagree (captions,
logos) or where the original moves and the repost never does (something covers it) are left
out. A segment filmed off a screen at an angle, or whose pictures could not be laid closely, is
not judged; OpenCV's ECC fit was tried for the laying and diverged on 64-pixel frames (a 10°
tilt, a caption).

The check adds the query's moment frames to the one decode: for non-reference frames the fast
decoder would otherwise skip, the first after each instant of a ``MOMENT_FPS`` grid is decoded.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import TYPE_CHECKING

import cv2
import numpy as np

from . import align, geometry
from .frames import evenly_spread
from .models import Alignment, Box, Edit, Fingerprint, LocalData, Segment, Verdict
from .provider import (
    DETAIL_FPS,
    JUMP_AFTER_S,
    MOVING_LAID_CHANGE,
    Decoded,
    is_jump,
    nearest_index,
)

if TYPE_CHECKING:
    from .library import Library

# How far the repost's moment frame may be from the original's instant (the original's stored
# frame is compared with the repost's frame nearest the instant it maps to).
INSTANT_TOLERANCE_S = 0.05
# The repost's frame this long before the instant is the comparison: the same scene a moment off.
EARLIER_S = 0.25
# A pixel "changes" where the original's frame differs from its stored frame before by this much,
# in units of the frame's own standard deviation (both z-normalised).
CHANGE_Z = 0.2
# An instant counts when at least this share of the compared pixels change (and at least
# MIN_CHANGED_PIXELS of them): below it nothing moves enough to tell two moments apart.
MIN_CHANGED_SHARE = 0.01
MIN_CHANGED_PIXELS = 8
# The smallest region compared (pixels a side, in the original's stored 64-pixel frames and in
# the repost's moment frames, 64 pixels too): a picture laid over the copy-detection set's
# mandelbrot at 30 % of its width is 19 x 11 of them, and compared with the original's 64 x 36
# its instants read another moment (11.7 s of 12, 27 motion-confirmed samples).
MIN_SIDE = 12
# Instants a segment needs before its ratio says anything, and the most it examines (a long
# segment's spread over it: the copy-detection set's 10-12 s segments have 17-30).
MIN_INSTANTS = 4
# Calling a segment another moment (by its instants' ratio or stillness) is an accusation: on the
# fewest instants that judge at all, the median is the mean of two and one tilt or caption
# decides it. Registered 6 s windows of the room tilted 4° and mirrored were called another
# moment on 4 instants (ratios 0.76-1.02) with 16-22 confirmed samples at their very offset;
# every other moment the sweeps rejected so had 5 instants or more (other_moments.py
# --registered and its other-moment sweep, 6 edits). With fewer the segment is unsettled.
MIN_INSTANTS_APART = 5
MAX_INSTANTS = 40
# A screen read at up to this angle is laid by its box, like a flat picture, and the fit's gate
# (``MatchParams.moment_max_fit``, ``moment_loose_fit``) decides whether the pictures lie on each
# other closely enough to judge. Such reads are as often a plain view's bright part as a screen:
# the room squeezed 2x read 4.3° (6 s windows, other_moments.py); judged that way its chance
# alignment of another moment was no longer a match, the registered windows' answers unchanged
# (64 windows), the wall block's screens (5-35°) unchanged.
LAID_SCREEN_ANGLE = 8.0
# A repost whose frames are further apart than this (under 8 a second: a frame rate cut to
# 2-6) has no frame near each instant, its nearest as far from it as from EARLIER_S before, and
# repeats frames where the original moves ("standing still"): the user audit's 2 and 4 fps
# copies of the registered room, parking lot and bottle were called another moment. Such a
# repost is not judged; its frames' spacing is measured from the decoded stream.
MAX_FRAME_GAP_S = EARLIER_S / 2
# Stored original frames further apart than this are no "frame before" for each other.
MAX_DETAIL_GAP_S = 0.4
# The repost's picture is laid on the original's region by the match's boxes, corrected by the
# best of these scales and shifts (pixels of the original's 64-pixel frames) and, for a rotated
# repost, by its measured tilt of either sign.
FIT_SCALES = (0.95, 1.0, 1.05)
FIT_SHIFTS = (-2.0, -1.0, 0.0, 1.0, 2.0)
# Pixels whose still pictures (medians over the segment) differ by more than this (z units) are
# not the same background: a caption, a logo, what a tilt or a crop brought in; not compared.
AGREE_Z = 1.0
# A pixel whose grey level varies over the segment by more than COVERED_MOTION (standard
# deviation, grey levels) in the original but by less than COVERED_SHARE of that in the repost
# is covered in the repost.
COVERED_MOTION = 4.0
COVERED_SHARE = 0.3
# The repost "stands still" at an instant where its frames EARLIER_S apart differ by less than
# this (z units, mean over the pixels where the original changes).
STILL_Z = 0.1
# How much closer a corrected warp must lay the still pictures than the boxes alone, and the
# share of their pixels that measure it (the rest may be a caption or a logo).
FIT_GAIN = 0.9
FIT_KEPT = 0.8
# The segment's mapping is from 4-a-second samples: the repost's frames are compared at these
# shifts of it (seconds) and the best kept (a segment can be a sample step off).
SHIFTS = tuple(np.round(np.arange(-0.3, 0.3001, 1.0 / 30.0), 4))
# A changed speed comes from 4-a-second samples on a grid of 0.01 (``align._refine_speed``):
# the desk audit's copies played at 1.25x, 1.5x and 0.8x read 1.28, 1.51, 0.82 and 0.78, their
# starts up to 0.3 s off. A segment at a changed speed is placed again from its pictures: each
# instant's own best shift among SHIFTS, where it is clear (its difference there at most
# LINE_SHARPNESS of its median over SHIFTS), and a line through them (``_line``) over at least
# LINE_MIN_SPAN_S of the repost (a generated 1.25x copy read 1.28 had its clear instants over
# 2.9 s of 9), its growth at most LINE_MAX_GROWTH a second (the 3 % the sweeps' speeds were off
# by); kept where the check at the new mapping explains the original's frames at least as well,
# and followed again from there up to LINE_PASSES times (a segment the aligner read at 1.07
# spanning a montage's registered piece and another moment, the desk audit's car park, was 1.03
# after one pass) (``_placed_again``).
LINE_SHARPNESS = 0.2
LINE_MIN_SPAN_S = 2.0
LINE_MAX_GROWTH = 0.04
LINE_PASSES = 3
# A segment the aligner placed at 1x while changed speeds explained its motion as well
# (``Segment.alternative_speeds``) is taken at the one whose check confirms the moment and whose
# instants' upper quartile of ratios is at most ALTERNATIVE_GAIN of the judged check's at 1x
# (``_at_alternative_speed``). The upper quartile, not the median: through the segment's middle
# the two mappings agree, and only the outer instants tell them apart (a generated 1.1x copy at
# 1x: 0.11-0.14 in the middle, 0.4-1.7 at the ends, median 0.27). Measured on 6 s registered
# windows of the 3 shared clips played at 0.9x, 1.1x (and 0.67-1.7x where 1x was read), the
# same at 1x as recorded and captioned, and other moments at 0.67-1.7x (benchmarks/README.md,
# "A copy played 10 % faster or slower"): a changed speed nearer the truth than 1x measured
# quartiles 0.08 / 0.18 / 0.33 of 1x's (102 of 135 at 0.35 or less); an unedited copy's or
# another moment's confirming alternative 0.50 or more (0.50: a room window whose own 1x ratio
# was 0.31; the other moments 0.65 and up).
ALTERNATIVE_GAIN = 0.35
# Where the check at 1x shows another moment while an alternative confirms the moment with a
# gain of at most ALTERNATIVE_OPEN_GAIN (not the margin that takes it), the moment is left open:
# the segment is not called another moment on the strength of the one speed of two the motion
# could not tell apart. The trials above: every confirming alternative of another moment 0.65
# or more; true alternatives a quarter of them above 0.33. Again with each alternative also at
# its own votes' offset (twenty-fourth session, `other_moments.py`, 10 s windows every 2 s:
# other moments as recorded and at 0.9x, 1.25x, 1.5x, registered ones as recorded, captioned
# and at 0.67x-1.5x, and the spliced montages): other moments and montages 31 confirming
# alternatives in 111 trials, the lowest 0.65 (0.65, 0.75, 0.82 and 1.11 where 1x showed
# another moment); registered windows 49 in 56, those taken 0.02-0.28, the others 1.08 and
# up. A piece of the car park played at 1.25x around a frozen frame, 4.8 s long, 0.42 (0.37
# against 0.88 at 1x; its median ratio 0.02 against 0.71).
ALTERNATIVE_OPEN_GAIN = 0.5
# A segment's mapping is also followed this far beyond each end, where the repost's still
# picture there (median of its frames, laid as the segment's) lies on the original's within
# BEYOND_FIT: the same camera, not a cut to other footage. The other moments of the sweep that
# whole frames lined up for 2.5-5.7 s showed another moment there (ratio 0.96-1.08 on 12-13
# instants, see benchmarks/README.md). Stills of the shared clips 3 s apart differ by at most
# 0.47 (a car close to the camera), stills of two different clips by 0.58 or more.
BEYOND_S = 3.0
BEYOND_FIT = 0.5
# A judged segment whose first or last instants (this many in a row, or more) show the repost
# standing still where the original moves ends where they begin: a splice of another moment
# that stood still, which motion hashes cannot see (the audit's parking-lot montage: 5 instants
# still, then 0.03-0.32; other_moments.py --spliced: 3 and 4 still, then 0.02-0.22). A true
# copy's instants that show another moment are single ones (still share at most 0.05).
TRIM_RUN = 3
# The check's premise is a fixed camera: at most this share of the compared pixels change
# between two stored frames (median over the segment); a moving camera changes most of them,
# and its matches never rested on a repeated movement.
MAX_MOVING_SHARE = 0.5
# A stretch of the view said to show another moment is searched for the registered moment by
# its pictures (``search_stage``): its motion hashes, sampled a quarter of a second apart, can
# disagree with the original's at the very moment when the two are sampled out of phase (a
# fast-moving view a half step off: the copy-detection set's bottle conveyor measured 14-34 bits
# at its own offset, other_moments.py --spliced). The check is run at SEARCH_OFFSETS offsets
# (``align.view_offsets``, at least SEARCH_SPACING_S apart: the check itself tries shifts of up
# to 0.3 s around each): where most of what moves does not disagree, then where the scene
# hashes line up best (a third, the scene hashes' second best, found nothing more on the
# spliced set or the desk audit's 31 montages, and cost 0.2 s of the copy-detection set's
# verify). Registered pieces spliced with another moment, called another moment
# so, measured ratios 0.02-0.07 at their own offset, 0.91-1.11 a second off (bottle, car); the
# bottle's offset was the scene hashes' best every time, while a fixed view (the room, the car
# park) lines up at every offset and is placed by what moves (the desk audit's room montages:
# 4 windows of registered pieces, each first by what moves, within 0.33 s of the truth; the scene
# hashes' best were 12.75 and 41.5 s against 19.62 in one).
SEARCH_OFFSETS = 2
SEARCH_SPACING_S = 0.5
# The stretch is searched in windows this long, each at its own best offsets (a montage of
# one camera's moments: 5 s pieces in other_moments.py --spliced).
SEARCH_WINDOW_S = 4.0
# Windows searched a verify at most (each costs up to SEARCH_OFFSETS checks): about 50 s of the
# view; a long stretch of it beyond is listed as skipped.
SEARCH_MAX_WINDOWS = 24


@dataclass(frozen=True)
class MomentCheck:
    """What the check measured on one segment: ``ratio`` is the median over its instants of
    (repost at the instant vs original) / (repost EARLIER_S before vs original), inside the
    changing pixels; None when fewer than MIN_INSTANTS instants had enough change."""

    instants: int
    ratio: float | None
    # How far the repost's frames were from the segment's mapping (seconds, repost time).
    shift: float = 0.0
    # How closely the still pictures agree once laid (median z-scored difference).
    fit: float = 0.0
    # The share of the compared pixels that change between two stored frames (median).
    moving: float = 0.0
    # The share of instants at which the repost does not change where the original does.
    still: float = 0.0
    # The ratio just beyond the segment's ends (the same mapping, where the repost keeps
    # showing the same view and moves): None where too little moves there.
    beyond: float | None = None
    # Per instant compared: (repost time, ratio, whether the repost stood still).
    measured: tuple[tuple[float, float, bool], ...] = field(default=(), repr=False)
    # Whether the repost's pictures were laid on the original's (``fit`` and ``moving``
    # measured), however few instants changed enough to be compared.
    laid: bool = False
    # For a segment at a changed speed: (shift at the repost time ``middle``, its growth per
    # second of the repost, middle) that the instants agree with best (``_line``); None when
    # not measured, when too few instants show their shift clearly, or when it does not grow.
    line: tuple[float, float, float] | None = None

    def agreeing(self, params: align.MatchParams) -> tuple[float, float] | None:
        """The repost times between the TRIM_RUN or more instants at either end of a judged
        segment where the repost stands still while the original moves (a splice the motion
        hashes did not see: the other moment stood still), or None when no end is to be cut.
        What is left stands only if it confirms the very moment on its own (``_trimmed``). Ends
        where the repost moves and its pictures show another moment are not cut: its motion
        agreed with the original's there, so the alignment itself is by chance, and the
        segment is judged whole (a 6 s window of the room's other moment, whose first 3
        instants read 0.98-1.52, left a middle at 0.398 scattered 0.25-0.91 that passed)."""
        if not self.judged(params):
            return None
        return self._between_ends([still for _, _, still in self.measured], TRIM_RUN)

    def apart_at_ends(self, params: align.MatchParams) -> tuple[float, float] | None:
        """As ``agreeing``, for ends where the repost moves: the repost times between the
        MIN_INSTANTS_APART or more instants at either end of a judged segment that show
        another moment (ratio ``moment_ratio`` or more, or standing still), or None. What is
        left must then confirm the very moment more clearly (``_trimmed``): a chance
        alignment's middle confirmed by a hair (0.398) once 3 such instants were cut; a
        registered piece followed by its camera's other moment without a cut (the desk
        audit's bottle line: 5 instants at 0.94-1.07 after a middle at 0.1) ran on 1.3 s past
        the splice."""
        if not self.judged(params):
            return None
        return self._between_ends([still or ratio >= params.moment_ratio
                                   for _, ratio, still in self.measured], MIN_INSTANTS_APART)

    def _between_ends(self, apart: list[bool], least: int) -> tuple[float, float] | None:
        """The repost times between the runs of ``least`` or more ``apart`` instants at either
        end (each cut half way to the next instant), or None when neither end has one."""
        lead = next((k for k, flag in enumerate(apart) if not flag), len(apart))
        tail = next((k for k, flag in enumerate(reversed(apart)) if not flag), len(apart))
        if lead == len(apart) or (lead < least and tail < least):
            return None
        times = [time for time, _, _ in self.measured]
        start = (times[lead - 1] + times[lead]) / 2 if lead >= least else -np.inf
        end = (times[-tail - 1] + times[-tail]) / 2 if tail >= least else np.inf
        return start, end

    def still_inside(self, params: align.MatchParams) -> list[tuple[float, float]]:
        """The repost times of runs of TRIM_RUN or more instants inside a judged segment (a
        moving instant on either side) where the repost stands still while the original moves:
        a picture held while the original goes on (a frozen frame, or another moment that
        stood still put in the take's place), which motion hashes cannot see and the median
        over the segment's instants outvotes."""
        if not self.judged(params):
            return []
        times = [time for time, _, _ in self.measured]
        flags = [still for _, _, still in self.measured]
        runs, start = [], None
        for k, still in enumerate(flags):
            if still and start is None:
                start = k
            elif not still and start is not None:
                if start > 0 and k - start >= TRIM_RUN:
                    runs.append(((times[start - 1] + times[start]) / 2,
                                 (times[k - 1] + times[k]) / 2))
                start = None
        return runs

    def judged(self, params: align.MatchParams) -> bool:
        """Whether the measurement can decide: enough instants, the pictures laid on each other
        closely, a fixed camera."""
        return (self.ratio is not None and self.fit <= params.moment_max_fit
                and self.moving <= MAX_MOVING_SHARE)

    def rests_on_motion(self, params: align.MatchParams, weak: bool = False) -> bool:
        """Whether a fixed camera's segment was measured, its pictures laid at least loosely
        (``MatchParams.moment_loose_fit``), and the pictures did not show the very moment:
        what it claims rests on its motion alone. A loose fit neither accuses
        (``another_moment``) nor confirms (``confirms``). For a segment on ``weak`` motion
        evidence the pictures must show the moment more clearly
        (``MatchParams.moment_weak_confirmed``)."""
        return (self.ratio is not None and self.moving <= MAX_MOVING_SHARE and
                self.fit <= params.moment_loose_fit and
                not self._shows_moment(params, self._bar(params, weak)))

    def fixed_view(self) -> bool:
        """Whether the pictures were laid and show a fixed camera (``MAX_MOVING_SHARE``),
        however few of its instants changed enough to be compared."""
        return self.laid and self.moving <= MAX_MOVING_SHARE

    def too_still(self) -> bool:
        """Whether a fixed camera's pictures were laid on the original's but fewer than
        MIN_INSTANTS of its instants changed enough to compare them: the pictures cannot tell
        the moment."""
        return self.fixed_view() and self.ratio is None

    def unlaid(self, params: align.MatchParams) -> bool:
        """Whether a fixed camera's pictures could not be laid on the original's even loosely
        (fit above ``MatchParams.moment_loose_fit``): the match's geometry is not the repost's,
        and the pictures say nothing."""
        return self.fit > params.moment_loose_fit and self.moving <= MAX_MOVING_SHARE

    def confirms(self, params: align.MatchParams, weak: bool = False) -> bool:
        """Whether the measurement shows the very moment clearly (what a segment cut at a
        splice of one camera's moments needs to stand); more clearly for a segment on ``weak``
        motion evidence or none (``MatchParams.moment_weak_confirmed``)."""
        return self.judged(params) and self._shows_moment(params, self._bar(params, weak))

    def _bar(self, params: align.MatchParams, weak: bool) -> float:
        """The ratio under which the pictures show the very moment: lower for a segment on
        weak motion evidence or none, where they are laid closely (``judged``). A picture laid
        only loosely reads higher at the very moment (the copy-detection set's mirrored,
        captioned and cropped car park: 0.363 at a fit of 0.129, on 10 confirmed samples); the
        chance alignments at 0.34-0.40 were laid closely."""
        if weak and self.fit <= params.moment_max_fit:
            return params.moment_weak_confirmed
        return params.moment_confirmed

    def _shows_moment(self, params: align.MatchParams, bar: float) -> bool:
        return (self.ratio is not None and self.ratio < bar
                and self.still < params.moment_still_share)

    def another_moment(self, params: align.MatchParams) -> bool:
        """Whether the segment shows another moment of a fixed camera (where judged): the
        repost's frames at the same instants explain the original's no better than its frames
        a moment off, or the repost stands still where the original moves at many instants;
        or, for a segment not clearly confirmed, the same mapping shows another moment just
        beyond its ends while the repost's view goes on (a chance alignment of a repeated
        movement is short: what follows it in the repost does not follow it in the original).
        A segment too still to be judged is never judged by what lies beyond it: that may be a
        splice of another moment. It takes MIN_INSTANTS_APART instants."""
        if not self.judged(params) or self.ratio is None:
            return False
        return self.instants >= MIN_INSTANTS_APART and (
            self.ratio >= params.moment_ratio or self.still >= params.moment_still_share
            or (self.beyond is not None and self.beyond >= params.moment_beyond_ratio
                and not self.confirms(params)))


@dataclass(frozen=True)
class Placement:
    """Where the original's picture is in the repost's frame: ``query_box`` of the repost's
    whole frame shows ``reference_box`` of the original's, mirrored or not."""

    query_box: Box
    reference_box: Box
    mirrored: bool
    # Pictures laid over the repost (the match's overlay boxes, in the repost's frame): what
    # changes inside them (a news ticker's text) is not the camera's, so it is not compared.
    hidden: tuple[Box, ...] = ()


def _zscore(image: np.ndarray, where: np.ndarray | None = None) -> np.ndarray:
    """The image standardised (``geometry.standardised``) over the pixels ``where``, or over
    all of them when fewer than MIN_CHANGED_PIXELS are given."""
    kept = where if where is not None and where.sum() >= MIN_CHANGED_PIXELS else None
    return geometry.standardised(image, kept)


def _pixels(box: Box, width: int, height: int) -> tuple[int, int, int, int]:
    x0, y0 = int(round(box[0] * width)), int(round(box[1] * height))
    x1, y1 = int(round(box[2] * width)), int(round(box[3] * height))
    return x0, y0, max(x0 + 1, x1), max(y0 + 1, y1)


def _boxed(picture: np.ndarray, placement: Placement, size: tuple[int, int]) -> np.ndarray:
    """The repost's picture inside the placement's query box, shrunk by area (as the original's
    stored frames were) to the original region's ``size``, mirrored back if need be."""
    height, width = picture.shape[:2]
    x0, y0, x1, y1 = _pixels(placement.query_box, width, height)
    boxed = cv2.resize(np.ascontiguousarray(picture[y0:y1, x0:x1]), size,
                       interpolation=cv2.INTER_AREA)
    return boxed[:, ::-1].copy() if placement.mirrored else boxed


def _hidden_mask(placement: Placement, size: tuple[int, int]) -> np.ndarray:
    """The pixels of the repost's boxed picture (``_boxed``, ``size``) under the pictures laid
    over it (``Placement.hidden``)."""
    width, height = size
    mask = np.zeros((height, width), dtype=bool)
    for box in placement.hidden:
        inside = geometry.within(box, placement.query_box)
        if inside is None:
            continue
        x0, y0, x1, y1 = _pixels(geometry.mirrored_box(inside) if placement.mirrored else inside,
                                 width, height)
        mask[y0:y1, x0:x1] = True
    return mask


def _correction(size: tuple[int, int], angle: float, scale: float, dx: float, dy: float
                ) -> np.ndarray:
    """A tilt and scale about the region's centre, then a shift (pixels)."""
    turn = cv2.getRotationMatrix2D((size[0] / 2.0, size[1] / 2.0), angle, scale)
    return (turn + np.array([[0, 0, dx], [0, 0, dy]])).astype(np.float32)


def _lay(boxed: np.ndarray, warp: np.ndarray) -> np.ndarray:
    return cv2.warpAffine(boxed, warp, (boxed.shape[1], boxed.shape[0]),
                          flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_REPLICATE)


def _fitted(still_query: np.ndarray, still_original: np.ndarray, rotation: float,
            shown: np.ndarray) -> np.ndarray:
    """The correction that lays the repost's still picture (median of its frames) closest to
    the original's: the mean of the smallest FIT_KEPT of the z-scored differences over the
    pixels ``shown`` (not under a picture laid over the repost; a caption found by neither
    is left out so; a median would be blind to the edges in a flat view, whose pixels it is)."""
    target = _zscore(still_original, shown)

    def apart(warp: np.ndarray) -> float:
        differences = np.abs(_zscore(_lay(still_query, warp), shown) - target)[shown]
        kept = max(1, int(FIT_KEPT * differences.size))
        return float(np.partition(differences, kept - 1)[:kept].mean())

    size = (still_query.shape[1], still_query.shape[0])
    identity = _correction(size, 0.0, 1.0, 0.0, 0.0)
    found = []
    # The boxes a match gives are a few pixels off, and a tilt's sign is not always known:
    # for each tilt the best shift, then the best scale at that shift.
    for angle in dict.fromkeys((0.0, rotation, -rotation)):
        dx, dy = min(((x, y) for x in FIT_SHIFTS for y in FIT_SHIFTS),
                     key=lambda xy: apart(_correction(size, angle, 1.0, *xy)))
        found += [_correction(size, angle, scale, dx, dy) for scale in FIT_SCALES]
    best = min(found, key=apart)
    # A flat or repetitive view (a plain road's dashed lines) fits many shifts about as well:
    # the boxes stand unless a correction fits clearly better.
    return best if apart(best) < FIT_GAIN * apart(identity) else identity


class _Laid:
    """The repost's moment frames laid on the original's region, z-scored over the pixels
    compared (``frame``), found by time (``index``)."""

    def __init__(self, decoded: Decoded, placement: Placement, region: np.ndarray,
                 instants: list[tuple[int, float]], rotation: float) -> None:
        self.decoded, self.placement = decoded, placement
        self.size = (region.shape[2], region.shape[1])
        self._boxed: dict[int, np.ndarray] = {}
        self._laid: dict[int, np.ndarray] = {}
        # What changes inside pictures laid over the repost (a ticker's text) is not the
        # camera's, and a dark bar would shift every pixel's z-score: they are left out.
        self.shown = ~_hidden_mask(placement, self.size)
        frames, still_query, still_original = self._stills(region, instants)
        self.warp = _fitted(still_query, still_original, rotation, self.shown)
        apart = self._apart(still_query, still_original)
        self.fit = round(float(np.median(apart[self.shown])), 3)
        # Where the original moves during the segment and the repost stays still, something
        # covers the picture in the repost (a caption, a logo).
        query_motion = np.std(np.stack([_lay(f, self.warp) for f in frames]).astype(np.float32),
                              axis=0)
        originals = region[[k for k, _ in instants]]
        original_motion = np.std(originals.astype(np.float32), axis=0)
        covered = (original_motion > COVERED_MOTION) & (
            query_motion < COVERED_SHARE * original_motion)
        self.compared = (apart < AGREE_Z) & ~covered & self.shown

    def fit_at(self, region: np.ndarray, instants: list[tuple[int, float]]) -> float:
        """How closely the repost's still picture over other ``instants`` lies on the
        original's there, by this laying (median z-scored difference)."""
        _, still_query, still_original = self._stills(region, instants)
        return float(np.median(self._apart(still_query, still_original)[self.shown]))

    def _stills(self, region: np.ndarray, instants: list[tuple[int, float]]
                ) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
        """The repost's boxed frames at ``instants``, and the still pictures (medians) of the
        repost's and the original's frames there."""
        frames = [self._boxed_at(nearest_index(self.decoded.moment_times, t)) for _, t in instants]
        still_query = np.median(np.stack(frames), axis=0).astype(np.uint8)
        return frames, still_query, np.median(region[[k for k, _ in instants]], axis=0)

    def _apart(self, still_query: np.ndarray, still_original: np.ndarray) -> np.ndarray:
        """Per pixel, how far the repost's still picture laid by the warp is from the
        original's (z-scored over the pixels shown)."""
        return np.abs(_zscore(_lay(still_query, self.warp), self.shown) -
                      _zscore(still_original, self.shown))

    def _boxed_at(self, index: int) -> np.ndarray:
        if index not in self._boxed:
            self._boxed[index] = _boxed(self.decoded.moments[index], self.placement, self.size)
        return self._boxed[index]

    def index(self, time: float) -> int | None:
        """The moment frame nearest ``time``; None beyond INSTANT_TOLERANCE_S."""
        times = self.decoded.moment_times
        index = nearest_index(times, time)
        return index if abs(times[index] - time) <= INSTANT_TOLERANCE_S else None

    def frame(self, index: int) -> np.ndarray:
        if index not in self._laid:
            self._laid[index] = _zscore(_lay(self._boxed_at(index), self.warp), self.compared)
        return self._laid[index]


def check_segment(decoded: Decoded, local: LocalData, segment: Segment,
                  placement: Placement, rotation: float = 0.0,
                  around: tuple[Segment, ...] = (), few: bool = False) -> MomentCheck:
    """The moment check of one matched segment (see the module's docstring); ``around``: the
    same mapping just beyond its ends, where the repost keeps showing the same view; ``few``:
    the instants measured are kept however few (no ratio under MIN_INSTANTS all the same)."""
    if len(decoded.moment_times) < 2 or len(local.detail_times) < 2 or \
            float(np.median(np.diff(decoded.moment_times))) > MAX_FRAME_GAP_S:
        return MomentCheck(0, None)
    height, width = local.details.shape[1:3]
    rx0, ry0, rx1, ry1 = _pixels(placement.reference_box, width, height)
    shown_height, shown_width = decoded.moments[0].shape[:2]
    qx0, qy0, qx1, qy1 = _pixels(placement.query_box, shown_width, shown_height)
    if min(rx1 - rx0, ry1 - ry0, qx1 - qx0, qy1 - qy0) < MIN_SIDE:
        return MomentCheck(0, None)
    instants = _instants(local, segment)
    if len(instants) < MIN_INSTANTS:
        return MomentCheck(len(instants), None)
    region = local.details[:, ry0:ry1, rx0:rx1]
    laid = _Laid(decoded, placement, region, instants, rotation)
    compared, moving = _changing(region, instants, laid.compared)
    # Per instant, its difference to each repost frame near it (every shift at once).
    differences = [_differences(laid, *c) for c in compared]
    costs = _shift_costs(laid, compared, differences)
    shift = _best_shift(costs)
    beyond = _beyond(laid, region, local, around, shift)
    found = []
    for (instant, original, changed), table in zip(compared, differences, strict=True):
        measured = _measured(laid, instant + shift, original, changed, table)
        if measured is not None:
            found.append((instant + shift, measured[0], measured[1] < STILL_Z))
    if len(found) < MIN_INSTANTS:
        return MomentCheck(len(found), None, fit=laid.fit, moving=moving, beyond=beyond,
                           measured=tuple(found) if few else (), laid=True)
    ratio = float(np.median([ratio for _, ratio, _ in found]))
    still = sum(still for _, _, still in found) / len(found)
    line = _line(costs, compared) if segment.changed_speed else None
    return MomentCheck(len(found), round(ratio, 3), round(shift, 3), laid.fit, moving,
                       round(still, 3), beyond, tuple(found), laid=True, line=line)


def _shift_costs(laid: _Laid, compared: list[tuple[float, np.ndarray, np.ndarray]],
                 differences: list[dict[int, float]]) -> np.ndarray:
    """Per instant (rows) and shift of SHIFTS (columns), the difference of the repost's frame
    there to the original's (``differences``: each instant's ``_differences``); NaN where the
    repost has no frame near enough."""
    costs = np.full((len(compared), len(SHIFTS)), np.nan)
    for i, ((instant, _, _), table) in enumerate(zip(compared, differences, strict=True)):
        for k, shift in enumerate(SHIFTS):
            if (j := laid.index(instant + shift)) is not None:
                costs[i, k] = table[j]
    return costs


def _best_shift(costs: np.ndarray) -> float:
    """The shift of the segment's mapping at which the repost's frames explain the original's
    best (the mapping is from samples a quarter of a second apart): the lowest median over the
    instants of ``_shift_costs``, counting a shift only where MIN_INSTANTS instants have a frame
    there; 0 with too few instants."""
    if len(costs) < MIN_INSTANTS:
        return 0.0
    medians = [float(np.median(column[np.isfinite(column)]))
               if np.isfinite(column).sum() >= MIN_INSTANTS else np.inf for column in costs.T]
    return float(SHIFTS[int(np.argmin(medians))])


def _line(costs: np.ndarray, compared: list[tuple[float, np.ndarray, np.ndarray]]
          ) -> tuple[float, float, float] | None:
    """(shift at the middle instant, its growth per second, the middle) of the line through
    the instants' own best shifts (Theil-Sen: the median of the slopes between every two, so
    a few instants that mislead cannot tilt it); only instants whose best shift is clear
    (LINE_SHARPNESS) count, and they must span LINE_MIN_SPAN_S. None when they do not, or
    when the line does not grow."""
    grid = np.array(SHIFTS)
    points = []
    for (instant, _, _), cost in zip(compared, costs, strict=True):
        if np.isfinite(cost).sum() < 3:
            continue
        lowest = float(np.nanmin(cost))
        if lowest > LINE_SHARPNESS * float(np.nanmedian(cost)):
            continue
        # Shifts closer together than the repost's frames find the same frame: take the
        # middle of those that do best.
        points.append((instant, float(np.mean(grid[cost <= lowest + 1e-9]))))
    if len(points) < MIN_INSTANTS:
        return None
    times, shifts = np.array(points).T
    if times.max() - times.min() < LINE_MIN_SPAN_S:
        return None
    first, second = np.triu_indices(len(times), k=1)
    apart = times[second] - times[first]
    usable = apart > 1e-6
    growth = float(np.median((shifts[second] - shifts[first])[usable] / apart[usable]))
    growth = float(np.clip(growth, -LINE_MAX_GROWTH, LINE_MAX_GROWTH))
    middle = float(np.median(times))
    if abs(growth) < 1e-4:
        return None
    return round(float(np.median(shifts - growth * (times - middle))), 4), round(growth, 4), \
        round(middle, 3)


def _measured(laid: _Laid, time: float, original: np.ndarray, changed: np.ndarray,
              table: Mapping[int, float] | None = None) -> tuple[float, float] | None:
    """At one instant (repost time): the repost's difference to the original's frame, over its
    difference EARLIER_S before; and how much the repost itself moved between the two.
    ``table``: the instant's ``_differences``, when already measured (at every shift tried)."""
    now, before = laid.index(time), laid.index(time - EARLIER_S)
    if now is None or before is None:
        return None

    def apart(index: int) -> float:
        if table is not None:
            return table[index]
        return float(np.abs(laid.frame(index)[changed] - original[changed]).mean())

    moved = float(np.abs(laid.frame(now) - laid.frame(before))[changed].mean())
    return apart(now) / max(1e-6, apart(before)), moved


def _beyond(laid: _Laid, region: np.ndarray, local: LocalData, around: tuple[Segment, ...],
            shift: float) -> float | None:
    """The highest, over the parts of ``around`` with MIN_INSTANTS instants at which both the
    original and the repost move, of the parts' median ratio (as the segment's own)."""
    found = []
    for part in around:
        instants = _instants(local, part)
        if len(instants) < MIN_INSTANTS or laid.fit_at(region, instants) > BEYOND_FIT:
            continue  # too short, or the repost cut to other footage there
        compared, _ = _changing(region, instants, laid.compared)
        ratios = []
        for instant, original, changed in compared:
            measured = _measured(laid, instant + shift, original, changed)
            # A repost that stands still there (a freeze frame, an end card) says nothing.
            if measured is not None and measured[1] >= STILL_Z:
                ratios.append(measured[0])
        if len(ratios) >= MIN_INSTANTS:
            found.append(round(float(np.median(ratios)), 3))
    return max(found, default=None)


def _differences(laid: _Laid, instant: float, original: np.ndarray, changed: np.ndarray
                 ) -> dict[int, float]:
    """Mean difference, in the changed pixels, between the original's frame and each repost
    frame at the shifts the check tries (and EARLIER_S before them), by frame index."""
    wanted = sorted({j for shift in SHIFTS for time in (instant + shift,
                                                       instant + shift - EARLIER_S)
                     if (j := laid.index(time)) is not None})
    if not wanted:
        return {}
    stack = np.stack([laid.frame(j)[changed] for j in wanted])
    return dict(zip(wanted, np.abs(stack - original[changed]).mean(axis=1).tolist(),
                    strict=True))


def _changing(region: np.ndarray, instants: list[tuple[int, float]], compared: np.ndarray
              ) -> tuple[list[tuple[float, np.ndarray, np.ndarray]], float]:
    """(repost time, the original's z-scored frame, the pixels that changed since its frame
    before) of the instants where enough changed; and the median share that changed."""
    found, shares = [], []
    for k, instant in instants:
        original, before = _zscore(region[k], compared), _zscore(region[k - 1], compared)
        changed = (np.abs(original - before) > CHANGE_Z) & compared
        shares.append(float(changed.mean()))
        if changed.sum() >= max(MIN_CHANGED_PIXELS, MIN_CHANGED_SHARE * changed.size):
            found.append((instant, original, changed))
    return found, round(float(np.median(shares)), 3)


def _instants(local: LocalData, segment: Segment) -> list[tuple[int, float]]:
    """(original detail index, the repost's time it maps to) for each stored original frame
    inside the segment that has a stored frame shortly before it (at most MAX_INSTANTS)."""
    offset = segment.offset
    times = local.detail_times
    inside = [int(k) for k in np.flatnonzero((times >= segment.reference_start)
                                             & (times <= segment.reference_end))
              if k > 0 and times[k] - times[k - 1] <= MAX_DETAIL_GAP_S]
    # a long segment: at most MAX_INSTANTS instants, evenly spread over it
    inside = [inside[i] for i in evenly_spread(len(inside), MAX_INSTANTS)]
    return [(k, (float(times[k]) - offset) / segment.speed) for k in inside]


def placements(decoded: Decoded, alignment: Alignment) -> list[Placement]:
    """Where the match's edits put the original in the repost's frame (none when the check
    cannot undo its geometry: filmed off a screen at more than LAID_SCREEN_ANGLE). A repost's
    bars can be the original's own (a flat view's plain sides look like bars), and a screen
    read at a small angle can be the view's own bright part: the whole frame is tried too."""
    edits = {e.kind: e for e in alignment.edits}
    screen = edits.get(Edit.FILMED_OFF_SCREEN)
    if screen is not None and (screen.angle is None or screen.angle > LAID_SCREEN_ANGLE):
        return []
    whole = (0.0, 0.0, 1.0, 1.0)
    boxes = [decoded.picture_box() or whole, whole]
    if alignment.region is not None:
        boxes = [alignment.region]
    elif Edit.PICTURE_IN_PICTURE in edits and edits[Edit.PICTURE_IN_PICTURE].boxes:
        boxes = [edits[Edit.PICTURE_IN_PICTURE].boxes[0]]
    elif screen is not None and screen.boxes:
        boxes = [screen.boxes[0], whole]
    cropped = edits.get(Edit.CROPPED)
    reference_box = cropped.boxes[0] if cropped and cropped.boxes else whole
    # A picture laid over the repost that moves (a ticker) is left out of the comparison; a
    # still one (a caption) is left out by the still pictures' disagreement, as a caption the
    # edits missed is.
    spans = [(s.query_start, s.query_end) for s in alignment.segments]
    overlay = edits.get(Edit.OVERLAY)
    hidden = tuple(b for b in overlay.boxes if decoded.change_inside([b], spans) >=
                   MOVING_LAID_CHANGE) if overlay is not None else ()
    return [Placement(box, reference_box, mirrored=False, hidden=hidden)
            for box in dict.fromkeys(boxes)]


# Why a matched segment is taken out of the matches (the keys of ``_checked``'s answer), and
# what the reason says of those seconds, after "<seconds> s of <their originals>" (``_why``).
_APART_WHY = {
    "other": "whose movements lined up in time show a different picture from the "
             "original's at the very instants: the same camera at another moment",
    "still": "where the repost holds a picture while the original moves (a frozen frame, or "
             "another moment that stood still)",
    "unconfirmed": "cut from a longer view of the same camera (where its movements "
                   "contradict the original's, or at a cut the original does not have) could "
                   "not be confirmed as the very moment",
    "unsettled": "whose movements line up with the original's ({n} confirmed "
                 "samples, {need} needed without the picture's confirmation) but whose pictures "
                 "at the very instants do not confirm the moment",
    "speed": "that line up only at a changed speed (x{speed:.2f}) the pictures at "
             "the very instants do not confirm",
    "conflict": "whose movements line up with the original's ({n} confirmed "
                "samples) while its pictures at the very instants differ from the original's: "
                "the two disagree",
    "unlaid": "whose pictures could not be laid on the original's and whose "
              "movements line up on too few samples ({n} confirmed, {need_unlaid} needed) to "
              "stand alone",
}


def moment_stage(decoded: Decoded, result: align.AlignResult,
                 stored: Mapping[str, LocalData | None]) -> align.AlignResult:
    """Each matched segment with its moment measurement (``Segment.moment``); those of a fixed
    camera whose frames at the original's instants show another moment become same-scene
    intervals (see the module's docstring), and so do pieces cut at a splice of one camera's
    moments (``Segment.spliced``) that the check does not confirm, segments it leaves
    unsettled that hold too little motion evidence (``MatchParams.moment_unsettled_confirmed``),
    segments at a changed speed it does not confirm, segments whose motion confirms the
    mapping too strongly for its pictures' "another moment" to stand alone
    (``MatchParams.moment_conflict_confirmed``), and segments whose pictures could not be laid
    with too little motion evidence (``moment_unlaid_confirmed``). Where only those (not the
    first) would make the verdict `same-scene`, it is `inconclusive`: nothing showed another
    moment. ``stored`` holds each matched original's local data
    (``refine.matched_local_data``)."""
    checked = [_checked(decoded, alignment, stored.get(alignment.reference_id), result.params)
               for alignment in result.matches]
    return _taken_apart(replace(result, matches=tuple(a for a, _ in checked)),
                        [(a.reference_id, taken) for a, taken in checked], decoded.fingerprint)


def unchecked_stage(result: align.AlignResult, query: Fingerprint) -> align.AlignResult:
    """A result verified from a fingerprint file, which has no frames for the check: the
    segments that stand only where the check confirms them (pieces cut at a splice, a changed
    speed) leave the matches, their moment open, as the check would leave them unconfirmed."""
    taken = [(alignment.reference_id, {
        "unconfirmed": [s for s in alignment.segments if s.spliced],
        "speed": [s for s in alignment.segments if not s.spliced and s.changed_speed]})
        for alignment in result.matches]
    return _taken_apart(result, taken, query)


def _taken_apart(result: align.AlignResult,
                 taken: list[tuple[str, dict[str, list[Segment]]]], query: Fingerprint
                 ) -> align.AlignResult:
    """The result with the segments taken out of its matches (by original, by the keys of
    ``_APART_WHY``) as same-scene intervals, said in the reason; all but "other" marked
    ``unsettled``, and the verdict `inconclusive` where only those would make it `same-scene`."""
    apart: dict[str, list[Segment]] = {}
    taken_all: dict[str, list[Segment]] = {key: [] for key in _APART_WHY}
    for ref_id, by_key in taken:
        for key, segments in by_key.items():
            if segments:
                apart.setdefault(ref_id, []).extend(segments)
            taken_all[key] += segments
    if not apart:
        return result
    why = "; ".join(_why(key, segments, result.params) for key, segments in taken_all.items()
                    if segments)
    # Only "other" shows another moment; the rest leave the moment open (a spliced piece the
    # check does not confirm lines up with the original in its own motion: the user audit's
    # registered piece spliced after another registered piece was called another moment).
    decided = _marked_open(align.with_moments_apart(result, apart, query, why),
                           [s for key, pieces in taken_all.items() if key != "other"
                            for s in pieces])
    if (decided.verdict is Verdict.SAME_SCENE and not taken_all["other"]
            and not align.another_moment_shown(result.same_scene, result.params)):
        return replace(decided, verdict=Verdict.INCONCLUSIVE, confidence=0.0, reason=(
            f"the view matches a registered camera, but whether this is the registered moment "
            f"cannot be told: {why}"))
    return decided


def search_stage(decoded: Decoded, result: align.AlignResult, lib: Library
                 ) -> tuple[align.AlignResult, dict[str, LocalData | None]]:
    """The result with the registered moment found by its pictures inside same-scene stretches,
    and the stored data of the originals it read (read once a verify: the pipeline keeps those
    it newly matched):
    where the repost's frames at the original's very instants, at one of the offsets its view
    lines up best (``SEARCH_OFFSETS``), explain the original's frames as only the same moment
    does (``MomentCheck.confirms``, at the bar of a segment with no motion evidence of its
    own, ``MatchParams.moment_weak_confirmed``) over a run of instants at least
    ``min_segment_s`` long, that run is a matched segment (``Segment.spliced``: cut out of a
    stretch of the same view; its evidence is the run's instants). At most SEARCH_MAX_WINDOWS
    windows are searched a verify; what the budget left is listed in ``skipped``."""
    params, query = result.params, decoded.fingerprint
    # One picture of several (layout.py) is not laid by the whole frame: not searched.
    windows = [(alignment.reference_id, piece, window) for alignment in result.same_scene
               if alignment.region is None
               for piece in alignment.segments for window in _windows(piece, params)]
    found: dict[str, list[Segment]] = {}
    stored: dict[str, LocalData | None] = {}
    references: dict[str, Fingerprint] = {}
    for ref_id, piece, window in windows[:SEARCH_MAX_WINDOWS]:
        if ref_id not in stored:
            stored[ref_id] = lib.local_data(ref_id)
        local = stored[ref_id]
        runs = found.setdefault(ref_id, [])
        if local is None or len(local.detail_times) < 2 or any(
                s.query_start <= window[0] and window[1] <= s.query_end for s in runs):
            continue
        if ref_id not in references:
            references[ref_id] = lib.fingerprint(ref_id)
        runs += _searched_window(decoded, local, references[ref_id], piece, window, params)
    skipped = _search_skipped(windows[SEARCH_MAX_WINDOWS:])
    # Scored as the aligner scores a match, the instants the check confirmed standing for the
    # motion-confirmed samples (the desk audit: a share of the video read 0.33 beside motion
    # matches of as many seconds at 0.86).
    matches = [Alignment(ref_id, round(align.evidence_score(sum(s.evidence for s in runs)), 3),
                         tuple(runs))
               for ref_id, runs in ((k, _joined(v)) for k, v in found.items()) if runs]
    if not matches:
        return replace(result, skipped=(*result.skipped, *skipped)), stored
    views = [_rest_of_view(query, alignment, references[alignment.reference_id],
                           [s for m in matches if m.reference_id == alignment.reference_id
                            for s in m.segments], params)
             for alignment in result.same_scene if alignment.reference_id in found]
    extended = align.with_extra_same_scene(align.with_extra_matches(result, matches, query),
                                           views, query)
    # A run at a changed speed gives its original a speed edit, said once where it merged into
    # a match that had one.
    extended = replace(extended, matches=tuple(align.speed_as_shown(m)
                                                for m in extended.matches))
    return replace(extended, reason=f"{extended.reason}; {_SEARCHED_WHY}",
                   skipped=(*extended.skipped, *skipped)), stored


_SEARCHED_WHY = ("where the motion sampled a quarter of a second apart did not line up, the "
                 "repost's pictures at the original's very instants show the registered moment")


def _windows(piece: Segment, params: align.MatchParams) -> list[tuple[float, float]]:
    """The piece's search windows: SEARCH_WINDOW_S long, overlapping by half (a montage's
    pieces each line up at their own offset, and one window lies inside each piece of twice
    its length); none for a piece shorter than a segment."""
    windows, start = [], piece.query_start
    while piece.query_end - start >= params.min_segment_s:
        end = min(piece.query_end, start + SEARCH_WINDOW_S)
        windows.append((start, end))
        if end >= piece.query_end:
            break
        start += SEARCH_WINDOW_S / 2
    return windows


def _search_skipped(left: list[tuple[str, Segment, tuple[float, float]]]) -> tuple[str, ...]:
    if not left:
        return ()
    seconds = sum(b - a for a, b in align.union(window for _, _, window in left))
    return (f"moment search: {seconds:.1f} s of the camera's view not searched for the "
            f"registered moment by its pictures (budget of {SEARCH_MAX_WINDOWS} windows)",)


def _rest_of_view(query: Fingerprint, alignment: Alignment, reference: Fingerprint,
                  matched: list[Segment], params: align.MatchParams) -> Alignment:
    """A same-scene alignment without the matched segments: each piece a match cut, its parts
    with their own evidence of another moment (measured once for all of them; a piece left
    open stays open); the others as they were."""
    taken = [(s.query_start, s.query_end) for s in matched]
    kept: list[Segment] = []
    rests: list[tuple[tuple[float, float], bool]] = []  # (span, whether its piece was open)
    for piece in alignment.segments:
        if all(b <= piece.query_start or a >= piece.query_end for a, b in taken):
            kept.append(piece)
        else:
            rests += [(span, piece.unsettled) for span in
                      align.subtract((piece.query_start, piece.query_end), taken)]
    opened = [span for span, unsettled in rests if unsettled]
    cut = [replace(p, unsettled=p.unsettled or any(
               a - 1e-6 <= p.query_start and p.query_end <= b + 1e-6 for a, b in opened))
           for p in align.view_pieces(query, alignment.reference_id, reference,
                                      [span for span, _ in rests], params)] if rests else []
    return Alignment(alignment.reference_id, alignment.score,
                     tuple(sorted(kept + cut, key=lambda s: s.query_start)))


def _searched_window(decoded: Decoded, local: LocalData, reference: Fingerprint,
                     piece: Segment, window: tuple[float, float], params: align.MatchParams
                     ) -> list[Segment]:
    """The confirmed runs at the first of the window's best offsets that confirms any, followed
    at that offset a window further each way inside the piece (a run goes on past the window
    it was found in). A window where fewer than MIN_INSTANTS samples move has nothing the check
    could judge."""
    query = decoded.fingerprint
    rows = np.flatnonzero((query.times >= window[0]) & (query.times < window[1]))
    if (query.motion_energy[rows] >= params.min_motion_energy).sum() < MIN_INSTANTS:
        return []
    offsets = align.view_offsets(query, reference, rows, params, SEARCH_OFFSETS,
                                 SEARCH_SPACING_S)
    # The view's changed speed, where its motion lines up best at one, after the original's
    # speed, in the orientation the view lines up best in.
    mappings = [(offset, mirrored, 1.0) for offset, mirrored in offsets] + [
        (offset, offsets[0][1] if offsets else False, speed)
        for speed, offset in piece.alternatives]
    for offset, mirrored, speed in mappings:
        runs = _confirmed_runs(decoded, local, _mapped(piece, *window, offset, mirrored, local,
                                                       params, speed), params)
        if runs:
            # The wider stretch may mix in another moment that keeps its pictures from being
            # laid as closely: then the window's own runs stand.
            wider = (window[0] - SEARCH_WINDOW_S, window[1] + SEARCH_WINDOW_S)
            return _confirmed_runs(decoded, local, _mapped(piece, *wider, offset, mirrored,
                                                           local, params, speed), params) or runs
    return []


def _mapped(piece: Segment, start: float, end: float, offset: float, mirrored: bool,
            local: LocalData, params: align.MatchParams, speed: float = 1.0) -> Segment | None:
    """``piece`` between ``start`` and ``end`` mapped at ``offset`` and ``speed``, cut to
    where the original has stored frames; None when less than a segment is left."""
    start = max(start, piece.query_start, (float(local.detail_times[0]) - offset) / speed)
    end = min(end, piece.query_end, (float(local.detail_times[-1]) - offset) / speed)
    if end - start < params.min_segment_s:
        return None
    return Segment(piece.reference_id, start, end, speed * start + offset, speed * end + offset,
                   speed=speed, mirrored=mirrored)


def _joined(segments: list[Segment]) -> list[Segment]:
    """Segments at one mapping (within a repost frame) that touch, joined."""
    joined: list[Segment] = []
    for segment in sorted(segments, key=lambda s: s.query_start):
        last = joined[-1] if joined else None
        if (last is not None and segment.query_start - last.query_end <= 1e-3
                and segment.speed == last.speed
                and abs(segment.offset - last.offset) <= 1.0 / 30.0):
            # Runs found again from an overlapping window are the same instants.
            overlapping = segment.query_start < last.query_end - 1e-3
            joined[-1] = replace(
                last, query_end=max(last.query_end, segment.query_end),
                reference_end=max(last.reference_end, segment.reference_end),
                evidence=max(last.evidence, segment.evidence) if overlapping
                else last.evidence + segment.evidence,
                moment=max(last.moment or 0.0, segment.moment or 0.0))
        else:
            joined.append(segment)
    return joined


def _confirmed_runs(decoded: Decoded, local: LocalData, mapped: Segment | None,
                    params: align.MatchParams) -> list[Segment]:
    """The parts of ``mapped`` (none when None) over which the check's instants confirm the
    moment in a row (at least MIN_INSTANTS_APART of them and ``min_segment_s``; a single
    instant that does not, between two that do, does not end a run: a true copy's are single
    ones, TRIM_RUN), each checked again on its own at its best shift."""
    if mapped is None:
        return []
    candidates = placements(decoded, Alignment(mapped.reference_id, 0.0, (mapped,)))
    check = _best_check(decoded, local, mapped, candidates, 0.0, beyond=False)
    if not check.judged(params):
        return []
    half = 0.5 / DETAIL_FPS  # the instants are the stored frames, this far apart
    runs, current, missed = [], [], 0
    for time, ratio, still in (*check.measured, (np.inf, np.inf, True), (np.inf, np.inf, True)):
        if ratio < params.moment_confirmed and not still:
            current.append(time)
            missed = 0
            continue
        missed += 1
        if missed < 2 and current:
            continue
        if len(current) >= MIN_INSTANTS_APART:
            runs.append((max(mapped.query_start, current[0] - half),
                         min(mapped.query_end, current[-1] + half)))
        current = []
    found = []
    for start, end in runs:
        if end - start < params.min_segment_s:
            continue
        # The check's shift is repost time: the original's frame at R shows at
        # (R - offset) / speed + shift.
        offset = mapped.offset - mapped.speed * check.shift
        moved = replace(align.cut_segment(mapped, start, end),
                        reference_start=round(mapped.speed * start + offset, 3),
                        reference_end=round(mapped.speed * end + offset, 3))
        again = _best_check(decoded, local, moved, candidates, 0.0, beyond=False)
        # Found by its pictures alone, with no motion evidence of its own.
        if again.confirms(params, weak=True):
            found.append(replace(moved, spliced=True, evidence=again.instants,
                                 moment=again.ratio))
    return found


def _marked_open(result: align.AlignResult, open_segments: list[Segment]) -> align.AlignResult:
    """The result with its same-scene pieces inside ``open_segments`` (taken out of the
    matches for a key other than "other") marked ``unsettled``, which reports must not call
    another moment."""
    def inside(piece: Segment) -> bool:
        return any(s.reference_id == piece.reference_id and s.query_start - 1e-6
                   <= piece.query_start and piece.query_end <= s.query_end + 1e-6
                   for s in open_segments)

    return align.marked_unsettled(result, inside) if open_segments else result


def _why(key: str, segments: list[Segment], params: align.MatchParams) -> str:
    """What the reason says of the segments taken out for ``key`` (``_APART_WHY``), naming
    their originals (a picture inside the frame's may be another camera than the footage the
    reason's first words say lines up)."""
    seconds = sum(s.query_end - s.query_start for s in segments)
    originals = ", ".join(sorted({s.reference_id for s in segments}))
    return f"{seconds:.1f} s of {originals} " + _APART_WHY[key].format(
        n=max(s.evidence for s in segments), need=params.moment_unsettled_confirmed,
        need_unlaid=params.moment_unlaid_confirmed, speed=segments[0].speed)


def _checked(decoded: Decoded, alignment: Alignment, local: LocalData | None,
             params: align.MatchParams) -> tuple[Alignment, dict[str, list[Segment]]]:
    """The alignment with each segment's moment measurement, and the segments taken out of
    it by reason (the keys of ``_APART_WHY``): those that show another moment, those cut at a
    splice that the check does not confirm, those it leaves unsettled with too little motion
    evidence, those at a changed speed it does not confirm, those in conflict, those whose
    pictures could not be laid, with too little motion evidence, and the runs inside a segment
    where the repost holds a picture while the original moves (``_held_apart``)."""
    taken: dict[str, list[Segment]] = {key: [] for key in _APART_WHY}
    candidates = placements(decoded, alignment)
    if not candidates or local is None or not len(local.details):
        taken["unconfirmed"] = [s for s in alignment.segments if s.spliced]
        return alignment, taken
    rotation = next((e.rotation for e in alignment.edits if e.rotation), 0.0) or 0.0
    segments = []
    for segment in _parted_at_jumps(decoded, local, [
            piece for s in _cut_where_pictures_show(decoded, local, alignment.segments,
                                                    candidates, rotation, params)
            for piece in _split_at_jumps(decoded, local, s, candidates, rotation, params)],
            candidates, rotation, params):
        check = _best_check(decoded, local, segment, candidates, rotation)
        segment, check, nearly = _at_alternative_speed(decoded, local, segment, check,
                                                       candidates, rotation, params)
        segment, check = _placed_again(decoded, local, segment, check, candidates, rotation,
                                       params)
        trimmed = _trimmed(decoded, local, segment, check, candidates, rotation, params)
        if trimmed is not None:
            segment, check, ends = trimmed
            segments += ends
            taken["other"] += ends
        segment = replace(segment, moment=check.ratio if check.judged(params) else None)
        pieces, held = _held_apart(segment, check, params)
        segments += held
        taken["still"] += held
        on_motion = check.rests_on_motion(
            params, weak=segment.evidence < params.moment_unsettled_confirmed)
        if check.another_moment(params) and nearly:
            taken["unsettled"] += pieces
        elif check.another_moment(params):
            conflict = segment.evidence >= params.moment_conflict_confirmed
            taken["conflict" if conflict else "other"] += pieces
        elif segment.spliced and not check.confirms(params):
            taken["unconfirmed"] += pieces
        elif segment.changed_speed and check.fixed_view() and not check.confirms(params) and (
                on_motion or segment.evidence < params.moment_unsettled_confirmed):
            # Pictures that do not show the moment leave a changed speed unestablished; where
            # they could say nothing either way (too still to compare, laid only loosely or
            # not at all), it needs the motion evidence no chance alignment reached.
            taken["speed"] += pieces
        elif on_motion and segment.evidence < params.moment_unsettled_confirmed:
            taken["unsettled"] += pieces
        elif check.unlaid(params) and segment.evidence < params.moment_unlaid_confirmed:
            taken["unlaid"] += pieces
        elif check.too_still() and segment.evidence < params.moment_unsettled_confirmed:
            pieces = [replace(piece, too_still=True) for piece in pieces]
        segments += pieces
    segments.sort(key=lambda s: s.query_start)
    return align.speed_as_shown(replace(alignment, segments=tuple(segments))), taken


# Two touching segments of one original at two mappings (a jump cut inside a fixed camera's
# footage, or a loop) meet where the motion votes changed sides, which on a plain view can lie
# seconds from the cut: the car park's seconds 5-10 then 13-20 were split at 2.3 s, the room's
# at 7.0 s, both cut at 5.0 s (benchmarks/README.md, "Jump cuts inside the registered
# footage"). Within CUT_SEARCH_S of where they meet, each mapping's pictures are compared with
# the original's frames at its instants (the moment check's ratio: a copy's instant reads
# 0.01-0.2, another moment's about 1); an instant at CUT_CLEAR_RATIO or less shows its mapping.
# The cut goes where the most such instants lie on their own mapping's side (moved only for
# CUT_GAIN more of them); where several places do equally, at the repost's picture jump there
# (``Decoded.jumps`` at CUT_JUMP_CHANGE: the room's cut changes its moment frames by 1.3 grey
# levels against 0.1 around, under the 2.0 a cut needs to be found with no segments to part),
# else half way between the instants.
CUT_SEARCH_S = 4.0
CUT_CLEAR_RATIO = 0.5
CUT_GAIN = 2
CUT_JUMP_CHANGE = 0.5
CUT_JUMP_REACH_S = 0.125


def _cut_where_pictures_show(decoded: Decoded, local: LocalData, segments: tuple[Segment, ...],
                             candidates: list[Placement], rotation: float,
                             params: align.MatchParams) -> list[Segment]:
    """The segments in order, the boundary of each two touching ones of one original at two
    mappings moved to where their pictures say the repost cuts (CUT_SEARCH_S)."""
    ordered = sorted(segments, key=lambda s: s.query_start)
    for k in range(len(ordered) - 1):
        before, after = ordered[k], ordered[k + 1]
        if (abs(after.query_start - before.query_end) > 0.01
                or before.reference_id != after.reference_id or before.speed != after.speed
                or abs(after.offset - before.offset) <= align.TAKE_OFFSET_S
                or before.reversed or after.reversed):
            continue
        cut = _picture_cut(decoded, local, before, after, candidates, rotation, params)
        if cut is not None:
            ordered[k] = replace(align.cut_segment(before, before.query_start, cut),
                                 evidence=before.evidence)
            ordered[k + 1] = replace(align.cut_segment(after, cut, after.query_end),
                                     evidence=after.evidence)
    return ordered


def _picture_cut(decoded: Decoded, local: LocalData, before: Segment, after: Segment,
                 candidates: list[Placement], rotation: float, params: align.MatchParams
                 ) -> float | None:
    """Where the pictures put the cut between two touching segments (see CUT_SEARCH_S), or
    None where it stays where they meet."""
    meet = before.query_end
    low = max(before.query_start + params.min_segment_s / 2, meet - CUT_SEARCH_S)
    high = min(after.query_end - params.min_segment_s / 2, meet + CUT_SEARCH_S)
    if high - low < 1.0:
        return None
    shown = []  # (repost time, True for the first mapping) of each instant showing its own
    for segment, first in ((before, True), (after, False)):
        check = _best_check(decoded, local, align.cut_segment(segment, low, high), candidates,
                            rotation, beyond=False, few=True)
        if not check.laid:
            return None
        shown += [(time, first) for time, ratio, _ in check.measured if ratio <= CUT_CLEAR_RATIO]
    if not shown:
        return None
    shown.sort()

    def explained(cut: float) -> int:
        return sum((time < cut) == first for time, first in shown)

    places = [low, *((a + b) / 2 for (a, _), (b, _) in pairwise(shown)), high]
    most = max(explained(place) for place in places)
    plateau = _plateau([time for time, _ in shown], low, high, explained, most)
    # (an instant's time is its frame's, within INSTANT_TOLERANCE_S and a shift: a jump just
    # past the last instant before it is the cut)
    jumps = decoded.jumps(plateau[0] - CUT_JUMP_REACH_S, plateau[1] + CUT_JUMP_REACH_S,
                          least=CUT_JUMP_CHANGE)
    if jumps:  # the one that changed the most of the picture
        cut = max(jumps, key=lambda jump: jump.share).time
    elif explained(meet) + CUT_GAIN <= most:
        cut = sum(plateau) / 2
    else:
        return None
    return None if abs(cut - meet) < 0.25 else round(cut, 3)


def _plateau(times: list[float], low: float, high: float, explained: Callable[[float], int],
             most: int) -> tuple[float, float]:
    """The span (between two instants, or the window's ends) where a cut explains ``most``
    instants: the first such span from the start."""
    edges = [low, *times, high]
    for a, b in pairwise(edges):
        if b > a and explained((a + b) / 2) == most:
            return a, b
    return low, high


def _split_at_jumps(decoded: Decoded, local: LocalData, segment: Segment,
                    candidates: list[Placement], rotation: float, params: align.MatchParams
                    ) -> list[Segment]:
    """A fixed camera's segment cut where the repost cuts to another moment of the camera
    inside one view (``_cuts_to_another_moment``), which the samples' motion energy did not
    show (a car leaving the car park in both moments, then both still: the other moment's 5 s
    were matched, other_moments.py --spliced). Each piece is marked ``spliced`` and so stands
    only if the check confirms it, unless every piece confirms it; pieces shorter than
    ``min_segment_s`` are not cut off."""
    if segment.spliced:
        return [segment]
    jumps = _cuts_to_another_moment(
        decoded, local, segment, (segment.query_start + params.min_segment_s,
                                  segment.query_end - params.min_segment_s),
        candidates, rotation, params)
    if not jumps:
        return [segment]
    bounds = [segment.query_start]
    for jump in jumps:
        if jump - bounds[-1] >= params.min_segment_s:
            bounds.append(jump)
    bounds.append(segment.query_end)
    if bounds[-1] - bounds[-2] < params.min_segment_s:
        del bounds[-2]
    pieces = [replace(_piece_of(segment, a, b), spliced=True) for a, b in pairwise(bounds)]
    # Pieces that each show the very moment are one take after all (a caption taken off).
    if all(_best_check(decoded, local, piece, candidates, rotation).confirms(params)
           for piece in pieces):
        return [segment]
    return pieces


def _parted_at_jumps(decoded: Decoded, local: LocalData, segments: list[Segment],
                     candidates: list[Placement], rotation: float, params: align.MatchParams
                     ) -> list[Segment]:
    """The segments, in order; two of a fixed camera at one mapping (one take,
    ``align.TAKE_OFFSET_S``) with a cut to another moment between them
    (``_cuts_to_another_moment``) are both marked ``spliced``: the repost was cut there while
    the original runs on, so each side stands only if the check confirms it (the car park's
    montage: 2.6 s of the other moment's still view matched at the registered piece's offset,
    after 1.5 s not placed), unless both confirm it."""
    ordered = sorted(segments, key=lambda s: s.query_start)
    parted = set()
    for k, (before, after) in enumerate(pairwise(ordered)):
        if (abs(after.offset - before.offset) > align.TAKE_OFFSET_S
                or after.speed != before.speed or after.reference_id != before.reference_id):
            continue
        between = (before.query_end - EARLIER_S, after.query_start + EARLIER_S)
        if _cuts_to_another_moment(decoded, local, after, between, candidates, rotation,
                                   params) and not all(
                _best_check(decoded, local, s, candidates, rotation).confirms(params)
                for s in (before, after)):
            parted |= {k, k + 1}
    return [replace(s, spliced=True) if k in parted else s for k, s in enumerate(ordered)]


def _cuts_to_another_moment(decoded: Decoded, local: LocalData, segment: Segment,
                            span: tuple[float, float], candidates: list[Placement],
                            rotation: float, params: align.MatchParams) -> list[float]:
    """The times in ``span`` where the repost's picture jumps (``provider.Decoded.jumps``),
    what the jump changed moves on (``provider.Jump.moves_on``: no caption laid on), the
    original's stored frames do not jump at the time the segment's mapping puts it, and the
    pictures from it to the next jump or the segment's end do not show the very moment
    (``_unlike_after``)."""
    jumps = decoded.jumps(span[0], segment.query_end)
    ends = [j.time for j in jumps[1:]] + [segment.query_end] if jumps else []
    return [j.time for j, until in zip(jumps, ends, strict=True)
            if j.time <= span[1] and j.moves_on
            and not _original_jumps(local, segment.speed * j.time + segment.offset)
            and _unlike_after(decoded, local, segment, (j.time, until), candidates, rotation,
                              params)]


def _unlike_after(decoded: Decoded, local: LocalData, segment: Segment,
                  stretch: tuple[float, float], candidates: list[Placement], rotation: float,
                  params: align.MatchParams) -> bool:
    """Whether a fixed camera's pictures at the segment's mapping over ``stretch`` (from a jump
    of the repost's picture to the next jump or the segment's end), laid on their own, do not
    show the very moment: judged and not confirming it; or, where too few of its instants
    change to judge it, one within ``provider.JUMP_AFTER_S`` of the jump at a ratio of
    ``moment_confirmed`` or more, or standing still where the original moves. A caption taken
    off is a jump whose pixels move on too, but the footage under it goes on showing the very
    moment; a cut to another moment shows another at once (the car park's montages: ratios of
    0.8-0.99, or where a car leaves and the view then stands still, 0.51 at the second of two
    instants). Laid on their own, the stretch's still pictures show a caption shown throughout
    it, whose pixels are then not compared."""
    check = _best_check(decoded, local, align.cut_segment(segment, *stretch), candidates,
                        rotation, beyond=False, few=True)
    if check.ratio is not None:
        return check.judged(params) and not check.confirms(params)
    return check.fixed_view() and any(
        still or ratio >= params.moment_confirmed for time, ratio, still in check.measured
        if stretch[0] <= time <= stretch[0] + JUMP_AFTER_S)


def _original_jumps(local: LocalData, time: float) -> bool:
    """Whether the original's stored frames jump (``provider.is_jump``) between the two
    around ``time``: a cut of its own, which a copy shows too."""
    after = int(np.searchsorted(local.detail_times, time))
    if after < 2 or after + 1 >= len(local.detail_times):
        return False
    frames = local.details[after - 2:after + 2].astype(np.int16)
    before, change, later = np.abs(np.diff(frames, axis=0)).mean(axis=(1, 2))
    return is_jump(float(change), float(max(before, later)))


def _held_apart(segment: Segment, check: MomentCheck, params: align.MatchParams
                ) -> tuple[list[Segment], list[Segment]]:
    """The segment's pieces around the runs where the repost holds a picture while the
    original moves (``MomentCheck.still_inside``), and those runs (with what lies between
    them shorter than ``min_segment_s``), each with its share of the segment's evidence
    (held runs: the instants in them). A piece cut at a splice is not cut again."""
    held = [] if segment.spliced else check.still_inside(params)
    if not held:
        return [segment], []
    whole = (segment.query_start, segment.query_end)
    kept = [(a, b) for a, b in align.subtract(whole, held) if b - a >= params.min_segment_s]
    pieces = [_piece_of(segment, a, b) for a, b in kept]
    apart = [replace(align.cut_segment(segment, a, b),
                     evidence=sum(a <= time <= b for time, _, _ in check.measured))
             for a, b in align.subtract(whole, kept)]
    return pieces, apart


def _piece_of(segment: Segment, start: float, end: float) -> Segment:
    """The part of a matched segment between two query times, with its share of the segment's
    motion evidence (by length)."""
    length = max(1e-6, segment.query_end - segment.query_start)
    return replace(align.cut_segment(segment, start, end),
                   evidence=round(segment.evidence * (end - start) / length))


def _at_alternative_speed(decoded: Decoded, local: LocalData, segment: Segment,
                          check: MomentCheck, candidates: list[Placement], rotation: float,
                          params: align.MatchParams) -> tuple[Segment, MomentCheck, bool]:
    """A segment at 1x with alternative mappings (``Segment.alternatives``) mapped at the one
    whose pictures explain the original's frames best, with its check, where they confirm the
    moment and do so clearly better than the measured 1x (ALTERNATIVE_GAIN); else as it was.
    Each alternative speed is tried through the segment's middle at 1x and at the offset its
    own votes gave. ``_placed_again`` then places the new speed by the pictures. The flag: an
    alternative not taken confirmed the moment within ALTERNATIVE_OPEN_GAIN of 1x's. A 1x check
    measured but not judged (its pictures laid too loosely: at a wrong mapping they lie
    apart) is compared all the same: an alternative must confirm the moment, judged."""
    if segment.changed_speed or check.ratio is None or not check.measured:
        return segment, check, False
    upper_1x = _upper_ratio(check)
    best, lowest = None, ALTERNATIVE_OPEN_GAIN * upper_1x
    for placed in _alternative_mappings(segment, local):
        if placed is None:
            continue
        # What lies beyond the ends plays no part in the choice: measured for the chosen only.
        other = _best_check(decoded, local, placed, candidates, rotation, beyond=False)
        upper = _upper_ratio(other) if other.confirms(params) else np.inf
        if upper <= lowest:
            best, lowest = placed, upper
    if best is None or lowest > ALTERNATIVE_GAIN * upper_1x:
        return segment, check, best is not None
    return best, _best_check(decoded, local, best, candidates, rotation), False


def _alternative_mappings(segment: Segment, local: LocalData) -> list[Segment | None]:
    """The segment at each of its alternative speeds, through its middle at 1x and, where its
    own votes put it elsewhere by more than the instants' tolerance there, at that offset (a
    piece of the car park played at 1.25x, 4.8 s long, lined up at 1x 0.4 s off at its middle
    and at 1.23x on the truth). None where a mapping runs outside the original."""
    middle = segment.query_middle
    mappings = []
    for speed, offset in segment.alternatives:
        through = _remapped(segment, local, 0.0, segment.speed / speed - 1.0, middle)
        mappings.append(through)
        if through is None or abs(through.offset - offset) > INSTANT_TOLERANCE_S:
            mappings.append(_remapped(replace(segment, speed=speed, reference_start=(
                speed * segment.query_start + offset)), local, 0.0, 0.0, middle))
    return mappings


def _upper_ratio(check: MomentCheck) -> float:
    """The upper quartile of a measured check's ratios over its instants."""
    return float(np.percentile([ratio for _, ratio, _ in check.measured], 75))


def _placed_again(decoded: Decoded, local: LocalData, segment: Segment, check: MomentCheck,
                  candidates: list[Placement], rotation: float, params: align.MatchParams
                  ) -> tuple[Segment, MomentCheck]:
    """A judged segment at a changed speed mapped where its pictures put it, with its check:
    along the line of shifts they agree with (``MomentCheck.line``), again from there up to
    LINE_PASSES times (a growth beyond LINE_MAX_GROWTH takes more than one), wherever the
    check at the new mapping is judged and explains the original's frames at least as well
    (its ratio no higher); then by the check's own best shift (what it measured the ratio at).
    A speed that ends within ``align.SPEED_TOLERANCE`` of 1 is the original's own where the
    check at 1x, through the same middle, confirms the moment (as the aligner prefers 1x)."""
    if not segment.changed_speed or not check.judged(params) or check.ratio is None:
        return segment, check
    for _ in range(LINE_PASSES):
        if check.line is None or not (placed := _remapped(segment, local, *check.line)):
            break
        again = _best_check(decoded, local, placed, candidates, rotation)
        if not (again.judged(params) and again.ratio is not None and again.ratio <= check.ratio):
            break
        segment, check = placed, again
    if check.shift and (placed := _remapped(segment, local, check.shift, 0.0, 0.0)):
        segment, check = placed, replace(check, shift=0.0, line=None)
    if abs(segment.speed - 1.0) <= align.SPEED_TOLERANCE and (placed := _remapped(
            segment, local, 0.0, segment.speed - 1.0, segment.query_middle)):
        own = _best_check(decoded, local, placed, candidates, rotation)
        if own.confirms(params):
            return placed, own
    return segment, check


def _remapped(segment: Segment, local: LocalData, shift: float, growth: float, middle: float
              ) -> Segment | None:
    """The segment whose original's instant r shows in the repost at q0 + shift + growth *
    (q0 - middle) rather than at q0 = (r - offset) / speed; None where that mapping would run
    before the original's start or past its end (its last stored frame, or where the segment
    ended). The query span stays: the result's intervals tile the repost."""
    offset = segment.offset
    speed = segment.speed / (1.0 + growth)
    offset += segment.speed * (growth * middle - shift) / (1.0 + growth)
    last = max(segment.reference_end, float(local.detail_times[-1]))
    starts, ends = speed * segment.query_start + offset, speed * segment.query_end + offset
    if starts < -INSTANT_TOLERANCE_S or ends > last + INSTANT_TOLERANCE_S:
        return None
    return replace(segment, speed=round(speed, 3), reference_start=round(max(0.0, starts), 3),
                   reference_end=round(min(last, ends), 3))


def _trimmed(decoded: Decoded, local: LocalData, segment: Segment, check: MomentCheck,
             candidates: list[Placement], rotation: float, params: align.MatchParams
             ) -> tuple[Segment, MomentCheck, list[Segment]] | None:
    """The segment without its ends that show another moment (``MomentCheck.agreeing``, else
    ``apart_at_ends``), its check, and the ends; None when nothing is cut, or when what is left
    does not clearly confirm the very moment on its own (a chance alignment's middle: judged
    whole; after ends where the repost moves, under the weak bar). A piece
    already cut at a splice by its motion is not cut again (a chance alignment's piece of the
    room's sweep would have passed by a hair: 0.40 to 0.398)."""
    span, moving = check.agreeing(params), False
    if span is None:
        span, moving = check.apart_at_ends(params), True
    if span is None or segment.spliced:
        return None
    whole = (segment.query_start, segment.query_end)
    kept = (max(whole[0], span[0]), min(whole[1], span[1]))
    if kept[1] - kept[0] < params.min_segment_s:
        return None
    middle = align.cut_segment(segment, *kept)
    middle_check = _best_check(decoded, local, middle, candidates, rotation)
    if not middle_check.confirms(params, weak=moving):
        return None
    ends = [replace(align.cut_segment(segment, a, b),  # its evidence: the instants in it
                    evidence=sum(a <= time <= b for time, _, _ in check.measured))
            for a, b in align.subtract(whole, [kept])]
    return middle, middle_check, ends


def _best_check(decoded: Decoded, local: LocalData, segment: Segment,
                candidates: list[Placement], rotation: float, beyond: bool = True,
                few: bool = False) -> MomentCheck:
    """The check of a segment at the placement that lays the pictures closest (and beyond its
    ends, unless ``beyond`` is False; ``few`` as in ``check_segment``)."""
    around = _around(decoded.fingerprint, segment, local) if beyond else ()
    return min((check_segment(decoded, local, segment, replace(laid, mirrored=segment.mirrored),
                              rotation, around, few) for laid in candidates),
               key=lambda c: c.fit)


def _around(query: Fingerprint, segment: Segment, local: LocalData) -> tuple[Segment, ...]:
    """The segment's mapping just beyond each of its ends (at most BEYOND_S), inside the repost
    and where the original has stored frames."""
    known = (float(local.detail_times[0]), float(local.detail_times[-1]))
    # The repost times the original's stored frames map to.
    lowest, highest = sorted((segment.query_time(known[0]), segment.query_time(known[1])))
    spans = ((max(0.0, segment.query_start - BEYOND_S, lowest), segment.query_start),
             (segment.query_end, min(query.duration, segment.query_end + BEYOND_S, highest)))
    return tuple(align.cut_segment(segment, start, end) for start, end in spans
                 if end - start >= 1.0)
