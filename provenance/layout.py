"""Several originals in one frame: monitor walls, split screens, footage filmed off a screen.

A broadcaster filming an operator's monitors, a multiviewer's 2x2 or 3x3 grid, two videos side by
side: whole-frame hashes see one picture made of several, and local features find at most one
of them. Here the query's frame is read as a layout:

1. the screen: the bright quadrilateral that the feeds fill, against a darker room and bezel
   (``geometry.screen_quads``; several monitors apart make a wall), undone with a homography;
   the angle it was filmed at is read from its vanishing points (``geometry.screen_angle``);
2. the grid inside it: the lines where neighbouring feeds meet are the columns and rows where
   the picture changes most, every frame (``grid_lines``);
3. each region is a sub-query: hashed from the frames the one decode kept (``Decoded.details``,
   rectified), on the originals' side from their stored details, like with like (on both sides
   each frame averaged with the one before it: ``averaged``), and aligned in time on its own
   (feeds on a wall need not be in sync); a screen whose grid cells match nothing is aligned as
   one picture.

Everything works from ``provider.Decoded`` and the library's stored ``LocalData``: no file is
opened again.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

import numpy as np

from . import geometry
from .align import AlignResult, MatchParams, align, subtract, union
from .library import Library
from .models import (
    Alignment,
    Box,
    DetectedEdit,
    Edit,
    Fingerprint,
    Region,
    Verdict,
    merged_edits,
)
from .provider import Decoded, region_fingerprint
from .refine import LOCAL_SCAN_LIBRARY, bar_edits

# Frames the screen and the grid are read from, evenly spread over the query's kept
# local-feature frames (their median is the screen's steady picture; the seams' strength is
# an average): 8 cost about 10 ms at 640x360.
LAYOUT_FRAMES = 8
# A "screen" covering nearly the whole frame (each corner within this share) is the frame.
WHOLE_FRAME_CORNER = 0.03
# Grids tried, as (rows, columns): from side-by-side and stacked to 4x4.
MAX_CELLS = 4
# A grid line is where the picture changes most, every frame: its column (row) of horizontal
# (vertical) gradients, averaged over rows and frames, is at least SEAM_RATIO times the
# profile's upper quartile (at least SEAM_FLOOR grey levels), within SEAM_WINDOW of the frame
# of where a uniform grid puts it.
SEAM_RATIO = 2.5
SEAM_WINDOW = 0.025
SEAM_FLOOR = 1.0
# Width of the rectified frames the seams are measured on.
SEAM_WIDTH = 320


@dataclass(frozen=True)
class Layout:
    """A query frame read as a layout: the screen's corners (shares of the frame, clockwise
    from top-left; the whole frame when none was found), the angle it was filmed at (degrees,
    0 without a screen) and the grid inside it."""

    corners: tuple[tuple[float, float], ...]
    angle: float
    rows: int
    cols: int

    @property
    def on_screen(self) -> bool:
        return self.angle >= geometry.MIN_SCREEN_ANGLE

    @property
    def is_layout(self) -> bool:
        """Several pictures, or a screen filmed at an angle. One upright picture inside the
        frame is an inset or a letterbox: the local-feature stage (``refine``) reports those."""
        return self.rows * self.cols > 1 or self.on_screen

    def describe(self) -> str:
        grid = f"a {self.rows}x{self.cols} grid" if self.rows * self.cols > 1 else "one picture"
        if self.on_screen:
            return f"{grid} on a screen filmed at about {self.angle:.0f}°"
        return grid if self.corners == _FRAME else f"{grid} inside the frame"

    def cells(self) -> list[tuple[str, Box]]:
        """(label, box in the rectified screen) of each region, row by row."""
        if self.rows * self.cols == 1:
            return [("screen" if self.corners != _FRAME else "frame", (0.0, 0.0, 1.0, 1.0))]
        return [(f"row {r + 1}, column {c + 1}",
                 (c / self.cols, r / self.rows, (c + 1) / self.cols, (r + 1) / self.rows))
                for r in range(self.rows) for c in range(self.cols)]

    def homography(self, width: int, height: int) -> np.ndarray:
        """From frame pixels (``width`` x ``height``) to the rectified screen at that size."""
        source = np.array(self.corners, np.float32) * np.array([width, height], np.float32)
        target = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
        return geometry.perspective(source, target)

    def place(self, box: Box) -> tuple[Box, tuple[tuple[float, float], ...]]:
        """A region of the rectified screen in the query frame: its bounding box and its four
        corners (shares)."""
        inverse = np.linalg.inv(self.homography(1000, 1000))
        corners = np.array([[box[0], box[1]], [box[2], box[1]], [box[2], box[3]],
                            [box[0], box[3]]], np.float32).reshape(-1, 1, 2) * 1000
        mapped = np.clip(geometry.mapped(corners, inverse) / 1000, 0.0, 1.0)
        x0, y0, x1, y1 = (round(v, 3) for v in geometry.bounds(mapped))
        return ((x0, y0, x1, y1),
                tuple((round(float(x), 3), round(float(y), 3)) for x, y in mapped))


_FRAME = ((0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0))


def _lines(profile: np.ndarray, count: int) -> bool:
    """Whether a uniform split into ``count`` parts has a seam at each of its lines."""
    # The upper quartile: a picture scaled up by a whole factor repeats rows (every other
    # difference is 0, and so is the median).
    base = max(float(np.percentile(profile, 75)), SEAM_FLOOR)
    size = len(profile)
    window = max(1, round(SEAM_WINDOW * size))
    for k in range(1, count):
        at = round(k * size / count)
        if float(profile[max(0, at - window):at + window + 1].max()) < SEAM_RATIO * base:
            return False
    return True


def grid_lines(rectified: np.ndarray) -> tuple[int, int]:
    """(rows, columns) of the uniform grid whose every line is a seam in the rectified frames
    (N, h, w): the finest that fits, 1x1 when none does."""
    frames = rectified.astype(np.float32)
    # Averaged over time, then the median along the line: a seam between two feeds runs the
    # whole height (width) of the screen, where a picture's own steady edges (a pole, a
    # doorframe, a burned-in clock) cover only part of it.
    across = np.median(np.abs(np.diff(frames, axis=2)).mean(axis=0), axis=0)
    down = np.median(np.abs(np.diff(frames, axis=1)).mean(axis=0), axis=1)
    # Each grid line shows as a ridge; the frame's own edges are not lines.
    cols = max([n for n in range(2, MAX_CELLS + 1) if _lines(across, n)], default=1)
    rows = max([n for n in range(2, MAX_CELLS + 1) if _lines(down, n)], default=1)
    return rows, cols


def find_layouts(frames: list[np.ndarray]) -> list[Layout]:
    """The screens of a query's frames (grey, one size), each with its grid; empty when the
    frame is one plain picture."""
    if not frames:
        return []
    quads = geometry.screen_quads(frames)
    found = [_layout(frames, q) for q in quads] if quads else [_layout(frames, None)]
    if len(found) >= 2 or found[0].is_layout:
        return found
    return []


def find_layout(frames: list[np.ndarray]) -> Layout | None:
    """The layout of one screen (or of the frame), or None (one plain picture, or several
    screens: ``find_layouts``)."""
    found = find_layouts(frames)
    return found[0] if len(found) == 1 else None


def _layout(frames: list[np.ndarray], quad: np.ndarray | None) -> Layout:
    height, width = frames[0].shape[:2]
    corners: tuple[tuple[float, float], ...] = _FRAME
    angle = 0.0
    if quad is not None:
        shares = quad / np.array([width, height], np.float32)
        if np.abs(shares - np.array(_FRAME)).max() > WHOLE_FRAME_CORNER:
            corners = tuple((round(float(x), 4), round(float(y), 4)) for x, y in shares)
            angle = geometry.screen_angle(quad, width, height)
    size = (SEAM_WIDTH, max(8, round(SEAM_WIDTH * height / width)))
    found = Layout(corners, angle, 1, 1)
    matrix = found.homography(width, height)
    scale = np.diag([size[0] / width, size[1] / height, 1.0])
    rectified = geometry.warped(frames, scale @ matrix, size)
    rows, cols = grid_lines(rectified)
    return replace(found, rows=rows, cols=cols)


def rectified_details(decoded: Decoded, layout: Layout) -> np.ndarray:
    """The query's detail frames with the screen's perspective undone (the screen fills them)."""
    height, width = decoded.details.shape[1:3]
    matrix = layout.homography(width, height)
    return geometry.warped(decoded.details, matrix, (width, height))


# A region is hashed from each detail frame averaged with the one before it (0.25 s earlier), on
# both sides: a region filmed off a screen carries sensor noise and moiré that change every frame,
# and in a cell of a few dozen pixels they outweigh a slow feed's own motion (a grid cell of
# one-by-one-person-detection at 35°: every sample "moving", motion hashes unrelated to the
# original's, so same-scene at the registered moment). A pair halves the noise's variance;
# motion is then read over 0.5 s. Wall block of benchmarks/copy_detection.py (60 registered
# regions, 21 unregistered, 6 feeds): per-region recall 50/60 from single frames, 57/60 from
# pairs (none lost; 54/60 when the mean was rounded half to even instead of half up: the gained
# bottle-detection regions sit near the evidence needed), 55/60 from three (a 3x3 cell and a
# stacked one lost: faster motion blurred). At none of them did a region align with another
# original or another moment, even below REGION_MIN_CONFIRMED; right ones had 14-47 samples.
REGION_AVERAGE = 2


def averaged(details: np.ndarray) -> np.ndarray:
    """Detail frames (N, h, w), each the mean of itself and the REGION_AVERAGE - 1 before it
    (the first ones of as many as there are)."""
    total = details.astype(np.uint16)
    for back in range(1, REGION_AVERAGE):
        total[back:] += details[:-back]
        total[:back] += details[:back]
    return ((total + REGION_AVERAGE // 2) // REGION_AVERAGE).astype(np.uint8)


class _Originals:
    """Each original's whole picture hashed from its stored details as a region is (averaged,
    inside the same margin), computed once per verify."""

    def __init__(self, lib: Library) -> None:
        self.lib = lib
        self.cache: dict[str, Fingerprint | None] = {}

    def get(self, ref_id: str) -> Fingerprint | None:
        if ref_id not in self.cache:
            local = self.lib.local_data(ref_id)
            self.cache[ref_id] = None if local is None or not len(local.details) else \
                region_fingerprint(local.detail_times, averaged(local.details),
                                   (0.0, 0.0, 1.0, 1.0),
                                   self.lib.get(ref_id).duration)
        return self.cache[ref_id]

    def pairs(self, ids: Iterable[str]) -> Iterable[tuple[str, Fingerprint]]:
        for ref_id in ids:
            found = self.get(ref_id)
            if found is not None:
                yield ref_id, found


Candidates = Callable[[Fingerprint], list[str]]
# A region is hashed from fewer pixels than a whole frame (a 2x2 cell of a 128-pixel detail
# frame filmed at 25°: about 45x25) and each of its alignments searched every original: it
# needs this many motion-confirmed samples, not align's minimum (as refine's
# GEOMETRY_MIN_CONFIRMED). Generated 2x2 grids, regions hashed from single frames: a feed
# shown in another feed's cell reached 5 (3.2 s, similarity 0.5), the right feeds 13-39; with
# REGION_AVERAGE no wrong alignment was seen at all, right ones 14-47 (benchmarks/README.md,
# wall block).
REGION_MIN_CONFIRMED = 8
# A region is hashed inside exactly its fitted place: hashed from a few dozen pixels it is
# sensitive to its edges (bottle-detection on a screen at 15° aligned over 0 s as fitted, 12 s
# with the outline 1 % smaller or larger), but trying insets of (0, 1.5 %, 3 %) and keeping the
# alignment with the most confirmed samples chose a wrong 5 s alignment with a speed change
# over the right one, so no inset is tried.


def _region_edits(layout: Layout, box: Box, screens: int) -> tuple[DetectedEdit, ...]:
    """Where the original is seen ("2x2 grid", "one of 3 screens"), and the screen's angle."""
    edits = []
    if layout.rows * layout.cols > 1 or screens > 1:
        grid = f"{layout.rows}x{layout.cols} grid" if layout.rows * layout.cols > 1 else ""
        wall = f"one of {screens} screens" if screens > 1 else ""
        edits.append(DetectedEdit(Edit.MULTI_VIEW, boxes=(box,),
                                  layout=", ".join(p for p in (grid, wall) if p)))
    if layout.on_screen:
        edits.append(DetectedEdit(Edit.FILMED_OFF_SCREEN, boxes=(box,), angle=layout.angle))
    return tuple(edits)


