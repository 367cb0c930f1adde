"""Decoding and sampling: the only module that imports OpenCV.

A video is decoded once (for fingerprints by the fast decoder in ``decode.py``, else by OpenCV);
frames are kept at a fixed rate of presentation time (not by frame index
over an assumed fps, which drifts on variable-frame-rate files), stripped of constant borders and
shrunk once, with area interpolation, to the small grey image the hashes are computed from.
"""

from __future__ import annotations

import functools
import logging
import math
import os
from collections.abc import Callable, Iterator
from dataclasses import astuple, dataclass

import cv2
import numpy as np

from . import decode
from .errors import MediaError, SettingsError

log = logging.getLogger(__name__)

# Side of the square grey image handed to the hashes (pHash works on 32x32).
THUMB_SIZE = 32
# Border detection looks at every _PROBE_STEP-th pixel (no averaging, so the thin strokes of a
# caption written on a bar stay thin and do not make the bar look like picture).
_PROBE_STEP = 2
# A line (row or column) is part of a bar when at least _BAR_SHARE of its pixels are within
# _BAR_TOLERANCE grey levels of the outermost line's level. Letterbox and pillarbox bars after
# H.264 compression measure > 0.95; the rows of a bar that cross a burned-in caption's letters
# 0.55-0.72 (strokes plus anti-aliasing); rows of real picture in the shared CCTV footage and the
# synthetic samples measure < 0.3.
_BAR_SHARE = 0.5
_BAR_TOLERANCE = 16.0
# ...and only when the outermost line itself is flat: bars measure a grey-level std < 2 after
# compression; textured walls, floors and skies in real footage measure > 5.
_BAR_EDGE_STD = 3.0
# In landscape frames, blurred side bars (vertical video reframed to 16:9) are only searched for
# when the outermost columns are this much smoother than the frame's middle columns (mean
# absolute step between neighbouring pixels): blurred bars measure under 0.2 of the middle, the
# shared CCTV footage 0.6 and more. Portrait frames, where blurred bars are common, are always
# searched.
SIDE_SMOOTHNESS = 0.35
# Decoding that ends before this share of the duration the header announces (less a second) is
# reported as a truncated file. Headers of complete files in the shared footage and of every
# file the tests make agree with the decoded duration to within one frame.
TRUNCATION_SHARE = 0.9
# Never strip more than this share of a side: past it the "border" is the picture itself.
_MAX_BORDER_SHARE = 0.4
# Blurred-copy bars (16:9 footage reframed to 9:16 over a blurred, enlarged copy of itself, or
# the reverse) are not constant, so they are found by geometry: the picture is a centred band of
# a standard aspect ratio, and both of its edges are a sharp step across the whole width. The
# step is measured as the mean absolute difference between neighbouring lines, relative to the
# frame's median, on the weaker of the two edges: 11-94 per frame in the robustness benchmark's
# reframed copies of the shared footage, at most 6.1 at the same places in every other edited
# copy and in the originals. They are looked for before constant bars, because the smooth parts
# of a blurred bar can pass for a constant one.
# Largest frame decoded, in pixels: 8K UHD (7680x4320, 33 MP) with room to spare. A 16000x16000
# frame took 3.7 GB of memory to decode; no camera or platform serves one.
MAX_FRAME_PIXELS = 40_000_000
_BAND_ASPECTS = (16 / 9, 4 / 3, 1.0, 1.85, 2.39)
_BAND_EDGE_RATIO = 9.0
# Which decoder samples fingerprints: "fast" (PyAV, decode.py: skips what samples do not need)
# or "full" (OpenCV, every frame). Fingerprints of either match each other
# (benchmarks/README.md, "Fast decoder"). PROVENANCE_DECODER overrides the default.
DECODERS = ("fast", "full")
DEFAULT_DECODER = "fast"


def chosen_decoder(decoder: str | None = None) -> str:
    name = decoder or os.environ.get("PROVENANCE_DECODER") or DEFAULT_DECODER
    if name not in DECODERS:
        raise SettingsError(f"unknown decoder {name!r}", f"use one of: {', '.join(DECODERS)}")
    return name


# (time, grey frame, (top, bottom, left, right) of the picture inside its bars).
PictureCallback = Callable[[float, np.ndarray, tuple[int, int, int, int]], None]


