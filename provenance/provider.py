"""Decode a video once for every stage: the fingerprint, and the frames the later stages need.

One pass over the stream (``frames.VideoStream.samples``) hashes the samples and keeps, beside
them, what the second matching stage, the picture-edit check and the report would otherwise decode
the file again for:

* ``details``: the whole frame (bars included) as a small grey image at ``DETAIL_FPS``, from
  which any region is hashed again ("like with like" after a crop or picture-in-picture), and
  whose bar-free part is compared pixel to pixel for overlays;
* ``local``: larger grey frames for local features, at most ``max_local`` of them, evenly spread
  (the step doubles when the budget fills, so memory is bounded whatever the video's length);
* the picture box inside the bars of every detail frame (letterbox, pillarbox, reframes);
* for a query, ``moments``: the first decoded frame in each 1/``MOMENT_FPS`` s as a tiny grey
  image, so that the repost's picture at the very instant of each of an original's stored detail
  frames can be compared with it (``moment.py``: same camera, same moment or another);
* with each local-feature frame, a colour picture (``pictures``) for the report and its colour
  saturation for the grayscale check.

Originals go through the same pass at registration; the library stores their details and the
local features and a small colour JPEG of a few frames, so verify never opens an original's file.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

import cv2
import numpy as np

from . import frames as frames_mod
from .decode import DenseGrid
from .fingerprint import (
    ProgressCallback,
    as_decoded,
    backwards_times,
    fingerprint_samples,
    played_backwards,
)
from .models import Fingerprint, LocalData

# Details: the long side of the small grey frame, and its rate (the fingerprint's, so that motion
# is measured over the same interval on both sides: at half the rate, the sampling phase between
# repost and original made motion hashes of the same moment disagree, median 22-24 bits).
# Originals are stored with a 64-pixel long side (3.3-4.1 KB a second of the shared footage
# once compressed, 12-15 MB an hour; 96 pixels cost twice that and found no more); the repost
# keeps about 128 in memory (the whole factor nearest it: ``shrink_factor``), because its region
# of interest may be a small inset: a 60 % inset of the test footage measured motion distances
# of median 22 bits from 64-pixel details and 14 from 128-pixel ones (full-size frames: 10).
# Larger details did not find more once regions are hashed inside REGION_MARGIN (the
# copy-detection set's 3 picture-in-picture insets: found from 128, 240 and 256 pixels alike).
DETAIL_LONG_SIDE = 64
QUERY_DETAIL_LONG_SIDE = 128
# A region found by local features is hashed this share of its width and height inside each
# edge, on both sides: its fitted edges are a few pixels off (the car inset's top edge by 3.8 % of
# the frame's height, 11 % of the inset's), and what lies just outside an overlap (a moving
# background around an inset) changes the motion hash. Copy-detection set, the 3
# picture-in-picture insets and 3 9:16 centre crops as verify fits them: 4 of 6 aligned in time
# with no margin (1 of 3 insets), 6 of 6 with 3 % and with 6 %, 5 of 6 with 10 % (the car centre
# crop, whose fitted box was 12 % off at the top, kept too little).
REGION_MARGIN = 0.06
DETAIL_FPS = 4.0
# A query's moment frames: the first frame in each 1/MOMENT_FPS s (a 25-30 fps stream: every
# other frame or so, so one lies within 0.04 s of any instant), whole (bars
# included), shrunk by area to the size of an original's stored details (MOMENT_LONG_SIDE on the
# long side). Memory: 64x36 bytes x 15 a second; at most MAX_MOMENTS frames (12 MB).
MOMENT_FPS = 15.0
MOMENT_LONG_SIDE = DETAIL_LONG_SIDE
# Decoding a frame every fifteenth of a second costs where a stream's reference frames are
# sparse (10 fps with 0.4 s between them: every frame): past MOMENT_BUDGET_S seconds, moment
# frames are kept in MOMENT_WINDOW_S windows spread evenly, MOMENT_BUDGET_S seconds of them in
# all (a 20-minute query: 1 s in 4, so a segment of 4 s or more still has 4 instants or more).
MOMENT_BUDGET_S = 300.0
MOMENT_WINDOW_S = 1.0
MAX_MOMENTS = int(MOMENT_BUDGET_S * MOMENT_FPS * 1.2)
# A jump in the repost's picture between two moment frames (``Decoded.jumps``): their
# mean grey-level difference is at least JUMP_MIN_CHANGE and JUMP_CONTRAST times every other
# difference within JUMP_FOIL_S of it (a window, not the two next to it: a frame rate raised by
# repeating frames alternates changes with none). It finds where the repost was cut while the
# view stays the same: another moment of a fixed camera spliced in, which the samples' motion
# energy misses. Measured on moment frames (benchmarks/README.md, "A cut inside the view"): of
# 21,650 frame changes of footage without a cut (the three shared clips, and the
# copy-detection set's 139 queries without one: re-encoded, cropped, sped up, captioned, frame
# rates changed), none is a jump; nor in the three clips with one frame in ten dropped; the
# copy-detection montages' only jumps are their cuts; at the cut of other_moments.py --spliced
# 8 (48 montages of one camera's moments) 42 of 48, the 6 left still on both sides
# (differences 1.0-1.7 against 0.1-0.4 around: nothing moves to show the cut) or barely moving.
# Frames further apart than JUMP_MAX_GAP_S (a long query's windows of moment frames) are not
# compared.
JUMP_MIN_CHANGE = 2.0
JUMP_CONTRAST = 2.0
JUMP_FOIL_S = 0.3
JUMP_MAX_GAP_S = 0.5
# Whether what a jump changed moves on (``Jump.moves_on``): the pixels it changed most (its top
# decile, JUMP_PIXEL grey levels or more) differ from the frame after the jump, over the
# JUMP_AFTER_S after it (up to the next jump), by more than JUMP_SETTLED grey levels (median
# over the frames, then over the pixels). Measured (benchmarks/README.md, "A cut inside the
# view") at the 360 jumps of the 150 registered windows of other_moments.py --registered --edit
# "timed captions" (two subtitles and a banner that come and go): the 355 where one comes on,
# changes, or goes off over a still part at most 7; the 5 where a subtitle or the banner goes
# off over moving footage 9-42 (the pictures after such a jump show the very moment:
# ``moment._unlike_after``); at the car park's cuts of other_moments.py --spliced 8 that are
# jumps, 8 of 12 at 23-96, the other 4 at 0-8 (both moments still but for a car leaving).
JUMP_PIXEL = 8.0
JUMP_AFTER_S = 1.5
JUMP_SETTLED = 8.0
# A picture laid on or taken off part of the footage (a subtitle, a banner): a jump as above
# but of at least OVERLAY_MIN_CHANGE grey levels and OVERLAY_CONTRAST times every change within
# JUMP_FOIL_S, whose pixels then settle (not ``Jump.moves_on``), over at most OVERLAY_MAX_SHARE
# of the picture (pixels changed by JUMP_PIXEL or more). The sample whose change holds it shows
# no moving thing of the scene, so it is no evidence of another moment (its ``coherence`` is 0;
# ``align.SCENE_MIN_COHERENCE``). Measured (benchmarks/README.md, "Captions that come and go"):
# of the 900 subtitles and banners coming on or going off in the 150 windows of
# other_moments.py --registered --edit "timed captions", 540 (the rest over moving footage,
# where a change of 1-5 grey levels is not 4 times the foil); in 287 videos without such
# captions (150 windows of the three clips as recorded, the copy-detection set's 134 queries
# without a caption, the three clips whole), none (with a contrast of 3: 603 caught, 4 videos
# without captions with one; a share of 0.5 caught the same as 0.3). Of the 1,100 other videos
# of the two benchmarks' sets (every edit of the sweeps, captions that stay on included), only
# 11 of the 48 montages of one camera's two moments hold one: a cut where nothing but a car
# leaving changes, their answers unchanged.
OVERLAY_MIN_CHANGE = 0.5
OVERLAY_CONTRAST = 4.0
OVERLAY_MAX_SHARE = 0.3
# A change is a moving thing where it is spatially coherent: the share of its mean absolute size
# (between consecutive details) that survives averaging over COHERENCE_BLOCK x COHERENCE_BLOCK
# pixel blocks (``change_coherence``). Grain or sensor noise, independent pixel to pixel, keeps
# about 1/COHERENCE_BLOCK of it, a moving person or car most of it. Measured on the repost's
# 128-pixel details, 6 s windows of the 3 shared clips at 3 instants each, re-encoded with
# ffmpeg's temporal noise (``noise=alls=N:allf=t``) N = 0, 6, 10, 14, 20 (benchmarks/README.md,
# "Grain is no motion"): samples that moved only by grain (N >= 10) 0.11-0.22 (up to 0.35 where
# the encoder's flicker adds coherent change); every clearly moving sample (energy >= 0.3) of the
# clips as recorded 0.27-1.00 (the room's lowest, 0.27-0.32, at energies 0.31-0.7). The floor
# that counts is align.SCENE_MIN_COHERENCE.
COHERENCE_BLOCK = 8
_COHERENCE_CHUNK = 256  # details compared at a time: bounded memory for long videos
# Width of the frames kept for local features (ORB detail beyond it costs time, not accuracy).
LOCAL_WIDTH = 640
# A local-feature frame of at most this many pixels is kept as decoded (a copy of its grey
# plane), and shrunk to LOCAL_WIDTH by the local stage, the same way, only if it is used: most
# are not (8 of 24 in a 12 s query, none when whole frames explain it), and shrinking each on
# arrival cost 0.6 ms (960x540), a sixth of the copy-detection set's decoding. Larger frames are
# shrunk at once, so memory stays bounded (MAX_LOCAL frames of 1280x720: 59 MB).
MAX_KEPT_PIXELS = 1280 * 720
# Keyframes of an original whose keypoints are stored, evenly spread over it (the overlap
# between a repost's picture and the original's is one geometry for a fixed camera, and 12 was
# what the copy-detection benchmark measured with when it re-read the files), and the colour
# frames its saturation is measured on.
KEYFRAMES = 12
SATURATION_FRAMES = 3
# A query keeps a local-feature frame every LOCAL_STEP_S at first, at most MAX_LOCAL frames
# (15 MB at 640x360, whatever the query's length; the local stage uses at most
# MatchParams.local_max_frames = 32 of them, so 64 leaves a choice inside the open intervals).
LOCAL_STEP_S = 0.5
MAX_LOCAL = 64
# With each local-feature frame, the repost's colour saturation is measured on a small BGR copy
# of the same frame (``VideoStream.colour_thumb``: every few pixels read from the decoded planes),
# so the grayscale check needs no seek into the file afterwards (a seek cost 41 ms of CPU a
# query, about half of fingerprinting a 12 s query). On the copy-detection set's 64 queries it
# measured grey copies 0.0 (as full frames do) and colour ones within 10 of a full frame's.
# Width of that copy:
SATURATION_WIDTH = 160
# The same copy, taken larger, is kept with each local-feature frame as the picture the HTML
# report shows of the repost (evidence a reader can look at): every n-th decoded pixel, n the
# smallest whole step that brings the long side to at most PICTURE_SIZE (so between half of it
# and all of it: 480 for 480, 960 or 1920-pixel-wide video, 384 for 768, 426 for 1280; a 9:16
# 1080x1920 repost 270x480). Shrinking by area to exactly 480 wide instead cost 1.1 ms a frame
# for 768x432 video (+65 % on the decode of a 12 s query, whose sampling costs little); the
# whole steps' cost and memory (at most MAX_LOCAL pictures, 25 MB at 480x270) are measured in
# benchmarks/README.md, "Report pictures".
PICTURE_SIZE = 480
# What the library stores of an original's keyframes as its report pictures: JPEG, this wide,
# at this quality (bytes per keyframe and per hour of original: benchmarks/README.md).
STORED_PICTURE_WIDTH = 320
STORED_PICTURE_QUALITY = 75


@dataclass(frozen=True)
class Jump:
    """A jump of the repost's picture between two moment frames (``Decoded.jumps``) at
    ``time`` (the later frame's). ``moves_on``: whether the pixels it changed go on changing
    after it. A picture laid on the footage (a caption or a banner coming) changes pixels
    that then hold still; a cut to another moment of a camera changes where things are, and
    they move on."""

    time: float
    moves_on: bool
    share: float  # of the picture's pixels it changed by JUMP_PIXEL or more


# A measure over spans of a video's frames takes at least this many frames inside them, else
# all of its frames (a span of 2 s holds 8 detail frames at 4 a second).
SPAN_FRAMES = 8
# A picture laid over the view moves where the repost's picture inside it changes from one
# detail frame to the next (a quarter of a second) by this many grey levels or more (the mean
# over its pixels, the median over the frames: ``Decoded.change_inside``). Its motion is then in
# every whole frame: the whole frames' disagreement is no evidence of another moment where the
# part clear of it shows none (``refine._inset_hypotheses``), and what changes inside it is not
# compared at the very instants (``moment.Placement.hidden``). Measured on the room's windows
# (other_moments.py --clips one-by-one), where the part clear of the laid boxes neither lined
# up nor showed another moment: boxes found over other moments with a caption and logo that
# stay (--edit "caption+logo": 44, around the caption and logo or people) 0.01-2.42, median
# 0.2; the news ticker's bar over registered windows (--registered --edit "news ticker")
# 14.1-16.5 in 24 of 26, 2.8 in 2 (over each whole window; benchmarks/README.md, "A news
# ticker").
MOVING_LAID_CHANGE = 5.0


def within_spans(times: np.ndarray, spans: Sequence[tuple[float, float]] | None) -> np.ndarray:
    """Indices of the frames (at ``times``) inside ``spans``; all of them when fewer than
    SPAN_FRAMES are."""
    inside = np.zeros(len(times), dtype=bool)
    for start, end in spans or ():
        inside |= (times >= start) & (times < end)
    return np.flatnonzero(inside) if inside.sum() >= SPAN_FRAMES else np.arange(len(times))


@dataclass
class Decoded:
    """Everything one decode of a video gives the stages."""

    fingerprint: Fingerprint
    detail_times: np.ndarray
    details: np.ndarray  # (N, h, w) uint8, whole frames
    boxes: np.ndarray  # (N, 4) float32: top, bottom, left, right of the picture, shares
    local_times: list[float] = field(default_factory=list)
    local_frames: list[np.ndarray] = field(default_factory=list)
    # Colour saturation (mean HSV S, 0-255) at the local-feature frames' times, and the colour
    # pictures (BGR, long side at most PICTURE_SIZE) of the same frames; both empty when the
    # decoder read the luma plane only.
    saturations: list[float] = field(default_factory=list)
    pictures: list[np.ndarray] = field(default_factory=list)
    # The moment frames (whole, tiny, grey) and their times; empty unless asked for.
    moment_times: np.ndarray = field(default_factory=lambda: np.zeros(0))
    moments: list[np.ndarray] = field(default_factory=list)
    # (seconds decoded, seconds the header announces) of a file cut off or damaged
    # (``VideoStream.cut_off``); None when it decoded to its announced end.
    cut_off: tuple[float, float] | None = None

    def played_backwards(self) -> Decoded:
        """What decoding the video played backwards would give, from these frames: each kept
        frame at the instant a reversed file shows it (``fingerprint.played_backwards``), so
        every stage can judge the reversed view as it judges any repost."""
        fp = self.fingerprint
        frame_s = 1.0 / fp.native_fps if fp.native_fps > 0 else 0.0

        def back(times: Sequence[float] | np.ndarray) -> np.ndarray:
            return backwards_times(times, fp.duration, frame_s)

        return Decoded(
            fingerprint=played_backwards(fp, frame_s),
            detail_times=back(self.detail_times),
            details=np.ascontiguousarray(self.details[::-1]),
            boxes=np.ascontiguousarray(self.boxes[::-1]),
            local_times=back(self.local_times).tolist(),
            local_frames=self.local_frames[::-1], saturations=self.saturations[::-1],
            pictures=self.pictures[::-1], moment_times=back(self.moment_times),
            moments=self.moments[::-1], cut_off=self.cut_off)

    def turned(self, quarters: int, fingerprint: Fingerprint | None = None) -> Decoded:
        """What decoding the video turned ``quarters`` quarter turns counterclockwise would give,
        from these frames: a repost shown on its side set upright, so every stage can judge it
        as any repost (``fingerprint``: ``turned_fingerprint``'s, when already made)."""
        def turn(frames: Sequence[np.ndarray]) -> list[np.ndarray]:
            return [np.ascontiguousarray(np.rot90(f, quarters)) for f in frames]

        return Decoded(
            fingerprint=fingerprint or turned_fingerprint(self, quarters),
            detail_times=self.detail_times,
            details=np.ascontiguousarray(np.rot90(self.details, quarters, axes=(1, 2))),
            boxes=turned_boxes(self.boxes, quarters),
            local_times=list(self.local_times), local_frames=turn(self.local_frames),
            saturations=list(self.saturations), pictures=turn(self.pictures),
            moment_times=self.moment_times, moments=turn(self.moments), cut_off=self.cut_off)

    def saturation_in(self, intervals: list[tuple[float, float]]) -> float | None:
        """Median colour saturation of the kept frames inside the intervals (of all of them if
        none is inside); None when no colour was kept."""
        if not self.saturations:
            return None
        inside = [s for t, s in zip(self.local_times, self.saturations, strict=True)
                  if any(a <= t < b for a, b in intervals)]
        return float(np.median(inside or self.saturations))

    def picture_box(self) -> tuple[float, float, float, float] | None:
        """The picture inside the repost's bars (median over the video), as (x0, y0, x1, y1)
        shares; None when no frame was sampled."""
        if not len(self.boxes):
            return None
        top, bottom, left, right = (float(v) for v in np.median(self.boxes, axis=0))
        return (left, top, right, bottom)

    def change_inside(self, boxes: Sequence[tuple[float, float, float, float]],
                      spans: Sequence[tuple[float, float]] | None) -> float:
        """How much the picture changes inside ``boxes`` (shares of the frame) from one detail
        frame to the next over ``spans`` (``within_spans``): grey levels, the mean over the
        boxes' pixels, the median over the frames (MOVING_LAID_CHANGE)."""
        height, width = self.details.shape[1:3]
        inside = np.zeros((height, width), dtype=bool)
        for box in boxes:
            x0, y0, x1, y1 = pixel_box(box, width, height, 1)
            inside[y0:y1, x0:x1] = True
        chosen = self.details[within_spans(self.detail_times, spans)]
        if len(chosen) < 2 or not inside.any():
            return 0.0
        shown = chosen[:, inside].astype(np.float32)
        return float(np.median(np.abs(np.diff(shown, axis=0)).mean(axis=1)))

    def change_instant(self, after: float, until: float) -> float | None:
        """The time of the moment frame in (``after``, ``until``] that differs most from the
        one before it (where a cut between two samples lies, to a fifteenth of a second);
        None when no moment frames were kept there."""
        times = self.moment_times
        first = int(np.searchsorted(times, after, side="right"))
        last = int(np.searchsorted(times, until, side="right"))
        if first < 1 or last <= first:
            return None
        return float(times[first + int(np.argmax(self._frame_changes[first:last]))])

    @cached_property
    def _frame_changes(self) -> np.ndarray:
        """Per moment frame, its mean grey-level change from the one before (0 for the first;
        the most there is where a stream changed its frame size between them)."""
        changes = np.zeros(len(self.moments))
        for k in range(1, len(self.moments)):
            changes[k] = self._jump_change(k).mean()
        return changes

    def jumps(self, start: float, end: float, least: float = JUMP_MIN_CHANGE,
              contrast: float = JUMP_CONTRAST) -> list[Jump]:
        """The jumps of the repost's picture in (``start``, ``end``): from one moment frame to
        the next, ``is_jump`` against the changes JUMP_FOIL_S around it (a cut, even one
        inside a view, or a picture laid on or taken off), each with whether what it changed
        moves on after it (``Jump.moves_on``). ``least`` and ``contrast`` stand for
        JUMP_MIN_CHANGE and JUMP_CONTRAST (``overlay_samples`` asks for smaller jumps)."""
        times = self.moment_times
        first = max(1, int(np.searchsorted(times, start - JUMP_FOIL_S)))
        last = min(len(times), int(np.searchsorted(times, end + JUMP_AFTER_S + JUMP_FOIL_S,
                                                   side="right")))
        if last - first < 3:
            return []
        measured = np.diff(times[first - 1:last]) <= JUMP_MAX_GAP_S  # neighbouring frames
        change = self._frame_changes[first:last]
        at = times[first:last]
        found = []
        # Each change's neighbours within JUMP_FOIL_S are among its foils: only the changes
        # that pass against them are held against the whole window.
        close = np.diff(at, prepend=-np.inf) <= JUMP_FOIL_S  # frame k near frame k - 1
        counted = np.where(measured, change, 0.0)
        neighbours = np.maximum(np.r_[0.0, counted[:-1]] * close,
                                np.r_[counted[1:] * close[1:], 0.0])
        passing = measured & (at > start) & (change >= least) & \
            (change >= contrast * neighbours)
        for k in np.flatnonzero(passing):
            lo = int(np.searchsorted(at, at[k] - JUMP_FOIL_S))
            hi = int(np.searchsorted(at, at[k] + JUMP_FOIL_S, side="right"))
            before, after = change[lo:k][measured[lo:k]], change[k + 1:hi][measured[k + 1:hi]]
            if len(before) and len(after) and is_jump(
                    float(change[k]), float(max(before.max(), after.max())), least, contrast):
                found.append(k)
        if not found:
            return []
        nexts = [float(at[k]) for k in found[1:]] + [np.inf]
        return [self._jump(first + k, until)
                for k, until in zip(found, nexts, strict=True) if at[k] < end]

    def _jump(self, index: int, until: float) -> Jump:
        """The jump into moment frame ``index``, the next one at ``until``."""
        change = self._jump_change(index)
        return Jump(float(self.moment_times[index]), self._moves_on(index, until, change),
                    float((change >= JUMP_PIXEL).mean()))

    def overlay_samples(self) -> np.ndarray:
        """Indices of the samples whose change from the sample before holds a picture laid on
        or taken off part of the footage (a caption, a banner): a jump that settles
        (``Jump.moves_on`` False) over at most OVERLAY_MAX_SHARE of the picture."""
        times = self.fingerprint.times
        if len(times) < 2:
            return np.zeros(0, dtype=np.int64)
        laid = [jump.time for jump in self.jumps(float(times[0]), float(times[-1]) + 1e-6,
                                                 OVERLAY_MIN_CHANGE, OVERLAY_CONTRAST)
                if not jump.moves_on and jump.share <= OVERLAY_MAX_SHARE]
        return np.unique(np.searchsorted(times, np.asarray(laid, dtype=np.float64) - 1e-9))

    def _jump_change(self, index: int) -> np.ndarray:
        """Per pixel, how much moment frame ``index`` differs from the one before it (all
        of it, where the frame size changed between them)."""
        now, before = self.moments[index], self.moments[index - 1]
        if now.shape != before.shape:
            return np.full(now.shape, 255, dtype=np.int16)
        return np.abs(now.astype(np.int16) - before)

    def _moves_on(self, index: int, until: float, change: np.ndarray) -> bool:
        """Whether the pixels the jump into moment frame ``index`` changed most (its top
        decile, JUMP_PIXEL grey levels or more, of ``change``: ``_jump_change``) go on changing
        in the JUMP_AFTER_S after it (and before ``until``, the next jump): their difference
        from the frame after the jump, median over the frames and then over the pixels, more
        than JUMP_SETTLED grey levels; True when no frame follows to tell."""
        jumped = self.moments[index].astype(np.int16)
        changed = change >= max(JUMP_PIXEL, float(np.percentile(change, 90)))
        stop = min(until, float(self.moment_times[index]) + JUMP_AFTER_S)
        later = self.moments[index + 1:int(np.searchsorted(self.moment_times, stop))]
        if not later or not changed.any():
            return True
        moved = np.median([np.abs(frame - jumped) for frame in later], axis=0)
        return float(np.median(moved[changed])) > JUMP_SETTLED

    def details_between(self, start: float, end: float) -> np.ndarray:
        return np.flatnonzero((self.detail_times >= start) & (self.detail_times < end))

    def local_in(self, intervals: list[tuple[float, float]], count: int) -> list[np.ndarray]:
        """Up to ``count`` kept local-feature frames inside the intervals, evenly spread."""
        inside = [k for k, t in enumerate(self.local_times)
                  if any(a <= t < b for a, b in intervals)]
        inside = [inside[i] for i in frames_mod.evenly_spread(len(inside), count)]
        return [self.local_frames[k] for k in inside]


class _Keeper:
    """Receives every sampled frame during the one decode and keeps what later stages need."""

    def __init__(self, max_local: int, local_step: float, long_side: int) -> None:
        self.long_side = long_side
        self.detail_times: list[float] = []
        self.details: list[np.ndarray] = []
        self.boxes: list[tuple[float, float, float, float]] = []
        self.next_detail = 0.0
        self.max_local = max_local
        self.local_step = local_step
        self.next_local = 0.0
        self.local: list[tuple[float, np.ndarray]] = []
        self.saturations: list[float] = []
        self.pictures: list[np.ndarray] = []
        self.stream: frames_mod.VideoStream | None = None
        self.moment_times: list[float] = []
        self.moments: list[np.ndarray] = []
        self.dense: DenseGrid | None = None  # the grid that shows frames to keep_moment

    def keep_moment(self, time: float, grey: np.ndarray) -> None:
        """The decoder shows the first frame in each 1/MOMENT_FPS s here (at most MAX_MOMENTS
        are kept: a header can understate a video's length, which sets the budget)."""
        if len(self.moments) >= MAX_MOMENTS:
            if self.dense is not None:
                self.dense.stop()  # nor decoded for it any more
            return
        height, width = grey.shape[:2]
        size = detail_size(width, height, MOMENT_LONG_SIDE)
        # Bilinear to at least 2.5 times the size first (a third of the cost of shrinking a
        # 1280x720 frame by area at once), then by area, as an original's details are.
        if width > 5 * size[0] and height > 5 * size[1]:
            grey = cv2.resize(grey, (width // 4, height // 4), interpolation=cv2.INTER_LINEAR)
        self.moment_times.append(time)
        self.moments.append(cv2.resize(grey, size, interpolation=cv2.INTER_AREA))

    def __call__(self, time: float, grey: np.ndarray, box: tuple[int, int, int, int]) -> None:
        height, width = grey.shape[:2]
        if time + 1e-6 >= self.next_detail:
            # On the grid, as samples() picks frames; computed, not stepped to, so a timestamp
            # that jumps by 10^9 s costs no more than any other frame.
            step = 1.0 / DETAIL_FPS
            self.next_detail = (math.floor((time + 1e-6) / step) + 1) * step
            self.detail_times.append(time)
            self.details.append(self._detail(grey))
            top, bottom, left, right = box
            self.boxes.append((top / height, bottom / height, left / width, right / width))
        if self.max_local and time + 1e-6 >= self.next_local:
            self.next_local = time + self.local_step - 1e-3
            if width * height <= MAX_KEPT_PIXELS:
                kept = grey.copy()
            else:
                scale = min(1.0, LOCAL_WIDTH / width)
                kept = frames_mod.resized(grey, max(8, round(width * scale)),
                                          max(8, round(height * scale)))
            self.local.append((time, kept))
            self._keep_colour(width, height)
            if len(self.local) > self.max_local:  # thin out: every other frame, twice the step
                self.local = self.local[::2]
                self.saturations = self.saturations[::2]
                self.pictures = self.pictures[::2]
                self.local_step *= 2
                self.next_local = self.local[-1][0] + self.local_step - 1e-3

    def _detail(self, grey: np.ndarray) -> np.ndarray:
        height, width = grey.shape[:2]
        if self.long_side < QUERY_DETAIL_LONG_SIDE:  # an original's, as the library stores them
            return frames_mod.resized(grey, *detail_size(width, height, self.long_side))
        factor = shrink_factor(width, height, self.long_side)
        if factor == 1:
            return grey.copy()
        # Whole blocks of factor x factor pixels (at most factor - 1 pixels off the right and
        # bottom edges): OpenCV averages them 4 times faster than it shrinks by a fraction
        # (0.12 against 0.47 ms for a 960x540 frame, a sixth of sampling it).
        whole = grey[:height - height % factor, :width - width % factor]
        return cv2.resize(whole, (width // factor, height // factor),
                          interpolation=cv2.INTER_AREA)

    def _keep_colour(self, width: int, height: int) -> None:
        if self.stream is None:
            return
        step = -(-max(width, height) // PICTURE_SIZE)
        thumb = self.stream.colour_thumb(-(-width // step), -(-height // step))
        if thumb is None:
            self.stream = None
            self.saturations, self.pictures = [], []
            return
        # Saturation on every n-th pixel of the picture, about SATURATION_WIDTH of them across,
        # as the grayscale check was measured (OpenCV's nearest-pixel shrink by a whole factor
        # picks exactly those, 4 times faster than numpy's strided copy).
        every = max(1, round(thumb.shape[1] / SATURATION_WIDTH))
        height, width = thumb.shape[:2]
        self.saturations.append(frames_mod.saturation(cv2.resize(
            thumb, (max(1, width // every), max(1, height // every)),
            interpolation=cv2.INTER_NEAREST)))
        self.pictures.append(thumb)


def is_jump(change: float, foil: float, least: float = JUMP_MIN_CHANGE,
            contrast: float = JUMP_CONTRAST) -> bool:
    """Whether a frame change is a jump: ``least`` grey levels or more (JUMP_MIN_CHANGE), and
    ``contrast`` (JUMP_CONTRAST) times the largest change around it (``foil``) or more."""
    return change >= least and change >= contrast * foil


def moment_grid(info: frames_mod.StreamInfo) -> DenseGrid:
    """Where a query keeps moment frames: all along it, or for a video announced longer than
    MOMENT_BUDGET_S, in MOMENT_WINDOW_S windows spread evenly (a 20-minute query: 1 s in 4)."""
    duration = info.announced_duration or 0.0
    if duration <= MOMENT_BUDGET_S:
        return DenseGrid(1.0 / MOMENT_FPS)
    return DenseGrid(1.0 / MOMENT_FPS, MOMENT_WINDOW_S * duration / MOMENT_BUDGET_S,
                     MOMENT_WINDOW_S)


def is_grey_jpeg(data: bytes) -> bool:
    """Whether a stored picture is a grey JPEG (one channel)."""
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    return image is not None and image.ndim == 2


def shrink_factor(width: int, height: int, long_side: int) -> int:
    """The whole factor that brings the long side nearest ``long_side`` (a repost's details:
    a 960x540 frame gives 120x67 for 128, a 768x432 one 128x72)."""
    return max(1, round(max(width, height) / long_side))


def detail_size(width: int, height: int, long_side: int) -> tuple[int, int]:
    """(width, height) of a detail frame: the given long side, the aspect kept."""
    if width >= height:
        return long_side, max(8, round(long_side * height / width))
    return max(8, round(long_side * width / height)), long_side


def decode(path: str, sample_fps: float, progress: ProgressCallback | None = None,
           max_local: int = MAX_LOCAL, local_step: float = LOCAL_STEP_S,
           detail_long_side: int = QUERY_DETAIL_LONG_SIDE, moments: bool = True) -> Decoded:
    """Decode ``path`` once: its fingerprint plus the kept frames (``moments``: a query's
    moment frames too). Raises MediaError."""
    keeper = _Keeper(max_local, local_step, detail_long_side)
    with frames_mod.VideoStream(path) as stream:
        keeper.stream = stream
        keeper.dense = moment_grid(stream.info) if moments else None
        samples = stream.samples(sample_fps, on_picture=keeper,
                                 on_frame=keeper.keep_moment if moments else None,
                                 dense=keeper.dense)
        fp = fingerprint_samples(samples, stream.info, sample_fps, progress)
        fp = as_decoded(fp, stream)
        cut_off = stream.cut_off
    details = np.stack(keeper.details)
    detail_times = np.asarray(keeper.detail_times, dtype=np.float64)
    if detail_long_side >= QUERY_DETAIL_LONG_SIDE:
        fp = replace(fp, coherence=_per_sample(change_coherence(details), detail_times,
                                               fp.times))
    decoded = Decoded(
        fingerprint=fp,
        detail_times=detail_times,
        details=details,
        boxes=np.asarray(keeper.boxes, dtype=np.float32).reshape(-1, 4),
        local_times=[t for t, _ in keeper.local],
        local_frames=[f for _, f in keeper.local],
        saturations=keeper.saturations if len(keeper.saturations) == len(keeper.local) else [],
        pictures=keeper.pictures if len(keeper.pictures) == len(keeper.local) else [],
        moment_times=np.asarray(keeper.moment_times, dtype=np.float64),
        moments=keeper.moments,
        cut_off=cut_off,
    )
    if fp.coherence is not None and moments:
        coherence = fp.coherence.copy()
        coherence[decoded.overlay_samples()] = 0.0  # a caption coming is no moving thing
        decoded.fingerprint = replace(fp, coherence=coherence)
    return decoded


def nearest_index(times: Sequence[float] | np.ndarray, time: float) -> int:
    """The index of the kept or stored frame nearest ``time`` (``times`` not empty, in order;
    the earlier of two as near). By bisection: the moment check asks it some 800 times a
    query, and ``argmin`` over the whole list cost a third of that check's CPU."""
    after = bisect.bisect_left(times, time)
    if after == len(times) or (after > 0 and time - times[after - 1] <= times[after] - time):
        after -= 1
        while after > 0 and times[after - 1] == times[after]:
            after -= 1
    return after


def pixel_box(box: tuple[float, float, float, float], width: int, height: int,
              minimum: int) -> tuple[int, int, int, int]:
    """A box of shares (x0, y0, x1, y1) in pixels of a ``width`` x ``height`` picture, at least
    ``minimum`` pixels a side."""
    x0, y0 = int(box[0] * width), int(box[1] * height)
    return (x0, y0, max(x0 + minimum, round(box[2] * width)),
            max(y0 + minimum, round(box[3] * height)))


def region_fingerprint(times: np.ndarray, details: np.ndarray,
                       box: tuple[float, float, float, float], duration: float) -> Fingerprint:
    """The fingerprint of one region (x0, y0, x1, y1 as shares) of detail frames, at their rate,
    hashed REGION_MARGIN inside its edges: how a crop or an inset is hashed like with like on
    both sides."""
    height, width = details.shape[1:3]
    margin_x, margin_y = REGION_MARGIN * (box[2] - box[0]), REGION_MARGIN * (box[3] - box[1])
    x0, y0, x1, y1 = pixel_box((box[0] + margin_x, box[1] + margin_y, box[2] - margin_x,
                                box[3] - margin_y), width, height, 4)
    region = details[:, y0:y1, x0:x1]
    info = frames_mod.StreamInfo(path="", width=width, height=height, fps=0.0, frame_count=0)
    return replace(_detail_fingerprint(times, region, info), duration=duration,
                   coherence=change_coherence(region))


def _detail_fingerprint(times: np.ndarray, pictures: np.ndarray,
                        info: frames_mod.StreamInfo) -> Fingerprint:
    """The fingerprint of detail pictures (a region of them, or them turned) at their rate."""
    samples = (frames_mod.Sample(time=float(t), thumb=frames_mod.resized(
        np.ascontiguousarray(d), frames_mod.THUMB_SIZE, frames_mod.THUMB_SIZE))
        for t, d in zip(times, pictures, strict=True))
    return fingerprint_samples(samples, info, DETAIL_FPS)


def turned_fingerprint(decoded: Decoded, quarters: int) -> Fingerprint:
    """The fingerprint of the repost turned ``quarters`` quarter turns counterclockwise, hashed
    from its detail frames (the picture inside its median bars) at their rate: the whole
    pictures a file of the turned video would give, 128 pixels on the long side instead of its
    full size (on the shared clips turned either way, the turned way lined up over every
    sample, 18-44 of them confirmed by motion, and the other way nowhere: benchmarks/README.md,
    "Footage turned on its side")."""
    fp = decoded.fingerprint
    height, width = decoded.details.shape[1:3]
    top, bottom, left, right = (float(v) for v in np.median(decoded.boxes, axis=0))
    x0, y0, x1, y1 = pixel_box((left, top, right, bottom), width, height, 4)
    region = np.rot90(decoded.details[:, y0:y1, x0:x1], quarters, axes=(1, 2))
    upright = (fp.width, fp.height)[::-1] if quarters % 2 else (fp.width, fp.height)
    info = frames_mod.StreamInfo(path="", width=upright[0], height=upright[1],
                                 fps=fp.native_fps, frame_count=0)
    turned = _detail_fingerprint(decoded.detail_times, region, info)
    coherence = None if fp.coherence is None else \
        _per_sample(fp.coherence, fp.times, turned.times)
    return replace(turned, duration=fp.duration, decoder=fp.decoder, coherence=coherence)


def turned_boxes(boxes: np.ndarray, quarters: int) -> np.ndarray:
    """Picture boxes (top, bottom, left, right shares, one row a frame) where they lie once
    the frames are turned ``quarters`` quarter turns counterclockwise."""
    from .geometry import turned_box

    turned = [turned_box((left, top, right, bottom), quarters)
              for top, bottom, left, right in boxes.tolist()]
    return np.array([(y0, y1, x0, x1) for x0, y0, x1, y1 in turned],
                    dtype=np.float32).reshape(-1, 4)


def _per_sample(values: np.ndarray, detail_times: np.ndarray, times: np.ndarray) -> np.ndarray:
    """A detail frame's value for each sample: the detail's at the sample's own time when the
    two grids are one (the fingerprint's rate), else the nearest detail's (what kind of change a
    sample shows, grain or a moving thing, is the same over a quarter of a second as over its
    own interval: ``verify --fps 8`` or 2)."""
    if np.array_equal(detail_times, times):
        return values
    if not len(detail_times):
        return np.ones(len(times), np.float32)
    return values[[nearest_index(detail_times, float(t)) for t in times]]


def change_coherence(details: np.ndarray) -> np.ndarray:
    """Per detail frame, the share of its change since the previous one that survives averaging
    over COHERENCE_BLOCK-pixel blocks (1.0 for the first frame, and for frames smaller than two
    blocks a side, where it cannot be told)."""
    count, height, width = details.shape
    result = np.ones(count, dtype=np.float32)
    rows, cols = height // COHERENCE_BLOCK, width // COHERENCE_BLOCK
    if rows < 2 or cols < 2:
        return result
    for start in range(1, count, _COHERENCE_CHUNK):
        stop = min(count, start + _COHERENCE_CHUNK)
        change = (details[start:stop].astype(np.float32)
                  - details[start - 1:stop - 1].astype(np.float32))
        blocks = change[:, :rows * COHERENCE_BLOCK, :cols * COHERENCE_BLOCK].reshape(
            stop - start, rows, COHERENCE_BLOCK, cols, COHERENCE_BLOCK).mean(axis=(2, 4))
        size = np.abs(change).mean(axis=(1, 2))
        result[start:stop] = np.abs(blocks).mean(axis=(1, 2)) / np.maximum(size, 1e-6)
    return result


def local_data(path: str, decoded: Decoded) -> LocalData:
    """What the library stores of an original for the second stage (``decoded`` from
    ``decode(path, ..., max_local=2 * KEYFRAMES)``)."""
    from . import geometry

    chosen = frames_mod.evenly_spread(len(decoded.local_frames), KEYFRAMES)
    found = [geometry.keypoints(decoded.local_frames[k], geometry.REFERENCE_FEATURES)
             for k in chosen]
    size = found[0][2] if found else (0, 0)
    descriptors = [d if d is not None else np.zeros((0, 32), np.uint8) for _, d, _ in found]
    duration = decoded.fingerprint.duration
    colour = frames_mod.colour_frames(path, [duration * (k + 0.5) / SATURATION_FRAMES
                                             for k in range(SATURATION_FRAMES)])
    return LocalData(
        detail_times=decoded.detail_times,
        details=decoded.details,
        key_times=np.asarray([decoded.local_times[k] for k in chosen], dtype=np.float64),
        key_counts=np.asarray([len(d) for d in descriptors], dtype=np.int32),
        key_points=np.concatenate([p[:len(d)] for (p, _, _), d in zip(found, descriptors,
                                                                      strict=True)]
                                  ) if found else np.zeros((0, 2), np.float32),
        key_descriptors=np.concatenate(descriptors) if descriptors else np.zeros((0, 32),
                                                                                 np.uint8),
        key_size=size,
        saturation=float(np.median([frames_mod.saturation(f) for f in colour.values()]))
        if colour else 0.0,
        pictures=tuple(_stored_picture(decoded, k) for k in chosen),
    )


def _stored_picture(decoded: Decoded, index: int) -> bytes:
    """The JPEG the library keeps of one keyframe: its colour picture from the decode, or its
    grey local-feature frame when the decoder read the luma plane only (a grey JPEG)."""
    frame = decoded.pictures[index] if decoded.pictures else decoded.local_frames[index]
    return frames_mod.jpeg_bytes(frame, STORED_PICTURE_WIDTH, STORED_PICTURE_QUALITY)


def decode_original(path: str, sample_fps: float, progress: ProgressCallback | None = None
                    ) -> tuple[Fingerprint, LocalData, float]:
    """Decode an original once: its fingerprint, the local-matching data the library keeps,
    and the length its header announces where it decoded to well before it (a file cut off or
    damaged; else 0.0: ``Original.announced_duration``)."""
    decoded = decode(path, sample_fps, progress, max_local=2 * KEYFRAMES, local_step=1.0,
                     detail_long_side=DETAIL_LONG_SIDE, moments=False)
    announced = round(decoded.cut_off[1], 3) if decoded.cut_off is not None else 0.0
    return decoded.fingerprint, local_data(path, decoded), announced
