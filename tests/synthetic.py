"""Synthetic CCTV-style footage for tests, the bundled samples and benchmarks.

A fixed camera over a textured static scene, figures walking along seeded random paths (so what
happens never repeats), sensor noise and a burned-in date/time overlay. Everything is a pure
function of (seed, time), so a test can make the "same moment" twice and know the truth.
Written with the ffmpeg binary that the imageio-ffmpeg wheel ships (no system ffmpeg).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import cv2
import numpy as np

from provenance.geometry import screen_corners

Frame = np.ndarray


@dataclass(frozen=True)
class Walker:
    start: float
    duration: float
    points: np.ndarray
    colour: tuple[int, int, int]
    size: float


class CCTVScene:
    """A fixed camera's view: ``frame(t)`` is the picture at ``t`` seconds into the recording."""

    def __init__(self, seed: int, width: int = 640, height: int = 360, label: str = "CAM 1",
                 clock_start: datetime | None = None, walkers_per_minute: float = 14.0,
                 length: float = 600.0, clock: bool = True) -> None:
        """``clock``: the label is followed by the camera's date and time (its clock)."""
        self.width, self.height, self.label, self.clock = width, height, label, clock
        self.clock_start = clock_start or datetime(2015, 9, 16, 2, 13, 0)
        rng = np.random.default_rng(seed)
        self.background = self._background(rng)
        # Sensor noise: a small bank of frames picked by time (cheaper than drawing per frame).
        self._noise = [rng.integers(0, 6, (height, width, 3), dtype=np.uint8) for _ in range(7)]
        count = max(1, int(walkers_per_minute * length / 60.0))
        self.walkers = [self._walker(rng, length) for _ in range(count)]

    def _background(self, rng: np.random.Generator) -> Frame:
        h, w = self.height, self.width
        tint = rng.uniform(0.85, 1.15, 3)
        ramp = np.linspace(0, 1, h)[:, None, None]
        wall, floor = rng.uniform(90, 170), rng.uniform(50, 120)
        horizon = int(h * rng.uniform(0.3, 0.45))
        image = np.where(np.arange(h)[:, None, None] < horizon, wall, floor + 40 * ramp)
        image = image * np.ones((h, w, 3)) * tint
        vanish = (int(rng.uniform(0.3, 0.7) * w), horizon)
        for x in np.linspace(-w, 2 * w, int(rng.integers(7, 13))):
            cv2.line(image, vanish, (int(x), h), (floor * 0.7,) * 3, 2)
        for _ in range(int(rng.integers(6, 12))):
            x0 = int(rng.integers(0, w))
            y0 = int(rng.integers(0, max(1, horizon - 20)))
            x1 = x0 + int(rng.integers(20, w // 4))
            y1 = min(horizon, y0 + int(rng.integers(20, h // 3)))
            shade = rng.uniform(30, 220)
            colour = [float(shade * t) for t in rng.uniform(0.8, 1.2, 3)]
            cv2.rectangle(image, (x0, y0), (x1, y1), colour, -1)
            cv2.rectangle(image, (x0, y0), (x1, y1), (20, 20, 20), 1)
        for _ in range(int(rng.integers(2, 5))):
            x0, y0 = int(rng.integers(0, w)), int(rng.integers(horizon, h))
            size = int(rng.integers(15, 60))
            colour = [float(c) for c in rng.uniform(40, 200, 3)]
            cv2.rectangle(image, (x0, y0), (x0 + size * 2, y0 + size), colour, -1)
        texture = rng.normal(0, 8, (h // 4, w // 4, 1))
        image += cv2.resize(texture, (w, h), interpolation=cv2.INTER_LINEAR)[..., None]
        return np.clip(image, 0, 255).astype(np.uint8)

    def _walker(self, rng: np.random.Generator, length: float) -> Walker:
        w, h = self.width, self.height
        points = np.column_stack([rng.uniform(-0.1 * w, 1.1 * w, 4),
                                  rng.uniform(0.25 * h, 0.95 * h, 4)])
        red, green, blue = (int(c) for c in rng.integers(0, 255, 3))
        colour = (red, green, blue)
        return Walker(start=float(rng.uniform(-20, length)), duration=float(rng.uniform(8, 20)),
                      points=points, colour=colour, size=float(rng.uniform(0.12, 0.22) * h))

    def _position(self, walker: Walker, t: float) -> tuple[float, float] | None:
        u = (t - walker.start) / walker.duration
        if not 0.0 <= u <= 1.0:
            return None
        segment = min(int(u * (len(walker.points) - 1)), len(walker.points) - 2)
        local = u * (len(walker.points) - 1) - segment
        p = walker.points[segment] * (1 - local) + walker.points[segment + 1] * local
        return float(p[0]), float(p[1])

    def frame(self, t: float) -> Frame:
        image = self.background.copy()
        for walker in self.walkers:
            position = self._position(walker, t)
            if position is None:
                continue
            x, y = position
            size = walker.size * (0.6 + 0.4 * y / self.height)
            sway = math.sin(t * 6.0 + walker.start) * size * 0.08
            body = (int(x + sway), int(y - size * 0.45))
            cv2.ellipse(image, body, (int(size * 0.16), int(size * 0.38)), 0, 0, 360,
                        walker.colour, -1)
            cv2.circle(image, (int(x), int(y - size * 0.95)), int(size * 0.12),
                       (190, 170, 150), -1)
        noise = self._noise[int(t * 1000) % len(self._noise)]
        image = cv2.add(image, noise, dtype=cv2.CV_8U)
        image = cv2.subtract(image, self._noise[(int(t * 1000) + 3) % len(self._noise)])
        stamp = self.clock_start + timedelta(seconds=t)
        text = f"{self.label}  {stamp:%Y-%m-%d %H:%M:%S}" if self.clock else self.label
        cv2.putText(image, text, (10, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (255, 255, 255), 2,
                    cv2.LINE_AA)
        return image


class PlainRoad(CCTVScene):
    """A fixed camera over a texture-poor view (issue #11's plain road): flat asphalt with a
    gentle gradient and dashed lane markings, nothing else for keypoints to hold on to; the
    figures crossing it are the traffic."""

    def _background(self, rng: np.random.Generator) -> Frame:
        h, w = self.height, self.width
        shade = rng.uniform(80, 120)
        ramp = np.linspace(-12, 12, h)[:, None, None]
        image = np.full((h, w, 3), shade) + ramp
        for lane in (0.35, 0.65):
            x = int(lane * w)
            for y in range(0, h, h // 6):
                cv2.line(image, (x, y), (x, y + h // 12), (210, 210, 210), 3)
        return np.clip(image, 0, 255).astype(np.uint8)


def ffmpeg_exe() -> str:
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def write_video(path: str, frames: Iterable[Frame], fps: float, crf: int = 26,
                size: tuple[int, int] | None = None) -> None:
    """Encode BGR frames to H.264 (yuv420p) with the bundled ffmpeg."""
    import imageio_ffmpeg

    iterator = iter(frames)
    first = next(iterator)
    height, width = first.shape[:2]
    writer = imageio_ffmpeg.write_frames(
        path, (width, height), fps=fps, codec="libx264", quality=None, macro_block_size=2,
        pix_fmt_in="bgr24", pix_fmt_out="yuv420p",
        output_params=["-crf", str(crf), "-preset", "veryfast"], ffmpeg_log_level="error",
    )
    writer.send(None)
    writer.send(np.ascontiguousarray(first))
    for frame in iterator:
        writer.send(np.ascontiguousarray(frame))
    writer.close()


def render(scene: CCTVScene, start: float, duration: float, fps: float,
           edit: Callable[[Frame, float], Frame] | None = None) -> Iterator[Frame]:
    """Frames of ``scene`` from ``start`` for ``duration`` seconds at ``fps``, optionally edited
    (the edit gets the frame and the time since ``start``)."""
    for index in range(int(round(duration * fps))):
        t = index / fps
        frame = scene.frame(start + t)
        yield edit(frame, t) if edit else frame


def read_frames(path: str) -> Iterator[tuple[float, Frame]]:
    """(time, BGR frame) of every frame of a file, for building edited copies."""
    capture = cv2.VideoCapture(path)
    try:
        while True:
            ok, frame = capture.read()
            if not ok:
                break
            yield capture.get(cv2.CAP_PROP_POS_MSEC) / 1000.0, frame
    finally:
        capture.release()


def excerpt(path: str, start: float, duration: float, fps: float) -> Iterator[Frame]:
    """Frames of an encoded file between start and start+duration, resampled to ``fps``."""
    wanted = start
    step = 1.0 / fps
    end = start + duration - 1e-6
    previous: Frame | None = None
    for time, frame in read_frames(path):
        while previous is not None and wanted < time - 1e-6 and wanted < end:
            yield previous
            wanted += step
        if time >= end:
            break
        previous = frame
    while previous is not None and wanted < end:
        yield previous
        wanted += step


# Edits a repost carries -------------------------------------------------------------------------

def crop(share: float) -> Callable[[Frame], Frame]:
    """Cut ``share`` of the width and height off each side and scale back to the original size."""
    def apply(frame: Frame) -> Frame:
        h, w = frame.shape[:2]
        dy, dx = int(h * share), int(w * share)
        return cv2.resize(frame[dy:h - dy, dx:w - dx], (w, h), interpolation=cv2.INTER_LINEAR)
    return apply


def mirror(frame: Frame) -> Frame:
    return np.ascontiguousarray(frame[:, ::-1])


def caption(text: str, height_share: float = 0.12) -> Callable[[Frame], Frame]:
    """A caption bar across the bottom, as reposts add."""
    def apply(frame: Frame) -> Frame:
        out = frame.copy()
        h, w = out.shape[:2]
        bar = int(h * height_share)
        out[h - bar:] = (out[h - bar:] * 0.25).astype(np.uint8)
        cv2.putText(out, text, (12, h - bar // 3), cv2.FONT_HERSHEY_SIMPLEX, 0.7,
                    (255, 255, 255), 2, cv2.LINE_AA)
        return out
    return apply


# Directions in BGR that leave a pixel's grey level (BT.601 luma) as it is: red, green, blue.
GREY_NEUTRAL_HUES = {"red": (-1.0, -1.0, 0.701 / 0.299), "green": (-1.0, 0.413 / 0.587, -1.0),
                     "blue": (0.886 / 0.114, -1.0, -1.0)}


def colour_caption(text: str, hue: str, top_share: float = 0.84) -> Callable[[Frame], Frame]:
    """A caption in a saturated ``hue`` (GREY_NEUTRAL_HUES) drawn at the grey level of the
    picture under it, as saturated captions nearly are: grey pictures barely show it."""
    def apply(frame: Frame) -> Frame:
        out = frame.copy()
        h, w = out.shape[:2]
        band = out[int(h * top_share):int(h * (top_share + 0.1))]
        level = float(cv2.cvtColor(band, cv2.COLOR_BGR2GRAY).mean())
        direction = np.asarray(GREY_NEUTRAL_HUES[hue])
        # as far along the hue as the channels allow
        room = min((255 - level) / d if d > 0 else level / -d for d in direction)
        colour = tuple(int(round(level + room * d)) for d in direction)
        cv2.putText(out, text, (int(w * 0.08), int(h * (top_share + 0.08))),
                    cv2.FONT_HERSHEY_DUPLEX, h / 360, colour, max(2, h // 180), cv2.LINE_AA)
        return out
    return apply


def letterbox(width: int, height: int) -> Callable[[Frame], Frame]:
    """Fit the frame inside a width x height canvas with black bars."""
    def apply(frame: Frame) -> Frame:
        h, w = frame.shape[:2]
        scale = min(width / w, height / h)
        nw, nh = int(w * scale) // 2 * 2, int(h * scale) // 2 * 2
        canvas = np.zeros((height, width, 3), dtype=np.uint8)
        y, x = (height - nh) // 2, (width - nw) // 2
        canvas[y:y + nh, x:x + nw] = cv2.resize(frame, (nw, nh), interpolation=cv2.INTER_AREA)
        return canvas
    return apply


def chain(*edits: Callable[[Frame], Frame]) -> Callable[[Frame], Frame]:
    def apply(frame: Frame) -> Frame:
        for edit in edits:
            frame = edit(frame)
        return frame
    return apply


# Several feeds in one frame, and a screen filmed by a camera ------------------------------------

def grid(cells: list[Frame], rows: int, cols: int, size: tuple[int, int],
         gap: int = 4) -> Frame:
    """A multiviewer: ``cells`` (row by row) scaled into a rows x cols grid on a black canvas
    of ``size`` (width, height), ``gap`` pixels between cells."""
    width, height = size
    canvas = np.zeros((height, width, 3), dtype=np.uint8)
    for k, cell in enumerate(cells[:rows * cols]):
        r, c = divmod(k, cols)
        x0, x1 = round(c * width / cols) + gap // 2, round((c + 1) * width / cols) - gap // 2
        y0, y1 = round(r * height / rows) + gap // 2, round((r + 1) * height / rows) - gap // 2
        canvas[y0:y1, x0:x1] = cv2.resize(cell, (x1 - x0, y1 - y0), interpolation=cv2.INTER_AREA)
    return canvas


def filmed_off_screen(yaw: float, pitch: float = 0.0, moire: float = 0.12, noise: float = 6.0,
                      seed: int = 0, fill: float = 0.7, focal: float = 0.75
                      ) -> Callable[[Frame], Frame]:
    """A camera filming a monitor that shows the frame: perspective (``yaw``/``pitch`` degrees),
    a dark room and bezel around it, moiré (the screen's pixel grid beating with the camera's:
    a fine grating, ``moire`` of the brightness, aliased by the warp), a glare and sensor
    noise."""
    rng = np.random.default_rng(seed)

    def apply(frame: Frame) -> Frame:
        h, w = frame.shape[:2]
        corners = screen_corners((w, h), yaw, pitch, fill, focal)
        source = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
        if moire:
            y, x = np.mgrid[0:h, 0:w]
            grating = 1.0 + moire * np.sin(2.9 * x + 0.35 * y)
            frame = np.clip(frame * grating[..., None], 0, 255).astype(np.uint8)
        room = np.full((h, w, 3), 28, np.uint8)
        cv2.rectangle(room, (0, int(h * 0.8)), (w, h), (45, 42, 40), -1)  # a desk
        bezel = cv2.getPerspectiveTransform(
            np.array([[-12, -12], [w + 12, -12], [w + 12, h + 12], [-12, h + 12]], np.float32),
            corners)
        cv2.fillConvexPoly(room, cv2.perspectiveTransform(
            source.reshape(-1, 1, 2), bezel).reshape(-1, 2).astype(np.int32), (12, 12, 12))
        matrix = cv2.getPerspectiveTransform(source, corners)
        shown = cv2.warpPerspective(frame, matrix, (w, h), flags=cv2.INTER_LINEAR)
        mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), matrix, (w, h))
        out = np.where(mask[..., None] > 127, shown, room).astype(np.float32)
        glare = cv2.GaussianBlur(np.zeros((h, w), np.float32), (0, 0), 1)
        cv2.circle(glare, (int(w * 0.7), int(h * 0.3)), int(h * 0.18), 40.0, -1)
        glare = cv2.GaussianBlur(glare, (0, 0), h * 0.08)
        out += glare[..., None] + rng.normal(0, noise, out.shape).astype(np.float32)
        return np.clip(out, 0, 255).astype(np.uint8)
    return apply


def monitor_wall(pictures: list[Frame], places: list[np.ndarray], size: tuple[int, int],
                 noise: float = 5.0, seed: int = 0) -> Frame:
    """Monitors apart on a dark wall: each picture warped into its place (four corners in
    pixels, clockwise from top-left) inside a black bezel, with sensor noise."""
    width, height = size
    out = np.full((height, width, 3), 30, np.uint8)
    for picture, corners in zip(pictures, places, strict=True):
        h, w = picture.shape[:2]
        source = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
        centre = corners.mean(axis=0)
        bezel = centre + (corners - centre) * 1.06
        cv2.fillConvexPoly(out, bezel.astype(np.int32), (10, 10, 10))
        matrix = cv2.getPerspectiveTransform(source, corners.astype(np.float32))
        shown = cv2.warpPerspective(picture, matrix, size)
        mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), matrix, size)
        out = np.where(mask[..., None] > 127, shown, out)
    grain = np.random.default_rng(seed).normal(0, noise, out.shape)
    return np.clip(out + grain, 0, 255).astype(np.uint8)
