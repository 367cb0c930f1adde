"""Frames to a Fingerprint: the only module that imports imagehash and PIL.

Per sampled frame: a pHash of the frame (``scene``), the pHash of its mirror image (``mirror``, so
mirrored reposts match without re-hashing the library), and a pHash of the change since the
previous sample (``motion``, and ``motion_mirror`` for the flipped frames): the motion hash follows
what moves in a fixed camera's view rather than the static background that dominates the scene
hash. Hashes are imagehash's pHash bit for bit (``phash64`` is the reference; tests hold
``phash_batch`` to it), computed for many thumbs at once with two small matrix products.
"""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any

import imagehash
import numpy as np
from PIL import Image

from . import frames as frames_mod
from .errors import MediaError, unwritable
from .models import FINGERPRINT_VERSION, Fingerprint, Shot
from .settings import DEFAULT_SAMPLE_FPS

# A thumb whose grey level varies less than this (std, 0-255) is black, flat or mid-fade and never
# counts as evidence; compressed black frames measure < 1, dark real footage > 10.
FLAT_STD = 5.0
# A cut is a change between two samples of at least CUT_ENERGY (mean absolute grey-level change
# of the thumbs) that is also CUT_CONTRAST times the change just before and just after: cuts in
# the sample montage measure 19-22 with neighbours under 1; people walking close to the shared
# CCTV cameras reach 15-30 but over several samples in a row, so the contrast rule leaves them.
CUT_ENERGY = 12.0
CUT_CONTRAST = 3.0
MIN_SHOT_S = 1.0
# A held picture (a repost freezing a frame) is a change between samples of at most HELD_ENERGY,
# sample after sample, over at least HELD_MIN_S. Measured (4 samples a second) on the
# copy-detection queries, the shared clips and 250 of other_moments.py's windows (437 videos:
# re-encoded, downscaled, slowed to 0.67x, the room where nobody moves): at most 3 samples in a
# row at or under 0.01, a 0.5 s span, and of the 1,717 videos benchmarks/ makes, none holds a
# picture by this rule but the synthetic still distractors; the desk audit's frozen frames of
# 2-5 s held 7-15 (a 1 s freeze 3, left to the moment check's pictures).
# A keyframe redraws a frozen frame by up to 0.06 (the audit's 5 s freeze), under what counts as
# motion (``align.MIN_MOTION_ENERGY``, 0.2).
# A repost's held picture counts against an original only where the original changes there
# (the largest change of its three samples around the mapped time above HELD_ORIGINAL_ENERGY):
# the shared clips' stored fingerprints measure 0.030 at least (the room where nobody moves),
# generated footage without noise 0.015 at most where nothing moves, which is no freeze.
HELD_ENERGY = 0.01
HELD_MIN_S = 1.0
HELD_REFRESH = 0.2
HELD_ORIGINAL_ENERGY = 0.025
# Samples hashed together; bounds memory whatever the video's length.
_BATCH = 256
_SIZE = frames_mod.THUMB_SIZE
_HASH_SIDE = 8

# Called with (seconds decoded, total seconds or None when the header does not say).
ProgressCallback = Callable[[float, float | None], None]


def _dct_rows() -> np.ndarray:
    """The first 8 rows of scipy.fftpack's unnormalised DCT-II matrix for 32 samples."""
    k = np.arange(_HASH_SIDE)[:, None]
    n = np.arange(_SIZE)[None, :]
    return 2.0 * np.cos(np.pi * k * (2 * n + 1) / (2 * _SIZE))


_DCT = _dct_rows()
# Mirroring an image negates its odd horizontal frequencies.
_MIRROR_SIGN = np.where(np.arange(_HASH_SIDE) % 2 == 0, 1.0, -1.0)[None, None, :]
_BIT_WEIGHTS = (np.uint64(1) << np.arange(63, -1, -1, dtype=np.uint64))


def hash_bits_to_int(bits: np.ndarray) -> int:
    """An 8x8 boolean hash as an unsigned 64-bit integer, row-major, first bit most significant."""
    return int.from_bytes(np.packbits(bits.ravel()).tobytes(), "big")


def phash64(thumb: np.ndarray) -> int:
    """imagehash's pHash of a 32x32 grey thumb, as an integer (the reference implementation)."""
    image = Image.fromarray(np.clip(thumb, 0, 255).astype(np.uint8), mode="L")
    return hash_bits_to_int(imagehash.phash(image).hash)


def _bits_to_uint64(bits: np.ndarray) -> np.ndarray:
    flat = bits.reshape(len(bits), -1).astype(np.uint64)
    return (flat * _BIT_WEIGHTS).sum(axis=1, dtype=np.uint64)


def _low_frequencies(images: np.ndarray) -> np.ndarray:
    # Stacked matmul of small matrices: 1.6 us a thumb, and no BLAS threads left spinning.
    return np.matmul(np.matmul(_DCT, images), _DCT.T)