@dataclass(frozen=True)
class StreamInfo:
    """What the container says about a video (headers can lie; times come from the stream)."""

    path: str
    width: int
    height: int
    fps: float
    frame_count: int

    @property
    def announced_duration(self) -> float | None:
        """Seconds the header announces (frames over frame rate), None when it gives neither."""
        return self.frame_count / self.fps if self.fps > 0 and self.frame_count > 0 else None


@dataclass(frozen=True)
class Sample:
    """One sampled frame: its presentation time and its shrunk grey image (uint8)."""

    time: float
    thumb: np.ndarray


def _open_capture(path: str, convert_to_bgr: bool) -> cv2.VideoCapture:
    return cv2.VideoCapture(path, cv2.CAP_FFMPEG, [cv2.CAP_PROP_CONVERT_RGB, int(convert_to_bgr)])


def _luma_plane_works(path: str) -> bool:
    """Whether frames decoded without colour conversion come out as the luma (Y) plane.

    With conversion off, OpenCV hands over the decoder's first plane: for planar YUV (nearly all
    H.264/VP9/AV1 video) that is the grey picture, and skipping the conversion to BGR saves most
    of the per-sample cost. Other layouts (packed, high bit depth) come out with another shape.
    """
    capture = _open_capture(path, convert_to_bgr=False)
    try:
        width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH))
        height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
        _check_pixels(path, width, height)
        ok, frame = capture.read()
        return bool(ok) and frame.dtype == np.uint8 and frame.shape == (height, width)
    finally:
        capture.release()


def _check_pixels(path: str, width: int, height: int) -> None:
    """Refuse, before the first frame is decoded, frames larger than MAX_FRAME_PIXELS."""
    if width * height > MAX_FRAME_PIXELS:
        raise MediaError(
            f"{path}: frames of {width}x{height} pixels are over the "
            f"{MAX_FRAME_PIXELS // 1_000_000} MP provenance decodes",
            "scale the video down first (e.g. ffmpeg -vf scale=1920:-2)")


def _sample(time: float, grey: np.ndarray, crop: tuple[float, float, float, float] | None,
            on_picture: PictureCallback | None) -> Sample:
    """One sampled frame, its bars stripped (or the fixed ``crop``) and shrunk once; shown to
    ``on_picture`` first."""
    top, bottom, left, right = border_box(grey) if crop is None else _box_pixels(grey, crop)
    if on_picture is not None:
        on_picture(time, grey, (top, bottom, left, right))
    return Sample(time=time, thumb=shrink(grey[top:bottom, left:right]))


def cut_off_note(cut_off: tuple[float, float]) -> str:
    """What a file cut off or damaged (``VideoStream.cut_off``: seconds decoded, seconds its
    header announces) must say wherever it is used."""
    done, announced = cut_off
    return (f"only its first {done:.1f} s of the {announced:.1f} s its header announces could "
            "be decoded (the file may be cut off or damaged)")