def _open_time(result: AlignResult) -> float:
    return sum(b - a for a, b in result.unexplained) + sum(
        s.query_end - s.query_start for a in result.same_scene for s in a.segments)


def layout_stage(decoded: Decoded, result: AlignResult, lib: Library,
                 candidates: Candidates) -> tuple[AlignResult, tuple[Region, ...], str]:
    """Where whole-frame matching leaves the query unexplained, read its frame as a layout and
    align each region on its own. Returns the result with every region's matches added (each
    ``Alignment.region`` says where), the layout's regions, explained or not, and the layout in
    words; unchanged, and no regions, when the frame is one plain picture or no region matches
    anything (straight lines in a picture do not make a wall)."""
    params = result.params
    if result.verdict is Verdict.INCONCLUSIVE:
        return result, (), ""
    if _open_time(result) < params.local_min_unexplained_s:
        return result, (), ""
    frames = decoded.local_in([(0.0, math.inf)], LAYOUT_FRAMES)
    layouts = find_layouts(frames) if len({f.shape[:2] for f in frames}) == 1 else []
    if bar_edits(decoded):
        # A letterbox or a 9:16 reframe over a blurred copy puts the picture's edges where a
        # 3x1 grid's lines are (a 16:9 picture fills the middle 32 % of a 9:16 frame): bars
        # are the local-feature stage's to report, a grid is only read on a screen there.
        layouts = [screen for screen in layouts if screen.corners != _FRAME]
    if not layouts:
        return result, (), ""
    originals = _Originals(lib)
    # In a library of at most LOCAL_SCAN_LIBRARY originals every one is aligned with every
    # region; in a larger one, the index's candidates for the region.
    everyone = [o.id for o in lib.list()] if len(lib) <= LOCAL_SCAN_LIBRARY else None
    duration = decoded.fingerprint.duration
    regions: list[Region] = []
    found: list[Alignment] = []
    for number, screen in enumerate(layouts):
        details = averaged(rectified_details(decoded, screen))
        read = functools.partial(_screen_regions, decoded, details, number=number,
                                 screens=len(layouts), originals=originals,
                                 candidates=candidates, everyone=everyone, params=params)
        screen_regions, matches = read(screen)
        if not matches and screen.rows * screen.cols > 1 and screen.corners != _FRAME:
            # A picture's own steady edge that runs its whole height or width (a doorframe at
            # the middle of one-by-one-person-detection, on a monitor of a wall) reads as a
            # grid line; when no cell matches, the screen is aligned as one picture. Only on a
            # screen: a grid read on the whole frame is what whole-frame matching already saw.
            whole = replace(screen, rows=1, cols=1)
            alone = read(whole)
            if alone[1]:
                screen_regions, matches = alone
                layouts[number] = whole
        regions += screen_regions
        found += matches
    described = layouts[0].describe() if len(layouts) == 1 else \
        f"a wall of {len(layouts)} screens"
    updated = _with_regions(result, found, duration, params, described) if found else result
    if updated is result:  # no region adds to the whole frame's matches
        return result, (), ""
    return updated, tuple(regions), described


