"""Burned-in text: OCR of a few frames with RapidOCR (PP-OCRv6 models inside the wheel).

The only module that imports ``rapidocr``. It is optional (the ``evidence`` extra): without it,
``available()`` is False and callers record that burned-in text was skipped.
RapidOCR was chosen by measurement against rapidocr-onnxruntime (PP-OCRv4; drops the spaces
between words, which breaks dates such as "2015-09-16 02:13:12") on generated frames; tesserocr's
wheel carries no language data and OnnxTR and EasyOCR download their models at run time
(benchmarks/ocr_accuracy.py, table in benchmarks/README.md).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import numpy as np

from . import geometry

# Lines read with less confidence than this are dropped (RapidOCR's own default is 0.5; on the
# generated frames, wrong readings of walkers and textures scored 0.3-0.6, real text 0.8-1.0).
MIN_SCORE = 0.7
# So are lines of fewer characters than this (spaces aside): one glyph is a texture read as
# text, and no date, place or source. Over the registered sweep windows (other_moments.py, 450
# as recorded, with timed captions and with running subtitles), every line of one character
# read was such, all in the car park's textured picture: "日" twice, "N" 5 times.
MIN_LINE_CHARS = 2
# Text bands are scaled as a whole frame would be to a short side of this many pixels. On 36
# generated frames (benchmarks/ocr_accuracy.py), whole frames at 480 read 92 % of characters and
# 34 dates at 0.18 s a frame, at 640 97 % and 35 at 0.30 s, at 736 97 % and 36 at 0.33 s; the
# text bands alone at 640: 99 % and 36 at 0.12 s (one thread each).
DETECT_SIDE = 640
# Frames read per video: one per shot, the longest shots first, at most this many; measured to
# keep verify's CPU with OCR under 1.5x of without (benchmarks/copy_detection.py --evidence).
MAX_FRAMES = 3
# Of the frames verify keeps (every 0.5 s, provider.LOCAL_STEP_S), this many spread evenly over
# the video are also read where they show a band of likely text at rows no frame read before
# showed one (``evidence._with_new_bands``): text laid on for part of a shot. A new band taller
# than NEW_BAND_HEIGHT of the frame is left: measured over the registered sweep windows
# (other_moments.py: as recorded, caption+logo, timed captions, running subtitles; 600), the new
# bands where text was read were 0.17-0.29 of the frame high (a banner's two rows the tallest),
# 21 of the 161 where nothing was 0.30-0.42 (the car park's road and cars); in the
# copy-detection set 17 of its 73 new bands, none with text.
# And a new band must be steady: STEADY_STEPS of its sharp steps where they are in the next
# kept frame (``steady_share``). Measured on the new bands of the sets above and the
# verify_scale.py queries: every band where text was read 0.86-1.0 (131, and the desk audit's
# caption 1.0); 176 of the 200 where nothing was under 0.8 (median 0.12, the car park's
# passing cars at most 0.14, the verify_scale.py queries' 0.09-0.69), the 24 over it all in the
# room (things that stay put a while). Without it, nearly every query of the shared footage
# loaded the OCR engine for nothing (0.7 s of CPU: verify_scale.py's 20-minute query against
# 100 hours went from 1.85x to 2.12x of fingerprinting).
SPREAD_FRAMES = 8
NEW_BAND_HEIGHT = 0.3
STEADY_STEPS = 0.8
# Frames wider than this are shrunk before reading (text of 1080p frames stays readable).
MAX_WIDTH = 1280


# Text is likely where a band of the frame (1/30 of its height, 1/4 of its width, on a copy about
# 320 pixels wide) has at least this share of pixels at a sharp horizontal step (grey level
# change > 60). Measured: 36 generated text frames 0.27-0.58, short texts alone ("CAM 1",
# "12:03") 0.08-0.16; 38 frames without text (the shared footage, synthetic CCTV, mandelbrot)
# 0.02-0.13, half of them under 0.06. Below it the OCR (0.28 s a frame) is not run.
TEXT_EDGE_SHARE = 0.06
_EDGE_STEP = 60
# Text drawn in a saturated colour (red, blue, green on footage) can differ from the picture
# around it by less than _EDGE_STEP grey levels. The same test on the frame's chroma (YCrCb:
# |dCr| + |dCb| between neighbouring pixels of the colour picture kept with the frame) finds
# the bands only its colour makes likely; what they read is text not read already.
# Measured (benchmarks/ocr_colour.py's frames, as verify keeps them): the densest band's share
# of chroma steps over 60 on 797 frames without text (the copy-detection set's, the shared
# clips, generated fractals and cellular automata) median 0.004, 37 at 0.06 or more (up to 0.26:
# the fractals' colours), the set's 45 white-captioned frames at most 0.034, 102 frames with
# captions in eight saturated colours median 0.25, 98 at 0.06 or more; steps over 40: 58 / 0
# / 102 frames, over 80: 34 / 0 / 98, over 100: 30 / 0 / 90. The detector then finds text in
# none of the 37 (one fractal's figure read as a "0", see COLOUR_LINE_HEIGHT).
CHROMA_STEP = 60
CHROMA_EDGE_SHARE = 0.06
# A band of such steps taller than this share of the frame is a colourful texture, not lines of
# text, and is not scouted (a whole 960x540 frame's scout costs 0.025-0.035 s: the fractals and
# the picture-in-pictures over them of the copy-detection set, three frames each). On the frames
# above, the caption bands were 0.13-0.99 of the frame high, median 0.16, the 12 over 0.4 all
# a caption over a full-frame fractal merged with it: with the cap 91 of the 102 caption frames
# are read against 96 without; the OCR stage's CPU on the copy-detection set's 143 queries,
# grey gate alone -> with colour bands: 1.22 -> 1.68 s without the cap, 1.24 -> 1.36 s with it.
COLOUR_BAND_HEIGHT = 0.4
# A line read in such a band taller than this share of the frame is no caption: a fractal's
# coloured figure (the copy-detection set's mandelbrot) read as one "0" 0.72-0.77 of the frame
# high; the captions measured above 0.05-0.12.
COLOUR_LINE_HEIGHT = 0.25
# The edge test above passes textures (floor boards, foliage, fractal edges), each then read for
# 0.1-0.3 s. A band it passes is first given to the text detector alone at this share of the
# reading scale (a quarter of its pixels); only a band where it finds a box is read in full.
# `benchmarks/ocr_accuracy.py --gate-only`: 149 frames with text (72 generated as that script
# draws them, seed 7; 32 synthetic CCTV frames with a clock label or a caption bar; 45 kept
# frames of the copy-detection set's captioned queries, grey as verify reads them) and 584
# without (every other file of that set, 16 synthetic CCTV pictures without their label). The
# edge test passed 149/149 and 185/584; then the detector at 0.5 found text in 149/149 and 7/584
# (road markings of the car park); at 0.35 (measured once, seed 11) 149/149 and 12/567, at full
# scale 149/149 and 134/567. 0.019 s a text frame, 0.005 s a frame without (median; 0.017 and
# 0.002 s since the edge test averages only the pixels it keeps, same counts on 149 and 642;
# 0.010 s a text frame with NO_PADDING, and 149/149, 13/729 on the set as it is now). The edge
# tests' window sums are OpenCV's integral image (the same counts as numpy's cumulative sums):
# 0.87 -> 0.17 ms a frame for the grey test, 0.17 ms for the colour one (944 kept frames).
SCOUT_SCALE = 0.5
# The full read then covers only the columns where the scout found boxes, widened on each side by
# this many times the tallest box's height. On ocr_accuracy.py's 36 frames (one run each, same
# load): the whole band 0.988 character accuracy, 36/36 dates, 0.140 s a frame; these columns
# widened by 1, 2, 4 box heights: 0.985 / 0.987 / 0.988, 36/36 each, 0.062 / 0.065 / 0.071 s
# (the narrower crops lost the space in "2017 08:50" on one or two frames).
SCOUT_PAD = 4
# Text read in an earlier frame of the same video is read again where one of its pixels changed
# by more than this many grey levels. Measured on grey kept frames 0.25-10 s apart: captions
# over a still scene (the copy-detection set's captioned queries, their whole bands) changed by
# at most 22-52 levels (compression), none by more than 60, nor did an opaque caption bar over
# a 3-shot montage inside its text boxes (41-43); a changed clock digit of the synthetic CCTV
# scenes (640x360, 1280x720, 320x180, 33 changes) by 126-145; a caption over moving footage
# by up to 234 (read again: only unchanged pixels make the earlier reading hold).
SAME_TEXT_STEP = 60
# The scout's boxes in a later frame must fall inside the boxes read, widened by this share of
# the tallest one's height (the scout works at half the scale: its boxes of the same text reach
# a little further); the pixels compared are those inside the boxes read, which the detector
# already draws wider than the glyphs (unclipped).
SAME_TEXT_PAD = 0.5


@dataclass(frozen=True)
class TextLine:
    """A line of text read at ``time`` seconds, with the reader's confidence, and where in
    the frame (``box``: x0, y0, x1, y1 as shares of the frame's width and height)."""

    time: float
    text: str
    score: float
    box: tuple[float, float, float, float] | None = None
    # Read in a band only the frame's colour made likely (``colour_bands``): text whose grey
    # levels differ little from the picture around it, which grey pictures do not show.
    colour: bool = False


# One thread: verify already runs alongside other work, and the models are small. No angle
# classifier: burned-in text is upright. ONNX Runtime's memory arena on (RapidOCR turns it off):
# each scout and read then reuses the buffers of the ones before instead of allocating its own.
# On the 36 frames of the copy-detection set whose bands pass the edge test (64 queries' OCR
# frames, TextReader per frame, two passes, two processes each): 1.74-1.97 s against 2.10 s
# in a first pass, 1.61-1.82 against 1.85-1.89 in a second (4-17 % less), the same lines and
# scores on every frame, peak memory 346-353 -> 376-378 MB (the arena keeps the largest
# buffers it needed: a band is at most MAX_WIDTH wide).
# RapidOCR pads an image wider than 8 times its height with blank rows up to a quarter of its
# width before detecting text: a scout's band of 34 x 569 pixels became 142 x 569, a read's 103 x
# 1058 became 264 x 1058. NO_PADDING turns that off (bands under 30 pixels are still padded to
# 60). Measured (benchmarks/README.md, branch ocr9): the same text and verdict on all 142
# copy-detection queries, scouts 12-14 -> 4-8 ms, the detector's part of a caption's read 46-66
# -> 16-22 ms; ocr_accuracy.py 0.988 character accuracy and 36/36 dates either way; its text
# gate 149/149 frames with text found either way, 10 -> 13 of 729 without text read in vain.
NO_PADDING = -1
ENGINE_PARAMS = {"Global.log_level": "error", "Global.use_cls": False,
                 # read_frame scales each band itself; the detector keeps it as it is
                 "Det.limit_type": "max", "Det.limit_side_len": 4000,
                 # bands as they are: no padding of wide ones to a quarter of their width
                 "Global.width_height_ratio": NO_PADDING,
                 "EngineConfig.onnxruntime.intra_op_num_threads": 1,
                 "EngineConfig.onnxruntime.inter_op_num_threads": 1,
                 "EngineConfig.onnxruntime.enable_cpu_mem_arena": True}


# onnxruntime (1.32 here) on Linux starts Microsoft's telemetry when its environment is made: a
# device id and a store of events under ~/.cache/Microsoft/DeveloperTools (a desk audit found
# them in the home folder), events sent when the network allows. A verification desk's tool
# reports nothing about its users: ORT_DISABLE_TELEMETRY, set before the engine is built, keeps
# onnxruntime from writing or sending anything (a value the user set is kept).
TELEMETRY_OFF = ("ORT_DISABLE_TELEMETRY", "1")


@lru_cache(maxsize=1)
def _engine() -> Any:
    os.environ.setdefault(*TELEMETRY_OFF)
    from rapidocr import RapidOCR

    return RapidOCR(params=ENGINE_PARAMS)


def available() -> bool:
    """Whether the OCR library is installed."""
    try:
        import rapidocr  # noqa: F401
    except ImportError:
        return False
    return True


def text_bands(frame: np.ndarray) -> list[tuple[int, int]]:
    """Row ranges (pixels) of a BGR or grey frame that may carry text: bands 1/30 of the height
    where some quarter of the width has TEXT_EDGE_SHARE of its pixels at a sharp horizontal
    step, widened by a band above and below. Empty: no text likely, the OCR is spared."""
    edges, step = _steps(frame)
    return _dense_rows(edges, TEXT_EDGE_SHARE, step, frame.shape[0])


def _steps(frame: np.ndarray) -> tuple[np.ndarray, int]:
    """Where a copy of the frame about 320 pixels wide steps sharply from one pixel to the next
    (grey levels, over _EDGE_STEP), and the frame's pixels per pixel of that copy."""
    step = max(1, frame.shape[1] // 320)
    # Every step-th pixel first, then its grey level: the same values as the other way round,
    # without averaging the channels of pixels that are skipped (a grey frame's are exact).
    small = frame[::step, ::step]
    grey = small.mean(axis=2) if small.ndim == 3 else small.astype(np.int16)
    return np.abs(np.diff(grey, axis=1)) > _EDGE_STEP, step


def steady_share(frame: np.ndarray, later: np.ndarray, rows: tuple[int, int]) -> float:
    """The share of the sharp steps inside ``rows`` (a row range of ``frame``) that ``later``,
    a frame of the same size, has at the same places: burned-in text stays where it is, a
    passing car or a walker does not."""
    edges, step = _steps(frame)
    top, bottom = rows[0] // step, -(-rows[1] // step)
    inside = edges[top:bottom]
    count = int(inside.sum())
    return float((inside & _steps(later)[0][top:bottom]).sum()) / count if count else 0.0


def colour_bands(picture: np.ndarray, height: int) -> list[tuple[int, int]]:
    """Row ranges of a frame ``height`` pixels high that may carry text drawn in a saturated
    colour, from a BGR ``picture`` of the whole frame (any size): as ``text_bands``, with the
    steps of its chroma (YCrCb: |dCr| + |dCb| > CHROMA_STEP) instead of its grey levels, and
    none taller than COLOUR_BAND_HEIGHT of the frame."""
    import cv2

    step = max(1, picture.shape[1] // 320)
    small = np.ascontiguousarray(picture[::step, ::step])
    _, cr, cb = cv2.split(cv2.cvtColor(small, cv2.COLOR_BGR2YCrCb))
    # |dCr| + |dCb| in OpenCV's saturating uint8 arithmetic (exact up to 255, beyond the step)
    edges = cv2.add(cv2.absdiff(cr[:, 1:], cr[:, :-1]),
                    cv2.absdiff(cb[:, 1:], cb[:, :-1])) > CHROMA_STEP
    rows = _dense_rows(edges, CHROMA_EDGE_SHARE, 1, edges.shape[0])
    scale = height / edges.shape[0]
    return [(int(a * scale), min(height, int(np.ceil(b * scale)))) for a, b in rows
            if b - a <= COLOUR_BAND_HEIGHT * edges.shape[0]]


def _dense_rows(edges: np.ndarray, share: float, step: int, height: int
                ) -> list[tuple[int, int]]:
    """Row ranges (pixels of a frame ``height`` high; ``edges`` holds every ``step``-th pixel)
    of bands 1/30 of the height where some quarter of the width has ``share`` of its pixels
    at a step, widened by a band above and below."""
    import cv2

    band, width = max(3, edges.shape[0] // 30), max(8, edges.shape[1] // 4)
    if edges.shape[0] < band or edges.shape[1] < width:
        return [(0, height)]
    sums = cv2.integral(edges.view(np.uint8))  # counts, a row and a column of zeros first
    boxes = (sums[band:, width:] - sums[:-band, width:] - sums[band:, :-width]
             + sums[:-band, :-width])
    rows = np.flatnonzero(boxes.max(axis=1) / (band * width) >= share)
    spans: list[list[int]] = []
    for row in rows:
        start, end = max(0, row - band) * step, min(edges.shape[0], row + 2 * band) * step
        if spans and start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    return [(int(a), min(int(b), height)) for a, b in spans]


def crossing(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether two row ranges share a row."""
    return a[0] < b[1] and b[0] < a[1]


def likely_text(frame: np.ndarray) -> bool:
    """Whether a BGR frame may carry text: a cheap test that spares the OCR frames without."""
    return bool(text_bands(frame))


def _scaled(band: np.ndarray, scale: float) -> np.ndarray:
    import cv2

    return cv2.resize(np.ascontiguousarray(band), None, fx=scale, fy=scale,
                      interpolation=cv2.INTER_LINEAR if scale > 1 else cv2.INTER_AREA)


def _scout_boxes(band: np.ndarray, scale: float) -> np.ndarray | None:
    """The text detector run alone on the band at SCOUT_SCALE of the reading scale: its boxes
    (n, 4 corners, x y) in band pixels; None when it finds none."""
    small = scale * SCOUT_SCALE
    found = _engine()(_scaled(band, small), use_det=True, use_cls=False, use_rec=False)
    if found.boxes is None or not len(found.boxes):
        return None
    return np.asarray(found.boxes, dtype=np.float64) / small


def _tallest(boxes: np.ndarray) -> float:
    return float((boxes[:, :, 1].max(axis=1) - boxes[:, :, 1].min(axis=1)).max())


def _bgr(part: np.ndarray) -> np.ndarray:
    """A part of a frame in three channels, as the reader takes it (a grey one repeated)."""
    return np.repeat(part[:, :, None], 3, axis=2) if part.ndim == 2 else part


def _grey(part: np.ndarray) -> np.ndarray:
    return part.mean(axis=2).astype(np.int16) if part.ndim == 3 else part.astype(np.int16)


# A line one read found: its top row (frame pixels: lines are sorted by it), text, score, box,
# and whether it was read in a band only its colour made likely.
_Found = tuple[float, str, float, tuple[float, float, float, float], bool]


@dataclass(frozen=True)
class _Read:
    """What one full read found (frame row, text, score) and where: ``text`` (top, bottom,
    left, right, frame pixels) bounds the boxes it read, with the grey ``pixels`` there;
    ``reach`` is that area widened by SAME_TEXT_PAD."""

    text: tuple[int, int, int, int]
    reach: tuple[int, int, int, int]
    pixels: np.ndarray
    found: tuple[_Found, ...]
    colour: bool = False


class TextReader:
    """Reads the frames of one video. Where everything the scout finds in a band lies where an
    earlier frame's text was read, and none of those pixels changed by more than
    SAME_TEXT_STEP, the earlier lines are taken at the new frame's time instead of reading
    again (a caption bar that stays put over several shots is read once)."""

    def __init__(self) -> None:
        self._read: list[_Read] = []
        self.reads = 0  # bands given to the full reader

    def __call__(self, frame: np.ndarray, time: float = 0.0,
                 colour: np.ndarray | None = None,
                 rows: list[tuple[int, int]] | None = None) -> list[TextLine]:
        """Lines of text in one BGR or grey frame, top to bottom: only its bands likely to
        carry text (``text_bands``) where the detector finds text at a quarter of the pixels
        (``_scout_boxes``) are read, across the columns where it found it, each scaled as the
        detector would scale the whole frame (its short side to DETECT_SIDE). Then, from the
        frame's colour (a BGR frame's own, or ``colour``: a smaller BGR picture of a grey
        frame, its chroma laid on the frame's grey levels), the bands only a saturated colour
        makes likely (``colour_bands``), for text not read already (``TextLine.colour``).
        Given ``rows`` (row ranges of the frame), only those bands and the colour bands
        across them are read."""
        scale = min(DETECT_SIDE / min(frame.shape[:2]), MAX_WIDTH / frame.shape[1])
        found = self._bands(frame, text_bands(frame) if rows is None else rows, scale, [])
        colour = frame if colour is None and frame.ndim == 3 else colour
        bands = colour_bands(colour, frame.shape[0]) if colour is not None else []
        if rows is not None:
            bands = [band for band in bands if any(crossing(band, row) for row in rows)]
        if bands and colour is not None:
            coloured = frame if frame.ndim == 3 else _with_chroma(frame, colour)
            found += [f for f in self._bands(coloured, bands, scale, [f[3] for f in found],
                                             colour=True)
                      if f[3][3] - f[3][1] <= COLOUR_LINE_HEIGHT]
        return [TextLine(round(time, 3), text[:300], round(score, 3), box, coloured)
                for _, text, score, box, coloured in sorted(found)
                if score >= MIN_SCORE and len(text.replace(" ", "")) >= MIN_LINE_CHARS]

    def _bands(self, frame: np.ndarray, bands: list[tuple[int, int]], scale: float,
               taken: list[tuple[float, float, float, float]], colour: bool = False
               ) -> list[_Found]:
        """What the bands of ``frame`` read, but for text lying on a box ``taken``."""
        found: list[_Found] = []
        height, width = frame.shape[:2]
        for top, bottom in bands:
            boxes = _scout_boxes(_bgr(frame[top:bottom]), scale)
            if boxes is not None and colour:
                boxes = _lines(boxes, height)
            if boxes is not None and taken:
                boxes = _new(boxes, top, width, height, taken)
            if boxes is None:
                continue
            earlier = self._earlier(frame, _extent(boxes + (0, top), frame.shape, 0.0), colour)
            # the full read covers the columns the scout's boxes span, widened by SCOUT_PAD
            columns = _extent(boxes, frame.shape, SCOUT_PAD)[2:]
            found += earlier.found if earlier else self._read_band(
                frame, top, bottom, columns, scale, colour)
        return [f for f in found if not any(overlapping(f[3], box) for box in taken)]

    def _earlier(self, frame: np.ndarray, seen: tuple[int, int, int, int], colour: bool
                 ) -> _Read | None:
        """An earlier read (of the same kind: grey bands or colour ones) whose text area
        holds ``seen`` and is unchanged in ``frame``."""
        for read in self._read:
            if read.colour != colour:
                continue
            a, b, c, d = read.reach
            if not (a <= seen[0] and seen[1] <= b and c <= seen[2] and seen[3] <= d):
                continue
            a, b, c, d = read.text
            if int(np.abs(_grey(frame[a:b, c:d]) - read.pixels).max()) <= SAME_TEXT_STEP:
                return read
        return None

    def _read_band(self, frame: np.ndarray, top: int, bottom: int, columns: tuple[int, int],
                   scale: float, colour: bool) -> tuple[_Found, ...]:
        self.reads += 1
        left, right = columns
        # RapidOCR keeps use_det/use_cls/use_rec from the last call: said on every call.
        result = _engine()(_scaled(_bgr(frame[top:bottom, left:right]), scale),
                           use_det=True, use_cls=False, use_rec=True)
        if result.txts is None or not len(result.boxes):
            return ()
        boxes = np.asarray(result.boxes, dtype=np.float64) / scale + (left, top)
        height, width = frame.shape[:2]
        found = tuple((float(box[:, 1].min()), str(text), float(score),
                       _shares(box, width, height), colour)
                      for box, text, score in zip(boxes, result.txts, result.scores, strict=True))
        a, b, c, d = _extent(boxes, frame.shape, 0.0)
        self._read.append(_Read((a, b, c, d), _extent(boxes, frame.shape, SAME_TEXT_PAD),
                                _grey(frame[a:b, c:d]), found, colour))
        return found


def _with_chroma(grey: np.ndarray, picture: np.ndarray) -> np.ndarray:
    """A grey frame in colour: the chroma of a smaller BGR picture of it, enlarged, laid on
    its grey levels (as a decoder lays subsampled chroma on the luma plane)."""
    import cv2

    height, width = grey.shape
    enlarged = cv2.resize(picture, (width, height), interpolation=cv2.INTER_LINEAR)
    ycrcb = cv2.cvtColor(enlarged, cv2.COLOR_BGR2YCrCb)
    ycrcb[:, :, 0] = grey
    return cv2.cvtColor(ycrcb, cv2.COLOR_YCrCb2BGR)


def _lines(boxes: np.ndarray, height: int) -> np.ndarray | None:
    """The scout's boxes no taller than COLOUR_LINE_HEIGHT of a frame ``height`` pixels high;
    None when none is left."""
    tall = boxes[:, :, 1].max(axis=1) - boxes[:, :, 1].min(axis=1)
    kept = boxes[tall <= COLOUR_LINE_HEIGHT * height]
    return kept if len(kept) else None


def _new(boxes: np.ndarray, top: int, width: int, height: int,
         taken: list[tuple[float, float, float, float]]) -> np.ndarray | None:
    """The scout's boxes (band pixels, the band ``top`` rows down) that lie on none of the
    boxes ``taken`` (shares of the frame); None when none is left."""
    kept = [box for box in boxes if not any(
        overlapping(_shares(box + (0, top), width, height), t) for t in taken)]
    return np.asarray(kept) if kept else None


def overlapping(a: tuple[float, float, float, float], b: tuple[float, float, float, float]
                ) -> bool:
    """Whether two boxes (x0, y0, x1, y1) share half of the smaller one."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return False
    return width * height >= 0.5 * min(geometry.area(a), geometry.area(b))


def _shares(box: np.ndarray, width: int, height: int) -> tuple[float, float, float, float]:
    """A box's corners (frame pixels) as x0, y0, x1, y1 shares of the frame, inside it."""
    x0, y0, x1, y1 = geometry.bounds(box / (width, height))
    return (round(x0, 4), round(y0, 4), round(x1, 4), round(y1, 4))


def _extent(boxes: np.ndarray, shape: tuple[int, ...], pad: float) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) pixels bounding the boxes (frame pixels), widened on each
    side by ``pad`` times the tallest box's height, inside the frame."""
    margin = pad * _tallest(boxes)
    return (max(0, int(boxes[:, :, 1].min() - margin)),
            min(shape[0], int(np.ceil(boxes[:, :, 1].max() + margin))),
            max(0, int(boxes[:, :, 0].min() - margin)),
            min(shape[1], int(np.ceil(boxes[:, :, 0].max() + margin))))


def read_frame(frame: np.ndarray, time: float = 0.0) -> list[TextLine]:
    """Lines of text in one frame (``TextReader`` on a frame of its own)."""
    return TextReader()(frame, time)


# On-screen clocks: "2015-09-16 02:13:12", "16/09/2015 02:13:12", "16-09-2015 02:13", "2015/09/16
# 02:13:12 PM". Day-first is read first for slashed dates (European cameras), as claims does.
_CLOCK = [
    re.compile(r"\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})[ T]*(\d{1,2}):(\d{2})(?::(\d{2}))?"
               r"\s*([AaPp][Mm])?"),
    re.compile(r"\b(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})[ T]*(\d{1,2}):(\d{2})(?::(\d{2}))?"
               r"\s*([AaPp][Mm])?"),
]


def _build(year: int, month: int, day: int, hour: int, minute: int, second: int,
           half: str) -> datetime | None:
    if half and half.lower() == "pm" and hour < 12:
        hour += 12
    try:
        return datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None


def screen_datetime(text: str) -> tuple[datetime, str] | None:
    """The first date and time of day written in ``text`` (a camera's clock), with its span."""
    found = _clock(text)
    return (found[0], found[1].group(0).strip()) if found else None


# How a clock writes its date and time: year first (or last), 12-hour. A camera's firmware
# writes one format; a clock drawn over it is often written in another. Only what OCR reads
# reliably: not the separators, which a low-resolution picture blurs ("-" read as "."), nor
# the seconds, the line's last characters, which a tight box can cut.
ClockFormat = tuple[bool, bool]


def clock_format(text: str) -> ClockFormat | None:
    """The format of the first clock written in ``text`` (see ClockFormat)."""
    found = _clock(text)
    if found is None:
        return None
    _, match, number = found
    return number == 0, bool(match.group(7))


def _clock(text: str) -> tuple[datetime, re.Match[str], int] | None:
    """The first clock in ``text``: its date and time, its match, and which of _CLOCK's
    patterns read it."""
    for number, pattern in enumerate(_CLOCK):
        match = pattern.search(text[:2000])
        if match is None:
            continue
        a, b, c, hour, minute = (int(match.group(i)) for i in range(1, 6))
        second, half = int(match.group(6) or 0), match.group(7) or ""
        if number == 0:
            found = _build(a, b, c, hour, minute, second, half)
        else:
            found = (_build(c, b, a, hour, minute, second, half)
                     or _build(c, a, b, hour, minute, second, half))
        if found is not None:
            return found, match, number
    return None