class VideoStream:
    """One open video file. Use as a context manager; ``samples()`` decodes it once.

    ``colour=False`` (fingerprinting) reads the luma plane directly where the format allows;
    ``colour=True`` (keyframes, report frames) converts every retrieved frame to BGR.
    ``decoder`` picks what ``samples()`` decodes with (``chosen_decoder``); ``decoded_by``
    records it after sampling ("opencv", "pyav-nonref" or "pyav-full").
    """

    def __init__(self, path: str, colour: bool = False, decoder: str | None = None) -> None:
        if not os.path.exists(path):
            raise MediaError(f"{path}: no such file", "check the path")
        if os.path.isdir(path):
            raise MediaError(f"{path} is a directory, not a video file", "give a video file")
        self._fast: decode.FastDecoder | None = None
        self.decoded_by = "opencv"
        self.end_time: float | None = None
        # (seconds decoded, seconds the header announces) when decoding stopped well before
        # the announced end (a file cut off or damaged); None otherwise.
        self.cut_off: tuple[float, float] | None = None
        if not colour and chosen_decoder(decoder) == "fast":
            self._fast = decode.FastDecoder(path)
            self.info = StreamInfo(path, *astuple(self._fast.geometry()))
            self.colour = False
            try:
                _check_pixels(path, self.info.width, self.info.height)
            except MediaError:
                self.close()
                raise
            return
        self._open_opencv(path, colour)

    def _open_opencv(self, path: str, colour: bool) -> None:
        self._log_level = cv2.utils.logging.getLogLevel()
        # OpenCV warns on every luma-plane read; our own errors say what matters.
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)
        self.colour = colour or not _luma_plane_works(path)
        self._capture = _open_capture(path, convert_to_bgr=self.colour)
        if not self._capture.isOpened():
            self.close()
            raise MediaError(
                f"{path} is not a video OpenCV can decode",
                "check the file is a complete video (mp4, webm, mkv, mov...)",
            )
        self.info = StreamInfo(
            path=path,
            width=int(self._capture.get(cv2.CAP_PROP_FRAME_WIDTH)),
            height=int(self._capture.get(cv2.CAP_PROP_FRAME_HEIGHT)),
            fps=float(self._capture.get(cv2.CAP_PROP_FPS) or 0.0),
            frame_count=int(self._capture.get(cv2.CAP_PROP_FRAME_COUNT) or 0),
        )
        try:
            _check_pixels(path, self.info.width, self.info.height)
        except MediaError:
            self.close()
            raise

    def __enter__(self) -> VideoStream:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        if self._fast is not None:
            self._fast.close()
        if hasattr(self, "_capture"):
            self._capture.release()
            cv2.utils.logging.setLogLevel(self._log_level)

    def _frame_time(self, index: int) -> float:
        msec = self._capture.get(cv2.CAP_PROP_POS_MSEC)
        if msec is not None and msec >= 0 and not (index > 0 and msec == 0):
            return float(msec) / 1000.0
        # No timestamp from the container: the header rate is the only estimate left.
        return index / self.info.fps if self.info.fps > 0 else float(index)

    def samples(self, sample_fps: float,
                crop: tuple[float, float, float, float] | None = None,
                on_picture: PictureCallback | None = None,
                on_frame: decode.FrameCallback | None = None,
                dense: decode.DenseGrid | None = None) -> Iterator[Sample]:
        """Yield frames at ``sample_fps`` by presentation time.

        Only the sampled frames are converted (``retrieve``); the others are only decoded
        (``grab``). ``crop`` (x0, y0, x1, y1 as shares of the frame) replaces bar detection with
        a fixed region. ``on_picture`` sees each sampled frame before it is shrunk (time, grey
        frame, picture box inside the bars) so other stages need not decode the video again;
        ``on_frame`` sees the first frame in each active cell of the ``dense`` grid (time, grey
        frame), decoded for it if no sample needs it; with OpenCV, each of those is retrieved
        (a conversion).
        Raises MediaError when the file yields no frame at all.
        """
        if self._fast is not None:
            yield from self._fast_samples(sample_fps, crop, on_picture, on_frame, dense)
            return
        step = 1.0 / sample_fps
        next_time = 0.0
        index = 0
        yielded = 0
        time = 0.0
        backwards = False
        while self._capture.grab():
            time = self._frame_time(index)
            index += 1
            retrieved = False
            if on_frame is not None and (dense is None or dense.first_in_cell(time)):
                retrieved = True
                ok, frame = self._capture.retrieve()
                if ok and frame is not None:
                    on_frame(time, to_grey(frame) if self.colour else frame)
            if time + 1e-6 < next_time:
                if time + 1.0 < next_time - step and not backwards:
                    backwards = True
                    log.warning("%s: timestamps go back from %.1f s to %.1f s; frames before "
                                "the latest time seen are skipped", self.info.path,
                                next_time - step, time)
                continue
            if not retrieved:
                ok, frame = self._capture.retrieve()
            if not ok or frame is None:
                continue
            # The next sample is due one step after this frame's slot; computed, not stepped
            # to, so a timestamp that jumps by 10^9 s costs no more than any other frame.
            next_time = (math.floor((time + 1e-6) / step) + 1) * step
            yielded += 1
            yield _sample(time, to_grey(frame) if self.colour else frame, crop, on_picture)
        if yielded == 0:
            raise self._no_frame()
        # The stream's real end: the last decoded frame's time plus its own duration.
        self.end_time = decode.stream_end(
            time, 1.0 / self.info.fps if self.info.fps > 0 else 0.0,
            self.info.announced_duration)
        self._check_complete(time, self.end_time)

    def _fast_samples(self, sample_fps: float, crop: tuple[float, float, float, float] | None,
                      on_picture: PictureCallback | None,
                      on_frame: decode.FrameCallback | None,
                      dense: decode.DenseGrid | None) -> Iterator[Sample]:
        assert self._fast is not None
        yielded = 0
        for time, grey in self._fast.frames(1.0 / sample_fps, on_frame,
                                            dense if on_frame is not None else None):
            yielded += 1
            yield _sample(time, grey, crop, on_picture)
        self.decoded_by = f"pyav-{self._fast.mode}"
        # the size as shown: a display rotation, known once decoding began, turns it
        self.info = StreamInfo(self.info.path, *astuple(self._fast.geometry()))
        if yielded == 0:
            raise self._no_frame()
        self.end_time = self._fast.end_time
        self._check_complete(self._fast.last_time, self.end_time)

    def colour_thumb(self, width: int, height: int) -> np.ndarray | None:
        """The frame sampled last as a small BGR image, where the decoder keeps its colour
        planes (the fast decoder); None otherwise (OpenCV reads the luma plane only)."""
        return self._fast.colour_thumb(width, height) if self._fast is not None else None

    def _no_frame(self) -> MediaError:
        return MediaError(f"{self.info.path} holds no decodable video frame",
                          "the file may be empty or cut off")

    def _check_complete(self, last_time: float, end_time: float) -> None:
        """Record (``cut_off``) and warn when decoding stopped well before the end the header
        announces (``end_time``: where the decoded video ends)."""
        announced = self.info.announced_duration
        if announced is not None and last_time < announced * TRUNCATION_SHARE - 1.0:
            self.cut_off = (end_time, announced)
            log.warning("%s: %s; only what decoded was used", self.info.path,
                        cut_off_note(self.cut_off))

    def frames_at(self, times: list[float]) -> dict[float, np.ndarray]:
        """The frames shown at the given times (one sequential pass; no seeking, which is
        inexact on many files). Keys are the requested times."""
        if self._fast is not None:  # exact frames need every frame: OpenCV decodes them
            self._fast.close()
            self._fast = None
            self._open_opencv(self.info.path, self.colour)
        wanted = sorted(times)
        found: dict[float, np.ndarray] = {}
        index = 0
        while wanted and self._capture.grab():
            time = self._frame_time(index)
            index += 1
            while wanted and wanted[0] <= time + 1e-6:
                ok, frame = self._capture.retrieve()
                if ok and frame is not None:
                    found[wanted[0]] = frame
                wanted.pop(0)
        return found