def _hash_low(low: np.ndarray) -> np.ndarray:
    median = np.median(low.reshape(len(low), -1), axis=1)[:, None, None]
    return _bits_to_uint64(low > median)


def phash_batch(thumbs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """pHashes of (N, 32, 32) thumbs and of their mirror images, as uint64 arrays."""
    low = _low_frequencies(thumbs.astype(np.float64))
    return _hash_low(low), _hash_low(low * _MIRROR_SIGN)


def _motion_images(thumbs: np.ndarray, previous: np.ndarray) -> np.ndarray:
    """Signed change since the previous sample, around mid-grey, as the hash sees it."""
    before = np.concatenate([previous[None], thumbs[:-1]])
    return np.clip(np.rint((thumbs - before) * 0.5 + 128.0), 0, 255)


class _Accumulator:
    def __init__(self) -> None:
        self.parts: dict[str, list[np.ndarray]] = {name: [] for name in Fingerprint.ARRAYS}
        self.previous: np.ndarray | None = None

    def add(self, times: list[float], thumbs: list[np.ndarray]) -> None:
        batch = np.stack(thumbs).astype(np.float32)
        previous = batch[0] if self.previous is None else self.previous
        scene, mirror = phash_batch(batch)
        motion, motion_mirror = phash_batch(_motion_images(batch, previous))
        change = np.abs(batch - np.concatenate([previous[None], batch[:-1]]))
        for name, values in (
            ("times", np.asarray(times, dtype=np.float64)),
            ("scene", scene), ("mirror", mirror),
            ("motion", motion), ("motion_mirror", motion_mirror),
            ("motion_energy", change.mean(axis=(1, 2)).astype(np.float32)),
            ("informative", batch.std(axis=(1, 2)) >= FLAT_STD),
        ):
            self.parts[name].append(values)
        self.previous = batch[-1]

    def arrays(self) -> dict[str, Any]:
        return {name: np.concatenate(parts) for name, parts in self.parts.items()}


def fingerprint_samples(
    samples: Iterable[frames_mod.Sample],
    info: frames_mod.StreamInfo,
    sample_fps: float,
    progress: ProgressCallback | None = None,
) -> Fingerprint:
    """Hash an iterable of sampled frames, a batch at a time."""
    accumulator = _Accumulator()
    total = info.announced_duration
    times: list[float] = []
    thumbs: list[np.ndarray] = []
    for sample in samples:
        times.append(sample.time)
        thumbs.append(sample.thumb)
        if len(thumbs) == _BATCH:
            accumulator.add(times, thumbs)
            times, thumbs = [], []
        if progress is not None:
            progress(sample.time, total)
    if thumbs:
        accumulator.add(times, thumbs)
    arrays = accumulator.arrays()
    last = float(arrays["times"][-1]) if len(arrays["times"]) else 0.0
    if progress is not None and total and last >= total - 1.0 / sample_fps:
        # decoded to its end: the stage ends at its total, not at its last sample a step
        # before it (a desk audit's bar stopped at "99% 14.0/14.1 s"); a file cut off does not
        progress(total, total)
    duration = float(arrays["times"][-1] + 1.0 / sample_fps) if len(arrays["times"]) else 0.0
    return Fingerprint(
        **arrays,
        duration=duration,
        width=info.width,
        height=info.height,
        native_fps=info.fps,
        sample_fps=float(sample_fps),
    )


def fingerprint_video(
    path: str, sample_fps: float = DEFAULT_SAMPLE_FPS, progress: ProgressCallback | None = None,
    crop: tuple[float, float, float, float] | None = None, decoder: str | None = None,
) -> Fingerprint:
    """Decode ``path`` once and fingerprint it (only the ``crop`` region, x0, y0, x1, y1 as
    shares of the frame, when given; ``decoder`` as in ``frames.chosen_decoder``). Raises
    MediaError for non-video or empty files."""
    with frames_mod.VideoStream(path, decoder=decoder) as stream:
        fp = fingerprint_samples(stream.samples(sample_fps, crop=crop), stream.info,
                                 sample_fps, progress)
        return replace(as_decoded(fp, stream), decoder=stream.decoded_by)


def as_decoded(fp: Fingerprint, stream: frames_mod.VideoStream) -> Fingerprint:
    """The fingerprint with what only decoding ``stream`` told: the picture's size as shown (a
    phone's display rotation turns it) and the stream's real duration (last frame's time plus
    its own duration) instead of the sample grid's."""
    fp = replace(fp, width=stream.info.width, height=stream.info.height)
    end_time = stream.end_time
    if end_time is None or end_time <= float(fp.times[-1]):
        return fp
    return replace(fp, duration=round(float(end_time), 3))


# Negating an image around mid-grey negates every DCT coefficient but the mean (the first, the
# largest: the hash's most significant bit), so its pHash is the complement of every other bit
# but one: of the 64 coefficients' two middle ones, the lower keeps its bit (a median of an even
# count is no coefficient). So a change played backwards hashes one bit from this complement (up
# to a grey level rounded the other way; tests/test_frames_fingerprint.py).
_ALL_BUT_MEAN = np.uint64(0x7FFF_FFFF_FFFF_FFFF)


def backwards_times(times: Sequence[float] | np.ndarray, duration: float, frame_s: float
                    ) -> np.ndarray:
    """Frame times, in reverse order, as a video of ``duration`` seconds played backwards shows
    them: a frame shown from t for ``frame_s`` seconds is shown from duration - t - frame_s."""
    return np.maximum(0.0, duration - frame_s - np.asarray(times, dtype=np.float64)[::-1])


def played_backwards(fp: Fingerprint, frame_s: float = 0.0) -> Fingerprint:
    """The fingerprint of the video played backwards, computed from its own (no decode).

    The samples keep their instants as a reversed file would give them (``backwards_times``).
    Each sample's change is from the sample before it, which, played backwards, is the next
    one: the motion hashes and energies move one sample and the change is negated
    (``_ALL_BUT_MEAN``); the first sample has no change, as a fingerprint's first sample never
    does."""
    count = len(fp)
    if count == 0:
        return fp
    times = backwards_times(fp.times, fp.duration, frame_s)

    def moved(values: np.ndarray, first: Any) -> np.ndarray:
        out = np.empty_like(values)
        out[0] = first
        out[1:] = values[::-1][:-1]  # sample k shows the change into forward sample n - k
        return out

    still = fp.motion[0], fp.motion_mirror[0]  # the hashes of no change
    motion, motion_mirror = moved(fp.motion, still[0]), moved(fp.motion_mirror, still[1])
    motion[1:] ^= _ALL_BUT_MEAN
    motion_mirror[1:] ^= _ALL_BUT_MEAN
    return replace(
        fp, times=times, scene=fp.scene[::-1].copy(), mirror=fp.mirror[::-1].copy(),
        motion=motion, motion_mirror=motion_mirror,
        motion_energy=moved(fp.motion_energy, 0.0), informative=fp.informative[::-1].copy(),
        coherence=None if fp.coherence is None else moved(fp.coherence, 0.0))


def cuts(fp: Fingerprint) -> np.ndarray:
    """Indices of the samples that start a new shot (after a cut)."""
    energy = fp.motion_energy.astype(np.float64)
    if len(energy) < 2:
        return np.zeros(0, dtype=np.int64)
    before = np.r_[0.0, energy[:-1]]
    after = np.r_[energy[1:], 0.0]
    spikes = (energy >= CUT_ENERGY) & (energy >= CUT_CONTRAST * np.maximum(before, after))
    spikes[0] = False
    chosen: list[int] = []
    for index in np.flatnonzero(spikes):
        if not chosen or fp.times[index] - fp.times[chosen[-1]] >= MIN_SHOT_S:
            chosen.append(int(index))
    return np.asarray(chosen, dtype=np.int64)


def held_pictures(fp: Fingerprint) -> np.ndarray:
    """Per sample, whether it shows a held picture: one frame shown on, the footage stopped
    (HELD_ENERGY, HELD_MIN_S), with single samples up to HELD_REFRESH inside it (an encoder's
    keyframe redrawing the frozen frame). A sample's change is from the sample before, so the
    frozen frame is already shown by the sample before the first unchanged one."""
    energy = fp.motion_energy
    still = energy <= HELD_ENERGY
    if len(still):
        still[0] = False
    refresh = (energy <= HELD_REFRESH) & np.r_[False, still[:-1]] & np.r_[still[1:], False]
    held = np.zeros(len(still), dtype=bool)
    for first, end in _true_runs(still | refresh):
        if any(fp.times[first + b - 1] - fp.times[first + a] >= HELD_MIN_S - 1e-6
               for a, b in _true_runs(still[first:end])):
            held[first - 1:end] = True
    return held


def _true_runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[first, end) of each run of True in ``mask``."""
    edges = np.flatnonzero(np.diff(np.r_[0, mask.astype(np.int8), 0]))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


# A cut this near a stretch's end (a sample step and a half: cuts are sample times) sets the
# stretch apart from the footage beside it.
CUT_REACH_S = 0.4


def cut_apart(start: float, end: float, cut_times: Iterable[float]) -> bool:
    """Whether the video cuts to or inside the stretch ``start``-``end`` (``cut_times``: the
    cuts' times): footage of its own, not the shot beside it continued."""
    return any(start - CUT_REACH_S <= t <= end + CUT_REACH_S for t in cut_times)


def _medoid(hashes: np.ndarray) -> int:
    """Index of the hash with the least total Hamming distance to the others (at most 200
    evenly spread candidates are compared, so long shots stay cheap)."""
    pick = frames_mod.evenly_spread(len(hashes), 200)
    subset = hashes[pick]
    totals = np.bitwise_count(subset[:, None] ^ subset[None, :]).sum(axis=1)
    return int(pick[int(np.argmin(totals))])


def shots(fp: Fingerprint) -> list[Shot]:
    """Shots between cuts, each with a representative keyframe: the most typical informative
    frame of the shot (the medoid of its scene hashes)."""
    bounds = [0, *cuts(fp).tolist(), len(fp)]
    result = []
    for first, end in zip(bounds[:-1], bounds[1:], strict=True):
        indices = np.arange(first, end)
        usable = indices[fp.informative[first:end]]
        pool = usable if usable.size else indices
        key = pool[_medoid(fp.scene[pool])]
        # the last shot ends where the video does (verify's duration), not a sample step after
        # its last sample (a 16.04 s montage's last shot had ended at 16.25)
        stop = fp.times[end] if end < len(fp) else max(fp.duration, fp.times[end - 1])
        result.append(Shot(start=round(float(fp.times[first]), 3), end=round(float(stop), 3),
                           keyframe=float(fp.times[key])))
    return result


_SCALARS = ("duration", "width", "height", "native_fps", "sample_fps", "version")


def to_bytes(fp: Fingerprint) -> bytes:
    """Lossless, versioned serialisation (compressed .npz; hashes stay unsigned 64-bit ints)."""
    buffer = io.BytesIO()
    arrays: dict[str, Any] = {name: getattr(fp, name) for name in Fingerprint.ARRAYS}
    arrays.update({name: np.asarray(getattr(fp, name)) for name in _SCALARS})
    arrays["decoder"] = np.asarray(fp.decoder)
    arrays.update({name: np.asarray(getattr(fp, name), dtype=kind)
                   for name, kind in Fingerprint.CHANNELS.items()})
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def from_bytes(data: bytes, origin: str = "fingerprint") -> Fingerprint:
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            version = int(npz["version"])
            if version != FINGERPRINT_VERSION:
                raise MediaError(
                    f"{origin} is fingerprint format v{version}; this provenance reads "
                    f"v{FINGERPRINT_VERSION}",
                    "re-create it with `provenance fingerprint VIDEO -o FILE`",
                )
            arrays = {name: npz[name] for name in Fingerprint.ARRAYS}
            return Fingerprint(
                **arrays,
                duration=float(npz["duration"]),
                width=int(npz["width"]),
                height=int(npz["height"]),
                native_fps=float(npz["native_fps"]),
                sample_fps=float(npz["sample_fps"]),
                version=version,
                # Files written before the decoder was recorded were all decoded by OpenCV.
                decoder=str(npz["decoder"]) if "decoder" in npz.files else "opencv",
                # Files written before a channel existed have it empty.
                **{name: (np.asarray(npz[name], dtype=kind) if name in npz.files
                          else np.zeros(0, dtype=kind))
                   for name, kind in Fingerprint.CHANNELS.items()},
            )
    except MediaError:
        raise
    except (OSError, ValueError, KeyError, EOFError, TypeError, zipfile.BadZipFile, zlib.error):
        # (a cut-off or damaged archive: a desk audit's stopped a whole batch with a traceback)
        # NumPy's own reason is not shown: for a file that is no archive it suggests loading
        # it with pickle, which would run whatever code an untrusted file holds.
        raise MediaError(f"{origin} is not a provenance fingerprint ({_not_read(data)})",
                         "a fingerprint file is what `provenance fingerprint VIDEO -o FILE.npz` "
                         "writes; to verify a video, give the video itself") from None


# How every .npz (a zip archive) begins: a file entry, or the end of an empty archive.
_ZIP_STARTS = (b"PK\x03\x04", b"PK\x05\x06")


def _not_read(data: bytes) -> str:
    """Why a fingerprint file could not be read, in words."""
    if not data.startswith(_ZIP_STARTS):
        return "it is not an .npz archive"
    return "an .npz archive without a fingerprint's arrays, or damaged"


def save(fp: Fingerprint, path: str) -> None:
    """Write atomically: nothing appears at ``path`` unless the whole file was written."""
    directory = os.path.dirname(os.path.abspath(path))
    data = to_bytes(fp)
    try:
        handle, tmp = tempfile.mkstemp(prefix=".fingerprint-", dir=directory)
    except OSError as exc:
        raise unwritable(path, exc) from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        os.unlink(tmp)
        raise unwritable(path, exc) from None
    except BaseException:
        os.unlink(tmp)
        raise


def load(path: str) -> Fingerprint:
    with open(path, "rb") as handle:
        return from_bytes(handle.read(), origin=path)
