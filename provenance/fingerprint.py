"""Frames to a Fingerprint: the only module that imports imagehash and PIL.

Per sampled frame: a pHash of the frame (``scene``), the pHash of its mirror image (``mirror``, so
mirrored reposts match without re-hashing the library), and a pHash of the change since the
previous sample (``motion``), which follows what moves in a fixed camera's view rather than the
static background the scene hash is dominated by.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable, Iterable
from typing import Any

import imagehash
import numpy as np
from PIL import Image

from . import frames as frames_mod
from .errors import MediaError
from .models import FINGERPRINT_VERSION, Fingerprint

# A thumb whose grey level varies less than this (std, 0-255) is black, flat or mid-fade and never
# counts as evidence; compressed black frames measure < 1, dark real footage > 10.
FLAT_STD = 5.0

# Called with (seconds decoded, total seconds or None when the header does not say).
ProgressCallback = Callable[[float, float | None], None]


def hash_bits_to_int(bits: np.ndarray) -> int:
    """An 8x8 boolean hash as an unsigned 64-bit integer, row-major, first bit most significant."""
    return int.from_bytes(np.packbits(bits.ravel()).tobytes(), "big")


def phash64(thumb: np.ndarray) -> int:
    image = Image.fromarray(np.clip(thumb, 0, 255).astype(np.uint8), mode="L")
    return hash_bits_to_int(imagehash.phash(image).hash)


def _motion_image(thumb: np.ndarray, previous: np.ndarray) -> np.ndarray:
    # Signed change mapped around mid-grey so the hash sees where and in which direction it moved.
    return (thumb - previous) * 0.5 + 128.0


def fingerprint_samples(
    samples: Iterable[frames_mod.Sample],
    info: frames_mod.StreamInfo,
    sample_fps: float,
    progress: ProgressCallback | None = None,
) -> Fingerprint:
    """Hash an iterable of sampled frames."""
    times: list[float] = []
    scene: list[int] = []
    mirror: list[int] = []
    motion: list[int] = []
    motion_mirror: list[int] = []
    energy: list[float] = []
    informative: list[bool] = []
    previous: np.ndarray | None = None
    total = info.frame_count / info.fps if info.fps > 0 and info.frame_count > 0 else None
    for sample in samples:
        thumb = sample.thumb
        times.append(sample.time)
        scene.append(phash64(thumb))
        mirror.append(phash64(thumb[:, ::-1]))
        before = thumb if previous is None else previous
        change = _motion_image(thumb, before)
        motion.append(phash64(change))
        motion_mirror.append(phash64(change[:, ::-1]))
        energy.append(float(np.abs(thumb - before).mean()))
        informative.append(bool(thumb.std() >= FLAT_STD))
        previous = thumb
        if progress is not None:
            progress(sample.time, total)
    step = 1.0 / sample_fps
    duration = (times[-1] + step) if times else 0.0
    return Fingerprint(
        times=np.asarray(times, dtype=np.float64),
        scene=np.asarray(scene, dtype=np.uint64),
        mirror=np.asarray(mirror, dtype=np.uint64),
        motion=np.asarray(motion, dtype=np.uint64),
        motion_mirror=np.asarray(motion_mirror, dtype=np.uint64),
        motion_energy=np.asarray(energy, dtype=np.float32),
        informative=np.asarray(informative, dtype=bool),
        duration=float(duration),
        width=info.width,
        height=info.height,
        native_fps=info.fps,
        sample_fps=float(sample_fps),
    )


def fingerprint_video(
    path: str, sample_fps: float, progress: ProgressCallback | None = None
) -> Fingerprint:
    """Decode ``path`` once and fingerprint it. Raises MediaError for non-video or empty files."""
    with frames_mod.VideoStream(path) as stream:
        return fingerprint_samples(stream.samples(sample_fps), stream.info, sample_fps, progress)


_ARRAYS = ("times", "scene", "mirror", "motion", "motion_mirror", "motion_energy", "informative")
_SCALARS = ("duration", "width", "height", "native_fps", "sample_fps", "version")


def to_bytes(fp: Fingerprint) -> bytes:
    """Lossless, versioned serialisation (compressed .npz; hashes stay unsigned 64-bit ints)."""
    buffer = io.BytesIO()
    arrays: dict[str, Any] = {name: getattr(fp, name) for name in _ARRAYS}
    arrays.update({name: np.asarray(getattr(fp, name)) for name in _SCALARS})
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
            arrays = {name: npz[name] for name in _ARRAYS}
            return Fingerprint(
                **arrays,
                duration=float(npz["duration"]),
                width=int(npz["width"]),
                height=int(npz["height"]),
                native_fps=float(npz["native_fps"]),
                sample_fps=float(npz["sample_fps"]),
                version=version,
            )
    except MediaError:
        raise
    except (OSError, ValueError, KeyError) as exc:
        raise MediaError(f"{origin} is not a provenance fingerprint ({exc})") from None


def save(fp: Fingerprint, path: str) -> None:
    """Write atomically: nothing appears at ``path`` unless the whole file was written."""
    directory = os.path.dirname(os.path.abspath(path))
    handle, tmp = tempfile.mkstemp(prefix=".fingerprint-", dir=directory)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(to_bytes(fp))
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def load(path: str) -> Fingerprint:
    with open(path, "rb") as handle:
        return from_bytes(handle.read(), origin=path)