def colour_frames(path: str, times: list[float]) -> dict[float, np.ndarray]:
    """A few colour frames by seeking to each time (not decoding from the start); times the
    file cannot give are left out."""
    found: dict[float, np.ndarray] = {}
    with VideoStream(path, colour=True) as stream:
        capture = stream._capture
        for time in sorted(times):
            capture.set(cv2.CAP_PROP_POS_MSEC, max(0.0, time * 1000.0))
            ok, frame = capture.read()
            if ok and frame is not None and frame.ndim == 3:
                found[time] = frame
    return found


def jpeg_bytes(frame: np.ndarray, max_width: int = 480, quality: int = 80) -> bytes:
    """A frame as JPEG bytes, shrunk (area interpolation) to at most ``max_width`` wide."""
    height, width = frame.shape[:2]
    if width > max_width:
        frame = cv2.resize(frame, (max_width, max(1, round(height * max_width / width))),
                           interpolation=cv2.INTER_AREA)
    ok, data = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise MediaError("could not encode a JPEG")
    return bytes(data.tobytes())


def write_jpeg(path: str, frame: np.ndarray, quality: int = 92) -> None:
    """Write a frame as JPEG, atomically (a temporary file renamed into place)."""
    ok, data = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise MediaError(f"could not encode a JPEG for {path}")
    tmp = f"{path}.part"
    with open(tmp, "wb") as handle:
        handle.write(data.tobytes())
    os.replace(tmp, path)


def without_bars(frame: np.ndarray) -> np.ndarray:
    """The picture inside the frame's bars."""
    top, bottom, left, right = border_box(frame)
    return frame[top:bottom, left:right]


def _box_pixels(frame: np.ndarray, box: tuple[float, float, float, float]
                ) -> tuple[int, int, int, int]:
    """A box of shares as pixel bounds, clipped to the frame and at least 8 pixels each way."""
    height, width = frame.shape[:2]

    def span(start: float, end: float, size: int) -> tuple[int, int]:
        first = min(max(0, int(start * size)), max(0, size - 8))
        return first, min(size, max(first + 8, int(end * size)))

    top, bottom = span(box[1], box[3], height)
    left, right = span(box[0], box[2], width)
    return top, bottom, left, right


def to_grey(frame: np.ndarray) -> np.ndarray:
    if frame.ndim == 3:
        return cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    return frame