def _screen_regions(decoded: Decoded, details: np.ndarray, screen: Layout, *, number: int,
                    screens: int, originals: _Originals, candidates: Candidates,
                    everyone: list[str] | None,
                    params: MatchParams) -> tuple[list[Region], list[Alignment]]:
    """Each region of one screen (``details`` rectified to it) aligned on its own: the
    regions, and their matches with enough motion-confirmed samples."""
    regions, found = [], []
    for label, cell in screen.cells():
        second = _aligned(decoded, details, cell, originals, candidates, everyone, params)
        box, corners = screen.place(cell)
        matches = [replace(m, region=box, edits=merged_edits(
            m.edits, _region_edits(screen, box, screens))) for m in second.matches
            if m.evidence >= REGION_MIN_CONFIRMED]
        found += matches
        if screens > 1:
            label = f"screen {number + 1}" + ("" if label == "screen" else f", {label}")
        regions.append(Region(box=box, corners=corners, label=label,
                              reference_ids=tuple(m.reference_id for m in matches),
                              unexplained=second.unexplained,
                              same_scene=tuple(a.reference_id for a in second.same_scene)))
    return regions, found


def _aligned(decoded: Decoded, details: np.ndarray, cell: Box, originals: _Originals,
             candidates: Candidates, everyone: list[str] | None,
             params: MatchParams) -> AlignResult:
    """One region aligned in time on its own."""
    query = region_fingerprint(decoded.detail_times, details, cell,
                               decoded.fingerprint.duration)
    # The index's candidates first (align gives each sample to the first original that
    # explains it), then, in a small library, every other original.
    ids = list(dict.fromkeys([*candidates(query), *(everyone or [])]))
    return align(query, originals.pairs(ids), params)


