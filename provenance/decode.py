"""The fast decoder for fingerprints: the only module that imports PyAV (FFmpeg's libraries).

A fingerprint samples a few frames a second, so most of a full decode is spent on frames that are
never sampled. The demuxer reads a few packets ahead of the decoder, so each frame's presentation
time and its neighbours' are known before it is decoded, hence whether a full decode would sample
it. Frames nothing is predicted from (non-reference frames, ``skip_frame = NONREF``) that no
sample needs are not decoded; everything else is, so the samples are the very frames, bit for
bit, that decoding every frame gives. In H.264, frames that only frames before the next IDR
keyframe depend on (the tail of a group of pictures after its last sample) are not decoded either:
an IDR picture starts afresh, so nothing after it can tell. Frames are handed over as the luma
plane, without colour conversion, turned upright as a player shows them where the file asks for a
display rotation (phones record sideways and say so), as OpenCV's decoder does.

As a safety net (timestamps that lie, reordering deeper than the look-ahead), every sample is
checked against the frame a full decode would give; past ``SKIP_TOLERANCE_SHARE`` of the
sampling step the decoder seeks back to the keyframe before that instant and decodes every frame
from there on.

Times are presentation timestamps, (pts - stream start) x time base: never index over fps.
"""

from __future__ import annotations

import bisect
import itertools
import logging
import math
import os
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import av
import av.logging
import cv2
import numpy as np

from .errors import MediaError

log = logging.getLogger(__name__)

# A sample may come from a decoded frame at most this share of the sampling step (0.25 s at
# 4 samples/s, so 0.05 s) away from the frame a full decode samples; else frames are no longer
# skipped. benchmarks/fingerprint_robustness.py (fast against full decode of the same files):
# displacements up to one 30 fps frame (0.033 s) move the scene hash by a median 0 bits.
SKIP_TOLERANCE_SHARE = 0.2
# FFmpeg's skip_loop_filter, left at "default" (deblock every frame) so samples stay the full
# decode's frames bit for bit. "all" saves 15-25 % of the decode's CPU but moves the hashes:
# applied only to streams where nothing can be skipped (car-detection: every frame a reference,
# the error drifts to the next keyframe), its aligned distance to its own edited copies went
# from p95 2-4 to 6-8 bits (scene) and 19-28 to 30-34 (motion), and the robustness table's gaps
# lost up to 2 bits (pHash) and 4 (motion hash): more than the 1 bit the fast decoder may cost.
# "noref"/"bidir" save only on sampled B frames. benchmarks/README.md, "Fast decoder".
SKIP_LOOP_FILTER = "default"
# Decoding threads. Threads never lower the CPU a decode costs, and CPU is what an archive pays
# (files are decoded side by side instead). PyAV's default (slice threads, one more than the
# cores) gives the same frames; on streams of one slice a frame (the shared footage, x264's
# default) it costs the same CPU and wall time, on a 1080p stream of 4 slices a frame 4-8 % more
# CPU for 4-12 % less wall time; frame threads cost 10-35 % more CPU. benchmarks/README.md,
# "Fourth round" (`fingerprint_speed.py --threads`).
DECODER_THREADS = 1
# Pixel formats whose first plane is the 8-bit luma picture, handed over without conversion.
_LUMA_FIRST = {"yuv420p", "yuvj420p", "yuv422p", "yuvj422p", "yuv444p", "yuvj444p", "nv12",
               "nv21", "yuv411p", "yuv440p", "yuvj440p", "gray", "yuva420p"}
_EPS = 1e-6
# Packets read ahead of the decoder to know each frame's neighbours in presentation order: B-frame
# pyramids reorder by at most 4-8 frames (x264's maximum is 16 B frames).
_LOOKAHEAD = 24
_KEEP = 256
# H.264 NAL unit types (ITU-T H.264, table 7-1). A packet is left undecoded before an IDR picture
# only when it holds nothing but coded slices (1: non-IDR picture, 5: IDR picture), access unit
# delimiters (9) and filler (12): parameter sets and SEI messages can outlast the IDR picture.
_H264_IDR = 5
_H264_DROPPABLE = frozenset({1, 5, 9, 12})
_ANNEX_B_START = b"\x00\x00\x01"


# (time, luma plane) of a decoded frame.
FrameCallback = Callable[[float, np.ndarray], None]


