"""Local features with geometric verification: where a repost's picture sits in an original's.

Reposts also carry geometry a similarity cannot express: an aspect change (16:9 footage forced
into 9:16 without a proper crop, 4:3 shown as 16:9) and small rotations (a phone filming a
screen). ORB is not invariant to a non-uniform scaling, so a stretched repost gives few
consistent matches; a full affine fit over the same matches still reads the stretch
(``decompose``), and the repost's frames are then rescaled by it (``aspect`` hypotheses) and
matched again, where the similarity fit holds.

Whole-frame hashes cannot see an original that fills only part of the repost (picture-in-picture)
or of which the repost keeps only part (a heavy crop, a 9:16 centre crop of 16:9 footage). ORB
keypoints matched between a few repost frames and a few original frames, filtered by Lowe's ratio
test and fitted with a RANSAC similarity transform (scale, translation, small rotation), tell
where the two pictures overlap and whether one is mirrored. The overlap is then hashed on both
sides ("like with like") and aligned in time as usual.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any

import cv2
import numpy as np

from .models import Box, DetectedEdit, Edit

# Frames are matched at this width at most (keypoint detail beyond it costs time, not accuracy).
WORK_WIDTH = 640
# Keypoints per frame: a small inset over a busy background needs many for enough of them to
# land on the inset (1,500 found 1 of the benchmark's 3 picture-in-picture queries, 4,000 find 2,
# at about twice the cost of the stage).
_ORB_FEATURES = 4000
# Keypoints stored per original keyframe: the original fills its whole frame, so fewer are
# needed on its side than on the repost's (measured: see REFERENCE_FEATURES in benchmarks).
REFERENCE_FEATURES = 1500
# Lowe's ratio test, and RANSAC's reprojection tolerance in pixels at WORK_WIDTH.
_RATIO = 0.75
_FLANN_LSH = 6
# Seed of OpenCV's random generator before each random step, so a verify gives the same
# result every time.
_SEED = 20261126
_RANSAC_PX = 4.0
# A transform is trusted with at least this many inliers making up this share of the ratio-test
# survivors. Unrelated pictures (other clips of the shared footage against mandelbrot and
# cellular-automaton footage) gave at most 13 inliers in the copy-detection benchmark; a
# picture-in-picture inset of 60 % at the same moment 17-20, a 9:16 centre crop 47-81. A wrong
# transform that passes costs little: the regions it picks must still line up in time, motion
# included, before anything is reported.
MIN_INLIERS = 15
MIN_INLIER_SHARE = 0.5
# A fit this well supported is strong: three times the most inliers unrelated pictures reached
# (13), where 9:16 centre crops measured 47-81.
STRONG_INLIERS = 40
# The search ends after this many strong fits; the reported region is their median.
STRONG_FITS = 3
# Overlaps narrower or lower than this share of either frame are not worth hashing (and usually
# a degenerate fit).
MIN_OVERLAP_SIDE = 0.1
# Aspect hypotheses: a repost's horizontal scale relative to its vertical one, against the
# original (0.5625: a square region shown as 9:16). Reposts range from 1:2 to 2:1; beyond
# MAX_ASPECT_CHANGE either way the affine estimate is not believed. Changes smaller than
# MIN_ASPECT_CHANGE are what a similarity fit absorbs (ORB matched 4 px RANSAC inliers on the
# shared footage's 9:16 crops with a fitted aspect within 0.95-1.05 of 1) and are not edits.
MAX_ASPECT_CHANGE = 2.2
MIN_ASPECT_CHANGE = 0.07
# A full affine fit is read for an aspect hypothesis with this many inliers at least: a 0.56
# stretch of the bottle footage gave 15-23 inliers (the similarity fit 9-16), unrelated
# pictures at most 13 (see MIN_INLIERS); a wrong hypothesis only costs one more pass, since
# the rescaled frames must then pass the similarity test.
ASPECT_INLIERS = 12
# Two affine estimates agreeing within this ratio make a hypothesis worth a pass.
ASPECT_AGREEMENT = 0.1
# Rotations a repost carries (a phone filming a screen, a tilted re-frame) stay small; a fitted
# rotation beyond MAX_ROTATION is a wrong fit. Below MIN_ROTATION it is fitting noise (unrotated
# excerpts of the shared footage measured under 0.6°; fits on a few frame pairs of captioned
# registered windows read up to 3.6°, so a tilt read on whole frames must also show the view
# closer once undone: ``refine._tilt_shown``).
MAX_ROTATION = 12.0
MIN_ROTATION = 1.5
# Shear beyond this share of the scale is not a repost's geometry (perspective aside).
MAX_SHEAR = 0.15
# An overlap this close to both whole frames is what whole-frame hashes already handle.
WHOLE_FRAME_SHARE = 0.9
FULL_FRAME: Box = (0.0, 0.0, 1.0, 1.0)
# A crop keeps the repost's whole picture inside the original's: a fit that maps any side of it
# further than this share of the frame outside the original does not show a crop. Measured on
# whole-frame fits (``refine._whole_frame_geometry``) of 17 crops of four windows of the three
# shared clips (4-13 % off each side, one side, two sides, uneven), plus the copy-detection
# set's crops: every side within 0.0003. The car park under a caption and logo, fitted
# approximately (texture-poor, other_moments.py --registered: 15.08, 6 s and 10 s), left 0.10
# of the repost's height above the original and was reported "cropped" (benchmarks/README.md,
# "A crop must keep the whole picture inside the original").
CROP_INSIDE = 0.02
# A perspective view of the original with no screen outline in sight (a phone filming a monitor
# the screen fills, a keystone-warped repost): where the affine fit over the ratio-test matches
# explains under PERSPECTIVE_RESIDUAL of them (its residuals are systematic, not outliers) and
# a RANSAC homography over the same matches keeps PERSPECTIVE_GAIN times its inliers, the
# homography is the repost's geometry. Measured on single frame pairs of the three shared clips
# (two moments each, the screen filling 135 % of the frame, with moire and noise; table in
# benchmarks/README.md): unwarped copies and other moments unwarped gain 1.0 (affine share
# 0.61-1.0); warped 10-30° on textured views 1.05-1.67, 1.25 or more in 8 of 12 (affine share
# 0.46-0.82); texture-poor views (bottle) 0.97-1.06: the similarity fit is kept there, as
# before; unrelated pairs never reach MIN_INLIERS (homography 4-10 inliers).
PERSPECTIVE_RESIDUAL = 0.75
PERSPECTIVE_GAIN = 1.25
# A homography is a perspective only where it bends the original's outline: its corners, laid
# in the repost, lie PERSPECTIVE_MIN_WARP of the outline's shorter side or more from where the
# best affine map of the original puts them (``_warp``); under it, the affine map nearest the
# homography is the fit. Copy-detection set and desk audits: the shared clips filmed at 15° and
# 30° measured 0.072-0.37; the homographies RANSAC kept on copies never warped (rotated 4-10°,
# stretched, captioned, pictures laid over others, 11 fits) 0.002-0.034, which read "filmed off
# a screen" or took a laid picture for a screen.
PERSPECTIVE_MIN_WARP = 0.05
# RANSAC draws at most this many samples for the similarity (2 points) and the homography
# (4 points), instead of OpenCV's 2,000. Either fit only counts where its inliers are at least
# MIN_INLIER_SHARE of the matches, and at that share OpenCV's own stopping rule (confidence
# 0.99 and 0.995) ends the search after 16 similarity or 82 homography samples, so the cap does
# not bind there and the fit is the same (the chance that no sample of inliers only comes up in
# SIMILARITY_ITERATIONS or HOMOGRAPHY_ITERATIONS draws at share 0.5: 3e-13 and 6e-5). It cuts
# the search on hopeless pairs, which ran all 2,000 samples. Copy-detection set with its
# geometry block (124 queries, 812 homography fits: 85 kept one, 22 of them used), CPU of the
# homography fits alone 5.4 s uncapped, 1.8 s at 300, 1.1 s at 150 (100: no further gain
# measured); every verdict, score and segment the same. The full affine fit keeps OpenCV's
# default: its aspect estimate is read at any inlier share (ASPECT_INLIERS), and capping it
# at 400 moved one score (0.984 -> 0.982).
SIMILARITY_ITERATIONS = 100
HOMOGRAPHY_ITERATIONS = 150
# A picture or caption laid over the original (``inset_boxes``), measured on still pictures
# (medians over the repost and over the original's stored 64-pixel frames, z-scored). Seeds:
# patches of pixels more than INSET_DISAGREE apart, and outlines of new edges (where the
# repost's picture steps by INSET_MIN_EDGE grey levels or more and INSET_EDGE_GAIN times what
# the original's steps there, or a line either side where the repost does not step with it),
# each holding or spanning INSET_MIN_AREA of the frame. A seed with a new edge along a side
# has each side moved out to the strongest new edge beyond it, unless it is on one already,
# and is kept with INSET_EDGED_SIDES such sides, INSET_MIN_SIDE of the frame a side at least
# and INSET_MAX_AREA of it at most. Measured on a desk audit's 81 reposts of the shared clips
# (the first half of each registered), whole-video still pictures, in the orientation each is
# shown: found on all 9 with a moving picture 25-40 % of the width laid over the original
# (6-16 % of the frame; the box's sides within 8 % of the frame of the inset's in 5, short of
# them in 3 where the inset looks like the picture under it, one side 20 % beyond it in 1;
# boxes at most 21 % of the frame) and on the 5 captioned ones of the original's shape; on
# none of the unedited, re-encoded, sped-up, mirrored or other-moment reposts of its shape (a
# person standing still where the original shows none is a patch with edges on two sides, 5 %
# of the width: INSET_MIN_SIDE). With a single edged side (INSET_EDGED_SIDES = 1), the patch a
# walking person leaves in the room's medians passed on 5 of its unedited reposts. Where
# another moment of the room lined up by chance, the two moments' people made one box of half
# the frame (INSET_MAX_AREA). Bars, crops and 9:16 reposts give boxes too; ``refine`` looks
# only at reposts shown as the original's whole frame, and its hypotheses only choose where
# to compare: the part compared must still line up in time.
INSET_DISAGREE = 1.0
INSET_MIN_AREA = 0.005
INSET_MIN_EDGE = 8.0
INSET_EDGE_GAIN = 4.0
INSET_EDGED_SIDES = 2
INSET_MIN_SIDE = 0.08
INSET_MAX_AREA = 0.25
# A bar laid across the whole width along the top or the bottom (a news ticker's) is found on
# its own: the innermost line within INSET_BAND_REACH of the frame from that side where the
# repost has a new edge (the rule of ``_Steps.new_map``, on that line or the next one out: a
# bar's edge may fall inside a pixel row) along INSET_BAND_COVER of the width or more. Found as
# a patch of disagreement, the room's ticker bar (dark over a dark floor) was broken or joined
# with a walking person's into one box of most of the frame. other_moments.py windows of 10 s,
# each against both halves of its clip (its own moment and another) as still pictures, the
# most of the width any line in the outer quarters had such an edge along: the news ticker's
# bar (bottom 12 %) 95-100 % in all 300; as recorded at most 14 % (300); "timed captions" at
# most 73 %, "caption+logo" 62 %, "running subtitles" 55 % (300 each). The bar is taken from
# about halfway between.
INSET_BAND_REACH = 0.25
INSET_BAND_COVER = 0.85



@dataclass(frozen=True)
class Transform:
    """A fitted 2x2 linear part read as a repost's geometry: ``aspect`` is the repost's
    horizontal scale relative to its vertical one against the original (1: unchanged),
    ``rotation`` the repost's tilt in degrees (clockwise as seen positive), ``shear`` relative."""

    aspect: float
    rotation: float
    shear: float

    @property
    def plausible(self) -> bool:
        return (1 / MAX_ASPECT_CHANGE <= self.aspect <= MAX_ASPECT_CHANGE
                and abs(self.rotation) <= MAX_ROTATION and abs(self.shear) <= MAX_SHEAR)