def shrink(grey: np.ndarray) -> np.ndarray:
    """Grey THUMB_SIZE x THUMB_SIZE uint8 image by area averaging.

    Exact 2x2 halvings (OpenCV's fast integer path) down to under 128 pixels, then one area
    resize: within 0.3 grey levels (mean) of a direct INTER_AREA resize, at a twelfth of its cost.
    """
    small = grey
    while small.shape[0] >= 128 and small.shape[1] >= 128:
        height, width = small.shape[:2]
        even = small[: height // 2 * 2, : width // 2 * 2]
        small = cv2.resize(even, (width // 2, height // 2), interpolation=cv2.INTER_AREA)
    return cv2.resize(small, (THUMB_SIZE, THUMB_SIZE), interpolation=cv2.INTER_AREA)


def _line_std(line: np.ndarray) -> float:
    """The standard deviation of a line's grey levels (OpenCV: one call, a tenth of numpy's
    cost on a strided line; both agree to within rounding)."""
    return float(cv2.meanStdDev(line)[1][0, 0])


def _bar_lines(lines: np.ndarray) -> int:
    """How many leading lines (rows of ``lines``) are a constant bar, possibly with text on it."""
    limit = int(len(lines) * _MAX_BORDER_SHARE)
    if _line_std(lines[0]) > _BAR_EDGE_STD:
        return 0
    level = float(np.median(lines[0]))
    near = (np.abs(lines[:limit + 1] - level) <= _BAR_TOLERANCE).mean(axis=1) >= _BAR_SHARE
    count = int(np.argmin(near)) if not near.all() else len(near)
    return count if count <= limit else 0


@functools.lru_cache(maxsize=32)
def _band_candidates(height: int, width: int) -> tuple[tuple[int, int], ...]:
    """(top, bottom) of the centred bands of standard aspect ratios a probe shape can hold."""
    candidates = []
    for aspect in _BAND_ASPECTS:
        size = int(round(width / aspect))
        top = (height - size) // 2
        if 0.2 * height < size < 0.9 * height and top >= 3:
            candidates.append((top, top + size))
    return tuple(candidates)


def _line_steps(grey: np.ndarray, columns: bool) -> np.ndarray:
    """Mean |difference| between neighbouring lines of the probe (every _PROBE_STEP-th pixel of
    ``grey``): its rows, or its columns when ``columns``. The differences are taken on whole
    rows of the frame, without copying the probe's strided view, and only the probe's own
    columns summed. Integer sums over the count: the values numpy's mean over the probe gives,
    at a third of its cost or less."""
    step = _PROBE_STEP
    rows, width = -(-grey.shape[0] // step), grey.shape[1]
    if width % step:  # the frame's last column is a probe column: work on a copy of the probe
        probe = np.ascontiguousarray(grey[::step, ::step].T if columns else grey[::step, ::step])
        diff = cv2.absdiff(probe[1:], probe[:-1])
        return cv2.reduce(diff, 1, cv2.REDUCE_SUM, dtype=cv2.CV_32S)[:, 0] / diff.shape[1]
    if columns:
        diff = cv2.absdiff(grey[::step, step:], grey[::step, :-step])
        return cv2.reduce(diff, 0, cv2.REDUCE_SUM, dtype=cv2.CV_32S)[0, ::step] / rows
    diff = cv2.absdiff(grey[step:step * rows:step], grey[:step * (rows - 1):step])
    sums = diff.reshape(rows - 1, width // step, step)[:, :, 0].sum(axis=1, dtype=np.int64)
    return sums / (width // step)


def _blurred_band(grey: np.ndarray, columns: bool = False) -> tuple[int, int]:
    """(first, last + 1) rows of the probe of a centred picture band between blurred bars, or
    (0, 0); columns instead of rows when ``columns``."""
    height, width = -(-grey.shape[0] // _PROBE_STEP), -(-grey.shape[1] // _PROBE_STEP)
    if columns:
        height, width = width, height
    candidates = _band_candidates(height, width)
    if not candidates:
        return 0, 0
    steps = _line_steps(grey, columns)
    typical = float(np.median(steps)) + 0.5
    best, band = 0.0, (0, 0)
    for top, bottom in candidates:
        strength = min(steps[top - 3:top + 2].max(), steps[bottom - 3:bottom + 2].max()) / typical
        if strength >= _BAND_EDGE_RATIO and strength > best:
            edge_top = top - 3 + int(np.argmax(steps[top - 3:top + 2])) + 1
            edge_bottom = bottom - 3 + int(np.argmax(steps[bottom - 3:bottom + 2])) + 1
            best, band = strength, (edge_top, edge_bottom)
    return band


def _roughness(grey: np.ndarray, first: int, last: int) -> float:
    """Mean |step| between neighbouring rows of the probe (every _PROBE_STEP-th pixel of
    ``grey``) over its columns ``first`` to ``last``. The steps are taken on whole rows of the
    frame (no copy of a strided view) and the probe's columns summed as one channel of them."""
    count = last - first
    block = grey[::_PROBE_STEP, first * _PROBE_STEP:last * _PROBE_STEP]
    if block.shape[1] != count * _PROBE_STEP:  # the frame's last column is a probe column
        block = grey[::_PROBE_STEP, ::_PROBE_STEP][:, first:last]
        steps = cv2.absdiff(block[1:], block[:-1])  # exact on uint8: no wrap-around
        return int(steps.sum()) / max(1, steps.size)
    steps = cv2.absdiff(block[1:], block[:-1])
    total = cv2.sumElems(steps.reshape(steps.shape[0], count, _PROBE_STEP))[0]
    return total / max(1, steps.shape[0] * count)


def _smooth_sides(grey: np.ndarray) -> bool:
    """Whether the outer 6 % of the probe's columns on both sides are much smoother than the
    middle (the right side is not measured when the left one is not)."""
    cols = -(-grey.shape[1] // _PROBE_STEP)
    side = max(2, cols * 6 // 100)
    limit = SIDE_SMOOTHNESS * (_roughness(grey, cols // 2 - side, cols // 2 + side) + 0.5)
    return _roughness(grey, 0, side) < limit and _roughness(grey, cols - side, cols) < limit


def border_box(frame: np.ndarray) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) of the picture inside constant bars, in frame pixels.

    Falls back to the whole frame when what is left would be under 8 pixels either way.
    """
    # A view of every _PROBE_STEP-th pixel, not a copy: each check converts only the lines it
    # reads (most frames are settled by their four outermost lines and three column strips).
    grey = to_grey(frame)
    probe = grey[::_PROBE_STEP, ::_PROBE_STEP]
    rows, cols = probe.shape
    top = bottom = left = right = 0
    if rows > cols:
        first, end = _blurred_band(grey)
        top, bottom = (first, rows - end) if end else (0, 0)
    elif cols > rows and _smooth_sides(grey):
        first, end = _blurred_band(grey, columns=True)
        left, right = (first, cols - end) if end else (0, 0)
    if not (top or bottom):
        top, bottom = _bar_lines(probe), _bar_lines(probe[::-1])
    if not (left or right):
        left, right = _bar_lines(probe.T), _bar_lines(probe.T[::-1])
    step = _PROBE_STEP
    height, width = frame.shape[:2]
    box = (top * step, height - bottom * step, left * step, width - right * step)
    if box[1] - box[0] < 8 or box[3] - box[2] < 8:
        return 0, height, 0, width
    return box


def quiet_decoder_logs() -> None:
    """Keep FFmpeg's and OpenCV's own log lines (``[mp3 @ 0x...] Failed to find two consecutive
    MPEG audio frames`` for a file that is not a video) off the terminal: our errors say what
    went wrong. OpenCV reads the FFmpeg level when it first opens a file, so call this early."""
    os.environ["OPENCV_FFMPEG_LOGLEVEL"] = "-8"  # AV_LOG_QUIET
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)


def evenly_spread(length: int, count: int) -> np.ndarray:
    """Indices of at most ``count`` of ``length`` items, evenly spread from the first to the
    last (every index when there are no more than ``count``)."""
    return np.unique(np.linspace(0, length - 1, min(length, count)).astype(int))


def resized(grey: np.ndarray, width: int, height: int) -> np.ndarray:
    """A grey image at exactly width x height (area interpolation when shrinking)."""
    shrinking = width <= grey.shape[1] and height <= grey.shape[0]
    return cv2.resize(grey, (width, height),
                      interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR)


def saturation(frame: np.ndarray) -> float:
    """Mean HSV saturation (0-255) of a BGR frame; 0 for a grey one."""
    if frame.ndim != 3:
        return 0.0
    return float(cv2.cvtColor(frame, cv2.COLOR_BGR2HSV)[..., 1].mean())