@dataclass(frozen=True)
class Geometry:
    """What the container says: frame size, average rate and frame count (0 when unknown)."""

    width: int
    height: int
    fps: float
    frame_count: int


class _TooFar(Exception):
    """A sample would be more than the tolerance away from a full decode's; carries its time."""

    def __init__(self, target: float) -> None:
        super().__init__(target)
        self.target = target


class _Picker:
    """Chooses a decoded frame for each sampling instant, as a full decode would.

    A full decode samples the first frame at or after each instant of the grid, then moves the
    grid past it. Here some frames are never decoded, but the demuxer still sees every packet's
    time, so the frame a full decode would pick (the target) is known; the decoded frame nearest
    to it is picked, and raises _TooFar beyond the tolerance.
    """

    def __init__(self, step: float, tolerance: float, dense: DenseGrid | None = None) -> None:
        self.step, self.tolerance = step, tolerance
        # The samples' grid, and a denser one whose frames are decoded too (never picked).
        self.grids = [DenseGrid(step)] + ([dense] if dense is not None else [])
        self.instant = 0.0
        self.last = -math.inf
        self.previous: tuple[float, Any] | None = None
        self.packet_times: list[float] = []
        # Once every frame is decoded, a frame that does not come out (damaged) is simply
        # missing, as it is for a full decode: the next one is sampled, nothing is raised.
        self.strict = True

    def seen(self, time: float) -> None:
        if time + _EPS >= self.instant:
            self.packet_times.append(time)

    def sampled(self, time: float | None, known: list[float]) -> bool:
        """Whether a full decode samples the frame shown at ``time``: some instant of the grid
        falls after the frame before it (``known`` holds the times seen, sorted)."""
        if time is None:
            return True
        index = bisect.bisect_left(known, time - _EPS)
        before = known[index - 1] if index > 0 else -math.inf
        return any(grid.needs(time, before) for grid in self.grids)

    def _target(self, time: float) -> float:
        ahead = [t for t in self.packet_times if self.instant - _EPS <= t <= time + _EPS]
        return min(ahead) if ahead else time

    def offer(self, time: float, frame: Any) -> list[tuple[float, Any]]:
        picks: list[tuple[float, Any]] = []
        if time <= self.last + _EPS:  # never step back in time (reordered or repeated stamps)
            return picks
        while time + _EPS >= self.instant:
            target = self._target(time)
            chosen = (time, frame)
            if self.previous is not None and target - self.previous[0] < time - target:
                chosen = self.previous
            if self.strict and abs(chosen[0] - target) > self.tolerance + _EPS:
                raise _TooFar(target)
            picks.append(chosen)
            self.last, self.previous = chosen[0], None
            self.instant = self.step * (math.floor((target + _EPS) / self.step) + 1)
            self.packet_times = [t for t in self.packet_times if t + _EPS >= self.instant]
            if chosen[0] == time:
                return picks
        self.previous = (time, frame)
        return picks

    def finish(self) -> list[tuple[float, Any]]:
        """At the end of the stream, the samples a full decode takes from frames that never
        came out (only when timestamps lied about which frames samples need): the last decoded
        frame where it is within the tolerance, else _TooFar."""
        picks: list[tuple[float, Any]] = []
        while self.strict:
            ahead = [t for t in self.packet_times if t + _EPS >= self.instant]
            if not ahead:
                break
            target = min(ahead)
            if self.previous is None or abs(self.previous[0] - target) > self.tolerance + _EPS:
                raise _TooFar(target)
            picks.append(self.previous)
            self.last, self.previous = self.previous[0], None
            self.instant = self.step * (math.floor((target + _EPS) / self.step) + 1)
        return picks

    def restart(self) -> None:
        """Forget what the demuxer saw (it will see it again after a seek); from now on every
        frame is decoded."""
        self.previous, self.packet_times, self.strict = None, [], False