def decompose(matrix: np.ndarray) -> Transform:
    """The repost's geometry from an affine ``matrix`` mapping repost pixels to original pixels
    (QR decomposition of its linear part: rotation, then scale and shear)."""
    a, b, c, d = (float(v) for v in matrix[:2, :2].reshape(-1))
    sx = float(np.hypot(a, c))
    if sx < 1e-9:
        return Transform(0.0, 0.0, 1.0)
    det = a * d - b * c
    sy = det / sx
    shear = (a * b + c * d) / (sx * sx)
    angle = float(np.degrees(np.arctan2(c, a)))
    # The matrix undoes the repost's edit: the repost's own aspect and tilt are the inverse.
    return Transform(aspect=sy / sx, rotation=-angle, shear=shear)


# Aspect ratios reposts are shown at, named when the measured one is within RATIO_TOLERANCE.
_RATIOS = ((16, 9), (9, 16), (4, 3), (3, 4), (1, 1), (3, 2), (2, 3), (2, 1), (1, 2), (21, 9))
RATIO_TOLERANCE = 0.03


def ratio_name(ratio: float) -> str:
    """"9:16" for 0.5625, or the ratio to one ("1.23:1") when it is no common one."""
    for width, height in _RATIOS:
        if abs(ratio / (width / height) - 1.0) <= RATIO_TOLERANCE:
            return f"{width}:{height}"
    return f"{ratio:.2f}:1"


@dataclass(frozen=True)
class Overlap:
    """Where the repost's picture and the original's picture show the same thing, and the
    repost's geometry against the original (aspect 1 and rotation 0 when unchanged)."""

    query_box: Box
    reference_box: Box
    mirrored: bool
    inliers: int
    aspect: float = 1.0
    rotation: float = 0.0
    # Row-major 3x3 homography from the repost's frame to the original's, both as unit squares
    # (the repost unmirrored), when a perspective fit replaced the similarity one.
    homography: tuple[float, ...] | None = None
    # The fit left systematic residuals that no homography explained (a perspective it only
    # approximates, say): the repost is not known to be placed on the original.
    approximate: bool = False

    @property
    def has_geometry(self) -> bool:
        """Whether the repost is stretched, rotated or seen in perspective against the
        original."""
        return abs(np.log(self.aspect)) >= MIN_ASPECT_CHANGE or \
            abs(self.rotation) >= MIN_ROTATION or self.homography is not None

    def perspective_corners(self, width: int, height: int) -> np.ndarray | None:
        """Where the original's four corners (top-left, clockwise) fall in the repost's frame of
        ``width`` x ``height`` pixels, under the perspective fit (None without one)."""
        if self.homography is None:
            return None
        inverse = np.linalg.inv(np.array(self.homography).reshape(3, 3))
        return mapped(_UNIT, inverse) * np.array([width, height], dtype=np.float32)

    @property
    def whole_share(self) -> float:
        """The share of a frame a whole picture covers at this overlap's tilt: a tilt leaves
        corners outside the other picture, about twice the sine of the tilt on each side."""
        return WHOLE_FRAME_SHARE * (1.0 - 2.0 * abs(math.sin(math.radians(self.rotation))))

    def fills_query(self, picture: Box = FULL_FRAME) -> bool:
        """Whether the original's picture fills the repost's whole frame (or ``picture``: the
        part of it inside its bars), so no other picture is shown beside it."""
        return _covers(self.query_box, picture, self.whole_share)

    def lies_inside(self) -> bool:
        """Whether the repost's whole picture (the fitted frame) maps inside the original's, to
        within CROP_INSIDE of each side: what a crop shows."""
        return all(abs(a - b) <= CROP_INSIDE for a, b in zip(self.query_box, FULL_FRAME,
                                                             strict=True))

    def is_whole_frame(self, picture: Box = FULL_FRAME) -> bool:
        """Whether each picture shows the other whole (the repost's: its whole frame, or
        ``picture``, the part of it inside its bars)."""
        return _covers(self.query_box, picture, WHOLE_FRAME_SHARE) and \
            area(self.reference_box) >= WHOLE_FRAME_SHARE


# Share of each side left out of both regions when a rotation is undone: the rotated frame's
# corners are empty (at 10°, the corner triangles reach 9 % of the side) and would differ.
ROTATION_MARGIN = 0.1