def _with_regions(result: AlignResult, found: list[Alignment], duration: float,
                  params: MatchParams, described: str) -> AlignResult:
    """The result with the regions' matches: the query's time is explained where any region
    is; same-scene time a region explains is no longer same-scene."""
    # A whole-frame match that a region's alignment with the same original supports with more
    # motion-confirmed samples is that region's, seen with the perspective left in (a screen
    # filmed at 25°: 6 samples over 2.5 s, where its region had 14): its time is the region's.
    best = {m.reference_id: m.evidence for m in found}
    kept = [m for m in result.matches if m.evidence >= best.get(m.reference_id, -1)]
    # Time a whole-frame match explains is one picture: regions add only where it is open.
    whole = union((s.query_start, s.query_end) for m in kept for s in m.segments)
    found = [replace(m, segments=pieces) for m in found if (pieces := tuple(
        replace(s, query_start=a, query_end=b,
                reference_start=s.reference_start + s.speed * (a - s.query_start),
                reference_end=s.reference_start + s.speed * (b - s.query_start))
        for s in m.segments for a, b in subtract((s.query_start, s.query_end), whole)
        if b - a >= params.min_segment_s))]
    if not found:
        return result
    covered = union((s.query_start, s.query_end) for m in found for s in m.segments)
    same_scene = tuple(
        replace(s, segments=tuple(replace(seg, query_start=a, query_end=b)
                                  for seg in s.segments
                                  for a, b in subtract((seg.query_start, seg.query_end), covered)))
        for s in result.same_scene)
    same_scene = tuple(s for s in same_scene if s.segments)
    explained = union([*whole, *covered, *((seg.query_start, seg.query_end)
                                            for s in same_scene for seg in s.segments)])
    unexplained = tuple(subtract((0.0, round(duration, 3)), explained))
    matches = [*kept, *found]
    seen = sum(b - a for a, b in union([*whole, *covered]))
    ids = dict.fromkeys(m.reference_id for m in matches)
    reason = (f"{seen:.1f} s of {duration:.1f} s line up in time with {len(ids)} registered "
              f"original(s), seen in {described}")
    return replace(result, verdict=Verdict.MATCH, confidence=max(m.score for m in matches),
                   reason=reason, matches=tuple(sorted(matches, key=lambda m: -m.score)),
                   same_scene=same_scene, unexplained=unexplained)