class DenseGrid:
    """A grid of instants ``step`` apart whose frames are kept (the first frame at or after
    each), all along the video or, with a ``period``, only in the first ``window`` seconds of
    each period (a long video's budget)."""

    def __init__(self, step: float, period: float | None = None, window: float = 0.0) -> None:
        self.step, self.period, self.window = step, period, window
        self.cell = -math.inf

    def stop(self) -> None:
        """No instant is active from now on."""
        self.period, self.window = 1.0, 0.0

    def _active(self, cell: int) -> bool:
        return self.period is None or (cell * self.step) % self.period < self.window

    def needs(self, time: float, before: float) -> bool:
        """Whether the frame at ``time`` (the one before it at ``before``) is the first after
        an active instant of the grid."""
        cell = math.floor((time + _EPS) / self.step)
        while cell >= 0 and cell * self.step > before + _EPS:
            if self._active(cell):
                return True
            cell -= 1
        return False

    def first_in_cell(self, time: float) -> bool:
        """Whether a frame is the first at ``time`` or later in an active cell (in order; a frame
        decoded again after a seek is not)."""
        cell = math.floor((time + _EPS) / self.step)
        if cell <= self.cell or not self._active(cell):
            return False
        self.cell = cell
        return True


# Planar 4:2:0 formats whose planes are read directly for a colour thumb.
_PLANAR_420 = ("yuv420p", "yuvj420p")


def _plane(frame: Any, number: int) -> np.ndarray:
    plane = frame.planes[number]
    return np.frombuffer(plane, np.uint8).reshape(-1, plane.line_size)[: plane.height,
                                                                        : plane.width]