def rectified(details: np.ndarray, overlap: Overlap) -> tuple[np.ndarray, Box, Box]:
    """The repost's detail frames with its geometry undone (stretch, mirror, then rotation, in
    the order ``find_overlap_in`` measured them, or its perspective), and the two regions
    (repost, original) to hash like with like: the overlap, less ROTATION_MARGIN where a
    rotation or perspective left corners empty."""
    height, width = details.shape[1:3]
    if overlap.homography is not None:
        scale = np.diag([float(width), float(height), 1.0])
        matrix = scale @ np.array(overlap.homography).reshape(3, 3) @ np.linalg.inv(scale)
        box = _shrunk(overlap.reference_box)  # the repost now sits in the original's frame
        return warped(details, matrix, (width, height)), box, box
    size = (max(8, round(width / overlap.aspect)), height)
    turn = cv2.getRotationMatrix2D((size[0] / 2, size[1] / 2), overlap.rotation, 1.0)
    out = []
    for detail in details:
        image = cv2.resize(detail, size, interpolation=cv2.INTER_AREA)
        if overlap.mirrored:
            image = image[:, ::-1]
        if abs(overlap.rotation) >= MIN_ROTATION:
            image = cv2.warpAffine(np.ascontiguousarray(image), turn, size,
                                   flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        out.append(image)
    q_box, r_box = overlap.query_box, overlap.reference_box
    if overlap.mirrored:  # the frames are flipped now: so is the repost's region
        q_box = mirrored_box(q_box)
    if abs(overlap.rotation) >= MIN_ROTATION:
        if area(r_box) >= WHOLE_FRAME_SHARE:
            # The fitted repost box bounds the tilted original; once the tilt is undone, the
            # original's whole frame sits where the repost's whole frame is.
            q_box = r_box
        q_box, r_box = _shrunk(q_box), _shrunk(r_box)
    return np.stack(out), q_box, r_box


def _shrunk(box: Box) -> Box:
    dx, dy = (box[2] - box[0]) * ROTATION_MARGIN, (box[3] - box[1]) * ROTATION_MARGIN
    return (box[0] + dx, box[1] + dy, box[2] - dx, box[3] - dy)


def within(box: Box, picture: Box) -> Box | None:
    """A box of the frame as shares of the picture inside its bars, cut to it; None when it
    lies on the bars."""
    width, height = picture[2] - picture[0], picture[3] - picture[1]
    x0, y0 = max(0.0, (box[0] - picture[0]) / width), max(0.0, (box[1] - picture[1]) / height)
    x1, y1 = min(1.0, (box[2] - picture[0]) / width), min(1.0, (box[3] - picture[1]) / height)
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None


def _covers(box: Box, picture: Box, share: float) -> bool:
    """Whether a box of the frame covers at least ``share`` of the picture."""
    inside = within(box, picture)
    return inside is not None and area(inside) >= share


def area(box: Box) -> float:
    return max(0.0, box[2] - box[0]) * max(0.0, box[3] - box[1])


def mirrored_box(box: Box) -> Box:
    """The box where it lies once the picture is flipped left to right."""
    return (1.0 - box[2], box[1], 1.0 - box[0], box[3])


def turned_box(box: Box, quarters: int) -> Box:
    """The box where it lies once the picture is turned ``quarters`` quarter turns
    counterclockwise (``np.rot90``; -1 turns it back from one)."""
    for _ in range(quarters % 4):
        box = (box[1], 1.0 - box[2], box[3], 1.0 - box[0])
    return box


def _prepare(frame: np.ndarray) -> np.ndarray:
    grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) if frame.ndim == 3 else frame
    height, width = grey.shape[:2]
    if width > WORK_WIDTH:
        grey = cv2.resize(grey, (WORK_WIDTH, round(height * WORK_WIDTH / width)),
                          interpolation=cv2.INTER_AREA)
    return grey


def _features(orb: Any, image: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    keypoints, descriptors = orb.detectAndCompute(image, None)
    if not keypoints:
        return np.zeros((0, 2), np.float32), descriptors
    # OpenCV's own conversion: the same float32 points, without a Python object per keypoint
    # (0.01 ms against 0.65 ms for 3,600 keypoints)
    convert = cv2.KeyPoint_convert  # type: ignore[attr-defined]
    points = convert(keypoints).reshape(-1, 2)
    return points, descriptors


def _lsh_matcher(descriptors: np.ndarray) -> Any:
    """An approximate (FLANN LSH) index over one repost frame's descriptors, built once and
    asked by every original keyframe: measured 1.4 ms for 1,500 lookups into 4,000 descriptors
    where brute force took 30 ms."""
    cv2.setRNGSeed(_SEED)  # reproducible hash tables
    # FLANN's index itself rather than FlannBasedMatcher over it: the same tables and answers
    # (checked pair by pair), as arrays instead of a Python object per neighbour.
    index = cv2.flann_Index  # type: ignore[attr-defined]
    return index(descriptors, {"algorithm": _FLANN_LSH, "table_number": 4, "key_size": 16,
                               "multi_probe_level": 1})


Fitted = tuple[np.ndarray, int, int, Transform | None, tuple[np.ndarray, int] | None, bool]


def _fit(query: tuple[np.ndarray, Any], reference: tuple[np.ndarray, np.ndarray | None],
         read_affine: bool = False) -> Fitted | None:
    """A similarity transform from a repost frame (its points and LSH index) to an original
    frame (points, descriptors), with (inliers, ratio-test survivors), and, when asked, the
    geometry a full affine fit over the same matches reads (None unless it is plausible, off
    a similarity and supported by ASPECT_INLIERS), a homography with its inliers where
    the affine fit leaves systematic residuals (``_perspective``), and whether it does
    (explains under PERSPECTIVE_RESIDUAL of the matches)."""
    (q_points, matcher), (r_points, r_desc) = query, reference
    if matcher is None or r_desc is None or len(r_desc) < 8:
        return None
    # Each original keypoint looks for its two nearest repost keypoints (-1: not found).
    nearest, distances = matcher.knnSearch(r_desc, 2, params={"checks": 32})
    kept = np.flatnonzero((nearest[:, 1] >= 0) & (distances[:, 0] < _RATIO * distances[:, 1]))
    if len(kept) < ASPECT_INLIERS:
        return None
    src = q_points[nearest[kept, 0]].astype(np.float32)
    dst = r_points[kept].astype(np.float32)
    matrix, mask = cv2.estimateAffinePartial2D(src, dst, method=cv2.RANSAC,
                                               ransacReprojThreshold=_RANSAC_PX,
                                               maxIters=SIMILARITY_ITERATIONS)
    if matrix is None or mask is None:
        return None
    geometry, homography, residual = None, None, False
    if read_affine:
        cv2.setRNGSeed(_SEED)
        affine, affine_mask = cv2.estimateAffine2D(src, dst, method=cv2.RANSAC,
                                                   ransacReprojThreshold=_RANSAC_PX)
        if affine is not None and affine_mask is not None and \
                int(affine_mask.sum()) >= ASPECT_INLIERS:
            found = decompose(affine)
            if found.plausible:
                geometry = found
            residual = int(affine_mask.sum()) < PERSPECTIVE_RESIDUAL * len(src)
            homography = _perspective(src, dst, int(affine_mask.sum())) if residual else None
    return matrix, int(mask.sum()), len(kept), geometry, homography, residual


def _perspective(src: np.ndarray, dst: np.ndarray, affine_inliers: int
                 ) -> tuple[np.ndarray, int] | None:
    """A RANSAC homography over the matches and its inliers, where the affine fit explains
    under PERSPECTIVE_RESIDUAL of them and the homography PERSPECTIVE_GAIN times as many."""
    cv2.setRNGSeed(_SEED)
    matrix, mask = cv2.findHomography(src, dst, cv2.RANSAC, _RANSAC_PX,
                                      maxIters=HOMOGRAPHY_ITERATIONS)
    if matrix is None or mask is None or int(mask.sum()) < PERSPECTIVE_GAIN * affine_inliers:
        return None
    return matrix, int(mask.sum())


_UNIT = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], dtype=np.float32)