def with_screen(decoded: Decoded, result: AlignResult) -> AlignResult:
    """Matches of the whole frame (or of an inset local features found) with "filmed off a
    screen" where the frame shows a screen at an angle (region matches have their own); a
    same-scene verdict on such a frame is inconclusive."""
    plain = [m for m in result.matches if m.region is None and Edit.FILMED_OFF_SCREEN
             not in {e.kind for e in m.edits}]
    scene = result.verdict is Verdict.SAME_SCENE
    edit = screen_edit(decoded) if plain or scene else None
    if edit is None:
        return result
    if scene:
        # "Another moment" needs motion compared closely; a screen filmed at an angle leaves a
        # few dozen pixels of it (bottle-detection on a screen at 25° and 30°: same-scene, at
        # the registered moment).
        return replace(result, verdict=Verdict.INCONCLUSIVE, confidence=0.0, reason=(
            f"the view resembles a registered camera, filmed off a screen at about "
            f"{edit.angle:.0f}°; its motion could not be compared closely enough to say "
            "whether this is another moment"))
    return replace(result, matches=tuple(replace(m, edits=(*m.edits, edit)) if m in plain
                                         else m for m in result.matches))


def screen_edit(decoded: Decoded) -> DetectedEdit | None:
    """"Filmed off a screen", with the angle, for a query whole-frame hashes matched: a
    screen's quadrilateral at an angle in its frames (None when there is none)."""
    frames = decoded.local_in([(0.0, math.inf)], LAYOUT_FRAMES)
    if not frames or len({f.shape[:2] for f in frames}) != 1:
        return None
    quad = geometry.screen_quad(frames)
    if quad is None:
        return None
    height, width = frames[0].shape[:2]
    angle = geometry.screen_angle(quad, width, height)
    if angle < geometry.MIN_SCREEN_ANGLE:
        return None
    x0, y0 = (quad / np.array([width, height])).min(axis=0)
    x1, y1 = (quad / np.array([width, height])).max(axis=0)
    box = (round(float(x0), 3), round(float(y0), 3), round(float(x1), 3), round(float(y1), 3))
    return DetectedEdit(Edit.FILMED_OFF_SCREEN, boxes=(box,), angle=angle)