def _every_nth_pixel(frame: Any, step: int) -> np.ndarray:
    """A 4:2:0 frame as a BGR image of every ``step``-th pixel, read from its planes (swscale
    took 0.45 ms a frame to shrink it, a tenth of decoding it; this takes a few microseconds).
    A sample of the pixels, not their average: a mean saturation over it is the frame's."""
    luma_plane = _plane(frame, 0)[::step, ::step]
    u, v = _plane(frame, 1)[::step, ::step], _plane(frame, 2)[::step, ::step]
    height = min(luma_plane.shape[0], 2 * u.shape[0]) // 2 * 2
    width = min(luma_plane.shape[1], 2 * u.shape[1]) // 2 * 2
    if height < 2 or width < 2:
        return np.asarray(frame.to_ndarray(format="bgr24"))
    i420 = np.concatenate([luma_plane[:height, :width].ravel(),
                           u[:height // 2, :width // 2].ravel(),
                           v[:height // 2, :width // 2].ravel()]).reshape(height * 3 // 2, width)
    return cv2.cvtColor(i420, cv2.COLOR_YUV2BGR_I420)


def quarter_turns(rotation: float | None) -> int:
    """Quarter turns counterclockwise (``np.rot90``'s k) that show a frame upright, from its
    display matrix's rotation (PyAV's ``frame.rotation``, degrees counterclockwise); a rotation
    between quarter turns is rounded to the nearest (players show only these)."""
    return round((rotation or 0.0) / 90.0) % 4


_ROTATE = {1: cv2.ROTATE_90_COUNTERCLOCKWISE, 2: cv2.ROTATE_180, 3: cv2.ROTATE_90_CLOCKWISE}


def upright(picture: np.ndarray, turns: int) -> np.ndarray:
    """``picture`` turned ``turns`` quarter turns counterclockwise (contiguous, as OpenCV's
    functions need; the pixels of ``np.rot90``)."""
    return cv2.rotate(picture, _ROTATE[turns]) if turns else picture


def luma(frame: Any) -> np.ndarray:
    """The frame's 8-bit grey picture: the luma plane itself where the format has one."""
    if frame.format.name in _LUMA_FIRST:
        return _plane(frame, 0)
    return np.asarray(frame.to_ndarray(format="gray"))


def _reason(path: str, exc: Exception) -> str:
    """Why FFmpeg could not open ``path``, as a person reads it (PyAV's text repeats the path
    after FFmpeg's error number)."""
    if os.path.isfile(path) and os.path.getsize(path) == 0:
        return "the file is empty"
    return getattr(exc, "strerror", None) or str(exc)


def nal_types(packet: Any, length_size: int) -> set[int]:
    """The H.264 NAL unit types in a packet: length-prefixed units (MP4's avcC: ``length_size``
    bytes each) or, when ``length_size`` is 0, Annex B start codes (MPEG-TS, raw streams). A
    malformed packet gives -1 among them."""
    types: set[int] = set()
    if length_size:
        data = memoryview(packet)
        pos, end = 0, len(data)
        while pos + length_size < end:
            size = int.from_bytes(data[pos:pos + length_size], "big")
            types.add(data[pos + length_size] & 0x1F)
            pos += length_size + size
        if pos != end:
            types.add(-1)
        return types
    raw = bytes(packet)
    pos = raw.find(_ANNEX_B_START)
    while 0 <= pos < len(raw) - 3:
        types.add(raw[pos + 3] & 0x1F)
        pos = raw.find(_ANNEX_B_START, pos + 3)
    return types or {-1}


def _h264_nal_length(codec: Any) -> int | None:
    """How H.264 packets delimit their NAL units: the length prefix's size (avcC extradata),
    0 for Annex B start codes; None for other codecs (no packet is left undecoded)."""
    if codec.name != "h264":
        return None
    extra = codec.extradata or b""
    return (extra[4] & 3) + 1 if len(extra) >= 7 and extra[0] == 1 else 0


class FastDecoder:
    """One open video file, decoded for sampling. ``mode`` says what was decoded: "nonref"
    (frames no sample needs were skipped: non-reference ones, and in H.264 those only frames
    before the next IDR picture depend on) or "full" (every frame: nothing could be skipped, or
    skipping stopped part way)."""

    def __init__(self, path: str) -> None:
        self.path = path
        if log.isEnabledFor(logging.DEBUG):  # --debug: FFmpeg's own lines, as FFmpeg prints
            av.logging.restore_default_callback()  # them (PyAV keeps them quiet otherwise)
        try:
            self._container = av.open(path, metadata_errors="ignore")
        except (av.FFmpegError, OSError, UnicodeDecodeError) as exc:
            raise MediaError(f"{path} is not a video FFmpeg can decode ({_reason(path, exc)})",
                             "check the file is a complete video (mp4, webm, mkv, mov...)"
                             ) from None
        if not self._container.streams.video:
            self._container.close()
            raise MediaError(f"{path} holds no video stream",
                             "the file may be audio only, empty or cut off")
        self._use_stream()
        self._nal_length = _h264_nal_length(self._stream.codec_context)
        self.mode = "nonref"
        self.last_time = 0.0
        self.last_packet_time = 0.0  # the latest presentation time demuxed, decoded or not
        self.packets = self.decoded = 0
        self.dropped = 0  # packets never handed to the decoder (before an IDR picture)
        self.picked: Any = None  # the frame sampled last (its colour planes: colour_thumb)
        # Quarter turns that show the frames upright (the first decoded frame's display
        # rotation; known once decoding starts: learning it before would cost decoding a frame,
        # 4-8 ms a file, 4-8 % of fingerprinting a 12 s repost of the shared footage).
        self.turns = 0

    def close(self) -> None:
        self._container.close()

    def geometry(self) -> Geometry:
        """The frame size as shown (turned upright once decoding has told how), the rate and
        the frame count."""
        stream, codec = self._stream, self._stream.codec_context
        rate = stream.average_rate or stream.guessed_rate
        fps = float(rate) if rate else 0.0
        count = int(stream.frames or 0)
        if count <= 0 and fps > 0 and self._container.duration:
            count = int(self._container.duration / av.time_base * fps + 0.5)
        width, height = int(codec.width), int(codec.height)
        if self.turns % 2:
            width, height = height, width
        return Geometry(width=width, height=height, fps=fps, frame_count=count)

    def _use_stream(self) -> None:
        """Decode the container's first video stream, on DECODER_THREADS threads."""
        self._stream = self._container.streams.video[0]
        self._stream.codec_context.thread_count = DECODER_THREADS
        self._clock()

    def _clock(self) -> None:
        """The stream's time base as integers: (pts - start) x num / den in integer arithmetic
        then one correctly rounded division (Fraction arithmetic per frame costs 10 us)."""
        base = self._stream.time_base
        self._num, self._den = (base.numerator, base.denominator) if base else (1, 1)
        self._start = self._stream.start_time or 0
        rate = self._stream.average_rate or self._stream.guessed_rate
        self._frame_step = 1.0 / float(rate) if rate else 0.04
        length = self._stream.duration
        self._announced_end = length * self._num / self._den if length and length > 0 else None

    @property
    def end_time(self) -> float:
        """The stream's real end as far as it was read (``stream_end`` after the last frame's
        presentation time, skipped frames included)."""
        return stream_end(max(self.last_time, self.last_packet_time), self._frame_step,
                          self._announced_end)

    def _seconds(self, pts: int | None) -> float | None:
        return None if pts is None else (pts - self._start) * self._num / self._den

    def _time(self, frame: Any, fallback: float) -> float:
        time = self._seconds(frame.pts)
        return fallback if time is None else time

    def _packet_time(self, packet: Any) -> float | None:
        return self._seconds(packet.pts)

    def frames(self, step: float, on_frame: FrameCallback | None = None,
               dense: DenseGrid | None = None) -> Iterator[tuple[float, np.ndarray]]:
        """(time, luma plane) of the frame sampled at each instant of a ``step`` grid.
        ``on_frame`` sees the first frame in each active cell of the ``dense`` grid (decoded for
        it if no sample needs it), in presentation order; every decoded frame without one."""
        codec = self._stream.codec_context
        codec.options = {"skip_loop_filter": SKIP_LOOP_FILTER}
        codec.skip_frame = "NONREF"
        picker = _Picker(step, SKIP_TOLERANCE_SHARE * step, dense)
        seek_to: float | None = None
        while True:
            try:
                for time, frame in self._decoded(picker, seek_to):
                    if on_frame is not None and (dense is None or dense.first_in_cell(time)):
                        on_frame(time, self._upright_luma(frame))
                    for pick_time, picked in picker.offer(time, frame):
                        self.picked = picked  # for colour_thumb
                        yield pick_time, self._upright_luma(picked)
                for pick_time, picked in picker.finish():
                    self.picked = picked
                    yield pick_time, self._upright_luma(picked)
                if self.decoded >= self.packets:  # nothing was skipped after all
                    self.mode = "full"
                return
            except _TooFar as too_far:
                log.debug("%s: sample at %.3f s too far from decoded frames; decoding every "
                          "frame from there", self.path, too_far.target)
                codec.skip_frame = "DEFAULT"
                self.mode = "full"
                picker.restart()
                seek_to = too_far.target

    def _upright_luma(self, frame: Any) -> np.ndarray:
        return upright(luma(frame), self.turns)

    def colour_thumb(self, width: int, height: int) -> np.ndarray | None:
        """The frame sampled last as a small BGR image, upright: shrunk by swscale in YUV
        4:2:0 and converted by OpenCV (swscale's own conversion to BGR dithers: grey frames
        measured a saturation of 4-6 instead of 0)."""
        if self.picked is None:
            return None
        if self.turns % 2:  # the stored frame is on its side
            width, height = height, width
        if self.picked.format.name in _PLANAR_420:
            thumb = _every_nth_pixel(self.picked, max(1, round(self.picked.width / width)))
        else:
            width, height = max(2, width - width % 2), max(2, height - height % 2)
            small = self.picked.reformat(width=width, height=height, format="yuv420p")
            thumb = cv2.cvtColor(np.asarray(small.to_ndarray()), cv2.COLOR_YUV2BGR_I420)
        return upright(thumb, self.turns)

    def _decoded(self, picker: _Picker, seek_to: float | None) -> Iterator[tuple[float, Any]]:
        """Decoded frames with their times, from the keyframe before ``seek_to`` if given."""
        if seek_to is not None:
            self._seek(seek_to)
        fallback = 0.0
        first = True
        for packet in self._packets(picker):
            try:
                decoded = packet.decode()
            except av.FFmpegError as exc:  # one damaged packet: the decoder carries on
                log.debug("%s: packet not decoded (%s)", self.path, exc)
                continue
            for frame in decoded:
                fallback = self._time(frame, fallback)
                if first and seek_to is not None and fallback > seek_to + _EPS:
                    # Seeking missed (no index): start again from the beginning.
                    self._reopen()
                    yield from self._decoded(picker, None)
                    return
                if self.decoded == 0:
                    self.turns = quarter_turns(frame.rotation)
                first = False
                self.decoded += 1
                self.last_time = max(self.last_time, fallback)
                yield fallback, frame
                fallback += self._frame_step  # for a frame without a timestamp

    def _packets(self, picker: _Picker) -> Iterator[Any]:
        """Demuxed packets, each with the decoder told whether to decode it if nothing depends
        on it: only when a full decode would sample it. That is known from the presentation
        times around it, read _LOOKAHEAD packets ahead (further than any decoder reorders)."""
        codec = self._stream.codec_context
        ahead: deque[tuple[Any, float | None]] = deque()
        known: list[float] = []  # presentation times seen, sorted (the latest _KEEP)
        demuxed = self._container.demux(self._stream)
        ended = False
        current: bool | None = None
        dropping = 0  # packets still to leave undecoded before an IDR picture
        while ahead or not ended:
            while not ended and len(ahead) <= _LOOKAHEAD:
                try:
                    packet = next(demuxed)
                except StopIteration:
                    ended = True
                    break
                except av.FFmpegError as exc:  # the container breaks off: keep what decoded
                    log.debug("%s: demuxing stopped (%s)", self.path, exc)
                    ended = True
                    break
                time = self._packet_time(packet)
                if time is not None:
                    self.last_packet_time = max(self.last_packet_time, time)
                    picker.seen(time)
                    bisect.insort(known, time)
                    del known[:-_KEEP]
                ahead.append((packet, time))
                self.packets += packet.size > 0
            packet, time = ahead.popleft()
            if self.mode == "nonref":
                if dropping:
                    dropping -= 1
                    self.dropped += 1
                    continue
                needed = picker.sampled(time, known)
                if not needed:
                    run = self._run_to_refresh(packet, ahead, picker, known, ended)
                    if run is not None:
                        dropping = run
                        self.dropped += 1
                        continue
                if needed != current:
                    codec.skip_frame = "DEFAULT" if needed else "NONREF"
                    current = needed
            yield packet

    def _run_to_refresh(self, packet: Any, ahead: deque[tuple[Any, float | None]],
                        picker: _Picker, known: list[float], ended: bool) -> int | None:
        """When ``packet`` and every packet after it up to an IDR picture (or the end of the
        stream) are frames no sample needs, holding nothing but coded slices: how many of those
        after it are left undecoded with it; else None. Nothing decoded depends on them: an IDR
        picture refers to no earlier frame, nor does anything after it."""
        if self._nal_length is None:
            return None
        run: int | None = len(ahead) if ended else None
        for count, (later, later_time) in enumerate(ahead):
            if later.size == 0:  # the demuxer's closing packets, or a gap mid-stream
                if not (ended and all(rest.size == 0 for rest, _ in
                                      itertools.islice(ahead, count, None))):
                    return None
                run = count
                break
            if later.is_keyframe and self._idr(later):
                run = count
                break
            if picker.sampled(later_time, known):
                return None  # the common case, told without reading the packets
        if run is None or not self._droppable(packet):
            return None
        if not all(self._droppable(later) for later, _ in itertools.islice(ahead, run)):
            return None
        return run

    def _droppable(self, packet: Any) -> bool:
        assert self._nal_length is not None
        return packet.size > 0 and nal_types(packet, self._nal_length) <= _H264_DROPPABLE

    def _idr(self, packet: Any) -> bool:
        assert self._nal_length is not None
        return _H264_IDR in nal_types(packet, self._nal_length)

    def _seek(self, time: float) -> None:
        offset = self._start + int(time * self._den / self._num)
        try:
            self._container.seek(offset, stream=self._stream, backward=True, any_frame=False)
        except av.FFmpegError:
            self._reopen()

    def _reopen(self) -> None:
        options = self._stream.codec_context.options
        self._container.close()
        self._container = av.open(self.path, metadata_errors="ignore")
        self._use_stream()
        self._stream.codec_context.options = options
        self._stream.codec_context.skip_frame = "DEFAULT"


def stream_end(last: float, step: float, announced: float | None) -> float:
    """Where a stream whose last frame is shown at ``last`` ends: a frame's average duration
    (``step``) after it, or the end its header gives (``announced``) where that lies between
    the two (4 frames over 10 hours average 9,000 s a frame while the header ends the last
    1 s after it: 12.5 h had been reported; a header ending it before the last frame is not
    believed)."""
    if announced is not None and last < announced < last + step:
        return announced
    return last + step


def has_sound(path: str) -> bool:
    """Whether the file declares a sound stream: its headers only (1.5-3 ms, against 13 ms for
    starting the ffmpeg that reads the sound). True when the headers cannot be read, so the
    sound reader decides as before."""
    try:
        with av.open(path, metadata_errors="ignore") as container:
            return bool(container.streams.audio)
    except (av.FFmpegError, OSError, UnicodeDecodeError):
        return True