def _unit_homography(matrix: np.ndarray, q_size: tuple[int, int], r_size: tuple[int, int],
                     mirrored: bool) -> np.ndarray:
    """A homography between working pixels (repost frame, flipped when ``mirrored``, to
    original frame) as one between the two frames as unit squares, the repost unflipped."""
    to_query = np.diag([float(q_size[0]), float(q_size[1]), 1.0])
    if mirrored:
        to_query = to_query @ np.array([[-1.0, 0.0, 1.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    unit = np.diag([1.0 / r_size[0], 1.0 / r_size[1], 1.0]) @ matrix @ to_query
    return unit / unit[2, 2]


def _warp(unit: np.ndarray) -> float:
    """How far a unit-square homography is from an affine map: the largest distance of the
    original's corners laid in the repost from the best affine map of them, as a share of
    the shorter side of the outline they make."""
    corners = mapped(_UNIT, np.linalg.inv(unit))
    fit = _affine_fit(_UNIT, corners)
    side = min(float(np.ptp(corners[:, 0])), float(np.ptp(corners[:, 1])))
    return float(np.abs(_UNIT @ fit[:, :2].T + fit[:, 2] - corners).max()) / max(side, 1e-9)


def _nearest_affine(matrix: np.ndarray, r_size: tuple[int, int]) -> np.ndarray:
    """The affine map (2 x 3, repost working pixels to the original's) closest to a
    homography over the original's frame: fitted where the original's corners fall."""
    corners = _UNIT * np.array(r_size, dtype=np.float32)
    return _affine_fit(mapped(corners, np.linalg.inv(matrix)), corners)


def _affine_fit(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The affine map (2 x 3) taking points ``source`` (N, 2) nearest to ``target``."""
    design = np.c_[source, np.ones(len(source))]
    return np.linalg.lstsq(design, target, rcond=None)[0].T


def bounds(points: np.ndarray) -> Box:
    """The box (shares) bounding points (N, 2) given in shares of a frame, clipped to it."""
    x0, y0 = np.clip(points.min(axis=0), 0.0, 1.0)
    x1, y1 = np.clip(points.max(axis=0), 0.0, 1.0)
    return (float(x0), float(y0), float(x1), float(y1))


def _perspective_boxes(unit: np.ndarray) -> tuple[Box, Box]:
    """(repost box, original box) of the two frames' overlap under a unit-square homography:
    each frame's corners mapped into the other, bounded and clipped to it."""
    return bounds(mapped(_UNIT, np.linalg.inv(unit))), bounds(mapped(_UNIT, unit))


def _overlap_boxes(matrix: np.ndarray, q_size: tuple[int, int],
                   r_size: tuple[int, int]) -> tuple[Box, Box]:
    """The query rectangle mapped into the reference, clipped to it, and mapped back."""
    (qw, qh), (rw, rh) = q_size, r_size
    corners = np.array([[0, 0], [qw, 0], [qw, qh], [0, qh]], dtype=np.float32).reshape(-1, 1, 2)
    mapped = cv2.transform(corners, matrix).reshape(-1, 2)
    x0, y0 = np.clip(mapped.min(axis=0), 0, [rw, rh])
    x1, y1 = np.clip(mapped.max(axis=0), 0, [rw, rh])
    inverse = cv2.invertAffineTransform(matrix)
    ends = np.array([[x0, y0], [x1, y1]], dtype=np.float32).reshape(-1, 1, 2)
    back = cv2.transform(ends, inverse).reshape(-1, 2)
    qx0, qy0 = np.clip(back.min(axis=0), 0, [qw, qh])
    qx1, qy1 = np.clip(back.max(axis=0), 0, [qw, qh])
    return ((float(qx0 / qw), float(qy0 / qh), float(qx1 / qw), float(qy1 / qh)),
            (float(x0 / rw), float(y0 / rh), float(x1 / rw), float(y1 / rh)))


def keypoints(frame: np.ndarray, count: int = _ORB_FEATURES
              ) -> tuple[np.ndarray, np.ndarray | None, tuple[int, int]]:
    """ORB keypoints of a frame at the working width: (points, descriptors, (width, height))."""
    image = _prepare(frame)
    orb = cv2.ORB_create(nfeatures=count)  # type: ignore[attr-defined]
    points, descriptors = _features(orb, image)
    return points, descriptors, (image.shape[1], image.shape[0])


class QueryFeatures:
    """Keypoints of a repost's frames (as they are and mirrored), each frame's computed once,
    when first asked for, and shared by every original compared with it."""

    def __init__(self, frames: Sequence[np.ndarray], features: int = _ORB_FEATURES) -> None:
        self.frames = list(frames)
        self._orb = cv2.ORB_create(nfeatures=features)  # type: ignore[attr-defined]
        self._cache: dict[tuple[int, bool, float],
                          tuple[tuple[int, int], tuple[np.ndarray, Any], int]] = {}
        self._descriptors: dict[tuple[int, bool], np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.frames)

    def get(self, number: int, mirrored: bool, aspect: float = 1.0
            ) -> tuple[tuple[int, int], tuple[np.ndarray, Any], int]:
        """((width, height), (points, LSH index or None), keypoint count), of the frame with its
        width divided by ``aspect`` (an aspect hypothesis undone; shares of the frame are
        unchanged by it)."""
        key = (number, mirrored, round(aspect, 3))
        if key not in self._cache:
            image = _prepare(self.frames[number])
            if key[2] != 1.0:
                height, width = image.shape[:2]
                scale = min(1.0, WORK_WIDTH / (width / aspect))
                image = cv2.resize(image, (max(8, round(width / aspect * scale)),
                                           max(8, round(height * scale))),
                                   interpolation=cv2.INTER_AREA)
            if mirrored:
                image = image[:, ::-1].copy()
            points, descriptors = _features(self._orb, image)
            if key[2] == 1.0:
                self._descriptors[key[:2]] = (descriptors if descriptors is not None
                                              else np.zeros((0, 32), np.uint8))
            matcher = None
            if descriptors is not None and len(descriptors) >= 8:
                matcher = _lsh_matcher(descriptors)
            self._cache[key] = ((image.shape[1], image.shape[0]), (points, matcher),
                                len(points) if matcher is not None else 0)
        return self._cache[key]

    def descriptors(self, number: int, mirrored: bool) -> np.ndarray:
        """The ORB descriptors (N x 32 bytes) of a frame as it is or mirrored."""
        self.get(number, mirrored)
        return self._descriptors[(number, mirrored)]


def find_overlap(query_frames: Sequence[np.ndarray],
                 reference_frames: Sequence[np.ndarray]) -> Overlap | None:
    """The best-supported overlap between any repost frame and any original frame, trying the
    repost as it is and mirrored; None when no transform is trustworthy."""
    found = [keypoints(f, REFERENCE_FEATURES) for f in reference_frames]
    if not found:
        return None
    return find_overlap_in(QueryFeatures(query_frames), [(p, d) for p, d, _ in found],
                           found[0][2])[0]


def _count(descriptors: np.ndarray | None) -> int:
    return 0 if descriptors is None else len(descriptors)


def _pair_order(frames: int, keyframes: int, orientations: tuple[bool, ...] = (False, True)
                ) -> list[tuple[int, bool, int]]:
    """(query frame, mirrored, keyframe) in the order worth trying under a budget: every
    keyframe once first (each with another query frame), as it is before mirrored, then the
    remaining combinations."""
    order = []
    for mirrored in orientations:
        order += [(k % frames, mirrored, k) for k in range(keyframes)]
    rest = [(f, m, k) for m in orientations for f in range(frames) for k in range(keyframes)
            if f != k % frames]
    return order + rest


def find_overlap_in(query: QueryFeatures,
                    references: Sequence[tuple[np.ndarray, np.ndarray | None]],
                    reference_size: tuple[int, int],
                    max_lookups: int | None = None,
                    orientations: tuple[bool, ...] = (False, True)
                    ) -> tuple[Overlap | None, int]:
    """As ``find_overlap``, against keypoints stored for the original's frames (all of one
    ``reference_size``), spending at most ``max_lookups`` (original keypoints looked up in a
    repost frame's index, summed over the frame pairs compared), trying the repost as it is
    and mirrored unless ``orientations`` says which, and stopping at the first
    overlap with STRONG_INLIERS. Where affine fits agree on an aspect change, the repost's
    frames rescaled by it are tried next (one hypothesis per orientation). Returns (the overlap
    or None, lookups spent)."""
    best: Overlap | None = None
    accepted: list[Overlap] = []
    spent = 0
    if not len(query) or not references:
        return None, 0
    queue = deque((number, mirrored, key, 1.0)
                  for number, mirrored, key in _pair_order(len(query), len(references),
                                                           orientations))
    estimates: dict[bool, list[float]] = {False: [], True: []}
    tried: set[bool] = set()
    while queue:
        if max_lookups is not None and spent >= max_lookups:
            break
        number, mirrored, key, aspect = queue.popleft()
        size, features, _ = query.get(number, mirrored, aspect)
        spent += _count(references[key][1])
        cv2.setRNGSeed(_SEED)  # reproducible RANSAC samples
        fitted = _fit(features, references[key], read_affine=True)
        if fitted is None:
            continue
        matrix, inliers, pairs, geometry, homography, residual = fitted
        if geometry is not None and aspect == 1.0 and mirrored not in tried and \
                abs(np.log(geometry.aspect)) >= MIN_ASPECT_CHANGE:
            estimates[mirrored].append(geometry.aspect)
            hypothesis = _agreed(estimates[mirrored])
            if hypothesis is not None:
                tried.add(mirrored)
                queue.extendleft((k % len(query), mirrored, k, hypothesis)
                                 for k in reversed(range(len(references))))
        unit = None
        if homography is not None and homography[1] > inliers:
            unit = _unit_homography(homography[0], size, reference_size, mirrored)
            inliers = homography[1]
            if _warp(unit) < PERSPECTIVE_MIN_WARP:
                # No perspective: the affine map it is closest to, which it showed to hold.
                unit, residual = None, False
                matrix = _nearest_affine(homography[0], reference_size)
        if inliers < MIN_INLIERS or inliers < MIN_INLIER_SHARE * pairs:
            continue
        if unit is not None:
            q_box, r_box = _perspective_boxes(unit)
        else:
            q_box, r_box = _overlap_boxes(matrix, size, reference_size)
        if min(q_box[2] - q_box[0], q_box[3] - q_box[1], r_box[2] - r_box[0],
               r_box[3] - r_box[1]) < MIN_OVERLAP_SIDE:
            continue
        if mirrored and unit is None:  # boxes were found on the flipped repost: flip back
            q_box = mirrored_box(q_box)
        if unit is not None:
            # (unit squares: unchanged by an aspect hypothesis's rescaling)
            found = Overlap(q_box, r_box, mirrored, inliers,
                            homography=tuple(float(v) for v in unit.reshape(-1)))
        else:
            # Under a hypothesis, the affine fit on the rescaled frames measures what is left.
            measured = aspect * geometry.aspect if aspect != 1.0 and geometry else aspect
            found = Overlap(q_box, r_box, mirrored, inliers, measured,
                            decompose(matrix).rotation, approximate=residual)
        accepted.append(found)
        if best is None or inliers > best.inliers:
            best = found
        if sum(a.inliers >= STRONG_INLIERS for a in accepted) >= STRONG_FITS:
            break
    return _measured(_preferred(best, accepted), accepted), spent


def _preferred(best: Overlap | None, accepted: list[Overlap]) -> Overlap | None:
    """The fit that is the repost's geometry. A perspective seen on any pair is (its gates held
    on no unwarped, stretched or tilted 12 s pair measured): a similarity fit elsewhere only
    approximates it. Not so a stretch the affine fits agreed on, whose frames rescaled by it
    fit with more inliers than any homography: 6 s windows of the room squeezed 2x
    (other_moments.py --registered) read a 61° "screen" from one pair's 30-inlier homography
    beside rescaled fits of 47-108 inliers."""
    strongest = max((a for a in accepted if a.homography is not None),
                    key=lambda a: a.inliers, default=None)
    if strongest is None or (best is not None and best.homography is not None):
        return best
    if best is not None and best.aspect != 1.0 and best.inliers > strongest.inliers:
        return best
    return strongest


def _agreed(estimates: list[float]) -> float | None:
    """The aspect two affine estimates agree on (their median), or None."""
    if len(estimates) < 2:
        return None
    values = np.log(np.array(estimates))
    close = [v for v in values if np.sum(np.abs(values - v) <= ASPECT_AGREEMENT) >= 2]
    return float(np.exp(np.median(close))) if close else None


def _measured(best: Overlap | None, accepted: list[Overlap]) -> Overlap | None:
    """The overlap with its boxes as the median over every fit that agrees with the best one
    (same orientation, at least half its inliers): measured over frame pairs, not read off
    one."""
    if best is None:
        return None
    agreeing = [a for a in accepted if a.mirrored == best.mirrored
                and (a.aspect == 1.0) == (best.aspect == 1.0) and a.inliers >= best.inliers / 2
                and (a.homography is None) == (best.homography is None)]

    def median(boxes: list[Box]) -> Box:
        x0, y0, x1, y1 = (float(v) for v in np.median(np.array(boxes), axis=0))
        return (x0, y0, x1, y1)

    return Overlap(median([a.query_box for a in agreeing]),
                   median([a.reference_box for a in agreeing]), best.mirrored, best.inliers,
                   float(np.median([a.aspect for a in agreeing])),
                   float(np.median([a.rotation for a in agreeing])), best.homography,
                   best.approximate)


# A repost is grey when its mean saturation (HSV, 0-255) is under GREY_SATURATION while the
# original's is over COLOUR_SATURATION: re-encoded colour footage of the shared clips measures
# 20-90, its grayscale copies 0-2.
GREY_SATURATION = 6.0
COLOUR_SATURATION = 15.0
# Overlay search: both pictures at 64x36, each normalised to zero mean and unit spread; cells
# that differ by more than OVERLAY_DIFF spreads in every compared pair form the overlay. It is
# reported when its blocks cover at least OVERLAY_MIN of the picture, and looked for only where
# under OVERLAY_MAX of the cells differ (more means the two are not registered, e.g. a crop,
# and says nothing about overlays).
_GRID = (64, 36)
OVERLAY_DIFF = 1.0
OVERLAY_MIN = 0.01
OVERLAY_MAX = 0.35
OVERLAY_BLOCK = 6
# Correlation of the two pictures outside the overlay: 0.99 and over for re-encoded, mirrored,
# colour-changed and captioned copies of the shared clips once the caption is left out;
# 0.36-0.83 for 15 % crops.
REGISTERED_CORRELATION = 0.95
# The two pictures are placed on each other to within about a pixel of an original's 64-pixel
# details (a crop's part measured to 1 % of the frame), so a sharp edge across the picture (a
# skirting board, a pillar) differed along its length like an overlay: the room cropped 8 %
# read "overlay at x 22%-70%, y 56%-58%" (one cell high), on a crop the caption's box grew by
# a pillar's edge. A cell counts as differing only where no shift of the original by up to
# this many cells either way explains it.
REGISTRATION_CELLS = 0.5


def _unexplained(query: np.ndarray, original: np.ndarray) -> np.ndarray:
    """Per cell, how far the repost's picture is from the original's shifted by up to
    REGISTRATION_CELLS either way (the least of the shifts): an edge the two place a fraction
    of a cell apart explains itself there, an overlay does not."""
    height, width = original.shape
    found = np.abs(query - original)
    for dx in (-REGISTRATION_CELLS, 0.0, REGISTRATION_CELLS):
        for dy in (-REGISTRATION_CELLS, 0.0, REGISTRATION_CELLS):
            if dx or dy:
                shifted = cv2.warpAffine(original, np.array([[1, 0, dx], [0, 1, dy]], np.float32),
                                         (width, height), flags=cv2.INTER_LINEAR,
                                         borderMode=cv2.BORDER_REPLICATE)
                found = np.minimum(found, np.abs(query - shifted))
    return found


def inset_boxes(query_still: np.ndarray, original_still: np.ndarray) -> list[Box]:
    """Where a picture or a caption box was laid over the original: patches of the repost's
    still picture (a median over time, laid on the original's, same size) that disagree with
    the original's (INSET_DISAGREE, z units) and have an edge the original's picture lacks on
    a side; each side is moved out to the strongest such edge beyond it, and the box is kept
    with INSET_EDGED_SIDES such sides or more. A walking person also leaves the two medians
    apart, with at most one edge of its own. A band across the whole width along the top or
    the bottom of the frame (a ticker's or a caption's bar) has one, its inner side, and is
    kept with it (benchmarks/README.md, "A news ticker": every other answer of the sweeps and
    the copy-detection set unchanged)."""
    height, width = original_still.shape
    disagree = np.abs(standardised(query_still) - standardised(original_still)) > INSET_DISAGREE
    steps = _Steps(query_still, original_still)
    new = steps.new_map()
    bands = _edge_bands(steps.new_across(0))
    for y0, y1 in bands:  # what lies under a bar is not sought again beside it
        disagree[max(0, y0 - 1):y1 + 1] = False
        new[max(0, y0 - 1):y1 + 1] = False
    boxes = []
    for x, y, w, h in _patches(disagree, width * height) + _patches(new, width * height):
        if not _new_edges(steps, (x, y, x + w, y + h)):
            continue
        x0, y0, x1, y1 = _to_edges(steps, (x, y, x + w, y + h))
        band = x0 == 0 and x1 == width and (y0 == 0) != (y1 == height)
        if min((x1 - x0) / width, (y1 - y0) / height) >= INSET_MIN_SIDE and \
                (x1 - x0) * (y1 - y0) <= INSET_MAX_AREA * width * height and \
                len(_new_edges(steps, (x0, y0, x1, y1))) >= (1 if band else INSET_EDGED_SIDES):
            boxes.append((float(x0 / width), float(y0 / height), float(x1 / width),
                          float(y1 / height)))
    return [(0.0, y0 / height, 1.0, y1 / height) for y0, y1 in bands] + _joined(boxes)


def _edge_bands(new_rows: np.ndarray) -> list[tuple[int, int]]:
    """Rows (first, past the last) of bars laid across the whole width along the top or the
    bottom of the frame (INSET_BAND_REACH, INSET_BAND_COVER); ``new_rows``: the repost's new
    edges between each row and the next (``_Steps.new_across``)."""
    height = len(new_rows) + 1
    reach = int(height * INSET_BAND_REACH)
    bands = []
    # The line between rows r - 1 and r, with the next one out: toward the top, the line
    # above it; toward the bottom, the one below.
    tops = [r for r in range(1, reach + 1)
            if new_rows[max(0, r - 2):r].any(axis=0).mean() >= INSET_BAND_COVER]
    bottoms = [r for r in range(height - reach, height)
               if new_rows[r - 1:r + 1].any(axis=0).mean() >= INSET_BAND_COVER]
    if tops:
        bands.append((0, max(tops)))
    if bottoms:
        bands.append((min(bottoms), height))
    return bands


def _joined(boxes: list[Box]) -> list[Box]:
    """The boxes with those that overlap made one (``enclosing`` them)."""
    joined: list[Box] = []
    for box in boxes:
        for k, kept in enumerate(joined):
            if overlaps(box, kept):
                joined[k] = enclosing(box, kept)
                break
        else:
            joined.append(box)
    return joined


def enclosing(*boxes: Box) -> Box:
    """The smallest box holding all the boxes."""
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def overlaps(a: Box, b: Box) -> bool:
    """Whether two boxes share some area."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _patches(mask: np.ndarray, area: int) -> list[tuple[int, int, int, int]]:
    """(x, y, width, height) of the mask's patches (a pixel's gaps closed) holding at least
    INSET_MIN_AREA of the frame, or spanning as much (an outline)."""
    closed = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(closed)
    return [(int(x), int(y), int(w), int(h)) for x, y, w, h, size in stats[1:count]
            if max(size, w * h) >= INSET_MIN_AREA * area and min(w, h) >= 2]


class _Steps:
    """The grey-level steps across each column and row boundary of the repost's and the
    original's still pictures, scored for edges the repost has and the original lacks."""

    def __init__(self, query: np.ndarray, original: np.ndarray) -> None:
        self.height, self.width = original.shape
        pictures = (query.astype(np.float32), original.astype(np.float32))
        self.across_x = [np.abs(np.diff(p, axis=1)) for p in pictures]
        self.across_y = [np.abs(np.diff(p, axis=0)) for p in pictures]

    def new_map(self) -> np.ndarray:
        """Per pixel, whether a new edge of the repost's borders it on the left or above."""
        found = np.zeros((self.height, self.width), dtype=bool)
        found[:, 1:] |= self.new_across(1)
        found[1:, :] |= self.new_across(0)
        return found

    def new_across(self, axis: int) -> np.ndarray:
        """Whether the repost has a new edge between each pixel and the next along ``axis`` (1:
        columns, 0: rows): the rule of ``_new`` for single pixels."""
        query, original = self.across_x if axis == 1 else self.across_y
        before = original.copy()
        unmatched = np.maximum(original - query, 0.0)
        for shift in (1, -1):
            before = np.maximum(before, np.roll(unmatched, shift, axis=axis))
        new: np.ndarray = (query >= INSET_MIN_EDGE) & (query >= INSET_EDGE_GAIN * before)
        return new

    def column(self, c: int, y0: int, y1: int) -> float:
        """The new edge between columns c - 1 and c over rows y0-y1 (0 when there is none)."""
        query, original = self.across_x
        lines = [(query[y0:y1, k - 1], original[y0:y1, k - 1]) for k in (c - 1, c, c + 1)
                 if 1 <= k < self.width]
        return self._new(lines, c > 1)

    def row(self, r: int, x0: int, x1: int) -> float:
        """The new edge between rows r - 1 and r over columns x0-x1 (0 when there is none)."""
        query, original = self.across_y
        lines = [(query[k - 1, x0:x1], original[k - 1, x0:x1]) for k in (r - 1, r, r + 1)
                 if 1 <= k < self.height]
        return self._new(lines, r > 1)

    @staticmethod
    def _new(lines: list[tuple[np.ndarray, np.ndarray]], first_is_before: bool) -> float:
        """The repost's step on the middle line where it is INSET_MIN_EDGE and INSET_EDGE_GAIN
        times the original's there, or than an edge of the original's a line either side that
        the repost does not show there (a pixel's misregistration is no edge; an edge of the
        original's beside it that the repost shows too is the view's own)."""
        if not lines or len(lines[0][0]) < 3:
            return 0.0
        middle = 1 if first_is_before and len(lines) > 1 else 0
        q, o = (float(v.mean()) for v in lines[middle])
        unmatched = [float(on.mean()) - float(qn.mean()) for k, (qn, on) in enumerate(lines)
                     if k != middle]
        before = max([o, *unmatched])
        return q if q >= INSET_MIN_EDGE and q >= INSET_EDGE_GAIN * before else 0.0


def _to_edges(steps: _Steps, box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """The box with each side moved out to the repost's strongest new edge beyond it (a laid
    picture's patch of disagreement stops short where it looks like the original's picture
    there), twice over (a side's span grows as the others move)."""
    x0, y0, x1, y1 = box
    for _ in range(2):
        column = partial(steps.column, y0=y0, y1=y1)
        x0 = _strongest(range(1, x0 + 1), column, x0)
        x1 = _strongest(range(x1, steps.width), column, x1)
        row = partial(steps.row, x0=x0, x1=x1)
        y0 = _strongest(range(1, y0 + 1), row, y0)
        y1 = _strongest(range(y1, steps.height), row, y1)
    return x0, y0, x1, y1


def standardised(picture: np.ndarray, where: np.ndarray | None = None) -> np.ndarray:
    """The picture in units of its standard deviation about its mean (of the pixels ``where``
    when given): brightness, contrast and colour edits leave it unchanged."""
    values = picture.astype(np.float32)
    kept = values if where is None else values[where]
    return (values - kept.mean()) / max(1.0, float(kept.std()))


def _new_edges(steps: _Steps, box: tuple[int, int, int, int]) -> list[float]:
    """The repost's new edge along each side of ``box`` inside the frame that has one, each
    side at its strongest of three lines (the box is where the two pictures disagree, which
    may stop a pixel short of the edge)."""
    x0, y0, x1, y1 = box
    found = []
    for x in (x0, x1):
        if 1 <= x <= steps.width - 1:
            near = range(max(1, x - 1), min(steps.width - 1, x + 1) + 1)
            found.append(max(steps.column(c, y0, y1) for c in near))
    for y in (y0, y1):
        if 1 <= y <= steps.height - 1:
            near = range(max(1, y - 1), min(steps.height - 1, y + 1) + 1)
            found.append(max(steps.row(r, x0, x1) for r in near))
    return [step for step in found if step > 0.0]


def _strongest(lines: range, step: Callable[[int], float], current: int) -> int:
    """``current`` where it or a line beside it is a new edge already, else the line of
    ``lines`` (those beyond it) with the strongest one, ``current`` when none has one."""
    if any(step(line) > 0.0 for line in (current - 1, current, current + 1) if line >= 1):
        return current
    best = max(((step(line), line) for line in lines), default=(0.0, current))
    return best[1] if best[0] > 0.0 else current


def _normalised(frame: np.ndarray) -> np.ndarray:
    grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY) if frame.ndim == 3 else frame
    small = cv2.resize(grey, _GRID, interpolation=cv2.INTER_AREA).astype(np.float32)
    return (small - small.mean()) / (small.std() + 1.0)


def picture_edits(pairs: Sequence[tuple[np.ndarray, np.ndarray]], query_saturation: float,
                  original_saturation: float) -> tuple[DetectedEdit, ...]:
    """Edits seen by comparing repost pictures with the original pictures they show (grey, same
    moment, bars removed, mirror undone) and the two videos' colour saturation: grayscale, and
    an overlay (caption, logo) with its place."""
    if not pairs:
        return ()
    edits = []
    if query_saturation < GREY_SATURATION and original_saturation > COLOUR_SATURATION:
        edits.append(DetectedEdit(Edit.GRAYSCALE))
    maps = [(_normalised(q), _normalised(r)) for q, r in pairs]
    differs = np.all([_unexplained(q, r) > OVERLAY_DIFF for q, r in maps], axis=0)
    if float(differs.mean()) > OVERLAY_MAX:
        return tuple(edits)
    # Captions and logos are compact blocks: join neighbouring cells, keep blocks of at least
    # OVERLAY_BLOCK cells that fill at least half of their bounding box.
    joined = cv2.morphologyEx(differs.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    places: list[Box] = []
    covered = np.zeros_like(differs)
    for x, y, w, h, area in sorted(stats[1:count].tolist(), key=lambda s: -s[4])[:2]:
        if area >= OVERLAY_BLOCK and area >= 0.5 * w * h:
            places.append((x / _GRID[0], y / _GRID[1], (x + w) / _GRID[0], (y + h) / _GRID[1]))
            covered[y:y + h, x:x + w] = True
    # Outside the blocks the two pictures must agree, or they are not registered (a crop, a
    # scale change) and the "blocks" are just where the misregistration shows most.
    rest = ~covered
    if float(covered.mean()) >= OVERLAY_MIN and all(
            float(np.corrcoef(q[rest], r[rest])[0, 1]) >= REGISTERED_CORRELATION
            for q, r in maps):
        edits.append(DetectedEdit(Edit.OVERLAY, boxes=tuple(places)))
    return tuple(edits)


# --- Screens filmed at an angle (issue #18: several pictures in one frame, ``layout.py``) -------
# A screen fills at least this share of the frame (a wall's monitor filmed from across a room
# fills less; one that small holds too few pixels per feed to hash at the decode's 128-pixel
# details), and a "screen" covering nearly the whole frame is the frame itself.
MIN_SCREEN_SHARE = 0.2
# A monitor of a wall (several screens apart) fills at least this share of the frame: its
# 2x2 cells are then about 14x8 pixels of the 128-pixel details, the least a region is hashed
# from here.
MIN_MONITOR_SHARE = 0.05
# The bright region's convex hull must be a quadrilateral: the four-corner approximation must
# cover at most this much more than the hull (a ragged bright patch is not a screen).
QUAD_FIT = 1.08
# A screen's side: the steady picture SIDE_OFFSET of the frame inside it is brighter than as far
# outside by SIDE_CONTRAST grey levels along SIDE_SHARE of its length. Generated screens at
# 5-35° (a dark room and bezel, glare, noise) measured a median contrast of 61-145 with every
# point of every side over 12; the sides Otsu's threshold outlines in plain pictures (the shared
# clips, generated CCTV, a flat side by side) passed along 0-42 % of their length where they
# were not straight edges, and 92-100 % where they were (a table's edge, a feed's border).
SIDE_OFFSET = 0.012
# Grey levels above the room's (the median of the frame's border) from which a pixel may be a
# screen's: twice the generated rooms' sensor noise (6), under the darkest generated feed's
# level on a screen (bottle-detection's other moment, 70-80 against a room of 28-45).
ROOM_MARGIN = 15.0
# A screen shows at least this many of its sides inside the frame (a frame's border with one
# straight edge is a bright part of a plain picture: a table's edge in bottle-detection.mp4).
MIN_SCREEN_SIDES = 3
SIDE_CONTRAST = 12.0
SIDE_SHARE = 0.7
# Focal length assumed to read an angle from a quadrilateral, as a share of the frame's width:
# phones' main cameras (26 mm equivalent, about 69° across a 4:3 sensor) are 0.73; the angle
# read is off by a few degrees when the real lens differs (measured in the benchmark).
FOCAL_SHARE = 0.75


def _ordered(points: np.ndarray) -> np.ndarray:
    """Four points as top-left, top-right, bottom-right, bottom-left."""
    total, diff = points.sum(axis=1), points[:, 0] - points[:, 1]
    return np.array([points[np.argmin(total)], points[np.argmax(diff)],
                     points[np.argmax(total)], points[np.argmin(diff)]], np.float32)


def screen_quads(frames: list[np.ndarray]) -> list[np.ndarray]:
    """The screens' corners (pixels, clockwise from top-left) in grey frames of one size: the
    bright parts of their mean picture (Otsu's threshold) outlined by quadrilaterals with
    straight sides. Several monitors apart (a wall) when at least two of the bright parts
    are each a screen of MIN_MONITOR_SHARE of the frame, row by row; else the one screen that
    the convex hull of all of them makes (a grid's feeds on one monitor), filling at least
    MIN_SCREEN_SHARE of the frame; else none."""
    if not frames:
        return []
    # Their mean: the room and the screen's outline hold still; a median of 8 frames at 960x540
    # cost 42 ms (1.6 ms this way), in every verify that matched.
    total = np.zeros(frames[0].shape[:2], np.float32)
    for frame in frames:
        cv2.accumulate(frame, total)
    steady = cv2.GaussianBlur((total / len(frames)).astype(np.uint8), (5, 5), 0)
    otsu, _ = cv2.threshold(steady, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # A feed darker than Otsu's cut (a night camera beside lit ones) is still brighter than
    # the room around the screen, whose level the frame's border gives.
    border = np.concatenate([steady[0], steady[-1], steady[:, 0], steady[:, -1]])
    level = min(float(otsu), float(np.median(border)) + ROOM_MARGIN)
    cut = ((steady > level) * 255).astype(np.uint8)
    # Join the feeds across the dark lines between them, drop specks of the room.
    joined = cv2.morphologyEx(cut, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    bright = cv2.morphologyEx(joined, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    contours, _ = cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    height, width = steady.shape
    big = [c for c in contours if cv2.contourArea(c) >= MIN_MONITOR_SHARE * width * height]
    if not big:
        return []
    monitors = [q for q in (_quad(steady, cv2.convexHull(c)) for c in big) if q is not None]
    if len(monitors) >= 2:
        # Row by row: by the centre's height in steps of a monitor's height, then across.
        step = float(np.median([np.ptp(q[:, 1]) for q in monitors]))
        return sorted(monitors, key=lambda q: (round(float(q[:, 1].mean()) / step),
                                               float(q[:, 0].mean())))
    hull = cv2.convexHull(np.concatenate(big))
    if cv2.contourArea(hull) < MIN_SCREEN_SHARE * width * height:
        return []
    quad = _quad(steady, hull)
    return [] if quad is None else [quad]


def screen_quad(frames: list[np.ndarray]) -> np.ndarray | None:
    """The one screen of ``screen_quads`` (None when there is none, or several)."""
    found = screen_quads(frames)
    return found[0] if len(found) == 1 else None


def _quad(steady: np.ndarray, hull: np.ndarray) -> np.ndarray | None:
    """A convex hull's four corners, when it is a quadrilateral with straight sides."""
    hull_area = cv2.contourArea(hull)
    perimeter = cv2.arcLength(hull, True)
    for share in (0.01, 0.02, 0.04, 0.06):
        approx = cv2.approxPolyDP(hull, share * perimeter, True)
        if len(approx) == 4:
            break
    else:
        return None
    quad = _ordered(approx.reshape(-1, 2).astype(np.float32))
    if cv2.contourArea(quad) > QUAD_FIT * hull_area or not cv2.isContourConvex(
            quad.reshape(-1, 1, 2)):
        return None
    return quad if _straight_edges(steady, quad) else None


def _straight_edges(steady: np.ndarray, quad: np.ndarray) -> bool:
    """Whether each side of the quadrilateral is a straight edge of the steady picture (a
    screen's border against its bezel), or lies on the frame's border: the picture just inside
    it is brighter than just outside by SIDE_CONTRAST along most of its length. The bright
    parts of one plain picture (a sunlit floor, a lit window) have ragged edges that a straight
    line crosses back and forth."""
    height, width = steady.shape
    centre = quad.mean(axis=0)
    inside = 0
    for a, b in zip(quad, np.roll(quad, -1, axis=0), strict=True):
        if (abs(a[0] - b[0]) < 2 and min(a[0], width - 1 - a[0]) < 3) or \
                (abs(a[1] - b[1]) < 2 and min(a[1], height - 1 - a[1]) < 3):
            continue  # along the frame's border: the screen runs out of the picture
        inside += 1
        along = a + np.linspace(0.1, 0.9, 24)[:, None] * (b - a)
        normal = np.array([a[1] - b[1], b[0] - a[0]], np.float32)
        normal /= np.linalg.norm(normal) + 1e-6
        if np.dot(centre - a, normal) < 0:
            normal = -normal
        step = SIDE_OFFSET * max(width, height)

        def values(points: np.ndarray) -> np.ndarray:
            x = np.clip(np.round(points[:, 0]), 0, width - 1).astype(int)
            y = np.clip(np.round(points[:, 1]), 0, height - 1).astype(int)
            return steady[y, x].astype(np.float32)

        contrast = values(along + step * normal) - values(along - step * normal)
        if float(np.mean(contrast >= SIDE_CONTRAST)) < SIDE_SHARE:
            return False
    return inside >= MIN_SCREEN_SIDES


# Below this angle a picture is not said to be "filmed off a screen": a letterboxed or inset
# picture is an axis-aligned rectangle too, and a perspective fit of a frontal picture (a
# low-quality 320-pixel re-encode, in the second audit) reads a degree or two.
MIN_SCREEN_ANGLE = 4.0


def screen_angle(corners: np.ndarray, width: int, height: int) -> float:
    """The angle (degrees) between a rectangle's normal and the camera's axis, from its image
    (four corners, pixels, clockwise from top-left) and a pinhole camera of focal length
    FOCAL_SHARE times the width: the two vanishing points of its sides are two directions in
    the rectangle's plane."""
    focal = FOCAL_SHARE * width
    points = np.c_[corners - np.array([width / 2, height / 2]), np.ones(4)]
    points[:, :2] /= focal

    def vanishing(a: int, b: int, c: int, d: int) -> np.ndarray:
        return np.cross(np.cross(points[a], points[b]), np.cross(points[c], points[d]))

    across, down = vanishing(0, 1, 3, 2), vanishing(0, 3, 1, 2)
    normal = np.cross(across, down)
    size = float(np.linalg.norm(normal))
    if size < 1e-12:
        return 0.0
    return round(float(np.degrees(np.arccos(min(1.0, abs(normal[2]) / size)))), 1)


def screen_corners(size: tuple[int, int], yaw: float, pitch: float = 0.0, fill: float = 0.7,
                   focal: float = FOCAL_SHARE, screen_ratio: float = 16 / 9) -> np.ndarray:
    """Where a screen's four corners (top-left, clockwise) land in a camera's frame of ``size``
    when the screen (``screen_ratio`` wide), filling ``fill`` of the frame's width face-on, is
    turned by ``yaw`` degrees about its vertical axis and ``pitch`` about its horizontal one;
    pinhole camera with a focal length of ``focal`` times the frame's width."""
    width, height = size
    f = focal * width
    half_w = fill * width / 2
    half_h = half_w / screen_ratio
    distance = f  # the screen's width seen face-on is then fill * width
    a, b = math.radians(yaw), math.radians(pitch)
    turn_y = np.array([[math.cos(a), 0, math.sin(a)], [0, 1, 0], [-math.sin(a), 0, math.cos(a)]])
    turn_x = np.array([[1, 0, 0], [0, math.cos(b), -math.sin(b)], [0, math.sin(b), math.cos(b)]])
    plane = np.array([[-half_w, -half_h, 0], [half_w, -half_h, 0], [half_w, half_h, 0],
                      [-half_w, half_h, 0]], dtype=np.float64)
    points = plane @ (turn_x @ turn_y).T + np.array([0.0, 0.0, distance])
    return np.stack([f * points[:, 0] / points[:, 2] + width / 2,
                     f * points[:, 1] / points[:, 2] + height / 2], axis=1).astype(np.float32)


# Screen sizes (times the frame's width face-on) tried, smallest first, for a screen that fills
# the frame: the first whose picture covers the whole frame is the view with most of it in
# sight (1.35 at 15°, 1.9 at 30° for 16:9).
_FILLS = np.arange(1.0, 3.0, 0.05)


@lru_cache(maxsize=64)  # the same few angles and frame sizes, asked for each original
def screen_view(yaw: float, size: tuple[int, int]) -> Overlap:
    """A repost of ``size`` filming a screen that shows the original (of the same shape), turned
    by ``yaw`` degrees and filling the frame (no edge of it in sight, the smallest such screen):
    the overlap placing the repost on the original (a whole-frame hypothesis, no keypoints)."""
    frame = _UNIT * np.array(size, dtype=np.float32)
    to_unit = np.diag([1.0 / size[0], 1.0 / size[1], 1.0])
    unit = np.eye(3)
    for fill in _FILLS:
        to_query = perspective(frame, screen_corners(size, yaw, 0.0, float(fill),
                                                     screen_ratio=size[0] / size[1]))
        unit = to_unit @ np.linalg.inv(to_query) @ np.linalg.inv(to_unit)
        seen = mapped(_UNIT, unit)
        if seen.min() >= 0.0 and seen.max() <= 1.0:
            break
    unit /= unit[2, 2]
    return Overlap((0.0, 0.0, 1.0, 1.0), bounds(mapped(_UNIT, unit)), False, 0,
                   homography=tuple(float(v) for v in unit.ravel()))


def perspective(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The homography taking four points (pixels) to four others."""
    return cv2.getPerspectiveTransform(source.astype(np.float32), target.astype(np.float32))


def mapped(points: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Points (N, 2) through a homography."""
    return cv2.perspectiveTransform(points.reshape(-1, 1, 2).astype(np.float32),
                                    matrix).reshape(-1, 2)


def warped(frames: Sequence[np.ndarray] | np.ndarray, matrix: np.ndarray,
           size: tuple[int, int]) -> np.ndarray:
    """Grey frames through a homography, into (width, height) ``size`` (edges repeated)."""
    return np.stack([cv2.warpPerspective(f, matrix, size, flags=cv2.INTER_LINEAR,
                                         borderMode=cv2.BORDER_REPLICATE) for f in frames])
